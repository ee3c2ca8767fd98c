"""Opening the SQLite files of a data directory (the record, the sources, the refused questions) one way."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: Path, schema: str, *pragmas: str) -> sqlite3.Connection:
    """``path`` opened for use from any thread in autocommit mode, WAL journal, waiting up to 10 s for another
    writer, with ``pragmas`` (``"synchronous=NORMAL"``, ...) and ``schema`` applied; its folder made if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    for pragma in ("journal_mode=WAL", *pragmas, "busy_timeout=10000"):
        db.execute(f"PRAGMA {pragma}")
    db.executescript(schema)
    return db
