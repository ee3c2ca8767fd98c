"""Persian question answering over news about cooperatives, with cited sources.

>>> from assistant import ask, search
>>> a = ask("صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟")
>>> a.text, a.sources, a.abstained        # Persian answer with [۱] citations, numbered Source objects
>>> search("صادرات تعاونی‌های گلستان", k=3)   # list of Passage(doc_id, title, source, text, score, ...)

The object form, for programs that ask many questions: ``build_assistant(Settings(...))``.
"""

from __future__ import annotations

from assistant.answer import Answer, Source
from assistant.build import Assistant, build_assistant
from assistant.retrieve import Passage
from assistant.settings import Settings
from index.once import once

__all__ = ["Answer", "Assistant", "Passage", "Settings", "Source", "ask", "build_assistant", "search"]

@once
def _default_assistant() -> Assistant:
    """The assistant of the environment's settings (built on first call, then reused)."""
    return build_assistant(Settings.load())


def search(query: str, k: int | None = None) -> list[Passage]:
    """Search the index named by the environment's settings (built on first call, then reused)."""
    return _default_assistant().search(query, k)


def ask(question: str, history: list | None = None) -> Answer:
    """Answer ``question`` with cited sources from the index named by the environment's settings."""
    return _default_assistant().ask(question, history)
