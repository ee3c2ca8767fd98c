"""PDFium's characters of a page as glyphs with their boxes, and the glyphs as lines in reading order.

PDFium's own page text mixes visual and logical order on Chromium PDFs and reverses lam-alef on
LibreOffice PDFs, so lines are rebuilt here from the geometry: glyphs grouped by baseline, sorted
left to right, spaces put where the gaps are, cells split at drawn rules or wide gaps, then each
cell turned into logical order (:mod:`index.readers.bidi`). Runs only in the reader's child process.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass

from index.readers.bidi import FLAT, bidi_class, clean_line, fix_ligature_unit, visual_to_logical


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    y: float       # baseline
    size: float
    word: int      # PDFium's word counter: increases at every space or generated break
    bold: bool = False


@dataclass
class Line:
    page: int
    y: float
    x0: float
    x1: float
    size: float
    cells: list[str]
    rtl: bool
    text: str = ""
    strong: int = 0  # strong letters, for the document's direction
    bold: bool = False

    @property
    def is_table(self) -> bool:
        return len(self.cells) > 1


WORD_GAP_EM = 0.1     # a gap wider than this (× font size) where PDFium starts a new word is a space
LONE_GAP_EM = 0.2     # ... and any gap wider than this (PDFium misses breaks next to brackets)
CELL_GAP_EM = 2.5     # ... and wider than this, a table-cell (or column) boundary
LINE_TOL_EM = 0.35    # baselines closer than this belong to one line


def page_glyphs(textpage, raw) -> tuple[list[Glyph], list[tuple[float, float]], int, int]:
    """PDFium's characters of one page as glyph units with geometry.

    Returns the glyphs, the positions (x, baseline) of the real space characters, the number of
    undecodable characters and the number of characters."""
    import ctypes

    n = raw.FPDFText_CountChars(textpage)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rect = raw.FS_RECTF()
    fbuf, fflags = ctypes.create_string_buffer(256), ctypes.c_int()
    fonts: dict = {}
    glyphs: list[Glyph] = []
    spaces: list[tuple[float, float]] = []
    word, bad, total = 0, 0, 0
    prev_box = None
    i = 0
    while i < n:
        u = raw.FPDFText_GetUnicode(textpage, i)
        if 0xD800 <= u < 0xDC00 and i + 1 < n:  # surrogate pair
            lo = raw.FPDFText_GetUnicode(textpage, i + 1)
            ch = chr(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00))
            step = 2
        else:
            ch = chr(u) if u else ""
            step = 1
        generated = raw.FPDFText_IsGenerated(textpage, i)
        if generated or ch in ("", "\r", "\n", " ", "\t", "\u00a0", "\u3000") \
                or unicodedata.category(ch or " ") == "Zs":
            if not generated and ch and ch not in "\r\n":
                raw.FPDFText_GetCharOrigin(textpage, i, ox, oy)
                spaces.append((ox.value, oy.value))
            word += 1
            prev_box = None
            i += step
            continue
        raw.FPDFText_GetCharBox(textpage, i, left, right, bottom, top)
        size = raw.FPDFText_GetFontSize(textpage, i) or 10.0
        height, width = top.value - bottom.value, right.value - left.value
        if ch == "\u0640" or (ch not in FLAT and unicodedata.category(ch)[0] in "PSC" and 0 < height < 0.2 * size
                               and width > 0.05 * size):
            # a flat stroke at the baseline drawn for a symbol or control code: a justification kashida
            # whose ToUnicode is wrong (LibreOffice PDFs give "&", "%" or U+0004 depending on the font)
            ch = "\u0640"
        elif unicodedata.category(ch) in ("Cf", "Cc"):  # ZWNJ, bidi marks: PDFium rarely keeps them; no box
            i += step
            continue
        total += 1
        if ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF:
            bad += 1
        raw.FPDFText_GetLooseCharBox(textpage, i, rect)
        tx0, tx1 = left.value, right.value
        # the loose box spans the glyph's advance: glyphs of one word abut, so gaps mean spaces
        # (tight boxes leave gaps around narrow glyphs such as "1" and «)
        if rect.right - rect.left <= 1.5 * size:
            x0, x1 = min(tx0, rect.left), max(tx1, rect.right)
        else:
            x0, x1 = tx0, tx1
        if x1 - x0 < 0.01:
            x0, x1 = rect.left, rect.right
        raw.FPDFText_GetCharOrigin(textpage, i, ox, oy)
        obj = raw.FPDFText_GetTextObject(textpage, i)
        key = ctypes.cast(obj, ctypes.c_void_p).value if obj else None
        if key not in fonts:
            nb = raw.FPDFText_GetFontInfo(textpage, i, fbuf, len(fbuf), fflags)
            name = fbuf.value.decode("latin-1", "replace") if nb else ""
            fonts[key] = bool(re.search(r"bold|black|heavy|semibold|demi", name, re.I))
        box = (round(tx0, 2), round(tx1, 2), round(bottom.value, 2), round(top.value, 2))
        if prev_box == box and glyphs:  # several code points drawn as one glyph (a ligature)
            glyphs[-1].text += ch
        else:
            glyphs.append(Glyph(ch, x0, x1, oy.value, size, word, fonts[key]))
        prev_box = box
        i += step
    for g in glyphs:
        g.text = fix_ligature_unit(g.text)
    return glyphs, spaces, bad, total


def vertical_rules(page, raw) -> list[tuple[float, float, float]]:
    """Thin vertical lines drawn on the page (table borders): (x, y_bottom, y_top)."""
    import ctypes

    rules = []
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    for k in range(raw.FPDFPage_CountObjects(page)):
        obj = raw.FPDFPage_GetObject(page, k)
        if not obj or raw.FPDFPageObj_GetType(obj) != raw.FPDF_PAGEOBJ_PATH:
            continue
        if raw.FPDFPageObj_GetBounds(obj, l, b, r, t) and r.value - l.value <= 3 and t.value - b.value >= 6:
            rules.append(((l.value + r.value) / 2, b.value, t.value))
    return rules


def lines_from_glyphs(glyphs: list[Glyph], page: int, rules: list[tuple[float, float, float]] = (),
                       spaces: list[tuple[float, float]] = ()) -> list[Line]:
    if not glyphs:
        return []
    classes = Counter(bidi_class(g.text) for g in glyphs)
    page_rtl = classes["R"] >= classes["L"]  # the direction of lines with only digits/punctuation
    glyphs = sorted(glyphs, key=lambda g: -g.y)
    groups: list[list[Glyph]] = []
    for g in glyphs:
        if groups:
            cur = groups[-1]
            ref = statistics.median(x.y for x in cur[-8:])
            if abs(g.y - ref) <= LINE_TOL_EM * min(g.size, cur[0].size):
                cur.append(g)
                continue
        groups.append([g])
    lines = []
    for grp in groups:
        grp.sort(key=lambda g: (g.x0 + g.x1) / 2)
        size = statistics.median(g.size for g in grp)
        # split into cells at wide gaps, and mark spaces
        cells: list[list[str]] = [[]]
        cell_x: list[tuple[float, float]] = [(grp[0].x0, grp[0].x1)]
        strong = [Counter()]  # right-to-left and left-to-right letters of each cell
        prev = None
        for g in grp:
            if prev is not None:
                gap = g.x0 - prev.x1
                ruled = gap > -1 and any(prev.x1 - 1 <= rx <= g.x0 + 1 and ry0 - 2 <= g.y <= ry1 + 2
                                         for rx, ry0, ry1 in rules)
                if gap > CELL_GAP_EM * size or ruled:
                    cells.append([])
                    cell_x.append((g.x0, g.x1))
                    strong.append(Counter())
                elif (g.word != prev.word and gap > WORD_GAP_EM * size) or gap > LONE_GAP_EM * size or (
                        gap > WORD_GAP_EM * size and any(prev.x1 - 0.5 <= sx <= g.x0 + 0.5 and abs(sy - g.y) < 0.3 * size
                                                         for sx, sy in spaces)):
                    if cells[-1] and cells[-1][-1] != " ":
                        cells[-1].append(" ")
            cells[-1].append(g.text)
            strong[-1][bidi_class(g.text)] += 1
            x0, x1 = cell_x[-1]
            cell_x[-1] = (min(x0, g.x0), max(x1, g.x1))
            prev = g
        strong_r, strong_l = sum(c["R"] for c in strong), sum(c["L"] for c in strong)
        rtl = strong_r >= strong_l if (strong_r or strong_l) else page_rtl
        # a cell takes its own direction (an English cell in a Persian table row, a date beside a
        # Persian title in Chromium's header); the cells are ordered by the line's
        texts = [clean_line("".join(visual_to_logical(cell, c["R"] >= c["L"] if (c["R"] or c["L"]) else rtl)))
                 for cell, c in zip(cells, strong)]
        if rtl:
            texts.reverse()
        texts = [t for t in texts if t]
        if not texts:
            continue
        bold = sum(g.bold for g in grp) > len(grp) / 2
        lines.append(Line(page, statistics.median(g.y for g in grp), min(g.x0 for g in grp),
                           max(g.x1 for g in grp), size, texts, rtl, "\t".join(texts), strong_r + strong_l, bold))
    return lines

