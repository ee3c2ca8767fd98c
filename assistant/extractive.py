"""The offline answerer: picks the sentences of the retrieved passages that answer the question.

No language model. Each sentence of the top passages is scored by how much of the question it covers
(words weighted by how rare they are in the index; stems, colloquial spellings, glued compounds and
words meaning the same count as matches), whether it holds the kind of thing asked for (an amount, a
person, a date, a list) and the rank of its passage. Then every constraint of the question is checked
(``assistant/match.py``): a sentence answers only when it holds the measure, the group, the unit, the
period and the kind of answer asked. The best sentence that does is the answer, with a second one when
it scores almost as well.

It abstains when no sentence carries every constraint (then ``Draft.nearest`` is the best sentence and
``Draft.misses`` what it lacks, for the explanation), when the question names a province that none of
the best passages' articles mention, when the question says nothing it could be about, or, for a
question in English, when no passage is similar enough.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from assistant.coverage import coverage, plain_keys, weigh
from assistant.draft import Draft, Pick, Verdict
from assistant.binding import binds, contrasted
from assistant.match import Article, Miss, check, title_runs
from assistant.params import Picking, SentenceWeights, Thresholds, load
from assistant.query import Query
from assistant.question import Question
from assistant.retrieve import Passage
from index.persian.lexicon import lexicon
from index.persian.normalize import TOKEN
from index.sentences import SentenceInfo

_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(r"(?<!\w)(یک|دو|سه|چهار|پنج|شش|هفت|هشت|نه|ده|صد|هزار|میلیون|میلیارد)(?!\w)")
_PERSON = re.compile(r"مدیرکل|مدیر کل|رئیس|رییس|معاون|وزیر|استاندار|مدیرعامل|دبیر|نماینده|سرپرست|«|»")
_LIST = re.compile(r"،|,| و ")
_SIMILARITY_PASSAGES = 2
_PLACE = re.compile(r"(?<!\w)(شهرستان|شهر|روستای|استان|بخش|منطقه|کشور)\s+\w+")
_SAID = re.compile(r"(?<!\w)(گفت|افزود|اظهار|تصریح|خبر داد|بیان کرد|ادامه داد|خاطرنشان|عنوان کرد|اعلام کرد)")


def _quotes_role(question: Question, s: SentenceInfo) -> bool:
    """Whether ``s`` quotes someone by the role the question asks about: «امام جمعه بوشهر گفت: ...»."""
    asked = [w for w in question.words if w.role == "title"]
    said = _SAID.search(s.canonical)
    if not asked or not said or s.names:
        return False
    runs = title_runs(s.canonical[:said.start()])
    lex = lexicon()
    return bool(runs) and all(w.keys & lex.keys(t) for w, t in zip(asked, runs[0]))


def _names_speaker(question: Question, s: SentenceInfo) -> bool:
    """Whether ``s`` names the one who speaks, under no other role: «آیت الله غلامعلی صفایی ... اظهار داشت»."""
    if not s.names or not _SAID.search(s.canonical):
        return False
    asked = frozenset(k for w in question.words if w.role == "title" for k in w.keys)
    return all(any(lexicon().keys(t) & asked for t in run) for run in title_runs(s.canonical))


@dataclass
class _Sentence:
    passage: int
    start: int          # offsets in the passage text
    end: int
    text: str
    info: SentenceInfo
    keys: frozenset[str]
    tokens: list[str]
    vector: object = None   # its stored embedding (numpy), when the index keeps them


@dataclass
class Scored:
    """What :meth:`ExtractiveAnswerer.score` found: (score, sentence, features) best first, and its inputs."""

    sentences_scored: list[tuple[float, _Sentence, dict[str, float]]]
    words: list
    passage_cov: list[float]
    similarities: list[float] | None
    sentences: list[_Sentence]


class ExtractiveAnswerer:
    def __init__(self, document_frequencies: Callable[[list[str]], dict[str, int]],
                 num_docs: Callable[[], int], articles: Callable[[list[str]], dict[str, Article]],
                 thresholds: Thresholds | None = None, weights: SentenceWeights | None = None,
                 picking: Picking | None = None,
                 passage_for: Callable[[str, int, int], Passage | None] | None = None,
                 query_vector: Callable[[str], object] | None = None) -> None:
        """``thresholds``, ``weights`` and ``picking`` not given: those of ``assistant/params.toml``."""
        self.document_frequencies = document_frequencies
        self.num_docs = num_docs
        self.articles = articles
        self.passage_for = passage_for
        self.query_vector = query_vector  # canonical question → its embedding (cached: search made it)
        self.thresholds = thresholds or load().thresholds
        self.weights = weights or load().sentence_weights
        # questions for figures and dates («چند», «چه سالی»), and those whose best sentence names the person or
        # lists the things asked, are answered by the sentence that states it, with at most one more; the others
        # («چرا», «چیست», «کدام») are often answered across sentences (measured on dev-ext: docs/quality-and-speed.md)
        self.picking = picking or load().picking

    # -- question words and their weights --------------------------------------------------------

    @staticmethod
    def _type_bonus(question: Question, s: _Sentence) -> float:
        t = question.answer_type
        canonical = s.info.canonical
        if t == "amount":
            return 1.0 if s.info.amounts or _NUMBER_WORD.search(canonical) else 0.0
        if t == "who":
            if len(s.info.names) >= 2:
                return 1.5  # a full name: «حسینعلی خواجهمظفری»
            if s.info.names:
                return 1.0
            return 0.3 if _PERSON.search(canonical) else 0.0
        if t == "when":
            return 1.0 if s.info.date or s.info.weekday else 0.0
        if t == "which":
            if question.which:  # «کشورهای ترکمنستان، عراق، ...»: the noun asked about, then a list
                want = lexicon().keys(question.which)
                for i, tok in enumerate(s.tokens):
                    if lexicon().keys(tok) & want:
                        tail = canonical.split(tok, 1)[-1]
                        first = tail.find("،")
                        if 0 <= first < 40 and len(_LIST.findall(tail[:200])) >= 2:
                            return 1.5
            return 1.0 if len(_LIST.findall(canonical)) >= 2 else 0.0
        return 0.0

    # -- the answer --------------------------------------------------------------------------------
    def score(self, question: Question | Query, passages: list[Passage], articles: dict[str, Article],
              sentence_similarity: Callable[[list[str]], list[float]] | None = None) -> Scored:
        """Every candidate sentence of ``passages`` with its features (names of :class:`SentenceWeights`),
        best scored first. Sentences from an article about another province than the one asked are left out."""
        asked = question if isinstance(question, Query) else None   # the turn's query: its weights and vector
        question = asked.question if asked is not None else question
        sentences = self._sentences(passages, articles)
        words = asked.words if asked is not None else weigh(question, self.document_frequencies, self.num_docs())
        passage_keys = [frozenset().union(*(s.keys for s in sentences if s.passage == i)) for i in range(len(passages))]
        passage_cov = [coverage(words, k) for k in passage_keys]
        # a word found in every candidate sentence does not tell them apart: weigh words locally too
        n_sent = len(sentences)
        local = [(k, w * math.log(1.0 + n_sent / (1 + sum(1 for s in sentences if k & s.keys)))) for k, w in words]
        counted = question.counted
        similarities = None
        if self.query_vector is not None and any(s.vector is not None for s in sentences):
            q = asked.vector if asked is not None else self.query_vector(question.canonical)
            similarities = [float(s.vector @ q) if s.vector is not None else 0.0 for s in sentences]
        elif sentence_similarity is not None and (question.english or not words):
            # an embedding per sentence costs ~25 ms here: only the sentences of the top passages
            near = [k for k, s in enumerate(sentences) if s.passage < _SIMILARITY_PASSAGES]
            computed = dict(zip(near, sentence_similarity([sentences[k].text for k in near])))
            similarities = [computed.get(k, 0.0) for k in range(len(sentences))]
        scored: list[tuple[float, _Sentence, dict[str, float]]] = []
        for k, s in enumerate(sentences):
            article = articles.get(passages[s.passage].doc_id)
            if question.provinces and article is not None and not set(question.provinces) & set(article.info.provinces):
                continue  # from an article about another province: never the answer
            features = {"coverage": coverage(words, s.keys), "local": coverage(local, s.keys),
                        "kind": self._type_bonus(question, s), "counted": self._counted_bonus(counted, s),
                        "rank": 1 / (1 + s.passage), "passage_coverage": passage_cov[s.passage],
                        "meaning": similarities[k] if similarities is not None else 0.0}
            scored.append((self.weights.score(features), s, features))
        scored.sort(key=lambda x: -x[0])
        return Scored(scored, words, passage_cov, similarities, sentences)

    def answer(self, question: Question | Query, passages: list[Passage],
               sentence_similarity: Callable[[list[str]], list[float]] | None = None) -> Draft:
        """Pick the answering sentences of ``passages`` or abstain.

        ``sentence_similarity`` (texts → cosine similarity to the question) is used for questions with
        no lexical signal (in English): it costs an embedding per sentence."""
        if not passages:
            return Draft([], True, Verdict.NO_PASSAGES)
        th = self.thresholds
        articles = self.articles([p.doc_id for p in passages])
        result = self.score(question, passages, articles, sentence_similarity)
        question = question.question if isinstance(question, Query) else question
        words, passage_cov, similarities, sentences = result.words, result.passage_cov, result.similarities, result.sentences
        scored = [(score, s) for score, s, _f in result.sentences_scored]
        top = passages[0]
        features = {"coverage": round(max(passage_cov), 3) if passage_cov else 0.0,
                    "dense": round(top.dense, 4) if top.dense is not None else None, "words": len(words)}
        if not scored:
            return Draft([], True, Verdict.NO_ARTICLE, features, detail=", ".join(question.provinces))
        # a named province that none of the best passages' articles mention
        if question.provinces:
            named = set().union(*(set(a.info.provinces) for d, a in articles.items()
                                  if d in {p.doc_id for p in passages[:3]}))
            missing = [prov for prov in question.provinces if prov not in named]
            features["missing_provinces"] = missing
            if missing:
                return Draft([], True, Verdict.NO_ARTICLE, features, detail=", ".join(missing))
        if question.english or not question.constrained:
            dense = top.dense if top.dense is not None else 0.0
            if question.english and dense < th.min_dense_english:
                return Draft([], True, Verdict.LOW_SIMILARITY, features)
            if not question.english:
                return Draft([], True, Verdict.NOTHING_ASKED, features)
        checked: list[tuple[float, _Sentence, list[Miss]]] = []
        for score, s in scored:
            article = articles.get(passages[s.passage].doc_id)
            misses = check(question, s.info, article) if article is not None and not question.english else []
            if question.kind in ("who", "name") and any(m.kind == "name" for m in misses) and \
                    _quotes_role(question, s.info) and \
                    self._neighbour(s, article, 0, lambda x: _names_speaker(question, x), probe=True):
                misses = [m for m in misses if m.kind != "name"]  # «امام جمعه بوشهر گفت»; the next names him
            checked.append((score, s, misses))
        weight = {w.text: x for w, (_k, x) in zip(question.words, words)}
        total = sum(weight.values()) or 1.0
        # a headline rounds its figure («۲۶۰۰ فرصت شغلی»); the body states it («۲ هزار و ۵۹۱ نفر»): the body first
        pk = self.picking
        answering = [(score - pk.miss_penalty * len(misses) -
                      (pk.title_penalty if self._is_title(s, passages, articles) else 0.0), s, misses)
                     for score, s, misses in checked
                     if self._acceptable(question, misses, weight, total, s.info)]
        answering.sort(key=lambda x: -x[0])
        features["best_sentence"] = round(scored[0][0], 3)
        if answering:
            _score, s, misses = answering[0]
            features["missing_share"] = round(sum(weight.get(m.asked, 0.0) for m in misses
                                                  if m.kind == "word" and not m.soft) / total, 3)
            if similarities is not None:
                features["similarity"] = round(similarities[sentences.index(s)], 4)
        part = next((m for m in answering[0][2] if m.kind == "period" and m.soft), None) if answering else None
        answering = [(score, s) for score, s, _misses in answering]
        if not answering:
            # the nearest sentence: the one that lacks least, then the best scored
            score, s, misses = min(checked, key=lambda c: (sum(1 for m in c[2] if not m.soft), -c[0]))
            nearest = Pick(s.passage, s.start, s.end, s.text, score)
            # a sentence that shares little with the question is not a near miss worth explaining
            missing = sum(1 for m in misses if m.kind in ("word", "which"))
            near = not question.words or 1 - missing / len(question.words) >= th.near_coverage
            # other periods the articles give this figure for: named in the refusal, each cited
            other_periods = []
            for score2, s2, misses2 in sorted(checked, key=lambda c: -c[0]):
                period = next((m for m in misses2 if m.kind == "period" and not m.soft), None)
                rest = [m for m in misses2 if m.kind != "period"]
                if period is not None and period.found and self._acceptable(question, rest, weight, total, s2.info) and \
                        not self._repeats(s2, [p for p, _ in other_periods], sentences):
                    other_periods.append((Pick(s2.passage, s2.start, s2.end, s2.text, score2), period.found.split("، ")[0]))
                if len(other_periods) >= 3:
                    break
            return Draft([], True, Verdict.CONSTRAINTS_NOT_MET, features, nearest=nearest, misses=misses if near else [],
                         other_periods=other_periods,
                         article=articles.get(passages[s.passage].doc_id))
        best_score, best = answering[0]
        picks = [Pick(best.passage, best.start, best.end, best.text, best_score)]
        extra: list[Passage] = []
        article = articles.get(passages[best.passage].doc_id)
        if question.kind in ("who", "name"):
            full = self._full_name(best.info, article, len(passages))
            if full is None and not best.info.names and _quotes_role(question, best.info):
                # «امام جمعه بوشهر گفت: ...» answers who said it; the next sentence names him (in full, if the
                # article does somewhere)
                full = self._neighbour(best, article, len(passages), lambda x: _names_speaker(question, x))
                if full is not None:
                    info = next((x for x in article.info.sentences if x.start == full[1].start + full[0].start), None)
                    full = (self._full_name(info, article, len(passages)) if info else None) or full
            if full is not None:  # «کبیری گفت ...» answers; «محمدجعفر کبیری ...» names him in full
                pick, passage = full
                picks.insert(0, pick)
                extra.append(passage)
        elif question.kind == "place" and not best.info.provinces and not _PLACE.search(best.info.canonical):
            near = self._neighbour(best, article, len(passages),
                                   lambda x: bool(x.provinces) or bool(_PLACE.search(x.canonical)))
            if near is not None:  # where it happened is in the sentence next to it
                picks.append(near[0])
                extra.append(near[1])
        elif question.kind in ("date", "when", "weekday") and not (best.info.date or best.info.weekday):
            near = self._neighbour(best, article, len(passages), lambda x: x.date or x.weekday)
            if near is not None:  # the day is in the sentence next to the event
                picks.append(near[0])
                extra.append(near[1])
        limit = self.picking.max_sentences
        if question.kind in th.strict_kinds or self._states_it_all(question, best):
            limit = self.picking.max_figure_sentences  # a figure, a date, a name, a list: the sentence that states it
        for score, s in answering[1:]:
            if len(picks) >= limit:
                break
            if score >= th.second_sentence * best_score and not self._repeats(s, picks, sentences):
                picks.append(Pick(s.passage, s.start, s.end, s.text, score))
        return Draft(picks, False, Verdict.ANSWERED, features, extra=extra, partial=(part.asked, part.found) if part else None)

    def _states_it_all(self, question: Question, best: _Sentence) -> bool:
        """Whether ``best`` holds all a «چه کسی» or «کدام» question asks: a person's name, or the list that
        follows the noun asked about («کشورهای ترکمنستان، عراق، ...»)."""
        bonus = self._type_bonus(question, best)
        return (question.answer_type == "who" and bonus >= 1) or (question.answer_type == "which" and bonus >= 1.5)

    def _full_name(self, best: SentenceInfo, article: Article | None, n_passages: int) -> tuple[Pick, Passage] | None:
        """The article's sentence naming in full the person ``best`` names by surname only, as a pick."""
        from index.sentences import is_given_name

        if article is None or self.passage_for is None or any(is_given_name(n) for n in best.names):
            return None
        surnames = [n for n in best.names if n in article.info.surnames]
        for s in article.info.sentences:
            words = s.canonical.split()
            if any(is_given_name(a) and b in surnames for a, b in zip(words, words[1:])):
                p = self.passage_for(article.doc_id, s.start, s.end)
                if p is None:
                    return None
                a, b = s.start - p.start, s.end - p.start
                return Pick(n_passages, a, b, p.text[a:b].strip(), 0.0), p
        return None

    @staticmethod
    def _is_title(s: _Sentence, passages: list[Passage], articles: dict[str, Article]) -> bool:
        article = articles.get(passages[s.passage].doc_id)
        return article is not None and s.info.start == 0 and bool(article.title) and \
            s.info.canonical.strip() == article.title.strip()

    def _neighbour(self, best: _Sentence, article: Article | None, n_passages: int,
                   wanted: Callable[[SentenceInfo], bool], probe: bool = False) -> tuple[Pick, Passage] | bool | None:
        """The sentence right after ``best`` (or right before it) when it holds what ``best`` lacks, as a pick
        (``probe``: only whether there is one)."""
        if article is None or self.passage_for is None:
            return None
        order = article.info.sentences
        at = next((i for i, x in enumerate(order) if x.start == best.info.start), None)
        if at is None:
            return None
        for i in (at + 1, at - 1):
            if 0 <= i < len(order) and wanted(order[i]):
                if probe:
                    return True
                s = order[i]
                p = self.passage_for(article.doc_id, s.start, s.end)
                if p is None:
                    return None
                a, b = s.start - p.start, s.end - p.start
                return Pick(n_passages, a, b, p.text[a:b].strip(), 0.0), p
        return None

    def _acceptable(self, question: Question, misses: list[Miss], weight: dict[str, float], total: float,
                    sentence: SentenceInfo | None = None) -> bool:
        """Whether a sentence with these misses answers: no constraint of a kind (unit, period, count, ...)
        missing; for a figure no word either; otherwise missing words up to ``max_missing_share``."""
        hard = [m for m in misses if not m.soft]
        if any(m.kind != "word" for m in hard):
            return False
        if not hard:
            return True
        if question.kind in self.thresholds.strict_kinds:
            limit = self.thresholds.binding_log_frequency
            if limit is None or question.kind not in self.thresholds.binding_kinds:
                return False
            by_text = {w.text: w for w in question.words}
            if any(m.asked not in by_text or binds(by_text[m.asked], question, limit) or
                   (sentence is not None and contrasted(by_text[m.asked], question, sentence)) for m in hard):
                return False
        return sum(weight.get(m.asked, 0.0) for m in hard) / total <= self.thresholds.max_missing_share

    def _sentences(self, passages: list[Passage], articles: dict[str, Article]) -> list[_Sentence]:
        out: list[_Sentence] = []
        seen: set[tuple[str, int]] = set()
        for i, p in enumerate(passages):
            article = articles.get(p.doc_id)
            by_start = {s.start: s for s in article.info.sentences} if article else {}
            for a, b, text in p.sentence_texts():
                key = (p.doc_id, p.start + a)
                if key in seen:
                    continue
                seen.add(key)
                info = by_start.get(p.start + a)
                if info is None:  # not analysed (a passage cut inside a sentence): no constraints can be checked
                    continue
                tokens = [m.group() for m in TOKEN.finditer(info.canonical)]
                out.append(_Sentence(i, a, b, text.strip(), info, plain_keys(info.canonical), tokens,
                                     article.vectors.get(info.start) if article else None))
        return out

    def _repeats(self, s: _Sentence, picks: list[Pick], sentences: list[_Sentence]) -> bool:
        """Whether ``s`` says mostly what a chosen sentence says (news repeats its lead): more than
        ``repeat_overlap`` of the shorter one's words."""
        terms = set(s.tokens)
        for p in picks:
            other = next((set(x.tokens) for x in sentences if x.passage == p.passage and x.start == p.start), set())
            if terms and other and len(terms & other) / min(len(terms), len(other)) > self.picking.repeat_overlap:
                return True
        return False

    @staticmethod
    def _counted_bonus(counted: tuple[str, ...], s: _Sentence) -> float:
        """1 when an amount of the sentence counts the thing «چند ...» asks about."""
        if not counted:
            return 0.0
        lex = lexicon()
        head = lex.keys(counted[0])
        return 1.0 if any(head & lex.keys(w) for a in s.info.amounts for w in a.counted[:2]) else 0.0
