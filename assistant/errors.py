"""Typed errors raised by the core, and their one-line English descriptions for the CLI and logs."""

from __future__ import annotations

from assistant.retrieve import IndexEmpty
from index.embed import EmbeddingBackendError
from index.store import IndexLocked
from index.chroma_client import VectorStoreError
from index.vectors import IndexModelMismatch

USER_ERRORS = (IndexEmpty, IndexModelMismatch, IndexLocked, VectorStoreError, EmbeddingBackendError)


def describe(exc: BaseException) -> str | None:
    """The message to show for a known error, or None for an unexpected one."""
    if isinstance(exc, USER_ERRORS):
        return str(exc)
    return None
