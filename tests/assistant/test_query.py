"""The question is analysed, weighed and embedded once per turn, and every step reads that one Query."""

from __future__ import annotations

import assistant.coverage
import assistant.extractive
import assistant.query
from assistant.build import build_assistant
from assistant.question import analyse
from assistant.settings import Settings

GILAN_Q = "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"


def test_a_turn_weighs_and_embeds_its_question_once(sample_index, monkeypatch):
    a = build_assistant(Settings(data_dir=sample_index))
    weighed, embedded = [], []
    real_weigh = assistant.coverage.weigh

    def counting_weigh(q, *args):
        weighed.append(q.canonical)
        return real_weigh(q, *args)

    for module in (assistant.query, assistant.extractive, assistant.coverage):
        monkeypatch.setattr(module, "weigh", counting_weigh)
    embedder = a.searcher.store.embedder
    real_embed = embedder.embed_query_vector
    monkeypatch.setattr(embedder, "embed_query_vector", lambda text: embedded.append(text) or real_embed(text))
    answer = a.ask(GILAN_Q)
    assert "۳۴ میلیون دلار" in answer.text
    assert len(weighed) == 1 and len(embedded) == 1, (weighed, embedded)
    a.close()


def test_a_query_makes_its_weights_and_vector_on_first_use(sample_index):
    a = build_assistant(Settings(data_dir=sample_index))
    q = a.searcher.query(analyse(GILAN_Q, a.searcher.store.normalizer))
    assert "words" not in q.__dict__ and "vector" not in q.__dict__      # nothing made yet
    assert q.words is q.words and q.vector is q.vector                    # made once, then kept
    assert {w.text for w in q.question.words} and len(q.words) == len(q.question.words)
    assert q.vector.shape == (384,) and abs(float(q.vector @ q.vector) - 1.0) < 1e-3
    by_query = [p.chunk_id for p in a.search(GILAN_Q)]
    assert [p.chunk_id for p in a.searcher.search(GILAN_Q, 5, question=q)] == by_query
    a.close()
