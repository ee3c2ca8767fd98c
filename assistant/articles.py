"""The articles the answerer checks sentences against: their analysis from the record, cached per process."""

from __future__ import annotations

import threading
from collections import OrderedDict

from assistant.match import Article
from index.persian.normalize import TextNormalizer
from index.record import StoreOfRecord
from index.sentences import DocumentInfo, analyse_document


class Articles:
    """``articles(doc_ids)`` → {doc_id: :class:`Article`}, read from the store of record.

    Documents ingested before the record held analyses are analysed here (and kept in memory only:
    readers never write); the next ``assistant ingest`` stores them."""

    def __init__(self, record: StoreOfRecord, normalizer: TextNormalizer, size: int = 2000) -> None:
        self.record = record
        self.normalizer = normalizer
        self.size = size
        self._cache: OrderedDict[str, tuple[int, Article]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, doc_ids: list[str]) -> dict[str, Article]:
        generation = self.record.generation
        out: dict[str, Article] = {}
        with self._lock:
            for d in doc_ids:
                hit = self._cache.get(d)
                if hit is not None and hit[0] == generation:
                    self._cache.move_to_end(d)
                    out[d] = hit[1]
        missing = [d for d in dict.fromkeys(doc_ids) if d not in out]
        if missing:
            infos = self.record.document_infos(missing)
            vectors = self.record.sentence_vectors(missing)
            for d in missing:
                info = infos.get(d) or self._analyse(d)
                if info is None:
                    continue
                out[d] = Article.build(d, info.title, info, vectors.get(d))
            with self._lock:
                for d in missing:
                    if d in out:
                        self._cache[d] = (generation, out[d])
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return out

    def _analyse(self, doc_id: str) -> DocumentInfo | None:
        doc = self.record.get_document(doc_id)
        if doc is None:
            return None
        chunks = self.record.get_chunks(self.record.chunk_ids_of(doc_id))
        spans = sorted({span for c in chunks.values() for span in c.sentences})
        return analyse_document(doc.text, doc.title, spans, self.normalizer, doc.date)
