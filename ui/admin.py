"""The admin page (``/admin``) and the admin API, present only when ``admin_token`` is set (otherwise
every admin path answers 404):

=======================================  ===========================================================
``GET /admin``                            the page (HTML and script only; it asks for the token and
                                          sends it as ``Authorization: Bearer`` on every call)
``POST /api/documents``                   multipart, field ``files`` (one or more) → the documents
                                          they gave (``added`` / ``updated`` / ``unchanged``) and the
                                          files skipped with the reason
``GET /api/documents``                    every document: id, title, source, date, chunks, added
``GET /api/documents/progress``           the upload being indexed: phase, texts embedded / to embed
``DELETE /api/documents/{doc_id}``        gone from search, answers, facts and the list
``GET /api/feedback[?rating=up|down]``    readers' ratings, newest first (``assistant/feedback.py``)
=======================================  ===========================================================

Every admin call needs ``Authorization: Bearer <admin_token>``: none → 401, a wrong one (the reader's
``access_token`` included) → 403. Uploads are indexed under the writer lock: when another process
holds it, or another upload is running here, the answer is 409 at once. Questions keep being answered
meanwhile (uploads run on the thread pool; readers do not take the lock).
"""

from __future__ import annotations

import html
import json
import logging
import re
import threading
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from assistant import wording
from assistant.build import Assistant
from assistant.feedback import Feedback
from assistant.uploads import FileTooLarge
from index.store import IndexLocked
from ui.auth import admin_required
from ui.errors import ApiError, ApiRoute, error_responses
from ui.limits import BodyTooLarge
from ui.failures import outcome

log = logging.getLogger(__name__)

PAGE = Path(__file__).resolve().parent / "admin.html"


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    source: str
    date: str | None = None
    chunks: int
    added: str | None = Field(None, description="When the document first came in (UTC, ISO 8601).")
    updated: str | None = Field(None, description="When its text last changed (UTC, ISO 8601).")


class UploadedOut(BaseModel):
    doc_id: str
    title: str
    source: str
    chunks: int
    status: Literal["added", "updated", "unchanged"] = Field(description="What the upload did to the index.")


class SkippedFile(BaseModel):
    name: str = Field(description="The file name as sent.")
    reason: str


class UploadOut(BaseModel):
    documents: list[UploadedOut]
    skipped: list[SkippedFile]


class DocumentList(BaseModel):
    documents: list[DocumentOut]


class Progress(BaseModel):
    active: bool
    phase: Literal["idle", "saving", "reading", "embedding", "writing"] = "idle"
    done: int = 0
    total: int = 0
    files: list[str] = []


class Removed(BaseModel):
    removed: list[str]


class FeedbackList(BaseModel):
    feedback: list[Feedback]


def render_page() -> str:
    """``admin.html`` with its Persian texts (``wording.ADMIN``) filled in: ``[[key]]`` escaped as HTML,
    ``[[texts_json]]`` as a JSON object for the script."""
    texts = json.dumps(wording.ADMIN, ensure_ascii=False).replace("</", "<\\/")
    page = PAGE.read_text(encoding="utf-8").replace("[[texts_json]]", texts)
    return re.sub(r"\[\[(\w+)\]\]", lambda m: html.escape(wording.ADMIN[m.group(1)]), page)


class _Uploads:
    """One upload at a time in this process, and how far it is."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.state = Progress(active=False)

    def set(self, **values) -> None:
        self.state = self.state.model_copy(update=values)


def make_admin_router(assistant: Assistant, token: str, max_files: int) -> APIRouter:
    router = APIRouter(route_class=ApiRoute, tags=["admin"])
    uploads = _Uploads()

    @router.get("/admin", include_in_schema=False)   # the page holds no data: every call it makes needs the token
    def page() -> HTMLResponse:
        return HTMLResponse(render_page(), headers={"Cache-Control": "no-store"})

    api = APIRouter(route_class=ApiRoute, tags=["admin"], dependencies=[Depends(admin_required(token))])

    @api.get("/api/documents", response_model=DocumentList, summary="Every document in the index",
                responses=error_responses(401, 403))
    def documents() -> DocumentList:
        return DocumentList(documents=[DocumentOut(doc_id=d.doc_id, title=d.title, source=d.source, date=d.date,
                                                   chunks=d.chunks, added=d.added, updated=d.updated)
                                       for d in assistant.documents()])

    @api.get("/api/documents/progress", response_model=Progress, summary="How far the running upload is",
                responses=error_responses(401, 403))
    def progress() -> Progress:
        return uploads.state

    @api.post("/api/documents", response_model=UploadOut, summary="Add PDF, Word, text, Markdown, HTML or "
                 "JSONL files (multipart, field `files`)", responses=error_responses(400, 401, 403, 409, 413, 415, 422))
    async def upload(request: Request) -> UploadOut:
        if not uploads.lock.acquire(blocking=False):
            raise ApiError(409, "another upload is being indexed now: wait for it to finish, then send again")
        try:
            try:
                assistant.ensure_writable()   # 409 before the body is read
            except IndexLocked as exc:
                raise _api_error(exc) from None
            files = await _files(request, max_files)
            uploads.set(active=True, phase="saving", done=0, total=0, files=[f.filename or "" for f in files])
            from starlette.concurrency import run_in_threadpool

            result = await run_in_threadpool(_add, assistant, files, uploads)
        finally:
            uploads.set(active=False, phase="idle")
            uploads.lock.release()
        return UploadOut(
            documents=[UploadedOut(doc_id=d.doc_id, title=d.title, source=d.source, chunks=d.chunks, status=d.status)
                       for d in result.documents],
            skipped=[SkippedFile(name=name, reason=reason) for name, reason in result.skipped])

    @api.delete("/api/documents/{doc_id:path}", response_model=Removed, summary="Remove a document",
                   responses=error_responses(401, 403, 404, 409))
    def delete(doc_id: str) -> Removed:
        if assistant.document(doc_id) is None:
            raise ApiError(404, f"no document {doc_id!r} in the index (GET /api/documents lists them)")
        try:
            report = assistant.delete([doc_id])
        except IndexLocked as exc:
            raise _api_error(exc) from None
        return Removed(removed=report.removed)

    @api.get("/api/feedback", response_model=FeedbackList, summary="Readers' ratings of answers, newest first",
                responses=error_responses(401, 403, 422))
    def feedback(rating: Literal["up", "down"] | None = None) -> FeedbackList:
        return FeedbackList(feedback=assistant.feedback(rating))

    router.include_router(api)
    return router


def _api_error(exc: Exception) -> ApiError:
    result = outcome(exc)
    return ApiError(result.reply.status, result.message)


async def _files(request: Request, max_files: int) -> list[UploadFile]:
    """The ``files`` parts of a multipart body (spooled to disk by Starlette, not held in memory)."""
    kind = request.headers.get("content-type", "")
    if not kind.startswith("multipart/form-data"):
        raise ApiError(415, f"Content-Type {kind.split(';')[0] or '(none)'!r}: send the files as "
                            "multipart/form-data in the field 'files' (curl -F files=@report.pdf)")
    try:
        form = await request.form(max_files=max_files, max_fields=10)
    except BodyTooLarge:
        raise
    except Exception as exc:   # Starlette's MultiPartException and parser errors
        hint = (f" (at most {max_files} files per upload: ASSISTANT_MAX_UPLOAD_FILES)"
                if "files" in str(exc).lower() else "")
        raise ApiError(400, f"cannot read the upload: {exc}{hint}") from None
    files = [f for f in form.getlist("files") if not isinstance(f, str)]
    if not files:
        raise ApiError(422, "no files: send one or more files in the multipart field 'files'")
    return files


def _add(assistant: Assistant, files: list[UploadFile], uploads: _Uploads):
    def progress(done: int, total: int) -> None:
        uploads.set(phase="embedding" if done < total else "writing", done=done, total=total)

    uploads.set(phase="reading")
    try:
        return assistant.add_files([(f.filename or "", f.file) for f in files], progress=progress)
    except (FileTooLarge, IndexLocked) as exc:   # 413, 409
        raise _api_error(exc) from None
