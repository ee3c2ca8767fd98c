"""One server process: the chat (``/``), the widget (``/widget``, ``/widget.js``), the HTTP API
(``/api/ask``, ``/api/search``, ``/healthz``, ``/docs``), the OpenAI-compatible chat (``/v1/models``,
``/v1/chat/completions``), the MCP server (``/mcp``, ``ui/mcp_server.py``), the admin page and API when
``admin_token`` is set (``/admin``, ``/api/documents``, ``ui/admin.py``) and the article pages
(``/article/{doc_id}``).

Nothing on the pages comes from outside the server: the font is served from ``/static``, Gradio's
analytics are off, and the API page is rendered here rather than by a CDN-hosted Swagger UI.

Headers: ``Content-Security-Policy: frame-ancestors`` lets only the allowed origins frame the widget
(and nobody but the server frame the chat); CORS lets the allowed origins call the API from a browser.

Access (``access_token`` set): every page, API and MCP call needs the token (``ui/auth.py``). Bodies of
``/api/`` and ``/mcp`` requests are limited to ``max_body_bytes``, of ``/v1/`` to ``max_chat_body_bytes``,
uploads to ``max_file_bytes`` per file (``ui/limits.py``).

The package: ``api.py`` (the JSON routes), ``openai_chat.py`` (the OpenAI-compatible chat), ``chat.py``
(the Gradio chat and widget pages), ``render.py`` (an answer as HTML), ``auth.py``, ``limits.py``,
``errors.py``, ``widget.js`` and ``static/`` (the font).
"""

from __future__ import annotations

import contextlib
import errno
import html
import logging
import os
import socket
from pathlib import Path

from fastapi import Request

from assistant import wording
from assistant.build import Assistant
from assistant.settings import Settings
from index.errors import AssistantError, Failure

log = logging.getLogger(__name__)

SELF = "'self'"
UI_DIR = Path(__file__).resolve().parent
STATIC_DIR = UI_DIR / "static"
MCP_HEADERS = ["Mcp-Protocol-Version", "Mcp-Method", "Mcp-Name"]   # what browser MCP clients send (no sessions)


def _article_page(assistant: Assistant, doc_id: str) -> str | None:
    doc = assistant.document(doc_id)
    if doc is None:
        return None
    from ui.render import escape

    from assistant.answer import byline

    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in doc.text.split("\n") if p.strip())
    line = byline(doc.outlet, doc.date) + (f"، {doc.author}" if doc.author else "")
    if doc.url:   # an article from the web: its byline and a link to the page it came from
        source = f'{escape(line)} — <a href="{escape(doc.url)}" rel="noopener noreferrer">{escape(doc.url)}</a>'
    else:
        source = escape(doc.source or "")
    return f"""<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(doc.title)}</title>
<style>@font-face{{font-family:Vazirmatn;src:url('/static/fonts/Vazirmatn-Regular.woff2') format('woff2');}}
body{{font-family:Vazirmatn,Tahoma,sans-serif;max-width:46em;margin:2em auto;padding:0 1em;line-height:2;}}
h1{{font-size:1.3em}} .src{{color:#555;font-size:.9em}}</style></head>
<body><h1>{escape(doc.title)}</h1><p class="src" dir="{'rtl' if doc.url else 'ltr'}">{source}</p>{paragraphs}</body></html>"""


def _docs_page(openapi: dict) -> str:
    rows = []
    for path, ops in openapi.get("paths", {}).items():
        for method, op in ops.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            params = ", ".join(p["name"] for p in op.get("parameters", []))
            rows.append(f"<tr><td><code>{method.upper()}</code></td><td><code>{html.escape(path)}</code></td>"
                        f"<td>{html.escape(op.get('summary', ''))}</td><td><code>{html.escape(params)}</code>"
                        f"{' JSON body' if body else ''}</td></tr>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}} td,th{{border-bottom:1px solid #ddd;padding:.4em}}</style>
</head><body><h1>{html.escape(openapi.get('info', {}).get('title', 'API'))}</h1>
<p>The machine-readable description is at <a href="/openapi.json">/openapi.json</a>.</p>
<table><tr><th>method</th><th>path</th><th>what</th><th>input</th></tr>{''.join(rows)}</table></body></html>"""


def create_app(assistant: Assistant, settings: Settings | None = None):
    """The FastAPI app with everything mounted. The assistant is loaded once and shared by all requests."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import HTMLResponse, RedirectResponse, Response
    from fastapi.staticfiles import StaticFiles

    from ui.api import make_api_router
    from ui.auth import require_token
    from ui.chat import CSS, build_blocks
    from ui.errors import ApiError, install_error_handlers
    from ui.limits import BodyLimit
    from ui.mcp_server import build_mcp_server, http_app
    from ui.openai_chat import make_openai_router

    settings = settings or assistant.settings
    token = settings.access_token.get_secret_value() if settings.access_token else None
    origins = list(settings.allowed_origins)
    frame_ancestors = " ".join([SELF, *origins]) if "*" not in origins else "*"   # who may frame the widget

    mcp = build_mcp_server(assistant)
    mcp_app = http_app(mcp, settings)

    from ui.syncs import SyncRunner

    syncs = SyncRunner(assistant)

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        if settings.sync_schedule:
            syncs.start_schedule()
        try:
            async with mcp.session_manager.run():   # the MCP app's own lifespan never runs in this app: start it here
                yield
        finally:
            syncs.stop()

    app = FastAPI(title="Cooperative-news assistant API", docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.syncs = syncs
    install_error_handlers(app)
    app.include_router(make_api_router(lambda: assistant, max_question_chars=settings.max_question_chars,
                                       token_required=bool(token)))
    app.include_router(make_openai_router(lambda: assistant, max_question_chars=settings.max_question_chars,
                                          token_required=bool(token)))

    admin_token = settings.admin_token.get_secret_value() if settings.admin_token else None
    if admin_token:
        from ui.admin import make_admin_router

        from ui.admin_sources import make_sources_router

        app.include_router(make_admin_router(assistant, admin_token, settings.max_upload_files))
        app.include_router(make_sources_router(assistant, admin_token, syncs))
    else:
        @app.get("/api/feedback", include_in_schema=False)
        def no_admin_api() -> None:   # POST /api/feedback is the readers'; the list is the admin's
            raise ApiError(404, "not found: GET /api/feedback (the admin API is off: set ASSISTANT_ADMIN_TOKEN)")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app.openapi()))

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> Response:
        return Response((UI_DIR / "widget.js").read_text(encoding="utf-8"), media_type="application/javascript",
                        headers={"Cache-Control": "no-cache"})

    @app.get("/article/{doc_id:path}", include_in_schema=False)
    def article(doc_id: str) -> HTMLResponse:
        page = _article_page(assistant, doc_id)
        if page is None:
            return HTMLResponse(f'<p dir="rtl">{wording.ARTICLE_NOT_FOUND}</p>', status_code=404)
        return HTMLResponse(page)

    @app.get("/widget", include_in_schema=False)
    def widget_slash(request: Request) -> RedirectResponse:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/widget/{query}", status_code=307)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # /mcp exactly (no redirect), before Gradio's catch-all mount; /mcp/ is redirected there by the MCP app
    app.router.add_route("/mcp", mcp_app, include_in_schema=False)
    app.router.add_route("/mcp/", mcp_app, include_in_schema=False)

    upload_limit = settings.max_file_bytes * settings.max_upload_files + 1_000_000   # per file: ui/admin.py
    app.add_middleware(BodyLimit, limits={"/api/": settings.max_body_bytes, "/v1/": settings.max_chat_body_bytes,
                                          "/mcp": settings.max_body_bytes, "/api/documents": upload_limit},
                       streamed=("/api/documents",))

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        widget = request.url.path.startswith("/widget")
        response.headers["Content-Security-Policy"] = f"frame-ancestors {frame_ancestors if widget else SELF}"
        if not widget:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    if token:
        require_token(app, token, admin_token=admin_token)   # outside the body limit: a request without the token is refused unread
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type", *MCP_HEADERS], max_age=600)

    blocked = [str(Path(settings.data_dir).resolve())]
    common = dict(css=CSS, blocked_paths=blocked, footer_links=[], show_error=False, ssr_mode=False)
    widget = build_blocks(assistant, compact=True, max_chars=settings.max_question_chars)
    widget.queue(default_concurrency_limit=settings.ui_concurrency, max_size=settings.ui_queue_size, api_open=False)
    gr.mount_gradio_app(app, widget, path="/widget", **common)
    chat = build_blocks(assistant, compact=False, max_chars=settings.max_question_chars)
    chat.queue(default_concurrency_limit=settings.ui_concurrency, max_size=settings.ui_queue_size, api_open=False)
    gr.mount_gradio_app(app, chat, path="", **common)
    return app


class PortInUse(AssistantError, OSError):
    """The port ``assistant serve`` was asked to listen on is taken."""

    failure = Failure.CONFIG


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; :class:`PortInUse` (one line naming the port and the fix)
    when another program holds it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(exc.errno, f"port {port} on {host} is already in use: stop the program using it, or "
                                       f"pick another port with `assistant serve --port {port + 1}` "
                                       f"(or ASSISTANT_PORT)") from None
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def serve(settings: Settings, assistant: Assistant, sock: socket.socket | None = None) -> None:
    """Run the server until interrupted (uvicorn, one process, requests on a thread pool) on ``sock``
    (from :func:`listen`; made here when not given). The address is printed once the port is held, so a
    busy port fails before anything claims to be serving."""
    import uvicorn

    sock = sock or listen(settings.host, settings.port)
    app = create_app(assistant, settings)
    shown = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0") else settings.host
    print(f"serving on http://{shown}:{settings.port}/  (widget: http://{shown}:{settings.port}/widget.js, "
          f"API: http://{shown}:{settings.port}/docs)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])


__all__ = ["create_app", "serve"]
