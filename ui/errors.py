"""Errors over HTTP: every failure is JSON ``{"error": "<one clear English sentence>"}``, never a trace.

Validation errors add ``"detail": [{"type", "loc", "msg"}]``; malformed JSON is 400, any other invalid
request 422; 404/405 name the method and path. :class:`ApiError` is what routes, dependencies and
middleware raise or answer with.

Under ``/v1/`` (the OpenAI-compatible chat, ``ui/openai_chat.py``) errors have OpenAI's shape instead,
``{"error": {"message", "type", "param", "code"}}``, so OpenAI clients read them: :func:`error_payload`
picks the shape by path, and the app's handlers and the middleware (token, body size) use it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from pydantic_core import from_json
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import AssistantError


OPENAI_PREFIX = "/v1/"


def openai_error_payload(message: str, *, type_: str = "invalid_request_error", param: str | None = None,
                         code: str | None = None) -> dict:
    """OpenAI's error body: ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def error_payload(path: str, status: int, message: str, *, code: str | None = None) -> dict:
    """The error body for a request to ``path``: OpenAI's shape under ``/v1/``, ``{"error": message}`` elsewhere."""
    if path.startswith(OPENAI_PREFIX):
        return openai_error_payload(message, type_="server_error" if status >= 500 else "invalid_request_error",
                                    code=code)
    return {"error": message}


class ApiError(AssistantError):
    """An error answered as ``{"error": message}`` with ``status`` (the HTTP front ends' own; the core's
    errors become one through ``ui/failures.py``)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.message}, status_code=self.status, headers=self.headers)


class ErrorResponse(BaseModel):
    error: str = Field(description="What went wrong, in one English sentence.")
    detail: list[dict[str, Any]] | None = Field(None, description="Validation errors: type, loc, msg.")


_DESCRIPTIONS = {400: "Empty body or malformed JSON", 401: "Missing or wrong token", 403: "Wrong admin token",
                 404: "No such document", 409: "Another process or upload is writing the index",
                 413: "Body too large",
                 415: "Content-Type is not JSON", 422: "Invalid request", 500: "Internal error",
                 503: "The index cannot answer now"}


def error_responses(*codes: int) -> dict:
    """The ``responses=`` of a route that can fail with ``codes`` (for the OpenAPI description)."""
    return {c: {"model": ErrorResponse, "description": _DESCRIPTIONS[c]} for c in codes}


def _loc_text(loc: tuple | list) -> str:
    """``("body", "history", 3, "message", "role")`` → ``history[3].role`` (union tags dropped)."""
    out = ""
    previous: Any = None
    for i, part in enumerate(loc):
        if i == 0 and part == "body":   # FastAPI's prefix for the body and its fields
            previous = part
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("text", "message") and isinstance(previous, int):
            pass  # the tag of the history-item union, not a field
        else:
            out += ("." if out else "") + str(part)
        previous = part
    return out


_QUERY_SOURCES = {"query": "query parameter", "header": "header", "path": "path parameter", "cookie": "cookie"}


def _error_sentence(error: dict) -> str:
    loc = list(error.get("loc") or ())
    kind = error.get("type", "")
    msg = str(error.get("msg", "invalid"))
    if kind == "json_invalid":
        reason = (error.get("ctx") or {}).get("error") or msg.removeprefix("Invalid JSON: ")
        return f"the request body is not valid JSON: {reason}"
    prefix = ""
    if loc and loc[0] in _QUERY_SOURCES:
        prefix = _QUERY_SOURCES[loc[0]] + " "
        loc = loc[1:]
    name = _loc_text(loc)
    if not name:
        if kind in ("model_type", "model_attributes_type", "dict_type"):
            return 'the request body must be a JSON object like {"question": "..."}'
        return msg
    if kind == "list_type":   # the body is JSON: say it as JSON does
        msg = "Input should be a valid array"
    if kind == "extra_forbidden":
        return f"unknown field {prefix}{name!r}"
    if kind == "missing":
        return f"{prefix}{name} is required"
    if msg.startswith(name):
        return prefix + msg
    return f"{prefix}{name}: {msg}"


def validation_message(errors: list[dict]) -> str:
    """One sentence for a list of pydantic errors (the first five, each once)."""
    sentences: list[str] = []
    for e in errors:
        s = _error_sentence(e)
        if s not in sentences:
            sentences.append(s)
    return "; ".join(sentences[:5]) + (f" (and {len(sentences) - 5} more)" if len(sentences) > 5 else "")


def validation_response(errors: list[dict]) -> JSONResponse:
    """``{"error", "detail"}`` for a list of pydantic errors: 400 for malformed JSON, else 422."""
    message = validation_message(errors)
    detail = [{"type": e.get("type"), "loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
               "msg": str(e.get("msg"))} for e in errors[:20]]
    status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
    return JSONResponse({"error": message or "invalid request", "detail": detail}, status_code=status)


class StrictJSONRequest(Request):
    """A request whose JSON body is read by pydantic's parser, not ``json.loads``: a lone surrogate
    (``"\\ud800"``) or a raw control character in a string is malformed JSON (400), never a question."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = from_json(body)
            except ValueError as exc:
                raise json.JSONDecodeError(str(exc), body.decode("utf-8", "replace"), 0) from None
        return self._json


class ApiRoute(APIRoute):
    """Turns :class:`ApiError` and validation errors into ``{"error"}`` JSON inside a router itself,
    so the API's error format does not depend on the app's exception handlers; bodies are parsed strictly
    (:class:`StrictJSONRequest`)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route_handler(request: Request):
            request = StrictJSONRequest(request.scope, request.receive)
            try:
                return await handler(request)
            except ApiError as exc:
                return exc.response()
            except RequestValidationError as exc:
                return validation_response(list(exc.errors()))

        return route_handler


def install_error_handlers(app: FastAPI) -> None:
    """Make the app's own errors JSON ``{"error", ...}`` too: validation errors, HTTP errors such as
    404/405, and :class:`ApiError` raised outside a router."""

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith(OPENAI_PREFIX):
            message = validation_message(list(exc.errors())) or "invalid request"
            return JSONResponse(error_payload(request.url.path, 400, message), status_code=400)
        return validation_response(list(exc.errors()))

    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"not found: {request.method} {request.url.path}"
        elif exc.status_code == 405 and exc.detail == "Method Not Allowed":
            message = f"method {request.method} is not allowed on {request.url.path}"
        else:
            message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if request.url.path.startswith(OPENAI_PREFIX):
            code = {404: "unknown_url", 405: "method_not_allowed"}.get(exc.status_code)
            return JSONResponse(error_payload(request.url.path, exc.status_code, message, code=code),
                                status_code=exc.status_code, headers=getattr(exc, "headers", None))
        payload: dict[str, Any] = {"error": message}
        if not isinstance(exc.detail, str) and exc.detail is not None:
            payload["detail"] = exc.detail
        return JSONResponse(payload, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    async def on_api_error(request: Request, exc: ApiError) -> JSONResponse:
        if request.url.path.startswith(OPENAI_PREFIX):
            return JSONResponse(error_payload(request.url.path, exc.status, exc.message), status_code=exc.status,
                                headers=exc.headers)
        return exc.response()

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ApiError, on_api_error)
