"""The fake chat-completions server speaks the protocol the real `langchain_openai.ChatOpenAI` expects."""

from __future__ import annotations

import json
import time
import urllib.request

import openai
import pytest
from fake_llm import FakeLLM, fake_llm, split_content  # noqa: F401 - fake_llm is a fixture
from langchain_openai import ChatOpenAI

REPLY = "تعاونی‌های گیلان در سال گذشته صادرات خود را دو برابر کردند [1]."


def chat(fake: FakeLLM, streaming: bool = False, timeout: float = 5, **kwargs) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=fake.base_url,
        api_key="test-key",
        model="test-model",
        timeout=timeout,
        max_retries=0,
        streaming=streaming,
        **kwargs,
    )


def test_invoke_returns_the_reply_and_records_the_request(fake_llm):
    fake_llm.reply(REPLY)
    message = chat(fake_llm).invoke([("system", "فقط از منابع پاسخ بده."), ("user", "صادرات گیلان؟")])

    assert message.content == REPLY
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.response_metadata["model_name"] == "test-model"
    assert message.usage_metadata["output_tokens"] == len(REPLY.split())
    (body,) = fake_llm.requests
    assert body["model"] == "test-model"
    assert body["stream"] is False
    assert body["messages"] == [
        {"role": "system", "content": "فقط از منابع پاسخ بده."},
        {"role": "user", "content": "صادرات گیلان؟"},
    ]
    assert fake_llm.request_headers[0]["authorization"] == "Bearer test-key"


def test_stream_yields_several_chunks_that_join_to_the_reply(fake_llm):
    fake_llm.reply(REPLY)
    chunks = [chunk.content for chunk in chat(fake_llm, streaming=True).stream("صادرات گیلان؟")]

    assert "".join(chunks) == REPLY
    assert len([c for c in chunks if c]) >= 5
    assert fake_llm.requests[0]["stream"] is True
    assert "stream_options" not in fake_llm.requests[0]  # a custom base_url leaves stream_usage off


def test_streaming_invoke_and_usage_when_stream_options_ask(fake_llm):
    fake_llm.reply(REPLY)
    assert chat(fake_llm, streaming=True).invoke("سلام").content == REPLY

    chunks = list(chat(fake_llm, streaming=True, stream_usage=True).stream("سلام"))
    assert fake_llm.requests[-1]["stream_options"] == {"include_usage": True}
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert total.content == REPLY
    assert total.usage_metadata["output_tokens"] == len(REPLY.split())


def test_replies_are_queued_and_the_last_repeats(fake_llm):
    fake_llm.reply("اول", "دوم")
    llm = chat(fake_llm)
    assert [llm.invoke("q").content for _ in range(3)] == ["اول", "دوم", "دوم"]


def test_respond_with_computes_the_reply_from_the_request(fake_llm):
    fake_llm.respond_with(lambda body: "echo: " + body["messages"][-1]["content"])
    assert chat(fake_llm).invoke("منبع [2]").content == "echo: منبع [2]"
    assert "".join(c.content for c in chat(fake_llm, streaming=True).stream("منبع [3]")) == "echo: منبع [3]"


def test_split_content_keeps_every_character():
    assert "".join(split_content(REPLY)) == REPLY
    assert split_content("") == []


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
def test_error500_raises_an_openai_internal_server_error(fake_llm, streaming):
    fake_llm.mode = "error500"
    with pytest.raises(openai.InternalServerError) as caught:
        chat(fake_llm, streaming=streaming).invoke("q")
    assert caught.value.status_code == 500
    assert "fake server had an error" in caught.value.message


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
def test_slow_reply_times_out(fake_llm, streaming):
    fake_llm.mode = "slow"
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        chat(fake_llm, streaming=streaming, timeout=0.5).invoke("q")
    assert time.monotonic() - started < 2


def test_slow_reply_within_the_timeout_arrives(fake_llm):
    fake_llm.mode, fake_llm.delay = "slow", 0.2
    fake_llm.reply(REPLY)
    started = time.monotonic()
    assert chat(fake_llm, streaming=True, timeout=3).invoke("q").content == REPLY
    assert 0.4 <= time.monotonic() - started < 2  # slept before the first chunk and after it


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
def test_garbage_body_raises(fake_llm, streaming):
    fake_llm.mode = "garbage"
    # Not an openai error: the SDK's own JSON decoding of the body / the SSE event fails.
    with pytest.raises(json.JSONDecodeError):
        chat(fake_llm, streaming=streaming).invoke("q")


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
def test_dropped_connection_raises_a_connection_error(fake_llm, streaming):
    fake_llm.mode = "drop"
    started = time.monotonic()
    with pytest.raises(openai.APIConnectionError) as caught:
        chat(fake_llm, streaming=streaming).invoke("q")
    assert not isinstance(caught.value, openai.APITimeoutError)
    assert time.monotonic() - started < 2
    assert len(fake_llm.requests) == 1  # max_retries=0: one attempt, recorded before the drop


def test_server_recovers_after_a_failure_mode(fake_llm):
    fake_llm.reply("خوب")
    llm = chat(fake_llm, streaming=True)
    for mode in ("error500", "garbage", "drop"):
        fake_llm.mode = mode
        with pytest.raises(Exception):
            llm.invoke("q")
        fake_llm.mode = "ok"
        assert llm.invoke("q").content == "خوب"


def test_models_endpoint_and_unversioned_path(fake_llm):
    with urllib.request.urlopen(fake_llm.base_url + "/models", timeout=2) as response:
        listing = json.load(response)
    assert [m["id"] for m in listing["data"]] == ["fake-model"]

    unversioned = fake_llm.base_url.removesuffix("/v1")
    request = urllib.request.Request(
        unversioned + "/chat/completions",
        data=json.dumps({"model": "m", "messages": [{"role": "user", "content": "q"}]}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=2) as response:
        completion = json.load(response)
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["content"] == "fake reply"


def test_close_stops_the_server_even_while_a_reply_sleeps():
    fake = FakeLLM().start()
    fake.mode = "slow"
    llm = chat(fake, timeout=0.3)
    with pytest.raises(openai.APITimeoutError):
        llm.invoke("q")
    started = time.monotonic()
    fake.close()
    assert time.monotonic() - started < 1
    with pytest.raises(openai.APIConnectionError):
        llm.invoke("q")
