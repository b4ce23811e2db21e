"""POST /v1/ask with "stream": true over real HTTP: server-sent events in the documented
order, read with httpx from the app under uvicorn on the examples store."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.interfaces.api.app import create_app
from rag.service import Service
from tests.support.openai_server import OpenAIServer
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

HAITI = "What did Ruto say about Haiti?"
TIMINGS = ("seconds", "retrieval_seconds")
Event = tuple[str, Any]


def read_events(response: httpx.Response) -> Iterator[Event]:
    """(event, data) pairs of a text/event-stream response, as they arrive."""
    name, data = "message", []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            data.append(line[len("data:") :].strip())
        elif line == "" and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


def stream(base: str, body: dict[str, Any]) -> list[Event]:
    with httpx.stream("POST", f"{base}/v1/ask", json={**body, "stream": True}, timeout=60) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        return list(read_events(r))


def without_timings(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in TIMINGS}


@pytest.fixture(scope="module")
def base(examples_service: Service) -> Iterator[str]:
    with running_app(create_app(examples_service)) as url:
        yield url


def test_events_come_in_order_and_the_answer_equals_the_plain_answer(base: str) -> None:
    events = stream(base, {"question": HAITI})

    names = [name for name, _ in events]
    assert names[0] == "retrieval"
    assert names[-2:] == ["answer", "done"]
    assert set(names[1:-2]) == {"delta"}
    assert len(names) > 4, "the answer text came in one piece"
    answer = events[-2][1]
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert "".join(deltas) == answer["answer"]
    # Extractive: the checked answer in pieces, as before; no draft to replace.
    assert all(set(data) == {"text"} for name, data in events if name == "delta")
    assert events[-1][1] == {}

    plain = httpx.post(f"{base}/v1/ask", json={"question": HAITI}, timeout=60)
    assert plain.status_code == 200, plain.text
    assert plain.headers["content-type"].startswith("application/json")
    assert without_timings(answer) == without_timings(plain.json())
    assert answer["answerable"] is True
    assert answer["citations"]


def test_retrieval_carries_the_passages_search_returns_and_the_reading(base: str) -> None:
    events = stream(base, {"question": HAITI, "k": 4, "filters": {"speaker": "Ruto"}})
    name, retrieval = events[0]

    search = httpx.post(
        f"{base}/v1/search",
        json={"question": HAITI, "k": 4, "filters": {"speaker": "Ruto"}},
        timeout=60,
    ).json()
    assert name == "retrieval"
    assert retrieval["passages"] == search["passages"]
    assert len(retrieval["passages"]) == 4
    assert retrieval["interpreted"] == search["interpreted"]
    assert retrieval["interpreted"]["topic"] == "Haiti"
    assert events[-2][1]["interpreted"] == retrieval["interpreted"]
    cited = {c["passage_id"] for c in events[-2][1]["citations"]}
    assert cited <= {p["passage_id"] for p in retrieval["passages"]}


def test_a_question_nothing_answers_streams_the_decline(base: str) -> None:
    events = stream(base, {"question": "What is the recipe for banana bread?"})

    assert [n for n, _ in events][-2:] == ["answer", "done"]
    answer = events[-2][1]
    assert answer["answerable"] is False
    assert "".join(d["text"] for n, d in events if n == "delta") == answer["answer"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": "   "}, "question"),
        ({"question": HAITI, "k": 0}, "k"),
        ({"question": HAITI, "stream": "sometimes"}, "stream"),
    ],
)
def test_bad_input_is_a_plain_json_error_before_any_stream(
    base: str, body: dict[str, Any], field: str
) -> None:
    response = httpx.post(f"{base}/v1/ask", json={"stream": True, **body}, timeout=60)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["field"] == field


def test_stream_false_is_the_plain_answer(base: str) -> None:
    response = httpx.post(f"{base}/v1/ask", json={"question": HAITI, "stream": False}, timeout=60)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["answerable"] is True


# ---- with an LLM endpoint --------------------------------------------------------------


@pytest.fixture
def llm_service(
    make_service: Callable[..., Service], openai_server: OpenAIServer, examples_dir: Path
) -> Service:
    return make_service(
        data_dir=examples_dir,
        answerer="openai",
        llm_base_url=openai_server.base_url,
        llm_api_key="test-key",
        llm_model="scripted-model",
        llm_on_failure="error",  # a failure streams an error event (degrading: test_llm_faults)
    )


def test_retrieval_is_sent_before_the_answerer_is_asked(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    """The scripted LLM holds its reply until the client has read `retrieval`: were that
    event held back until the answer was done, the LLM would give up waiting."""
    seen_retrieval = threading.Event()
    released: list[bool] = []

    def script(request: dict[str, Any]) -> str:
        released.append(seen_retrieval.wait(timeout=20))
        return "not JSON, so the answer fails"

    openai_server.script = script
    with running_app(create_app(llm_service)) as url:
        events: list[Event] = []
        body = {"question": HAITI, "stream": True}
        with httpx.stream("POST", f"{url}/v1/ask", json=body, timeout=60) as response:
            for event in read_events(response):
                events.append(event)
                if event[0] == "retrieval":
                    seen_retrieval.set()

    assert released and all(released)
    assert [name for name, _ in events] == ["retrieval", "error", "done"]
    error = events[1][1]
    assert error["error"] == "llm_failed"
    assert error["message"]
    assert set(error) <= {"error", "message", "hint"}
