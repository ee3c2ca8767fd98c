"""Probe the embedded Chroma collection, in a child process: ``python -m index.probe DATA_DIR MODEL DIMENSION``.

A kill -9 can leave Chroma's files so that opening them fails or even crashes the process
(chroma-core/chroma#7238, #7090); ``IndexStore.probe_vectors`` runs this module in a child so the child
takes that risk. It opens the collection, counts it, and checks that a few chunks' own embeddings
find those chunks (damaged HNSW files can also answer quietly with nonsense instead of failing).

Exit 0 and print the count when the collection works; otherwise exit non-zero with the reason last
on stderr.
"""

from __future__ import annotations

import sqlite3
import sys

import numpy as np

from index.chroma_client import make_client
from index.vectors import VectorIndex


def probe(data_dir: str, model_id: str, dimension: int) -> int:
    """The number of vectors; raises (or exits with a message) when the collection is damaged."""
    vectors = VectorIndex(make_client(data_dir), model_id, dimension, create=False)
    count = vectors.count()
    have = set(vectors.hashes())
    db = sqlite3.connect(f"file:{data_dir}/record.sqlite3?mode=ro", uri=True)
    try:
        rows = [r for r in db.execute("SELECT chunk_id, embedding FROM chunks ORDER BY chunk_id") if r[0] in have]
    finally:
        db.close()
    for chunk_id, blob in rows[:: max(1, len(rows) // 3)][:3]:
        hits = vectors.query(np.frombuffer(blob, dtype=np.float32), 1)
        if not hits or (hits[0].chunk_id != chunk_id and hits[0].similarity < 0.999):
            sys.exit(f"Chroma answers wrongly: the vector of {chunk_id} finds {hits[:1]}")
    return count


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python -m index.probe DATA_DIR MODEL_ID DIMENSION")
    print(probe(sys.argv[1], sys.argv[2], int(sys.argv[3])))
