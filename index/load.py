"""Load articles from files and folders into :class:`Document` objects.

Reads ``.txt``, ``.md``, ``.html``/``.htm``, ``.jsonl`` (one article per line), ``.pdf`` and
``.docx`` (through :mod:`index.readers`, in a child process bounded in memory and time). Bytes are
decoded strictly: UTF-8 (with or without BOM) and UTF-16 with BOM first, then Windows-1256 when
the result reads as Persian, then a detector. Nothing is decoded with ``errors="ignore"``. A file
that is empty, binary, too large or undecodable is reported in :attr:`LoadResult.skipped` with the
reason, and the rest of the folder is still loaded; so is a PDF or DOCX that is scanned,
encrypted, damaged or a decompression bomb.

:func:`load_file` loads one file (a path and the folder its ``doc_id`` is relative to) and never
raises for a bad file: what it could not load is in ``skipped`` with the reason.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from index.errors import AssistantError, Failure
from index.persian.fold import fold_chars
from index.persian.normalize import clean_invisible
from index.readers import ReadError, ReadLimits, read_docx, read_pdf

WEB_PREFIX = "web/"   # the ids of articles fetched from the web (index/sources): no file holds them
SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".jsonl", ".pdf", ".docx")
_READERS = {".pdf": read_pdf, ".docx": read_docx}
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    """One article: its stable id, title, where it came from, and its display text."""

    doc_id: str
    title: str
    source: str
    text: str
    date: str | None = None
    url: str | None = None       # the article's page, for one that came from the web (index/sources)
    outlet: str | None = None    # the site or agency that published it
    author: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A file (or a JSONL line) that was not loaded, and why."""

    source: str
    reason: str
    doc_id: str | None = None  # the document this file would have been, when known


@dataclass
class LoadResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class DecodeError(AssistantError, ValueError):
    """The bytes are not text in any encoding we accept."""

    failure = Failure.INVALID


# --------------------------------------------------------------------------- decoding

_BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"\x1f\x8b")


def _looks_persian_or_plain(text: str) -> bool:
    """True when nearly every character is Arabic-script, ASCII or common punctuation."""
    if not text:
        return False
    good = sum(
        1
        for ch in text
        if ch.isascii() or "\u0600" <= ch <= "\u06ff" or ch in "\u200c\u00ab\u00bb\u2013\u2014\u2026\u00a0"
    )
    return good / len(text) >= 0.97


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns ``(text, encoding)`` or raises :class:`DecodeError`."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a UTF-8 BOM but is not valid UTF-8 ({exc.reason} at byte {exc.start})") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a UTF-16 BOM but is not valid UTF-16 ({exc.reason})") from exc
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        raise DecodeError("binary file (not text)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1256")
    except UnicodeDecodeError:
        text = ""
    if _looks_persian_or_plain(text):
        return text, "windows-1256"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_persian_or_plain(text):
            return text, best.encoding
    raise DecodeError("not valid UTF-8, UTF-16 or Windows-1256 text, and no encoding could be detected")


# --------------------------------------------------------------------------- cleaning


def _boilerplate_lines() -> frozenset[str]:
    return frozenset(fold_chars(line).replace("\u200c", " ") for line in _data_lines("boilerplate.txt"))


def _data_lines(name: str) -> list[str]:
    text = resources.files("index").joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


_BOILERPLATE = _boilerplate_lines()
# "ایسنا/کردستان" opening a paragraph: the agency and place, not part of the story.
_LEADING_BYLINE = re.compile(
    r"^(?:" + "|".join(re.escape(a) for a in _data_lines("agencies.txt")) + r")\s*/\s*[\u0600-\u06ff]+\s*[-–:]?\s+"
)
# An agency byline alone on a line, e.g. "ایسنا/کردستان" or "ایرنا - تهران".
_BYLINE = re.compile(r"^[\u0600-\u06ff ]{2,20}\s*[/\-–]\s*[\u0600-\u06ff ]{2,25}$")
_BLANKS = re.compile(r"\n{3,}")
_INLINE_SPACE = re.compile(r"[ \t\u00a0]+")


def clean_text(text: str) -> str:
    """Drop invisible characters, boilerplate lines, agency bylines and repeated paragraphs; tidy
    spaces. The result is the display text."""
    lines: list[str] = []
    seen: set[str] = set()
    for line in clean_invisible(text).split("\n"):
        line = _LEADING_BYLINE.sub("", _INLINE_SPACE.sub(" ", line).strip())
        if fold_chars(line).replace("\u200c", " ") in _BOILERPLATE or (_BYLINE.match(line) and len(line.split()) <= 4):
            continue
        if len(line) > 40 and line in seen:  # a lead repeated under the byline
            continue
        seen.add(line)
        lines.append(line)
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def make_title(text: str, max_words: int = 12) -> str:
    """The first line when it reads as a headline, else the first words of the text."""
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    words = first.split()
    if first and len(words) <= 20 and len(first) <= 160 and first[-1] not in ".!?؟:؛":
        return first
    words = text.split()
    return " ".join(words[:max_words]) + ("…" if len(words) > max_words else "")


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def markdown_to_text(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    return _MD_EMPHASIS.sub("", text)


_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
              "svg", "template", "button", "select", "menu")
_BLOCK_TAG = re.compile(r"<(/?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|blockquote|pre|hr|dd|dt)\b)", re.I)


def html_to_text(html: str) -> tuple[str, str | None]:
    """Visible article text of an HTML page (scripts, styles and navigation dropped) and its <title>."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(_BLOCK_TAG.sub(r"\n<\1", html))
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else None
    heading = tree.css_first("h1")
    if heading is not None and heading.text(strip=True):
        title = heading.text(strip=True)
    for tag in _DROP_TAGS:
        for node in tree.css(tag):
            node.decompose()
    root = tree.css_first("main") or tree.css_first("article") or tree.body or tree.root
    text = root.text(separator="") if root is not None else ""
    return text, title or None


# --------------------------------------------------------------------------- files


def _iter_files(path: Path, base: Path | None = None) -> Iterator[tuple[Path, Path]]:
    """(file, base folder) pairs for every supported file under ``path``, in a stable order. Document ids
    are file paths relative to ``base`` (default: ``path`` itself for a folder, its folder for a file)."""
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in file.relative_to(path).parts):
                continue
            yield file, base or path
    else:
        yield path, base or path.parent


def _doc_id(file: Path, base: Path) -> str:
    return file.relative_to(base).with_suffix("").as_posix()


def _document(doc_id: str, text: str, source: str, title: str | None = None, date: str | None = None) -> Document:
    text = clean_text(text)
    title = clean_text(title).replace("\n", " ") if title else ""
    return Document(doc_id=doc_id, title=title or make_title(text), source=source, text=text, date=date)


def load_file(file: Path, base: Path, max_bytes: int = DEFAULT_MAX_FILE_BYTES,
              limits: ReadLimits = ReadLimits()) -> LoadResult:
    """Load one file; problems go to ``skipped`` rather than raising. ``base``: the folder the
    ``doc_id`` is relative to (``base/a/b.pdf`` → ``a/b``); ``limits`` bound reading a PDF or DOCX."""
    result = LoadResult()
    source = str(file)
    suffix = file.suffix.lower()
    doc_id = _doc_id(file, base)
    if suffix not in SUPPORTED_SUFFIXES:
        result.skipped.append(Skipped(source, f"unsupported file type {suffix or '(none)'!r}; "
                                              f"supported: {', '.join(SUPPORTED_SUFFIXES)}", doc_id))
        return result
    try:
        size = file.stat().st_size
        if size > max_bytes:
            result.skipped.append(Skipped(source, f"too large ({size:,} bytes > limit {max_bytes:,}; "
                                                  "raise ASSISTANT_MAX_FILE_BYTES to accept it)", doc_id))
            return result
        if size == 0:
            result.skipped.append(Skipped(source, "empty file", doc_id))
            return result
        if suffix in _READERS:
            return _load_with_reader(file, source, doc_id, limits)
        data = file.read_bytes()
    except OSError as exc:
        result.skipped.append(Skipped(source, f"cannot read: {exc.strerror or exc}", doc_id))
        return result
    if not data.strip():
        result.skipped.append(Skipped(source, "empty file", doc_id))
        return result
    try:
        text, _encoding = decode_bytes(data)
    except DecodeError as exc:
        result.skipped.append(Skipped(source, str(exc), doc_id))
        return result

    if suffix == ".jsonl":
        return _load_jsonl(text, file, base)
    title = None
    if suffix in (".html", ".htm"):
        text, title = html_to_text(text)
    elif suffix == ".md":
        text = markdown_to_text(text)
    doc = _document(_doc_id(file, base), text, source, title)
    if not doc.text:
        result.skipped.append(Skipped(source, "no text left after removing markup and boilerplate", doc_id))
    else:
        result.documents.append(doc)
    return result


def _load_with_reader(file: Path, source: str, doc_id: str, limits: ReadLimits) -> LoadResult:
    """A PDF or DOCX: its reader's text and title, or the reader's reason for skipping it."""
    result = LoadResult()
    try:
        got = _READERS[file.suffix.lower()](file, limits)
    except ReadError as exc:
        result.skipped.append(Skipped(source, exc.reason, doc_id))
        return result
    # table rows come as cells separated by a tab; keep the boundaries visible once spaces are tidied
    doc = _document(doc_id, got.text.replace("\t", " | "), source, got.title)
    if doc.text:
        result.documents.append(doc)
    else:
        result.skipped.append(Skipped(source, "no text left after removing boilerplate", doc_id))
    return result


def _load_jsonl(text: str, file: Path, base: Path) -> LoadResult:
    result = LoadResult()
    prefix = _doc_id(file, base)
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result.skipped.append(Skipped(where, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(record, dict):
            result.skipped.append(Skipped(where, "a line must be a JSON object with a \"text\" field"))
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            result.skipped.append(Skipped(where, "missing or empty \"text\" field"))
            continue
        doc_id = record.get("id")
        doc_id = str(doc_id).strip() if doc_id not in (None, "") else f"{prefix}#{number}"
        title = record.get("title") if isinstance(record.get("title"), str) else None
        url = record.get("url") if isinstance(record.get("url"), str) else None
        date = record.get("date")
        doc = _document(doc_id, body, url or where, title, str(date) if date is not None else None)
        if doc.text:
            result.documents.append(doc)
        else:
            result.skipped.append(Skipped(where, "no text left after removing boilerplate"))
    return result


def load_paths(paths: Iterable[str | Path | tuple[Path, Path]], max_bytes: int = DEFAULT_MAX_FILE_BYTES,
               limits: ReadLimits = ReadLimits()) -> LoadResult:
    """Load every supported file under ``paths``. Unsupported files inside folders are ignored
    silently (a folder may hold images or notes); a named file that cannot be loaded is reported.
    A ``(path, base)`` pair names documents relative to ``base`` (uploads: ``uploads/<name>``)."""
    result = LoadResult()
    seen: dict[str, str] = {}
    for raw in paths:
        path, base = (Path(raw[0]), Path(raw[1])) if isinstance(raw, tuple) else (Path(raw), None)
        if not path.exists():
            result.skipped.append(Skipped(str(path), "no such file or folder"))
            continue
        for file, base in _iter_files(path, base):
            if path.is_dir() and file.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            loaded = load_file(file, base, max_bytes, limits)
            result.skipped.extend(loaded.skipped)
            for doc in loaded.documents:
                if doc.doc_id in seen:
                    result.skipped.append(Skipped(doc.source, f"duplicate doc_id {doc.doc_id!r} "
                                                              f"(already loaded from {seen[doc.doc_id]})"))
                    continue
                seen[doc.doc_id] = doc.source
                result.documents.append(doc)
    return result
