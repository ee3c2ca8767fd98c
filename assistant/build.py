"""The one place where the assistant's parts are wired together from settings."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from assistant.answer import Answer
from assistant.articles import Articles
from assistant.chain import QAChain
from assistant.extractive import ExtractiveAnswerer
from assistant.facts_answer import FactsAnswerer
from assistant.feedback import Feedback, check_rating, make_feedback
from assistant.llm import ChatLLM
from assistant.params import load as load_params
from assistant.retrieve import HybridRetriever, HybridSearcher, Passage
from assistant.settings import Settings
from assistant.filters import Filters
from assistant.question import analyse
from assistant.refusals import RefusalGroup, RefusalLog
from assistant.uploads import UploadArea, UploadedDocument, UploadResult, owner_of
from index.embed import make_embeddings
from index.facts import Fact
from index.ingest import ChunkParams, IngestReport, ingest, remove
from index.load import Document
from index.persian.normalize import TextNormalizer, get_normalizer
from index.rows import DocumentSummary
from index.sources.fetch import Fetcher
from index.sources.registry import SourceRegistry
from index.sources.sync import SyncReport, sync
from index.store import IndexStore, WriterLock

log = logging.getLogger(__name__)


@dataclass
class Assistant:
    """Everything loaded once and reused between questions: embedder, hazm, the three stores.

    Front ends (the CLI, ``ui/``) use only the methods below, never the stores behind them."""

    settings: Settings
    store: IndexStore
    searcher: HybridSearcher
    chain: QAChain
    refusal_log: RefusalLog | None = None   # opened on the first refused question (record_refusals)

    def ask(self, question: str, history: list | None = None, *, filters: Filters | None = None) -> Answer:
        """Answer ``question`` from the articles, with numbered sources (or abstain).

        ``history``: earlier questions of the chat, oldest first (strings, or {"role", "content"} messages).
        ``filters``: only articles of a date range and an outlet (``assistant/filters.py``)."""
        answer = self.chain.ask(question, history, filters)
        self._note(answer)
        return answer

    def stream(self, question: str, history: list | None = None, *, filters: Filters | None = None):
        """Like :meth:`ask`, yielding ``{"type": "token"}`` events while an LLM writes, then the answer."""
        for event in self.chain.stream(question, history, filters):
            if event["type"] == "answer":
                self._note(event["answer"])
            yield event

    def refusals(self) -> list[RefusalGroup]:
        """The questions the archive could not answer, grouped by likeness, most asked first."""
        return self._refusals().groups()

    def _refusals(self) -> RefusalLog:
        if self.refusal_log is None:
            self.refusal_log = RefusalLog(self.settings.data_dir)
        return self.refusal_log

    def _note(self, answer: Answer) -> None:
        """Keep a refused question for the keeper (``assistant/refusals.py``), unless ``record_refusals`` is off."""
        if not (answer.abstained and self.settings.record_refusals):
            return
        asked = answer.standalone_question or answer.question
        q = analyse(asked, self.normalizer)
        try:
            self._refusals().add(asked, [w.text for w in q.words] + list(q.provinces))
        except Exception:  # noqa: BLE001 — keeping it must never cost the reader the answer
            log.exception("could not keep a refused question")

    def sources(self) -> SourceRegistry:
        """The feeds, sitemaps and pages this archive follows (``assistant sources``, the admin page)."""
        return SourceRegistry(self.settings.data_dir)

    def sync(self, names: list[str] | None = None, *, progress=None) -> SyncReport:
        """Read the sources (all, or ``names``) and ingest what is new or edited (``index/sources/sync.py``)."""
        s = self.settings
        registry = self.sources()
        with Fetcher(allow_private=s.sync_allow_private, timeout=s.sync_timeout, max_bytes=s.sync_max_bytes,
                     min_interval=s.sync_host_interval) as fetcher:
            try:
                return sync(registry, fetcher, lambda docs: self.ingest([], documents=docs), names, progress=progress)
            finally:
                registry.close()

    def search(self, query: str, k: int | None = None, *, filters: Filters | None = None) -> list[Passage]:
        """Passages that best match ``query`` (any spelling: ZWNJ, space or glued; any digits), only from
        articles of a date range and an outlet with ``filters``."""
        return self.searcher.search(query, k, filters=filters)

    def retriever(self, k: int | None = None) -> HybridRetriever:
        """The same search as a LangChain ``BaseRetriever``."""
        return HybridRetriever(searcher=self.searcher, k=k or self.settings.retrieval_k)

    def ingest(self, paths: list[str | Path | tuple[Path, Path]] | None = None, *, prune: bool = False,
               rebuild: bool = False, progress: bool | Callable[[int, int], None] = False,
               lock_held: bool = False, documents: Iterable[Document] = ()) -> IngestReport:
        """Add or update the articles under ``paths`` (default: the articles folder; none when ``documents``,
        articles already read, are given). With ``prune`` or ``rebuild`` the uploaded files
        (``<data_dir>/uploads``) are read too, so neither drops them."""
        s = self.settings
        documents = list(documents)
        paths = list(paths if paths is not None and (paths or documents) else [s.articles_dir])
        uploads = UploadArea(s.data_dir)
        if (prune or rebuild) and uploads.root.is_dir():
            paths.append(uploads.source())
        report = ingest(
            self.store,
            paths,
            chunking=ChunkParams(s.chunk_sentences, s.chunk_overlap, s.chunk_max_chars),
            prune=prune,
            rebuild=rebuild,
            max_file_bytes=s.max_file_bytes,
            progress=progress,
            sentence_vectors=s.sentence_vectors,
            lock_held=lock_held,
            documents=documents,
        )
        return report

    def delete(self, doc_ids: list[str]) -> IngestReport:
        """Remove these documents from the index (unknown ids are ignored; ``report.removed`` says which went),
        and the originals of those that were uploaded (so that a rebuild does not bring them back)."""
        with WriterLock(self.settings.data_dir):
            report = remove(self.store, doc_ids, lock_held=True)
            UploadArea(self.settings.data_dir).remove(report.removed)
        return report

    def ensure_writable(self) -> None:
        """Raise ``IndexLocked`` now when another writer holds the index (an upload checks before reading)."""
        WriterLock(self.settings.data_dir).check()

    def add_files(self, files: Iterable[tuple[str, BinaryIO]], *,
                  progress: Callable[[int, int], None] | None = None) -> UploadResult:
        """Keep these (file name, stream) uploads under ``<data_dir>/uploads`` and index them as documents
        ``uploads/<name>``: the documents they gave (added, updated or unchanged) and the files skipped,
        with the reason. A file the loader skips, or an ingest that fails, leaves the earlier version of
        that document in place. The writer lock is held from placing the files to the end of the ingest.

        Raises :class:`~assistant.uploads.FileTooLarge` (nothing kept) or ``IndexLocked`` (another writer
        holds the index; nothing kept)."""
        area = UploadArea(self.settings.data_dir)
        with WriterLock(self.settings.data_dir):
            staged = area.stage(files, self.settings.max_file_bytes)
            result = UploadResult(skipped=list(staged.skipped))
            report = IngestReport()
            try:
                placed = area.place(staged)
                if placed:
                    report = self.ingest([(p, area.data_dir) for p in placed], progress=progress or False,
                                         lock_held=True)
                failed = {}
                for s in report.skipped:
                    item = owner_of(s.source, staged.files, area)
                    if item is not None:
                        result.skipped.append((item.name, s.reason))
                        failed[item.stored] = item
                area.undo(failed.values())
            except BaseException:
                area.undo(staged.files)
                raise
            finally:
                area.finish(staged)
        status = {**{d: "added" for d in report.added}, **{d: "updated" for d in report.updated},
                  **{d: "unchanged" for d in report.unchanged}}
        for summary in self.documents():
            if summary.doc_id in status:
                result.documents.append(UploadedDocument(summary.doc_id, summary.title, summary.source,
                                                         summary.chunks, status[summary.doc_id]))
        return result

    def warm_up(self) -> None:
        """Load the embedder, hazm and the indexes now (a server does this once, before its first request)."""
        try:
            self.ask("صادرات تعاونی‌ها")
        except Exception:  # an empty index or a bad setting shows up on the first real question instead
            pass

    @property
    def normalizer(self) -> TextNormalizer:
        return self.store.normalizer

    def is_empty(self) -> bool:
        """True when nothing has been ingested yet."""
        return self.store.record.counts()[1] == 0

    def documents(self) -> list[DocumentSummary]:
        """Every document in the index, by id."""
        return self.store.record.documents()

    def document(self, doc_id: str) -> Document | None:
        """The article ``doc_id`` as ingested (its full text), or None."""
        return self.store.record.get_document(doc_id)

    def facts(self, *, province: str | None = None, measure: str | None = None) -> list[Fact]:
        """The amounts the articles state (``index/facts.py``), of one province and/or measure."""
        return self.store.record.facts(province=province, measure=measure)

    def add_feedback(self, question: str, answer: str, rating: str, comment: str | None = None,
                     sources: list | None = None, *, history: list[str] | None = None,
                     feedback_id: str | None = None) -> Feedback:
        """Keep a reader's rating ("up" or "down") of ``answer`` to ``question``, with an optional comment
        (at most 4,000 characters) and the cited ``sources`` (``Source`` objects or ``{"doc_id", "title"}``).

        ``history``: the chat's earlier questions when ``question`` was a follow-up (the export keeps them).
        ``feedback_id``: replace that earlier rating (the chat does, when a comment follows a thumb).
        Raises ``FeedbackError`` (a ``ValueError``) naming the bad value."""
        feedback = make_feedback(question, answer, rating, comment, sources, history=history, feedback_id=feedback_id)
        self.store.record.put_feedback(feedback.as_dict())
        return feedback

    def feedback(self, rating: str | None = None) -> list[Feedback]:
        """The stored ratings, newest first (only "up" or only "down" with ``rating``)."""
        return [Feedback.model_validate(row) for row in self.store.record.feedback(check_rating(rating))]

    def delete_feedback(self, feedback_id: str) -> bool:
        """Withdraw a rating (the reader clicked the thumb again); False when there was none."""
        return self.store.record.delete_feedback(feedback_id)

    def check(self) -> dict:
        """Whether the record, Chroma and the lexical index agree (``assistant check``)."""
        return self.store.check()

    def stats(self) -> dict:
        documents, chunks = self.store.record.counts()
        return {
            "documents": documents,
            "chunks": chunks,
            "embedding_model": self.store.record.get_meta("embedding_model") or self.store.embedder.model_id,
            "dimension": int(self.store.record.get_meta("dimension") or 0) or None,
            "data_dir": str(self.store.data_dir.resolve()),
            "chroma": self.settings.chroma_url or "embedded",
            "size_on_disk_bytes": self.store.size_on_disk(),
        }

    def close(self) -> None:
        if self.refusal_log is not None:
            self.refusal_log.close()
        self.store.close()


def build_assistant(settings: Settings | None = None) -> Assistant:
    """Build the assistant from ``settings`` (read from the environment when not given).

    Cheap: models and indexes load on first use."""
    settings = settings or Settings.load()
    key = settings.embedding_api_key
    embedder = make_embeddings(settings.embedding_backend, settings.embedding_model,
                               batch_size=settings.embedding_batch_size, urls=settings.embedding_url,
                               api_key=key.get_secret_value() if key else None, prefixes=settings.embedding_prefixes,
                               dimension=settings.embedding_dimension, timeout=settings.embedding_timeout)
    store = IndexStore(settings.data_dir, embedder, get_normalizer(), settings.chroma_url)
    articles = Articles(store.record, store.normalizer)
    params = load_params(settings.params_file)
    searcher = HybridSearcher(store, k=settings.retrieval_k, candidates=settings.retrieval_candidates,
                              fusion=settings.fusion, lexical_weight=settings.lexical_weight, articles=articles,
                              rerank_weight=settings.rerank_weight, rerank_depth=settings.rerank_depth,
                              rrf_k=params.retrieval.rrf_k)
    extractive = ExtractiveAnswerer(
        document_frequencies=lambda terms: store.lexical.document_frequencies(terms),
        num_docs=lambda: store.lexical.num_docs,
        articles=articles,
        passage_for=searcher.passage_for,
        query_vector=embedder.embed_query_vector,
        thresholds=params.thresholds,
        weights=params.sentence_weights,
        picking=params.picking,
    )
    llm = ChatLLM(settings) if settings.llm_base_url else None
    chain = QAChain(searcher=searcher, normalizer=store.normalizer, embedder=embedder, extractive=extractive,
                    llm=llm, passages=settings.answer_passages, max_question_chars=settings.max_question_chars,
                    facts=FactsAnswerer(store.record.facts, store.normalizer, searcher.passage_for))
    return Assistant(settings=settings, store=store, searcher=searcher, chain=chain)
