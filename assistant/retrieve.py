"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, fused, then reranked by the question's
words, as a LangChain retriever.

Fusion is measured, not assumed (``bench/retrieval_eval.py``): BM25 is much weaker than the dense
model on these questions, so an equal-weight reciprocal rank fusion loses to dense alone. The
default adds a small weight of z-scored BM25 to z-scored dense similarity. The best fused chunks are
then reranked by how much of the question their best sentence holds (``assistant/match.py``: words in
any spelling, stems, colloquial forms, compounds, words meaning the same; weighted by rarity), read
from the sentence analyses the index stores: the chunk that holds the answer comes first more often.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.errors import AssistantError, Failure
from assistant.params import load
from assistant.filters import Filters
from assistant.query import Query
from assistant.coverage import coverage, plain_keys
from assistant.question import Question, analyse
from index.store import IndexStore

Fusion = Literal["zscore", "rrf", "dense", "lexical"]


FILTER_WIDENING = 5   # with a date or outlet filter, five times the candidates from each side before filtering


class IndexEmpty(AssistantError, RuntimeError):
    """Nothing has been ingested yet."""

    failure = Failure.UNAVAILABLE


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk with what a citation needs."""

    chunk_id: str
    doc_id: str
    title: str
    source: str
    text: str
    score: float
    start: int
    end: int
    position: int
    sentences: tuple[tuple[int, int], ...] = ()
    dense: float | None = None      # cosine similarity to the question (None: not a dense candidate)
    lexical: float | None = None    # BM25 score (None: not a lexical candidate)
    outlet: str | None = None       # the article's outlet and date (ISO), when known
    date: str | None = None
    also_in: tuple[str, ...] = ()   # the other outlets that ran the same story (index/dedup.py)

    def sentence_texts(self) -> list[tuple[int, int, str]]:
        """(start, end, text) of each sentence, offsets relative to ``text``."""
        out = []
        for s, e in self.sentences:
            a, b = max(s - self.start, 0), min(e - self.start, len(self.text))
            if b > a:
                out.append((a, b, self.text[a:b]))
        return out or [(0, len(self.text), self.text)]

    def as_dict(self) -> dict:
        out = asdict(self)
        out["score"] = round(self.score, 4)
        for key in ("dense", "lexical"):
            out[key] = None if out[key] is None else round(out[key], 4)
        out["sentences"] = [list(s) for s in self.sentences]
        return out


def _zscores(scores: dict[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    values = list(scores.values())
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    return {k: (v - mean) / std for k, v in scores.items()}


def fuse(
    dense: list[tuple[str, float]],
    lexical: list[tuple[str, float]],
    *,
    method: Fusion,
    lexical_weight: float,
    rrf_k: int | None = None,
) -> list[tuple[str, float]]:
    """Combine two ranked lists of (chunk_id, score) into one, best first (``rrf_k``: the constant of
    reciprocal rank fusion; default: ``[retrieval]`` of ``assistant/params.toml``)."""
    if method == "dense":
        return list(dense)
    if method == "lexical":
        return list(lexical)
    if method == "rrf":
        k = load().retrieval.rrf_k if rrf_k is None else rrf_k
        fused: dict[str, float] = {}
        for rank, (cid, _s) in enumerate(dense):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank + 1)
        for rank, (cid, _s) in enumerate(lexical):
            fused[cid] = fused.get(cid, 0.0) + lexical_weight / (k + rank + 1)
        return sorted(fused.items(), key=lambda kv: -kv[1])
    zd, zl = _zscores(dict(dense)), _zscores(dict(lexical))
    floor_d = min(zd.values(), default=0.0)
    floor_l = min(zl.values(), default=0.0)
    fused = {cid: zd.get(cid, floor_d) + lexical_weight * zl.get(cid, floor_l) for cid in set(zd) | set(zl)}
    return sorted(fused.items(), key=lambda kv: -kv[1])


class HybridSearcher:
    """Dense + lexical search over one :class:`IndexStore` (reads only)."""

    def __init__(self, store: IndexStore, *, k: int = 5, candidates: int = 40, fusion: Fusion = "zscore",
                 lexical_weight: float = 0.3, articles=None, rerank_weight: float = 1.0, rerank_depth: int = 10,
                 rrf_k: int | None = None) -> None:
        self.store = store
        self.k = k
        self.candidates_per_side = candidates
        self.fusion = fusion
        self.lexical_weight = lexical_weight
        self.articles = articles  # doc_ids → {doc_id: assistant.match.Article}; None: no reranking
        self.rerank_weight = rerank_weight
        self.rerank_depth = rerank_depth
        self.rrf_k = rrf_k  # None: that of assistant/params.toml
        self.last_timings: dict[str, float] = {}

    def query(self, question: Question) -> Query:
        """``question`` as a :class:`Query` over this index (its word weights and vector made on first use)."""
        store = self.store
        return Query(question, lambda terms: store.lexical.document_frequencies(terms), lambda: store.lexical.num_docs,
                     store.embedder.embed_query_vector)

    def candidates(self, query: str, fusion: Fusion | None = None, *, asked: Query | None = None,
                   per_side: int | None = None) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """The dense and lexical candidate lists, each (chunk_id, score) best first (``asked``: the question as
        the turn analysed it, whose canonical form and vector are used)."""
        fusion = fusion or self.fusion
        per_side = per_side or self.candidates_per_side
        timings: dict[str, float] = {}
        t = time.perf_counter()
        canonical = asked.canonical if asked is not None else self.store.normalizer.canonical(query)
        timings["normalize"] = time.perf_counter() - t
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        if canonical and fusion != "lexical":
            t = time.perf_counter()
            vector = asked.vector if asked is not None else self.store.embedder.embed_query_vector(canonical)
            timings["embed"] = time.perf_counter() - t
            t = time.perf_counter()
            dense = [(h.chunk_id, h.similarity) for h in self.store.vectors.query(vector, per_side)]
            timings["dense"] = time.perf_counter() - t
        if canonical and fusion != "dense":
            t = time.perf_counter()
            terms = self.store.normalizer.query_terms(canonical, canonical=True)
            lexical = [(h.chunk_id, h.score) for h in self.store.lexical.search(terms, per_side)]
            timings["lexical"] = time.perf_counter() - t
        self.last_timings = timings
        return dense, lexical

    def search(self, query: str, k: int | None = None, *, fusion: Fusion | None = None,
               question: Query | Question | None = None, filters: Filters | None = None) -> list[Passage]:
        """The ``k`` best passages for ``query`` (``question``: the turn's :class:`Query`, or the analysis of
        ``query``, when the caller has it; ``filters``: only articles of that date range and outlet)."""
        k = k or self.k
        fusion = fusion or self.fusion
        asked = self.query(question) if isinstance(question, Question) else question
        filtering = filters is not None and filters.active
        per_side = self.candidates_per_side * FILTER_WIDENING if filtering else None
        dense, lexical = self.candidates(query, fusion, asked=asked, per_side=per_side)
        if not dense and not lexical:
            if self.store.record.counts()[1] == 0:
                raise IndexEmpty(f"the index in {self.store.data_dir} is empty: run `assistant ingest PATH...` first")
            return []
        t = time.perf_counter()
        ranked = fuse(dense, lexical, method=fusion, lexical_weight=self.lexical_weight, rrf_k=self.rrf_k)
        read: dict = {}   # chunks already read from the record (a filter reads them first)
        if filtering:   # the candidates of other dates and outlets give way before the rerank
            read = self.store.record.get_chunks([cid for cid, _ in ranked])
            ranked = [(cid, score) for cid, score in ranked
                      if (c := read.get(cid)) is not None and filters.admits(c.date, c.outlet)]
        copies = self.store.record.stories.copies()
        if copies:   # one story once, from its earliest outlet: the later copies' chunks that it covers give way
            hidden = self.store.record.stories.hidden()
            ranked = [(cid, score) for cid, score in ranked if cid not in hidden]
        if fusion == "zscore" and self.articles is not None and self.rerank_weight:
            ranked = ranked[:max(k, self.rerank_depth)]
            stored = self._chunks([cid for cid, _ in ranked], read)   # once: for the rerank and the passages
            ranked = self._rerank(query, ranked, asked, stored)
        else:
            stored = self._chunks([cid for cid, _ in ranked[:k]], read)
        ranked = ranked[:k]
        dense_of, lexical_of = dict(dense), dict(lexical)
        passages = [
            Passage(chunk_id=cid, doc_id=c.doc_id, title=c.title, source=c.source, text=c.text, score=score,
                    start=c.start, end=c.end, position=c.position, sentences=c.sentences,
                    dense=dense_of.get(cid), lexical=lexical_of.get(cid), outlet=c.outlet, date=c.date,
                    also_in=tuple(outlet or doc_id for doc_id, outlet in copies.get(c.doc_id, [])[1:]))
            for cid, score in ranked
            if (c := stored.get(cid)) is not None
        ]
        self.last_timings["fuse"] = time.perf_counter() - t
        return passages

    def _chunks(self, chunk_ids: list[str], read: dict) -> dict:
        """These chunks from the record, except those already ``read``."""
        if read:
            return {cid: read[cid] for cid in chunk_ids if cid in read}   # a filter read every candidate
        return self.store.record.get_chunks(chunk_ids)

    def passage_for(self, doc_id: str, start: int, end: int) -> Passage | None:
        """The smallest chunk of ``doc_id`` holding the span ``start``–``end`` of its text, as a passage (a
        sentence the answerer cites beyond the retrieved passages, a fact's quote)."""
        record = self.store.record
        holding = [c for c in record.get_chunks(record.chunk_ids_of(doc_id)).values()
                   if c.start <= start and end <= c.end + 1]
        if not holding:
            return None
        c = min(holding, key=lambda c: c.end - c.start)
        return Passage(chunk_id=c.chunk_id, doc_id=c.doc_id, title=c.title, source=c.source, text=c.text, score=1.0,
                       start=c.start, end=c.end, position=c.position, sentences=c.sentences, outlet=c.outlet,
                       date=c.date)

    def _rerank(self, query: str, ranked: list[tuple[str, float]], asked: Query | None,
                stored: dict) -> list[tuple[str, float]]:
        """``ranked`` with ``rerank_weight`` × the share of the question its best sentence holds added
        (``stored``: the chunks of ``ranked``, by id)."""
        if asked is None:
            asked = self.query(analyse(query, self.store.normalizer))
        if not asked.question.words:
            return ranked
        words = asked.words
        articles = self.articles([c.doc_id for c in stored.values()])
        out = []
        for cid, score in ranked:
            c, best = stored.get(cid), 0.0
            article = articles.get(c.doc_id) if c else None
            if article is not None:
                for s in article.info.sentences:
                    if c.start <= s.start < c.end:
                        best = max(best, coverage(words, plain_keys(s.canonical)))
            out.append((cid, score + self.rerank_weight * best))
        return sorted(out, key=lambda kv: -kv[1])


class HybridRetriever(BaseRetriever):
    """LangChain retriever over :class:`HybridSearcher`: passages as ``Document`` objects."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: HybridSearcher
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [
            LCDocument(page_content=p.text, id=p.chunk_id, metadata={k: v for k, v in p.as_dict().items() if k != "text"})
            for p in self.searcher.search(query, self.k)
        ]
