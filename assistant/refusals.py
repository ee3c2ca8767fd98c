"""What readers asked that the archive could not answer, so its keeper knows which sources to add.

Every refused question (an answer that abstains) is kept in ``<data_dir>/refusals.sqlite3`` with the time and its
content words (``assistant/question.py``: the measure, the group, the product, the provinces; not the question
words). :meth:`RefusalLog.groups` groups them by likeness: a question joins the newest group whose words it shares
(Jaccard of the word sets ≥ :data:`LIKENESS`), so «صادرات پسته کرمان چقدر بود؟» and «میزان صادرات پسته در کرمان؟»
are one group. Off with ``ASSISTANT_RECORD_REFUSALS=0`` (nothing is kept).
"""

from __future__ import annotations

import csv
import io
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from index.db import connect

FILE = "refusals.sqlite3"
LIKENESS = 0.5
MAX_WORDINGS = 5
_SCHEMA = """
CREATE TABLE IF NOT EXISTS refusals (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, question TEXT NOT NULL, words TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS refusals_time ON refusals(time);
"""


@dataclass
class RefusalGroup:
    question: str                    # the newest wording
    count: int
    last_asked: str
    first_asked: str
    wordings: list[str] = field(default_factory=list)   # the distinct wordings, newest first (at most 5)
    words: list[str] = field(default_factory=list)      # the content words they share

    def as_dict(self) -> dict:
        return {"question": self.question, "count": self.count, "last_asked": self.last_asked,
                "first_asked": self.first_asked, "wordings": self.wordings, "words": self.words}


def _likeness(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def group(rows: list[tuple[str, str, list[str]]]) -> list[RefusalGroup]:
    """``(time, question, words)`` rows → groups, most asked first (then most recent)."""
    groups: list[tuple[set[str], RefusalGroup]] = []
    for time, question, words in sorted(rows, key=lambda r: r[0], reverse=True):
        key = set(words) or {question.strip()}
        for shared, g in groups:
            if _likeness(key, shared) >= LIKENESS:
                g.count += 1
                g.first_asked = time
                if question not in g.wordings and len(g.wordings) < MAX_WORDINGS:
                    g.wordings.append(question)
                break
        else:
            groups.append((key, RefusalGroup(question, 1, time, time, [question], sorted(words))))
    return [g for _k, g in sorted(groups, key=lambda kg: (kg[1].count, kg[1].last_asked), reverse=True)]


class RefusalLog:
    def __init__(self, data_dir: Path) -> None:
        self._db = connect(Path(data_dir) / FILE, _SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def add(self, question: str, words: list[str]) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute("INSERT INTO refusals(time, question, words) VALUES (?, ?, ?)",
                             (now, question[:2000], json.dumps(sorted(set(words)), ensure_ascii=False)))

    def groups(self) -> list[RefusalGroup]:
        with self._lock:
            rows = self._db.execute("SELECT time, question, words FROM refusals").fetchall()
        return group([(t, q, json.loads(w)) for t, q, w in rows])


def as_csv(groups: list[RefusalGroup]) -> str:
    """The groups as CSV (UTF-8 with a BOM, so spreadsheet programs read the Persian): one row per group."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["question", "count", "last_asked", "first_asked", "wordings"])
    for g in groups:
        writer.writerow([g.question, g.count, g.last_asked, g.first_asked, " | ".join(g.wordings)])
    return "\ufeff" + out.getvalue()


__all__ = ["LIKENESS", "RefusalGroup", "RefusalLog", "as_csv", "group"]
