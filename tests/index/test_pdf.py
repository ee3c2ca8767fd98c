"""Persian PDFs, one test per quirk of how producers draw right-to-left text, and the files the
loader must skip with a reason. The PDFs in tests/data/documents were printed by headless Chromium
(Skia) and exported by LibreOffice (tests/data/make_documents.py); each has a ground truth
NAME.gt.txt: the text in reading order, one paragraph per line, table rows as tab-separated cells."""

from __future__ import annotations

import re
import resource
import shutil
import time
from functools import lru_cache
from pathlib import Path

import pytest

from bad_documents import page_tree_bomb, pdf_bomb, scanned_pdf
from index.load import load_paths
from index.readers import (DamagedError, EncryptedError, Extracted, LimitError, ReadLimits, ScannedError,
                           read_pdf)
from index.readers.bidi import fix_ligature_unit, fold_presentation_forms, remove_kashida, visual_to_logical
from index.readers.pdf_layout import good_title

DOCS = Path(__file__).resolve().parents[1] / "data" / "documents"
CHROMIUM = ["golestan_chromium.pdf", "golestan_chromium_ragged.pdf"]
LIBREOFFICE = ["gilan_libreoffice.pdf"]
ALL = CHROMIUM + LIBREOFFICE
ONE_PAGE = "razavi_chromium_onepage.pdf"   # system fonts, Arabic ي ك, Chromium's own header and footer
GOLESTAN_TITLE = "صادرات ۲۲ میلیون و ۹۹۵ هزار دلاری تعاونی‌های گلستان"
GILAN_TITLE = "صادرات ۳۴ میلیون دلاری توسط ۲۵ شرکت تعاونی در گیلان"


@lru_cache(maxsize=None)
def read(name: str) -> Extracted:
    return read_pdf(DOCS / name)


def truth(name: str) -> list[str]:
    """The ground-truth paragraphs as a PDF can give them back: PDFium drops ZWNJ, LibreOffice writes
    … as ... and NBSP is read as a space."""
    stem = name.split("_")[0]
    text = (DOCS / f"{stem}.gt.txt").read_text(encoding="utf-8")
    return text.replace("\u200c", "").replace("\u00a0", " ").replace("…", "...").splitlines()


# --------------------------------------------------------------------------- letters

@pytest.mark.parametrize("name", ALL)
def test_presentation_forms_become_standard_letters(name):
    text = read(name).text
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)
    assert "مدیرکل تعاون، کار و رفاه اجتماعی" in text
    # what pypdf returns for Chromium PDFs («ﻣﺪیﺮﮐﻞ»), folded by NFKC into the letters people type
    assert fold_presentation_forms("ﻣﺪیﺮﮐﻞ ﻣﺤﺼﻮﻻت … ½") == "مدیرکل محصولات … ½"


@pytest.mark.parametrize("name", ALL)
def test_lam_alef_is_restored_in_the_right_order(name):
    text = read(name).text
    words = {w for line in truth(name) for w in re.findall(r"[\u0600-\u06ff]+", line) if "لا" in w}
    assert {"دلار", "اعلام"} <= words and len(words) >= 5
    for word in words:
        assert word in text, word
        assert word.replace("لا", "ال") not in text, word     # «دالر», «محصوالت»: the swapped ligature
    if name.startswith("golestan"):
        assert "محصولات" in text and "استقلال" in text


def test_a_ligature_glyph_keeps_lam_before_alef():
    assert fix_ligature_unit("ال") == "لا"        # LibreOffice: one glyph box, code points handed back reversed
    assert fix_ligature_unit("أل") == "لأ"
    assert fix_ligature_unit("\u4427ل") == "لا"   # Ghostscript's broken ToUnicode for the ligature
    assert fix_ligature_unit("fi") == "fi"
    for marked in ("لّ", "لِ", "لیّ", "لاً"):          # lam with a diacritic in one glyph is not a ligature
        assert fix_ligature_unit(marked) == marked


@pytest.mark.parametrize("name", LIBREOFFICE)
def test_justification_kashida_is_removed(name):
    # LibreOffice stretches justified lines with kashida glyphs whose ToUnicode says "&", "%" or U+0004
    text = read(name).text
    assert not re.search("[&%\u0640\x00-\x08]", text)
    assert "رفاه اجتماعی استان، و اعضای این شورا" in text
    assert remove_kashida("اجتمــاعی ـ ۱۲") == "اجتماعی ـ ۱۲"


# --------------------------------------------------------------------------- order

@pytest.mark.parametrize("name", CHROMIUM)
def test_digit_runs_keep_their_order(name):
    text = read(name).text
    assert "۷۰۰ تن" in text and "۰۰۷" not in text
    assert "۹۹۵" in text and "۵۹۹" not in text
    assert "1397/08/03" in text and "4521" in text and "10320" in text
    assert "3080/7931" not in text and "1254" not in text
    assert "۲٫۵ میلیون" in text and "\t۲۲٫۹\t" in text


@pytest.mark.parametrize("name", ALL)
def test_amounts_keep_their_parts_in_order(name):
    text = read(name).text
    amounts = re.findall(r"[۰-۹]+ (?:هزار|میلیون|میلیارد) و [۰-۹]+ (?:هزار|میلیون)?", "\n".join(truth(name)))
    assert len(amounts) >= 3
    for amount in amounts:
        assert amount in text, amount
    if name.startswith("golestan"):
        assert "به ۱۲ میلیون و ۳۰۰ هزار دلار رسید" in text
        assert "در پایان سال ۱۴۰۱، ۲۲ میلیون و ۹۹۵ هزار دلار توسط ۴۲ شرکت تعاونی" in text
    else:
        assert "۲ هزار و ۵۰۲ تعاونی با بیش از ۲۱۰ هزار نفر عضو" in text


@pytest.mark.parametrize("name", CHROMIUM)
def test_words_come_out_in_reading_order(name):
    # PDFium's own page text reverses the words Chromium draws from presentation-form glyphs
    text = read(name).text
    assert "حسینعلی خواجهمظفری در نشست خبری به مناسبت هفته تعاون اظهار کرد" in text


def test_latin_words_and_brackets_in_right_to_left_lines():
    text = read("golestan_chromium.pdf").text
    assert "با برند «تعاون» (Taavon) به بازارهای" in text
    assert "خبرگزاری ISNA نیز" in text


def test_visual_to_logical_rules():
    def logical(visual: str) -> str:
        return "".join(visual_to_logical(list(visual), rtl=True))

    assert logical("رالد رازه ۳۰۰ و نویلیم ۱۲") == "۱۲ میلیون و ۳۰۰ هزار دلار"
    assert logical("1397/08/03 خیرات") == "تاریخ 1397/08/03"
    assert logical("زین ISNA News یرازگربخ") == "خبرگزاری ISNA News نیز"
    assert logical("(Taavon) «نواعت»") == "«تعاون» (Taavon)"
    assert "".join(visual_to_logical(list("see نواعت 12 here"), rtl=False)) == "see تعاون 12 here"


# --------------------------------------------------------------------------- layout

@pytest.mark.parametrize("name", ALL + [ONE_PAGE])
def test_lines_are_joined_into_paragraphs(name):
    assert read(name).text.splitlines() == truth(name)


def test_a_paragraph_continues_across_a_page_break():
    # in the LibreOffice export the last paragraph starts on page 1 and ends on page 2
    lines = read("gilan_libreoffice.pdf").text.splitlines()
    assert any(line.startswith("لقمانی در این جلسه با اشاره به پیشینه") and line.endswith("اعلام کرد.")
               for line in lines)


@pytest.mark.parametrize("name", ALL)
def test_running_headers_and_footers_are_dropped(name):
    text = read(name).text
    assert "خبرنامه تعاون" not in text                          # the CSS / Word running header
    assert "file://" not in text and not re.search(r"\d{1,2}:\d{2}", text)  # Chromium's URL and date lines
    heading = (GOLESTAN_TITLE if name.startswith("golestan") else GILAN_TITLE).replace("\u200c", "")
    assert text.count(heading) == 1                             # Chromium's header repeats the title


def test_a_browsers_header_and_footer_are_dropped_from_a_one_page_print():
    # one page: nothing repeats, so the margin lines are known by what they hold: the date and the
    # title, the file's URL and «1/1»
    got = read(ONE_PAGE)
    assert "file://" not in got.text and not re.search(r"\d{1,2}:\d{2}", got.text) and "1/1" not in got.text
    assert got.text.count("جلسه هم انديشي اتاق تعاون") == 1                  # the heading, not the header
    assert got.title == truth(ONE_PAGE)[0]


@pytest.mark.parametrize("name", ALL + [ONE_PAGE])
def test_page_numbers_are_dropped(name):
    text = read(name).text
    assert "صفحه" not in text                                   # «صفحه ۱ از ۳», «صفحه 1»
    assert not re.search(r"^\s*[\d۰-۹]+\s*(/\s*[\d۰-۹]+)?\s*$", text, re.M)   # «2/3»
    assert not re.search(r"\t[\d۰-۹]/[\d۰-۹]$", text, re.M)


@pytest.mark.parametrize("name", ALL)
def test_table_rows_are_cells_in_reading_order(name):
    text = read(name).text
    assert "استان\tصادرات (میلیون دلار)\tتعداد تعاونی\n" in text
    assert "خراسان جنوبی\t۱۵\t۱۲۶\n" in text


@pytest.mark.parametrize("name, title", [("golestan_chromium.pdf", GOLESTAN_TITLE),
                                         ("gilan_libreoffice.pdf", GILAN_TITLE)])
def test_title_from_metadata(name, title):
    assert read(name).title == title


def test_title_from_the_first_heading_when_metadata_has_none(tmp_path):
    data = (DOCS / "golestan_chromium.pdf").read_bytes()
    assert data.count(b"/Title") == 1
    (tmp_path / "untitled.pdf").write_bytes(data.replace(b"/Title", b"/Xitle"))  # same length: offsets hold
    got = read_pdf(tmp_path / "untitled.pdf")
    assert got.title == GOLESTAN_TITLE.replace("\u200c", "")  # the h1, wrapped over two lines, joined
    assert got.text == read("golestan_chromium.pdf").text


def test_junk_metadata_titles_are_not_titles():
    for junk in ("Microsoft Word - report.docx", "article.html", "untitled", "", None):
        assert good_title(junk, doc_is_persian=True) is None
    assert good_title("Report", doc_is_persian=True) is None              # a short Latin title on a Persian text
    assert good_title("گزارش صادرات", doc_is_persian=True) == "گزارش صادرات"


def test_in_process_reading_gives_the_same_text():
    assert read_pdf(DOCS / "gilan_libreoffice.pdf", isolate=False) == read("gilan_libreoffice.pdf")


# --------------------------------------------------------------------------- files that are skipped

def test_a_scanned_pdf_has_no_text_layer(tmp_path):
    with pytest.raises(ScannedError) as caught:
        read_pdf(scanned_pdf(tmp_path / "scan.pdf"))
    assert caught.value.reason == "no text layer: scanned PDF, OCR is not supported"


def test_an_encrypted_pdf():
    with pytest.raises(EncryptedError) as caught:
        read_pdf(DOCS / "encrypted.pdf")
    assert caught.value.reason == "encrypted"


@pytest.mark.parametrize("damage, words", [
    (lambda data: data[: len(data) * 2 // 5], ["damaged PDF", "truncated"]),
    (lambda data: b"<html><body>not a PDF</body></html>\n" * 20, ["damaged PDF", "not a PDF file"]),
    (lambda data: b"%PDF-1.7\n" + data[len(data) // 2:], ["damaged PDF"]),
], ids=["truncated", "not-a-pdf", "head-cut-off"])
def test_a_damaged_pdf_is_named_with_the_reason(tmp_path, damage, words):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(damage((DOCS / "golestan_chromium.pdf").read_bytes()))
    with pytest.raises(DamagedError) as caught:
        read_pdf(broken)
    for word in words:
        assert word in caught.value.reason


def test_a_page_tree_bomb_is_refused(tmp_path):
    started = time.monotonic()
    with pytest.raises(DamagedError) as caught:
        read_pdf(page_tree_bomb(tmp_path / "pages.pdf"))
    assert "page tree" in caught.value.reason and time.monotonic() - started < 10


@pytest.mark.slow   # reads until the memory bound stops it: seconds
def test_a_decompression_bomb_is_bounded_in_memory_and_time(tmp_path):
    bomb = pdf_bomb(tmp_path / "bomb.pdf", gib=1.0)
    assert bomb.stat().st_size < 10_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(LimitError) as caught:
        read_pdf(bomb, ReadLimits(max_memory_mb=256))
    assert "256 MB memory limit" in caught.value.reason
    assert time.monotonic() - started < 30
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 << 10   # KiB: this process untouched
    with pytest.raises(LimitError) as caught:                                       # a time bound, too
        read_pdf(bomb, ReadLimits(max_memory_mb=4096, max_seconds=0.5))
    assert "timed out" in caught.value.reason or "memory limit" in caught.value.reason


def test_the_loader_names_each_skipped_pdf_and_loads_the_good_one(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(DOCS / "golestan_chromium.pdf", folder / "golestan.pdf")
    shutil.copy(DOCS / "encrypted.pdf", folder / "locked.pdf")
    scanned_pdf(folder / "scan.pdf")
    pdf_bomb(folder / "bomb.pdf", gib=1.0)
    (folder / "broken.pdf").write_bytes((DOCS / "golestan_chromium.pdf").read_bytes()[:20_000])
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "big.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * 200_000)
    result = load_paths([folder], max_bytes=100_000, limits=ReadLimits(max_memory_mb=256))
    [doc] = result.documents
    assert (doc.doc_id, doc.title, doc.source) == ("golestan", GOLESTAN_TITLE, str(folder / "golestan.pdf"))
    assert "در پایان سال ۱۴۰۱، ۲۲ میلیون و ۹۹۵ هزار دلار توسط ۴۲ شرکت تعاونی" in doc.text
    assert "استان | صادرات (میلیون دلار) | تعداد تعاونی" in doc.text     # table cells stay apart
    reasons = {Path(s.source).name: s.reason for s in result.skipped}
    assert reasons["locked.pdf"] == "encrypted"
    assert reasons["scan.pdf"] == "no text layer: scanned PDF, OCR is not supported"
    assert "memory limit" in reasons["bomb.pdf"]
    assert reasons["broken.pdf"].startswith("damaged PDF") and "truncated" in reasons["broken.pdf"]
    assert reasons["empty.pdf"] == "empty file"
    assert "too large" in reasons["big.pdf"] and "ASSISTANT_MAX_FILE_BYTES" in reasons["big.pdf"]
    assert {s.doc_id for s in result.skipped} == {"locked", "scan", "bomb", "broken", "empty", "big"}
