"""The server's own rules over real HTTP: framing, CORS, access token, article pages, blocked files."""

from __future__ import annotations

import httpx

from helpers import ACCESS_TOKEN


def test_pages_and_headers(server, allowed_port):
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=False) as c:
        chat = c.get("/")
        assert chat.status_code == 200 and "text/html" in chat.headers["content-type"]
        assert chat.headers["content-security-policy"] == "frame-ancestors 'self'"
        assert chat.headers["x-frame-options"] == "SAMEORIGIN"
        widget = c.get("/widget/")
        assert widget.status_code == 200
        assert widget.headers["content-security-policy"] == f"frame-ancestors 'self' http://127.0.0.1:{allowed_port}"
        assert "x-frame-options" not in widget.headers
        redirect = c.get("/widget?token=x")
        assert redirect.status_code == 307 and redirect.headers["location"] == "/widget/?token=x"
        js = c.get("/widget.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"] and "taavon-widget-frame" in js.text
        font = c.get("/static/fonts/Vazirmatn-Regular.woff2")
        assert font.status_code == 200 and font.content[:4] == b"wOF2"
        assert c.get("/static/fonts/OFL.txt").status_code == 200
        docs = c.get("/docs")
        assert docs.status_code == 200 and "/api/ask" in docs.text and "cdn" not in docs.text.lower()
        assert "/api/ask" in c.get("/openapi.json").json()["paths"]


def test_article_page_shows_the_whole_article_as_text(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        page = c.get("/article/001_2df5e54f2db4a315")
        assert page.status_code == 200 and 'dir="rtl"' in page.text and "علی لقمانی" in page.text
        evil = c.get("/article/evil")
        assert "<script>" not in evil.text and "&lt;script&gt;" in evil.text and "<img" not in evil.text
        assert c.get("/article/no-such-article").status_code == 404


def test_cors_for_allowed_origins_only(server, allowed_port):
    allowed = f"http://127.0.0.1:{allowed_port}"
    with httpx.Client(base_url=server.url, timeout=60) as c:
        pre = c.options("/api/ask", headers={"Origin": allowed, "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "content-type"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == allowed
        r = c.get("/api/search", params={"q": "صادرات گیلان"}, headers={"Origin": allowed})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == allowed
        other = c.get("/api/search", params={"q": "صادرات گیلان"}, headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_the_data_directory_is_not_served(server, ui_index):
    target = ui_index / "record.sqlite3"
    candidates = sorted(ui_index.iterdir())
    target = next((p for p in candidates if p.is_file()), target)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for path in (f"/gradio_api/file={target}", f"/widget/gradio_api/file={target}", f"/file={target}"):
            r = c.get(path)
            assert r.status_code in (403, 404), (path, r.status_code)
            assert target.read_bytes()[:16] not in r.content


def test_access_token_guards_chat_widget_and_api(locked):
    with httpx.Client(base_url=locked.url, timeout=60) as c:
        assert c.get("/healthz").status_code == 200                      # monitoring stays open
        assert c.get("/widget.js").status_code == 200                    # the snippet itself is public
        assert c.get("/").status_code == 401 and "توکن" in c.get("/").text
        assert c.get("/widget/").status_code == 401
        r = c.post("/api/ask", json={"question": "صادرات گیلان چقدر بود؟"})
        assert r.status_code == 401 and "token" in r.json()["error"]
        ok = c.post("/api/ask", json={"question": "صادرات گیلان چقدر بود؟"},
                    headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})
        assert ok.status_code == 200 and ok.json()["sources"]
        assert c.get("/api/search", params={"q": "گیلان", "token": ACCESS_TOKEN}).status_code == 200
        assert c.get("/api/search", params={"q": "گیلان", "token": "wrong"}).status_code == 401
        # the chat: ?token= once, then a same-site cookie
        first = c.get("/", params={"token": ACCESS_TOKEN})
        assert first.status_code == 200 and "assistant_token" in first.headers.get("set-cookie", "")
        assert c.get("/").status_code == 200
    with httpx.Client(base_url=locked.url, timeout=60) as c:
        # the widget inside another site gets no cookie: its own requests carry the token in the Referer
        widget = f"{locked.url}/widget/?token={ACCESS_TOKEN}"
        assert c.get("/widget/", params={"token": ACCESS_TOKEN}).status_code == 200
        assert c.get("/widget/gradio_api/info", headers={"Referer": widget}).status_code != 401
        assert c.get("/widget/gradio_api/info", headers={"Referer": "http://evil.example/?token=" + ACCESS_TOKEN}).status_code == 401
