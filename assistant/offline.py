"""The offline answerer: picks the sentences of the retrieved passages that answer the question.

No language model. Each sentence of the top passages is scored by how much of the question it covers
(words weighted by how rare they are in the index, a stem counting as a match), whether it holds the
kind of thing asked for (an amount, a person, a date, a list), and the rank of its passage. The best
sentence is the answer, with a second one when it scores almost as well.

It abstains when the passages do not hold the answer: the question names a province that the best
passages' articles never mention, or too little of the question is covered (lexically, or for a
question in English, by the dense similarity). The thresholds are calibrated on
``eval/dev_questions.jsonl`` (see the README for the trade-off).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from assistant.question import QUESTION_WORDS, Question
from assistant.retrieve import Passage
from index.normalize import TextNormalizer
from index.places import find_provinces

_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(r"(?<!\w)(یک|دو|سه|چهار|پنج|شش|هفت|هشت|نه|ده|صد|هزار|میلیون|میلیارد)(?!\w)")
_PERSON = re.compile(r"مدیرکل|مدیر کل|رئیس|رییس|معاون|وزیر|استاندار|مدیرعامل|دبیر|نماینده|سرپرست|«|»")
_DATE = re.compile(r"\d{4}/\d{1,2}/\d{1,2}|(?<!\w)(فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|"
                   r"اسفند|شنبه|یکشنبه|دوشنبه|سهشنبه|چهارشنبه|پنجشنبه|جمعه)(?!\w)|سال \d{4}|\d{4}")
_LIST = re.compile(r"،|,| و ")
_SIMILARITY_PASSAGES = 2
# hazm stop words that carry the period or scope of a figure: kept
_KEEP = frozenset({"جاری", "اخیر", "نخست", "اول", "برابر", "کل", "بیشترین", "کمترین"})
_PLURAL = re.compile(r"(هایی|های|ها|ان)$")
_COUNT_WORDS = frozenset({"چند", "چندتا", "تعداد", "many"})
_NUMBER_WORDS = frozenset("یک دو سه چهار پنج شش هفت هشت نه ده یازده دوازده بیست سی چهل پنجاه صد دویست سیصد "
                          "هزار میلیون میلیارد".split())


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    text = (Path(__file__).parent / "given_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().replace("\u200c", "") for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class Thresholds:
    """When to abstain. Calibrated on the development set (bench/answer_eval and README)."""

    min_coverage: float = 0.5        # share of the question's weighted words in the best passage
    min_dense_english: float = 0.74  # similarity of the best passage, for questions with no lexical signal
    strong_dense: float = 0.88       # a passage this similar keeps the answer even with low coverage
    second_sentence: float = 0.85    # a second sentence is added when it scores this share of the best


@dataclass(frozen=True)
class Pick:
    """A chosen sentence: which passage, where in its text, and how it scored."""

    passage: int
    start: int
    end: int
    text: str
    score: float


@dataclass
class Draft:
    picks: list[Pick]
    abstained: bool
    reason: str = ""
    features: dict = field(default_factory=dict)


def _idf(df: int, n: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class OfflineAnswerer:
    def __init__(self, normalizer: TextNormalizer, document_frequencies: Callable[[list[str]], dict[str, int]],
                 num_docs: Callable[[], int], document_text: Callable[[str], str | None],
                 thresholds: Thresholds | None = None, max_sentences: int = 2) -> None:
        self.normalizer = normalizer
        self.document_frequencies = document_frequencies
        self.num_docs = num_docs
        self.document_text = document_text
        self.thresholds = thresholds or Thresholds()
        self.max_sentences = max_sentences
        self._doc_provinces: dict[str, frozenset[str]] = {}

    # -- question words and their weights --------------------------------------------------------
    def _weighted_words(self, question: Question) -> list[tuple[frozenset[str], float]]:
        """Each content word of the question as (its terms, its weight)."""
        indexed = [(j, w, list(terms)) for j, (w, terms) in enumerate(self.normalizer.words(question.canonical,
                                                                                          canonical=True))
                   if w not in QUESTION_WORDS and (w not in self.normalizer.stopwords or w in _KEEP)]
        # compounds are written apart or glued (دانش بنیان / دانشبنیان, سال جاری / سالجاری): either word
        # of two neighbours matches the glued form
        for (j1, w1, t1), (j2, w2, t2) in zip(indexed, indexed[1:]):
            if j2 == j1 + 1 and not w1[:1].isdigit() and not w2[:1].isdigit():
                t1.append(w1 + w2)
                t2.append(w1 + w2)
        words = [(w, terms) for _, w, terms in indexed]
        all_terms = sorted({t for _, terms in words for t in terms})
        df = self.document_frequencies(all_terms) if all_terms else {}
        n = max(self.num_docs(), 1)
        out = []
        for _, terms in words:
            seen = [df.get(t, 0) for t in terms if df.get(t, 0) > 0]
            weight = _idf(max(seen), n) if seen else _idf(0, n)
            out.append((frozenset(terms), weight))
        return out

    def _terms(self, text: str) -> set[str]:
        return set(self.normalizer.tokens(text))

    @staticmethod
    def _coverage(words: list[tuple[frozenset[str], float]], terms: set[str]) -> float:
        total = sum(w for _, w in words)
        if not total:
            return 0.0
        return sum(w for t, w in words if t & terms) / total

    def _provinces_of(self, doc_id: str, fallback: str) -> frozenset[str]:
        if doc_id not in self._doc_provinces:
            text = self.document_text(doc_id) or fallback
            self._doc_provinces[doc_id] = frozenset(find_provinces(self.normalizer.canonical(text)))
        return self._doc_provinces[doc_id]

    @staticmethod
    def _type_bonus(question: Question, canonical_sentence: str, tokens: list[str]) -> float:
        t = question.answer_type
        if t == "amount":
            return 1.0 if _DIGIT.search(canonical_sentence) or _NUMBER_WORD.search(canonical_sentence) else 0.0
        if t == "who":
            if any(tok in _given_names() or tok[:3] in ("محمد", "علی") and len(tok) > 4 for tok in tokens):
                return 1.0
            return 0.3 if _PERSON.search(canonical_sentence) else 0.0
        if t == "when":
            return 1.0 if _DATE.search(canonical_sentence) else 0.0
        if t == "which":
            return 1.0 if len(_LIST.findall(canonical_sentence)) >= 2 else 0.0
        return 0.0

    # -- the answer --------------------------------------------------------------------------------
    def answer(self, question: Question, passages: list[Passage],
               sentence_similarity: Callable[[list[str]], list[float]] | None = None) -> Draft:
        """Pick the answering sentences of ``passages`` or abstain.

        ``sentence_similarity`` (texts → cosine similarity to the question) is used for questions with
        no lexical signal (in English): it costs an embedding per sentence."""
        if not passages:
            return Draft([], True, "no passages")
        words = self._weighted_words(question)
        th = self.thresholds
        sentences: list[tuple[int, int, int, str, str, set[str], list[str]]] = []
        seen: set[tuple[str, int]] = set()
        passage_cov: list[float] = []
        for i, p in enumerate(passages):
            passage_cov.append(self._coverage(words, self._terms(p.title + "\n" + p.text)))
            for a, b, text in p.sentence_texts():
                key = (p.doc_id, p.start + a)
                if key in seen:
                    continue
                seen.add(key)
                canonical = self.normalizer.canonical(text)
                tokens = [w for w, _ in self.normalizer.words(canonical, canonical=True)]
                terms = set(self.normalizer.tokens(canonical, canonical=True))
                sentences.append((i, a, b, text.strip(), canonical, terms, tokens))
        # the province a question names is checked per article (below), not per sentence: an article
        # about Gilan says "the province" in most of its sentences
        province_words = {w for prov in question.provinces for w in prov.split()}
        sentence_words = [(t, w) for t, w in words if not t & province_words] or words
        # a word found in every candidate sentence does not tell them apart: weigh words locally too
        n_sent = len(sentences)
        local = [(t, w * math.log(1.0 + n_sent / (1 + sum(1 for s in sentences if t & s[5]))))
                 for t, w in sentence_words]
        counted = self._counted_terms(question)
        similarities = None
        if sentence_similarity is not None and (question.english or not words):
            # an embedding per sentence costs ~25 ms here: only the sentences of the top passages
            near = [k for k, s in enumerate(sentences) if s[0] < _SIMILARITY_PASSAGES]
            computed = dict(zip(near, sentence_similarity([sentences[k][3] for k in near])))
            similarities = [computed.get(k, 0.0) for k in range(len(sentences))]
        candidates: list[Pick] = []
        for k, (i, a, b, text, canonical, terms, tokens) in enumerate(sentences):
            score = (0.5 * self._coverage(sentence_words, terms) + 0.5 * self._coverage(local, terms)
                     + 0.25 * self._type_bonus(question, canonical, tokens)
                     + 0.3 * self._counted_bonus(counted, tokens)
                     + 0.15 / (1 + i) + 0.1 * passage_cov[i])
            if similarities is not None:
                score += 4.0 * similarities[k]
            if question.provinces and not set(question.provinces) & self._provinces_of(
                    passages[i].doc_id, passages[i].title + " " + passages[i].text):
                continue  # from an article about another province: never the answer
            candidates.append(Pick(i, a, b, text, score))
        candidates.sort(key=lambda c: -c.score)
        if not candidates:
            return Draft([], True, f"no article about {', '.join(question.provinces)}",
                         {"dense": passages[0].dense})
        best = candidates[0]
        top = passages[0]
        features = {
            "coverage": round(max(passage_cov), 3),
            "best_sentence": round(best.score, 3),
            "dense": round(top.dense, 4) if top.dense is not None else None,
            "words": len(words),
        }
        # a named province that none of the best passages' articles mention
        if question.provinces:
            docs = {p.doc_id: p for p in passages[:3]}
            named = set().union(*(self._provinces_of(d, p.title + " " + p.text) for d, p in docs.items()))
            missing = [prov for prov in question.provinces if prov not in named]
            features["missing_provinces"] = missing
            if missing:
                return Draft([], True, f"no article about {', '.join(missing)}", features)
        dense = top.dense if top.dense is not None else 0.0
        if question.english or not words:
            if dense < th.min_dense_english:
                return Draft([], True, "low similarity", features)
        elif max(passage_cov) < th.min_coverage and dense < th.strong_dense:
            return Draft([], True, "question not covered", features)
        picks = [best]
        for c in candidates[1:]:
            if len(picks) >= self.max_sentences:
                break
            if c.score >= th.second_sentence * best.score and not self._repeats(c.text, picks):
                picks.append(c)
        return Draft(picks, False, "", features)

    def _repeats(self, text: str, picks: list[Pick]) -> bool:
        """Whether ``text`` says mostly what a chosen sentence says (news repeats its lead)."""
        terms = set(self.normalizer.tokens(text))
        for p in picks:
            other = set(self.normalizer.tokens(p.text))
            if terms and other and len(terms & other) / min(len(terms), len(other)) > 0.7:
                return True
        return False

    def _counted_terms(self, question: Question) -> tuple[str, ...]:
        """The noun a "how many" question counts (چند نفر, چند تا شرکت, تعداد تعاونی‌ها), without plural."""
        words = [w for w, _ in self.normalizer.words(question.canonical, canonical=True)]
        out = []
        for j, w in enumerate(words):
            if w in _COUNT_WORDS:
                following = [w2 for w2 in words[j + 1:j + 3] if w2 not in ("تا", "عدد")][:1]
                out.extend(_PLURAL.sub("", w2) or w2 for w2 in following)
        return tuple(out)

    @staticmethod
    def _counted_bonus(counted: tuple[str, ...], tokens: list[str]) -> float:
        """1 when a number in the sentence is followed (within three words) by the counted noun."""
        if not counted:
            return 0.0
        for j, tok in enumerate(tokens):
            if tok[:1].isdigit() or tok in _NUMBER_WORDS:
                if any(t.startswith(c) for t in tokens[j + 1:j + 4] for c in counted):
                    return 1.0
        return 0.0
