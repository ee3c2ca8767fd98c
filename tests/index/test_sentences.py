"""Sentence analysis at ingest: amounts and what they count, periods, names, contact details."""

from __future__ import annotations

import pytest

from index.chunk import sentence_spans
from index.persian.normalize import get_normalizer
from index.sentences import DocumentInfo, SentenceInfo, analyse_document

TEXT = (
    "حسینعلی خواجه‌مظفری در نشست خبری گفت: در پایان سال ۱۴۰۱، ۲۲ میلیون و ۹۹۵ هزار دلار توسط ۴۲ شرکت تعاونی "
    "صادر شد.\n"
    "در استان ۱۳ تعاونی مرزنشین فعال با عضویت ۲۰۰ هزار نفر داریم.\n"
    "خواجه‌مظفری افزود: در یک سال گذشته ۱۰ هزار فرصت شغلی ایجاد کرده است.\n"
    "مجتبوی ریاست اتاق تعاون استان گلستان روز چهارشنبه گفت: نشانی اتاق خیابان امام، پلاک ۱۲ و تلفن آن "
    "۰۱۷-۳۲۲۲۴۴۵۵ است و سایت آن www.otaq-golestan.ir است.\n"
)


@pytest.fixture(scope="module")
def info() -> DocumentInfo:
    n = get_normalizer()
    return analyse_document(TEXT, "صادرات تعاونی‌های گلستان", sentence_spans(TEXT, n), n)


def test_amounts_carry_what_they_count(info):
    first, second, third = info.sentences[:3]
    assert [(a.value, a.unit) for a in first.amounts] == [(22_995_000, "USD"), (42, "cooperatives")]
    assert first.amounts[1].counted[:2] == ("شرکت", "تعاونی")
    assert second.amounts[0].counted == ("تعاونی", "مرزنشین", "فعال")
    assert second.amounts[1].value == 200_000 and second.amounts[1].unit == "people"
    # «۱۰ هزار فرصت شغلی ایجاد کرده»: «ایجاد» belongs to the verb; «یک» of «یک سال گذشته» is no amount
    assert [a.value for a in third.amounts] == [10_000] and third.amounts[0].counted == ("فرصت", "شغلی")


def test_periods_have_shapes_and_years(info):
    first, _, third = info.sentences[:3]
    assert [(p.shape, p.year) for p in first.periods] == [(("year", None), 1401)]
    assert third.periods[0].shape == ("window", 12)
    assert first.year and first.date and not third.year


def test_names_surnames_and_the_province(info):
    assert info.provinces[0] == "گلستان"
    assert "خواجهمظفری" in info.surnames and "مجتبوی" in info.surnames  # after a given name; before «ریاست»
    assert info.sentences[0].names == ("حسینعلی", "خواجهمظفری")
    assert "خواجهمظفری" in info.sentences[2].names  # the surname alone, known from the article


def test_contact_details_and_weekday(info):
    last = info.sentences[-1]
    assert set(last.contact) == {"phone", "web", "address"} and last.weekday
    assert info.sentences[0].contact == ()


def test_round_trip_through_json(info):
    for s in info.sentences:
        assert SentenceInfo.from_json(s.to_json()) == s
