"""Persian amounts: the cases news text uses, and round trips of random integers through written forms."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.persian.numbers import Amount, find_amounts, parse_amount, parse_number

ZWNJ = "\u200c"
SCRIPTS = {"latin": "0123456789", "persian": "۰۱۲۳۴۵۶۷۸۹", "arabic": "٠١٢٣٤٥٦٧٨٩"}


def in_script(text: str, script: str) -> str:
    return text.translate(str.maketrans("0123456789", SCRIPTS[script]))


# --- the cases that must be exactly right -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("۲۲ میلیون و ۹۹۵ هزار دلار", 22_995_000, "USD"),
        ("یک میلیون و ۲۰۰ هزار نفر", 1_200_000, "people"),
        ("هزار و ۵۰۸ میلیارد ریال", 1_508_000_000_000, "IRR"),
        ("۲ هزار و ۵۰۲ تعاونی", 2_502, "cooperatives"),
        ("هفت میلیون و ۹۵۰ هزار", 7_950_000, None),
        ("۶ میلیارد و ۹۰۰ میلیون تومان", 6_900_000_000, "IRT"),
        ("۳۴ میلیون دلاری", 34_000_000, "USD"),
        ("۲۵ درصد", 25, "percent"),
        ("٪۲۵", 25, "percent"),
        ("25%", 25, "percent"),
        ("۲۵٪", 25, "percent"),
        ("۱۵۰ میلیارد ریالی", 150_000_000_000, "IRR"),
        ("۱۲ میلیون یورو", 12_000_000, "EUR"),
        ("۵۰ شرکت تعاونی", 50, "cooperatives"),
        ("۲۰ شرکت", 20, "companies"),
        ("۱۰ هزار فرصت شغلی", 10_000, "jobs"),
        ("۳۰۰ شغل", 300, "jobs"),
        ("۱۲ کشور", 12, "countries"),
        ("۵۰۰ تن", 500, "tons"),
        ("۲ هزار هکتار", 2_000, "hectares"),
        ("۱۲۰ عضو", 120, "members"),
        ("۸ هزار تعاونی‌های", 8_000, "cooperatives"),
        ("۲ میلیون نفری", 2_000_000, "people"),
        ("۲۰ هزار میلیارد تومان", 20_000_000_000_000, "IRT"),
        ("۱۲ میلیون ۵۰۰ هزار تومان", 12_500_000, "IRT"),
        ("يك ميليون و ۲۰۰ هزار نفر", 1_200_000, "people"),  # Arabic ي ك
    ],
)
def test_amounts_in_news(text, value, unit):
    amount = parse_amount(text)
    assert amount == Amount(value, unit, False, 0, len(text), text)
    assert type(amount.value) is int


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("هفت میلیون و ۹۵۰ هزار", 7_950_000),
        ("۲.۵ میلیون", 2_500_000), ("۲٫۵ میلیون", 2_500_000), ("۲/۵ میلیون", 2_500_000), ("5/2 میلیون", 2_500_000),
        ("2,500,000", 2_500_000), ("۲،۵۰۰،۰۰۰", 2_500_000), ("۲٬۵۰۰٬۰۰۰", 2_500_000),
        ("سیصد و بیست و پنج", 325), ("هفت", 7), ("دو", 2), ("یازده", 11), ("بیست و یک", 21),
        ("صد", 100), ("یکصد", 100), ("یک صد", 100), ("دویست", 200), ("هزار", 1000), ("یک هزار", 1000),
        ("یک\u200cمیلیون", 1_000_000), ("یکمیلیون", 1_000_000), ("۳۴میلیون", 34_000_000),
        ("۱۲ هزار و پانصد", 12_500), ("سه هزار و ۴۰۰", 3_400), ("دو و نیم میلیون", 2_500_000),
        ("صد و بیست و پنج هزار و سیصد", 125_300), ("یک میلیون و صد و بیست هزار", 1_120_000),
        ("دو هزار و پانصد میلیارد", 2_500_000_000_000), ("۱۵ هزار و ۵۰۰ میلیارد", 15_500_000_000_000),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_decimals_stay_exact_and_fractions_are_floats():
    assert parse_number("۲.۵ میلیون") == 2_500_000 and type(parse_number("۲.۵ میلیون")) is int
    assert parse_number("۱۲.۵") == 12.5
    assert parse_amount("۳/۵ درصد") == Amount(3.5, "percent", False, 0, 8, "۳/۵ درصد")


@pytest.mark.parametrize(
    "text", ["میلیون‌ها", "میلیونها", "ده‌ها", "صدها", "هزاران", "دوست", "هفته", "صدا", "سیصدمین", "پنجمین",
             "دومین", "پنجم", "یکی", "سه‌شنبه", "2/5", "1397/08/03", "۳ میلیون و", "حدود ۱۰", ""],
)
def test_not_a_number_phrase(text):
    assert parse_number(text) is None


def test_approximate_words():
    amount = parse_amount("نزدیک به ۱۰۰ هزار")
    assert (amount.value, amount.approximate, amount.text) == (100_000, True, "۱۰۰ هزار")
    for cue in ["نزدیک به", "حدود", "در حدود", "حدوداً", "حدودا", "بیش از", "بالغ بر", "قریب به", "کمتر از",
                "تقریبا", "تقریباً", "بیشتر از"]:
        amount = parse_amount(f"گزارش شد {cue} ۲۰ هزار نفر")
        assert (amount.value, amount.unit, amount.approximate) == (20_000, "people", True), cue
    assert parse_amount("گزارش شد ۲۰ هزار نفر").approximate is False
    assert parse_amount("بیشتر ۲۰ نفر").approximate is False  # "بیشتر" without "از"


def test_offsets_point_into_the_input():
    text = "در این استان حدود ۲ هزار و ۵۰۲ تعاونی فعال است."
    amount = parse_amount(text)
    assert text[amount.start:amount.end] == amount.text == "۲ هزار و ۵۰۲ تعاونی"
    assert amount.approximate


def test_find_amounts_in_a_sentence():
    text = ("در سال ۱۴۰۱ حدود ۲۲ میلیون و ۹۹۵ هزار دلار صادرات و ۳۴ میلیون دلاری واردات ثبت شد و "
            "۱۲ دی ۱۴۰۱ سهم تعاونی‌ها به ۲۵ درصد رسید؛ یک‌میلیون نفر عضو هستند.")
    got = [(a.value, a.unit, a.approximate, a.text) for a in find_amounts(text)]
    assert got == [
        (22_995_000, "USD", True, "۲۲ میلیون و ۹۹۵ هزار دلار"),
        (34_000_000, "USD", False, "۳۴ میلیون دلاری"),
        (25, "percent", False, "۲۵ درصد"),
        (1_000_000, "people", False, "یک\u200cمیلیون نفر"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "در سال ۱۴۰۱", "سال 1401", "سال‌های ۱۳۹۸", "سال‌های ۱۴۰۰ و ۱۴۰۱", "از سال ۱۳۹۸ تا ۱۴۰۱",
        "تاریخ 1397/08/03", "تاریخ ۱۳۹۷/۸/۳", "۱۲ دی", "۵ تیرماه",
        "۲۰ اسفند ۱۴۰۰", "بیست و یک فروردین", "ده‌ها میلیون دلار", "صدها هزار نفر", "چند هزار نفر",
        "هزاران نفر", "میلیون‌ها تومان", "نه تنها این", "دوست من هفته پیش با صدای بلند", "دومین و پنجمین",
        "سه‌شنبه و پنجشنبه", "COVID19", "۱۴۰۰-۱۴۰۱",
    ],
)
def test_years_dates_and_non_amounts_are_skipped(text):
    assert find_amounts(text) == []


def test_year_rule_is_narrow():
    # only a bare digit run right after "سال" is a year; a scaled or unit-bearing number is an amount
    assert [a.value for a in find_amounts("در سال ۲ میلیون نفر")] == [2_000_000]
    assert [a.value for a in find_amounts("امسال ۲۰ درصد")] == [20]
    assert [a.value for a in find_amounts("پنج سال")] == [5]
    assert [a.value for a in find_amounts("نه نفر")] == [9]


def test_lists_stay_separate_numbers():
    assert [a.value for a in find_amounts("۳ و ۴ درصد")] == [3, 4]
    assert [a.value for a in find_amounts("۳ میلیون و ۲ میلیون")] == [3_000_000, 2_000_000]
    assert [a.value for a in find_amounts("سیصد و پانصد")] == [300, 500]


def test_units_need_a_word_boundary():
    assert parse_amount("۵۰ شرکت‌کننده").unit is None
    assert parse_amount("۵ تنها").unit is None
    assert parse_amount("۳ عضویت").unit is None
    assert parse_amount("۱۰ دلارها").unit == "USD"


# --- property tests: random integers written as people write them ---------------------------------

ONES = ["", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه"]
TEENS = ["ده", "یازده", "دوازده", "سیزده", "چهارده", "پانزده", "شانزده", "هفده", "هجده", "نوزده"]
TENS = ["", "", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود"]
HUNDREDS = ["", "صد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد"]
SCALES = [(10**9, "میلیارد"), (10**6, "میلیون"), (10**3, "هزار"), (1, "")]

amounts = st.integers(min_value=0, max_value=10**13)
scripts = st.sampled_from(sorted(SCRIPTS))
joins = st.sampled_from([" ", ZWNJ, ""])  # between a number and its scale word


def groups(n: int) -> list[tuple[int, str]]:
    """(count, scale word) for each nonzero group; the billions count may reach 10_000."""
    out = []
    for size, word in SCALES:
        count, n = divmod(n, size)
        if count:
            out.append((count, word))
    return out


def spell_below_1000(n: int, draw) -> str:
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words.append(draw(st.sampled_from(["صد", "یکصد"])) if hundreds == 1 else HUNDREDS[hundreds])
    if 10 <= rest < 20:
        words.append(TEENS[rest - 10])
    elif rest:
        words += [w for w in (TENS[rest // 10], ONES[rest % 10]) if w]
    return " و ".join(words)


def spell_count(count: int, scale: str, join: str, draw) -> str:
    """``count`` spelled, then ``scale`` ("هزار" alone for 1000 as often as "یک هزار")."""
    if not scale:
        return spell_below_1000(count, draw)
    if count == 1 and scale == "هزار" and draw(st.booleans()):
        return "هزار"
    if count >= 1000:  # billions beyond 999: "دو هزار و پانصد میلیارد"
        thousands, rest = divmod(count, 1000)
        head = spell_count(thousands, "هزار", join, draw)
        return (f"{head} و {spell_below_1000(rest, draw)}" if rest else head) + join + scale
    return spell_below_1000(count, draw) + join + scale


@st.composite
def spelled(draw, n: int, varied_joins: bool) -> str:
    if n == 0:
        return "صفر"
    parts = []
    for count, scale in groups(n):
        join = draw(joins) if varied_joins else " "
        parts.append(spell_count(count, scale, join, draw))
    text = " و ".join(parts)
    return text.translate(str.maketrans("یک", "يك")) if draw(st.booleans()) else text


@settings(max_examples=300, derandomize=True, deadline=None)
@given(n=amounts, script=scripts, sep=st.sampled_from(["", ",", "٬", "،"]))
def test_digits_round_trip(n, script, sep):
    text = in_script(f"{n:,}".replace(",", sep), script)
    assert parse_number(text) == n
    assert [a.value for a in find_amounts(f"مبلغ {text} ریال بود")] == [n]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(n=amounts.filter(bool), script=scripts, data=st.data())
def test_digits_with_scale_words_round_trip(n, script, data):
    text = " و ".join(
        in_script(str(count), script) + (data.draw(joins) + scale if scale else "") for count, scale in groups(n)
    )
    assert parse_number(text) == n, text
    amount = parse_amount(f"حدود {text} دلار")
    assert (amount.value, amount.unit, amount.approximate, amount.text) == (n, "USD", True, f"{text} دلار")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(n=amounts, data=st.data())
def test_spelled_out_round_trip(n, data):
    text = data.draw(spelled(n, varied_joins=False))
    assert parse_number(text) == n, text
    assert [(a.value, a.unit) for a in find_amounts(f"رقم {text} تومان است")] == [(n, "IRT")], text


@settings(max_examples=300, derandomize=True, deadline=None)
@given(n=amounts, data=st.data())
def test_spelled_out_with_zwnj_or_glued_scale_words_round_trip(n, data):
    text = data.draw(spelled(n, varied_joins=True))
    assert parse_number(text) == n, text


def test_every_spelled_number_below_a_thousand():
    for n in range(1000):
        text = "صفر" if n == 0 else spell_below_1000(n, lambda _: "صد")
        assert parse_number(text) == n, text
        assert parse_number(f"{text} هزار") == n * 1000 or n == 0, text


@pytest.mark.parametrize("text, value, unit", [
    ("عملکرد متوسط 5/21 تن در هکتار", 21.5, "tons"),       # Latin digits around «/» come reversed in RTL news
    ("5/1 ميليارد تومان", 1_500_000_000, "IRT"),
    ("قیمت هر کیلو ۱۴هزارتومان است", 14_000, "IRT"),       # a scale and a unit glued on
    ("44.5درصد از بیکاران", 44.5, "percent"),
])
def test_real_news_figures(text, value, unit):
    from index.persian.numbers import find_amounts

    assert [(a.value, a.unit) for a in find_amounts(text)] == [(value, unit)]
