"""Ingest throughput of web pages and PDFs next to plain text of the same statements.

    .venv/bin/pip install -e '.[fixtures]'
    .venv/bin/python benchmarks/documents_ingest.py [--statements 40] [--rounds 2] [--seed 18]

Draws statements at random from ../shared/data (White House statements and remarks, as in
benchmarks/extractors.py), writes each three ways into temporary folders: a .txt (the text
as the page shows it, front matter for title, date and URL), a web page (the press-office
template of tests/support/published.py) and a PDF (one-page release, two-column and
transcript layouts in turn). Then, for each round and each format in turn (the order
rotates every round, so drift on a shared machine falls on every format), it ingests the
folder into a new store with the real service and model: `load_paths` (reading and
extracting) plus `Service.ingest` (chunk, attribute, embed, write). It prints the seconds
of each part and, per format, the time of the same statements as plain text divided by the
format's time (goal >= 0.9: extracting costs at most a tenth of the encoder's time).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.extractors import DATA, draw  # noqa: E402
from rag.embedding import SentenceTransformerEmbedder  # noqa: E402
from rag.ingest import load_paths  # noqa: E402
from rag.service import build_service  # noqa: E402
from rag.settings import load_settings  # noqa: E402
from tests.support import published  # noqa: E402

FORMATS = ("txt", "html", "pdf")
LAYOUTS: tuple[published.PdfLayout, ...] = ("release", "two-column", "transcript")


def write_folders(sources: list[published.Source], root: Path) -> dict[str, Path]:
    folders = {name: root / name for name in FORMATS}
    for folder in folders.values():
        folder.mkdir()
    for i, s in enumerate(sources):
        name = f"{i:03d}-{s.slug[:60]}"
        title = s.title.replace('"', "'")
        front = f'---\ntitle: "{title}"\ndate: {s.date}\nsource_url: {s.url}\n---\n'
        (folders["txt"] / f"{name}.txt").write_text(front + s.plain, "utf-8")
        (folders["html"] / f"{name}.html").write_text(published.page_html(s), "utf-8")
        (folders["pdf"] / f"{name}.pdf").write_bytes(published.pdf(s, LAYOUTS[i % 3]))
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--statements", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="rag-documents-bench-"))
    sources = draw(args.data, args.statements, args.seed)
    folders = write_folders(sources, home)
    settings = load_settings(data_dir=home / "unused", cache_dir=home / "cache", _env_file=None)
    embedder = SentenceTransformerEmbedder(
        settings.embedding_model,
        settings.embedding_batch_size,
        settings.torch_threads,
        settings.embedding_precision,
    )
    embedder.load()
    print(f"{len(sources)} statements (seed {args.seed}), {args.rounds} rounds, formats rotated")
    runs: dict[str, list[tuple[float, float, int, int]]] = {f: [] for f in FORMATS}
    for round_number in range(args.rounds):
        order = FORMATS[round_number % 3 :] + FORMATS[: round_number % 3]
        for fmt in order:
            data_dir = home / f"store-{fmt}-{round_number}"
            service = build_service(settings.model_copy(update={"data_dir": data_dir}), embedder)
            started = time.perf_counter()
            statements = load_paths([folders[fmt]])
            read = time.perf_counter() - started
            report = service.ingest(statements)
            chars = sum(len(s.text) for s in statements)
            runs[fmt].append((read, report.seconds, report.passages, chars))
            print(
                f"round {round_number + 1} {fmt:4}: read {read:6.2f} s, ingest "
                f"{report.seconds:6.1f} s, {report.passages} passages, {chars:,} characters"
            )
            shutil.rmtree(data_dir, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)

    def total(fmt: str) -> float:
        return statistics.median(read + ingest for read, ingest, _, _ in runs[fmt])

    print(
        "\n| format | read + extract (s) | ingest (s) | extract / ingest | passages | total (s) "
        "| text time / this |"
    )
    print("|---|---|---|---|---|---|---|")
    for fmt in FORMATS:
        read = statistics.median(r for r, _, _, _ in runs[fmt])
        ingest = statistics.median(i for _, i, _, _ in runs[fmt])
        passages = runs[fmt][0][2]
        print(
            f"| {fmt} | {read:.2f} | {ingest:.1f} | {read / ingest:.3f} | {passages} | "
            f"{total(fmt):.1f} | "
            f"{total('txt') / total(fmt):.3f} |"
        )


if __name__ == "__main__":
    main()
