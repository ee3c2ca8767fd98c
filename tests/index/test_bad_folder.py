"""A folder mixing good files with bad ones, ingested from the shell: the good ones land, each bad one
is named with its reason, and the exit code says partial success."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from assistant.settings import SAMPLE_ARTICLES
from helpers import run_cli
import pytest

pytestmark = pytest.mark.subprocess



def test_bad_files_are_named_and_skipped_and_the_rest_is_ingested(tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    samples = sorted(SAMPLE_ARTICLES.glob("*.txt"))
    shutil.copy(samples[0], folder / "good1.txt")
    shutil.copy(samples[1], folder / "good2.txt")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.txt").write_bytes(b"")
    with open(folder / "huge.txt", "wb") as f:                       # 50 MB
        f.write(("تعاونی " * 1000 + "\n").encode() * 3850)
    good = samples[0].read_bytes()
    (folder / "invalid-utf8.txt").write_bytes(good[:500] + b"\xff\xfe\xc3\x28" + good[500:])
    (folder / "nested.html").write_text("<html><body>" + "<div>" * 20000 + "<p>تعاونی‌های استان زنجان ۱۲ میلیون دلار "
                                        "صادرات داشتند.</p>" + "</div>" * 20000 + "</body></html>", encoding="utf-8")
    (folder / "mixed.jsonl").write_text("\n".join([
        json.dumps({"id": "j1", "text": "تعاونی‌های یزد ۵ میلیون دلار صادرات داشتند."}, ensure_ascii=False),
        '{"id": "j2", "text": broken',
        json.dumps({"id": "j3", "text": ""}),
        json.dumps({"id": "j4", "text": "تعاونی‌های قم ۳ میلیون دلار صادرات داشتند."}, ensure_ascii=False),
    ]), encoding="utf-8")
    assert (folder / "huge.txt").stat().st_size > 50_000_000

    data = tmp_path / "data"
    out = run_cli("ingest", str(folder), "--json", "--quiet", data_dir=data, timeout=600)
    assert out.returncode == 3, out.stderr                              # partial success
    summary = json.loads(out.stdout)
    assert summary["added"] == 5 and summary["documents"] == 5          # good1, good2, nested, j1, j4
    reasons = {Path(s["source"]).name: s["reason"] for s in summary["skipped"]}
    assert reasons["binary.txt"].startswith("binary")
    assert reasons["empty.txt"] == "empty file"
    assert "too large" in reasons["huge.txt"] and "ASSISTANT_MAX_FILE_BYTES" in reasons["huge.txt"]
    assert "not valid UTF-8" in reasons["invalid-utf8.txt"]
    assert "not valid JSON" in reasons["mixed.jsonl:2"] and "text" in reasons["mixed.jsonl:3"]
    found = run_cli("search", "صادرات تعاونی‌های زنجان", "--json", data_dir=data)
    assert json.loads(found.stdout)["results"][0]["doc_id"] == "nested"
