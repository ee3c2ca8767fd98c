"""Why the articles do not answer: one Persian sentence saying what they give and what they do not.

``explain(question, misses, sentence, article)`` turns the first thing the nearest sentence lacks
(``assistant/match.py``) into a sentence such as «خبرها رقم بیمه‌شدگان خراسان جنوبی را گفته‌اند، ولی
رقمی برای «جوان‌ها» نیاورده‌اند.» The nearest sentence itself is shown under «شاید مرتبط».
"""

from __future__ import annotations

import re

from assistant.match import Article, Miss
from assistant.question import Question
from index.facts import MEASURE_NAMES_FA, MEASURES, _measure
from index.sentences import SentenceInfo

UNIT_FA = {"USD": "دلار", "IRR": "ریال", "IRT": "تومان", "EUR": "یورو", "percent": "درصد", "tons": "تن",
           "kg": "کیلوگرم", "hectares": "هکتار", "meters": "متر", "money": "پول (ریال، تومان یا دلار)",
           "trade": "ارزش یا وزن", "people": "نفر", "cooperatives": "تعاونی", "companies": "شرکت",
           "countries": "کشور", "jobs": "شغل", "members": "عضو"}
CONTACT_FA = {"phone": "شمارهٔ تلفن یا راه تماسی", "address": "نشانی", "web": "نشانی وب‌گاه یا رایانامه‌ای",
              "hours": "ساعت کاری"}
_UNKNOWN_DATE = " (تاریخ خبر نامعلوم)"
# what a figure of each measure is, before the province's name: «شمار اعضای تعاونی‌های» گلستان
MEASURE_PHRASES = {
    "exports": "صادرات تعاونی‌های", "export_countries": "شمار کشورهای مقصد صادرات تعاونی‌های",
    "members": "شمار اعضای تعاونی‌های", "jobs": "شمار شاغلان تعاونی‌های", "insured": "شمار بیمه‌شدگان",
    "loans": "تسهیلات تعاونی‌های", "credits": "اعتبارات", "investment": "سرمایه‌گذاری طرح‌های تعاونی",
    "brands": "شمار برندهای تعاونی‌های", "projects": "شمار طرح‌های تعاونی", "licenses": "شمار مجوزهای",
    "cooperatives": "شمار تعاونی‌های", "active_cooperatives": "شمار تعاونی‌های فعال",
    "exporters": "شمار تعاونی‌های صادرکنندهٔ",
}
_AMOUNT_KINDS = ("amount", "count", "percent")


def _as_typed(question: Question, canonical_word: str) -> str:
    """The question's own spelling of a canonical word (with its half-spaces)."""
    for token in re.findall(r"[\w\u200c]+", question.text):
        folded = token.replace("\u200c", "").replace("ي", "ی").replace("ك", "ک")
        if folded == canonical_word or folded.startswith(canonical_word) and len(folded) - len(canonical_word) <= 3:
            return token
    return canonical_word


def _label(text: str) -> str:
    return text.replace(_UNKNOWN_DATE, "").strip()


def _given(sentence: SentenceInfo, article: Article, display: str, question: Question) -> str | None:
    """What the sentence gives a figure for: «رقم صادرات گلستان»."""
    subject = article.info.provinces[0] if article.info.provinces else ""
    if sentence.provinces:
        subject = sentence.provinces[0]
    for a in sentence.amounts:
        if a.value in question.amounts:
            continue
        measure = _counted_measure(a.counted) or _measure(display, _Amount(a.unit), a.start, a.end)
        if measure:
            phrase = MEASURE_PHRASES.get(measure) or f"رقم {MEASURE_NAMES_FA.get(measure, measure)}"
            return f"{phrase} {subject}".strip()
        if a.counted:
            return f"رقم «{' '.join(a.counted)}» {subject}".strip()
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
    """The one field of index.numbers.Amount that facts._measure reads."""

    def __init__(self, unit: str | None) -> None:
        self.unit = unit


def explain(question: Question, misses: list[Miss], sentence: SentenceInfo | None, article: Article | None,
            display: str = "") -> str:
    """One Persian sentence on what the articles give and what they do not (empty when nothing useful)."""
    if not misses or sentence is None or article is None:
        return ""
    miss = misses[0]
    given = _given(sentence, article, display, question) if question.kind in _AMOUNT_KINDS else None
    if miss.kind == "word":
        word = _as_typed(question, miss.asked)
        if given:
            return f"خبرها {given} را گفته‌اند، ولی رقمی برای «{word}» نیاورده‌اند."
        return f"خبرها در این باره چیزی دربارهٔ «{word}» نگفته‌اند."
    if miss.kind == "unit":
        asked = UNIT_FA.get(miss.asked, miss.asked)
        if given and miss.found:
            return f"خبرها {given} را به {UNIT_FA.get(miss.found, miss.found)} گفته‌اند، نه به {asked}."
        return f"خبرها رقمی به {asked} برای آن نیاورده‌اند."
    if miss.kind == "percent":
        return f"خبرها {given} را گفته‌اند، ولی درصدی برای آن نیاورده‌اند." if given else \
            "خبرها درصدی برای آن نیاورده‌اند."
    if miss.kind == "count":
        asked = " ".join(_as_typed(question, w) for w in miss.asked.split())
        if miss.found:
            return f"خبرها شمار «{miss.found}» را گفته‌اند، نه شمار «{asked}» را."
        return f"خبرها شمار «{asked}» را نگفته‌اند."
    if miss.kind == "amount":
        return "خبرها رقمی برای آن نیاورده‌اند."
    if miss.kind == "period":
        asked = _label(miss.asked)
        if given and miss.found:
            return f"خبرها {given} را برای {_label(miss.found)} گفته‌اند، نه برای {asked}."
        if given:
            return f"خبرها {given} را گفته‌اند، ولی نگفته‌اند که مربوط به {asked} است."
        return f"خبرها چیزی دربارهٔ {asked} در این باره نگفته‌اند."
    if miss.kind == "contact":
        return f"خبرها {CONTACT_FA.get(miss.asked, 'راه تماسی')} نیاورده‌اند."
    if miss.kind == "name":
        return "خبرها نام این شخص را نیاورده‌اند."
    if miss.kind in ("date", "year", "weekday"):
        what = {"date": "تاریخ", "year": "سال", "weekday": "روز"}[miss.kind]
        return f"خبرها {what} آن را نگفته‌اند."
    if miss.kind == "which":
        return f"خبرها فقط شمار «{_as_typed(question, miss.asked)}» را گفته‌اند، نه نام آن‌ها را."
    if miss.kind == "subject":
        return f"نزدیک‌ترین خبر دربارهٔ {miss.found} است، نه {miss.asked}."
    return ""
