"""The Slack app on slack-bolt: the listeners, and the same app for both transports (HTTP at
/slack/events and /slack/commands, and Socket Mode).

Bolt acknowledges at once and runs each listener in its thread pool, so Slack's 3-second
deadline is met however long the answer takes. Building the app calls nothing: the token is
checked (`auth.test`) on the first request, not at start-up, so a Slack that cannot be
reached never stops the service from starting. A delivery Slack retries (same `event_id`,
`X-Slack-Retry-Num`) is acknowledged and not answered again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from rag.errors import ConfigError
from rag.interfaces.slack.blocks import FEEDBACK_DOWN, FEEDBACK_UP
from rag.interfaces.slack.replies import Respond, SlackReplies
from rag.settings import Settings

log = logging.getLogger(__name__)

SLACK_TIMEOUT_SECONDS = 10
SEEN_EVENTS = 10_000
SEEN_SECONDS = 3600
"""Slack retries within minutes; an event id is remembered for an hour at most."""


class SeenEvents:
    """Event ids already taken, so a retried delivery is not answered twice."""

    def __init__(self, size: int = SEEN_EVENTS, seconds: float = SEEN_SECONDS) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._size, self._seconds = size, seconds
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self._size
                or now - next(iter(self._seen.values())) > self._seconds
            ):
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True


def web_client(settings: Settings) -> WebClient:
    if settings.slack_bot_token is None:
        raise ConfigError(
            "the Slack app needs a bot token",
            hint="set SLACK_BOT_TOKEN (xoxb-..., from the app's OAuth & Permissions page)",
        )
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(),
        base_url=settings.slack_api_url,
        timeout=SLACK_TIMEOUT_SECONDS,
    )


def build_app(replies: SlackReplies, settings: Settings) -> App:
    """The bolt app; requests over HTTP are also checked here, after the route's own check."""
    secret = settings.slack_signing_secret
    app = App(
        client=web_client(settings),
        signing_secret=secret.get_secret_value() if secret else "",
        request_verification_enabled=secret is not None,
        token_verification_enabled=False,
        process_before_response=False,
        logger=logging.getLogger("rag.slack.bolt"),
    )
    seen = SeenEvents()

    @app.middleware
    def once(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not seen.first_time(str(event_id)):
            log.info("Slack delivered event %s again; it was answered once", event_id)
            return BoltResponse(status=200, body="")
        return next()

    @app.event("app_mention")
    def on_mention(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        replies.mention(client, event, context.bot_user_id)

    @app.event("message")
    def on_message(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        replies.message(client, event, context.bot_user_id)

    @app.command(settings.slack_command)
    def on_command(
        ack: Callable[[], None], command: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        replies.command(client, command, respond)

    @app.action(FEEDBACK_UP)
    @app.action(FEEDBACK_DOWN)
    def on_feedback(ack: Callable[[], None], body: dict[str, Any], respond: Respond) -> None:
        ack()
        replies.feedback(body, respond)

    return app
