"""Scoring how much of a question a sentence holds: keys across spellings, rare words weigh more."""

from __future__ import annotations

from assistant.coverage import PART, coverage, plain_keys, sentence_keys, weigh
from assistant.question import analyse
from index.persian.normalize import get_normalizer


def test_keys_match_any_spelling_and_the_parts_of_glued_compounds():
    n = get_normalizer()
    glued, spaced = sentence_keys(n.canonical("تعاونی‌های دانش‌بنیان")), sentence_keys(n.canonical("تعاونی های دانش بنیان"))
    assert glued & spaced and "دانشبنیان" in glued | spaced
    assert PART + "دانش" in sentence_keys(n.canonical("شرکت‌های دانش‌بنیان"))   # a part, marked
    assert "دانش" in plain_keys(n.canonical("شرکت‌های دانش‌بنیان"))             # unmarked for scoring


def test_rare_words_weigh_more_and_coverage_is_their_share():
    n = get_normalizer()
    q = analyse("صادرات زعفران تعاونی‌های گیلان چقدر بود؟", n)
    frequencies = {"صادرات": 90, "زعفران": 1, "تعاونی": 100, "تعاونیها": 100, "گیلان": 30}
    words = weigh(q, lambda terms: {t: frequencies.get(t, 0) for t in terms}, 100)
    heaviest_keys, _ = max(words, key=lambda kw: kw[1])
    assert "زعفران" in heaviest_keys
    holding_all = plain_keys(n.canonical("صادرات زعفران تعاونی‌های گیلان ۵ میلیون دلار شد"))
    without_saffron = plain_keys(n.canonical("صادرات تعاونی‌های گیلان ۵ میلیون دلار شد"))
    assert coverage(words, holding_all) == 1.0
    assert 0 < coverage(words, without_saffron) < 0.6          # the rare word is most of the question
    assert coverage([], holding_all) == 0.0
