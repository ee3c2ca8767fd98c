"""From a PDF's lines to the document: running headers, footers and page numbers dropped, lines
joined into paragraphs, and the title (metadata when it is a real title, else the first heading)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from index.readers.bidi import ARABIC_LETTER, BIDI_CONTROLS, fold_presentation_forms
from index.readers.pdf_glyphs import Line

_PAGE_NUMBER = re.compile(r"^[\W_]*(?:page|صفحه|ص)?[\W_]*#+(?:[\W_]*(?:/|of|از|-|—)[\W_]*#+)?[\W_]*$", re.I)


def _mask_digits(text: str) -> str:
    return re.sub(r"\d+", "#", text)


# what browsers print in the page margins: the URL, the date and time, beside the title and N/M
_URL = re.compile(r"^(?:file|https?)://\S+$", re.I)
_STAMP = re.compile(r"^#[/.-]#[/.-]#[,،]?\s*#:#(?::#)?(?:\s*[AP]M)?$", re.I)   # digits masked: 11/30/25, 1:15 AM
_FILE_NAME = re.compile(r"^[^\s/]+\.(?:html?|pdf|txt|docx?)$", re.I)                  # the title of a page without one
_SQUASH = re.compile(r"[\s\u200c]+")


def _is_furniture(line: Line, title: str | None) -> bool:
    """A margin line made only of a URL, a date stamp, a page number and the title, with at least one
    of the first three (Chromium's default header and footer, even on a one-page PDF)."""
    title_key = _SQUASH.sub("", title or "")
    kinds = []
    for cell in line.cells:
        key = _mask_digits(cell)
        if _URL.match(cell) or _STAMP.match(key) or _PAGE_NUMBER.match(key) or _FILE_NAME.match(cell):
            kinds.append("mark")
        elif title_key and (cell_key := _SQUASH.sub("", cell).rstrip(".…")) and title_key.startswith(cell_key):
            kinds.append("title")
        else:
            return False
    return "mark" in kinds


def drop_running_lines(pages: list[list[Line]], heights: list[float], title: str | None = None) -> list[list[Line]]:
    """Remove running headers/footers (same text, digits masked, in the top/bottom band of most
    pages), bare page numbers (``۳``, ``- 3 -``, ``صفحه ۱ از ۴``, ``1/4``) and a browser's margin
    lines (URL, date stamp, the document's ``title``)."""
    band = 0.12
    keys: Counter = Counter()
    for lines, h in zip(pages, heights):
        seen = set()
        for ln in lines:
            if ln.y > (1 - band) * h or ln.y < band * h:
                seen.add(_mask_digits(ln.text))
        keys.update(seen)
    need = max(2, math.ceil(0.5 * len(pages)))
    out = []
    for lines, h in zip(pages, heights):
        kept = []
        for ln in lines:
            in_band = ln.y > (1 - band) * h or ln.y < band * h
            key = _mask_digits(ln.text)
            if in_band and (keys[key] >= need or _PAGE_NUMBER.match(key) or _is_furniture(ln, title)):
                continue
            kept.append(ln)
        out.append(kept)
    return out


def assemble(pages: list[list[Line]]) -> tuple[list[str], list[list[Line]]]:
    """Join lines into paragraphs. Returns the paragraph texts and the lines of each paragraph."""
    lines = [ln for page in pages for ln in page]
    if not lines:
        return [], []
    body_size = Counter(round(ln.size, 1) for ln in lines for _ in ln.text).most_common(1)[0][0]
    # typical distance between baselines of consecutive lines of one size
    pitch: dict[float, list[float]] = defaultdict(list)
    for page in pages:
        for a, b in zip(page, page[1:]):
            if abs(a.size - b.size) < 0.1 * a.size and not a.is_table and not b.is_table:
                pitch[round(a.size, 1)].append(a.y - b.y)
    pitch_of = {s: min(v) if len(v) < 3 else sorted(v)[len(v) // 4] for s, v in pitch.items()}
    # the text block's edges, and whether text is justified (most body lines reach the far edge)
    body = [ln for ln in lines if abs(ln.size - body_size) < 0.1 * body_size and not ln.is_table]
    left = min(ln.x0 for ln in body) if body else 0.0
    right = max(ln.x1 for ln in body) if body else 0.0

    def full(ln: Line) -> bool:
        em = ln.size
        return (ln.x0 - left < 1.0 * em) if ln.rtl else (right - ln.x1 < 1.0 * em)

    justified = bool(body) and sum(right - ln.x1 < 0.5 * ln.size and ln.x0 - left < 0.5 * ln.size
                                   for ln in body) >= 0.4 * len(body)
    paras: list[list[Line]] = []
    prev: Line | None = None
    for ln in lines:
        # boldness is read from font names: a line of digits alone may come from another font
        new = prev is None or ln.is_table or prev.is_table or abs(ln.size - prev.size) > 0.1 * prev.size \
            or (ln.bold != prev.bold and ln.strong > 0 and prev.strong > 0)
        if not new and prev is not None:
            if ln.page != prev.page:
                ends = prev.text.rstrip()[-1:] in ".!?؟:»\"'"
                new = ends or (justified and not full(prev))
            else:
                p = pitch_of.get(round(ln.size, 1), 1.5 * ln.size)
                gap = prev.y - ln.y
                new = gap > 1.25 * p or gap < 0 or (justified and not full(prev))
        if new:
            paras.append([ln])
        else:
            paras[-1].append(ln)
        prev = ln
    texts = []
    for para in paras:
        if para[0].is_table:
            texts.append(para[0].text)
            continue
        t = ""
        for ln in para:
            if t.endswith("-") and re.search(r"[A-Za-z]-$", t) and re.match(r"[a-z]", ln.text):
                t = t[:-1] + ln.text
            else:
                t = f"{t} {ln.text}" if t else ln.text
        texts.append(re.sub(r" {2,}", " ", t))
    return texts, paras


_FOREIGN_IN_WORD = re.compile("[A-Za-z\u0080-\u02ff\ufffd\ue000-\uf8ff\u3400-\u9fff]")
_ARABIC_RE = re.compile(f"[{ARABIC_LETTER}]")


def garbled_share(texts: list[str]) -> float:
    """Share of Arabic-script words that also hold Latin/Latin-1/CJK/private-use characters.

    Real Persian text almost never mixes scripts inside a word; a PDF whose fonts map glyphs to
    wrong code points (e.g. after Ghostscript re-distilled Chromium's subset fonts) is full of
    words such as «تعاوÿیÿای».
    """
    words = [w for t in texts for w in t.split() if _ARABIC_RE.search(w)]
    if len(words) < 20:
        return 0.0
    return sum(1 for w in words if _FOREIGN_IN_WORD.search(w)) / len(words)


_JUNK_TITLE = re.compile(r"^(untitled|document\d*|microsoft word - .*|.*\.(pdf|docx?|html?|txt|odt|rtf))$", re.I)


def good_title(t: str | None, doc_is_persian: bool) -> str | None:
    """The metadata title, unless it is empty or junk: a file name, «Microsoft Word - …», «untitled»,
    or a short Latin-only string on a Persian document (a producer's default, not the headline)."""
    if not t:
        return None
    t = re.sub(r"\s+", " ", fold_presentation_forms(BIDI_CONTROLS.sub("", t))).strip()
    if not t or _JUNK_TITLE.match(t):
        return None
    if doc_is_persian and not re.search(f"[{ARABIC_LETTER}]", t) and len(t.split()) < 3:
        return None
    return t


def heading(paras: list[list[Line]], texts: list[str]) -> str | None:
    """The first paragraph set in a larger size than the body text, if it comes early."""
    if not paras:
        return None
    sizes = Counter()
    for para, t in zip(paras, texts):
        sizes[round(para[0].size, 1)] += len(t)
    body = sizes.most_common(1)[0][0]
    for para, t in list(zip(paras, texts))[:5]:
        if para[0].size > 1.15 * body and not para[0].is_table and len(t) <= 300:
            return t
    return None

