"""What every front end returns for a cited source and a found passage: one model each.

``/api/ask``, ``/api/search``, ``/v1/chat/completions`` (its ``sources``/``related``), the MCP tools and
``assistant ask|search --json`` all write :class:`SourceOut` and :class:`PassageOut`: the assistant's
:class:`~assistant.answer.Source` / :class:`~assistant.retrieve.Passage` plus where to read the whole article,
on this server (``url``: ``/article/{doc_id}``, absolute when the front end knows its base URL) and as an MCP
resource (``resource``: ``article://{doc_id}``).
"""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, Field, field_serializer

from assistant.answer import Answer, Source
from assistant.retrieve import Passage


def article_path(doc_id: str) -> str:
    """The whole article's page on the server."""
    return f"/article/{quote(doc_id, safe='')}"


def article_url(doc_id: str, base_url: str = "") -> str:
    """The article's page: a path, or an absolute URL under ``base_url`` (``http://host:7860``)."""
    return base_url.rstrip("/") + article_path(doc_id)


def article_uri(doc_id: str) -> str:
    """The whole article as an MCP resource."""
    return f"article://{quote(doc_id, safe='')}"


class SourceOut(Source):
    """One numbered source of an answer, with where to read its article."""

    url: str = Field(description="The whole article on this server: /article/{doc_id}.")
    resource: str = Field(description="The whole article as an MCP resource: article://{doc_id}.")

    @classmethod
    def of(cls, source: Source, base_url: str = "") -> "SourceOut":
        return cls(**source.model_dump(), url=article_url(source.doc_id, base_url),
                   resource=article_uri(source.doc_id))


class PassageOut(BaseModel):
    """One passage found by a search, best first."""

    doc_id: str
    title: str
    source: str = Field(description="The article's file or URL.")
    text: str
    score: float
    chunk_id: str
    start: int = Field(description="Offset of the passage in the article's text.")
    end: int
    url: str = Field(description="The whole article on this server: /article/{doc_id}.")
    resource: str = Field(description="The whole article as an MCP resource: article://{doc_id}.")

    @field_serializer("score")
    def _score(self, score: float) -> float:
        return round(score, 4)

    @classmethod
    def of(cls, p: Passage, base_url: str = "") -> "PassageOut":
        return cls(doc_id=p.doc_id, title=p.title, source=p.source, text=p.text, score=p.score, chunk_id=p.chunk_id,
                   start=p.start, end=p.end, url=article_url(p.doc_id, base_url), resource=article_uri(p.doc_id))


class AnswerOut(Answer):
    """The answer as ``/api/ask`` and ``assistant ask --json`` write it: :class:`Answer` with :class:`SourceOut`."""

    sources: list[SourceOut]
    related: list[SourceOut] = Field(default_factory=list,
                                     description="When abstaining: the closest passages («شاید مرتبط»), nearest first.")

    @classmethod
    def of(cls, answer: Answer, base_url: str = "") -> "AnswerOut":
        fields = {name: getattr(answer, name) for name in Answer.model_fields if name not in ("sources", "related")}
        return cls(**fields, sources=[SourceOut.of(s, base_url) for s in answer.sources],
                   related=[SourceOut.of(s, base_url) for s in answer.related])


__all__ = ["AnswerOut", "PassageOut", "SourceOut", "article_path", "article_uri", "article_url"]
