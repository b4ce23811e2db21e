"""The Slack app end to end: the real slack_bolt app mounted on the real FastAPI app under
uvicorn, the real slack_sdk WebClient talking to a local Slack Web API (tests/support
/slack_fake.py), events and slash commands signed with Slack's v0 algorithm, Socket Mode
over a real WebSocket speaking the envelope protocol, on the examples store (real model,
real Chroma), answered extractively."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.evaluation.suite import load_suite
from rag.interfaces.api.app import create_app
from rag.interfaces.chat_text import quote_url
from rag.interfaces.slack import run_socket_mode
from rag.interfaces.slack.blocks import escape
from rag.interfaces.team_chat import NOT_ALLOWED_CHANNEL
from rag.service import Service
from rag.settings import Settings, load_settings
from rag.types import Citation
from rag.wiring import build_service
from tests.support.servers import free_port, running_app
from tests.support.slack_fake import (
    APP,
    TEAM,
    FakeSlack,
    SocketModeServer,
    event_body,
    signed_headers,
)

pytestmark = [pytest.mark.slow, pytest.mark.integration]

SECRET = "signing-secret-TOKEN-NEVER-SHOWN"
BOT_TOKEN = "xoxb-bot-TOKEN-NEVER-SHOWN"
APP_TOKEN = "xapp-app-TOKEN-NEVER-SHOWN"
BASE_URL = "https://statements.example.org"
GENERAL, KENYA, RANDOM, DM = "C0GENERAL", "C0KENYA", "C0RANDOM", "D0DM"
ALICE = "U0ALICE"
HAITI = "What did Ruto say about Haiti?"


@pytest.fixture(scope="module")
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(channel_names={GENERAL: "general", KENYA: "kenya-desk", RANDOM: "random"})
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def settings(
    examples_dir: Path, cache_dir: Path, slack: FakeSlack, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return load_settings(
        data_dir=examples_dir,
        cache_dir=cache_dir,
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        public_base_url=BASE_URL,
        feedback_log=tmp_path_factory.mktemp("feedback") / "feedback.jsonl",
        channel_defaults={"kenya-desk": {"speaker": "Ruto"}},
        allowed_channels=(GENERAL, "kenya-desk", DM),
        chat_rate_limit_per_minute=100,
    )


@pytest.fixture(scope="module")
def service(settings: Settings, embedder: SentenceTransformerEmbedder) -> Service:
    return build_service(settings, embedder=embedder)


@pytest.fixture(scope="module")
def base(service: Service) -> Iterator[str]:
    with running_app(create_app(service)) as url:
        yield url


def mention(
    slack: FakeSlack, channel: str, text: str, thread_ts: str | None = None
) -> dict[str, Any]:
    return slack.mention(channel, ALICE, text, thread_ts)


def post(base: str, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{base}{path}", content=body, headers=headers, timeout=30)


def send_event(base: str, body: bytes, **extra: str) -> httpx.Response:
    headers = {"Content-Type": "application/json", **signed_headers(SECRET, body), **extra}
    return post(base, "/slack/events", body, headers)


def command_body(slack: FakeSlack, channel: str, text: str) -> bytes:
    return urlencode(slack.command(channel, ALICE, text)).encode()


def send_command(base: str, body: bytes) -> httpx.Response:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signed_headers(SECRET, body),
    }
    return post(base, "/slack/commands", body, headers)


def section_texts(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def feedback_value(message: dict[str, Any]) -> dict[str, Any]:
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    value: dict[str, Any] = json.loads(actions["elements"][0]["value"])
    return value


def asked(message: dict[str, Any]) -> str:
    question: str = message["metadata"]["event_payload"]["question"]
    return question


def in_thread(
    slack: FakeSlack, channel: str, thread_ts: str, count: int = 1
) -> list[dict[str, Any]]:
    def found() -> list[dict[str, Any]]:
        answers = [m for m in slack.answers_in(channel, 1) if m.get("thread_ts") == thread_ts]
        return answers if len(answers) >= count else []

    result: list[dict[str, Any]] = slack.wait_for(found)
    return result


def assert_verified_quotes(service: Service, message: dict[str, Any]) -> None:
    """Every citation the answer carries is the statement's text at its offsets, and the
    Sources section shows that quote with a link to it highlighted on the web page."""
    value = feedback_value(message)
    sources = "\n".join(section_texts(message))
    assert value["c"], "no citations"
    for marker, i, start, end in value["c"]:
        statement_id = value["s"][i]
        quote = service.get_statement(statement_id).text[start:end]
        assert f"*[{marker}]* “{escape(' '.join(quote.split()))}”" in sources
        assert quote_url(BASE_URL, _citation(statement_id, start, end)) in sources, (
            "no link to the highlighted quote"
        )


def _citation(statement_id: str, start: int, end: int) -> Citation:
    return Citation(0, statement_id, "", start, end, "", None, None, None, None)


# ---- the Events API ----------------------------------------------------------------------


def test_url_verification_returns_the_challenge(base: str) -> None:
    body = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3g", "type": "url_verification"}
    ).encode()
    response = send_event(base, body)
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3g"}


def test_mention_is_answered_in_its_thread_with_verified_quotes_then_a_follow_up(
    base: str, slack: FakeSlack, service: Service
) -> None:
    question = mention(slack, GENERAL, HAITI)
    started = time.monotonic()
    response = send_event(base, event_body(question))
    assert response.status_code == 200 and time.monotonic() - started < 3

    [answer] = in_thread(slack, GENERAL, question["ts"])
    updates = [c for c in slack.of("chat.update") if c.args["ts"] == answer["ts"]]
    searching = next(
        c for c in slack.of("chat.postMessage") if c.args.get("thread_ts") == question["ts"]
    )
    assert "Searching the statements" in searching.args["text"] and updates
    assert asked(answer) == HAITI
    texts = section_texts(answer)
    assert "[1]" in texts[0] and "*Sources*" in texts
    assert_verified_quotes(service, answer)

    # a later message in the thread, without a mention, is a follow-up
    follow = slack.user_says(GENERAL, ALICE, "What about Biden?", thread_ts=question["ts"])
    assert send_event(base, event_body({**follow, "channel_type": "channel"})).status_code == 200
    answers = in_thread(slack, GENERAL, question["ts"], count=2)
    assert asked(answers[-1]) == "What did Biden say about Haiti?"
    assert_verified_quotes(service, answers[-1])


def test_messages_outside_the_apps_threads_are_left_alone(base: str, slack: FakeSlack) -> None:
    chatter = slack.user_says(GENERAL, ALICE, "lunch at noon?")
    reply = slack.user_says(GENERAL, ALICE, "and what about DRC?", thread_ts=chatter["ts"])
    send_event(base, event_body({**chatter, "channel_type": "channel"}))
    send_event(base, event_body({**reply, "channel_type": "channel"}))
    slack.wait_for(
        lambda: [c for c in slack.of("conversations.replies") if c.args["ts"] == chatter["ts"]]
    )
    time.sleep(0.3)
    posted = [c for c in slack.of("chat.postMessage") if c.args.get("thread_ts") == chatter["ts"]]
    assert posted == []


def test_slash_command_answers_in_the_channel_with_the_question_above(
    base: str, slack: FakeSlack, service: Service
) -> None:
    started = time.monotonic()
    response = send_command(base, command_body(slack, GENERAL, "What did Biden and Ruto discuss?"))
    assert response.status_code == 200 and time.monotonic() - started < 3

    def top_level() -> list[dict[str, Any]]:
        return [
            m
            for m in slack.answers_in(GENERAL)
            if not m.get("thread_ts") and "discuss" in json.dumps(m.get("blocks"))
        ]

    [answer] = slack.wait_for(top_level)
    context = answer["blocks"][0]["elements"][0]["text"]
    assert context == f"<@{ALICE}> asked: _What did Biden and Ruto discuss?_"
    assert_verified_quotes(service, answer)


def test_direct_message_is_answered_and_followed_up(base: str, slack: FakeSlack) -> None:
    first = slack.user_says(DM, ALICE, HAITI)
    send_event(base, event_body({**first, "channel_type": "im"}))
    [answer] = slack.answers_in(DM)
    assert "thread_ts" not in answer and asked(answer) == HAITI
    again = slack.user_says(DM, ALICE, "And in 2024?")
    send_event(base, event_body({**again, "channel_type": "im"}))
    answers = slack.answers_in(DM, 2)
    assert asked(answers[-1]) == "What did Ruto say about Haiti in 2024?"


def test_unanswerable_is_a_plain_decline(base: str, slack: FakeSlack) -> None:
    question = mention(slack, GENERAL, "What did Ruto say about cryptocurrency?")
    send_event(base, event_body(question))
    [answer] = in_thread(slack, GENERAL, question["ts"])
    texts = section_texts(answer)
    assert texts[0].startswith("The statements don't say")
    assert "*Sources*" not in texts
    assert any(b["type"] == "actions" for b in answer["blocks"])


def test_channel_defaults_apply_and_feedback_is_logged_as_a_suite(
    base: str, slack: FakeSlack, settings: Settings, service: Service
) -> None:
    question = mention(slack, KENYA, "What was said about Haiti?")
    send_event(base, event_body(question))
    [answer] = in_thread(slack, KENYA, question["ts"])
    value = feedback_value(answer)
    assert value["f"] == {"speaker": "Ruto"}

    actions = next(b for b in answer["blocks"] if b["type"] == "actions")
    response_url = slack.response_url()
    payload = {
        "type": "block_actions",
        "user": {"id": ALICE},
        "team": {"id": TEAM},
        "api_app_id": APP,
        "channel": {"id": KENYA},
        "container": {"type": "message", "message_ts": answer["ts"], "channel_id": KENYA},
        "message": answer,
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [
            {**actions["elements"][0], "block_id": "feedback", "action_ts": str(time.time())}
        ],
    }
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(SECRET, body)}
    assert post(base, "/slack/events", body, headers).status_code == 200
    slack.wait_for(lambda: [r for r in slack.responses if "👍" in r.get("text", "")])

    [entry] = [json.loads(line) for line in settings.feedback_path.read_text().splitlines()]
    assert entry["verdict"] == "up" and entry["question"] == "What was said about Haiti?"
    assert entry["filters"] == {"speaker": "Ruto"} and entry["user"] == ALICE
    for c in entry["citations"]:
        assert c["quote"] == service.get_statement(c["statement_id"]).text[c["start"] : c["end"]]
    suite = load_suite(settings.feedback_path)
    [case] = suite.cases
    assert case.question == entry["question"] and case.filters.speaker == "Ruto"
    assert set(case.gold_doc_ids) == {c["statement_id"] for c in entry["citations"]}


def test_a_channel_off_the_allow_list_gets_only_a_private_note(base: str, slack: FakeSlack) -> None:
    question = mention(slack, RANDOM, HAITI)
    send_event(base, event_body(question))
    note = slack.wait_for(
        lambda: [c for c in slack.of("chat.postEphemeral") if c.args["channel"] == RANDOM]
    )
    assert note[0].args["user"] == ALICE and note[0].args["text"] == NOT_ALLOWED_CHANNEL
    assert not [c for c in slack.of("chat.postMessage") if c.args["channel"] == RANDOM]


# ---- refused, retried -------------------------------------------------------------------


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda body, h: (body, {**h, "X-Slack-Signature": "v0=" + "0" * 64}), id="bad-signature"
        ),
        pytest.param(
            lambda body, h: (body, signed_headers(SECRET, body, int(time.time()) - 6 * 60)),
            id="stale-timestamp",
        ),
        pytest.param(lambda body, h: (body.replace(b"Haiti", b"Kenya"), h), id="tampered-body"),
        pytest.param(lambda body, h: (body, {}), id="unsigned"),
    ],
)
def test_bad_requests_are_401_and_never_answered(base: str, slack: FakeSlack, spoil: Any) -> None:
    question = mention(slack, GENERAL, HAITI)
    body = event_body(question)
    body, headers = spoil(body, signed_headers(SECRET, body))
    calls = len(slack.calls)
    response = post(base, "/slack/events", body, {"Content-Type": "application/json", **headers})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    time.sleep(0.3)
    assert len(slack.calls) == calls
    assert not [
        c for c in slack.of("chat.postMessage") if c.args.get("thread_ts") == question["ts"]
    ]


def test_a_retried_event_is_answered_once(base: str, slack: FakeSlack) -> None:
    question = mention(slack, GENERAL, HAITI)
    body = event_body(question, event_id="Ev0RETRIED")
    assert send_event(base, body).status_code == 200
    retry = send_event(
        base, body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    assert retry.status_code == 200
    in_thread(slack, GENERAL, question["ts"])
    time.sleep(0.3)
    posted = [c for c in slack.of("chat.postMessage") if c.args.get("thread_ts") == question["ts"]]
    assert len(posted) == 1


def test_tokens_never_reach_logs_or_slack(
    base: str, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    question = mention(slack, GENERAL, HAITI)
    send_event(base, event_body(question))
    in_thread(slack, GENERAL, question["ts"])
    assert caplog.records, "nothing was logged at DEBUG: the check would prove nothing"
    said = caplog.text + json.dumps([c.args for c in slack.calls])
    for token in (BOT_TOKEN, APP_TOKEN, SECRET, "TOKEN-NEVER-SHOWN"):
        assert token not in said


# ---- Socket Mode --------------------------------------------------------------------------


def test_socket_mode_acknowledges_envelopes_and_answers(
    slack: FakeSlack, service: Service, settings: Settings
) -> None:
    server = SocketModeServer().start()
    slack.socket_url = server.url
    stop = threading.Event()
    runner = threading.Thread(target=run_socket_mode, args=(service, settings, stop), daemon=True)
    runner.start()
    try:
        server.wait_connected()
        question = mention(slack, GENERAL, HAITI)
        payload = json.loads(event_body(question, event_id="Ev0SOCKET"))
        envelope, sent = server.send("events_api", payload)
        acked, _ = server.ack_of(envelope)
        assert acked - sent < 3
        server.send("events_api", payload, retry_attempt=1)  # the same event again
        [answer] = in_thread(slack, GENERAL, question["ts"])
        assert asked(answer) == HAITI

        command = slack.command(GENERAL, ALICE, "What did Ruto say about the UN support office?")
        envelope, sent = server.send("slash_commands", command)
        acked, _ = server.ack_of(envelope)
        assert acked - sent < 3
        slack.wait_for(
            lambda: [
                m
                for m in slack.answers_in(GENERAL)
                if "support office" in json.dumps(m.get("blocks"))
            ]
        )
        time.sleep(0.3)
        posted = [
            c for c in slack.of("chat.postMessage") if c.args.get("thread_ts") == question["ts"]
        ]
        assert len(posted) == 1
    finally:
        stop.set()
        runner.join(timeout=10)
        server.stop()


# ---- start-up ------------------------------------------------------------------------------


def test_the_service_starts_and_answers_when_slack_cannot_be_reached(
    examples_dir: Path, cache_dir: Path, embedder: SentenceTransformerEmbedder
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/"
    settings = load_settings(
        data_dir=examples_dir,
        cache_dir=cache_dir,
        _env_file=None,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=nowhere + "api/",
        discord_public_key="0" * 64,
        discord_api_url=nowhere + "api/v10",
    )
    service = build_service(settings, embedder=embedder)
    with running_app(create_app(service)) as url:
        answer = httpx.post(f"{url}/v1/ask", json={"question": HAITI}, timeout=60)
        assert answer.status_code == 200 and answer.json()["answerable"]
    stop = threading.Event()
    runner = threading.Thread(target=run_socket_mode, args=(service, settings, stop), daemon=True)
    runner.start()
    time.sleep(0.3)
    stop.set()
    runner.join(timeout=10)
    assert not runner.is_alive()
