"""Helpers the tests share: a free port, a real server in a thread, the CLI run with a clean environment."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "assistant"   # the console script of the installed package
ACCESS_TOKEN = "s3cret-token"   # the token of the UI tests' locked server (tests/ui/conftest.py: locked)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli_env(data_dir: Path | str | None = None, **extra: str) -> dict[str, str]:
    """The environment a CLI subprocess gets: none of the developer's ASSISTANT_* settings, no model hub,
    ``ASSISTANT_DATA_DIR`` when given, then ``extra`` (``ASSISTANT_LLM_MODEL="m"``, ...)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["HF_HUB_OFFLINE"] = "1"
    if data_dir is not None:
        env["ASSISTANT_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def write_varied_articles(folder: Path, count: int, prefix: str) -> Path:
    """``count`` distinct articles made from the samples in ``folder`` (``<prefix>00.txt`` ...): a numbered
    headline, and every Persian figure of the i-th one raised by i + 1."""
    from assistant.settings import SAMPLE_ARTICLES
    from index.persian.fold import latin_digits, persian_digits

    samples = sorted(SAMPLE_ARTICLES.glob("*.txt"))
    for i in range(count):
        text = samples[i % len(samples)].read_text(encoding="utf-8")
        text = re.sub(r"[۰-۹]+", lambda m, i=i: persian_digits(int(latin_digits(m.group(0))) + i + 1), text)
        (folder / f"{prefix}{i:02d}.txt").write_text(
            f"گزارش شماره {persian_digits(i)} دربارهٔ تعاونی‌ها\n{text}", encoding="utf-8")
    return folder


def run_cli(*args: str, data_dir: Path | str | None = None, env: dict[str, str] | None = None,
            input_text: str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``assistant ARGS...`` in a subprocess with :func:`cli_env` (or ``env``); text output captured."""
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, input=input_text, timeout=timeout,
                          env=env if env is not None else cli_env(data_dir))


class Server:
    """uvicorn serving ``app`` in a daemon thread on a free port (``with Server(app) as s: s.url``)."""

    def __init__(self, app, port: int | None = None) -> None:
        import uvicorn

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
