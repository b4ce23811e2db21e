"""The answerer for any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server).

The model sees passages labelled P1..Pn and replies with JSON: the answer with
markers [n], and for each marker the passage label and an exact quote. Labels are
mapped back to passage ids here; whether the quotes hold is decided by
`citations.verify`, never by trusting the model.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from rag.answering import Question, refusal
from rag.errors import LLMError
from rag.prompts import Prompt, prompts_hash
from rag.types import Draft, ProposedCitation, ScoredPassage

log = logging.getLogger(__name__)
NAME = "openai"
_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


class _ReplyCitation(BaseModel):
    passage: str
    quote: str


class _Reply(BaseModel):
    answerable: bool
    answer: str
    citations: list[_ReplyCitation] = Field(default_factory=list)


def _label(i: int) -> str:
    return f"P{i}"


def render_passages(passages: Sequence[ScoredPassage]) -> str:
    blocks = []
    for i, scored in enumerate(passages, start=1):
        p = scored.passage
        header = " | ".join(x for x in (p.title, p.speaker, p.date and p.date.text) if x)
        blocks.append(f"[{_label(i)}] {header or p.statement_id}\n{p.text}")
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
    ) -> None:
        self._client = client
        self._model = model
        self._system = system
        self._user = user
        self._retry = retry
        self._temperature = temperature
        self.prompt_hash = prompts_hash(system, user, retry)

    def answer(self, question: Question, passages: Sequence[ScoredPassage]) -> Draft:
        if not passages:
            return refusal(NAME, "No passage is close enough to the question.", self.prompt_hash)
        prompt = self._user.render(question=question.text, passages=render_passages(passages))
        return self._draft(prompt, passages)

    def answer_again(
        self, question: Question, passages: Sequence[ScoredPassage], problems: Sequence[str]
    ) -> Draft:
        """Ask once more, with what failed in the first answer spelled out."""
        prompt = self._retry.render(
            question=question.text,
            passages=render_passages(passages),
            problems="\n".join(f"- {p}" for p in problems),
        )
        return self._draft(prompt, passages)

    def _draft(self, prompt: str, passages: Sequence[ScoredPassage]) -> Draft:
        messages = [
            {"role": "system", "content": self._system.render()},
            {"role": "user", "content": prompt},
        ]
        reply = parse_reply(self._complete(messages))
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

    def _complete(self, messages: list[dict[str, str]]) -> str:
        import openai

        try:
            response = self._client.chat.completions.create(
                model=self._model, messages=messages, temperature=self._temperature
            )
        except openai.APIStatusError as exc:
            raise LLMError(
                f"the LLM endpoint answered {exc.status_code}: {exc.message}",
                hint="check RAG_LLM_BASE_URL, RAG_LLM_MODEL and RAG_LLM_API_KEY",
            ) from exc
        except openai.OpenAIError as exc:
            raise LLMError(
                f"cannot reach the LLM endpoint: {exc}", hint="check RAG_LLM_BASE_URL"
            ) from exc
        if not response.choices or response.choices[0].message.content is None:
            raise LLMError("the LLM endpoint returned no message")
        return str(response.choices[0].message.content)
