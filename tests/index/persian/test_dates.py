"""Persian time periods: each expression with and without the article's date, leap years, digit scripts,
what must not be read as a period, and round trips of random dates through written forms."""

from __future__ import annotations

import datetime

import jdatetime
import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.persian.dates import Period, article_date, find_periods, parse_date

ZWNJ = "\u200c"
SCRIPTS = {"latin": "0123456789", "persian": "۰۱۲۳۴۵۶۷۸۹", "arabic": "٠١٢٣٤٥٦٧٨٩"}
REF = jdatetime.date(1402, 7, 15)  # 2023-10-07
J = jdatetime.date


def in_script(text: str, script: str) -> str:
    return text.translate(str.maketrans("0123456789", SCRIPTS[script]))


def only(text: str, reference=None) -> Period:
    periods = find_periods(text, reference)
    assert len(periods) == 1, periods
    period = periods[0]
    assert text[period.start_offset:period.end_offset] == period.text
    return period


def span(text: str, reference=None) -> tuple[J, J]:
    period = only(text, reference)
    assert period.resolved
    return period.start, period.end


# --- years ------------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("reference", [None, REF])
def test_year_in_each_script(script, reference):
    text = in_script("در سال 1401 صادرات", script)
    period = only(text, reference)
    assert period == Period(J(1401, 1, 1), J(1401, 12, 29), "سال ۱۴۰۱", in_script("سال 1401", script),
                            3, 11, relative=False, resolved=True)


@pytest.mark.parametrize("text", ["سال۱۴۰۱", f"سال{ZWNJ}۱۴۰۱", "سال  ۱۴۰۱"])
def test_year_glued_or_spaced(text):
    assert span(text) == (J(1401, 1, 1), J(1401, 12, 29))


def test_leap_years_end_on_esfand_30():
    assert J(1403, 1, 1).isleap() and J(1399, 1, 1).isleap() and not J(1402, 1, 1).isleap()
    assert span("سال ۱۴۰۳") == (J(1403, 1, 1), J(1403, 12, 30))
    assert span("سال ۹۹") == (J(1399, 1, 1), J(1399, 12, 30))
    assert span("سال ۱۴۰۲") == (J(1402, 1, 1), J(1402, 12, 29))
    assert span("اسفند ۱۴۰۳") == (J(1403, 12, 1), J(1403, 12, 30))
    assert span("اسفند ۱۴۰۲") == (J(1402, 12, 1), J(1402, 12, 29))


def test_gregorian_equivalents():
    period = only("سال ۱۴۰۱")
    assert period.gregorian() == (datetime.date(2022, 3, 21), datetime.date(2023, 3, 20))
    assert period.as_dict() == {
        "label": "سال ۱۴۰۱", "start": "1401-01-01", "end": "1401-12-29",
        "start_gregorian": "2022-03-21", "end_gregorian": "2023-03-20",
        "relative": False, "resolved": True, "text": "سال ۱۴۰۱",
    }
    assert only("سال ۱۴۰۳").gregorian() == (datetime.date(2024, 3, 20), datetime.date(2025, 3, 20))


@pytest.mark.parametrize(("text", "year"), [("سال ۹۹", 1399), ("سال ۵۰", 1350), ("سال ۰۲", 1402),
                                            ("سال ۴۹", 1449), ("سال 98", 1398), ("سال ٩٨", 1398)])
def test_two_digit_years(text, year):
    period = only(text)
    assert (period.start.year, period.end.year, period.label) == (year, year, f"سال {year}".translate(
        str.maketrans("0123456789", SCRIPTS["persian"])))


def test_gregorian_year():
    period = only("در سال ۲۰۲۲ میلادی")
    assert period.gregorian() == (datetime.date(2022, 1, 1), datetime.date(2022, 12, 31))
    assert (period.label, period.text) == ("سال ۲۰۲۲ میلادی", "سال ۲۰۲۲ میلادی")


@pytest.mark.parametrize("reference", [None, REF])
def test_end_of_year_is_the_whole_year(reference):
    text = "در پایان سال ۱۴۰۱، ۲۲ میلیون و ۹۹۵ هزار دلار توسط ۴۲ شرکت تعاونی صادر شد"
    period = only(text, reference)
    assert (period.start, period.end, period.label, period.text) == (
        J(1401, 1, 1), J(1401, 12, 29), "پایان سال ۱۴۰۱", "پایان سال ۱۴۰۱")
    assert not period.relative


def test_end_of_this_year():
    assert only("تا پایان سال جاری", REF).label == "پایان سال ۱۴۰۲"
    unresolved = only("تا پایان سال جاری")
    assert (unresolved.label, unresolved.resolved) == ("پایان سال جاری (تاریخ خبر نامعلوم)", False)


# --- full dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1397/08/03", J(1397, 8, 3)),
        ("۱۳۹۷/۸/۳", J(1397, 8, 3)),
        ("۱۴۰۲/۱۰/۱۲", J(1402, 10, 12)),
        ("۱۴۰۲-۱۰-۱۲", J(1402, 10, 12)),
        ("١٤٠٢-١٠-١٢", J(1402, 10, 12)),
        ("1402.10.12", J(1402, 10, 12)),
        ("۹۷/۰۸/۰۳", J(1397, 8, 3)),
        ("03/08/1397", J(1397, 8, 3)),
        ("2023-01-02", J(1401, 10, 12)),  # Gregorian
        ("۱۴۰۳/۱۲/۳۰", J(1403, 12, 30)),
    ],
)
@pytest.mark.parametrize("reference", [None, REF])
def test_full_dates(text, day, reference):
    sentence = f"جلسه هم انديشي اتاق تعاون {text} برگزار شد"
    period = only(sentence, reference)
    assert (period.start, period.end, period.text, period.relative, period.resolved) == (day, day, text, False, True)
    assert parse_date(text) == day


def test_full_date_label_and_gregorian():
    period = only("1401/01/01")
    assert period.label == "۱ فروردین ۱۴۰۱"
    assert period.gregorian() == (datetime.date(2022, 3, 21),) * 2


@pytest.mark.parametrize("text", ["1402/12/30", "1401/13/01", "1402/07/31", "۱۴۰۱/۰۵", "021-8888-1234"])
def test_impossible_dates_and_other_digits(text):
    assert find_periods(text) == []
    assert parse_date(text) is None


# --- day and month ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["۱۲ دی ۱۴۰۲", "۱۲ دی‌ماه ۱۴۰۲", "۱۲ دی ماه ۱۴۰۲", "۱۲دیماه ۱۴۰۲", "12 دي 1402",
                                  "١٢ دی ماه سال ١٤٠٢", "۱۲ دی ۱۴۰۲"])
@pytest.mark.parametrize("reference", [None, REF])
def test_day_month_year(text, reference):
    period = only(f"در {text} برگزار شد", reference)
    assert (period.start, period.end, period.label, period.text) == (J(1402, 10, 12), J(1402, 10, 12), "۱۲ دی ۱۴۰۲", text)
    assert not period.relative and period.resolved
    assert parse_date(text) == J(1402, 10, 12)


def test_day_month_without_year():
    unresolved = only("در ۱۲ دی برگزار شد")
    assert (unresolved.start, unresolved.end, unresolved.label, unresolved.text) == (
        None, None, "۱۲ دی (تاریخ خبر نامعلوم)", "۱۲ دی")
    assert unresolved.relative and not unresolved.resolved and unresolved.gregorian() is None
    # the latest such day not after the article's date
    assert span("۱۲ دی", REF) == (J(1401, 10, 12), J(1401, 10, 12))
    assert span("۱۰ مهر", REF) == (J(1402, 7, 10),) * 2
    assert span("۱۵ مهر", REF) == (J(1402, 7, 15),) * 2
    assert span("۱۶ مهر", REF) == (J(1401, 7, 16),) * 2
    assert span("۳۰ اسفند", J(1404, 1, 10)) == (J(1403, 12, 30),) * 2  # 1404 has no Esfand 30
    assert only("۱۲ دی", REF).label == "۱۲ دی ۱۴۰۱"
    assert only("۱۲ دی", datetime.date(2023, 10, 7)).start == J(1401, 10, 12)
    assert parse_date("۱۲ دی") is None


def test_day_month_with_relative_year():
    period = only("۱۵ خرداد امسال", REF)
    assert (period.start, period.label, period.relative) == (J(1402, 3, 15), "۱۵ خرداد ۱۴۰۲", True)
    assert only("۱۵ خرداد سال گذشته", REF).start == J(1401, 3, 15)
    assert only("۱۵ خرداد سال گذشته").label == "۱۵ خرداد سال گذشته (تاریخ خبر نامعلوم)"


@pytest.mark.parametrize("reference", [None, REF])
def test_month_with_year(reference):
    for text in ["دی ماه ۱۴۰۲", "دی‌ماه ۱۴۰۲", "دیماه سال ۱۴۰۲", "دی ۱۴۰۲", "دي ماه ١٤٠٢"]:
        period = only(f"در {text} ", reference)
        assert (period.start, period.end, period.label, period.text, period.relative) == (
            J(1402, 10, 1), J(1402, 10, 30), "دی ۱۴۰۲", text, False)


def test_month_without_year():
    unresolved = only("در دی‌ماه")
    assert (unresolved.label, unresolved.text, unresolved.resolved) == ("دی ماه (تاریخ خبر نامعلوم)", "دی‌ماه", False)
    assert span("در دی‌ماه", REF) == (J(1401, 10, 1), J(1401, 10, 30))  # Dey 1402 has not begun yet
    assert span("مهر ماه", REF) == (J(1402, 7, 1), J(1402, 7, 30))
    assert span("اردیبهشت ماه", REF) == (J(1402, 2, 1), J(1402, 2, 31))
    assert only("دی ماه سال جاری", REF).label == "دی ۱۴۰۲"


# --- relative years and months ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["سال جاری", "امسال", "سالجاری", "سال‌جاری", "سال  جاری"])
def test_this_year(text):
    period = only(f"صادرات تعاونیها در {text} خبر داد", REF)
    assert (period.start, period.end, period.label, period.text) == (J(1402, 1, 1), J(1402, 12, 29), "سال ۱۴۰۲", text)
    assert period.relative and period.resolved
    unresolved = only(f"صادرات تعاونیها در {text} خبر داد")
    assert unresolved == Period(None, None, "سال جاری (تاریخ خبر نامعلوم)", text, unresolved.start_offset,
                                unresolved.end_offset, relative=True, resolved=False)
    assert unresolved.as_dict() == {"label": "سال جاری (تاریخ خبر نامعلوم)", "start": None, "end": None,
                                    "start_gregorian": None, "end_gregorian": None, "relative": True,
                                    "resolved": False, "text": text}


@pytest.mark.parametrize("text", ["سال گذشته", "پارسال", "سال قبل", "سال پیش", "سال‌گذشته"])
def test_last_year(text):
    assert span(f"این میزان {text} در همین بازه", REF) == (J(1401, 1, 1), J(1401, 12, 29))
    assert only(text, REF).label == "سال ۱۴۰۱"
    assert only(text).label == "سال گذشته (تاریخ خبر نامعلوم)"


def test_gregorian_reference():
    assert span("سال جاری", datetime.date(2023, 10, 7)) == (J(1402, 1, 1), J(1402, 12, 29))
    assert span("سال جاری", datetime.date(2024, 3, 19)) == (J(1402, 1, 1), J(1402, 12, 29))
    assert span("سال جاری", datetime.date(2024, 3, 20)) == (J(1403, 1, 1), J(1403, 12, 30))


@pytest.mark.parametrize("text", ["یک سال گذشته", "یک سال اخیر", "یکسال گذشته", "۱ سال گذشته"])
def test_last_twelve_months(text):
    period = only(f"طی {text} ۶۴۸ نیرو مشغول به کار شده‌اند", REF)
    assert (period.start, period.end, period.text) == (J(1401, 7, 16), J(1402, 7, 15), text)
    assert period.label == "۱۲ ماه منتهی به ۱۵ مهر ۱۴۰۲"
    assert period.relative
    unresolved = only(f"طی {text} ۶۴۸ نیرو")
    assert not unresolved.resolved and unresolved.label.endswith("سال گذشته (تاریخ خبر نامعلوم)")


def test_windows():
    assert span("۲ سال اخیر", REF) == (J(1400, 7, 16), J(1402, 7, 15))
    assert span("سه ماه گذشته", REF) == (J(1402, 4, 16), J(1402, 7, 15))
    assert span("یک سال گذشته", J(1403, 12, 30)) == (J(1403, 1, 1), J(1403, 12, 30))  # a leap year
    assert span("یک سال گذشته", J(1403, 6, 31)) == (J(1402, 7, 1), J(1403, 6, 31))


def test_months_relative():
    assert span("ماه گذشته", REF) == (J(1402, 6, 1), J(1402, 6, 31))
    assert only("ماه گذشته", REF).label == "شهریور ۱۴۰۲"
    assert span("ماه گذشته", J(1402, 1, 10)) == (J(1401, 12, 1), J(1401, 12, 29))
    assert span("ماه جاری", REF) == (J(1402, 7, 1), J(1402, 7, 30))
    assert only("ماه گذشته").label == "ماه گذشته (تاریخ خبر نامعلوم)"
    assert only("دی ماه گذشته", REF).label == "دی ۱۴۰۱"  # the last Dey, not the last month


# --- first months of a year -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("پنج ماه نخست سال جاری", J(1402, 1, 1), J(1402, 5, 31), "۵ ماه نخست ۱۴۰۲"),
        ("۵ ماه اول امسال", J(1402, 1, 1), J(1402, 5, 31), "۵ ماه نخست ۱۴۰۲"),
        ("٥ ماه نخست سالجاری", J(1402, 1, 1), J(1402, 5, 31), "۵ ماه نخست ۱۴۰۲"),
        ("سه ماه نخست سال گذشته", J(1401, 1, 1), J(1401, 3, 31), "۳ ماه نخست ۱۴۰۱"),
        ("نیمه نخست سال", J(1402, 1, 1), J(1402, 6, 31), "نیمه نخست ۱۴۰۲"),
        ("هشت ماه ابتدای سال", J(1402, 1, 1), J(1402, 8, 30), "۸ ماه نخست ۱۴۰۲"),
    ],
)
def test_first_months_relative(text, first, last, label):
    period = only(f"تعاونیهای استان در {text} هفت میلیون و ۹۵۰ هزار دلار صادر کردند", REF)
    assert (period.start, period.end, period.label, period.text, period.relative) == (first, last, label, text, True)
    unresolved = only(f"در {text} هفت میلیون")
    assert unresolved.label.endswith("(تاریخ خبر نامعلوم)") and unresolved.start is None


def test_first_months_unresolved_label():
    assert only("پنج ماه نخست سال جاری").label == "۵ ماه نخست سال جاری (تاریخ خبر نامعلوم)"


@pytest.mark.parametrize("reference", [None, REF])
@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("شش ماهه نخست سال ۱۴۰۲", J(1402, 1, 1), J(1402, 6, 31), "۶ ماه نخست ۱۴۰۲"),
        ("۱۱ ماه نخست ۱۴۰۱", J(1401, 1, 1), J(1401, 11, 30), "۱۱ ماه نخست ۱۴۰۱"),
        ("دوازده ماه نخست سال ۱۴۰۳", J(1403, 1, 1), J(1403, 12, 30), "۱۲ ماه نخست ۱۴۰۳"),
        ("نیمه دوم سال ۱۴۰۳", J(1403, 7, 1), J(1403, 12, 30), "نیمه دوم ۱۴۰۳"),
    ],
)
def test_first_months_of_a_written_year(text, first, last, label, reference):
    period = only(text, reference)
    assert (period.start, period.end, period.label, period.relative, period.resolved) == (first, last, label, False, True)


# --- what is not a period ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "سالن همایش", "سالم", "سالانه", "هدفگذاری سالانه صادرات", "سال‌ها", "سالها", "طی سال‌های گذشته",
        "سالهای اخیر", "۲۲ میلیون دلار", "در سال ۲۲ میلیون تن", "در سال ۱۴۰۰ هزار نفر", "دو سال پیش",
        "۲۰ سال قبل", "چند ماه پیش", "در ۱۴۰۱", "۱۴۰۱", "مهر", "تیر برق", "مهربانی", "آذربایجان",
        "۱۲ دیگر", "ماه‌های گذشته", "۱۳ ماه نخست سال", "پنج ماه نخست فعالیت", "سال 1200", "۳۱ دی ۱۴۰۲",
    ],
)
@pytest.mark.parametrize("reference", [None, REF])
def test_not_periods(text, reference):
    assert find_periods(text, reference) == []


def test_amount_after_a_year_is_left_alone():
    text = "در پایان سال ۱۴۰۱، ۲۲ میلیون و ۹۹۵ هزار دلار و در سال ۹۹ ، ۱۵ میلیون دلار"
    assert [p.text for p in find_periods(text)] == ["پایان سال ۱۴۰۱", "سال ۹۹"]


# --- offsets in a whole text ------------------------------------------------------------------


def test_offsets_slice_back_in_mixed_text():
    text = (
        "جلسه هم انديشي اتاق تعاون 1397/08/03\n"
        f"تعاونیهای استان در پنج ماه نخست سال جاری هفت میلیون دلار صادر کردند که این میزان سال{ZWNJ}گذشته ۶ میلیون بود؛ "
        "در يك سال گذشته ۱۵ میلیون دلار و در ١٢ دي‌ماه ١٤٠٢ و دی ماه و سال 1401 و سالن همایش."
    )
    periods = find_periods(text, REF)
    assert [p.text for p in periods] == ["1397/08/03", "پنج ماه نخست سال جاری", f"سال{ZWNJ}گذشته",
                                         "يك سال گذشته", "١٢ دي‌ماه ١٤٠٢", "دی ماه", "سال 1401"]
    for period in periods:
        assert text[period.start_offset:period.end_offset] == period.text
    assert all(a.end_offset <= b.start_offset for a, b in zip(periods, periods[1:]))
    assert [p.label for p in periods] == ["۳ آبان ۱۳۹۷", "۵ ماه نخست ۱۴۰۲", "سال ۱۴۰۱", "۱۲ ماه منتهی به ۱۵ مهر ۱۴۰۲",
                                          "۱۲ دی ۱۴۰۲", "دی ۱۴۰۱", "سال ۱۴۰۱"]
    assert [p.resolved for p in find_periods(text)] == [True, False, False, False, True, False, True]


# --- parse_date and article_date --------------------------------------------------------------


@pytest.mark.parametrize("text", ["سال ۱۴۰۱", "دی ماه ۱۴۰۲", "سال جاری", "hello", "", "1397/08/03 و 1397/08/04",
                                  "جلسه 1397/08/03"])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


def test_parse_date_strips_spaces():
    assert parse_date("  ۱۴۰۲/۱۰/۱۲\n") == J(1402, 10, 12)


def test_article_date():
    text = ("جلسه هم انديشي اتاق تعاون استان با مديران اتحاديه ها 1397/08/03\n\n\n"
            "به گزارش روابط عمومي اتاق تعاون استان خراسان رضوي، در اين نشست ...")
    assert article_date(text) == J(1397, 8, 3)
    assert article_date("متن خبر", title="نشست خبری ۱۴۰۲/۰۵/۰۱") == J(1402, 5, 1)
    assert article_date(text, title="نشست خبری ۱۴۰۲/۰۵/۰۱") == J(1402, 5, 1)  # the title first
    assert article_date("در ۱۲ دی ۱۴۰۲ برگزار می‌شود\nمتن") is None  # a written date in a lead is an event
    assert article_date("سطر ۱\nسطر ۲\nسطر ۳\nسطر ۴ 1397/08/03") is None  # too far down
    assert article_date("صادرات ۳۴ میلیون دلاری در سالجاری") is None


# --- properties -------------------------------------------------------------------------------

FIRST, LAST = J(1300, 1, 1), J(1499, 12, 29)
jalali_dates = st.integers(0, (LAST - FIRST).days).map(lambda k: FIRST + datetime.timedelta(days=k))


@given(jalali_dates, st.sampled_from(list(SCRIPTS)), st.sampled_from("/-"), st.booleans())
def test_rendered_dates_parse_back(day, script, sep, padded):
    width = 2 if padded else 1
    text = f"{day.year:04d}{sep}{day.month:0{width}d}{sep}{day.day:0{width}d}"
    assert parse_date(in_script(text, script)) == day
    if 1350 <= day.year <= 1449:  # two-digit years
        assert parse_date(in_script(f"{day.year % 100:02d}{text[4:]}", script)) == day
    sentence = in_script(f"خبر {text} ۲۲ میلیون", script)
    period = only(sentence)
    assert (period.start, period.end) == (day, day)


MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]


def valid(year: int, month: int, day: int) -> J | None:
    try:
        return J(year, month, day)
    except ValueError:
        return None


@given(jalali_dates, jalali_dates)
def test_day_without_year_is_the_latest_not_after_the_reference(day, reference):
    periods = find_periods(f"{day.day} {MONTHS[day.month - 1]}", reference)
    candidates = [d for y in (reference.year, reference.year - 1)
                  if (d := valid(y, day.month, day.day)) is not None and d <= reference]
    if not candidates:  # Esfand 30 after the reference, and last year had none
        assert periods == []
        return
    assert [(p.start, p.end, p.relative) for p in periods] == [(candidates[0], candidates[0], True)]


def test_a_day_as_a_reader_reads_it():
    from assistant.answer import byline
    from index.persian.dates import day_label

    assert day_label("2024-06-01") == day_label("1403-03-12") == "۱۲ خرداد ۱۴۰۳"
    assert day_label(None) is None and day_label("not a date") is None
    assert byline("ایرنا", "2024-06-01") == "ایرنا، ۱۲ خرداد ۱۴۰۳"
    assert byline("ایرنا", None) == "ایرنا" and byline(None, "2024-06-01") == "۱۲ خرداد ۱۴۰۳" and byline(None, None) == ""
