"""A question as every step of a turn reads it, built once.

:class:`Query` holds the analysis (:class:`~assistant.question.Question`: the canonical text and the parsed
constraints), the content words weighted by their rarity in the index (``assistant/coverage.weigh``) and the
question's embedding. The weights and the vector are made the first time a step asks for them (a question
across provinces is answered from the facts and needs neither) and then kept: retrieval, its rerank, the
extractive answerer and the sentence similarity all read the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np

from assistant.coverage import Weighted, weigh
from assistant.question import Question


@dataclass(frozen=True)
class Query:
    question: Question
    document_frequencies: Callable[[list[str]], dict[str, int]] = field(repr=False)
    num_docs: Callable[[], int] = field(repr=False)
    embed: Callable[[str], object] | None = field(default=None, repr=False)   # canonical text → its vector

    @property
    def canonical(self) -> str:
        return self.question.canonical

    @cached_property
    def words(self) -> Weighted:
        """The content words with the keys they match on and their weights (``weigh``)."""
        return weigh(self.question, self.document_frequencies, self.num_docs())

    @cached_property
    def vector(self) -> np.ndarray | None:
        """The question's embedding (float32), or None without an embedder."""
        if self.embed is None:
            return None
        return np.asarray(self.embed(self.canonical), dtype=np.float32)


__all__ = ["Query"]
