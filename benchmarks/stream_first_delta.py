"""How soon a streamed LLM answer's first draft delta reaches the client, after the endpoint
sends its first token.

    python benchmarks/stream_first_delta.py [--runs 20] [--pause 0.2]

The app runs under uvicorn (in this process, over a temporary store of examples/) with the
scripted OpenAI-compatible server of the tests as its LLM, which streams the reply in four
chunks, `--pause` seconds apart, the first chunk already holding the answer's first words.
At the end it prints the lag from the endpoint's first chunk to the
client's first `delta` event (p50, p95, max), and from the first chunk to the `answer` event
(what a client waited for before streaming passed the draft on: the whole reply, then the
checks).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import REPO, percentile

sys.path.insert(0, str(REPO))

from rag.ingest import load_paths
from rag.interfaces.api.app import create_app
from rag.settings import load_settings
from rag.wiring import build_service
from tests.support.openai_server import OpenAIServer, label_of, reply
from tests.support.servers import running_app

QUESTION = "What did Ruto say about Haiti?"
QUOTE = (
    "establishes a UN support office for the Multinational Security Support (MSS) mission in Haiti"
)
ANSWER = "Ruto backed a UN support office for the MSS mission in Haiti [1]."


def in_four(content: str) -> list[str]:
    start = content.index('"answer": "') + len('"answer": "Ruto backed')
    rest = content[start:]
    third = len(rest) // 3
    return [content[:start], rest[:third], rest[third : 2 * third], rest[2 * third :]]


def one_run(base: str, llm: OpenAIServer) -> tuple[float, float]:
    llm.chunk_times.clear()
    first_delta = answered = None
    body = {"question": QUESTION, "stream": True}
    with httpx.stream("POST", f"{base}/v1/ask", json=body, timeout=120) as response:
        name = ""
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line[len("event:") :].strip()
            elif line.startswith("data:"):
                if name == "delta" and first_delta is None:
                    assert json.loads(line[len("data:") :]).get("draft"), "not an LLM draft"
                    first_delta = time.monotonic()
                elif name == "answer":
                    answered = time.monotonic()
    assert first_delta is not None and answered is not None and llm.chunk_times
    return first_delta - llm.chunk_times[0], answered - llm.chunk_times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pause", type=float, default=0.2)
    args = parser.parse_args()

    llm = OpenAIServer(chunking=in_four, chunk_pause=args.pause).start()
    llm.script = lambda request: reply(ANSWER, (label_of(request, QUOTE), QUOTE))
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(
            data_dir=Path(home) / "data",
            answerer="openai",
            llm_base_url=llm.base_url,
            llm_api_key="benchmark",
            _env_file=None,
        )
        service = build_service(settings)
        service.ingest(load_paths([REPO / "examples"]))
        with running_app(create_app(service)) as base:
            one_run(base, llm)  # warm: model loaded, index built
            lags = [one_run(base, llm) for _ in range(args.runs)]
    llm.stop()
    first = [a for a, _ in lags]
    whole = [b for _, b in lags]
    print(f"{args.runs} streamed answers, the endpoint pausing {args.pause} s between 4 chunks")
    for label, values in (("first delta", first), ("answer event", whole)):
        print(
            f"{label:>13} after the endpoint's first chunk: p50 {percentile(values, 50) * 1000:.1f}"
            f" ms, p95 {percentile(values, 95) * 1000:.1f} ms, max {max(values) * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
