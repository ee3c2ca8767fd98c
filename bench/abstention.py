"""Abstention trade-off of the offline answerer on the development questions.

Runs every question once with abstention off (except for a province no article covers, which is
always an abstention), records the features the answerer decides on, then replays the decision
for a grid of thresholds. Prints, per setting: answer accuracy on answerable questions (an
abstention counts as wrong), false abstentions, and abstention precision/recall on unanswerable ones.

    .venv/bin/python bench/abstention.py [--questions eval/dev_questions.jsonl]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluate import holds_fact, load_questions  # noqa: E402
from assistant.offline import Thresholds  # noqa: E402
from assistant.settings import SAMPLE_ARTICLES, Settings  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", type=Path, default=REPO / "eval" / "dev_questions.jsonl")
    args = p.parse_args()
    a = build_assistant(Settings(data_dir=REPO / "bench" / ".cache" / "sample"))
    a.ingest([SAMPLE_ARTICLES])
    n = a.store.normalizer
    offline = a.chain.offline
    offline.thresholds = Thresholds(min_coverage=0.0, min_dense_english=0.0, strong_dense=0.0)
    rows = []
    for q in load_questions(args.questions):
        ans = a.ask(q["q"], q.get("history"))
        f = ans.passages and a.chain.offline.answer(
            __import__("assistant.question", fromlist=["analyse"]).analyse(ans.standalone_question, n),
            ans.passages, a.chain._sentence_similarity(ans.standalone_question)).features or {}
        expected = q.get("answer")
        rows.append({
            "answerable": bool(expected),
            "forced": ans.abstained,  # a province no article covers
            "correct": bool(expected) and not ans.abstained and holds_fact(ans.text, expected, n),
            "english": any(c.isascii() and c.isalpha() for c in q["q"][:3]),
            "coverage": f.get("coverage", 0.0),
            "dense": f.get("dense") or 0.0,
        })
    print("| min_coverage | strong_dense | min_dense_english | answer accuracy | false abstentions | "
          "abstention precision | abstention recall |")
    print("|---|---|---|---|---|---|---|")
    for cov in (0.0, 0.3, 0.4, 0.5, 0.6):
        for strong in (0.86, 0.88, 0.9, 1.0):
            for eng in (0.74, 0.76, 0.78):
                t = replace(Thresholds(), min_coverage=cov, strong_dense=strong, min_dense_english=eng)
                decisions = []
                for r in rows:
                    if r["forced"]:
                        abst = True
                    elif r["english"]:
                        abst = r["dense"] < t.min_dense_english
                    else:
                        abst = r["coverage"] < t.min_coverage and r["dense"] < t.strong_dense
                    decisions.append(abst)
                answerable = [(r, d) for r, d in zip(rows, decisions) if r["answerable"]]
                unanswerable = [(r, d) for r, d in zip(rows, decisions) if not r["answerable"]]
                acc = sum(1 for r, d in answerable if r["correct"] and not d) / len(answerable)
                false_abst = sum(1 for r, d in answerable if d)
                true_abst = sum(1 for r, d in unanswerable if d)
                total_abst = false_abst + true_abst
                prec = true_abst / total_abst if total_abst else 0.0
                rec = true_abst / len(unanswerable) if unanswerable else 0.0
                mark = " (default)" if t == Thresholds() else ""
                print(f"| {cov} | {strong} | {eng} | {acc:.3f} | {false_abst} | {prec:.3f} | {rec:.3f}{mark} |")
    a.close()


if __name__ == "__main__":
    main()
