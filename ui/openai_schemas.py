"""OpenAI's chat schemas as this server uses them (``ui/openai_chat.py``): the request (the fields it reads;
every other OpenAI field is accepted and ignored), the responses, and :class:`OpenAIError` with the wording
of a bad body (``param`` is the field's path, e.g. ``messages[0].role``). The server does not need the
``openai`` package: only the tests use it, to check these shapes with the official client."""

from __future__ import annotations

import re
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator
from pydantic_core import PydanticCustomError

from index.errors import AssistantError
from ui.errors import openai_error_payload
from ui.shapes import SourceOut

MODEL_ID = "taavon-news"
EXAMPLE = '{"model": "taavon-news", "messages": [{"role": "user", "content": "..."}]}'


class OpenAIError(AssistantError):
    """An error answered in OpenAI's shape with ``status`` (``type_``: by default from the status)."""

    def __init__(self, status: int, message: str, *, param: str | None = None, code: str | None = None,
                 headers: dict[str, str] | None = None, type_: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.headers = status, message, param, code, headers
        self.type_ = type_ or ("server_error" if status >= 500 else "invalid_request_error")

    def response(self) -> JSONResponse:
        return JSONResponse(openai_error_payload(self.message, type_=self.type_, param=self.param, code=self.code),
                            status_code=self.status, headers=self.headers)


# ------------------------------------------------------------------------------------------- request
class ChatMessage(BaseModel):
    """One message; ``content`` is text or a list of parts (``{"type": "text", "text"}``; others refused
    in the question, skipped in the history)."""

    model_config = ConfigDict(extra="allow")   # name, tool_calls, tool_call_id, refusal, ...: ignored

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[dict[str, Any]] | None = None

    @field_validator("content", mode="before")
    @classmethod
    def _content(cls, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        if not isinstance(value, list):
            raise PydanticCustomError("invalid_type", "must be a string or a list of content parts, got {got}",
                                      {"got": type(value).__name__})
        for part in value:
            if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                raise PydanticCustomError("invalid_type", 'each content part must be an object like '
                                                          '{{"type": "text", "text": "..."}}')
            if part["type"] == "text" and not isinstance(part.get("text"), str):
                raise PydanticCustomError("invalid_type", 'a text part needs "text" as a string')
        return value

    def text(self) -> str:
        """The text: the string, or the text parts joined."""
        if isinstance(self.content, list):
            return "".join(p["text"] for p in self.content if p["type"] == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool | None = None


class ChatRequest(BaseModel):
    """The fields this server uses; every other OpenAI field is accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: StrictStr = Field(description=f"The model: {MODEL_ID!r}.", examples=[MODEL_ID])
    messages: list[ChatMessage] = Field(description="The chat so far; the last user message is the question.")
    stream: bool | None = Field(False, description="Send the answer as server-sent events.")
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, description="Only 1 is supported.")


# ------------------------------------------------------------------------------------------ response
class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ReplyMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None


class Choice(BaseModel):
    index: int = 0
    message: ReplyMessage
    logprobs: None = None
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    prompt_tokens: int = Field(description="Words of the question and the history used (not tokens).")
    completion_tokens: int = Field(description="Words of the reply (not tokens).")
    total_tokens: int


class ChatCompletion(BaseModel):
    """OpenAI's ``chat.completion`` and this server's extra fields (after ``usage``)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    sources: list[SourceOut] = Field(description="The numbered sources the answer cites.")
    related: list[SourceOut] = Field(description="When abstaining: the closest passages.")
    abstained: bool = Field(description="True when the articles do not hold the answer.")
    standalone_question: str = Field(description="The question after resolving a follow-up.")
    notes: list[str] = Field(description="Persian notes (e.g. the LLM was unavailable).")


def _param(loc: tuple | list) -> str | None:
    """``("messages", 0, "role")`` → ``messages[0].role``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or None


def validation_error(errors: list[dict], body_empty: bool = False) -> OpenAIError:
    """The first problem of a body (FastAPI's errors: ``loc`` starts with ``"body"``), as OpenAI words it
    (``param`` is the field's path)."""
    if body_empty:
        return OpenAIError(400, f"The request body is empty: send JSON like {EXAMPLE}")
    e = errors[0]
    kind, loc = e.get("type", ""), tuple(e.get("loc", ()))
    loc = loc[1:] if loc[:1] == ("body",) else loc
    param = _param(loc)
    if kind == "json_invalid":
        reason = (e.get("ctx") or {}).get("error") or e.get("msg")
        return OpenAIError(400, f"We could not parse the JSON body of your request ({reason}): send JSON like "
                                f"{EXAMPLE}")
    if param is None:
        return OpenAIError(400, f"The request body must be a JSON object like {EXAMPLE}", code="invalid_type")
    if kind == "missing":
        return OpenAIError(400, f"Missing required parameter: '{param}' (a body looks like {EXAMPLE})",
                           param=param, code="missing_required_parameter")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        message = ('must be an object like {"role": "user", "content": "..."}'
                   if re.fullmatch(r"messages\[\d+\]", param) else "must be a JSON object")
    else:
        message = str(e.get("msg", "invalid")).removeprefix("Value error, ")
    given = e.get("input")
    if isinstance(given, (str, int, float)) and "got" not in message:
        message += f" (got {str(given)[:60]!r})"
    code = "invalid_type" if kind.endswith("_type") or kind == "invalid_type" else "invalid_value"
    return OpenAIError(400, f"Invalid value for '{param}': {message}", param=param, code=code)
