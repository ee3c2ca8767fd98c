"""The sources an archive follows and what each sync learnt, in ``<data_dir>/sources.sqlite3``.

``sources``: a name, the URL (a feed, a sitemap or one article page), how often the server syncs it, and the last
run: when, new / updated / unchanged / failed counts, the last error, and the listing's ETag and Last-Modified
(sent back as a conditional GET next time). ``articles``: every article URL a sync brought in, its doc_id and
the date its listing gave, so a second sync fetches only what is new or re-dated.

The listing's validators are written only after every article it lists went in: a sync killed half-way sends
an unconditional GET next time and picks up what it had not reached (articles already in are unchanged).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from index.db import connect
from index.errors import AssistantError, Failure

FILE = "sources.sqlite3"
DEFAULT_EVERY = 3600
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    every_seconds INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    last_run TEXT, last_ok TEXT,
    new INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,
    last_error TEXT, etag TEXT, last_modified TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    listed_date TEXT,
    fetched_at TEXT NOT NULL
);
"""
_EVERY = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")


class SourceError(AssistantError, ValueError):
    """A source that cannot be added or found (the message says which and why)."""

    failure = Failure.INVALID


class UnknownSource(SourceError):
    """No source has that name or URL."""

    failure = Failure.NOT_FOUND


def parse_every(text: str) -> int:
    """``30m``, ``2h``, ``1d``, ``90s`` or seconds → seconds (at least 60)."""
    m = _EVERY.match(text or "")
    if not m:
        raise SourceError(f"--every {text!r} is not a duration: write 30m, 2h, 1d or a number of seconds")
    seconds = int(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    if seconds < 60:
        raise SourceError(f"--every {text!r} is under a minute: sources are synced at most once a minute")
    return seconds


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    every_seconds: int
    added_at: str
    last_run: str | None = None
    last_ok: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    last_error: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    def due(self, now: datetime) -> bool:
        if self.last_run is None:
            return True
        return (now - datetime.fromisoformat(self.last_run)).total_seconds() >= self.every_seconds


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SourceRegistry:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE
        self._db = connect(self.path, _SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    # ----------------------------------------------------------------------------------- the sources
    def add(self, url: str, *, name: str | None = None, every_seconds: int = DEFAULT_EVERY) -> Source:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(f"{url!r} is not an http(s) URL: give a feed, a sitemap or an article page, "
                              "e.g. https://www.irna.ir/rss")
        name = (name or parts.hostname.removeprefix("www.")).strip()
        if not re.fullmatch(r"[\w.\-]{1,80}", name):
            raise SourceError(f"source name {name!r}: use letters, digits, '.', '-' or '_' (at most 80)")
        with self._lock:
            if self._db.execute("SELECT 1 FROM sources WHERE url = ?", (url.strip(),)).fetchone():
                raise SourceError(f"{url} is already a source (assistant sources list)")
            base, n = name, 2
            while self._db.execute("SELECT 1 FROM sources WHERE name = ?", (name,)).fetchone():
                name, n = f"{base}-{n}", n + 1
            self._db.execute("INSERT INTO sources(name, url, every_seconds, added_at) VALUES (?, ?, ?, ?)",
                             (name, url.strip(), every_seconds, _now()))
        return self.get(name)

    def remove(self, name: str) -> Source:
        source = self.get(name)
        with self._lock:
            self._db.execute("DELETE FROM sources WHERE name = ?", (source.name,))
        return source

    def get(self, name: str) -> Source:
        with self._lock:
            row = self._db.execute("SELECT * FROM sources WHERE name = ? OR url = ?", (name, name)).fetchone()
        if row is None:
            known = ", ".join(s.name for s in self.sources()) or "none yet: assistant sources add URL"
            raise UnknownSource(f"no source named {name!r} (the sources: {known})")
        return Source(*row)

    def sources(self) -> list[Source]:
        with self._lock:
            return [Source(*row) for row in self._db.execute("SELECT * FROM sources ORDER BY name")]

    def finish(self, name: str, *, new: int, updated: int, unchanged: int, failed: int, error: str | None,
               etag: str | None = None, last_modified: str | None = None, keep_validators: bool = False) -> None:
        """Record a run; the listing's validators only when it was read to the end (``keep_validators``:
        a 304, whose validators still hold)."""
        now = _now()
        with self._lock:
            if keep_validators:
                self._db.execute("UPDATE sources SET last_run = ?, last_ok = ?, new = 0, updated = 0, unchanged = ?, "
                                 "failed = 0, last_error = NULL WHERE name = ?", (now, now, unchanged, name))
                return
            self._db.execute(
                "UPDATE sources SET last_run = ?, last_ok = CASE WHEN ? IS NULL THEN ? ELSE last_ok END, new = ?, "
                "updated = ?, unchanged = ?, failed = ?, last_error = ?, etag = ?, last_modified = ? WHERE name = ?",
                (now, error, now, new, updated, unchanged, failed, error, etag if error is None else None,
                 last_modified if error is None else None, name))

    # ---------------------------------------------------------------------------------- the articles
    def known(self, urls: list[str]) -> dict[str, tuple[str, str | None]]:
        """For the URLs a sync brought in before: ``url → (doc_id, the date its listing gave)``."""
        if not urls:
            return {}
        with self._lock:
            out = {}
            for i in range(0, len(urls), 500):
                part = urls[i:i + 500]
                marks = ",".join("?" * len(part))
                out.update({u: (d, ld) for u, d, ld in self._db.execute(
                    f"SELECT url, doc_id, listed_date FROM articles WHERE url IN ({marks})", part)})
            return out

    def remember(self, source: str, articles: list[tuple[str, str, str | None]]) -> None:
        """``(url, doc_id, listed date)`` of articles now in the index."""
        now = _now()
        with self._lock:
            self._db.executemany(
                "INSERT INTO articles(url, source, doc_id, listed_date, fetched_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET doc_id = excluded.doc_id, listed_date = excluded.listed_date, "
                "fetched_at = excluded.fetched_at", [(u, source, d, ld, now) for u, d, ld in articles])


__all__ = ["Source", "SourceError", "SourceRegistry", "UnknownSource", "parse_every", "DEFAULT_EVERY"]
