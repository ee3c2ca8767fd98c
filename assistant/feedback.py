"""Readers' ratings of answers: thumbs up or down with an optional comment, kept in the store of record.

:class:`Feedback` is what ``Assistant.add_feedback`` returns and ``Assistant.feedback`` lists (newest
first); ``POST /api/feedback`` and the chat's thumbs both go through ``add_feedback``. :func:`eval_line`
turns a rating into a line of an ``assistant eval`` question set, to be completed by a reviewer.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.followup import MAX_HISTORY_ITEMS
from index.errors import AssistantError, Failure

Rating = Literal["up", "down"]
RATINGS: tuple[str, ...] = ("up", "down")
MAX_COMMENT_CHARS = 4000
MAX_QUESTION_CHARS = 4000
MAX_ANSWER_CHARS = 40_000
MAX_SOURCES = 50
_ID = re.compile(r"^[0-9a-f]{32}$")
# invisible characters dropped from every text (the same the HTTP API strips from questions)
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


class FeedbackError(AssistantError, ValueError):
    """Feedback that cannot be stored; the message names the bad value and what is expected."""

    failure = Failure.INVALID


class FeedbackSource(BaseModel):
    """A source the rated answer cited."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    title: str = ""


class Feedback(BaseModel):
    """One reader's rating of one answer."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="32 hex digits.")
    time: str = Field(description="When it was given, UTC, ISO 8601 (2025-01-31T09:30:00.123+00:00).")
    question: str
    answer: str = Field(description="The answer as the reader saw it (text with citation markers).")
    rating: Rating
    comment: str | None = Field(None, description=f"What the reader wrote, at most {MAX_COMMENT_CHARS} characters.")
    sources: list[FeedbackSource] = Field(default_factory=list, description="The sources the answer cited.")
    history: list[str] = Field(default_factory=list,
                               description="The chat's earlier questions, oldest first, when the question was a follow-up.")

    def as_dict(self) -> dict:
        return self.model_dump()


def _clean(value: Any, name: str, limit: int, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise FeedbackError(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise FeedbackError(f"{name} must be text, got {type(value).__name__} {value!r:.60}")
    value = _INVISIBLE.sub("", value).strip()
    if not value:
        if required:
            raise FeedbackError(f"{name} is empty: give the {name} that was rated")
        return None
    if len(value) > limit:
        raise FeedbackError(f"{name} has {len(value)} characters; the limit is {limit}")
    return value


def _source(item: Any, i: int) -> FeedbackSource:
    """A cited source from a :class:`FeedbackSource`, an ``Answer``'s ``Source``, or a dict with ``doc_id``
    (other keys, such as those of ``/api/ask``'s sources, are ignored)."""
    if isinstance(item, FeedbackSource):
        return item
    if not isinstance(item, dict):
        if hasattr(item, "doc_id"):
            item = {"doc_id": item.doc_id, "title": getattr(item, "title", "")}
        else:
            raise FeedbackError(f"sources[{i}] must be an object like {{\"doc_id\": ..., \"title\": ...}}, got {item!r:.60}")
    doc_id = item.get("doc_id")
    title = item.get("title", "")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise FeedbackError(f"sources[{i}].doc_id must be a non-empty string, got {doc_id!r:.60}")
    if title is None:
        title = ""
    if not isinstance(title, str):
        raise FeedbackError(f"sources[{i}].title must be a string, got {title!r:.60}")
    return FeedbackSource(doc_id=_INVISIBLE.sub("", doc_id).strip()[:300], title=_INVISIBLE.sub("", title).strip()[:500])


def _checked_list(name: str, value: Any, what: str, limit: int) -> list | tuple:
    """``value`` (None: empty) when it is a list of at most ``limit`` items; else :class:`FeedbackError`."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise FeedbackError(f"{name} must be {what}, got {value!r:.60}")
    if len(value) > limit:
        raise FeedbackError(f"{name} has {len(value)} items; the limit is {limit}")
    return value


def make_feedback(question: Any, answer: Any, rating: Any, comment: Any = None, sources: Any = None, *,
                  history: Any = None, feedback_id: str | None = None, now: datetime | None = None) -> Feedback:
    """A checked :class:`Feedback` (not stored). Raises :class:`FeedbackError` naming the bad value."""
    if rating not in RATINGS:
        raise FeedbackError(f'rating must be "up" or "down", got {rating!r:.60}')
    if feedback_id is None:
        feedback_id = uuid.uuid4().hex
    elif not isinstance(feedback_id, str) or not _ID.match(feedback_id):
        raise FeedbackError(f"feedback id must be 32 hex digits, got {feedback_id!r:.60}")
    sources = _checked_list("sources", sources, 'a list of {"doc_id", "title"} objects', MAX_SOURCES)
    history = _checked_list("history", history, "a list of earlier questions", MAX_HISTORY_ITEMS)
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return Feedback(
        id=feedback_id,
        time=when.isoformat(timespec="milliseconds"),
        question=_clean(question, "question", MAX_QUESTION_CHARS, required=True),
        answer=_clean(answer, "answer", MAX_ANSWER_CHARS, required=True),
        rating=rating,
        comment=_clean(comment, "comment", MAX_COMMENT_CHARS, required=False),
        sources=[_source(s, i) for i, s in enumerate(sources)],
        history=[h for i, item in enumerate(history)
                 if (h := _clean(item, f"history[{i}]", MAX_QUESTION_CHARS, required=False))],
    )


def check_rating(rating: str | None) -> str | None:
    """``rating`` when it is None, "up" or "down"; else :class:`FeedbackError`."""
    if rating is not None and rating not in RATINGS:
        raise FeedbackError(f'rating must be "up" or "down", got {rating!r:.60}')
    return rating


def eval_line(f: Feedback) -> dict:
    """``f`` as a line of an ``assistant eval`` question set (``assistant/evaluate.py``).

    The expected ``answer`` is left ``null`` and ``"reviewed": false`` marks the line as unfinished, so
    ``assistant eval`` refuses it until someone writes the expected answer (or leaves ``null`` for a
    question the articles cannot answer) and deletes ``reviewed``. ``doc_id`` is the first cited
    article of an answer rated up, else ``null``. What the reader saw and said is kept alongside:
    ``given_answer``, ``rating``, ``comment``, ``sources``, ``feedback_id``, ``time``; a follow-up keeps
    its ``history`` (the chat's earlier questions), which ``assistant eval`` passes to the chain."""
    line = {
        "id": f"fb-{f.id[:12]}",
        "q": f.question,
        "doc_id": f.sources[0].doc_id if f.rating == "up" and f.sources else None,
        "answer": None,
        "kind": "feedback",
        "reviewed": False,
        "given_answer": f.answer,
        "rating": f.rating,
        "comment": f.comment,
        "sources": [s.model_dump() for s in f.sources],
        "feedback_id": f.id,
        "time": f.time,
    }
    if f.history:
        line["history"] = list(f.history)
    return line
