"""The evaluation harness: facts compared by value, question files checked, `assistant eval` from the shell."""

from __future__ import annotations

import json

import pytest

from assistant.evaluate import QuestionSetError, holds_fact, load_questions
from helpers import run_cli
from index.persian.normalize import get_normalizer

GILAN, GOLESTAN = "001_2df5e54f2db4a315", "000_35ffd71e27c3aa0e"


def test_facts_are_compared_by_value():
    n = get_normalizer()
    assert holds_fact("صادرات به 34000000 دلار رسید", "۳۴ میلیون دلار", n)
    assert holds_fact("۲۲ میلیون و ۹۹۵ هزار دلار", "22,995,000 دلار", n)
    assert not holds_fact("صادرات ۳۵ میلیون دلار بود", "۳۴ میلیون دلار", n)
    assert holds_fact("كميسيون تخصصي", "کمیسیون تخصصی", n)


def test_question_sets_are_validated(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"q": "پرسش"}\nnot json\n', encoding="utf-8")
    with pytest.raises(QuestionSetError, match="q.jsonl:2: not JSON"):
        load_questions(bad)
    with pytest.raises(QuestionSetError, match="does not exist"):
        load_questions(tmp_path / "missing.jsonl")


@pytest.mark.subprocess
def test_eval_from_the_shell(sample_index, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "a", "q": "صادرات تعاونی‌های گیلان چقدر بود؟", "doc_id": GILAN, "answer": "34 میلیون دلار"},
        {"id": "b", "q": "و گلستان چطور؟", "history": ["صادرات تعاونی‌های گیلان چقدر بود؟"],
         "doc_id": GOLESTAN, "answer": "۲۲ میلیون و ۹۹۵ هزار دلار"},
        {"id": "c", "q": "صادرات تعاونی‌های استان فارس چقدر بود؟", "doc_id": None, "answer": None},
    ]), encoding="utf-8")
    ev = run_cli("eval", str(questions), "--json", data_dir=sample_index)
    assert ev.returncode == 0, ev.stderr
    summary = json.loads(ev.stdout)["summary"]
    assert summary["questions"] == 3 and summary["answer_accuracy"] == 1.0
    assert summary["citation_accuracy"] == 1.0 and summary["retrieval"]["@3"] == 1.0
    assert summary["abstention"] == {"precision": 1.0, "recall": 1.0, "false_abstentions": 0}
    assert summary["latency_ms"]["p50"] > 0
    text = run_cli("eval", str(questions), data_dir=sample_index)
    assert "answer accuracy: 1.0" in text.stdout
