"""The strings and scalars requests carry, as the HTTP API, the OpenAI-compatible routes and
the MCP tools accept them: every string bounded and free of lone UTF-16 surrogates, numbers
and flags strictly typed.

A value over its limit is refused (HTTP 422, naming the field and the limit) before any work
is done on it, and never repeated back: a 4 MB speaker cost seconds of matching and came
back in the response. A lone surrogate (`"\\ud800"`, valid JSON) cannot be tokenized,
hashed or sent back as UTF-8, so it is refused here too, naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from rag.ingest.records import MAX_ID_LENGTH
from rag.service import MAX_QUESTION_CHARS
from rag.text.encoding import SURROGATE_HINT, surrogate_problem

MAX_SPEAKER_CHARS = 200
MAX_TOPIC_CHARS = 500
MAX_MODEL_CHARS = 256
MAX_MESSAGES = 256
MAX_MESSAGE_CHARS = 32_000
MAX_CONTENT_PARTS = 64
MAX_PART_TYPE_CHARS = 64
MAX_METADATA_KEYS = 16
MAX_METADATA_KEY_CHARS = 64
MAX_METADATA_VALUE_CHARS = 512
"""OpenAI's own limits on a request's metadata: 16 pairs, keys of 64, values of 512."""
MAX_JOB_ID_CHARS = 64


def encodable(value: str) -> str:
    """`value`, if UTF-8 can hold it; else a ValueError (a 422 naming the field)."""
    problem = surrogate_problem(value)
    if problem:
        raise ValueError(f"{problem}; {SURROGATE_HINT}")
    return value


def _iso_text(value: Any) -> Any:
    """Dates come as `YYYY-MM-DD` text: not numbers read as Unix times, not `true`."""
    if isinstance(value, dt.date | str):
        return value
    raise ValueError("write dates as YYYY-MM-DD text")


Question = Annotated[
    str, StringConstraints(max_length=MAX_QUESTION_CHARS), AfterValidator(encodable)
]
Speaker = Annotated[str, StringConstraints(max_length=MAX_SPEAKER_CHARS), AfterValidator(encodable)]
Topic = Annotated[str, StringConstraints(max_length=MAX_TOPIC_CHARS), AfterValidator(encodable)]
StatementId = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH), AfterValidator(encodable)
]
ModelName = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_MODEL_CHARS), AfterValidator(encodable)
]
MessageText = Annotated[
    str, StringConstraints(max_length=MAX_MESSAGE_CHARS), AfterValidator(encodable)
]
PartType = Annotated[
    str, StringConstraints(max_length=MAX_PART_TYPE_CHARS), AfterValidator(encodable)
]
MetadataKey = Annotated[
    str, StringConstraints(max_length=MAX_METADATA_KEY_CHARS), AfterValidator(encodable)
]


def _metadata_value(value: str | int | float | bool | None) -> str | int | float | bool | None:
    if isinstance(value, str):
        if len(value) > MAX_METADATA_VALUE_CHARS:
            raise ValueError(
                f"a metadata value has at most {MAX_METADATA_VALUE_CHARS} characters, "
                f"not {len(value):,}"
            )
        encodable(value)
    return value


MetadataValue = Annotated[str | int | float | bool | None, AfterValidator(_metadata_value)]
"""A value in a chat request's metadata: checked after the union is decided, so an error
names the key, not a member of the union."""
IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]
