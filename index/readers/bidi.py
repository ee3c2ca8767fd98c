"""Right-to-left text drawn on a PDF page, back into logical order and standard letters.

A PDF stores glyphs where they are drawn, not in reading order. For a right-to-left line the
reading order is the visual order reversed, except for runs of digits and Latin, which the Unicode
bidi algorithm drew left to right (``۱۲ میلیون و ۳۰۰ هزار``: each number keeps its digit order,
the words and numbers between them are reversed). Brackets and guillemets are mirrored. A glyph
drawn for several code points (the lam-alef ligature) is one unit, never split, with lam first.
Presentation forms (U+FB50–FDFF, U+FE70–FEFF) become standard letters (NFKC), and justification
kashida between letters is dropped.
"""

from __future__ import annotations

import re
import unicodedata

PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
ARABIC_LETTER = "\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06fc\u06ff"
# Kashida (U+0640) between two Arabic letters is justification, not text. LibreOffice's kashida
# glyphs come back as "&", "%" or U+0004; pdf_glyphs recognises them by their flat box.
_KASHIDA = re.compile(f"(?<=[{ARABIC_LETTER}])\u0640+(?=[{ARABIC_LETTER}])")
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_MIRROR = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")
_ALEFS = "اأإآٱ"
FLAT = set("-‐‑‒–—―_=~¯ـ.,،·")
_OPEN, _CLOSE = "([{«‹<", ")]}»›>"


def fold_presentation_forms(text: str) -> str:
    """Arabic presentation forms (U+FB50–FDFF, U+FE70–FEFF) to standard letters (NFKC, only there)."""
    return PRESENTATION_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()).replace(" ", ""), text) \
        if PRESENTATION_FORMS.search(text) else text


def remove_kashida(text: str) -> str:
    """Drop justification kashida (U+0640) between Arabic letters."""
    return _KASHIDA.sub("", text)


def bidi_class(text: str) -> str:
    """R (right-to-left letter), L, N (digit), S (number separator/terminator), W (space), O (other)."""
    for ch in text:
        b = unicodedata.bidirectional(ch)
        if b in ("R", "AL"):
            return "R"
        if b == "L":
            return "L"
        if b in ("EN", "AN"):
            return "N"
    for ch in text:
        b = unicodedata.bidirectional(ch)
        if b in ("CS", "ES", "ET"):
            return "S"
        if b == "WS" or ch.isspace():
            return "W"
    return "O"


_ET = set("%٪‰#$€£¥°+")


def _ltr_runs(cls: list[str], units: list[str]) -> list[tuple[int, int]]:
    """Spans (inclusive) of a visual RTL line that the bidi algorithm laid out left to right.

    Numbers: digits joined by single separators (1397/08/03, ۲۲٫۹, 12.5%) and Latin: letters with
    the spaces/punctuation between Latin letters (``ISNA News``, ``COVID-19``). A space between two
    numbers is right-to-left (``۱۲ ۳۰۰`` are two runs), as in the Unicode bidi algorithm.
    """
    runs: list[tuple[int, int]] = []
    n, i = len(cls), 0
    while i < n:
        if cls[i] not in "LN":
            i += 1
            continue
        start = i
        if i > 0 and cls[i - 1] == "S" and cls[i] == "N" and units[i - 1] in _ET and (not runs or runs[-1][1] < i - 1):
            start = i - 1
        j, has_l, k = i, cls[i] == "L", i + 1
        while k < n:
            c = cls[k]
            if c in "LN":
                j, k = k, k + 1
                has_l |= c == "L"
                continue
            if c == "S":
                if k + 1 < n and cls[k + 1] in "LN":
                    j, k = k + 1, k + 2
                    has_l |= cls[j] == "L"
                    continue
                if cls[j] == "N" and units[k] in _ET:
                    j = k
                break
            if c in "WO" and has_l:
                m = k
                while m < n and cls[m] in "WOS":
                    m += 1
                if m < n and cls[m] == "L":
                    j, k = m, m + 1
                    continue
            break
        runs.append((start, j))
        i = j + 1
    return runs


def _bracket_shapes(units: list[str]) -> list[str]:
    """Set each bracket/guillemet to the shape it has on the page, judged by which side touches text.

    Chromium's ToUnicode gives ")" for both parentheses of a right-to-left "(Taavon)" (the mirrored
    glyph loses its identity); on the page the left one opens towards the text on its right.
    """
    out = list(units)
    n = len(units)
    for i, u in enumerate(units):
        if len(u) != 1 or (u not in _OPEN and u not in _CLOSE):
            continue
        fam = (_OPEN.index(u) if u in _OPEN else _CLOSE.index(u))
        left_space = i == 0 or units[i - 1] == " "
        right_space = i == n - 1 or units[i + 1] == " "
        if left_space and not right_space:
            out[i] = _OPEN[fam]
        elif right_space and not left_space:
            out[i] = _CLOSE[fam]
    return out


def visual_to_logical(units: list[str], rtl: bool = True) -> list[str]:
    """Reorder one line's glyph units from visual (left-to-right on the page) to logical order.

    A unit is the text of one glyph (possibly several code points, e.g. a lam-alef ligature) or a
    space. For a right-to-left line the line is reversed except for runs of digits and Latin
    (see :func:`_ltr_runs`), and brackets/quotes outside those runs are mirrored, which is what
    the Unicode bidi algorithm does when it draws the line. For a left-to-right line only the
    right-to-left stretches are reversed that way.
    """
    units = _bracket_shapes(units)
    cls = [bidi_class(u) for u in units]
    if rtl:
        runs = _ltr_runs(cls, units)
        out: list[str] = []
        keep = {}
        for a, b in runs:
            keep[a] = b
        chunks: list[tuple[bool, list[str]]] = []
        i = 0
        while i < len(units):
            if i in keep:
                chunks.append((True, units[i:keep[i] + 1]))
                i = keep[i] + 1
            else:
                start = i
                while i < len(units) and i not in keep:
                    i += 1
                chunks.append((False, units[start:i]))
        for is_ltr, chunk in reversed(chunks):
            if is_ltr:
                out.extend(chunk)
            else:
                out.extend(u.translate(_MIRROR) for u in reversed(chunk))
        return out
    # left-to-right line: reverse each stretch that starts and ends with a right-to-left letter
    out, i, n = [], 0, len(units)
    while i < n:
        if cls[i] != "R":
            out.append(units[i])
            i += 1
            continue
        j = i
        for k in range(i, n):
            if cls[k] == "L":
                break
            if cls[k] == "R":
                j = k
        out.extend(visual_to_logical(units[i:j + 1], rtl=True))
        i = j + 1
    return out


def fix_ligature_unit(text: str) -> str:
    """Code points that PDFium gives for one glyph box, in logical order (lam before alef)."""
    if len(text) == 2 and text[0] in _ALEFS and text[1] == "ل":
        return text[1] + text[0]
    if len(text) >= 2 and "ل" in text and not re.fullmatch(f"[{ARABIC_LETTER}\u064b-\u065f\u0670]+", text):
        # a ligature glyph with lam whose other code points are garbage (Ghostscript 10 writes the
        # lam-alef ToUnicode as one CJK code unit, U+4427, built from the low bytes of ل and ا)
        alef = next((c for c in text if c in _ALEFS), "ا")
        return "ل" + alef
    return text


def clean_line(text: str) -> str:
    """One line's text in standard letters, without bidi controls, kashida or repeated spaces."""
    text = fold_presentation_forms(text)
    text = BIDI_CONTROLS.sub("", text)
    text = remove_kashida(text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"[ ]{2,}", " ", text).strip()

