"""A real server (uvicorn on a free port) over a real index, and a real Chromium driven by Playwright."""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from assistant.build import build_assistant
from assistant.settings import Settings
from helpers import ACCESS_TOKEN, Server, free_port

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# An article that tries to run code and fetch from another host when shown.
EVIL = """تعاونی آزمایشی زعفران قائنات با ۳۱۷ عضو فعال است.
مدیر تعاونی زعفران گفت: <script>window.__xss = 1</script> این تعاونی <img src="http://127.0.0.2:9/pixel.png" onerror="window.__xss = 2"> زعفران صادر می‌کند.
در گزارش تعاونی زعفران آمده است: ![pixel](http://127.0.0.2:9/md.png) و <iframe src="http://127.0.0.2:9/frame"></iframe> بدون تغییر.
"""


class HostPage:
    """An intranet page on its own port that embeds the widget."""

    def __init__(self, html: str, port: int | None = None) -> None:
        body = html.encode("utf-8")

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def ui_index(tmp_path_factory, sample_index) -> Path:
    """The sample articles (a copy of the session's index) plus one hostile article."""
    folder = tmp_path_factory.mktemp("ui-articles")
    (folder / "evil.txt").write_text(EVIL, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("ui-index") / "data"
    shutil.copytree(sample_index, data_dir)
    a = build_assistant(Settings(data_dir=data_dir))
    assert a.ingest([folder]).documents_total == 6
    a.close()
    return data_dir


@pytest.fixture(scope="session")
def allowed_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def server(ui_index, allowed_port):
    from ui.server import create_app

    settings = Settings(data_dir=ui_index, allowed_origins=[f"http://127.0.0.1:{allowed_port}"])
    assistant = build_assistant(settings)
    assistant.warm_up()
    with Server(create_app(assistant, settings)) as s:
        s.assistant = assistant
        yield s
    assistant.close()


@pytest.fixture(scope="session")
def locked(ui_index):
    """The whole app over the same index with ``access_token`` set (helpers.ACCESS_TOKEN)."""
    from ui.server import create_app

    settings = Settings(data_dir=ui_index, access_token=ACCESS_TOKEN)
    assistant = build_assistant(settings)
    with Server(create_app(assistant, settings)) as s:
        yield s
    assistant.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):   # `make test` installs it (Makefile: browser); a fixture installs nothing
        pytest.skip(f"SKIPPING BROWSER TESTS: Chromium is not installed at {CHROMIUM}: run `make browser` "
                    "(apt-get install chromium, as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="fa-IR")
    p = context.new_page()
    p.requests = []
    p.on("request", lambda r: p.requests.append(r.url))
    yield p
    context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
