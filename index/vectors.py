"""The dense index: one Chroma collection of chunk embeddings, derived from the store of record.

The client comes from ``index/chroma_client.py`` (embedded or a server). The collection records which
embedding model and dimension built it, and opening it with another model is an error that says how
to rebuild. A server that goes away mid-request raises :class:`VectorStoreError` naming it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from index.errors import AssistantError, Failure
from index.chroma_client import VectorStoreError, describe_client, is_transport_error
from index.rows import ChunkVector

log = logging.getLogger(__name__)

COLLECTION = "passages"

T = TypeVar("T")


class IndexModelMismatch(AssistantError, RuntimeError):
    """The index was built with a different embedding model than the settings ask for."""

    failure = Failure.UNAVAILABLE


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    similarity: float


class VectorIndex:
    """One Chroma collection of chunk embeddings, keyed by chunk id."""

    def __init__(self, client, model_id: str, dimension: int, *, name: str = COLLECTION, create: bool = True) -> None:
        self.client = client
        self.model_id = model_id
        self.dimension = dimension
        self.name = name
        self.where = describe_client(client)
        self._collection = None
        self._create = create
        self._lock = threading.RLock()

    @property
    def collection(self):
        if self._collection is None:
            with self._lock:  # concurrent first requests open it once
                if self._collection is None:
                    self._collection = self._guarded("open the collection", lambda: self._open(self._create))
        return self._collection

    def _guarded(self, what: str, call: Callable[[], T]) -> T:
        """``call()``, with a lost or hung server turned into a :class:`VectorStoreError` naming it."""
        try:
            return call()
        except Exception as exc:
            if is_transport_error(exc):
                raise VectorStoreError(
                    f"lost {self.where} while trying to {what} ({type(exc).__name__}: {exc}): is it still running? "
                    "Start it with `chroma run --path DIR --port PORT` or unset ASSISTANT_CHROMA_URL") from exc
            raise

    def _open(self, create: bool):
        from chromadb.errors import ChromaError, NotFoundError

        try:
            collection = self.client.get_collection(self.name)
        except NotFoundError:
            if not create:
                raise VectorStoreError(
                    f"no Chroma collection {self.name!r} in {self.where}: it was never built, or it was dropped "
                    "(by `assistant ingest --rebuild` of another assistant sharing the server?): run "
                    "`assistant ingest PATH...`") from None
            try:
                collection = self.client.create_collection(
                    self.name,
                    metadata={"embedding_model": self.model_id, "dimension": self.dimension},
                    configuration={"hnsw": {"space": "cosine"}},
                )
            except ChromaError:  # another process sharing the server created it first: use (and check) theirs
                collection = self.client.get_collection(self.name)
        meta = collection.metadata or {}
        built_with, built_dim = meta.get("embedding_model"), meta.get("dimension")
        if built_with != self.model_id or int(built_dim or 0) != self.dimension:
            raise IndexModelMismatch(
                f"the index in {self.where} was built with embedding model {built_with!r} (dimension {built_dim}), "
                f"but the settings ask for {self.model_id!r} (dimension {self.dimension}): run "
                "`assistant ingest --rebuild PATH...` to rebuild it with the new model, or set "
                "ASSISTANT_EMBEDDING_BACKEND/ASSISTANT_EMBEDDING_MODEL back to the old one"
            )
        return collection

    def _call(self, what: str, op: Callable[..., T]) -> T:
        """``op(collection)``; if the collection was dropped under us (a shared server, where another
        assistant ran ``ingest --rebuild``, or a server started afresh), open it again once, as a first
        open would (checking its model), and retry."""
        from chromadb.errors import NotFoundError

        collection = self.collection
        try:
            return self._guarded(what, lambda: op(collection))
        except NotFoundError:
            log.info("Chroma collection %r was dropped in %s: opening it again", self.name, self.where)
        with self._lock:
            if self._collection is collection:
                self._collection = None
                self._collection = self._guarded("open the collection", lambda: self._open(self._create))
            collection = self._collection
        try:
            return self._guarded(what, lambda: op(collection))
        except NotFoundError as exc:
            raise VectorStoreError(f"the Chroma collection {self.name!r} in {self.where} keeps disappearing "
                                   f"while trying to {what}: is another assistant rebuilding it?") from exc

    def reset(self) -> None:
        """Drop the collection; the next use creates it empty."""
        with self._lock:
            try:
                self._guarded("drop the collection", lambda: self.client.delete_collection(self.name))
            except VectorStoreError:
                raise
            except Exception:  # not there (or too damaged to drop cleanly): nothing more to do
                pass
            self._collection = None

    def count(self) -> int:
        return int(self._call("count the vectors", lambda c: c.count()))

    def hashes(self) -> dict[str, str]:
        """chunk_id → embed_hash of everything in the collection."""
        out: dict[str, str] = {}
        total = self.count()
        for offset in range(0, total, 5000):
            got = self._call("read the vectors",
                             lambda c, offset=offset: c.get(include=["metadatas"], limit=5000, offset=offset))
            for cid, meta in zip(got["ids"], got["metadatas"] or []):
                out[cid] = (meta or {}).get("embed_hash", "")
        return out

    def upsert(self, rows: Iterable[ChunkVector], batch: int = 1000) -> int:
        """Write chunks (from ``StoreOfRecord.iter_chunks``), ``batch`` per request. Returns how many."""
        n = 0
        pending: list[ChunkVector] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                n += self._upsert(pending)
                pending = []
        if pending:
            n += self._upsert(pending)
        return n

    def _upsert(self, rows: list[ChunkVector]) -> int:
        ids = [r.chunk_id for r in rows]
        embeddings = np.vstack([r.embedding for r in rows])
        documents = [r.text for r in rows]
        metadatas = [r.metadata() for r in rows]
        self._call("write vectors", lambda c: c.upsert(ids=ids, embeddings=embeddings, documents=documents,
                                                       metadatas=metadatas))
        return len(rows)

    def delete(self, chunk_ids: list[str], batch: int = 5000) -> None:
        for i in range(0, len(chunk_ids), batch):
            part = chunk_ids[i:i + batch]
            self._call("delete vectors", lambda c, part=part: c.delete(ids=part))

    def query(self, vector: np.ndarray, k: int) -> list[DenseHit]:
        # chromadb 1.5 returns what it has when asked for more (and nothing from an empty collection)
        query = [np.asarray(vector, dtype=np.float32)]
        got = self._call("search", lambda c: c.query(query_embeddings=query, n_results=k, include=["distances"]))
        return [DenseHit(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]
