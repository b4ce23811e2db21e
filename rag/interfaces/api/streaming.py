"""Server-sent events for POST /v1/ask with `"stream": true`.

The protocol, in order (a web page is built against exactly this):

    event: retrieval   data: {"passages": [<as /v1/search>], "interpreted": <as in ask>}
    event: delta       data: {"text": "...", "draft": true, "attempt": 1}   zero or more
    event: answer      data: <the AnswerOut of non-streaming /v1/ask>
    event: error       data: {"error", "message", "hint"?}   instead, if something fails
    event: done        data: {}

With an LLM, the `delta` events are its draft, passed on as the model writes it: marked
`"draft": true`, unchecked, and replaced as a whole by the `answer` event (attempt 2 is a new
draft, asked for when the first failed its checks: it starts over). When there is no draft
(the extractive answerer, a decline, a timeline, an LLM that failed before writing), the
`delta` events are the checked answer's text in pieces, without `draft`: joined, they are the
`answer` event's text.

The generator is synchronous: Starlette runs each step in the threadpool, so the search never
blocks the event loop, and `retrieval` is sent before the answering starts. The answering runs
on a thread of its own, handing drafts over a queue, so each piece is sent as it arrives.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

from rag.interfaces.api.errors import classify
from rag.interfaces.output import AnswerOut, InterpretedOut, PassageOut
from rag.service import Service
from rag.types import Answer, Interpreted, Query, SearchResult

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
        answering, drafted = Answering(service, result, started), False
        for attempt, text in answering:
            drafted = True
            yield event("delta", {"text": text, "draft": True, "attempt": attempt})
        answer = AnswerOut.of(answering.answer)
        if not drafted:
            for piece in pieces(answer.answer):
                yield event("delta", {"text": piece})
        yield event("answer", answer.model_dump(mode="json"))
    except Exception as exc:  # the status line is sent: the error goes into the stream
        _, body = classify(exc)
        yield event("error", body.model_dump(exclude_none=True, exclude={"field"}))
    yield event("done", {})


class Answering:
    """`service.answer(result)` on a thread of its own. Iterating gives its drafts, (attempt,
    text) pieces, as the model writes them; then `answer` is the checked answer (or raises
    what answering raised)."""

    def __init__(self, service: Service, result: SearchResult, started: float) -> None:
        self._drafts: queue.SimpleQueue[tuple[int, str] | None] = queue.SimpleQueue()
        self._answer: Answer | None = None
        self._error: Exception | None = None
        worker = threading.Thread(
            target=self._run, args=(service, result, started), name="rag-answer", daemon=True
        )
        worker.start()

    def _run(self, service: Service, result: SearchResult, started: float) -> None:
        try:
            self._answer = service.answer(result, started, on_draft=self._draft)
        except Exception as exc:  # handed to the stream, which reports it
            self._error = exc
        finally:
            self._drafts.put(None)

    def _draft(self, attempt: int, text: str) -> None:
        self._drafts.put((attempt, text))

    def __iter__(self) -> Iterator[tuple[int, str]]:
        while (draft := self._drafts.get()) is not None:
            yield draft

    @property
    def answer(self) -> Answer:
        """The answer, once the drafts are exhausted."""
        if self._error is not None:
            raise self._error
        if self._answer is None:
            raise RuntimeError("the answer is read before answering has finished")
        return self._answer


def _interpreted(i: Interpreted | None) -> dict[str, Any] | None:
    out = InterpretedOut.of(i)
    return None if out is None else out.model_dump(mode="json")
