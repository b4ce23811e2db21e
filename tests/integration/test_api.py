"""The HTTP API over real HTTP: the app under uvicorn, a real store and the real model.

A read-only app (the seed statement plus four White House readouts) serves the
question, search, listing and bad-input tests; tests that write get a fresh store.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.ingest import load_paths, statement_from_record
from rag.interfaces.api.app import create_app
from rag.service import Service
from rag.settings import load_settings
from rag.wiring import build_service
from tests.support.keys import ADMIN, with_keys
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEED = FIXTURES / "ruto-rubio-call.md"
SEED_ID = "ruto-rubio-call"
RUTO_READOUT = (
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
)
HARRIS_READOUT = (
    "statements-releases/2025-01/"
    "2025-01-08-readout-of-vice-president-harriss-call-with-president-william-ruto-of-kenya"
)
ZELENSKYY_READOUT = (
    "statements-releases/2023-07/"
    "2023-07-12-readout-of-president-joe-bidens-meeting-with-president-volodymyr-zelenskyy-of-ukraine"
)
NETANYAHU_READOUT = (
    "statements-releases/2023-10/"
    "2023-10-25-readout-of-president-bidens-call-with-prime-minister-netanyahu-of-israel-6"
)
READOUTS = (RUTO_READOUT, HARRIS_READOUT, ZELENSKYY_READOUT, NETANYAHU_READOUT)
ALL_IDS = {SEED_ID, *READOUTS}
HAITI = "What did Ruto say about Haiti?"
ERROR_KEYS = {"error", "message", "field", "hint"}


def fixture_records(*ids: str) -> list[dict[str, Any]]:
    """White House records from tests/fixtures, in the order asked for."""
    lines = (FIXTURES / "whitehouse-sample.jsonl").read_text(encoding="utf-8").splitlines()
    by_id = {record["id"]: record for record in map(json.loads, lines)}
    return [by_id[i] for i in ids]


def assert_error(
    response: httpx.Response, status: int, error: str, field: str | None = None
) -> dict[str, Any]:
    """A JSON error body of the documented shape, and no stack trace."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    body: dict[str, Any] = response.json()
    assert set(body) <= ERROR_KEYS
    assert body["error"] == error
    assert body["message"].strip()
    if field is not None:
        assert body.get("field") == field
    return body


@contextmanager
def client_for(service: Service, headers: dict[str, str] | None = None) -> Iterator[httpx.Client]:
    with (
        running_app(create_app(service)) as base,
        httpx.Client(base_url=base, timeout=60, headers=headers) as client,
    ):
        yield client


def total(client: httpx.Client) -> int:
    response = client.get("/v1/statements")
    assert response.status_code == 200, response.text
    count: int = response.json()["total"]
    return count


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory,
    cache_dir: Path,
    embedder: SentenceTransformerEmbedder,
) -> Service:
    """The seed statement and four readouts. Read-only: tests that write use `fresh`.
    The test keys are configured, so refused writes can be checked here."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("api") / "data",
        cache_dir=cache_dir,
        _env_file=None,
        **with_keys(),
    )
    service = build_service(settings, embedder=embedder)
    readouts = [statement_from_record(r, "fixture") for r in fixture_records(*READOUTS)]
    service.ingest([*load_paths([SEED]), *readouts])
    return service


@pytest.fixture(scope="module")
def api(library: Service) -> Iterator[httpx.Client]:
    with client_for(library) as client:
        yield client


@pytest.fixture
def fresh(make_service: Callable[..., Service]) -> Iterator[httpx.Client]:
    """The app on an empty store of its own, and a client sending the admin key."""
    with client_for(make_service(**with_keys()), ADMIN) as client:
        yield client


# ---- health and docs -----------------------------------------------------------------


def test_healthz_answers_ok(api: httpx.Client) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_becomes_ready_after_warm_up(fresh: httpx.Client) -> None:
    deadline = time.monotonic() + 60
    while True:
        response = fresh.get("/readyz")
        if response.status_code == 200:
            break
        assert response.status_code == 503, response.text
        assert response.json()["status"] == "loading"
        assert time.monotonic() < deadline, "the app never became ready"
        time.sleep(0.1)
    assert response.json() == {"status": "ready", "encoder": "torch fp32 on cpu"}


def test_docs_and_openapi_list_the_routes(api: httpx.Client) -> None:
    docs = api.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    schema = api.get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/v1/ask",
        "/v1/search",
        "/v1/statements",
        "/v1/statements/{statement_id}",
        "/v1/stats",
        "/healthz",
        "/readyz",
    } <= set(paths)
    assert {"get", "post"} <= set(paths["/v1/statements"])
    assert {"get", "delete"} <= set(paths["/v1/statements/{statement_id}"])


def test_an_unknown_route_is_a_json_404(api: httpx.Client) -> None:
    assert_error(api.get("/v1/nowhere"), 404, "not_found")


def test_an_undeclared_method_is_a_405_naming_the_allowed_ones(api: httpx.Client) -> None:
    response = api.request("TRACE", "/v1/stats")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


# ---- ingest --------------------------------------------------------------------------


def test_posting_statements_reports_counts_and_skips_unchanged(fresh: httpx.Client) -> None:
    records = fixture_records(*READOUTS)

    first = fresh.post("/v1/statements", json={"statements": records})
    assert first.status_code == 200, first.text
    added = first.json()
    assert (added["statements"], added["added"], added["updated"], added["unchanged"]) == (
        4,
        4,
        0,
        0,
    )
    listing = fresh.get("/v1/statements").json()
    assert listing["total"] == 4
    assert {s["id"] for s in listing["statements"]} == set(READOUTS)
    assert added["passages"] == sum(s["passage_count"] for s in listing["statements"]) > 0

    again = fresh.post("/v1/statements", json={"statements": records}).json()
    assert (again["added"], again["updated"], again["unchanged"], again["passages"]) == (0, 0, 4, 0)

    repeated = fresh.post("/v1/statements", json={"statements": [*records, records[0]]}).json()
    assert (repeated["statements"], repeated["unchanged"]) == (4, 4)

    changed = [
        dict(records[0], text=records[0]["text"] + "\nA sentence added later."),
        *records[1:],
    ]
    update = fresh.post("/v1/statements", json={"statements": changed}).json()
    assert (update["added"], update["updated"], update["unchanged"]) == (0, 1, 3)
    assert total(fresh) == 4


def test_posted_statement_round_trips_with_metadata(fresh: httpx.Client) -> None:
    [record] = fixture_records(RUTO_READOUT)
    assert fresh.post("/v1/statements", json={"statements": [record]}).status_code == 200

    got = fresh.get(f"/v1/statements/{RUTO_READOUT}")
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["id"] == RUTO_READOUT
    assert body["text"] == record["text"]
    assert body["title"] == record["title"]
    assert body["date"] == "2023-10-03"
    assert body["source_url"] == record["source_url"]
    assert body["metadata"]["category"] == "statements-releases"
    assert body["metadata"]["published_time"] == record["published_time"]


def test_delete_then_get_is_a_404_and_search_forgets_it(fresh: httpx.Client) -> None:
    records = fixture_records(RUTO_READOUT, HARRIS_READOUT)
    assert fresh.post("/v1/statements", json={"statements": records}).status_code == 200
    assert fresh.get(f"/v1/statements/{RUTO_READOUT}").status_code == 200

    deleted = fresh.delete(f"/v1/statements/{RUTO_READOUT}")
    assert deleted.status_code == 200, deleted.text
    assert deleted.json() == {"deleted": RUTO_READOUT}

    assert_error(fresh.get(f"/v1/statements/{RUTO_READOUT}"), 404, "not_found")
    assert_error(fresh.delete(f"/v1/statements/{RUTO_READOUT}"), 404, "not_found")
    assert total(fresh) == 1
    found = fresh.post("/v1/search", json={"question": HAITI, "k": 10}).json()
    assert found["passages"]
    assert {p["statement_id"] for p in found["passages"]} == {HARRIS_READOUT}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"id": "bad-date", "text": "A statement.", "date": "someday"}, id="bad-date"),
        pytest.param({"id": "blank-text", "text": "   \n  "}, id="blank-text"),
        pytest.param({"id": "empty-text", "text": ""}, id="empty-text"),
        pytest.param({"text": "A statement without an id."}, id="no-id"),
        pytest.param(
            {"id": ZELENSKYY_READOUT, "text": "The same id with other text."}, id="duplicate-id"
        ),
    ],
)
def test_a_bad_batch_stores_nothing(fresh: httpx.Client, bad: dict[str, Any]) -> None:
    [kept] = fixture_records(RUTO_READOUT)
    assert fresh.post("/v1/statements", json={"statements": [kept]}).status_code == 200
    batch = [*fixture_records(HARRIS_READOUT, ZELENSKYY_READOUT), bad]

    response = fresh.post("/v1/statements", json={"statements": batch})

    assert_error(response, 422, "invalid_input")
    assert total(fresh) == 1
    for record in batch:
        if record.get("id"):
            assert fresh.get(f"/v1/statements/{record['id']}").status_code == 404


ODD_IDS = ["a statement with spaces", "what?really=1", "hash#tag", "50%-off", "café/ünï", "ends/"]


def test_ids_needing_escapes_work_in_get_and_delete(fresh: httpx.Client) -> None:
    records = [
        {"id": i, "text": f"Statement number {n} about trade."} for n, i in enumerate(ODD_IDS)
    ]
    assert fresh.post("/v1/statements", json={"statements": records}).status_code == 200
    for statement_id in ODD_IDS:
        path = "/v1/statements/" + quote(statement_id, safe="/")
        got = fresh.get(path)
        assert got.status_code == 200, (statement_id, got.text)
        assert got.json()["id"] == statement_id
        deleted = fresh.delete(path)
        assert deleted.status_code == 200, (statement_id, deleted.text)
        assert deleted.json() == {"deleted": statement_id}
        assert_error(fresh.get(path), 404, "not_found")
    assert total(fresh) == 0


# ---- reading -------------------------------------------------------------------------


def test_get_statement_with_slashes_in_its_id(api: httpx.Client) -> None:
    response = api.get(f"/v1/statements/{NETANYAHU_READOUT}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == NETANYAHU_READOUT
    assert body["date"] == "2023-10-25"
    assert body["passage_count"] >= 1


def test_statements_are_listed_in_pages(api: httpx.Client) -> None:
    seen: list[str] = []
    for offset in (0, 2, 4):
        response = api.get("/v1/statements", params={"offset": offset, "limit": 2})
        assert response.status_code == 200, response.text
        page = response.json()
        assert (page["total"], page["offset"], page["limit"]) == (5, offset, 2)
        assert len(page["statements"]) == (2 if offset < 4 else 1)
        seen += [s["id"] for s in page["statements"]]
    assert sorted(seen) == sorted(ALL_IDS)

    for offset in (10, 2**62):  # far past the end is still an empty page (found by fuzzing)
        beyond = api.get("/v1/statements", params={"offset": offset, "limit": 2}).json()
        assert beyond["statements"] == []
        assert beyond["total"] == 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "many"}, "limit"),
    ],
)
def test_bad_paging_is_a_422(api: httpx.Client, params: dict[str, Any], field: str) -> None:
    assert_error(api.get("/v1/statements", params=params), 422, "invalid_input", field)


def test_stats_count_the_library(api: httpx.Client) -> None:
    stats = api.get("/v1/stats").json()
    assert stats["statements"] == 5
    assert stats["speakers"] >= 4  # Ruto, Biden, Harris, Zelenskyy, Netanyahu ...
    names = {s["canonical"] for s in api.get("/v1/speakers").json()["speakers"]}
    assert "Kamala Harris" in names
    assert any("Ruto" in name for name in names) and any("Biden" in name for name in names)
    assert (stats["first_date"], stats["last_date"]) == ("2023-07-12", "2025-01-08")


# ---- questions -----------------------------------------------------------------------


def test_ask_answers_with_citations_that_hold(api: httpx.Client) -> None:
    response = api.post("/v1/ask", json={"question": HAITI})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["answerable"] is True
    assert answer["question"] == HAITI
    assert answer["citations"]
    assert SEED_ID in {c["statement_id"] for c in answer["citations"]}
    for c in answer["citations"]:
        assert {
            "marker",
            "statement_id",
            "title",
            "speaker",
            "date",
            "source_url",
            "passage_id",
            "start",
            "end",
            "quote",
        } <= set(c)
        assert f"[{c['marker']}]" in answer["answer"]
        statement = api.get(f"/v1/statements/{c['statement_id']}")
        assert statement.status_code == 200, statement.text
        assert statement.json()["text"][c["start"] : c["end"]] == c["quote"]
        assert c["title"] == statement.json()["title"]
    seed = next(c for c in answer["citations"] if c["statement_id"] == SEED_ID)
    assert seed["speaker"] == "William Ruto"
    assert seed["title"].startswith("President Ruto on his call")


def test_ask_declines_when_the_speaker_is_unknown(api: httpx.Client) -> None:
    response = api.post(
        "/v1/ask", json={"question": HAITI, "filters": {"speaker": "Nobody Anyone"}}
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["answerable"] is False
    assert answer["citations"] == []
    assert "Nobody Anyone" in answer["answer"]


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        pytest.param(
            {"speaker": "William Ruto"}, {SEED_ID, RUTO_READOUT, HARRIS_READOUT}, id="speaker"
        ),
        pytest.param({"statement_ids": [RUTO_READOUT]}, {RUTO_READOUT}, id="statement-ids"),
        pytest.param(
            {"since": "2023-10-01", "until": "2023-12-31"},
            {RUTO_READOUT, NETANYAHU_READOUT},
            id="dates",
        ),
    ],
)
def test_ask_cites_only_what_the_filters_allow(
    api: httpx.Client, filters: dict[str, Any], allowed: set[str]
) -> None:
    response = api.post("/v1/ask", json={"question": HAITI, "filters": filters})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["answerable"] is True
    assert answer["citations"]
    assert {c["statement_id"] for c in answer["citations"]} <= allowed


def test_search_ranks_passages_with_offsets(api: httpx.Client) -> None:
    response = api.post("/v1/search", json={"question": HAITI, "k": 4})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["k"] == 4
    passages = result["passages"]
    assert len(passages) == 4
    ranks = [p["rank_score"] for p in passages]
    assert ranks == sorted(ranks, reverse=True)
    assert len({p["passage_id"] for p in passages}) == 4
    texts: dict[str, str] = {}
    for p in passages:
        if p["statement_id"] not in texts:
            texts[p["statement_id"]] = api.get(f"/v1/statements/{p['statement_id']}").json()["text"]
        assert texts[p["statement_id"]][p["start"] : p["end"]] == p["text"]


def search(api: httpx.Client, filters: dict[str, Any]) -> dict[str, Any]:
    # A question that names no speaker or date, so only the explicit filters apply.
    response = api.post(
        "/v1/search", json={"question": "Haiti and Kenya", "k": 20, "filters": filters}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_search_filters_by_speaker(api: httpx.Client) -> None:
    result = search(api, {"speaker": "Ruto"})
    assert "William Ruto" in result["matched_speakers"]
    assert result["passages"]
    assert {p["statement_id"] for p in result["passages"]} == {
        SEED_ID,
        RUTO_READOUT,
        HARRIS_READOUT,
    }
    assert all(any("Ruto" in s for s in p["speakers"]) for p in result["passages"])


def test_search_for_an_unknown_speaker_finds_nothing(api: httpx.Client) -> None:
    result = search(api, {"speaker": "Nobody Anyone"})
    assert result["matched_speakers"] == []
    assert result["passages"] == []


def test_search_filters_by_dates(api: httpx.Client) -> None:
    october = search(api, {"since": "2023-10-01", "until": "2023-10-31"})
    assert {p["statement_id"] for p in october["passages"]} == {RUTO_READOUT, NETANYAHU_READOUT}
    later = search(api, {"since": "2025-01-01"})
    assert {p["statement_id"] for p in later["passages"]} == {HARRIS_READOUT}
    one_day = search(api, {"since": "2023-10-03", "until": "2023-10-03"})
    assert {p["statement_id"] for p in one_day["passages"]} == {RUTO_READOUT}
    earlier = search(api, {"until": "2023-07-31"})
    assert {p["statement_id"] for p in earlier["passages"]} == {ZELENSKYY_READOUT}


def test_search_filters_by_statement_ids(api: httpx.Client) -> None:
    result = search(api, {"statement_ids": [ZELENSKYY_READOUT, SEED_ID]})
    assert {p["statement_id"] for p in result["passages"]} == {ZELENSKYY_READOUT, SEED_ID}
    assert search(api, {"statement_ids": ["no-such-statement"]})["passages"] == []


# ---- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/search"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"question": ""}, "question", id="empty-question"),
        pytest.param({"question": "  \n\t "}, "question", id="blank-question"),
        pytest.param({"question": "x" * 2001}, "question", id="long-question"),
        pytest.param({}, "question", id="no-question"),
        pytest.param({"question": HAITI, "k": 0}, "k", id="k-0"),
        pytest.param({"question": HAITI, "k": 10000}, "k", id="k-10000"),
        pytest.param({"question": HAITI, "top": 3}, "top", id="unknown-field"),
        pytest.param(
            {"question": HAITI, "filters": {"speakers": "Ruto"}},
            "filters.speakers",
            id="unknown-filter",
        ),
        pytest.param(
            {"question": HAITI, "filters": {"since": "2024-01-01", "until": "2023-01-01"}},
            "filters.since",
            id="since-after-until",
        ),
        pytest.param(
            {"question": HAITI, "filters": {"since": "last week"}},
            "filters.since",
            id="since-not-a-date",
        ),
        pytest.param(
            {"question": HAITI, "filters": {"statement_ids": "one-id"}},
            "filters.statement_ids",
            id="ids-not-a-list",
        ),
    ],
)
def test_bad_questions_are_422(
    api: httpx.Client, path: str, body: dict[str, Any], field: str
) -> None:
    assert_error(api.post(path, json=body), 422, "invalid_input", field)


def test_malformed_json_is_a_400(api: httpx.Client) -> None:
    response = api.post(
        "/v1/ask",
        content=b'{"question": "What did Ruto say?"',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    "headers",
    [{"Content-Type": "text/plain"}, {"Content-Type": "application/x-www-form-urlencoded"}],
)
def test_a_body_that_is_not_json_is_a_4xx(api: httpx.Client, headers: dict[str, str]) -> None:
    response = api.post("/v1/ask", content=json.dumps({"question": HAITI}), headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert_error(response, response.status_code, response.json()["error"])


def test_a_body_that_is_not_an_object_is_a_422(api: httpx.Client) -> None:
    assert_error(api.post("/v1/ask", json=[HAITI]), 422, "invalid_input")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"statements": []}, "statements", id="empty-list"),
        pytest.param({"statements": [{"id": "a", "text": ""}]}, "statements.0.text", id="empty"),
        pytest.param({"statements": [{"id": "a"}]}, "statements.0.text", id="no-text"),
        pytest.param(
            {"statements": [{"id": "", "text": "Some words."}]}, "statements.0.id", id="no-id"
        ),
        pytest.param({"records": [{"id": "a", "text": "Some words."}]}, None, id="wrong-key"),
        pytest.param({"statements": [{"id": "a", "text": "  "}]}, None, id="blank-text"),
        pytest.param(
            {"statements": [{"id": "a", "text": "Some words.", "date": "soon"}]}, None, id="date"
        ),
    ],
)
def test_bad_statements_are_422_and_store_nothing(
    api: httpx.Client, body: dict[str, Any], field: str | None
) -> None:
    response = api.post("/v1/statements", json=body, headers=ADMIN)
    assert_error(response, 422, "invalid_input", field)
    assert total(api) == 5


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize(
    "statement_id", ["no-such-statement", "statements-releases/2099-01/no-such-readout"]
)
def test_unknown_statement_is_a_404(api: httpx.Client, method: str, statement_id: str) -> None:
    response = api.request(method, f"/v1/statements/{statement_id}", headers=ADMIN)
    body = assert_error(response, 404, "not_found")
    assert statement_id in body["message"]
    assert total(api) == 5
