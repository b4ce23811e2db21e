"""rag/settings.py: one Settings from RAG_* variables, with errors naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.ingest.chunking import ChunkConfig
from rag.prompts import PROMPTS_DIR
from rag.settings import load_settings


def test_defaults() -> None:
    settings = load_settings(_env_file=None)

    assert settings.data_dir == Path(".rag-data")
    assert settings.chroma_url is None
    assert settings.collection_prefix == "statements"
    assert settings.embedding_model is None
    # The same passage size as the chunker's own default.
    assert (settings.chunk_max_tokens, settings.chunk_overlap_tokens) == (
        ChunkConfig().max_tokens,
        ChunkConfig().overlap_tokens,
    )
    assert (settings.default_k, settings.max_k, settings.min_similarity) == (6, 50, 0.2)
    assert settings.answerer == "auto"
    assert settings.llm_base_url is None and settings.llm_api_key is None
    assert settings.llm_model == "gpt-4o-mini"
    assert settings.prompts_dir == PROMPTS_DIR
    assert (settings.prompts_dir / "answer_user.md").is_file()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_rag_variables_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("RAG_CHROMA_URL", "http://127.0.0.1:8001")
    monkeypatch.setenv("RAG_DEFAULT_K", "3")
    monkeypatch.setenv("RAG_MIN_SIMILARITY", "0.35")
    monkeypatch.setenv("RAG_CHUNK_MAX_TOKENS", "120")
    monkeypatch.setenv("RAG_ANSWERER", "extractive")
    monkeypatch.setenv("RAG_PORT", "9000")

    settings = load_settings(_env_file=None)

    assert settings.data_dir == tmp_path / "data"
    assert settings.chroma_url == "http://127.0.0.1:8001"
    assert (settings.default_k, settings.min_similarity) == (3, 0.35)
    assert settings.chunk_max_tokens == 120
    assert settings.answerer == "extractive"
    assert settings.port == 9000


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_DEFAULT_K", "3")
    assert load_settings(_env_file=None, default_k=9).default_k == 9


def test_a_dotenv_file_is_read_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("RAG_DEFAULT_K=4\nRAG_LLM_MODEL=local-model\n", encoding="utf-8")
    monkeypatch.setenv("RAG_LLM_MODEL", "from-environment")

    settings = load_settings(_env_file=env_file)

    assert settings.default_k == 4
    assert settings.llm_model == "from-environment"


def test_openai_api_key_is_the_fallback_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")

    settings = load_settings(_env_file=None)

    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-openai"
    assert "sk-openai" not in repr(settings)


def test_rag_llm_api_key_wins_over_openai_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    monkeypatch.setenv("RAG_LLM_API_KEY", "sk-rag")

    settings = load_settings(_env_file=None)

    assert settings.llm_api_key is not None
    assert settings.llm_api_key.get_secret_value() == "sk-rag"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "extractive"),
        ({"RAG_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "openai"),
        ({"RAG_LLM_API_KEY": "sk-rag"}, "openai"),
        ({"OPENAI_API_KEY": "sk-openai"}, "openai"),
        ({"RAG_ANSWERER": "extractive", "RAG_LLM_BASE_URL": "http://127.0.0.1:1/v1"}, "extractive"),
        ({"RAG_ANSWERER": "openai", "RAG_LLM_BASE_URL": "http://127.0.0.1:1/v1"}, "openai"),
    ],
)
def test_resolved_answerer(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert load_settings(_env_file=None).resolved_answerer == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RAG_DEFAULT_K", "six"),
        ("RAG_DEFAULT_K", "0"),
        ("RAG_MAX_K", "501"),
        ("RAG_ANSWERER", "gpt"),
        ("RAG_PORT", "70000"),
        ("RAG_MIN_SIMILARITY", "1.5"),
        ("RAG_CHUNK_MAX_TOKENS", "10"),
        ("RAG_CHUNK_OVERLAP_TOKENS", "-1"),
        ("RAG_LLM_TEMPERATURE", "hot"),
        ("RAG_LLM_TIMEOUT_SECONDS", "0"),
        ("RAG_EMBEDDING_BATCH_SIZE", "0"),
        ("RAG_ALLOWED_HOSTS", "https://statements.example.org"),
        ("RAG_ALLOWED_HOSTS", "statements.example.org:8000"),
        ("RAG_TRUSTED_PROXIES", "proxy.internal"),
        ("RAG_MAX_STATEMENT_CHARS", "0"),
    ],
)
def test_an_invalid_value_is_a_config_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None)

    assert f"{name}: " in error.value.message
    assert error.value.hint is not None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_DEFAULT_K": "40", "RAG_MAX_K": "10"}, "RAG_DEFAULT_K must not exceed RAG_MAX_K"),
        (
            {"RAG_CHUNK_MAX_TOKENS": "64", "RAG_CHUNK_OVERLAP_TOKENS": "64"},
            "RAG_CHUNK_OVERLAP_TOKENS must be smaller than RAG_CHUNK_MAX_TOKENS",
        ),
        ({"RAG_ANSWERER": "openai"}, "RAG_ANSWERER=openai needs RAG_LLM_BASE_URL"),
    ],
)
def test_inconsistent_values_are_rejected(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    with pytest.raises(ConfigError, match=message):
        load_settings(_env_file=None)


@pytest.mark.parametrize(
    "name", ["RAG_LLM_BASE_URL", "RAG_LLM_API_KEY", "RAG_CHROMA_URL", "RAG_EMBEDDING_MODEL"]
)
def test_a_blank_variable_means_unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Compose files write `RAG_LLM_BASE_URL=` for "not configured"."""
    monkeypatch.setenv(name, " ")

    settings = load_settings(_env_file=None)

    assert getattr(settings, name.removeprefix("RAG_").lower()) is None
    assert settings.resolved_answerer == "extractive"


def test_default_k_may_equal_max_k() -> None:
    settings = load_settings(_env_file=None, default_k=10, max_k=10)
    assert (settings.default_k, settings.max_k) == (10, 10)


def test_the_host_allow_list_defaults_to_loopback_names_on_a_loopback_bind() -> None:
    assert load_settings(_env_file=None).host_allow_list == ("127.0.0.1", "localhost", "::1")
    assert load_settings(_env_file=None, host="::1").host_allow_list is not None
    assert load_settings(_env_file=None, open_read=False).host_allow_list is not None
    assert load_settings(_env_file=None, host="0.0.0.0").host_allow_list is None


def test_allowed_hosts_are_configured_for_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_ALLOWED_HOSTS", "Statements.Example.org., *.corp.example, [::1]")
    settings = load_settings(_env_file=None, host="0.0.0.0")
    assert settings.host_allow_list == ("statements.example.org", "*.corp.example", "::1")
    monkeypatch.setenv("RAG_ALLOWED_HOSTS", "*")
    assert load_settings(_env_file=None).host_allow_list is None


def test_forwarded_headers_are_believed_only_from_configured_proxies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rag.interfaces.api.app import uvicorn_options

    default = uvicorn_options(load_settings(_env_file=None))
    assert default["proxy_headers"] is False
    monkeypatch.setenv("RAG_TRUSTED_PROXIES", "10.0.0.5, 172.16.0.0/12")
    proxied = uvicorn_options(load_settings(_env_file=None))
    assert proxied["proxy_headers"] is True
    assert proxied["forwarded_allow_ips"] == ["10.0.0.5", "172.16.0.0/12"]


def test_read_limits_come_from_the_settings() -> None:
    settings = load_settings(
        _env_file=None, upload_max_bytes=10, ingest_max_file_bytes=20, max_statement_chars=30
    )
    assert (settings.file_read_limits.max_bytes, settings.upload_read_limits.max_bytes) == (20, 10)
    assert settings.upload_read_limits.bytes_setting == "RAG_UPLOAD_MAX_BYTES"
    assert settings.file_read_limits.max_statement_chars == 30
