"""Server-sent events for POST /v1/ask with `"stream": true`.

The protocol, in order (a web page is built against exactly this):

    event: retrieval   data: {"passages": [<as /v1/search>], "interpreted": <as in ask>}
    event: delta       data: {"text": "..."}      zero or more; joined, the answer text
    event: answer      data: <the AnswerOut of non-streaming /v1/ask>
    event: error       data: {"error", "message", "hint"?}   instead, if something fails
    event: done        data: {}

The generator is synchronous: Starlette runs each step in the threadpool, so the search
and the answer (model, store, LLM) never block the event loop, and `retrieval` is sent
before the answering starts.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

from rag.interfaces.api.errors import classify
from rag.interfaces.output import AnswerOut, InterpretedOut, PassageOut
from rag.service import Service
from rag.types import Interpreted, Query

MEDIA_TYPE = "text/event-stream"
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_PIECE = re.compile(r"\s*\S+|\s+")


def pieces(text: str) -> list[str]:
    """The text in small pieces (a word and the space before it) that join back to it."""
    return _PIECE.findall(text)


def event(name: str, data: Any) -> str:
    """One SSE event; `data` is JSON on a single line."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def ask_events(service: Service, query: Query) -> Iterator[str]:
    """The events of one streamed answer (see the module docstring)."""
    started = time.perf_counter()
    try:
        result = service.retrieve(query)
        yield event(
            "retrieval",
            {
                "passages": [PassageOut.of(p).model_dump(mode="json") for p in result.passages],
                "interpreted": _interpreted(result.interpreted),
            },
        )
        answer = AnswerOut.of(service.answer(result, started))
        for piece in pieces(answer.answer):
            yield event("delta", {"text": piece})
        yield event("answer", answer.model_dump(mode="json"))
    except Exception as exc:  # the status line is sent: the error goes into the stream
        _, body = classify(exc)
        yield event("error", body.model_dump(exclude_none=True, exclude={"field"}))
    yield event("done", {})


def _interpreted(i: Interpreted | None) -> dict[str, Any] | None:
    out = InterpretedOut.of(i)
    return None if out is None else out.model_dump(mode="json")
