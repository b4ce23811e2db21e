"""The OpenAI-compatible chat API over real HTTP, driven by the official `openai` client:
the app under uvicorn on the examples store (the seed statement, four White House
statements about Kenya and Haiti, two UN speeches by Ruto), the real model, real Chroma."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from rag.interfaces.api.app import create_app
from rag.service import Service
from tests.support.openai_server import OpenAIServer
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

HAITI = "What did Ruto say about Haiti?"
ANYONE_ON_HAITI = "What was said about Haiti?"
TIMINGS = ("seconds", "retrieval_seconds")
_MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def base(examples_service: Service) -> Iterator[str]:
    with running_app(create_app(examples_service)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{base}/v1", api_key="any-key", max_retries=0) as c:
        yield c


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def statements_of(completion: Any) -> dict[str, Any]:
    """The structured answer riding on a completion or chunk (an extra field)."""
    extra = completion.model_extra or {}
    assert "statements" in extra, "no `statements` field"
    found: dict[str, Any] = extra["statements"]
    return found


def without_timings(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in TIMINGS}


def assert_citations_hold(base: str, answer: dict[str, Any]) -> None:
    for c in answer["citations"]:
        statement = httpx.get(f"{base}/v1/statements/{c['statement_id']}", timeout=60)
        assert statement.status_code == 200, statement.text
        assert statement.json()["text"][c["start"] : c["end"]] == c["quote"]


def source_speakers(answer: dict[str, Any]) -> list[list[str]]:
    return [s["speakers"] for s in answer["sources"]]


def ask(client: openai.OpenAI, *messages: dict[str, str], **options: Any) -> Any:
    options.setdefault("model", "statements")
    return client.chat.completions.create(messages=list(messages), **options)


# ---- models ------------------------------------------------------------------------


def test_models_lists_statements_and_a_model_per_speaker(client: openai.OpenAI) -> None:
    ids = [m.id for m in client.models.list()]

    assert ids[0] == "statements"
    assert any(i.startswith("statements:speaker=") and "Ruto" in i for i in ids)
    assert client.models.retrieve("statements:speaker=Ruto").id == "statements:speaker=Ruto"


def test_an_unknown_model_is_not_found(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as raised:
        ask(client, user(HAITI), model="gpt-4o")
    assert raised.value.code == "not_found"
    assert raised.value.param == "model"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


# ---- answers -----------------------------------------------------------------------


def test_a_completion_has_markers_sources_and_the_verified_answer(
    client: openai.OpenAI, base: str
) -> None:
    completion = ask(client, user(HAITI))

    assert completion.object == "chat.completion"
    assert completion.model == "statements"
    [choice] = completion.choices
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    content = choice.message.content
    answer = statements_of(completion)
    assert answer["answerable"] is True
    assert answer["question"] == HAITI
    assert content.startswith(answer["answer"])
    markers = {int(m) for m in _MARKER.findall(content)}
    assert markers and markers == {c["marker"] for c in answer["citations"]}
    lines = [x for x in content.split("**Sources**", 1)[1].splitlines() if x.startswith("- ")]
    assert len(lines) == len(answer["sources"])
    for source, line in zip(answer["sources"], lines, strict=True):
        cited = [
            c["marker"] for c in answer["citations"] if c["statement_id"] == source["statement_id"]
        ]
        assert line.startswith("- " + "".join(f"[{m}]" for m in cited) + " ")
        assert (source["title"] or source["statement_id"]) in line
        assert source["speakers"][0] in line
        if source["date"]:
            assert source["date"] in line
        if source["source_url"]:
            assert source["source_url"] in line
    assert_citations_hold(base, answer)


def test_a_streamed_completion_matches_the_plain_one(client: openai.OpenAI) -> None:
    plain = ask(client, user(HAITI))
    chunks = list(ask(client, user(HAITI), stream=True))

    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert chunks[-1].choices[0].finish_reason == "stop"
    content = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert len(chunks) > 5, "the content came in one piece"
    assert content == plain.choices[0].message.content
    assert without_timings(statements_of(chunks[-1])) == without_timings(statements_of(plain))
    assert all("statements" not in (c.model_extra or {}) for c in chunks[:-1])


def test_the_stream_ends_with_done_on_the_wire(base: str) -> None:
    body = {"model": "statements", "messages": [user(HAITI)], "stream": True}
    with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, timeout=60) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        data = [line for line in r.iter_lines() if line.startswith("data: ")]

    assert data[-1] == "data: [DONE]"
    first = json.loads(data[0][len("data: ") :])
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert first["choices"][0]["finish_reason"] is None


def test_a_follow_up_is_asked_about_the_new_topic_with_the_same_speaker(
    client: openai.OpenAI, base: str
) -> None:
    first = ask(client, user(HAITI))
    completion = ask(
        client,
        {"role": "system", "content": "You answer from official statements."},
        user(HAITI),
        {"role": "assistant", "content": first.choices[0].message.content},
        user("and what about DRC?"),
    )

    answer = statements_of(completion)
    assert answer["question"] == "What did Ruto say about DRC?"
    assert answer["answerable"] is True
    assert answer["citations"]
    assert all("DRC" in c["quote"] or "Congo" in c["quote"] for c in answer["citations"])
    assert all(any("Ruto" in s for s in speakers) for speakers in source_speakers(answer))
    assert "Haiti" not in completion.choices[0].message.content
    assert_citations_hold(base, answer)


def test_metadata_filters_by_speaker(client: openai.OpenAI) -> None:
    unfiltered = statements_of(ask(client, user(ANYONE_ON_HAITI)))
    filtered = statements_of(ask(client, user(ANYONE_ON_HAITI), metadata={"speaker": "Sullivan"}))

    assert any(not any("Sullivan" in s for s in sp) for sp in source_speakers(unfiltered))
    assert filtered["answerable"] is True
    assert source_speakers(filtered)
    assert all(any("Sullivan" in s for s in sp) for sp in source_speakers(filtered))


def test_a_model_name_suffix_filters_by_speaker_and_date(client: openai.OpenAI) -> None:
    unfiltered = statements_of(ask(client, user(HAITI)))
    filtered = statements_of(
        ask(
            client,
            user("What was said about Haiti?"),
            model="statements:speaker=Ruto,since=2024-01-01",
        )
    )

    assert any(s["date"] and s["date"] < "2024" for s in unfiltered["sources"])
    assert filtered["answerable"] is True
    assert filtered["sources"]
    assert all(s["date"] and s["date"] >= "2024" for s in filtered["sources"])
    assert all(any("Ruto" in s for s in sp) for sp in source_speakers(filtered))


def test_metadata_overrides_the_model_name(client: openai.OpenAI) -> None:
    answer = statements_of(
        ask(
            client,
            user(ANYONE_ON_HAITI),
            model="statements:speaker=Ruto",
            metadata={"speaker": "Sullivan"},
        )
    )

    assert source_speakers(answer)
    assert all(any("Sullivan" in s for s in sp) for sp in source_speakers(answer))


# ---- errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"messages": [{"role": "system", "content": "Be brief."}]}, "messages"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "wizard", "content": HAITI}]}, "messages.0.role"),
        ({"messages": [user("   ")]}, "messages"),
        ({"messages": [user(HAITI)], "metadata": {"since": "last spring"}}, "metadata.since"),
        ({"messages": [user(HAITI)], "model": "statements:speaker=Ruto,mood=happy"}, "model"),
        ({"messages": [user(HAITI)], "model": "statements:until=2023-13-45"}, "model"),
        (
            {"messages": [user(HAITI)], "metadata": {"since": "2024-01-01", "until": "2023-01-01"}},
            "filters.since",
        ),
    ],
)
def test_bad_requests_raise_the_clients_bad_request_error(
    client: openai.OpenAI, options: dict[str, Any], param: str
) -> None:
    options.setdefault("model", "statements")
    with pytest.raises(openai.BadRequestError) as raised:
        client.chat.completions.create(**options)

    error = raised.value
    assert error.status_code == 400
    assert error.param == param
    assert error.type == "invalid_request_error"
    assert error.message


def test_errors_have_openai_shape_on_the_wire(base: str) -> None:
    response = httpx.post(
        f"{base}/v1/chat/completions", json={"model": "statements", "messages": []}, timeout=60
    )

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "type", "param", "code"}
    not_json = httpx.post(
        f"{base}/v1/chat/completions",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "invalid_json"
    # The rest of the API keeps its own error shape.
    ask_error = httpx.post(f"{base}/v1/ask", json={"question": " "}, timeout=60)
    assert ask_error.status_code == 422
    assert ask_error.json()["error"] == "invalid_input"


# ---- with an LLM endpoint that fails ------------------------------------------------


@pytest.fixture
def llm_service(
    make_service: Callable[..., Service], openai_server: OpenAIServer, examples_dir: Path
) -> Service:
    openai_server.script = lambda request: "not JSON, so the answer fails"
    return make_service(
        data_dir=examples_dir,
        answerer="openai",
        llm_base_url=openai_server.base_url,
        llm_api_key="test-key",
        llm_model="scripted-model",
        llm_on_failure="error",  # by default it degrades instead: tests/integration/test_llm_faults
    )


def test_an_llm_failure_is_a_server_error_plain_or_streamed_when_degrading_is_off(
    llm_service: Service,
) -> None:
    with (
        running_app(create_app(llm_service)) as url,
        openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0) as client,
    ):
        with pytest.raises(openai.InternalServerError) as raised:
            ask(client, user(HAITI))
        assert raised.value.status_code == 502
        assert raised.value.code == "llm_failed"

        stream = ask(client, user(HAITI), stream=True)
        first = next(iter(stream))
        assert first.choices[0].delta.role == "assistant"
        with pytest.raises(openai.APIError) as streamed:
            list(stream)
        assert streamed.value.code == "llm_failed"
