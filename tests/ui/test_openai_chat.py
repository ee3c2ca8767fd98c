"""The OpenAI-compatible chat (/v1) over real HTTP, asked with the official `openai` client: a real uvicorn
server (the shared `server` fixture: create_app over a real assistant on the sample articles), real hazm,
the real embedder."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from assistant import wording
from assistant.build import build_assistant
from assistant.settings import Settings
from helpers import ACCESS_TOKEN, Server
from ui.shapes import SourceOut

GILAN_Q = "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"
GILAN = "001_2df5e54f2db4a315"
GILAN_FIGURE = "۳۴ میلیون"
FIRST = "صادرات تعاونی‌های گیلان چقدر بود؟"      # a follow-up «و گلستان چطور؟» then asks for Golestan's exports
GOLESTAN_FIGURE = "۲۲ میلیون و ۹۹۵ هزار دلار"
MODEL = "taavon-news"
EXTRAS = {"sources", "related", "abstained", "standalone_question", "notes"}


def user(text):
    return [{"role": "user", "content": text}]


@pytest.fixture(scope="module")
def client(server):
    with openai.OpenAI(base_url=f"{server.url}/v1", api_key="any-key", max_retries=0, timeout=120) as c:
        yield c


def assert_openai_error(exc: openai.APIStatusError, status: int, code: str | None = None, param: str | None = None):
    assert exc.status_code == status, exc
    assert set(exc.body) == {"message", "type", "param", "code"}, exc.body   # OpenAI's shape, not /api's
    assert exc.body["message"] and exc.type == ("server_error" if status >= 500 else "invalid_request_error")
    if code is not None:
        assert exc.code == code, exc.body
    if param is not None:
        assert exc.param == param, exc.body


# ------------------------------------------------------------------------------------------ models
def test_models_lists_the_one_model(client, server):
    models = client.models.list()
    assert [m.id for m in models.data] == [MODEL]
    assert models.data[0].object == "model" and models.data[0].owned_by
    assert client.models.retrieve(MODEL).id == MODEL
    with pytest.raises(openai.NotFoundError) as e:
        client.models.retrieve("gpt-4o")
    assert_openai_error(e.value, 404, "model_not_found", "model")
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    assert {"/v1/models", "/v1/chat/completions"} <= set(paths)
    body = paths["/v1/chat/completions"]["post"]["requestBody"]     # the typed body describes itself
    assert body["required"] and body["content"]["application/json"]["schema"]["$ref"].endswith("/ChatRequest")


@pytest.mark.parametrize("content_type", [None, "application/x-www-form-urlencoded", "text/plain"])
def test_a_json_body_is_read_whatever_its_content_type(server, content_type):
    """``curl -d '{...}'`` sends a form type: the body is still the request."""
    raw = json.dumps({"model": MODEL, "messages": user(GILAN_Q)}).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    r = httpx.post(f"{server.url}/v1/chat/completions", content=raw, headers=headers)
    assert r.status_code == 200, r.text
    assert GILAN_FIGURE in r.json()["choices"][0]["message"]["content"]


# ------------------------------------------------------------------------------------------ answers
def test_persian_question_gets_the_figure_a_citation_and_its_sources(client, server):
    r = client.chat.completions.create(model=MODEL, messages=user(GILAN_Q))
    assert r.object == "chat.completion" and r.model == MODEL and r.id.startswith("chatcmpl-")
    choice = r.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content
    answer = server.assistant.ask(GILAN_Q)
    assert content.startswith(answer.text)                        # the answer itself, with its markers
    assert GILAN_FIGURE in content and "[۱]" in content
    assert f"\n\n{wording.SOURCES}\n" in content and f"{server.url}/article/{GILAN}" in content
    assert set(r.model_extra) == EXTRAS
    assert r.model_extra["abstained"] is False
    sources = r.model_extra["sources"]
    assert sources[0]["doc_id"] == GILAN and sources[0]["n"] == 1 and GILAN_FIGURE in sources[0]["quote"]
    assert sources[0]["url"] == f"{server.url}/article/{GILAN}"
    assert sources[0]["title"] in content
    # one source model for every front end: /api/ask's source, with the absolute url
    via_api = httpx.post(f"{server.url}/api/ask", json={"question": GILAN_Q}).json()["sources"][0]
    assert set(sources[0]) == set(SourceOut.model_fields) == set(via_api)
    assert {**via_api, "url": sources[0]["url"]} == sources[0]
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    # the link in the reply opens the article
    assert httpx.get(sources[0]["url"]).status_code == 200


def test_streaming_gives_the_same_text(client):
    plain = client.chat.completions.create(model=MODEL, messages=user(GILAN_Q))
    chunks = list(client.chat.completions.create(model=MODEL, messages=user(GILAN_Q), stream=True,
                                                 stream_options={"include_usage": True}))
    assert all(c.object == "chat.completion.chunk" and c.model == MODEL for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content and GILAN_FIGURE in text
    assert len(chunks) > 10                                       # pieces, not one blob
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finish) == 1 and set(finish[0].model_extra) >= EXTRAS
    assert finish[0].model_extra["sources"][0]["doc_id"] == GILAN
    assert finish[0].model_extra["abstained"] is False
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == plain.usage.completion_tokens
    # the client's stream helper builds the same completion, extras included
    with client.chat.completions.stream(model=MODEL, messages=user(GILAN_Q)) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.content == text
    assert final.model_extra["sources"][0]["doc_id"] == GILAN


def test_the_stream_is_server_sent_events_ending_with_done(server):
    body = {"model": MODEL, "messages": user(GILAN_Q), "stream": True}
    with httpx.stream("POST", f"{server.url}/v1/chat/completions", json=body, timeout=120) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = [line for line in r.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    last = json.loads(lines[-2].removeprefix("data: "))
    assert last["choices"][0]["finish_reason"] == "stop" and last["choices"][0]["delta"] == {}
    assert "usage" not in last                                    # only with stream_options.include_usage


def test_follow_up_inside_the_messages_is_resolved(client):
    previous = client.chat.completions.create(model=MODEL, messages=user(FIRST)).choices[0].message.content
    messages = [{"role": "system", "content": "You are a helpful assistant."},   # ignored
                {"role": "user", "content": FIRST},
                {"role": "assistant", "content": previous},
                {"role": "user", "content": [{"type": "text", "text": "و گلستان "},     # text parts are joined
                                             {"type": "text", "text": "چطور؟"}]}]
    r = client.chat.completions.create(model=MODEL, messages=messages)
    standalone = r.model_extra["standalone_question"]
    assert "گلستان" in standalone and "صادرات" in standalone
    assert GOLESTAN_FIGURE in r.choices[0].message.content and not r.model_extra["abstained"]
    alone = client.chat.completions.create(model=MODEL, messages=user("و گلستان چطور؟"))
    assert GOLESTAN_FIGURE not in alone.choices[0].message.content       # the history made the difference


def test_an_abstention_lists_the_closest_passages(client):
    r = client.chat.completions.create(model=MODEL, messages=user("قیمت طلا در بازار تهران چقدر است؟"))
    content = r.choices[0].message.content
    assert r.model_extra["abstained"] is True and r.model_extra["sources"] == []
    assert content.startswith(wording.NO_ANSWER) and wording.MAYBE_RELATED in content
    assert r.model_extra["related"] and r.model_extra["related"][0]["url"] in content


def test_a_long_conversation_fits_the_chat_body_limit(client):
    """Clients resend the whole chat: /v1 has its own, larger body limit (max_chat_body_bytes), not /api's 64 kB."""
    turns = []
    for _ in range(15):
        turns += [{"role": "user", "content": FIRST}, {"role": "assistant", "content": "ب" * 3000}]
    size = len(json.dumps({"model": MODEL, "messages": turns}, ensure_ascii=False).encode())
    assert size > 64_000
    r = client.chat.completions.create(model=MODEL, messages=turns + user("و گلستان چطور؟"))
    assert GOLESTAN_FIGURE in r.choices[0].message.content


# --------------------------------------------------------------------------------------------- token
def test_token_is_required_when_set(locked):
    for key in ("wrong", ACCESS_TOKEN + "x"):
        bad = openai.OpenAI(base_url=f"{locked.url}/v1", api_key=key, max_retries=0)
        with pytest.raises(openai.AuthenticationError) as e:
            bad.models.list()
        assert_openai_error(e.value, 401, "invalid_api_key")
        with pytest.raises(openai.AuthenticationError):
            bad.chat.completions.create(model=MODEL, messages=user(GILAN_Q))
        with pytest.raises(openai.AuthenticationError):
            bad.chat.completions.create(model=MODEL, messages=user(GILAN_Q), stream=True)
    r = httpx.get(f"{locked.url}/v1/models")                                  # no header at all
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert "token" in r.json()["error"]["message"]
    good = openai.OpenAI(base_url=f"{locked.url}/v1", api_key=ACCESS_TOKEN, max_retries=0, timeout=120)
    assert [m.id for m in good.models.list().data] == [MODEL]
    assert GILAN_FIGURE in good.chat.completions.create(model=MODEL, messages=user(GILAN_Q)).choices[0].message.content


# ---------------------------------------------------------------------------------------- bad bodies
BAD = [
    ("no user message", dict(messages=[{"role": "system", "content": "سلام"}]), 400, "invalid_value", "messages"),
    ("no messages", dict(messages=[]), 400, "invalid_value", "messages"),
    ("only assistant", dict(messages=[{"role": "assistant", "content": "سلام"}]), 400, "invalid_value", "messages"),
    ("empty user message", dict(messages=user("  ")), 400, "invalid_value", "messages[0].content"),
    ("invisible user message", dict(messages=user("\u202e\u2066 ")), 400, "invalid_value", "messages[0].content"),
    ("ZWNJ user message", dict(messages=user("\u200c \u200c")), 400, "invalid_value", "messages[0].content"),
    ("null content", dict(messages=[{"role": "user", "content": None}]), 400, "invalid_value", "messages[0].content"),
    ("last user message empty", dict(messages=user(GILAN_Q) + user("")), 400, "invalid_value", "messages[1].content"),
    ("wrong role", dict(messages=[{"role": "robot", "content": GILAN_Q}]), 400, "invalid_value", "messages[0].role"),
    ("no role", dict(messages=[{"content": GILAN_Q}]), 400, "missing_required_parameter", "messages[0].role"),
    ("messages not a list", dict(messages="سلام"), 400, "invalid_type", "messages"),
    ("message not an object", dict(messages=["سلام"]), 400, "invalid_type", "messages[0]"),
    ("content a number", dict(messages=[{"role": "user", "content": 5}]), 400, "invalid_type", "messages[0].content"),
    ("question too long", dict(messages=user("ب" * 1001)), 400, "string_above_max_length", "messages[0].content"),
    ("image part", dict(messages=[{"role": "user", "content": [
        {"type": "text", "text": GILAN_Q}, {"type": "image_url", "image_url": {"url": "http://x/y.png"}}]}]),
     400, "unsupported_content", "messages[0].content"),
    ("n=2", dict(messages=user(GILAN_Q), n=2), 400, "unsupported_value", "n"),
    ("n=0", dict(messages=user(GILAN_Q), n=0), 400, "invalid_value", "n"),
    ("unknown model", dict(messages=user(GILAN_Q), model="gpt-4o"), 404, "model_not_found", "model"),
    ("model a number", dict(messages=user(GILAN_Q), model=4), 400, "invalid_type", "model"),
]


@pytest.mark.parametrize("name, kwargs, status, code, param", BAD, ids=[c[0] for c in BAD])
@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
def test_bad_bodies_get_openai_errors(client, name, kwargs, status, code, param, stream):
    kwargs = {"model": MODEL, **kwargs}
    with pytest.raises(openai.APIStatusError) as e:
        client.chat.completions.create(stream=stream, **kwargs)    # a stream's error comes before any chunk
    assert_openai_error(e.value, status, code, param)
    assert "Traceback" not in e.value.message


@pytest.mark.parametrize("raw, words", [
    (b"{oops", ["could not parse the JSON"]),
    (b'{"model": "taavon-news", "messages": [{"role": "user", "content": "\xd8', ["could not parse the JSON"]),
    (b'{"model": "taavon-news", "messages": [{"role": "user", "content": "a\\ud800"}]}', ["could not parse the JSON"]),
    (b"", ["body is empty"]),
    (b"[]", ["must be a JSON object"]),
    (b'"taavon-news"', ["must be a JSON object"]),
])
def test_malformed_json_is_400_in_openai_shape(server, raw, words):
    r = httpx.post(f"{server.url}/v1/chat/completions", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["type"] == "invalid_request_error"
    assert all(w in error["message"] for w in words), error


def test_a_ten_megabyte_message_is_refused_413(client, server):
    with pytest.raises(openai.APIStatusError) as e:
        client.chat.completions.create(model=MODEL, messages=user("ب" * 5_000_000))    # 10 MB of UTF-8
    assert_openai_error(e.value, 413, "request_too_large")
    assert "limit is 1000000 bytes" in e.value.message
    # the /api routes keep their own shape and limit
    r = httpx.post(f"{server.url}/api/ask", json={"question": "ب" * 40_000})
    assert r.status_code == 413 and isinstance(r.json()["error"], str)


def test_unknown_v1_routes_and_methods_are_openai_errors(server):
    r = httpx.get(f"{server.url}/v1/completions")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_url"
    r = httpx.get(f"{server.url}/v1/chat/completions")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed" and r.headers["allow"] == "POST"
    r = httpx.post(f"{server.url}/v1/models")
    assert r.status_code == 405 and r.headers["allow"] == "GET"


def test_the_server_still_answers_after_every_bad_body(client):
    for _name, kwargs, *_ in BAD:
        with pytest.raises(openai.APIStatusError):
            client.chat.completions.create(**{"model": MODEL, **kwargs})
    r = client.chat.completions.create(model=MODEL, messages=user(GILAN_Q))
    assert GILAN_FIGURE in r.choices[0].message.content


def test_the_apps_own_error_handlers_answer_v1_in_openai_shape():
    """Errors raised outside the /v1 router (a dependency's HTTPException, FastAPI's validation) still reach an
    OpenAI client in its shape; /api keeps {"error": "..."}."""
    from fastapi import FastAPI, HTTPException

    from ui.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    for prefix in ("/v1", "/api"):
        @app.get(f"{prefix}/teapot")
        def teapot():
            raise HTTPException(418, "no coffee here")

        @app.get(f"{prefix}/typed")
        def typed(k: int):
            return {"k": k}

    with Server(app) as s:
        r = httpx.get(f"{s.url}/v1/teapot")
        assert r.status_code == 418 and r.json()["error"] == {
            "message": "no coffee here", "type": "invalid_request_error", "param": None, "code": None}
        r = httpx.get(f"{s.url}/v1/typed", params={"k": "x"})
        assert r.status_code == 400 and "k" in r.json()["error"]["message"]
        assert httpx.get(f"{s.url}/api/teapot").json() == {"error": "no coffee here"}
        assert httpx.get(f"{s.url}/api/typed", params={"k": "x"}).status_code == 422


class Failing:
    """Stands in for an Assistant whose ask fails with an unexpected error."""

    def ask(self, question, history=None):
        raise ZeroDivisionError("secret internals")


def test_index_and_unexpected_errors_are_5xx_in_openai_shape(tmp_path, caplog):
    from fastapi import FastAPI

    from ui.errors import install_error_handlers
    from ui.openai_chat import make_openai_router

    empty = build_assistant(Settings(data_dir=tmp_path / "empty"))            # nothing ingested: a real IndexEmpty
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(make_openai_router(lambda: empty))
    app.include_router(make_openai_router(lambda: Failing()), prefix="/bug")
    with Server(app) as s:
        c = openai.OpenAI(base_url=f"{s.url}/v1", api_key="k", max_retries=0, timeout=120)
        with pytest.raises(openai.InternalServerError) as e:
            c.chat.completions.create(model=MODEL, messages=user(GILAN_Q))
        assert_openai_error(e.value, 503)
        assert "assistant ingest" in e.value.message
        bug = openai.OpenAI(base_url=f"{s.url}/bug/v1", api_key="k", max_retries=0)
        with caplog.at_level("ERROR", logger="ui.openai_chat"), pytest.raises(openai.InternalServerError) as e:
            bug.chat.completions.create(model=MODEL, messages=user(GILAN_Q), stream=True)
        assert_openai_error(e.value, 500)
        assert "secret" not in e.value.message and "ZeroDivision" not in str(e.value.body)
        assert any(rec.exc_info and rec.exc_info[0] is ZeroDivisionError for rec in caplog.records)
    empty.close()
