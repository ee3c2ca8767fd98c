"""Facts: every amount a sentence states, with what it measures, whose it is and for which period.

``۲۲ میلیون و ۹۹۵ هزار دلار`` in Golestan's article becomes
``Fact(subject="گلستان", measure="exports", value=22995000, unit="USD", period="پایان سال ۱۴۰۱", ...)``
with the sentence it came from (``doc_id`` and offsets), so every figure an answer uses is cited.

Rules (documented, deliberately simple):
* **measure**: keywords of the sentence, nearest to the amount first, read together with the unit
  (a dollar amount near «صادر» is exports; people near «عضو» are members; near «شاغل/اشتغال/مشغول»
  jobs; cooperatives counted; loans «تسهیلات/وام»; credits «اعتبار»; investment «سرمایه‌گذاری»; ...);
* **subject**: a province named in the sentence; else «کشور» when the sentence speaks of the whole
  country («کل کشور», «در کشور»); else the province the article is about (named most often);
* **period**: the period expression nearest to the amount in the same sentence (``index/persian/dates.py``),
  resolved against the article's date when it has one.

The ingest extracts the facts of each document it writes and stores them in the store of record
(``index/record.py``), in the same transaction as the document: they follow their documents, and
reading them writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from index.persian.fold import fold_same_length
from index.persian.numbers import Amount, find_amounts
from index.persian.places import find_provinces

# measure: (keywords in canonical form, units it accepts; None = any)
MEASURES: dict[str, tuple[tuple[str, ...], tuple[str | None, ...] | None]] = {
    "exports": (("صادرات", "صادر", "صادراتی"), ("USD", "IRR", "IRT", "EUR", "tons", None)),
    "export_countries": (("صادر", "صادرات", "بازار"), ("countries",)),
    "members": (("عضو", "اعضا", "اعضای", "عضویت"), ("people", "members", None)),
    "jobs": (("شاغل", "اشتغال", "اشتغالزایی", "مشغول", "شغل", "شغلی", "نیرو", "کار"), ("people", "jobs", None)),
    "insured": (("بیمه",), ("people", None)),
    "loans": (("تسهیلات", "وام"), ("IRR", "IRT", "USD", None)),
    "credits": (("اعتبار", "اعتبارات"), ("IRR", "IRT", None)),
    "investment": (("سرمایهگذاری", "سرمایه"), ("IRR", "IRT", "USD")),
    "brands": (("برند",), None),
    "projects": (("طرح", "پروژه"), None),
    "licenses": (("مجوز",), None),
    "exporters": (("صادر", "صادرات", "صادراتی", "صادرکننده"), ("cooperatives", "companies")),
    "active_cooperatives": (("فعال",), ("cooperatives", "companies")),
    "cooperatives": (("تعاونی", "تعاونیها", "شرکت"), ("cooperatives", "companies")),
}
MEASURE_NAMES_FA = {
    "exports": "صادرات", "export_countries": "کشورهای مقصد صادرات", "members": "اعضا", "jobs": "اشتغال",
    "insured": "بیمه‌شدگان", "loans": "تسهیلات", "credits": "اعتبارات", "investment": "سرمایه‌گذاری",
    "brands": "برندها", "projects": "طرح‌ها", "licenses": "مجوزها", "cooperatives": "تعاونی‌ها",
    "exporters": "شرکت‌های تعاونی صادرکننده", "active_cooperatives": "تعاونی‌های فعال",
}
SUBJECT_COUNTRY = "کشور"     # a figure for the whole country
SUBJECT_UNKNOWN = "نامعلوم"  # an article that names no province
_WORD = re.compile(r"[\w\u200c]+")
_COUNTRY = re.compile(r"کل کشور|در کشور|سطح کشور")


@dataclass(frozen=True)
class Fact:
    doc_id: str
    subject: str
    measure: str
    value: float
    unit: str | None
    approximate: bool
    period: str | None        # Persian label
    period_info: dict | None  # Period.as_dict(): Jalali and Gregorian bounds
    quote: str                # the sentence
    start: int                # sentence offsets in the document text
    end: int
    amount_text: str
    position: int             # order of the amount in the document

    def as_dict(self) -> dict:
        out = asdict(self)
        out["value"] = int(self.value) if float(self.value).is_integer() else self.value
        return out


def _fold(text: str) -> str:
    return fold_same_length(text.replace("\u200c", ""))


def _measure(sentence: str, amount: Amount, rel_start: int, rel_end: int) -> str | None:
    """The measure of ``amount`` inside ``sentence``: nearest keyword that fits the unit."""
    words = [(m.start(), _fold(m.group(0))) for m in _WORD.finditer(sentence)]
    best: tuple[int, str] | None = None
    for pos, word in words:
        for measure, (keys, units) in MEASURES.items():
            if units is not None and amount.unit not in units:
                continue
            if any(word == k or (word.startswith(k) and len(k) >= 3) for k in keys):
                distance = rel_start - pos if pos < rel_start else pos - rel_end
                # the counted noun right after the number decides first ("۶۴۸ نیرو", "۲۵ شرکت تعاونی")
                if 0 <= pos - rel_end <= 2:
                    distance = -1
                if measure == "active_cooperatives" and 0 <= pos - rel_end <= 8:
                    distance = -2  # "۲ هزار و ۵۰۲ تعاونی ... فعال", "هزار تعاونی فعال"
                if best is None or distance < best[0]:
                    best = (distance, measure)
    if amount.unit in ("cooperatives", "companies"):
        # a count of cooperatives: active ones, exporting ones, or others
        after = [w for pos, w in words if pos >= rel_end][:30]
        if "فعال" in after:
            return "active_cooperatives"
        if any(w.startswith("صادر") for _, w in words):
            return "exporters"
        return "cooperatives"
    if best is not None:
        return best[1]
    return None


def _article_province(text: str) -> str | None:
    names = find_provinces(_fold(text))
    if not names:
        return None
    counts = {n: _fold(text).count(n.split()[0]) for n in names}
    return max(names, key=lambda n: counts[n])


def extract_facts(doc_id: str, text: str, title: str, sentences: list[tuple[int, int]], date: str | None = None) -> list[Fact]:
    """Facts of one document (``sentences``: offsets of its sentences in ``text``)."""
    from index.persian.dates import article_date, find_periods, parse_date

    reference = (parse_date(date) if date else None) or article_date(text, title)
    home = _article_province(title + "\n" + text)
    facts: list[Fact] = []
    position = 0
    for s, e in sentences:
        sentence = text[s:e]
        periods = find_periods(sentence, reference)
        named = find_provinces(_fold(sentence))
        for amount in find_amounts(sentence):
            if amount.unit in (None, "percent") and amount.value < 10:
                continue  # "دو" and "یک" without a unit are rarely facts
            measure = _measure(sentence, amount, amount.start, amount.end)
            if measure is None:
                continue
            if len(named) == 1:
                subject = named[0]
            elif _COUNTRY.search(sentence) and not named:
                subject = SUBJECT_COUNTRY
            elif named:
                subject = min(named, key=lambda n: abs(_fold(sentence).find(n) - amount.start))
            else:
                subject = home or SUBJECT_UNKNOWN
            period = min(periods, key=lambda p: min(abs(p.start_offset - amount.end), abs(amount.start - p.end_offset)),
                         default=None)
            facts.append(Fact(
                doc_id=doc_id, subject=subject, measure=measure, value=float(amount.value), unit=amount.unit,
                approximate=amount.approximate, period=period.label if period else None,
                period_info=period.as_dict() if period else None, quote=sentence.strip(), start=s, end=e,
                amount_text=amount.text, position=position,
            ))
            position += 1
    return _dedupe(facts)


def _dedupe(facts: list[Fact]) -> list[Fact]:
    """News repeats its lead (title, first paragraph): one fact per figure, keeping a stated period."""
    out: dict[tuple, Fact] = {}
    for f in facts:
        key = (f.subject, f.measure, f.value, f.unit)
        if key not in out:
            out[key] = f
        elif out[key].period is None and f.period is not None:
            out[key] = Fact(**{**asdict(out[key]), "period": f.period, "period_info": f.period_info,
                               "quote": f.quote, "start": f.start, "end": f.end, "amount_text": f.amount_text})
    return sorted(out.values(), key=lambda f: f.position)
