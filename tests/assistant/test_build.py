"""The Assistant's own methods, the only door front ends use: documents, document, delete, check, facts."""

from __future__ import annotations

from assistant.build import build_assistant
from assistant.settings import Settings

GILAN = "001_2df5e54f2db4a315"


def test_what_front_ends_need_without_touching_the_stores(tmp_path, corpus):
    a = build_assistant(Settings(data_dir=tmp_path / "data"))
    assert a.is_empty() and a.documents() == []
    a.ingest([corpus])
    assert not a.is_empty()
    docs = a.documents()
    assert [d.doc_id for d in docs] == sorted(d.doc_id for d in docs) and len(docs) == 2
    assert all(d.chunks > 0 and d.characters > 100 and d.title for d in docs)
    gilan = next(d for d in docs if d.doc_id == GILAN)
    assert a.document(GILAN).title == gilan.title and a.document("nope") is None
    assert a.facts(province="گیلان", measure="exports")[0].value == 34_000_000
    assert a.check()["in_step"]

    report = a.delete([GILAN, "not-there"])
    assert report.removed == [GILAN] and report.documents_total == 1
    assert a.document(GILAN) is None and a.facts(province="گیلان") == []
    assert GILAN not in {p.doc_id for p in a.search("صادرات تعاونی‌های گیلان", 5)}   # gone from Chroma and BM25
    assert a.check()["in_step"]
    assert a.delete(["not-there"]).removed == []
    a.close()
