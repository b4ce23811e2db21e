"""One OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp server): the only
code that sends it requests.

`complete` asks for a whole reply; `stream` asks for it as server-sent chunks and hands each
piece of text on as it arrives. Both run under `Resilient` (rag.answering.resilience): the
client's retries within a time budget, under one circuit breaker for everything that asks
this endpoint (the answerer and the follow-up rewriter). Failures that may pass (timeouts,
lost connections, 408/409/429, 5xx) are `LLMUnavailableError`; anything else the endpoint
does wrong is an `LLMError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx2

from rag.answering.resilience import GAVE_UP, CircuitBreaker, Resilient, RetryBudget
from rag.errors import LLMError, LLMUnavailableError

Messages = list[dict[str, str]]
_TRANSIENT_STATUS = frozenset({408, 409, 429})
_REFUSED_STATUS = frozenset({400, 422})
"""Statuses with which an endpoint turns down a request it cannot serve as asked."""
_SCHEMA_WORDS = re.compile(r"response_format|json_schema|schema|structured", re.IGNORECASE)
"""What an endpoint's message names when it is `response_format` it turns down."""
_TIMED_OUT = "the LLM endpoint did not answer in time"
_TIMED_OUT_HINT = "RAG_LLM_TIMEOUT_SECONDS sets how long to wait"
_LOST = "cannot reach the LLM endpoint, or it broke off its reply"
_LOST_HINT = "check RAG_LLM_BASE_URL"


class SchemaRefused(LLMError):
    """The endpoint turned down the `response_format` it was asked for: ask again without."""


def http_client() -> Any:
    """The HTTP client to give `openai.OpenAI`: the SDK's defaults, over a `RetryBudget`."""
    from openai import DefaultHttpxClient

    return DefaultHttpxClient(transport=RetryBudget())


class ChatEndpoint:
    def __init__(
        self,
        client: Any,
        model: str,
        temperature: float = 0.0,
        resilient: Resilient | None = None,
    ) -> None:
        self._client = client
        self._model = model
        self._temperature = temperature
        self._resilient = resilient or Resilient(CircuitBreaker(5, 30.0))

    @property
    def breaker(self) -> CircuitBreaker:
        return self._resilient.breaker

    def complete(self, messages: Messages, response_format: dict[str, Any] | None = None) -> str:
        """The reply to `messages`, whole; `response_format` asks for a JSON schema (an
        endpoint that turns it down raises `SchemaRefused`)."""
        return self._resilient.call(lambda: self._complete(messages, response_format))

    def stream(
        self,
        messages: Messages,
        on_text: Callable[[str], None],
        response_format: dict[str, Any] | None = None,
    ) -> str:
        """The reply to `messages`, streamed: each piece of its text goes to `on_text` as it
        arrives, and the whole is returned. A stream that breaks off is `LLMUnavailableError`
        (not retried: its start has been passed on)."""
        return self._resilient.call(lambda: self._stream(messages, on_text, response_format))

    def _complete(self, messages: Messages, response_format: dict[str, Any] | None) -> str:
        extra = {"response_format": response_format} if response_format else {}
        with endpoint_errors(schema=response_format is not None):
            response = self._client.chat.completions.create(
                model=self._model, messages=messages, temperature=self._temperature, **extra
            )
        if not response.choices or response.choices[0].message.content is None:
            raise LLMError("the LLM endpoint returned no message")
        return str(response.choices[0].message.content)

    def _stream(
        self,
        messages: Messages,
        on_text: Callable[[str], None],
        response_format: dict[str, Any] | None,
    ) -> str:
        pieces: list[str] = []
        finished = False
        extra = {"response_format": response_format} if response_format else {}
        with endpoint_errors(schema=response_format is not None):
            stream = self._client.chat.completions.create(
                model=self._model,
                messages=messages,
                temperature=self._temperature,
                stream=True,
                **extra,
            )
            with stream:
                for chunk in stream:
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    if choice.delta is not None and choice.delta.content:
                        pieces.append(choice.delta.content)
                        on_text(choice.delta.content)
                    finished = finished or choice.finish_reason is not None
        if not finished:
            raise LLMUnavailableError(_LOST + " (the stream ended before the reply did)")
        return "".join(pieces)


@contextmanager
def endpoint_errors(schema: bool = False) -> Iterator[None]:
    """The `openai` client's and the HTTP layer's exceptions as LLMError or, for failures
    that may pass, LLMUnavailableError; with `schema` (a `response_format` was sent), a 400 or
    422 that names it is `SchemaRefused`."""
    import openai

    try:
        yield
    except (openai.APITimeoutError, httpx2.TimeoutException) as exc:
        raise LLMUnavailableError(_TIMED_OUT, hint=_TIMED_OUT_HINT) from exc
    except (openai.APIConnectionError, httpx2.TransportError) as exc:
        raise LLMUnavailableError(f"{_LOST}: {exc}", hint=_LOST_HINT) from exc
    except openai.APIStatusError as exc:
        gave_up = exc.response.headers.get(GAVE_UP)
        if gave_up is not None:  # the retry budget was spent (rag.answering.resilience)
            raise LLMUnavailableError(
                f"{_TIMED_OUT if gave_up == 'timeout' else _LOST}, and no time was left to try "
                "again",
                hint="RAG_LLM_RETRY_BUDGET_SECONDS bounds the time spent on one call, "
                "RAG_LLM_TIMEOUT_SECONDS each attempt",
            ) from exc
        message = f"the LLM endpoint answered {exc.status_code}: {exc.message}"
        if schema and exc.status_code in _REFUSED_STATUS and _SCHEMA_WORDS.search(str(exc)):
            raise SchemaRefused(message) from exc
        hint = "check RAG_LLM_BASE_URL, RAG_LLM_MODEL and RAG_LLM_API_KEY"
        if exc.status_code in _TRANSIENT_STATUS or exc.status_code >= 500:
            raise LLMUnavailableError(message, hint=hint) from exc
        raise LLMError(message, hint=hint) from exc
    except openai.OpenAIError as exc:
        raise LLMError(f"the LLM endpoint's reply cannot be read: {exc}") from exc
    except ValueError as exc:  # a body that is not JSON at all
        raise LLMError(f"the LLM endpoint's reply is not JSON: {exc}") from exc
