"""Ingest killed with SIGKILL at several points, then run again: every document exactly once.

Real processes (`assistant ingest`), real files, real Chroma; the test watches the store of record
(read-only) to kill the writer early (stores just opened), in the middle (embeddings being staged)
and late (the record written, Chroma and BM25 being synced)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from helpers import BIN, cli_env, run_cli, write_varied_articles

pytestmark = pytest.mark.subprocess

QUERIES = ["صادرات تعاونی‌های گیلان", "اعضای تعاونی‌های گلستان", "گزارش شماره ۷ اشتغال", "تعاونی‌های مشکل‌دار"]


def _run(*args, data: Path) -> subprocess.CompletedProcess:
    return run_cli(*args, data_dir=data, timeout=600)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """12 distinct articles made from the samples (a numbered headline, changed figures)."""
    return write_varied_articles(tmp_path_factory.mktemp("crash-corpus"), 12, "a")


def _state(data: Path) -> dict:
    """Documents, chunks (id → embedding hash), search results and the stores' agreement."""
    from assistant.build import build_assistant
    from assistant.settings import Settings

    db = sqlite3.connect(data / "record.sqlite3")
    docs = dict(db.execute("SELECT doc_id, content_hash FROM documents").fetchall())
    chunks = dict(db.execute("SELECT chunk_id, embed_hash FROM chunks").fetchall())
    db.close()
    a = build_assistant(Settings(data_dir=data))
    results = {q: [p.chunk_id for p in a.search(q, 5)] for q in QUERIES}
    check = a.store.check()
    a.close()
    return {"docs": docs, "chunks": chunks, "results": results, "check": check}


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("crash-reference")
    out = _run("ingest", str(corpus), "--quiet", data=data)
    assert out.returncode == 0, out.stderr
    return _state(data)


def _count(db_path: Path, sql: str) -> int:
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return -1


WHEN = {
    # the stores are open, nothing written yet
    "early": lambda db: db.exists(),
    # embeddings are being staged, no document written yet
    "middle": lambda db: _count(db, "SELECT COUNT(*) FROM embedding_cache") >= 10,
    # the record is written; Chroma and BM25 are being synced
    "late": lambda db: _count(db, "SELECT COUNT(*) FROM documents") > 0,
}


@pytest.mark.slow
@pytest.mark.parametrize("point", ["early", "middle", "late"])
def test_a_killed_ingest_is_finished_by_the_next_one(point, corpus, reference, tmp_path):
    data = tmp_path / "data"
    proc = subprocess.Popen([str(BIN), "ingest", str(corpus), "--quiet"], env=cli_env(data),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    db = data / "record.sqlite3"
    deadline = time.monotonic() + 300
    while proc.poll() is None and not WHEN[point](db):
        assert time.monotonic() < deadline, f"the ingest never reached the {point} point"
        time.sleep(0.01)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert killed, f"the ingest finished before the {point} point could be hit"

    again = _run("ingest", str(corpus), "--json", "--quiet", data=data)
    assert again.returncode == 0, again.stderr
    state = _state(data)
    assert state["docs"] == reference["docs"]                 # every document, exactly once
    assert state["chunks"] == reference["chunks"]             # no orphan or duplicate chunk
    assert state["check"]["in_step"] and state["check"]["chroma_chunks"] == len(reference["chunks"])
    assert state["results"] == reference["results"]           # and search gives what a clean ingest gives
    if point == "middle":
        summary = json.loads(again.stdout)
        # staged embeddings (of chunks and sentences) were kept, not redone
        assert summary["chunks_reused"] + summary["sentences_reused"] >= 10


@pytest.mark.slow
def test_damaged_chroma_files_are_rebuilt_from_the_record(corpus, reference, tmp_path):
    data = tmp_path / "data"
    assert _run("ingest", str(corpus), "--quiet", data=data).returncode == 0
    # damage Chroma's files (as a kill in the middle of a write can): its database and its HNSW segments
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    for f in (data / "chroma").rglob("*.bin"):
        f.write_bytes(b"\x00garbage" * 64)
    check = _run("check", "--json", data=data)
    assert check.returncode == 1 and not json.loads(check.stdout)["in_step"]
    assert "Chroma could not be opened" in json.loads(check.stdout)["chroma_error"]
    again = _run("ingest", str(corpus), "--json", "--quiet", data=data)
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["chroma_rebuilt"] and summary["chunks_embedded"] == 0   # nothing re-embedded
    state = _state(data)
    assert state["check"]["in_step"] and state["results"] == reference["results"]
