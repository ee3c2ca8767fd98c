"""Ingest and search benchmark (not a test): where ingest time goes, warm search latency, peak memory.

    .venv/bin/python bench/bench_index.py [--corpus PATH ...] [--queries N] [--json]

Ingests the corpus (default: the bundled sample articles) into a fresh temporary data directory in
this process, then runs warm searches with the development questions. Reports:
* ingest seconds split into model load (embedder, hazm), embedding, and our own code (loading files,
  chunking, canonical forms, writing the record, syncing Chroma and BM25), with our share;
* warm ``search`` latency p50/p95 (ms) and its parts, and one bare query embedding for comparison;
* warm offline ``ask`` latency p50/p95 (ms), Persian and English questions apart;
* the two ratios the product is held to: search p50 / bare embedding p50 (≤ 1.5) and ask p50 / search
  p50 (≤ 2);
* peak resident memory (MB).

The embedder keeps the last question vectors (search embeds a question, the answerer reads the same
vector); every timed call here starts with that cache empty, so each one pays for its embedding.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.build import build_assistant  # noqa: E402
from assistant.evaluate import percentile  # noqa: E402
from assistant.settings import SAMPLE_ARTICLES, Settings  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", nargs="*", type=Path, default=[SAMPLE_ARTICLES])
    p.add_argument("--questions", type=Path, default=REPO / "eval" / "dev_questions.jsonl")
    p.add_argument("--queries", type=int, default=300, help="warm searches to time")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        assistant = build_assistant(Settings(data_dir=Path(tmp) / "data"))
        t = time.perf_counter()
        assistant.store.normalizer.warm_up()
        hazm_load = time.perf_counter() - t
        t = time.perf_counter()
        assistant.store.embedder.warm_up()
        model_load = time.perf_counter() - t
        report = assistant.ingest(args.corpus)
        total = time.perf_counter() - started
        timings = dict(report.timings)
        embed = timings.get("embed", 0.0)
        ours = total - hazm_load - model_load - embed - timings.get("model_load", 0.0)

        questions = [json.loads(line)["q"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                     if line.strip()] if args.questions.exists() else ["صادرات تعاونی‌های گیلان چقدر بود؟"]
        assistant.search(questions[0])  # first search opens Chroma and loads BM25
        embedder = assistant.store.embedder
        normalizer = assistant.store.normalizer
        bare = []
        for i in range(args.queries):
            text = normalizer.canonical(questions[i % len(questions)])
            t = time.perf_counter()
            embedder._get().query(text) if hasattr(embedder, "_get") else embedder.embed_query_vector(text)
            bare.append((time.perf_counter() - t) * 1000)
        latencies, parts = [], {}
        for i in range(args.queries):
            q = questions[i % len(questions)]
            embedder.forget_queries()
            t = time.perf_counter()
            assistant.search(q)
            latencies.append((time.perf_counter() - t) * 1000)
            for name, sec in assistant.searcher.last_timings.items():
                parts.setdefault(name, []).append(sec * 1000)
        # warm offline `ask`: Persian questions (English ones also embed candidate sentences: timed apart)
        persian = [q for q in questions if not q[:1].isascii()]
        english = [q for q in questions if q[:1].isascii()]
        ask_ms = []
        for i in range(args.queries):
            embedder.forget_queries()
            t = time.perf_counter()
            assistant.ask(persian[i % len(persian)])
            ask_ms.append((time.perf_counter() - t) * 1000)
        ask_en_ms = []
        for q in english:
            embedder.forget_queries()
            t = time.perf_counter()
            assistant.ask(q)
            ask_en_ms.append((time.perf_counter() - t) * 1000)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assistant.close()

    result = {
        "corpus": [str(c) for c in args.corpus],
        "documents": report.documents_total,
        "chunks": report.chunks_total,
        "ingest_seconds": {
            "total": round(total, 3),
            "model_load_embedder": round(model_load, 3),
            "model_load_hazm": round(hazm_load, 3),
            "embedding": round(embed, 3),
            "our_code": round(ours, 3),
            "our_code_parts": {k: round(v, 3) for k, v in timings.items() if k not in ("embed", "model_load")},
            "our_share": round(ours / total, 3),
        },
        "chunks_per_second": round(report.chunks_total / total, 1),
        "bare_query_embedding_ms": {"p50": round(statistics.median(bare), 2)},
        "search_ms": {
            "queries": len(latencies),
            "p50": round(statistics.median(latencies), 2),
            "p95": round(percentile(latencies, 95), 2),
            "parts_p50": {k: round(statistics.median(v), 2) for k, v in parts.items()},
        },
        "ask_ms": {
            "queries": len(ask_ms),
            "p50": round(statistics.median(ask_ms), 2),
            "p95": round(percentile(ask_ms, 95), 2),
            "english_p50": round(statistics.median(ask_en_ms), 2) if ask_en_ms else None,
        },
        "peak_rss_mb": round(peak_mb, 1),
    }
    result["ratios"] = {
        "search_p50_over_bare_embedding_p50": round(result["search_ms"]["p50"] / result["bare_query_embedding_ms"]["p50"], 2),
        "ask_p50_over_search_p50": round(result["ask_ms"]["p50"] / result["search_ms"]["p50"], 2),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    ing = result["ingest_seconds"]
    print(f"corpus: {result['documents']} documents, {result['chunks']} chunks")
    print(f"ingest: {ing['total']:.2f} s = embedder load {ing['model_load_embedder']:.2f} + hazm load "
          f"{ing['model_load_hazm']:.2f} + embedding {ing['embedding']:.2f} + our code {ing['our_code']:.2f} "
          f"({ing['our_share']:.0%}); parts {ing['our_code_parts']}")
    s = result["search_ms"]
    print(f"warm search: p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms over {s['queries']} queries; parts p50 {s['parts_p50']}")
    k = result["ask_ms"]
    print(f"warm offline ask: p50 {k['p50']:.1f} ms, p95 {k['p95']:.1f} ms over {k['queries']} Persian questions; "
          f"English questions p50 {k['english_p50']} ms")
    print(f"bare query embedding p50 {result['bare_query_embedding_ms']['p50']:.1f} ms; ratios: search/embedding "
          f"{result['ratios']['search_p50_over_bare_embedding_p50']} (≤ 1.5), ask/search "
          f"{result['ratios']['ask_p50_over_search_p50']} (≤ 2)")
    print(f"peak RSS: {result['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
