"""A sync end to end against a real local site: articles read from their pages into a real index, a broken page
named and skipped, a second sync that transfers only the feed, an edited article replacing its chunks, a broken
source next to a good one, web articles kept by prune and rebuild, and the CLI."""

from __future__ import annotations

import json

import pytest

from assistant.build import build_assistant
from assistant.settings import Settings
from index.sources.links import doc_id_for
from websites import Site, article_html, rss, sitemap

pytestmark = pytest.mark.ingest

GILAN = ["به گزارش ایرنا، مدیرکل تعاون، کار و رفاه اجتماعی گیلان گفت: صادرات تعاونی‌های استان گیلان در سال ۱۴۰۲ "
         "به ۴۱ میلیون دلار رسید.",
         "وی افزود: این رقم نسبت به سال قبل ۲۰ درصد افزایش داشته و بیشتر آن به کشورهای همسایه بوده است.",
         "او گفت که ۱۲۰ تعاونی فعال در زمینه‌ی صادرات در استان گیلان وجود دارد."]
YAZD = ["به گزارش ایسنا، مدیرکل تعاون یزد گفت: تعداد اعضای تعاونی‌های مسکن استان یزد به ۱۸ هزار نفر رسید.",
        "وی افزود: این تعاونی‌ها در سال جاری ۲ هزار واحد مسکونی ساخته‌اند و ساخت ۵۰۰ واحد دیگر آغاز شده است.",
        "او گفت تسهیلات بانکی این تعاونی‌ها ۳۰۰ میلیارد ریال بوده است."]


@pytest.fixture
def site():
    with Site() as s:
        yield s


@pytest.fixture
def assistant(tmp_path):
    a = build_assistant(Settings(data_dir=tmp_path / "index", sync_allow_private=True, sync_host_interval=0.0,
                                 sync_timeout=5.0))
    yield a
    a.close()


def publish(site: Site) -> str:
    site.page("/news/1", article_html("صادرات تعاونی‌های گیلان ۴۱ میلیون دلار شد", GILAN, author="علی رضایی"))
    site.page("/news/2", article_html("اعضای تعاونی‌های مسکن یزد ۱۸ هزار نفر شد", YAZD, outlet="ایسنا",
                                      published="2024-06-05T09:00:00+03:30"))
    return site.page("/rss", rss([("صادرات گیلان", site.url + "/news/1", "Sat, 01 Jun 2024 08:00:00 +0330"),
                                  ("مسکن یزد", site.url + "/news/2", None),              # an item with no date
                                  ("حذف شده", site.url + "/news/gone", None)]),          # 404
                     content_type="application/rss+xml")


def test_sync_reads_each_article_from_its_page_and_answers_from_it(site, assistant):
    feed = publish(site)
    assistant.sources().add(feed, name="irna")
    report = assistant.sync()
    run = report.runs[0]
    assert (run.new, run.updated, run.failed, run.error) == (2, 0, 1, None), run
    assert any("/news/gone: HTTP 404" in f for f in run.failures) and report.failed
    doc = assistant.document(doc_id_for(site.url + "/news/1"))
    assert doc.outlet == "ایرنا" and doc.author == "علی رضایی" and doc.date == "2024-06-01"
    assert doc.url == site.url + "/news/1" and "تعاونی‌های استان گیلان" in doc.text     # the page, not «خلاصه»
    answer = assistant.ask("صادرات تعاونی‌های گیلان در سال ۱۴۰۲ چقدر بود؟")
    assert "۴۱ میلیون دلار" in answer.text and answer.sources[0].doc_id == doc.doc_id
    # every citation names the outlet and the day: the chat and widget, /api, /v1 and MCP (SourceOut), the CLI
    source = answer.sources[0]
    assert (source.outlet, source.date, source.byline) == ("ایرنا", "2024-06-01", "ایرنا، ۱۲ خرداد ۱۴۰۳")
    from ui.openai_chat import reply_text
    from ui.render import answer_html
    from ui.shapes import SourceOut

    assert "(ایرنا، ۱۲ خرداد ۱۴۰۳)" in answer_html(answer) and "(ایرنا، ۱۲ خرداد ۱۴۰۳)" in reply_text(answer, "")
    assert SourceOut.of(source).model_dump()["byline"] == "ایرنا، ۱۲ خرداد ۱۴۰۳"
    listed = assistant.sources().get("irna")
    assert (listed.new, listed.failed, listed.last_error) == (2, 1, None) and listed.last_run

    # a second sync with nothing new: only the feed is asked for (and robots.txt, once a run), and it answers 304
    before = len(site.log)
    again = assistant.sync(["irna"]).runs[0]
    assert again.not_modified and [x for x in site.log[before:] if x[0] != "/robots.txt"] == [("/rss", 304)]
    assert site.log[before:].count(("/robots.txt", 404)) == 1


def test_an_edited_article_replaces_its_chunks_and_a_killed_sync_resumes(site, assistant):
    site.page("/a/1", article_html("صادرات تعاونی‌های گیلان ۴۱ میلیون دلار شد", GILAN))
    site.page("/a/2", article_html("اعضای تعاونی‌های مسکن یزد ۱۸ هزار نفر شد", YAZD))
    site.page("/sitemap.xml", sitemap([(site.url + "/a/1", "2024-06-01T08:00:00Z"),
                                        (site.url + "/a/2", "2024-06-01T09:00:00Z")]), content_type="application/xml")
    assistant.sources().add(site.url + "/sitemap.xml", name="sm")
    assert assistant.sync().runs[0].new == 2
    gilan = doc_id_for(site.url + "/a/1")

    edited = [GILAN[0].replace("۴۱ میلیون", "۴۳ میلیون"), *GILAN[1:]]
    site.page("/a/1", article_html("صادرات تعاونی‌های گیلان ۴۳ میلیون دلار شد", edited))
    site.page("/sitemap.xml", sitemap([(site.url + "/a/1", "2024-06-02T08:00:00Z"),
                                        (site.url + "/a/2", "2024-06-01T09:00:00Z")]), content_type="application/xml")
    run = assistant.sync().runs[0]
    assert (run.new, run.updated, run.unchanged) == (0, 1, 1) and site.requests_to("/a/2") == 1
    texts = [p.text for p in assistant.search("صادرات تعاونی‌های گیلان", 5) if p.doc_id == gilan]
    assert texts and all("۴۱ میلیون" not in t for t in texts) and any("۴۳ میلیون" in t for t in texts)
    assert assistant.stats()["documents"] == 2

    # a sync that died before the end kept no validators: the next one reads the sitemap again
    registry = assistant.sources()
    registry.finish("sm", new=0, updated=0, unchanged=0, failed=0, error="killed", etag=None)
    site.page("/a/3", article_html("تعاونی‌های گیلان", GILAN[1:] + GILAN[:1]))
    site.page("/sitemap.xml", sitemap([(site.url + "/a/1", "2024-06-02T08:00:00Z"),
                                        (site.url + "/a/2", "2024-06-01T09:00:00Z"),
                                        (site.url + "/a/3", "2024-06-03T09:00:00Z")]), content_type="application/xml")
    assert assistant.sync().runs[0].new == 1


def test_a_broken_source_is_named_and_the_others_go_in(site, assistant):
    feed = publish(site)
    site.page("/broken.xml", b"<rss><channel><item>", content_type="application/rss+xml")
    registry = assistant.sources()
    registry.add(site.url + "/broken.xml", name="broken")
    registry.add(site.url + "/missing.xml", name="missing")
    registry.add(feed, name="good")
    runs = {r.name: r for r in assistant.sync().runs}
    assert "not an RSS/Atom feed" in runs["broken"].error and "HTTP 404" in runs["missing"].error
    assert runs["good"].new == 2
    assert "HTTP 404" in assistant.sources().get("missing").last_error


def test_prune_and_rebuild_keep_the_articles_from_the_web(site, assistant, tmp_path):
    assistant.sources().add(publish(site), name="irna")
    assistant.sync()
    web = {doc_id_for(site.url + "/news/1"), doc_id_for(site.url + "/news/2")}
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.txt").write_text("\n".join(YAZD), encoding="utf-8")
    assistant.ingest([folder], prune=True)
    assert web <= {d.doc_id for d in assistant.documents()}
    assistant.ingest([folder], rebuild=True)
    assert web <= {d.doc_id for d in assistant.documents()}
    assert assistant.document(doc_id_for(site.url + "/news/1")).outlet == "ایرنا"


def test_sources_and_sync_on_the_command_line(site, tmp_path, capsys, monkeypatch):
    from ui.cli import main

    for key, value in {"ASSISTANT_DATA_DIR": str(tmp_path / "cli"), "ASSISTANT_SYNC_ALLOW_PRIVATE": "1",
                       "ASSISTANT_SYNC_HOST_INTERVAL": "0"}.items():
        monkeypatch.setenv(key, value)
    feed = publish(site)
    assert main(["sources", "add", feed, "--every", "30m", "--name", "irna"]) == 0
    assert main(["sources", "add", "ftp://x.ir/feed"]) == 2
    assert "not an http(s) URL" in capsys.readouterr().err
    assert main(["sources", "add", feed, "--every", "10s"]) == 2
    assert main(["sync", "--json"]) == 3                          # one page failed: named, the rest went in
    report = json.loads(capsys.readouterr().out)
    assert report["sources"][0]["new"] == 2 and "404" in report["sources"][0]["failures"][0]
    assert main(["sources", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["name"] == "irna" and listed[0]["every_seconds"] == 1800 and listed[0]["new"] == 2
    assert main(["sync", "irna"]) == 0 and "not modified" in capsys.readouterr().out
    assert main(["sync", "nope"]) == 1 and "no source named 'nope'" in capsys.readouterr().err
    assert main(["sources", "remove", "irna"]) == 0 and main(["sources", "list"]) == 0
    assert "no sources yet" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.subprocess
def test_a_sync_killed_half_way_leaves_the_index_whole_and_the_next_one_resumes(site, tmp_path):
    import os
    import signal
    import subprocess

    from helpers import BIN, cli_env

    paragraphs = lambda i: [f"به گزارش ایرنا، تعاونی شماره {i} استان زنجان در سال ۱۴۰۲ برای {i + 10} نفر شغل ایجاد کرد.",  # noqa: E731
                            f"این تعاونی {i + 5} عضو دارد و تسهیلات آن {i + 2} میلیارد ریال بوده است.",
                            "مدیرعامل این تعاونی گفت که محصولات آن به استان‌های همسایه فروخته می‌شود."]
    links = []
    for i in range(30):                       # a batch is 25 articles: the 26th page hangs until the kill
        site.page(f"/z/{i}", article_html(f"اشتغال تعاونی {i} زنجان", paragraphs(i)), delay=60.0 if i == 25 else 0.0)
        links.append((f"تعاونی {i}", site.url + f"/z/{i}", None))
    site.page("/rss", rss(links), content_type="application/rss+xml")
    env = cli_env(tmp_path / "index", ASSISTANT_SYNC_ALLOW_PRIVATE="1", ASSISTANT_SYNC_HOST_INTERVAL="0")
    subprocess.run([str(BIN), "sources", "add", site.url + "/rss", "--name", "z"], env=env, check=True,
                   capture_output=True)
    sync = subprocess.Popen([str(BIN), "sync", "--quiet"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert site.requested("/z/25").wait(timeout=600), "the sync never reached the 26th article"
    os.kill(sync.pid, signal.SIGKILL)
    sync.wait()
    site.routes["/z/25"].delay = 0.0

    check = subprocess.run([str(BIN), "check", "--json"], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr        # the record, Chroma and BM25 agree
    assert json.loads(subprocess.run([str(BIN), "stats", "--json"], env=env, capture_output=True,
                                     text=True).stdout)["documents"] == 25
    again = subprocess.run([str(BIN), "sync", "--json"], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    run = json.loads(again.stdout)["sources"][0]
    assert (run["new"], run["unchanged"], run["not_modified"]) == (5, 25, False)
