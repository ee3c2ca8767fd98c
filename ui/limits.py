"""Request body limits as a small ASGI middleware: a body over the limit is refused with 413 before the
route sees it, from its ``Content-Length`` or, for a chunked body, as soon as the count passes the limit
(at most the limit plus one network chunk is ever held). The server then hangs up (``Connection:
close``) instead of draining the rest of an oversized upload. The error is JSON in the shape of the
path's API (``ui/errors.error_payload``: OpenAI's under ``/v1/``).

Paths under ``streamed`` (file uploads) are not held in memory: the body passes through as it comes,
counted, and the route's read fails with :class:`BodyTooLarge` once the count passes the limit; the
middleware answers that with the same 413 (the route has not answered yet: it was still reading)."""

from __future__ import annotations

import json

from index.errors import AssistantError, Failure
from ui.errors import error_payload

_CLOSE = [(b"connection", b"close")]


class BodyTooLarge(AssistantError):
    """Raised into a streamed upload's reader when its body passes the limit."""

    failure = Failure.TOO_LARGE


class BodyLimit:
    """Limit the bodies of requests whose path starts with a prefix of ``limits`` ({prefix: bytes})."""

    def __init__(self, app, limits: dict[str, int], streamed: tuple[str, ...] = ()) -> None:
        self.streamed = streamed
        for prefix, limit in limits.items():
            if limit < 1:
                raise ValueError(f"the body limit for {prefix!r} must be positive, got {limit}")
        self.app = app
        self.limits = sorted(limits.items(), key=lambda kv: -len(kv[0]))   # the longest prefix wins

    async def __call__(self, scope, receive, send) -> None:
        limit = None
        if scope["type"] == "http":
            limit = next((n for prefix, n in self.limits if scope["path"].startswith(prefix)), None)
        if limit is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _refuse(send, scope, 400,
                              f"Content-Length is not a number: {declared[:40].decode('latin-1')!r}")
                return
            if size > limit:
                await _refuse(send, scope, 413, f"the request body has {size} bytes; the limit is {limit} bytes")
                return
        if scope["path"].startswith(self.streamed):
            await self._stream(scope, receive, send, limit)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > limit:
                await _refuse(send, scope, 413, f"the request body is larger than the limit of {limit} bytes")
                return
            if not message.get("more_body"):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _stream(self, scope, receive, send, limit: int) -> None:
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(f"the request body is larger than the limit of {limit} bytes")
            return message

        async def watched(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as exc:
            if started:
                raise
            await _refuse(send, scope, 413, str(exc))


async def _refuse(send, scope, status: int, message: str) -> None:
    code = "request_too_large" if status == 413 else None
    payload = json.dumps(error_payload(scope["path"], status, message, code=code)).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            *_CLOSE]})
    await send({"type": "http.response.body", "body": payload})
