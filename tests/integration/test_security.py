"""Keys, scopes, limits and headers over real HTTP: the app under uvicorn on the examples
store (read-only here) or a fresh one for writes, with httpx and the official openai client.

Every refused request is checked to have stored nothing (/v1/stats before and after)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.interfaces.api.app import create_app
from rag.service import Service
from rag.settings import load_settings
from rag.wiring import build_service
from tests.adversarial.probes import MCP_ACCEPT, MCP_INITIALIZE
from tests.integration.test_api import HAITI, assert_error
from tests.integration.test_mcp import connected
from tests.support.keys import ADMIN, ADMIN_KEY, READ_KEY, bearer, with_keys
from tests.support.servers import chroma_server, running_app, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.integration]

SEED_ID = "ruto-rubio-call"
READS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/v1/ask", {"question": HAITI}),
    ("POST", "/v1/search", {"question": HAITI, "k": 2}),
    ("GET", "/v1/quotes?speaker=Ruto&limit=2", None),
    ("GET", "/v1/timeline?speaker=Ruto", None),
    ("GET", "/v1/speakers", None),
    ("GET", "/v1/stats", None),
    ("GET", "/v1/statements", None),
    ("GET", f"/v1/statements/{SEED_ID}", None),
    ("GET", "/v1/models", None),
    ("GET", "/v1/models/statements", None),
    (
        "POST",
        "/v1/chat/completions",
        {"model": "statements", "messages": [{"role": "user", "content": HAITI}]},
    ),
]
RECORD = {"id": "security-note", "text": "Kenya will lead the mission to Haiti.", "speaker": "Ruto"}
WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/v1/statements", {"statements": [RECORD]}),
    ("DELETE", f"/v1/statements/{SEED_ID}", None),
    ("GET", "/v1/uploads/no-such-job", None),
]
OPEN = [
    "/healthz",
    "/readyz",
    "/",
    "/ingest",
    "/static/ask.js",
    "/static/key.js",
    "/docs",
    "/openapi.json",
]
Make = Callable[..., Iterator[httpx.Client]]


def ids(routes: list[tuple[str, str, Any]]) -> list[str]:
    return [f"{method} {path.split('?')[0]}" for method, path, _ in routes]


@pytest.fixture(scope="module")
def app_on(
    examples_dir: Path, cache_dir: Path, embedder: SentenceTransformerEmbedder
) -> Callable[..., Any]:
    """A context manager: the app over the examples store, with these settings."""

    @contextmanager
    def start(**overrides: Any) -> Iterator[httpx.Client]:
        # Wrong keys are sent on purpose, dozens a minute from one address: their own limit
        # is off here (tests/adversarial/probes.py: wrong_keys_are_limited_per_address).
        values: dict[str, Any] = {
            "data_dir": examples_dir,
            "cache_dir": cache_dir,
            "auth_failures_per_minute": 0,
        }
        values.update(overrides)
        service = build_service(load_settings(_env_file=None, **values), embedder=embedder)
        with (
            running_app(create_app(service)) as base,
            httpx.Client(base_url=base, timeout=120) as client,
        ):
            yield client

    return start


@pytest.fixture(scope="module")
def closed(app_on: Callable[..., Any]) -> Iterator[httpx.Client]:
    """Keys configured and required for reads too."""
    with app_on(**with_keys(open_read=False)) as client:
        yield client


@pytest.fixture(scope="module")
def keyless(app_on: Callable[..., Any]) -> Iterator[httpx.Client]:
    """No keys at all, on 127.0.0.1: the quick start's server."""
    with app_on() as client:
        yield client


def call(client: httpx.Client, route: tuple[str, str, Any], **kwargs: Any) -> httpx.Response:
    method, path, body = route
    return client.request(method, path, json=body, **kwargs)


def statements(client: httpx.Client) -> int:
    response = client.get("/v1/stats", headers=bearer(READ_KEY))
    assert response.status_code == 200, response.text
    count: int = response.json()["statements"]
    return count


def refused(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """An error in the app's shape, or OpenAI's on the OpenAI-compatible routes."""
    if response.request.url.path.startswith(("/v1/chat/", "/v1/models")):
        assert response.status_code == status, response.text
        detail: dict[str, Any] = response.json()["error"]
        assert detail["code"] == error and detail["message"].strip()
        return detail
    return assert_error(response, status, error)


@pytest.mark.parametrize("route", READS, ids=ids(READS))
def test_reads_need_a_read_or_admin_key_when_closed(closed: httpx.Client, route: Any) -> None:
    for headers in ({}, bearer("not-a-key"), {"X-API-Key": "not-a-key"}):
        response = call(closed, route, headers=headers)
        body = refused(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"
        assert "Bearer" in json.dumps(body) or "key" in json.dumps(body)
    for headers in (bearer(READ_KEY), {"X-API-Key": READ_KEY}, ADMIN):
        response = call(closed, route, headers=headers)
        assert response.status_code == 200, (headers, response.text)


@pytest.mark.parametrize("route", WRITES, ids=ids(WRITES))
def test_writes_need_the_admin_key(closed: httpx.Client, route: Any) -> None:
    before = statements(closed)
    refused(call(closed, route), 401, "unauthenticated")
    body = refused(call(closed, route, headers=bearer(READ_KEY)), 403, "forbidden")
    assert "admin" in body["message"] + body.get("hint", "")
    refused(call(closed, route, headers=bearer("not-a-key")), 401, "unauthenticated")
    assert statements(closed) == before


def test_an_upload_needs_the_admin_key(closed: httpx.Client) -> None:
    files = [("files", ("note.jsonl", json.dumps(RECORD).encode(), "application/octet-stream"))]
    refused(closed.post("/v1/uploads", files=files), 401, "unauthenticated")
    refused(closed.post("/v1/uploads", files=files, headers=bearer(READ_KEY)), 403, "forbidden")
    assert closed.get(f"/v1/statements/{RECORD['id']}", headers=ADMIN).status_code == 404


@pytest.mark.parametrize(
    "route",
    [*WRITES, ("POST", "/v1/uploads", None)],
    ids=ids([*WRITES, ("POST", "/v1/uploads", None)]),
)
def test_without_an_admin_key_nobody_writes(keyless: httpx.Client, route: Any) -> None:
    before = keyless.get("/v1/stats").json()["statements"]
    for headers in ({}, bearer(ADMIN_KEY), bearer(READ_KEY)):
        body = refused(call(keyless, route, headers=headers), 403, "forbidden")
        assert "no admin API key is configured" in body["message"]
        assert "rag keys new" in body["hint"] and "rag ingest" in body["hint"]
    assert keyless.get("/v1/stats").json()["statements"] == before


@pytest.mark.parametrize("route", READS, ids=ids(READS))
def test_reads_are_open_on_loopback_by_default(keyless: httpx.Client, route: Any) -> None:
    response = call(keyless, route)
    assert response.status_code == 200, response.text


def test_open_read_is_explicit_off_loopback(app_on: Callable[..., Any]) -> None:
    """Bound to all interfaces, reads need keys unless RAG_OPEN_READ=true; writes never open."""
    assert not load_settings(_env_file=None, host="0.0.0.0").reads_open
    assert load_settings(_env_file=None, host="0.0.0.0", open_read=True).reads_open
    assert not load_settings(_env_file=None, host="127.0.0.1", open_read=False).reads_open
    with app_on(**with_keys(host="0.0.0.0")) as client:
        refused(client.get("/v1/stats"), 401, "unauthenticated")
    with app_on(**with_keys(host="0.0.0.0", open_read=True)) as client:
        assert client.get("/v1/stats").status_code == 200
        refused(
            client.post("/v1/statements", json={"statements": [RECORD]}), 401, "unauthenticated"
        )
        assert client.get("/v1/stats", headers=bearer("dummy")).status_code == 200


@pytest.mark.parametrize("path", OPEN)
def test_health_page_and_docs_stay_open(closed: httpx.Client, path: str) -> None:
    response = closed.get(path)
    assert response.status_code in (200, 503), response.text  # readyz may still be loading


def test_the_openai_client_sends_its_key_as_bearer(closed: httpx.Client) -> None:
    base = f"{closed.base_url}/v1"
    wrong = openai.OpenAI(base_url=base, api_key="not-a-key", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.models.list()
    assert caught.value.status_code == 401
    with pytest.raises(openai.AuthenticationError):
        wrong.chat.completions.create(
            model="statements", messages=[{"role": "user", "content": HAITI}]
        )
    client = openai.OpenAI(base_url=base, api_key=READ_KEY, max_retries=0)
    assert "statements" in [m.id for m in client.models.list().data]
    reply = client.chat.completions.create(
        model="statements", messages=[{"role": "user", "content": HAITI}]
    )
    assert reply.choices[0].message.content


def test_mcp_over_http_needs_a_key_when_closed(closed: httpx.Client) -> None:
    url = f"{closed.base_url}/mcp"
    for headers in ({}, bearer("not-a-key")):
        response = httpx.post(url, json=MCP_INITIALIZE, headers={**MCP_ACCEPT, **headers})
        assert_error(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"

    client = create_mcp_http_client(headers=bearer(READ_KEY))
    with connected(lambda: streamable_http_client(url, http_client=client)) as tools:
        assert "ask" in {tool.name for tool in tools.list()}
        assert tools.result("list_speakers", limit=1)["total"] >= 1


def test_rate_limit_is_a_429_with_retry_after_then_recovers(app_on: Callable[..., Any]) -> None:
    # One request a second comes back: slow enough that a loaded machine cannot refill the
    # bucket between the requests below.
    with app_on(**with_keys(rate_limit_per_minute=60, rate_limit_burst=2)) as client:
        for _ in range(2):
            assert client.get("/v1/stats", headers=bearer(READ_KEY)).status_code == 200
        response = client.get("/v1/stats", headers=bearer(READ_KEY))
        body = assert_error(response, 429, "rate_limited")
        assert response.headers["retry-after"] == "1"
        assert "60 a minute" in body["message"]
        assert client.get("/v1/stats", headers=ADMIN).status_code == 200  # its own bucket
        assert client.get("/healthz").status_code == 200  # not limited
        chat = client.get("/v1/models", headers=bearer(READ_KEY))
        assert chat.status_code == 429 and chat.json()["error"]["code"] == "rate_limited"
        time.sleep(1.1)  # one request a second comes back
        assert client.get("/v1/stats", headers=bearer(READ_KEY)).status_code == 200


def test_open_reads_are_limited_per_address(app_on: Callable[..., Any]) -> None:
    with app_on(rate_limit_per_minute=60, rate_limit_burst=1) as client:
        assert client.get("/v1/stats").status_code == 200
        assert_error(client.get("/v1/speakers"), 429, "rate_limited")


@pytest.fixture
def writable(make_service: Callable[..., Service]) -> Iterator[httpx.Client]:
    """An empty store with small limits; the client sends the admin key."""
    service = make_service(**with_keys(max_body_bytes=2_000, max_batch_statements=2))
    with (
        running_app(create_app(service)) as base,
        httpx.Client(base_url=base, timeout=60, headers=ADMIN) as client,
    ):
        yield client


def stored(client: httpx.Client) -> int:
    count: int = client.get("/v1/stats").json()["statements"]
    return count


def test_a_body_over_the_limit_is_a_413_naming_it(writable: httpx.Client) -> None:
    big = {"statements": [dict(RECORD, text="Kenya will lead. " * 200)]}
    body = assert_error(writable.post("/v1/statements", json=big), 413, "too_large", "body")
    assert "2,000 bytes" in body["message"] and "RAG_MAX_BODY_BYTES" in body["hint"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield json.dumps(big).encode()

    response = writable.post(
        "/v1/statements", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "too_large", "body")
    assert stored(writable) == 0


def test_a_batch_over_the_limit_is_refused(writable: httpx.Client) -> None:
    batch = [dict(RECORD, id=f"note-{i}") for i in range(3)]
    body = assert_error(
        writable.post("/v1/statements", json={"statements": batch}), 413, "too_large", "statements"
    )
    assert "3 statements" in body["message"] and "limit is 2" in body["message"]
    assert stored(writable) == 0
    assert writable.post("/v1/statements", json={"statements": batch[:2]}).status_code == 200
    assert stored(writable) == 2


def test_a_question_over_the_token_limit_is_a_422(keyless: httpx.Client) -> None:
    question = "Haiti " * 300  # 1,800 characters, under the character limit
    for path in ("/v1/ask", "/v1/search"):
        body = assert_error(
            keyless.post(path, json={"question": question}), 422, "invalid_input", "question"
        )
        assert "tokens; the limit is 256 tokens" in body["message"]
    response = keyless.post(
        "/v1/chat/completions",
        json={"model": "statements", "messages": [{"role": "user", "content": question}]},
    )
    assert response.status_code == 400 and "256" in response.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/statements", "/v1/chat/completions"])
def test_deeply_nested_json_is_a_4xx(writable: httpx.Client, make_service: Any, path: str) -> None:
    nested = "[" * 10_000 + "]" * 10_000
    service = make_service(**with_keys())
    with running_app(create_app(service)) as base:
        for body in (
            nested,
            '{"statements": ' + nested + "}",
            '{"question": ' + "[" * 500 + "]" * 500 + "}",
        ):
            response = httpx.post(
                f"{base}{path}", content=body, headers={**ADMIN, "Content-Type": "application/json"}
            )
            assert 400 <= response.status_code < 500, response.text
            assert "Traceback" not in response.text
        assert httpx.get(f"{base}/v1/stats").json()["statements"] == 0


def test_a_body_that_is_not_utf8_is_a_400(writable: httpx.Client) -> None:
    latin1 = json.dumps({"statements": [dict(RECORD, text="Caf\u00e9")]}, ensure_ascii=False)
    for content in (latin1.encode("latin-1"), b"\xff\xfe\x00\x01binary\x00\x9c"):
        response = writable.post(
            "/v1/statements", content=content, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"] in ("invalid_encoding", "invalid_json")
    body = assert_error(
        writable.post(
            "/v1/statements",
            content=latin1.encode("latin-1"),
            headers={"Content-Type": "application/json"},
        ),
        400,
        "invalid_encoding",
        "body",
    )
    assert "UTF-8" in body["message"]
    assert stored(writable) == 0


def test_unknown_fields_are_a_422_naming_them(writable: httpx.Client) -> None:
    cases = [
        ("/v1/ask", {"question": HAITI, "top_k": 3}, "top_k"),
        ("/v1/search", {"question": HAITI, "filters": {"person": "Ruto"}}, "filters.person"),
        ("/v1/statements", {"statements": [RECORD], "mode": "replace"}, "mode"),
    ]
    for path, body, field in cases:
        error = assert_error(writable.post(path, json=body), 422, "invalid_input", field)
        assert "Extra inputs are not permitted" in error["message"]
    assert stored(writable) == 0


def test_a_huge_single_line_question_is_refused(keyless: httpx.Client) -> None:
    response = keyless.post("/v1/ask", json={"question": "x" * 1_500_000})
    assert response.status_code in (413, 422), response.text


def test_security_headers_on_every_response(closed: httpx.Client) -> None:
    for path in ("/", "/static/ask.js", "/v1/stats", "/healthz", "/no-such-page"):
        headers = closed.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "content-security-policy" not in closed.get("/docs").headers  # Swagger UI's CDN


def test_cors_preflight_only_for_configured_origins(
    app_on: Callable[..., Any], keyless: httpx.Client
) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = "https://notes.example.org"
    with app_on(cors_origins=allowed) as client:
        ok = client.options("/v1/ask", headers={**preflight, "Origin": allowed})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == allowed
        assert "authorization" in ok.headers["access-control-allow-headers"].lower()
        other = client.options("/v1/ask", headers={**preflight, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    default = keyless.options("/v1/ask", headers={**preflight, "Origin": allowed})
    assert "access-control-allow-origin" not in default.headers


def test_a_500_carries_the_security_headers(examples_service: Service) -> None:
    """What no request should reach: an unexpected exception, answered by Starlette's
    outermost middleware, with the headers and the JSON body all the others have."""
    app = create_app(examples_service)

    def broken() -> None:
        raise RuntimeError("an internal detail /srv/secret/path")

    app.add_api_route("/v1/broken", broken)
    with running_app(app) as base:
        response = httpx.get(f"{base}/v1/broken")
    assert_error(response, 500, "internal")
    assert "/srv/secret" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_store_that_goes_away_is_reported_without_its_own_words(
    make_service: Callable[..., Service], tmp_path: Path
) -> None:
    """/readyz and the API say the store is unavailable; Chroma's message (its URL, the
    connection error) stays in the log."""
    chroma = ExitStack()
    url = chroma.enter_context(chroma_server(tmp_path / "chroma"))
    try:
        service = make_service(chroma_url=url)
        with running_app(create_app(service)) as base:
            wait_until(lambda: httpx.get(f"{base}/readyz").status_code == 200, 60, "readyz")
            chroma.close()
            ready = httpx.get(f"{base}/readyz")
            statement = httpx.get(f"{base}/v1/statements/{SEED_ID}")
    finally:
        chroma.close()
    assert ready.status_code == 503
    assert ready.json() == {"status": "store_unavailable", "hint": "the server log says why"}
    body = assert_error(statement, 503, "store_unavailable")
    assert body["message"] == "the statement store is unavailable; the server log says why"
    port = url.rsplit(":", 1)[1]
    assert port not in ready.text + statement.text
