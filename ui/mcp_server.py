"""The MCP server (official MCP Python SDK 2.x): the assistant as tools and resources for desktop
assistants and agents, over streamable HTTP at ``/mcp`` (``ui/server.py`` adds it to the app) or over
stdio (``assistant mcp``).

Tools, each described in English and Persian:

- ``ask(question, history?)``: the answer with its ``[n]`` markers, whether it abstained, and the
  numbered sources (doc_id, title, the cited sentence, the passage, ``/article/{doc_id}``);
- ``search(query, k?)``: the passages that best match a query;
- ``facts(province?, measure?, limit?)``: the amounts the articles state, with the sentence of each.

Resources: every article as ``article://{doc_id}`` (its full text as ingested).

Arguments that are missing, of the wrong type or out of range are refused by the SDK from the input
schema (a tool result with ``is_error`` naming the argument); the assistant's own errors become tool
errors with their one-line message; nothing stops the server. Only :class:`Assistant`'s public methods
are used. Tools are plain functions: the SDK runs them in worker threads, so the event loop stays free.
"""

import logging
from typing import Annotated, Any, Callable, Literal

import anyio.to_thread
from pydantic import BaseModel, Field

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, Resource, TextContent, ToolAnnotations

from assistant import wording
from assistant.answer import Answer, fa_number
from assistant.build import Assistant
from assistant.settings import Settings
from index.facts import MEASURES
from assistant.filters import Filters
from assistant.question import QuestionError, question_text
from ui.api import HISTORY_CHARS_FACTOR, MAX_HISTORY_ITEMS, MAX_K, clean_text
from ui.failures import INVALID_PARAMS, outcome, report
from ui.shapes import PassageOut, SourceOut, article_uri, article_url

log = logging.getLogger(__name__)

NAME = "taavon-news"
MAX_FACTS = 500
Measure = Literal[tuple(sorted(MEASURES))]  # type: ignore[valid-type]   # the schema lists them
DateFrom = Annotated[str | None, Field(max_length=40, description=(
    "Only articles from this day on: 1403/03/12, ۱۲ خرداد ۱۴۰۳ or 2024-06-01. / فقط خبرهای از این روز به بعد."))]
DateTo = Annotated[str | None, Field(max_length=40, description="Only articles up to this day. / تا این روز.")]
Outlet = Annotated[str | None, Field(max_length=100, description=(
    "Only this outlet, e.g. «ایرنا» (a part of the name is enough). / فقط این رسانه."))]
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


# ------------------------------------------------------------------------------------ output models
class AskResult(BaseModel):
    answer: str = Field(description="The answer with citation markers such as [۱], or why it is not there.")
    abstained: bool = Field(description="True when the articles do not hold the answer.")
    sources: list[SourceOut] = Field(description="The numbered sources the answer cites.")
    related: list[SourceOut] = Field(description="When abstaining: the closest passages, nearest first.")
    standalone_question: str = Field(description="The question after resolving a follow-up.")
    answerer: str = Field(description="offline, llm or facts.")


class SearchResult(BaseModel):
    query: str
    passages: list[PassageOut]


class FactOut(BaseModel):
    subject: str = Field(description="The province, or «کشور» for the whole country.")
    measure: str
    value: int | float
    unit: str | None
    approximate: bool
    period: str | None
    amount_text: str
    quote: str
    doc_id: str
    url: str


class FactsResult(BaseModel):
    province: str | None = Field(description="The province asked for, as the index names it.")
    measure: str | None
    total: int = Field(description="How many facts match (only the first `limit` are listed).")
    facts: list[FactOut]


# ------------------------------------------------------------------------------------------ helpers
def _call(what: str, call: Callable[[], Any]) -> Any:
    """``call()`` with the assistant's errors as tool errors (``ui/failures.py``): a refused question and an
    index that cannot answer with their message, anything else logged and reported without its details."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001
        result = report(exc, f"mcp {what}", log)
        raise ToolError(result.message if result.expected else f"internal error in {what}: see the server log") \
            from None


def _question(value: str, limit: int, what: str) -> str:
    """The question or query as ``question_text`` checks it everywhere; its refusal is a tool error."""
    try:
        return question_text(value, limit, what)
    except QuestionError as exc:
        hint = ": give words to look for, e.g. «صادرات گیلان»" if exc.code == "empty" else ""
        raise ToolError(f"{exc}{hint}") from None


def answer_text(result: AskResult) -> str:
    """What a model reads: the answer, then the numbered sources (title, link, cited sentence)."""
    lines = [result.answer]
    shown = result.sources or result.related
    if shown:
        lines += ["", wording.SOURCES if result.sources else wording.MAYBE_RELATED]
        for s in shown:
            lines.append(f"[{fa_number(s.n)}] {s.title}{f' ({s.byline})' if s.byline else ''} — {s.url}")
            if s.quote:
                lines.append(f"    «{s.quote}»")
    return "\n".join(lines)


def _ask_result(answer: Answer) -> AskResult:
    return AskResult(answer=answer.text, abstained=answer.abstained, sources=[SourceOut.of(s) for s in answer.sources],
                     related=[SourceOut.of(s) for s in answer.related] if answer.abstained else [],
                     standalone_question=answer.standalone_question or answer.question, answerer=answer.answerer)


class ArchiveServer(MCPServer):
    """An MCPServer whose resource list holds every article of the index (read when a client asks)."""

    def __init__(self, assistant: Assistant, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._assistant = assistant

    async def list_resources(self) -> list[Resource]:
        try:
            documents = await anyio.to_thread.run_sync(self._assistant.documents)
        except Exception as exc:  # noqa: BLE001 (an unreadable index lists no articles; the tools say why)
            log.warning("mcp resources/list: %s", outcome(exc).message if outcome(exc).expected else repr(exc))
            documents = []
        listed = [Resource(uri=article_uri(d.doc_id), name=d.doc_id, title=d.title, mime_type="text/markdown",
                           description=f"{d.source} ({d.characters} characters)") for d in documents]
        return [*await super().list_resources(), *listed]


# --------------------------------------------------------------------------------------------- server
def build_mcp_server(assistant: Assistant) -> MCPServer:
    """The MCP server over ``assistant`` (a new one for each app: the SDK's HTTP session manager runs once)."""
    max_chars = assistant.settings.max_question_chars
    mcp = ArchiveServer(
        assistant,
        name=NAME,
        title="Cooperative-news assistant / دستیار خبر تعاون",
        instructions=("Persian questions about news on cooperatives (exports, members, jobs, loans, provinces), "
                      "answered from the articles with cited sources. Use `ask` for questions, `search` for "
                      "passages, `facts` for the figures; read whole articles as article://{doc_id}. / "
                      "پرسش‌های فارسی درباره‌ی اخبار تعاونی‌ها با پاسخ مستند به منابع؛ برای پرسش `ask`، برای "
                      "یافتن بخش‌های خبر `search` و برای آمارها `facts`."),
        log_level="WARNING",   # MCPServer() calls logging.basicConfig: keep it from turning on INFO logs
    )

    @mcp.tool(
        title="Ask / پرسش",
        description=("Answer a question (Persian or English) about news on cooperatives from the articles: the answer "
                     "carries citation markers [n] for its numbered sources, or says that the articles do not hold "
                     "the answer (abstained). Give earlier questions in `history` for a follow-up such as "
                     "«و گلستان چطور؟». / به پرسش درباره‌ی اخبار تعاونی‌ها از روی خبرها پاسخ می‌دهد، با شماره‌ی "
                     "منبع [n] برای هر جمله؛ اگر پاسخ در خبرها نباشد همین را می‌گوید. برای پرسش پیرو، پرسش‌های "
                     "پیشین را در history بدهید."),
        annotations=READ_ONLY,
    )
    def ask(
        question: Annotated[str, Field(min_length=1, max_length=max_chars,
                                       description="The question. / پرسش، مثلاً «صادرات تعاونی‌های گیلان چقدر بود؟»")],
        history: Annotated[
            list[Annotated[str, Field(max_length=max_chars * HISTORY_CHARS_FACTOR)]] | None,
            Field(max_length=MAX_HISTORY_ITEMS,
                  description="Earlier questions of the conversation, oldest first. / پرسش‌های پیشین، به ترتیب."),
        ] = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        outlet: Outlet = None,
    ) -> Annotated[CallToolResult, AskResult]:
        text = _question(question, max_chars, "question")
        earlier = [h for h in (clean_text(item) for item in history or []) if h]
        answer = _call("ask", lambda: assistant.ask(text, earlier, filters=Filters.of(date_from, date_to, outlet)))
        result = _ask_result(answer)
        return CallToolResult(content=[TextContent(type="text", text=answer_text(result))],
                              structured_content=result.model_dump(mode="json"))

    @mcp.tool(
        title="Search / جست‌وجو",
        description=("Find the passages of the articles that best match a query (hybrid: meaning and words; any "
                     "spelling). / بخش‌هایی از خبرها را که بیشترین ارتباط را با عبارت جست‌وجو دارند برمی‌گرداند."),
        annotations=READ_ONLY,
    )
    def search(
        query: Annotated[str, Field(min_length=1, max_length=max_chars,
                                    description="What to look for. / عبارت جست‌وجو.")],
        k: Annotated[int, Field(ge=1, le=MAX_K, description="How many passages. / تعداد نتیجه.")] = 5,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        outlet: Outlet = None,
    ) -> SearchResult:
        text = _question(query, max_chars, "query")
        passages = _call("search", lambda: assistant.search(text, k, filters=Filters.of(date_from, date_to, outlet)))
        return SearchResult(query=text, passages=[PassageOut.of(p) for p in passages])

    @mcp.tool(
        title="Facts / آمارها",
        description=("The figures the articles state (extracted at ingest): subject (a province, or «کشور»), measure, "
                     "value, unit, period and the sentence it comes from; filter by province (Persian or English "
                     "name) and/or measure. / آمارهایی که خبرها ذکر کرده‌اند، با استان، شاخص، مقدار، یکا، دوره و "
                     "جمله‌ی منبع؛ قابل پالایش بر پایه‌ی استان و شاخص."),
        annotations=READ_ONLY,
    )
    def facts(
        province: Annotated[str | None, Field(max_length=100, description=(
            "Only this province, e.g. «گیلان» or Gilan; «کشور» for the country. / فقط این استان."))] = None,
        measure: Annotated[Measure | None, Field(description="Only this measure. / فقط این شاخص.")] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_FACTS, description="At most this many rows. / حداکثر ردیف.")] = 100,
    ) -> FactsResult:
        from index.persian.places import find_provinces

        subject = None
        if province and province.strip():
            names = _call("facts", lambda: find_provinces(assistant.normalizer.canonical(province)))
            subject = names[0] if names else province.strip()
        rows = _call("facts", lambda: assistant.facts(province=subject, measure=measure))
        return FactsResult(province=subject, measure=measure, total=len(rows), facts=[
            FactOut(subject=f.subject, measure=f.measure, value=f.as_dict()["value"], unit=f.unit, approximate=f.approximate,
                    period=f.period, amount_text=f.amount_text, quote=f.quote, doc_id=f.doc_id,
                    url=article_url(f.doc_id))
            for f in rows[:limit]])

    @mcp.resource(
        "article://{doc_id}",
        name="article",
        title="News article / خبر",
        description="The whole text of one article, as ingested. / متن کامل یک خبر.",
        mime_type="text/markdown",
    )
    def article(doc_id: str) -> str:
        try:
            doc = assistant.document(doc_id)
        except Exception as exc:  # noqa: BLE001
            result = outcome(exc)
            if not result.expected:
                raise   # the SDK logs the trace and tells the client only the URI
            raise (ResourceNotFoundError if result.reply.jsonrpc == INVALID_PARAMS else ResourceError)(
                result.message) from None
        if doc is None:
            raise ResourceNotFoundError(f"no article {doc_id!r} in the index: find articles with the search tool "
                                        "or resources/list")
        lines = [f"# {doc.title}", "", doc.source + (f" ({doc.date})" if doc.date else ""), "", doc.text]
        return "\n".join(lines)

    return mcp


LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _PostOnly:
    """The MCP app, with GET answered 405: a stateless server has nothing to send on a GET stream, yet the
    SDK would hold one open forever (pinging every 15 s); the protocol allows 405 and clients expect it.
    (A class, not a function: Starlette routes hand a plain function a Request instead of the ASGI call.)"""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            from starlette.responses import JSONResponse

            response = JSONResponse({"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": (
                "Method Not Allowed: this server keeps no sessions and sends nothing on a GET stream; "
                "POST JSON-RPC messages to /mcp")}}, status_code=405, headers={"Allow": "POST"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def http_app(mcp: MCPServer, settings: Settings):
    """The streamable-HTTP ASGI app of ``mcp``, answering at ``/mcp`` (stateless: any request may go to any
    worker, nothing to keep between them; POST only). Served on a loopback address, it accepts only loopback
    ``Host`` headers and browser origins that are loopback or in ``allowed_origins`` (DNS-rebinding
    protection, as the SDK does by default); on other addresses the access token is the guard, as for
    ``/api/``. The host app must run ``mcp.session_manager.run()`` in its lifespan."""
    from mcp.server.transport_security import TransportSecuritySettings

    if settings.host in LOOPBACK:
        security = TransportSecuritySettings(
            enable_dns_rebinding_protection=True,
            allowed_hosts=[h for name in ("127.0.0.1", "localhost", "[::1]") for h in (name, f"{name}:*")],
            allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*",
                             *(o for o in settings.allowed_origins if o != "*")])
    else:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    inner = mcp.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, transport_security=security,
                                    max_request_body_size=settings.max_body_bytes)
    return _PostOnly(inner)


def run_stdio(assistant: Assistant) -> None:
    """Serve ``assistant`` over stdin/stdout until the client closes them. The models and indexes load in
    the background meanwhile, so a desktop host that starts the server early gets a quick first answer.
    While serving, the SDK points file descriptor 1 at stderr: stray prints cannot corrupt the protocol."""
    import threading

    threading.Thread(target=assistant.warm_up, name="warm-up", daemon=True).start()
    build_mcp_server(assistant).run("stdio")


__all__ = ["build_mcp_server", "http_app", "run_stdio", "answer_text"]
