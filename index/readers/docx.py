"""Title and text of a DOCX with python-docx: body paragraphs in order, tables as tab-separated rows.

The ZIP's declared sizes are checked before anything is inflated, so a zip bomb is refused unread
(Python's zipfile never inflates a member past its declared size: a member that lies about its
size fails its CRC check instead). Headers, footers, deleted text and field codes are not body text.
"""

from __future__ import annotations

import zipfile

from index.readers.bidi import BIDI_CONTROLS, fold_presentation_forms
from index.readers.errors import ENCRYPTED_REASON, DamagedError, EncryptedError, LimitError, ReadError

MAX_MEMBER_MB = 50          # one ZIP member, inflated (document.xml of a 500-page report is ~10 MB)
MAX_TOTAL_MB = 200          # all members, inflated
MAX_MEMBERS = 5000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _check_zip(path: str, max_member_mb: int, max_total_mb: int) -> None:
    """Refuse what is not a DOCX, or would inflate too far, before python-docx inflates anything."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            blob = f.read(1 << 20) if head.startswith(_OLE_MAGIC) else b""
    except OSError as exc:
        raise ReadError(f"cannot read the file: {exc.strerror or exc}") from None
    if head.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in blob or "EncryptedPackage".encode("utf-16-le") in blob:
            raise EncryptedError(ENCRYPTED_REASON)
        raise DamagedError("not a DOCX: an old binary Word (.doc) or other OLE file; save it as .docx")
    if not head:
        raise DamagedError("damaged DOCX: the file is empty")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except zipfile.BadZipFile as exc:
        raise DamagedError(f"damaged DOCX: not a readable ZIP archive ({exc})") from None
    except (OSError, EOFError, ValueError) as exc:
        raise DamagedError(f"damaged DOCX: the ZIP archive cannot be read ({exc})") from None
    if len(infos) > MAX_MEMBERS:
        raise LimitError(f"too large: the DOCX has {len(infos)} parts (the limit is {MAX_MEMBERS})")
    names = {i.filename for i in infos}
    # the main part is usually word/document.xml; Word Online and SharePoint save word/document2.xml
    if not any(n.startswith("word/document") and n.endswith(".xml") for n in names):
        raise DamagedError("damaged DOCX: it is a ZIP file but has no Word document (word/document*.xml) inside")
    total = 0
    for info in infos:
        if info.file_size > max_member_mb << 20:
            raise LimitError(f"too large: {info.filename} inflates to {info.file_size >> 20} MB "
                             f"(the limit is {max_member_mb} MB; a zip bomb?)")
        total += info.file_size
    if total > max_total_mb << 20:
        raise LimitError(f"too large: the DOCX inflates to {total >> 20} MB (the limit is {max_total_mb} MB; "
                         "a zip bomb?)")


def _para_text(p) -> str:
    parts: list[str] = []
    stack = [iter(p)]
    while stack:
        for el in stack[-1]:
            tag = el.tag
            if not isinstance(tag, str) or tag == _MC_FALLBACK or tag in (f"{_W}instrText", f"{_W}delText",
                                                                          f"{_W}del", f"{_W}rPr", f"{_W}pPr"):
                continue
            if tag == f"{_W}t":
                parts.append(el.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif tag == f"{_W}noBreakHyphen":
                parts.append("-")
            elif tag == f"{_W}p" and parts:  # a paragraph nested in a text box
                parts.append("\n")
                stack.append(iter(el))
                break
            else:
                stack.append(iter(el))
                break
        else:
            stack.pop()
    return "".join(parts)


def _table_rows(tbl) -> list[str]:
    rows = []
    for tr in tbl.iter(f"{_W}tr"):
        if tr.getparent() is not tbl:
            continue
        cells = []
        for tc in tr.iter(f"{_W}tc"):
            if tc.getparent() is not tr:
                continue
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if vmerge is not None and vmerge.get(f"{_W}val") in (None, "continue"):
                cells.append("")  # continuation of a vertically merged cell
                continue
            paras = []
            for child in tc:
                if child.tag == f"{_W}p":
                    paras.append(_para_text(child).strip())
                elif child.tag == f"{_W}tbl":  # a table inside a cell: its cells joined by spaces
                    paras.extend(" ".join(c for c in row.split("\t") if c) for row in _table_rows(child))
            cells.append(" ".join(x for x in paras if x))
        if any(cells):
            rows.append("\t".join(cells).rstrip("\t"))
    return rows


def docx_text(path: str, max_member_mb: int = MAX_MEMBER_MB, max_total_mb: int = MAX_TOTAL_MB) -> dict:
    """``{"title", "text"}`` of the DOCX at ``path``: one paragraph per line, table rows as
    tab-separated cells; the title from the core properties, else the first heading. Raises a ReadError."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import LxmlError

    _check_zip(path, max_member_mb, max_total_mb)
    try:
        document = docx.Document(path)
    except PackageNotFoundError:
        raise DamagedError("damaged DOCX: it has no Word document part") from None
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise DamagedError(f"damaged DOCX: the ZIP archive is corrupt ({exc})") from None
    except KeyError as exc:
        raise DamagedError(f"damaged DOCX: a part it refers to is missing ({exc})") from None
    except ValueError as exc:
        raise DamagedError(f"damaged DOCX: {exc}") from None
    except LxmlError as exc:
        raise DamagedError(f"damaged DOCX: its XML cannot be read ({exc})") from None
    styles = {s.style_id: s.name or "" for s in document.styles}
    out: list[str] = []
    heading = None

    def walk(container) -> None:
        nonlocal heading
        for el in container:
            if el.tag == f"{_W}p":
                text = _para_text(el).strip()
                if not text:
                    continue
                out.append(text)
                if heading is None:
                    sid = el.find(f"{_W}pPr/{_W}pStyle")
                    name = styles.get(sid.get(f"{_W}val"), "") if sid is not None else ""
                    level = el.find(f"{_W}pPr/{_W}outlineLvl")
                    if name.lower().startswith(("heading", "title")) or level is not None:
                        heading = text
            elif el.tag == f"{_W}tbl":
                out.extend(_table_rows(el))
            elif el.tag == f"{_W}sdt":
                content = el.find(f"{_W}sdtContent")
                walk(content if content is not None else el)
            elif el.tag in (f"{_W}customXml", f"{_W}sdtContent", f"{_W}ins", f"{_W}smartTag"):
                walk(el)

    walk(document.element.body)
    title = (document.core_properties.title or "").strip() or heading
    # DOCX text is already in logical order and standard letters: only legacy presentation forms
    # and bidi controls change
    text = "\n".join(BIDI_CONTROLS.sub("", fold_presentation_forms(t)) for t in out)
    return {"title": title, "text": text}
