"""OpenAI-compatible routes, so chat tools and OpenAI clients can talk to the statements:
GET /v1/models and POST /v1/chat/completions (JSON, or server-sent chunks with `stream`).

The last user message is the question; the earlier ones make a follow-up standalone
(Service.conversation_query). The reply is the answer text with [n] markers and its
sources (rag.interfaces.chat_reply); the full answer (/v1/ask's JSON) is in `statements`, on
the completion or, streamed, on its last chunk. Errors here have OpenAI's shape
(rag.interfaces.api.errors).

Streamed with an LLM, the model's draft is sent as it is written, in `delta.reasoning_content`
(the field chat UIs such as Open WebUI show apart from the answer, as a model's thinking, and
other clients ignore), never in `content`: a chat cannot take back text it has shown, so
`content` carries only the checked answer, after the draft.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from rag.interfaces.api import streaming
from rag.interfaces.api.errors import classify, openai_error
from rag.interfaces.api.openai_schemas import (
    MODEL,
    ChatCompletionOut,
    ChatRequestIn,
    ChoiceOut,
    ChunkChoiceOut,
    ChunkOut,
    DeltaOut,
    MessageOut,
    ModelListOut,
    ModelOut,
    OpenAIErrorOut,
    model_filters,
)
from rag.interfaces.api.routes import ServiceDep
from rag.interfaces.api.security import READ
from rag.interfaces.chat_reply import chat_reply
from rag.interfaces.fields import MAX_MODEL_CHARS
from rag.interfaces.output import AnswerOut
from rag.service import Service
from rag.types import Query

DRAFT_AGAIN = "\n\n(The draft did not hold up against the statements; asked again.)\n\n"
"""Put between a first draft and the second in `reasoning_content`."""
SPEAKER_MODELS = 20
"""Speakers offered as models of their own (statements:speaker=NAME), most statements first."""

router = APIRouter(
    tags=["openai"],
    dependencies=READ,
    responses={code: {"model": OpenAIErrorOut} for code in (400, 401, 403, 404, 429, 502, 503)},
)


@router.get("/v1/models", response_model=ModelListOut)
def list_models(service: ServiceDep) -> ModelListOut:
    """`statements` (everything), and one per frequent speaker with its filter in the name."""
    speakers = service.speakers()[:SPEAKER_MODELS]
    names = [MODEL, *(f"{MODEL}:speaker={s.canonical}" for s in speakers)]
    return ModelListOut(data=[ModelOut(id=name) for name in names])


@router.get("/v1/models/{model:path}", response_model=ModelOut)
def get_model(model: Annotated[str, Path(max_length=MAX_MODEL_CHARS)]) -> ModelOut:
    model_filters(model)  # raises for a name that is not a model
    return ModelOut(id=model)


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletionOut,
    responses={200: {"content": {streaming.MEDIA_TYPE: {}}}},
)
def chat_completions(
    body: ChatRequestIn, service: ServiceDep
) -> ChatCompletionOut | StreamingResponse:
    """Answer the conversation's last question from the statements, with citations."""
    query = service.conversation_query(body.questions(), filters=body.filters())
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
    if body.stream:
        return StreamingResponse(
            _chunks(service, query, completion_id, created, body.model),
            media_type=streaming.MEDIA_TYPE,
            headers=streaming.HEADERS,
        )
    answer = service.ask(query)
    return ChatCompletionOut(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[ChoiceOut(message=MessageOut(content=chat_reply(answer)))],
        statements=AnswerOut.of(answer),
    )


def _chunks(
    service: Service, query: Query, completion_id: str, created: int, model: str
) -> Iterator[str]:
    """The completion as OpenAI streams it: a first delta with the role, the LLM's draft (if
    any) as `reasoning_content` while it is written, the checked reply as `content` in pieces,
    a last chunk with finish_reason "stop" (and `statements`), then [DONE]. Synchronous, so
    the search runs in the threadpool; the answering has a thread of its own."""

    def chunk(delta: DeltaOut, finish: bool = False, answer: AnswerOut | None = None) -> str:
        out = ChunkOut(
            id=completion_id,
            created=created,
            model=model,
            choices=[ChunkChoiceOut(delta=delta, finish_reason="stop" if finish else None)],
            statements=answer,
        ).model_dump(mode="json")
        # As OpenAI sends them: a delta holds only what it carries; `statements` only last.
        out["choices"][0]["delta"] = delta.model_dump(exclude_none=True)
        if answer is None:
            del out["statements"]
        return _data(json.dumps(out, ensure_ascii=False))

    yield chunk(DeltaOut(role="assistant", content=""))
    try:
        answering = streaming.Answering(service, service.retrieve(query), time.perf_counter())
        drafting = 0
        for attempt, text in answering:
            if drafting and attempt != drafting:
                text = DRAFT_AGAIN + text
            drafting = attempt
            yield chunk(DeltaOut(reasoning_content=text))
        answer = answering.answer
        for piece in streaming.pieces(chat_reply(answer)):
            yield chunk(DeltaOut(content=piece))
        yield chunk(DeltaOut(), finish=True, answer=AnswerOut.of(answer))
    except Exception as exc:  # the status line is sent: the error goes into the stream
        _, shaped = openai_error(*classify(exc))
        yield _data(json.dumps(shaped.model_dump()))
    yield _data("[DONE]")


def _data(payload: str) -> str:
    return f"data: {payload}\n\n"
