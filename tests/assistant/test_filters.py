"""Answers and searches only from articles of a date range (Jalali or Gregorian) and an outlet: the assistant, the
HTTP API, MCP's arguments and the command line."""

from __future__ import annotations

import json

import httpx
import pytest

from assistant.build import build_assistant
from assistant.filters import FilterError, Filters
from assistant.settings import Settings
from helpers import Server
from index.sources.links import doc_id_for
from websites import Site, article_html, rss

SPRING = ["به گزارش ایرنا، مدیرکل تعاون گیلان گفت: صادرات تعاونی‌های گیلان در فصل بهار به ۱۱ میلیون دلار رسید.",
          "وی افزود: بیشتر این صادرات چای و برنج بوده و به کشورهای همسایه رفته است.",
          "او گفت که ۶۰ تعاونی صادرکننده در استان گیلان فعال هستند."]
SUMMER = ["به گزارش ایسنا، مدیرکل تعاون گیلان گفت: صادرات تعاونی‌های گیلان در فصل تابستان به ۱۷ میلیون دلار رسید.",
          "وی افزود: کیوی و ماهی بیشترین سهم را در این صادرات داشته‌اند.",
          "او گفت که ۷۵ تعاونی صادرکننده در استان گیلان فعال هستند."]


def test_filters_read_jalali_and_gregorian_days_and_fold_the_outlet():
    f = Filters.of("1403/01/01", "۱۲ خرداد ۱۴۰۳", "ايرنا")
    assert (f.date_from, f.date_to) == ("2024-03-20", "2024-06-01") and f.active and not Filters().active
    assert f.admits("2024-06-01", "خبرگزاری ایرنا") and f.admits("1403/03/12", "ایرنا")
    assert not f.admits("2024-06-02", "ایرنا") and not f.admits(None, "ایرنا") and not f.admits("2024-05-01", "ایسنا")
    with pytest.raises(FilterError, match="'yesterday' is not a date"):
        Filters.of("yesterday")
    with pytest.raises(FilterError, match="is after date_to"):
        Filters.of("2024-07-01", "2024-06-01")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    with Site() as site:
        site.page("/irna/1", article_html("صادرات بهاره تعاونی‌های گیلان", SPRING, outlet="ایرنا",
                                          published="2024-06-10T10:00:00Z"))
        site.page("/isna/1", article_html("صادرات تابستانی تعاونی‌های گیلان", SUMMER, outlet="ایسنا",
                                          published="2024-09-15T10:00:00Z"))
        site.page("/rss", rss([("بهار", site.url + "/irna/1", None), ("تابستان", site.url + "/isna/1", None)]),
                  content_type="application/rss+xml")
        a = build_assistant(Settings(data_dir=tmp_path_factory.mktemp("filters") / "index", sync_allow_private=True,
                                     sync_host_interval=0.0))
        a.sources().add(site.url + "/rss", name="news")
        assert a.sync().runs[0].new == 2
        a.spring, a.summer = doc_id_for(site.url + "/irna/1"), doc_id_for(site.url + "/isna/1")
        yield a
        a.close()


@pytest.mark.ingest
def test_search_and_ask_keep_to_the_filters(archive):
    q = "صادرات تعاونی‌های گیلان"
    assert {p.doc_id for p in archive.search(q)} == {archive.spring, archive.summer}
    assert {p.doc_id for p in archive.search(q, filters=Filters.of(outlet="ایسنا"))} == {archive.summer}
    assert {p.doc_id for p in archive.search(q, filters=Filters.of("1403/06/01"))} == {archive.summer}  # from 22 Aug
    assert archive.search(q, filters=Filters.of(date_to="1402/12/29")) == []
    answer = archive.ask("صادرات تعاونی‌های گیلان چقدر بود؟", filters=Filters.of(outlet="ایرنا"))
    assert "۱۱ میلیون دلار" in answer.text and {s.doc_id for s in answer.sources} == {archive.spring}


@pytest.mark.ingest
def test_the_api_mcp_arguments_and_the_cli_take_the_filters(archive, capsys, monkeypatch):
    from ui.server import create_app

    with Server(create_app(archive, archive.settings)) as s:
        r = httpx.get(f"{s.url}/api/search", params={"q": "صادرات گیلان", "outlet": "ایسنا"})
        assert r.status_code == 200 and {p["doc_id"] for p in r.json()["results"]} == {archive.summer}
        r = httpx.post(f"{s.url}/api/ask", json={"question": "صادرات تعاونی‌های گیلان چقدر بود؟",
                                                 "filters": {"date_from": "1403/06/01"}})
        assert r.status_code == 200 and "۱۷ میلیون دلار" in r.json()["answer"]
        bad = httpx.get(f"{s.url}/api/search", params={"q": "صادرات", "date_from": "دیروز"})
        assert bad.status_code == 422 and "is not a date" in bad.json()["error"]
    import anyio

    from ui.mcp_server import build_mcp_server

    mcp = build_mcp_server(archive)
    ask = next(t for t in anyio.run(mcp.list_tools) if t.name == "ask")
    assert {"date_from", "date_to", "outlet"} <= set(ask.input_schema["properties"])
    result = anyio.run(lambda: mcp.call_tool("search", {"query": "صادرات گیلان", "outlet": "ایسنا"}))
    assert archive.summer in str(result) and archive.spring not in str(result)

    from ui.cli import main

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(archive.settings.data_dir))
    monkeypatch.setenv("ASSISTANT_RECORD_REFUSALS", "0")
    assert main(["search", "صادرات گیلان", "--outlet", "ایرنا", "--json"]) == 0
    assert {p["doc_id"] for p in json.loads(capsys.readouterr().out)["results"]} == {archive.spring}
    assert main(["ask", "صادرات گیلان چقدر بود؟", "--from", "nope"]) == 2
    assert "is not a date" in capsys.readouterr().err
