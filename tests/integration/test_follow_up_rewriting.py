"""Follow-ups made standalone by the LLM when one is configured, against the scripted
OpenAI-compatible server; the rule-based rewrite (rag/question/conversation.py) when there is
none, and whenever the LLM fails or replies with something that cannot be the question."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest

from rag.prompts import PROMPTS_DIR
from rag.service import Service
from tests.support.openai_server import (
    Fault,
    OpenAIServer,
    is_rewrite,
    label_of,
    reply,
    user_message,
)
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

HAITI = "What did Ruto say about Haiti?"
FOLLOW_UP = "and what did he say about the police?"
RULES = "and what did Ruto say about the police?"
"""What the rules make of FOLLOW_UP after HAITI (they put the name for the pronoun)."""
REWRITTEN = "What did Ruto say about the Kenyan police mission in Haiti?"
SUPPORT_OFFICE = (
    "establishes a UN support office for the Multinational Security Support (MSS) mission in Haiti"
)


@pytest.fixture
def make_llm(
    make_service: Callable[..., Service], openai_server: OpenAIServer, examples_dir: Path
) -> Callable[[Callable[[dict[str, Any]], str]], Service]:
    """A service whose LLM rewrites follow-ups with `rewrite` and answers everything else."""

    def make(rewrite: Callable[[dict[str, Any]], str]) -> Service:
        def script(request: dict[str, Any]) -> str:
            if is_rewrite(request):
                return rewrite(request)
            return reply(
                "Ruto backed a UN support office [1].",
                (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE),
            )

        openai_server.script = script
        return make_service(
            data_dir=examples_dir,
            answerer="openai",
            llm_base_url=openai_server.base_url,
            llm_api_key="test-key",
            llm_model="scripted-model",
            llm_max_attempts=1,
        )

    return make


def rewrites(server: OpenAIServer) -> list[dict[str, Any]]:
    return [r for r in server.requests if is_rewrite(r)]


def test_the_llm_rewrites_a_follow_up(make_llm: Any, openai_server: OpenAIServer) -> None:
    service = make_llm(lambda request: REWRITTEN)

    query = service.conversation_query([HAITI, FOLLOW_UP])

    assert query.question == REWRITTEN
    (request,) = rewrites(openai_server)
    assert request["temperature"] == 0.0 and request["model"] == "scripted-model"
    message = user_message(request)
    assert f"1. {HAITI}" in message and FOLLOW_UP in message
    template = (PROMPTS_DIR / "follow_up.md").read_text(encoding="utf-8")
    assert message.startswith(template.split("$", 1)[0])  # the prompt file's text


def test_the_whole_conversation_is_given_oldest_first(
    make_llm: Any, openai_server: OpenAIServer
) -> None:
    service = make_llm(lambda request: REWRITTEN)
    service.conversation_query([HAITI, "and Biden?", FOLLOW_UP])

    message = user_message(rewrites(openai_server)[0])
    assert message.index(f"1. {HAITI}") < message.index("2. and Biden?") < message.index(FOLLOW_UP)


def test_one_question_asks_the_llm_nothing(make_llm: Any, openai_server: OpenAIServer) -> None:
    service = make_llm(lambda request: REWRITTEN)

    assert service.conversation_query([HAITI]).question == HAITI
    assert rewrites(openai_server) == []


def test_when_the_llm_fails_the_rules_rewrite(make_llm: Any, openai_server: OpenAIServer) -> None:
    service = make_llm(lambda request: REWRITTEN)
    openai_server.faults = [Fault("status", 503)]

    assert service.conversation_query([HAITI, FOLLOW_UP]).question == RULES
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize(
    "unusable",
    [
        "",
        "   ",
        "?!",
        "Sure! Here is the rewritten question:\nWhat did Ruto say about the police?",
        '{"question": "What did Ruto say about the police?"}',
        "Ruto said a great deal about Haiti and the police. " * 6,
        "What did Ruto say about the police? " + "x" * 2000,
    ],
    ids=["empty", "blank", "no-words", "chatter", "json", "an-answer", "too-long"],
)
def test_an_unusable_rewrite_falls_back_to_the_rules(make_llm: Any, unusable: str) -> None:
    service = make_llm(lambda request: unusable)

    assert service.conversation_query([HAITI, FOLLOW_UP]).question == RULES


def test_quotes_around_the_rewrite_are_dropped(make_llm: Any) -> None:
    service = make_llm(lambda request: f"“{REWRITTEN}”")

    assert service.conversation_query([HAITI, FOLLOW_UP]).question == REWRITTEN


def test_without_an_llm_the_rules_rewrite(examples_service: Service) -> None:
    assert examples_service.conversation_query([HAITI, FOLLOW_UP]).question == RULES


def test_chat_completions_answer_the_llms_rewrite(
    make_llm: Any, openai_server: OpenAIServer
) -> None:
    from rag.interfaces.api.app import create_app

    service = make_llm(lambda request: REWRITTEN)
    messages: Any = [
        {"role": "user", "content": HAITI},
        {"role": "assistant", "content": "Ruto backed a UN support office [1]."},
        {"role": "user", "content": FOLLOW_UP},
    ]
    with (
        running_app(create_app(service)) as base,
        openai.OpenAI(base_url=f"{base}/v1", api_key="k", max_retries=0) as client,
    ):
        completion = client.chat.completions.create(model="statements", messages=messages)

    assert completion.model_extra["statements"]["question"] == REWRITTEN  # type: ignore[index]
    assert len(rewrites(openai_server)) == 1
