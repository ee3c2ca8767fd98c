"""Fetching feeds and pages politely and safely.

:class:`Fetcher` gets one URL at a time with httpx and:

* only ``http``/``https``; a host that resolves to a private, loopback, link-local or reserved address is
  refused unless ``allow_private`` (``ASSISTANT_SYNC_ALLOW_PRIVATE=1``: an intranet's feeds, the tests);
* redirects followed by hand, at most ``max_redirects``, each hop checked as the first;
* robots.txt read once per site (``urllib.robotparser``, fetched with the same rules; a missing one allows);
* one request per host every ``min_interval`` seconds;
* conditional GET: ``If-None-Match`` / ``If-Modified-Since`` from the last fetch, a 304 is :attr:`Page.not_modified`;
* a timeout and a size cap: a body over ``max_bytes`` is stopped and refused, not read;
* text decoded as the page declares it (HTTP ``charset``, then ``<meta charset>`` or the XML declaration;
  Windows-1256 pages exist), else as ``index/load.decode_bytes`` guesses.

Every refusal is a :class:`FetchError` naming the URL and why; the caller skips that source or page.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
import urllib.robotparser
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import httpx

from index.errors import AssistantError, Failure

USER_AGENT = "taavon-assistant/0.1 (news archive sync; +https://github.com/)"
REDIRECTS = (301, 302, 303, 307, 308)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-.]+)["']""")


class FetchError(AssistantError):
    """A URL that could not be fetched, or was refused (the message names it and why)."""

    failure = Failure.UNAVAILABLE


@dataclass(frozen=True)
class Page:
    url: str                    # as asked
    final_url: str              # after redirects
    status: int
    content: bytes
    content_type: str = ""
    charset: str | None = None  # as the HTTP header declares it
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body as text, in the encoding the page declares, else the one it looks like."""
        for declared in (self.charset, _declared(self.content)):
            if declared:
                try:
                    return self.content.decode(_codec(declared))
                except (LookupError, UnicodeDecodeError):
                    continue
        from index.load import decode_bytes

        return decode_bytes(self.content)[0]


@dataclass(frozen=True)
class _Reply:
    status_code: int
    headers: httpx.Headers
    content: bytes


def _declared(content: bytes) -> str | None:
    head = content[:4096]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def _codec(name: str) -> str:
    name = name.strip().lower()
    return {"windows-1256": "cp1256", "x-cp1256": "cp1256", "utf8": "utf-8"}.get(name, name)


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


class Fetcher:
    """One HTTP client for a sync run (see the module's docstring). Thread-safe."""

    def __init__(self, *, allow_private: bool = False, timeout: float = 15.0, max_bytes: int = 10_000_000,
                 max_redirects: int = 5, min_interval: float = 1.0, robots: bool = True,
                 user_agent: str = USER_AGENT) -> None:
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.min_interval = min_interval
        self.robots = robots
        self.user_agent = user_agent
        self.requests = 0           # HTTP requests made (robots.txt included)
        self.bytes_read = 0
        self._client = httpx.Client(follow_redirects=False, timeout=httpx.Timeout(timeout), trust_env=False,
                                    headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}
        self._rules: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---------------------------------------------------------------------------------------- public
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Page:
        """``url``'s body (or a 304 :class:`Page` when ``etag``/``last_modified`` still hold)."""
        asked, current = url, url
        conditional = {k: v for k, v in (("If-None-Match", etag), ("If-Modified-Since", last_modified)) if v}
        for _hop in range(self.max_redirects + 1):
            self._check(current)
            if self.robots and not self._robots_allow(current):
                raise FetchError(f"{current}: robots.txt does not allow {self.user_agent.split('/')[0]} to read it")
            response = self._request(current, conditional)
            if response.status_code in REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"{current}: HTTP {response.status_code} without a Location header")
                current = urljoin(current, location)
                continue
            return self._page(asked, current, response)
        raise FetchError(f"{asked}: more than {self.max_redirects} redirects (a redirect loop?)")

    # ---------------------------------------------------------------------------------------- checks
    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"{url[:200]}: only http and https URLs are fetched, not {parts.scheme or 'a bare path'!r}")
        if not parts.hostname:
            raise FetchError(f"{url[:200]}: the URL has no host")
        if self.allow_private:
            return
        try:
            infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"{url[:200]}: the host {parts.hostname!r} does not resolve ({exc})") from None
        for info in infos:
            if _refused_address(info[4][0]):
                raise FetchError(
                    f"{url[:200]}: {parts.hostname} is a private or local address ({info[4][0]}); set "
                    f"ASSISTANT_SYNC_ALLOW_PRIVATE=1 to follow feeds on the intranet")

    def _robots_allow(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            known = origin in self._rules
        if not known:
            rules: urllib.robotparser.RobotFileParser | None = None
            try:
                response = self._request(origin + "/robots.txt", {}, limit=500_000)
                if response.status_code == 200:
                    rules = urllib.robotparser.RobotFileParser()
                    rules.parse(response.content.decode("utf-8", "replace").splitlines())
                elif response.status_code in (401, 403):
                    rules = urllib.robotparser.RobotFileParser()
                    rules.disallow_all = True
            except FetchError:
                rules = None   # robots.txt unreachable: the page itself decides
            with self._lock:
                self._rules[origin] = rules
        rules = self._rules[origin]
        return rules is None or rules.can_fetch(self.user_agent.split("/")[0], url)

    # ---------------------------------------------------------------------------------------- HTTP
    def _wait_turn(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot.get(host, 0.0))
            self._next_slot[host] = slot + self.min_interval
        if slot > now:
            time.sleep(slot - now)   # the host's rate limit, not a wait for a result

    def _request(self, url: str, headers: dict, *, limit: int | None = None) -> "_Reply":
        limit = limit or self.max_bytes
        self._wait_turn(urlsplit(url).netloc.lower())
        self.requests += 1
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise FetchError(f"{url[:200]}: the body is {int(declared):,} bytes; the limit is {limit:,} "
                                     f"(ASSISTANT_SYNC_MAX_BYTES)")
                body = bytearray()
                for piece in response.iter_bytes():
                    body += piece
                    if len(body) > limit:
                        raise FetchError(f"{url[:200]}: the body is over the limit of {limit:,} bytes "
                                         f"(ASSISTANT_SYNC_MAX_BYTES)")
                self.bytes_read += len(body)
                return _Reply(response.status_code, response.headers, bytes(body))
        except httpx.TimeoutException:
            raise FetchError(f"{url[:200]}: no answer within the timeout") from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{url[:200]}: {type(exc).__name__}: {exc}") from None

    def _page(self, asked: str, final: str, response: "_Reply") -> Page:
        status = response.status_code
        if status != 304 and not 200 <= status < 300:
            raise FetchError(f"{final[:200]}: HTTP {status}")
        content_type = response.headers.get("content-type", "")
        message = Message()
        message["content-type"] = content_type
        charset = message.get_param("charset") if content_type else None
        return Page(url=asked, final_url=final, status=status, content=response.content if status != 304 else b"",
                    content_type=content_type.split(";", 1)[0].strip().lower(),
                    charset=str(charset) if charset else None, etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"))


__all__ = ["FetchError", "Fetcher", "Page", "USER_AGENT"]
