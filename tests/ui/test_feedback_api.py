"""`POST /api/feedback` over real HTTP, on the real server app (``ui/server.create_app``) with the reader's
access token set: stored with its comment intact, bad input refused with ``{"error"}`` and nothing stored."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from assistant.build import build_assistant
from assistant.feedback import MAX_COMMENT_CHARS
from assistant.settings import Settings
from helpers import Server

TOKEN = "reader-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
Q = "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"
A = "مدیرکل … از صادرات ۳۴ میلیون دلاری تعاونیها در سالجاری خبر داد. [۱]"
HOSTILE = '<script>alert(1)</script> عدد <img src=x onerror="y()"> غلط است\nخط دوم'


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The whole app (chat, widget, API) over an empty data directory: feedback needs no index."""
    from ui.server import create_app

    with pytest.MonkeyPatch.context() as mp:   # module fixtures run before the autouse env isolation
        for key in list(os.environ):
            if key.startswith("ASSISTANT_"):
                mp.delenv(key)
        mp.chdir(tmp_path_factory.mktemp("feedback-cwd"))
        settings = Settings(data_dir=tmp_path_factory.mktemp("feedback") / "index", access_token=TOKEN)
        assistant = build_assistant(settings)
        with Server(create_app(assistant, settings)) as server:
            server.assistant = assistant
            yield server
        assistant.close()


@pytest.fixture
def client(served):
    with httpx.Client(base_url=served.url, timeout=60) as c:
        yield c


def post(client, payload, headers=AUTH, **kwargs):
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return client.post("/api/feedback", content=body, headers={"Content-Type": "application/json", **(headers or {})},
                       **kwargs)


def test_feedback_is_stored_with_its_comment_intact(client, served):
    # the sources as /api/ask returns them: the extra fields are ignored
    sources = [{"n": 1, "doc_id": "001_2df5e54f2db4a315", "title": "صادرات <b>گیلان</b>", "source": "a.txt",
                "text": "…", "quote": "…", "score": 0.9}]
    r = post(client, {"question": Q, "answer": A, "rating": "down", "comment": HOSTILE, "sources": sources,
                      "history": ["پرسش پیشین"]})
    assert r.status_code == 200, r.text
    fid = r.json()["id"]
    assert set(r.json()) == {"id"} and len(fid) == 32
    stored = {f.id: f for f in served.assistant.feedback()}[fid]
    assert (stored.question, stored.answer, stored.rating, stored.comment) == (Q, A, "down", HOSTILE)
    assert [s.model_dump() for s in stored.sources] == [{"doc_id": "001_2df5e54f2db4a315", "title": "صادرات <b>گیلان</b>"}]
    assert stored.history == ["پرسش پیشین"]
    # the least a client can send
    r = post(client, {"question": Q, "answer": A, "rating": "up"})
    assert r.status_code == 200, r.text
    assert served.assistant.feedback("up")[0].id == r.json()["id"]
    assert served.assistant.feedback("up")[0].comment is None


@pytest.mark.parametrize("payload, status, says", [
    ({"question": Q, "answer": A, "rating": "good"}, 422, 'rating must be "up" or "down", got \'good\''),
    ({"question": Q, "answer": A, "rating": "Up"}, 422, "got 'Up'"),
    ({"question": Q, "answer": A, "rating": 1}, 422, "rating"),
    ({"question": Q, "answer": A}, 422, "rating is required"),
    ({"answer": A, "rating": "up"}, 422, "question is required"),
    ({"question": "  ", "answer": A, "rating": "up"}, 422, "question is empty"),
    ({"question": Q, "answer": A, "rating": "up", "comment": "ن" * (MAX_COMMENT_CHARS + 1)}, 422,
     f"comment has {MAX_COMMENT_CHARS + 1} characters; the limit is {MAX_COMMENT_CHARS}"),
    ({"question": Q, "answer": A, "rating": "up", "sources": [{"title": "x"}]}, 422, "sources[0].doc_id is required"),
    ({"question": Q, "answer": A, "rating": "up", "sources": "x"}, 422, "sources"),
    ({"question": Q, "answer": A, "rating": "up", "stars": 5}, 422, "unknown field 'stars'"),
    (b'{"question": ', 400, "not valid JSON"),
    (b"", 400, "body is empty"),
    ({"question": Q, "answer": A, "rating": "up", "comment": "ن" * 40_000}, 413, ""),
])
def test_bad_feedback_is_refused_and_nothing_stored(client, served, payload, status, says):
    before = len(served.assistant.feedback())
    r = post(client, payload)
    assert r.status_code == status, r.text
    assert says in r.json()["error"]
    assert len(served.assistant.feedback()) == before


def test_feedback_needs_the_readers_token(client, served):
    payload = {"question": Q, "answer": A, "rating": "up", "comment": "بدون توکن"}
    before = len(served.assistant.feedback())
    for headers, params in [(None, None), ({"Authorization": "Bearer wrong"}, None), (None, {"token": "wrong"})]:
        r = post(client, payload, headers=headers, params=params)
        assert r.status_code == 401 and r.json()["error"].startswith("missing or wrong token")
    assert len(served.assistant.feedback()) == before
    assert post(client, payload, headers=None, params={"token": TOKEN}).status_code == 200
    assert post(client, payload).status_code == 200
    assert len(served.assistant.feedback()) == before + 2


def test_a_non_json_body_is_415(client):
    r = client.post("/api/feedback", content=b"rating=up", headers={"Content-Type": "application/x-www-form-urlencoded",
                                                                    **AUTH})
    assert r.status_code == 415 and "application/json" in r.json()["error"]


def test_the_route_is_described(client):
    spec = client.get("/openapi.json", params={"token": TOKEN}).json()
    op = spec["paths"]["/api/feedback"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][ref.split("/")[-1]]
    assert schema["required"] == ["question", "answer", "rating"]
    assert schema["properties"]["rating"]["enum"] == ["up", "down"]
    assert op.get("security")
