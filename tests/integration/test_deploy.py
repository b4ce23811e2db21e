"""docker-compose.yml: Chroma's health check works in its image, the app scales behind a
proxy, and the file is valid where a compose tool is installed.

No Docker engine runs here (nor in CI), so the stack is not started. The health check's
command is run as compose runs it in the Chroma image: by /bin/sh, which is dash there,
against a real `chroma run`; and it must fail when nothing, or something other than
Chroma, answers on the port.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from tests.conftest import REPO
from tests.support.servers import free_port

pytestmark = pytest.mark.integration

COMPOSE = REPO / "docker-compose.yml"
NGINX = REPO / "deploy" / "nginx.conf"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return parsed


def healthcheck(compose: dict[str, Any], port: int) -> subprocess.CompletedProcess[str]:
    kind, command = compose["services"]["chroma"]["healthcheck"]["test"]
    assert kind == "CMD-SHELL"  # run by the image's /bin/sh
    dash = shutil.which("dash")
    if dash is None:
        pytest.skip("dash (the Chroma image's /bin/sh) is not installed")
    return subprocess.run(
        [dash, "-c", command.replace("127.0.0.1/8000", f"127.0.0.1/{port}")],
        capture_output=True,
        text=True,
        timeout=10,
    )


@pytest.fixture
def not_chroma() -> Iterator[int]:
    """An HTTP server on a free port that answers 404 to everything."""
    port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", port), http.server.BaseHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()


def test_the_chroma_health_check_passes_under_dash_against_chroma(
    compose: dict[str, Any], chroma_url: str
) -> None:
    port = urlparse(chroma_url).port
    assert port is not None
    done = healthcheck(compose, port)
    assert done.returncode == 0, done.stderr


def test_the_chroma_health_check_fails_when_chroma_does_not_answer(
    compose: dict[str, Any], not_chroma: int
) -> None:
    assert healthcheck(compose, free_port()).returncode != 0  # nothing listens
    assert healthcheck(compose, not_chroma).returncode != 0  # something else does


def test_app_replicas_sit_behind_the_proxy_on_one_chroma(compose: dict[str, Any]) -> None:
    services = compose["services"]
    app, proxy, chroma = services["app"], services["proxy"], services["chroma"]
    assert "ports" not in app  # a fixed host port would forbid --scale app=N
    assert app["expose"] == ["8000"] and app["deploy"]["replicas"] >= 2
    assert app["environment"]["RAG_CHROMA_URL"] == "http://chroma:8000"
    assert app["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert proxy["image"].startswith("nginx:")  # the official image
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert any(v.startswith("./deploy/nginx.conf:") for v in proxy["volumes"])
    assert "upstream app" in NGINX.read_text() and "server app:8000" in NGINX.read_text()
    assert chroma["image"] == "chromadb/chroma:1.5.9"  # the version pyproject.toml pins
    assert "chromadb==1.5.9" in (REPO / "pyproject.toml").read_text()
    assert set(compose["volumes"]) == {"chroma-data", "rag-index"}  # the store and the cache


def test_the_admin_key_comes_from_the_environment(compose: dict[str, Any]) -> None:
    """Required, never written in the file: compose refuses to start without it."""
    keys = compose["services"]["app"]["environment"]["RAG_API_KEYS"]
    assert keys.startswith("${RAG_API_KEYS:?")


def test_compose_validates_the_file_where_it_is_installed() -> None:
    tool = next(
        (
            command
            for command in (["docker", "compose"], ["docker-compose"])
            if shutil.which(command[0])
            and subprocess.run([*command, "version"], capture_output=True).returncode == 0
        ),
        None,
    )
    if tool is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    env = {**os.environ, "RAG_API_KEYS": "ops:admin:" + "0" * 64}
    done = subprocess.run(
        [*tool, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    missing = {k: v for k, v in env.items() if k != "RAG_API_KEYS"}
    refused = subprocess.run(
        [*tool, "-f", str(COMPOSE), "config", "-q"], capture_output=True, text=True, env=missing
    )
    assert refused.returncode != 0 and "RAG_API_KEYS" in refused.stderr
