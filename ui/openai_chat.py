"""The OpenAI-compatible chat: ``GET /v1/models`` and ``POST /v1/chat/completions`` (plain and streamed) in
OpenAI's schemas, so the official ``openai`` client, Open WebUI, LibreChat and other chat front ends can ask
the archive unchanged.

- One model, :data:`MODEL_ID`. Another model name is refused as OpenAI refuses one: 404 ``model_not_found``
  (a front end lists the model from ``/v1/models``; a script that names another model learns so at once).
- The question is the last ``user`` message; the ``user`` and ``assistant`` messages before it are the chat's
  history (the last :data:`~assistant.followup.MAX_HISTORY_ITEMS`, each clipped to 4 × ``max_question_chars``), so follow-ups
  resolve as in the chat. ``system``/``developer``/``tool`` messages and sampling parameters (``temperature``,
  ``max_tokens``, ``tools``, ...) are accepted and ignored: the answer comes from the articles.
- The reply's ``content`` is the answer with its ``[n]`` markers, any notes, then «منابع:» with one line per
  source (its title and ``/article/{doc_id}`` on this server); an abstention lists the closest passages under
  «شاید مرتبط» instead. Extra top-level fields carry the structure: ``sources`` and ``related`` (as in
  ``/api/ask``, plus ``url``), ``abstained``, ``standalone_question`` and ``notes``; the openai client keeps
  them in ``model_extra``. ``usage`` counts words, not tokens.
- ``stream: true``: server-sent events in OpenAI's ``chat.completion.chunk`` format. The answer is checked
  (citations, an LLM's claims) before any of it is sent, so the stream carries exactly the text a plain
  request returns: a first chunk with the role, the text in word pieces, a chunk with ``finish_reason:
  "stop"``, with ``stream_options.include_usage`` a usage chunk, then ``data: [DONE]``. The extra fields ride
  on the first chunk (which the client's ``stream()`` helper keeps) and on the finish chunk.
- Errors are OpenAI's ``{"error": {"message", "type", "param", "code"}}`` (``ui/openai_schemas.py``,
  ``ui/errors.py``): 400 for a body
  that is not JSON, not an object, has no (or an empty, or an over-long) user message, a wrong role, wrong
  types, non-text content in the question, or ``n`` other than 1; 404 ``model_not_found``; 401
  ``invalid_api_key`` and 413 from the app's middleware; 503 when the index cannot answer, 500 otherwise.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Callable

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from assistant import wording
from assistant.answer import Answer, Source, fa_number
from assistant.build import Assistant
from assistant.followup import MAX_HISTORY_ITEMS
from assistant.question import QuestionError, question_text
from index.errors import Failure
from ui.api import DEFAULT_MAX_QUESTION_CHARS, HISTORY_CHARS_FACTOR, clean_text
from ui.errors import StrictJSONRequest
from ui.auth import reader_security
from ui.failures import report
from ui.openai_schemas import (MODEL_ID, ChatCompletion, ChatMessage, ChatRequest, Choice, ModelCard, ModelList,
                               OpenAIError, ReplyMessage, Usage, validation_error)
from ui.shapes import SourceOut, article_url

log = logging.getLogger(__name__)

MODEL_CREATED = 1_767_225_600          # 2026-01-01: the model card's date (OpenAI's `created`)
OWNER = "taavon-assistant"
ROUTES = {"/v1/models": "GET", "/v1/chat/completions": "POST"}


class OpenAIRoute(APIRoute):
    """Turns :class:`OpenAIError` and validation errors into OpenAI's error shape inside the router; bodies are
    read as JSON whatever their Content-Type and parsed strictly (``ui/errors.StrictJSONRequest``: a lone
    surrogate is malformed JSON)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route_handler(request: Request):
            # a body is JSON whatever its Content-Type says (curl -d sends a form type; OpenAI's clients JSON)
            headers = [(k, v) for k, v in request.scope["headers"] if k != b"content-type"]
            scope = {**request.scope, "headers": [*headers, (b"content-type", b"application/json")]}
            request = StrictJSONRequest(scope, request.receive)
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except RequestValidationError as exc:
                errors = list(exc.errors())
                empty = bool(errors) and tuple(errors[0].get("loc", ())) == ("body",) \
                    and errors[0].get("type") == "missing" and not (await request.body()).strip()
                return validation_error(errors, body_empty=empty).response()

        return route_handler


# ------------------------------------------------------------------------------------------ the reply
def reply_text(answer: Answer, base_url: str) -> str:
    """The reply's content: the answer, its notes, then the numbered sources (or the related passages)."""
    parts = [answer.text, *(f"⚠ {note}" for note in answer.notes)]
    listed, label = (answer.sources, wording.SOURCES) if answer.sources else (answer.related, wording.MAYBE_RELATED)
    if listed:
        lines = [wording.SOURCE_LINE.format(n=fa_number(s.n), title=s.title, byline=_byline(s),
                                            url=article_url(s.doc_id, base_url))
                 for s in listed]
        parts.append("\n".join([label, *lines]))
    return "\n\n".join(p for p in parts if p)


def _byline(s: Source) -> str:
    return f" ({s.byline})" if s.byline else ""


def _words(text: str) -> int:
    return len(text.split())


def _extras(answer: Answer, base_url: str) -> dict:
    def links(sources: list[Source]) -> list[dict]:
        return [SourceOut.of(s, base_url).model_dump(mode="json") for s in sources]

    return {"sources": links(answer.sources), "related": links(answer.related), "abstained": answer.abstained,
            "standalone_question": answer.standalone_question or answer.question, "notes": list(answer.notes)}


def _pieces(text: str) -> list[str]:
    """``text`` in word pieces that join back to exactly ``text``."""
    return re.findall(r"\S+\s*|\s+", text)


def _events(cid: str, created: int, content: str, extras: dict, usage: dict, include_usage: bool):
    def event(choices: list, **more) -> str:
        chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": MODEL_ID,
                 "choices": choices}
        if include_usage:
            chunk["usage"] = None   # OpenAI: null on every chunk but the last
        chunk.update(more)
        return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"

    def choice(delta: dict, finish: str | None = None) -> list:
        return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]

    yield event(choice({"role": "assistant", "content": ""}), **extras)   # the client's stream() helper keeps these
    for piece in _pieces(content):
        yield event(choice({"content": piece}))
    yield event(choice({}, "stop"), **extras)
    if include_usage:
        yield event([], usage=usage)
    yield "data: [DONE]\n\n"


# --------------------------------------------------------------------------------------------- router
def make_openai_router(get_assistant: Callable[[], Assistant], *,
                       max_question_chars: int = DEFAULT_MAX_QUESTION_CHARS,
                       token_required: bool = False) -> APIRouter:
    """The ``/v1/`` routes over the shared :class:`Assistant`. The token (401) and the body size (413) are the
    app's middleware (``ui/auth.py``, ``ui/limits.py``); ``token_required`` only describes it in OpenAPI."""
    router = APIRouter(route_class=OpenAIRoute)
    secured = reader_security(token_required, query=False)
    card = ModelCard(id=MODEL_ID, created=MODEL_CREATED, owned_by=OWNER)
    history_limit = max_question_chars * HISTORY_CHARS_FACTOR

    def check_model(model: str) -> None:
        if model != MODEL_ID:
            raise OpenAIError(404, f"The model {model[:80]!r} does not exist: this server has one model, "
                                   f"{MODEL_ID!r} (GET /v1/models)", param="model", code="model_not_found")

    def check(body: ChatRequest) -> None:
        check_model(body.model)
        if body.n is not None and body.n != 1:
            raise OpenAIError(400, f"Only n=1 is supported, got n={body.n}: ask again for another answer",
                              param="n", code="unsupported_value" if body.n > 1 else "invalid_value")

    def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[dict]]:
        last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last is None:
            raise OpenAIError(400, 'messages has no user message: the last {"role": "user", "content": "..."} '
                                   "is the question", param="messages", code="invalid_value")
        param = f"messages[{last}].content"
        message = messages[last]
        if isinstance(message.content, list) and any(p["type"] != "text" for p in message.content):
            other = next(p["type"] for p in message.content if p["type"] != "text")
            raise OpenAIError(400, f"Only text content is supported, got a {other[:40]!r} part: send the "
                                   "question as text", param=param, code="unsupported_content")
        try:
            question = question_text(message.text(), max_question_chars, param)
        except QuestionError as exc:
            hint = {"empty": ": the last user message is the question; give it text",
                    "too_long": " (ASSISTANT_MAX_QUESTION_CHARS): ask a shorter question"}.get(exc.code, "")
            raise OpenAIError(400, f"{exc}{hint}", param=param,
                              code="string_above_max_length" if exc.code == "too_long" else "invalid_value") from None
        history = []
        for m in messages[:last]:
            text = clean_text(m.text())[:history_limit] if m.role in ("user", "assistant") else ""
            if text:
                history.append({"role": m.role, "content": text})
        return question, history[-MAX_HISTORY_ITEMS:]

    def answer(question: str, history: list[dict]) -> Answer:
        try:
            return get_assistant().ask(question, history)
        except Exception as exc:  # noqa: BLE001
            result = report(exc, "chat completion", log)
            param = "messages" if result.failure is Failure.INVALID else None   # the question is the last message
            raise OpenAIError(result.reply.openai_status, result.message, param=param,
                              type_=result.reply.openai_type) from None

    @router.get("/v1/models", tags=["openai"], summary="The one model (OpenAI's model list)",
                response_model=ModelList, dependencies=secured)
    def models() -> ModelList:
        return ModelList(data=[card])

    @router.get("/v1/models/{model}", tags=["openai"], summary="The model's card", response_model=ModelCard,
                dependencies=secured)
    def model(model: str) -> ModelCard:
        check_model(model)
        return card

    @router.post(
        "/v1/chat/completions", tags=["openai"], summary="Answer the last user message (OpenAI chat completion)",
        description="OpenAI's chat completion, plain or streamed (`stream: true`); the answer with its `[n]` "
                    "markers and a sources list, plus the extra fields `sources`, `related`, `abstained`, "
                    "`standalone_question`, `notes`.",
        response_model=ChatCompletion, dependencies=secured,
    )
    async def chat_completions(request: Request, body: ChatRequest):
        check(body)
        question, history = question_and_history(body.messages)
        result = await run_in_threadpool(answer, question, history)
        base_url = str(request.base_url)
        content = reply_text(result, base_url)
        prompt = _words(question) + sum(_words(m["content"]) for m in history)
        usage = Usage(prompt_tokens=prompt, completion_tokens=_words(content),
                      total_tokens=prompt + _words(content)).model_dump()
        cid, created, extras = f"chatcmpl-{uuid.uuid4().hex}", int(time.time()), _extras(result, base_url)
        if body.stream:
            include_usage = bool(body.stream_options and body.stream_options.include_usage)
            return StreamingResponse(_events(cid, created, content, extras, usage, include_usage),
                                     media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        completion = ChatCompletion(id=cid, created=created, model=MODEL_ID,
                                    choices=[Choice(message=ReplyMessage(content=content))], usage=usage, **extras)
        return JSONResponse(completion.model_dump(mode="json"))

    @router.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"],
                      include_in_schema=False)
    def unknown(request: Request, rest: str):
        path = request.url.path
        allowed = ROUTES.get(path.rstrip("/"))
        if allowed and allowed != request.method:
            raise OpenAIError(405, f"Method {request.method} is not allowed on {path}: use {allowed}",
                              code="method_not_allowed", headers={"Allow": allowed})
        raise OpenAIError(404, f"Invalid URL ({request.method} {path}): this server has GET /v1/models and "
                               "POST /v1/chat/completions", code="unknown_url")

    return router

