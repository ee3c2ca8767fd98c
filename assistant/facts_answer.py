"""Questions across articles, answered from the facts table: which province exported the most,
compare Gilan and Golestan, the total of these provinces' exports, where are members most numerous.

Offline, no LLM. Every figure used is cited (its sentence is a source) and its period is stated; the
periods of the compared figures usually differ, and the answer says so rather than hiding it. A
question it cannot answer from facts (no measure recognised, fewer than two provinces with figures)
returns None and the normal chain answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant import wording
from assistant.answer import Answer, Source, fa_number
from assistant.query import Query
from assistant.question import Question
from index.persian.fold import latin_digits
from index.facts import MEASURE_NAMES_FA, SUBJECT_COUNTRY, SUBJECT_UNKNOWN, Fact
from index.persian.lexicon import lexicon
from index.persian.normalize import TextNormalizer
from index.persian.places import find_provinces

_SUPERLATIVE = re.compile(r"بیشترین|کمترین|بیش ترین|کم ترین|بالاترین|پایینترین|بیشتر|کمتر|\bmost\b|\bhighest\b|"
                          r"\blargest\b|\bleast\b|\blowest\b|\bmore\b|\bfewer\b|\bless\b", re.IGNORECASE)
_LOWEST = re.compile(r"کمترین|کم ترین|پایینترین|کمتر|\bleast\b|\blowest\b|\bfewer\b|\bless\b", re.IGNORECASE)
_COMPARE = re.compile(r"مقایسه|در مقایسه|نسبت به|تفاوت|فرق|\bcompare\b|\bversus\b|\bvs\b", re.IGNORECASE)
_AGGREGATE = re.compile(r"مجموع|جمع|روی هم|رویهم|کل\s|کلا|\btotal\b|\bsum\b|\bcombined\b|\baltogether\b", re.IGNORECASE)
_WHICH_PROVINCE = re.compile(r"کدام استان|کدوم استان|کدام یک|کدامیک|which province|استانها|استان ها|استان‌ها",
                             re.IGNORECASE)
# question words → measure (canonical forms)
_MEASURE_WORDS = [
    ("exporters", r"(چند|تعداد|شمار)\s*(تا\s*)?(شرکت|تعاونی)[^؟?]*صادر|شرکتهای تعاونی بیشتری[^؟?]*صادر|"
                  r"شرکتهای تعاونی صادرکننده|number of exporting|exporting cooperatives"),
    ("active_cooperatives", r"تعاونی(های)? فعال|active cooperatives"),
    ("exports", r"صادرات|صادر|export"),
    ("members", r"عضو|اعضا|عضویت|member"),
    ("jobs", r"اشتغال|شاغل|شغل|employ|job"),
    ("loans", r"تسهیلات|وام|loan"),
    ("credits", r"اعتبار|credit"),
    ("investment", r"سرمایه|invest"),
    ("brands", r"برند|brand"),
    ("projects", r"طرح|project"),
    ("cooperatives", r"تعداد تعاونی|چند تعاونی|تعاونی فعال|تعاونیهای فعال|cooperatives are|number of cooperatives|"
                     r"active cooperatives"),
]
# units that count the same thing (jobs are counted in people or in jobs, or the unit is implied)
_UNIT_KIND = {"people": "people", "jobs": "people", "members": "people", None: "people",
              "cooperatives": "cooperatives", "companies": "cooperatives"}


def _say(n: int) -> str:
    """An integer the way the news writes it: «۲۲ میلیون و ۹۹۵ هزار», «هزار و ۵۰۸ میلیارد»."""
    parts = []
    for scale, word in ((10**9, "میلیارد"), (10**6, "میلیون"), (10**3, "هزار")):
        if n >= scale:
            count = n // scale
            if count == 1 and word == "هزار":
                parts.append(word)                       # «هزار»، not «۱ هزار»
            elif count >= 1000:
                parts.append(f"{_say(count)} {word}")    # «هزار و ۵۰۸ میلیارد»
            else:
                parts.append(f"{fa_number(count)} {word}")
            n %= scale
    if n or not parts:
        parts.append(fa_number(n))
    return " و ".join(parts)


def format_amount(value: float, unit: str | None) -> str:
    """22995000, "USD" → «۲۲ میلیون و ۹۹۵ هزار دلار»."""
    text = _say(int(round(value))) if float(value).is_integer() else fa_number(value).replace(".", "٫")
    return f"{text} {lexicon().unit_names.get(unit or '', '')}".strip()


@dataclass(frozen=True)
class Intent:
    kind: str            # "superlative" | "compare" | "aggregate"
    measure: str
    provinces: tuple[str, ...]
    lowest: bool = False


def detect(question_canonical: str) -> Intent | None:
    q = question_canonical
    measure = next((m for m, pattern in _MEASURE_WORDS if re.search(pattern, q, re.IGNORECASE)), None)
    if measure is None:
        return None
    provinces = tuple(find_provinces(q))
    if _AGGREGATE.search(q) and (len(provinces) >= 2 or _WHICH_PROVINCE.search(q) or "این استان" in q):
        return Intent("aggregate", measure, provinces)
    if _COMPARE.search(q) and len(provinces) >= 2:
        return Intent("compare", measure, provinces)
    if _SUPERLATIVE.search(q) and (_WHICH_PROVINCE.search(q) or len(provinces) >= 2 or "کجا" in q):
        return Intent("superlative", measure, provinces, lowest=bool(_LOWEST.search(q)))
    if len(provinces) >= 2 and re.search(r"\sو\s|\band\b", q) and re.search(r"چقدر|چند|how (much|many)", q):
        return Intent("compare", measure, provinces)
    return None


def _period_wanted(question: str) -> str | None:
    """The period a question asks about, as a phrase to find in fact periods («سال جاری», «۱۴۰۱»)."""
    q = question.replace("\u200c", "").replace("سالجاری", "سال جاری").replace("امسال", "سال جاری")
    if "سال جاری" in q:
        return "سال جاری"
    if "سال گذشته" in q or "پارسال" in q:
        return "سال گذشته"
    year = re.search(r"(1[34]\d\d|[۱١][۳۴٣٤][۰-۹٠-٩]{2})", q)
    if year:
        return fa_number(int(latin_digits(year.group(1))))
    return None


def _period_for(question: str, province: str) -> str | None:
    """The period the question asks for this province: the words after its name (up to the next
    province) first — «گلستان در سال ۱۴۰۱ و … گیلان در سال جاری» — then the whole question."""
    spans = [(m.start(), m.end()) for p in find_provinces(question) for m in re.finditer(re.escape(p), question)]
    spans.sort()
    for i, (a, b) in enumerate(spans):
        if question[a:b] == province:
            segment = question[b:spans[i + 1][0] if i + 1 < len(spans) else len(question)]
            found = _period_wanted(segment)
            if found:
                return found
    return _period_wanted(question)


def _headline(facts: list[Fact], wanted_period: str | None = None) -> Fact:
    """One figure per province: the asked period if one matches, else a whole period before a part of one
    («پنج ماه نخست»), then the first stated."""
    def partial(f: Fact) -> int:
        return 1 if re.search(r"ماه|نیمه", f.period or "") else 0

    def mismatch(f: Fact) -> int:
        return 0 if wanted_period and wanted_period in (f.period or "") else 1
    return sorted(facts, key=lambda f: (mismatch(f) if wanted_period else 0, partial(f), f.position))[0]


_APPROX = re.compile(r"(بیش از|بیشتر از|حدود|حدوداً|حدودا|نزدیک به|قریب به|بالغ بر|کمتر از|افزون بر)\s*$")


def _as_written(f: Fact) -> str:
    """The amount as the article writes it, with its «بیش از»/«حدود» when it has one."""
    at = f.quote.find(f.amount_text)
    before = _APPROX.search(f.quote[max(0, at - 14):at]) if at > 0 else None
    return f"{before.group(1)} {f.amount_text}" if before else f.amount_text


class FactsAnswerer:
    def __init__(self, facts: Callable[..., list[Fact]], normalizer: TextNormalizer, passage_for) -> None:
        self.facts = facts  # (measure=...) -> the facts of that measure (StoreOfRecord.facts)
        self.normalizer = normalizer
        self.passage_for = passage_for  # (doc_id, start, end) -> Passage holding that sentence

    def answer(self, question: str, parsed: Question | Query) -> Answer | None:
        """The answer across provinces to ``question`` (``parsed``: its standalone form, analysed, or the turn's
        :class:`Query`), or None when it does not ask across provinces (then retrieval and the other answerers
        take it). The intent is read from the canonical form alone: nothing is retrieved or embedded first."""
        parsed = parsed.question if isinstance(parsed, Query) else parsed
        canonical = parsed.canonical
        intent = detect(canonical)
        if intent is None:
            return None
        facts = [f for f in self.facts(measure=intent.measure) if f.subject not in (SUBJECT_COUNTRY, SUBJECT_UNKNOWN)]
        by_province: dict[str, list[Fact]] = {}
        for f in facts:
            by_province.setdefault(f.subject, []).append(f)
        if intent.provinces:
            missing = [p for p in intent.provinces if p not in by_province]
            by_province = {p: v for p, v in by_province.items() if p in intent.provinces}
        else:
            missing = []
        chosen = [_headline(v, _period_for(canonical, province)) for province, v in by_province.items()]
        units = {_UNIT_KIND.get(f.unit, f.unit) for f in chosen}
        measure_fa = wording.ACROSS_MEASURES.get(intent.measure, MEASURE_NAMES_FA.get(intent.measure, intent.measure))
        if not chosen or (len(chosen) < 2 and not intent.provinces):
            # a comparison the articles cannot support: say so instead of answering from one passage
            only = wording.ACROSS_ONLY.format(province=chosen[0].subject) if chosen else ""
            return Answer(question=question, text=wording.NO_ANSWER, sources=[], abstained=True, answerer="facts",
                          notes=[wording.ACROSS_TOO_FEW.format(measure=measure_fa, only=only)])
        if len(units) > 1 and intent.kind != "compare":
            return None
        chosen.sort(key=lambda f: f.value, reverse=not intent.lowest)
        sources: list[Source] = []
        lines: list[str] = []
        chart = []
        for n, f in enumerate(chosen, 1):
            p = self.passage_for(f.doc_id, f.start, f.end)
            if p is None:
                return None
            a = max(f.start - p.start, 0)
            sources.append(Source.from_passage(n, p, a, min(f.end - p.start, len(p.text))))
            period = f"، {f.period}" if f.period else ""
            lines.append(wording.ACROSS_LINE.format(province=f.subject, amount=_as_written(f), period=period,
                                                    n=fa_number(n)))
            chart.append({"label": f.subject, "value": f.value, "unit": f.unit, "n": n, "period": f.period})
        provinces = wording.AND.join(f.subject for f in chosen)
        if intent.kind == "superlative":
            lead = wording.ACROSS_LOWEST if intent.lowest else wording.ACROSS_HIGHEST
            head = lead.format(measure=measure_fa, province=chosen[0].subject)
        elif intent.kind == "aggregate":
            total = format_amount(sum(f.value for f in chosen), chosen[0].unit)
            head = wording.ACROSS_TOTAL.format(measure=measure_fa, provinces=provinces, total=total)
        else:
            head = wording.ACROSS_LIST.format(measure=measure_fa, provinces=provinces)
        periods = {f.period for f in chosen}
        notes = []
        if len(periods) > 1 or None in periods:
            notes.append(wording.ACROSS_PERIODS_DIFFER)
        if missing:
            notes.append(wording.ACROSS_MISSING.format(provinces=wording.AND.join(missing), measure=measure_fa))
        return Answer(question=question, text="\n".join([head, *lines]), sources=sources, abstained=False,
                      answerer="facts", notes=notes, chart=chart)
