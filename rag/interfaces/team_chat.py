"""What the Slack app and the Discord bot share: who may ask where and how often, the
channel's default filters, a thread's follow-up made standalone, and the answer, or a short
message for the channel when there is none.

The trust rules are /v1/ask's, because the answer is the service's: statements are data, a
sentence citing an instruction-like passage is removed before it is returned, and an LLM
outage falls back as RAG_LLM_ON_FAILURE says. What reaches a channel on failure is a short
sentence; the details go to the log, never a stack trace to the channel.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from rag.errors import (
    EmbeddingError,
    InputError,
    LLMError,
    RagError,
    RateLimitedError,
    StoreError,
)
from rag.interfaces.limits import RateLimiter
from rag.service import Service
from rag.settings import Settings
from rag.types import Answer, Filters

log = logging.getLogger(__name__)

NOT_ALLOWED_CHANNEL = "I only answer in the channels I am set up for (RAG_ALLOWED_CHANNELS)."
NOT_ALLOWED_USER = "I only answer the people I am set up for (RAG_ALLOWED_USERS)."
NO_QUESTION = "Ask me a question about the statements, e.g. “What did Ruto say about Haiti?”"
SEARCHING = "Searching the statements…"
UNAVAILABLE = "The statements cannot be searched right now. Please try again in a minute."
LLM_FAILED = "The language model did not answer, so there is no answer this time. Please try again."
INTERNAL = "Something went wrong on my side; it has been logged. Please try again."


@dataclass(frozen=True, slots=True)
class Place:
    """Where a question was asked, and by whom."""

    platform: str
    channel: str
    user: str
    channel_name: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    question: str
    """The question as answered: made standalone when it followed up an earlier one."""
    filters: Filters
    answer: Answer | None = None
    problem: str | None = None
    """A short message for the channel, in place of an answer."""


def _name(channel: str) -> str:
    return channel.strip().lstrip("#").lower()


class TeamChat:
    """Answers for team-chat platforms, over one service."""

    def __init__(self, service: Service, settings: Settings) -> None:
        self.service = service
        self.settings = settings
        per_minute = settings.chat_rate_limit_per_minute
        self._limiter = RateLimiter(per_minute, per_minute) if per_minute else None
        self._channels = frozenset(_name(c) for c in settings.allowed_channels)
        self._users = frozenset(u.strip() for u in settings.allowed_users)
        self._defaults = {_name(k): v for k, v in settings.channel_defaults.items()}

    def needs_channel_name(self) -> bool:
        """Whether a channel's name (not only its id) decides anything here."""
        return bool(self._channels or self._defaults)

    def refusal(self, place: Place) -> str | None:
        """Why this question gets no answer (allow-lists, the per-user rate limit), or None.
        Spends one of the user's questions."""
        if self._users and place.user not in self._users:
            return NOT_ALLOWED_USER
        names = {_name(place.channel), _name(place.channel_name or "")}
        if self._channels and not names & self._channels:
            return NOT_ALLOWED_CHANNEL
        if self._limiter is None:
            return None
        try:
            self._limiter.take(f"{place.platform}:{place.user}")
        except RateLimitedError as exc:
            return (
                f"You are asking faster than {self._limiter.per_minute} questions a minute; "
                f"please try again in {exc.retry_after} s."
            )
        return None

    def filters(self, place: Place, given: Filters | None = None) -> Filters:
        """The channel's defaults (by id, else by name), with what was given on top."""
        defaults = self._defaults.get(_name(place.channel)) or self._defaults.get(
            _name(place.channel_name or "")
        )
        base = (
            Filters(speaker=defaults.speaker, since=defaults.since, until=defaults.until)
            if defaults
            else Filters()
        )
        if given is None:
            return base
        return replace(
            base,
            speaker=given.speaker or base.speaker,
            since=given.since or base.since,
            until=given.until or base.until,
        )

    def answer(
        self,
        place: Place,
        question: str,
        earlier: str | None = None,
        given: Filters | None = None,
    ) -> Reply:
        """The answer to `question`, a follow-up of `earlier` (the standalone question the
        thread's last answer answered) when there is one."""
        filters = self.filters(place, given)
        asked = question.strip()
        if not asked:
            return Reply(asked, filters, problem=NO_QUESTION)
        try:
            if earlier:
                query = self.service.conversation_query([earlier, asked], filters=filters)
            else:
                query = self.service.query(asked, filters=filters)
            return Reply(query.question, filters, answer=self.service.ask(query))
        except Exception as exc:  # the channel gets a sentence; the log gets the rest
            return Reply(asked, filters, problem=problem_text(exc))


def problem_text(exc: Exception) -> str:
    """A short message for a channel about what went wrong; details are logged."""
    if isinstance(exc, InputError):
        return f"I can't ask that: {exc.message}."
    if isinstance(exc, LLMError):
        log.warning("the LLM failed for a chat question: %s", exc)
        return LLM_FAILED
    if isinstance(exc, StoreError | EmbeddingError):
        log.error("a chat question could not be answered: %s", exc)
        return UNAVAILABLE
    if isinstance(exc, RagError):
        log.error("a chat question could not be answered: %s", exc)
        return INTERNAL
    log.error("unexpected error answering a chat question", exc_info=exc)
    return INTERNAL
