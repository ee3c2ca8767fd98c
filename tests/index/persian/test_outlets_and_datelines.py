"""A news agency is not a province; a dateline is where the reporter was; an LRM stands for a ZWNJ."""

from __future__ import annotations

import pytest

from assistant.binding import binds
from assistant.question import analyse
from index.persian.normalize import clean_invisible, get_normalizer
from index.persian.places import find_provinces
from index.sentences import analyse_document


@pytest.mark.parametrize("text, provinces", [
    ("به گزارش خبرگزاری فارس از زنجان، مدیرکل گفت", ["زنجان"]),
    ("خبرگزاری فارس: سرپرست کمیته امداد گفت", []),
    ("به گزارش خبرنگار اقتصادی فارس، در استان فارس", ["فارس"]),
    ("فارس نیوز گزارش داد", []),
    ("شمار تعاونیهای فارس ۲۰ است", ["فارس"]),
    ("کشورهای حاشیه خلیج فارس", []),
])
def test_an_agency_is_not_a_province(text, provinces):
    assert find_provinces(text) == provinces


def _analyse(text: str):
    import re

    normalizer = get_normalizer()
    title = text.split("\n", 1)[0]
    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
    return analyse_document(text, title, spans, normalizer)


def test_a_dateline_is_where_the_reporter_was_unless_the_story_is_local():
    national = _analyse("کمیته امداد امسال 500 هزار شغل ایجاد می‌کند\n"
                        "به گزارش خبرگزاری فارس از زنجان، حسین انواری گفت: امسال 300 هزار فرصت شغلی ایجاد می‌شود.")
    assert national.provinces == () and all(not s.provinces for s in national.sentences)
    local = _analyse("افتتاح طرح‌ها\n"
                     "به گزارش خبرگزاری فارس از زنجان، مدیرکل جهاد کشاورزی این استان گفت: 30 طرح افتتاح شد.")
    assert local.provinces == ("زنجان",)


def test_an_lrm_between_letters_is_a_zwnj():
    assert clean_invisible("ثبت\u200eنام و بی\u200eباک") == "ثبت\u200cنام و بی\u200cباک"
    assert clean_invisible("a\u200eb") == "ab"


@pytest.mark.parametrize("question, word, limit, binding", [
    # a limit of 0 makes no word bind by rarity: these bind by what they are
    ("چند تعاونی و اتحادیه زیر پوشش سازمان میراث فرهنگی فعالیت می‌کنند؟", "تعاونی", 0.0, True),   # what is counted
    ("صادرات عسل آذربایجان غربی چند تن بود؟", "صادرات", 0.0, True),                              # the measure
    ("چه تعداد از شاغلان تعاونی‌ها در شهرستان رشت کار می‌کنند؟", "رشت", 0.0, True),                # a place
    ("در دومین گرند پری چند خودرو شرکت کردند؟", "دومین", 0.0, True),                             # an ordinal
    ("وزن استاندارد سگ ژرمن شپرد نر چقدر است؟", "وزن", 0.0, True),                               # what it measures
    # a limit of 8 makes almost every word bind by rarity: these do not, by what they are
    ("چند تعاونی و اتحادیه زیر پوشش سازمان میراث فرهنگی فعالیت می‌کنند؟", "زیر", 8.0, False),     # a preposition
    ("تولید پیله کرم ابریشم در گیلان چقدر است؟", "ابریشم", 8.0, True),                           # a rare word
    ("تولید پیله کرم ابریشم در گیلان چقدر است؟", "ابریشم", 5.0, False),                          # ... not that rare
])
def test_which_words_bind_a_figure(question, word, limit, binding):
    q = analyse(question, get_normalizer())
    w = next(x for x in q.words if x.text == word)
    assert binds(w, q, limit) is binding
