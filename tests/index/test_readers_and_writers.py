"""One writer, many readers: a second ingest is refused clearly; a running reader sees new documents."""

from __future__ import annotations

import shutil
import subprocess
import time

from assistant.build import build_assistant
from assistant.settings import SAMPLE_ARTICLES, Settings
from helpers import BIN, cli_env
import pytest

pytestmark = pytest.mark.subprocess

GOLESTAN, GILAN = "000_35ffd71e27c3aa0e", "001_2df5e54f2db4a315"


def test_two_ingests_at_once_one_is_refused_with_the_holder_named(tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE_ARTICLES, folder)
    data = tmp_path / "data"
    first = subprocess.Popen([str(BIN), "ingest", str(folder), "--quiet"], env=cli_env(data),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (data / "write.lock").exists() or (data / "write.lock").stat().st_size == 0:
        assert time.monotonic() < deadline and first.poll() is None, "the first ingest never took the lock"
        time.sleep(0.02)
    second = subprocess.run([str(BIN), "ingest", str(folder), "--quiet"], env=cli_env(data), capture_output=True,
                            text=True, timeout=120)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert second.returncode == 1
    assert f"pid {first.pid}" in second.stderr and "write.lock" in second.stderr
    again = subprocess.run([str(BIN), "check", "--json"], env=cli_env(data), capture_output=True, text=True)
    assert again.returncode == 0 and '"in_step": true' in again.stdout


def test_a_running_reader_sees_what_another_process_ingests(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SAMPLE_ARTICLES / f"{GOLESTAN}.txt", folder)
    data = tmp_path / "data"
    reader = build_assistant(Settings(data_dir=data))
    reader.ingest([folder])
    assert {p.doc_id for p in reader.search("صادرات تعاونی‌های گیلان", 5)} == {GOLESTAN}
    shutil.copy(SAMPLE_ARTICLES / f"{GILAN}.txt", folder)
    out = subprocess.run([str(BIN), "ingest", str(folder), "--quiet"], env=cli_env(data), capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    hits = reader.search("صادرات تعاونی‌های گیلان", 5)
    assert hits[0].doc_id == GILAN and hits[0].dense is not None      # found by Chroma, not only by BM25
    assert "۳۴ میلیون" in reader.ask("صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟").text
    reader.close()
