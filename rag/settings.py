"""One Settings object, read from `RAG_*` environment variables and an optional `.env`.

Built once by `load_settings()` and passed down; nothing reads the environment
anywhere else. The README's settings table mirrors the fields below.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from rag.errors import ConfigError
from rag.ingest.reading import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_STATEMENT_CHARS, ReadLimits
from rag.interfaces.access import ApiKey, parse_entry
from rag.prompts import PROMPTS_DIR


def _env(name: str, *standard: str) -> AliasChoices:
    """RAG_NAME, or the platform's standard unprefixed name (SLACK_BOT_TOKEN ...)."""
    return AliasChoices(f"RAG_{name.upper()}", *standard, name)


class ChannelDefaults(BaseModel):
    """Filters a team-chat channel applies to every question asked in it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speaker: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # Store
    data_dir: Path = Field(Path(".rag-data"), description="Where the embedded ChromaDB lives.")
    chroma_url: str | None = Field(
        None, description="A Chroma server (http://host:8000); when set, data_dir is not used."
    )
    collection_prefix: str = Field("statements", description="Prefix of the Chroma collections.")
    search_backend: Literal["memory", "chroma"] = Field(
        "memory",
        description="memory: every passage in this process (fast; one machine's memory); "
        "chroma: search in Chroma itself, nothing per passage kept here.",
    )
    sync_interval_seconds: float = Field(
        0.5,
        gt=0,
        le=60,
        description="How often a server reads the change log for what other processes wrote.",
    )
    write_lease_seconds: float = Field(
        60.0,
        ge=2,
        le=3600,
        description="A write commits within half of this or gives up; replicas read a write's "
        "statements again when it has passed without the write's end.",
    )

    # Embedding
    embedding_model: str | None = Field(
        None, description="A sentence-transformers model path; default: the bundled MiniLM."
    )
    embedding_batch_size: int = Field(64, ge=1, le=1024)
    torch_threads: int = Field(
        0, ge=0, description="Threads of the encoder (torch or OpenVINO); 0 lets it decide."
    )
    encoder: Literal["auto", "torch", "openvino-int8"] = Field(
        "auto",
        description="auto: the store's own encoder; torch for a new store. openvino-int8 "
        "(CPU; checked against fp32 first) is opt-in: the test splits are not compared "
        "with fp32 yet.",
    )
    embedding_device: Literal["auto", "cpu", "cuda"] = Field(
        "auto", description="auto: cuda when torch sees a CUDA device (torch encoder)."
    )
    embedding_precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto", description="auto: bf16 where the CPU has native bf16 (AVX512-BF16, AMX)."
    )
    query_cache_size: int = Field(
        1024, ge=0, description="Question vectors kept for questions asked again (0: none)."
    )

    # Chunking
    chunk_max_tokens: int = Field(180, ge=32, le=2000, description="Passage size, tiktoken.")
    chunk_overlap_tokens: int = Field(30, ge=0, le=500)
    ingest_group_passages: int = Field(
        512,
        ge=1,
        le=100_000,
        description="Passages embedded and written together (an interrupted ingest redoes one).",
    )

    # Retrieval and answering
    default_k: int = Field(6, ge=1, le=50)
    max_k: int = Field(50, ge=1, le=500)
    min_similarity: float = Field(
        0.2, ge=-1, le=1, description="Below this cosine similarity a passage is not relevant."
    )
    min_topic_coverage: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Decline when the passages found hold less of the topic's (idf) weight.",
    )
    answerer: Literal["auto", "extractive", "openai"] = "auto"
    hybrid: bool = Field(True, description="Fuse BM25 keyword search with dense search.")
    understand_questions: bool = Field(
        True,
        description="Read who and when from the question and rank what matches them higher.",
    )
    min_reading_confidence: float = Field(
        0.7,
        ge=0,
        le=1,
        description="How sure a reading of who speaks must be (share of the corpus's evidence) "
        "to be favoured in the ranking.",
    )

    # LLM (any OpenAI-compatible endpoint)
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("RAG_LLM_API_KEY", "OPENAI_API_KEY", "llm_api_key")
    )
    llm_timeout_seconds: float = Field(60.0, gt=0, description="Per request to the endpoint.")
    llm_max_attempts: int = Field(
        3,
        ge=1,
        le=20,
        description="Requests per LLM call at most: the openai client retries timeouts, "
        "408/409/429 and 5xx with its own backoff.",
    )
    llm_retry_budget_seconds: float = Field(
        30.0, gt=0, description="No attempt starts later than this after a call's first."
    )
    llm_breaker_failures: int = Field(
        5, ge=1, description="Failed LLM calls in a row that open the circuit breaker."
    )
    llm_breaker_cooldown_seconds: float = Field(
        30.0, ge=0, description="How long an open breaker keeps calls from the endpoint."
    )
    llm_on_failure: Literal["degrade", "error"] = Field(
        "degrade",
        description="When the LLM fails: answer extractively, marked degraded; or fail (502).",
    )
    llm_temperature: float = Field(0.0, ge=0, le=2)

    # Paths
    prompts_dir: Path = Field(
        PROMPTS_DIR, description="Prompt templates; default: those shipped in the package."
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "statements-rag", description="Tokenizer files live here."
    )

    # Server
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    upload_max_bytes: int = Field(
        50_000_000, ge=1, description="Largest upload on the ingest page (all files together)."
    )
    upload_max_files: int = Field(100, ge=1, le=10_000, description="Files per upload.")
    ingest_max_file_bytes: int = Field(
        DEFAULT_MAX_FILE_BYTES, ge=1, description="Largest file for `rag ingest`, decompressed."
    )
    max_statement_chars: int = Field(
        DEFAULT_MAX_STATEMENT_CHARS, ge=1, description="Longest statement text, in characters."
    )

    # Security and limits (README: "Security and limits")
    api_keys: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="API keys as name:scope:sha256hex, comma-separated; scope read or admin. "
        "`rag keys new` makes one.",
    )
    open_read: bool | None = Field(
        None,
        description="Reads without a key. Unset: open when bound to a loopback host, "
        "keys required otherwise. Never opens writes.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Origins allowed to call the API from a browser, comma-separated."
    )
    security_headers: bool = Field(True, description="nosniff, DENY framing, CSP, referrer.")
    content_security_policy: str = Field(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'",
        description="Sent on every response but /docs and /redoc.",
    )
    max_body_bytes: int = Field(
        5_000_000, ge=1, description="Largest request body (uploads: RAG_UPLOAD_MAX_BYTES)."
    )
    max_question_tokens: int = Field(256, ge=8, le=4096, description="Question length, tiktoken.")
    max_batch_statements: int = Field(
        100, ge=1, le=100_000, description="Statements per POST /v1/statements."
    )
    rate_limit_per_minute: int = Field(
        300, ge=0, description="Requests a minute per key (or address, open reads); 0: off."
    )
    rate_limit_burst: int | None = Field(
        None, ge=1, description="Requests at once before the limit applies; default: a minute's."
    )
    rate_limit_request_seconds: float = Field(
        1.0,
        ge=0,
        description="A request counts once per this many seconds it takes (0: once).",
    )
    auth_failures_per_minute: int = Field(
        10, ge=0, description="Wrong keys a minute per client address before a 429; 0: off."
    )
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Host names the server answers to, comma-separated ('*': any). Unset: "
        "the loopback names when bound to a loopback host, else any.",
    )
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        (),
        description="Addresses (or networks) of proxies whose X-Forwarded-For is believed.",
    )

    # Team chat: Slack and Discord (README: "Slack and Discord")
    slack_bot_token: SecretStr | None = Field(
        None, validation_alias=_env("slack_bot_token", "SLACK_BOT_TOKEN"), description="xoxb-..."
    )
    slack_app_token: SecretStr | None = Field(
        None,
        validation_alias=_env("slack_app_token", "SLACK_APP_TOKEN"),
        description="xapp-..., for Socket Mode (`rag slack`).",
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=_env("slack_signing_secret", "SLACK_SIGNING_SECRET"),
        description="When set, the app serves the Events API at /slack/events and /slack/commands.",
    )
    slack_command: str = Field(
        "/statements", pattern=r"^/[a-z0-9_-]{1,31}$", description="The slash command."
    )
    slack_api_url: str = Field(
        "https://slack.com/api/", description="Slack's Web API (GovSlack: slack-gov.com)."
    )
    discord_public_key: str | None = Field(
        None,
        validation_alias=_env("discord_public_key", "DISCORD_PUBLIC_KEY"),
        pattern=r"^[0-9a-fA-F]{64}$",
        description="When set, the app serves Discord interactions at /discord/interactions.",
    )
    discord_application_id: str | None = Field(
        None, validation_alias=_env("discord_application_id", "DISCORD_APPLICATION_ID")
    )
    discord_bot_token: SecretStr | None = Field(
        None, validation_alias=_env("discord_bot_token", "DISCORD_BOT_TOKEN")
    )
    discord_api_url: str = Field("https://discord.com/api/v10", description="Discord's HTTP API.")
    public_base_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="Where people reach the web page; chat answers link each quote there.",
    )
    channel_defaults: dict[str, ChannelDefaults] = Field(
        default_factory=dict,
        description='Per channel (id or name): {"kenya-desk": {"speaker": "Ruto", '
        '"since": "2023-01-01"}}.',
    )
    allowed_channels: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Channels (ids or names) the chat apps answer in; empty: all."
    )
    allowed_users: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Users (ids) the chat apps answer; empty: all."
    )
    chat_rate_limit_per_minute: int = Field(
        10, ge=0, description="Questions a minute per chat user; 0: off."
    )
    feedback_log: Path | None = Field(
        None, description="JSONL of 👍/👎 verdicts; default: feedback.jsonl in data_dir."
    )

    @field_validator(
        "chroma_url",
        "embedding_model",
        "llm_base_url",
        "llm_api_key",
        "open_read",
        "slack_bot_token",
        "slack_app_token",
        "slack_signing_secret",
        "discord_public_key",
        "discord_application_id",
        "discord_bot_token",
        "public_base_url",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """`RAG_LLM_BASE_URL=` (as compose files write it) means not configured."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "api_keys",
        "cors_origins",
        "allowed_hosts",
        "trusted_proxies",
        "allowed_channels",
        "allowed_users",
        mode="before",
    )
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """`a,b` or a JSON list or a list: environment variables hold the first."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return tuple(part.strip() for part in text.split(",") if part.strip())
        return value

    @field_validator("api_keys")
    @classmethod
    def _valid_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            try:
                parse_entry(entry)
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            if not _HOST_PATTERN.match(entry):
                raise ValueError(
                    f"{entry!r} is not a host name: write names such as statements.example.org, "
                    "*.example.org or 10.0.0.5 (no scheme, no port), or * for any"
                )
        return tuple(entry.lower().strip("[]").rstrip(".") for entry in value)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (10.0.0.5, 10.0.0.0/8)"
                ) from None
        return value

    @model_validator(mode="after")
    def _check(self) -> Settings:
        if self.default_k > self.max_k:
            raise ValueError("RAG_DEFAULT_K must not exceed RAG_MAX_K")
        if self.chunk_overlap_tokens >= self.chunk_max_tokens:
            raise ValueError("RAG_CHUNK_OVERLAP_TOKENS must be smaller than RAG_CHUNK_MAX_TOKENS")
        if self.answerer == "openai" and not (self.llm_base_url or self.llm_api_key):
            raise ValueError(
                "RAG_ANSWERER=openai needs RAG_LLM_BASE_URL or RAG_LLM_API_KEY (or OPENAI_API_KEY)"
            )
        return self

    @property
    def feedback_path(self) -> Path:
        return self.feedback_log or self.data_dir / "feedback.jsonl"

    @property
    def keys(self) -> tuple[ApiKey, ...]:
        return tuple(parse_entry(entry) for entry in self.api_keys)

    @property
    def reads_open(self) -> bool:
        """RAG_OPEN_READ when set; else open only on a loopback host (127.0.0.1, ::1, localhost)."""
        if self.open_read is not None:
            return self.open_read
        return is_loopback(self.host)

    @property
    def host_allow_list(self) -> tuple[str, ...] | None:
        """The host names requests may name in `Host`; None: any.

        RAG_ALLOWED_HOSTS when set ('*' turns the check off). Unset, a server bound to a
        loopback host answers only to loopback names: a web page cannot rebind its own name
        to 127.0.0.1 (DNS rebinding) and read what reads open on loopback let anyone read."""
        if self.allowed_hosts:
            return None if "*" in self.allowed_hosts else self.allowed_hosts
        return LOOPBACK_NAMES if is_loopback(self.host) else None

    @property
    def file_read_limits(self) -> ReadLimits:
        """What `rag ingest` may read: each file within RAG_INGEST_MAX_FILE_BYTES."""
        return ReadLimits(self.ingest_max_file_bytes, self.max_statement_chars)

    @property
    def upload_read_limits(self) -> ReadLimits:
        """What one upload may read: all its files within RAG_UPLOAD_MAX_BYTES, decompressed."""
        return ReadLimits(
            self.upload_max_bytes,
            self.max_statement_chars,
            bytes_setting="RAG_UPLOAD_MAX_BYTES",
            budget_covers="all the files of an upload together",
        )

    @property
    def resolved_answerer(self) -> Literal["extractive", "openai"]:
        """`auto` means openai when an endpoint or key is configured, else extractive."""
        if self.answerer != "auto":
            return self.answerer
        return "openai" if (self.llm_base_url or self.llm_api_key) else "extractive"


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
_HOST_PATTERN = re.compile(
    r"^(\*|(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?|\[?[0-9A-Fa-f:.]+\]?)$"
)


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_settings(**overrides: object) -> Settings:
    """Read settings; a bad value becomes a ConfigError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            (f"RAG_{'_'.join(str(p) for p in err['loc']).upper()}: " if err["loc"] else "")
            + err["msg"]
            for err in exc.errors()
        )
        raise ConfigError(
            f"invalid settings: {problems}", hint="fix the environment or .env"
        ) from exc
