"""Fit the weights of the offline answerer's sentence score (``[sentence_weights]`` of ``assistant/params.toml``).

For every answerable question of the development sets, the chain retrieves its passages as it does when
asked, and every candidate sentence gets its features (``ExtractiveAnswerer.score``) and a label: whether
it holds an expected answer span. The weights are then fitted by coordinate ascent so that the best
scored sentence holds the answer as often as possible, over the sets pooled (five-fold cross-validated
on the pooled questions, so the printed figure is out-of-sample), and printed next to the current ones
(those of the parameters file in use); ``--write`` puts the weights fitted on all into that file (or FILE).

    .venv/bin/python bench/answer_weights.py          # needs the indexes of bench/retrieval_eval.py
    .venv/bin/python bench/answer_weights.py --write  # ... and writes them into assistant/params.toml

The figure is the share of answerable questions whose top sentence holds the answer, before the
constraint check; ``bench/abstention.py`` measures the whole answerer afterwards.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict, fields, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluate import holds_fact, load_questions  # noqa: E402
from assistant.params import PACKAGED, SentenceWeights, load, update  # noqa: E402
from assistant.question import analyse  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.abstention import CACHE, SETS  # noqa: E402  (the same sets and indexes)

NAMES = [f.name for f in fields(SentenceWeights)]
GRID = [0.0, 0.05, 0.1, 0.15, 0.25, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]


def collect(sets: list[str]) -> list[dict]:
    """Per answerable question: its set and, per candidate sentence, (features, holds the answer)."""
    out = []
    by_index: dict[str, list[str]] = {}
    for name in sets:
        by_index.setdefault(SETS[name][0], []).append(name)
    for index, names in by_index.items():
        a = build_assistant(Settings(data_dir=CACHE / index))
        chain, normalizer = a.chain, a.normalizer
        for name in names:
            for q in load_questions(SETS[name][1]):
                expected = q.get("answer")
                if not expected or q.get("history") or (isinstance(expected, list) and not q.get("alternatives")):
                    continue  # unanswerable, a follow-up, or a question across articles (the facts answerer's)
                spans = expected if isinstance(expected, list) else [expected]
                parsed = analyse(q["q"], normalizer)
                passages = chain.searcher.search(q["q"], chain.k, question=parsed)
                if not passages:
                    continue
                articles = chain.extractive.articles([p.doc_id for p in passages])
                scored = chain.extractive.score(parsed, passages, articles)
                rows = [(f, any(holds_fact(s.text, e, normalizer) for e in spans), s.passage, s.start)
                        for _score, s, f in scored.sentences_scored]
                out.append({"set": name, "rows": rows})
        a.close()
    return out


def top_holds(item: dict, w: SentenceWeights) -> bool:
    """Whether the sentence ``w`` scores best holds the answer (False when there is no candidate)."""
    return bool(item["rows"]) and bool(max(item["rows"], key=lambda r: w.score(r[0]))[1])


def accuracy(items: list[dict], w: SentenceWeights) -> float:
    return sum(top_holds(it, w) for it in items) / max(len(items), 1)


def fit(items: list[dict], start: SentenceWeights, rounds: int = 3) -> SentenceWeights:
    best, best_acc = start, accuracy(items, start)
    for _ in range(rounds):
        improved = False
        for name in NAMES:
            for g in GRID:
                cand = replace(best, **{name: g})
                acc = accuracy(items, cand)
                if acc > best_acc + 1e-9:
                    best, best_acc, improved = cand, acc, True
        if not improved:
            break
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", nargs="*", default=list(SETS), help="which sets (default: all)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--write", nargs="?", const="", metavar="FILE",
                   help="write the weights fitted on all into FILE (default: the parameters file in use, "
                        "ASSISTANT_PARAMS_FILE or assistant/params.toml)")
    args = p.parse_args()
    in_use = Settings.load().params_file or PACKAGED
    cache = CACHE / "answer_features.json"
    key = [sorted(args.sets), NAMES]  # features of another version of the answerer are collected again
    cached = json.loads(cache.read_text()) if cache.exists() else {}
    if cached.get("sets") == key:
        items = cached["items"]
    else:
        items = collect(args.sets)
        cache.write_text(json.dumps({"sets": key, "items": items}))
    default = load(in_use).sentence_weights
    rng = random.Random(0)
    order = list(range(len(items)))
    rng.shuffle(order)
    folds = [order[k::args.folds] for k in range(args.folds)]
    held = {name: [0, 0] for name in args.sets}
    for k, test in enumerate(folds):
        test_set = set(test)
        w = fit([items[i] for i in order if i not in test_set], default)
        for i in test:
            held[items[i]["set"]][0] += top_holds(items[i], w)
            held[items[i]["set"]][1] += 1
    fitted = fit(items, default)
    print(f"{'set':16s} {'questions':>9s} {'default':>8s} {'fitted (cross-validated)':>25s}")
    for name in args.sets:
        sub = [it for it in items if it["set"] == name]
        print(f"{name:16s} {len(sub):9d} {accuracy(sub, default):8.3f} {held[name][0] / max(held[name][1], 1):25.3f}")
    print("\nweights fitted on all:", json.dumps({k: v for k, v in asdict(fitted).items()}))
    if args.write is not None:
        target = Path(args.write) if args.write else in_use
        update(target, "sentence_weights", asdict(fitted))
        print(f"written to [sentence_weights] of {target}")


if __name__ == "__main__":
    main()
