"""The Discord bot end to end: interactions signed with an Ed25519 key the test generates,
posted to the real FastAPI app under uvicorn; follow-ups sent to a local Discord API
(tests/support/discord_fake.py); the examples store, answered extractively. And `rag discord
register` against the same local API."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.interfaces.api.app import create_app
from rag.interfaces.cli import main
from rag.interfaces.discord import commands
from rag.interfaces.discord.interactions import EPHEMERAL
from rag.service import Service
from rag.settings import load_settings
from rag.wiring import build_service
from tests.support.discord_fake import FakeDiscord, Signer
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

APPLICATION = "1100000000000000001"
BASE_URL = "https://statements.example.org"
HAITI = "What did Ruto say about Haiti?"


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


@pytest.fixture(scope="module")
def discord() -> Iterator[FakeDiscord]:
    fake = FakeDiscord().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def service(
    examples_dir: Path,
    cache_dir: Path,
    embedder: SentenceTransformerEmbedder,
    signer: Signer,
    discord: FakeDiscord,
) -> Service:
    settings = load_settings(
        data_dir=examples_dir,
        cache_dir=cache_dir,
        _env_file=None,
        discord_public_key=signer.public_key,
        discord_api_url=discord.api_url,
        public_base_url=BASE_URL,
    )
    return build_service(settings, embedder=embedder)


@pytest.fixture(scope="module")
def base(service: Service) -> Iterator[str]:
    with running_app(create_app(service)) as url:
        yield url


def ask_body(question: str, **options: str) -> tuple[bytes, str]:
    token = f"interaction-token-{uuid.uuid4().hex}"
    body = {
        "type": 2,
        "id": "1200000000000000001",
        "application_id": APPLICATION,
        "token": token,
        "version": 1,
        "channel_id": "1300000000000000001",
        "channel": {"id": "1300000000000000001", "name": "kenya-desk", "type": 0},
        "guild_id": "1400000000000000001",
        "member": {"user": {"id": "1500000000000000001", "username": "alice"}},
        "data": {
            "id": "1600000000000000001",
            "name": "ask",
            "type": 1,
            "options": [
                {"name": name, "type": 3, "value": value}
                for name, value in {"question": question, **options}.items()
            ],
        },
    }
    return json.dumps(body).encode(), token


def send(base: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{base}/discord/interactions",
        content=body,
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def test_ping_is_answered_with_pong(base: str, signer: Signer) -> None:
    body = json.dumps({"type": 1, "id": "1", "application_id": APPLICATION, "token": "t"}).encode()
    response = send(base, body, signer.headers(body))
    assert response.status_code == 200 and response.json() == {"type": 1}


def test_ask_is_deferred_then_completed_with_an_embed_of_verified_quotes(
    base: str, signer: Signer, discord: FakeDiscord, service: Service
) -> None:
    body, token = ask_body(HAITI)
    started = time.monotonic()
    response = send(base, body, signer.headers(body))
    assert response.status_code == 200 and response.json() == {"type": 5}
    assert time.monotonic() - started < 3

    [message] = discord.wait_for(lambda: discord.follow_ups(token))
    assert message["allowed_mentions"] == {"parse": []}
    [embed] = message["embeds"]
    assert embed["title"] == HAITI and "\\[1\\]" in embed["description"]
    assert embed["fields"], "no sources"
    for field in embed["fields"]:
        assert "[open the quote](https://statements.example.org/?statement=" in field["value"]
    # every quote shown is the statement's text at the offsets the link carries
    for field in embed["fields"]:
        link = field["value"].split("[open the quote](")[1].rstrip(")")
        query = httpx.URL(link).params
        statement = service.get_statement(query["statement"])
        quote = statement.text[int(query["start"]) : int(query["end"])]
        shown = field["value"].split("”")[0].lstrip("“").replace("\\", "")
        assert shown.rstrip("…") in " ".join(quote.split())


def test_unanswerable_is_a_plain_decline(base: str, signer: Signer, discord: FakeDiscord) -> None:
    body, token = ask_body("What did Ruto say about cryptocurrency?", speaker="Ruto")
    assert send(base, body, signer.headers(body)).json() == {"type": 5}
    [message] = discord.wait_for(lambda: discord.follow_ups(token))
    [embed] = message["embeds"]
    assert embed["description"].startswith("The statements don't say")
    assert "fields" not in embed


def test_a_bad_option_is_answered_at_once_to_the_asker_only(base: str, signer: Signer) -> None:
    body, _ = ask_body(HAITI, since="last year")
    reply = send(base, body, signer.headers(body)).json()
    assert reply["type"] == 4 and reply["data"]["flags"] == EPHEMERAL
    assert "since must be a date" in reply["data"]["content"]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda s, b: (b, {**s.headers(b), "X-Signature-Ed25519": "00" * 64}), id="bad"
        ),
        pytest.param(lambda s, b: (b, Signer().headers(b)), id="another-key"),
        pytest.param(lambda s, b: (b.replace(b"Haiti", b"Kenya"), s.headers(b)), id="tampered"),
        pytest.param(lambda s, b: (b, s.headers(b, int(time.time()) - 600)), id="stale"),
        pytest.param(lambda s, b: (b, {}), id="unsigned"),
    ],
)
def test_bad_signatures_are_401_and_nothing_is_sent(
    base: str, signer: Signer, discord: FakeDiscord, spoil: Any
) -> None:
    body, token = ask_body(HAITI)
    body, headers = spoil(signer, body)
    response = send(base, body, headers)
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    time.sleep(0.3)
    assert discord.follow_ups(token) == []


def test_register_prints_the_command_and_sends_it_only_when_configured(
    discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_DISCORD_API_URL", discord.api_url)
    monkeypatch.chdir(Path(__file__).parent)  # no .env here
    assert main(["discord", "register"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == commands() and "not sent" in err
    assert not [r for r in discord.requests if r.method == "PUT"]

    monkeypatch.setenv("DISCORD_APPLICATION_ID", APPLICATION)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "bot-token-NEVER-SHOWN")
    assert main(["discord", "register"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == commands() and "registered with Discord: 1 command" in err
    [put] = [r for r in discord.requests if r.method == "PUT"]
    assert put.path == f"/api/v10/applications/{APPLICATION}/commands"
    assert put.headers["Authorization"] == "Bot bot-token-NEVER-SHOWN"
    assert put.body == commands()
    assert "NEVER-SHOWN" not in out + err
