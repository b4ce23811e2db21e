"""Integration fixtures shared by the chat and streaming tests: the examples/ statements
(the seed, four White House statements about Kenya and Haiti, two UN speeches by Ruto),
embedded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.ingest import load_paths
from rag.service import Service
from rag.settings import load_settings
from rag.wiring import build_service

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def examples_dir(
    tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, embedder: SentenceTransformerEmbedder
) -> Path:
    """The data directory of a store holding examples/. Read-only: open it, don't write."""
    data_dir = tmp_path_factory.mktemp("examples") / "data"
    settings = load_settings(data_dir=data_dir, cache_dir=cache_dir, _env_file=None)
    build_service(settings, embedder=embedder).ingest(load_paths([EXAMPLES]))
    return data_dir


@pytest.fixture(scope="session")
def examples_service(
    examples_dir: Path, cache_dir: Path, embedder: SentenceTransformerEmbedder
) -> Service:
    """The examples store, answered extractively (no LLM configured). Read-only."""
    settings = load_settings(data_dir=examples_dir, cache_dir=cache_dir, _env_file=None)
    return build_service(settings, embedder=embedder)
