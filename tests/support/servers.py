"""Real servers on 127.0.0.1 for tests: the app under uvicorn, and `chroma run`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from rag.interfaces.api.app import uvicorn_options


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up within {timeout} s")


@contextmanager
def running_app(app: Any) -> Iterator[str]:
    """Serve a FastAPI app over real HTTP in a thread, as `rag serve` would (its uvicorn
    options, from the app's settings when it has them); yields its base URL."""
    port = free_port()
    service = getattr(app.state, "service", None)
    options = uvicorn_options(service.settings) if service is not None else {}
    options.update(host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(f"{base}/healthz").status_code == 200, 30, "the app")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A real `chroma run` server on a free port; yields its URL."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chroma command (from the chromadb package) is not installed"
    port = free_port()
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"RUST_LOG": "warn", "ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/api/v2/heartbeat").status_code == 200, 30, "chroma")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
