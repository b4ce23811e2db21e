"""The OpenAI chat-completions wire format, as far as this service speaks it.

Requests are read leniently (clients send temperature, max_tokens, tools... which are
ignored) but what is used is checked: roles, message text, the model name and filters.

Model names: `statements`, optionally followed by filters,

    statements[:key=value[,key=value]...]      keys: speaker, since, until (YYYY-MM-DD)

e.g. `statements:speaker=Ruto,since=2023-01-01`. The same keys in the request's `metadata`
override those of the model name.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from rag.errors import InputError, NotFoundError
from rag.interfaces.fields import (
    MAX_CONTENT_PARTS,
    MAX_MESSAGES,
    MAX_METADATA_KEYS,
    MAX_SPEAKER_CHARS,
    MessageText,
    MetadataKey,
    MetadataValue,
    ModelName,
    PartType,
)
from rag.interfaces.output import AnswerOut
from rag.types import Filters

MODEL = "statements"
FILTER_KEYS = ("speaker", "since", "until")
_SEPARATORS = (",", ";")

Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ContentPartIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: PartType
    text: MessageText | None = None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Role
    content: (
        MessageText | Annotated[list[ContentPartIn], Field(max_length=MAX_CONTENT_PARTS)] | None
    ) = None

    @property
    def text(self) -> str:
        """The message's text; of a list of parts, the text parts joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if p.type == "text" and p.text)


class ChatRequestIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: ModelName = Field(..., examples=[MODEL, f"{MODEL}:speaker=Ruto"])
    messages: list[MessageIn] = Field(..., min_length=1, max_length=MAX_MESSAGES)
    stream: StrictBool = False
    metadata: dict[MetadataKey, MetadataValue] | None = Field(
        None,
        max_length=MAX_METADATA_KEYS,
        description="Filters: speaker, since, until (YYYY-MM-DD); other keys are ignored.",
    )

    def questions(self) -> list[str]:
        """What the user asked, in order; the last is the question to answer."""
        return [m.text for m in self.messages if m.role == "user"]

    def filters(self) -> Filters:
        """The model name's filters, overridden key by key by those in `metadata`."""
        values = model_filters(self.model)
        for key in FILTER_KEYS:
            value = (self.metadata or {}).get(key)
            if value is not None:
                values[key] = (_text(value, f"metadata.{key}"), f"metadata.{key}")
        return _filters(values)


def model_filters(model: str) -> dict[str, tuple[str, str]]:
    """Filter values of a model name, each with where it came from (for errors)."""
    base, _, suffix = model.partition(":")
    if base.strip() != MODEL:
        raise NotFoundError(
            f"no model named {model!r}",
            field="model",
            hint=f"use {MODEL!r} or {MODEL}:speaker=NAME,since=YYYY-MM-DD (GET /v1/models)",
        )
    values: dict[str, tuple[str, str]] = {}
    for part in _split(suffix):
        key, equals, value = part.partition("=")
        key = key.strip().lower()
        if not equals or key not in FILTER_KEYS or not value.strip():
            raise InputError(
                f"{part!r} in the model name is not a filter",
                field="model",
                hint=f"write {MODEL}:key=value,... with keys {', '.join(FILTER_KEYS)}",
            )
        values[key] = (value.strip(), "model")
    return values


def _split(suffix: str) -> list[str]:
    for separator in _SEPARATORS[1:]:
        suffix = suffix.replace(separator, _SEPARATORS[0])
    return [p.strip() for p in suffix.split(_SEPARATORS[0]) if p.strip()]


def _text(value: MetadataValue, field: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InputError(f"{field} must be a string", field=field)
    text = str(value).strip()
    if field.endswith("speaker") and len(text) > MAX_SPEAKER_CHARS:
        raise InputError(
            f"{field} is {len(text):,} characters; the limit is {MAX_SPEAKER_CHARS}", field=field
        )
    return text


def _filters(values: dict[str, tuple[str, str]]) -> Filters:
    def day(key: str) -> dt.date | None:
        if key not in values:
            return None
        text, field = values[key]
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"{key}={text!r} is not a date", field=field, hint="write dates as YYYY-MM-DD"
            ) from None

    speaker = values["speaker"][0] if "speaker" in values else None
    return Filters(speaker=speaker or None, since=day("since"), until=day("until"))


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "statements-rag"


class ModelListOut(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


class MessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChoiceOut(BaseModel):
    index: int = 0
    message: MessageOut
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletionOut(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChoiceOut]
    statements: AnswerOut = Field(
        description="The answer in full: verified citations, checks, sources (as /v1/ask)."
    )


class DeltaOut(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None
    reasoning_content: str | None = None
    """The LLM's unchecked draft as it is written: chat UIs show this field apart from the
    answer (as a model's "thinking"); the checked answer follows as `content`."""


class ChunkChoiceOut(BaseModel):
    index: int = 0
    delta: DeltaOut
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChunkOut(BaseModel):
    """One `data:` of a streamed completion; the last carries `statements`."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoiceOut]
    statements: AnswerOut | None = None


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str = Field(description="'invalid_request_error' or 'server_error'.")
    param: str | None
    code: str | None = Field(description="This service's error kind, such as 'invalid_input'.")


class OpenAIErrorOut(BaseModel):
    error: OpenAIErrorDetail
