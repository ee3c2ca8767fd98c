"""The rows the store of record reads and writes, typed: what ingest writes for a document, what
a search reads back for a chunk, and what Chroma is given for each chunk."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.chunk import Chunk
from index.facts import Fact
from index.load import Document
from index.sentences import DocumentInfo


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the record holds it, with what a citation needs."""

    chunk_id: str
    doc_id: str
    position: int
    start: int
    end: int
    text: str
    canonical: str
    title: str
    source: str
    sentences: tuple[tuple[int, int], ...]
    outlet: str | None = None     # the article's outlet and date (ISO), for the citation's byline
    date: str | None = None


@dataclass(frozen=True)
class SentenceVector:
    """The embedding of one sentence (with its article's title), keyed by the sentence's start."""

    start: int
    embed_hash: str
    embedding: np.ndarray


@dataclass(frozen=True)
class ChunkRow:
    """What is written for one chunk: the chunk, its canonical text and its embedding."""

    chunk: Chunk
    canonical: str
    embed_hash: str
    embedding: np.ndarray


@dataclass(frozen=True)
class DocumentWrite:
    """Everything ingest writes for one document, in one transaction with the others."""

    doc: Document
    content_hash: str
    chunks: list[ChunkRow]
    info: DocumentInfo
    sentence_vectors: list[SentenceVector] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    minhash: bytes | None = None     # the near-duplicate signature (index/dedup.py)


@dataclass(frozen=True)
class ChunkVector:
    """One chunk as the vector store is given it: the text, the embedding and the metadata a hit needs."""

    chunk_id: str
    doc_id: str
    position: int
    start: int
    end: int
    title: str
    source: str
    text: str
    embed_hash: str
    embedding: np.ndarray

    def metadata(self) -> dict:
        return {"doc_id": self.doc_id, "position": self.position, "start": self.start, "end": self.end,
                "title": self.title, "source": self.source, "embed_hash": self.embed_hash}


@dataclass(frozen=True)
class DocumentSummary:
    """One document of the index as a list shows it."""

    doc_id: str
    title: str
    source: str
    date: str | None
    chunks: int
    characters: int
    added: str | None = None     # when it first came in (UTC, ISO 8601); None for an index from before
    updated: str | None = None   # when its text last changed
