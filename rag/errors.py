"""The whole exception tree. Every error says what happened and what to do.

    RagError
    ├── ConfigError          settings or prompt files are wrong; fix the configuration
    ├── InputError           the caller sent something unusable (HTTP 4xx, CLI exit 2)
    │   ├── IngestError      a statement file or record cannot be read
    │   ├── NotFoundError    no statement with that id
    │   └── TooLargeError    a body, upload or batch is over its limit (HTTP 413)
    ├── AccessError          the caller may not do this
    │   ├── UnauthenticatedError  no API key, or one that is not configured (HTTP 401)
    │   └── ForbiddenError   the key lacks the scope, or writes are disabled (HTTP 403)
    ├── RateLimitedError     too many requests from one key or address (HTTP 429)
    ├── StoreError           ChromaDB failed or is unreachable (HTTP 503)
    ├── EmbeddingError       the embedding model cannot be loaded or run (HTTP 503)
    └── LLMError             the OpenAI-compatible endpoint failed (HTTP 502 when
        │                    RAG_LLM_ON_FAILURE=error; by default the answer degrades)
        └── LLMUnavailableError  timed out, cut off, 429/5xx, or circuit breaker open:
                             worth retrying later (rag.answering.resilience)

Adapters wrap third-party exceptions (`raise StoreError(...) from exc`); the API
turns these into status codes in one handler, the CLI into exit codes in one place.
"""

from __future__ import annotations


class RagError(Exception):
    """Base of every error this package raises on purpose."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(RagError):
    pass


class InputError(RagError):
    def __init__(self, message: str, *, field: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field = field


class IngestError(InputError):
    pass


class NotFoundError(InputError):
    pass


class TooLargeError(InputError):
    pass


class AccessError(RagError):
    pass


class UnauthenticatedError(AccessError):
    pass


class ForbiddenError(AccessError):
    pass


class RateLimitedError(RagError):
    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class StoreError(RagError):
    pass


class EmbeddingError(RagError):
    pass


class LLMError(RagError):
    pass


class LLMUnavailableError(LLMError):
    """A failure that may pass (timeout, lost connection, 429, 5xx): counted by the circuit
    breaker, after the client's retries."""
