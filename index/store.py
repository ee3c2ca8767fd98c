"""The three stores of one index, kept in step: the record (SQLite), Chroma and the lexical index.

The record is the truth. ``IndexStore.sync()`` makes Chroma and the lexical index mirror it,
without re-embedding: chunks missing from Chroma (or stale there) are written from the record,
extra ones are deleted, and the lexical index is rebuilt when the record has changed since it was
built. A crash between writing the record and syncing leaves nothing that the next sync does not
repair.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import threading
import os
from dataclasses import dataclass
from pathlib import Path

from index.errors import AssistantError, Failure
from index.embed_base import Embedder
from index.lexical import LexicalIndex
from index.persian.normalize import TextNormalizer
from index.record import StoreOfRecord
from index.chroma_client import VectorStoreError, make_client
from index.vectors import IndexModelMismatch, VectorIndex

log = logging.getLogger(__name__)

RECORD_FILE = "record.sqlite3"
LEXICAL_DIR = "lexical"
LOCK_FILE = "write.lock"


class IndexLocked(AssistantError, RuntimeError):
    """Another process is writing to this index."""

    failure = Failure.BUSY


@dataclass
class SyncReport:
    vectors_written: int = 0
    vectors_deleted: int = 0
    lexical_rebuilt: bool = False
    vectors_rebuilt: bool = False   # Chroma's files were damaged: rebuilt from the record (no re-embedding)
    damage: str = ""                # what was wrong with them

    @property
    def repaired(self) -> bool:
        return bool(self.vectors_written or self.vectors_deleted or self.lexical_rebuilt or self.vectors_rebuilt)


def _forget_chroma_clients() -> None:
    """chromadb keeps one system per path per process: drop them so the next client reads the files anew."""
    try:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:  # noqa: BLE001 — another chromadb version: nothing cached to clear
        pass


class WriterLock:
    """An exclusive lock on the data directory for the one process that writes it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES) and holder == str(os.getpid()):
                raise IndexLocked(f"this process (pid {holder}) is already writing to the index (an upload or a "
                                  f"delete is running; lock file {self.path}): try again when it has finished") from exc
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexLocked(
                    f"another process (pid {holder}) is writing to the index: lock file {self.path}. "
                    "Wait for it to finish, or stop it"
                ) from exc
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def check(self) -> None:
        """Raise :class:`IndexLocked` now when another process holds the lock (taken and let go at once)."""
        self.acquire()
        self.release()

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriterLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class IndexStore:
    """Opens the record, Chroma and the lexical index under one data directory."""

    def __init__(self, data_dir: Path, embedder: Embedder, normalizer: TextNormalizer,
                 chroma_url: str | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.embedder = embedder
        self.normalizer = normalizer
        self.chroma_url = chroma_url
        self.record = StoreOfRecord(self.data_dir / RECORD_FILE)
        self._vectors: VectorIndex | None = None
        self._vectors_generation: tuple | None = None
        self._lexical: LexicalIndex | None = None
        # a server's first requests arrive together: the derived stores open once, under a lock
        self._open_lock = threading.RLock()

    # ------------------------------------------------------------ model identity
    def check_model(self) -> None:
        """Raise :class:`IndexModelMismatch` when the record was built with another model."""
        built = self.record.get_meta("embedding_model")
        if built is not None and built != self.embedder.model_id:
            raise IndexModelMismatch(
                f"the index in {self.data_dir} was built with embedding model {built!r}, but the settings ask "
                f"for {self.embedder.model_id!r}: run `assistant ingest --rebuild PATH...` to rebuild it with "
                "the new model, or set ASSISTANT_EMBEDDING_BACKEND/ASSISTANT_EMBEDDING_MODEL back"
            )

    def claim_model(self) -> None:
        self.record.set_meta("embedding_model", self.embedder.model_id)
        self.record.set_meta("dimension", str(self.embedder.dimension))

    @property
    def dimension(self) -> int:
        stored = self.record.get_meta("dimension")
        return int(stored) if stored else self.embedder.dimension

    # ------------------------------------------------------------ derived stores
    @property
    def vectors(self) -> VectorIndex:
        """The Chroma collection. An embedded Chroma opened by this process does not see what another
        process (an ingest beside a running server) writes later: when the record's generation has
        moved on, the client is opened again."""
        # what Chroma holds changes when the record does and again when an ingest's sync writes vectors
        generation = (self.record.generation, self.record.get_meta("vectors_version")) if not self.chroma_url else None
        if self._vectors is None or generation != self._vectors_generation:
            with self._open_lock:
                if self._vectors is None or generation != self._vectors_generation:
                    self.check_model()
                    if self._vectors is not None:
                        _forget_chroma_clients()
                    client = make_client(self.data_dir, self.chroma_url)
                    self._vectors = VectorIndex(client, self.embedder.model_id, self.dimension)
                    self._vectors_generation = generation
        return self._vectors

    @property
    def lexical(self) -> LexicalIndex:
        lexical = self._lexical
        if lexical is None or lexical.generation != self.record.generation:
            with self._open_lock:
                if self._lexical is None or self._lexical.generation != self.record.generation:
                    self._lexical = self._load_or_build_lexical()
                lexical = self._lexical
        return lexical

    def _lexical_path(self) -> Path:
        return self.data_dir / LEXICAL_DIR

    def _load_or_build_lexical(self) -> LexicalIndex:
        path = self._lexical_path()
        state = LexicalIndex.saved_state(path)
        if state is not None and state.get("generation") == self.record.generation:
            try:
                return LexicalIndex.load(path)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("lexical index at %s could not be loaded (%s): rebuilding it from the record", path, exc)
        return self._build_lexical(save=False)

    def _build_lexical(self, save: bool) -> LexicalIndex:
        generation = self.record.generation
        ids, texts = self.record.canonical_texts()
        lexical = LexicalIndex.build(ids, texts, self.normalizer, generation)
        if save:
            lexical.save(self._lexical_path())
        return lexical

    def reset_vectors(self) -> None:
        self.vectors.reset()

    # ------------------------------------------------------------ damage
    def probe_vectors(self, timeout: float = 120.0) -> str | None:
        """Open, count and query the embedded Chroma collection in a child process (``index/probe.py``):
        damaged files can crash the process that opens them. Returns None when the collection works (or
        there is none yet), else what went wrong."""
        if self.chroma_url or not (self.data_dir / "chroma").exists():
            return None
        import subprocess
        import sys

        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
        try:
            done = subprocess.run([sys.executable, "-m", "index.probe", str(self.data_dir), self.embedder.model_id,
                                   str(self.dimension)], capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            return f"opening Chroma took longer than {timeout:.0f} s"
        if done.returncode == 0:
            return None
        if "IndexModelMismatch" in done.stderr:
            return None  # not damage: the caller raises the mismatch with its instructions
        if "no Chroma collection" in done.stderr:
            return None
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return f"Chroma could not be opened (exit code {done.returncode}): {last[:300]}"

    def _rebuild_vectors(self, damage: str, report: SyncReport) -> None:
        """Move the damaged Chroma directory aside and start an empty one; sync refills it from the record."""
        import shutil
        import time as _time

        log.warning("%s: rebuilding the Chroma collection from the store of record (no re-embedding)", damage)
        chroma = self.data_dir / "chroma"
        aside = self.data_dir / f"chroma.damaged-{int(_time.time())}"
        with self._open_lock:
            self._vectors = None
            _forget_chroma_clients()
            if chroma.exists():
                shutil.move(str(chroma), str(aside))
                shutil.rmtree(aside, ignore_errors=True)
        report.vectors_rebuilt = True
        report.damage = damage

    def sync(self, *, full_check: bool = True, probe: bool = True) -> SyncReport:
        """Make Chroma and the lexical index mirror the record (writer only).

        With ``probe``, Chroma is first opened in a child process; if that fails, its directory is
        rebuilt from the record. Any error reading it here leads to the same rebuild."""
        report = SyncReport()
        want = self.record.chunk_hashes()
        if probe:
            damage = self.probe_vectors()
            if damage:
                self._rebuild_vectors(damage, report)
        try:
            have = self.vectors.hashes() if full_check or want else {}
        except IndexModelMismatch:
            raise
        except VectorStoreError:
            if self.chroma_url:
                raise  # a server that is down is not damage: its error says what to do
            self._rebuild_vectors("Chroma failed to open", report)
            have = self.vectors.hashes()
        except Exception as exc:  # noqa: BLE001 — a damaged directory raises many kinds of errors
            self._rebuild_vectors(f"Chroma failed: {type(exc).__name__}: {exc}", report)
            have = self.vectors.hashes()
        stale = [cid for cid, h in want.items() if have.get(cid) != h]
        extra = [cid for cid in have if cid not in want]
        if extra:
            self.vectors.delete(extra)
            report.vectors_deleted = len(extra)
        if stale:
            report.vectors_written = self.vectors.upsert(self.record.iter_chunks(sorted(stale)))
        if report.vectors_written or report.vectors_deleted or report.vectors_rebuilt:
            # readers (a running server) reopen their embedded Chroma client when this changes
            self.record.set_meta("vectors_version", str(int(self.record.get_meta("vectors_version") or 0) + 1))
        state = LexicalIndex.saved_state(self._lexical_path())
        if state is None or state.get("generation") != self.record.generation or state.get("count") != len(want):
            self._lexical = self._build_lexical(save=True)
            report.lexical_rebuilt = True
        return report

    def check(self) -> dict:
        """Whether the three stores agree (counts and ids), without changing anything."""
        docs, chunks = self.record.counts()
        want = self.record.chunk_hashes()
        result = {"documents": docs, "chunks": chunks}
        damage = self.probe_vectors()
        try:
            if damage:
                raise RuntimeError(damage)
            have = self.vectors.hashes()
            result["chroma_chunks"] = len(have)
            result["chroma_in_step"] = have == want
        except IndexModelMismatch:
            raise
        except Exception as exc:  # a damaged Chroma directory raises many kinds of errors
            result["chroma_chunks"] = None
            result["chroma_in_step"] = False
            result["chroma_error"] = f"{type(exc).__name__}: {exc}"
        state = LexicalIndex.saved_state(self._lexical_path()) or {}
        result["lexical_chunks"] = state.get("count")
        result["lexical_in_step"] = state.get("generation") == self.record.generation and state.get("count") == chunks
        result["in_step"] = bool(result["chroma_in_step"] and result["lexical_in_step"])
        return result

    def size_on_disk(self) -> int:
        total = 0
        for root, _dirs, files in os.walk(self.data_dir):
            for name in files:
                try:
                    total += os.path.getsize(os.path.join(root, name))
                except OSError:
                    pass
        return total

    def close(self) -> None:
        self.record.close()
        close = getattr(self.embedder, "close", None)  # an embedder's HTTP connections, if it has any
        if close is not None:
            close()
