"""Hostile requests against a real `rag serve`: the holes issue 15's probe run found, each as
a probe that passes once the hole is closed.

Each probe sends the request the hostile run sent, over HTTP (or runs `rag ingest` on the
file it used), and checks the status, the error body's `field` and `hint`, that what was sent
is not repeated back at length, and that nothing was stored. They run against two servers
(`hostile_servers`): `main`, as the quick start runs (127.0.0.1, reads open) with keys and
small limits, and `limited`, with low rate limits and a configured Host allow-list, whose
probes each come from their own loopback address (127.0.0.N) so that one probe's bucket is
not another's.

tests/integration/test_hostile.py runs them under pytest; `python -m tests.adversarial` runs
them and the schemathesis run and prints pass/fail counts.
"""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.browser import CHROMIUM_ARGS, find_chromium
from tests.support.keys import ADMIN, ADMIN_KEY, KEYS, bearer
from tests.support.rag_serve import CommandResult, Served, rag_servers, run_rag

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FIXTURES = REPO / "tests" / "fixtures"
UPLOAD_MAX_BYTES = 2_000_000
MAX_STATEMENT_CHARS = 100_000
ERROR_BODY_BYTES = 4_000
"""An error never repeats what was sent at length: its body stays under this."""
ERROR_KEYS = {"error", "message", "field", "hint"}
MAIN = {
    "RAG_API_KEYS": ",".join(KEYS),
    "RAG_UPLOAD_MAX_BYTES": str(UPLOAD_MAX_BYTES),
    "RAG_MAX_STATEMENT_CHARS": str(MAX_STATEMENT_CHARS),
    "RAG_RATE_LIMIT_PER_MINUTE": "1000000",
    "RAG_AUTH_FAILURES_PER_MINUTE": "1000",
}
BURST = 5
AUTH_FAILURES = 3
PROXY_NAME = "statements.example.org"
LIMITED = {
    "RAG_API_KEYS": ",".join(KEYS),
    "RAG_RATE_LIMIT_PER_MINUTE": "60",
    "RAG_RATE_LIMIT_BURST": str(BURST),
    # Small enough that any answer counts several times (a request over 2 ms costs more).
    "RAG_RATE_LIMIT_REQUEST_SECONDS": "0.002",
    "RAG_AUTH_FAILURES_PER_MINUTE": str(AUTH_FAILURES),
    "RAG_ALLOWED_HOSTS": f"127.0.0.1,{PROXY_NAME}",
}
CLI = {
    "RAG_INGEST_MAX_FILE_BYTES": str(UPLOAD_MAX_BYTES),
    "RAG_MAX_STATEMENT_CHARS": str(MAX_STATEMENT_CHARS),
}
HAITI = "What did Ruto say about Haiti?"
FOREIGN_HOST = "attacker.example:8000"
MCP_INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "probe", "version": "0"},
    },
}
MCP_ACCEPT = {"Accept": "application/json, text/event-stream"}
SURROGATE = "\\ud800"
"""A lone surrogate as a JSON escape, to be pasted into raw JSON text."""


class Skipped(Exception):
    """A probe that cannot run here (no browser)."""


@dataclass
class Hostile:
    """The servers the probes run against, and a folder for their files and CLI stores."""

    main: Served
    limited: Served
    home: Path
    _addresses: Iterator[int] = field(default_factory=lambda: itertools.count(2))

    def client(self, served: Served | None = None, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=(served or self.main).base, timeout=120, **kwargs)

    def fresh_client(self, **kwargs: Any) -> httpx.Client:
        """A client of `limited` from a loopback address no other probe uses (reads need no
        key there: a key's bucket would be shared by every probe using it)."""
        return self.client(self.limited, transport=self.fresh_transport(), **kwargs)

    def fresh_transport(self) -> httpx.HTTPTransport:
        return httpx.HTTPTransport(local_address=f"127.0.0.{next(self._addresses)}")

    def file(self, name: str, data: bytes) -> Path:
        path = self.home / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def rag(self, store: str, *args: str) -> CommandResult:
        """`rag ARGS` on a store of its own (a probe's), with the CLI limits."""
        settings = {**CLI, "RAG_DATA_DIR": str(self.home / "cli" / store)}
        return run_rag(self.home, settings, *args)


@contextmanager
def hostile_servers(home: Path, store: Path | None = None) -> Iterator[Hostile]:
    """Both servers on copies of `store` (a data directory holding examples/), or on a
    store `rag ingest examples/` fills first."""
    if store is None:
        store = home / "examples-store"
        made = run_rag(home, {"RAG_DATA_DIR": str(store)}, "ingest", str(EXAMPLES))
        assert made.code == 0, made.stderr
    for name in ("main", "limited"):
        shutil.copytree(store, home / name / "data")
    with rag_servers((home / "main", MAIN), (home / "limited", LIMITED)) as (main, limited):
        yield Hostile(main, limited, home)


@dataclass(frozen=True)
class Probe:
    item: int
    name: str
    run: Callable[[Hostile], None]


PROBES: list[Probe] = []


def probe(item: int) -> Callable[[Callable[[Hostile], None]], Callable[[Hostile], None]]:
    def register(run: Callable[[Hostile], None]) -> Callable[[Hostile], None]:
        PROBES.append(Probe(item, run.__name__, run))
        return run

    return register


# ---- checks -----------------------------------------------------------------------------


def refused(
    response: httpx.Response,
    status: int,
    error: str,
    field: str | None = None,
    hint: str | None = None,
) -> dict[str, Any]:
    """An error in the app's JSON shape (OpenAI's under /v1/chat/ and /v1/models): the
    status, kind, field and a hint naming `hint`; short; no stack trace."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    assert len(response.content) < ERROR_BODY_BYTES, f"{len(response.content)} bytes came back"
    assert "Traceback" not in response.text
    body: dict[str, Any] = response.json()
    if response.request.url.path.startswith(("/v1/chat/", "/v1/models")):
        detail = body["error"]
        assert detail["code"] == error, detail
        if field is not None:
            assert detail["param"] == field, detail
        if hint is not None:
            assert hint in detail["message"], detail
        return dict(detail)
    assert set(body) <= ERROR_KEYS, body
    assert body["error"] == error, body
    assert body["message"].strip()
    if field is not None:
        assert body.get("field") == field, body
    if hint is not None:
        assert hint in body.get("hint", ""), body
    return body


def stored(served: Served, transport: httpx.HTTPTransport | None = None) -> int:
    """Statements in the store (reads are open on both servers: no key, no key's bucket)."""
    with httpx.Client(base_url=served.base, timeout=60, transport=transport) as client:
        response = client.get("/v1/stats")
    assert response.status_code == 200, response.text
    count: int = response.json()["statements"]
    return count


def absent(served: Served, *ids: str, transport: httpx.HTTPTransport | None = None) -> None:
    with httpx.Client(base_url=served.base, timeout=60, transport=transport) as client:
        for statement_id in ids:
            response = client.get(f"/v1/statements/{statement_id}")
            assert response.status_code == 404, (statement_id, response.status_code)


def post_json(client: httpx.Client, path: str, text: str, **kwargs: Any) -> httpx.Response:
    """POST raw JSON text (for escapes json.dumps would never write)."""
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    return client.post(path, content=text.encode(), headers=headers, **kwargs)


def jsonl(*records: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def files(*named: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, data, "application/octet-stream")) for name, data in named]


def record(statement_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": statement_id, "text": "Kenya will lead the mission to Haiti.", **fields}


def cli_refused(done: CommandResult, message: str, hint: str) -> None:
    """`rag` failed as an input error (exit 2), saying what and what to do, no traceback."""
    assert done.code == 2, (done.code, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert message in done.stderr, done.stderr
    assert "hint: " in done.stderr and hint in done.stderr, done.stderr


def cli_stored_nothing(hostile: Hostile, store: str) -> None:
    """The probe's store holds nothing: it was never made (the files are read before the
    store is opened), or `rag stats` finds it empty."""
    if not (hostile.home / "cli" / store).exists():
        return
    stats = hostile.rag(store, "stats", "--json")
    assert stats.code == 0, stats.stderr
    assert json.loads(stats.stdout)["statements"] == 0


def bomb(inflated: int) -> bytes:
    """A .jsonl.gz of valid records inflating to about `inflated` bytes (the hostile run's
    was 306 KB inflating to 105 MB)."""
    line = jsonl(record("bomb", text="Kenya will lead the mission. " * 30))
    return gzip.compress(line * (inflated // len(line) + 1), compresslevel=9)


# ---- 1. DNS rebinding -------------------------------------------------------------------


@probe(1)
def foreign_host_names_are_refused_everywhere(hostile: Hostile) -> None:
    before = stored(hostile.main)
    with hostile.client(headers={"Host": FOREIGN_HOST}) as client:
        for method, path, body in [
            ("GET", "/v1/stats", None),
            ("POST", "/v1/ask", {"question": HAITI}),
            ("POST", "/v1/search", {"question": HAITI}),
            ("GET", f"/v1/statements/{'ruto-rubio-call'}", None),
            ("GET", "/", None),
            ("GET", "/static/ask.js", None),
            ("GET", "/openapi.json", None),
            ("POST", "/mcp", {"jsonrpc": "2.0", "id": 1, "method": "ping"}),
            ("POST", "/v1/statements", {"statements": [record("rebound")]}),
        ]:
            response = client.request(method, path, json=body, headers=ADMIN)
            error = refused(response, 421, "host_not_allowed", "Host", "RAG_ALLOWED_HOSTS")
            assert "127.0.0.1" in error["hint"], error
            assert response.headers["x-content-type-options"] == "nosniff"
        models = client.get("/v1/models")
        refused(models, 421, "host_not_allowed", "Host", "RAG_ALLOWED_HOSTS")
    assert stored(hostile.main) == before
    absent(hostile.main, "rebound")


@probe(1)
def loopback_names_and_health_checks_still_answer(hostile: Hostile) -> None:
    port = hostile.main.port
    with hostile.client() as client:
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "LOCALHOST"):
            assert client.get("/v1/stats", headers={"Host": host}).status_code == 200, host
        for path in ("/healthz", "/readyz"):  # probes address servers by IP, any name
            assert client.get(path, headers={"Host": FOREIGN_HOST}).status_code == 200


@probe(1)
def a_proxys_name_is_allowed_when_configured(hostile: Hostile) -> None:
    with hostile.fresh_client() as client:
        assert client.get("/v1/stats", headers={"Host": PROXY_NAME}).status_code == 200
        assert client.get("/", headers={"Host": f"{PROXY_NAME}:443"}).status_code == 200
        # The configured list replaces the loopback default: localhost is not in it.
        for host in ("localhost:8000", FOREIGN_HOST, f"{PROXY_NAME}.attacker.example"):
            response = client.get("/v1/stats", headers={"Host": host})
            refused(response, 421, "host_not_allowed", "Host", PROXY_NAME)


@probe(1)
def mcp_refuses_foreign_hosts_and_pages_in_json(hostile: Hostile) -> None:
    with hostile.client() as client:
        response = client.post(
            "/mcp", json=MCP_INITIALIZE, headers={**MCP_ACCEPT, "Host": FOREIGN_HOST}
        )
        refused(response, 421, "host_not_allowed", "Host", "RAG_ALLOWED_HOSTS")
        page = {"Origin": "https://attacker.example"}
        response = client.post("/mcp", json=MCP_INITIALIZE, headers={**MCP_ACCEPT, **page})
        refused(response, 403, "forbidden", "Origin", "RAG_CORS_ORIGINS")
        local = {"Origin": f"http://localhost:{hostile.main.port}"}
        assert (
            client.post("/mcp", json=MCP_INITIALIZE, headers={**MCP_ACCEPT, **local}).status_code
            == 200
        )


# ---- 2. Decompression bombs -------------------------------------------------------------


@probe(2)
def a_gzip_bomb_upload_is_stopped_at_the_limit(hostile: Hostile) -> None:
    data = bomb(20 * UPLOAD_MAX_BYTES)  # inflates to 40 MB; about 100 KB sent
    assert len(data) < UPLOAD_MAX_BYTES // 10
    before = stored(hostile.main)
    good = ("good.jsonl", jsonl(record("before-the-bomb")))
    with hostile.client(headers=ADMIN) as client:
        started = time.monotonic()
        response = client.post("/v1/uploads", files=files(good, ("bomb.jsonl.gz", data)))
        took = time.monotonic() - started
    body = refused(response, 413, "too_large", "files", "RAG_UPLOAD_MAX_BYTES")
    assert body["message"].startswith(
        f"bomb.jsonl.gz: more than {UPLOAD_MAX_BYTES:,} bytes once decompressed"
    ), body
    assert took < 10, f"{took:.1f} s: the bomb was inflated further than the limit"
    assert stored(hostile.main) == before
    absent(hostile.main, "before-the-bomb", "bomb")


@probe(2)
def a_statement_over_the_text_limit_is_named_with_file_and_line(hostile: Hostile) -> None:
    long = record("too-long", text="Kenya. " * (MAX_STATEMENT_CHARS // 7 + 1))
    before = stored(hostile.main)
    with hostile.client(headers=ADMIN) as client:
        upload = client.post("/v1/uploads", files=files(("long.jsonl", jsonl(record("ok"), long))))
        body = refused(upload, 413, "too_large", "files", "RAG_MAX_STATEMENT_CHARS")
        assert body["message"].startswith("long.jsonl:2: the text of 'too-long' is 100,002"), body
        posted = client.post("/v1/statements", json={"statements": [record("ok"), long]})
        refused(posted, 413, "too_large", "statements.1.text", "RAG_MAX_STATEMENT_CHARS")
    assert stored(hostile.main) == before
    absent(hostile.main, "ok", "too-long")


@probe(2)
def a_queued_upload_sees_its_place_in_the_queue(hostile: Hostile) -> None:
    lines = (FIXTURES / "whitehouse-sample.jsonl").read_text(encoding="utf-8").splitlines()
    many = [dict(json.loads(line), id=f"queued-{n}") for n, line in enumerate(lines)]
    with hostile.client(headers=ADMIN) as client:
        first = client.post("/v1/uploads", files=files(("many.jsonl", jsonl(*many))))
        second = client.post("/v1/uploads", files=files(("one.jsonl", jsonl(record("queued")))))
        assert first.status_code == second.status_code == 202, (first.text, second.text)
        job = second.json()
        assert (job["state"], job["jobs_ahead"]) == ("queued", 1), job
        deadline = time.monotonic() + 300
        while job["state"] not in ("done", "failed"):
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
            job = client.get(f"/v1/uploads/{job['job_id']}").json()
            assert job["jobs_ahead"] in (None, 0, 1), job
        assert job["state"] == "done" and job["jobs_ahead"] is None, job


@probe(2)
def rag_ingest_stops_a_gzip_bomb_with_a_message(hostile: Hostile) -> None:
    path = hostile.file("bomb.jsonl.gz", bomb(20 * UPLOAD_MAX_BYTES))
    done = hostile.rag("bomb", "ingest", str(path))
    cli_refused(
        done,
        f"error: {path}: more than {UPLOAD_MAX_BYTES:,} bytes once decompressed",
        "RAG_INGEST_MAX_FILE_BYTES",
    )
    cli_stored_nothing(hostile, "bomb")


@probe(2)
def rag_ingest_names_a_statement_over_the_text_limit(hostile: Hostile) -> None:
    long = record("too-long", text="Kenya. " * (MAX_STATEMENT_CHARS // 7 + 1))
    path = hostile.file("long.jsonl", jsonl(record("ok"), long))
    done = hostile.rag("long", "ingest", str(path))
    cli_refused(done, f"error: {path}:2: the text of 'too-long'", "RAG_MAX_STATEMENT_CHARS")
    cli_stored_nothing(hostile, "long")


# ---- 3. Reads with unbounded cost -------------------------------------------------------

HUGE = "Ruto " * 900_000  # 4.5 MB, under the 5 MB body limit


@probe(3)
def a_huge_speaker_filter_is_refused_at_once(hostile: Hostile) -> None:
    with hostile.client() as client:
        for path, extra in [
            ("/v1/search", {}),
            ("/v1/ask", {}),
            ("/v1/ask", {"stream": True}),
        ]:
            started = time.monotonic()
            body = {"question": HAITI, "filters": {"speaker": HUGE}, **extra}
            response = client.post(path, json=body)
            assert time.monotonic() - started < 5
            error = refused(response, 422, "invalid_input", "filters.speaker")
            assert "200 characters" in error["message"], error


@probe(3)
def huge_ids_and_path_parameters_are_refused(hostile: Hostile) -> None:
    with hostile.client() as client:
        body = {"question": HAITI, "filters": {"statement_ids": ["x" * 1_000_000]}}
        error = refused(client.post("/v1/search", json=body), 422, "invalid_input")
        assert error["field"] == "filters.statement_ids.0", error
        refused(client.get(f"/v1/statements/{'x' * 600}"), 422, "invalid_input", "statement_id")
        refused(client.get(f"/v1/models/statements{'x' * 300}"), 400, "invalid_input", "model")
        refused(client.get(f"/v1/uploads/{'x' * 100}", headers=ADMIN), 422, "invalid_input")


@probe(3)
def chat_names_models_metadata_and_messages_over_their_limits(hostile: Hostile) -> None:
    user = {"role": "user", "content": HAITI}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"model": "statements:speaker=" + "R" * 4_000_000}, "model", "256"),
        ({"metadata": {"speaker": HUGE}}, "metadata.speaker", "512"),
        ({"metadata": {"speaker": "R" * 300}}, "metadata.speaker", "200"),
        ({"messages": [user] * 20_000}, "messages", "256"),
        ({"messages": [{"role": "user", "content": "x" * 40_000}]}, "messages.0.content", "32000"),
    ]
    with hostile.client() as client:
        for change, param, limit in cases:
            body = {"model": "statements", "messages": [user], **change}
            started = time.monotonic()
            response = client.post("/v1/chat/completions", json=body)
            assert time.monotonic() - started < 10
            detail = refused(response, 400, "invalid_input", param)
            assert limit in detail["message"].replace(",", ""), detail


@probe(3)
def a_long_conversation_reads_only_its_last_questions(hostile: Hostile) -> None:
    """255 earlier questions, each as long as a question may be (about 250 tokens): only the
    last 8 are read to make the follow-up standalone."""
    earlier = [{"role": "user", "content": "What did Ruto say about Haiti? " * 35}] * 255
    body = {"model": "statements", "messages": [*earlier, {"role": "user", "content": "and DRC?"}]}
    with hostile.client() as client:
        started = time.monotonic()
        response = client.post("/v1/chat/completions", json=body)
        took = time.monotonic() - started
    assert response.status_code == 200, response.text[:500]
    assert took < 5, f"{took:.1f} s for a conversation of 256 questions"


@probe(3)
def a_slow_request_counts_as_several(hostile: Hostile) -> None:
    with hostile.fresh_client() as client:
        answered = client.post("/v1/ask", json={"question": HAITI, "k": 50})
        assert answered.status_code == 200, answered.text[:500]
        # The answer took well over BURST * 2 ms: the bucket is in debt now.
        # Counted once, as before, the next request would be the second of a burst of 5.
        after = client.get("/v1/stats")
        error = refused(after, 429, "rate_limited", hint="RAG_RATE_LIMIT_PER_MINUTE")
        assert int(after.headers["retry-after"]) >= 1, error


# ---- 4. Lone UTF-16 surrogates ----------------------------------------------------------


@probe(4)
def a_surrogate_in_a_question_is_a_422_naming_it(hostile: Hostile) -> None:
    with hostile.client() as client:
        for path, extra in [("/v1/ask", ""), ("/v1/ask", ', "stream": true'), ("/v1/search", "")]:
            response = post_json(client, path, f'{{"question": "Haiti {SURROGATE}"{extra}}}')
            error = refused(response, 422, "invalid_input", "question")
            assert "lone UTF-16 surrogate" in error["message"], error
            assert not response.headers["content-type"].startswith("text/event-stream")
        text = f'{{"question": "{HAITI}", "filters": {{"speaker": "Ru{SURROGATE}to"}}}}'
        refused(post_json(client, "/v1/search", text), 422, "invalid_input", "filters.speaker")
        chat = (
            f'{{"model": "statements", "messages": [{{"role": "user", "content": "{SURROGATE}"}}]}}'
        )
        refused(
            post_json(client, "/v1/chat/completions", chat),
            400,
            "invalid_input",
            "messages.0.content",
        )
        model = (
            '{"model": "statements:speaker=\\udc00", '
            '"messages": [{"role": "user", "content": "Hi"}]}'
        )
        refused(post_json(client, "/v1/chat/completions", model), 400, "invalid_input", "model")


@probe(4)
def a_surrogate_in_a_statement_is_a_422_and_stores_nothing(hostile: Hostile) -> None:
    before = stored(hostile.main)
    with hostile.client(headers=ADMIN) as client:
        text = (
            '{"statements": [{"id": "fine", "text": "Kenya will lead."}, '
            f'{{"id": "broken", "text": "Kenya will lead.", "title": "Call {SURROGATE}"}}]}}'
        )
        error = refused(
            post_json(client, "/v1/statements", text), 422, "invalid_input", "statements.1.title"
        )
        assert "lone UTF-16 surrogate" in error["message"] and "UTF-8" in error["hint"], error
        line = f'{{"id": "broken", "text": "Kenya will lead.", "topic": "{SURROGATE}"}}\n'.encode()
        upload = client.post("/v1/uploads", files=files(("s.jsonl", jsonl(record("fine")) + line)))
        error = refused(upload, 422, "invalid_input", "files", "UTF-8")
        assert error["message"].startswith("s.jsonl:2: field 'topic' contains a lone"), error
    assert stored(hostile.main) == before
    absent(hostile.main, "fine", "broken")


@probe(4)
def a_surrogate_in_an_mcp_tool_call_is_refused(hostile: Hostile) -> None:
    with hostile.client(headers=MCP_ACCEPT) as client:
        opened = client.post("/mcp", json=MCP_INITIALIZE)
        assert opened.status_code == 200, opened.text
        session = {"Mcp-Session-Id": opened.headers["mcp-session-id"]}
        initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        assert client.post("/mcp", json=initialized, headers=session).status_code == 202
        call = (
            '{"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "ask", '
            f'"arguments": {{"question": "Haiti {SURROGATE}"}}}}}}'
        )
        response = post_json(client, "/mcp", call, headers=session)
        # The SDK's JSON parser refuses the escape itself: a JSON-RPC parse error, a 400.
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert "Traceback" not in response.text
        assert response.json()["error"]["code"] == -32700, response.text
        fine = call.replace(SURROGATE, "\\ud83c\\udded")  # a pair is one character
        answered = post_json(client, "/mcp", fine, headers=session)
    assert answered.status_code == 200, answered.text
    data = [line[5:] for line in answered.text.splitlines() if line.startswith("data:")]
    result = json.loads(data[-1] if data else answered.text)["result"]
    assert result["isError"] is False, result


@probe(4)
def rag_ingest_names_a_surrogate_with_file_and_line(hostile: Hostile) -> None:
    line = f'{{"id": "broken", "text": "Kenya.", "title": "Call {SURROGATE}"}}\n'.encode()
    path = hostile.file("surrogate.jsonl", jsonl(record("fine")) + line)
    done = hostile.rag("surrogate", "ingest", str(path))
    cli_refused(done, f"error: {path}:2: field 'title' contains a lone UTF-16 surrogate", "UTF-8")
    cli_stored_nothing(hostile, "surrogate")


# ---- 5. Rate limiting -------------------------------------------------------------------


@probe(5)
def a_forwarded_for_header_does_not_choose_the_bucket(hostile: Hostile) -> None:
    """From 127.0.0.1, which uvicorn's own default trusts (the only probe using that
    address's bucket on `limited`)."""
    with hostile.client(hostile.limited) as client:
        statuses = [
            client.get("/v1/speakers?limit=1", headers={"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(BURST + 3)
        ]
    limited = [r for r in statuses if r.status_code == 429]
    assert sum(r.status_code == 200 for r in statuses) <= BURST, [r.status_code for r in statuses]
    assert limited, "rotating X-Forwarded-For escaped the limit"
    refused(limited[0], 429, "rate_limited", hint="RAG_RATE_LIMIT_PER_MINUTE")


@probe(5)
def wrong_keys_are_limited_per_address(hostile: Hostile) -> None:
    before = stored(hostile.limited, hostile.fresh_transport())
    body = {"statements": [record("brute-forced")]}
    with hostile.fresh_client() as client:
        for n in range(AUTH_FAILURES):
            wrong = client.post("/v1/statements", json=body, headers=bearer(f"rag_guess-{n}"))
            refused(wrong, 401, "unauthenticated")
        for key in ("rag_guess-again", ADMIN_KEY):  # even the right key, from this address
            locked = client.post("/v1/statements", json=body, headers=bearer(key))
            error = refused(locked, 429, "rate_limited", hint="RAG_AUTH_FAILURES_PER_MINUTE")
            assert "failed authentications" in error["message"], error
            assert int(locked.headers["retry-after"]) >= 1
    with hostile.fresh_client() as elsewhere:  # another address is not locked out
        wrong = elsewhere.post("/v1/statements", json=body, headers=bearer("rag_guess-elsewhere"))
        refused(wrong, 401, "unauthenticated")
    assert stored(hostile.limited, hostile.fresh_transport()) == before
    absent(hostile.limited, "brute-forced", transport=hostile.fresh_transport())


# ---- 7. Small leaks and gaps ------------------------------------------------------------


@probe(7)
def stats_and_readiness_reveal_no_paths(hostile: Hostile) -> None:
    with hostile.client() as client:
        stats = client.get("/v1/stats")
        assert stats.status_code == 200
        assert "location" not in stats.json(), stats.json()
        assert str(hostile.home) not in stats.text and "/data" not in stats.text
        ready = client.get("/readyz")
        assert ready.json()["status"] == "ready"
        assert set(ready.json()) <= {"status", "encoder"}  # the encoder and device (issue 17)
        assert str(hostile.home) not in ready.text and "/data" not in ready.text


@probe(7)
def loose_types_are_refused(hostile: Hostile) -> None:
    with hostile.client() as client:
        cases = [
            ("/v1/ask", {"question": HAITI, "stream": "yes"}, "stream"),
            ("/v1/search", {"question": HAITI, "k": True}, "k"),
            ("/v1/search", {"question": HAITI, "k": 5.0}, "k"),
            ("/v1/search", {"question": HAITI, "filters": {"until": 0}}, "filters.until"),
        ]
        for path, body, field_name in cases:
            refused(client.post(path, json=body), 422, "invalid_input", field_name)
        chat = {
            "model": "statements",
            "stream": "yes",
            "messages": [{"role": "user", "content": HAITI}],
        }
        refused(client.post("/v1/chat/completions", json=chat), 400, "invalid_input", "stream")


@probe(7)
def a_utf16_body_is_a_400_invalid_encoding(hostile: Hostile) -> None:
    text = json.dumps({"question": HAITI})
    with hostile.client() as client:
        for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):
            response = client.post(
                "/v1/search",
                content=text.encode(encoding),
                headers={"Content-Type": "application/json"},
            )
            refused(response, 400, "invalid_encoding", "body", "UTF-8")
        mcp = client.post(
            "/mcp",
            content=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode("utf-16"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        refused(mcp, 400, "invalid_encoding", "body")


@probe(7)
def dot_ids_are_refused_at_ingest(hostile: Hostile) -> None:
    before = stored(hostile.main)
    with hostile.client(headers=ADMIN) as client:
        for index, statement_id in enumerate((".", "..", "briefings/../x")):
            statements = [record("ok"), record(statement_id)]
            response = client.post("/v1/statements", json={"statements": statements})
            error = refused(response, 422, "invalid_input", "statements.1.id")
            assert "'.' or '..'" in error["message"], (index, error)
        upload = client.post("/v1/uploads", files=files(("dots.jsonl", jsonl(record("..")))))
        refused(upload, 422, "invalid_input", "files")
    assert stored(hostile.main) == before
    path = hostile.file("dots.jsonl", jsonl(record(".")))
    cli_refused(hostile.rag("dots", "ingest", str(path)), f"error: {path}:1: 'id' '.'", "..")


@probe(7)
def too_many_files_name_the_field_and_setting(hostile: Hostile) -> None:
    before = stored(hostile.main)
    many = files(*((f"f{n}.jsonl", jsonl(record(f"many-{n}"))) for n in range(101)))
    with hostile.client(headers=ADMIN) as client:
        response = client.post("/v1/uploads", files=many)
    refused(response, 400, "invalid_upload", "files", "RAG_UPLOAD_MAX_FILES")
    assert stored(hostile.main) == before


@probe(7)
def mcp_errors_have_the_json_shape(hostile: Hostile) -> None:
    with hostile.client() as client:
        plain = client.post(
            "/mcp", content=b"{}", headers={"Content-Type": "text/plain", "Accept": "*/*"}
        )
        refused(plain, 400, "invalid_request", hint="application/json")
        big = client.post(
            "/mcp", content=b" " * 5_000_001, headers={"Content-Type": "application/json"}
        )
        refused(big, 413, "too_large", "body", "RAG_MAX_BODY_BYTES")


@probe(7)
def a_source_url_that_is_not_http_is_no_link(hostile: Hostile) -> None:
    """The web page in Chromium, given an answer whose sources carry `javascript:` and
    `data:` URLs (as a statement's file may say): shown as text, never as links."""
    try:
        from playwright.sync_api import Route, sync_playwright
    except ImportError as exc:
        raise Skipped("playwright is not installed") from exc
    chromium = find_chromium()
    if chromium is None:
        raise Skipped("Chromium is not installed")
    evil = ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>"]

    def with_evil_urls(route: Route) -> None:
        body = dict(json.loads(route.request.post_data or "{}"), stream=False)
        answer = route.fetch(post_data=json.dumps(body)).json()
        for n, source in enumerate(answer["sources"]):
            source["source_url"] = evil[n % 2] if n < 2 else source["source_url"]
        route.fulfill(status=200, json=answer)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(base_url=hostile.main.base)
            page.route("**/v1/ask", with_evil_urls)
            page.goto("/")
            page.get_by_label("Question").fill(HAITI)
            page.get_by_role("button", name="Ask", exact=True).click()
            page.wait_for_selector("#sources li", timeout=60_000)
            hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
            shown = page.locator("#sources").inner_text()
        finally:
            browser.close()
    assert [h for h in hrefs if not h.startswith(("http:", "https:"))] == [], hrefs
    assert all(url in shown for url in evil), shown
