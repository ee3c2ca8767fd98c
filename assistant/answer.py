"""What ``ask`` returns: the answer text, its numbered sources, and whether it abstained.

:class:`Answer` and :class:`Source` are pydantic models: the HTTP API declares them as its response
models and ``as_dict()`` is their JSON (``assistant ask --json`` prints the same).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from assistant.retrieve import Passage
from assistant.wording import ALSO_IN
from index.persian.dates import day_label
from index.persian.fold import persian_digits


def fa_number(n: int) -> str:
    return persian_digits(n)


def byline(outlet: str | None, date: str | None, also_in: int = 0) -> str:
    """«ایرنا، ۱۲ خرداد ۱۴۰۳», «ایرنا» or «۱۲ خرداد ۱۴۰۳» (empty when neither is known), and «همچنین در ۲ رسانه»
    when ``also_in`` other outlets ran the same story."""
    line = "، ".join(part for part in (outlet, day_label(date)) if part)
    if also_in:
        line = "؛ ".join(part for part in (line, ALSO_IN.format(n=fa_number(also_in))) if part)
    return line


class Source(BaseModel):
    """One numbered source: the passage, and the sentence in it that the answer relies on."""

    model_config = ConfigDict(frozen=True)

    n: int = Field(description="The citation number used in the answer text ([۱] is 1).")
    doc_id: str
    title: str
    source: str = Field(description="The article's file or URL.")
    text: str = Field(description="The passage.")
    quote: str = Field(description="The sentence of the passage that the answer relies on.")
    score: float
    chunk_id: str = ""
    quote_start: int = Field(0, description="Offset of quote inside text (for highlighting).")
    quote_end: int = 0
    outlet: str | None = Field(None, description="The outlet that published the article (from the web), if known.")
    date: str | None = Field(None, description="The article's date (ISO, Gregorian), if known.")
    also_in: list[str] = Field(default_factory=list, description="The other outlets that ran the same story.")
    byline: str = Field("", description="Outlet and date as a reader reads them: «ایرنا، ۱۲ خرداد ۱۴۰۳؛ همچنین در ۲ رسانه».")

    @field_serializer("score")
    def _score(self, score: float) -> float:
        return round(score, 4)

    @classmethod
    def from_passage(cls, n: int, p: Passage, quote_start: int | None = None, quote_end: int | None = None) -> "Source":
        if quote_start is None or quote_end is None:
            quote_start, quote_end = 0, 0
        return cls(n=n, doc_id=p.doc_id, title=p.title, source=p.source, text=p.text,
                   quote=p.text[quote_start:quote_end].strip(), score=p.score, chunk_id=p.chunk_id,
                   quote_start=quote_start, quote_end=quote_end, outlet=p.outlet, date=p.date,
                   also_in=list(p.also_in), byline=byline(p.outlet, p.date, len(p.also_in)))

    def as_dict(self) -> dict:
        return self.model_dump()


class Answer(BaseModel):
    """The answer to one question (the JSON of ``assistant ask --json`` and ``POST /api/ask``)."""

    model_config = ConfigDict(arbitrary_types_allowed=True, serialize_by_alias=True, validate_by_name=True)

    question: str
    text: str = Field(alias="answer",
                      description="The answer with citation markers such as [۱], or the abstention and why.")
    abstained: bool = Field(description="True when the articles do not hold the answer.")
    sources: list[Source]
    related: list[Source] = Field(default_factory=list,
                                  description="When abstaining: the closest passages («شاید مرتبط»), nearest first.")
    standalone_question: str = Field("", description="The question after resolving a follow-up.")
    answerer: Literal["offline", "llm", "facts"] = Field(
        "offline", description="offline (sentences of the articles), llm, or facts (a question across articles).")
    chart: list[dict] = Field(default_factory=list, description=(
        "For questions across articles: the compared figures {label, value, unit, n, period}."))
    notes: list[str] = Field(default_factory=list, description="Persian notes for the user (the LLM was unavailable).")
    timings_ms: dict[str, float] = Field(default_factory=dict)
    passages: list[Passage] = Field(default_factory=list, exclude=True)  # everything retrieved, best first

    @field_serializer("standalone_question")
    def _standalone(self, value: str) -> str:
        return value or self.question

    @field_serializer("timings_ms")
    def _timings(self, value: dict[str, float]) -> dict[str, float]:
        return {k: round(v, 1) for k, v in value.items()}

    def as_dict(self) -> dict:
        return self.model_dump()
