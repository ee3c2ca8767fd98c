"""The store of record: documents, chunks and their embeddings in SQLite.

Every change is one transaction, so the record is always whole. Chroma and the lexical index are
derived from it and can be rebuilt from it at any time without re-embedding anything.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from index.db import connect
from index.facts import Fact
from index.load import Document
from index.rows import ChunkVector, DocumentSummary, DocumentWrite, StoredChunk
from index.sentences import DocumentInfo, SentenceInfo
from index.stories import VERSION as DEDUP_VERSION, StoryCache, group_stories

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    date TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    canonical TEXT NOT NULL,
    sentences TEXT NOT NULL,
    embed_hash TEXT NOT NULL,
    embedding BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS embedding_cache (embed_hash TEXT PRIMARY KEY, embedding BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS document_info (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE,
    info TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    info TEXT NOT NULL,
    embed_hash TEXT,
    embedding BLOB,
    PRIMARY KEY (doc_id, start)
);
CREATE TABLE IF NOT EXISTS facts (
    doc_id TEXT NOT NULL, subject TEXT NOT NULL, measure TEXT NOT NULL, value REAL NOT NULL, unit TEXT,
    approximate INTEGER NOT NULL, period TEXT, period_json TEXT, quote TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, amount_text TEXT NOT NULL, position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
CREATE INDEX IF NOT EXISTS facts_measure ON facts(measure);
CREATE TABLE IF NOT EXISTS feedback (
    id TEXT PRIMARY KEY, time TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT, sources TEXT NOT NULL, history TEXT
);
CREATE INDEX IF NOT EXISTS feedback_time ON feedback(time);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_embed_hash ON chunks(embed_hash);
"""


def sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


class StoreOfRecord:
    """SQLite store of record under ``path``. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._db = connect(self.path, _SCHEMA, "synchronous=NORMAL", "foreign_keys=ON")
        self._add_columns("sentences", {"embed_hash": "TEXT", "embedding": "BLOB"})  # an index from before them
        self._add_columns("documents", {"added_at": "TEXT", "updated_at": "TEXT"})   # when a document came in
        self._add_columns("documents", {"url": "TEXT", "outlet": "TEXT", "author": "TEXT"})   # from the web
        self._add_columns("documents", {"minhash": "BLOB", "story": "TEXT"})   # one story once: index/dedup.py
        self._add_columns("chunks", {"covered": "INTEGER NOT NULL DEFAULT 0"})   # said by the story's first copy
        self.stories = StoryCache(self)   # one story once: index/dedup.py, index/stories.py
        self._db.execute("CREATE INDEX IF NOT EXISTS sentences_embed_hash ON sentences(embed_hash)")
        if self.get_meta("schema_version") is None:
            self.set_meta("schema_version", SCHEMA_VERSION)

    def _add_columns(self, table: str, columns: dict[str, str]) -> None:
        have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in have:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ----------------------------------------------------------------- meta
    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str, db: sqlite3.Connection | None = None) -> None:
        with self._lock:
            (db or self._db).execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _bump_generation(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    # ----------------------------------------------------------------- documents
    def document_hashes(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT doc_id, content_hash FROM documents"))

    def get_document(self, doc_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT doc_id, title, source, text, date, url, outlet, author FROM documents WHERE doc_id = ?",
                (doc_id,)
            ).fetchone()
        return Document(*row) if row else None

    def chunk_ids_of(self, doc_id: str) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks WHERE doc_id = ? ORDER BY position", (doc_id,))]

    def cached_embeddings(self, embed_hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """Embeddings already in the record for these embedding inputs (reused on edits)."""
        hashes = list(set(embed_hashes))
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for i in range(0, len(hashes), 500):
                part = hashes[i:i + 500]
                marks = ",".join("?" * len(part))
                for table in ("chunks", "embedding_cache", "sentences"):
                    for key, blob in self._db.execute(
                        f"SELECT embed_hash, embedding FROM {table} WHERE embed_hash IN ({marks})", part
                    ):
                        found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def stage_embeddings(self, items: dict[str, np.ndarray]) -> None:
        """Keep fresh embeddings before the documents that use them are committed, so that an
        interrupted ingest does not have to embed them again."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embedding_cache(embed_hash, embedding) VALUES (?, ?)",
                [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    def apply(self, write: list[DocumentWrite], delete: list[str], meta: dict[str, str] | None = None, *,
              delete_all: bool = False, minhashes: dict[str, bytes | None] | None = None) -> None:
        """Write documents with exactly their chunks, analysis and facts (replacing earlier versions) and
        delete others, all in one transaction: after a crash the record is either wholly old or wholly new.
        ``minhashes``: signatures for documents kept as they are (ingested before signatures existed)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self.transaction() as db:
            added_at = dict(db.execute("SELECT doc_id, added_at FROM documents")) if delete_all else {}
            if delete_all:
                for table in ("facts", "chunks", "documents"):
                    db.execute(f"DELETE FROM {table}")
            for doc_id in delete:
                db.execute("DELETE FROM facts WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))   # chunks, analysis: cascade
            for w in write:
                doc = w.doc
                for table in ("chunks", "sentences", "document_info", "facts"):
                    db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc.doc_id,))
                db.execute(
                    "INSERT INTO documents(doc_id, title, source, date, text, content_hash, added_at, updated_at, "
                    "url, outlet, author, minhash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(doc_id) DO UPDATE SET title = excluded.title, source = excluded.source, "
                    "date = excluded.date, text = excluded.text, content_hash = excluded.content_hash, "
                    "updated_at = excluded.updated_at, url = excluded.url, outlet = excluded.outlet, "
                    "author = excluded.author, minhash = excluded.minhash",
                    (doc.doc_id, doc.title, doc.source, doc.date, doc.text, w.content_hash,
                     added_at.get(doc.doc_id) or now, now, doc.url, doc.outlet, doc.author, w.minhash),
                )
                db.executemany(
                    'INSERT INTO chunks(chunk_id, doc_id, position, start, "end", text, canonical, sentences, '
                    "embed_hash, embedding) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(r.chunk.chunk_id, r.chunk.doc_id, r.chunk.position, r.chunk.start, r.chunk.end, r.chunk.text,
                      r.canonical, json.dumps(r.chunk.sentences), r.embed_hash,
                      np.asarray(r.embedding, dtype=np.float32).tobytes()) for r in w.chunks],
                )
                db.execute("INSERT INTO document_info(doc_id, info) VALUES (?, ?)", (doc.doc_id, w.info.header_json()))
                by_start = {v.start: v for v in w.sentence_vectors}
                db.executemany(
                    "INSERT INTO sentences(doc_id, start, info, embed_hash, embedding) VALUES (?, ?, ?, ?, ?)",
                    [(doc.doc_id, x.start, x.to_json(), v.embed_hash if v else None,
                      np.asarray(v.embedding, dtype=np.float32).tobytes() if v else None)
                     for x in w.info.sentences for v in [by_start.get(x.start)]])
                db.executemany(
                    'INSERT INTO facts(doc_id, subject, measure, value, unit, approximate, period, period_json, quote, '
                    'start, "end", amount_text, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                    [(f.doc_id, f.subject, f.measure, f.value, f.unit, int(f.approximate), f.period,
                      json.dumps(f.period_info, ensure_ascii=False) if f.period_info else None, f.quote, f.start,
                      f.end, f.amount_text, f.position) for f in w.facts])
            db.executemany("UPDATE documents SET minhash = ? WHERE doc_id = ?",
                           [(sig, doc_id) for doc_id, sig in (minhashes or {}).items()])
            stale = db.execute("SELECT value FROM meta WHERE key = 'dedup'").fetchone() != (DEDUP_VERSION,)
            regrouped = group_stories(db) if (write or delete or delete_all or minhashes or stale) else False
            if stale:
                self.set_meta("dedup", DEDUP_VERSION, db)
            for key, value in (meta or {}).items():
                self.set_meta(key, value, db)
            db.execute("DELETE FROM embedding_cache WHERE embed_hash IN (SELECT embed_hash FROM chunks) "
                       "OR embed_hash IN (SELECT embed_hash FROM sentences)")
            if write or delete or delete_all:
                self._bump_generation(db)
            if regrouped:   # the stories' own counter: regrouping changes no chunk, so BM25 and Chroma stay
                version = int((db.execute("SELECT value FROM meta WHERE key = 'stories'").fetchone() or ["0"])[0])
                self.set_meta("stories", str(version + 1), db)

    def documents(self) -> list[DocumentSummary]:
        """Every document, by id, with its number of chunks and characters."""
        with self._lock:
            rows = self._db.execute(
                "SELECT d.doc_id, d.title, d.source, d.date, COUNT(c.chunk_id), LENGTH(d.text), d.added_at, "
                "d.updated_at FROM documents d "
                "LEFT JOIN chunks c ON c.doc_id = d.doc_id GROUP BY d.doc_id ORDER BY d.doc_id").fetchall()
        return [DocumentSummary(*r) for r in rows]

    def facts(self, *, province: str | None = None, measure: str | None = None) -> list[Fact]:
        """The facts the ingest extracted (``index/facts.py``), of one province and/or measure."""
        sql = ('SELECT doc_id, subject, measure, value, unit, approximate, period, period_json, quote, start, "end", '
               "amount_text, position FROM facts WHERE 1=1")
        args: list = []
        if province:
            sql += " AND subject = ?"
            args.append(province)
        if measure:
            sql += " AND measure = ?"
            args.append(measure)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY doc_id, position", args).fetchall()
        return [Fact(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], json.loads(r[7]) if r[7] else None, r[8], r[9],
                     r[10], r[11], r[12]) for r in rows]

    # ----------------------------------------------------------------- chunks
    def counts(self) -> tuple[int, int]:
        with self._lock:
            docs = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)

    def chunk_hashes(self) -> dict[str, str]:
        """chunk_id → embed_hash for every chunk (what the derived stores must mirror)."""
        with self._lock:
            return dict(self._db.execute("SELECT chunk_id, embed_hash FROM chunks"))

    def iter_chunks(self, chunk_ids: list[str] | None = None, batch: int = 500) -> Iterator[ChunkVector]:
        """The chunks (all, or these; read ``batch`` at a time) as the vector store is given them."""
        sql = ('SELECT c.chunk_id, c.doc_id, c.position, c.start, c."end", d.title, d.source, c.text, c.embed_hash, '
               "c.embedding FROM chunks c JOIN documents d ON d.doc_id = c.doc_id")
        if chunk_ids is None:
            with self._lock:
                chunk_ids = [r[0] for r in self._db.execute("SELECT chunk_id FROM chunks ORDER BY chunk_id")]
        for i in range(0, len(chunk_ids), batch):
            part = chunk_ids[i:i + batch]
            with self._lock:
                rows = self._db.execute(sql + f" WHERE c.chunk_id IN ({','.join('?' * len(part))})", part).fetchall()
            for r in rows:
                yield ChunkVector(*r[:9], embedding=np.frombuffer(r[9], dtype=np.float32))

    def canonical_texts(self) -> tuple[list[str], list[str]]:
        """(chunk ids, canonical texts), ordered by chunk id."""
        with self._lock:
            rows = self._db.execute("SELECT chunk_id, canonical FROM chunks ORDER BY chunk_id").fetchall()
        return [r[0] for r in rows], [r[1] for r in rows]

    def get_chunks(self, chunk_ids: list[str]) -> dict[str, StoredChunk]:
        """Chunks by id, with their document's title and source."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._db.execute(
                'SELECT c.chunk_id, c.doc_id, c.position, c.start, c."end", c.text, c.canonical, d.title, d.source, '
                "c.sentences, d.outlet, d.date FROM chunks c JOIN documents d ON d.doc_id = c.doc_id "
                f"WHERE c.chunk_id IN ({marks})",
                chunk_ids,
            ).fetchall()
        return {
            r[0]: StoredChunk(*r[:9], sentences=tuple(tuple(s) for s in json.loads(r[9])), outlet=r[10], date=r[11])
            for r in rows
        }

    def document_infos(self, doc_ids: list[str]) -> dict[str, DocumentInfo]:
        """The stored analysis of these documents (``index/sentences.py``); documents ingested before the
        analysis existed are missing from the result."""
        doc_ids = list(dict.fromkeys(doc_ids))
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        with self._lock:
            heads = self._db.execute(f"SELECT doc_id, info FROM document_info WHERE doc_id IN ({marks})",
                                     doc_ids).fetchall()
            rows = self._db.execute(f"SELECT doc_id, info FROM sentences WHERE doc_id IN ({marks}) ORDER BY doc_id, "
                                    "start", doc_ids).fetchall()
        sentences: dict[str, list[SentenceInfo]] = {}
        for doc_id, info in rows:
            sentences.setdefault(doc_id, []).append(SentenceInfo.from_json(info))
        out = {}
        for doc_id, head in heads:
            h = json.loads(head)
            out[doc_id] = DocumentInfo(tuple(h["provinces"]), tuple(h["surnames"]), tuple(sentences.get(doc_id, ())),
                                       h.get("title", ""))
        return out

    def sentence_vectors(self, doc_ids: list[str]) -> dict[str, dict[int, np.ndarray]]:
        """The stored sentence embeddings of these documents: {doc_id: {sentence start: vector}}."""
        doc_ids = list(dict.fromkeys(doc_ids))
        if not doc_ids:
            return {}
        marks = ",".join("?" * len(doc_ids))
        with self._lock:
            rows = self._db.execute(f"SELECT doc_id, start, embedding FROM sentences WHERE doc_id IN ({marks}) "
                                    "AND embedding IS NOT NULL", doc_ids).fetchall()
        out: dict[str, dict[int, np.ndarray]] = {}
        for doc_id, start, blob in rows:
            out.setdefault(doc_id, {})[start] = np.frombuffer(blob, dtype=np.float32)
        return out

    # ----------------------------------------------------------------- readers' feedback
    # Not part of the index: no generation bump, and ``apply(delete_all=True)`` (a rebuild) keeps it.
    def put_feedback(self, row: dict) -> None:
        """Store one rating (``assistant/feedback.py``'s ``Feedback`` as a dict); an existing id is replaced."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feedback(id, time, question, answer, rating, comment, sources, history) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET time = excluded.time, "
                "question = excluded.question, answer = excluded.answer, rating = excluded.rating, "
                "comment = excluded.comment, sources = excluded.sources, history = excluded.history",
                (row["id"], row["time"], row["question"], row["answer"], row["rating"], row["comment"],
                 json.dumps(row["sources"], ensure_ascii=False), json.dumps(row.get("history") or [], ensure_ascii=False)))

    def delete_feedback(self, feedback_id: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM feedback WHERE id = ?", (feedback_id,)).rowcount > 0

    def feedback(self, rating: str | None = None) -> list[dict]:
        """Stored ratings (of one ``rating``), newest first, as dicts."""
        sql = "SELECT id, time, question, answer, rating, comment, sources, history FROM feedback"
        args: tuple = ()
        if rating is not None:
            sql, args = sql + " WHERE rating = ?", (rating,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY time DESC, rowid DESC", args).fetchall()
        return [{"id": r[0], "time": r[1], "question": r[2], "answer": r[3], "rating": r[4], "comment": r[5],
                 "sources": json.loads(r[6]), "history": json.loads(r[7] or "[]")} for r in rows]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*") if p.is_file())
