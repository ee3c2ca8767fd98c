"""Time periods as Persian news writes them: ``سال ۱۴۰۱`` → 1401/01/01–1401/12/29.

Found in three digit scripts (``۰-۹``, ``٠-٩``, ``0-9``), with Arabic ``ي ك`` or Persian ``ی ک``, and
with a space, a ZWNJ or nothing inside compounds (``سال جاری``, ``سال‌جاری``, ``سالجاری``, ``دی‌ماه``):

* a year: ``سال ۱۴۰۱`` (two digits after ``سال``: ``۹۹`` → 1399, ``۰۲`` → 1402, see :func:`_year_value`),
  ``سال ۲۰۲۲ میلادی`` (a Gregorian year), and ``پایان سال ۱۴۰۱``, taken as the whole year 1401
  (news writes it for "by the end of 1401", a total over the year, so the year is what a filter wants);
* a date ``1397/08/03``, ``۱۴۰۲-۱۰-۱۲``, ``۹۷/۸/۳``, ``03/08/1397`` (``/``, ``-`` or ``.``; a
  ``19xx``/``20xx`` year is Gregorian): one day;
* a day and month, ``۱۲ دی``, ``۱۲ دی‌ماه ۱۴۰۲``, ``۱۲ دی سال گذشته``: one day;
* a month, ``دی ماه``, ``دی ۱۴۰۲``, ``دی ماه سال جاری``: the whole month (a month name needs ``ماه``,
  a day or a year with it: alone ``تیر``, ``مهر``, ``بهمن`` are as often a beam, a seal or a name);
* the first months of a year, ``پنج ماه نخست سال جاری``, ``۵ ماه اول امسال``, ``شش ماهه نخست سال
  ۱۴۰۲``, ``نیمه نخست سال`` (``نیمه دوم`` is months 7–12); a bare ``سال`` there is this year;
* relative to the article's date (the ``reference``): ``سال جاری``/``امسال``, ``سال گذشته``/``پارسال``/
  ``سال قبل``/``سال پیش``, ``سال آینده``, ``ماه جاری``/``ماه گذشته``/``ماه آینده``, and windows ending
  at the reference, ``یک سال گذشته``, ``۲ سال اخیر``, ``سه ماه گذشته`` (read on 1402/07/15, ``یک سال
  گذشته`` is 1401/07/16–1402/07/15). A day or month without a year is the latest one not after the
  reference (``۱۲ دی`` read on 1402/07/15 is 1401/10/12); these are ``relative`` too.

Without a reference a relative period is kept with ``resolved=False``, no dates, and a label such as
``سال جاری (تاریخ خبر نامعلوم)``. Not a period: ``سالن``, ``سالم``, ``سالانه``, ``سال‌ها``; a number
that is an amount (``سال ۲۲ میلیون``), a count of years (``دو سال پیش``, ``۲۰ سال قبل``), and a bare
``۱۴۰۱`` with no ``سال``, month or day by it (``در ۱۴۰۰ روستا`` is a count as often as a year), and
impossible days (``۳۰ اسفند ۱۴۰۲``). Not handled: plural years (``سال‌های ۱۴۰۰ و ۱۴۰۱``), and
``مدت مشابه سال گذشته`` gives the whole of last year, not the same months of it.

The text is folded character for character (so offsets stay those of the input); each kind of
expression has one pattern, and where matches overlap the one starting first (then the longest) wins,
so ``پایان سال ۱۴۰۱`` is one period and not also ``سال ۱۴۰۱``.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

import jdatetime

from index.persian.fold import fold_same_length, persian_digits

__all__ = ["Period", "article_date", "find_periods", "parse_date"]

UNKNOWN_DATE = " (تاریخ خبر نامعلوم)"
# Stands in for a missing reference so relative periods are checked the same way; their dates are then dropped.
# The last day of a leap year, so any day of any month (۳۰ اسفند too) fits before it.
_STAND_IN = jdatetime.date(1403, 12, 30)

MONTH_NAMES = tuple(jdatetime.date.j_months_fa)  # فروردین … اسفند
WEEKDAY_NAMES = tuple(jdatetime.date.j_weekdays_fa)  # شنبه … جمعه
_MONTH_NAMES = MONTH_NAMES
_MONTHS = {name: i for i, name in enumerate(_MONTH_NAMES, 1)} | {"امرداد": 5, "ابان": 8, "اذر": 9}
_COUNTS = {"یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "هفت": 7, "هشت": 8, "نه": 9, "ده": 10,
           "یازده": 11, "دوازده": 12}
_YEAR_OFFSETS = {"امسال": 0, "جاری": 0, "پارسال": -1, "گذشته": -1, "قبل": -1, "پیش": -1, "آینده": 1}
_YEAR_NAMES = {0: "سال جاری", -1: "سال گذشته", 1: "سال آینده"}
_MONTH_REL_NAMES = {0: "ماه جاری", -1: "ماه گذشته", 1: "ماه آینده"}


def _alt(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: دوازده before دو


_NL = r"(?![^\W\d_]|\u200c)"  # no letter (or ZWNJ) follows
_NB = r"(?<![^\W\d_])(?<!\u200c)"  # no letter (or ZWNJ) before
_SP = r"[ \u200c]*"
_UNIT = (rf"{_SP}(?:هزار|میلیون|میلیارد|تریلیون|درصد|%|نفر|تعاونی|شرکت|دلار|ریال|تومان|یورو|تن{_NL}|هکتار"
         r"|عضو|شغل|فرصت|مورد|واحد|برابر)")
_NUM_END = rf"(?!\d)(?![.,/-]\d)(?!{_UNIT})"  # the digits end here and are no amount
# A Jalali year: four digits 13xx/14xx anywhere, two digits only right after "سال".
_YEAR_NUM = rf"(?P<yn>1[34]\d\d|(?:(?<=سال)|(?<=سال )|(?<=سال\u200c))\d\d){_NUM_END}"
_YEAR_REL = rf"(?P<yrel>امسال|پارسال|سال{_SP}(?:جاری|گذشته|قبل|پیش|آینده)){_NL}"
_YEAR = rf"(?:(?:سال{_SP})?{_YEAR_NUM}|{_YEAR_REL})"
_YEAR_START = rf"{_NB}(?=سال|امسال|پارسال)"
_COUNT = rf"(?P<n>\d{{1,2}}|{_alt(_COUNTS)})"
_DATE_END = r"(?!\d)(?![./-]\d)"

_PATTERNS = {
    "date": rf"(?<![\d./-])(?P<y>\d{{4}}|\d{{2}})(?P<sep>[/.-])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_DATE_END}",
    "date_dmy": rf"(?<![\d./-])(?P<d>\d{{1,2}})(?P<sep>[/.-])(?P<m>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}){_DATE_END}",
    "day": (rf"(?:(?<![\d./,-])(?P<day>\d{{1,2}}){_SP})?(?<![^\W\d_])(?P<mon>{_alt(_MONTHS)})"
            rf"(?P<mah>{_SP}ماه)?{_NL}(?:{_SP}{_YEAR})?"),
    "first": (rf"{_NB}(?:{_COUNT}{_SP}ماهه?|(?P<half>نیمه)){_SP}(?P<q>نخست|اول|ابتدایی|ابتدای|آغازین|دوم){_NL}"
              rf"{_SP}(?:{_YEAR}|(?P<bare>سال){_NL})"),
    # "پنج ماهه امسال": the first months, «نخست» left out (only with «ماهه» and a year)
    "months_of": rf"{_NB}{_COUNT}{_SP}ماهه{_NL}{_SP}(?:{_YEAR})",
    "season": rf"{_NB}(?P<season>بهار|تابستان|پاییز|پائیز|زمستان){_NL}{_SP}(?:{_YEAR}|(?P<bare>سال){_NL})",
    "window": rf"{_NB}{_COUNT}{_SP}(?P<unit>سال|ماه){_SP}(?:گذشته|اخیر){_NL}",
    "month_rel": rf"{_NB}ماه{_SP}(?P<mrel>جاری|گذشته|قبل|پیش|آینده){_NL}",
    "year_end": rf"{_NB}(?:پایان|انتهای|آخر){_SP}{_YEAR_START}{_YEAR}",
    "year": rf"{_YEAR_START}{_YEAR}",
    "gyear": rf"{_NB}سال{_SP}(?P<g>(?:19|20)\d\d){_NUM_END}(?:{_SP}میلادی{_NL})?",
}
_RES = {kind: re.compile(pattern) for kind, pattern in _PATTERNS.items()}
_COUNT_BEFORE = re.compile(rf"(?:\d|{_NB}(?:{_alt(_COUNTS)}|چند)){_SP}$")  # "دو سال پیش" is no year


@dataclass(frozen=True)
class Period:
    """A span of days named in a text. ``text == input[start_offset:end_offset]``; ``end`` is inclusive."""

    start: jdatetime.date | None  # None when unresolved
    end: jdatetime.date | None
    label: str  # Persian, Persian digits: "سال ۱۴۰۱", "۵ ماه نخست ۱۴۰۲", "سال جاری (تاریخ خبر نامعلوم)"
    text: str
    start_offset: int
    end_offset: int
    relative: bool  # the dates depend on the reference (سال جاری, پارسال, ۱۲ دی with no year, ...)
    resolved: bool  # False when relative and no reference was given
    # what kind of span, for comparing periods that may be unresolved: ("year", offset), ("part", offset,
    # first month, last month), ("window", months), ("month", offset), ("day", offset), ("mrel", offset);
    # offset: years (months for "mrel") from the reference, None when the text names the year itself
    shape: tuple = field(default=(), compare=False)

    def gregorian(self) -> tuple[datetime.date, datetime.date] | None:
        if self.start is None or self.end is None:
            return None
        return self.start.togregorian(), self.end.togregorian()

    def as_dict(self) -> dict:
        greg = self.gregorian()
        return {
            "label": self.label,
            "start": _iso(self.start),
            "end": _iso(self.end),
            "start_gregorian": greg[0].isoformat() if greg else None,
            "end_gregorian": greg[1].isoformat() if greg else None,
            "relative": self.relative,
            "resolved": self.resolved,
            "text": self.text,
        }


def _iso(day: jdatetime.date | None) -> str | None:
    return None if day is None else f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def _fa(value: int) -> str:
    return persian_digits(value)


def _day_label(day: jdatetime.date) -> str:
    return f"{_fa(day.day)} {_MONTH_NAMES[day.month - 1]} {_fa(day.year)}"


def day_label(iso: str | None) -> str | None:
    """A day written as a reader reads it: ``2024-06-01`` (Gregorian) or ``1403-03-12`` → «۱۲ خرداد ۱۴۰۳»."""
    if not iso:
        return None
    day = parse_date(iso)
    return _day_label(day) if day is not None else None


def _year_value(digits: str) -> int:
    """Two digits are a year of this century of the Jalali calendar or the last half of the one before:
    ``50``–``99`` → 1350–1399, ``00``–``49`` → 1400–1449. Four digits are the year itself."""
    value = int(digits)
    if len(digits) != 2:
        return value
    return 1300 + value if value >= 50 else 1400 + value


def _jalali(year: int, month: int, day: int) -> jdatetime.date | None:
    try:
        return jdatetime.date(year, month, day)
    except ValueError:
        return None


def _month_days(year: int, month: int) -> int:
    days = jdatetime.j_days_in_month[month - 1]
    return 30 if month == 12 and jdatetime.date(year, 1, 1).isleap() else days


def _month_span(year: int, month: int) -> tuple[jdatetime.date, jdatetime.date]:
    return jdatetime.date(year, month, 1), jdatetime.date(year, month, _month_days(year, month))


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _COUNTS[word]


def _to_jalali(reference: jdatetime.date | datetime.date | None) -> jdatetime.date | None:
    if reference is None or isinstance(reference, jdatetime.date):
        return None if reference is None else jdatetime.date(reference.year, reference.month, reference.day)
    return jdatetime.date.fromgregorian(date=datetime.date(reference.year, reference.month, reference.day))


def _calendar_date(year_digits: str, month: int, day: int) -> jdatetime.date | None:
    """A written date: a 13xx/14xx (or two-digit) year is Jalali, a 19xx/20xx year Gregorian."""
    year = _year_value(year_digits)
    if 1300 <= year < 1500:
        return _jalali(year, month, day)
    try:
        return jdatetime.date.fromgregorian(date=datetime.date(year, month, day)) if 1900 <= year < 2100 else None
    except ValueError:
        return None


def _year_part(m: re.Match, r: jdatetime.date, default: int | None = None) -> tuple[int | None, int | None]:
    """(year, offset) the match names: a written year has offset None; ``سال جاری`` and the like (or, with
    nothing written, a ``default`` offset) count from the reference ``r``. (None, None): no year at all."""
    if m["yn"]:
        return _year_value(m["yn"]), None
    offset = _YEAR_OFFSETS[re.sub(rf"^سال{_SP}", "", m["yrel"])] if m["yrel"] else default
    return (None if offset is None else r.year + offset), offset


def _build(kind: str, m: re.Match, s: str, reference: jdatetime.date | None) -> tuple | None:
    """(start, end, label, relative, label when unresolved) for one match, or None if it names no period."""
    r = reference or _STAND_IN
    if kind in ("date", "date_dmy"):
        day = _calendar_date(m["y"], int(m["m"]), int(m["d"]))
        return day and (day, day, _day_label(day), False, "", ("day", None))
    if kind == "gyear":
        year = int(m["g"])
        first, last = (jdatetime.date.fromgregorian(date=datetime.date(year, mo, d)) for mo, d in ((1, 1), (12, 31)))
        return first, last, f"سال {_fa(year)} میلادی", False, "", ("gyear", None)
    if kind in ("year", "year_end"):
        if m["yrel"] and m["yrel"].startswith("سال") and _COUNT_BEFORE.search(s, 0, m.start()):
            return None  # "دو سال پیش": years ago, not last year
        year, offset = _year_part(m, r)
        prefix = "پایان " if kind == "year_end" else ""
        return (jdatetime.date(year, 1, 1), _month_span(year, 12)[1], f"{prefix}سال {_fa(year)}",
                offset is not None, prefix + _YEAR_NAMES.get(offset, ""), ("year", offset))
    if kind == "day":
        year, offset = _year_part(m, r)
        month, name = _MONTHS[m["mon"]], m["mon"]
        day = int(m["day"]) if m["day"] else None
        if day is None and not m["mah"] and year is None:
            return None  # a bare "تیر" or "مهر" is seldom the month
        relative = year is None or offset is not None
        vague = f"{_fa(day)} {name}" if day else f"{name} ماه"
        vague += f" {_YEAR_NAMES[offset]}" if offset is not None else ""
        if day is None:  # a month; with no year, the latest one begun by the reference
            year = year if year is not None else r.year if month <= r.month else r.year - 1
            return (*_month_span(year, month), f"{_MONTH_NAMES[month - 1]} {_fa(year)}", relative, vague,
                    ("month", offset))
        years = (year,) if year is not None else (r.year, r.year - 1)  # with no year, the latest not after r
        found = next((d for y in years if (d := _jalali(y, month, day)) and (year is not None or d <= r)), None)
        return found and (found, found, _day_label(found), relative, vague, ("day", offset))
    if kind == "first":
        n, first_half = (6, m["q"] != "دوم") if m["half"] else (_count(m["n"]), True)
        if not 1 <= n <= 12 or (not m["half"] and m["q"] == "دوم"):
            return None
        year, offset = _year_part(m, r, default=0)  # "نیمه نخست سال": this year
        what = ("نیمه نخست" if first_half else "نیمه دوم") if m["half"] else f"{_fa(n)} ماه نخست"
        months = (1, n) if first_half else (7, 12)
        return (jdatetime.date(year, months[0], 1), _month_span(year, months[1])[1], f"{what} {_fa(year)}",
                offset is not None, f"{what} {_YEAR_NAMES.get(offset, '')}", ("part", offset, *months))
    if kind == "months_of":
        n = _count(m["n"])
        if not 1 <= n <= 12:
            return None
        year, offset = _year_part(m, r, default=0)
        what = f"{_fa(n)} ماه نخست"
        return (jdatetime.date(year, 1, 1), _month_span(year, n)[1], f"{what} {_fa(year)}", offset is not None,
                f"{what} {_YEAR_NAMES.get(offset, '')}", ("part", offset, 1, n))
    if kind == "season":
        first_month = {"بهار": 1, "تابستان": 4, "پاییز": 7, "پائیز": 7, "زمستان": 10}[m["season"]]
        year, offset = _year_part(m, r, default=0)
        what = {1: "بهار", 4: "تابستان", 7: "پاییز", 10: "زمستان"}[first_month]
        return (jdatetime.date(year, first_month, 1), _month_span(year, first_month + 2)[1], f"{what} {_fa(year)}",
                offset is not None, f"{what} {_YEAR_NAMES.get(offset, '')}", ("part", offset, first_month, first_month + 2))
    if kind == "window":
        n, unit = _count(m["n"]), m["unit"]
        if n < 1:
            return None
        months = n * 12 if unit == "سال" else n
        year, month = _shift(r.year, r.month, -months)
        first = jdatetime.date(year, month, min(r.day, _month_days(year, month))) + datetime.timedelta(days=1)
        vague = f"{persian_digits(m['n'])} {unit} گذشته"
        return first, r, f"{_fa(months)} ماه منتهی به {_day_label(r)}", True, vague, ("window", months)
    if kind == "month_rel":
        if _COUNT_BEFORE.search(s, 0, m.start()):
            return None  # "دو ماه پیش"
        offset = {"جاری": 0, "آینده": 1}.get(m["mrel"], -1)
        year, month = _shift(r.year, r.month, offset)
        return (*_month_span(year, month), f"{_MONTH_NAMES[month - 1]} {_fa(year)}", True, _MONTH_REL_NAMES[offset],
                ("mrel", offset))
    raise ValueError(kind)


def _find(text: str, reference, kinds) -> list[Period]:
    s = fold_same_length(text)  # one character for one: offsets stay those of the input
    ref = _to_jalali(reference)
    found = []
    for kind in kinds:
        for m in _RES[kind].finditer(s):
            if built := _build(kind, m, s, ref):
                found.append((m.start(), m.end(), built))
    periods: list[Period] = []
    last_end = 0
    for a, b, (first, last, label, relative, vague, shape) in sorted(found, key=lambda f: (f[0], f[0] - f[1])):
        if a < last_end:
            continue  # overlaps a period that starts earlier or is longer
        if relative and ref is None:
            periods.append(Period(None, None, vague + UNKNOWN_DATE, text[a:b], a, b, True, False, shape))
        else:
            periods.append(Period(first, last, label, text[a:b], a, b, relative, True, shape))
        last_end = b
    return periods


def find_periods(text: str, reference: jdatetime.date | datetime.date | None = None) -> list[Period]:
    """Every period named in ``text``, in order and not overlapping; relative ones are read against
    ``reference`` (the article's date, Jalali or Gregorian), or left unresolved without one."""
    return _find(text, reference, _RES)


def parse_date(text: str) -> jdatetime.date | None:
    """The day ``text`` is, when all of it is one date with its year: ``1397/08/03``, ``۱۴۰۲-۱۰-۱۲``,
    ``۱۲ دی ۱۴۰۲``, ``2023-01-02`` (Gregorian, returned as Jalali). None otherwise."""
    periods = find_periods(text)
    if len(periods) != 1 or periods[0].relative or periods[0].start != periods[0].end:
        return None
    return periods[0].start if periods[0].text == text.strip() else None


def article_date(text: str, title: str = "") -> jdatetime.date | None:
    """The article's own date: the first numeric date (``1397/08/03``) in the title or in the first three
    non-empty lines. Written dates (``۱۲ دی ۱۴۰۲``) there are left out: in a lead they are mostly events."""
    lines = [title, *[line for line in text.splitlines() if line.strip()][:3]]
    for line in lines:
        if periods := _find(line, None, ("date", "date_dmy")):
            return periods[0].start
    return None
