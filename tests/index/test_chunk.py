import pytest

from index.chunk import chunk_document
from index.load import Document, load_paths
from index.persian.normalize import get_normalizer


def _doc(text: str) -> Document:
    return Document(doc_id="d", title="t", source="s", text=text)


SENTENCES = [f"جمله شماره {i} درباره تعاونی‌ها است." for i in range(1, 8)]


def test_windows_of_sentences_overlap_by_one():
    doc = _doc(" ".join(SENTENCES))
    chunks = chunk_document(doc, get_normalizer(), sentences_per_chunk=3, overlap=1)
    assert [c.text.count("جمله") for c in chunks] == [3, 3, 3]
    assert chunks[0].text.endswith(SENTENCES[2]) and chunks[1].text.startswith(SENTENCES[2])
    assert chunks[-1].text.endswith(SENTENCES[-1])


def test_offsets_point_into_the_original_text(sample_dir):
    normalizer = get_normalizer()
    for doc in load_paths([sample_dir]).documents:
        chunks = chunk_document(doc, normalizer)
        assert chunks, doc.doc_id
        covered = set()
        for chunk in chunks:
            assert doc.text[chunk.start:chunk.end] == chunk.text
            for start, end in chunk.sentences:
                assert chunk.start <= start < end <= chunk.end
                covered.update(range(start, end))
        # every non-space character of the article is in some chunk
        assert all(i in covered for i, ch in enumerate(doc.text) if not ch.isspace())


def test_ids_are_deterministic_and_positional():
    doc = _doc(" ".join(SENTENCES))
    first = chunk_document(doc, get_normalizer())
    again = chunk_document(doc, get_normalizer())
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again] == [f"d#{i:04d}" for i in range(len(first))]


def test_max_chars_closes_a_window_and_cuts_a_long_sentence():
    long_sentence = "کلمه " * 400 + "پایان."
    doc = _doc(SENTENCES[0] + " " + long_sentence)
    chunks = chunk_document(doc, get_normalizer(), max_chars=300)
    assert all(len(c.text) <= 300 for c in chunks)
    assert chunks[-1].text.endswith("پایان.")


def test_bad_parameters_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        chunk_document(_doc("متن."), get_normalizer(), sentences_per_chunk=2, overlap=2)
