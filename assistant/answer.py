"""What ``ask`` returns: the answer text, its numbered sources, and whether it abstained."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from assistant.retrieve import Passage

NO_ANSWER = "پاسخ این پرسش در خبرهای موجود نیامده است."
MAYBE_RELATED = "این بخش‌ها شاید مرتبط باشند:"
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def fa_number(n: int) -> str:
    return str(n).translate(PERSIAN_DIGITS)


@dataclass(frozen=True)
class Source:
    """One numbered source: the passage, and the sentence in it that the answer relies on.

    ``quote_start``/``quote_end`` are offsets of ``quote`` inside ``text`` (for highlighting)."""

    n: int
    doc_id: str
    title: str
    source: str
    text: str
    quote: str
    score: float
    chunk_id: str = ""
    quote_start: int = 0
    quote_end: int = 0

    @classmethod
    def from_passage(cls, n: int, p: Passage, quote_start: int | None = None, quote_end: int | None = None) -> "Source":
        if quote_start is None or quote_end is None:
            quote_start, quote_end = 0, 0
        return cls(n=n, doc_id=p.doc_id, title=p.title, source=p.source, text=p.text,
                   quote=p.text[quote_start:quote_end].strip(), score=p.score, chunk_id=p.chunk_id,
                   quote_start=quote_start, quote_end=quote_end)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["score"] = round(self.score, 4)
        return out


@dataclass
class Answer:
    question: str
    text: str
    sources: list[Source]
    abstained: bool
    related: list[Source] = field(default_factory=list)   # closest passages when abstaining
    standalone_question: str = ""                         # the question after resolving a follow-up
    answerer: str = "offline"                             # "offline", "llm" or "facts" (across articles)
    notes: list[str] = field(default_factory=list)        # Persian notes for the user (e.g. LLM unavailable)
    timings_ms: dict[str, float] = field(default_factory=dict)
    passages: list[Passage] = field(default_factory=list)  # everything retrieved, best first
    chart: list[dict] = field(default_factory=list)       # compared figures: {"label", "value", "unit", "n", "period"}

    def as_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "sources": [s.as_dict() for s in self.sources],
            "related": [s.as_dict() for s in self.related],
            "standalone_question": self.standalone_question or self.question,
            "answerer": self.answerer,
            "chart": list(self.chart),
            "notes": list(self.notes),
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
