"""Request models of the HTTP API: what /v1/* accept. Responses are in rag.interfaces.output.

Pydantic only: these translate between JSON and the domain objects in rag.types. Strings are
bounded and flags and numbers strictly typed (rag.interfaces.fields): `"stream": "yes"` and
`"k": true` are refused, not read as true and 1.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr

from rag.interfaces.fields import IsoDate, Question, Speaker, StatementId
from rag.types import Filters


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(_Strict):
    speaker: Speaker | None = Field(None, description="A name as you would write it: 'Ruto'.")
    since: IsoDate | None = Field(None, description="Earliest date, inclusive (YYYY-MM-DD).")
    until: IsoDate | None = Field(None, description="Latest date, inclusive (YYYY-MM-DD).")
    statement_ids: list[StatementId] | None = Field(None, max_length=1000)

    def to_domain(self) -> Filters:
        return Filters(
            speaker=self.speaker.strip() if self.speaker and self.speaker.strip() else None,
            since=self.since,
            until=self.until,
            statement_ids=tuple(self.statement_ids or ()),
        )


class QuestionIn(_Strict):
    question: Question = Field(
        ..., description="What you want to know.", examples=["What did Ruto say about Haiti?"]
    )
    k: StrictInt | None = Field(None, description="How many passages to retrieve.")
    filters: FiltersIn | None = None


class AskIn(QuestionIn):
    stream: StrictBool = Field(
        False,
        description="Send server-sent events: retrieval, delta..., answer (or error), done.",
    )


class StatementIn(BaseModel):
    """One statement. Fields beyond these, if scalar, are kept as metadata. Every field is
    checked as a file's record is (rag.ingest.records), and the text against
    RAG_MAX_STATEMENT_CHARS."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(..., min_length=1, max_length=512)
    text: str = Field(..., min_length=1)
    title: str | None = None
    speaker: str | None = None
    date: StrictStr | StrictInt | None = Field(
        None, description="ISO date (2023-10-03) or a year (2023)."
    )
    source_url: str | None = None


class StatementsIn(_Strict):
    statements: list[StatementIn] = Field(..., min_length=1, max_length=5000)
