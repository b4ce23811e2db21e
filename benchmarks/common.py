"""What the benchmarks that drive a running `rag serve` share: its environment, starting it
on a free loopback port and waiting until it is ready, timing requests, sampling its memory.

Scripts in benchmarks/ import it as `common` (they run as `python benchmarks/NAME.py`, so
their own folder is on the path).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = ("whitehouse-sample.jsonl", "ungdc-sample.jsonl", "ruto-rubio-call.md")
READY_WITHIN_SECONDS = 120


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rag_command() -> str:
    """The `rag` console script of the Python running this benchmark."""
    return shutil.which("rag", path=str(Path(sys.executable).parent)) or "rag"


def server_env(home: Path, data_dir: Path, api_key_entry: str, **rag: str) -> dict[str, str]:
    """This process's environment without its RAG_* settings, plus the benchmark's: the store,
    a cache under `home`, one key, no rate limit, and `rag` (name -> value, as RAG_NAME)."""
    env = {n: v for n, v in os.environ.items() if not n.startswith("RAG_")}
    env.update(
        RAG_DATA_DIR=str(data_dir),
        RAG_CACHE_DIR=str(home / "cache"),
        RAG_API_KEYS=api_key_entry,
        RAG_RATE_LIMIT_PER_MINUTE="1000000",
    )
    env.update({f"RAG_{name.upper()}": value for name, value in rag.items()})
    return env


def ingest_fixtures(env: dict[str, str], home: Path) -> None:
    ingest = [rag_command(), "ingest", *(str(FIXTURES / n) for n in CORPUS)]
    subprocess.run(ingest, env=env, cwd=home, check=True, stderr=subprocess.DEVNULL)


@dataclass(frozen=True)
class Server:
    base: str
    pid: int
    log: Path

    def log_tail(self, lines: int = 20) -> list[str]:
        return self.log.read_text().splitlines()[-lines:]


@contextlib.contextmanager
def running_server(env: dict[str, str], home: Path) -> Iterator[Server]:
    """`rag serve` on a free 127.0.0.1 port, logging to home/server.log; yielded once /readyz
    says ready, stopped (SIGTERM) on leaving."""
    port = free_port()
    log = home / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [rag_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=home,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(base)
            yield Server(base, server.pid, log)
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_ready(base: str) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not become ready within {READY_WITHIN_SECONDS} s")


async def timed_request(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    ok: Container[int] = (200,),
    **kwargs: Any,
) -> tuple[float, str | None]:
    """Seconds the request took, and what went wrong (a status outside `ok`, or a failed
    request), if anything."""
    started = time.perf_counter()
    error = None
    try:
        response = await http.request(method, path, **kwargs)
        if response.status_code not in ok:
            error = f"{response.status_code}: {response.text[:200]}"
    except httpx.HTTPError as exc:
        error = repr(exc)
    return time.perf_counter() - started, error


@contextlib.asynccontextmanager
async def sampling_rss(pid: int, every: float = 1.0) -> AsyncIterator[list[float]]:
    """The RSS (MB) of `pid` every `every` seconds while the block runs, and once at its end."""
    samples: list[float] = []
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            samples.append(rss_mb(pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
        samples.append(rss_mb(pid))

    sampler = asyncio.create_task(sample())
    try:
        yield samples
    finally:
        stop.set()
        await sampler
