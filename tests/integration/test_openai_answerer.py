"""The OpenAI-compatible answerer end to end: the real `openai` client against a local
server speaking the same protocol, whose scripted replies are built from the passages
it was sent, so that quotes are real text (or deliberately not)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.answering.llm import NAME
from rag.api.app import create_app
from rag.embedding import SentenceTransformerEmbedder
from rag.errors import LLMError
from rag.ingest import load_paths, statement_from_record
from rag.prompts import load_prompt, prompts_hash
from rag.service import UNVERIFIED, Service, build_service
from rag.settings import load_settings
from rag.types import Answer
from tests.support.openai_server import OpenAIServer, prompt_passages, question_of
from tests.support.servers import free_port, running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
PROMPTS = REPO / "prompts"
MODEL = "scripted-model"
HAITI = "What did Ruto say about Haiti?"
RUTO_READOUT = (
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]")


def reply(answer: str, *citations: tuple[str, str], answerable: bool = True) -> str:
    return json.dumps(
        {
            "answerable": answerable,
            "answer": answer,
            "citations": [{"passage": label, "quote": quote} for label, quote in citations],
        }
    )


def a_sentence(text: str) -> str:
    """The longest sentence of a passage: an exact substring of it."""
    return max((m.group(0).strip() for m in _SENTENCE.finditer(text)), key=len)


def misquoted(sentence: str) -> str:
    """The sentence with one word changed."""
    words = sentence.split(" ")
    at = next(i for i, w in enumerate(words) if i > 0 and len(w) >= 6 and w.isalpha())
    words[at] = "purple"
    return " ".join(words)


def p1_sentence(request: dict[str, Any]) -> str:
    return a_sentence(prompt_passages(request)["P1"])


def label_of(request: dict[str, Any], needle: str) -> str:
    """The label of the passage sent that contains `needle` ("P0" if none does, so that the
    test fails on its own assertions, not inside the server's thread)."""
    return next((label for label, text in prompt_passages(request).items() if needle in text), "P0")


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory,
    cache_dir: Path,
    embedder: SentenceTransformerEmbedder,
) -> Path:
    """A store holding the seed statement and the Biden-Ruto readout, embedded once.

    Tests open it read-only through their own service, so each test's endpoint is its own.
    """
    data_dir = tmp_path_factory.mktemp("llm-library") / "data"
    settings = load_settings(data_dir=data_dir, cache_dir=cache_dir, _env_file=None)
    lines = (FIXTURES / "whitehouse-sample.jsonl").read_text(encoding="utf-8").splitlines()
    [readout] = [json.loads(line) for line in lines if RUTO_READOUT in line]
    build_service(settings, embedder=embedder).ingest(
        [
            *load_paths([FIXTURES / "ruto-rubio-call.md"]),
            statement_from_record(readout, "fixture"),
        ]
    )
    return data_dir


@pytest.fixture
def llm_service(
    make_service: Callable[..., Service], openai_server: OpenAIServer, library: Path
) -> Service:
    """The library, answered by the scripted endpoint."""
    return make_service(
        data_dir=library,
        answerer="openai",
        llm_base_url=openai_server.base_url,
        llm_api_key="test-key",
        llm_model=MODEL,
    )


def ask(service: Service, question: str = HAITI) -> Answer:
    return service.ask(service.query(question))


def assert_holds(service: Service, answer: Answer) -> None:
    """Every citation is exactly the stored text at its offsets."""
    for c in answer.citations:
        assert service.get_statement(c.statement_id).text[c.start : c.end] == c.quote


# ---- the request ---------------------------------------------------------------------


def test_request_carries_model_prompts_question_and_labelled_passages(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        "Ruto spoke of Haiti [1].", ("P1", p1_sentence(request))
    )

    answer = ask(llm_service)

    [request] = openai_server.requests
    assert request["model"] == MODEL
    assert request["temperature"] == 0.0
    system, user = request["messages"]
    assert system["role"] == "system"
    assert system["content"] == (PROMPTS / "answer_system.md").read_text(encoding="utf-8")
    assert user["role"] == "user"
    assert question_of(request) == HAITI
    assert f"Question: {HAITI}" in user["content"]
    sent = prompt_passages(request)
    assert list(sent) == [f"P{i}" for i in range(1, len(sent) + 1)]
    given = [p.passage for p in answer.passages if p.score >= llm_service.settings.min_similarity]
    assert list(sent.values()) == [p.text for p in given]
    readout_header = (
        "Readout of President Biden’s Call with President William Ruto of Kenya | 2023-10-03"
    )
    assert re.search(rf"^\[P\d+\] {re.escape(readout_header)}$", user["content"], re.M)
    assert llm_service.settings.llm_api_key is not None
    assert llm_service.settings.llm_api_key.get_secret_value() == "test-key"


def test_prompt_hash_is_recorded_and_stable(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        "Ruto spoke of Haiti [1].", ("P1", p1_sentence(request))
    )

    first, second = ask(llm_service), ask(llm_service)

    expected = prompts_hash(
        load_prompt(PROMPTS, "answer_system", set()),
        load_prompt(PROMPTS, "answer_user", {"question", "passages"}),
    )
    assert first.prompt_hash == second.prompt_hash == expected
    assert first.answerer == NAME


# ---- verification of what the model proposes -----------------------------------------


def test_a_correct_citation_passes_untouched(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    quoted: list[str] = []

    def script(request: dict[str, Any]) -> str:
        quoted.append(p1_sentence(request))
        return reply("Ruto backed a UN support office for the mission [1].", ("P1", quoted[-1]))

    openai_server.script = script

    answer = ask(llm_service)

    assert answer.answerable
    assert answer.text == "Ruto backed a UN support office for the mission [1]."
    assert answer.rejected_citations == ()
    [citation] = answer.citations
    assert citation.marker == 1
    assert citation.quote == quoted[0]
    assert citation.passage_id == answer.passages[0].passage.id
    assert citation.statement_id == answer.passages[0].passage.statement_id
    assert_holds(llm_service, answer)


def test_a_citation_of_a_passage_not_given_is_rejected(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    def script(request: dict[str, Any]) -> str:
        sentence = p1_sentence(request)
        return reply(
            "Ruto discussed Haiti [1]. He also praised the weather [2].",
            ("P1", sentence),
            ("P99", "The weather in Nairobi was lovely all week."),
        )

    openai_server.script = script

    answer = ask(llm_service)

    assert answer.answerable
    assert answer.text == "Ruto discussed Haiti [1]. He also praised the weather."
    assert len(answer.citations) == 1
    [rejected] = answer.rejected_citations
    assert (rejected.marker, rejected.passage_id, rejected.reason) == (
        2,
        "P99",
        "passage_not_retrieved",
    )
    assert_holds(llm_service, answer)


def test_a_misquote_is_rejected(llm_service: Service, openai_server: OpenAIServer) -> None:
    def script(request: dict[str, Any]) -> str:
        sentence = p1_sentence(request)
        return reply(
            "Ruto discussed Haiti [1]. He said more [2].",
            ("P1", sentence),
            ("P1", misquoted(sentence)),
        )

    openai_server.script = script

    answer = ask(llm_service)

    assert answer.text == "Ruto discussed Haiti [1]. He said more."
    assert len(answer.citations) == 1
    [rejected] = answer.rejected_citations
    assert rejected.reason == "quote_not_in_passage"
    assert rejected.marker == 2
    assert rejected.passage_id == answer.passages[0].passage.id
    assert "purple" in rejected.quote


def test_a_rejected_first_citation_renumbers_the_rest(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    def script(request: dict[str, Any]) -> str:
        sentence = p1_sentence(request)
        return reply(
            "Ruto said one thing [1]. He said another [2].",
            ("P1", misquoted(sentence)),
            ("P1", sentence),
        )

    openai_server.script = script

    answer = ask(llm_service)

    assert answer.text == "Ruto said one thing. He said another [1]."
    [citation] = answer.citations
    assert citation.marker == 1
    assert [r.marker for r in answer.rejected_citations] == [1]


def test_all_citations_bad_withholds_the_answer(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    def script(request: dict[str, Any]) -> str:
        sentence = p1_sentence(request)
        return reply(
            "Ruto promised troops to Mars [1][2]. He said it loudly [3].",
            ("P99", sentence),
            ("P1", misquoted(sentence)),
            ("P1", "Haiti"),
        )

    openai_server.script = script

    answer = ask(llm_service)

    assert not answer.answerable
    assert answer.text == UNVERIFIED
    assert "could not be verified" in answer.text
    assert "Mars" not in answer.text
    assert answer.citations == ()
    assert [r.reason for r in answer.rejected_citations] == [
        "passage_not_retrieved",
        "quote_not_in_passage",
        "quote_too_short",
    ]


def test_an_answer_claimed_without_citations_is_withheld(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply("Ruto wants to annex Haiti.")

    answer = ask(llm_service)

    assert not answer.answerable
    assert answer.text == UNVERIFIED
    assert answer.citations == ()


def test_the_model_saying_unanswerable_is_passed_on(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    # The question passes the decline gate (its topic is in the passages), so the model decides.
    openai_server.script = lambda request: reply(
        "The passages do not say how many police officers Kenya will send.", answerable=False
    )

    answer = ask(llm_service, "What did Ruto say about the Haiti mission's police numbers?")

    assert len(openai_server.requests) == 1
    assert not answer.answerable
    assert answer.text == "The passages do not say how many police officers Kenya will send."
    assert answer.citations == ()
    assert answer.rejected_citations == ()


# Exact source text: a curly closing quote in the seed; a line break and a curly apostrophe
# in the readout.
CURLY = "to aid efforts to stabilise and secure Haiti,” Ruto stated"
BROKEN = (
    "Kenya today to thank him for answering Haiti’s call to serve as the lead\n"
    "nation of the Multinational Security Support (MSS) mission"
)


def test_quotes_differing_in_quote_marks_and_whitespace_return_the_source_text(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        "Ruto wants Haiti secured [1]. Biden thanked Ruto for leading the mission [2].",
        (label_of(request, CURLY), CURLY.replace("”", '"')),
        (label_of(request, BROKEN), " ".join(BROKEN.split()).replace("’", "'")),
    )

    answer = ask(llm_service)

    assert answer.rejected_citations == ()
    assert answer.text == (
        "Ruto wants Haiti secured [1]. Biden thanked Ruto for leading the mission [2]."
    )
    assert [c.quote for c in answer.citations] == [CURLY, BROKEN]
    assert [c.statement_id for c in answer.citations] == ["ruto-rubio-call", RUTO_READOUT]
    assert_holds(llm_service, answer)


def test_a_fenced_json_reply_is_understood(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: (
        "Here is the answer:\n```json\n"
        + reply("Ruto spoke of Haiti [1].", ("P1", p1_sentence(request)))
        + "\n```"
    )

    answer = ask(llm_service)

    assert answer.answerable
    assert len(answer.citations) == 1


# ---- when the model is not asked, or fails ------------------------------------------


def test_an_empty_store_declines_without_calling_the_model(
    make_service: Callable[..., Service], openai_server: OpenAIServer
) -> None:
    service = make_service(
        answerer="openai",
        llm_base_url=openai_server.base_url,
        llm_api_key="test-key",
        llm_model=MODEL,
    )

    answer = ask(service)

    assert openai_server.requests == []
    assert not answer.answerable
    assert answer.text.startswith("The statements don't say.")
    assert answer.citations == ()


def test_an_unrelated_question_declines_without_calling_the_model(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    answer = ask(llm_service, "What is the recipe for banana bread?")

    assert openai_server.requests == []
    assert not answer.answerable
    assert answer.text.startswith("The statements don't say.")


def test_a_reply_that_is_not_json_is_an_llm_error(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: "Ruto talked about Haiti, I believe."

    with pytest.raises(LLMError, match="JSON"):
        ask(llm_service)


def test_a_reply_missing_fields_is_an_llm_error(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: json.dumps({"answer": "Ruto talked about Haiti."})

    with pytest.raises(LLMError):
        ask(llm_service)


def test_an_endpoint_error_is_an_llm_error(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.status = 500

    with pytest.raises(LLMError, match="500"):
        ask(llm_service)
    assert openai_server.requests


def test_an_unreachable_endpoint_is_an_llm_error(
    make_service: Callable[..., Service], library: Path
) -> None:
    service = make_service(
        data_dir=library,
        answerer="openai",
        llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_api_key="test-key",
        llm_model=MODEL,
    )

    with pytest.raises(LLMError, match="cannot reach"):
        ask(service)


# ---- over HTTP -----------------------------------------------------------------------


def test_ask_over_http_returns_verified_and_rejected_citations(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    def script(request: dict[str, Any]) -> str:
        sentence = p1_sentence(request)
        return reply(
            "Ruto discussed Haiti [1]. He said more [2].",
            ("P1", sentence),
            ("P99", sentence),
        )

    openai_server.script = script

    with running_app(create_app(llm_service)) as base:
        response = httpx.post(f"{base}/v1/ask", json={"question": HAITI}, timeout=60)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["answerable"] is True
        assert body["answerer"] == NAME
        assert body["prompt_hash"]
        assert body["answer"] == "Ruto discussed Haiti [1]. He said more."
        [citation] = body["citations"]
        statement = httpx.get(f"{base}/v1/statements/{citation['statement_id']}", timeout=60)
        assert statement.json()["text"][citation["start"] : citation["end"]] == citation["quote"]
        assert body["rejected_citations"] == [
            {
                "marker": 2,
                "passage_id": "P99",
                "quote": citation["quote"],
                "reason": "passage_not_retrieved",
            }
        ]


@pytest.mark.parametrize("failure", ["status-500", "not-json"])
def test_llm_failures_over_http_are_502(
    llm_service: Service, openai_server: OpenAIServer, failure: str
) -> None:
    if failure == "status-500":
        openai_server.status = 500
    else:
        openai_server.script = lambda request: "no JSON here"

    with running_app(create_app(llm_service)) as base:
        response = httpx.post(f"{base}/v1/ask", json={"question": HAITI}, timeout=60)

    assert response.status_code == 502, response.text
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) <= {"error", "message", "hint"}
    assert body["error"] == "llm_failed"
    assert body["message"]
