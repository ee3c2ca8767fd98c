"""Answering offline: the real index of the sample articles, real hazm, the real embedder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.wording import NO_ANSWER
from assistant.chain import QuestionError
from assistant.cite import check_citations, to_persian_markers
from assistant.evaluate import QuestionSetError, holds_fact, load_questions
from assistant.followup import is_follow_up, resolve_by_rules
from index.persian.normalize import get_normalizer
from index.persian.places import find_provinces

GILAN, GOLESTAN, SKHORASAN = "001_2df5e54f2db4a315", "000_35ffd71e27c3aa0e", "002_dd600656ab7ede0e"


def test_amount_question_is_answered_with_its_figure_and_a_citation(sample_assistant):
    a = sample_assistant.ask("صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟")
    assert not a.abstained and a.answerer == "offline"
    assert "۳۴ میلیون دلار" in a.text and "[۱]" in a.text
    first = a.sources[0]
    assert first.n == 1 and first.doc_id == GILAN
    assert first.quote in a.text and first.text[first.quote_start:first.quote_end].strip() == first.quote
    assert "۳۴ میلیون" in first.quote


@pytest.mark.parametrize("question, doc_id, fact", [
    ("تعاونيهاي گيلان بيش از چند عضو دارند؟", GILAN, "۲۱۰ هزار نفر"),                 # Arabic letters
    ("در سال 1403 چند طرح تعاونی در گیلان افتتاح شد؟", GILAN, "۳۱ طرح تعاونی"),      # Latin digits
    ("مدیرکل تعاون، کار و رفاه اجتماعی استان گیلان کیه؟", GILAN, "علی لقمانی"),       # who, colloquial
    ("تعداد تعاونی فعال در خراسان جنوبی چقدر است؟", SKHORASAN, "هزار تعاونی فعال"),
    ("Who is the director-general of cooperatives, labour and social welfare in South Khorasan?",
     SKHORASAN, "اشرفی"),                                                              # English
])
def test_answers_name_the_fact_and_cite_the_article(sample_assistant, question, doc_id, fact):
    a = sample_assistant.ask(question)
    assert not a.abstained, a.text
    assert fact in a.text
    assert any(s.doc_id == doc_id and fact in s.quote for s in a.sources)


@pytest.mark.parametrize("question", [
    "صادرات تعاونی‌های استان فارس در سال ۱۴۰۲ چقدر بود؟",     # a province no article covers
    "How many cooperatives are active in Isfahan province?",
    "نتیجه بازی پرسپولیس و استقلال چند چند شد؟",                # unrelated
    "هوای رشت فردا چطوره؟",
])
def test_abstains_when_the_articles_do_not_hold_the_answer(sample_assistant, question):
    a = sample_assistant.ask(question)
    assert a.abstained and a.text == NO_ANSWER and a.sources == []  # unrelated: nothing near to explain
    assert 1 <= len(a.related) <= 3 and all(r.text for r in a.related)


def test_follow_up_is_answered_about_the_new_province(sample_assistant):
    first = "صادرات تعاونی‌های گلستان چقدر بود؟"
    a = sample_assistant.ask(first)
    assert "۲۲ میلیون و ۹۹۵ هزار دلار" in a.text
    b = sample_assistant.ask("و گیلان چطور؟", history=[first])
    assert "گیلان" in b.standalone_question and "صادرات" in b.standalone_question
    assert not b.abstained and "۳۴ میلیون دلار" in b.text and b.sources[0].doc_id == GILAN
    # the period asked before carries over: Gilan gives this year's exports, not those of 1401
    dated = sample_assistant.ask("و گیلان چطور؟", history=["صادرات تعاونی‌های گلستان در پایان سال ۱۴۰۱ چقدر بود؟"])
    assert dated.abstained and "سال جاری" in dated.text and "۱۴۰۱" in dated.text
    assert dated.related[0].doc_id == GILAN and "۳۴ میلیون" in dated.related[0].quote
    # history as chat messages works the same
    c = sample_assistant.ask("و گیلان چطور؟", history=[{"role": "user", "content": first},
                                                       {"role": "assistant", "content": a.text}])
    assert c.standalone_question == b.standalone_question


def test_follow_up_rules():
    n = get_normalizer()
    assert is_follow_up("و گیلان چطور؟", n) and is_follow_up("اسمش چیه؟", n)
    assert not is_follow_up("صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟", n)
    prev = "تعداد اعضای تعاونی‌های گلستان چقدر است؟"
    assert resolve_by_rules("گیلان چی؟", [prev], n) == "تعداد اعضای تعاونیهای گیلان چقدر است؟"
    # a chain of follow-ups resolves each in turn
    assert "خراسان جنوبی" in resolve_by_rules("خراسان جنوبی چطور؟", [prev, "گیلان چی؟"], n)
    # a full question after another is left alone
    full = "صادرات تعاونی‌های کردستان چقدر بود؟"
    assert resolve_by_rules(full, [prev], n) == full
    assert resolve_by_rules("و فارس چطور؟", [], n) == "و فارس چطور؟"


def test_province_names():
    assert find_provinces("صادرات گیلان و خراسان رضوی") == ["گیلان", "خراسان رضوی"]
    assert find_provinces("اختیارات بانک مرکزی") == []           # not استان مرکزی
    assert find_provinces("کشورهای حاشیه خلیج فارس") == []         # not the province of Fars
    assert find_provinces("cooperatives in Isfahan") == ["اصفهان"]


def test_bad_questions_get_clear_errors(sample_assistant):
    with pytest.raises(QuestionError, match="empty"):
        sample_assistant.ask("   ")
    with pytest.raises(QuestionError, match="limit is 1000"):
        sample_assistant.ask("س" * 1001)


def test_citation_checking():
    checked = check_citations("صادرات ۳۴ میلیون دلار بود [1]. اعضا ۲۱۰ هزار نفرند [۲، 7]. جمله بی‌منبع طولانی است.", 5)
    assert checked.cited == [1, 2] and checked.invalid == [7] and checked.uncited_claims == 1
    assert "[2]" in checked.text and "7" not in checked.text
    assert to_persian_markers("x [1, 2]") == "x [۱، ۲]"


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


def _run(*args, data_dir, input_text=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_DATA_DIR"] = str(data_dir)
    return subprocess.run([str(Path(sys.executable).parent / "assistant"), *args], capture_output=True, text=True,
                          env=env, timeout=300, input=input_text)


def test_ask_and_eval_from_the_shell(sample_index, tmp_path):
    out = _run("ask", "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟", "--json", data_dir=sample_index)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert {"question", "answer", "abstained", "sources", "timings_ms"} <= set(body)
    assert body["abstained"] is False and "۳۴ میلیون دلار" in body["answer"]
    assert set(body["sources"][0]) >= {"n", "doc_id", "title", "source", "text", "quote", "score"}

    readable = _run("ask", "و گیلان چطور؟", "--history", "صادرات تعاونی‌های گلستان در پایان سال ۱۴۰۱ چقدر بود؟",
                    data_dir=sample_index)
    assert readable.returncode == 0 and "۳۴ میلیون" in readable.stdout and "[۱]" in readable.stdout

    chat = _run("ask", data_dir=sample_index,
                input_text="صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟\nو گلستان چطور؟\n\n")
    assert chat.returncode == 0, chat.stderr
    assert "۳۴ میلیون" in chat.stdout and "understood as: صادرات تعاونیهای گلستان" in chat.stdout

    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "a", "q": "صادرات تعاونی‌های گیلان چقدر بود؟", "doc_id": GILAN, "answer": "34 میلیون دلار"},
        {"id": "b", "q": "و گلستان چطور؟", "history": ["صادرات تعاونی‌های گیلان چقدر بود؟"],
         "doc_id": GOLESTAN, "answer": "۲۲ میلیون و ۹۹۵ هزار دلار"},
        {"id": "c", "q": "صادرات تعاونی‌های استان فارس چقدر بود؟", "doc_id": None, "answer": None},
    ]), encoding="utf-8")
    ev = _run("eval", str(questions), "--json", data_dir=sample_index)
    assert ev.returncode == 0, ev.stderr
    summary = json.loads(ev.stdout)["summary"]
    assert summary["questions"] == 3 and summary["answer_accuracy"] == 1.0
    assert summary["citation_accuracy"] == 1.0 and summary["retrieval"]["@3"] == 1.0
    assert summary["abstention"] == {"precision": 1.0, "recall": 1.0, "false_abstentions": 0}
    assert summary["latency_ms"]["p50"] > 0
    text = _run("eval", str(questions), data_dir=sample_index)
    assert "answer accuracy: 1.0" in text.stdout
