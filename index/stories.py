"""The record's stories (``index/dedup.py``): grouping documents into stories inside the transaction that changed
them, and what search reads on every question (the stories with copies, the later copies' chunks that give way).

A later copy's chunk gives way only when its story's first copy says what it says (``dedup.covered``): a copy that
adds a paragraph keeps that paragraph findable. The meta key ``stories`` counts regroupings, so a reader's cache
knows when to read again (regrouping changes no chunk: BM25 and Chroma are left as they are).
"""

from __future__ import annotations

import sqlite3

from index.dedup import covered, stories

VERSION = "1"       # how stories are grouped: a record grouped another way is grouped again by the next ingest


def group_stories(db: sqlite3.Connection) -> bool:
    """Name every document's story and flag the covered chunks of later copies; whether anything changed."""
    rows = db.execute("SELECT doc_id, date, added_at, minhash, story FROM documents").fetchall()
    grouped = stories([r[:4] for r in rows])
    changed = [(grouped[r[0]], r[0]) for r in rows if r[4] != grouped[r[0]]]
    db.executemany("UPDATE documents SET story = ? WHERE doc_id = ?", changed)
    members: dict[str, list[str]] = {}
    for doc_id, story in grouped.items():
        members.setdefault(story, []).append(doc_id)
    now: set[str] = set()
    for story, docs in members.items():
        later = [d for d in docs if d != story]
        if not later:
            continue
        first = [c for (c,) in db.execute("SELECT canonical FROM chunks WHERE doc_id = ?", (story,))]
        marks = ",".join("?" * len(later))
        now |= {chunk_id for chunk_id, canonical in db.execute(
            f"SELECT chunk_id, canonical FROM chunks WHERE doc_id IN ({marks})", later) if covered(canonical, first)}
    before = {c for (c,) in db.execute("SELECT chunk_id FROM chunks WHERE covered = 1")}
    db.executemany("UPDATE chunks SET covered = 0 WHERE chunk_id = ?", [(c,) for c in before - now])
    db.executemany("UPDATE chunks SET covered = 1 WHERE chunk_id = ?", [(c,) for c in now - before])
    if changed or before != now:
        count = int((db.execute("SELECT value FROM meta WHERE key = 'stories'").fetchone() or ["0"])[0])
        db.execute("INSERT INTO meta(key, value) VALUES ('stories', ?) ON CONFLICT(key) DO UPDATE SET "
                   "value = excluded.value", (str(count + 1),))
        return True
    return False


class StoryCache:
    """The stories with copies and the hidden chunks, read again only when the ``stories`` counter moves."""

    def __init__(self, record) -> None:
        self.record = record
        self._seen: int | None = None
        self._copies: dict[str, list[tuple[str, str | None]]] = {}
        self._hidden: set[str] = set()

    def _refresh(self) -> None:
        count = int(self.record.get_meta("stories") or 0)
        if count == self._seen:
            return
        with self.record._lock:
            db = self.record._db
            rows = db.execute("SELECT story, doc_id, outlet FROM documents WHERE story IN "
                              "(SELECT story FROM documents GROUP BY story HAVING COUNT(*) > 1) "
                              "ORDER BY story, doc_id != story, doc_id").fetchall()
            hidden = {c for (c,) in db.execute("SELECT chunk_id FROM chunks WHERE covered = 1")}
        copies: dict[str, list] = {}
        for story, doc_id, outlet in rows:
            copies.setdefault(story, []).append((doc_id, outlet))
        self._copies, self._hidden, self._seen = copies, hidden, count

    def copies(self) -> dict[str, list[tuple[str, str | None]]]:
        """Stories told by more than one document: ``story → [(doc_id, outlet), ...]``, the first copy first."""
        self._refresh()
        return self._copies

    def hidden(self) -> set[str]:
        """The later copies' chunks that their story's first copy already says (search leaves them out)."""
        self._refresh()
        return self._hidden

    def unsigned(self) -> list[tuple[str, str]]:
        """``(doc_id, text)`` of the documents with no near-duplicate signature yet (from before them)."""
        with self.record._lock:
            return self.record._db.execute("SELECT doc_id, text FROM documents WHERE minhash IS NULL").fetchall()


__all__ = ["StoryCache", "VERSION", "group_stories"]
