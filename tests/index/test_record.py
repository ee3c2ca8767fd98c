"""The store of record: one transaction per change, typed rows out, facts that follow their documents."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from index.chunk import chunk_document
from index.facts import extract_facts
from index.load import Document
from index.persian.normalize import get_normalizer
from index.record import StoreOfRecord
from index.rows import ChunkRow, ChunkVector, DocumentWrite
from index.sentences import analyse_document

TEXT = ("صادرات تعاونی‌های گیلان در سال جاری به ۳۴ میلیون دلار رسید. "
        "تعداد اعضای تعاونی‌های گیلان ۲۱۰ هزار نفر است. مدیرکل تعاون گیلان این را گفت.")


def _write(doc_id: str, text: str = TEXT, title: str = "تعاونی‌های گیلان") -> DocumentWrite:
    n = get_normalizer()
    doc = Document(doc_id, title, f"{doc_id}.txt", text, None)
    chunks = chunk_document(doc, n, sentences_per_chunk=2, overlap=0, max_chars=1000)
    spans = sorted({s for c in chunks for s in c.sentences})
    rows = [ChunkRow(c, n.canonical(c.text), f"h-{c.chunk_id}", np.full(4, i + 1, dtype=np.float32))
            for i, c in enumerate(chunks)]
    return DocumentWrite(doc, f"hash-{doc_id}-{len(text)}", rows, analyse_document(text, title, spans, n),
                         facts=extract_facts(doc_id, text, title, spans))


@pytest.fixture
def record(tmp_path):
    r = StoreOfRecord(tmp_path / "record.sqlite3")
    yield r
    r.close()


def test_a_document_is_written_whole_and_read_back_typed(record):
    record.apply([_write("gilan")], [])
    assert record.counts() == (1, 2) and record.generation == 1
    assert record.get_document("gilan").text == TEXT
    (summary,) = record.documents()
    assert (summary.doc_id, summary.chunks, summary.characters) == ("gilan", 2, len(TEXT))
    rows = list(record.iter_chunks())
    assert all(isinstance(r, ChunkVector) for r in rows) and [r.position for r in rows] == [0, 1]
    assert rows[0].embedding.dtype == np.float32 and rows[0].embedding.tolist() == [1.0] * 4
    assert rows[0].metadata()["doc_id"] == "gilan" and rows[0].title == "تعاونی‌های گیلان"
    assert [r.chunk_id for r in record.iter_chunks([rows[1].chunk_id, rows[0].chunk_id], batch=1)] == \
        [rows[1].chunk_id, rows[0].chunk_id]                      # read a batch at a time, in the order asked


def test_facts_follow_their_document_and_reading_them_writes_nothing(record):
    record.apply([_write("gilan")], [])
    exports = record.facts(measure="exports")
    assert [(f.subject, f.value) for f in exports] == [("گیلان", 34_000_000)]
    assert record.facts(province="گیلان", measure="members")[0].value == 210_000
    generation = record.generation
    record.facts()
    assert record.generation == generation                       # a read is a read
    record.apply([_write("gilan", TEXT.replace("۳۴", "۴۴"))], [])  # an edit replaces them
    assert [f.value for f in record.facts(measure="exports")] == [44_000_000]
    record.apply([], ["gilan"])                                   # a removal removes them
    assert record.facts() == [] and record.counts() == (0, 0) and record.documents() == []


def test_a_failed_write_changes_nothing(record):
    record.apply([_write("gilan")], [])
    broken = _write("golestan")
    broken.chunks.append(broken.chunks[0])          # the same chunk id twice: the insert fails half-way
    with pytest.raises(sqlite3.IntegrityError):
        record.apply([broken], ["gilan"])
    assert record.counts() == (1, 2) and record.get_document("golestan") is None
    assert [f.subject for f in record.facts()] and record.generation == 1
