"""The MCP server: the service's questions as tools for agent hosts (Claude Desktop, IDEs).

Tools are as thin as the HTTP routes: check nothing of their own, call the Service, return
the API's response models as structured output. Errors the caller can fix (an empty question,
an unknown id, `since` after `until`) come back as tool errors saying what to do; anything
else is a crash the SDK logs and reports without its details.

Served over stdio (`rag mcp`) or streamable HTTP (mounted in the FastAPI app at `/mcp`).
Annotations are evaluated when the tools are registered, so the types they name are imported
here at run time and this module does not use `from __future__ import annotations`.
"""

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import ToolAnnotations
from pydantic import Field
from starlette.applications import Starlette

from rag.errors import NotFoundError, RagError
from rag.interfaces import fields
from rag.interfaces.output import (
    AnswerOut,
    QuoteOut,
    QuotesOut,
    SearchOut,
    SpeakerOut,
    SpeakersOut,
    StatementOut,
)
from rag.service import MAX_QUOTES, Service
from rag.types import Filters

log = logging.getLogger(__name__)

NAME = "statements-qa"
HTTP_PATH = "/mcp"
MAX_SPEAKERS = 5000

INSTRUCTIONS = (
    "Answers questions about a store of official statements (press statements, readouts of "
    "calls, speeches, transcripts). Every citation is verified: its quote is exactly "
    "statement.text[start:end] of the statement it names. Start with `ask` for a cited answer, "
    "`search` to read the passages themselves, `quotes` for direct quotations by a person, "
    "`timeline` for how a position evolved. `list_speakers` shows whose statements exist; "
    "`get_statement` returns a statement's full text by the id a citation carries."
)
NOT_FOUND_HINT = "statement ids come from the citations of ask, timeline, search or quotes"
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)

Question = Annotated[
    fields.Question,
    Field(
        description="The question in plain words, e.g. 'What did Ruto say about Haiti?'. "
        "Speakers and dates named in it are applied as filters.",
    ),
]
Speaker = Annotated[
    fields.Speaker | None,
    Field(
        description="Only statements by or between this person, any form of the name: "
        "'Ruto', 'President Ruto' and 'William Samoei Ruto' are the same person.",
    ),
]
Since = Annotated[
    fields.IsoDate | None, Field(description="Earliest date, inclusive (YYYY-MM-DD).")
]
Until = Annotated[fields.IsoDate | None, Field(description="Latest date, inclusive (YYYY-MM-DD).")]
StatementIds = Annotated[
    list[fields.StatementId] | None,
    Field(description="Only these statements (ids as citations give them).", max_length=1000),
]
K = Annotated[
    int | None,
    Field(description="How many passages to retrieve (default 6; at most 50).", ge=1, strict=True),
]
StatementId = Annotated[
    fields.StatementId,
    Field(description="A statement id, as in a citation's `statement_id` (may contain '/')."),
]
Topic = Annotated[
    fields.Topic | None,
    Field(description="What the statements are about, e.g. 'Haiti'."),
]


@contextmanager
def _tool_errors() -> Iterator[None]:
    """The package's errors as tool errors: the message and what to do, for the model to read."""
    try:
        yield
    except NotFoundError as exc:
        raise ToolError(f"{exc.message} ({NOT_FOUND_HINT})") from exc
    except RagError as exc:
        raise ToolError(str(exc)) from exc


def _filters(
    speaker: str | None, since: dt.date | None, until: dt.date | None, ids: list[str] | None
) -> Filters:
    speaker = speaker.strip() if speaker and speaker.strip() else None
    return Filters(speaker=speaker, since=since, until=until, statement_ids=tuple(ids or ()))


def build_server(service: Service) -> MCPServer[Any]:
    """The six tools over one service. Sync tools run on worker threads, as the routes do."""
    server: MCPServer[Any] = MCPServer(
        NAME, instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING"
    )

    def ask(
        question: Question,
        speaker: Speaker = None,
        since: Since = None,
        until: Until = None,
        statement_ids: StatementIds = None,
        k: K = None,
    ) -> AnswerOut:
        """Answer a question from the statements, with verified citations, or say honestly
        that they don't say (`answerable: false`). The `answer` text marks each claim [n];
        `citations[n]` gives the statement id, speaker, date, title, source URL and the exact
        quote with its character offsets (quote == statement text[start:end]). `sources` lists
        the statements cited; `answer_checks` says how well each sentence is supported.
        Questions about how something evolved ("How has X's position on Y changed?") come
        back in timeline form (`timeline`, one cited line per statement, by date)."""
        with _tool_errors():
            query = service.query(question, k, _filters(speaker, since, until, statement_ids))
            return AnswerOut.of(service.ask(query))

    def search(
        question: Question,
        speaker: Speaker = None,
        since: Since = None,
        until: Until = None,
        statement_ids: StatementIds = None,
        k: K = None,
    ) -> SearchOut:
        """The passages a question retrieves, best first, without an answer: each with its
        statement id, title, speaker(s), date, source URL, offsets in the statement text, the
        passage text and a similarity score. Use it to read around a topic or to check what
        the store holds before asking; `matched_speakers` shows what a speaker filter
        resolved to."""
        with _tool_errors():
            query = service.query(question, k, _filters(speaker, since, until, statement_ids))
            return SearchOut.of(service.search(query))

    def get_statement(statement_id: StatementId) -> StatementOut:
        """One statement's full text and metadata (title, speaker(s), date, source URL), by
        the id a citation, passage or quotation carries. Citation offsets index into `text`:
        text[start:end] == quote. An unknown id is an error."""
        with _tool_errors():
            return StatementOut.of_stored(service.get_statement(statement_id))

    def quotes(
        speaker: Speaker = None,
        about: Annotated[
            fields.Topic | None, Field(description="Words the quotation is about, e.g. 'Haiti'.")
        ] = None,
        since: Since = None,
        until: Until = None,
        limit: Annotated[
            int, Field(description="At most this many quotations.", ge=1, le=MAX_QUOTES)
        ] = 50,
    ) -> QuotesOut:
        """Direct quotations (words in quotation marks, a speech, a turn of a transcript) with
        who said them, filtered by speaker, topic words and dates. Each has the statement id,
        title, date, source URL and the exact text with its character offsets (text ==
        statement text[start:end]), so it can be quoted verbatim."""
        with _tool_errors():
            found = service.quotes(speaker, about, since, until, limit)
            return QuotesOut(quotes=[QuoteOut.of(q) for q in found], total=len(found))

    def timeline(
        speaker: Speaker = None,
        topic: Topic = None,
        since: Since = None,
        until: Until = None,
    ) -> AnswerOut:
        """How a position evolved: the relevant statements in date order (undated last), one
        verified, cited line each, in `timeline` (date, statement id, title, speakers, whether
        the line is the speaker's own words, and the citation with exact offsets). Give a
        speaker, a topic, or both."""
        with _tool_errors():
            return AnswerOut.of(
                service.timeline(service.timeline_query(speaker, topic, since, until))
            )

    def list_speakers(
        name: Annotated[
            fields.Speaker | None,
            Field(description="Only the people this name may mean ('Ruto', 'Rutto')."),
        ] = None,
        limit: Annotated[
            int, Field(description="At most this many people.", ge=1, le=MAX_SPEAKERS)
        ] = 100,
    ) -> SpeakersOut:
        """The people the statements are by or between, most statements first: each one's
        canonical name, the other forms of the name found, and statement and passage counts.
        Any of these names works as the `speaker` filter of the other tools."""
        with _tool_errors():
            entries = service.speakers(name)
            return SpeakersOut(
                speakers=[SpeakerOut.of(e) for e in entries[:limit]], total=len(entries)
            )

    for tool in (ask, search, get_statement, quotes, timeline, list_speakers):
        # The docstring, on one line: hosts show it as is.
        description = " ".join((tool.__doc__ or "").split())
        server.add_tool(tool, description=description, annotations=READ_ONLY)
    return server


def http_app(server: MCPServer[Any], max_body_bytes: int) -> Starlette:
    """The streamable HTTP endpoint at HTTP_PATH. Its lifespan runs the session manager.

    The app it is served in checks Host and Origin headers (DNS rebinding) and body sizes
    for every route, /mcp included, and answers in its JSON error shape; the SDK's own
    checks are off, or left to trip only where the app's have already answered."""
    return server.streamable_http_app(
        streamable_http_path=HTTP_PATH,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        max_request_body_size=max_body_bytes,
    )


def serve_stdio(service: Service) -> None:
    """Serve over stdin/stdout until the host closes them. The model loads meanwhile."""
    threading.Thread(target=_warm, args=(service,), daemon=True).start()
    try:
        build_server(service).run("stdio")
    finally:
        service.persist_index()


def _warm(service: Service) -> None:
    try:
        service.warm_up()
    except Exception:  # the first tool call reports it to the host
        log.exception("warm-up failed")
