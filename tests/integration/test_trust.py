"""Answers you can trust, end to end over HTTP: own words apart from reported speech,
quotations with their speakers, timelines in date order, sources with their dates, and a
republished statement cited once.

The store holds examples/ (the seed, four White House statements about Kenya and Haiti, two
of Ruto's UN General Debate speeches) and two real republished pairs from
tests/fixtures/near-duplicates.ndjson.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.ingest import load_paths, statement_from_record
from rag.interfaces.api.app import create_app
from rag.service import Service
from rag.settings import load_settings
from rag.wiring import build_service
from tests.support.servers import running_app

pytestmark = [pytest.mark.slow, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
SEED = "ruto-rubio-call"
UN_2023, UN_2024 = "KEN_78_2023", "KEN_79_2024"
RUTO_READOUT = (
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
)
HARRIS_ORIGINAL = (
    "statements-releases/2023-02/"
    "2023-02-24-readout-of-vice-president-harris-meeting-on-threats-to-medication-abortion"
)
HARRIS_COPY = HARRIS_ORIGINAL.replace("2023-02-24-", "2023-02-25-")
WE_CONCURRED = "We concurred on the imperative and support for a resolution at the UN Security"


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory,
    cache_dir: Path,
    embedder: SentenceTransformerEmbedder,
) -> Service:
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("trust") / "data", cache_dir=cache_dir, _env_file=None
    )
    service = build_service(settings, embedder=embedder)
    lines = (REPO / "tests/fixtures/near-duplicates.ndjson").read_text(encoding="utf-8")
    pairs = [json.loads(line) for line in lines.splitlines()[:4]]
    service.ingest(
        [*load_paths([REPO / "examples"]), *(statement_from_record(r, "fixture") for r in pairs)]
    )
    return service


@pytest.fixture(scope="module")
def api(library: Service) -> Iterator[httpx.Client]:
    with (
        running_app(create_app(library)) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        yield client


def ask(api: httpx.Client, question: str) -> dict[str, Any]:
    response = api.post("/v1/ask", json={"question": question})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_holds(api: httpx.Client, statement_id: str, start: int, end: int, text: str) -> None:
    stored = api.get(f"/v1/statements/{statement_id}").json()["text"]
    assert stored[start:end] == text


# ---- own words, sources, as-of ---------------------------------------------------------


def test_what_someone_said_prefers_their_own_words_and_marks_reported_speech(
    api: httpx.Client,
) -> None:
    body = ask(api, "What did Ruto say about Haiti?")

    lines = [line for line in body["answer"].splitlines() if line.startswith("- ")]
    by_statement = {c["marker"]: c["statement_id"] for c in body["citations"]}
    own = [line for line in lines if "in their own words:" in line]
    reported = [line for line in lines if line.startswith("- Reported:")]
    assert own and len(own) + len(reported) == len(lines)
    # Own words come first: his UN speeches and his quoted words in the seed statement.
    assert lines[: len(own)] == own
    own_statements = {by_statement[int(line.rsplit("[", 1)[1].rstrip("]"))] for line in own}
    assert own_statements <= {SEED, UN_2023, UN_2024}
    assert any(WE_CONCURRED in line for line in own)
    # The Biden readout only reports on Ruto.
    assert all(by_statement[int(r.rsplit("[", 1)[1].rstrip("]"))] == RUTO_READOUT for r in reported)
    for c in body["citations"]:
        assert_holds(api, c["statement_id"], c["start"], c["end"], c["quote"])
        assert c["support"] >= 0.65


def test_every_answer_states_its_dates_and_lists_its_sources(api: httpx.Client) -> None:
    body = ask(api, "What did Biden and Ruto discuss on their call about Haiti?")

    cited = list(dict.fromkeys(c["statement_id"] for c in body["citations"]))
    sources = body["sources"]
    assert [s["statement_id"] for s in sources] == cited
    for source in sources:
        shown = api.get(f"/v1/statements/{source['statement_id']}").json()
        assert (source["title"], source["date"], source["source_url"]) == (
            shown["title"],
            shown["date"],
            shown["source_url"],
        )
    dates = sorted(s["date"] for s in sources if s["date"])
    assert body["as_of"] == {"first": dates[0], "last": dates[-1]}
    as_of = body["answer"].rsplit("\n\n", 1)[1]
    assert as_of.startswith("Based on") and dates[0] in as_of and dates[-1] in as_of
    assert all(check["supported"] for check in body["answer_checks"])


def test_a_republished_statement_is_cited_once_with_its_copies_listed(api: httpx.Client) -> None:
    body = ask(api, "What did Vice President Harris discuss at the meeting on medication abortion?")

    cited = {c["statement_id"] for c in body["citations"]}
    assert len(cited) == 1 and cited <= {HARRIS_ORIGINAL, HARRIS_COPY}
    [source] = body["sources"]
    [other] = {HARRIS_ORIGINAL, HARRIS_COPY} - cited
    [copy] = source["also_published_at"]
    assert copy["statement_id"] == other
    assert copy["date"] == other.split("/")[2][:10]
    assert copy["source_url"].startswith("https://bidenwhitehouse.archives.gov/")


# ---- quotes ----------------------------------------------------------------------------


@pytest.mark.parametrize("speaker", ["Ruto", "President Ruto", "William Ruto"])
def test_quotes_by_any_form_of_a_name(api: httpx.Client, speaker: str) -> None:
    response = api.get("/v1/quotes", params={"speaker": speaker})

    assert response.status_code == 200, response.text
    quotes = response.json()["quotes"]
    assert quotes and {q["speaker"] for q in quotes} == {"William Ruto"}
    assert any(q["text"].startswith(WE_CONCURRED) for q in quotes)
    for q in quotes:
        assert q["statement_id"] == SEED
        assert_holds(api, q["statement_id"], q["start"], q["end"], q["text"])


def test_quotes_about_a_topic_rank_the_matching_quotation_first(api: httpx.Client) -> None:
    response = api.get("/v1/quotes", params={"q": "key allies shared vision"})

    assert response.status_code == 200, response.text
    first = response.json()["quotes"][0]
    assert first["text"].startswith("The United States remains one of Kenya’s key allies")
    assert first["speaker"] == "William Ruto"


def test_quotes_by_someone_never_quoted_are_an_empty_list(api: httpx.Client) -> None:
    response = api.get("/v1/quotes", params={"speaker": "Angela Merkel"})

    assert response.status_code == 200, response.text
    assert response.json() == {"quotes": [], "total": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "last year"}, "since"),
        ({"limit": 0}, "limit"),
        ({"since": "2024-05-01", "until": "2024-01-01"}, "since"),
    ],
)
def test_bad_quote_requests_are_422(api: httpx.Client, params: dict[str, Any], field: str) -> None:
    response = api.get("/v1/quotes", params=params)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_input" and field in (body.get("field") or "")
    assert "Traceback" not in response.text


# ---- timelines -------------------------------------------------------------------------


def assert_timeline(api: httpx.Client, body: dict[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = body["timeline"]
    dated = [e["date"] for e in entries if e["date"]]
    assert dated == sorted(dated)
    assert all(e["date"] for e in entries[: len(dated)])  # undated ones last
    ids = [e["statement_id"] for e in entries]
    assert len(ids) == len(set(ids))  # one entry per statement
    for e in entries:
        c = e["citation"]
        assert c["statement_id"] == e["statement_id"]
        assert_holds(api, c["statement_id"], c["start"], c["end"], c["quote"])
    return entries


def test_timeline_endpoint_lists_statements_in_date_order(api: httpx.Client) -> None:
    response = api.get("/v1/timeline", params={"speaker": "Ruto", "topic": "Haiti"})

    assert response.status_code == 200, response.text
    entries = assert_timeline(api, response.json())
    ids = [e["statement_id"] for e in entries]
    assert ids.index(UN_2023) < ids.index(RUTO_READOUT) < ids.index(UN_2024)
    verbatim = {e["statement_id"] for e in entries if e["verbatim"]}
    assert {UN_2023, UN_2024} <= verbatim  # his speeches are his own words
    assert RUTO_READOUT not in verbatim  # a readout reports him


def test_ask_recognises_a_question_about_change_over_time(api: httpx.Client) -> None:
    body = ask(api, "What has Ruto said about Haiti over time?")

    entries = assert_timeline(api, body)
    assert len(entries) >= 4
    assert body["interpreted"]["timeline"] is True
    assert body["answer"].startswith("Over time (")
    assert [e["citation"]["marker"] for e in entries] == list(range(1, len(entries) + 1))


def test_a_timeline_needs_a_speaker_or_a_topic(api: httpx.Client) -> None:
    response = api.get("/v1/timeline")

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["field"] == "topic" and "speaker" in body["hint"]
