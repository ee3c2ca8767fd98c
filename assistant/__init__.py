"""Persian question answering over news about cooperatives, with cited sources.

>>> from assistant import search
>>> search("صادرات تعاونی‌های گلستان", k=3)   # list of Passage(doc_id, title, source, text, score, ...)

The object form, for programs that ask many questions: ``build_assistant(Settings(...))``.
"""

from __future__ import annotations

import threading

from assistant.build import Assistant, build_assistant
from assistant.retrieve import Passage
from assistant.settings import Settings

__all__ = ["Assistant", "Passage", "Settings", "build_assistant", "search"]

_default: Assistant | None = None
_default_lock = threading.Lock()


def _default_assistant() -> Assistant:
    global _default
    with _default_lock:
        if _default is None:
            _default = build_assistant(Settings.load())
        return _default


def search(query: str, k: int | None = None) -> list[Passage]:
    """Search the index named by the environment's settings (built on first call, then reused)."""
    return _default_assistant().search(query, k)
