"""Slack and Discord with an LLM answering (the real `openai` client against a local
OpenAI-compatible server with scripted replies): acknowledged within Slack's and Discord's
3 seconds while the answer takes 10; the trust rules of /v1/ask (an injected instruction
never reaches the channel; an LLM outage degrades, or is a short message when set to fail).

The store holds the seed statement and a statement carrying injected instructions (the one
tests/integration/test_prompt_injection.py uses)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_sdk import WebClient

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.evaluation.feedback import FeedbackLog
from rag.ingest import load_paths, statement_from_record
from rag.interfaces.api.app import create_app
from rag.interfaces.slack import run_socket_mode
from rag.interfaces.slack.replies import SlackReplies
from rag.interfaces.team_chat import LLM_FAILED, TeamChat
from rag.service import Service
from rag.settings import Settings, load_settings
from rag.wiring import build_service
from tests.integration.test_prompt_injection import BAD_WORDS, INJECTED, OBEY, SUPPORT_OFFICE
from tests.support.discord_fake import FakeDiscord, Signer
from tests.support.openai_server import Fault, OpenAIServer, label_of, reply
from tests.support.servers import running_app
from tests.support.slack_fake import (
    BOT_USER,
    FakeSlack,
    SocketModeServer,
    event_body,
    signed_headers,
)

pytestmark = [pytest.mark.slow, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
SECRET = "signing-secret"
GENERAL = "C0GENERAL"
ALICE = "U0ALICE"
HAITI = "What did Ruto say about Haiti?"
GOOD = "Ruto backed a UN support office for the MSS mission in Haiti [1]."
SLOW_SECONDS = 10.0


def good(request: dict[str, Any]) -> str:
    return reply(GOOD, (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE))


def obeys_the_injection(request: dict[str, Any]) -> str:
    return reply("Haiti is fine [1].", (label_of(request, OBEY), OBEY))


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, embedder: SentenceTransformerEmbedder
) -> Path:
    data_dir = tmp_path_factory.mktemp("chat-llm") / "data"
    settings = load_settings(data_dir=data_dir, cache_dir=cache_dir, _env_file=None)
    build_service(settings, embedder=embedder).ingest(
        [
            *load_paths([REPO / "tests" / "fixtures" / "ruto-rubio-call.md"]),
            statement_from_record(INJECTED, "test"),
        ]
    )
    return data_dir


@pytest.fixture(scope="module")
def llm() -> Iterator[OpenAIServer]:
    server = OpenAIServer(script=good).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(channel_names={GENERAL: "general"}).start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


def llm_settings(library: Path, cache_dir: Path, llm: OpenAIServer, **more: Any) -> Settings:
    return load_settings(
        data_dir=library,
        cache_dir=cache_dir,
        _env_file=None,
        answerer="openai",
        llm_base_url=llm.base_url,
        llm_api_key="test-key",
        llm_model="scripted-model",
        llm_timeout_seconds=30,
        llm_max_attempts=1,
        llm_breaker_failures=100,
        **more,
    )


@pytest.fixture(scope="module")
def settings(
    library: Path,
    cache_dir: Path,
    llm: OpenAIServer,
    slack: FakeSlack,
    discord: FakeDiscord,
    signer: Signer,
) -> Settings:
    return llm_settings(
        library,
        cache_dir,
        llm,
        slack_bot_token="xoxb-test",
        slack_app_token="xapp-test",
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        discord_public_key=signer.public_key,
        discord_api_url=discord.api_url,
        chat_rate_limit_per_minute=0,
    )


@pytest.fixture(scope="module")
def service(settings: Settings, embedder: SentenceTransformerEmbedder) -> Service:
    return build_service(settings, embedder=embedder)


@pytest.fixture(scope="module")
def base(service: Service) -> Iterator[str]:
    with running_app(create_app(service)) as url:
        yield url


def signed_post(base: str, path: str, body: bytes, content_type: str) -> httpx.Response:
    headers = {"Content-Type": content_type, **signed_headers(SECRET, body)}
    return httpx.post(f"{base}{path}", content=body, headers=headers, timeout=30)


def thread_answer(slack: FakeSlack, ts: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = slack.wait_for(
        lambda: [m for m in slack.answers_in(GENERAL) if m.get("thread_ts") == ts], timeout=60
    )
    return found[0]


def slack_text(message: dict[str, Any]) -> str:
    return " ".join(
        b["text"]["text"] if "text" in b else json.dumps(b.get("elements", ""))
        for b in message["blocks"]
    )


def test_acknowledged_within_3_s_while_the_answer_takes_10(
    base: str,
    slack: FakeSlack,
    discord: FakeDiscord,
    signer: Signer,
    llm: OpenAIServer,
    service: Service,
    settings: Settings,
) -> None:
    """Slack over HTTP (a mention and the slash command), Slack over Socket Mode and Discord,
    all at once, so the slow answers overlap."""
    socket = SocketModeServer().start()
    slack.socket_url = socket.url
    stop = threading.Event()
    runner = threading.Thread(target=run_socket_mode, args=(service, settings, stop), daemon=True)
    runner.start()
    socket.wait_connected()
    llm.fault = Fault("hang", seconds=SLOW_SECONDS)
    try:
        started = time.monotonic()
        took = {}

        mention = slack.mention(GENERAL, ALICE, HAITI)
        at = time.monotonic()
        assert signed_post(
            base, "/slack/events", event_body(mention), "application/json"
        ).is_success
        took["slack event"] = time.monotonic() - at

        command = urlencode(slack.command(GENERAL, ALICE, "What did Ruto say on Haiti?")).encode()
        at = time.monotonic()
        response = signed_post(
            base, "/slack/commands", command, "application/x-www-form-urlencoded"
        )
        assert response.is_success
        took["slack command"] = time.monotonic() - at

        by_socket = slack.mention(GENERAL, ALICE, "What did Ruto say about the MSS mission?")
        envelope, sent = socket.send("events_api", json.loads(event_body(by_socket)))
        took["socket mode"] = socket.ack_of(envelope)[0] - sent

        body = json.dumps(
            {
                "type": 2,
                "application_id": "1",
                "token": "slow-token",
                "channel_id": "2",
                "member": {"user": {"id": "3"}},
                "data": {"name": "ask", "options": [{"name": "question", "value": HAITI}]},
            }
        ).encode()
        at = time.monotonic()
        response = httpx.post(
            f"{base}/discord/interactions",
            content=body,
            headers={"Content-Type": "application/json", **signer.headers(body)},
            timeout=30,
        )
        took["discord"] = time.monotonic() - at
        assert response.json() == {"type": 5}

        assert all(seconds < 3 for seconds in took.values()), took

        answers = [thread_answer(slack, mention["ts"]), thread_answer(slack, by_socket["ts"])]
        answers += slack.wait_for(
            lambda: [m for m in slack.answers_in(GENERAL) if "on Haiti" in json.dumps(m)],
            timeout=60,
        )
        [follow_up] = discord.wait_for(lambda: discord.follow_ups("slow-token"), timeout=60)
        assert time.monotonic() - started >= SLOW_SECONDS  # the answers did wait for the LLM
        for answer in answers:
            assert "UN support office" in slack_text(answer)
        assert "UN support office" in follow_up["embeds"][0]["description"]
    finally:
        llm.fault = None
        stop.set()
        runner.join(timeout=10)
        socket.stop()


def test_an_answer_obeying_an_injected_instruction_never_reaches_the_channel(
    base: str, slack: FakeSlack, llm: OpenAIServer, service: Service
) -> None:
    llm.script = obeys_the_injection
    try:
        mention = slack.mention(GENERAL, ALICE, HAITI)
        signed_post(base, "/slack/events", event_body(mention), "application/json")
        answer = thread_answer(slack, mention["ts"])
    finally:
        llm.script = good
    text = slack_text(answer)
    for bad in BAD_WORDS:
        assert bad.lower() not in text.lower()
    assert OBEY not in text and "[1]" in text  # the extractive answer, cited, in its place
    assert "failed the checks" in text


def test_an_llm_outage_degrades_to_the_quoted_answer(
    base: str, slack: FakeSlack, llm: OpenAIServer
) -> None:
    llm.fault = Fault("status", status=503)
    try:
        mention = slack.mention(GENERAL, ALICE, HAITI)
        signed_post(base, "/slack/events", event_body(mention), "application/json")
        answer = thread_answer(slack, mention["ts"])
    finally:
        llm.fault = None
    text = slack_text(answer)
    assert "The language model could not answer" in text and "[1]" in text


def test_an_llm_outage_set_to_fail_is_a_short_message(
    library: Path,
    cache_dir: Path,
    llm: OpenAIServer,
    slack: FakeSlack,
    embedder: SentenceTransformerEmbedder,
    tmp_path: Path,
) -> None:
    settings = llm_settings(library, cache_dir, llm, llm_on_failure="error")
    replies = SlackReplies(
        TeamChat(build_service(settings, embedder=embedder), settings),
        FeedbackLog(tmp_path / "feedback.jsonl"),
    )
    client = WebClient(token="xoxb-test", base_url=slack.api_url)
    llm.fault = Fault("status", status=503)
    try:
        mention = slack.mention(GENERAL, ALICE, HAITI)
        replies.mention(client, mention, BOT_USER)  # synchronously, as bolt's worker would
    finally:
        llm.fault = None
    answer = thread_answer(slack, mention["ts"])
    assert answer["text"] == LLM_FAILED
    assert "Traceback" not in json.dumps(answer)
