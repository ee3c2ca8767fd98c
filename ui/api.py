"""The HTTP API: ``POST /api/ask``, ``GET /api/search``, ``POST /api/feedback``, ``GET /healthz`` as a
FastAPI ``APIRouter``.

Wiring (``ui/server.py`` builds the app)::

    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_api_router(lambda: assistant, max_question_chars=1000))

The answer is :class:`ui.shapes.AnswerOut` (the assistant's answer with where to read each source; its JSON is
``assistant ask --json``). The body
size limit (413) and the access token (401) are the app's middleware (``ui/limits.py``,
``ui/auth.py``); errors are JSON ``{"error": "<one clear English sentence>"}`` (``ui/errors.py``):

======  =====================================================================================
400     the body is empty or not valid JSON (lone surrogates and raw control characters included)
415     a Content-Type is sent and it is not JSON (no Content-Type at all is accepted)
422     a well-formed request asks for something invalid: missing/extra fields, wrong types, an empty
        or over-long question (``max_question_chars``), too many or over-long history items, ``k``
        outside 1..20, or the assistant's own ``QuestionError``; for feedback a rating other than "up" or
        "down", a comment over 4,000 characters, an empty question or answer (``FeedbackError``)
503     the index cannot answer (empty, locked, built with another model, Chroma down: the message of
        ``ui/failures.py``); ``/healthz`` answers 503 ``{"status": "error", "error"}``
500     ``{"error": "internal error"}``; the traceback goes to the log
======  =====================================================================================

Text hygiene: NUL and the other C0/C1 control characters (except tab and newline; a carriage return becomes
a newline), the bidi embedding/override/isolate controls U+202A–U+202E and U+2066–U+2069, the Unicode tag
characters U+E0000–U+E007F and the other invisible characters (zero-width space and joiner, soft hyphen, BOM,
LRM/RLM; an LRM between two letters stands for a ZWNJ) are *stripped* from the question, history items and
search queries before anything else (``clean_invisible``: the very table the index applies to the articles). They are invisible,
so a pasted question that carries them is answered as the user sees it; the answer's ``question``
field shows the cleaned text. Length limits apply after cleaning and trimming.

The assistant's ``ask``/``search``/``stats`` are synchronous and CPU-bound, so the endpoints are
plain ``def`` functions: FastAPI runs them in its thread pool and the event loop stays free.
"""

import logging
from typing import Annotated, Any, Callable, Literal, Union

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictStr,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError

from assistant.build import Assistant
from assistant.feedback import MAX_COMMENT_CHARS, RATINGS
from assistant.filters import Filters
from assistant.followup import MAX_HISTORY_ITEMS
from assistant.question import QuestionError, question_text
from index.persian.normalize import clean_invisible
from ui.errors import ApiError, ApiRoute, error_responses
from ui.auth import reader_security
from ui.failures import report
from ui.shapes import AnswerOut, PassageOut

log = logging.getLogger(__name__)

HISTORY_CHARS_FACTOR = 4      # a history item may be this many times longer than a question
MAX_K = 20
DEFAULT_MAX_QUESTION_CHARS = 1000
def clean_text(text: str) -> str:
    """``text`` without NUL/control characters, bidi overrides/isolates, tag characters and the other invisible
    characters the index drops from the articles (one table: ``index/persian/normalize.py``), trimmed."""
    return clean_invisible(text).strip()


def _checked(value: str, limit: int, what: str) -> str:
    """``question_text`` inside a pydantic validator: its refusal is a 422 with the code ``question_<why>``."""
    try:
        return question_text(value, limit, what)
    except QuestionError as exc:
        raise PydanticCustomError(f"question_{exc.code}", str(exc).replace("{", "(").replace("}", ")")) from None


# ----------------------------------------------------------------------------------- request models
class FiltersIn(BaseModel):
    """Only articles of a date range (both ends included; Jalali or Gregorian) and an outlet."""

    model_config = ConfigDict(extra="forbid")

    date_from: StrictStr | None = Field(None, examples=["1403/01/01"], description="1403/03/12, ۱۲ خرداد ۱۴۰۳ or 2024-06-01.")
    date_to: StrictStr | None = Field(None, examples=["1403/03/31"])
    outlet: StrictStr | None = Field(None, examples=["ایرنا"], description="A part of the outlet's name is enough.")

    def filters(self) -> Filters:
        return Filters.of(self.date_from, self.date_to, self.outlet)


def _history_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "text"
    if isinstance(value, (dict, BaseModel)):
        return "message"
    return None


def ask_request_model(max_question_chars: int = DEFAULT_MAX_QUESTION_CHARS) -> type[BaseModel]:
    """The body of ``POST /api/ask`` with its limits: a question of at most ``max_question_chars`` (after
    cleaning), history items of 4× that. One class per router: FastAPI reads, checks and describes it."""
    history_limit = max_question_chars * HISTORY_CHARS_FACTOR

    def history_text(value: str) -> str:
        value = clean_text(value)
        if len(value) > history_limit:
            raise PydanticCustomError("history_item_too_long", "has {length} characters; the limit is {limit}",
                                      {"length": len(value), "limit": history_limit})
        return value

    class Message(BaseModel):
        """One earlier turn of the chat."""

        model_config = ConfigDict(extra="forbid")

        role: Literal["user", "assistant"] = Field(description="Who wrote it; only the user's turns are used.")
        content: StrictStr = Field(description="The text of the turn.")

        @field_validator("content")
        @classmethod
        def _content(cls, value: str) -> str:
            return history_text(value)

    history_item = Annotated[
        Union[Annotated[Annotated[StrictStr, AfterValidator(history_text),
                                  Field(description="An earlier question of the chat.")], Tag("text")],
              Annotated[Message, Tag("message")]],
        Discriminator(_history_kind, custom_error_type="history_item_type",
                      custom_error_message='each history item must be a string or an object '
                                           '{"role": "user" | "assistant", "content": "..."}'),
    ]

    class AskRequest(BaseModel):
        """A question, and optionally the earlier turns of the chat (oldest first) for follow-ups."""

        model_config = ConfigDict(extra="forbid")

        question: StrictStr = Field(description=f"The question, in Persian (or English); at most "
                                                f"{max_question_chars} characters.",
                                    examples=["صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"])
        history: list[history_item] = Field(
            default_factory=list, max_length=MAX_HISTORY_ITEMS,
            description=f"Earlier turns, oldest first: strings (earlier questions) or messages; at most "
                        f"{MAX_HISTORY_ITEMS} items of {history_limit} characters.")
        filters: FiltersIn | None = Field(None, description="Answer only from articles of this date range and outlet.")

        @field_validator("question")
        @classmethod
        def _question(cls, value: str) -> str:
            return _checked(value, max_question_chars, "question")

        def history_for_chain(self) -> list:
            """History as the chain takes it: strings and ``{"role", "content"}`` dicts; empty strings dropped."""
            out: list = []
            for item in self.history:
                if isinstance(item, Message):
                    out.append({"role": item.role, "content": item.content})
                elif item:
                    out.append(item)
            return out

    return AskRequest


# ---------------------------------------------------------------------------------- response models
class SearchResponse(BaseModel):
    query: str = Field(description="The query as searched (invisible control characters removed).")
    results: list[PassageOut]


class FeedbackSourceIn(BaseModel):
    """A cited source: ``doc_id`` and ``title`` (the other fields of ``/api/ask``'s sources may be sent too)."""

    model_config = ConfigDict(extra="ignore")

    doc_id: StrictStr
    title: StrictStr | None = ""


class FeedbackRequest(BaseModel):
    """A reader's rating of an answer."""

    model_config = ConfigDict(extra="forbid")

    question: StrictStr = Field(description="The question that was answered.")
    answer: StrictStr = Field(description="The answer as the reader saw it.")
    rating: StrictStr = Field(description='"up" or "down".', json_schema_extra={"enum": list(RATINGS)})
    comment: StrictStr | None = Field(None, description=f"At most {MAX_COMMENT_CHARS} characters.")
    sources: list[FeedbackSourceIn] | None = Field(None, description="The sources the answer cited.")
    history: list[StrictStr] | None = Field(None, description="The chat's earlier questions, for a follow-up.")


class FeedbackCreated(BaseModel):
    id: str = Field(description="The stored rating's id.")


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


# --------------------------------------------------------------------------------------------- router
def make_api_router(get_assistant: Callable[[], Assistant], *,
                    max_question_chars: int = DEFAULT_MAX_QUESTION_CHARS, token_required: bool = False) -> APIRouter:
    """The API routes, reading the shared :class:`Assistant` from ``get_assistant()`` on each request.

    ``max_question_chars``: the longest question (history items: 4×). ``token_required``: say in the
    OpenAPI description that ``/api/*`` needs the token (``ui/auth.py``'s middleware checks it)."""
    if max_question_chars < 1:
        raise ValueError(f"max_question_chars must be positive, got {max_question_chars}")

    # no Content-Type at all is read as JSON (curl -d without -H); another one is 415 (json_content)
    router = APIRouter(route_class=ApiRoute, strict_content_type=False)
    AskRequest = ask_request_model(max_question_chars)
    secured = reader_security(token_required)

    async def json_content(request: Request) -> None:
        """Refuse a body that is not JSON (415) or is empty (400); its size is ``ui/limits.BodyLimit``'s."""
        content_type = request.headers.get("content-type")
        if content_type:
            media = content_type.split(";", 1)[0].strip().lower()
            if media != "application/json" and not media.endswith("+json"):
                raise ApiError(415, f"Content-Type must be application/json, got {media[:60]!r} "
                                    '(with curl: -H "Content-Type: application/json")')
        if not await request.body():
            raise ApiError(400, 'the request body is empty: send JSON like {"question": "..."}')

    def run(call: Callable[[Assistant], Any], what: str) -> Any:
        """``call(assistant)`` with the assistant's errors mapped by ``ui/failures.py`` (a refused question
        422, an index that cannot answer 503 with its message, anything else a logged 500)."""
        try:
            return call(get_assistant())
        except ApiError:
            raise
        except Exception as exc:  # noqa: BLE001
            result = report(exc, what, log)
            raise ApiError(result.reply.status, result.message) from None

    @router.post(
        "/api/ask", tags=["questions"], summary="Answer a question, with cited sources",
        description=(f"Answers from the articles with numbered sources, or abstains. The body is "
                     f"`{{\"question\": str, \"history\"?: [str | {{\"role\", \"content\"}}]}}`; the question may "
                     f"have at most {max_question_chars} characters, history at most {MAX_HISTORY_ITEMS} items of "
                     f"{max_question_chars * HISTORY_CHARS_FACTOR} characters. The response is the same JSON as "
                     f"`assistant ask --json`."),
        response_model=AnswerOut, responses=error_responses(400, 401, 413, 415, 422, 500, 503),
        dependencies=[*secured, Depends(json_content)],
    )
    def ask(request: AskRequest) -> AnswerOut:
        return AnswerOut.of(run(lambda a: a.ask(request.question, request.history_for_chain(), filters=(
            request.filters.filters() if request.filters else None)), "ask"))

    @router.post(
        "/api/feedback", tags=["feedback"], summary="Rate an answer: thumbs up or down, with an optional comment",
        description=(f'The body is `{{"question": str, "answer": str, "rating": "up" | "down", "comment"?: str, '
                     f'"sources"?: [{{"doc_id", "title"}}], "history"?: [str]}}`; the comment may have at most {MAX_COMMENT_CHARS} '
                     f"characters. The rating is kept in the store of record with the time; the response is its id."),
        response_model=FeedbackCreated, responses=error_responses(400, 401, 413, 415, 422, 500, 503),
        dependencies=[*secured, Depends(json_content)],
    )
    def feedback(request: FeedbackRequest) -> FeedbackCreated:

        def add(a: Assistant):   # a FeedbackError is 422, as a refused question
            return a.add_feedback(request.question, request.answer, request.rating, request.comment,
                                  [s.model_dump() for s in request.sources or []], history=request.history)

        return FeedbackCreated(id=run(add, "feedback").id)

    @router.get(
        "/api/search", tags=["questions"], summary="Find the passages that best match a query",
        description=f"Hybrid (dense + BM25) search over the articles; `k` from 1 to {MAX_K}; `q` at most "
                    f"{max_question_chars} characters.",
        response_model=SearchResponse, responses=error_responses(401, 422, 500, 503), dependencies=secured,
    )
    def search(
        q: Annotated[str, Query(description="The query, any spelling (ZWNJ, space or glued; any digits).")],
        k: Annotated[int, Query(ge=1, le=MAX_K, description="How many passages.")] = 5,
        date_from: Annotated[str | None, Query(description="Only articles from this day: 1403/03/12 or 2024-06-01.")] = None,
        date_to: Annotated[str | None, Query(description="Only articles up to this day.")] = None,
        outlet: Annotated[str | None, Query(description="Only this outlet (a part of its name is enough).")] = None,
    ) -> SearchResponse:
        try:
            query = question_text(q, max_question_chars, "query parameter q")
        except QuestionError as exc:
            hint = ": give a query, e.g. /api/search?q=صادرات گیلان" if exc.code == "empty" else ""
            raise ApiError(422, f"{exc}{hint}") from None
        passages = run(lambda a: a.search(query, k, filters=Filters.of(date_from, date_to, outlet)), "search")
        return SearchResponse(query=query, results=[PassageOut.of(p) for p in passages])

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
            result = report(exc, "health check", log)
            message = result.message if result.expected else "the index could not be read (see the server log)"
            return JSONResponse({"status": "error", "error": message}, status_code=503)
        return JSONResponse(payload)

    return router
