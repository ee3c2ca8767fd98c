"""`assistant sources add|list|remove` and `assistant sync`: the feeds, sitemaps and pages an archive follows.

`sync` is one run (for cron, or `assistant serve` with ASSISTANT_SYNC_SCHEDULE=1 runs them when due): exit 0 when
everything went in, 3 when a source or a page failed (each is named; the rest went in), as `ingest` does for files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ui.failures import EXIT_OK, EXIT_PARTIAL


def add_parsers(sub: argparse._SubParsersAction) -> None:
    so = sub.add_parser("sources", help="the feeds, sitemaps and article pages `assistant sync` follows")
    ss = so.add_subparsers(dest="sources_command", required=True)
    add = ss.add_parser("add", help="follow an RSS/Atom feed, a sitemap (news sitemaps too) or one article page")
    add.add_argument("url", help="e.g. https://www.irna.ir/rss or https://example.ir/sitemap.xml")
    add.add_argument("--every", default="1h", help="how often `assistant serve` syncs it (30m, 2h, 1d; default 1h)")
    add.add_argument("--name", help="a short name (default: the host)")
    ls = ss.add_parser("list", help="the sources, with their last run")
    ls.add_argument("--json", action="store_true", help="print JSON")
    rm = ss.add_parser("remove", help="stop following a source (its articles stay in the index)")
    rm.add_argument("name", help="the source's name or URL")

    rf = sub.add_parser("refusals", help="what readers asked that the archive could not answer, grouped by likeness")
    rf.add_argument("--json", action="store_true", help="print JSON")
    rf.add_argument("--export", metavar="FILE", type=Path, help="write the groups as CSV (for a spreadsheet)")

    sy = sub.add_parser("sync", help="read the sources and ingest what is new or edited (one run)")
    sy.add_argument("names", nargs="*", help="only these sources (default: all)")
    sy.add_argument("--json", action="store_true", help="print the report as JSON")
    sy.add_argument("--quiet", action="store_true", help="no progress on the terminal")


def sources(assistant, args) -> int:
    from index.sources.registry import parse_every

    registry = assistant.sources()
    try:
        if args.sources_command == "add":
            source = registry.add(args.url, name=args.name, every_seconds=parse_every(args.every))
            print(f"added {source.name}: {source.url} (every {args.every}); run `assistant sync {source.name}`")
        elif args.sources_command == "remove":
            source = registry.remove(args.name)
            print(f"removed {source.name} ({source.url}); its articles stay in the index")
        else:
            listed = registry.sources()
            if args.json:
                print(json.dumps([vars(s) for s in listed], ensure_ascii=False, indent=2))
            elif not listed:
                print("no sources yet: assistant sources add URL")
            for s in listed if not args.json else []:
                last = (f"last run {s.last_run}: {s.new} new, {s.updated} updated, {s.unchanged} unchanged, "
                        f"{s.failed} failed" if s.last_run else "never synced")
                print(f"{s.name}  {s.url}  every {s.every_seconds // 60} min  {last}")
                if s.last_error:
                    print(f"    last error: {s.last_error}")
    finally:
        registry.close()
    return EXIT_OK


def refusals(assistant, args) -> int:
    from assistant.refusals import as_csv

    groups = assistant.refusals()
    if args.export:
        args.export.write_text(as_csv(groups), encoding="utf-8")
        print(f"wrote {len(groups)} groups to {args.export}")
    elif args.json:
        print(json.dumps([g.as_dict() for g in groups], ensure_ascii=False, indent=2))
    else:
        if not groups:
            print("no refused questions kept" + ("" if assistant.settings.record_refusals else
                                                  " (ASSISTANT_RECORD_REFUSALS is off)"))
        for g in groups:
            print(f"{g.count:>4}  {g.last_asked}  \u200f{g.question}")
    return EXIT_OK


def sync(assistant, args) -> int:
    def progress(name: str, done: int, total: int) -> None:
        print(f"\r{name}: {done}/{total} articles", end="" if done < total else "\n", file=sys.stderr)

    report = assistant.sync(args.names or None,
                            progress=progress if not args.quiet and sys.stderr.isatty() else None)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        if not report.runs:
            print("no sources yet: assistant sources add URL")
        for run in report.runs:
            if run.error:
                print(f"{run.name}: failed: {run.error}")
                continue
            state = "not modified" if run.not_modified else (f"{run.new} new, {run.updated} updated, "
                                                             f"{run.unchanged} unchanged, {run.failed} failed")
            print(f"{run.name}: {state} ({run.seconds:.1f} s)")
            for failure in run.failures:
                print(f"    skipped {failure}")
        print(f"{report.requests} requests, {report.bytes_read:,} bytes, {report.seconds:.1f} s")
    return EXIT_PARTIAL if report.failed else EXIT_OK
