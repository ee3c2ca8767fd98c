"""Incremental, idempotent ingest: load → normalize → chunk → analyse (sentences, facts) → embed → record
→ Chroma + BM25.

Content hashes decide what changed: an unchanged document costs nothing, an edited one replaces
exactly its own chunks, and chunk ids are deterministic. All changes to the record are applied in
one transaction at the end; embeddings computed before that are staged in the record, so an
interrupted ingest leaves the index as it was and the next run does not embed them again.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chunk import Chunk, chunk_document
from index.dedup import signature as minhash_of
from index.load import DEFAULT_MAX_FILE_BYTES, WEB_PREFIX, Document, LoadResult, Skipped, load_paths
from index.facts import Fact, extract_facts
from index.record import sha256
from index.rows import ChunkRow, DocumentWrite, SentenceVector
from index.sentences import ANALYSIS_VERSION, DocumentInfo, analyse_document
from index.store import IndexStore, SyncReport, WriterLock

log = logging.getLogger(__name__)

# Bump when normalization or the embedding input changes: every document is then re-processed.
PIPELINE_VERSION = "2"


@dataclass(frozen=True)
class ChunkParams:
    sentences: int = 4
    overlap: int = 1
    max_chars: int = 1000

    def signature(self) -> str:
        return f"s{self.sentences}-o{self.overlap}-m{self.max_chars}"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    facts_written: int = 0   # amounts with what they measure, whose and when (index/facts.py)
    chunks_written: int = 0
    chunks_embedded: int = 0
    sentences_embedded: int = 0
    sentences_reused: int = 0
    chunks_reused: int = 0
    documents_total: int = 0
    chunks_total: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    sync: SyncReport | None = None

    def as_dict(self) -> dict:
        return {
            "added": len(self.added), "updated": len(self.updated), "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "chunks_written": self.chunks_written, "chunks_embedded": self.chunks_embedded,
            "sentences_embedded": self.sentences_embedded, "sentences_reused": self.sentences_reused,
            "chunks_reused": self.chunks_reused, "documents": self.documents_total, "chunks": self.chunks_total,
            "seconds": round(self.seconds, 3), "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "repaired": bool(self.sync and self.sync.repaired and not (self.added or self.updated or self.removed)),
            "facts_written": self.facts_written,
            "chroma_rebuilt": (self.sync.damage or True) if self.sync and self.sync.vectors_rebuilt else None,
        }


@dataclass
class _Plan:
    """One document to write: its chunks, what the embedder sees for each, its analysis and sentences."""

    doc: Document
    content_hash: str
    chunks: list[Chunk]
    canonical: list[str]
    inputs: list[str]                         # the embedder's text for each chunk
    info: DocumentInfo
    sentence_inputs: list[tuple[int, str]]   # (start, the embedder's text) per sentence; [] when not kept
    facts: list[Fact]
    minhash: bytes | None = None              # its near-duplicate signature (index/dedup.py)

    def texts(self) -> list[str]:
        return self.inputs + [text for _start, text in self.sentence_inputs]


def passage_input(title: str, canonical_chunk: str) -> str:
    """The text the embedder sees for a chunk: its article's title for context, then the chunk."""
    if canonical_chunk.startswith(title):
        return canonical_chunk
    return f"{title}\n{canonical_chunk}"


class _Timer:
    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    def add(self, name: str, started: float) -> None:
        self.totals[name] = self.totals.get(name, 0.0) + time.perf_counter() - started


def ingest(
    store: IndexStore,
    paths: Iterable[str | Path | tuple[Path, Path]],
    *,
    chunking: ChunkParams = ChunkParams(),
    prune: bool = False,
    rebuild: bool = False,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: bool | Callable[[int, int], None] = False,
    sentence_vectors: bool = True,
    lock_held: bool = False,
    documents: Iterable[Document] = (),
) -> IngestReport:
    """Bring the index in ``store`` up to date with the files under ``paths`` and the ``documents`` given
    already read (articles a sync fetched: ``index/sources/sync.py``).

    Articles from the web (ids under ``web/``) have no file: ``prune`` keeps them and ``rebuild`` reads them
    back from the record, so neither loses what a sync brought in.

    ``sentence_vectors``: also embed every sentence (with its article's title), for the answerer to pick
    sentences by meaning as well as by words (about 60% more embedding time; docs/answering.md).

    ``progress``: True for a progress bar on stderr, or a function called with (texts embedded, texts to
    embed) before the first batch and after each one (the admin page's progress bar).
    ``lock_held``: the caller already holds the data directory's :class:`WriterLock` (uploads hold it
    from placing their files until the ingest is done)."""
    started = time.perf_counter()
    timer = _Timer()
    report = IngestReport()
    with contextlib.nullcontext() if lock_held else WriterLock(store.data_dir):
        if not rebuild:
            store.check_model()
            if store.chroma_url:
                store.vectors.collection  # noqa: B018 — a server that is down or holds another model fails now, not after embedding

        t = time.perf_counter()
        loaded = load_paths(paths, max_bytes=max_file_bytes) if paths else LoadResult()
        loaded.documents.extend(documents)
        if rebuild:   # the web's articles have no file to read again: the record keeps their text
            given = {d.doc_id for d in loaded.documents}
            loaded.documents.extend(doc for doc_id in store.record.document_hashes()
                                    if doc_id.startswith(WEB_PREFIX) and doc_id not in given
                                    and (doc := store.record.get_document(doc_id)) is not None)
        report.skipped = list(loaded.skipped)
        timer.add("load", t)

        model_id = store.embedder.model_id
        signature = (f"{PIPELINE_VERSION}.{ANALYSIS_VERSION}{'s' if sentence_vectors else ''}|{chunking.signature()}"
                     f"|{model_id}")
        known = {} if rebuild else store.record.document_hashes()
        todo: list[tuple[Document, str]] = []
        for doc in loaded.documents:
            content_hash = sha256(doc.doc_id, doc.title, doc.source, doc.date or "", doc.text, signature,
                                  *((doc.url or "", doc.outlet or "", doc.author or "") if doc.url else ()))
            if known.get(doc.doc_id) == content_hash:
                report.unchanged.append(doc.doc_id)
            else:
                (report.updated if doc.doc_id in known else report.added).append(doc.doc_id)
                todo.append((doc, content_hash))

        t = time.perf_counter()
        if todo:  # models load only when there is something to embed
            store.embedder.warm_up()
            store.normalizer.warm_up()
        timer.add("model_load", t)

        t = time.perf_counter()
        planned: list[_Plan] = []
        for doc, content_hash in todo:
            chunks = chunk_document(doc, store.normalizer, sentences_per_chunk=chunking.sentences,
                                    overlap=chunking.overlap, max_chars=chunking.max_chars)
            if not chunks:
                report.skipped.append(Skipped(doc.source, "no sentences found in the text"))
                (report.added if doc.doc_id in report.added else report.updated).remove(doc.doc_id)
                continue
            canonical = [store.normalizer.canonical(c.text) for c in chunks]
            title = store.normalizer.canonical(doc.title)
            inputs = [passage_input(title, c) for c in canonical]
            spans = sorted({span for c in chunks for span in c.sentences})
            t_analyse = time.perf_counter()
            info = analyse_document(doc.text, doc.title, spans, store.normalizer, doc.date)
            facts = extract_facts(doc.doc_id, doc.text, doc.title, spans, doc.date)
            timer.add("analyse", t_analyse)
            t += time.perf_counter() - t_analyse  # not counted as chunking (start later by as long)
            sentence_inputs = [(x.start, passage_input(title, x.canonical)) for x in info.sentences
                               if x.canonical] if sentence_vectors else []
            minhash = minhash_of(" ".join(x.canonical for x in info.sentences if x.canonical))
            planned.append(_Plan(doc, content_hash, chunks, canonical, inputs, info, sentence_inputs, facts, minhash))
        timer.add("chunk", t)

        embeddings = _embed_all(store, planned, model_id, report, timer, progress)

        seen = {doc.doc_id for doc in loaded.documents}
        seen.update(s.doc_id for s in loaded.skipped if s.doc_id)  # a broken file is not a removed one
        if prune and not rebuild:
            report.removed = sorted(d for d in known if d not in seen and not d.startswith(WEB_PREFIX))

        t = time.perf_counter()
        writes = []
        for plan in planned:
            rows = [
                ChunkRow(chunk, canon, _embed_hash(model_id, text), embeddings[_embed_hash(model_id, text)])
                for chunk, canon, text in zip(plan.chunks, plan.canonical, plan.inputs)
            ]
            vectors = [SentenceVector(start, h, embeddings[h]) for start, text in plan.sentence_inputs
                       for h in [_embed_hash(model_id, text)]]
            writes.append(DocumentWrite(plan.doc, plan.content_hash, rows, plan.info, vectors, plan.facts,
                                        plan.minhash))
            report.chunks_written += len(rows)
            report.facts_written += len(plan.facts)
        meta = {"embedding_model": model_id, "dimension": str(store.embedder.dimension)} if (writes or rebuild) else {}
        rewritten = {w.doc.doc_id for w in writes}
        backfill = {} if rebuild else {   # documents from before signatures: signed once, by the next ingest
            doc_id: sig for doc_id, text in store.record.stories.unsigned()
            if doc_id not in rewritten and (sig := minhash_of(store.normalizer.canonical(text))) is not None}
        store.record.apply(writes, report.removed, meta, delete_all=rebuild, minhashes=backfill)
        timer.add("write", t)

        t = time.perf_counter()
        if rebuild:
            store.reset_vectors()
        report.sync = store.sync()
        timer.add("sync", t)

    report.documents_total, report.chunks_total = store.record.counts()
    report.seconds = time.perf_counter() - started
    report.timings = timer.totals
    return report


def remove(store: IndexStore, doc_ids: Iterable[str], *, lock_held: bool = False) -> IngestReport:
    """Delete these documents from the index (the record in one transaction, then Chroma and BM25
    follow). Ids that are not in the index are ignored; ``report.removed`` lists those removed."""
    started = time.perf_counter()
    report = IngestReport()
    with contextlib.nullcontext() if lock_held else WriterLock(store.data_dir):
        known = store.record.document_hashes()
        report.removed = sorted({d for d in doc_ids if d in known})
        if report.removed:
            store.record.apply([], report.removed)
        report.sync = store.sync()
    report.documents_total, report.chunks_total = store.record.counts()
    report.seconds = time.perf_counter() - started
    return report


def _embed_hash(model_id: str, text: str) -> str:
    return sha256(model_id, text)


def _embed_all(store, planned, model_id, report, timer, progress) -> dict[str, np.ndarray]:
    """Embeddings for every planned chunk: reused from the record when known, else computed."""
    wanted: dict[str, str] = {}
    chunk_hashes: set[str] = set()
    for plan in planned:
        for text in plan.inputs:
            chunk_hashes.add(_embed_hash(model_id, text))
        for text in plan.texts():
            wanted.setdefault(_embed_hash(model_id, text), text)
    t = time.perf_counter()
    found = store.record.cached_embeddings(wanted)
    timer.add("write", t)
    missing = [(h, text) for h, text in wanted.items() if h not in found]
    missing_chunks = sum(1 for h, _text in missing if h in chunk_hashes)
    report.chunks_reused = len(chunk_hashes) - missing_chunks
    report.chunks_embedded = missing_chunks
    report.sentences_embedded = len(missing) - missing_chunks
    report.sentences_reused = len(wanted) - len(chunk_hashes) - report.sentences_embedded
    report_progress = progress if callable(progress) else None
    if report_progress:
        report_progress(0, len(missing))
    bar = None
    if progress is True and missing:
        from tqdm import tqdm

        bar = tqdm(total=len(missing), unit="text", desc="embedding", leave=False)
    # texts handed to the embedder (and staged) at a time; server backends take several batches at once
    batch = max(1, getattr(store.embedder, "stage_size", None) or getattr(store.embedder, "batch_size", 16))
    for i in range(0, len(missing), batch):
        part = missing[i:i + batch]
        t = time.perf_counter()
        vectors = store.embedder.embed_passages([text for _h, text in part])
        timer.add("embed", t)
        fresh = {h: vector for (h, _text), vector in zip(part, vectors)}
        found.update(fresh)
        t = time.perf_counter()
        store.record.stage_embeddings(fresh)  # survives a crash before the final commit
        timer.add("write", t)
        if bar is not None:
            bar.update(len(part))
        if report_progress:
            report_progress(min(i + batch, len(missing)), len(missing))
    if bar is not None:
        bar.close()
    return found
