"""Word files: a right-to-left DOCX (tests/data/documents/gilan.docx, made by python-docx with w:bidi
paragraphs, w:rtl runs, a bidiVisual table, a core-properties title, a running header and a PAGE
footer), DOCX files built in the test, and the ones the loader must skip with a reason."""

from __future__ import annotations

import resource
import shutil
import time
import zipfile
from pathlib import Path

import docx
import pytest

from bad_documents import docx_bomb, lying_docx
from index.load import load_paths
from index.readers import DamagedError, EncryptedError, LimitError, read_docx

DOCS = Path(__file__).resolve().parents[1] / "data" / "documents"
GILAN = DOCS / "gilan.docx"
GILAN_TITLE = "صادرات ۳۴ میلیون دلاری توسط ۲۵ شرکت تعاونی در گیلان"


def test_the_fixture_is_right_to_left():
    xml = zipfile.ZipFile(GILAN).read("word/document.xml").decode()
    assert xml.count("<w:bidi/>") >= 10 and "<w:rtl/>" in xml and "<w:bidiVisual/>" in xml


def test_paragraphs_in_order_and_tables_as_text():
    got = read_docx(GILAN)
    truth = (DOCS / "gilan.gt.txt").read_text(encoding="utf-8")
    assert got.text.splitlines() == truth.splitlines()          # exact, ZWNJ and NBSP included
    assert "استان\tصادرات (میلیون دلار)\tتعداد تعاونی" in got.text
    assert "۲ هزار و ۵۰۲ تعاونی با بیش از ۲۱۰ هزار نفر عضو" in got.text


def test_title_from_core_properties():
    assert read_docx(GILAN).title == GILAN_TITLE


def test_title_from_the_first_heading_when_core_properties_have_none(tmp_path):
    d = docx.Document()
    d.add_paragraph("مقدمه‌ای کوتاه")
    d.add_heading("گزارش صادرات تعاونی‌ها", level=1)
    d.add_paragraph("متن خبر.")
    d.core_properties.title = ""
    d.save(tmp_path / "heading.docx")
    got = read_docx(tmp_path / "heading.docx")
    assert got.title == "گزارش صادرات تعاونی‌ها"
    assert got.text == "مقدمه‌ای کوتاه\nگزارش صادرات تعاونی‌ها\nمتن خبر."


def test_headers_and_footers_are_not_body_text():
    text = read_docx(GILAN).text
    assert "خبرنامه تعاون" not in text and "صفحه" not in text


def test_merged_cells_and_a_nested_table(tmp_path):
    d = docx.Document()
    table = d.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "ادغام"
    table.cell(0, 2).text = "ج"
    table.cell(1, 0).text = "الف"
    table.cell(1, 1).text = "ب"
    table.cell(1, 2).add_table(rows=1, cols=2).cell(0, 1).text = "تو در تو"
    d.save(tmp_path / "table.docx")
    assert read_docx(tmp_path / "table.docx").text == "ادغام\tج\nالف\tب\tتو در تو"


def test_a_zip_bomb_is_refused_before_anything_is_inflated(tmp_path):
    bomb = docx_bomb(tmp_path / "bomb.docx", GILAN, mb=64)
    started = time.monotonic()
    with pytest.raises(LimitError) as caught:
        read_docx(bomb, isolate=False)                    # the declared sizes alone refuse it
    assert "word/document.xml inflates to 64 MB (the limit is 50 MB; a zip bomb?)" in caught.value.reason
    assert time.monotonic() - started < 2


def test_a_zip_member_lying_about_its_size_is_never_inflated_past_it(tmp_path):
    lying = lying_docx(tmp_path / "lying.docx", GILAN, mb=20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(DamagedError) as caught:
        read_docx(lying, isolate=False)
    assert caught.value.reason.startswith("damaged DOCX: the ZIP archive is corrupt") and "CRC" in caught.value.reason
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 15 << 10   # KiB: 20 MB never inflated


@pytest.mark.parametrize("content, words", [
    (lambda data: data[:3000], ["damaged DOCX", "not a readable ZIP archive"]),
    (lambda data: b"PK\x03\x04 not really a zip file" * 10, ["damaged DOCX", "ZIP"]),
    (lambda data: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024, ["old binary Word (.doc)"]),
], ids=["truncated", "garbage", "legacy-doc"])
def test_a_damaged_docx_is_named_with_the_reason(tmp_path, content, words):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(content(GILAN.read_bytes()))
    with pytest.raises(DamagedError) as caught:
        read_docx(broken)
    for word in words:
        assert word in caught.value.reason


def test_a_zip_without_a_word_document(tmp_path):
    with zipfile.ZipFile(tmp_path / "photos.docx", "w") as z:
        z.writestr("photo.txt", "not a document")
    with pytest.raises(DamagedError, match="no Word document"):
        read_docx(tmp_path / "photos.docx")


def test_a_word_online_docx_with_document2_xml(tmp_path):
    """Word Online and SharePoint name the main part word/document2.xml (found through _rels/.rels)."""
    renamed = tmp_path / "online.docx"
    with zipfile.ZipFile(GILAN) as src, zipfile.ZipFile(renamed, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b"word/document.xml", b"word/document2.xml")
            out.writestr(info.filename.replace("word/document.xml", "word/document2.xml"), data)
    assert "word/document.xml" not in zipfile.ZipFile(renamed).namelist()
    assert read_docx(renamed).text == read_docx(GILAN).text


def test_an_encrypted_docx():
    # Word keeps an encrypted .docx in an OLE container (made with msoffcrypto-tool, see make_documents.py)
    with pytest.raises(EncryptedError) as caught:
        read_docx(DOCS / "encrypted.docx")
    assert caught.value.reason == "encrypted"


def test_the_loader_reads_a_docx_and_names_the_bad_ones(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(GILAN, folder / "gilan.docx")
    docx_bomb(folder / "bomb.docx", GILAN, mb=64)
    (folder / "broken.docx").write_bytes(GILAN.read_bytes()[:3000])
    shutil.copy(DOCS / "encrypted.docx", folder / "locked.docx")
    result = load_paths([folder])
    [doc] = result.documents
    assert (doc.doc_id, doc.title) == ("gilan", GILAN_TITLE)
    assert doc.text.splitlines()[0] == GILAN_TITLE
    assert "استان | صادرات (میلیون دلار) | تعداد تعاونی" in doc.text
    assert "خبرنامه تعاون" not in doc.text
    reasons = {Path(s.source).name: s.reason for s in result.skipped}
    assert "zip bomb" in reasons["bomb.docx"]
    assert reasons["broken.docx"].startswith("damaged DOCX")
    assert reasons["locked.docx"] == "encrypted"
