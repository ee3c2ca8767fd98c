"""A running server keeps answering while `assistant ingest` writes beside it, and then sees the new articles."""

from __future__ import annotations

import shutil
import subprocess

import time

import httpx

from assistant.build import build_assistant
from assistant.settings import SAMPLE_ARTICLES, Settings
from helpers import BIN, Server, cli_env
from index.persian.fold import persian_digits
import pytest

pytestmark = pytest.mark.subprocess

GOLESTAN, GILAN = "000_35ffd71e27c3aa0e", "001_2df5e54f2db4a315"


def test_the_server_answers_during_an_ingest_and_sees_its_articles_after(tmp_path):
    from ui.server import create_app

    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SAMPLE_ARTICLES / f"{GOLESTAN}.txt", folder)
    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    assistant = build_assistant(settings)
    assistant.ingest([folder])
    assistant.warm_up()
    # more articles for the ingest beside the server: Gilan's, and eight variants of the others
    shutil.copy(SAMPLE_ARTICLES / f"{GILAN}.txt", folder)
    for i, f in enumerate(sorted(SAMPLE_ARTICLES.glob("*.txt"))[2:] * 3):
        (folder / f"extra{i}.txt").write_text(f"گزارش {persian_digits(i)}\n" + f.read_text(encoding="utf-8"),
                                               encoding="utf-8")
    with Server(create_app(assistant, settings)) as server, httpx.Client(base_url=server.url,
                                                                                      timeout=60) as client:
        env = cli_env(data)
        ingest = subprocess.Popen([str(BIN), "ingest", str(folder), "--quiet"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        statuses, slowest = [], 0.0
        while ingest.poll() is None:
            t = time.perf_counter()
            r = client.post("/api/ask", json={"question": "صادرات تعاونی‌های گلستان چقدر بود؟"})
            slowest = max(slowest, time.perf_counter() - t)
            statuses.append(r.status_code)
            time.sleep(0.2)
        assert ingest.wait() == 0, ingest.stderr.read()
        assert len(statuses) >= 3 and set(statuses) == {200}                # answered all along
        assert slowest < 30, f"a question waited {slowest:.1f} s during the ingest"
        after = client.post("/api/ask", json={"question": "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"}).json()
        assert "۳۴ میلیون" in after["answer"] and after["sources"][0]["doc_id"] == GILAN
        health = client.get("/healthz").json()
        assert health["documents"] == 11
    assistant.close()

