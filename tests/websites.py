"""A real local HTTP server that serves the pages a test writes: feeds, sitemaps, articles, robots.txt, and the
broken ones (404/500, a redirect loop, a slow answer, a huge body). ETag / Last-Modified / If-None-Match are
honoured like a real site, and every request is logged, so a test sees what a sync transferred."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0            # seconds before answering (a slow server)
    stream_bytes: int = 0         # instead of body: this many bytes, sent in pieces with no Content-Length
    validators: bool = True       # send an ETag and Last-Modified, answer 304 when they still hold


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[tuple[str, int]] = []   # (path, status) of every request
        self.asked: dict[str, threading.Event] = {}   # path → set when it is first requested
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    def __enter__(self) -> "Site":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def page(self, path: str, body: str | bytes, **kwargs) -> str:
        self.routes[path] = Route(body.encode("utf-8") if isinstance(body, str) else body, **kwargs)
        return self.url + path

    def requested(self, path: str) -> threading.Event:
        """An event set when ``path`` is first requested (to act at that moment, without sleeping)."""
        return self.asked.setdefault(path, threading.Event())

    def requests_to(self, path: str) -> int:
        return sum(1 for p, _ in self.log if p == path)

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:   # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path
                site.asked.setdefault(path, threading.Event()).set()
                route = site.routes.get(path) or site.routes.get(path.split("?", 1)[0])
                if route is None:
                    return self._send(path, 404, b"not found", "text/plain")
                if route.delay:
                    time.sleep(route.delay)   # the slow server the test asks for
                if route.stream_bytes:
                    site.log.append((path, 200))
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    piece = b"x" * 65536
                    try:
                        for _ in range(route.stream_bytes // len(piece)):
                            self.wfile.write(piece)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                headers = dict(route.headers)
                if route.validators and route.status == 200:
                    etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                    headers.setdefault("ETag", etag)
                    headers.setdefault("Last-Modified", "Sat, 01 Jun 2024 10:00:00 GMT")
                    if self.headers.get("If-None-Match") == etag:
                        return self._send(path, 304, b"", None, headers)
                self._send(path, route.status, route.body, route.content_type, headers)

            def _send(self, path, status, body, content_type, headers=None) -> None:
                site.log.append((path, status))
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass

        return Handler


def article_html(title: str, paragraphs: list[str], *, outlet: str = "ایرنا", author: str | None = None,
                 published: str | None = "2024-06-01T10:00:00+03:30", charset: str = "utf-8",
                 canonical: str | None = None) -> str:
    meta = [f'<meta charset="{charset}">', f"<title>{title} - {outlet}</title>",
            f'<meta property="og:site_name" content="{outlet}">']
    if author:
        meta.append(f'<meta name="author" content="{author}">')
    if published:
        meta.append(f'<meta property="article:published_time" content="{published}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{canonical}">')
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="fa" dir="rtl"><head>{"".join(meta)}</head><body>'
            f"<nav>خانه | اقتصاد | ورزش | فرهنگ</nav><article><h1>{title}</h1>{body}</article>"
            f"<footer>تمامی حقوق این سایت محفوظ است</footer></body></html>")


def rss(items: list[tuple[str, str, str | None]]) -> str:
    """An RSS 2.0 feed of (title, link, pubDate or None)."""
    entries = "".join(f"<item><title>{t}</title><link>{link}</link>"
                      + (f"<pubDate>{d}</pubDate>" if d else "") + "<description>خلاصه</description></item>"
                      for t, link, d in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>خبرها</title>'
            f"<link>http://example.ir/</link><description>تعاونی</description>{entries}</channel></rss>")


def sitemap(urls: list[tuple[str, str | None]], *, news: bool = False) -> str:
    """A sitemap of (loc, lastmod or publication date); ``news``: as a news sitemap."""
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    out = []
    for loc, stamp in urls:
        if news:
            extra = (f"<news:news><news:publication><news:name>ایرنا</news:name><news:language>fa</news:language>"
                     f"</news:publication><news:publication_date>{stamp}</news:publication_date>"
                     f"<news:title>خبر</news:title></news:news>") if stamp else ""
        else:
            extra = f"<lastmod>{stamp}</lastmod>" if stamp else ""
        out.append(f"<url><loc>{loc}</loc>{extra}</url>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>'
            + "".join(out) + "</urlset>")
