"""Follow-up questions made standalone by the LLM, when one is configured.

"and what did he say about the police?" after "What did Ruto say about Haiti?" needs the
conversation to be understood; a language model reads it better than rules can. The prompt is
rag/prompts/follow_up.md. A reply that cannot be a question (empty, several lines, far longer
than the conversation it was made from) is not used, and neither is a failed request: the
caller then falls back to the rule-based rewrite (rag.question.conversation), which is also the
offline path. The endpoint is passed in as a function, so this module knows no client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol

from rag.errors import LLMError
from rag.prompts import Prompt

log = logging.getLogger(__name__)

Complete = Callable[[list[dict[str, str]]], str]
"""Sends chat messages to the LLM and returns its reply (rag.answering.endpoint)."""
PLACEHOLDERS = frozenset({"earlier", "question"})
SLACK_CHARACTERS = 40
"""How much longer than the questions it was made from a rewrite may be (a name or a period
spelled out); a longer reply is an answer or chatter, not a question."""
_QUOTES = (('"', '"'), ("'", "'"), ("“", "”"), ("‘", "’"), ("`", "`"))


class Rewriter(Protocol):
    def rewrite(self, questions: Sequence[str]) -> str | None:
        """The last of `questions` made standalone, or None to leave it to the rules."""
        ...


class FollowUpRewriter:
    """The LLM's rewrite; `prompt` is follow_up.md, loaded with PLACEHOLDERS."""

    def __init__(self, complete: Complete, prompt: Prompt) -> None:
        self._complete = complete
        self._prompt = prompt

    def rewrite(self, questions: Sequence[str]) -> str | None:
        """The last of `questions` made standalone by the earlier ones; None when the LLM
        failed or replied with something that cannot be the question (use the rules then)."""
        *earlier, question = (q.strip() for q in questions)
        if not earlier:
            return question
        content = self._prompt.render(
            earlier="\n".join(f"{i}. {q}" for i, q in enumerate(earlier, start=1)),
            question=question,
        )
        try:
            reply = self._complete([{"role": "user", "content": content}])
        except LLMError as exc:
            log.warning("follow-up not rewritten by the LLM (%s); using the rules", exc)
            return None
        rewritten = usable(reply, [*earlier, question])
        if rewritten is None:
            log.warning(
                "the LLM's follow-up rewrite is not a question: %r; using the rules", reply[:200]
            )
        return rewritten


def usable(reply: str, questions: Sequence[str]) -> str | None:
    """`reply` as the standalone form of the last of `questions`, or None when it cannot be."""
    text = reply.strip()
    for opening, closing in _QUOTES:
        if len(text) > 1 and text[0] == opening and text[-1] == closing:
            text = text[1:-1].strip()
    if not text or "\n" in text or not any(c.isalnum() for c in text):
        return None
    if text[0] in "{[<":  # structured output (JSON, markup), not a question
        return None
    if len(text) > sum(len(q) for q in questions) + SLACK_CHARACTERS:
        return None
    return text
