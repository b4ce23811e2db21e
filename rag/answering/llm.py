"""The answerer for any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server).

The model sees passages labelled P1..Pn and replies with JSON: the answer with
markers [n], and for each marker the passage label and an exact quote. Labels are
mapped back to passage ids here; whether the quotes hold is decided by
`citations.verify`, never by trusting the model.

Statements are data, never instructions. The prompts fence the passages between
`<<<PASSAGES>>>` and `<<<END PASSAGES>>>`, and `render_passages` makes sure no statement can
forge those fences or a passage label: runs of three or more angle brackets and bracketed
labels ("[P9]") inside a passage are written differently. What the model makes of an injected
instruction anyway is caught after it answers (rag.answering.leaks).

Requests go through `ChatEndpoint` (rag.answering.endpoint): the client's retries within a
time budget, under a circuit breaker. Given `on_text`, the reply is streamed, and the answer's
text is handed on as the model writes it (`AnswerText`): an unchecked draft, for a page to
show until the checked answer replaces it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

import jiter
from pydantic import BaseModel, Field, ValidationError

from rag.answering import Question, TextListener, refusal
from rag.answering.endpoint import ChatEndpoint
from rag.answering.resilience import CircuitBreaker, Resilient
from rag.errors import LLMError
from rag.prompts import Prompt, prompts_hash
from rag.types import Draft, ProposedCitation, ScoredPassage

log = logging.getLogger(__name__)
NAME = "openai"
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_FORGEABLE = (
    (re.compile(r"<{3,}"), "<<"),
    (re.compile(r">{3,}"), ">>"),
    (re.compile(r"\[(P\d+)\]"), r"(\1)"),
)
"""What a statement could write to pass for the prompt's own structure, and how it is written
instead: the passage fences (`<<<...>>>`) and passage labels ("[P9]")."""


class _ReplyCitation(BaseModel):
    passage: str
    quote: str


class _Reply(BaseModel):
    answerable: bool
    answer: str
    citations: list[_ReplyCitation] = Field(default_factory=list)


def _label(i: int) -> str:
    return f"P{i}"


def neutralise(text: str) -> str:
    """`text` with nothing in it that could pass for a passage fence or label."""
    for pattern, replacement in _FORGEABLE:
        text = pattern.sub(replacement, text)
    return text


def render_passages(passages: Sequence[ScoredPassage]) -> str:
    """The passages as the prompts fence them: "[P1] title | speaker | date", then the text;
    everything taken from a statement is neutralised, and a header is kept to one line."""
    blocks = []
    for i, scored in enumerate(passages, start=1):
        p = scored.passage
        header = " | ".join(x for x in (p.title, p.speaker, p.date and p.date.text) if x)
        header = " ".join(neutralise(header or p.statement_id).split())
        blocks.append(f"[{_label(i)}] {header}\n{neutralise(p.text)}")
    return "\n\n".join(blocks)


def parse_reply(content: str) -> _Reply:
    """The JSON object in the model's reply (code fences and chatter around it tolerated)."""
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        raise LLMError(
            "the model did not reply with a JSON object", hint=f"it said: {content[:200]!r}"
        )
    try:
        return _Reply.model_validate(json.loads(text[start : end + 1]))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise LLMError(
            f"the model's reply is not the JSON asked for: {exc}",
            hint=f"it said: {content[:200]!r}",
        ) from exc


class OpenAIAnswerer:
    name = NAME

    def __init__(
        self,
        client: Any,
        model: str,
        system: Prompt,
        user: Prompt,
        retry: Prompt,
        temperature: float = 0.0,
        resilient: Resilient | None = None,
    ) -> None:
        self._endpoint = ChatEndpoint(client, model, temperature, resilient)
        self._system = system
        self._user = user
        self._retry = retry
        self.prompt_hash = prompts_hash(system, user, retry)

    @property
    def instructions(self) -> str:
        """The system prompt: what no answer may repeat (rag.answering.leaks)."""
        return self._system.render()

    @property
    def breaker(self) -> CircuitBreaker:
        return self._endpoint.breaker

    def answer(
        self,
        question: Question,
        passages: Sequence[ScoredPassage],
        on_text: TextListener | None = None,
    ) -> Draft:
        if not passages:
            return refusal(NAME, "No passage is close enough to the question.", self.prompt_hash)
        prompt = self._user.render(question=question.text, passages=render_passages(passages))
        return self._draft(prompt, passages, on_text)

    def answer_again(
        self,
        question: Question,
        passages: Sequence[ScoredPassage],
        problems: Sequence[str],
        on_text: TextListener | None = None,
    ) -> Draft:
        """Ask once more, with what failed in the first answer spelled out."""
        prompt = self._retry.render(
            question=question.text,
            passages=render_passages(passages),
            problems="\n".join(f"- {p}" for p in problems),
        )
        return self._draft(prompt, passages, on_text)

    def _draft(
        self, prompt: str, passages: Sequence[ScoredPassage], on_text: TextListener | None
    ) -> Draft:
        messages = [
            {"role": "system", "content": self._system.render()},
            {"role": "user", "content": prompt},
        ]
        if on_text is None:
            content = self._endpoint.complete(messages)
        else:
            content = self._endpoint.stream(messages, AnswerText(on_text).feed)
        reply = parse_reply(content)
        labels = {_label(i): sp.passage.id for i, sp in enumerate(passages, start=1)}
        citations = tuple(
            ProposedCitation(
                marker=i,
                passage_id=labels.get(c.passage.strip().strip("[]"), c.passage),
                quote=c.quote,
            )
            for i, c in enumerate(reply.citations, start=1)
        )
        return Draft(
            text=reply.answer.strip(),
            citations=citations if reply.answerable else (),
            answerable=reply.answerable,
            answerer=NAME,
            prompt_hash=self.prompt_hash,
        )


class AnswerText:
    """Follows the reply's JSON as it streams in and passes on the new characters of its
    `answer` string, decoded, as they arrive (the JSON is read leniently: chatter or a code
    fence before it, and an unfinished end, are fine)."""

    def __init__(self, on_text: TextListener) -> None:
        self._on_text = on_text
        self._reply = ""
        self._sent = ""

    def feed(self, piece: str) -> None:
        self._reply += piece
        start = self._reply.find("{")
        if start < 0:
            return
        try:
            partial = jiter.from_json(self._reply[start:].encode(), partial_mode="trailing-strings")
        except ValueError:
            return  # not JSON (yet): parse_reply judges the whole reply
        answer = partial.get("answer") if isinstance(partial, dict) else None
        if isinstance(answer, str) and answer.startswith(self._sent) and answer != self._sent:
            self._on_text(answer[len(self._sent) :])
            self._sent = answer
