"""An article page → a :class:`~index.load.Document`: the main text, title, date, author and outlet from the page
itself (``trafilatura``), not from a feed's summary.

The date is the page's (its metadata, as trafilatura reads it), else the feed's or sitemap's, else one in the URL
(``/1403/03/12/``, ``/2024/06/01/``). The outlet is the page's site name, else the host.

trafilatura drops every character it does not print, and with it the ZWNJ (U+200C) of Persian words
(«تعاونی‌های» would come back «تعاونیهای»). The page's ZWNJs are swapped for a printable mark the page does not
hold before extraction and put back after.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from index.load import Document, clean_text, make_title
from index.sources.fetch import FetchError, Page
from index.sources.links import canonical_url, doc_id_for

MIN_CHARS = 80                                   # less main text than this is not an article
_MARKS = ("\u2042", "\u2051", "\u2e4e", "\u2bd1")  # printable, and not found in Persian news
_URL_DATE = re.compile(r"(?<!\d)(1[34]\d\d|20\d\d|19\d\d)[/-](\d{1,2})[/-](\d{1,2})(?!\d)")


def url_date(url: str) -> str | None:
    """A date written in ``url``'s path (Jalali 13xx/14xx or Gregorian), as ISO Gregorian."""
    m = _URL_DATE.search(urlsplit(url).path)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    try:
        if year < 1600:
            import jdatetime

            return jdatetime.date(year, month, day).togregorian().isoformat()
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def extract_article(page: Page, *, listed_date: str | None = None, listed_title: str | None = None) -> Document:
    """The article in ``page`` as a document with its url, outlet, author and date; a page with no article
    text is a :class:`FetchError`."""
    import trafilatura

    html = page.text()
    mark = next((m for m in _MARKS if m not in html), None)
    found = trafilatura.bare_extraction(html.replace("\u200c", mark) if mark else html, url=page.final_url,
                                        with_metadata=True, include_comments=False, favor_precision=True)
    if found is None or len((found.text or "").strip()) < MIN_CHARS:
        raise FetchError(f"{page.final_url[:200]}: no article text found on the page")

    def restore(value: str | None) -> str:
        value = value or ""
        return value.replace(mark, "\u200c") if mark else value

    text = clean_text(restore(found.text))
    title = clean_text(restore(found.title) or listed_title or "").replace("\n", " ")
    if title and text.startswith(title):   # trafilatura repeats the heading as the first line
        text = text[len(title):].lstrip("\n")
    url = canonical_url(found.url if found.url and _same_site(found.url, page.final_url) else page.final_url)
    published = _iso(found.date) or _iso(listed_date) or url_date(page.final_url)
    outlet = clean_text(restore(found.sitename)) or (urlsplit(url).hostname or "").removeprefix("www.")
    return Document(doc_id=doc_id_for(url), title=title or make_title(text), source=url, text=text, date=published,
                    url=url, outlet=outlet or None, author=clean_text(restore(found.author)) or None)


def _same_site(a: str, b: str) -> bool:
    host = lambda u: (urlsplit(u).hostname or "").removeprefix("www.")  # noqa: E731
    return host(a) == host(b)


def _iso(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


__all__ = ["extract_article", "url_date"]
