"""Request models of the HTTP API: what /v1/* accept. Responses are in rag.interfaces.output.

Pydantic only: these translate between JSON and the domain objects in rag.types.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from rag.types import Filters


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(_Strict):
    speaker: str | None = Field(None, description="A name as you would write it: 'Ruto'.")
    since: dt.date | None = Field(None, description="Earliest date, inclusive (YYYY-MM-DD).")
    until: dt.date | None = Field(None, description="Latest date, inclusive (YYYY-MM-DD).")
    statement_ids: list[str] | None = Field(None, max_length=1000)

    def to_domain(self) -> Filters:
        return Filters(
            speaker=self.speaker.strip() if self.speaker and self.speaker.strip() else None,
            since=self.since,
            until=self.until,
            statement_ids=tuple(self.statement_ids or ()),
        )


class QuestionIn(_Strict):
    question: str = Field(
        ..., description="What you want to know.", examples=["What did Ruto say about Haiti?"]
    )
    k: int | None = Field(None, description="How many passages to retrieve.")
    filters: FiltersIn | None = None


class AskIn(QuestionIn):
    stream: bool = Field(
        False,
        description="Send server-sent events: retrieval, delta..., answer (or error), done.",
    )


class StatementIn(BaseModel):
    """One statement. Fields beyond these, if scalar, are kept as metadata."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(..., min_length=1, max_length=512)
    text: str = Field(..., min_length=1)
    title: str | None = None
    speaker: str | None = None
    date: str | int | None = Field(None, description="ISO date (2023-10-03) or a year (2023).")
    source_url: str | None = None


class StatementsIn(_Strict):
    statements: list[StatementIn] = Field(..., min_length=1, max_length=5000)
