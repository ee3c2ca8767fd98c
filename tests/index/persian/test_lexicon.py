"""Word classes and matching keys (real hazm data, the project's lexicon.toml)."""

from __future__ import annotations

import pytest

from index.persian.lexicon import lexicon


@pytest.fixture(scope="module")
def lex():
    return lexicon()


def _meet(lex, a: str, b: str) -> bool:
    return bool(lex.word_keys(a) & lex.word_keys(b))


@pytest.mark.parametrize("asked, written", [
    ("جوونا", "جوانان"),            # colloquial spelling and plural
    ("تعاونیای", "تعاونیهای"),       # colloquial plural ending
    ("شاغلن", "مشغول"),             # colloquial copula; words that mean the same (jobs)
    ("اشتغال", "شغلی"),
    ("وام", "تسهیلات"),
    ("افتتاح", "بهرهبرداری"),
    ("خونواده", "خانوار"),
    ("رییسش", "ریاست"),             # pronoun ending; رئیس ~ ریاست
    ("کسبوکار", "مشاغل"),           # a word in two groups matches either
    ("نظراتشونو", "نظرات"),          # two endings in a row
])
def test_spellings_and_words_meaning_the_same_meet(lex, asked, written):
    assert _meet(lex, asked, written)


@pytest.mark.parametrize("a, b", [("جوان", "جمعیت"), ("واردات", "صادرات"), ("سود", "درآمد"), ("فروش", "فروشگاه"),
                                  ("زنان", "مردان")])
def test_different_words_do_not_meet(lex, a, b):
    assert not _meet(lex, a, b)


def test_glued_compounds_split_into_known_words(lex):
    assert ("دانش", "بنیان") in lex.parts("دانشبنیان")
    assert ("سال", "جاری") in lex.parts("سالجاری")
    assert ("کم", "بهره") in lex.parts("کمبهره")
    assert lex.parts("فروشگاه") == []       # «گاه» makes another word: a shop is not a sale
    assert lex.parts("تعاونیها") == []       # an inflection, not a compound
    assert "گردشگری" in lex.bases("وگردشگری")  # «و» glued to the next word


@pytest.mark.parametrize("word", ["شدهاند", "میکنند", "میکنن", "دادن", "بدهند", "رسیده", "کنیم", "بگن", "میده"])
def test_verb_forms_are_verbs(lex, word):
    assert lex.role(word) in ("verb", "function")


@pytest.mark.parametrize("word", ["میگوی", "بدهی", "صادرات", "تعاونی", "جوان", "روستایی"])
def test_nouns_that_look_like_verbs_are_not(lex, word):
    assert lex.role(word) == "content"


def test_roles(lex):
    assert lex.role("چقدر") == "question" and lex.role("تعداد") == "generic"
    assert lex.role("استاندار") == "title" and lex.role("استانداری") == "title"
    assert lex.role("مسیول") == "title"     # «مسئول» as the normalizer writes it (ئ → ی)
    assert lex.role("۱۴۰۱") == "digit" and lex.role("1401") == "digit"
    assert lex.unit_of("دلاری") == "USD" and lex.unit_of("تومن") == "IRT" and lex.unit_of("کیلوگرم") == "kg"
    assert lex.is_light_verb("کرده") and lex.is_light_verb("شد") and not lex.is_light_verb("دارد")
