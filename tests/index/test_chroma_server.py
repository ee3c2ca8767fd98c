"""ASSISTANT_CHROMA_URL against a real `chroma run` server that each test starts and stops.

The deployment model under test: the Chroma server is shared; the record (SQLite) and BM25 stay per
assistant under its data_dir. Every assistant ingests the same folder (idempotent, same chunk ids and
hashes, so nothing new reaches the server) or gets a copy of a writer's data_dir.
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from assistant.build import build_assistant
from ui.cli import main
from assistant.settings import Settings
from index import chroma_client
from helpers import free_port
from index.chroma_client import VectorStoreError, make_client
from index.rows import ChunkVector
from index.vectors import IndexModelMismatch, VectorIndex

pytestmark = pytest.mark.subprocess

CHROMA = Path(sys.executable).parent / "chroma"  # the server that ships with the chromadb package
STARTUP_SECONDS = 30
QUERIES = ["صادرات تعاونی‌ها", "تعاونی‌های مرزنشین گلستان", "تعاونی‌های دانش‌بنیان", "تسهیلات بانکی تعاونی‌ها"]
QUESTION = "صادرات تعاونی‌های گیلان چقدر بود؟"


@dataclass
class Server:
    url: str
    port: int
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        """terminate, then kill after 5 s; safe to call twice, and on a stopped (SIGSTOP) process."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def raw_client(self):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        return chromadb.HttpClient(host="127.0.0.1", port=self.port,
                                   settings=ChromaSettings(anonymized_telemetry=False))


@contextmanager
def chroma_server(folder: Path):
    assert CHROMA.exists(), f"{CHROMA} not found: the chromadb package ships it"
    import httpx

    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder.parent / f"chroma-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(CHROMA), "run", "--path", str(folder), "--port", str(port), "--host", "127.0.0.1"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(f"http://127.0.0.1:{port}", port, proc, log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{server.url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma run gave no heartbeat within {STARTUP_SECONDS} s: "
                            f"{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(tmp_path):
    with chroma_server(tmp_path / "chroma-server") as s:
        yield s


def _results(assistant, query):
    return [(p.chunk_id, round(p.score, 6)) for p in assistant.search(query)]


def _answer(assistant, question):
    d = assistant.ask(question).as_dict()
    d.pop("timings_ms")
    return d


def test_two_assistants_share_one_server(server, tmp_path, sample_dir, monkeypatch, capsys):
    started = time.perf_counter()
    a = build_assistant(Settings(data_dir=tmp_path / "a", chroma_url=server.url))
    report_a = a.ingest([sample_dir])
    chunks = report_a.chunks_total
    assert report_a.documents_total == 5 and report_a.sync.vectors_written == chunks > 5
    assert not (tmp_path / "a" / "chroma").exists()  # the vectors went to the server, not under data_dir
    assert (tmp_path / "a" / "record.sqlite3").exists() and (tmp_path / "a" / "lexical").exists()
    collection = server.raw_client().get_collection("passages")
    assert collection.count() == chunks
    assert collection.metadata["embedding_model"] == a.store.embedder.model_id

    # B: its own data_dir, the same server, the same folder: its record is built (embedding locally),
    # and its sync finds every chunk already there, by id and hash
    b = build_assistant(Settings(data_dir=tmp_path / "b", chroma_url=server.url))
    t = time.perf_counter()
    report_b = b.ingest([sample_dir])
    b_seconds = time.perf_counter() - t
    assert (report_b.sync.vectors_written, report_b.sync.vectors_deleted) == (0, 0)
    assert report_b.chunks_total == chunks and report_b.chunks_embedded == report_a.chunks_embedded
    assert collection.count() == chunks
    with capsys.disabled():
        print(f"\nA ingest {report_a.seconds:.1f} s (embed {report_a.timings.get('embed', 0):.1f} s); "
              f"B ingest {b_seconds:.1f} s (embed {report_b.timings.get('embed', 0):.1f} s, "
              f"{report_b.chunks_embedded} chunks re-embedded locally, 0 written to Chroma)")

    # C: a copy of A's data_dir (record + BM25, no Chroma there): nothing to embed at all
    shutil.copytree(tmp_path / "a", tmp_path / "c", ignore=shutil.ignore_patterns("write.lock"))
    c = build_assistant(Settings(data_dir=tmp_path / "c", chroma_url=server.url))
    report_c = c.ingest([sample_dir])
    assert report_c.chunks_embedded == 0 and report_c.sync.vectors_written == 0

    for query in QUERIES:
        got = _results(a, query)
        assert got and got == _results(b, query) == _results(c, query), query
    answer = _answer(a, QUESTION)
    assert not answer["abstained"] and answer["sources"]
    assert answer == _answer(b, QUESTION) == _answer(c, QUESTION)
    for assistant in (a, b, c):
        assert assistant.store.check()["in_step"] is True

    # the server's data is derived: wiped (or a new server), any assistant's ingest refills it from its
    # record without embedding, and the others' open handles find the new collection
    server.raw_client().delete_collection("passages")
    refill = b.ingest([sample_dir])
    assert (refill.chunks_embedded, refill.sync.vectors_written) == (0, chunks)
    assert _results(a, QUERIES[1]) == _results(c, QUERIES[1]) and a.store.check()["in_step"]
    for assistant in (a, b, c):
        assistant.close()

    # the CLI, configured by the environment
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", server.url)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "b"))
    capsys.readouterr()
    assert main(["check", "--json"]) == 0
    check = json.loads(capsys.readouterr().out)
    assert check["in_step"] and check["chroma_chunks"] == check["chunks"] == chunks
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["chroma"] == server.url and stats["chunks"] == chunks
    assert main(["search", "--json", QUERIES[0]]) == 0
    assert json.loads(capsys.readouterr().out)["results"]
    assert main(["ask", "--json", QUESTION]) == 0
    assert json.loads(capsys.readouterr().out)["answer"] == answer["answer"]
    with capsys.disabled():
        print(f"test took {time.perf_counter() - started:.1f} s")


def test_a_collection_built_with_another_model(server, tmp_path, corpus, monkeypatch, capsys):
    raw = server.raw_client()
    raw.create_collection("passages", metadata={"embedding_model": "other-model", "dimension": 384})
    a = build_assistant(Settings(data_dir=tmp_path / "a", chroma_url=server.url))
    with pytest.raises(IndexModelMismatch, match=r"'other-model'.*assistant ingest --rebuild") as err:
        a.search(QUERIES[0])
    assert server.url in str(err.value)

    monkeypatch.setenv("ASSISTANT_CHROMA_URL", server.url)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "a"))
    capsys.readouterr()
    assert main(["search", QUERIES[0]]) == 1
    assert "assistant ingest --rebuild" in capsys.readouterr().err

    report = a.ingest([corpus], rebuild=True)  # the way out the message names
    assert report.sync.vectors_written == report.chunks_total > 0
    assert raw.get_collection("passages").metadata["embedding_model"] == a.store.embedder.model_id
    assert a.search(QUERIES[0]) and a.store.check()["in_step"]
    a.close()


def test_a_server_that_is_down_is_a_prompt_clear_error(tmp_path, monkeypatch, capsys):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    a = build_assistant(Settings(data_dir=tmp_path / "a", chroma_url=url))
    t = time.perf_counter()
    with pytest.raises(VectorStoreError) as err:
        a.store.vectors  # noqa: B018
    seconds = time.perf_counter() - t
    message = str(err.value)
    assert url in message and "chroma run --path DIR --port" in message and "ASSISTANT_CHROMA_URL" in message
    assert seconds < 10
    with capsys.disabled():
        print(f"\nserver down detected in {seconds * 1000:.0f} ms: {message}")
    with pytest.raises(VectorStoreError, match="chroma run"):
        a.search(QUERIES[0])
    a.close()

    monkeypatch.setenv("ASSISTANT_CHROMA_URL", url)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "a"))
    capsys.readouterr()
    assert main(["search", QUERIES[0]]) == 1
    assert f"error: cannot reach the Chroma server at {url}" in capsys.readouterr().err
    assert main(["check", "--json"]) == 1
    assert "chroma run --path" in json.loads(capsys.readouterr().out)["chroma_error"]


def test_a_server_that_accepts_but_never_answers_is_given_up_on(tmp_path):
    with socket.socket() as silent:  # connections queue in the backlog; nothing ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        t = time.perf_counter()
        with pytest.raises(VectorStoreError, match=r"did not answer within .*chroma run --path"):
            make_client(tmp_path, url)
        seconds = time.perf_counter() - t
    assert seconds < 10
    print(f"\nhung server given up on after {seconds:.1f} s")


@pytest.mark.parametrize("bad", ["localhost:8000", "ftp://x", "http://", "http://host:99999", "http://u:p@host:8000",
                                 "http://host:8000/?a=1"])
def test_an_invalid_url_is_a_clear_error(tmp_path, bad):
    t = time.perf_counter()
    with pytest.raises(VectorStoreError, match=r"ASSISTANT_CHROMA_URL .*http://") as err:
        make_client(tmp_path, bad)
    assert repr(bad) in str(err.value) and time.perf_counter() - t < 1
    if bad == "localhost:8000":
        assert "e.g. http://localhost:8000" in str(err.value)


def _rows(n: int, dim: int = 4):
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        v = rng.normal(size=dim).astype(np.float32)
        v /= np.linalg.norm(v)
        out.append(ChunkVector(f"doc#{i:04d}", "doc", i, 0, 1, "title", "doc.txt", f"text {i}", f"h{i}", v))
    return out


def test_a_server_lost_hung_or_rebuilt_mid_use(server, tmp_path, monkeypatch):
    monkeypatch.setattr(chroma_client, "REQUEST_TIMEOUT", 2.0)
    rows = _rows(6)
    index = VectorIndex(make_client(tmp_path, server.url), "test-model", 4)
    assert index.upsert(rows) == 6
    probe = rows[0].embedding
    assert index.query(probe, 2)[0].chunk_id == "doc#0000"

    # another assistant sharing the server drops and rebuilds the collection: the stale handle reopens
    other = VectorIndex(make_client(tmp_path, server.url), "test-model", 4)
    other.reset()
    other.upsert(rows[:2])
    assert index.count() == 2 and index.query(probe, 1)[0].chunk_id == "doc#0000"
    other.reset()  # and now it is gone: a stale handle opens it as a first open would (here: creates it)
    assert index.count() == 0
    reader = VectorIndex(make_client(tmp_path, server.url), "test-model", 4, create=False)
    assert reader.count() == 0
    other.upsert(rows)
    assert reader.count() == 6
    reader.reset()
    with pytest.raises(VectorStoreError, match=r"no Chroma collection 'passages' in the Chroma server at http"):
        reader.count()
    other.upsert(rows)

    # the server hangs (SIGSTOP): requests give up after REQUEST_TIMEOUT
    server.proc.send_signal(signal.SIGSTOP)
    try:
        t = time.perf_counter()
        with pytest.raises(VectorStoreError, match=r"lost the Chroma server at http://127\.0\.0\.1.*ReadTimeout"):
            other.query(probe, 2)
        hung = time.perf_counter() - t
    finally:
        server.proc.send_signal(signal.SIGCONT)
    assert hung < 10
    assert other.query(probe, 1)[0].chunk_id == "doc#0000"

    # the server goes away
    server.stop()
    t = time.perf_counter()
    with pytest.raises(VectorStoreError, match=r"lost the Chroma server at http://127\.0\.0\.1.*chroma run --path"):
        other.query(probe, 2)
    gone = time.perf_counter() - t
    assert gone < 10
    print(f"\nhung server: error after {hung:.1f} s; stopped server: error after {gone * 1000:.0f} ms")
