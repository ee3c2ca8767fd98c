"""The BM25 index: what it finds, how it saves and loads, and that damage is refused, not read."""

from __future__ import annotations

import json

import pytest

from index.lexical import IDS_FILE, LexicalIndex
from index.persian.normalize import get_normalizer

TEXTS = {
    "a#0": "صادرات تعاونی‌های گیلان به ۳۴ میلیون دلار رسید.",
    "b#0": "اعضای تعاونی‌های گلستان ۱۲۰۰ هزار نفر هستند.",
    "c#0": "تعاونی‌های مرزنشین گلستان صادرات را افزایش دادند.",
}


@pytest.fixture(scope="module")
def built():
    n = get_normalizer()
    ids = sorted(TEXTS)
    return LexicalIndex.build(ids, [n.canonical(TEXTS[i]) for i in ids], n, generation=7), n


def _terms(n, text):
    return n.query_terms(n.canonical(text), canonical=True)


def test_finds_the_chunks_holding_the_words_best_first(built):
    index, n = built
    hits = index.search(_terms(n, "صادرات گیلان"), 3)
    assert [h.chunk_id for h in hits][:2] == ["a#0", "c#0"] and hits[0].score > hits[1].score > 0
    assert index.search(_terms(n, "پرسپولیس"), 3) == []            # no shared word: nothing, not noise
    assert index.search([], 3) == []
    assert len(index) == index.num_docs == 3


def test_document_frequencies_count_chunks(built):
    index, n = built
    freq = index.document_frequencies(["صادرات", "گلستان", "گیلان", "پرسپولیس"])
    assert freq == {"صادرات": 2, "گلستان": 2, "گیلان": 1, "پرسپولیس": 0}


def test_saved_and_loaded_it_answers_the_same(built, tmp_path):
    index, n = built
    index.save(tmp_path / "lexical")
    again = LexicalIndex.load(tmp_path / "lexical")
    assert again.generation == 7 and again.chunk_ids == index.chunk_ids
    terms = _terms(n, "اعضای گلستان")
    assert again.search(terms, 3) == index.search(terms, 3)
    assert LexicalIndex.saved_state(tmp_path / "lexical")["generation"] == 7
    assert LexicalIndex.saved_state(tmp_path / "missing") is None
    assert not list(tmp_path.glob("lexical.tmp-*")) and not list(tmp_path.glob("lexical.old-*"))


def test_damaged_ids_are_refused(built, tmp_path):
    index, _ = built
    index.save(tmp_path / "lexical")
    (tmp_path / "lexical" / IDS_FILE).write_text(json.dumps(["a#0", "x#9", "c#0"]), encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        LexicalIndex.load(tmp_path / "lexical")


def test_an_empty_index_finds_nothing(tmp_path):
    empty = LexicalIndex.build([], [], get_normalizer(), generation=0)
    assert empty.search(["صادرات"], 5) == [] and empty.document_frequencies(["صادرات"]) == {"صادرات": 0}
    empty.save(tmp_path / "lexical")
    assert len(LexicalIndex.load(tmp_path / "lexical")) == 0
