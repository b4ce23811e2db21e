"""The service with the real model over real statements: offsets, filters, refusals,
query validation and ingest of files as they come (gzip, malformed batches, real corpora)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from rag.errors import IngestError, InputError
from rag.ingest import load_paths
from rag.service import Service
from rag.types import Answer, Filters, SearchResult
from tests.conftest import FIXTURES, MakeService

SEED = "ruto-rubio-call"
BIDEN_CALL = (
    "statements-releases/2023-10/"
    "2023-10-03-readout-of-president-bidens-call-with-president-william-ruto-of-kenya"
)
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
WHITEHOUSE = SHARED_DATA / "whitehouse" / "statements.jsonl.gz"
UNGDC = SHARED_DATA / "ungdc" / "speeches_2015_2024.jsonl.gz"
RUTO_NAMES = ("William Ruto", "William Samoei Ruto")
QUESTIONS = (
    "What did Ruto say about Haiti?",
    "What did the President say about climate change and Africa?",
    "What was discussed on the call with President Zelenskyy?",
    "inflation and the consumer price index",
    "hostages held in Gaza",
    "reform of the United Nations Security Council",
    "Multinational Security Support mission",
)


def fixture_lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def write_gzip(path: Path, lines: list[str]) -> Path:
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    return path


def search(service: Service, question: str, k: int = 50, **filters: Any) -> SearchResult:
    return service.search(service.query(question, k, Filters(**filters)))


def ask(service: Service, question: str, **filters: Any) -> Answer:
    return service.ask(service.query(question, None, Filters(**filters)))


# ---- offsets ----------------------------------------------------------------------------


@pytest.mark.slow
def test_every_searched_passage_is_an_exact_span_of_its_statement(sample_service: Service) -> None:
    seen: set[str] = set()
    for question in QUESTIONS:
        for sp in search(sample_service, question, k=20).passages:
            p = sp.passage
            stored = sample_service.get_statement(p.statement_id)
            assert stored.text[p.start : p.end] == p.text, p.id
            assert (p.speaker, p.title, p.date) == (
                stored.info.speaker,
                stored.info.title,
                stored.info.date,
            )
            seen.add(p.statement_id)
    assert {SEED, "KEN_78_2023", "KEN_79_2024", "FRA_78_2023"} <= seen


@pytest.mark.slow
def test_every_citation_quotes_its_statement_at_its_offsets(sample_service: Service) -> None:
    cited: set[str] = set()
    for question in QUESTIONS:
        answer = ask(sample_service, question)
        retrieved = {sp.passage.id for sp in answer.passages}
        for c in answer.citations:
            assert sample_service.get_statement(c.statement_id).text[c.start : c.end] == c.quote
            assert c.passage_id in retrieved
            assert f"[{c.marker}]" in answer.text
            cited.add(c.statement_id)
    assert len(cited) >= 4


# ---- filters ----------------------------------------------------------------------------


@pytest.mark.slow
def test_speaker_filter_matches_every_form_of_the_name(sample_service: Service) -> None:
    result = search(sample_service, "Haiti", speaker="Ruto")

    assert set(RUTO_NAMES) <= set(result.matched_speakers)
    assert all("Ruto" in name for name in result.matched_speakers)
    for sp in result.passages:
        assert any("Ruto" in name for name in sp.passage.speakers)
    assert {sp.passage.statement_id for sp in result.passages} >= {
        SEED,
        "KEN_78_2023",
        "KEN_79_2024",
    }
    for other in ("President Ruto", "Samoei", "william ruto"):
        assert search(sample_service, "Haiti", speaker=other).matched_speakers == (
            result.matched_speakers
        )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("since", "until", "included", "excluded"),
    [
        # Year-only dates of UN speeches count as any day of their year.
        ("2023-06-01", "2023-06-30", {"KEN_78_2023", "FRA_78_2023"}, {"KEN_79_2024"}),
        ("2024-01-01", None, {"KEN_79_2024", "BRA_79_2024"}, {"KEN_78_2023"}),
        (None, "2023-12-31", {"KEN_78_2023"}, {"KEN_79_2024", "BRA_79_2024"}),
        ("2023-10-03", "2023-10-03", {BIDEN_CALL, "KEN_78_2023"}, {"KEN_79_2024", SEED}),
    ],
)
def test_date_filters(
    sample_service: Service,
    since: str | None,
    until: str | None,
    included: set[str],
    excluded: set[str],
) -> None:
    since_day = dt.date.fromisoformat(since) if since else None
    until_day = dt.date.fromisoformat(until) if until else None

    result = search(sample_service, "Haiti and global security", since=since_day, until=until_day)

    found = {sp.passage.statement_id for sp in result.passages}
    assert included <= found
    assert not excluded & found
    for sp in result.passages:
        assert sp.passage.date is not None  # undated statements never pass a date filter
        assert sp.passage.date.overlaps(since_day, until_day)


@pytest.mark.slow
def test_statement_ids_filter_keeps_only_those_statements(sample_service: Service) -> None:
    wanted = (SEED, "FRA_78_2023")
    result = search(sample_service, "Haiti", statement_ids=wanted)

    assert {sp.passage.statement_id for sp in result.passages} == set(wanted)


@pytest.mark.slow
def test_a_speaker_nobody_matches_finds_nothing_and_says_so(sample_service: Service) -> None:
    result = search(sample_service, "Haiti", speaker="Obama")
    answer = ask(sample_service, "What did Obama say about Haiti?", speaker="Obama")

    assert result.passages == () and result.matched_speakers == ()
    assert not answer.answerable and answer.citations == ()
    assert "Obama" in answer.text


# ---- answers ----------------------------------------------------------------------------


@pytest.mark.slow
def test_a_question_the_statements_do_not_answer_is_declined(sample_service: Service) -> None:
    answer = ask(sample_service, "What did Ruto say about cryptocurrency regulation?")

    assert not answer.answerable
    assert answer.citations == ()
    assert answer.text.startswith("The statements don't say.")


@pytest.mark.slow
def test_the_haiti_question_cites_the_seed_statement(sample_service: Service) -> None:
    answer = ask(sample_service, "What did Ruto say about Haiti?")

    assert answer.answerable
    assert SEED in {c.statement_id for c in answer.citations}
    assert all("Haiti" in c.quote for c in answer.citations)


@pytest.mark.slow
def test_filters_narrow_the_answer_to_the_seed(sample_service: Service) -> None:
    answer = ask(sample_service, "What did Ruto say about Haiti?", statement_ids=(SEED,))

    assert answer.answerable
    assert {c.statement_id for c in answer.citations} == {SEED}


# ---- query validation -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "k", "filters", "field"),
    [
        ("", None, Filters(), "question"),
        ("  \n\t ", None, Filters(), "question"),
        ("Haiti? " * 400, None, Filters(), "question"),
        ("Haiti", 0, Filters(), "k"),
        ("Haiti", -1, Filters(), "k"),
        ("Haiti", 51, Filters(), "k"),
        (
            "Haiti",
            None,
            Filters(since=dt.date(2024, 1, 2), until=dt.date(2024, 1, 1)),
            "filters.since",
        ),
    ],
    ids=["empty", "blank", "too-long", "k=0", "k<0", "k>max_k", "since>until"],
)
def test_invalid_queries_are_input_errors(
    sample_service: Service, question: str, k: int | None, filters: Filters, field: str
) -> None:
    assert sample_service.settings.max_k == 50
    with pytest.raises(InputError) as raised:
        sample_service.query(question, k, filters)
    assert raised.value.field == field


@pytest.mark.slow
def test_the_largest_k_and_a_one_day_range_are_accepted(sample_service: Service) -> None:
    day = dt.date(2023, 10, 3)
    query = sample_service.query(" Haiti ", 50, Filters(since=day, until=day))
    assert (query.question, query.k) == ("Haiti", 50)


# ---- ingest from files ------------------------------------------------------------------


@pytest.mark.slow
def test_gzip_jsonl_is_ingested(make_service: MakeService, tmp_path: Path) -> None:
    lines = fixture_lines("whitehouse-sample.jsonl")[-2:]  # the two Ruto call readouts
    records = [json.loads(line) for line in lines]
    path = write_gzip(tmp_path / "readouts.jsonl.gz", lines)
    service = make_service()

    report = service.ingest(load_paths([path]))

    assert (report.added, report.statements) == (2, 2)
    for record in records:
        stored = service.get_statement(record["id"])
        assert stored.text == record["text"]
        assert stored.info.date is not None and stored.info.date.text == record["date"]
        assert stored.info.source_url == record["source_url"]
    answer = ask(service, "What did Vice President Harris discuss with President Ruto?")
    assert answer.answerable
    assert {c.statement_id for c in answer.citations} <= {r["id"] for r in records}


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"id": "broken", "text": "An unfinished', "invalid JSON"),
        ('{"id": "no-text", "title": "A record without text"}', "has no 'text'"),
        ('{"id": "bad-date", "text": "Some text.", "date": "October 3rd"}', "is not a date"),
        ('["a list", "not an object"]', "expected a JSON object"),
    ],
    ids=["invalid-json", "no-text", "bad-date", "not-an-object"],
)
@pytest.mark.slow
def test_a_batch_with_a_malformed_record_stores_nothing(
    make_service: MakeService, tmp_path: Path, bad_line: str, message: str
) -> None:
    good = tmp_path / "a-good.jsonl"
    good.write_text("\n".join(fixture_lines("whitehouse-sample.jsonl")[:3]) + "\n")
    bad = tmp_path / "b-bad.jsonl.gz"
    write_gzip(bad, [*fixture_lines("whitehouse-sample.jsonl")[3:5], bad_line])
    service = make_service()

    with pytest.raises(IngestError, match=message) as raised:
        service.ingest(load_paths([tmp_path]))

    assert f"{bad}:3" in raised.value.message  # names the file and line
    assert service.stats().statements == 0
    assert service.stats().passages == 0


def test_a_jsonl_record_with_a_unicode_line_separator_in_its_text(tmp_path: Path) -> None:
    record = json.loads(fixture_lines("ungdc-sample.jsonl")[0])
    sentence_end = record["text"].index(". ") + 1
    text = record["text"][:sentence_end] + "\u2028" + record["text"][sentence_end:]
    path = write_gzip(
        tmp_path / "speech.jsonl.gz", [json.dumps({**record, "text": text}, ensure_ascii=False)]
    )

    statements = load_paths([path])

    assert [s.text for s in statements] == [text]


def _first_lines(source: Path, n: int) -> list[str]:
    with gzip.open(source, "rt", encoding="utf-8", newline="\n") as lines:
        return [next(lines).rstrip("\n") for _ in range(n)]


@pytest.mark.skipif(
    not (WHITEHOUSE.is_file() and UNGDC.is_file()),
    reason=f"the shared corpora are not at {SHARED_DATA}",
)
def test_slices_of_the_real_corpora_parse(tmp_path: Path) -> None:
    """Parsing only: embedding these would take minutes."""
    whitehouse = write_gzip(tmp_path / "whitehouse.jsonl.gz", _first_lines(WHITEHOUSE, 50))
    ungdc = write_gzip(tmp_path / "ungdc.jsonl.gz", _first_lines(UNGDC, 50))

    statements = load_paths([whitehouse, ungdc])

    assert len(statements) == len({s.id for s in statements}) == 100
    white_house, un = statements[:50], statements[50:]
    for s in white_house:
        assert s.title and s.source_url and s.text.strip()
        assert s.date is not None and s.date.first == s.date.last
        assert s.origin.startswith(f"{whitehouse}:")
    for s in un:
        assert s.speaker and s.text.strip()
        assert s.date is not None and len(s.date.text) == 4  # a year only
        assert s.date.first == dt.date(int(s.date.text), 1, 1)
        assert s.date.last == dt.date(int(s.date.text), 12, 31)
        assert {"country", "session"} <= s.metadata.keys()
