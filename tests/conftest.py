"""Shared fixtures: the real embedding model (loaded once), services on temporary stores,
and real servers on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.embedding.embedder import SentenceTransformerEmbedder
from rag.ingest import load_paths
from rag.service import Service
from rag.settings import Settings, load_settings
from rag.wiring import build_service
from tests.support.openai_server import OpenAIServer
from tests.support.rag_env import share_exports_from
from tests.support.servers import chroma_server

# Tests never see the developer's configuration or keys. RAG_REQUIRE_BROWSER is no setting:
# it tells the browser tests (tests/integration/test_web.py) to fail, not skip, without Chromium.
# Nor the Slack and Discord credentials, read under their standard names too.
for _name in list(os.environ):
    if (
        (_name.startswith("RAG_") and _name != "RAG_REQUIRE_BROWSER")
        or _name == "OPENAI_API_KEY"
        or _name.startswith(("SLACK_", "DISCORD_"))
    ):
        del os.environ[_name]

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".md", ".jsonl"))
"""The statement fixtures: the files at the top of tests/fixtures (documents/ is for the
readers' tests and holds bad inputs on purpose)."""
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session", autouse=True)
def _shared_exports(cache_dir: Path) -> None:
    """`rag` subprocesses link the session cache's int8 export (exported once, when first
    needed: tests/support/rag_env.py)."""
    share_exports_from(cache_dir)


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The real bundled MiniLM, loaded once for the whole session."""
    model = SentenceTransformerEmbedder(None, batch_size=32, precision="fp32")  # same on any CPU
    model.load()
    return model


MakeSettings = Callable[..., Settings]
MakeService = Callable[..., Service]


@pytest.fixture
def make_settings(tmp_path: Path, cache_dir: Path) -> MakeSettings:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "cache_dir": cache_dir,
            "_env_file": None,
        }
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
def make_service(make_settings: MakeSettings, embedder: SentenceTransformerEmbedder) -> MakeService:
    """A service on a fresh temporary store, sharing the loaded model."""

    def make(**overrides: Any) -> Service:
        return build_service(make_settings(**overrides), embedder=embedder)

    return make


@pytest.fixture(scope="session")
def sample_service(
    tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, embedder: SentenceTransformerEmbedder
) -> Service:
    """A store holding the fixtures and examples. Read-only: do not ingest or delete here."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("sample"), cache_dir=cache_dir, _env_file=None
    )
    service = build_service(settings, embedder=embedder)
    service.ingest(load_paths([*FIXTURE_FILES, EXAMPLES]))
    return service


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    server = OpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server, shared by the session."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url
