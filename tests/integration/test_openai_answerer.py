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

from rag.answering.asking import FALLBACK_NOTE, PARTIAL_NOTE
from rag.answering.llm import NAME, REPLY_SCHEMA
from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.errors import LLMError
from rag.ingest import load_paths, statement_from_record
from rag.interfaces.api.app import create_app
from rag.prompts import PROMPTS_DIR, load_prompt, prompts_hash
from rag.service import Service
from rag.settings import load_settings
from rag.types import Answer
from rag.wiring import build_service
from tests.support.openai_server import (
    Fault,
    OpenAIServer,
    is_retry,
    label_of,
    prompt_passages,
    question_of,
    reply,
)
from tests.support.servers import free_port, running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
PROMPTS = PROMPTS_DIR
MODEL = "scripted-model"
HAITI = "What did Ruto say about Haiti?"
RUTO_READOUT = (
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]")


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


@pytest.fixture
def strict_service(
    make_service: Callable[..., Service], openai_server: OpenAIServer, library: Path
) -> Service:
    """As `llm_service`, with degrading off (RAG_LLM_ON_FAILURE=error): an LLM failure is an
    LLMError (HTTP 502), after the client's retries."""
    return make_service(
        data_dir=library,
        answerer="openai",
        llm_base_url=openai_server.base_url,
        llm_api_key="test-key",
        llm_model=MODEL,
        llm_on_failure="error",
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
        load_prompt(PROMPTS, "answer_retry", {"question", "passages", "problems"}),
    )
    assert first.prompt_hash == second.prompt_hash == expected
    assert first.answerer == NAME


# ---- verification of what the model proposes -----------------------------------------
# The four scripted replies the checks are judged by: a correct answer passes untouched; a
# citation of a passage not given, a wrong number and an unsupported claim are caught.

# Exact source text: a curly closing quote in the seed; a line break and a curly apostrophe
# in the readout.
CURLY = "to aid efforts to stabilise and secure Haiti,” Ruto stated"
BROKEN = (
    "Kenya today to thank him for answering Haiti’s call to serve as the lead\n"
    "nation of the Multinational Security Support (MSS) mission"
)
SUPPORT_OFFICE = (
    "establishes a UN support office for the Multinational Security Support (MSS) mission in Haiti"
)
CORRECT = (
    "Ruto said Kenya supports a UN support office for the Multinational Security Support "
    "mission in Haiti [1]. Biden thanked Ruto on 3 October 2023 for Kenya answering Haiti's "
    "call to lead the MSS mission [2]."
)
AS_OF = "Based on a statement from 2023-10-03 (and 1 undated)."


def body_of(answer: Answer) -> str:
    """The answer without its closing as-of line."""
    return answer.text.rsplit("\n\n", 1)[0]


def test_a_correct_answer_passes_untouched(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        CORRECT,
        (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
        (label_of(request, BROKEN), BROKEN),
    )

    answer = ask(llm_service)

    assert len(openai_server.requests) == 1
    assert answer.answerable and answer.attempts == 1 and answer.fallback is None
    assert answer.text == f"{CORRECT}\n\n{AS_OF}"
    assert answer.rejected_citations == ()
    assert [c.supported for c in answer.checks] == [True, True]
    assert [c.markers for c in answer.checks] == [(1,), (2,)]
    assert [c.quote for c in answer.citations] == [SUPPORT_OFFICE, BROKEN]
    assert all(c.support is not None and c.support >= 0.65 for c in answer.citations)
    assert [s.statement_id for s in answer.sources] == ["ruto-rubio-call", RUTO_READOUT]
    assert answer.sources[1].date == "2023-10-03"
    assert (answer.sources[1].source_url or "").startswith("https://bidenwhitehouse.archives.gov/")
    assert answer.as_of == ("2023-10-03", "2023-10-03")
    assert_holds(llm_service, answer)


def test_a_citation_of_a_passage_not_given_is_caught(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        "Ruto backed a UN support office for the MSS mission in Haiti [1]. "
        "He also praised the weather in Nairobi [2].",
        (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
        ("P99", "The weather in Nairobi was lovely all week."),
    )

    answer = ask(llm_service)

    assert answer.answerable and answer.attempts == 1
    assert body_of(answer) == "Ruto backed a UN support office for the MSS mission in Haiti [1]."
    assert "weather" not in answer.text
    [rejected] = answer.rejected_citations
    assert (rejected.marker, rejected.passage_id, rejected.reason) == (
        2,
        "P99",
        "passage_not_retrieved",
    )
    weather = answer.checks[1]
    assert not weather.supported and weather.markers == ()
    assert_holds(llm_service, answer)


def test_a_wrong_number_is_caught(llm_service: Service, openai_server: OpenAIServer) -> None:
    police = "Kenyan police officers are at the forefront of the deployment"
    openai_server.script = lambda request: reply(
        "Ruto backed a UN support office for the MSS mission in Haiti [1]. "
        "Kenya has sent 5,000 police officers to the forefront of the deployment [2].",
        (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
        (label_of(request, police), police),
    )

    answer = ask(llm_service)

    assert answer.answerable and answer.attempts == 1
    assert "5,000" not in answer.text
    assert body_of(answer) == "Ruto backed a UN support office for the MSS mission in Haiti [1]."
    wrong = answer.checks[1]
    assert not wrong.supported
    assert "5,000" in wrong.missing
    assert answer.rejected_citations == ()  # the quote itself is exact: only the claim is wrong


def test_an_unsupported_answer_is_asked_again_with_the_failures_spelled_out(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    def script(request: dict[str, Any]) -> str:
        if not is_retry(request):
            return reply(
                "Ruto promised to send the Kenyan navy to blockade Port-au-Prince [1].",
                (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
            )
        return reply(
            "Ruto backed a UN support office for the MSS mission in Haiti [1].",
            (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
        )

    openai_server.script = script

    answer = ask(llm_service)

    first, second = openai_server.requests
    assert not is_retry(first) and is_retry(second)
    retry_prompt = second["messages"][-1]["content"]
    assert "Ruto promised to send the Kenyan navy" in retry_prompt
    assert "Port-au-Prince" in retry_prompt  # the name no cited passage contains
    assert prompt_passages(second) == prompt_passages(first)
    assert answer.attempts == 2 and answer.fallback is None
    assert body_of(answer) == "Ruto backed a UN support office for the MSS mission in Haiti [1]."
    assert [c.supported for c in answer.first_checks] == [False]
    assert [c.supported for c in answer.checks] == [True]
    assert_holds(llm_service, answer)


def test_failing_twice_falls_back_to_the_extractive_answer_and_says_so(
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

    assert len(openai_server.requests) == 2
    assert answer.fallback == "extractive" and answer.attempts == 2
    assert answer.answerable
    assert "Mars" not in answer.text
    assert FALLBACK_NOTE in answer.text
    assert answer.citations and all(c.support is not None for c in answer.citations)
    assert [r.reason for r in answer.rejected_citations] == []  # the fallback's own citations
    assert [c.supported for c in answer.first_checks] == [False, False]
    assert_holds(llm_service, answer)


def test_a_one_sentence_answer_that_fails_twice_says_why_and_what_could_be_verified(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        "Ruto said Kenya will send 5,000 officers to back a UN support office in Haiti [1].",
        (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
    )

    answer = ask(llm_service)

    _, second = openai_server.requests
    assert is_retry(second)
    reason = "states 5,000 which the cited passages do not contain"
    assert reason in second["messages"][-1]["content"]  # retried once, with the reason
    assert answer.attempts == 2 and answer.fallback == "extractive" and answer.answerable
    said = "it states a number, date or name that the cited passages do not contain"
    assert answer.text.startswith(f"{FALLBACK_NOTE} ({said}). What the statements say:")
    assert "5,000" not in answer.text  # what the draft made up is not repeated
    assert_holds(llm_service, answer)


def test_a_draft_failing_twice_keeps_its_verified_sentences_and_says_so(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        "Ruto backed a UN support office for the MSS mission in Haiti [1]. "
        "He promised 5,000 officers [1]. He promised 9,000 more by March 2031 [1].",
        (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
    )

    answer = ask(llm_service)

    assert answer.attempts == 2 and answer.fallback is None
    shown = answer.text.split("\n\n")
    assert shown[0] == "Ruto backed a UN support office for the MSS mission in Haiti [1]."
    assert shown[1].startswith(f"({PARTIAL_NOTE}; the rest of the answer drafted did not hold up")
    assert "5,000 officers" not in shown[0] and "9,000" not in shown[0]
    assert_holds(llm_service, answer)


def test_the_reply_schema_is_asked_for_and_the_answer_says_so(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        CORRECT,
        (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
        (label_of(request, BROKEN), BROKEN),
    )

    answer = ask(llm_service)

    [request] = openai_server.requests
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"] == REPLY_SCHEMA
    assert answer.reply_format == "json_schema" and answer.text.startswith(CORRECT)


def test_an_endpoint_refusing_the_schema_is_asked_plainly_and_read_leniently(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.refuse_schema = True
    openai_server.script = lambda request: (
        "Here you go:\n```json\n"
        + reply(
            CORRECT,
            (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
            (label_of(request, BROKEN), BROKEN),
        )
        + "\n```"
    )

    first = ask(llm_service)
    second = ask(llm_service)

    refused, plain, again = openai_server.requests
    assert "response_format" in refused and "response_format" not in plain
    assert "response_format" not in again  # remembered: not asked for again
    assert first.reply_format == second.reply_format == "lenient"
    assert first.text.startswith(CORRECT) and not first.degraded


def test_an_answer_without_citations_is_not_passed_on(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply("Ruto wants to annex Haiti.")

    answer = ask(llm_service)

    assert len(openai_server.requests) == 2
    assert answer.fallback == "extractive"
    assert "annex" not in answer.text
    assert_holds(llm_service, answer)


def test_a_misquote_is_rejected_and_its_sentence_removed(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    def script(request: dict[str, Any]) -> str:
        sentence = a_sentence(prompt_passages(request)[label_of(request, SUPPORT_OFFICE)])
        return reply(
            "Ruto said Kenya and the US would build a purple embassy [1]. "
            "Ruto backed a UN support office for the MSS mission in Haiti [2].",
            (label_of(request, SUPPORT_OFFICE), misquoted(sentence)),
            (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
        )

    openai_server.script = script

    answer = ask(llm_service)

    # The rejected first citation leaves its sentence unsupported; the rest is renumbered.
    assert body_of(answer) == "Ruto backed a UN support office for the MSS mission in Haiti [1]."
    [citation] = answer.citations
    assert citation.marker == 1 and citation.quote == SUPPORT_OFFICE
    [rejected] = answer.rejected_citations
    assert (rejected.marker, rejected.reason) == (1, "quote_not_in_passage")
    assert "purple" in rejected.quote


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
    assert body_of(answer) == (
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
# By default a failing LLM degrades to the extractive answer (tests/integration/
# test_llm_faults.py); with RAG_LLM_ON_FAILURE=error it is an LLMError, as here.


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
    strict_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: "Ruto talked about Haiti, I believe."

    with pytest.raises(LLMError, match="JSON"):
        ask(strict_service)
    assert len(openai_server.requests) == 1  # a reply, however wrong, is not retried


def test_a_reply_missing_fields_is_an_llm_error(
    strict_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: json.dumps({"answer": "Ruto talked about Haiti."})

    with pytest.raises(LLMError):
        ask(strict_service)


def test_an_endpoint_error_is_an_llm_error(
    strict_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.fault = Fault("status", 500, retry_after_ms="20")

    with pytest.raises(LLMError, match="500"):
        ask(strict_service)
    assert len(openai_server.requests) == 3  # RAG_LLM_MAX_ATTEMPTS


def test_an_unreachable_endpoint_is_an_llm_error(
    make_service: Callable[..., Service], library: Path
) -> None:
    service = make_service(
        data_dir=library,
        answerer="openai",
        llm_base_url=f"http://127.0.0.1:{free_port()}/v1",
        llm_api_key="test-key",
        llm_model=MODEL,
        llm_on_failure="error",
        llm_max_attempts=1,
    )

    with pytest.raises(LLMError, match="cannot reach"):
        ask(service)


# ---- over HTTP -----------------------------------------------------------------------


def test_ask_over_http_returns_checks_support_sources_and_rejections(
    llm_service: Service, openai_server: OpenAIServer
) -> None:
    openai_server.script = lambda request: reply(
        "Ruto backed a UN support office for the MSS mission in Haiti [1]. "
        "He also praised the weather in Nairobi [2].",
        (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
        ("P99", SUPPORT_OFFICE),
    )

    with running_app(create_app(llm_service)) as base:
        response = httpx.post(f"{base}/v1/ask", json={"question": HAITI}, timeout=60)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["answerable"] is True
        assert body["answerer"] == NAME
        assert body["prompt_hash"]
        assert body["attempts"] == 1 and body["fallback"] is None
        assert body["reply_format"] == "json_schema"
        assert body["answer"].startswith(
            "Ruto backed a UN support office for the MSS mission in Haiti [1].\n\n"
        )
        [citation] = body["citations"]
        assert citation["support"] >= 0.65
        statement = httpx.get(f"{base}/v1/statements/{citation['statement_id']}", timeout=60)
        assert statement.json()["text"][citation["start"] : citation["end"]] == citation["quote"]
        assert body["rejected_citations"] == [
            {
                "marker": 2,
                "passage_id": "P99",
                "quote": SUPPORT_OFFICE,
                "reason": "passage_not_retrieved",
            }
        ]
        checks = body["answer_checks"]
        assert [(c["supported"], c["markers"]) for c in checks] == [(True, [1]), (False, [])]
        assert checks[1]["reason"]
        [source] = body["sources"]
        assert source["statement_id"] == "ruto-rubio-call"
        assert (
            source["title"] == "President Ruto on his call with US Secretary of State Marco Rubio"
        )
        assert body["as_of"] == {"first": None, "last": None}


@pytest.mark.parametrize("failure", ["status-500", "not-json"])
def test_llm_failures_over_http_are_502_when_degrading_is_off(
    strict_service: Service, openai_server: OpenAIServer, failure: str
) -> None:
    if failure == "status-500":
        openai_server.fault = Fault("status", 500, retry_after_ms="20")
    else:
        openai_server.script = lambda request: "no JSON here"

    with running_app(create_app(strict_service)) as base:
        response = httpx.post(f"{base}/v1/ask", json={"question": HAITI}, timeout=60)

    assert response.status_code == 502, response.text
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) <= {"error", "message", "hint"}
    assert body["error"] == "llm_failed"
    assert body["message"]
