"""An LLM endpoint that misbehaves as real ones do: the openai client's retries (its backoff,
Retry-After, x-should-retry) within our time budget, the circuit breaker, and the degraded
extractive answer every failure ends in, over the service and over HTTP. The real `openai`
client talks to the scripted server (tests/support/openai_server.py); most faults ask for a
short wait (retry-after-ms), so retries take fractions of a second."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from rag.answering.asking import DEGRADED_NOTE
from rag.interfaces.api.app import create_app
from rag.service import Service
from rag.types import Answer
from tests.support.openai_server import Fault, OpenAIServer, label_of, reply
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

HAITI = "What did Ruto say about Haiti?"
SUPPORT_OFFICE = (
    "establishes a UN support office for the Multinational Security Support (MSS) mission in Haiti"
)
GOOD = "Ruto backed a UN support office for the MSS mission in Haiti [1]."
QUICK = {
    # Long enough that a loaded machine's ordinary reply is not a timeout.
    "llm_timeout_seconds": 2.0,
}
SOON = "20"
"""retry-after-ms on a scripted failure: the client waits 20 ms instead of its backoff."""

MakeLLM = Callable[..., Service]


def good_reply(request: dict[str, Any]) -> str:
    return reply(GOOD, (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE))


@pytest.fixture
def make_llm(
    make_service: Callable[..., Service], openai_server: OpenAIServer, examples_dir: Path
) -> MakeLLM:
    """A service on the examples store answered by the scripted endpoint, with quick retries;
    the endpoint gives a good answer unless told to fail."""
    openai_server.script = good_reply

    def make(**overrides: Any) -> Service:
        return make_service(
            data_dir=examples_dir,
            answerer="openai",
            llm_base_url=openai_server.base_url,
            llm_api_key="test-key",
            llm_model="scripted-model",
            **{**QUICK, **overrides},
        )

    return make


def ask(service: Service) -> Answer:
    return service.ask(service.query(HAITI))


def assert_degraded(service: Service, answer: Answer, reason: str) -> None:
    """The extractive answer, saying so, with citations that are the stored text."""
    assert answer.degraded and reason in (answer.degraded_reason or "")
    assert answer.fallback == "extractive" and answer.answerer == "extractive"
    assert answer.answerable and answer.citations
    assert DEGRADED_NOTE in answer.text
    for c in answer.citations:
        assert service.get_statement(c.statement_id).text[c.start : c.end] == c.quote


def assert_answered_by_the_llm(answer: Answer) -> None:
    assert not answer.degraded and answer.degraded_reason is None
    assert answer.fallback is None and answer.answerer == "openai"
    assert answer.text.startswith(GOOD)


# ---- retries --------------------------------------------------------------------------


def test_a_429_is_retried_after_its_retry_after(
    make_llm: MakeLLM, openai_server: OpenAIServer
) -> None:
    openai_server.faults = [Fault("status", 429, retry_after="1.2")]
    service = make_llm()

    started = time.perf_counter()
    answer = ask(service)

    # The endpoint's wait: the client's own first backoff is 0.5 s at most.
    assert time.perf_counter() - started >= 1.2
    assert len(openai_server.requests) == 2
    assert_answered_by_the_llm(answer)


def test_without_retry_after_the_client_backs_off_exponentially(
    make_llm: MakeLLM, openai_server: OpenAIServer
) -> None:
    openai_server.faults = [Fault("status", 500), Fault("status", 503)]

    started = time.perf_counter()
    answer = ask(make_llm(llm_max_attempts=3))

    # The client waits 0.5 s then 1 s, each up to a quarter less (jitter).
    assert time.perf_counter() - started >= 0.375 + 0.75
    assert len(openai_server.requests) == 3
    assert_answered_by_the_llm(answer)


def test_a_4xx_is_not_retried(make_llm: MakeLLM, openai_server: OpenAIServer) -> None:
    openai_server.faults = [Fault("status", 400)]
    service = make_llm()

    assert_degraded(service, ask(service), "400")
    assert len(openai_server.requests) == 1


def test_the_endpoint_decides_with_x_should_retry(
    make_llm: MakeLLM, openai_server: OpenAIServer
) -> None:
    never = (("x-should-retry", "false"),)
    openai_server.faults = [Fault("status", 503, retry_after_ms=SOON, headers=never)]
    service = make_llm(llm_max_attempts=3)
    assert_degraded(service, ask(service), "503")
    assert len(openai_server.requests) == 1

    again = (("x-should-retry", "true"),)
    openai_server.faults = [Fault("status", 400, retry_after_ms=SOON, headers=again)]
    assert_answered_by_the_llm(ask(service))
    assert len(openai_server.requests) == 3


def test_retries_are_bounded_in_time(make_llm: MakeLLM, openai_server: OpenAIServer) -> None:
    openai_server.fault = Fault("status", 503, retry_after_ms="100")
    service = make_llm(llm_max_attempts=20, llm_retry_budget_seconds=0.35)

    started = time.perf_counter()
    answer = ask(service)

    # The bound is the request count (the budget stops retrying); the time limit only catches
    # a runaway loop, loosely, since a loaded machine answers slowly.
    assert time.perf_counter() - started < 15
    assert 2 <= len(openai_server.requests) <= 5  # far fewer than 20 attempts
    assert_degraded(service, answer, "503")


def test_a_retry_after_beyond_the_budget_gives_up_at_once(
    make_llm: MakeLLM, openai_server: OpenAIServer
) -> None:
    openai_server.fault = Fault("status", 429, retry_after="60")
    service = make_llm(llm_max_attempts=3, llm_retry_budget_seconds=30)

    started = time.perf_counter()
    answer = ask(service)

    assert time.perf_counter() - started < 30  # not the 60 s the endpoint asked for
    assert len(openai_server.requests) == 1
    assert_degraded(service, answer, "429")


def test_an_attempt_waits_no_longer_than_the_budget_left(
    make_llm: MakeLLM, openai_server: OpenAIServer
) -> None:
    openai_server.fault = Fault("hang", seconds=6.0)
    service = make_llm(llm_timeout_seconds=4.0, llm_max_attempts=5, llm_retry_budget_seconds=1.0)

    started = time.perf_counter()
    answer = ask(service)

    # Without the budget: 5 attempts of 4 s. With it, the first attempt is cut at 1 s.
    assert time.perf_counter() - started < 3.5
    assert len(openai_server.requests) == 1
    assert_degraded(service, answer, "did not answer in time")


# ---- every failure degrades to the extractive answer ----------------------------------

FAILURES: dict[str, tuple[Fault | None, str, str, int]] = {
    # name: (fault on every request, the model's content, reason, requests made)
    "timeout": (Fault("hang", seconds=4.0), "", "did not answer in time", 3),
    "503": (Fault("status", 503, retry_after_ms=SOON), "", "503", 3),
    "body-not-json": (Fault("not-json"), "", "not JSON", 1),
    "body-cut-off": (Fault("cut"), "", "broke off", 3),
    "reply-not-json": (None, '{"answerable": true, "answer": "Ruto sa', "JSON", 1),
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_every_failure_ends_in_a_degraded_extractive_answer(
    make_llm: MakeLLM, openai_server: OpenAIServer, failure: str
) -> None:
    fault, content, reason, requests = FAILURES[failure]
    openai_server.fault = fault
    if content:
        openai_server.script = lambda request: content
    service = make_llm(llm_max_attempts=3)

    answer = ask(service)

    assert_degraded(service, answer, reason)
    assert len(openai_server.requests) == requests


def test_the_server_can_cut_a_stream_midway(openai_server: OpenAIServer) -> None:
    """What the streaming answerer meets when a stream breaks off (tests/integration/
    test_llm_streaming.py): no finish_reason, and the connection closes."""
    openai_server.fault = Fault("cut-stream")
    openai_server.script = lambda request: "x" * 200
    with openai.OpenAI(base_url=openai_server.base_url, api_key="k", max_retries=0) as client:
        stream = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        chunks = list(stream)
    assert chunks and all(c.choices[0].finish_reason is None for c in chunks)
    assert sum(len(c.choices[0].delta.content or "") for c in chunks) < 200


# ---- the circuit breaker --------------------------------------------------------------


def test_the_breaker_opens_after_n_failures_and_half_opens_after_the_cooldown(
    make_llm: MakeLLM, openai_server: OpenAIServer
) -> None:
    openai_server.fault = Fault("status", 500, retry_after_ms=SOON)
    service = make_llm(llm_max_attempts=1, llm_breaker_failures=2, llm_breaker_cooldown_seconds=30)
    # The breaker's clock, so that a slow machine cannot outlast the cool-down between asks.
    now = [0.0]
    breaker = service.answerer.breaker  # type: ignore[attr-defined]
    breaker._clock = lambda: now[0]

    for _ in range(2):
        assert_degraded(service, ask(service), "500")
    assert len(openai_server.requests) == 2

    open_answer = ask(service)  # open: nothing reaches the endpoint
    assert_degraded(service, open_answer, "circuit breaker open")
    assert len(openai_server.requests) == 2

    openai_server.fault = None
    now[0] += 31  # half-open: one trial call goes out, succeeds, and closes the breaker
    assert_answered_by_the_llm(ask(service))
    assert_answered_by_the_llm(ask(service))
    assert len(openai_server.requests) == 4


# ---- over HTTP ------------------------------------------------------------------------


def read_events(response: httpx.Response) -> list[tuple[str, Any]]:
    events, name = [], "message"
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line[len("data:") :].strip())))
    return events


def assert_degraded_json(base: str, answer: dict[str, Any]) -> None:
    assert answer["degraded"] is True
    assert "500" in answer["degraded_reason"]
    assert answer["fallback"] == "extractive" and answer["answerer"] == "extractive"
    assert answer["answerable"] and answer["citations"]
    assert DEGRADED_NOTE in answer["answer"]
    for c in answer["citations"]:
        text = httpx.get(f"{base}/v1/statements/{c['statement_id']}", timeout=60).json()["text"]
        assert text[c["start"] : c["end"]] == c["quote"]


def test_over_http_ask_stream_and_chat_all_degrade(
    make_llm: MakeLLM, openai_server: OpenAIServer
) -> None:
    openai_server.fault = Fault("status", 500, retry_after_ms=SOON)
    service = make_llm(llm_max_attempts=2, llm_breaker_failures=100)

    with running_app(create_app(service)) as base:
        plain = httpx.post(f"{base}/v1/ask", json={"question": HAITI}, timeout=60)
        assert plain.status_code == 200, plain.text
        assert_degraded_json(base, plain.json())

        body = {"question": HAITI, "stream": True}
        with httpx.stream("POST", f"{base}/v1/ask", json=body, timeout=60) as response:
            assert response.status_code == 200
            events = read_events(response)
        names = [name for name, _ in events]
        assert names[0] == "retrieval" and names[-2:] == ["answer", "done"]
        assert "error" not in names
        streamed = dict(events)["answer"]
        assert_degraded_json(base, streamed)
        joined = "".join(data["text"] for name, data in events if name == "delta")
        assert joined == streamed["answer"]

        with openai.OpenAI(base_url=f"{base}/v1", api_key="k", max_retries=0) as client:
            messages: Any = [{"role": "user", "content": HAITI}]
            completion = client.chat.completions.create(model="statements", messages=messages)
            content = completion.choices[0].message.content or ""
            assert DEGRADED_NOTE in content
            assert_degraded_json(base, completion.model_extra["statements"])  # type: ignore[index]

            chunks = list(
                client.chat.completions.create(model="statements", messages=messages, stream=True)
            )
            assert chunks[-1].choices[0].finish_reason == "stop"
            assert_degraded_json(base, chunks[-1].model_extra["statements"])  # type: ignore[index]
            assert DEGRADED_NOTE in "".join(c.choices[0].delta.content or "" for c in chunks)

    assert len(openai_server.requests) == 4 * 2  # four answers, two attempts each
