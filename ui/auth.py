"""The access token: one check, applied by one middleware to every page and API route.

With ``access_token`` set, a request needs the token as ``Authorization: Bearer`` or as ``?token=``;
the pages also take it from a same-site cookie (set after the first ``?token=``) or, for the widget inside another site's page where
browsers drop cookies, in the widget's own URL: the widget's requests carry that URL as their
``Referer`` (same-origin, ``Referrer-Policy: same-origin``) and the token is read from there.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Request, Security
from fastapi.params import Depends
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from assistant import wording
from ui.errors import ApiError, error_payload

TOKEN_COOKIE = "assistant_token"
OPEN_PATHS = ("/healthz", "/static/", "/widget.js")   # the widget's script loads on the host page
API_PATHS = ("/api/", "/v1/", "/mcp")                  # JSON for scripts: the header or ?token= only
MISSING_TOKEN = ("missing or wrong token: send the header 'Authorization: Bearer <token>' "
                 "or add ?token=<token> to the URL")


def _matches(value: str | None, token: str) -> bool:
    # compare bytes: hmac.compare_digest refuses non-ASCII str
    return bool(value) and hmac.compare_digest(value.encode("utf-8"), token.encode("utf-8"))


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None (no header, another scheme, empty)."""
    auth = request.headers.get("authorization", "")
    return (auth[7:].strip() or None) if auth[:7].lower() == "bearer " else None


def bearer_given(request: Request, token: str) -> bool:
    """Whether the request carries `token` as `Authorization: Bearer`."""
    return _matches(bearer(request), token)


def token_given(request: Request, token: str, *, pages: bool = True) -> bool:
    """Whether ``request`` carries ``token``: as a Bearer header or ``?token=``, and for ``pages`` (not the
    JSON APIs, which scripts call) also in the cookie or the widget's same-origin Referer."""
    if bearer_given(request, token):
        return True
    if _matches(request.query_params.get("token"), token):
        return True
    if not pages:
        return False
    if _matches(request.cookies.get(TOKEN_COOKIE), token):
        return True
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        if parts.netloc == request.headers.get("host") and any(
                _matches(v, token) for v in parse_qs(parts.query).get("token", [])):
            return True
    return False


def reader_security(token_required: bool, *, query: bool = True) -> list[Depends]:
    """The routes' dependencies that describe the readers' token in OpenAPI (``Authorization: Bearer``, and
    ``?token=`` when ``query``). The check itself is :func:`require_token`'s middleware, which also guards the
    mounted Gradio and MCP apps that no FastAPI dependency reaches, and refuses a request before its body is read."""
    if not token_required:
        return []
    schemes = [Security(HTTPBearer(auto_error=False, description="Authorization: Bearer <token>"))]
    if query:
        schemes.append(Security(APIKeyQuery(name="token", auto_error=False, description="?token=<token>")))
    return schemes


def admin_required(token: str):
    """A dependency for the admin routes: 401 without a Bearer token, 403 with another one (the readers' token
    is not the admin's). It runs before the route reads a body, so an upload without the token is never read."""
    scheme = HTTPBearer(auto_error=False, description="Authorization: Bearer <admin token>")

    def admin(credentials: HTTPAuthorizationCredentials | None = Security(scheme)) -> None:
        given = credentials.credentials.strip() if credentials else ""
        if not given:
            raise ApiError(401, "this needs the admin token: send the header 'Authorization: Bearer <admin token>'",
                           {"WWW-Authenticate": "Bearer"})
        if not _matches(given, token):
            raise ApiError(403, "wrong admin token (the readers' access token is not an admin token)")

    return admin


def require_token(app: FastAPI, token: str, *, open_paths: tuple[str, ...] = OPEN_PATHS,
                  admin_token: str | None = None) -> None:
    """Refuse every request to ``app`` without ``token`` (except ``open_paths``), before its body is read:
    API calls get JSON 401 with ``WWW-Authenticate: Bearer`` (OpenAI's error shape under ``/v1/``, code
    ``invalid_api_key``), pages a Persian sentence. The admin's token (``admin_token``, as a Bearer header)
    opens everything too; the admin page itself carries no data and is open (``ui/admin.py`` checks the
    admin token on every admin call)."""
    if admin_token:
        open_paths = (*open_paths, "/admin")
    if not token.strip():
        raise ValueError("access_token is set but empty: give a real token, or unset it for no authentication")

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        api = path.startswith(API_PATHS)
        if (not path.startswith(open_paths) and not token_given(request, token, pages=not api)
                and not (admin_token and bearer_given(request, admin_token))):
            if api or request.method != "GET":
                return JSONResponse(error_payload(path, 401, MISSING_TOKEN, code="invalid_api_key"), status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            return HTMLResponse(f'<p dir="rtl" style="font-family:Tahoma">{wording.NEEDS_TOKEN}</p>', status_code=401)
        response = await call_next(request)
        if _matches(request.query_params.get("token"), token) and not path.startswith("/widget"):
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax")
        return response
