"""Checking what a language model wrote: claims, not only citation numbers.

A valid ``[n]`` is not enough (a model cited «۱۲۶ واحد اقتصادی [۳]» where source 3 gives ۱۲۶ هزار و ۹۱۰
insured workers and ۴۲۶ economic units). :func:`unsupported` reads every sentence of the answer:

* each amount it states must stand in a sentence of a source it cites, with the same value, a
  compatible unit and the same thing counted (the words after the number);
* that sentence must carry the question's constraints (``assistant/match.py``: the measure, the
  group, the unit, the period), so a figure for something no source gives is caught;
* an answer without amounts must cite at least one sentence that carries the constraints.

It returns a one-line English description of the first problem, or None.
"""

from __future__ import annotations

import re

from assistant.cite import CITATION, best_sentence, parse_numbers
from assistant.match import Article, check
from assistant.question import Question
from assistant.retrieve import Passage
from index.persian.numbers import find_amounts
from index.persian.lexicon import lexicon
from index.sentences import SentenceInfo

_SPLIT = re.compile(r"(?<=[.!؟?])\s+|\n+")
_WORD = re.compile(r"[^\W\d_]+")


def _sentences_of(p: Passage, article: Article | None) -> list[SentenceInfo]:
    if article is None:
        return []
    return [s for s in article.info.sentences if p.start <= s.start and s.end <= p.end + 1]


def _hard(misses) -> bool:
    return any(not m.soft for m in misses)


def _same_thing(claim_after: str, counted: tuple[str, ...]) -> bool:
    """Whether the words after a number in the claim name what the source's number counts (units aside:
    the amounts already agree on them)."""
    lex = lexicon()

    def nouns(words) -> list[str]:
        return [w for w in words if lex.role(w) == "content" and not lex.unit_of(w)][:2]

    said = nouns(_WORD.findall(claim_after)[:3])
    source = nouns(counted)
    if not said or not source:
        return True
    keys = {k for w in source for k in lex.keys(w)}
    return any(lex.keys(w) & keys for w in said)


def unsupported(question: Question, text: str, passages: list[Passage], articles: dict[str, Article],
                normalizer) -> str | None:
    """What in ``text`` (an answer with ``[n]`` markers into ``passages``) no source supports, or None."""
    if question.english:
        return None  # English questions carry no lexical constraints to check
    any_amount = False
    supported_claim = False
    for claim in _SPLIT.split(text):
        numbers = [n for m in CITATION.finditer(claim) for n in parse_numbers(m.group(1)) if 1 <= n <= len(passages)]
        if not numbers:
            continue
        bare = CITATION.sub(" ", claim)
        cited = [(passages[n - 1], articles.get(passages[n - 1].doc_id)) for n in dict.fromkeys(numbers)]
        for amount in find_amounts(bare):
            if float(amount.value) in question.amounts:
                continue  # the question's own figure, repeated
            any_amount = True
            after = normalizer.canonical(bare[amount.end:amount.end + 40])
            holding = [(s, article) for p, article in cited for s in _sentences_of(p, article)
                       for a in s.amounts if a.value == float(amount.value)
                       and (amount.unit is None or a.unit is None or a.unit == amount.unit)
                       and _same_thing(after, a.counted)]
            if not holding:
                return f"the figure «{amount.text}», which no source it cites states for that"
            if all(_hard(check(question, s, article)) for s, article in holding):
                s, article = holding[0]
                kinds = ", ".join(m.kind for m in check(question, s, article) if not m.soft)
                return f"the figure «{amount.text}» for something its source does not give ({kinds})"
        for p, article in cited:
            a, b = best_sentence(p, [bare], normalizer)
            info = next((s for s in _sentences_of(p, article) if s.start == p.start + a), None)
            if info is not None and not _hard(check(question, info, article)):
                supported_claim = True
    if not any_amount and question.constrained and not supported_claim:
        return "no claim that a cited sentence supports for what was asked"
    return None
