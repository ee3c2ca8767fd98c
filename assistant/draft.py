"""What the offline answerer hands the chain: a :class:`Draft` (the sentences it picks, or why it refuses:
its :class:`Verdict`, the nearest sentence and what it lacks), each sentence a :class:`Pick`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from assistant.match import Article, Miss
from assistant.retrieve import Passage


@dataclass(frozen=True)
class Pick:
    """A chosen sentence: which passage, where in its text, and how it scored."""

    passage: int
    start: int
    end: int
    text: str
    score: float


class Verdict(StrEnum):
    """How a draft came out: answered, or why not."""

    ANSWERED = "answered"
    NO_PASSAGES = "no passages"
    NO_ARTICLE = "no article about"            # the province asked has no article (``detail``: which)
    LOW_SIMILARITY = "low similarity"          # an English question far from every passage
    NOTHING_ASKED = "question says nothing it is about"
    CONSTRAINTS_NOT_MET = "constraints not met"  # no sentence holds what was asked (``misses``: what lacks)


@dataclass
class Draft:
    picks: list[Pick]
    abstained: bool
    verdict: Verdict = Verdict.ANSWERED
    features: dict = field(default_factory=dict)
    nearest: Pick | None = None                # when abstaining: the closest sentence
    misses: list[Miss] = field(default_factory=list)  # ... and what it does not carry
    article: Article | None = None             # ... and its article
    extra: list[Passage] = field(default_factory=list)  # passages a pick refers to beyond those retrieved
    partial: tuple[str, str] | None = None  # (the year asked, the part of it the answer gives): «پنج ماه نخست سال جاری»
    other_periods: list[tuple[Pick, str]] = field(default_factory=list)  # refusing: the figure for other periods
    detail: str = ""                           # what the verdict is about (the provinces with no article)

    @property
    def reason(self) -> str:
        """The verdict in words, for logs and benches («no article about زنجان»)."""
        return f"{self.verdict} {self.detail}".strip() if self.verdict is not Verdict.ANSWERED else ""
