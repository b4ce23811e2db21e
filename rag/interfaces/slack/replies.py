"""Questions asked in Slack, answered in Slack: a mention, a direct message, a message in a
thread the app has answered in, the slash command; and the 👍/👎 on an answer.

Each question is answered the same way: "Searching the statements…" is posted at once (in
the thread), then replaced (`chat.update`) by the answer in Block Kit (rag.interfaces.slack
.blocks). The answer message carries, as Slack message metadata, the standalone question it
answered; a later message in the thread is read against it (rag.question.conversation), so "and what
about DRC?" after "What did Ruto say about Haiti?" asks about Ruto and DRC. Nothing is kept
in memory between questions: the thread is the conversation.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from rag.errors import NotFoundError, RagError
from rag.evaluation.feedback import (
    Feedback,
    FeedbackCitation,
    FeedbackLog,
    Verdict,
    filters_of,
)
from rag.interfaces.slack.blocks import (
    FEEDBACK_UP,
    SlackMessage,
    answer_messages,
    escape,
    status,
)
from rag.interfaces.team_chat import SEARCHING, Place, Reply, TeamChat, problem_text

log = logging.getLogger(__name__)

ANSWER_EVENT = "statements_answer"
"""The metadata event type on an answer message: its payload holds the question answered."""
FEEDBACK_VALUE_LIMIT = 2000
"""Slack's limit on a button's value."""
THREAD_PAGES = 10
HISTORY_MESSAGES = 20
CANNOT_POST = "I can't post in this channel: invite me first (/invite @Statements)."
THANKS = {"up": "Thanks: your 👍 is recorded.", "down": "Thanks: your 👎 is recorded."}

_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<![^>]*>")

Respond = Callable[..., Any]


def plain_question(text: str, bot_user_id: str | None) -> str:
    """A Slack message's text as the question it asks: the app's mention removed, other
    mentions, channels and links as their labels, Slack's escapes undone."""
    text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else "@someone", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = _SPECIAL.sub("", text)
    return " ".join(html.unescape(text).split())


def mentions(text: str, bot_user_id: str | None) -> bool:
    return bool(bot_user_id) and any(m.group(1) == bot_user_id for m in _MENTION.finditer(text))


class SlackReplies:
    def __init__(self, chat: TeamChat, feedback_log: FeedbackLog) -> None:
        self.chat = chat
        self.feedback_log = feedback_log
        self.base_url = chat.settings.public_base_url
        self._channel_names: dict[str, str | None] = {}

    # ---- what arrives -------------------------------------------------------------------

    def mention(self, client: WebClient, event: dict[str, Any], bot_user_id: str | None) -> None:
        """@app in a channel: answered in the message's thread."""
        thread = event.get("thread_ts")
        earlier = self._thread_question(client, event["channel"], thread) if thread else None
        self._ask(
            client,
            self._place(client, event["channel"], event.get("user", "")),
            plain_question(event.get("text", ""), bot_user_id),
            thread_ts=thread or event["ts"],
            earlier=earlier,
        )

    def message(self, client: WebClient, event: dict[str, Any], bot_user_id: str | None) -> None:
        """A direct message, or a message in a thread the app answered in; other messages,
        and those that mention the app (the mention is answered), are left alone."""
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        text, channel = event.get("text", ""), event["channel"]
        thread = event.get("thread_ts")
        if event.get("channel_type") == "im":
            earlier = (
                self._thread_question(client, channel, thread)
                if thread
                else self._recent_question(client, channel)
            )
        elif thread and not mentions(text, bot_user_id):
            earlier = self._thread_question(client, channel, thread)
            if earlier is None:
                return  # a thread the app has not answered in
        else:
            return
        self._ask(
            client,
            self._place(client, channel, event["user"]),
            plain_question(text, bot_user_id),
            thread_ts=thread,
            earlier=earlier,
        )

    def command(self, client: WebClient, command: dict[str, Any], respond: Respond) -> None:
        """The slash command: answered in the channel, the question shown above the answer."""
        question = " ".join(str(command.get("text", "")).split())
        place = Place(
            "slack", command["channel_id"], command["user_id"], command.get("channel_name")
        )
        asked = f"<@{command['user_id']}> asked: _{escape(question)}_"
        self._ask(client, place, question, thread_ts=None, asked=asked, respond=respond)

    def feedback(self, body: dict[str, Any], respond: Respond) -> None:
        """👍/👎: the verdict, with the question, answer and citations, to the feedback log."""
        action = body["actions"][0]
        verdict: Verdict = "up" if action["action_id"] == FEEDBACK_UP else "down"
        value = json.loads(action["value"])
        message = body.get("message") or {}
        entry = Feedback(
            verdict=verdict,
            question=value["q"],
            answerable=bool(value["a"]),
            answer=html.unescape(message.get("text", "")),
            citations=tuple(
                self._feedback_citation(marker, value["s"][i], start, end)
                for marker, i, start, end in value["c"]
            ),
            platform="slack",
            channel=(body.get("channel") or {}).get("id", ""),
            user=(body.get("user") or {}).get("id", ""),
            filters=value.get("f") or {},
        )
        try:
            self.feedback_log.append(entry)
        except RagError as exc:
            log.error("feedback not recorded: %s", exc)
            respond(
                text="Sorry, your feedback could not be recorded.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        respond(text=THANKS[verdict], response_type="ephemeral", replace_original=False)

    # ---- answering ----------------------------------------------------------------------

    def _ask(
        self,
        client: WebClient,
        place: Place,
        question: str,
        *,
        thread_ts: str | None,
        earlier: str | None = None,
        asked: str | None = None,
        respond: Respond | None = None,
    ) -> None:
        refusal = self.chat.refusal(place)
        if refusal is not None:
            self._tell(client, place, refusal, thread_ts, respond)
            return
        try:
            searching = status(SEARCHING, question)
            posted = client.chat_postMessage(
                channel=place.channel,
                thread_ts=thread_ts,
                text=searching.text,
                blocks=list(searching.blocks),
            )
        except SlackClientError as exc:
            log.warning("cannot post in Slack channel %s: %s", place.channel, slack_error(exc))
            if respond is not None:
                respond(text=CANNOT_POST, response_type="ephemeral")
            return
        ts = str(posted["ts"])
        reply = self.chat.answer(place, question, earlier)
        try:
            self._show(client, place.channel, ts, thread_ts or ts, reply, asked)
        except SlackClientError as exc:
            log.error("cannot show an answer in Slack: %s", slack_error(exc))
            self._update(client, place.channel, ts, status(problem_text(exc)))

    def _show(
        self,
        client: WebClient,
        channel: str,
        ts: str,
        thread_ts: str,
        reply: Reply,
        asked: str | None,
    ) -> None:
        if reply.answer is None:
            self._update(client, channel, ts, status(reply.problem or "", reply.question))
            return
        messages = answer_messages(
            reply.answer, base_url=self.base_url, asked=asked, feedback=_feedback_value(reply)
        )
        metadata = {"event_type": ANSWER_EVENT, "event_payload": {"question": reply.question}}
        self._update(client, channel, ts, messages[0], metadata)
        for more in messages[1:]:
            client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=more.text, blocks=list(more.blocks)
            )

    def _update(
        self,
        client: WebClient,
        channel: str,
        ts: str,
        message: SlackMessage,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        client.chat_update(
            channel=channel,
            ts=ts,
            text=message.text,
            blocks=list(message.blocks),
            metadata=metadata,
        )

    def _tell(
        self,
        client: WebClient,
        place: Place,
        text: str,
        thread_ts: str | None,
        respond: Respond | None,
    ) -> None:
        """A message only the asker sees (refusals: allow-lists, rate limit)."""
        try:
            if respond is not None:
                respond(text=text, response_type="ephemeral")
            else:
                client.chat_postEphemeral(
                    channel=place.channel, user=place.user, text=escape(text), thread_ts=thread_ts
                )
        except SlackClientError as exc:
            log.warning("cannot tell a Slack user why: %s", slack_error(exc))

    # ---- reading the conversation ---------------------------------------------------------

    def _thread_question(self, client: WebClient, channel: str, thread_ts: str) -> str | None:
        """The question the thread's latest answer answered, or None (not the app's thread)."""
        question, cursor = None, None
        for _ in range(THREAD_PAGES):
            try:
                page = client.conversations_replies(
                    channel=channel,
                    ts=thread_ts,
                    include_all_metadata=True,
                    cursor=cursor,
                    limit=200,
                )
            except SlackClientError as exc:
                log.warning("cannot read a Slack thread: %s", slack_error(exc))
                return question
            messages: list[dict[str, Any]] = page.get("messages", [])
            for m in messages:
                question = _answered(m) or question
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return question

    def _recent_question(self, client: WebClient, channel: str) -> str | None:
        """In a direct message: the question of the app's latest answer there."""
        try:
            page = client.conversations_history(
                channel=channel, include_all_metadata=True, limit=HISTORY_MESSAGES
            )
        except SlackClientError as exc:
            log.warning("cannot read a Slack conversation: %s", slack_error(exc))
            return None
        messages: list[dict[str, Any]] = page.get("messages", [])
        return next((q for m in messages if (q := _answered(m))), None)

    def _place(self, client: WebClient, channel: str, user: str) -> Place:
        name = self._channel_name(client, channel) if self.chat.needs_channel_name() else None
        return Place("slack", channel, user, name)

    def _channel_name(self, client: WebClient, channel: str) -> str | None:
        if channel not in self._channel_names:
            try:
                info = client.conversations_info(channel=channel)
                self._channel_names[channel] = (info.get("channel") or {}).get("name")
            except SlackClientError as exc:
                log.warning(
                    "cannot read the name of Slack channel %s: %s", channel, slack_error(exc)
                )
                return None
        return self._channel_names[channel]

    def _feedback_citation(
        self, marker: int, statement_id: str, start: int, end: int
    ) -> FeedbackCitation:
        try:
            text: str | None = self.chat.service.get_statement(statement_id).text[start:end]
        except NotFoundError:
            text = None
        return FeedbackCitation(marker, statement_id, start, end, text)


def _answered(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != ANSWER_EVENT:
        return None
    question = (metadata.get("event_payload") or {}).get("question")
    return question if isinstance(question, str) and question.strip() else None


def _feedback_value(reply: Reply) -> str:
    """What the 👍/👎 buttons carry (Slack allows 2,000 characters): the question, its
    filters, whether it was answered, and each citation as (marker, index into the cited
    statement ids, start, end); the quotes are read back from the store when the verdict
    comes. Citations that do not fit are left out, the last first."""
    assert reply.answer is not None
    ids = list(dict.fromkeys(c.statement_id for c in reply.answer.citations))
    cited = [[c.marker, ids.index(c.statement_id), c.start, c.end] for c in reply.answer.citations]
    question = reply.question
    while True:
        used = sorted({c[1] for c in cited})
        value = json.dumps(
            {
                "q": question,
                "a": reply.answer.answerable,
                "f": filters_of(reply.filters),
                "s": [ids[i] for i in used],
                "c": [[m, used.index(i), start, end] for m, i, start, end in cited],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        if len(value) <= FEEDBACK_VALUE_LIMIT:
            return value
        if cited:
            cited.pop()
        else:
            question = question[: len(question) // 2]


def slack_error(exc: Exception) -> str:
    """What Slack said (its error code), or the kind of failure: never the request, which
    holds the token."""
    if isinstance(exc, SlackApiError):
        data = exc.response.data
        return str(data.get("error", "error")) if isinstance(data, dict) else "error"
    return type(exc).__name__
