"""The sources on the admin API over real HTTP, against a real local site: add, list with the last run, sync
now in the background, 409 while one runs, remove; the admin token on every call; the schedule's tick."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from assistant.build import build_assistant
from assistant.settings import Settings
from helpers import Server
from ui.syncs import SyncRunner
from websites import Site, article_html, rss

pytestmark = pytest.mark.ingest

ADMIN = "admin-token-123"
A = {"Authorization": f"Bearer {ADMIN}"}
PARAGRAPHS = ["به گزارش ایرنا، مدیرکل تعاون استان قزوین گفت: تعاونی‌های قزوین در سال ۱۴۰۲ برای ۹۰۰ نفر شغل ایجاد کردند.",
              "وی افزود: تسهیلات این تعاونی‌ها ۱۵۰ میلیارد ریال بوده است.",
              "او گفت که ۷۰ تعاونی تازه در استان قزوین ثبت شده است."]


@pytest.fixture
def site():
    with Site() as s:
        s.page("/news/1", article_html("اشتغال تعاونی‌های قزوین", PARAGRAPHS, published="2024-05-20T08:00:00Z"))
        s.page("/rss", rss([("اشتغال قزوین", s.url + "/news/1", None)]), content_type="application/rss+xml")
        yield s


@pytest.fixture
def server(sample_index, tmp_path, site):
    from ui.server import create_app

    data_dir = tmp_path / "index"
    shutil.copytree(sample_index, data_dir, ignore=shutil.ignore_patterns("refusals.sqlite3*"))  # other tests' refusals
    settings = Settings(data_dir=data_dir, admin_token=ADMIN, sync_allow_private=True, sync_host_interval=0.0)
    assistant = build_assistant(settings)
    app = create_app(assistant, settings)
    with Server(app) as s:
        s.assistant, s.syncs = assistant, app.state.syncs
        s.client = httpx.Client(base_url=s.url, timeout=60)
        yield s
        s.client.close()
    assistant.close()


def test_add_list_sync_now_and_remove(server, site):
    c = server.client
    assert c.get("/api/sources").status_code == 401
    r = c.post("/api/sources", json={"url": site.url + "/rss", "every": "30m", "name": "irna"}, headers=A)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "irna" and r.json()["every_seconds"] == 1800 and r.json()["last_run"] is None
    bad = c.post("/api/sources", json={"url": "ftp://x.ir/feed"}, headers=A)
    assert bad.status_code == 422 and "not an http(s) URL" in bad.json()["error"]
    assert c.post("/api/sources", json={"url": site.url + "/x", "every": "5s"}, headers=A).status_code == 422

    r = c.post("/api/sources/irna/sync", headers=A)
    assert r.status_code == 202 and r.json() == {"started": True}
    assert server.syncs.wait(timeout=120)
    listed = c.get("/api/sources", headers=A).json()
    source = listed["sources"][0]
    assert (source["new"], source["failed"], source["last_error"]) == (1, 0, None) and source["last_run"]
    assert listed["sync"]["running"] is None and listed["sync"]["last"]["sources"][0]["new"] == 1
    answer = c.post("/api/ask", json={"question": "تعاونی‌های قزوین در سال ۱۴۰۲ برای چند نفر شغل ایجاد کردند؟"}).json()
    assert "۹۰۰ نفر" in answer["answer"]
    assert answer["sources"][0]["byline"] == "ایرنا، ۳۱ اردیبهشت ۱۴۰۳" and answer["sources"][0]["outlet"] == "ایرنا"
    assert c.post("/api/sources/nope/sync", headers=A).status_code == 404
    assert c.delete("/api/sources/irna", headers=A).json()["name"] == "irna"
    assert c.get("/api/sources", headers=A).json()["sources"] == []
    assert c.delete("/api/sources/irna", headers=A).status_code == 404


def test_one_sync_at_a_time(server, site):
    site.routes["/rss"].delay = 1.0                      # a slow feed keeps the first sync running
    server.client.post("/api/sources", json={"url": site.url + "/rss", "name": "slow"}, headers=A)
    assert server.client.post("/api/sources/slow/sync", headers=A).status_code == 202
    second = server.client.post("/api/sources/slow/sync", headers=A)
    assert second.status_code == 409 and "a sync is running now" in second.json()["error"]
    assert server.syncs.wait(timeout=120)


def test_the_schedule_syncs_the_sources_that_are_due(sample_index, tmp_path, site):
    data_dir = tmp_path / "index"
    shutil.copytree(sample_index, data_dir)
    a = build_assistant(Settings(data_dir=data_dir, sync_allow_private=True, sync_host_interval=0.0))
    registry = a.sources()
    registry.add(site.url + "/rss", name="irna", every_seconds=3600)
    registry.close()
    runner = SyncRunner(a)
    assert runner.tick() == ["irna"]                                      # never synced: due
    assert runner.tick() == []                                            # synced a moment ago
    later = datetime.now(timezone.utc) + timedelta(hours=2)
    assert runner.tick(later) == ["irna"] and runner.last["sources"][0]["not_modified"] is True
    a.close()


def test_the_admin_page_adds_syncs_and_lists_a_source(server, site, page):
    refused = "تعداد اعضای تعاونی‌های ماهیگیری بوشهر چند نفر است؟"
    assert server.assistant.ask(refused).abstained
    page.goto(server.url + "/admin")
    page.fill("#token", ADMIN)
    page.click("#login button")
    page.wait_for_selector("#sources-section")
    page.wait_for_selector("#refusals tbody tr")                    # what readers asked that had no answer
    assert refused in page.inner_text("#refusals tbody tr") and "۱" in page.inner_text("#refusals tbody tr")
    assert page.is_visible("#no-sources")
    page.fill("#source-url", site.url + "/rss")
    page.select_option("#source-every", "30m")
    page.click("#add-source button")
    page.wait_for_selector("#sources tbody tr")
    assert "هنوز خوانده نشده" in page.inner_text("#sources tbody tr")
    page.click("#sources tbody tr button:first-child")               # «همین حالا بخوان»
    assert server.syncs.wait(timeout=120)
    page.wait_for_function("document.querySelector('#sources tbody tr').innerText.includes('۱ تازه')",
                           timeout=30_000)
    page.wait_for_function("[...document.querySelectorAll('#documents tbody tr')].some("
                           "r => r.innerText.includes('اشتغال تعاونی‌های قزوین'))", timeout=30_000)
    assert server.assistant.sources().get("127.0.0.1").every_seconds == 1800
