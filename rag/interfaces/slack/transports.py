"""The Slack app's two transports.

HTTP (the Events API): POST /slack/events and POST /slack/commands on the FastAPI app, when
SLACK_SIGNING_SECRET is set. Each request's v0 signature (HMAC-SHA256 of `v0:timestamp:body`
with the signing secret, timestamp within 5 minutes) is checked before anything else reads
the body; a bad or stale one is a 401 and nothing is answered. Then bolt handles it
(`url_verification` included) in the threadpool.

Socket Mode (`rag slack`): the app opens a WebSocket to Slack (SLACK_APP_TOKEN), so no public
URL is needed; Slack sends the same events over it and bolt acknowledges each envelope.
"""

from __future__ import annotations

import logging
import threading

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier

from rag.errors import ConfigError, UnauthenticatedError
from rag.evaluation.feedback import FeedbackLog
from rag.interfaces.slack.bolt_app import build_app, web_client
from rag.interfaces.slack.replies import SlackReplies, slack_error
from rag.interfaces.team_chat import TeamChat
from rag.service import Service
from rag.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH, COMMANDS_PATH = "/slack/events", "/slack/commands"
RECONNECT_FIRST_SECONDS, RECONNECT_MAX_SECONDS = 2.0, 60.0


def slack_app(service: Service, settings: Settings) -> App:
    chat = TeamChat(service, settings)
    return build_app(SlackReplies(chat, FeedbackLog(settings.feedback_path)), settings)


def install_slack(app: FastAPI, service: Service, settings: Settings) -> None:
    """The Events API routes, when a signing secret is set (else nothing is added)."""
    if settings.slack_signing_secret is None:
        return
    verifier = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
    bolt = slack_app(service, settings)
    router = APIRouter(tags=["slack"], include_in_schema=False)

    async def handle(request: Request) -> Response:
        body = await request.body()
        if not _signed(verifier, request, body):
            raise UnauthenticatedError(
                "the request's Slack signature is missing, wrong or too old",
                hint="Slack signs every request with the app's signing secret "
                "(SLACK_SIGNING_SECRET); a timestamp must be within 5 minutes",
            )
        bolt_response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    router.add_api_route(EVENTS_PATH, handle, methods=["POST"])
    router.add_api_route(COMMANDS_PATH, handle, methods=["POST"])
    app.include_router(router)


def _signed(verifier: SignatureVerifier, request: Request, body: bytes) -> bool:
    try:
        return verifier.is_valid(
            body=body,
            timestamp=request.headers.get("x-slack-request-timestamp", ""),
            signature=request.headers.get("x-slack-signature", ""),
        )
    except ValueError:  # a timestamp that is not a number
        return False


def check_socket_mode(settings: Settings) -> str:
    """The app-level token, or a ConfigError saying which setting is missing."""
    web_client(settings)  # the bot token
    if settings.slack_app_token is None:
        raise ConfigError(
            "Socket Mode needs an app-level token",
            hint="set SLACK_APP_TOKEN (xapp-..., Basic Information > App-Level Tokens, "
            "scope connections:write)",
        )
    return settings.slack_app_token.get_secret_value()


def socket_mode(service: Service, settings: Settings) -> SocketModeHandler:
    """The Socket Mode connection (not yet opened: `connect()` or `start()` it)."""
    app_token = check_socket_mode(settings)
    return SocketModeHandler(slack_app(service, settings), app_token)


def run_socket_mode(service: Service, settings: Settings, stop: threading.Event) -> None:
    """Connect and serve until `stop` is set. While Slack cannot be reached, connecting is
    retried (with a growing wait) and logged; once connected, the client reconnects itself."""
    handler = socket_mode(service, settings)
    wait = RECONNECT_FIRST_SECONDS
    try:
        while not stop.is_set():
            try:
                handler.connect()  # type: ignore[no-untyped-call]
                break
            except Exception as exc:  # unreachable, refused, a bad token: said and retried
                log.warning(
                    "cannot connect to Slack (%s); retrying in %.0f s", slack_error(exc), wait
                )
                stop.wait(wait)
                wait = min(wait * 2, RECONNECT_MAX_SECONDS)
        stop.wait()
    finally:
        handler.close()  # type: ignore[no-untyped-call]
