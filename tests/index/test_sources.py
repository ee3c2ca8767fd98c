"""Fetching feeds and pages from a real local HTTP server: the refusals (private addresses, schemes, robots.txt,
redirect loops, 404/500, slow and huge answers), conditional GET, encodings, feed and sitemap reading, and the
article read from its own page with its date, author, outlet and every ZWNJ."""

from __future__ import annotations

import pytest

from index.sources.extract import extract_article, url_date
from index.sources.fetch import Fetcher, FetchError
from index.sources.links import canonical_url, doc_id_for, read_listing
from websites import Site, article_html, rss, sitemap

PARAGRAPHS = [
    "به گزارش ایرنا، مدیرکل تعاون، کار و رفاه اجتماعی گیلان گفت: صادرات تعاونی‌های استان در سال جاری به ۳۴ میلیون "
    "دلار رسید.",
    "وی افزود: این رقم نسبت به سال گذشته ۲۰ درصد افزایش داشته و بیشتر آن به کشورهای همسایه بوده است.",
    "او همچنین گفت که ۱۲۰ تعاونی فعال در زمینه‌ی صادرات در استان وجود دارد و ۳ هزار نفر در آنها کار می‌کنند.",
]


@pytest.fixture
def site():
    with Site() as s:
        yield s


def fetcher(**kwargs) -> Fetcher:
    return Fetcher(**{"allow_private": True, "min_interval": 0.0, "timeout": 5.0, **kwargs})


def test_private_and_loopback_addresses_are_refused_unless_allowed(site):
    url = site.page("/a", article_html("خبر", PARAGRAPHS))
    with Fetcher(min_interval=0.0) as f, pytest.raises(FetchError, match="private or local address.*"
                                                                          "ASSISTANT_SYNC_ALLOW_PRIVATE"):
        f.get(url)
    assert site.log == []                                   # refused before any request
    with fetcher() as f:
        assert f.get(url).status == 200


@pytest.mark.parametrize("url, words", [("file:///etc/passwd", "only http and https"),
                                        ("ftp://example.ir/feed", "only http and https"),
                                        ("http:///nohost", "no host")])
def test_only_http_urls_with_a_host_are_fetched(url, words):
    with fetcher() as f, pytest.raises(FetchError, match=words):
        f.get(url)


def test_a_redirect_to_a_private_address_is_refused(site):
    """Each hop is checked as the first: a public page may not send the fetcher into the intranet."""
    site.page("/go", b"", status=302, headers={"Location": "http://10.0.0.1/admin"})
    with Fetcher(min_interval=0.0) as f:
        f._check = lambda url, real=f._check: None if url.startswith(site.url) else real(url)  # the site stands in for a public one
        with pytest.raises(FetchError, match="10.0.0.1 is a private"):
            f.get(site.url + "/go")


def test_redirects_are_followed_and_bounded(site):
    site.page("/old", b"", status=301, headers={"Location": "/new"})
    site.page("/new", article_html("خبر", PARAGRAPHS))
    site.page("/loop1", b"", status=302, headers={"Location": "/loop2"})
    site.page("/loop2", b"", status=302, headers={"Location": "/loop1"})
    with fetcher(max_redirects=4) as f:
        page = f.get(site.url + "/old")
        assert page.final_url == site.url + "/new" and page.url == site.url + "/old"
        with pytest.raises(FetchError, match="more than 4 redirects"):
            f.get(site.url + "/loop1")
    assert site.requests_to("/loop1") + site.requests_to("/loop2") == 5


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_name_the_url_and_status(site, status):
    url = site.page("/broken", b"oops", status=status)
    with fetcher() as f, pytest.raises(FetchError, match=f"{url}: HTTP {status}"):
        f.get(url)


def test_a_slow_server_times_out(site):
    url = site.page("/slow", b"late", delay=2.0)
    with fetcher(timeout=0.3) as f, pytest.raises(FetchError, match="no answer within the timeout"):
        f.get(url)


def test_a_huge_body_is_refused_without_reading_it(site):
    declared = site.page("/big", b"x" * 3_000_000)                      # says its size: refused at once
    streamed = site.url + "/stream"
    from websites import Route
    site.routes["/stream"] = Route(stream_bytes=50 * 2**20)               # 50 MB, no Content-Length
    with fetcher(max_bytes=1_000_000) as f:
        with pytest.raises(FetchError, match="3,000,000 bytes; the limit is 1,000,000"):
            f.get(declared)
        with pytest.raises(FetchError, match="over the limit of 1,000,000 bytes"):
            f.get(streamed)
        assert f.bytes_read < 1_000_000


def test_robots_txt_is_obeyed(site):
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    allowed = site.page("/news/1", article_html("خبر", PARAGRAPHS))
    private = site.page("/private/1", article_html("خبر", PARAGRAPHS))
    with fetcher() as f:
        assert f.get(allowed).status == 200
        with pytest.raises(FetchError, match="robots.txt does not allow"):
            f.get(private)
        f.get(allowed)
    assert site.requests_to("/robots.txt") == 1 and site.requests_to("/private/1") == 0


def test_conditional_get_answers_304_when_nothing_changed(site):
    url = site.page("/feed", rss([("خبر", site.url + "/a", None)]), content_type="application/rss+xml")
    with fetcher() as f:
        first = f.get(url)
        again = f.get(url, etag=first.etag, last_modified=first.last_modified)
    assert first.etag and again.not_modified and again.content == b""


def test_a_windows_1256_page_is_read_as_it_declares(site):
    from index.persian.fold import fold_chars

    # such pages write Arabic yeh and kaf and Latin digits (Windows-1256 has no Persian ی, ک or digits)
    html = article_html("صادرات تعاونی‌های گیلان", PARAGRAPHS, charset="windows-1256").translate(
        str.maketrans("یک۰۱۲۳۴۵۶۷۸۹", "يك0123456789"))
    by_header = site.page("/w1", html.encode("cp1256"), content_type="text/html; charset=windows-1256")
    by_meta = site.page("/w2", html.encode("cp1256"), content_type="text/html")
    with fetcher() as f:
        for url in (by_header, by_meta):
            doc = extract_article(f.get(url))
            assert fold_chars("صادرات تعاونی‌های استان") in fold_chars(doc.text)
            assert fold_chars("۳۴ میلیون دلار") in fold_chars(doc.text)


def test_the_article_comes_from_its_page_with_date_author_outlet_and_zwnj(site):
    url = site.page("/news/1403/03/12/gilan?utm_source=rss", article_html(
        "صادرات تعاونی‌های گیلان ۳۴ میلیون دلار شد", PARAGRAPHS, outlet="ایرنا", author="علی رضایی"))
    with fetcher() as f:
        doc = extract_article(f.get(url))
    assert doc.title == "صادرات تعاونی‌های گیلان ۳۴ میلیون دلار شد"          # the ZWNJ kept
    assert "تعاونی‌های استان در سال جاری به ۳۴ میلیون دلار" in doc.text
    assert "خانه | اقتصاد" not in doc.text and "حقوق" not in doc.text and not doc.text.startswith(doc.title)
    assert doc.date == "2024-06-01" and doc.author == "علی رضایی" and doc.outlet == "ایرنا"
    assert doc.url == canonical_url(url) and "utm_source" not in doc.url and doc.doc_id == doc_id_for(url)
    assert doc.doc_id.startswith("web/127.0.0.1/") and doc.source == doc.url


def test_the_date_comes_from_the_page_then_the_listing_then_the_url(site):
    undated = article_html("خبر", PARAGRAPHS, published=None)
    url = site.page("/news/1403/03/12/x", undated)
    with fetcher() as f:
        page = f.get(url)
    assert extract_article(page, listed_date="2024-05-30").date == "2024-05-30"
    assert extract_article(page).date == "2024-06-01" == url_date(url)          # ۱۲ خرداد ۱۴۰۳
    assert url_date("http://x.ir/2023/12/31/a") == "2023-12-31" and url_date("http://x.ir/a/b") is None


def test_a_page_without_article_text_is_refused(site):
    url = site.page("/empty", "<html><body><nav>خانه</nav></body></html>")
    with fetcher() as f, pytest.raises(FetchError, match="no article text"):
        extract_article(f.get(url))


def test_feeds_and_sitemaps_list_their_articles(site):
    feed = site.page("/rss", rss([("یک", site.url + "/1", "Sat, 01 Jun 2024 08:00:00 +0330"),
                                   ("دو", site.url + "/2", None)]), content_type="application/rss+xml")
    atom = site.page("/atom", '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                              '<title>خبر</title><entry><title>سه</title><link href="' + site.url + '/3"/>'
                              "<updated>2024-06-02T10:00:00Z</updated></entry></feed>",
                     content_type="application/atom+xml")
    news = site.page("/news.xml", sitemap([(site.url + "/4", "2024-06-03T09:00:00+03:30")], news=True),
                     content_type="application/xml")
    index = site.page("/index.xml", '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                                    f'sitemap/0.9"><sitemap><loc>{news}</loc></sitemap></sitemapindex>',
                      content_type="application/xml")
    with fetcher() as f:
        rss_links = read_listing(f.get(feed))
        atom_links = read_listing(f.get(atom))
        news_links = read_listing(f.get(news))
        nested = read_listing(f.get(index))
    assert rss_links.kind == "feed" and [(x.url, x.date) for x in rss_links.links] == [
        (site.url + "/1", "2024-06-01"), (site.url + "/2", None)]                # an item without a date
    assert [(x.url, x.date) for x in atom_links.links] == [(site.url + "/3", "2024-06-02")]
    assert news_links.kind == "sitemap" and news_links.links[0].date == "2024-06-03"
    assert news_links.links[0].stamp == "2024-06-03T09:00:00+03:30"
    assert nested.sitemaps == [news] and nested.links == []


@pytest.mark.parametrize("body", [b"<rss><channel><item><title>broken", b"\x00\x01 not xml at all",
                                  b'<?xml version="1.0"?><urlset><url><loc>x</loc></url'])
def test_a_broken_listing_is_named(site, body):
    url = site.page("/bad", body, content_type="application/xml")
    with fetcher() as f, pytest.raises(FetchError, match=f"{url}: "):
        read_listing(f.get(url))


def test_canonical_urls_give_one_id_per_article():
    same = ["http://WWW.Irna.ir:80/news/1?utm_source=x&id=5#top", "http://www.irna.ir/news/1?id=5"]
    assert canonical_url(same[0]) == canonical_url(same[1]) == "http://www.irna.ir/news/1?id=5"
    assert doc_id_for(same[0]) == doc_id_for(same[1]) != doc_id_for("http://www.irna.ir/news/2?id=5")
