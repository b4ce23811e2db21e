"""The answerer for any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server).

The model sees passages labelled P1..Pn and replies with JSON: the answer with
markers [n], and for each marker the passage label and an exact quote. Labels are
mapped back to passage ids here; whether the quotes hold is decided by
`citations.verify`, never by trusting the model.

Statements are data, never instructions. The prompts fence the passages between
`<<<PASSAGES>>>` and `<<<END PASSAGES>>>`, and `render_passages` makes sure no statement can
forge those fences, a passage label or a flag: runs of three or more angle brackets and
bracketed labels ("[P9]", "[p9]") inside a passage are written differently, in any look-alike
spelling ("‹‹‹", full-width "＜＜＜", "［Ｐ９］"). Sentences flagged at ingest as instructions to a
model are shown only inside the fence, between `[[flagged]]` and `[[/flagged]]`, which the
system prompt explains. What the model makes of an injected instruction anyway is caught after
it answers (rag.answering.leaks).

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
from typing import Any, Literal

import jiter
from pydantic import BaseModel, Field, ValidationError

from rag.answering import Question, TextListener, refusal
from rag.answering.endpoint import ChatEndpoint, SchemaRefused
from rag.answering.resilience import CircuitBreaker, Resilient
from rag.errors import LLMError
from rag.prompts import Prompt, prompts_hash
from rag.text.lookalikes import fold_lookalikes
from rag.types import Draft, Passage, ProposedCitation, ScoredPassage

log = logging.getLogger(__name__)
NAME = "openai"
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)
_INVISIBLE = r"[\u200b-\u200f\u2060\ufeff]*"
_FORGEABLE = (
    (re.compile("<" + ("(?:" + _INVISIBLE + "<){2,}")), "<<"),
    (re.compile(">" + ("(?:" + _INVISIBLE + ">){2,}")), ">>"),
    (re.compile(r"\[\s*(P\s*\d+)\s*\]", re.IGNORECASE), r"(\1)"),
    (re.compile(r"\[\[\s*/?\s*flagged\s*\]\]", re.IGNORECASE), "(flagged)"),
)
"""What a statement could write to pass for the prompt's own structure, and how it is written
instead: the passage fences (`<<<...>>>`), passage labels ("[P9]") and the flag markers.
Patterns are matched on the text with look-alike characters folded (same length), and the
matched span of the original replaced."""
FLAGGED = ("[[flagged]]", "[[/flagged]]")
"""What encloses a sentence flagged as an instruction (see prompts/answer_system.md)."""


ReplyFormat = Literal["json_schema", "lenient"]
JSON_SCHEMA: ReplyFormat = "json_schema"
LENIENT: ReplyFormat = "lenient"
_CITATION_SCHEMA = {
    "type": "object",
    "properties": {"passage": {"type": "string"}, "quote": {"type": "string"}},
    "required": ["passage", "quote"],
    "additionalProperties": False,
}
REPLY_SCHEMA = {
    "type": "object",
    "properties": {
        "answerable": {"type": "boolean"},
        "answer": {"type": "string"},
        "citations": {"type": "array", "items": _CITATION_SCHEMA},
    },
    "required": ["answerable", "answer", "citations"],
    "additionalProperties": False,
}
"""The reply's JSON schema, sent as `response_format` (OpenAI, vLLM, llama.cpp, Ollama)."""
RESPONSE_FORMAT = {
    "type": "json_schema",
    "json_schema": {"name": "answer", "strict": True, "schema": REPLY_SCHEMA},
}


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
    """`text` with nothing in it that could pass for a passage fence, label or flag marker."""
    for pattern, replacement in _FORGEABLE:
        folded = fold_lookalikes(text)
        pieces, at = [], 0
        for match in pattern.finditer(folded):
            pieces += [text[at : match.start()], match.expand(replacement)]
            at = match.end()
        text = "".join([*pieces, text[at:]])
    return text


def _flagged(passage: Passage) -> str:
    """The passage text, neutralised, its flagged sentences enclosed in `FLAGGED` markers."""
    pieces, at = [], 0
    for start, end in sorted(passage.instructions):
        pieces += [
            neutralise(passage.text[at:start]),
            f"{FLAGGED[0]} {neutralise(passage.text[start:end])} {FLAGGED[1]}",
        ]
        at = end
    return "".join([*pieces, neutralise(passage.text[at:])])


def render_passages(passages: Sequence[ScoredPassage]) -> str:
    """The passages as the prompts fence them: "[P1] title | speaker | date", then the text;
    everything taken from a statement is neutralised, a header is kept to one line, and
    sentences flagged as instructions are marked."""
    blocks = []
    for i, scored in enumerate(passages, start=1):
        p = scored.passage
        header = " | ".join(x for x in (p.title, p.speaker, p.date and p.date.text) if x)
        header = " ".join(neutralise(header or p.statement_id).split())
        blocks.append(f"[{_label(i)}] {header}\n{_flagged(p)}")
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
        structured: bool = True,
    ) -> None:
        self._endpoint = ChatEndpoint(client, model, temperature, resilient)
        self._system = system
        self._user = user
        self._retry = retry
        self._structured = structured
        """Ask for the reply's JSON schema until the endpoint turns it down."""
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
        content, reply_format = self._complete(messages, on_text)
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
            reply_format=reply_format,
        )

    def _complete(
        self, messages: list[dict[str, str]], on_text: TextListener | None
    ) -> tuple[str, ReplyFormat]:
        """The reply, and how it was asked for: with the JSON schema as `response_format`, or
        (an endpoint that turns the schema down) plainly, read by the lenient parser. Given
        `on_text`, streamed."""
        if self._structured:
            try:
                return self._ask(messages, on_text, RESPONSE_FORMAT), JSON_SCHEMA
            except SchemaRefused as refused:
                log.info("the endpoint turned down response_format, asking without: %s", refused)
                self._structured = False
        return self._ask(messages, on_text, None), LENIENT

    def _ask(
        self,
        messages: list[dict[str, str]],
        on_text: TextListener | None,
        response_format: dict[str, Any] | None,
    ) -> str:
        if on_text is None:
            return self._endpoint.complete(messages, response_format)
        return self._endpoint.stream(messages, AnswerText(on_text).feed, response_format)


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
