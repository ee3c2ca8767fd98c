"""Title and text of a PDF with pypdfium2 (PDFium), laid out for Persian.

:func:`pdf_text` runs in the reader's child process (:mod:`index.readers.isolate`): PDFium is C++,
has no decompression limits of its own and cannot be interrupted from Python, so only a process
with an address-space limit bounds what a decompression bomb can take.
"""

from __future__ import annotations

import re
import time

from index.readers.bidi import ARABIC_LETTER
from index.readers.errors import (ENCRYPTED_REASON, SCANNED_REASON, DamagedError, EncryptedError, LimitError,
                                  ReadError, ScannedError)
from index.readers.pdf_glyphs import lines_from_glyphs, page_glyphs, vertical_rules
from index.readers.pdf_layout import assemble, drop_running_lines, garbled_share, good_title, heading

MIN_CHARS_PER_PAGE = 20          # fewer, on pages that hold images: a scan
MAX_TEXT_CHARS = 20_000_000


def _check_header(path: str) -> bytes:
    """The file's last 2 kB, after checking that it is a non-empty file starting like a PDF."""
    try:
        with open(path, "rb") as f:
            head = f.read(1024)
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 2048))
            tail = f.read()
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc.strerror or exc}") from None
    if size == 0:
        raise DamagedError("damaged PDF: the file is empty")
    if b"%PDF-" not in head:
        raise DamagedError("damaged PDF: not a PDF file (no %PDF header)")
    return tail


def _open(path: str, tail: bytes):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise EncryptedError(ENCRYPTED_REASON) from None
        if code == raw.FPDF_ERR_SECURITY:
            raise EncryptedError(f"{ENCRYPTED_REASON} (with a security handler PDFium does not support)") from None
        detail = {raw.FPDF_ERR_FORMAT: "its structure is broken (PDFium: data format error)",
                  raw.FPDF_ERR_FILE: "it could not be opened (PDFium: file error)"}.get(
            code, "PDFium could not load its document structure (page tree or cross-reference table)")
        hint = "; the file has no end-of-file marker, so it is probably truncated" if b"%%EOF" not in tail else ""
        raise DamagedError(f"damaged PDF: {detail}{hint}") from None


def pdf_text(path: str, max_pages: int, deadline: float) -> dict:
    """``{"title", "text", "pages"}`` of the PDF at ``path``: one paragraph per line, table rows as
    tab-separated cells, running headers/footers and page numbers dropped. Raises a ReadError."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = _open(path, _check_header(path))
    n_pages = len(doc)
    if n_pages == 0:
        raise DamagedError("damaged PDF: it has no pages")
    if n_pages > max_pages:
        raise LimitError(f"too many pages: {n_pages} (the limit is {max_pages})")
    meta = doc.get_metadata_dict()
    pages, heights = [], []
    bad = total = images = failed = 0
    for i in range(n_pages):
        if time.monotonic() > deadline:
            raise LimitError(f"timed out: reading page {i + 1} of {n_pages} took past the time limit")
        try:
            page = doc[i]
            textpage = page.get_textpage()
        except pdfium.PdfiumError:
            failed += 1
            pages.append([])
            heights.append(842.0)
            continue
        glyphs, spaces, n_bad, n_chars = page_glyphs(textpage.raw, raw)
        bad, total = bad + n_bad, total + n_chars
        if n_chars == 0 and _has_image(page.raw, raw):
            images += 1
        heights.append(page.get_height())
        pages.append(lines_from_glyphs(glyphs, i, vertical_rules(page.raw, raw), spaces))
        textpage.close()
        page.close()
    if failed == n_pages:
        raise DamagedError("damaged PDF: none of its pages could be read")
    if total < MIN_CHARS_PER_PAGE * n_pages:
        if images:
            raise ScannedError(SCANNED_REASON)
        if total == 0:
            raise ScannedError("no text layer: the pages have no text (it may be drawn as vector outlines); "
                               "OCR is not supported")
    if total and bad / total > 0.3:
        raise DamagedError("the text layer cannot be decoded: its fonts have no Unicode mapping (ToUnicode)")
    texts, paras = assemble(drop_running_lines(pages, heights, meta.get("Title")))
    if garbled_share(texts) > 0.1:
        raise DamagedError("the text layer cannot be decoded: its fonts map glyphs to wrong characters "
                           "(a broken ToUnicode table), and OCR is not supported")
    letters = sum(len(re.findall(f"[{ARABIC_LETTER}]", t)) for t in texts)
    persian = letters > 0.3 * sum(len(t) for t in texts)
    title = good_title(meta.get("Title"), persian) or heading(paras, texts)
    text = "\n".join(texts)
    if len(text) > MAX_TEXT_CHARS:
        raise LimitError(f"too much text: more than {MAX_TEXT_CHARS:,} characters")
    return {"title": title, "text": text, "pages": n_pages}


def _has_image(page, raw) -> bool:
    for k in range(raw.FPDFPage_CountObjects(page)):
        obj = raw.FPDFPage_GetObject(page, k)
        if obj and raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_IMAGE:
            return True
    return False
