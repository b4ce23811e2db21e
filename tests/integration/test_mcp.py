"""The MCP server through the real SDK client, over both transports, on a store holding
examples/: `rag mcp` as a subprocess over stdio (its store ingested by `rag ingest`), and the
app's /mcp endpoint under uvicorn over streamable HTTP.

Every test runs once per transport. Each transport keeps one client session for the module:
the stdio server loads the model once, on its first question.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, Tool

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.ingest import load_paths
from rag.interfaces.api.app import create_app
from rag.settings import load_settings
from rag.wiring import build_service
from tests.conftest import EXAMPLES
from tests.support.rag_serve import rag_env
from tests.support.servers import running_app, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]

RAG = Path(sys.executable).parent / "rag"
TOOLS = {"ask", "search", "get_statement", "quotes", "timeline", "list_speakers"}
HAITI = "What did Ruto say about Haiti?"
SEED = "ruto-rubio-call"
SULLIVAN = (
    "statements-releases/2023-10/2023-10-02-statement-by-national-security-advisor-jake-"
    "sullivan-on-un-security-council-resolution-authorizing-a-multinational-security-support-"
    "mission-for-haiti"
)
TIMEOUT = 300  # seconds; the stdio server loads the model on its first question
Streams = Callable[[], AbstractAsyncContextManager[Any]]


@dataclass(frozen=True)
class Tools:
    """A synchronous face on one real MCP client session, run in a blocking portal."""

    portal: BlockingPortal
    session: ClientSession

    def list(self) -> list[Tool]:
        return self.portal.call(self.session.list_tools).tools

    def call(self, tool: str, /, **arguments: Any) -> CallToolResult:
        return self.portal.call(self.session.call_tool, tool, arguments)

    def result(self, tool: str, /, **arguments: Any) -> dict[str, Any]:
        """The structured result of a call that must succeed."""
        called = self.call(tool, **arguments)
        assert not called.is_error, called.content
        assert called.structured_content is not None
        return called.structured_content

    def error(self, tool: str, /, **arguments: Any) -> str:
        """The message of a call that must fail as a tool error (not a protocol error)."""
        called = self.call(tool, **arguments)
        assert called.is_error, called.structured_content
        text = " ".join(getattr(block, "text", "") for block in called.content)
        assert "Traceback" not in text
        return text


@asynccontextmanager
async def _session(streams: Streams) -> AsyncIterator[ClientSession]:
    async with (
        streams() as (read, write),
        ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
    ):
        await session.initialize()
        yield session


@contextmanager
def connected(streams: Streams) -> Iterator[Tools]:
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(_session(streams)) as session,
    ):
        yield Tools(portal, session)


@pytest.fixture(scope="module")
def stdio_tools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tools]:
    """`rag mcp` in a subprocess, on a store `rag ingest examples/` filled beforehand."""
    home = tmp_path_factory.mktemp("mcp-stdio")
    env = rag_env(home, {})
    ingest = subprocess.run(
        [str(RAG), "ingest", str(EXAMPLES)],
        cwd=home,  # no .env from the repository
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert ingest.returncode == 0, ingest.stderr
    server = StdioServerParameters(command=str(RAG), args=["mcp"], env=env, cwd=home)
    stderr = home / "stderr.log"
    with stderr.open("w") as errlog, connected(lambda: stdio_client(server, errlog=errlog)) as t:
        yield t
    assert "Traceback" not in stderr.read_text(), stderr.read_text()


@pytest.fixture(scope="module")
def http_app_url(
    tmp_path_factory: pytest.TempPathFactory,
    cache_dir: Path,
    embedder: SentenceTransformerEmbedder,
) -> Iterator[str]:
    """The app under uvicorn on a store holding examples/; yields its base URL."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("mcp-http") / "data", cache_dir=cache_dir, _env_file=None
    )
    service = build_service(settings, embedder=embedder)
    service.ingest(load_paths([EXAMPLES]))
    with running_app(create_app(service)) as base:
        yield base


@pytest.fixture(scope="module")
def http_tools(http_app_url: str) -> Iterator[Tools]:
    with connected(lambda: streamable_http_client(f"{http_app_url}/mcp")) as t:
        yield t


@pytest.fixture(scope="module", params=["stdio", "http"])
def tools(request: pytest.FixtureRequest) -> Tools:
    session: Tools = request.getfixturevalue(f"{request.param}_tools")
    return session


def test_lists_the_six_tools_with_schemas_and_descriptions(tools: Tools) -> None:
    listed = {tool.name: tool for tool in tools.list()}

    assert set(listed) == TOOLS
    for tool in listed.values():
        assert tool.input_schema["type"] == "object"
        assert tool.input_schema["properties"]
        assert all(p.get("description") for p in tool.input_schema["properties"].values())
        assert tool.output_schema is not None
        assert tool.description and len(tool.description) > 100
        assert "\n" not in tool.description
    assert listed["ask"].input_schema["required"] == ["question"]
    assert listed["get_statement"].input_schema["required"] == ["statement_id"]
    assert "exact" in listed["ask"].description and "offsets" in listed["ask"].description


def test_ask_cites_quotes_that_are_the_statement_text_at_their_offsets(tools: Tools) -> None:
    answer = tools.result("ask", question=HAITI)

    assert answer["answerable"] is True
    assert "Haiti" in answer["answer"]
    assert answer["citations"]
    assert SEED in {c["statement_id"] for c in answer["citations"]}
    for citation in answer["citations"]:
        statement = tools.result("get_statement", statement_id=citation["statement_id"])
        assert statement["text"][citation["start"] : citation["end"]] == citation["quote"]
        assert f"[{citation['marker']}]" in answer["answer"]


def test_search_with_a_speaker_filter_returns_only_that_speakers_passages(tools: Tools) -> None:
    question = "the Multinational Security Support mission to Haiti"
    everyone = tools.result("search", question=question, k=20)
    ruto = tools.result("search", question=question, speaker="Ruto", k=20)

    assert SULLIVAN in {p["statement_id"] for p in everyone["passages"]}
    assert "William Ruto" in ruto["matched_speakers"]
    assert ruto["passages"]
    assert all(any("Ruto" in s for s in p["speakers"]) for p in ruto["passages"])
    assert SULLIVAN not in {p["statement_id"] for p in ruto["passages"]}


def test_quotes_by_speaker(tools: Tools) -> None:
    found = tools.result("quotes", speaker="Ruto")

    assert found["total"] == len(found["quotes"]) > 0
    assert all("Ruto" in (q["speaker"] or "") for q in found["quotes"])
    concurred = [q for q in found["quotes"] if "We concurred on the imperative" in q["text"]]
    assert concurred
    statement = tools.result("get_statement", statement_id=concurred[0]["statement_id"])
    assert statement["text"][concurred[0]["start"] : concurred[0]["end"]] == concurred[0]["text"]


def test_timeline_is_in_date_order(tools: Tools) -> None:
    answer = tools.result("timeline", speaker="Ruto", topic="Haiti")

    entries = answer["timeline"]
    dates = [e["date"] for e in entries if e["date"]]
    assert len(dates) >= 2
    assert dates == sorted(dates)
    undated = [i for i, e in enumerate(entries) if not e["date"]]
    assert undated == list(range(len(dates), len(entries)))  # undated ones last
    assert all(e["citation"]["statement_id"] == e["statement_id"] for e in entries)


def test_list_speakers_names_william_ruto(tools: Tools) -> None:
    index = tools.result("list_speakers")

    assert index["total"] == len(index["speakers"]) >= 4
    ruto = [s for s in index["speakers"] if "William Ruto" in (s["canonical"], *s["aliases"])]
    assert len(ruto) == 1
    assert ruto[0]["statements"] >= 3  # the seed and both UN speeches
    assert "William Samoei Ruto" in (ruto[0]["canonical"], *ruto[0]["aliases"])
    only = tools.result("list_speakers", name="President Ruto")
    assert [s["canonical"] for s in only["speakers"]] == [ruto[0]["canonical"]]


def test_an_unknown_statement_id_is_a_tool_error(tools: Tools) -> None:
    message = tools.error("get_statement", statement_id="no-such-statement")

    assert "no statement with id 'no-such-statement'" in message


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        pytest.param("ask", {"question": "   "}, "the question is empty", id="empty-question"),
        pytest.param("search", {"question": HAITI, "k": 0}, "k", id="k-out-of-range"),
        pytest.param("quotes", {"since": "last week"}, "valid date", id="bad-date"),
        pytest.param(
            "ask",
            {"question": HAITI, "since": "2024-01-01", "until": "2023-01-01"},
            "'since' is after 'until'",
            id="since-after-until",
        ),
        pytest.param("timeline", {}, "a timeline needs a speaker or a topic", id="no-timeline"),
    ],
)
def test_bad_input_is_a_tool_error_that_says_what_is_wrong(
    tools: Tools, name: str, arguments: dict[str, Any], expected: str
) -> None:
    assert expected in tools.error(name, **arguments)


def test_the_app_still_starts_up_and_routes_beside_mcp(http_app_url: str) -> None:
    """The app's own lifespan (the warm-up thread) runs alongside the MCP session manager,
    and unknown paths are still the app's JSON 404s."""
    with httpx.Client(base_url=http_app_url, timeout=60) as client:
        wait_until(lambda: client.get("/readyz").status_code == 200, 120, "warm-up")
        assert client.get("/readyz").json() == {"status": "ready", "encoder": "torch fp32 on cpu"}
        missing = client.get("/mcpx")
        assert missing.status_code == 404
        assert missing.json()["error"] == "not_found"
