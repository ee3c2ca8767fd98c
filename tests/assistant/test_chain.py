"""The chain end to end, offline: the real index of the sample articles, real hazm, the real embedder."""

from __future__ import annotations

import pytest

from assistant.question import QuestionError
from assistant.wording import NO_ANSWER

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


def test_maybe_related_never_shows_one_sentence_twice(sample_assistant):
    a = sample_assistant.ask("صادرات تعاونی‌های گلستان به عراق چند تن بود؟")   # overlapping chunks hold it
    assert a.abstained and a.related
    quotes = [(r.doc_id, r.quote) for r in a.related]
    assert len(quotes) == len(set(quotes)), quotes


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


def test_bad_questions_get_clear_errors(sample_assistant):
    with pytest.raises(QuestionError, match="empty"):
        sample_assistant.ask("   ")
    with pytest.raises(QuestionError, match="limit is 1000"):
        sample_assistant.ask("س" * 1001)


def test_ask_is_the_last_event_of_stream_and_the_runnable_gives_the_same(sample_assistant):
    question = "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"
    events = list(sample_assistant.stream(question))
    assert [e["type"] for e in events] == ["answer"]            # offline: no tokens, one answer
    streamed = events[-1]["answer"]
    asked = sample_assistant.ask(question)
    runnable = sample_assistant.chain.as_runnable()
    by_runnable = runnable.invoke({"question": question})
    for a in (asked, by_runnable, runnable.invoke(question)):
        assert (a.text, [s.chunk_id for s in a.sources]) == (streamed.text, [s.chunk_id for s in streamed.sources])
    assert "۳۴ میلیون دلار" in streamed.text


def test_a_part_of_the_year_asked_is_answered_with_its_period_said(sample_assistant):
    first = "صادرات تعاونی‌های گیلان در سال جاری چقدر بوده است؟"
    a = sample_assistant.ask("و گلستان چطور؟", [first])
    assert not a.abstained, a.text
    assert "هفت میلیون و ۹۵۰ هزار دلار" in a.text and a.sources[0].doc_id == GOLESTAN
    assert any("۵ ماه نخست سال جاری" in note and "همهٔ سال جاری" in note for note in a.notes), a.notes


def test_another_period_is_refused_with_the_periods_the_articles_give_each_cited(sample_assistant):
    a = sample_assistant.ask("صادرات تعاونی‌های گلستان در سال ۱۳۹۹ چقدر بوده است؟")
    assert a.abstained
    assert "سال ۱۳۹۹" in a.text and "۲۲ میلیون و ۹۹۵ هزار دلار [۱]" in a.text, a.text
    assert a.related[0].doc_id == GOLESTAN and "۲۲ میلیون و ۹۹۵ هزار دلار" in a.related[0].quote
