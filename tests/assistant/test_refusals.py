"""What readers asked that the archive could not answer: kept (unless turned off), grouped by likeness with
counts and the last time asked, on the admin API (JSON and CSV) and the command line."""

from __future__ import annotations

import json
import shutil

import httpx
import pytest

from assistant.build import build_assistant
from assistant.refusals import group
from assistant.settings import Settings
from helpers import Server

ADMIN = "admin-token-123"
PISTACHIO = ["صادرات پسته تعاونی‌های کرمان چقدر بود؟", "میزان صادرات پسته کرمان چقدر است؟",
             "صادرات پسته کرمان در سال گذشته چقدر بود؟"]
OTHER = "تعداد اعضای تعاونی‌های ماهیگیری بوشهر چند نفر است؟"
ANSWERED = "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟"


def test_questions_are_grouped_by_their_words():
    rows = [("2024-06-01T10:00:00", "صادرات پسته کرمان؟", ["صادرات", "پسته", "کرمان"]),
            ("2024-06-02T10:00:00", "میزان صادرات پسته کرمان", ["صادرات", "پسته", "کرمان", "میزان"]),
            ("2024-06-03T10:00:00", "اعضای تعاونی بوشهر", ["اعضا", "بوشهر"])]
    groups = group(rows)
    assert [(g.count, g.question) for g in groups] == [(2, "میزان صادرات پسته کرمان"), (1, "اعضای تعاونی بوشهر")]
    assert groups[0].last_asked == "2024-06-02T10:00:00" and groups[0].first_asked == "2024-06-01T10:00:00"
    assert groups[0].wordings == ["میزان صادرات پسته کرمان", "صادرات پسته کرمان؟"]


@pytest.fixture
def copied_index(sample_index, tmp_path):
    data_dir = tmp_path / "index"
    shutil.copytree(sample_index, data_dir, ignore=shutil.ignore_patterns("refusals.sqlite3*"))  # other tests' refusals
    return data_dir


@pytest.mark.slow   # a server of its own: out of the fast lane
def test_refused_questions_are_kept_and_grouped(copied_index):
    a = build_assistant(Settings(data_dir=copied_index, admin_token=ADMIN))
    for q in PISTACHIO + [OTHER]:
        assert a.ask(q).abstained, q
    assert not a.ask(ANSWERED).abstained
    list(a.stream(PISTACHIO[0]))                                   # the chat asks through stream
    groups = a.refusals()
    assert [g.count for g in groups] == [4, 1] and groups[1].question == OTHER
    assert "پسته" in groups[0].words and ANSWERED not in {w for g in groups for w in g.wordings}

    from ui.server import create_app

    with Server(create_app(a, a.settings)) as s:
        assert httpx.get(f"{s.url}/api/refusals").status_code == 401
        auth = {"Authorization": f"Bearer {ADMIN}"}
        body = httpx.get(f"{s.url}/api/refusals", headers=auth).json()
        assert body["recording"] is True and [g["count"] for g in body["groups"]] == [4, 1]
        csv = httpx.get(f"{s.url}/api/refusals", params={"format": "csv"}, headers=auth)
        assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("\ufeffquestion,count")
        assert OTHER in csv.text
    a.close()


def test_nothing_is_kept_when_turned_off(copied_index):
    a = build_assistant(Settings(data_dir=copied_index, record_refusals=False))
    assert a.ask(OTHER).abstained
    assert a.refusals() == []
    a.close()


def test_refusals_on_the_command_line(copied_index, tmp_path, capsys, monkeypatch):
    from ui.cli import main

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(copied_index))
    assert main(["ask", OTHER]) == 0
    capsys.readouterr()
    assert main(["refusals", "--json"]) == 0
    [g] = json.loads(capsys.readouterr().out)
    assert g["question"] == OTHER and g["count"] == 1
    out = tmp_path / "refused.csv"
    assert main(["refusals", "--export", str(out)]) == 0 and OTHER in out.read_text(encoding="utf-8")
