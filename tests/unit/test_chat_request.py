"""rag/interfaces/api/openai_schemas.py: what a chat request asks (questions, filters from the model
name and metadata) and rag/interfaces/chat_reply.py: the message a chat shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from rag.errors import InputError, NotFoundError
from rag.interfaces.api.openai_schemas import ChatRequestIn
from rag.interfaces.chat_reply import SOURCES_HEADING, chat_reply
from rag.types import Answer, Citation, Filters, Source


def request(model: str = "statements", **fields: Any) -> ChatRequestIn:
    messages = fields.pop("messages", [{"role": "user", "content": "Haiti?"}])
    return ChatRequestIn.model_validate({"model": model, "messages": messages, **fields})


@pytest.mark.parametrize(
    ("model", "filters"),
    [
        ("statements", Filters()),
        ("statements:speaker=Ruto", Filters(speaker="Ruto")),
        (
            "statements:speaker=William Ruto, since=2023-01-01;until=2024-12-31",
            Filters("William Ruto", dt.date(2023, 1, 1), dt.date(2024, 12, 31)),
        ),
        ("statements:SINCE=2024-05-01", Filters(since=dt.date(2024, 5, 1))),
    ],
)
def test_the_model_name_carries_filters(model: str, filters: Filters) -> None:
    assert request(model).filters() == filters


def test_metadata_overrides_the_model_name_key_by_key() -> None:
    asked = request("statements:speaker=Ruto,since=2023-01-01", metadata={"speaker": "Biden"})

    assert asked.filters() == Filters(speaker="Biden", since=dt.date(2023, 1, 1))


@pytest.mark.parametrize(
    ("model", "metadata", "error", "field"),
    [
        ("gpt-4o", None, NotFoundError, "model"),
        ("statements:mood=happy", None, InputError, "model"),
        ("statements:speaker", None, InputError, "model"),
        ("statements:since=yesterday", None, InputError, "model"),
        ("statements", {"until": "2024-02-30"}, InputError, "metadata.until"),
        ("statements", {"speaker": "R" * 201}, InputError, "metadata.speaker"),
    ],
)
def test_bad_filters_name_the_field(
    model: str, metadata: dict[str, Any] | None, error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as raised:
        request(model, metadata=metadata).filters()
    assert getattr(raised.value, "field", None) == field


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"metadata": {"speaker": ["Ruto"]}}, ("metadata", "speaker")),
        ({"metadata": {"speaker": "R" * 513}}, ("metadata", "speaker")),
        ({"metadata": {f"k{i}": "v" for i in range(17)}}, ("metadata",)),
        ({"model": "statements:speaker=" + "R" * 300}, ("model",)),
        ({"stream": "yes"}, ("stream",)),
        ({"messages": [{"role": "user", "content": "Haiti?"}] * 257}, ("messages",)),
        ({"messages": [{"role": "user", "content": "x" * 32_001}]}, ("messages", 0, "content")),
        ({"messages": [{"role": "user", "content": "Haiti \ud800?"}]}, ("messages", 0, "content")),
    ],
    ids=[
        "list-value",
        "long-value",
        "17-keys",
        "long-model",
        "stream-yes",
        "257-messages",
        "long-message",
        "surrogate",
    ],
)
def test_what_is_unbounded_or_loosely_typed_is_refused_naming_it(
    fields: dict[str, Any], where: tuple[Any, ...]
) -> None:
    model = fields.pop("model", "statements")
    with pytest.raises(ValidationError) as raised:
        request(model, **fields)
    assert raised.value.errors()[0]["loc"][: len(where)] == where


def test_the_questions_are_the_user_messages_text_in_order() -> None:
    asked = request(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What did Ruto say about Haiti?"},
            {"role": "assistant", "content": "He said ..."},
            {"role": "user", "content": [{"type": "text", "text": "and DRC?"}]},
        ]
    )

    assert asked.questions() == ["What did Ruto say about Haiti?", "and DRC?"]


def citation(marker: int, statement_id: str) -> Citation:
    return Citation(marker, statement_id, f"{statement_id}#p", 0, 5, "quote", *(None,) * 4)


def test_a_reply_lists_each_cited_statement_with_its_markers() -> None:
    sources = (  # in order of first citation, as rag.answering.asking lists them
        Source("b", None, ("William Ruto",), None, None),
        Source("a", "Readout", ("Joe Biden", "William Ruto"), "2023-10-03", "https://x/a"),
    )
    answer = Answer(
        "q", "Ruto spoke [1]. Biden too [2]. Again [3].", True,
        (citation(1, "b"), citation(2, "a"), citation(3, "b")), (), "extractive", None, (),
        0.0, 0.0, sources=sources,
    )  # fmt: skip

    assert chat_reply(answer).split("\n") == [
        "Ruto spoke [1]. Biden too [2]. Again [3].",
        "",
        SOURCES_HEADING,
        "",
        "- [1][3] b — William Ruto",
        "- [2] *Readout* — Joe Biden, William Ruto — 2023-10-03 — https://x/a",
    ]


def test_a_decline_is_only_its_text() -> None:
    answer = Answer("q", "The statements don't say.", False, (), (), "extractive", None, (), 0, 0)

    assert chat_reply(answer) == "The statements don't say."
