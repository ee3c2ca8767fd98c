"""`assistant` command line: argument parsing and printing only; the work is done by `Assistant`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from assistant import wording
from ui import cli_sources
from ui.failures import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, outcome


def _parser() -> argparse.ArgumentParser:
    from index.facts import MEASURES  # a plain table: cheap to import
    p = argparse.ArgumentParser(prog="assistant", description="Persian Q&A over cooperative news, with sources.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="add or update articles in the index")
    ing.add_argument("paths", nargs="*", help="files or folders (.txt .md .html .jsonl .pdf .docx); default: the sample articles")
    ing.add_argument("--prune", action="store_true", help="remove documents whose files are no longer there")
    ing.add_argument("--rebuild", action="store_true", help="start the index over (e.g. after changing model)")
    ing.add_argument("--json", action="store_true", help="print the summary as JSON")
    ing.add_argument("--quiet", action="store_true", help="no progress bar")

    se = sub.add_parser("search", help="find the passages that match a question")
    se.add_argument("query", nargs="?", help="the question; without it, an interactive prompt")
    se.add_argument("-k", type=int, default=None, help="number of passages")
    se.add_argument("--json", action="store_true", help="print JSON")
    _filter_options(se)

    ak = sub.add_parser("ask", help="answer a question from the articles, with numbered sources")
    ak.add_argument("question", nargs="?", help="the question, in Persian (or English); without it, a chat prompt")
    ak.add_argument("--history", action="append", default=[], metavar="EARLIER_QUESTION",
                    help="an earlier question of the same chat (repeat, oldest first) for follow-ups")
    ak.add_argument("--json", action="store_true", help="print JSON")
    _filter_options(ak)

    ev = sub.add_parser("eval", help="score the chain on a JSONL question set")
    ev.add_argument("questions", type=Path, help='JSONL: {"id", "q", "doc_id", "answer", "kind", "history"?} per line')
    ev.add_argument("--json", action="store_true", help="print JSON (summary and per-question results)")

    sv = sub.add_parser("serve", help="the chat, the widget and the HTTP API in one server")
    sv.add_argument("--host", default=None, help="address to listen on (default: settings host, 127.0.0.1)")
    sv.add_argument("--port", type=int, default=None, help="port (default: settings port, 7860)")
    sv.add_argument("--no-ingest", action="store_true", help="do not ingest the sample articles into an empty index")

    sub.add_parser("mcp", help="the MCP server over stdio, for desktop assistants and agents (HTTP: serve, /mcp)")

    fa = sub.add_parser("facts", help="the amounts the articles state: subject, measure, value, period, quote")
    fa.add_argument("--province", help="only this province (Persian or English name), or «کشور» for the country")
    fa.add_argument("--measure", help="only this measure: " + ", ".join(sorted(MEASURES)))
    fa.add_argument("--json", action="store_true", help="print JSON records")

    fb = sub.add_parser("feedback", help="readers' ratings of answers (thumbs up/down, comments), newest first")
    fb.add_argument("--rating", choices=["up", "down"], help="only answers rated up, or only those rated down")
    fb.add_argument("--json", action="store_true", help="print JSON (every field, comments intact)")
    fb.add_argument("--export", metavar="FILE", type=Path,
                    help="write them as an `assistant eval` question set (JSONL), expected answers left to fill in")

    st = sub.add_parser("stats", help="what the index holds")
    st.add_argument("--json", action="store_true", help="print JSON")

    ch = sub.add_parser("check", help="whether the record, Chroma and the lexical index agree")
    ch.add_argument("--json", action="store_true", help="print JSON")
    cli_sources.add_parsers(sub)
    return p


def _filter_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", metavar="DAY", help="only articles from this day: 1403/03/12 or ۱۲ خرداد ۱۴۰۳")
    p.add_argument("--to", dest="date_to", metavar="DAY", help="only articles up to this day")
    p.add_argument("--outlet", help="only this outlet, e.g. ایرنا (a part of the name is enough)")


def _filters(args):
    from assistant.filters import Filters

    return Filters.of(args.date_from, args.date_to, args.outlet)   # a bad day: a FilterError, exit 2 (main)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    from assistant.build import build_assistant
    from assistant.settings import Settings

    try:
        settings = Settings.load()
    except Exception as exc:  # noqa: BLE001 (a SettingsError, or a settings file that is not there)
        if not isinstance(exc, FileNotFoundError) and not outcome(exc).expected:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    assistant = build_assistant(settings)
    try:
        return _COMMANDS[args.command](assistant, args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 (typed errors become one line; others too, with -v the trace)
        result = outcome(exc)   # the exit code by ui/failures.py: a refused question or file 2, else 1
        message = result.message
        if not result.expected:
            logging.getLogger("assistant").debug("unexpected error", exc_info=True)
            if args.verbose:
                raise
            message = f"{type(exc).__name__}: {exc}"
        print(f"error: {message}", file=sys.stderr)
        return result.reply.exit_code
    finally:
        assistant.close()


def _ingest(assistant, args) -> int:
    paths = [Path(p) for p in args.paths] or None
    report = assistant.ingest(paths, prune=args.prune, rebuild=args.rebuild,
                              progress=not args.quiet and sys.stderr.isatty())
    summary = report.as_dict()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"documents: {summary['added']} added, {summary['updated']} updated, "
              f"{summary['unchanged']} unchanged, {summary['removed']} removed, {len(report.skipped)} skipped")
        print(f"chunks: {report.chunks_written} written ({report.chunks_embedded} embedded, "
              f"{report.chunks_reused} reused); index now holds {report.documents_total} documents, "
              f"{report.chunks_total} chunks")
        if report.sync and report.sync.vectors_rebuilt:
            print(f"Chroma's files were damaged ({report.sync.damage}); rebuilt them from the store of record "
                  "without re-embedding")
        if report.sync and report.sync.repaired and not (report.added or report.updated or report.removed):
            print(f"repaired derived indexes from the record: {report.sync.vectors_written} vectors written, "
                  f"{report.sync.vectors_deleted} deleted, lexical rebuilt: {report.sync.lexical_rebuilt}")
        for s in report.skipped:
            print(f"skipped {s.source}: {s.reason}")
        print(f"took {report.seconds:.1f} s")
    return EXIT_PARTIAL if report.skipped else EXIT_OK


def _print_passages(query: str, passages, as_json: bool) -> None:
    if as_json:
        from ui.shapes import PassageOut

        results = [PassageOut.of(p).model_dump(mode="json") for p in passages]
        print(json.dumps({"query": query, "results": results}, ensure_ascii=False, indent=2))
        return
    if not passages:
        print("no passages found")
    for n, p in enumerate(passages, 1):
        print(f"[{n}] {p.title}  ({p.doc_id}, score {p.score:.3f})")
        print(f"    {p.text}")
        print()


def _search(assistant, args) -> int:
    from assistant.question import question_text

    if args.query is not None:   # an empty query: a QuestionError, exit 2 (main)
        query = question_text(args.query, assistant.settings.max_question_chars, "the query")
        _print_passages(query, assistant.search(query, args.k, filters=_filters(args)), args.json)
        return EXIT_OK
    for query in _prompt("Type a question (Persian or English); an empty line or Ctrl-D quits."):
        t = time.perf_counter()
        passages = assistant.search(query, args.k, filters=_filters(args))
        _print_passages(query, passages, args.json)
        print(f"({(time.perf_counter() - t) * 1000:.0f} ms)", file=sys.stderr)
    return EXIT_OK


def _prompt(greeting: str):
    """Lines typed at a `?` prompt, until an empty line or end of input."""
    print(greeting, file=sys.stderr)
    while True:
        try:
            line = input("? ")
        except EOFError:
            print(file=sys.stderr)
            return
        if not line.strip():
            return
        yield line


def _ask(assistant, args) -> int:
    from assistant.question import QuestionError

    if args.question is None:
        history = list(args.history)
        for question in _prompt("Ask a question (Persian or English); follow-ups refer to earlier questions. "
                                "An empty line or Ctrl-D quits."):
            try:
                _print_answer(assistant.ask(question, history, filters=_filters(args)), args.json)
            except QuestionError as exc:
                print(f"error: {exc}", file=sys.stderr)
                continue
            history.append(question)
            print()
        return EXIT_OK
    _print_answer(assistant.ask(args.question, args.history, filters=_filters(args)), args.json)  # QuestionError: 2
    return EXIT_OK


def _print_answer(answer, as_json: bool) -> None:
    from assistant.answer import fa_number

    if as_json:
        from ui.shapes import AnswerOut

        print(json.dumps(AnswerOut.of(answer).model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    rlm = "\u200f"  # a right-to-left mark opening each line keeps Persian lines in order in a terminal
    if answer.standalone_question and answer.standalone_question != answer.question:
        print(f"(understood as: {answer.standalone_question})")
    for line in answer.text.splitlines():
        print(rlm + line)
    for note in answer.notes:
        print(rlm + "⚠ " + note)
    sources = answer.sources or answer.related
    if sources:
        print()
        print(rlm + (wording.SOURCES if answer.sources else wording.MAYBE_RELATED))
    for s in sources:
        print(f"{rlm}[{fa_number(s.n)}] {s.title}{f' ({s.byline})' if s.byline else ''} — {s.source}")
        if s.quote:
            print(f"{rlm}    «{s.quote}»")
    print(f"({answer.answerer}, {answer.timings_ms.get('total', 0):.0f} ms)", file=sys.stderr)


def _eval(assistant, args) -> int:
    from assistant.evaluate import load_questions, report_text, run, summarize

    questions = load_questions(args.questions)   # a QuestionSetError: exit 2 (main)

    def progress(done, total):
        if sys.stderr.isatty():
            print(f"\r{done}/{total}", end="" if done < total else "\n", file=sys.stderr)

    results = run(assistant, questions, progress=progress)
    summary = summarize(results)
    if args.json:
        from dataclasses import asdict

        print(json.dumps({"summary": summary, "results": [asdict(r) for r in results]}, ensure_ascii=False, indent=2))
    else:
        print(report_text(summary, results))
    return EXIT_OK


def _serve(assistant, args) -> int:
    from ui.server import listen, serve

    settings = assistant.settings.model_copy(update={k: v for k, v in (("host", args.host), ("port", args.port))
                                                    if v is not None})
    try:
        sock = listen(settings.host, settings.port)   # first: a busy port fails before minutes of loading
    except OSError as exc:
        print(f"error: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    if not args.no_ingest and assistant.is_empty():
        print(f"the index is empty: ingesting {settings.articles_dir}", file=sys.stderr)
        report = assistant.ingest(None, progress=sys.stderr.isatty())
        print(f"ingested {report.documents_total} documents, {report.chunks_total} chunks", file=sys.stderr)
    t = time.perf_counter()
    assistant.warm_up()
    print(f"models and index loaded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    serve(settings, assistant, sock)
    return EXIT_OK


def _mcp(assistant, args) -> int:
    from ui.mcp_server import run_stdio

    run_stdio(assistant)   # stdout carries the protocol: nothing else may print there
    return EXIT_OK


def _facts(assistant, args) -> int:
    from index.facts import MEASURES
    from index.persian.places import find_provinces

    province = None
    if args.province:
        names = find_provinces(assistant.normalizer.canonical(args.province))
        province = names[0] if names else args.province.strip()
    if args.measure and args.measure not in MEASURES:
        print(f"error: unknown measure {args.measure!r}: use one of {', '.join(sorted(MEASURES))}", file=sys.stderr)
        return EXIT_USAGE
    facts = assistant.facts(province=province, measure=args.measure)
    if args.json:
        keys = ("subject", "measure", "value", "unit", "approximate", "period", "doc_id", "quote", "start", "end",
                "amount_text", "period_info")
        print(json.dumps([{k: f.as_dict()[k] for k in keys} for f in facts], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not facts:
        print("no facts match")
    for f in facts:
        value = int(f.value) if float(f.value).is_integer() else f.value
        print(f"\u200f{f.subject} | {f.measure} | {value:,} {f.unit or ''}{' (approx.)' if f.approximate else ''} | "
              f"{f.period or '-'} | {f.doc_id}")
    return EXIT_OK


def _feedback(assistant, args) -> int:
    from assistant.feedback import eval_line

    items = assistant.feedback(args.rating)
    if args.export:
        lines = "".join(json.dumps(eval_line(f), ensure_ascii=False) + "\n" for f in items)
        try:
            args.export.write_text(lines, encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.export}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        print(f"wrote {len(items)} questions to {args.export}: write the expected answer of each in \"answer\" "
              f"(null when the articles cannot answer it) and delete \"reviewed\", then run "
              f"`assistant eval {args.export}`", file=sys.stderr)
        return EXIT_OK
    if args.json:
        print(json.dumps([f.as_dict() for f in items], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not items:
        print("no feedback yet" + (f" rated {args.rating}" if args.rating else ""))
    rlm = "\u200f"
    for f in items:
        print(f"{f.time}  {f.rating.upper()}  {f.id}")
        print(f"{rlm}  Q: {f.question}")
        answer = " ".join(f.answer.split())
        print(f"{rlm}  A: {answer[:300]}{'…' if len(answer) > 300 else ''}")
        if f.comment:
            print(f"{rlm}  comment: {f.comment}")
        if f.sources:
            print("  sources: " + ", ".join(s.doc_id for s in f.sources))
        print()
    return EXIT_OK


def _stats(assistant, args) -> int:
    stats = assistant.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return EXIT_OK


def _check(assistant, args) -> int:
    result = assistant.check()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
    return EXIT_OK if result["in_step"] else EXIT_ERROR


_COMMANDS = {"ingest": _ingest, "search": _search, "ask": _ask, "eval": _eval, "serve": _serve, "mcp": _mcp,
             "facts": _facts, "feedback": _feedback, "stats": _stats, "check": _check,
             "sources": cli_sources.sources, "sync": cli_sources.sync, "refusals": cli_sources.refusals}

if __name__ == "__main__":
    sys.exit(main())
