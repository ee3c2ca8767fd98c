"""A Chromium-printed Persian PDF, a right-to-left DOCX and a broken PDF ingested from the shell into a
fresh index: the good files land, the broken one is named, and answers quote each file and cite it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import run_cli

pytestmark = pytest.mark.subprocess

DOCS = Path(__file__).resolve().parents[1] / "data" / "documents"


def _ask(question: str, data: Path) -> dict:
    out = run_cli("ask", question, "--json", data_dir=data)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.slow  # four CLI runs, each loading the models, and two documents embedded
def test_pdf_and_docx_are_ingested_from_the_shell_and_answer_with_citations(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(DOCS / "golestan_chromium.pdf", folder / "golestan.pdf")
    shutil.copy(DOCS / "gilan.docx", folder / "gilan.docx")
    (folder / "broken.pdf").write_bytes((DOCS / "golestan_chromium.pdf").read_bytes()[:20_000])
    data = tmp_path / "data"

    out = run_cli("ingest", str(folder), "--json", "--quiet", data_dir=data)
    assert out.returncode == 3, out.stderr                                   # partial success
    summary = json.loads(out.stdout)
    assert summary["added"] == 2 and summary["documents"] == 2
    [skipped] = summary["skipped"]
    assert Path(skipped["source"]).name == "broken.pdf"
    assert skipped["reason"].startswith("damaged PDF") and "truncated" in skipped["reason"]

    amount = _ask("صادرات تعاونی‌های گلستان در سال ۱۳۹۷ چقدر بود؟", data)
    assert not amount["abstained"], amount["answer"]
    assert "۱۲ میلیون و ۳۰۰ هزار دلار" in amount["answer"]                   # the parts in reading order
    cited = amount["sources"][0]
    assert cited["doc_id"] == "golestan" and cited["source"].endswith("golestan.pdf")
    assert "۱۲ میلیون و ۳۰۰ هزار دلار" in cited["quote"] and cited["quote"] in amount["answer"]
    assert "محصولات لبنی" in cited["quote"]                                  # lam-alef whole, in order

    count = _ask("چند تعاونی در استان گیلان فعال است؟", data)
    assert not count["abstained"], count["answer"]
    assert "۲ هزار و ۵۰۲ تعاونی" in count["answer"]
    cited = count["sources"][0]
    assert cited["doc_id"] == "gilan" and cited["source"].endswith("gilan.docx")
    assert "۲ هزار و ۵۰۲ تعاونی" in cited["quote"]

    listed = json.loads(run_cli("stats", "--json", data_dir=data).stdout)
    assert listed["documents"] == 2
