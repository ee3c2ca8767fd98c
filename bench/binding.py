"""Fit which words of a figure question bind its answer: ``Thresholds.binding_log_frequency``, cross-validated.

A figure or date question is answered by a sentence that holds the words binding it (``assistant/match.py:
binds``): its measure, group, place, what it counts, and any word rarer in hazm's corpus than
10^binding_log_frequency. This replays every development set for a grid of that limit (None: every word
binds, the rule before), keeps each question's outcome, and picks the limit by five-fold cross-validation
over the pooled questions: the limit chosen on four folds is scored on the fifth, so the printed figure is
out of sample. A question's utility: 1 for a right answer or a right refusal, 0 for a wrong answer, −0.25
for refusing a question the articles answer (a false refusal costs more than a near answer).

    .venv/bin/python bench/binding.py                 # needs the indexes of bench/quality.py
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.evaluate import load_questions, run  # noqa: E402
from bench.quality import SETS, open_index  # noqa: E402

GRID = [None, 5.5, 6.0, 6.3, 6.6, 7.0, 7.5, 8.0]
FALSE_REFUSAL = -0.25


def utility(r) -> float:
    if r.answerable:
        return 1.0 if r.correct else (FALSE_REFUSAL if r.abstained else 0.0)
    return 1.0 if r.abstained else 0.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--grid", nargs="*", type=float, help="the limits to try (default: None and 5.5 … 8.0)")
    args = p.parse_args()
    global GRID
    if args.grid:
        GRID = [None] + args.grid
    outcomes: dict = {}   # limit → [(set, id, utility, answerable, correct, abstained)]
    assistants: dict = {}
    for name in args.sets:
        index, path = SETS[name]
        if index not in assistants:
            assistants[index] = open_index(index)
        a = assistants[index]
        default = a.chain.extractive.thresholds
        questions = load_questions(path)
        for limit in GRID:
            a.chain.extractive.thresholds = replace(default, binding_log_frequency=limit)
            for r in run(a, questions):
                outcomes.setdefault(limit, []).append((name, r.id, utility(r), r.answerable, r.correct, r.abstained))
        a.chain.extractive.thresholds = default
        print(f"{name}: done", file=sys.stderr, flush=True)

    def figures(rows):
        out = {}
        for name in args.sets:
            mine = [x for x in rows if x[0] == name]
            ans = [x for x in mine if x[3]]
            una = [x for x in mine if not x[3]]
            out[name] = (sum(bool(x[4]) for x in ans) / len(ans) if ans else None,
                         sum(x[5] for x in una) / len(una) if una else None,
                         sum(x[5] for x in ans) / len(ans) if ans else None)
        return out

    print("| limit | utility | " + " | ".join(f"{s}: answer / refused / false refusals" for s in args.sets) + " |")
    print("|---|---|" + "---|" * len(args.sets))
    for limit in GRID:
        rows = outcomes[limit]
        cells = []
        for s, (acc, ref, fr) in figures(rows).items():
            cells.append(" / ".join("–" if v is None else f"{v:.3f}" for v in (acc, ref, fr)))
        print(f"| {limit} | {sum(x[2] for x in rows) / len(rows):.3f} | " + " | ".join(cells) + " |")

    # five-fold cross-validation over the pooled questions
    keys = [(x[0], x[1]) for x in outcomes[GRID[0]]]
    random.Random(13).shuffle(keys)
    fold_of = {k: i % args.folds for i, k in enumerate(keys)}
    by_limit = {limit: {(x[0], x[1]): x[2] for x in rows} for limit, rows in outcomes.items()}
    held, chosen = 0.0, []
    for f in range(args.folds):
        train = [k for k in keys if fold_of[k] != f]
        test = [k for k in keys if fold_of[k] == f]
        best = max(GRID, key=lambda lim: (sum(by_limit[lim][k] for k in train), -(lim or 99)))
        chosen.append(best)
        held += sum(by_limit[best][k] for k in test)
    print(f"\ncross-validated utility {held / len(keys):.3f}; limits chosen per fold: {chosen}")


if __name__ == "__main__":
    main()
