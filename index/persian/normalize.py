"""Persian text normalization: a clean display text and a canonical matching key.

Two forms of every text exist in the index:

* the **display text** is the article as written, minus characters that carry no meaning
  (zero-width spaces, bidi overrides, Unicode tag characters). Offsets, quotes and citations
  point into it.
* the **canonical text** is what retrieval matches on, for passages and questions alike:
  Arabic letters folded to Persian (``ي ك`` → ``ی ک``), every digit script folded to one,
  diacritics dropped, and half-spaces removed so that ``تعاونی‌های``, ``تعاونی های`` and
  ``تعاونیهای`` become the same string. Numbers keep their decimal point and lose their
  thousands separators (hazm alone would split ``2.5`` and ``1,200,000``; see
  ``shared/notes/persian-text.md``).

hazm objects take seconds to build, so :class:`TextNormalizer` builds them once and is reused
for the life of the process (``get_normalizer()``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property

from index.once import once
from index.persian.fold import ZWNJ, fold_chars


# Characters removed at ingest: they carry no meaning in Persian news text and can hide content
# (bidi overrides reorder what a reader sees; tag characters can smuggle invisible instructions).
# ZWNJ (U+200C) is Persian and is kept in the display text.
_INVISIBLE = re.compile(
    "["
    "\u00ad"  # soft hyphen
    "\u180e"  # Mongolian vowel separator
    "\u200b"  # zero-width space
    "\u200d"  # zero-width joiner (no role in Persian script)
    "\u200e\u200f"  # LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner, invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # BOM / zero-width no-break space
    "\ufff9-\ufffb"  # interlinear annotations
    "\U000e0000-\U000e007f"  # Unicode tag characters
    "]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab, newline, CR
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# A number written with a thousands separator (Latin, Arabic or Persian comma) or decimal point.
_THOUSANDS = re.compile(r"(?<=\d)[,٬](?=\d{3}(?!\d))")
_DECIMAL = re.compile(r"(?<=\d)[٫.](?=\d)")
# Suffixes and prefixes that people write joined, with a half-space, or with a full space.
_SPACED_SUFFIX = re.compile(r"(?<=[\u0600-\u06ff]) (هایی|هایم|هایت|هایش|هایمان|هایشان|ها|های|ترین|تری|تر)(?![\u0600-\u06ff])")
_SPACED_PREFIX = re.compile(r"(?<![\u0600-\u06ff])(ن?می) (?=[\u0600-\u06ff])")
# a word of the lexical index and of the answerer: a number (with its decimals) or a run of letters
TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")


_MARK_IN_WORD = re.compile(r"(?<=[\u0600-\u06ff])[\u200e\u200f](?=[\u0600-\u06ff])")


def clean_invisible(text: str) -> str:
    """Remove meaningless invisible and control characters; keep ZWNJ and line breaks. An LRM or RLM between
    two letters stands where a ZWNJ belongs («بی\u200eباک», «ثبت\u200eنام» in real news): it becomes one."""
    text = _MARK_IN_WORD.sub("\u200c", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class TextNormalizer:
    """Builds the canonical matching form of Persian text, with hazm built once."""

    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def _hazm(self):
        from hazm import Normalizer, Stemmer, WordTokenizer  # heavy import: only when first used

        return (
            # correct_spacing would split decimals and thousands separators: we do spacing ourselves.
            Normalizer(correct_spacing=False, persian_numbers=False, seperate_mi=False),
            WordTokenizer(join_verb_parts=False, replace_numbers=False, replace_ids=False,
                          replace_emails=False, replace_links=False, replace_hashtags=False),
            Stemmer(),
        )

    def warm_up(self) -> None:
        with self._lock:
            self._hazm  # noqa: B018 (builds the hazm objects)
        self.stopwords  # noqa: B018

    def canonical(self, text: str) -> str:
        """The canonical matching form of ``text`` (question or passage)."""
        normalizer, _, _ = self._hazm
        text = clean_invisible(text)
        text = _THOUSANDS.sub("", fold_chars(text))
        text = normalizer.normalize(text)
        text = _DECIMAL.sub(".", fold_chars(text))  # hazm writes "2.5" as "2٫5"
        text = text.replace(ZWNJ, "")
        text = _SPACED_SUFFIX.sub(r"\1", text)
        text = _SPACED_PREFIX.sub(r"\1", text)
        return _SPACES.sub(" ", text).strip()

    def tokens(self, text: str, *, canonical: bool = False) -> list[str]:
        """Lexical terms of ``text``: each surface word plus its hazm stem when it differs."""
        _, tokenizer, stemmer = self._hazm
        if not canonical:
            text = self.canonical(text)
        terms: list[str] = []
        for piece in tokenizer.tokenize(text):
            for word in TOKEN.findall(piece.replace(ZWNJ, "")):
                terms.extend(self._word_terms(word.lower(), stemmer))
        return terms

    def words(self, text: str, *, canonical: bool = False) -> list[tuple[str, list[str]]]:
        """Each word of ``text`` with its lexical terms (the word and its stem)."""
        _, tokenizer, stemmer = self._hazm
        if not canonical:
            text = self.canonical(text)
        return [(word.lower(), self._word_terms(word.lower(), stemmer))
                for piece in tokenizer.tokenize(text) for word in TOKEN.findall(piece.replace(ZWNJ, ""))]

    @staticmethod
    def _word_terms(word: str, stemmer) -> list[str]:
        terms = [word]
        if not word[0].isdigit() and len(word) > 3:
            stem = stemmer.stem(word)
            if stem and stem != word and len(stem) >= 2:
                terms.append(stem)
        return terms

    @cached_property
    def stopwords(self) -> frozenset[str]:
        from hazm import stopwords_list

        return frozenset(self.canonical(word) for word in stopwords_list())

    def query_terms(self, text: str, *, canonical: bool = False) -> list[str]:
        """Lexical terms of a question, without stop words (unless it has nothing else)."""
        terms = self.tokens(text, canonical=canonical)
        content = [t for t in terms if t not in self.stopwords]
        return content or terms

    def sentences(self, text: str) -> list[str]:
        """hazm's sentence split of ``text``."""
        from hazm import SentenceTokenizer

        with self._lock:
            if not hasattr(self, "_sentence_tokenizer"):
                self._sentence_tokenizer = SentenceTokenizer()
        return self._sentence_tokenizer.tokenize(text)


@once
def get_normalizer() -> TextNormalizer:
    """The process-wide normalizer (hazm built on first use, then reused)."""
    return TextNormalizer()
