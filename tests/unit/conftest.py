"""Fixtures for the fast unit tests: the real tokenizer and the fixture statements, no model."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.ingest import load_paths
from rag.text.tokens import Tokenizer, get_tokenizer
from rag.types import Statement

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED_ID = "ruto-rubio-call"


@pytest.fixture(scope="session")
def tokenizer(cache_dir: Path) -> Tokenizer:
    return get_tokenizer(cache_dir)


@pytest.fixture(scope="session")
def fixture_statements() -> tuple[Statement, ...]:
    """Every statement under tests/fixtures: the seed, White House records, UN speeches."""
    # The files at the top (documents/ is for the readers' tests and has bad inputs on purpose).
    return tuple(load_paths(sorted(p for p in FIXTURES.iterdir() if p.suffix in (".md", ".jsonl"))))


@pytest.fixture(scope="session")
def seed(fixture_statements: tuple[Statement, ...]) -> Statement:
    return next(s for s in fixture_statements if s.id == SEED_ID)
