import codecs
import json

import pytest

from index.load import clean_text, decode_bytes, DecodeError, load_paths, make_title

ARTICLE = "صادرات تعاونی‌های گیلان\nمدیرکل تعاون گیلان از صادرات ۳۴ میلیون دلاری تعاونیها خبر داد.\nانتهای پیام\n"


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE), ("cp1256", b"")],
)
def test_each_encoding_is_decoded_exactly(tmp_path, encoding, prefix):
    text = ARTICLE
    if encoding == "cp1256":  # Windows-1256 has Arabic ي/ك and no Persian digits: write what such files hold
        text = text.translate(str.maketrans("یک۳۴", "يك34"))
    (tmp_path / "a.txt").write_bytes(prefix + text.encode(encoding))
    result = load_paths([tmp_path])
    assert result.skipped == []
    [doc] = result.documents
    assert doc.text == text.replace("\nانتهای پیام\n", "").replace("انتهاي پيام", "").strip()
    assert doc.title == text.split("\n")[0]
    assert "انتهای پیام" not in doc.text


def test_windows_1256_is_not_mistaken_for_mojibake():
    data = "كميسيون تعاون استان".encode("cp1256")
    text, encoding = decode_bytes(data)
    assert encoding == "windows-1256"
    assert text == "كميسيون تعاون استان"


def test_bad_files_are_reported_by_name_and_the_rest_is_ingested(tmp_path):
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("   \n\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "nul.txt").write_bytes(b"abc\x00def" * 10)
    (tmp_path / "big.txt").write_text("الف " * 3000, encoding="utf-8")
    (tmp_path / "broken.txt").write_bytes(b"\xe2\x82" + bytes(range(0x80, 0xff)) * 3)
    (tmp_path / "picture.png").write_bytes(b"\x89PNG")  # unsupported types in a folder are ignored
    result = load_paths([tmp_path], max_bytes=10_000)
    assert [d.doc_id for d in result.documents] == ["good"]
    reasons = {s.source.rsplit("/", 1)[-1]: s.reason for s in result.skipped}
    assert set(reasons) == {"empty.txt", "blank.md", "binary.txt", "nul.txt", "big.txt", "broken.txt"}
    assert "empty" in reasons["empty.txt"]
    assert "binary" in reasons["binary.txt"] and "binary" in reasons["nul.txt"]
    assert "too large" in reasons["big.txt"] and "ASSISTANT_MAX_FILE_BYTES" in reasons["big.txt"]
    assert "not valid UTF-8" in reasons["broken.txt"]
    assert {s.doc_id for s in result.skipped} >= {"empty", "broken"}


def test_undecodable_bytes_are_never_silently_dropped():
    with pytest.raises(DecodeError):
        decode_bytes(bytes(range(0x80, 0x100)) * 4 + "عربی".encode("utf-8")[:-1])


def test_html_keeps_article_text_only(tmp_path):
    html = """<html><head><title>عنوان صفحه</title><style>p{color:red}</style>
    <script>alert("x")</script></head><body><nav>خانه | اخبار | تماس</nav>
    <article><h1>صادرات تعاونی‌های گلستان</h1><p>صادرات <b>تعاونی‌ها</b> ۲۲ میلیون دلار بود.</p>
    <p>Share</p></article><footer>حقوق محفوظ است</footer></body></html>"""
    (tmp_path / "news.html").write_text(html, encoding="utf-8")
    [doc] = load_paths([tmp_path]).documents
    assert doc.title == "صادرات تعاونی‌های گلستان"
    assert "صادرات تعاونی‌ها ۲۲ میلیون دلار بود." in doc.text
    for junk in ("alert", "color", "خانه", "حقوق", "Share"):
        assert junk not in doc.text


def test_jsonl_records_with_broken_lines(tmp_path):
    lines = [
        json.dumps({"id": "n1", "text": "خبر اول درباره تعاونی‌ها است.", "title": "خبر اول", "url": "http://x/1", "date": "1402-01-01"}, ensure_ascii=False),
        "{broken json",
        json.dumps({"text": "خبر بدون شناسه."}, ensure_ascii=False),
        json.dumps({"id": "n3"}),
        json.dumps(["not", "an", "object"]),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    result = load_paths([tmp_path / "feed.jsonl"])
    assert [d.doc_id for d in result.documents] == ["n1", "feed#3"]
    first = result.documents[0]
    assert (first.title, first.source, first.date) == ("خبر اول", "http://x/1", "1402-01-01")
    assert sorted(s.source.rsplit(":", 1)[-1] for s in result.skipped) == ["2", "4", "5"]


def test_doc_ids_are_relative_paths_without_extension(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.md").write_text("# تیتر خبر\n\nمتن **خبر** با [پیوند](http://x) است.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("متن دوم.", encoding="utf-8")
    (tmp_path / "b.md").write_text("متن تکراری.", encoding="utf-8")
    result = load_paths([tmp_path])
    ids = [d.doc_id for d in result.documents]
    assert ids == ["b", "sub/a"]
    assert "duplicate doc_id 'b'" in result.skipped[0].reason
    md = result.documents[1]
    assert md.title == "تیتر خبر" and "متن خبر با پیوند است." in md.text


def test_missing_path_is_reported(tmp_path):
    result = load_paths([tmp_path / "nope"])
    assert result.documents == [] and "no such file" in result.skipped[0].reason


def test_title_is_first_words_when_first_line_is_a_sentence():
    text = "حسینعلی خواجه مظفری در نشست خبری به مناسبت هفته تعاون اظهار کرد که صادرات بیشتر شد و این روند ادامه دارد."
    assert make_title(text).endswith("…")
    assert make_title("تیتر کوتاه\nمتن.") == "تیتر کوتاه"


def test_clean_text_strips_boilerplate_and_bylines():
    assert clean_text("متن خبر.\nایسنا/کردستان\nShare\nانتهای پیام") == "متن خبر."


def test_leading_agency_byline_and_repeated_lead_are_dropped():
    lead = "معاون وزیر تعاون بر ضرورت کارآمد سازی تعاونیها تأکید کرد و گفت: استارتاپ ها کمک می‌کنند."
    text = f"تیتر خبر\n{lead}\n\nایسنا/کردستان {lead}\nمحمدجعفر کبیری امروز در جلسه شورا گفت."
    assert clean_text(text) == f"تیتر خبر\n{lead}\n\nمحمدجعفر کبیری امروز در جلسه شورا گفت."
