"""One story once: near-duplicate articles (republished wire copy, lightly edited) found at ingest.

Each document gets a MinHash signature (``datasketch``, 128 permutations) over the shingles of its canonical
text: every run of :data:`SHINGLE` canonical words, so spelling (ZWNJ, Arabic letters, digits) does not tell
copies apart. Documents whose estimated Jaccard similarity passes :data:`THRESHOLD` (found with MinHash LSH,
then checked pairwise) are one *story*; the story is named by its earliest member (by date, then by when it came
in). The record keeps every copy; search shows a story once, from its earliest outlet, and the citation says in
how many other outlets it also ran. The threshold is measured on a labelled sample (``bench/dedup.py``,
docs/archive.md).
"""

from __future__ import annotations

import numpy as np

from index.persian.normalize import TOKEN

NUM_PERM = 128
SHINGLE = 5
THRESHOLD = 0.35    # bench/dedup.py: precision and recall 1.0 from 0.30 to 0.40 on its sample (docs/archive.md)
_SEED = 20240611
SCHEME = "affine32"   # datasketch 2.x hashing; signatures in the record are made with it


def shingles(canonical: str, k: int = SHINGLE) -> set[bytes]:
    words = [m.group() for m in TOKEN.finditer(canonical)]
    if len(words) < k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def signature(canonical: str) -> bytes | None:
    """The MinHash of ``canonical``'s shingles, as bytes for the record (None for a text without words)."""
    from datasketch import MinHash

    grams = shingles(canonical)
    if not grams:
        return None
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME)
    m.update_batch(list(grams))
    return m.hashvalues.astype(np.uint64).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """The estimated Jaccard similarity of two signatures."""
    x, y = np.frombuffer(a, dtype=np.uint64), np.frombuffer(b, dtype=np.uint64)
    return float(np.mean(x == y))


COVERED = 0.8      # a later copy's chunk whose shingles are this much in the first copy says nothing new


def covered(canonical: str, first: list[str]) -> bool:
    """Whether the chunk ``canonical`` of a later copy is said by the first copy (its chunks ``first``): at least
    :data:`COVERED` of its shingles are among the first copy's."""
    mine = shingles(canonical)
    if not mine:
        return True
    theirs = set().union(*(shingles(c) for c in first)) if first else set()
    return len(mine & theirs) / len(mine) >= COVERED


def stories(rows: list[tuple[str, str | None, str | None, bytes | None]],
            threshold: float = THRESHOLD) -> dict[str, str]:
    """``(doc_id, date, added_at, signature)`` of every document → ``{doc_id: story}``, the story being the doc_id
    of its group's earliest member (a document without a copy is its own story)."""
    from datasketch import MinHash, MinHashLSH

    signed = [(d, sig) for d, _date, _added, sig in rows if sig is not None]
    parent = {d: d for d, *_ in rows}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    if len(signed) > 1:
        lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        sigs, hashes = dict(signed), {}
        for doc_id, sig in signed:
            hashes[doc_id] = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=SCHEME,
                                     hashvalues=np.frombuffer(sig, dtype=np.uint64))
            lsh.insert(doc_id, hashes[doc_id])
        for doc_id, sig in signed:
            for other in lsh.query(hashes[doc_id]):   # candidates; each pair checked on the estimate itself
                if other != doc_id and similarity(sig, sigs[other]) >= threshold:
                    a, b = find(doc_id), find(other)
                    if a != b:
                        parent[a] = b
    order = {d: (date or "9999", added or "9999", d) for d, date, added, _sig in rows}
    earliest: dict[str, str] = {}
    for d in parent:
        root = find(d)
        if root not in earliest or order[d] < order[earliest[root]]:
            earliest[root] = d
    return {d: earliest[find(d)] for d in parent}


__all__ = ["NUM_PERM", "SHINGLE", "THRESHOLD", "shingles", "signature", "similarity", "stories"]
