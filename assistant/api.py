"""The HTTP API: ``POST /api/ask``, ``GET /api/search``, ``GET /healthz`` as a FastAPI ``APIRouter``.

Wiring (the app is built elsewhere)::

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_api_router(lambda: assistant, max_question_chars=1000, token=None))

Every error is JSON ``{"error": "<one clear English sentence>"}`` (validation errors add
``"detail": [{"type", "loc", "msg"}]``), never a stack trace:

======  =====================================================================================
400     the body is empty or not valid JSON (lone surrogates and raw control characters included)
401     a token is configured and the request has neither ``Authorization: Bearer <token>`` nor
        ``?token=<token>`` with the right value (``/healthz`` stays open)
413     the body is larger than ``max_body_bytes`` (from Content-Length, or counted while reading a
        chunked body: at most ``max_body_bytes`` plus one network chunk is ever held)
415     a Content-Type is sent and it is not JSON (no Content-Type at all is accepted)
422     a well-formed request asks for something invalid: missing/extra fields, wrong types, an empty
        or over-long question (``max_question_chars``), too many or over-long history items, ``k``
        outside 1..20, or the assistant's own ``QuestionError``
503     the index cannot answer (empty, locked, built with another model, Chroma down: the message of
        ``assistant.errors.describe``); ``/healthz`` answers 503 ``{"status": "error", "error"}``
500     ``{"error": "internal error"}``; the traceback goes to the log
======  =====================================================================================

Text hygiene: NUL and the other C0/C1 control characters (except tab, newline and carriage return),
the bidi embedding/override/isolate controls U+202A–U+202E and U+2066–U+2069, and the Unicode tag
characters U+E0000–U+E007F are *stripped* from the question, history items and search queries before
anything else (the same characters the index already drops from the articles). They are invisible,
so a pasted question that carries them is answered as the user sees it; the answer's ``question``
field shows the cleaned text. Length limits apply after cleaning and trimming.

The assistant's ``ask``/``search``/``stats`` are synchronous and CPU-bound, so the endpoints are
plain ``def`` functions: FastAPI runs them in its thread pool and the event loop stays free. Only
reading the body (an ``async`` dependency) runs on the loop. Concurrent first requests are safe: the
index stores open once, under their own locks.
"""

import copy
import hmac
import logging
import re
from typing import Annotated, Any, Callable, Literal, Union

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictStr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.build import Assistant
from assistant.chain import QuestionError
from assistant.errors import describe

log = logging.getLogger(__name__)

MAX_HISTORY_ITEMS = 20
HISTORY_CHARS_FACTOR = 4      # a history item may be this many times longer than a question
MAX_K = 20
DEFAULT_MAX_QUESTION_CHARS = 1000
# On a 413 the server hangs up instead of draining (and discarding) the rest of an oversized upload.
_CLOSE = {"Connection": "close"}

# Invisible characters removed from every text the API receives (see the module docstring).
_STRIPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]")


def clean_text(text: str) -> str:
    """``text`` without NUL/control characters, bidi overrides/isolates and tag characters, trimmed."""
    return _STRIPPED.sub("", text).strip()


# ------------------------------------------------------------------------------------------- errors
class ApiError(Exception):
    """An error answered as ``{"error": message}`` with ``status`` (raised by endpoints and dependencies)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.message}, status_code=self.status, headers=self.headers)


def _loc_text(loc: tuple | list) -> str:
    """``("body", "history", 3, "message", "role")`` → ``history[3].role`` (union tags dropped)."""
    out = ""
    previous: Any = None
    for i, part in enumerate(loc):
        if i == 0 and part == "body" and len(loc) > 1:   # FastAPI's prefix for body fields
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
    if kind == "extra_forbidden":
        return f"unknown field {prefix}{name!r}"
    if kind == "missing":
        return f"{prefix}{name} is required"
    if msg.startswith(name):
        return prefix + msg
    return f"{prefix}{name}: {msg}"


def _validation_payload(errors: list[dict]) -> tuple[int, dict]:
    """Status and ``{"error", "detail"}`` for a list of pydantic errors (400 for bad JSON, else 422)."""
    sentences: list[str] = []
    for e in errors:
        s = _error_sentence(e)
        if s not in sentences:
            sentences.append(s)
    message = "; ".join(sentences[:5]) + (f" (and {len(sentences) - 5} more)" if len(sentences) > 5 else "")
    detail = [{"type": e.get("type"), "loc": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
               "msg": str(e.get("msg"))} for e in errors[:20]]
    status = 400 if any(e.get("type") == "json_invalid" for e in errors) else 422
    return status, {"error": message or "invalid request", "detail": detail}


def _validation_response(errors: list[dict]) -> JSONResponse:
    status, payload = _validation_payload(errors)
    return JSONResponse(payload, status_code=status)


class _ApiRoute(APIRoute):
    """Turns :class:`ApiError` and validation errors into ``{"error"}`` JSON inside the router itself,
    so the API's error format does not depend on the app's exception handlers."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route_handler(request: Request):
            try:
                return await handler(request)
            except ApiError as exc:
                return exc.response()
            except RequestValidationError as exc:
                return _validation_response(list(exc.errors()))

        return route_handler


def install_error_handlers(app: FastAPI) -> None:
    """Make the app's own errors JSON ``{"error", ...}`` too: validation errors (400 for malformed
    JSON, 422 otherwise), HTTP errors such as 404/405, and :class:`ApiError` raised outside the router."""

    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_response(list(exc.errors()))

    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"not found: {request.method} {request.url.path}"
        elif exc.status_code == 405 and exc.detail == "Method Not Allowed":
            message = f"method {request.method} is not allowed on {request.url.path}"
        else:
            message = exc.detail if isinstance(exc.detail, str) else "request failed"
        payload: dict[str, Any] = {"error": message}
        if not isinstance(exc.detail, str) and exc.detail is not None:
            payload["detail"] = exc.detail
        return JSONResponse(payload, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    async def on_api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(ApiError, on_api_error)


# ----------------------------------------------------------------------------------- request models
def _limit(info: ValidationInfo) -> int:
    return int((info.context or {}).get("max_question_chars", DEFAULT_MAX_QUESTION_CHARS))


def _clean_history_text(value: str, info: ValidationInfo) -> str:
    value = clean_text(value)
    limit = _limit(info) * HISTORY_CHARS_FACTOR
    if len(value) > limit:
        raise PydanticCustomError("history_item_too_long", "has {length} characters; the limit is {limit}",
                                  {"length": len(value), "limit": limit})
    return value


class Message(BaseModel):
    """One earlier turn of the chat."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"] = Field(description="Who wrote it; only the user's turns are used.")
    content: StrictStr = Field(description="The text of the turn.")

    @field_validator("content")
    @classmethod
    def _content(cls, value: str, info: ValidationInfo) -> str:
        return _clean_history_text(value, info)


def _history_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (dict, Message)):
        return "message"
    return None


HistoryText = Annotated[StrictStr, AfterValidator(_clean_history_text),
                        Field(description="An earlier question of the chat.")]
HistoryItem = Annotated[
    Union[Annotated[HistoryText, Tag("text")], Annotated[Message, Tag("message")]],
    Discriminator(_history_kind, custom_error_type="history_item_type",
                  custom_error_message='each history item must be a string or an object '
                                       '{"role": "user" | "assistant", "content": "..."}'),
]


class AskRequest(BaseModel):
    """A question, and optionally the earlier turns of the chat (oldest first) for follow-ups."""

    model_config = ConfigDict(extra="forbid")

    question: StrictStr = Field(description="The question, in Persian (or English).",
                                examples=["صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"])
    history: list[HistoryItem] = Field(
        default_factory=list, max_length=MAX_HISTORY_ITEMS,
        description=f"Earlier turns, oldest first: strings (earlier questions) or messages; at most "
                    f"{MAX_HISTORY_ITEMS} items.")

    @field_validator("question")
    @classmethod
    def _question(cls, value: str, info: ValidationInfo) -> str:
        value = clean_text(value)
        if not value:
            raise PydanticCustomError("question_empty", "question is empty")
        limit = _limit(info)
        if len(value) > limit:
            raise PydanticCustomError("question_too_long", "question has {length} characters; the limit is {limit}",
                                      {"length": len(value), "limit": limit})
        return value

    def history_for_chain(self) -> list:
        """History as the chain takes it: strings and ``{"role", "content"}`` dicts; empty strings dropped."""
        out: list = []
        for item in self.history:
            if isinstance(item, Message):
                out.append({"role": item.role, "content": item.content})
            elif item:
                out.append(item)
        return out


# ---------------------------------------------------------------------------------- response models
# These describe the JSON for the OpenAPI page; the endpoints return Answer.as_dict() etc. as is.
class SourceOut(BaseModel):
    n: int = Field(description="The citation number used in the answer text ([۱] is 1).")
    doc_id: str
    title: str
    source: str = Field(description="The article's file or URL.")
    text: str = Field(description="The passage.")
    quote: str = Field(description="The sentence of the passage that the answer relies on.")
    score: float
    chunk_id: str
    quote_start: int = Field(description="Offset of quote inside text.")
    quote_end: int


class ChartItem(BaseModel):
    label: str = Field(description="The province.")
    value: float
    unit: str | None
    n: int = Field(description="The number of the source citing this figure.")
    period: str | None


class AskResponse(BaseModel):
    """Exactly ``Answer.as_dict()``, the same JSON as ``assistant ask --json``."""

    question: str
    answer: str = Field(description="The answer with citation markers such as [۱], or the abstention sentence.")
    abstained: bool = Field(description="True when the articles do not hold the answer.")
    sources: list[SourceOut]
    related: list[SourceOut] = Field(description="When abstaining: the closest passages («شاید مرتبط»).")
    standalone_question: str = Field(description="The question after resolving a follow-up.")
    answerer: Literal["offline", "llm", "facts"] = Field(
        description="offline (sentences of the articles), llm, or facts (a question across articles).")
    notes: list[str] = Field(description="Persian notes for the user (e.g. the LLM was unavailable).")
    chart: list[ChartItem] = Field(description="For questions across articles: the compared figures.")
    timings_ms: dict[str, float]


class PassageOut(BaseModel):
    doc_id: str
    title: str
    source: str
    text: str
    score: float
    chunk_id: str
    start: int = Field(description="Offset of the passage in the article's text.")
    end: int


class SearchResponse(BaseModel):
    query: str = Field(description="The query as searched (invisible control characters removed).")
    results: list[PassageOut]


class HealthResponse(BaseModel):
    status: Literal["ok"]
    index_loaded: bool = Field(description="The index holds passages (something was ingested).")
    documents: int
    chunks: int
    embedding_model: str
    answerer: Literal["offline", "llm"]


class HealthError(BaseModel):
    status: Literal["error"]
    error: str


class ErrorResponse(BaseModel):
    error: str = Field(description="What went wrong, in one English sentence.")
    detail: list[dict[str, Any]] | None = Field(None, description="Validation errors: type, loc, msg.")


def _inline_refs(schema: dict) -> dict:
    """A JSON schema with its ``$defs`` substituted in place (for ``openapi_extra``)."""
    schema = copy.deepcopy(schema)
    defs = schema.pop("$defs", {})

    def resolve(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def _errors(*codes: int) -> dict:
    text = {400: "Empty body or malformed JSON", 401: "Missing or wrong token", 413: "Body too large",
            415: "Content-Type is not JSON", 422: "Invalid request", 500: "Internal error",
            503: "The index cannot answer now"}
    return {c: {"model": ErrorResponse, "description": text[c]} for c in codes}


# --------------------------------------------------------------------------------------------- router
def make_api_router(get_assistant: Callable[[], Assistant], *, max_question_chars: int = DEFAULT_MAX_QUESTION_CHARS,
                    max_body_bytes: int = 64_000, token: str | None = None) -> APIRouter:
    """The API routes, reading the shared :class:`Assistant` from ``get_assistant()`` on each request.

    ``max_question_chars``: longest question (history items: 4×); ``max_body_bytes``: largest request
    body; ``token``: when set, every ``/api/*`` route needs ``Authorization: Bearer <token>`` or
    ``?token=<token>``."""
    if max_question_chars < 1:
        raise ValueError(f"max_question_chars must be positive, got {max_question_chars}")
    if max_body_bytes < 1:
        raise ValueError(f"max_body_bytes must be positive, got {max_body_bytes}")
    if token is not None and not token.strip():
        raise ValueError("token is set but empty: give a real token, or None for no authentication")

    router = APIRouter(route_class=_ApiRoute)
    context = {"max_question_chars": max_question_chars}
    secured: list = []
    if token:
        secured = [Depends(_token_dependency(token))]

    async def read_body(request: Request) -> bytes:
        """The raw body, refused past ``max_body_bytes`` without reading the rest."""
        length = request.headers.get("content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                raise ApiError(400, f"Content-Length is not a number: {length[:40]!r}") from None
            if declared > max_body_bytes:
                raise ApiError(413, f"the request body has {declared} bytes; the limit is {max_body_bytes} bytes",
                               headers=_CLOSE)
        content_type = request.headers.get("content-type")
        if content_type:
            media = content_type.split(";", 1)[0].strip().lower()
            if media != "application/json" and not media.endswith("+json"):
                raise ApiError(415, f"Content-Type must be application/json, got {media[:60]!r} "
                                    '(with curl: -H "Content-Type: application/json")')
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body_bytes:
                raise ApiError(413, f"the request body is larger than the limit of {max_body_bytes} bytes",
                               headers=_CLOSE)
            chunks.append(chunk)
        if size == 0:
            raise ApiError(400, 'the request body is empty: send JSON like {"question": "..."}')
        return b"".join(chunks)

    def run(call: Callable[[Assistant], Any], what: str) -> Any:
        """``call(assistant)`` with the assistant's errors mapped to 422/503/500. Concurrent first calls
        are safe: the index stores open once, under their own locks (index/store.py, index/vectors.py)."""
        return _mapped(call, _get(what), what)

    def _get(what: str) -> Assistant:
        try:
            return get_assistant()
        except Exception as exc:  # noqa: BLE001
            message = describe(exc)
            if message is not None:
                raise ApiError(503, message) from None
            log.exception("%s: getting the assistant failed", what)
            raise ApiError(500, "internal error") from None

    def _mapped(call: Callable[[Assistant], Any], assistant: Assistant, what: str) -> Any:
        try:
            return call(assistant)
        except QuestionError as exc:
            raise ApiError(422, str(exc)) from None
        except Exception as exc:  # noqa: BLE001 (known errors become 503, the rest a logged 500)
            message = describe(exc)
            if message is not None:
                log.warning("%s failed: %s", what, message)
                raise ApiError(503, message) from None
            log.exception("%s failed with an unexpected error", what)
            raise ApiError(500, "internal error") from None

    ask_schema = _inline_refs(AskRequest.model_json_schema())

    @router.post(
        "/api/ask", tags=["questions"], summary="Answer a question, with cited sources",
        description=(f"Answers from the articles with numbered sources, or abstains. The body is "
                     f"`{{\"question\": str, \"history\"?: [str | {{\"role\", \"content\"}}]}}`; the question may "
                     f"have at most {max_question_chars} characters, history at most {MAX_HISTORY_ITEMS} items of "
                     f"{max_question_chars * HISTORY_CHARS_FACTOR} characters, the body at most {max_body_bytes} "
                     f"bytes. The response is the same JSON as `assistant ask --json`."),
        response_model=AskResponse, dependencies=secured,
        responses=_errors(400, 401, 413, 415, 422, 500, 503),
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": ask_schema}}}},
    )
    def ask(body: Annotated[bytes, Depends(read_body)]) -> JSONResponse:
        try:
            request = AskRequest.model_validate_json(body, context=context)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_input=False, include_url=False)) from None
        answer = run(lambda a: a.ask(request.question, request.history_for_chain()), "ask")
        return JSONResponse(answer.as_dict())

    @router.get(
        "/api/search", tags=["questions"], summary="Find the passages that best match a query",
        description=f"Hybrid (dense + BM25) search over the articles; `k` from 1 to {MAX_K}; `q` at most "
                    f"{max_question_chars} characters.",
        response_model=SearchResponse, dependencies=secured, responses=_errors(401, 422, 500, 503),
    )
    def search(
        q: Annotated[str, Query(description="The query, any spelling (ZWNJ, space or glued; any digits).")],
        k: Annotated[int, Query(ge=1, le=MAX_K, description="How many passages.")] = 5,
    ) -> JSONResponse:
        query = clean_text(q)
        if not query:
            raise ApiError(422, 'query parameter q is empty: give a query, e.g. /api/search?q=صادرات گیلان')
        if len(query) > max_question_chars:
            raise ApiError(422, f"query parameter q has {len(query)} characters; the limit is {max_question_chars}")
        passages = run(lambda a: a.search(query, k), "search")
        results = [{"doc_id": p.doc_id, "title": p.title, "source": p.source, "text": p.text,
                    "score": round(p.score, 4), "chunk_id": p.chunk_id, "start": p.start, "end": p.end}
                   for p in passages]
        return JSONResponse({"query": query, "results": results})

    @router.get(
        "/healthz", tags=["health"], summary="Whether the index can be read (no token needed)",
        response_model=HealthResponse,
        responses={503: {"model": HealthError, "description": "The index cannot be read"}},
    )
    def healthz() -> JSONResponse:
        try:
            assistant = get_assistant()
            stats = assistant.stats()
            payload = {
                "status": "ok",
                "index_loaded": int(stats["chunks"]) > 0,
                "documents": int(stats["documents"]),
                "chunks": int(stats["chunks"]),
                "embedding_model": str(stats["embedding_model"]),
                "answerer": "llm" if assistant.settings.llm_base_url else "offline",
            }
        except Exception as exc:  # noqa: BLE001
            message = describe(exc)
            if message is None:
                log.exception("health check failed with an unexpected error")
                message = "the index could not be read (see the server log)"
            else:
                log.warning("health check failed: %s", message)
            return JSONResponse({"status": "error", "error": message}, status_code=503)
        return JSONResponse(payload)

    return router


def _token_dependency(token: str):
    expected = token.encode("utf-8")
    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <token>")
    in_query = APIKeyQuery(name="token", auto_error=False, description="?token=<token>")

    async def require_token(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
        query_token: Annotated[str | None, Security(in_query)],
    ) -> None:
        given = [credentials.credentials if credentials else None, query_token]
        # compare bytes: hmac.compare_digest refuses non-ASCII str
        if any(g is not None and hmac.compare_digest(g.encode("utf-8"), expected) for g in given):
            return
        reason = ("missing or wrong token: send the header 'Authorization: Bearer <token>' "
                  "or add ?token=<token> to the URL")
        raise ApiError(401, reason, headers={"WWW-Authenticate": "Bearer"})

    return require_token
