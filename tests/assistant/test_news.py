"""Real news, offline: agencies and datelines, words that bind a figure and words that do not, who-answers
from the sentence that names the speaker, rates and prices, reversed slash decimals. The articles are written
here in the shape of the news archive's (Arabic ي/ك, datelines, an LRM for a ZWNJ); the index is real."""

from __future__ import annotations

import pytest

from assistant.build import build_assistant
from assistant.settings import Settings

ARTICLES = {
    "emdad": "کمیته امداد امسال 500 هزار شغل ایجاد می‌کند\n"
             "خبرگزاری فارس: سرپرست کمیته امداد امام خمینی (ره) گفت: کمیته امداد امسال 500 هزار شغل ایجاد می‌کند.\n"
             "به گزارش خبرگزاری فارس از زنجان، حسین انواری در نشست خبری با خبرنگاران اظهار کرد: امسال 300 هزار "
             "فرصت شغلی برای مددجویان و 200 هزار فرصت شغلی نیز برای خانواده‌های روستایی ایجاد می‌شود.\n",
    "handicraft": "امضاي تفاهم‌نامه همكاري با سازمان ميراث فرهنگي\n"
                  "به گزارش فارس به نقل از پايگاه اطلاع‌رساني بانك توسعه تعاون، مديرعامل اين بانك در مراسم امضاي "
                  "تفاهم‌نامه گفت: هدف اين تفاهم‌نامه حمايت از صنايع دستي است.\n"
                  "وي تأكيد كرد: بيش از 100 هزار تعاوني و اتحاديه هم اكنون تحت پوشش سازمان ميراث فرهنگي در "
                  "حوزه‌هاي مختلف فعاليت مي‌كنند.\n",
    "bushehr": "تعاونی‌های مردمی نقش ویژه‌ای در اقتصاد مقاومتی دارد\n"
               "امام جمعه بوشهر گفت: تعاونی‌های مردمی نقش ویژه و اساسی در اقتصاد مقاومتی دارند.\n"
               "به گزارش خبرگزاری فارس از بوشهر، آیت الله غلامعلی صفایی‌بوشهری امروز در خطبه‌های نماز جمعه "
               "اظهار داشت: دولت باید به تعاونی‌های مردمی توجه کند.\n"
               "نماینده ولی فقیه در استان و امام جمعه بوشهر با اشاره به انتخابات پیش‌رو، گفت: احترام به نظرات "
               "شورای نگهبان برای همه ضروری است.\n",
    "milk": "قیمت شیر خام\n"
            "سال گذشته، مورخه 22 خرداد ماه 1398، نرخ خرید شیرخام از تولیدکننده درب دامداری، 2390 تومان مصوب و "
            "ابلاغ شد.\n"
            "لبافی گفت: میزان وام مشاغل خانگی 15 میلیون تومان است که همچون روال گذشته ادامه دارد.\n",
    "grapes": "تولید انگور در ملکان\n"
              "مدیر جهاد کشاورزی شهرستان ملکان گفت: این شهرستان با عملکرد متوسط 5/21 تن در هکتار، رتبه اول تولید "
              "انگور استان را دارد.\n"
              "ثبت\u200eنام جشنواره تا 10 آبان ادامه دارد و مدیر اداره تعاون شهرستان، علی بی\u200eباک، از آن خبر داد.\n",
    "festival": "جشنواره امتنان از کارگران\n"
                "مدیر اداره تعاون گرگان گفت: نشست ستاد جشنواره امتنان از کارگران نمونه برگزار می‌شود.\n"
                "این نشست روز 12 آبان در سالن اداره برگزار خواهد شد.\n",
    "jobs": "ایجاد 2600 فرصت شغلی در بخش کشاورزی آذربایجان‌شرقی\n"
            "وی با بیان اینکه با افتتاح پروژه‌های کشاورزی برای 2 هزار و 591 نفر فرصت شغلی ایجاد شده است، افزود: "
            "این پروژه‌ها در دهه فجر افتتاح شد.\n",
    "yazd": "تعاونی‌های استان یزد امسال 120 میلیون دلار صادرات داشته‌اند.\n",
    "fair": "نمایشگاه صنایع دستی تعاونی‌ها\n"
            "مدیرکل میراث فرهنگی گفت: نمایشگاه صنایع دستی تعاونی‌ها هفته آینده گشایش می‌یابد.\n"
            "این نمایشگاه در شهر مراغه برپا می‌شود.\n",
}


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    folder = tmp_path_factory.mktemp("news-articles")
    for name, text in ARTICLES.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    assistant = build_assistant(Settings(data_dir=tmp_path_factory.mktemp("news-index")))
    assistant.ingest([folder])
    yield assistant
    assistant.close()


def test_a_national_figure_reported_from_zanjan_is_not_zanjans(news):
    a = news.ask("کمیته امداد امسال در استان زنجان چند شغل ایجاد می‌کند؟")
    assert a.abstained, a.text
    answered = news.ask("کمیته امداد امسال چند فرصت شغلی برای خانواده‌های روستایی ایجاد می‌کند؟")
    assert not answered.abstained and "200 هزار" in answered.text
    assert answered.sources[0].doc_id == "emdad"


def test_a_preposition_and_a_synonym_do_not_turn_an_answer_into_a_refusal(news):
    a = news.ask("چند تعاونی و اتحادیه زیر پوشش سازمان میراث فرهنگی فعالیت می‌کنند؟")
    assert not a.abstained, a.text
    assert "100 هزار" in a.text and a.sources[0].doc_id == "handicraft"


def test_a_province_the_article_does_not_name_is_no_answer_and_the_agency_is_no_province(news):
    a = news.ask("چند تعاونی و اتحادیه در استان فارس تحت پوشش سازمان میراث فرهنگی فعالیت می‌کنند؟")
    assert a.abstained, a.text


def test_who_is_answered_with_the_name_from_the_sentence_after_the_role(news):
    a = news.ask("امام جمعه بوشهر که تعاونی‌های مردمی را در اقتصاد مقاومتی مهم دانست کیست؟")
    assert not a.abstained, a.text
    assert "صفایی" in a.text.splitlines()[0]  # the name first, not the role with the name elsewhere
    # ... and the sentence that says what was asked of him, both cited
    assert any("امام جمعه بوشهر گفت" in s.quote for s in a.sources), a.text
    assert all(s.doc_id == "bushehr" for s in a.sources)


def test_a_rate_is_a_price_or_a_percentage_and_now_is_no_constraint(news):
    milk = news.ask("نرخ مصوب خرید شیر خام درب دامداری در خرداد ۹۸ چقدر بود؟")
    assert not milk.abstained and "2390 تومان" in milk.text, milk.text
    loan = news.ask("وام مشاغل خانگی در حال حاضر چند میلیون تومان است؟")
    assert not loan.abstained and "15 میلیون تومان" in loan.text, loan.text
    assert news.ask("نرخ سود وام مشاغل خانگی چند درصد است؟").abstained


def test_real_text_slash_decimals_and_an_lrm_for_a_zwnj(news):
    from index.persian.numbers import find_amounts

    a = news.ask("عملکرد انگور در هر هکتار ملکان چند تن است؟")
    assert not a.abstained and "5/21 تن" in a.text, a.text
    assert any(x.value == 21.5 for x in find_amounts(a.sources[0].quote))
    who = news.ask("مدیر اداره تعاون شهرستان کیست؟")
    assert "بی\u200cباک" in who.text, who.text


def test_when_is_answered_with_the_date_from_the_sentence_next_to_the_event(news):
    a = news.ask("نشست ستاد جشنواره امتنان از کارگران نمونه کی برگزار می‌شود؟")
    assert not a.abstained, a.text
    assert "12 آبان" in a.text and all(s.doc_id == "festival" for s in a.sources)


def test_the_body_s_figure_wins_over_the_headline_s_rounded_one(news):
    a = news.ask("افتتاح پروژه‌های کشاورزی آذربایجان شرقی برای چند نفر فرصت شغلی ایجاد کرد؟")
    assert not a.abstained, a.text
    assert "2 هزار و 591" in a.text.splitlines()[0], a.text


def test_an_untitled_one_sentence_item_answers(news):
    a = news.ask("صادرات تعاونی‌های یزد امسال چقدر بود؟")
    assert not a.abstained and "120 میلیون دلار" in a.text and a.sources[0].doc_id == "yazd", a.text


def test_where_is_answered_with_the_place(news):
    a = news.ask("نمایشگاه صنایع دستی تعاونی‌ها کجا برپا می‌شود؟")
    assert not a.abstained and "مراغه" in a.text, a.text
    # the sentence that matches best names no place: the one next to it does, and both are cited
    a = news.ask("نمایشگاه صنایع دستی تعاونی‌ها که مدیرکل میراث فرهنگی گفت هفته آینده گشایش می‌یابد کجاست؟")
    assert not a.abstained and "مراغه" in a.text, a.text
    assert any("گشایش" in s.quote for s in a.sources) and any("مراغه" in s.quote for s in a.sources), a.text
