"""Cold start: from starting a process to its first answer, on an existing store.

    python benchmarks/cold_start.py --data-dir DIR [--runs 3] [--question "..."]
        [--encoder auto|torch|openvino-int8] [--precision auto|fp32|bf16]

Two ways in, each `--runs` times (the first run may read files the page cache does not
hold yet; all runs are printed):

  - cli: `rag ask QUESTION` with the extractive answerer, timed from spawning the process
    to the first byte of the answer on stdout (Python start, imports, opening ChromaDB and
    the index snapshot, loading the model, answering), and to its exit;
  - serve: `rag serve`, timed from spawning it to the first 200 from POST /v1/ask.

The store is only read (a server saves its index snapshot when it stops).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from common import free_port, rag_command, server_env

from rag.interfaces.access import Scope, new_key

QUESTION = "What did the President say about Haiti?"


def cli_run(env: dict[str, str], home: Path, question: str) -> tuple[float, float]:
    """Seconds to the answer's first byte on stdout, and to the process's exit."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [rag_command(), "ask", question],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    if not process.stdout.read(1):
        raise SystemExit("rag ask printed nothing")
    answered = time.perf_counter() - started
    process.stdout.read()
    if process.wait() != 0:
        raise SystemExit(f"rag ask failed with {process.returncode}")
    return answered, time.perf_counter() - started


def serve_run(env: dict[str, str], home: Path, question: str) -> float:
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [rag_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - started < 300:
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/v1/ask", json={"question": question}, timeout=60
                )
                if answer.status_code == 200:
                    return time.perf_counter() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise SystemExit("no answer within 300 s")
    finally:
        server.terminate()
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument(
        "--cache-dir", type=Path, help="RAG_CACHE_DIR (tiktoken files, the int8 export)"
    )
    parser.add_argument("--encoder", default="auto", help="RAG_ENCODER (auto: the store's)")
    parser.add_argument("--precision", default="auto", help="RAG_EMBEDDING_PRECISION (torch)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="rag-cold-"))
    _, api_key = new_key("bench", Scope.ADMIN)
    env = server_env(
        home,
        args.data_dir.resolve(),
        api_key.entry,
        answerer="extractive",
        encoder=args.encoder,
        embedding_precision=args.precision,
    )
    if args.cache_dir:
        env["RAG_CACHE_DIR"] = str(args.cache_dir.resolve())
    cli = [cli_run(env, home, args.question) for _ in range(args.runs)]
    answered, exited = [a for a, _ in cli], [e for _, e in cli]
    print(
        f"cli    process start to answer printed: median {median(answered)}; exit {median(exited)}"
    )
    served = [serve_run(env, home, args.question) for _ in range(args.runs)]
    print(f"serve  process start to first 200 from /v1/ask: median {median(served)}")


def median(seconds: list[float]) -> str:
    runs = ", ".join(f"{s:.1f}" for s in seconds)
    return f"{statistics.median(seconds):.1f} s (runs: {runs} s)"


if __name__ == "__main__":
    main()
