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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from index.load import SUPPORTED_SUFFIXES

UPLOADS = "uploads"
_STAGING = ".staging"
_COPY_BLOCK = 1 << 20
_NAME_MAX = 120
# letters and digits of any script, and a few safe marks; everything else becomes "_"
_UNSAFE = re.compile(r"[^\w\-. ()\u200c]+")


class FileTooLarge(ValueError):
    """An uploaded file is over ``max_file_bytes``."""


def safe_name(name: str) -> str:
    """A file name that is safe to store: no folders (``../``, ``\\``), no NUL or control characters, no
    leading dot, at most 120 characters, its extension kept and lower-cased."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C" or ch == "\u200c")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()
    stem = stem[: _NAME_MAX - len(suffix) - 1]
    return f"{stem}.{suffix}" if suffix else stem


@dataclass
class Incoming:
    """One uploaded file as the sender named it, and where it was staged."""

    name: str                  # as sent (shown back escaped, never used as a path)
    stored: str                # the safe name it is kept under
    staged: Path
    previous: Path | None = None


@dataclass
class Staged:
    files: list[Incoming] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (name as sent, reason)


class UploadArea:
    """``<data_dir>/uploads``: the originals of uploaded files."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / UPLOADS

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
                if suffix not in SUPPORTED_SUFFIXES:
                    out.skipped.append((name, f"unsupported file type {suffix or '(none)'!r}; "
                                              f"supported: {', '.join(SUPPORTED_SUFFIXES)}"))
                    continue
                stem, n = Path(stored).stem, 2
                while stored.lower() in taken:   # two files of one upload with the same safe name
                    stored = f"{stem}-{n}{suffix}"
                    n += 1
                taken.add(stored.lower())
                staged = batch / stored
                _copy_limited(stream, staged, max_file_bytes, name)
                out.files.append(Incoming(name, stored, staged))
        except BaseException:
            shutil.rmtree(batch, ignore_errors=True)
            raise
        return out

    def place(self, staged: Staged) -> list[Path]:
        """Move the staged files into the uploads folder (setting aside the versions they replace)."""
        placed = []
        for item in staged.files:
            final = self.root / item.stored
            if final.exists():
                item.previous = item.staged.with_name(item.stored + ".previous")
                os.replace(final, item.previous)
            os.replace(item.staged, final)
            placed.append(final)
        return placed

    def undo(self, items: Iterable[Incoming]) -> None:
        """Take these files out of the uploads folder again, putting back what they replaced."""
        for item in items:
            final = self.root / item.stored
            final.unlink(missing_ok=True)
            if item.previous is not None and item.previous.exists():
                os.replace(item.previous, final)

    def finish(self, staged: Staged) -> None:
        """Forget the staging folder of this upload (and the set-aside versions)."""
        if staged.files:
            shutil.rmtree(staged.files[0].staged.parent, ignore_errors=True)
        else:
            for empty in (self.root / _STAGING).glob("*"):
                if empty.is_dir() and not any(empty.iterdir()):
                    empty.rmdir()

    def remove(self, doc_ids: Iterable[str], source_of: Callable[[str], str | None]) -> list[str]:
        """Delete the originals of these documents when they are uploads; the names removed."""
        removed = []
        root = self.root.resolve()
        for doc_id in doc_ids:
            source = source_of(doc_id)
            if not source:
                continue
            path = Path(source).resolve()
            if path.parent == root and path.is_file():
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
    """The uploaded file a loader message (``source`` = its path, or ``path:line`` for JSONL) is about."""
    for item in items:
        final = str(area.path_of(item.stored))
        if source == final or source.startswith(final + ":"):
            return item
    return None
