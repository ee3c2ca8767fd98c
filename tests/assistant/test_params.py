"""The fitted weights, thresholds and constants live in assistant/params.toml: loaded, checked, overridable
through ASSISTANT_PARAMS_FILE, and written back by bench/answer_weights.py's writer."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict

import pytest

from assistant.build import build_assistant
from assistant.params import PACKAGED, Picking, Retrieval, SentenceWeights, Thresholds, load, update
from assistant.retrieve import fuse
from assistant.settings import Settings, SettingsError

ENGLISH = "Who is the director-general of cooperatives, labour and social welfare in South Khorasan?"


def _copy(tmp_path, old: str = "", new: str = ""):
    """The packaged file copied to ``tmp_path``, with ``old`` replaced by ``new``."""
    text = PACKAGED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "params.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_packaged_file_holds_the_values_the_answerer_was_tuned_with():
    p = load()
    assert p.version == 1 and p.path == PACKAGED
    assert p.thresholds == Thresholds(min_dense_english=0.74, second_sentence=0.85, max_missing_share=0.67,
                                      near_coverage=0.5, strict_kinds=("amount", "count", "percent", "year", "date"),
                                      binding_log_frequency=8.0, binding_kinds=("amount", "count", "percent"))
    assert p.sentence_weights == SentenceWeights(coverage=0.5, local=0.5, kind=0.25, counted=0.3, rank=0.15,
                                                 passage_coverage=0.1, meaning=4.0)
    assert p.picking == Picking(max_sentences=3, max_figure_sentences=2, miss_penalty=0.1, title_penalty=0.3,
                                repeat_overlap=0.7)
    assert p.retrieval == Retrieval(rrf_k=60)
    assert load() is p   # read once


def test_the_code_uses_the_file(tmp_path):
    a = build_assistant(Settings(data_dir=tmp_path / "index"))
    try:
        p = load()
        extractive = a.chain.extractive
        assert (extractive.thresholds, extractive.weights, extractive.picking) == \
            (p.thresholds, p.sentence_weights, p.picking)
        assert a.searcher.rrf_k == p.retrieval.rrf_k
    finally:
        a.close()
    # fuse without a constant: that of the file
    assert fuse([("a", 0.9), ("b", 0.8)], [], method="rrf", lexical_weight=1.0) == [("a", 1 / 61), ("b", 1 / 62)]
    assert fuse([("a", 0.9)], [], method="rrf", lexical_weight=1.0, rrf_k=9)[0][1] == 1 / 10


def test_a_changed_file_named_by_the_setting_changes_what_the_code_does(sample_index, sample_assistant,
                                                                         tmp_path, monkeypatch):
    assert not sample_assistant.ask(ENGLISH).abstained       # packaged: similar enough (0.74)
    changed = _copy(tmp_path, "min_dense_english = 0.74", "min_dense_english = 1.5")
    changed.write_text(changed.read_text(encoding="utf-8").replace("rrf_k = 60", "rrf_k = 7"), encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_PARAMS_FILE", str(changed))
    settings = Settings.load(data_dir=sample_index)
    assert settings.params_file == changed
    a = build_assistant(settings)
    try:
        assert a.chain.extractive.thresholds.min_dense_english == 1.5 and a.searcher.rrf_k == 7
        answer = a.ask(ENGLISH)
        assert answer.abstained, answer.text                 # no passage is that similar
    finally:
        a.close()


def test_an_optional_value_left_out_is_none(tmp_path):
    path = _copy(tmp_path, "binding_log_frequency = 8.0\n", "")
    assert load(path).thresholds.binding_log_frequency is None


@pytest.mark.parametrize("old, new, message", [
    ("second_sentence = 0.85", 'second_sentence = "high"', "[thresholds] second_sentence = 'high': expected a number"),
    ("rank = 0.15", "rank = -1", "[sentence_weights] rank = -1: expected a number ≥ 0"),
    ("max_sentences = 3", "max_sentences = 2.5", "[picking] max_sentences = 2.5: expected a whole number"),
    ('binding_kinds = ["amount", "count", "percent"]', "binding_kinds = 3", "[thresholds] binding_kinds = 3: expected a list"),
    ("near_coverage = 0.5", "near_coverage = 0.5\nnear_coverag = 0.5", "[thresholds] near_coverag: unknown key"),
    ("rank = 0.15", "# rank = 0.15", "[sentence_weights] lacks rank"),
    ("version = 1", "version = 2", "version = 2: expected version = 1"),
    ("[retrieval]", "[retreival]", "[retreival]: unknown table"),
    ("[picking]", "[picking", "not a TOML file"),
])
def test_a_bad_file_is_refused_naming_the_file_the_key_and_the_fix(tmp_path, old, new, message):
    path = _copy(tmp_path, old, new)
    with pytest.raises(SettingsError) as raised:
        load(path)
    text = str(raised.value)
    assert str(path) in text and message in text and "unset ASSISTANT_PARAMS_FILE" in text, text


def test_a_bad_file_in_the_setting_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_PARAMS_FILE", str(tmp_path / "missing.toml"))
    with pytest.raises(SettingsError, match="missing.toml: no such parameters file"):
        build_assistant(Settings.load(data_dir=tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_PARAMS_FILE", str(_copy(tmp_path, "meaning = 4.0", "meaning = []")))
    with pytest.raises(SettingsError, match=r"\[sentence_weights\] meaning = \[\]: expected a number"):
        build_assistant(Settings.load(data_dir=tmp_path / "index"))


def test_the_weights_writer_round_trips_and_keeps_the_rest(tmp_path):
    path = _copy(tmp_path)
    before = load(path)
    fitted = SentenceWeights(coverage=0.75, local=0.5, kind=1.5, counted=0.0, rank=0.15, passage_coverage=0.1,
                             meaning=6.0)
    update(path, "sentence_weights", asdict(fitted))
    after = load(path)
    assert after.sentence_weights == fitted
    assert (after.version, after.thresholds, after.picking, after.retrieval) == \
        (before.version, before.thresholds, before.picking, before.retrieval)
    old, new = PACKAGED.read_text(encoding="utf-8").splitlines(), path.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert len(old) == len(new) and [b.split("#")[0].split() for _a, b in changed] == \
        [["coverage", "=", "0.75"], ["kind", "=", "1.5"], ["counted", "=", "0.0"], ["meaning", "=", "6.0"]]
    assert all(a[a.index("#"):] == b[b.index("#"):] for a, b in changed)   # comments kept, in their column


def test_the_writer_leaves_the_file_alone_when_the_values_are_bad(tmp_path):
    path = _copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    with pytest.raises(SettingsError, match="rank = -0.5: expected a number"):
        update(path, "sentence_weights", {"rank": -0.5})
    with pytest.raises(SettingsError, match=r"\[sentence_weights\] lacks speed"):
        update(path, "sentence_weights", {"speed": 1.0})
    assert path.read_text(encoding="utf-8") == text


def test_nothing_is_read_at_import():
    code = "import assistant.build, assistant.params as p; print(p._read.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
