"""Readers' feedback: the model's checks, the store of record (restarts, old indexes, rebuilds), the export
as an eval question set, and `assistant feedback` on the command line."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from assistant.build import build_assistant
from assistant.evaluate import QuestionSetError, load_questions, run, summarize
from assistant.feedback import MAX_COMMENT_CHARS, FeedbackError, eval_line, make_feedback
from assistant.settings import Settings
from helpers import cli_env, run_cli
from index.record import StoreOfRecord

Q = "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"
A = "مدیرکل … از صادرات ۳۴ میلیون دلاری تعاونیها در سالجاری خبر داد. [۱]"
SOURCES = [{"doc_id": "001_2df5e54f2db4a315", "title": "صادرات ۳۴ میلیون دلاری"}]
HOSTILE = '<script>alert(1)</script> پاسخ <img src=x onerror="y()"> غلط بود\nخط دوم'


@pytest.fixture
def assistant(tmp_path):
    a = build_assistant(Settings(data_dir=tmp_path / "index"))
    yield a
    a.close()


# ------------------------------------------------------------------------------------------- the model
def test_a_rating_is_checked_and_the_bad_value_named():
    with pytest.raises(FeedbackError, match="'good'"):
        make_feedback(Q, A, "good")
    with pytest.raises(FeedbackError, match="'UP'"):
        make_feedback(Q, A, "UP")
    with pytest.raises(FeedbackError, match=f"{MAX_COMMENT_CHARS + 1} characters; the limit is {MAX_COMMENT_CHARS}"):
        make_feedback(Q, A, "up", "س" * (MAX_COMMENT_CHARS + 1))
    with pytest.raises(FeedbackError, match="question is required"):
        make_feedback(None, A, "up")
    with pytest.raises(FeedbackError, match="question is empty"):
        make_feedback("  \u202e ", A, "up")
    with pytest.raises(FeedbackError, match="answer must be text, got int"):
        make_feedback(Q, 5, "up")
    with pytest.raises(FeedbackError, match=r"sources\[0\].doc_id"):
        make_feedback(Q, A, "up", sources=[{"title": "x"}])
    with pytest.raises(FeedbackError, match="feedback id must be 32 hex digits, got '../x'"):
        make_feedback(Q, A, "up", feedback_id="../x")


def test_a_rating_keeps_what_was_said_and_when():
    from assistant.answer import Source

    source = Source(n=1, doc_id="d1", title="عنوان", source="a.txt", text="متن", quote="متن", score=0.9)
    before = datetime.now(timezone.utc)
    f = make_feedback(f"  {Q}\u202b ", A, "down", HOSTILE + "\x00", [source, {"doc_id": "d2", "n": 2, "text": "…"}])
    assert f.question == Q                                       # trimmed, invisible controls dropped
    assert f.comment == HOSTILE                                  # HTML and newlines kept as the reader wrote them
    assert [s.model_dump() for s in f.sources] == [{"doc_id": "d1", "title": "عنوان"}, {"doc_id": "d2", "title": ""}]
    when = datetime.fromisoformat(f.time)
    assert when.utcoffset() == timedelta(0) and before - timedelta(seconds=1) <= when <= datetime.now(timezone.utc)
    assert len(f.id) == 32 and f.id != make_feedback(Q, A, "up").id
    assert make_feedback(Q, A, "up", "   ").comment is None       # an empty comment is no comment
    assert make_feedback(Q, A, "up", "س" * MAX_COMMENT_CHARS).comment == "س" * MAX_COMMENT_CHARS


# ------------------------------------------------------------------------------------------- the store
def test_stored_listed_newest_first_filtered_replaced_and_withdrawn(assistant):
    first = assistant.add_feedback(Q, A, "up", sources=SOURCES)
    second = assistant.add_feedback("و گلستان چطور؟", "۲۲ میلیون دلار [۱]", "down", HOSTILE, history=[Q])
    assert [f.id for f in assistant.feedback()] == [second.id, first.id]
    assert [f.id for f in assistant.feedback("down")] == [second.id]
    assert [f.id for f in assistant.feedback(rating="up")] == [first.id]
    assert assistant.feedback("down")[0] == second                 # every field read back as written
    assert second.history == [Q] and second.comment == HOSTILE
    with pytest.raises(FeedbackError, match="'meh'"):
        assistant.feedback("meh")
    # a thumb changed, then a comment: the same rating, replaced
    changed = assistant.add_feedback(Q, A, "down", "رقم اشتباه است", SOURCES, feedback_id=first.id)
    assert changed.id == first.id
    assert [(f.rating, f.comment) for f in assistant.feedback() if f.id == first.id] == [("down", "رقم اشتباه است")]
    assert len(assistant.feedback()) == 2
    assert assistant.delete_feedback(first.id) is True
    assert assistant.delete_feedback(first.id) is False
    assert [f.id for f in assistant.feedback()] == [second.id]


def test_a_refused_rating_stores_nothing(assistant):
    for bad in [dict(rating="meh"), dict(comment="x" * (MAX_COMMENT_CHARS + 1)), dict(question="")]:
        args = {"question": Q, "answer": A, "rating": "up", **bad}
        with pytest.raises(FeedbackError):
            assistant.add_feedback(**args)
    assert assistant.feedback() == []


def test_feedback_survives_a_restart(tmp_path):
    data_dir = tmp_path / "index"
    a = build_assistant(Settings(data_dir=data_dir))
    kept = a.add_feedback(Q, A, "down", HOSTILE, SOURCES)
    a.close()
    assert (data_dir / "record.sqlite3").is_file()              # in the data directory: backed up with the index
    b = build_assistant(Settings(data_dir=data_dir))
    assert b.feedback() == [kept]
    b.close()


def test_an_index_from_before_feedback_gets_the_table(tmp_path):
    path = tmp_path / "record.sqlite3"
    StoreOfRecord(path).close()
    with sqlite3.connect(path) as db:                          # as an index written before this release
        db.execute("DROP TABLE feedback")
    with sqlite3.connect(path) as db:
        assert "feedback" not in {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    record = StoreOfRecord(path)
    record.put_feedback(make_feedback(Q, A, "up").as_dict())
    assert [r["question"] for r in record.feedback()] == [Q]
    record.close()


def test_a_rebuild_keeps_feedback(tmp_path):
    record = StoreOfRecord(tmp_path / "record.sqlite3")
    record.put_feedback(make_feedback(Q, A, "up").as_dict())
    generation = record.generation
    record.apply([], [], delete_all=True)                      # what `assistant ingest --rebuild` does to the record
    assert len(record.feedback()) == 1
    record.put_feedback(make_feedback(Q, A, "down").as_dict())
    assert record.generation == generation + 1                 # the rebuild moved it; feedback does not
    record.close()


# ------------------------------------------------------------------------------------------- the export
def test_an_exported_rating_is_an_eval_question_once_reviewed(tmp_path, sample_assistant):
    answer = sample_assistant.ask(Q)
    up = make_feedback(Q, answer.text, "up", "درست است", answer.sources)
    down = make_feedback("و گلستان چطور؟", "…", "down", HOSTILE, history=["صادرات تعاونی‌های گیلان چقدر بود؟"])
    line = eval_line(up)
    assert line["q"] == Q and line["answer"] is None and line["reviewed"] is False and line["kind"] == "feedback"
    assert line["doc_id"] == answer.sources[0].doc_id == "001_2df5e54f2db4a315"
    assert (line["given_answer"], line["rating"], line["comment"]) == (answer.text, "up", "درست است")
    assert line["feedback_id"] == up.id and line["time"] == up.time
    assert eval_line(down)["doc_id"] is None and eval_line(down)["history"] == ["صادرات تعاونی‌های گیلان چقدر بود؟"]
    assert eval_line(down)["comment"] == HOSTILE

    path = tmp_path / "dev.jsonl"
    path.write_text("".join(json.dumps(eval_line(f), ensure_ascii=False) + "\n" for f in (up, down)), encoding="utf-8")
    with pytest.raises(QuestionSetError, match=r"dev.jsonl:1: not reviewed yet: write the expected answer"):
        load_questions(path)
    # a reviewer writes the expected answers and deletes "reviewed"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    lines[0].update(answer="۳۴ میلیون دلار")
    lines[1].update(answer="۲۲ میلیون و ۹۹۵ هزار دلار", doc_id="000_35ffd71e27c3aa0e")
    for x in lines:
        del x["reviewed"]
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    summary = summarize(run(sample_assistant, load_questions(path)))
    assert summary["answerable"] == 2 and summary["answer_accuracy"] == 1.0   # the follow-up ran with its history


# ------------------------------------------------------------------------------------------- the CLI
@pytest.mark.subprocess
def test_cli_lists_filters_prints_json_and_exports(tmp_path):
    data_dir = tmp_path / "index"
    env = cli_env(data_dir, PYTHONPATH=os.environ.get("PYTHONPATH", ""))
    empty = run_cli("feedback", env=env)
    assert empty.returncode == 0 and "no feedback yet" in empty.stdout

    a = build_assistant(Settings(data_dir=data_dir))
    up = a.add_feedback(Q, A, "up", sources=SOURCES)
    down = a.add_feedback("و گلستان چطور؟", "۲۲ میلیون دلار [۱]", "down", HOSTILE, history=[Q])
    a.close()

    listed = run_cli("feedback", "--rating", "down", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "DOWN" in listed.stdout and "و گلستان چطور؟" in listed.stdout and "<script>alert(1)</script>" in listed.stdout
    assert Q not in listed.stdout                                   # the one rated up is filtered out

    as_json = run_cli("feedback", "--json", env=env)
    assert as_json.returncode == 0, as_json.stderr
    items = json.loads(as_json.stdout)
    assert [x["id"] for x in items] == [down.id, up.id]
    assert items[0]["comment"] == HOSTILE                            # intact: HTML, newline and all
    assert items[1]["sources"] == SOURCES and items[0]["history"] == [Q]
    assert set(items[0]) == {"id", "time", "question", "answer", "rating", "comment", "sources", "history"}

    out = tmp_path / "rated.jsonl"
    exported = run_cli("feedback", "--rating", "up", "--export", str(out), env=env)
    assert exported.returncode == 0, exported.stderr
    assert "wrote 1 questions" in exported.stderr and "assistant eval" in exported.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [eval_line(up)]

    refused = run_cli("eval", str(out), env=env)
    assert refused.returncode == 2 and "not reviewed yet" in refused.stderr
    bad = run_cli("feedback", "--rating", "meh", env=env)
    assert bad.returncode == 2 and "invalid choice: 'meh'" in bad.stderr
