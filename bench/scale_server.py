"""The server phase of ``bench/scale.py``: ``assistant serve`` over the scaled index, its memory, sequential
asks, and a load of concurrent askers with the chat page polled."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import procs  # noqa: E402
from bench.scale_corpus import CACHE, _log  # noqa: E402
from assistant.evaluate import percentile  # noqa: E402


def _summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(statistics.median(values), 2), "p95": round(percentile(values, 95), 2),
            "max": round(max(values), 2), "mean": round(statistics.fmean(values), 2)}


# ======================================================================================= server phase
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_server_phase(data_dir: Path, queries: list[dict], *, duration: float, askers: int, load: bool,
                     hashed: bool = False) -> dict:
    import httpx

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_DATA_DIR=str(data_dir), GRADIO_ANALYTICS_ENABLED="False")
    log_path = CACHE / "scale-serve.log"
    log_file = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 (closed below)
    started = time.perf_counter()
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")  # this checkout, not an installed copy
    command = [str(REPO / "bench" / "hashed.py")] if hashed else ["-m", "ui.cli"]  # hashed: same embedder
    proc = subprocess.Popen([sys.executable, *command, "serve", "--port", str(port), "--no-ingest"],
                            env=env, cwd=REPO, stdout=log_file, stderr=subprocess.STDOUT)
    _log(f"serve: pid {proc.pid} on port {port} (log {log_path.relative_to(REPO)})")
    result: dict = {"pid": proc.pid, "port": port}
    try:
        health = None
        while time.perf_counter() - started < 600:
            if proc.poll() is not None:
                raise SystemExit(f"assistant serve exited with {proc.returncode}: see {log_path}")
            try:
                r = httpx.get(f"{base}/healthz", timeout=5)
                if r.status_code == 200:
                    health = r.json()
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        if health is None:
            raise SystemExit("assistant serve did not answer /healthz within 600 s")
        result["startup_seconds"] = round(time.perf_counter() - started, 2)
        result["healthz"] = health
        result["rss_mb_at_ready"] = procs.memory(proc.pid).get("rss_mb", 0.0)

        latencies, errors = [], 0
        with httpx.Client(base_url=base, timeout=120) as client:
            for q in queries[:20]:
                t = time.perf_counter()
                r = client.post("/api/ask", json={"question": q["q"], "history": q["history"]})
                latencies.append((time.perf_counter() - t) * 1000)
                errors += r.status_code != 200
        status = procs.memory(proc.pid)
        result["sequential_asks"] = {**_summary(latencies), "errors": errors}
        result["peak_rss_mb"] = status.get("peak_rss_mb", 0.0)
        result["rss_mb"] = status.get("rss_mb", 0.0)
        result["children"] = {k: procs.memory(k).get("peak_rss_mb", 0.0) for k in procs.children(proc.pid)}
        _log(f"serve: ready in {result['startup_seconds']} s; after 20 asks VmHWM {result['peak_rss_mb']} MB")

        if load:
            cpu_server, cpu_client = procs.cpu_seconds(proc.pid), procs.own_cpu_seconds()
            result["load"] = run_load(base, queries, duration=duration, askers=askers)
            elapsed = result["load"]["duration_s"]
            result["load"]["server_cpu_cores"] = round((procs.cpu_seconds(proc.pid) - cpu_server) / elapsed, 2)
            result["load"]["client_cpu_cores"] = round((procs.own_cpu_seconds() - cpu_client) / elapsed, 2)
            status = procs.memory(proc.pid)
            result["peak_rss_mb_after_load"] = status.get("peak_rss_mb", 0.0)
            result["threads_after_load"] = status.get("threads")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log_file.close()
    return result


def run_load(base: str, queries: list[dict], *, duration: float, askers: int) -> dict:
    import httpx

    _log(f"load: {askers} askers for {duration:.0f} s, GET / every 2 s")
    deadline = time.perf_counter() + duration
    lock = threading.Lock()
    records: list[tuple[float, float, int]] = []  # (finished, latency_ms, status or -1)
    error_kinds: dict[str, int] = {}
    ui: list[tuple[float, float, int]] = []

    def asker(n: int) -> None:
        i = n * 7
        with httpx.Client(base_url=base, timeout=120) as client:
            while time.perf_counter() < deadline:
                q = queries[i % len(queries)]
                i += 1
                t = time.perf_counter()
                try:
                    r = client.post("/api/ask", json={"question": q["q"], "history": q["history"]})
                    status = r.status_code
                    if status == 200:
                        r.json()
                    kind = None if status == 200 else f"HTTP {status}"
                except Exception as exc:  # noqa: BLE001 (counted as an error)
                    status, kind = -1, type(exc).__name__
                now = time.perf_counter()
                with lock:
                    records.append((now, (now - t) * 1000, status))
                    if kind:
                        error_kinds[kind] = error_kinds.get(kind, 0) + 1

    def ui_poller() -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    r = client.get("/")
                    status = r.status_code
                except Exception:  # noqa: BLE001
                    status = -1
                ms = (time.perf_counter() - t) * 1000
                ui.append((t, ms, status))
                time.sleep(max(0.0, 2.0 - ms / 1000))

    started = time.perf_counter()
    threads = [threading.Thread(target=asker, args=(n,), daemon=True) for n in range(askers)]
    threads.append(threading.Thread(target=ui_poller, daemon=True))
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - started
    ok = [ms for _f, ms, s in records if s == 200]
    ui_ms = [ms for _t, ms, s in ui]
    result = {
        "askers": askers,
        "duration_s": round(elapsed, 1),
        "requests": len(records),
        "ok": len(ok),
        "errors": len(records) - len(ok),
        "error_kinds": error_kinds,
        "requests_per_s": round(len(ok) / elapsed, 2),
        "latency_ms": _summary(ok),
        "ui": {**_summary(ui_ms), "polls": len(ui), "errors": sum(1 for _t, _ms, s in ui if s != 200)},
    }
    _log(f"load: {result['ok']} ok, {result['errors']} errors, {result['requests_per_s']} req/s, "
         f"p50 {result['latency_ms'].get('p50')} ms; UI max {result['ui'].get('max')} ms")
    return result
