"""What a source lists: the article links of an RSS/Atom feed (``feedparser``) or a sitemap (news sitemaps
included: ``news:publication_date``, ``lastmod``), and a URL's canonical form (the article's stable id)."""

from __future__ import annotations

import hashlib
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from index.load import WEB_PREFIX
from index.sources.fetch import FetchError, Page

_TRACKING = ("utm_", "fbclid", "gclid", "yclid", "mc_", "_ga", "ref_src")


@dataclass(frozen=True)
class Link:
    """An article a feed or sitemap lists: its URL, and its date and title when the listing gives them."""

    url: str
    date: str | None = None     # ISO yyyy-mm-dd
    title: str | None = None
    stamp: str | None = None    # the listing's date and time as written (lastmod, updated): a change is an edit


@dataclass
class Listing:
    kind: str                                   # "feed", "sitemap" or "page" (a single article)
    links: list[Link] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)   # a sitemap index's sitemaps


def canonical_url(url: str) -> str:
    """``url`` without its fragment, tracking parameters, default port and letter case in scheme and host."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port in (None, 80 if parts.scheme == "http" else 443) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith(_TRACKING)])
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def doc_id_for(url: str) -> str:
    """The stable id of the article at ``url``: ``web/<host>/<16 hex of the canonical URL>``."""
    canonical = canonical_url(url)
    host = urlsplit(canonical).hostname or "site"
    return f"{WEB_PREFIX}{host.removeprefix('www.')}/{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:16]}"


def read_listing(page: Page) -> Listing:
    """The links of the feed or sitemap in ``page``; an HTML page is a single article (``kind="page"``).
    A body that is none of these is a :class:`FetchError` naming the URL."""
    head = page.content[:2048].lstrip().lower()
    if b"<urlset" in page.content[:4096].lower() or b"<sitemapindex" in page.content[:4096].lower():
        return _sitemap(page)
    if "html" in page.content_type or head.startswith((b"<!doctype html", b"<html")):
        return Listing("page", [Link(page.final_url)])
    return _feed(page)


def _feed(page: Page) -> Listing:
    import feedparser

    parsed = feedparser.parse(page.content, response_headers={"content-type": page.content_type +
                                                              (f"; charset={page.charset}" if page.charset else ""),
                                                              "content-location": page.final_url})
    links = []
    for entry in parsed.entries:
        url = entry.get("link")
        if not url:
            continue
        raw = lambda key: dict.get(entry, key)   # noqa: E731 — feedparser's own get maps updated→published, warning
        parsed_date = raw("published_parsed") or raw("updated_parsed")
        links.append(Link(url, time.strftime("%Y-%m-%d", parsed_date) if parsed_date else None,
                          raw("title") or None, raw("updated") or raw("published") or None))
    if not links and (parsed.bozo or not parsed.get("version")):   # broken, or not a feed: nothing to follow
        why = getattr(parsed, "bozo_exception", None)
        raise FetchError(f"{page.final_url[:200]}: not an RSS/Atom feed, a sitemap or an HTML page"
                         + (f" ({type(why).__name__}: {str(why)[:120]})" if why else ""))
    return Listing("feed", links)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _iso_date(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return None


def _sitemap(page: Page) -> Listing:
    try:
        root = ET.fromstring(page.content)
    except ET.ParseError as exc:
        raise FetchError(f"{page.final_url[:200]}: the sitemap is not well-formed XML ({exc})") from None
    if _local(root.tag) == "sitemapindex":
        return Listing("sitemap", sitemaps=[loc.text.strip() for loc in root.iter() if _local(loc.tag) == "loc"
                                            and loc.text and loc.text.strip()])
    links = []
    for url in root:
        if _local(url.tag) != "url":
            continue
        values = {_local(e.tag): (e.text or "").strip() for e in url.iter()}
        if values.get("loc"):
            written = values.get("lastmod") or values.get("publication_date") or None
            links.append(Link(values["loc"], _iso_date(values.get("publication_date") or values.get("lastmod")),
                              values.get("title") or None, written))
    return Listing("sitemap", links)


__all__ = ["Link", "Listing", "canonical_url", "doc_id_for", "read_listing"]
