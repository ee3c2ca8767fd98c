"""One story once: the same wire copy in three outlets with small edits is one story, kept three times in the
record, shown once from its earliest outlet with «همچنین در ۲ رسانه»; different stories stay apart."""

from __future__ import annotations

import sqlite3

import pytest

from assistant.build import build_assistant
from assistant.settings import Settings
from index.dedup import THRESHOLD, signature, similarity, stories
from index.persian.normalize import get_normalizer
from index.sources.links import doc_id_for
from websites import Site, article_html, rss

STORY = ["مدیرکل تعاون، کار و رفاه اجتماعی استان کرمان گفت: صادرات تعاونی‌های پسته استان کرمان در سال ۱۴۰۲ به ۸۵ "
         "میلیون دلار رسید که نسبت به سال قبل ۱۲ درصد بیشتر است.",
         "وی افزود: ۴۰ تعاونی تولیدکننده پسته در شهرستان‌های رفسنجان، سیرجان و انار فعال هستند و محصول خود را به چین، "
         "امارات و روسیه صادر می‌کنند.",
         "او با اشاره به کم‌آبی گفت: این تعاونی‌ها با کمک تسهیلات ۲۰۰ میلیارد ریالی، آبیاری قطره‌ای را در ۳ هزار هکتار از "
         "باغ‌ها اجرا کرده‌اند.",
         "به گفته‌ی وی، ۶ هزار نفر به طور مستقیم در این تعاونی‌ها کار می‌کنند و سهم زنان از این شمار ۳۰ درصد است."]
OTHER = ["مدیرکل تعاون استان یزد گفت: تعاونی‌های مسکن یزد امسال ۲ هزار واحد مسکونی ساخته‌اند.",
         "وی افزود: اعضای این تعاونی‌ها ۱۸ هزار نفر هستند و ۵۰۰ واحد دیگر در دست ساخت است."]


def canonical(lines: list[str]) -> str:
    return get_normalizer().canonical("\n".join(lines))


def test_a_lightly_edited_copy_is_near_and_another_story_is_far():
    original = signature(canonical(STORY))
    copy = signature(canonical(["به گزارش ایسنا، " + STORY[0], *STORY[1:3]]))          # another lead, a line less
    other = signature(canonical(OTHER))
    assert similarity(original, copy) >= THRESHOLD + 0.1
    assert similarity(original, other) < 0.1
    assert signature("") is None


def test_a_story_is_named_by_its_earliest_copy():
    sig = signature(canonical(STORY))
    rows = [("b", "2024-06-02", "t1", sig), ("a", "2024-06-03", "t0", sig), ("c", "2024-06-01", "t2", sig),
            ("d", None, None, signature(canonical(OTHER))), ("e", None, None, None)]
    assert stories(rows) == {"a": "c", "b": "c", "c": "c", "d": "d", "e": "e"}


@pytest.mark.ingest
def test_one_story_in_three_outlets_is_shown_once_from_the_earliest(tmp_path):
    with Site() as site:
        site.page("/isna/1", article_html("صادرات پسته تعاونی‌های کرمان ۸۵ میلیون دلار شد",
                                          ["به گزارش ایسنا، " + STORY[0], *STORY[1:]], outlet="ایسنا",
                                          published="2024-06-03T10:00:00Z"))
        site.page("/irna/1", article_html("۸۵ میلیون دلار صادرات پسته از تعاونی‌های کرمان", STORY, outlet="ایرنا",
                                          published="2024-06-01T10:00:00Z"))
        site.page("/fars/1", article_html("صادرات پسته کرمان", [*STORY[:3], "انتهای پیام"], outlet="فارس",
                                          published="2024-06-02T10:00:00Z"))
        site.page("/yazd/1", article_html("مسکن تعاونی یزد", OTHER, outlet="ایرنا", published="2024-06-04T10:00:00Z"))
        site.page("/rss", rss([(p, site.url + p, None) for p in ("/isna/1", "/irna/1", "/fars/1", "/yazd/1")]),
                  content_type="application/rss+xml")
        a = build_assistant(Settings(data_dir=tmp_path / "index", sync_allow_private=True, sync_host_interval=0.0))
        a.sources().add(site.url + "/rss", name="wire")
        assert a.sync().runs[0].new == 4
    earliest = doc_id_for(site.url + "/irna/1")
    assert a.stats()["documents"] == 4                                     # the record keeps every copy
    copies = a.store.record.stories.copies()
    assert list(copies) == [earliest] and len(copies[earliest]) == 3
    passages = a.search("صادرات پسته تعاونی‌های کرمان", 10)
    assert {p.doc_id for p in passages} <= {earliest, doc_id_for(site.url + "/yazd/1")}
    answer = a.ask("صادرات تعاونی‌های پسته کرمان در سال ۱۴۰۲ چقدر بود؟")
    source = answer.sources[0]
    assert "۸۵ میلیون دلار" in answer.text and source.doc_id == earliest
    assert sorted(source.also_in) == ["ایسنا", "فارس"]
    assert source.byline == "ایرنا، ۱۲ خرداد ۱۴۰۳؛ همچنین در ۲ رسانه"

    # an eval question whose expected article is a later copy: the earliest one stands for it
    from assistant.evaluate import run

    later = doc_id_for(site.url + "/isna/1")
    [result] = run(a, [{"id": "x", "q": "صادرات تعاونی‌های پسته کرمان در سال ۱۴۰۲ چقدر بود؟", "doc_id": later,
                        "answer": "۸۵ میلیون دلار", "kind": "amount"}])
    assert result.correct and result.cited_correctly and result.rank == 0

    # the earliest copy removed: the story is told from the next one
    a.delete([earliest])
    assert list(a.store.record.stories.copies()) == [doc_id_for(site.url + "/fars/1")]
    a.close()


@pytest.mark.ingest
def test_documents_from_before_signatures_are_signed_by_the_next_ingest(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(["کرمان", *STORY]), encoding="utf-8")
    a = build_assistant(Settings(data_dir=tmp_path / "index"))
    a.ingest([folder])
    db = sqlite3.connect(tmp_path / "index" / "record.sqlite3")
    with db:
        db.execute("UPDATE documents SET minhash = NULL")                 # as an index from before them
    (folder / "b.txt").write_text("\n".join(["کرمان امروز", "به گزارش فارس، " + STORY[0], *STORY[1:]]),
                                  encoding="utf-8")
    a.ingest([folder])
    assert db.execute("SELECT COUNT(*) FROM documents WHERE minhash IS NULL").fetchone()[0] == 0
    assert list(a.store.record.stories.copies()) != []
    db.close()
    a.close()


@pytest.mark.ingest
def test_what_a_later_copy_adds_stays_findable(tmp_path):
    """A copy that adds a paragraph is the same story, but its new figure is no «not in the articles»."""
    added = ["وی همچنین گفت: صادرات پسته تعاونی‌های کرمان به هند در این مدت ۵ میلیون دلار بوده است.",
             "به گفته‌ی او، بازار هند برای نخستین بار به روی تعاونی‌های پسته کرمان باز شده است.",
             "او افزود که سه تعاونی تازه برای صادرات به هند در رفسنجان ثبت شده‌اند."]
    with Site() as site:
        site.page("/irna/1", article_html("صادرات پسته تعاونی‌های کرمان", STORY, published="2024-06-01T10:00:00Z"))
        site.page("/fars/1", article_html("صادرات پسته تعاونی‌های کرمان", [*STORY, *added], outlet="فارس",
                                          published="2024-06-02T10:00:00Z"))
        site.page("/rss", rss([(p, site.url + p, None) for p in ("/irna/1", "/fars/1")]),
                  content_type="application/rss+xml")
        a = build_assistant(Settings(data_dir=tmp_path / "index", sync_allow_private=True, sync_host_interval=0.0))
        a.sources().add(site.url + "/rss", name="wire")
        a.sync()
    fars = doc_id_for(site.url + "/fars/1")
    assert list(a.store.record.stories.copies()) == [doc_id_for(site.url + "/irna/1")]
    hidden = a.store.record.stories.hidden()
    assert hidden and all(c.startswith(fars) for c in hidden)               # the repeated part gives way
    answer = a.ask("صادرات پسته تعاونی‌های کرمان به هند چقدر بود؟")
    assert "۵ میلیون دلار" in answer.text and answer.sources[0].doc_id == fars
    a.close()
