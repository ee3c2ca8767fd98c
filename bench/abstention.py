"""The abstention trade-off of the offline answerer, on every development set at once.

A sentence answers only when it carries every constraint of the question (``assistant/match.py``).
Two settings decide how strictly missing *words* count (``[thresholds]`` of ``assistant/params.toml``):
``strict_kinds`` (question kinds whose answer sentence must hold every word: figures and dates) and
``max_missing_share`` (for the other kinds, the share of the question's weight the sentence may miss).
This script replays the sets for a grid of both and prints, per set: answer accuracy (an abstention
counts as wrong), the share of answerable questions abstained on, and the share of unanswerable ones
abstained on.

    .venv/bin/python bench/abstention.py            # needs the indexes of bench/retrieval_eval.py
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluate import load_questions, run, summarize  # noqa: E402
from assistant.settings import SAMPLE_ARTICLES, Settings  # noqa: E402

CACHE = REPO / "bench" / ".cache"
DEV_EXT = REPO.parent / "shared" / "dev-ext"
SETS = {  # name: (index, questions)
    "sample": ("sample", REPO / "eval" / "dev_questions.jsonl"),
    "near-miss": ("sample", REPO / "eval" / "near_miss_questions.jsonl"),
    "dev-ext 600": ("dev-ext", DEV_EXT / "questions.jsonl"),
    "dev-ext extra": ("dev-ext", REPO / "eval" / "dev_ext_extra.jsonl"),
}
GRID = [
    ((), 1.0),                                              # words never block: only units, periods, counts, ...
    (("amount", "count", "percent"), 0.67),
    (("amount", "count", "percent", "year", "date"), 0.5),
    (("amount", "count", "percent", "year", "date"), 0.67),   # the default
    (("amount", "count", "percent", "year", "date"), 1.0),
    (("amount", "count", "percent", "year", "date", "who", "name", "which", "other"), 0.0),  # every word, always
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="*", default=list(SETS), help="which sets (default: all)")
    args = p.parse_args()
    assistants = {}
    for name in {SETS[s][0] for s in args.sets}:
        a = build_assistant(Settings(data_dir=CACHE / name))
        a.ingest([SAMPLE_ARTICLES] if name == "sample" else [DEV_EXT / "passages.jsonl"])
        assistants[name] = a
    default = next(iter(assistants.values())).chain.extractive.thresholds  # those of assistant/params.toml
    print("| strict kinds | max missing share | " + " | ".join(f"{s}: accuracy / answerable abstained / "
                                                          "unanswerable abstained" for s in args.sets) + " |")
    print("|---|---|" + "---|" * len(args.sets))
    for kinds, share in GRID:
        cells = []
        for s in args.sets:
            index, questions = SETS[s]
            a = assistants[index]
            a.chain.extractive.thresholds = replace(default, strict_kinds=kinds, max_missing_share=share)
            summary = summarize(run(a, load_questions(questions)))
            recall = summary["abstention"]["recall"]
            cells.append(f"{summary['answer_accuracy']:.3f} / {summary['answerable_abstained']:.3f} / "
                         + ("–" if recall is None else f"{recall:.3f}"))
        mark = " (default)" if (kinds, share) == (default.strict_kinds, default.max_missing_share) else ""
        print(f"| {', '.join(kinds) or '–'}{mark} | {share} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
