"""What a sync costs beside ingesting the same articles from files (issue 21's target: at most 10% more), and
what a second sync with nothing new transfers.

200 real articles of ../shared/news are written as .txt files and served as HTML pages with an RSS feed by a local
HTTP server. One fresh index ingests the files; another syncs the feed (fetch, robots.txt, trafilatura, ingest).
Both embed the same texts with the bundled model, so the difference is what the sync adds.

    .venv/bin/python bench/sync_cost.py [--articles 200]
"""

from __future__ import annotations

import argparse
import html
import shutil
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

NEWS = REPO.parent / "shared" / "news" / "articles"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def write_site(root: Path, files: list[Path], base: str) -> None:
    items = []
    for i, f in enumerate(files):
        lines = [x for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
        title, body = (lines[0], lines[1:]) if len(lines) > 1 else (f.stem, lines)
        page = (f'<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>{html.escape(title)}'
                f'</title><meta property="og:site_name" content="ایرنا"><meta property="article:published_time" '
                f'content="2024-06-{1 + i % 28:02d}T10:00:00Z"></head><body><nav>خانه | اقتصاد</nav><article>'
                f"<h1>{html.escape(title)}</h1>" + "".join(f"<p>{html.escape(x)}</p>" for x in body)
                + "</article><footer>حقوق محفوظ است</footer></body></html>")
        (root / "news").mkdir(exist_ok=True)
        (root / "news" / f"{f.stem}.html").write_text(page, encoding="utf-8")
        items.append(f"<item><title>{html.escape(title)}</title><link>{base}/news/{f.stem}.html</link></item>")
    (root / "rss.xml").write_text('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>خبر'
                                  f"</title>{''.join(items)}</channel></rss>", encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=200)
    args = p.parse_args()
    from assistant.build import build_assistant
    from assistant.settings import Settings

    files = sorted(NEWS.glob("*.txt"))[:args.articles]
    work = Path(tempfile.mkdtemp(prefix="sync-cost-"))
    try:
        site, folder = work / "site", work / "files"
        site.mkdir()
        folder.mkdir()
        for f in files:
            shutil.copy(f, folder / f.name)
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
        base = f"http://127.0.0.1:{server.server_address[1]}"
        write_site(site, files, base)
        threading.Thread(target=server.serve_forever, daemon=True).start()

        a = build_assistant(Settings(data_dir=work / "by-files"))
        a.warm_up()                                    # the model's load is not what is compared
        t = time.perf_counter()
        a.ingest([folder])
        by_files = time.perf_counter() - t
        a.close()

        b = build_assistant(Settings(data_dir=work / "by-sync", sync_allow_private=True, sync_host_interval=0.0))
        b.warm_up()
        b.sources().add(base + "/rss.xml", name="bench")
        t = time.perf_counter()
        first = b.sync()
        by_sync = time.perf_counter() - t
        second = b.sync()
        b.close()
        server.shutdown()
        run = first.runs[0]
        print(f"{len(files)} articles: ingest of the files {by_files:.1f} s, sync {by_sync:.1f} s "
              f"({by_sync / by_files:.2f}x; {run.new} new, {run.failed} failed, {first.requests} requests)")
        again = second.runs[0]
        print(f"second sync: {second.requests} requests, {second.bytes_read} bytes, not modified: {again.not_modified}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
