"""Citations: reading ``[n]`` markers in generated text, dropping the invalid ones, and finding the
sentence of a source that a claim relies on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.retrieve import Passage
from index.persian.fold import latin_digits
from index.persian.normalize import TextNormalizer

# [1] [۱] [1, 2] [۱، ۲] [1][2]
CITATION = re.compile(r"\[\s*([0-9۰-۹٠-٩]+(?:\s*[,،]\s*[0-9۰-۹٠-٩]+)*)\s*\]")
_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+|\n+")


@dataclass(frozen=True)
class CheckedText:
    text: str                  # the text with invalid citation numbers removed
    cited: list[int]           # valid numbers, in order of first use
    invalid: list[int]         # numbers that pointed at no source
    uncited_claims: int        # sentences with no citation at all


def parse_numbers(marker_body: str) -> list[int]:
    return [int(x) for x in re.split(r"\s*[,،]\s*", latin_digits(marker_body).strip()) if x]


def check_citations(text: str, n_sources: int) -> CheckedText:
    """Keep the markers that point at a source (1..n_sources); remove the others."""
    cited: list[int] = []
    invalid: list[int] = []

    def fix(m: re.Match) -> str:
        numbers = parse_numbers(m.group(1))
        good = [n for n in numbers if 1 <= n <= n_sources]
        invalid.extend(n for n in numbers if not 1 <= n <= n_sources)
        for n in good:
            if n not in cited:
                cited.append(n)
        return f"[{', '.join(str(n) for n in good)}]" if good else ""

    fixed = CITATION.sub(fix, text)
    fixed = re.sub(r"[ \t]+([.،؛!؟?])", r"\1", fixed)
    fixed = re.sub(r"[ \t]{2,}", " ", fixed).strip()
    sentences = [s for s in _SENTENCE_END.split(fixed) if len(s.strip()) > 15]
    uncited = sum(1 for s in sentences if not CITATION.search(s))
    return CheckedText(fixed, cited, invalid, uncited)


def claims_citing(text: str, n: int) -> list[str]:
    """The sentences of ``text`` that cite source ``n``."""
    out = []
    for sentence in _SENTENCE_END.split(text):
        for m in CITATION.finditer(sentence):
            if n in parse_numbers(m.group(1)):
                out.append(CITATION.sub("", sentence))
                break
    return out


def best_sentence(passage: Passage, claims: list[str], normalizer: TextNormalizer) -> tuple[int, int]:
    """Offsets (in ``passage.text``) of the passage sentence that shares most words with ``claims``."""
    sentences = passage.sentence_texts()
    if not claims:
        a, b, _ = sentences[0]
        return a, b
    claim_terms = set(normalizer.tokens(" ".join(claims)))
    best = max(sentences, key=lambda s: len(claim_terms & set(normalizer.tokens(s[2]))))
    return best[0], best[1]


def to_persian_markers(text: str) -> str:
    """``[1, 2]`` → ``[۱، ۲]`` for display in Persian text."""
    from assistant.answer import fa_number

    return CITATION.sub(lambda m: "[" + "، ".join(fa_number(n) for n in parse_numbers(m.group(1))) + "]", text)
