"""Why the articles do not answer: one Persian sentence saying what they give and what they do not.

``explain(question, misses, sentence, article)`` turns the first thing the nearest sentence lacks
(``assistant/match.py``) into a sentence such as «خبرها رقم بیمه‌شدگان خراسان جنوبی را گفته‌اند، ولی
رقمی برای «جوان‌ها» نیاورده‌اند.» The nearest sentence itself is shown under «شاید مرتبط».
"""

from __future__ import annotations

import re

from assistant.match import Article, Miss
from assistant.question import Question
from assistant.wording import CONTACT_WORDS, EXPLAIN, FIGURE_OF, FIGURE_OF_WORDS, MEASURE_PHRASES, WHEN_WORDS
from index.facts import MEASURE_NAMES_FA, MEASURES, _measure
from index.persian.dates import UNKNOWN_DATE
from index.persian.fold import fold_word
from index.persian.lexicon import lexicon
from index.sentences import SentenceInfo

_AMOUNT_KINDS = ("amount", "count", "percent")


def _as_typed(question: Question, canonical_word: str) -> str:
    """The question's own spelling of a canonical word (with its half-spaces)."""
    for token in re.findall(r"[\w\u200c]+", question.text):
        folded = fold_word(token)
        if folded == canonical_word or folded.startswith(canonical_word) and len(folded) - len(canonical_word) <= 3:
            return token
    return canonical_word


def period_label(text: str) -> str:
    """A period's label as a reader sees it (without «تاریخ خبر نامعلوم»)."""
    return text.replace(UNKNOWN_DATE, "").strip()


def _given(sentence: SentenceInfo, article: Article, display: str, question: Question) -> str | None:
    """What the sentence gives a figure for: «رقم صادرات گلستان»."""
    # the province the sentence names, or the article's when the question asks about it: never one the
    # question does not name from elsewhere in the article
    subject = article.info.provinces[0] if article.info.provinces[:1] and \
        article.info.provinces[0] in question.provinces else ""
    if sentence.provinces:
        subject = sentence.provinces[0]
    for a in sentence.amounts:
        if a.value in question.amounts:
            continue
        measure = _counted_measure(a.counted) or _measure(display, _Amount(a.unit), a.start, a.end)
        if measure:
            phrase = MEASURE_PHRASES.get(measure) or FIGURE_OF.format(what=MEASURE_NAMES_FA.get(measure, measure))
            return f"{phrase} {subject}".strip()
        if a.counted:
            return f"{FIGURE_OF_WORDS.format(words=' '.join(a.counted))} {subject}".strip()
    return None


def _counted_measure(counted: tuple[str, ...]) -> str | None:
    """The measure the words after a number name, the most specific first (بیمه before نیرو)."""
    for measure in ("insured", "members", "exports", "loans", "credits", "investment", "brands", "licenses",
                    "projects", "jobs"):
        keys = MEASURES[measure][0]
        if any(w.startswith(k) for w in counted for k in keys if len(k) >= 3):
            return measure
    return None


class _Amount:
    """The one field of index.persian.numbers.Amount that facts._measure reads."""

    def __init__(self, unit: str | None) -> None:
        self.unit = unit


def explain(question: Question, misses: list[Miss], sentence: SentenceInfo | None, article: Article | None,
            display: str = "") -> str:
    """One Persian sentence on what the articles give and what they do not (empty when nothing useful)."""
    if not misses or sentence is None or article is None:
        return ""
    miss = misses[0]
    given = _given(sentence, article, display, question) if question.kind in _AMOUNT_KINDS else None
    key, slots = _template(question, miss, given)
    return EXPLAIN[key].format(**slots) if key else ""


def _template(question: Question, miss: Miss, given: str | None) -> tuple[str, dict[str, str]]:
    """Which sentence of ``wording.EXPLAIN`` says what is missing, and what fills its slots."""
    unit_name = lexicon().unit_names
    if miss.kind == "word":
        word = _as_typed(question, miss.asked)
        return ("word_given", {"given": given, "word": word}) if given else ("word", {"word": word})
    if miss.kind == "unit":
        asked = unit_name.get(miss.asked, miss.asked)
        if given and miss.found:
            return "unit_given", {"given": given, "found": unit_name.get(miss.found, miss.found), "asked": asked}
        return "unit", {"asked": asked}
    if miss.kind == "percent":
        return ("percent_given", {"given": given}) if given else ("percent", {})
    if miss.kind == "count":
        asked = " ".join(_as_typed(question, w) for w in miss.asked.split())
        return ("count_found", {"found": miss.found, "asked": asked}) if miss.found else ("count", {"asked": asked})
    if miss.kind == "amount":
        return "amount", {}
    if miss.kind == "period":
        asked = period_label(miss.asked)
        if given and miss.found:
            return "period_found", {"given": given, "found": period_label(miss.found), "asked": asked}
        return ("period_given", {"given": given, "asked": asked}) if given else ("period", {"asked": asked})
    if miss.kind == "contact":
        return "contact", {"what": CONTACT_WORDS.get(miss.asked, CONTACT_WORDS[""])}
    if miss.kind == "name":
        return "name", {}
    if miss.kind in WHEN_WORDS:
        return "when", {"what": WHEN_WORDS[miss.kind]}
    if miss.kind == "which":
        return "which", {"asked": _as_typed(question, miss.asked)}
    if miss.kind == "subject":
        return "subject", {"found": miss.found, "asked": miss.asked}
    return "", {}
