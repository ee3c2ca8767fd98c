"""What a question asks: its content terms, the kind of answer it wants, the provinces it names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.normalize import TextNormalizer
from index.places import find_provinces

AnswerType = Literal["amount", "who", "when", "which", "other"]

# Question words and fillers (canonical form): they say what kind of answer is wanted, not what about.
QUESTION_WORDS = frozenset("""
چقدر چقد چند چندتا چندین چه چی چیه چیست چیا کدام کدوم کدامیک کدومش کدامند کی کیه کیست کیا کجا کجاست چطور چطوری
چگونه چگونگی آیا چرا مگه مگر بود بوده است هست هستند بودند بودن باشد داشت داشته داشتند داشتن دارد دارند دارن میشه
شد شده شدند شدن کرد کرده کردند کردن میکنن میکنند میکند بگو بگید بفرمایید لطفا لطفاً خب حالا اون آن این اینکه
واسه برای با در به از را رو که تا ها های ای یه یک
how much many what which who whom whose when where why is are was were did does do the a an of in on to for by
and or with from at as it its that this there their about be been has have had any
""".split())

_AMOUNT = re.compile(r"چقدر|چقد\b|چند|چه میزان|چه مقدار|میزان|تعداد|رقم|مبلغ|درصد|\bhow (much|many)\b|"
                     r"\bnumber of\b|\bamount\b|\bpercent", re.IGNORECASE)
_WHO = re.compile(r"چه کس|کیست|کیه|\bکی بود|\bنام\b|\bاسم|\bwho\b|\bwhom\b|\bname\b", re.IGNORECASE)
_WHEN = re.compile(r"چه زمان|چه تاریخ|چه روز|چه سال|چه ماه|\bکی\b|تاریخ|\bwhen\b|what date|which day|what year",
                   re.IGNORECASE)
_WHICH = re.compile(r"کدام|کدوم|چه کشور|چه محصول|چه کالا|چه شهر|چه استان|\bwhich\b|what (countries|products)",
                    re.IGNORECASE)
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class Question:
    text: str                 # as typed
    canonical: str            # canonical matching form
    terms: tuple[str, ...]    # content terms (surface words and stems), question words removed
    answer_type: AnswerType
    provinces: tuple[str, ...]
    english: bool             # written mostly in Latin letters


def answer_type(canonical: str) -> AnswerType:
    if _WHO.search(canonical):
        return "who"
    if _AMOUNT.search(canonical):
        return "amount"
    if _WHICH.search(canonical):
        return "which"
    if _WHEN.search(canonical):
        return "when"
    return "other"


def analyse(text: str, normalizer: TextNormalizer) -> Question:
    canonical = normalizer.canonical(text)
    stop = normalizer.stopwords
    terms = [t for word, word_terms in normalizer.words(canonical, canonical=True)
             if word not in QUESTION_WORDS and word not in stop for t in word_terms]
    latin = len(_LATIN.findall(canonical))
    return Question(
        text=text,
        canonical=canonical,
        terms=tuple(dict.fromkeys(terms)),
        answer_type=answer_type(canonical),
        provinces=tuple(find_provinces(canonical)),
        english=latin > 0.5 * max(1, sum(ch.isalpha() for ch in canonical)),
    )
