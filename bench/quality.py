"""One table of answering quality: every development set side by side, before and after a change.

Sets: the sample articles' questions (``eval/dev_questions.jsonl``), their near misses
(``eval/near_miss_questions.jsonl``), ``dev-ext`` (600 questions over 1,360 passages) and our extra ones
over it (``eval/dev_ext_extra.jsonl``), and the real news archive's development questions
(``../shared/news/questions-dev.jsonl``) with our own extra ones (``eval/news_extra.jsonl``).
Columns: answer accuracy (an abstention counts as wrong), right source cited (of the right answers), near
misses refused, false refusals (answerable questions refused); for the news archive also warm ask and
search p50.

    .venv/bin/python bench/quality.py --save after              # prints the table, keeps the figures
    .venv/bin/python bench/quality.py --against before          # adds the figures of an earlier --save
    .venv/bin/python bench/quality.py --sets news-dev --misses  # one set, with what it got wrong
    .venv/bin/python bench/quality.py --against before --write docs/quality.md

The indexes are built once in ``bench/.cache/{sample,dev-ext,news}`` (dev-ext takes ~10 minutes the
first time) and reused; ``--save`` keeps the figures in ``bench/.cache/quality-NAME.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluate import load_questions, report_text, run, summarize  # noqa: E402
from assistant.settings import SAMPLE_ARTICLES, Settings  # noqa: E402

CACHE = REPO / "bench" / ".cache"
SHARED = REPO.parent / "shared"
CORPORA = {  # index name: what it ingests
    "sample": SAMPLE_ARTICLES,
    "dev-ext": SHARED / "dev-ext" / "passages.jsonl",
    "news": SHARED / "news" / "articles",
}
SETS = {  # name: (index, questions)
    "sample": ("sample", REPO / "eval" / "dev_questions.jsonl"),
    "near-miss": ("sample", REPO / "eval" / "near_miss_questions.jsonl"),
    "dev-ext": ("dev-ext", SHARED / "dev-ext" / "questions.jsonl"),
    "dev-ext-extra": ("dev-ext", REPO / "eval" / "dev_ext_extra.jsonl"),
    "news-dev": ("news", SHARED / "news" / "questions-dev.jsonl"),
    "news-extra": ("news", REPO / "eval" / "news_extra.jsonl"),
}
COLUMNS = ["answer", "cite", "refused", "false refusals"]


def open_index(name: str):
    """The assistant over one corpus, ingested into ``bench/.cache/NAME`` when it is not there yet."""
    assistant = build_assistant(Settings(data_dir=CACHE / name))
    assistant.ingest([CORPORA[name]])   # unchanged files are skipped: a no-op after the first run
    return assistant


def latency(assistant, questions: list[dict]) -> dict:
    """Warm p50 (ms) of search and of ask over the questions (each asked once before timing)."""
    texts = [q["q"] for q in questions]
    for t in texts:
        assistant.ask(t)
    search, ask = [], []
    for t in texts:
        s = time.perf_counter()
        assistant.search(t)
        search.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        assistant.ask(t)
        ask.append((time.perf_counter() - s) * 1000)
    return {"search p50": round(statistics.median(search), 1), "ask p50": round(statistics.median(ask), 1)}


def figures(summary: dict) -> dict:
    recall = summary["abstention"]["recall"]
    return {"answer": summary["answer_accuracy"], "cite": summary["citation_accuracy"],
            "refused": recall, "false refusals": summary["answerable_abstained"],
            "n": f"{summary['answerable']}+{summary['unanswerable']}"}


def _cell(value, before=None) -> str:
    if value is None:
        return "–"
    text = f"{value:.3f}" if isinstance(value, float) else str(value)
    if before is not None and before != value and isinstance(value, float):
        text = f"{before:.3f} → {text}"
    return text


def table(rows: dict, before: dict | None = None) -> str:
    out = ["| set | questions (answerable+not) | " + " | ".join(COLUMNS) + " |",
           "|---|---|" + "---|" * len(COLUMNS)]
    for name, row in rows.items():
        old = (before or {}).get(name, {})
        out.append(f"| {name} | {row['n']} | " + " | ".join(_cell(row.get(c), old.get(c)) for c in COLUMNS) + " |")
    speed = {k: v for r in rows.values() for k, v in r.items() if k.endswith("p50")}
    if speed:
        old = next((r for r in (before or {}).values() if "ask p50" in r), {})
        out.append("")
        out.append("news archive, warm: " + ", ".join(
            f"{k} {old[k]} → {v} ms" if k in old else f"{k} {v} ms" for k, v in speed.items()))
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS), help="which sets (default: all)")
    p.add_argument("--save", metavar="NAME", help="keep the figures as bench/.cache/quality-NAME.json")
    p.add_argument("--against", metavar="NAME", help="show the figures of an earlier --save beside these")
    p.add_argument("--misses", action="store_true", help="list each set's wrong answers and wrong refusals")
    p.add_argument("--no-latency", action="store_true", help="skip timing search and ask on the news archive")
    p.add_argument("--write", metavar="FILE", help="also write the table to FILE (docs/quality.md)")
    args = p.parse_args()
    before = None
    if args.against:
        before = json.loads((CACHE / f"quality-{args.against}.json").read_text(encoding="utf-8"))
    assistants: dict = {}
    rows: dict = {}
    for name in args.sets:
        index, path = SETS[name]
        if not path.is_file():
            print(f"skipping {name}: {path} does not exist", file=sys.stderr)
            continue
        if index not in assistants:
            assistants[index] = open_index(index)
        questions = load_questions(path)
        results = run(assistants[index], questions)
        summary = summarize(results)
        rows[name] = figures(summary)
        if name == "news-dev" and not args.no_latency:
            rows[name].update(latency(assistants[index], questions))
        if args.misses:
            print(f"## {name}\n{report_text(summary, results)}\n", flush=True)
    text = table(rows, before)
    print(text)
    if args.save:
        CACHE.mkdir(parents=True, exist_ok=True)
        (CACHE / f"quality-{args.save}.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1),
                                                          encoding="utf-8")
    if args.write:
        import datetime

        Path(args.write).parent.mkdir(parents=True, exist_ok=True)
        Path(args.write).write_text(
            f"# Answering quality\n\nWritten by `bench/quality.py --write {args.write}` on "
            f"{datetime.date.today().isoformat()} (offline answerer, 2-core machine"
            + (f"; before = `--against {args.against}`" if args.against else "") + ").\n\n"
            "answer: the answer holds the fact (a refusal counts as wrong); cite: of the right answers, a cited "
            "passage is the right article's; refused: near misses refused; false refusals: answerable questions "
            "refused.\n\n" + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
