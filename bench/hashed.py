"""A fast deterministic embedder for timing runs at 100,000 chunks (not a model).

``HashedEmbedder`` turns a text into a hashed token vector: every whitespace token is hashed (CRC-32,
the same in every process) to one of 384 coordinates with a sign, the counts are summed and the vector
scaled to unit length. Dense search over such vectors behaves like a bag-of-words search, so questions
still find passages that share their words and the answerer does its usual work on them; retrieval
*quality* is measured elsewhere (``bench/retrieval_eval.py``). One more step: e5's vectors share a large
common direction (two unrelated Persian texts still have a cosine of about 0.75), and the answerer's
thresholds are set for that range, so every vector gets the same fixed direction mixed in (weights
0.75 and 0.25 of the squared length): unrelated texts land near 0.75, identical ones at 1, and the
ranking is unchanged.

* At ingest it costs microseconds per text instead of ~150 ms, so an ingest of 100,000 chunks (and their
  ~400,000 sentences) spends its time in our own code, Chroma and BM25.
* At question time (``mirror=True``) it also runs the real embedder on the same texts and throws the
  result away, so every search and ask pays what a real question embedding costs, in time and memory.

The index records the model id ``hashed-bench-2:384``, so it cannot be mistaken for (or opened as) a
real index. ``python bench/hashed.py serve ARGS...`` is ``assistant serve ARGS...`` with this embedder.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import numpy as np

DIMENSION = 384
MODEL_ID = f"hashed-bench-2:{DIMENSION}"   # 2: with the common direction
_COMMON = np.random.default_rng(384).standard_normal(DIMENSION).astype(np.float32)
_COMMON /= np.linalg.norm(_COMMON)


class HashedEmbedder:
    """The ``Embedder`` protocol with hashed token vectors; ``mirror``: also pay ``real``'s cost per question."""

    model_id = MODEL_ID

    def __init__(self, real, *, mirror: bool = True, batch_size: int = 512) -> None:
        self.real = real
        self.mirror = mirror
        self.batch_size = batch_size
        self._slots: dict[str, tuple[int, float]] = {}
        self._queries: dict[str, np.ndarray] = {}

    @property
    def dimension(self) -> int:
        return DIMENSION

    def warm_up(self) -> None:
        if self.mirror:
            self.real.warm_up()

    def forget_queries(self) -> None:
        self._queries.clear()
        self.real.forget_queries()

    def _slot(self, token: str) -> tuple[int, float]:
        slot = self._slots.get(token)
        if slot is None:
            h = zlib.crc32(token.encode("utf-8"))
            slot = self._slots[token] = (h % DIMENSION, 1.0 if (h >> 16) & 1 else -1.0)
        return slot

    def _hashed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in text.split():
                i, sign = self._slot(token)
                out[row, i] += sign
            out[row, zlib.crc32(text.encode("utf-8")) % DIMENSION] += 0.25  # never all zeros (an empty text)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        out = np.float32(0.75 ** 0.5) * _COMMON + np.float32(0.25 ** 0.5) * out
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if self.mirror and texts:
            self.real.embed_passages(texts)
        return self._hashed(list(texts))

    def embed_query_vector(self, text: str) -> np.ndarray:
        vector = self._queries.get(text)
        if vector is None:
            if self.mirror:
                self.real.embed_query_vector(text)
            vector = self._queries[text] = self._hashed([text])[0]
            vector.setflags(write=False)
            if len(self._queries) > 256:
                self._queries.pop(next(iter(self._queries)))
        return vector


def use_hashed_embedder(*, mirror: bool = True) -> None:
    """From now on ``build_assistant`` gives every assistant a :class:`HashedEmbedder` around its real one."""
    import assistant.build as build

    real_make = build.make_embeddings
    build.make_embeddings = lambda *a, **k: HashedEmbedder(real_make(*a, **k), mirror=mirror)


if __name__ == "__main__":  # python bench/hashed.py serve --port N --no-ingest
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from ui.cli import main

    use_hashed_embedder(mirror=True)
    sys.exit(main(sys.argv[1:]))
