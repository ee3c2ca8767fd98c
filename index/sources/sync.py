"""One sync: every source (or the named ones) read, and the articles that are new or re-dated fetched, read
from their own pages and ingested.

For each source: a conditional GET of its listing (a 304 ends it: nothing else is transferred); a sitemap index
is followed one level (at most ``MAX_SITEMAPS``); the listed articles that were never brought in, or whose listing
gives another date than last time, are fetched and extracted (``extract.py``) and ingested ``batch`` at a time
(each batch is one ingest: crash-safe as ingest is). A page that fails is named and skipped; a source that fails
is named and the others go on. The listing's validators are kept only once all its articles are in.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from index.load import Document
from index.sources.extract import extract_article
from index.sources.fetch import Fetcher, FetchError
from index.sources.links import Link, canonical_url, read_listing
from index.sources.registry import Source, SourceRegistry

log = logging.getLogger(__name__)

MAX_SITEMAPS = 50
MAX_ARTICLES_PER_RUN = 2000


@dataclass
class SourceRun:
    name: str
    url: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    not_modified: bool = False
    error: str | None = None                          # the source itself failed
    failures: list[str] = field(default_factory=list)  # pages that failed, each "url: why"
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("name", "url", "new", "updated", "unchanged", "failed", "not_modified",
                                              "error", "failures", "seconds")}


@dataclass
class SyncReport:
    runs: list[SourceRun] = field(default_factory=list)
    requests: int = 0
    bytes_read: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return any(r.error or r.failed for r in self.runs)

    def as_dict(self) -> dict:
        return {"sources": [r.as_dict() for r in self.runs], "requests": self.requests, "bytes_read": self.bytes_read,
                "seconds": round(self.seconds, 2)}


Ingest = Callable[[list[Document]], object]   # documents → an IngestReport (added, updated, unchanged)


def sync(registry: SourceRegistry, fetcher: Fetcher, ingest: Ingest, names: list[str] | None = None, *,
         batch: int = 25, progress: Callable[[str, int, int], None] | None = None) -> SyncReport:
    """Sync the sources ``names`` (all when None); ``ingest(documents)`` puts a batch into the index."""
    started = time.perf_counter()
    report = SyncReport()
    sources = [registry.get(n) for n in names] if names else registry.sources()
    for source in sources:
        run = _sync_source(source, registry, fetcher, ingest, batch, progress)
        report.runs.append(run)
        log.info("sync %s: %d new, %d updated, %d unchanged, %d failed%s", run.name, run.new, run.updated,
                 run.unchanged, run.failed, f" ({run.error})" if run.error else "")
    report.requests, report.bytes_read = fetcher.requests, fetcher.bytes_read
    report.seconds = time.perf_counter() - started
    return report


def _sync_source(source: Source, registry: SourceRegistry, fetcher: Fetcher, ingest: Ingest, batch: int,
                 progress) -> SourceRun:
    t = time.perf_counter()
    run = SourceRun(source.name, source.url)
    page = None
    try:
        page = fetcher.get(source.url, etag=source.etag, last_modified=source.last_modified)
        if page.not_modified:
            run.not_modified = True
            registry.finish(source.name, new=0, updated=0, unchanged=0, failed=0, error=None, keep_validators=True)
            return run
        listing = read_listing(page)
        links = list(listing.links)
        for sitemap in listing.sitemaps[:MAX_SITEMAPS]:
            try:
                links += read_listing(fetcher.get(sitemap)).links
            except FetchError as exc:
                run.failed += 1
                run.failures.append(str(exc))
        todo = _todo(links, registry, run)
        pages = {page.final_url: page} if listing.kind == "page" else {}
        for i in range(0, len(todo), batch):
            part = todo[i:i + batch]
            documents, fetched = [], []
            for link in part:
                try:
                    article = pages.get(link.url) or fetcher.get(link.url)
                    doc = extract_article(article, listed_date=link.date, listed_title=link.title)
                except FetchError as exc:
                    run.failed += 1
                    run.failures.append(str(exc))
                    continue
                documents.append(doc)
                fetched.append((canonical_url(link.url), doc.doc_id, link.stamp))
            if documents:
                result = ingest(documents)
                run.new += len(result.added)
                run.updated += len(result.updated)
                run.unchanged += len(result.unchanged)
                for skipped in result.skipped:
                    run.failed += 1
                    run.failures.append(f"{skipped.source}: {skipped.reason}")
                registry.remember(source.name, fetched)
            if progress is not None:
                progress(source.name, min(i + batch, len(todo)), len(todo))
    except FetchError as exc:
        run.error = str(exc)
    run.seconds = round(time.perf_counter() - t, 2)
    registry.finish(source.name, new=run.new, updated=run.updated, unchanged=run.unchanged, failed=run.failed,
                    error=run.error, etag=page.etag if page is not None else None,
                    last_modified=page.last_modified if page is not None else None)
    return run


def _todo(links: list[Link], registry: SourceRegistry, run: SourceRun) -> list[Link]:
    """The links never brought in, or listed with another date or time than last time (an edit), each once."""
    unique: dict[str, Link] = {}
    for link in links:
        unique.setdefault(canonical_url(link.url), link)
    known = registry.known(list(unique))
    todo = []
    for url, link in unique.items():
        seen = known.get(url)
        if seen is None or (link.stamp is not None and link.stamp != seen[1]):
            todo.append(link)
        else:
            run.unchanged += 1
    return todo[:MAX_ARTICLES_PER_RUN]


__all__ = ["SourceRun", "SyncReport", "sync"]
