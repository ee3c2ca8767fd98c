"""The dense index in Chroma, derived from the store of record.

Embedded ``PersistentClient`` under the data directory by default; ``HttpClient`` to a
``chroma run`` server when a URL is configured (``ASSISTANT_CHROMA_URL=http://host:port``). The
collection records which embedding model and dimension built it, and opening it with another model
is an error that says how to rebuild.

With a server, every request is bounded in time: the server is asked for a heartbeat before the
client is made (``CONNECT_TIMEOUT`` to connect and to answer), and later requests get
``CONNECT_TIMEOUT`` to connect and ``REQUEST_TIMEOUT`` to answer. A server that is down, hangs or
goes away raises :class:`VectorStoreError` naming its URL, never a bare ``httpx`` error.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import numpy as np

log = logging.getLogger(__name__)

COLLECTION = "passages"
DEFAULT_PORTS = {"http": 8000, "https": 443}  # http: Chroma's own default; https: usually a reverse proxy
CONNECT_TIMEOUT = 3.0  # seconds to connect to a Chroma server, and for it to answer the first heartbeat
REQUEST_TIMEOUT = 60.0  # seconds any later request to the server may take (a batch upsert, a query)

T = TypeVar("T")


class IndexModelMismatch(RuntimeError):
    """The index was built with a different embedding model than the settings ask for."""


class VectorStoreError(RuntimeError):
    """Chroma cannot be opened or reached."""


@dataclass(frozen=True)
class DenseHit:
    chunk_id: str
    similarity: float


@dataclass(frozen=True)
class ServerAddress:
    """A checked ``ASSISTANT_CHROMA_URL``: ``base`` is scheme://host:port[/prefix], port always explicit."""

    url: str
    base: str
    port: int
    ssl: bool


def parse_chroma_url(chroma_url: str) -> ServerAddress:
    """Check ``chroma_url`` (http://host:port, or https://host[:port][/prefix] behind a proxy).

    Raises :class:`VectorStoreError` saying what is wrong and what a good value looks like."""
    raw = (chroma_url or "").strip()

    def bad(why: str) -> VectorStoreError:
        example = f"http://{raw}" if raw and "://" not in raw else "http://localhost:8000"
        return VectorStoreError(
            f"ASSISTANT_CHROMA_URL {chroma_url!r} {why}: give the http://host:port of a `chroma run` server, "
            f"e.g. {example}, or unset it to use the embedded store under the data directory")

    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:  # a port that is not a number, or out of range
        raise bad(f"is not a valid URL ({exc})") from None
    if "://" not in raw or parts.scheme not in DEFAULT_PORTS:
        raise bad("is not an http:// or https:// URL")
    if not parts.hostname:
        raise bad("names no host")
    if parts.username is not None or parts.password is not None:
        raise bad("carries credentials, which the Chroma client does not send")
    if parts.query or parts.fragment:
        raise bad("has a query or fragment")
    if port == 0:
        raise bad("has port 0")
    ssl = parts.scheme == "https"
    port = port or DEFAULT_PORTS[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return ServerAddress(url=raw, base=f"{parts.scheme}://{host}:{port}{parts.path.rstrip('/')}", port=port, ssl=ssl)


def _start_hint(address: ServerAddress) -> str:
    return (f"start it with `chroma run --path DIR --port {address.port}` (add `--host 0.0.0.0` for other machines) "
            "or unset ASSISTANT_CHROMA_URL to use the embedded store under the data directory")


def _is_transport_error(exc: BaseException) -> bool:
    httpx = sys.modules.get("httpx")  # loaded by chromadb's HTTP client; absent when only embedded is used
    return httpx is not None and isinstance(exc, httpx.TransportError)


def _heartbeat(address: ServerAddress) -> None:
    """Fail fast, in bounded time, when nothing (or not a Chroma server) answers at ``address``."""
    import httpx

    url = f"{address.base}/api/v2/heartbeat"
    try:
        response = httpx.get(url, timeout=CONNECT_TIMEOUT)
    except httpx.TimeoutException as exc:
        raise VectorStoreError(
            f"the Chroma server at {address.url} did not answer within {CONNECT_TIMEOUT:g} s "
            f"({type(exc).__name__}): is it running and reachable? {_start_hint(address)}") from exc
    except httpx.HTTPError as exc:
        raise VectorStoreError(
            f"cannot reach the Chroma server at {address.url} ({type(exc).__name__}: {exc}): "
            f"{_start_hint(address)}") from exc
    if response.status_code != 200 or "heartbeat" not in response.text:
        raise VectorStoreError(
            f"{address.url} answered HTTP {response.status_code} to GET {url}: it does not look like a Chroma 1.x "
            f"server. {_start_hint(address)}")


def _bound_requests(client) -> None:
    """Give the client's HTTP session timeouts: chromadb 1.5 makes it with none (a hung server hangs us)."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(REQUEST_TIMEOUT, connect=CONNECT_TIMEOUT)
    else:  # a later chromadb: requests may wait without limit
        log.warning("could not set request timeouts on the Chroma HTTP client")


def make_client(data_dir: Path, chroma_url: str | None = None):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        address = parse_chroma_url(chroma_url)
        _heartbeat(address)
        try:
            # a full URL as host keeps an https proxy's path prefix and IPv6 brackets; the port is in it
            client = chromadb.HttpClient(host=address.base, port=address.port, ssl=address.ssl,
                                         settings=chroma_settings)
        except Exception as exc:  # chromadb raises ValueError, ChromaError or httpx errors here
            raise VectorStoreError(f"cannot open the Chroma server at {address.url}: {exc}. "
                                   f"{_start_hint(address)}") from exc
        _bound_requests(client)
        return client
    path = Path(data_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def describe_client(client) -> str:
    """Where the client's data lives, for messages: the server's URL or the embedded directory."""
    try:
        settings = client.get_settings()
    except Exception:  # not a chromadb client (a test double)
        return "Chroma"
    if str(settings.chroma_api_impl).endswith("FastAPI"):
        return f"the Chroma server at {settings.chroma_server_host}"
    return f"the embedded Chroma store in {settings.persist_directory}"


class VectorIndex:
    """One Chroma collection of chunk embeddings, keyed by chunk id."""

    def __init__(self, client, model_id: str, dimension: int, *, name: str = COLLECTION, create: bool = True) -> None:
        self.client = client
        self.model_id = model_id
        self.dimension = dimension
        self.name = name
        self.where = describe_client(client)
        self._collection = None
        self._create = create
        self._lock = threading.RLock()

    @property
    def collection(self):
        if self._collection is None:
            with self._lock:  # concurrent first requests open it once
                if self._collection is None:
                    self._collection = self._guarded("open the collection", lambda: self._open(self._create))
        return self._collection

    def _guarded(self, what: str, call: Callable[[], T]) -> T:
        """``call()``, with a lost or hung server turned into a :class:`VectorStoreError` naming it."""
        try:
            return call()
        except Exception as exc:
            if _is_transport_error(exc):
                raise VectorStoreError(
                    f"lost {self.where} while trying to {what} ({type(exc).__name__}: {exc}): is it still running? "
                    "Start it with `chroma run --path DIR --port PORT` or unset ASSISTANT_CHROMA_URL") from exc
            raise

    def _open(self, create: bool):
        from chromadb.errors import ChromaError, NotFoundError

        try:
            collection = self.client.get_collection(self.name)
        except NotFoundError:
            if not create:
                raise VectorStoreError(
                    f"no Chroma collection {self.name!r} in {self.where}: it was never built, or it was dropped "
                    "(by `assistant ingest --rebuild` of another assistant sharing the server?): run "
                    "`assistant ingest PATH...`") from None
            try:
                collection = self.client.create_collection(
                    self.name,
                    metadata={"embedding_model": self.model_id, "dimension": self.dimension},
                    configuration={"hnsw": {"space": "cosine"}},
                )
            except ChromaError:  # another process sharing the server created it first: use (and check) theirs
                collection = self.client.get_collection(self.name)
        meta = collection.metadata or {}
        built_with, built_dim = meta.get("embedding_model"), meta.get("dimension")
        if built_with != self.model_id or int(built_dim or 0) != self.dimension:
            raise IndexModelMismatch(
                f"the index in {self.where} was built with embedding model {built_with!r} (dimension {built_dim}), "
                f"but the settings ask for {self.model_id!r} (dimension {self.dimension}): run "
                "`assistant ingest --rebuild PATH...` to rebuild it with the new model, or set "
                "ASSISTANT_EMBEDDING_BACKEND/ASSISTANT_EMBEDDING_MODEL back to the old one"
            )
        return collection

    def _call(self, what: str, op: Callable[..., T]) -> T:
        """``op(collection)``; if the collection was dropped under us (a shared server, where another
        assistant ran ``ingest --rebuild``, or a server started afresh), open it again once, as a first
        open would (checking its model), and retry."""
        from chromadb.errors import NotFoundError

        collection = self.collection
        try:
            return self._guarded(what, lambda: op(collection))
        except NotFoundError:
            log.info("Chroma collection %r was dropped in %s: opening it again", self.name, self.where)
        with self._lock:
            if self._collection is collection:
                self._collection = None
                self._collection = self._guarded("open the collection", lambda: self._open(self._create))
            collection = self._collection
        try:
            return self._guarded(what, lambda: op(collection))
        except NotFoundError as exc:
            raise VectorStoreError(f"the Chroma collection {self.name!r} in {self.where} keeps disappearing "
                                   f"while trying to {what}: is another assistant rebuilding it?") from exc

    def langchain_store(self, embeddings):
        """The same collection as a LangChain ``Chroma`` vector store."""
        from langchain_chroma import Chroma

        self.collection  # noqa: B018 (checks the model before LangChain touches it)
        return Chroma(client=self.client, collection_name=self.name, embedding_function=embeddings)

    def reset(self) -> None:
        """Drop the collection; the next use creates it empty."""
        with self._lock:
            try:
                self._guarded("drop the collection", lambda: self.client.delete_collection(self.name))
            except VectorStoreError:
                raise
            except Exception:  # not there (or too damaged to drop cleanly): nothing more to do
                pass
            self._collection = None

    def count(self) -> int:
        return int(self._call("count the vectors", lambda c: c.count()))

    def hashes(self) -> dict[str, str]:
        """chunk_id → embed_hash of everything in the collection."""
        out: dict[str, str] = {}
        total = self.count()
        for offset in range(0, total, 5000):
            got = self._call("read the vectors",
                             lambda c, offset=offset: c.get(include=["metadatas"], limit=5000, offset=offset))
            for cid, meta in zip(got["ids"], got["metadatas"] or []):
                out[cid] = (meta or {}).get("embed_hash", "")
        return out

    def upsert(self, rows: Iterable[tuple], batch: int = 1000) -> int:
        """Write rows from ``Record.iter_chunks``: (chunk_id, doc_id, position, start, end, title, source,
        text, canonical, embed_hash, embedding)."""
        n = 0
        pending: list[tuple] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                n += self._upsert(pending)
                pending = []
        if pending:
            n += self._upsert(pending)
        return n

    def _upsert(self, rows: list[tuple]) -> int:
        ids = [r[0] for r in rows]
        embeddings = np.vstack([np.frombuffer(r[10], dtype=np.float32) for r in rows])
        documents = [r[7] for r in rows]
        metadatas = [
            {"doc_id": r[1], "position": r[2], "start": r[3], "end": r[4], "title": r[5], "source": r[6],
             "embed_hash": r[9]}
            for r in rows
        ]
        self._call("write vectors", lambda c: c.upsert(ids=ids, embeddings=embeddings, documents=documents,
                                                       metadatas=metadatas))
        return len(rows)

    def delete(self, chunk_ids: list[str], batch: int = 5000) -> None:
        for i in range(0, len(chunk_ids), batch):
            part = chunk_ids[i:i + batch]
            self._call("delete vectors", lambda c, part=part: c.delete(ids=part))

    def query(self, vector: np.ndarray, k: int) -> list[DenseHit]:
        # chromadb 1.5 returns what it has when asked for more (and nothing from an empty collection)
        query = [np.asarray(vector, dtype=np.float32)]
        got = self._call("search", lambda c: c.query(query_embeddings=query, n_results=k, include=["distances"]))
        return [DenseHit(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0])]
