import pytest
from langchain_core.retrievers import BaseRetriever

from assistant.build import build_assistant
from assistant.retrieve import IndexEmpty, fuse
from assistant.settings import Settings

GOLESTAN = "000_35ffd71e27c3aa0e"
GILAN = "001_2df5e54f2db4a315"
KHORASAN = "003_d4c0f465e850be5b"


@pytest.mark.parametrize(
    "variants",
    [
        ("صادرات تعاونی‌های گلستان", "صادرات تعاونی های گلستان", "صادرات تعاونیهای گلستان"),
        ("صادرات تعاونی‌ها در سال 1401", "صادرات تعاونی‌ها در سال ۱۴۰۱"),
        ("كميسيون هاي تخصصي اتاق تعاون", "کمیسیون‌های تخصصی اتاق تعاون"),
    ],
)
def test_every_spelling_retrieves_the_same_passages(sample_assistant, variants):
    results = [[p.chunk_id for p in sample_assistant.search(q, k=5)] for q in variants]
    assert all(r == results[0] for r in results), results


@pytest.mark.parametrize(
    "question, doc_id, fact",
    [
        ("صادرات تعاونی‌های گیلان چقدر بود؟", GILAN, "۳۴ میلیون دلار"),
        ("بازار صادراتی تعاونی‌های گلستان شامل چه کشورهایی است؟", GOLESTAN, "ترکمنستان"),
        ("چند نفر در گلستان عضو تعاونی هستند؟", GOLESTAN, "یک میلیون و ۲۰۰ هزار نفر"),
        ("رئیس اتاق تعاون خراسان رضوی کیست؟", KHORASAN, "مجتبوي"),
        ("How much did Golestan cooperatives export?", GOLESTAN, "دلار"),
    ],
)
def test_answer_bearing_passage_is_in_the_top_three(sample_assistant, question, doc_id, fact):
    passages = sample_assistant.search(question, k=3)
    assert any(p.doc_id == doc_id and fact in p.text for p in passages), [p.text[:80] for p in passages]


def test_passages_carry_what_a_citation_needs(sample_assistant):
    [p] = sample_assistant.search("تعاونی‌های مرزنشین گلستان", k=1)
    doc = sample_assistant.store.record.get_document(p.doc_id)
    assert doc.text[p.start:p.end] == p.text
    assert p.title == doc.title and p.source.endswith(p.doc_id + ".txt")
    assert p.sentences and all(p.start <= s < e <= p.end for s, e in p.sentences)


def test_langchain_retriever_returns_documents(sample_assistant):
    retriever = sample_assistant.retriever(k=2)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke("صادرات تعاونی‌های گیلان")
    assert len(docs) == 2
    assert docs[0].metadata["doc_id"] == GILAN and docs[0].id == docs[0].metadata["chunk_id"]
    assert "۳۴ میلیون" in docs[0].page_content or "۳۴ میلیون" in docs[1].page_content


def test_module_level_search_uses_the_environment(sample_index, monkeypatch):
    import assistant

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(sample_index))
    assistant._default_assistant.reset()
    try:
        passages = assistant.search("تعاونی‌های دانش‌بنیان", k=2)
    finally:
        assistant._default_assistant().close()
        assistant._default_assistant.reset()
    assert len(passages) == 2 and all(p.doc_id for p in passages)


def test_empty_index_says_what_to_do(tmp_path):
    a = build_assistant(Settings(data_dir=tmp_path / "empty"))
    with pytest.raises(IndexEmpty, match="assistant ingest"):
        a.search("صادرات")
    a.close()


def test_fusion_weights_and_methods():
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.1)]
    lexical = [("d", 30.0), ("b", 10.0), ("e", 1.0)]
    assert [c for c, _ in fuse(dense, lexical, method="dense", lexical_weight=1)] == ["a", "b", "c"]
    assert [c for c, _ in fuse(dense, lexical, method="lexical", lexical_weight=1)] == ["d", "b", "e"]
    assert [c for c, _ in fuse(dense, lexical, method="rrf", lexical_weight=1)][0] == "b"  # in both lists
    assert [c for c, _ in fuse(dense, lexical, method="rrf", lexical_weight=0.0)][0] == "a"
    low = [c for c, _ in fuse(dense, lexical, method="zscore", lexical_weight=0.1)]
    high = [c for c, _ in fuse(dense, lexical, method="zscore", lexical_weight=5)]
    assert low[0] == "a" and high[0] == "d"
    assert set(low) == {"a", "b", "c", "d", "e"}
