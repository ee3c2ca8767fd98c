"""Questions across articles, answered offline from the facts table with a citation per figure."""

from __future__ import annotations

import json

import pytest

from assistant.wording import NO_ANSWER
from helpers import run_cli
from assistant.facts_answer import detect, format_amount
from index.persian.normalize import get_normalizer


def test_which_province_exported_the_most(sample_assistant):
    a = sample_assistant.ask("کدام استان بیشترین صادرات تعاونی را داشته؟")
    assert a.answerer == "facts" and not a.abstained
    first_line = a.text.splitlines()[0]
    assert "بیشترین" in first_line and "گیلان" in first_line
    assert "۳۴ میلیون دلار" in a.text and "۲۲ میلیون و ۹۹۵ هزار دلار" in a.text and "۱۵ میلیون دلار" in a.text
    # every figure is cited: its sentence is the quote of a numbered source
    for n, source in enumerate(a.sources, 1):
        assert source.n == n and f"[{'۰۱۲۳۴۵۶۷۸۹'[n]}]" in a.text
        assert source.text[source.quote_start:source.quote_end].strip() == source.quote
    assert {s.doc_id for s in a.sources} >= {"000_35ffd71e27c3aa0e", "001_2df5e54f2db4a315"}
    # the periods differ and the answer says so
    assert "پایان سال ۱۴۰۱" in a.text and any("دوره" in note for note in a.notes)
    assert [c["label"] for c in a.chart][:1] == ["گیلان"] and a.chart[0]["value"] == 34_000_000


def test_compare_two_provinces_and_their_total(sample_assistant):
    a = sample_assistant.ask("صادرات گیلان و گلستان را مقایسه کن")
    assert a.answerer == "facts" and {c["label"] for c in a.chart} == {"گیلان", "گلستان"}
    total = sample_assistant.ask("مجموع صادرات تعاونی‌های گیلان و گلستان چقدر است؟")
    assert "۵۶ میلیون و ۹۹۵ هزار دلار" in total.text                      # 34,000,000 + 22,995,000
    members = sample_assistant.ask("تعداد اعضای تعاونی‌ها در کدام استان بیشتر است؟")
    assert members.answerer == "facts" and members.chart[0]["label"] == "گلستان"
    assert "حدود یک میلیون و ۲۰۰ هزار نفر" in members.text                # as the article writes it


def test_a_comparison_the_articles_cannot_support_abstains(sample_assistant):
    a = sample_assistant.ask("صادرات تعاونی‌های فارس و اصفهان را مقایسه کن")
    assert a.abstained and a.text == NO_ANSWER
    b = sample_assistant.ask("کدام استان بیشترین تسهیلات بانکی را به تعاونی‌ها داده است؟")
    assert b.abstained and "کردستان" in b.notes[0]


def test_other_questions_go_to_the_normal_chain(sample_assistant):
    a = sample_assistant.ask("صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟")
    assert a.answerer == "offline"


@pytest.mark.parametrize("question, kind, measure", [
    ("کدام استان بیشترین صادرات تعاونی را داشته؟", "superlative", "exports"),
    ("صادرات گیلان و گلستان را مقایسه کن", "compare", "exports"),
    ("مجموع صادرات تعاونی‌های این استان‌ها چقدر است؟", "aggregate", "exports"),
    ("تعداد اعضای تعاونی‌ها در کدام استان بیشتر است؟", "superlative", "members"),
    ("كدام استان بيشترين تعداد تعاوني فعال را دارد؟", "superlative", "active_cooperatives"),
    ("Which province has the most cooperative exports?", "superlative", "exports"),
])
def test_intents(question, kind, measure):
    intent = detect(get_normalizer().canonical(question))
    assert intent is not None and (intent.kind, intent.measure) == (kind, measure)
    assert detect(get_normalizer().canonical("صادرات تعاونی‌های گیلان چقدر بود؟")) is None


def test_amounts_are_written_as_the_news_writes_them():
    assert format_amount(22_995_000, "USD") == "۲۲ میلیون و ۹۹۵ هزار دلار"
    assert format_amount(1_508_000_000_000, "IRR") == "هزار و ۵۰۸ میلیارد ریال"
    assert format_amount(1000, "cooperatives") == "هزار تعاونی"
    from index.persian.numbers import parse_number

    for n in (7, 1000, 2502, 33_518, 1_200_000, 22_995_000, 1_508_000_000_000, 10**13 + 7):
        assert parse_number(format_amount(n, None)) == n
    assert format_amount(67, "cooperatives") == "۶۷ تعاونی"


@pytest.mark.subprocess
def test_facts_from_the_shell(sample_index):
    def run(*args):
        return run_cli(*args, data_dir=sample_index)

    out = run("facts", "--province", "Gilan", "--measure", "exports", "--json")
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)
    assert records and all(r["subject"] == "گیلان" and r["measure"] == "exports" for r in records)
    assert set(records[0]) >= {"subject", "measure", "value", "unit", "approximate", "period", "doc_id", "quote"}
    assert records[0]["value"] == 34000000 and isinstance(records[0]["value"], int)
    table = run("facts", "--measure", "members")
    assert table.returncode == 0 and "1,200,000" in table.stdout
    bad = run("facts", "--measure", "weather")
    assert bad.returncode == 2 and "unknown measure 'weather'" in bad.stderr
