"""The MCP server with the official MCP client: over streamable HTTP at ``/mcp`` of a real server (the app
``assistant serve`` runs, uvicorn on a free port), over stdio (``assistant mcp`` in a subprocess) and in
memory; the real index of the sample articles, real hazm and the real embedder."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import json
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.types import TextContent

from assistant.build import build_assistant
from assistant.settings import Settings
from helpers import ACCESS_TOKEN, BIN, cli_env
from ui.mcp_server import build_mcp_server

REPO = Path(__file__).resolve().parents[2]
GILAN_Q = "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"
GILAN = "001_2df5e54f2db4a315"
FIGURE = "۳۴ میلیون دلار"
PERSIAN = set("ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی")


def run(coro):
    """Run the MCP client's coroutine on a fresh event loop in its own thread: Playwright's sync API (the
    browser tests' session fixture) keeps an event loop running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def with_client(url: str, work, *, mode: str = "auto", headers: dict | None = None):
    """``await work(client)`` with the official client connected to ``url`` over streamable HTTP."""
    async with httpx2.AsyncClient(headers=headers or {}, timeout=httpx2.Timeout(30, read=120)) as http:
        async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
            return await work(client)


def unwrap(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


@pytest.fixture(scope="module")
def mcp_url(server) -> str:
    return f"{server.url}/mcp"


# ------------------------------------------------------------------------------------------------ HTTP
@pytest.mark.parametrize("mode", ["auto", "legacy"])   # 2026-07-28 (no handshake) and 2025-11-25 (initialize)
def test_tools_are_listed_with_english_and_persian_descriptions(mcp_url, mode):
    async def work(client):
        return client.protocol_version, (await client.list_tools()).tools

    version, tools = run(with_client(mcp_url, work, mode=mode))
    assert version == ("2026-07-28" if mode == "auto" else "2025-11-25")
    by_name = {t.name: t for t in tools}
    assert {"ask", "search", "facts"} <= set(by_name)
    for tool in by_name.values():
        assert PERSIAN & set(tool.description) and "the" in tool.description, tool.name
        assert tool.output_schema and tool.annotations.read_only_hint
    assert by_name["ask"].input_schema["required"] == ["question"]
    assert set(by_name["ask"].input_schema["properties"]) == {"question", "history", "date_from", "date_to", "outlet"}
    assert by_name["search"].input_schema["required"] == ["query"]
    assert not by_name["facts"].input_schema.get("required")
    assert set(by_name["ask"].output_schema["properties"]) >= {"answer", "abstained", "sources"}


def test_ask_answers_a_persian_question_with_the_figure_and_its_source(mcp_url):
    result = run(with_client(mcp_url, lambda c: c.call_tool("ask", {"question": GILAN_Q})))
    assert not result.is_error, text_of(result)
    body = result.structured_content
    assert FIGURE in body["answer"] and "[۱]" in body["answer"] and body["abstained"] is False
    first = body["sources"][0]
    assert first["n"] == 1 and first["doc_id"] == GILAN and first["url"] == f"/article/{GILAN}"
    assert first["resource"] == f"article://{GILAN}"
    assert FIGURE in first["quote"] and first["quote"] in first["text"] and first["title"]
    # what a model reads: the answer, then the numbered sources with their links
    text = text_of(result)
    assert text.startswith(body["answer"]) and "منابع:" in text and f"[۱] {first['title']} — /article/{GILAN}" in text


def test_follow_up_uses_the_history(mcp_url):
    result = run(with_client(mcp_url, lambda c: c.call_tool("ask", {"question": "و گلستان چطور؟",
                                                                     "history": [GILAN_Q]})))
    assert not result.is_error, text_of(result)
    standalone = result.structured_content["standalone_question"]
    assert "گلستان" in standalone and "صادرات" in standalone


def test_a_question_the_articles_cannot_answer_abstains(mcp_url):
    result = run(with_client(mcp_url, lambda c: c.call_tool("ask", {"question": "قیمت بلیت هواپیما به کیش چند است؟"})))
    assert not result.is_error and result.structured_content["abstained"] is True
    assert result.structured_content["sources"] == []


def test_search_returns_the_passage(mcp_url):
    result = run(with_client(mcp_url, lambda c: c.call_tool("search", {"query": "صادرات تعاونی های گیلان", "k": 3})))
    assert not result.is_error, text_of(result)
    passages = result.structured_content["passages"]
    assert len(passages) == 3 and passages[0]["doc_id"] == GILAN and FIGURE in passages[0]["text"]
    assert passages[0]["url"] == f"/article/{GILAN}"
    default = run(with_client(mcp_url, lambda c: c.call_tool("search", {"query": "گیلان"})))
    assert len(default.structured_content["passages"]) == 5


def test_facts_filtered_by_province_and_measure(mcp_url):
    async def work(client):
        return (await client.call_tool("facts", {"province": "Gilan", "measure": "exports"}),
                await client.call_tool("facts", {}),
                await client.call_tool("facts", {"limit": 2}))

    gilan, everything, two = run(with_client(mcp_url, work))
    body = gilan.structured_content
    assert body["province"] == "گیلان" and body["total"] >= 1
    assert all(f["subject"] == "گیلان" and f["measure"] == "exports" for f in body["facts"])
    assert any(f["value"] == 34_000_000 and f["unit"] == "USD" and f["doc_id"] == GILAN for f in body["facts"])
    assert everything.structured_content["total"] > body["total"]
    assert len(two.structured_content["facts"]) == 2 and two.structured_content["total"] > 2


def test_articles_are_resources(mcp_url):
    async def work(client):
        listed = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
        read = await client.read_resource(f"article://{GILAN}")
        try:
            await client.read_resource("article://no-such-article")
        except MCPError as exc:
            missing = exc
        else:
            missing = None
        return listed, templates, read, missing

    listed, templates, read, missing = run(with_client(mcp_url, work))
    assert f"article://{GILAN}" in {r.uri for r in listed} and len(listed) == 6
    assert [t.uri_template for t in templates] == ["article://{doc_id}"]
    content = read.contents[0]
    assert content.mime_type == "text/markdown" and "علی لقمانی" in content.text and FIGURE in content.text
    assert missing is not None and missing.error.code == -32602 and "no-such-article" in missing.error.message


BAD_CALLS = [
    ("ask", {}, "question"),
    ("ask", {"question": 5}, "question"),
    ("ask", {"question": ""}, "question"),
    ("ask", {"question": "x" * 1001}, "question"),
    ("ask", {"question": "   "}, "empty"),
    ("ask", {"question": "\u200c \u200c"}, "empty"),
    ("search", {"query": " \u200c "}, "empty"),
    ("ask", {"question": GILAN_Q, "history": "not a list"}, "history"),
    ("ask", {"question": GILAN_Q, "history": [1, 2]}, "history"),
    ("search", {"query": "گیلان", "k": "ten"}, "k"),
    ("search", {"query": "گیلان", "k": 0}, "k"),
    ("search", {"k": 3}, "query"),
    ("facts", {"measure": "weather"}, "measure"),
    ("facts", {"province": ["گیلان"]}, "province"),
    ("no_such_tool", {}, "no_such_tool"),
]


def test_missing_or_wrong_typed_arguments_are_mcp_errors_and_the_server_keeps_serving(mcp_url):
    async def work(client):
        results = [await client.call_tool(name, args) for name, args, _ in BAD_CALLS]
        return results, await client.call_tool("ask", {"question": GILAN_Q})

    results, after = run(with_client(mcp_url, work))
    for (name, args, word), result in zip(BAD_CALLS, results):
        assert result.is_error and result.structured_content is None, (name, args)
        assert word in text_of(result), (name, args, text_of(result))
    assert not after.is_error and FIGURE in after.structured_content["answer"]


def test_broken_requests_get_protocol_errors_and_the_server_keeps_serving(server, mcp_url):
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    with httpx.Client(timeout=60) as c:
        garbage = c.post(mcp_url, content=b"{not json", headers=headers)
        assert garbage.status_code == 400 and "Parse error" in garbage.text
        big = c.post(mcp_url, content=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "ask", "arguments": {"question": "x" * 70_000}}}), headers=headers)
        assert big.status_code == 413 and "limit" in big.json()["error"]
        assert c.get(f"{server.url}/healthz").status_code == 200
        rebinding = c.post(mcp_url, content=b"{}", headers={**headers, "Host": "evil.example"})
        assert rebinding.status_code == 421   # DNS rebinding: a loopback server answers loopback names only
        foreign = c.post(mcp_url, content=b"{}", headers={**headers, "Origin": "http://evil.example"})
        assert foreign.status_code == 403   # a page of another site cannot call it from a browser
        stream = c.get(mcp_url, headers={"Accept": "text/event-stream"}, timeout=10)
        assert stream.status_code == 405 and stream.headers["allow"] == "POST"   # stateless: no GET stream
    result = run(with_client(mcp_url, lambda c: c.call_tool("search", {"query": "گیلان", "k": 1})))
    assert not result.is_error and result.structured_content["passages"][0]["doc_id"]


def test_browser_clients_of_allowed_origins_pass_cors(server, mcp_url, allowed_port):
    origin = f"http://127.0.0.1:{allowed_port}"
    with httpx.Client(timeout=60) as c:
        pre = c.options(mcp_url, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                          "Access-Control-Request-Headers": "content-type,mcp-protocol-version,"
                                                                            "mcp-method,mcp-name"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == origin
        r = c.post(mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "browser", "version": "0"}}},
            headers={"Origin": origin, "Accept": "application/json, text/event-stream"})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == origin and "taavon-news" in r.text


def test_the_token_is_required_when_set(locked):
    url = f"{locked.url}/mcp"
    with httpx.Client(timeout=60) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {ACCESS_TOKEN}"}):
            r = c.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers=headers)
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", headers
            assert r.json()["error"].startswith("missing or wrong token")
        big = c.post(url, content=b"x" * 200_000, headers={"Content-Type": "application/json"})
        assert big.status_code == 401   # refused before the body is read
        # an API path: a GET is refused as JSON, not as a page, and the chat's cookie does not open it
        no_token = c.get(url)
        assert no_token.status_code == 401 and no_token.json()["error"].startswith("missing or wrong token")
        c.cookies.set("assistant_token", ACCESS_TOKEN)
        cookie = c.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert cookie.status_code == 401 and cookie.json()["error"].startswith("missing or wrong token")
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        with pytest.raises(BaseException) as caught:
            run(with_client(url, lambda c: c.list_tools(), headers=headers))
        assert isinstance(unwrap(caught.value), MCPError)

    async def work(client):
        return (await client.list_tools()).tools, await client.call_tool("ask", {"question": GILAN_Q})

    tools, answer = run(with_client(url, work, headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}))
    assert {"ask", "search", "facts"} <= {t.name for t in tools}
    assert FIGURE in answer.structured_content["answer"]
    # clients that take only a URL: the token in the query, as for /api/
    tools, answer = run(with_client(f"{url}?token={ACCESS_TOKEN}", work))
    assert FIGURE in answer.structured_content["answer"]


# ------------------------------------------------------------------------------------------- in memory
def test_an_empty_index_is_a_tool_error_that_says_what_to_do(tmp_path):
    assistant = build_assistant(Settings(data_dir=tmp_path / "empty"))
    try:
        async def work():
            async with Client(build_mcp_server(assistant)) as client:
                return (await client.call_tool("ask", {"question": GILAN_Q}),
                        await client.call_tool("search", {"query": "گیلان"}),
                        (await client.list_resources()).resources)

        ask, search, resources = run(work())
    finally:
        assistant.close()
    for result in (ask, search):
        assert result.is_error and "assistant ingest" in text_of(result), text_of(result)
    assert resources == []


# ----------------------------------------------------------------------------------------------- stdio
@pytest.mark.subprocess
def test_assistant_mcp_serves_over_stdio(sample_index):
    env = cli_env(sample_index, PYTHONPATH=str(REPO))
    params = StdioServerParameters(command=str(BIN), args=["mcp"], env=env, cwd=str(sample_index))

    async def work():
        async with Client(params) as client:
            tools = (await client.list_tools()).tools
            answer = await client.call_tool("ask", {"question": GILAN_Q})
            bad = await client.call_tool("ask", {"question": 5})
            again = await client.call_tool("search", {"query": "صادرات گیلان", "k": 1})
            return tools, answer, bad, again

    tools, answer, bad, again = run(work())
    assert {"ask", "search", "facts"} <= {t.name for t in tools}
    assert not answer.is_error and FIGURE in answer.structured_content["answer"]
    assert answer.structured_content["sources"][0]["doc_id"] == GILAN
    assert bad.is_error and not again.is_error and again.structured_content["passages"][0]["doc_id"] == GILAN
