"""How much of a question a sentence holds: the matching keys of a sentence's words, and the question's
words weighted by rarity. For *scoring* (ranking sentences and passages); the checks in
``assistant/match.py`` are all-or-nothing and use the same keys.
"""

from __future__ import annotations

import math
from functools import lru_cache

from assistant.question import Question
from index.persian.lexicon import lexicon
from index.persian.normalize import TOKEN

PART = "⊂"  # marks the key of a part of a glued compound (سرمایه of سرمایهگذاری)


@lru_cache(maxsize=100_000)
def sentence_keys(canonical: str) -> frozenset[str]:
    """The keys of every word of a sentence, and (marked with ``PART``) of the parts of its glued compounds."""
    lex = lexicon()
    out: set[str] = set()
    words = [m.group() for m in TOKEN.finditer(canonical.lower())]
    for w in words:
        out |= lex.word_keys(w)
        for base in lex.bases(w):
            for a, b in lex.parts(base):
                out |= {PART + k for k in lex.keys(a) | lex.keys(b)}
    for a, b in zip(words, words[1:]):  # «بهره برداری» written apart is «بهرهبرداری»
        if not a[:1].isdigit() and not b[:1].isdigit():
            out |= lex.keys(a + b)
    return frozenset(out)


Weighted = list[tuple[frozenset[str], float]]


def weigh(q: Question, document_frequencies, num_docs: int) -> Weighted:
    """Each content word of ``q`` as (the keys it matches on, its weight by rarity in the index)
    for scoring how much of the question a sentence covers (not for the checks, which are all-or-nothing)."""
    lex = lexicon()
    terms = sorted({t for w in q.words for t in (w.text, *[k for k in w.keys if not k.startswith("≈")])})
    df = document_frequencies(terms) if terms else {}
    n = max(num_docs, 1)
    out = []
    for w in q.words:
        seen = [df.get(t, 0) for t in (w.text, *w.keys) if df.get(t, 0) > 0]
        weight = _idf(max(seen), n) if seen else _idf(0, n)
        keys = set(w.keys)
        for base in lex.bases(w.text):  # a glued compound matches on its parts
            for a, b in lex.parts(base):
                keys |= lex.keys(a) | lex.keys(b)
        out.append((frozenset(keys), weight))
    return out


def coverage(words: Weighted, keys: frozenset[str]) -> float:
    """The weighted share of the question's words found among ``keys``."""
    total = sum(w for _, w in words)
    return sum(w for k, w in words if k & keys) / total if total else 0.0


@lru_cache(maxsize=100_000)
def plain_keys(canonical: str) -> frozenset[str]:
    """``sentence_keys`` with compound parts unmarked: for scoring, where a part counts as a match."""
    return frozenset(k[1:] if k.startswith(PART) else k for k in sentence_keys(canonical))


def _idf(df: int, n: int) -> float:
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))
