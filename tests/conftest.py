"""Shared fixtures: the real bundled embedder, real hazm, a real Chroma under tmp paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.build import Assistant, build_assistant
from assistant.settings import SAMPLE_ARTICLES, Settings

REPO = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items):
    """Marks that follow from a test's fixtures: a browser page is ``browser``; a fresh corpus to ingest
    (``corpus``) is ``ingest`` (the embedder runs in the test: seconds, not milliseconds)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"page", "browser"}:
            item.add_marker(pytest.mark.browser)
        if "corpus" in names:
            item.add_marker(pytest.mark.ingest)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """No test reads the developer's settings or writes the repo's data directory."""
    import os

    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # nothing may reach for a model hub
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE_ARTICLES


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, sample_dir) -> Path:
    """A data directory holding the sample articles, ingested once per test session (read-only use)."""
    data_dir = tmp_path_factory.mktemp("sample-index")
    assistant = build_assistant(Settings(data_dir=data_dir))
    report = assistant.ingest([sample_dir])
    assert report.documents_total == 5
    assistant.close()
    return data_dir


@pytest.fixture(scope="session")
def sample_assistant(sample_index) -> Assistant:
    assistant = build_assistant(Settings(data_dir=sample_index))
    yield assistant
    assistant.close()


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A small writable copy of two sample articles."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in sorted(p.name for p in SAMPLE_ARTICLES.glob("*.txt"))[:2]:
        shutil.copy(SAMPLE_ARTICLES / name, folder / name)
    return folder
