"""The Chroma client: embedded ``PersistentClient`` under the data directory by default, ``HttpClient``
to a ``chroma run`` server when a URL is configured (``ASSISTANT_CHROMA_URL=http://host:port``).

With a server, every request is bounded in time: the server is asked for a heartbeat before the
client is made (``CONNECT_TIMEOUT`` to connect and to answer), and later requests get
``CONNECT_TIMEOUT`` to connect and ``REQUEST_TIMEOUT`` to answer. A server that is down or hangs
raises :class:`VectorStoreError` naming its URL, never a bare ``httpx`` error.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from index.errors import AssistantError, Failure

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 8000, "https": 443}  # http: Chroma's own default; https: usually a reverse proxy
CONNECT_TIMEOUT = 3.0  # seconds to connect to a Chroma server, and for it to answer the first heartbeat
REQUEST_TIMEOUT = 60.0  # seconds any later request to the server may take (a batch upsert, a query)


class VectorStoreError(AssistantError, RuntimeError):
    """Chroma cannot be opened or reached."""

    failure = Failure.UNAVAILABLE


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


def is_transport_error(exc: BaseException) -> bool:
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


