"""A fake OpenAI-compatible chat-completions server, faked at the protocol level only.

Real HTTP on 127.0.0.1 (a free port), stdlib ``ThreadingHTTPServer`` in a daemon thread. Point
``langchain_openai.ChatOpenAI(base_url=fake.base_url, api_key="test", model=..., max_retries=0)``
at it and the real client code runs unchanged: request building, JSON and SSE parsing, timeouts,
HTTP errors.

Served:

* ``POST /v1/chat/completions`` (also ``/chat/completions``): a ``chat.completion`` object, or, when
  the body says ``"stream": true``, ``chat.completion.chunk`` server-sent events in chunked transfer
  encoding: a first chunk with ``delta.role``, several content deltas (the reply split by words,
  long words by characters), a final chunk with ``finish_reason: "stop"``, an extra usage-only chunk
  when ``stream_options.include_usage`` is true, then ``data: [DONE]``.
* ``GET /v1/models`` (also ``/models``): a list holding ``model``.

Reply content: ``reply(*texts)`` queues texts (FIFO; once the queue is empty the last text repeats),
``respond_with(fn)`` computes the content from the request body instead. Whichever was called last
wins. ``mode`` picks a failure: ``"ok"``, ``"slow"`` (sleep ``delay`` seconds before answering, and for
streams again after the first chunk), ``"error500"`` (HTTP 500 with an OpenAI-style error JSON),
``"garbage"`` (HTTP 200 whose body is neither valid JSON nor a valid event stream of JSON),
``"drop"`` (read the request, then close the connection without a response).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

MODES = ("ok", "slow", "error500", "garbage", "drop")
DEFAULT_REPLY = "fake reply"
DEFAULT_MODEL = "fake-model"


def split_content(text: str, max_chars: int = 6) -> list[str]:
    """Word pieces (leading whitespace attached, as real tokenizers do); words longer than
    ``max_chars`` are cut into ``max_chars``-character pieces. ``"".join(result) == text``."""
    pieces: list[str] = []
    for word in re.findall(r"\s*\S+|\s+", text):
        pieces.extend(word[i : i + max_chars] for i in range(0, len(word), max_chars))
    return pieces


def _count_tokens(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _prompt_tokens(body: dict) -> int:
    total = 0
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            total += _count_tokens(content)
        elif isinstance(content, list):  # content parts
            total += sum(_count_tokens(p.get("text", "")) for p in content if isinstance(p, dict))
    return total


class FakeLLM:
    """A started-on-demand fake server; use as a context manager or call ``start()``/``close()``."""

    def __init__(self, model: str = DEFAULT_MODEL):
        self.model = model
        self.mode = "ok"
        self.delay = 5.0
        self.requests: list[dict] = []  # every JSON request body received, in order
        self.request_headers: list[dict] = []  # the headers of each of those requests, same order
        self.errors: list[BaseException] = []  # exceptions raised by a respond_with callback
        self._lock = threading.Lock()
        self._replies: deque[str] = deque()
        self._last_reply = DEFAULT_REPLY
        self._responder: Callable[[dict], str] | None = None
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- configuration -------------------------------------------------------------------------

    def reply(self, *texts: str) -> None:
        """Queue the content of the next responses (FIFO); the last one repeats once the queue is empty."""
        with self._lock:
            self._responder = None
            self._replies.extend(texts)

    def respond_with(self, fn: Callable[[dict], str] | None) -> None:
        """Compute each reply's content as ``fn(request_body)`` (``None`` goes back to the queue)."""
        with self._lock:
            self._responder = fn

    def _next_content(self, body: dict) -> str:
        with self._lock:
            responder = self._responder
            if responder is None:
                if self._replies:
                    self._last_reply = self._replies.popleft()
                return self._last_reply
        return str(responder(body))

    def _record(self, body: dict, headers: dict) -> None:
        with self._lock:
            self.requests.append(body)
            self.request_headers.append(headers)

    def _sleep(self) -> None:
        """Sleep ``delay`` seconds, cut short when the server closes."""
        self._stopping.wait(float(self.delay))

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeLLM:
        if self._server is not None:
            return self
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.block_on_close = False
        server.fake = self  # type: ignore[attr-defined]
        server.handle_error = lambda request, client_address: None  # clients hang up on purpose
        self._server = server
        self._stopping.clear()
        self.base_url = f"http://127.0.0.1:{server.server_port}/v1"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-llm", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FakeLLM(base_url={self.base_url!r}, mode={self.mode!r}, requests={len(self.requests)})"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like the real API
    server_version = "FakeLLM/1.0"

    @property
    def fake(self) -> FakeLLM:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet test output
        pass

    # -- routing -------------------------------------------------------------------------------

    def _route(self) -> str:
        path = self.path.split("?", 1)[0].rstrip("/")
        return path[len("/v1") :] if path.startswith("/v1/") else path

    def do_GET(self) -> None:
        if self._route() == "/models":
            self._send_json(
                200,
                {
                    "object": "list",
                    "data": [{"id": self.fake.model, "object": "model", "created": 0, "owned_by": "fake-llm"}],
                },
            )
        else:
            self._send_error(404, f"Unknown path {self.path}", "invalid_request_error", "not_found")

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self._route() != "/chat/completions":
            self._send_error(404, f"Unknown path {self.path}", "invalid_request_error", "not_found")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError as exc:
            self._send_error(400, f"Request body is not JSON: {exc}", "invalid_request_error", None)
            return
        fake = self.fake
        fake._record(body, dict(self.headers.items()))
        mode = fake.mode
        if mode not in MODES:
            fake.errors.append(ValueError(f"FakeLLM.mode must be one of {MODES}, not {mode!r}"))
            self._send_error(500, f"FakeLLM.mode must be one of {MODES}, not {mode!r}", "fake_llm_error", None)
            return
        stream = bool(body.get("stream"))

        if mode == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if mode == "error500":
            self._send_error(500, "The fake server had an error while processing your request.", "server_error", None)
            return
        if mode == "garbage":
            self._send_garbage(stream)
            return
        if mode == "slow":
            fake._sleep()

        try:
            content = fake._next_content(body)
        except Exception as exc:  # a broken test callback: say so loudly instead of hanging
            fake.errors.append(exc)
            self._send_error(500, f"respond_with callback raised {exc!r}", "fake_llm_error", None)
            return
        model = body.get("model") or fake.model
        if stream:
            self._send_stream(body, model, content, slow=mode == "slow")
        else:
            self._send_completion(body, model, content)

    # -- responses -----------------------------------------------------------------------------

    def _send_bytes(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _send_json(self, status: int, obj: dict) -> None:
        self._send_bytes(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json")

    def _send_error(self, status: int, message: str, kind: str, code: str | None) -> None:
        self._send_json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})

    def _send_garbage(self, stream: bool) -> None:
        if stream:  # an event stream whose first event carries truncated JSON, then HTML noise
            payload = b'data: {"id": "chatcmpl-garbage", "choices": [{"delta": {"cont\n\n<html>502</html>\n\n'
            self._send_bytes(200, payload, "text/event-stream")
        else:  # claims to be JSON, is not
            payload = b'<html><body>502 Bad Gateway</body></html>{"id": "chatcmpl-garbage", "choices": ['
            self._send_bytes(200, payload, "application/json")

    def _usage(self, body: dict, content: str) -> dict:
        prompt, completion = _prompt_tokens(body), _count_tokens(content)
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _send_completion(self, body: dict, model: str, content: str) -> None:
        self._send_json(
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                ],
                "usage": self._usage(body, content),
            },
        )

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _send_stream(self, body: dict, model: str, content: str, slow: bool) -> None:
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
        }

        def event(choices: list, **extra) -> bytes:
            chunk = {**base, "choices": choices, **extra}
            if include_usage and "usage" not in chunk:
                chunk["usage"] = None
            return b"data: " + json.dumps(chunk, ensure_ascii=False).encode("utf-8") + b"\n\n"

        def choice(delta: dict, finish_reason: str | None = None) -> list:
            return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]

        events = [event(choice({"role": "assistant", "content": "", "refusal": None}))]
        events += [event(choice({"content": piece})) for piece in split_content(content)]
        events.append(event(choice({}, "stop")))
        if include_usage:
            events.append(event([], usage=self._usage(body, content)))
        events.append(b"data: [DONE]\n\n")

        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i, data in enumerate(events):
                self._write_chunk(data)
                if slow and i == 0:
                    self.fake._sleep()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:  # the client gave up (timeout) mid-stream
            self.close_connection = True


@pytest.fixture
def fake_llm():
    """A started FakeLLM, closed after the test."""
    with FakeLLM() as fake:
        yield fake
