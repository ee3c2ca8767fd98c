"""Facts extracted at ingest: real articles, real hazm sentences, kept in step with the documents."""

from __future__ import annotations

import pytest

import shutil

from assistant.build import build_assistant
from assistant.settings import SAMPLE_ARTICLES, Settings
from index.facts import extract_facts

GILAN, GOLESTAN = "001_2df5e54f2db4a315", "000_35ffd71e27c3aa0e"


def _facts(sample_assistant, **kw):
    return sample_assistant.facts(**kw)


def test_the_headline_figures_are_extracted_with_subject_measure_unit_and_period(sample_assistant):
    exports = {(f.subject, f.value, f.unit, f.period) for f in _facts(sample_assistant, measure="exports")}
    assert ("گلستان", 22_995_000, "USD", "پایان سال ۱۴۰۱") in exports
    assert ("گیلان", 34_000_000, "USD", "سال جاری (تاریخ خبر نامعلوم)") in exports
    assert any(s == "خراسان جنوبی" and v == 15_000_000 for s, v, _, _ in exports)
    members = {(f.subject, f.value, f.approximate) for f in _facts(sample_assistant, measure="members")}
    assert ("گلستان", 1_200_000, True) in members and ("گیلان", 210_000, True) in members
    active = {(f.subject, f.value) for f in _facts(sample_assistant, measure="active_cooperatives")}
    assert ("گیلان", 2502) in active and ("خراسان جنوبی", 1000) in active
    exporters = {(f.subject, f.value) for f in _facts(sample_assistant, measure="exporters")}
    assert ("گلستان", 42) in exporters and ("گیلان", 25) in exporters
    loans = _facts(sample_assistant, measure="loans")
    assert [(f.subject, f.value, f.unit) for f in loans] == [("کردستان", 300_000_000_000, "IRT")]
    # the country-wide figure is not credited to a province
    assert any(f.subject == "کشور" and f.value == 100_000 for f in _facts(sample_assistant))


def test_each_fact_quotes_its_sentence_exactly(sample_assistant):
    for f in _facts(sample_assistant, province="گیلان"):
        doc = sample_assistant.store.record.get_document(f.doc_id)
        assert doc.text[f.start:f.end].strip() == f.quote
        assert f.amount_text in f.quote


def test_a_dated_article_resolves_relative_periods():
    text = "گزارش اتاق تعاون 1402/07/15\nصادرات تعاونی‌های گیلان در سال جاری به ۱۲ میلیون دلار رسید."
    start = text.index("صادرات")
    facts = extract_facts("d", text, "گزارش اتاق تعاون 1402/07/15", [(start, len(text))])
    assert [(f.subject, f.measure, f.value) for f in facts] == [("گیلان", "exports", 12_000_000)]
    assert facts[0].period == "سال ۱۴۰۲"
    assert facts[0].period_info["start_gregorian"] == "2023-03-21"


@pytest.mark.ingest
def test_facts_follow_their_documents(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SAMPLE_ARTICLES / f"{GILAN}.txt", folder / "gilan.txt")
    a = build_assistant(Settings(data_dir=tmp_path / "data"))
    a.ingest([folder])
    assert any(f.value == 34_000_000 for f in a.facts(measure="exports"))
    text = (folder / "gilan.txt").read_text(encoding="utf-8").replace("۳۴ میلیون", "۴۴ میلیون")
    (folder / "gilan.txt").write_text(text, encoding="utf-8")
    report = a.ingest([folder])
    assert report.updated and report.facts_written == len(a.facts()) > 10   # extracted by the ingest
    values = {f.value for f in a.facts(measure="exports")}
    assert 44_000_000 in values and 34_000_000 not in values        # the edit replaced the facts
    (folder / "gilan.txt").unlink()
    a.ingest([folder], prune=True)
    assert a.facts() == []
    a.close()
