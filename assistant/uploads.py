"""Files added through the admin page or API: kept under ``<data_dir>/uploads/`` so that a rebuild
re-reads them and ``--prune`` keeps them, and indexed exactly like files given to ``assistant ingest``.

An upload either lands whole or leaves the archive as it was: each file is written to a hidden
staging folder, moved into place (the version it replaces set aside), then ingested; a file the loader
skips, or an ingest that fails, puts the earlier version back.
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from index.errors import AssistantError, Failure
from index.load import SUPPORTED_SUFFIXES

UPLOADS = "uploads"
_STAGING = ".staging"
_COPY_BLOCK = 1 << 20
_NAME_MAX_BYTES = 180        # Linux allows 255 bytes; room is left for "-N" and ".previous"
# letters and digits of any script, and a few safe marks; everything else becomes "_"
_UNSAFE = re.compile(r"[^\w\-. ()\u200c]+")


class FileTooLarge(AssistantError, ValueError):
    """An uploaded file is over ``max_file_bytes``."""

    failure = Failure.TOO_LARGE


def safe_name(name: str) -> str:
    """A file name that is safe to store: no folders (``../``, ``\\``), no NUL or control characters, no
    leading dot, at most 180 bytes in UTF-8, its extension kept and lower-cased."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" or ch == "\u200c")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = _UNSAFE.sub("", suffix).strip().lower()[:10]
    room = _NAME_MAX_BYTES - len(suffix.encode("utf-8")) - 1
    stem = _UNSAFE.sub("_", stem).strip(" ._\u200c")
    stem = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore").strip(" ._\u200c") or "upload"
    return f"{stem}.{suffix}" if suffix else stem


@dataclass
class Incoming:
    """One uploaded file as the sender named it, and where it was staged."""

    name: str                  # as sent (shown back escaped, never used as a path)
    stored: str                # the safe name it is kept under
    staged: Path
    placed: bool = False
    previous: list[tuple[Path, Path]] = field(default_factory=list)   # (set aside, where it was)


@dataclass
class Staged:
    files: list[Incoming] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (name as sent, reason)


UPLOAD_SUFFIXES = tuple(s for s in SUPPORTED_SUFFIXES if s != ".jsonl")   # one file, one document


class UploadArea:
    """``<data_dir>/uploads``: the originals of uploaded files. An upload's document id is
    ``uploads/<file name without its extension>``, apart from the articles folder's ids."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.root = self.data_dir / UPLOADS

    def source(self) -> tuple[Path, Path]:
        """The uploads folder as an ingest path, with the base that gives the ``uploads/…`` ids."""
        return self.root, self.data_dir

    @staticmethod
    def doc_id(stored: str) -> str:
        return f"{UPLOADS}/{Path(stored).stem}"

    def files_of(self, doc_id: str) -> list[Path]:
        """The stored originals of the document ``doc_id`` (none when it is not an upload)."""
        prefix = f"{UPLOADS}/"
        if not doc_id.startswith(prefix) or not self.root.is_dir():
            return []
        stem = doc_id[len(prefix):]
        return [p for p in self.root.iterdir() if p.is_file() and p.stem == stem and not p.name.startswith(".")]

    def exists(self) -> bool:
        return self.root.is_dir() and any(self.root.iterdir())

    def path_of(self, stored: str) -> Path:
        return self.root / stored

    def stage(self, files: Iterable[tuple[str, BinaryIO]], max_file_bytes: int) -> Staged:
        """Copy each (name, stream) into the staging folder, in blocks. Unsupported types are skipped;
        a file over ``max_file_bytes`` raises :class:`FileTooLarge` (nothing is kept)."""
        out = Staged()
        batch = self.root / _STAGING / uuid.uuid4().hex
        batch.mkdir(parents=True)
        taken: set[str] = set()
        try:
            for name, stream in files:
                stored = safe_name(name)
                suffix = Path(stored).suffix.lower()
                if suffix not in UPLOAD_SUFFIXES:
                    hint = (" (a JSONL collection holds many articles: ingest it from the shell with "
                            "`assistant ingest FILE`)") if suffix == ".jsonl" else ""
                    out.skipped.append((name, f"unsupported file type {suffix or '(none)'!r}; "
                                              f"supported: {', '.join(UPLOAD_SUFFIXES)}{hint}"))
                    continue
                stem, n = Path(stored).stem, 2
                while stem.lower() in taken:   # two files of one upload that would be one document
                    stem = f"{Path(stored).stem}-{n}"
                    n += 1
                stored = stem + suffix
                taken.add(stem.lower())
                staged = batch / stored
                try:
                    _copy_limited(stream, staged, max_file_bytes, name)
                except OSError as exc:
                    staged.unlink(missing_ok=True)
                    out.skipped.append((name, f"cannot store the file: {exc.strerror or exc}"))
                    continue
                out.files.append(Incoming(name, stored, staged))
        except BaseException:
            shutil.rmtree(batch, ignore_errors=True)
            raise
        return out

    def place(self, staged: Staged) -> list[Path]:
        """Move the staged files into the uploads folder, setting aside the files they replace (the same
        name, or the same document under another extension: ``report.pdf`` replaces ``report.docx``)."""
        placed = []
        for item in staged.files:
            final = self.root / item.stored
            for n, old in enumerate(self.files_of(self.doc_id(item.stored))):
                aside = item.staged.with_name(f"{item.stored}.previous{n}")
                os.replace(old, aside)
                item.previous.append((aside, old))
            os.replace(item.staged, final)
            item.placed = True
            placed.append(final)
        return placed

    def undo(self, items: Iterable[Incoming]) -> None:
        """Take these files out of the uploads folder again, putting back what they replaced."""
        for item in items:
            if item.placed:
                (self.root / item.stored).unlink(missing_ok=True)
                item.placed = False
            for aside, where in item.previous:
                if aside.exists():
                    os.replace(aside, where)
            item.previous = []

    def finish(self, staged: Staged) -> None:
        """Forget the staging folder of this upload (and the set-aside versions)."""
        if staged.files:
            shutil.rmtree(staged.files[0].staged.parent, ignore_errors=True)
        staging = self.root / _STAGING
        for empty in (*staging.glob("*"), staging):
            if empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Delete the originals of these documents when they are uploads; the names removed."""
        removed = []
        for doc_id in doc_ids:
            for path in self.files_of(doc_id):
                path.unlink()
                removed.append(path.name)
        return removed


def _copy_limited(stream: BinaryIO, target: Path, limit: int, name: str) -> None:
    size = 0
    with open(target, "wb") as out:
        while block := stream.read(_COPY_BLOCK):
            size += len(block)
            if size > limit:
                raise FileTooLarge(f"file {name!r} is larger than the limit of {limit:,} bytes "
                                   "(raise ASSISTANT_MAX_FILE_BYTES to accept it)")
            out.write(block)


@dataclass(frozen=True)
class UploadedDocument:
    doc_id: str
    title: str
    source: str
    chunks: int
    status: str          # "added" | "updated" | "unchanged"


@dataclass
class UploadResult:
    documents: list[UploadedDocument] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (name as sent, reason)


def owner_of(source: str, items: list[Incoming], area: UploadArea) -> Incoming | None:
    """The uploaded file a loader message (``source`` = its path) is about."""
    for item in items:
        if Path(source).resolve() == area.path_of(item.stored):
            return item
    return None
