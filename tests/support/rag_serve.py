"""A real `rag serve` (the console script of the Python running the tests, so this tree's
code) in a subprocess on a free 127.0.0.1 port, and `rag` commands with the same settings.

Only RAG_* variables given here reach it: the developer's configuration never does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.rag_env import link_exports
from tests.support.servers import free_port

READY_WITHIN_SECONDS = 180


_chosen: list[str] = []


def use_rag_command(path: str) -> None:
    """Run another `rag` (another checkout's, to measure before and after a change)."""
    _chosen[:] = [path]


def rag_command() -> str:
    if _chosen:
        return _chosen[0]
    found = shutil.which("rag", path=str(Path(sys.executable).parent))
    assert found, "the rag console script is not installed next to this Python"
    return found


def rag_env(home: Path, settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without RAG_* and OPENAI_API_KEY, plus `settings`
    (RAG_NAME -> value) and a store and cache under `home` unless given; the cache shares
    the session's export of the int8 encoder (tests/support/rag_env.py)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("RAG_") and name != "OPENAI_API_KEY"
    }
    env.update(RAG_DATA_DIR=str(home / "data"), RAG_CACHE_DIR=str(home / "cache"))
    env.update(settings)
    link_exports(Path(env["RAG_CACHE_DIR"]))
    return env


@dataclass(frozen=True)
class CommandResult:
    code: int
    stdout: str
    stderr: str


def run_rag(home: Path, settings: Mapping[str, str], *args: str) -> CommandResult:
    """`rag ARGS...` with these settings, in `home`; its exit code and output."""
    done = subprocess.run(
        [rag_command(), *args],
        env=rag_env(home, settings),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return CommandResult(done.returncode, done.stdout, done.stderr)


@dataclass(frozen=True)
class Served:
    base: str
    port: int
    pid: int
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def rag_serve(home: Path, settings: Mapping[str, str]) -> Iterator[Served]:
    """`rag serve --host 127.0.0.1` with these settings, logging to home/serve.log; yielded
    once /readyz says ready, stopped (SIGTERM, then SIGKILL) on leaving."""
    with rag_servers((home, settings)) as (served,):
        yield served


@contextmanager
def rag_servers(*configs: tuple[Path, Mapping[str, str]]) -> Iterator[tuple[Served, ...]]:
    """Several `rag serve`, each as `rag_serve` starts one, loading at the same time."""
    with ExitStack() as stack:
        started = [stack.enter_context(_started(home, settings)) for home, settings in configs]
        for process, served in started:
            _wait_ready(process, served)
        yield tuple(served for _, served in started)


@contextmanager
def _started(
    home: Path, settings: Mapping[str, str]
) -> Iterator[tuple[subprocess.Popen[bytes], Served]]:
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = home / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [rag_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=rag_env(home, settings),
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, Served(f"http://127.0.0.1:{port}", port, process.pid, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_ready(process: subprocess.Popen[bytes], served: Served) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rag serve exited with {process.returncode}: {served.log_text()}")
        try:
            if httpx.get(f"{served.base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(
        f"rag serve was not ready within {READY_WITHIN_SECONDS} s (log: {served.log})"
    )
