"""The dense index in Chroma, derived from the store of record.

Embedded ``PersistentClient`` under the data directory by default; ``HttpClient`` to a
``chroma run`` server when a URL is configured. The collection records which embedding model and
dimension built it, and opening it with another model is an error that says how to rebuild.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

log = logging.getLogger(__name__)

COLLECTION = "passages"


class IndexModelMismatch(RuntimeError):
    """The index was built with a different embedding model than the settings ask for."""


class VectorStoreError(RuntimeError):
    """Chroma cannot be opened or reached."""


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    similarity: float


def make_client(data_dir: Path, chroma_url: str | None = None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise VectorStoreError(f"ASSISTANT_CHROMA_URL {chroma_url!r} is not an http(s) URL like http://host:8000")
        try:
            return chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                       ssl=url.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # chromadb raises several kinds when the server is down
            raise VectorStoreError(f"cannot reach the Chroma server at {chroma_url}: {exc}. Start it with "
                                   "`chroma run --path DIR --port PORT` or unset ASSISTANT_CHROMA_URL") from exc
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorIndex:
    """One Chroma collection of chunk embeddings, keyed by chunk id."""

    def __init__(self, client, model_id: str, dimension: int, *, name: str = COLLECTION, create: bool = True) -> None:
        self.client = client
        self.model_id = model_id
        self.dimension = dimension
        self.name = name
        self._collection = None
        self._create = create
        self._lock = threading.Lock()

    @property
    def collection(self):
        if self._collection is None:
            with self._lock:  # concurrent first requests open it once
                if self._collection is None:
                    self._collection = self._open()
        return self._collection

    def _open(self):
        existing = {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}
        if self.name in existing:
            collection = self.client.get_collection(self.name)
            meta = collection.metadata or {}
            built_with, built_dim = meta.get("embedding_model"), meta.get("dimension")
            if built_with != self.model_id or int(built_dim or 0) != self.dimension:
                raise IndexModelMismatch(
                    f"the index was built with embedding model {built_with!r} (dimension {built_dim}), "
                    f"but the settings ask for {self.model_id!r} (dimension {self.dimension}): run "
                    "`assistant ingest --rebuild PATH...` to rebuild it with the new model, or set "
                    "ASSISTANT_EMBEDDING_BACKEND/ASSISTANT_EMBEDDING_MODEL back to the old one"
                )
            return collection
        if not self._create:
            raise VectorStoreError(f"no Chroma collection {self.name!r}: run `assistant ingest PATH...` first")
        return self.client.create_collection(
            self.name,
            metadata={"embedding_model": self.model_id, "dimension": self.dimension},
            configuration={"hnsw": {"space": "cosine"}},
        )

    def langchain_store(self, embeddings):
        """The same collection as a LangChain ``Chroma`` vector store."""
        from langchain_chroma import Chroma

        self.collection  # noqa: B018 (checks the model before LangChain touches it)
        return Chroma(client=self.client, collection_name=self.name, embedding_function=embeddings)

    def reset(self) -> None:
        """Drop the collection; the next use creates it empty."""
        try:
            self.client.delete_collection(self.name)
        except Exception:  # not there: nothing to drop
            pass
        self._collection = None

    def count(self) -> int:
        return int(self.collection.count())

    def hashes(self) -> dict[str, str]:
        """chunk_id → embed_hash of everything in the collection."""
        out: dict[str, str] = {}
        total = self.count()
        for offset in range(0, total, 5000):
            got = self.collection.get(include=["metadatas"], limit=5000, offset=offset)
            for cid, meta in zip(got["ids"], got["metadatas"] or []):
                out[cid] = (meta or {}).get("embed_hash", "")
        return out

    def upsert(self, rows: Iterable[tuple], batch: int = 1000) -> int:
        """Write rows from ``Record.iter_chunks``: (chunk_id, doc_id, position, start, end, title, source,
        text, canonical, embed_hash, embedding)."""
        n = 0
        pending: list[tuple] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                n += self._upsert(pending)
                pending = []
        if pending:
            n += self._upsert(pending)
        return n

    def _upsert(self, rows: list[tuple]) -> int:
        self.collection.upsert(
            ids=[r[0] for r in rows],
            embeddings=np.vstack([np.frombuffer(r[10], dtype=np.float32) for r in rows]),
            documents=[r[7] for r in rows],
            metadatas=[
                {"doc_id": r[1], "position": r[2], "start": r[3], "end": r[4], "title": r[5],
                 "source": r[6], "embed_hash": r[9]}
                for r in rows
            ],
        )
        return len(rows)

    def delete(self, chunk_ids: list[str], batch: int = 5000) -> None:
        for i in range(0, len(chunk_ids), batch):
            self.collection.delete(ids=chunk_ids[i:i + batch])

    def query(self, vector: np.ndarray, k: int) -> list[DenseHit]:
        total = self.count()
        if total == 0:
            return []
        got = self.collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)],
                                    n_results=min(k, total), include=["distances"])
        return [DenseHit(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]
