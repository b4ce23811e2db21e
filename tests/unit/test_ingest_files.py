"""rag/ingest/files.py: files and folders -> Statements; errors say where and what to do."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import re
from pathlib import Path

import pytest

from rag.errors import IngestError
from rag.ingest import load_paths
from tests.unit.conftest import FIXTURES

SEED_MD = FIXTURES / "ruto-rubio-call.md"

RECORDS = [
    {"id": "ruto-1", "text": "Kenya leads the mission in Haiti.", "speaker": "William Ruto"},
    {"id": "ruto-2", "text": "We agreed to bolster cooperation.", "date": "2025-01-08"},
]


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


# Text files


def test_markdown_front_matter_becomes_fields_and_the_body_the_text() -> None:
    (statement,) = load_paths([SEED_MD])
    raw = SEED_MD.read_text(encoding="utf-8")

    assert statement.id == "ruto-rubio-call"
    assert statement.title == "President Ruto on his call with US Secretary of State Marco Rubio"
    assert statement.speaker == "William Ruto"
    assert statement.metadata == {
        "source": "news text given with the project brief (../shared/data/seed/ruto-rubio-call.txt)"
    }
    # The text is the body alone, so offsets count from the body's first character.
    assert statement.text == raw.split("---\n", 2)[2]
    assert statement.text.startswith("President William Ruto has disclosed")
    assert statement.origin == str(SEED_MD)


def test_front_matter_id_date_and_extra_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "call.md",
        "---\n"
        "id: ruto-harris-2025\n"
        "date: 2025-01-08\n"
        "published: 2025-01-09\n"
        "category: readout\n"
        "pages: 2\n"
        "tags: [kenya, haiti]\n"
        "---\n"
        "The Vice President spoke with President Ruto.\n",
    )

    (statement,) = load_paths([path])

    assert statement.id == "ruto-harris-2025"
    assert statement.date is not None and statement.date.text == "2025-01-08"
    assert statement.metadata == {"published": "2025-01-09", "category": "readout", "pages": 2}
    assert statement.text == "The Vice President spoke with President Ruto.\n"


def test_front_matter_date_with_a_time_is_its_day(tmp_path: Path) -> None:
    path = _write(tmp_path / "call.md", "---\ndate: 2023-10-03 15:42:10\n---\nRuto spoke.\n")

    (statement,) = load_paths([path])

    assert statement.date is not None and statement.date.text == "2023-10-03"
    assert statement.date.overlaps(dt.date(2023, 10, 1), None)


def test_text_file_without_front_matter_is_all_text(tmp_path: Path) -> None:
    content = "--- not front matter\nPresident Ruto spoke with Secretary Rubio.\n"
    (statement,) = load_paths([_write(tmp_path / "notes.txt", content)])

    assert statement.id == "notes"
    assert statement.text == content
    assert statement.title is None and statement.metadata == {}


def test_windows_line_endings_and_byte_order_mark(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "call.md",
        "\ufeff---\r\ntitle: A call\r\n---\r\nPresident Ruto spoke.\r\n".encode(),
    )

    (statement,) = load_paths([path])

    assert statement.title == "A call"
    assert statement.text == "President Ruto spoke.\r\n"


# Record files


def test_jsonl_records_keep_their_ids_and_line_origins(tmp_path: Path) -> None:
    lines = [json.dumps(RECORDS[0]), "", json.dumps(RECORDS[1])]
    path = _write(tmp_path / "calls.jsonl", "\n".join(lines) + "\n")

    statements = load_paths([path])

    assert [s.id for s in statements] == ["ruto-1", "ruto-2"]
    assert [s.origin for s in statements] == [f"{path}:1", f"{path}:3"]
    assert statements[0].speaker == "William Ruto"
    assert statements[1].date is not None and statements[1].date.first == dt.date(2025, 1, 8)


def test_jsonl_records_without_id_are_named_by_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.jsonl", '{"text": "one two"}\n\n{"text": "three four"}\n')

    assert [s.id for s in load_paths([path])] == ["calls:1", "calls:3"]


@pytest.mark.parametrize(
    "content",
    [RECORDS, {"statements": RECORDS}],
    ids=["list", "statements-key"],
)
def test_json_list_of_records(tmp_path: Path, content: object) -> None:
    path = _write(tmp_path / "calls.json", json.dumps(content))

    statements = load_paths([path])

    assert [(s.id, s.text) for s in statements] == [(r["id"], r["text"]) for r in RECORDS]
    assert [s.origin for s in statements] == [f"{path}[0]", f"{path}[1]"]


def test_json_single_object(tmp_path: Path) -> None:
    path = _write(tmp_path / "call.json", json.dumps(RECORDS[0]))

    (statement,) = load_paths([path])

    assert statement.id == "ruto-1"
    assert statement.origin == str(path)


def test_json_object_without_id_is_named_by_its_file(tmp_path: Path) -> None:
    _write(tmp_path / "sub" / "call.json", json.dumps({"text": "Ruto spoke."}))

    assert [s.id for s in load_paths([tmp_path])] == ["sub/call"]


def test_json_list_records_without_id_are_named_by_file_and_position(tmp_path: Path) -> None:
    path = _write(tmp_path / "calls.json", json.dumps([{"text": "a b"}, {"text": "c d"}]))

    assert [s.id for s in load_paths([path])] == ["calls:0", "calls:1"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("call.txt", "President Ruto spoke with Secretary Rubio.\n"),
        ("call.md", "---\ntitle: A call\n---\nPresident Ruto spoke with Secretary Rubio.\n"),
        ("calls.jsonl", "\n".join(json.dumps(r) for r in RECORDS)),
        ("calls.json", json.dumps({"statements": RECORDS})),
    ],
)
def test_gzipped_files_read_like_plain_ones(tmp_path: Path, name: str, content: str) -> None:
    plain = load_paths([_write(tmp_path / "plain" / name, content)])
    zipped = load_paths([_write(tmp_path / "zipped" / f"{name}.gz", content)])

    assert plain
    assert [(s.id, s.text, s.title, s.date) for s in zipped] == [
        (s.id, s.text, s.title, s.date) for s in plain
    ]


def test_un_speeches_use_year_as_date_and_keep_scalar_fields() -> None:
    statements = {s.id: s for s in load_paths([FIXTURES / "ungdc-sample.jsonl"])}

    kenya = statements["KEN_78_2023"]
    assert kenya.speaker == "William Samoei Ruto"
    assert kenya.date is not None
    assert (kenya.date.text, kenya.date.first, kenya.date.last) == (
        "2023",
        dt.date(2023, 1, 1),
        dt.date(2023, 12, 31),
    )
    assert kenya.metadata == {
        "country_iso3": "KEN",
        "session": 78,
        "year": 2023,
        "country": "Kenya",
        "post": "President",
    }


def test_whitehouse_records_keep_extra_fields() -> None:
    statements = load_paths([FIXTURES / "whitehouse-sample.jsonl"])

    assert len(statements) == 22
    first = statements[0]
    assert first.date is not None and first.date.text == "2023-07-12"
    assert first.metadata == {
        "published_time": "2023-07-12 15:42:10-04:00",
        "category": "statements-releases",
    }
    assert first.source_url is not None and first.source_url.startswith("https://")


# Folders and ids


def test_ids_are_folder_relative_paths_without_suffixes(tmp_path: Path) -> None:
    _write(tmp_path / "kenya" / "ruto-rubio.md", "Ruto spoke with Rubio.")
    _write(tmp_path / "kenya" / "2024" / "report.v2.txt.gz", "Ruto spoke again.")
    _write(tmp_path / "Notes.TXT", "Notes on the call.")
    _write(tmp_path / "speeches.jsonl", '{"text": "A speech."}\n')

    ids = sorted(s.id for s in load_paths([tmp_path]))

    assert ids == ["Notes", "kenya/2024/report.v2", "kenya/ruto-rubio", "speeches:1"]


def test_a_file_given_directly_is_named_by_its_file_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "kenya" / "ruto-rubio.md.gz", "Ruto spoke with Rubio.")

    assert [s.id for s in load_paths([path])] == ["ruto-rubio"]


def test_ids_are_stable_across_loads(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "one.md", "One statement.")
    _write(tmp_path / "b.jsonl", '{"text": "Two"}\n{"text": "Three"}\n')

    assert [s.id for s in load_paths([tmp_path])] == [s.id for s in load_paths([tmp_path])]


def test_unsupported_and_hidden_files_in_a_folder_are_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _write(tmp_path / "call.md", "Ruto spoke with Rubio.")
    _write(tmp_path / "budget.xlsx", b"PK\x03\x04 a spreadsheet")
    _write(tmp_path / "README", "no suffix")
    _write(tmp_path / ".draft.md", "A hidden draft.")
    _write(tmp_path / ".git" / "notes.md", "Inside a hidden folder.")

    with caplog.at_level(logging.INFO, logger="rag.ingest.files"):
        statements = load_paths([tmp_path])

    assert [s.id for s in statements] == ["call"]
    assert "budget.xlsx" in caplog.text


def test_several_paths_are_read_in_order(tmp_path: Path) -> None:
    first = _write(tmp_path / "b.txt", "Second file, given first.")
    second = _write(tmp_path / "a.txt", "First file, given second.")

    assert [s.id for s in load_paths([first, second])] == ["b", "a"]


# Errors


def _jsonl(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


ERROR_CASES = {
    "malformed-jsonl-line": (
        "calls.jsonl",
        _jsonl([json.dumps(RECORDS[0]), '{"id": "b", "text": ']),
        ":2: invalid JSON",
    ),
    "non-utf8": ("latin1.txt", "Café au lait".encode("latin-1"), "not UTF-8"),
    "binary": ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "missing-text": ("calls.jsonl", _jsonl([json.dumps({"id": "a"})]), ":1: record 'a' has no"),
    "blank-text": ("calls.jsonl", _jsonl([json.dumps({"id": "a", "text": " "})]), ":1: record"),
    "bad-date": (
        "calls.jsonl",
        _jsonl([json.dumps({"id": "a", "text": "x y", "date": "last Tuesday"})]),
        ":1: field 'date' is not a date",
    ),
    "bad-year": (
        "calls.jsonl",
        _jsonl([json.dumps({"id": "a", "text": "x y", "year": "MMXXIII"})]),
        ":1: field 'year' is not a date",
    ),
    "bad-front-matter-date": (
        "call.md",
        "---\ndate: someday\n---\nBody.\n",
        "field 'date' is not a date",
    ),
    "unterminated-front-matter": ("call.md", "---\ntitle: A call\nBody.\n", "never ends"),
    "non-mapping-front-matter": ("call.md", "---\n- a\n- b\n---\nBody.\n", "mapping"),
    "unsupported-type": ("budget.xlsx", b"PK\x03\x04", "unsupported file type"),
    "broken-pdf": ("scan.pdf", b"%PDF-1.7", "not a readable PDF"),
    "pdf-that-is-not": ("scan.pdf", b"<html>a page</html>", "not a PDF"),
}


@pytest.mark.parametrize("case", ERROR_CASES)
def test_bad_input_is_an_ingest_error_naming_the_file(tmp_path: Path, case: str) -> None:
    name, content, message = ERROR_CASES[case]
    path = _write(tmp_path / name, content)

    with pytest.raises(IngestError) as error:
        load_paths([path])

    assert error.value.message.startswith(str(path))
    assert message in error.value.message


@pytest.mark.parametrize("case", ERROR_CASES)
def test_ingest_errors_say_what_to_do(tmp_path: Path, case: str) -> None:
    name, content, _ = ERROR_CASES[case]
    path = _write(tmp_path / name, content)

    with pytest.raises(IngestError) as error:
        load_paths([path])

    assert error.value.hint


def test_non_utf8_error_gives_the_byte_and_offset(tmp_path: Path) -> None:
    path = _write(tmp_path / "latin1.txt", "Café".encode("latin-1"))

    with pytest.raises(IngestError, match=r"byte 0xe9 at offset 3") as error:
        load_paths([path])
    assert error.value.hint is not None and "UTF-8" in error.value.hint


def test_the_error_points_at_the_bad_line_not_the_first(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"s{i}", "text": f"Statement {i}."}) for i in range(5)]
    lines[3] = json.dumps({"id": "s3", "text": "Bad date.", "date": "2023-02-30"})
    path = _write(tmp_path / "calls.jsonl", _jsonl(lines))

    with pytest.raises(IngestError, match=rf"^{re.escape(str(path))}:4: "):
        load_paths([path])


def test_a_bad_file_in_a_folder_aborts_the_whole_load(tmp_path: Path) -> None:
    _write(tmp_path / "a.md", "A good statement.")
    _write(tmp_path / "b.jsonl", "not json\n")

    with pytest.raises(IngestError, match=r"b\.jsonl:1: "):
        load_paths([tmp_path])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("call.txt.gz", b"not gzip data"),
        ("calls.json", b'{"id": "a", "text": }'),
        ("calls.json", b'"just a string"'),
        ("calls.jsonl", b"[1, 2]\n"),
        ("call.md", b"---\ntitle: [unclosed\n---\nBody.\n"),
    ],
    ids=["corrupt-gzip", "invalid-json", "json-scalar", "jsonl-array", "invalid-yaml"],
)
def test_other_unreadable_files_are_ingest_errors(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(IngestError, match=re.escape(str(path))):
        load_paths([path])


def test_a_missing_path_is_an_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file or folder"):
        load_paths([tmp_path / "nowhere"])
