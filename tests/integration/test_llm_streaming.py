"""Streaming an LLM's answer over real HTTP: the model's draft reaches the client as the model
writes it (`delta` events marked draft; `reasoning_content` in the chat stream), and the
checked answer replaces it. The scripted endpoint streams slowly (a pause between chunks), so
a draft held back until the reply was complete would arrive seconds late."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from rag.answering.asking import DEGRADED_NOTE
from rag.interfaces.api.app import create_app
from rag.interfaces.api.chat import DRAFT_AGAIN
from rag.service import Service
from tests.support.openai_server import Fault, OpenAIServer, is_retry, label_of, reply
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

HAITI = "What did Ruto say about Haiti?"
SUPPORT_OFFICE = (
    "establishes a UN support office for the Multinational Security Support (MSS) mission in Haiti"
)
GOOD = "Ruto backed a UN support office for the MSS mission in Haiti [1]."
PAUSE = 1.0
"""Seconds the scripted model takes between chunks."""
FIRST_DELTA_WITHIN = 0.3
"""The issue's bound from the endpoint's first token to the client's first delta."""


def in_four(content: str) -> list[str]:
    """The reply in four chunks; the first already holds the answer's first words."""
    start = content.index('"answer": "') + len('"answer": "Ruto backed')
    rest = content[start:]
    third = len(rest) // 3
    return [content[:start], rest[:third], rest[third : 2 * third], rest[2 * third :]]


def good_reply(request: dict[str, Any]) -> str:
    return reply(GOOD, (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE))


@pytest.fixture
def slow_llm(openai_server: OpenAIServer) -> OpenAIServer:
    openai_server.script = good_reply
    openai_server.chunking = in_four
    openai_server.chunk_pause = PAUSE
    return openai_server


@pytest.fixture
def base(
    make_service: Callable[..., Service], slow_llm: OpenAIServer, examples_dir: Path
) -> Iterator[str]:
    service = make_service(
        data_dir=examples_dir,
        answerer="openai",
        llm_base_url=slow_llm.base_url,
        llm_api_key="test-key",
        llm_model="scripted-model",
    )
    with running_app(create_app(service)) as url:
        yield url


def timed_events(base: str, question: str = HAITI) -> list[tuple[float, str, Any]]:
    """(arrival time, event, data) of a streamed /v1/ask, each timed as it arrives."""
    events: list[tuple[float, str, Any]] = []
    body = {"question": question, "stream": True}
    with httpx.stream("POST", f"{base}/v1/ask", json=body, timeout=60) as response:
        assert response.status_code == 200
        name = "message"
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line[len("event:") :].strip()
            elif line.startswith("data:"):
                events.append((time.monotonic(), name, json.loads(line[len("data:") :])))
    return events


def test_the_first_draft_delta_arrives_within_0_3_s_of_the_endpoints_first_token(
    base: str, slow_llm: OpenAIServer
) -> None:
    events = timed_events(base)

    deltas = [(at, data) for at, name, data in events if name == "delta"]
    first_at, first = deltas[0]
    assert first == {"text": "Ruto backed", "draft": True, "attempt": 1}
    assert first_at - slow_llm.chunk_times[0] < FIRST_DELTA_WITHIN
    assert first_at < slow_llm.chunk_times[-1]  # before the model had finished
    assert slow_llm.requests[0]["stream"] is True

    assert "".join(data["text"] for _, data in deltas) == GOOD  # the draft: the model's words
    (answer,) = [data for _, name, data in events if name == "answer"]
    assert answer["answerer"] == "openai" and not answer["degraded"]
    assert answer["answer"].startswith(GOOD) and answer["answer"] != GOOD  # checked, dated
    assert [c["quote"] for c in answer["citations"]] == [SUPPORT_OFFICE]
    assert [name for _, name, _ in events][-2:] == ["answer", "done"]


def test_a_draft_that_fails_its_checks_is_followed_by_a_second_and_replaced(
    base: str, slow_llm: OpenAIServer
) -> None:
    def script(request: dict[str, Any]) -> str:
        if is_retry(request):
            return good_reply(request)
        return reply("Ruto backed a mission to Mars [1].", ("P99", SUPPORT_OFFICE))

    slow_llm.script = script
    slow_llm.chunk_pause = 0.05
    events = timed_events(base)

    deltas = [data for _, name, data in events if name == "delta"]
    assert {d["attempt"] for d in deltas} == {1, 2} and all(d["draft"] for d in deltas)
    first = "".join(d["text"] for d in deltas if d["attempt"] == 1)
    second = "".join(d["text"] for d in deltas if d["attempt"] == 2)
    assert (first, second) == ("Ruto backed a mission to Mars [1].", GOOD)
    (answer,) = [data for _, name, data in events if name == "answer"]
    assert answer["attempts"] == 2 and answer["answer"].startswith(GOOD)


def test_a_stream_cut_midway_ends_in_the_degraded_answer(base: str, slow_llm: OpenAIServer) -> None:
    slow_llm.fault = Fault("cut-stream")
    slow_llm.chunk_pause = 0.05
    events = timed_events(base)

    assert len(slow_llm.requests) == 1  # the draft was shown: not asked again
    (answer,) = [data for _, name, data in events if name == "answer"]
    assert answer["degraded"] and "broke off" in answer["degraded_reason"]
    assert answer["answerer"] == "extractive" and DEGRADED_NOTE in answer["answer"]
    assert [name for _, name, _ in events][-2:] == ["answer", "done"]


def test_the_chat_stream_sends_the_draft_as_reasoning_and_the_checked_reply_as_content(
    base: str, slow_llm: OpenAIServer
) -> None:
    arrivals: list[tuple[float, Any]] = []
    with openai.OpenAI(base_url=f"{base}/v1", api_key="k", max_retries=0) as client:
        for chunk in client.chat.completions.create(
            model="statements", stream=True, messages=[{"role": "user", "content": HAITI}]
        ):
            arrivals.append((time.monotonic(), chunk))

    drafts = [(at, (c.choices[0].delta.model_extra or {})) for at, c in arrivals]
    reasoning = [(at, d["reasoning_content"]) for at, d in drafts if d.get("reasoning_content")]
    assert reasoning[0][0] - slow_llm.chunk_times[0] < FIRST_DELTA_WITHIN
    assert "".join(text for _, text in reasoning) == GOOD
    content = "".join(c.choices[0].delta.content or "" for _, c in arrivals)
    statements = arrivals[-1][1].model_extra["statements"]
    assert content.startswith(statements["answer"]) and "**Sources**" in content
    first_content = next(at for at, c in arrivals if c.choices[0].delta.content)
    assert first_content > reasoning[-1][0]  # the checked reply comes after the whole draft
    assert arrivals[-1][1].choices[0].finish_reason == "stop"
    assert DRAFT_AGAIN.strip() not in "".join(text for _, text in reasoning)
