"""The optional language model: any OpenAI-compatible chat endpoint through LangChain's chat model.

Nothing here runs unless ``llm_base_url`` is set. The model is built once per process (lazily) and
shared; it never retries (a slow or broken server must not hold a user for minutes), and every call
is bounded by ``llm_timeout``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Iterator

from index.errors import AssistantError, Failure
from assistant.retrieve import Passage
from assistant.settings import Settings

log = logging.getLogger(__name__)


class LLMUnavailable(AssistantError, RuntimeError):
    """The LLM server failed, timed out or answered with something unusable."""

    failure = Failure.UNAVAILABLE


def format_sources(passages: list[Passage]) -> str:
    """Numbered sources, delimited so that nothing inside an article can pose as an instruction block."""
    blocks = []
    for n, p in enumerate(passages, 1):
        # an article cannot close the block early or open a fake one
        text = p.text.replace("<", "‹").replace(">", "›")
        title = p.title.replace("<", "‹").replace(">", "›").replace('"', "'")
        blocks.append(f'<source id="{n}" title="{title}">\n{text}\n</source>')
    return "\n".join(blocks)


def answer_messages(question: str, passages: list[Passage]) -> list[tuple[str, str]]:
    from assistant.wording import NO_ANSWER
    from prompts import load

    return [("system", fill(load("answer_system"), no_answer=NO_ANSWER)),
            ("human", fill(load("answer_user"), sources=format_sources(passages),
                           question=question.replace("<", "‹").replace(">", "›")))]


def fill(template: str, **values: str) -> str:
    """Put ``values`` into ``{name}`` slots in one pass: text inside a value is never itself filled in
    (a question containing "{sources}" stays as typed)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


class ChatLLM:
    """A lazily built ``ChatOpenAI`` for one endpoint."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._model = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return f"{self.settings.llm_model} at {self.settings.llm_base_url}"

    def _get(self):
        with self._lock:
            if self._model is None:
                from langchain_openai import ChatOpenAI

                s = self.settings
                self._model = ChatOpenAI(
                    base_url=s.llm_base_url, model=s.llm_model, api_key=s.llm_api_key.get_secret_value(),
                    timeout=s.llm_timeout, max_retries=0, temperature=s.llm_temperature,
                    max_tokens=s.llm_max_tokens, streaming=True,
                )
            return self._model

    def stream(self, messages: list[tuple[str, str]]) -> Iterator[str]:
        """Yield the reply's text pieces; raises :class:`LLMUnavailable` on any failure."""
        deadline = time.monotonic() + 2 * self.settings.llm_timeout
        try:
            for chunk in self._get().stream(messages):
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    yield text
                if time.monotonic() > deadline:  # each read is bounded by the timeout; the whole reply too
                    raise LLMUnavailable(f"the reply took longer than {2 * self.settings.llm_timeout:.0f} s")
        except LLMUnavailable:
            raise
        except Exception as exc:  # openai errors, timeouts, refused connections, unparsable replies
            log.warning("LLM %s failed: %s: %s", self.name, type(exc).__name__, exc)
            raise LLMUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def complete(self, messages: list[tuple[str, str]]) -> str:
        return "".join(self.stream(messages))
