"""The admin API of the sources an archive follows (present with ``admin_token``, as the rest of the admin API):

======  ==============================  ==========================================================================
GET     /api/sources                    every source with its last run (new / updated / unchanged / failed, the
                                        last error) and the sync running now
POST    /api/sources                    ``{"url", "every"?: "30m", "name"?}``: follow a feed, sitemap or page (201)
DELETE  /api/sources/{name}             stop following it (its articles stay)
POST    /api/sources/{name}/sync        sync it now, in the background (202; 409 while a sync runs)
GET     /api/refusals                   the questions the archive could not answer, grouped by likeness, most
                                        asked first (``?format=csv``: a spreadsheet)
======  ==============================  ==========================================================================
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from assistant.build import Assistant
from assistant.refusals import as_csv
from index.sources.registry import DEFAULT_EVERY, Source, parse_every
from ui.auth import admin_required
from ui.errors import ApiError, ApiRoute, error_responses
from ui.failures import outcome
from ui.syncs import SyncRunner


class SourceState(BaseModel):
    name: str
    url: str
    every_seconds: int
    added_at: str
    last_run: str | None = Field(None, description="When it was last synced (UTC, ISO 8601).")
    last_ok: str | None = None
    new: int
    updated: int
    unchanged: int
    failed: int = Field(description="Pages of the last run that could not be read.")
    last_error: str | None = Field(None, description="Why the last run of the source itself failed.")

    @classmethod
    def of(cls, s: Source) -> "SourceState":
        return cls(**{name: getattr(s, name) for name in cls.model_fields})


class SyncState(BaseModel):
    running: str | None = Field(None, description="The sources being synced now.")
    started: str | None = None
    last: dict | None = Field(None, description="The last sync's report.")
    scheduled: bool = Field(description="Whether the server syncs sources when due (ASSISTANT_SYNC_SCHEDULE).")


class SourceList(BaseModel):
    sources: list[SourceState]
    sync: SyncState


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: StrictStr = Field(description="An RSS/Atom feed, a sitemap or one article page (http or https).")
    every: StrictStr | None = Field(None, description="How often the server syncs it: 30m, 2h, 1d (default 1h).")
    name: StrictStr | None = Field(None, description="A short name (default: the host).")


class SyncStarted(BaseModel):
    started: bool


class RefusalGroupOut(BaseModel):
    question: str = Field(description="The newest wording.")
    count: int = Field(description="How many times questions of this group were refused.")
    last_asked: str
    first_asked: str
    wordings: list[str] = Field(description="The distinct wordings, newest first (at most 5).")
    words: list[str] = Field(description="The content words they share.")


class RefusalList(BaseModel):
    groups: list[RefusalGroupOut]
    recording: bool = Field(description="Whether refused questions are kept (ASSISTANT_RECORD_REFUSALS).")


def make_sources_router(assistant: Assistant, token: str, runner: SyncRunner) -> APIRouter:
    router = APIRouter(route_class=ApiRoute, tags=["sources"], dependencies=[Depends(admin_required(token))])

    def registry_call(call):
        registry = assistant.sources()
        try:
            return call(registry)
        except Exception as exc:  # noqa: BLE001 — a SourceError is 422 (an unknown source 404), with its message
            result = outcome(exc)
            if not result.expected:
                raise
            raise ApiError(result.reply.status, result.message) from None
        finally:
            registry.close()

    @router.get("/api/sources", response_model=SourceList, summary="The sources followed, with their last run",
                responses=error_responses(401, 403))
    def sources() -> SourceList:
        listed = registry_call(lambda r: r.sources())
        return SourceList(sources=[SourceState.of(s) for s in listed], sync=SyncState(**runner.state()))

    @router.post("/api/sources", response_model=SourceState, status_code=201, summary="Follow a feed, sitemap or page",
                 responses=error_responses(400, 401, 403, 415, 422))
    def add(body: SourceIn) -> SourceState:
        return SourceState.of(registry_call(lambda r: r.add(
            body.url, name=body.name, every_seconds=parse_every(body.every) if body.every else DEFAULT_EVERY)))

    @router.delete("/api/sources/{name}", response_model=SourceState, summary="Stop following a source",
                   responses=error_responses(401, 403, 404))
    def remove(name: str) -> SourceState:
        return SourceState.of(registry_call(lambda r: r.remove(name)))

    @router.post("/api/sources/{name}/sync", response_model=SyncStarted, status_code=202,
                 summary="Sync a source now, in the background", responses=error_responses(401, 403, 404, 409))
    def sync_now(name: str) -> SyncStarted:
        source = registry_call(lambda r: r.get(name))
        if not runner.run_now([source.name]):
            raise ApiError(409, f"a sync is running now ({runner.running}): wait for it, then ask again")
        return SyncStarted(started=True)

    @router.get("/api/refusals", response_model=RefusalList, summary="What readers asked that the archive could "
                "not answer, grouped by likeness (`?format=csv` for a spreadsheet)", responses=error_responses(401, 403))
    def refusals(format: Literal["json", "csv"] = "json"):   # noqa: A002 — the query parameter's name
        groups = assistant.refusals()
        if format == "csv":
            return Response(as_csv(groups), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="refused-questions.csv"'})
        return RefusalList(groups=[RefusalGroupOut(**g.as_dict()) for g in groups],
                           recording=assistant.settings.record_refusals)

    return router


__all__ = ["make_sources_router"]
