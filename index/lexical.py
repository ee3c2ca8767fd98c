"""The lexical index: BM25 (bm25s) over canonical tokens, derived from the store of record.

Saved under ``<data_dir>/lexical`` with a ``state.json`` naming the record generation it was built
from; when the record has moved on (or the files are damaged) it is rebuilt from the record.
Writes go to a temporary folder that replaces the old one, so a crash never leaves half an index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.persian.normalize import TextNormalizer

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
IDS_FILE = "chunk_ids.json"


def ids_checksum(chunk_ids: list[str]) -> str:
    return hashlib.sha256("\n".join(chunk_ids).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float


class LexicalIndex:
    """BM25 over the canonical tokens of every chunk."""

    def __init__(self, retriever, chunk_ids: list[str], generation: int) -> None:
        self._bm25 = retriever
        self.chunk_ids = chunk_ids
        self.generation = generation

    @classmethod
    def build(cls, chunk_ids: list[str], canonical_texts: list[str], normalizer: TextNormalizer,
              generation: int) -> "LexicalIndex":
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every build at DEBUG to stderr
        retriever = None
        if chunk_ids:
            corpus = [normalizer.tokens(text, canonical=True) or [""] for text in canonical_texts]
            retriever = bm25s.BM25(k1=1.2, b=0.75)
            retriever.index(corpus, show_progress=False)
        return cls(retriever, list(chunk_ids), generation)

    def save(self, path: Path) -> None:
        path = Path(path)
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp), show_progress=False)
        (tmp / IDS_FILE).write_text(json.dumps(self.chunk_ids, ensure_ascii=False), encoding="utf-8")
        state = {"generation": self.generation, "count": len(self.chunk_ids), "ids_sha256": ids_checksum(self.chunk_ids)}
        (tmp / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        old = path.with_name(f"{path.name}.old-{os.getpid()}")
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> "LexicalIndex":
        """Load a saved index; raises ``ValueError`` (or ``OSError``) when it is missing or damaged."""
        import bm25s

        path = Path(path)
        state = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
        chunk_ids = json.loads((path / IDS_FILE).read_text(encoding="utf-8"))
        if len(chunk_ids) != state["count"] or ids_checksum(chunk_ids) != state["ids_sha256"]:
            raise ValueError(f"lexical index at {path} is damaged (ids do not match its state file)")
        retriever = bm25s.BM25.load(str(path), show_progress=False) if chunk_ids else None
        return cls(retriever, chunk_ids, int(state["generation"]))

    @staticmethod
    def saved_state(path: Path) -> dict | None:
        try:
            return json.loads((Path(path) / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def search(self, terms: list[str], k: int) -> list[LexicalHit]:
        if self._bm25 is None or not terms:
            return []
        ids = self._bm25.get_tokens_ids(terms)
        if not ids:
            return []
        scores = self._bm25.get_scores_from_ids(ids)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    @property
    def num_docs(self) -> int:
        return len(self.chunk_ids)

    def document_frequencies(self, terms: list[str]) -> dict[str, int]:
        """How many chunks hold each term (0 for a term the corpus never uses)."""
        out = {t: 0 for t in terms}
        if self._bm25 is None:
            return out
        vocab, indptr = self._bm25.vocab_dict, self._bm25.scores["indptr"]
        for term in out:
            i = vocab.get(term)
            if i is not None and i + 1 < len(indptr):
                out[term] = int(indptr[i + 1] - indptr[i])
        return out
