"""What a question asks: kind, unit, what is counted, periods, the words an answer must hold."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant.question import analyse
from index.persian.normalize import get_normalizer


def ask(text: str):
    return analyse(text, get_normalizer())


@pytest.mark.parametrize("text, kind, unit", [
    ("صادرات تعاونی‌های گلستان در سال ۱۴۰۱ چند دلار بود؟", "amount", "USD"),
    ("صادرات امسال تعاونیای گیلان چند میلیارد تومن میشه؟", "amount", "IRT"),
    ("تعاونیای گیلان امسال چقد سود کردن؟", "amount", "money"),
    ("تعاونی‌های خراسان جنوبی چقدر کالا صادر کردند؟", "amount", "trade"),
    ("نرخ بیکاری خراسان جنوبی چند درصد است؟", "percent", "percent"),
    ("چند تعاونی مسکن در گیلان فعال است؟", "count", None),
    ("شماره تلفن اداره کل تعاون گلستان چیه؟", "contact", None),
    ("نام مدیرکل تعاون گلستان چیست؟", "name", None),
    ("نام برخی از تعاونی‌های مشکل‌دار کردستان چیست؟", "which", None),
    ("همایش تعاون و رسانه چه تاریخی برگزار شد؟", "date", None),
    ("پنجمین جلسه شورای توسعه تعاون گیلان کی تشکیل شد؟", "when", None),
    ("جلسه کبیری مال چه سالیه؟", "year", None),
    ("خرج برندسازی تعاونیا رو کی میده؟", "who", None),
    ("تعاونیای گلستان به کدوم کشورا صادر میکنن؟", "which", None),
])
def test_kind_and_unit(text, kind, unit):
    q = ask(text)
    assert (q.kind, q.unit) == (kind, unit)


def test_what_is_counted():
    assert ask("چند تا از تعاونی‌های مرزنشین گلستان غیرفعالند؟").counted[:2] == ("تعاونیهای", "مرزنشین")
    assert ask("از طرحای تعاونی ۱۴۰۳ گیلان چند تاش خدماتی بوده؟").counted[:2] == ("طرحای", "خدماتی")
    assert ask("چند نفر در خراسان جنوبی بیمه شده‌اند؟").counted == ("نفر",)


def test_periods_amounts_and_provinces_are_not_words_to_match():
    q = ask("صادرات تعاونی‌های گلستان در پنج ماه نخست امسال از ۳۰۰ میلیون دلار بیشتر بود؟")
    assert [p.shape for p in q.periods] == [("part", 0, 1, 5)]
    assert q.amounts == (300_000_000.0,) and q.provinces == ("گلستان",)
    texts = [w.text for w in q.words]
    assert "صادرات" in texts and "گلستان" not in texts and "امسال" not in texts and "۳۰۰" not in texts


def test_word_roles():
    q = ask("به گفته معاون وزیر، تعاونی‌های مرزنشین در جلسه کردستان در چه زمینه‌ای نقش ایفا کرده‌اند؟")
    roles = {w.text: w.role for w in q.words}
    assert roles["معاون"] == roles["وزیر"] == "attribution"   # whose words: anywhere in the article
    assert roles["جلسه"] == "attribution"                       # where it was said
    assert roles["ایفا"] == "predicate"                          # the noun of a compound verb
    assert roles["مرزنشین"] == "content" and "زمینهای" not in roles  # «چه زمینه‌ای» names the kind of answer
    trade = {w.text: w.role for w in ask("چند شرکت تعاونی محصولات استان را صادر کردند؟").words}
    assert trade["محصولات"] == "implied" and trade["صادر"] == "content"  # a measure is never a mere predicate


@pytest.mark.parametrize("text", ["گیلان", "۱۲۳۴", "سلام", "hello گیلان exports?", "؟؟؟", "و"])
def test_odd_questions_are_read_without_error(text):
    q = ask(text)
    assert q.kind in ("other", "amount", "count") or q.english


@pytest.mark.subprocess
def test_which_contact_detail_is_asked_does_not_depend_on_the_process():
    # «آدرس وبسایت» asks for the site, whatever order a set of the question's words comes in (the hash seed)
    questions = ["آدرس وبسایت بانک توسعه تعاون چیست؟", "آدرس سایت پایگاه اطلاع رسانی دیارمیرزا چیه؟",
                 "نشانی ایمیل اداره تعاون گیلان چیست؟", "آدرس و تلفن اداره تعاون گیلان؟", "آدرس اداره تعاون گیلان؟"]
    code = ("import sys; from assistant.question import analyse; from index.persian.normalize import get_normalizer; "
            "n = get_normalizer(); print(' '.join(analyse(q, n).contact for q in sys.argv[1:]))")
    seen = {subprocess.run([sys.executable, "-c", code, *questions], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout.strip() for seed in ("0", "3")}
    assert seen == {"web web web phone address"}
