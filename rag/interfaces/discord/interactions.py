"""The Discord bot over the Interactions endpoint (HTTP; no gateway connection): POST
/discord/interactions on the FastAPI app, when DISCORD_PUBLIC_KEY is set.

Each request's Ed25519 signature (`X-Signature-Ed25519` over `X-Signature-Timestamp` + body,
with the application's public key) is checked before anything else reads the body; a bad
one, or a timestamp more than 5 minutes off, is a 401. PING (type 1) is answered with PONG.
`/ask` is deferred at once (type 5: Discord shows "thinking…"), answered in the background
and completed with follow-up messages to the interaction's webhook (rag.interfaces.discord
.embeds). Refusals (allow-lists, rate limit) and bad options are answered at once, seen only
by the asker.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from rag.errors import InputError, UnauthenticatedError
from rag.interfaces.discord.commands import ASK
from rag.interfaces.discord.embeds import Message, answer_messages, message
from rag.interfaces.team_chat import Place, TeamChat
from rag.service import Service
from rag.settings import Settings
from rag.types import Filters

log = logging.getLogger(__name__)

INTERACTIONS_PATH = "/discord/interactions"
PING, APPLICATION_COMMAND = 1, 2
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE = 1, 4, 5
EPHEMERAL = 1 << 6
TIMESTAMP_TOLERANCE_SECONDS = 300
WEBHOOK_TIMEOUT_SECONDS = 10
UNKNOWN_COMMAND = "I only know /ask."


def verify(key: VerifyKey, timestamp: str, signature: str, body: bytes) -> None:
    """Discord's signature check; raises UnauthenticatedError when it fails."""
    try:
        key.verify(timestamp.encode() + body, bytes.fromhex(signature))
        fresh = abs(time.time() - int(timestamp)) <= TIMESTAMP_TOLERANCE_SECONDS
    except (BadSignatureError, ValueError):
        fresh = False
    if not fresh:
        raise UnauthenticatedError(
            "the request's Discord signature is missing, wrong or too old",
            hint="Discord signs every interaction with the application's key "
            "(DISCORD_PUBLIC_KEY); a timestamp must be within 5 minutes",
        )


class FollowUps:
    """Messages sent to an interaction's webhook (no bot token needed: the interaction's
    token is the credential, so URLs are never logged)."""

    def __init__(self, api_url: str, timeout: float = WEBHOOK_TIMEOUT_SECONDS) -> None:
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    def send(self, application_id: str, token: str, messages: Sequence[Message]) -> None:
        url = f"{self.api_url}/webhooks/{application_id}/{token}"
        with httpx.Client(timeout=self.timeout) as client:
            for body in messages:
                try:
                    response = client.post(url, json=body)
                except httpx.HTTPError as exc:
                    log.warning("cannot send a Discord follow-up: %s", type(exc).__name__)
                    return
                if response.is_error:
                    log.warning("Discord refused a follow-up: HTTP %s", response.status_code)
                    return


def _instant(text: str) -> dict[str, Any]:
    """An answer at once that only the asker sees."""
    return {"type": CHANNEL_MESSAGE, "data": {**message(text), "flags": EPHEMERAL}}


def _date(options: dict[str, Any], name: str) -> dt.date | None:
    value = options.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{name} must be a date like 2023-10-03", field=name) from None


def _place(payload: dict[str, Any]) -> Place:
    user = (payload.get("member") or {}).get("user") or payload.get("user") or {}
    channel = payload.get("channel") or {}
    return Place(
        "discord",
        str(payload.get("channel_id") or channel.get("id") or ""),
        str(user.get("id", "")),
        channel.get("name"),
    )


def install_discord(app: FastAPI, service: Service, settings: Settings) -> None:
    """The interactions route, when a public key is set (else nothing is added)."""
    if settings.discord_public_key is None:
        return
    key = VerifyKey(bytes.fromhex(settings.discord_public_key))
    chat = TeamChat(service, settings)
    follow_ups = FollowUps(settings.discord_api_url)
    router = APIRouter(tags=["discord"], include_in_schema=False)

    def complete(place: Place, question: str, given: Filters, app_id: str, token: str) -> None:
        reply = chat.answer(place, question, given=given)
        if reply.answer is None:
            messages = [message(reply.problem or "")]
        else:
            messages = answer_messages(reply.answer, reply.question, settings.public_base_url)
        follow_ups.send(app_id, token, messages)

    @router.post(INTERACTIONS_PATH)
    async def interactions(request: Request, background: BackgroundTasks) -> dict[str, Any]:
        body = await request.body()
        verify(
            key,
            request.headers.get("x-signature-timestamp", ""),
            request.headers.get("x-signature-ed25519", ""),
            body,
        )
        try:
            payload = json.loads(body)
        except ValueError:
            raise InputError("the interaction is not JSON", field="body") from None
        if payload.get("type") == PING:
            return {"type": PONG}
        data = payload.get("data") or {}
        if payload.get("type") != APPLICATION_COMMAND or data.get("name") != ASK:
            return _instant(UNKNOWN_COMMAND)
        options = {o.get("name"): o.get("value") for o in data.get("options") or []}
        place = _place(payload)
        try:
            given = Filters(
                speaker=options.get("speaker") or None,
                since=_date(options, "since"),
                until=_date(options, "until"),
            )
        except InputError as exc:
            return _instant(f"I can't ask that: {exc.message}.")
        refusal = chat.refusal(place)
        if refusal is not None:
            return _instant(refusal)
        background.add_task(
            complete,
            place,
            str(options.get("question") or ""),
            given,
            str(payload.get("application_id", "")),
            str(payload.get("token", "")),
        )
        return {"type": DEFERRED_CHANNEL_MESSAGE}

    app.include_router(router)
