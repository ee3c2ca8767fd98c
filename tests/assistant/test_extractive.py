"""The offline answerer on the sample articles: near misses abstain and say why; the same shapes, when
the articles hold them, are answered with the figure and its source."""

from __future__ import annotations

import pytest

from assistant.wording import NO_ANSWER

SKHORASAN, GOLESTAN, GILAN, KURDISTAN = ("002_dd600656ab7ede0e", "000_35ffd71e27c3aa0e", "001_2df5e54f2db4a315",
                                         "004_50cbaaf0cb997663")


def test_the_issue_example_abstains_and_says_what_is_missing(sample_assistant):
    a = sample_assistant.ask("چند جوان در خراسان جنوبی بیمه شده‌اند؟")
    assert a.abstained and a.sources == []
    assert a.text.startswith(NO_ANSWER)
    assert "بیمه‌شدگان خراسان جنوبی" in a.text and "«جوان»" in a.text
    nearest = a.related[0]
    assert nearest.doc_id == SKHORASAN and "۱۲۶ هزار و ۹۱۰" in nearest.quote  # cited under «شاید مرتبط»


@pytest.mark.parametrize("question, says", [
    ("گلستان تو سال 1401 چند تن محصول صادر کرد؟", "به دلار گفته‌اند، نه به تن"),               # unit
    ("صادرات تعاونی‌های گلستان در سال ۱۴۰۰ چقدر بود؟", "برای سال ۱۴۰۰ نگفته‌اند؛ برای دوره‌های دیگر"),  # period
    ("واردات تعاونی‌های گلستان در سال ۱۴۰۱ چقدر بود؟", "«واردات»"),                             # measure
    ("صادرات تعاونی‌های گیلان به ریال چقدر بود؟", "به دلار گفته‌اند، نه به ریال"),  # not the rials of investment
    ("شماره تلفن اداره کل تعاون، کار و رفاه اجتماعی گلستان چیه؟", "شمارهٔ تلفن"),               # contact
    ("چند تعاونی مسکن در گیلان فعال است؟", ""),                                                   # count
    ("اسم استاندار گیلان چیه؟", "نام"),                                                            # name
])
def test_near_misses_abstain(sample_assistant, question, says):
    a = sample_assistant.ask(question)
    assert a.abstained and a.text.startswith(NO_ANSWER), a.text
    assert says in a.text


@pytest.mark.parametrize("question, doc_id, fact", [
    ("چند نفر در خراسان جنوبی بیمه شده‌اند؟", SKHORASAN, "۱۲۶ هزار و ۹۱۰"),                     # the group given
    ("تعاونی‌های مرزنشین گلستان چند نفر عضو دارند؟", GOLESTAN, "۲۰۰ هزار نفر"),
    ("سرمایه‌گذاری طرح‌های تعاونی ۱۴۰۳ گیلان چند میلیارد ریال بود؟", GILAN, "هزار و ۵۰۸ میلیارد ریال"),  # unit
    ("اعتبار جذب‌شده مشاغل خانگی خراسان جنوبی در سال 99 چند تومان بود؟", SKHORASAN,
     "۶ میلیارد و ۹۰۰ میلیون تومان"),                                                                # period
    ("طی یک سال اخیر چند نفر تو بخش تعاون خراسان جنوبی سر کار رفتن؟", SKHORASAN, "۶۴۸ نیرو"),
    ("معاون وزیر تعاون، کار و رفاه اجتماعی که در کردستان سخن گفت کیست؟", KURDISTAN, "محمدجعفر کبیری"),
])
def test_the_same_shapes_are_answered_when_the_articles_hold_them(sample_assistant, question, doc_id, fact):
    a = sample_assistant.ask(question)
    assert not a.abstained, a.text
    assert fact in a.text and any(s.doc_id == doc_id and fact in s.quote for s in a.sources)


@pytest.mark.parametrize("question", ["گیلان", "۱۴۰۱", "سلام", "سلام، خوبی؟", "exports of Gilan تعاونی چقدر؟", "؟",
                                      "چند نفر؟"])
def test_odd_questions_get_an_answer_or_a_clear_abstention(sample_assistant, question):
    a = sample_assistant.ask(question)
    assert a.text
    if a.abstained:
        assert a.text.startswith(NO_ANSWER) and a.sources == []
    else:
        assert a.sources and "[۱]" in a.text


@pytest.mark.parametrize("question", [
    "چند نفر در خراسان جنوبی بیمه شده‌اند؟",                        # a count
    "صادرات تعاونی‌های گلستان در سال ۱۴۰۱ چقدر بود؟",               # an amount
    "چه کسی در پنجمین جلسه شورای توسعه تعاون گیلان گزارش اقدامات تعاون استان را ارائه کرد؟",  # a person named
    "تعاونی‌های گلستان به کدام کشورها صادرات دارند؟",                 # the list after the noun asked
])
def test_a_figure_a_name_or_a_list_is_answered_in_at_most_two_sentences(sample_assistant, question):
    a = sample_assistant.ask(question)
    assert not a.abstained, a.text
    assert 1 <= len(a.sources) <= 2, a.text


def test_an_explanation_may_take_three_sentences_each_cited(sample_assistant):
    # «شامل چه اقلامی» is answered across the article's sentences: the list, the exports, the exhibition
    a = sample_assistant.ask("محصولات صادراتی تعاونی استان گلستان شامل چه اقلامی است؟")
    assert not a.abstained and len(a.sources) == 3, a.text
    assert all(f"[{n}]" in a.text for n in ("۱", "۲", "۳"))
    assert "میگو، روغن زیتون" in a.sources[0].quote and all(s.doc_id == GOLESTAN for s in a.sources)
