"""The retrieval chain: resolve a follow-up → hybrid retrieve → answer → attach and check citations.

One path runs the steps: ``stream`` yields the LLM's tokens as they come and then the answer; ``ask``
is the last event of ``stream``; ``as_runnable()`` is the same chain as a LangChain runnable.

Without an LLM the extractive answerer (``assistant/extractive.py``) answers. With one, the LLM writes the
answer from the numbered sources; its citations are checked afterwards: numbers that point at no
source are removed, and an answer with no valid citation is replaced by the extractive answer with a
note. A failing, slow or garbled LLM gives the extractive answer plus a note, never an exception.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
from langchain_core.runnables import Runnable, RunnableLambda

from assistant.answer import Answer, Source, fa_number
from assistant.facts_answer import FactsAnswerer
from assistant.cite import CITATION, best_sentence, check_citations, claims_citing, to_persian_markers
from assistant.claims import unsupported
from assistant.explain import explain, period_label
from assistant.followup import clean_condensed, condense_messages, resolve_by_rules
from assistant.llm import ChatLLM, LLMUnavailable, answer_messages
from assistant.draft import Draft, Verdict
from assistant.extractive import ExtractiveAnswerer
from assistant.filters import Filters
from assistant.query import Query
from assistant.question import Question, analyse, question_text
from assistant.retrieve import HybridSearcher, Passage
from assistant.wording import (EXPLAIN, NO_ANSWER, NOTE_INVALID_CITATIONS, NOTE_LLM_DOWN, NOTE_LLM_UNCITED,
                               NOTE_LLM_UNSUPPORTED, NOTE_PARTIAL_PERIOD, NOTE_UNCITED_CLAIMS, OTHER_PERIOD_ITEM)
from index.persian.numbers import find_amounts
from index.embed_base import Embedder
from index.persian.normalize import TextNormalizer

log = logging.getLogger(__name__)



def _figure(sentence: str, question: Question | None) -> str:
    """The figure a sentence gives, as it writes it (the first amount that the question does not state)."""
    stated = set(question.amounts) if question else set()
    for a in find_amounts(sentence):
        if a.value not in stated and (a.unit is not None or a.value >= 10):
            return sentence[a.start:a.end].strip()
    return "…"


@dataclass
class Turn:
    """The state passed between the chain's steps."""

    question: str
    history: list = field(default_factory=list)
    standalone: str = ""
    parsed: Question | None = None
    query: Query | None = None       # the question as retrieval and the answerers read it (made once)
    filters: Filters | None = None   # only articles of this date range and outlet
    passages: list[Passage] = field(default_factory=list)
    draft: Draft | None = None
    answer: Answer | None = None
    timings: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)


class QAChain:
    def __init__(self, *, searcher: HybridSearcher, normalizer: TextNormalizer, embedder: Embedder,
                 extractive: ExtractiveAnswerer, llm: ChatLLM | None, passages: int = 5,
                 max_question_chars: int = 1000, facts: FactsAnswerer | None = None) -> None:
        self.searcher = searcher
        self.normalizer = normalizer
        self.embedder = embedder
        self.extractive = extractive
        self.llm = llm
        self.facts = facts
        self.k = passages
        self.max_question_chars = max_question_chars

    # -- public ----------------------------------------------------------------------------------------
    def ask(self, question: str, history: list | None = None, filters: Filters | None = None) -> Answer:
        answer = None
        for event in self.stream(question, history, filters):
            if event["type"] == "answer":
                answer = event["answer"]
        return answer

    def stream(self, question: str, history: list | None = None, filters: Filters | None = None) -> Iterator[dict]:
        """Events: ``{"type": "token", "text": ...}`` while an LLM writes, then ``{"type": "answer", "answer": Answer}``.
        ``filters``: answer only from articles of that date range and outlet."""
        turn = self._turn(question, history)
        turn.filters = filters if filters is not None and filters.active else None
        self._condense(turn)
        turn.parsed = analyse(turn.standalone, self.normalizer)   # the question analysed once, used by every step
        turn.query = self.searcher.query(turn.parsed)             # its weights and vector: made once, when first read
        if not self._across(turn):   # a question across provinces is answered from the facts: no retrieval
            self._retrieve(turn)
            for piece in self._answer(turn):
                yield {"type": "token", "text": piece}
        self._finish(turn)
        yield {"type": "answer", "answer": turn.answer}

    def as_runnable(self) -> Runnable:
        """The chain as a LangChain runnable: a question, or ``{"question", "history"?}`` → :class:`Answer`."""
        def run(value) -> Answer:
            if isinstance(value, dict):
                return self.ask(value["question"], value.get("history"))
            return self.ask(value)

        return RunnableLambda(run, name="qa_chain")

    # -- steps -----------------------------------------------------------------------------------------
    def _turn(self, question: str, history: list | None) -> Turn:
        question = question_text(question, self.max_question_chars)
        return Turn(question=question, history=list(history or []))

    def _condense(self, turn: Turn) -> None:
        t = time.perf_counter()
        standalone = resolve_by_rules(turn.question, turn.history, self.normalizer)
        if self.llm is not None and turn.history and standalone != turn.question:
            try:
                rewritten = clean_condensed(self.llm.complete(condense_messages(turn.question, turn.history)),
                                            turn.question)
                if rewritten:
                    standalone = rewritten
            except LLMUnavailable:
                pass  # the rules' version stands
        turn.standalone = standalone
        turn.timings["condense"] = time.perf_counter() - t

    def _across(self, turn: Turn) -> bool:
        """Whether the facts answerer takes the question (a comparison or ranking of provinces); sets the answer."""
        if self.facts is None or turn.filters is not None:   # the facts know no dates or outlets: retrieval does
            return False
        t = time.perf_counter()
        across = self.facts.answer(turn.question, turn.query)
        turn.timings["facts"] = time.perf_counter() - t
        turn.answer = across
        return across is not None

    def _retrieve(self, turn: Turn) -> None:
        t = time.perf_counter()
        turn.passages = self.searcher.search(turn.standalone, self.k, question=turn.query, filters=turn.filters)
        turn.timings["retrieve"] = time.perf_counter() - t

    def _answer(self, turn: Turn) -> Iterator[str]:
        """Answer ``turn`` from its passages (sets ``turn.answer``), yielding the LLM's text pieces as they arrive."""
        t = time.perf_counter()
        turn.draft = self.extractive.answer(turn.query, turn.passages, self._sentence_similarity(turn.query))
        turn.timings["offline"] = time.perf_counter() - t
        extractive_answer = self._extractive_answer(turn)
        use_llm = self.llm is not None and turn.passages and turn.draft.verdict is not Verdict.NO_ARTICLE
        if not use_llm:
            turn.answer = extractive_answer
            return
        t = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in self.llm.stream(answer_messages(turn.standalone, turn.passages)):
                pieces.append(piece)
                yield piece
        except LLMUnavailable:
            turn.timings["llm"] = time.perf_counter() - t
            extractive_answer.notes.append(NOTE_LLM_DOWN)
            turn.answer = extractive_answer
            return
        turn.timings["llm"] = time.perf_counter() - t
        turn.answer = self._llm_answer(turn, "".join(pieces), extractive_answer)

    # -- building answers ------------------------------------------------------------------------------
    def _sentence_similarity(self, query: Query):
        """Cosine similarity of texts to the question (``query.vector``)."""
        embedder = self.embedder
        normalizer = self.normalizer

        def similarity(texts: list[str]) -> list[float]:
            q = query.vector
            m = np.asarray(embedder.embed_passages([normalizer.canonical(x) for x in texts]), dtype=np.float32)
            norms = np.linalg.norm(m, axis=1) * (np.linalg.norm(q) or 1.0)
            return list((m @ q) / np.where(norms == 0, 1.0, norms))

        return similarity

    def _related(self, turn: Turn, n: int = 3) -> list[Source]:
        """The closest passages, shown as "maybe related" when the answer is not in the articles: first the
        sentence that came nearest to answering (its passage, with it highlighted), then the others."""
        out: list[Source] = []
        nearest = turn.draft.nearest if turn.draft else None
        if nearest is not None:
            out.append(Source.from_passage(1, turn.passages[nearest.passage], nearest.start, nearest.end))
        for i, p in enumerate(turn.passages[:n + 2]):
            if len(out) >= n:
                break
            if nearest is not None and i == nearest.passage:
                continue
            source = Source.from_passage(len(out) + 1, p, *best_sentence(p, [turn.standalone], self.normalizer))
            if any(o.doc_id == source.doc_id and o.quote == source.quote for o in out):
                continue   # overlapping chunks of one article: the same sentence once
            out.append(source)
        return out

    def _abstention(self, turn: Turn, answerer: str, notes: list[str] | None = None) -> Answer:
        """«Not in the articles», with what the nearest sentence gives and lacks when that is known."""
        draft = turn.draft
        text = NO_ANSWER
        if draft is not None and draft.nearest is not None and draft.misses:
            p = turn.passages[draft.nearest.passage]
            info = next((s for s in draft.article.info.sentences if s.start == p.start + draft.nearest.start), None) \
                if draft.article else None
            detail = explain(turn.parsed, draft.misses, info, draft.article, draft.nearest.text)
            if detail:
                text = f"{NO_ANSWER}\n{detail}"
        related = self._related(turn)
        if draft is not None and draft.other_periods and draft.misses and draft.misses[0].kind == "period":
            # «… برای سال ۱۳۹۹ نگفته‌اند؛ برای دوره‌های دیگر گفته‌اند: پایان سال ۱۴۰۱: ۲۲ میلیون … دلار [۱]»
            shown: list[Source] = []
            items = []
            for pick, period in draft.other_periods:
                source = Source.from_passage(len(shown) + 1, turn.passages[pick.passage], pick.start, pick.end)
                shown.append(source)
                items.append(OTHER_PERIOD_ITEM.format(period=period_label(period), figure=_figure(source.quote, turn.parsed),
                                                      n=fa_number(source.n)))
            rest = [r for r in related if not any(r.doc_id == x.doc_id and r.quote == x.quote for x in shown)]
            related = shown + [r.model_copy(update={"n": len(shown) + i}) for i, r in enumerate(rest, 1)][:2]
            text = NO_ANSWER + "\n" + EXPLAIN["other_periods"].format(asked=period_label(draft.misses[0].asked),
                                                                      items="؛ ".join(items))
        return Answer(question=turn.question, text=text, sources=[], abstained=True, related=related,
                      answerer=answerer, notes=list(notes or []))

    def _extractive_answer(self, turn: Turn) -> Answer:
        draft = turn.draft
        turn.passages = turn.passages + draft.extra  # what picks (or the nearest sentence) refer to beyond those retrieved
        if draft.abstained:
            return self._abstention(turn, "offline")
        sources: list[Source] = []
        parts: list[str] = []
        for n, pick in enumerate(draft.picks, 1):
            sources.append(Source.from_passage(n, turn.passages[pick.passage], pick.start, pick.end))
            parts.append(f"{pick.text} [{fa_number(n)}]")
        notes = []
        if draft.partial:
            asked, part = (period_label(x) for x in draft.partial)
            notes.append(NOTE_PARTIAL_PERIOD.format(part=part, asked=asked))
        return Answer(question=turn.question, text="\n".join(parts), sources=sources, abstained=False,
                      answerer="offline", notes=notes)

    def _llm_answer(self, turn: Turn, raw: str, fallback: Answer) -> Answer:
        checked = check_citations(raw, len(turn.passages))
        canonical = self.normalizer.canonical(checked.text)
        if self.normalizer.canonical(NO_ANSWER).rstrip(".") in canonical:
            return self._abstention(turn, "llm")
        words = re.findall(r"[^\W\d_]{2,}", CITATION.sub(" ", checked.text))
        if not checked.cited or len(words) < 2:  # nothing cited, or citations with no claim around them
            log.warning("LLM answer cites no source; falling back to the extractive answer: %r", raw[:200])
            fallback.notes.append(NOTE_LLM_UNCITED)
            return fallback
        articles = self.extractive.articles([p.doc_id for p in turn.passages])
        problem = unsupported(turn.parsed, checked.text, turn.passages, articles, self.normalizer)
        if problem:  # a valid [n] is not enough: the claim must stand in its source, for what was asked
            log.warning("LLM answer states %s; answering that the articles do not hold it: %r", problem, raw[:200])
            return self._abstention(turn, "llm", notes=[NOTE_LLM_UNSUPPORTED])
        notes = []
        if checked.invalid:
            log.warning("LLM cited sources that do not exist: %s", checked.invalid)
            notes.append(NOTE_INVALID_CITATIONS)
        if checked.uncited_claims:
            notes.append(NOTE_UNCITED_CLAIMS)
        sources = []
        for n in sorted(checked.cited):
            p = turn.passages[n - 1]
            a, b = best_sentence(p, claims_citing(checked.text, n), self.normalizer)
            sources.append(Source.from_passage(n, p, a, b))
        return Answer(question=turn.question, text=to_persian_markers(checked.text), sources=sources,
                      abstained=False, answerer="llm", notes=notes)

    def _finish(self, turn: Turn) -> None:
        a = turn.answer
        a.standalone_question = turn.standalone
        a.passages = turn.passages
        a.notes = list(dict.fromkeys(a.notes))
        turn.timings["total"] = time.perf_counter() - turn.started
        a.timings_ms = {k: v * 1000 for k, v in turn.timings.items()}
