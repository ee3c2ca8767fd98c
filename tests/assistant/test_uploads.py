"""Uploaded files: safe names, kept under the data directory, indexed, undone when they fail, kept by
--prune and --rebuild, removed with their document."""

from __future__ import annotations

import io
import shutil

import pytest

from assistant.build import build_assistant
from assistant.settings import Settings
from assistant.uploads import FileTooLarge, safe_name
from index.store import IndexLocked, WriterLock

KASHAN = ("تعاونی فرش دستباف کاشان در سال ۱۴۰۲ به میزان ۱۲ میلیون و ۳۰۰ هزار دلار فرش صادر کرد. "
          "این تعاونی ۴۵۰ عضو دارد.\n")
KASHAN_EDITED = KASHAN.replace("۴۵۰ عضو", "۴۸۰ عضو")


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\report.PDF", "report.pdf"),
    ("a\x00b.txt", "ab.txt"),
    ("گزارش صادرات ۱۴۰۲.docx", "گزارش صادرات ۱۴۰۲.docx"),
    ("می\u200cخواهم.txt", "می\u200cخواهم.txt"),          # ZWNJ is part of Persian words
    ("<script>alert(1)</script>.html", "script.html"),            # "/" is a folder separator
    ('a<b>c|d"e*?.txt', "a_b_c_d_e.txt"),
    (".hidden.txt", "hidden.txt"),
    ("...", "upload"),
    ("", "upload"),
    ("x" * 300 + ".txt", "x" * 176 + ".txt"),
    ("a.PDF ", "a.pdf"),
])
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_safe_name_fits_the_file_system_in_bytes():
    for name in ("漢" * 200 + ".pdf", "خبر\u200c" * 60 + ".txt"):
        stored = safe_name(name)
        assert len(stored.encode("utf-8")) <= 180 and stored.endswith(name[-4:])


@pytest.fixture
def assistant(sample_index, tmp_path):
    data_dir = tmp_path / "index"
    shutil.copytree(sample_index, data_dir)
    a = build_assistant(Settings(data_dir=data_dir, max_file_bytes=50_000))
    yield a
    a.close()


def _file(name: str, text: str | bytes):
    return name, io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text)


@pytest.mark.ingest
def test_upload_is_kept_indexed_and_answers(assistant):
    result = assistant.add_files([_file("../kashan.txt", KASHAN), _file("notes.exe", b"MZ"), _file("empty.md", b"  ")])
    assert [(d.doc_id, d.status) for d in result.documents] == [("uploads/kashan", "added")]
    reasons = dict(result.skipped)
    assert "unsupported file type '.exe'" in reasons["notes.exe"]
    assert reasons["empty.md"] == "empty file"
    root = assistant.settings.data_dir / "uploads"
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == ["kashan.txt"]
    assert not (root / "empty.md").exists()                     # a skipped file is not kept
    answer = assistant.ask("صادرات تعاونی فرش دستباف کاشان در سال ۱۴۰۲ چقدر بود؟")
    assert "۱۲ میلیون و ۳۰۰ هزار دلار" in answer.text
    assert answer.sources[0].doc_id == "uploads/kashan"

    again = assistant.add_files([_file("kashan.txt", KASHAN)])
    assert [(d.doc_id, d.status) for d in again.documents] == [("uploads/kashan", "unchanged")]
    edited = assistant.add_files([_file("kashan.md", KASHAN_EDITED)])     # the same document, as Markdown
    assert [(d.doc_id, d.status) for d in edited.documents] == [("uploads/kashan", "updated")]
    assert "۴۸۰" in assistant.document("uploads/kashan").text
    stored = sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
    assert stored == ["kashan.md"]                                           # the .txt it replaced is gone


@pytest.mark.ingest
def test_an_upload_named_like_an_article_is_a_document_of_its_own(assistant, sample_dir):
    article = sorted(sample_dir.glob("*.txt"))[0]
    before = assistant.document(article.stem)
    result = assistant.add_files([_file(article.name, KASHAN)])
    assert [(d.doc_id, d.status) for d in result.documents] == [(f"uploads/{article.stem}", "added")]
    assert assistant.document(article.stem) == before
    assert assistant.ingest([sample_dir], rebuild=True).documents_total == 6


def test_jsonl_collections_are_for_the_shell(assistant):
    result = assistant.add_files([_file("batch.jsonl", '{"text": "متن"}\n')])
    assert result.documents == [] and "assistant ingest FILE" in dict(result.skipped)["batch.jsonl"]


@pytest.mark.ingest
def test_a_broken_new_version_keeps_the_old_one(assistant):
    assistant.add_files([_file("kashan.txt", KASHAN)])
    result = assistant.add_files([_file("kashan.txt", b"")])
    assert result.documents == [] and result.skipped == [("kashan.txt", "empty file")]
    stored = assistant.settings.data_dir / "uploads" / "kashan.txt"
    assert stored.read_text(encoding="utf-8") == KASHAN            # the earlier version is back
    assert "۴۵۰ عضو" in assistant.document("uploads/kashan").text


@pytest.mark.ingest
def test_two_files_with_one_safe_name_are_both_kept(assistant):
    result = assistant.add_files([_file("a/kashan.txt", KASHAN), _file("b/kashan.txt", KASHAN_EDITED)])
    assert sorted(d.doc_id for d in result.documents) == ["uploads/kashan", "uploads/kashan-2"]


def test_too_large_keeps_nothing(assistant):
    before = assistant.documents()
    with pytest.raises(FileTooLarge, match="big.txt.*50,000 bytes.*ASSISTANT_MAX_FILE_BYTES"):
        assistant.add_files([_file("kashan.txt", KASHAN), _file("big.txt", "س" * 40_000)])
    assert assistant.documents() == before
    root = assistant.settings.data_dir / "uploads"
    assert [p for p in root.rglob("*") if p.is_file()] == []


def test_locked_index_keeps_nothing(assistant):
    lock = WriterLock(assistant.settings.data_dir)
    lock.acquire()
    try:
        with pytest.raises(IndexLocked, match="already writing"):     # held by this process: said so
            assistant.add_files([_file("kashan.txt", KASHAN)])
    finally:
        lock.release()
    assert assistant.document("uploads/kashan") is None
    assert not (assistant.settings.data_dir / "uploads" / "kashan.txt").exists()


@pytest.mark.ingest
def test_prune_and_rebuild_keep_uploads_and_delete_removes_the_original(assistant, sample_dir):
    assistant.add_files([_file("kashan.txt", KASHAN)])
    report = assistant.ingest([sample_dir], prune=True)
    assert report.removed == [] and assistant.document("uploads/kashan") is not None
    report = assistant.ingest([sample_dir], rebuild=True)
    assert report.documents_total == 6 and assistant.document("uploads/kashan") is not None
    assert next(d for d in assistant.documents() if d.doc_id == "uploads/kashan").added   # kept

    removed = assistant.delete(["uploads/kashan"])
    assert removed.removed == ["uploads/kashan"]
    assert not (assistant.settings.data_dir / "uploads" / "kashan.txt").exists()
    assert assistant.ingest([sample_dir], rebuild=True).documents_total == 5     # it does not come back
    assert all(f.doc_id != "uploads/kashan" for f in assistant.facts())
