"""`assistant eval`: every question of a JSONL set through the chain, scored.

A question line: ``{"id", "q", "doc_id", "answer", "kind", "shape"?, "history"?}``; ``answer`` is the
expected fact as the article writes it (``null`` for a question the articles cannot answer); ``history``
is the earlier questions of the chat for a follow-up; a line with ``"reviewed": false`` (exported by
``assistant feedback --export``, its expected answer not written yet) is refused. Reading-comprehension lines are read too:
``{"q", "doc", "answers": [span, ...]}`` (any one span is the fact; ``[]`` = unanswerable), and the news
archive's lines ``{"id", "q", "doc", "any": [[alternative, ...], ...]}``: every inner list must have one
alternative in the answer, compared after :func:`fold` (no ``doc`` = the archive does not answer it).

Scores:
* retrieval: the rank of the first retrieved passage from ``doc_id`` that holds the fact (@1, @3, MRR);
* answer accuracy: the answer holds the fact; amounts are compared by value (``۳۴ میلیون`` =
  ``34000000``), text in canonical form (any spelling, any digits), a list by every item;
* citation accuracy: of the answers that hold the fact, those where a cited passage holds it too (for the
  news form: a cited passage of the right article);
* abstention precision/recall on the unanswerable questions;
* per ``shape`` (or ``kind``): how many were answered correctly / abstained on;
* latency p50/p95 of the whole chain.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from index.errors import AssistantError, Failure
from index.persian.normalize import TextNormalizer
from index.persian.numbers import find_amounts


ACROSS_KINDS = frozenset({"compare", "aggregate", "superlative"})


_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", **{d: str(i) for i, d in enumerate("۰۱۲۳۴۵۶۷۸۹")},
                       **{d: str(i) for i, d in enumerate("٠١٢٣٤٥٦٧٨٩")}})
_DROP = re.compile(r"[\s\u200c\u200e\u200f\u200d\u061c]|(?<=\d)[,٬](?=\d)")


def fold(text: str) -> str:
    """The news questions' comparison form: ي/ك folded to ی/ک, every digit Latin, no ZWNJ, LRM/RLM,
    spaces or thousands separators."""
    return _DROP.sub("", text.translate(_FOLD))


def holds_all(text: str, groups: list[list[str]]) -> bool:
    """Whether ``text`` has one alternative of every group (compared folded)."""
    folded = fold(text)
    return bool(groups) and all(any(fold(a) in folded for a in group) for group in groups)


class QuestionSetError(AssistantError, ValueError):
    """A questions file that cannot be read."""

    failure = Failure.INVALID


def load_questions(path: Path) -> list[dict]:
    path = Path(path)
    if not path.is_file():
        raise QuestionSetError(f"questions file {path} does not exist")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if not isinstance(q, dict) or not isinstance(q.get("q"), str):
            raise QuestionSetError(f'{path}:{n}: each line needs at least {{"q": "question"}}')
        if q.get("reviewed") is False:   # a line exported from readers' feedback, not completed yet
            raise QuestionSetError(f'{path}:{n}: not reviewed yet: write the expected answer in "answer" (null when '
                                   f'the articles cannot answer it), then delete "reviewed"')
        q.setdefault("id", f"line{n}")
        if "any" in q and "answer" not in q:  # the news archive's form: one alternative of every group
            groups = [[a for a in g if isinstance(a, str) and a.strip()] for g in q["any"] or []]
            if any(not g for g in groups):
                raise QuestionSetError(f'{path}:{n}: every list of "any" needs at least one alternative')
            q["groups"] = groups
            q["answer"] = groups or None
            q.setdefault("doc_id", q.get("doc"))
            q.setdefault("kind", "answerable" if groups else "unanswerable")
        elif "answers" in q and "answer" not in q:  # reading-comprehension form
            spans = [a for a in q["answers"] if isinstance(a, str) and a.strip()]
            q["answer"] = spans or None
            q["alternatives"] = True
            q.setdefault("doc_id", q.get("doc"))
            q.setdefault("kind", "answerable" if spans else "unanswerable")
        out.append(q)
    if not out:
        raise QuestionSetError(f"{path} holds no questions")
    return out


def _items(answer: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"[،,]| و ", answer) if p.strip()]
    return parts if len(parts) > 1 else [answer]


def holds_fact(text: str, expected: str, normalizer: TextNormalizer) -> bool:
    """Whether ``text`` states the ``expected`` fact (amounts by value, the rest in canonical form)."""
    if not text:
        return False
    canonical_text = normalizer.canonical(text)
    if normalizer.canonical(expected) in canonical_text:
        return True
    wanted = [a.value for a in find_amounts(expected)]
    if wanted:
        have = {a.value for a in find_amounts(text)}
        return all(v in have for v in wanted)
    items = _items(expected)
    return len(items) > 1 and all(normalizer.canonical(i) in canonical_text for i in items)


@dataclass
class Result:
    id: str
    kind: str
    shape: str
    answerable: bool
    abstained: bool
    correct: bool | None
    cited_correctly: bool | None
    rank: int | None          # None also for questions across articles (no single answer-bearing passage)
    latency_ms: float
    standalone: str
    answer: str


def run(assistant, questions: list[dict], *, progress=None) -> list[Result]:
    normalizer = assistant.normalizer
    # one story once (index/dedup.py): a copy of the expected article stands for it, as search shows only one
    story = {doc_id: name for name, members in assistant.store.record.stories.copies().items() for doc_id, _ in members}
    results = []
    for i, q in enumerate(questions):
        gold = story.get(q.get("doc_id"), q.get("doc_id"))
        answer = assistant.ask(q["q"], q.get("history"))
        expected = q.get("answer")
        rank = correct = cited = None
        if q.get("groups"):
            groups = q["groups"]
            rank = next((r for r, p in enumerate(answer.passages)
                         if story.get(p.doc_id, p.doc_id) == gold and holds_all(p.text, groups)), None)
            correct = not answer.abstained and holds_all(answer.text, groups)
            if correct:
                cited = any(story.get(s.doc_id, s.doc_id) == gold for s in answer.sources)
        elif q.get("alternatives") and expected:
            # any one of the spans: rank of the first passage of the document holding one, answer holds one
            rank = next((r for r, p in enumerate(answer.passages)
                         if (not gold or story.get(p.doc_id, p.doc_id) == gold)
                         and any(holds_fact(p.text, e, normalizer) for e in expected)), None)
            correct = not answer.abstained and any(holds_fact(answer.text, e, normalizer) for e in expected)
            if correct:
                cited = any(holds_fact(s.text, e, normalizer) for s in answer.sources for e in expected)
        elif isinstance(expected, list) and expected:
            # a question across articles: every listed fact (and the total, if given) must be stated,
            # and each fact must be in a cited source
            correct = not answer.abstained and all(holds_fact(answer.text, e, normalizer) for e in expected)
            if correct and q.get("total") is not None:
                correct = any(abs(a.value - q["total"]) < 1e-6 * max(1, q["total"]) for a in find_amounts(answer.text))
            if correct:
                cited = all(any(holds_fact(s.text, e, normalizer) for s in answer.sources) for e in expected)
        elif expected:
            rank = next((r for r, p in enumerate(answer.passages)
                         if (not gold or story.get(p.doc_id, p.doc_id) == gold) and holds_fact(p.text, expected, normalizer)),
                        None)
            correct = not answer.abstained and holds_fact(answer.text, expected, normalizer)
            if correct:
                cited = any(holds_fact(s.text, expected, normalizer) for s in answer.sources)
        results.append(Result(q["id"], q.get("kind", ""), q.get("shape") or q.get("kind", ""), bool(expected),
                              answer.abstained, correct, cited, rank, answer.timings_ms.get("total", 0.0),
                              answer.standalone_question, answer.text))
        if progress:
            progress(i + 1, len(questions))
    return results


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0–100), numpy's linear definition; 0 for no values."""
    import numpy as np

    return float(np.percentile(values, q)) if values else 0.0


def summarize(results: list[Result]) -> dict:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    abstained = [r for r in results if r.abstained]
    true_abstentions = sum(1 for r in unanswerable if r.abstained)
    ranks = [r.rank for r in answerable if r.kind not in ACROSS_KINDS]
    correct = [r for r in answerable if r.correct]
    by_kind: dict[str, list[Result]] = {}
    for r in answerable:
        by_kind.setdefault(r.kind or "-", []).append(r)
    latencies = [r.latency_ms for r in results]
    shapes: dict[str, dict] = {}
    for r in results:
        row = shapes.setdefault(r.shape or "-", {"answerable": 0, "correct": 0, "false_abstentions": 0,
                                                 "unanswerable": 0, "abstained": 0})
        if r.answerable:
            row["answerable"] += 1
            row["correct"] += bool(r.correct)
            row["false_abstentions"] += r.abstained
        else:
            row["unanswerable"] += 1
            row["abstained"] += r.abstained
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "retrieval": {
            "@1": _share([x is not None and x < 1 for x in ranks]),
            "@3": _share([x is not None and x < 3 for x in ranks]),
            "@5": _share([x is not None and x < 5 for x in ranks]),
            "mrr": round(sum(1 / (x + 1) for x in ranks if x is not None) / len(ranks), 3) if ranks else None,
        },
        "answer_accuracy": _share([bool(r.correct) for r in answerable]),
        "citation_accuracy": _share([bool(r.cited_correctly) for r in correct]),
        "abstention": {
            "precision": round(true_abstentions / len(abstained), 3) if abstained else None,
            "recall": round(true_abstentions / len(unanswerable), 3) if unanswerable else None,
            "false_abstentions": sum(1 for r in answerable if r.abstained),
        },
        "latency_ms": {"p50": round(percentile(latencies, 50), 1), "p95": round(percentile(latencies, 95), 1)},
        "answer_accuracy_by_kind": {k: _share([bool(r.correct) for r in v]) for k, v in sorted(by_kind.items())},
        "by_shape": dict(sorted(shapes.items())),
        "answerable_abstained": _share([r.abstained for r in answerable]),
    }


def report_text(summary: dict, results: list[Result], show_failures: bool = True) -> str:
    s = summary
    lines = [
        f"questions: {s['questions']} ({s['answerable']} answerable, {s['unanswerable']} unanswerable)",
        f"retrieval (answer-bearing passage): @1 {s['retrieval']['@1']}  @3 {s['retrieval']['@3']}  "
        f"@5 {s['retrieval']['@5']}  MRR {s['retrieval']['mrr']}",
        f"answer accuracy: {s['answer_accuracy']}   citation accuracy: {s['citation_accuracy']}",
        f"abstention: precision {s['abstention']['precision']}  recall {s['abstention']['recall']}  "
        f"(false abstentions: {s['abstention']['false_abstentions']})",
        f"latency: p50 {s['latency_ms']['p50']} ms  p95 {s['latency_ms']['p95']} ms",
        "answer accuracy by kind: " + ", ".join(f"{k} {v}" for k, v in s["answer_accuracy_by_kind"].items()),
    ]
    if len(s["by_shape"]) > 1:
        lines.append("by shape (answered correctly / answerable; abstained / unanswerable):")
        for shape, row in s["by_shape"].items():
            parts = []
            if row["answerable"]:
                parts.append(f"correct {row['correct']}/{row['answerable']} (false abstentions "
                             f"{row['false_abstentions']})")
            if row["unanswerable"]:
                parts.append(f"abstained {row['abstained']}/{row['unanswerable']}")
            lines.append(f"  {shape}: " + ", ".join(parts))
    if show_failures:
        misses = [r for r in results if (r.answerable and not r.correct) or (not r.answerable and not r.abstained)]
        if misses:
            lines.append("misses:")
            for r in misses:
                what = "abstained" if r.abstained else ("answered (unanswerable)" if not r.answerable else "wrong")
                lines.append(f"  {r.id} [{r.kind}] {what}: {r.standalone[:80]}")
    return "\n".join(lines)
