"""The bundled MiniLM in int8 on OpenVINO: exported here from the bundled weights, once,
cached, and checked against the fp32 vectors before it is used.

Export (once per cache key, ~1 min on 2 cores): transformers' BertModel read from the model
directory plus mean pooling, converted by OpenVINO, then quantised to int8 by NNCF's
transformer preset, calibrated on real passages (`sample_passages.jsonl.gz`: White House
statements and UN General Debate speeches from ../shared/data, public domain and CC0;
other statements than the ones benchmarks/encoders.py measures). Nothing is downloaded.

Check: the int8 vectors of the sample's check passages against the fp32 vectors
(rag.embedding.bert) of the same passages; the export is used only when every cosine is at
least MIN_COSINE. The outcome is kept with the export, so the check runs once per export.

The cache key holds what changes the result: the model files' bytes, the versions of the
libraries that export and run it, and the CPU's instruction sets that pick the int8 kernels.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import logging
import shutil
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rag.embedding.wordpieces import WordPieces

log = logging.getLogger(__name__)

NAME = "openvino-int8"
MIN_COSINE = 0.99
SAMPLE = Path(__file__).with_name("sample_passages.jsonl.gz")
_MODEL_FILES = ("config.json", "sentence_bert_config.json", "tokenizer.json", "model.safetensors")
_LIBRARIES = ("openvino", "nncf", "torch", "transformers")
_CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8", "amx_bf16")


def available() -> bool:
    """Whether OpenVINO and NNCF are installed (they are dependencies; a trimmed install
    may lack them)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("openvino", "nncf"))


@dataclass(frozen=True, slots=True)
class Check:
    """How close the export's vectors are to fp32 on the sample's check passages."""

    passages: int
    min_cosine: float
    mean_cosine: float

    @property
    def passed(self) -> bool:
        return self.min_cosine >= MIN_COSINE


def sample() -> tuple[list[str], list[str]]:
    """(calibration passages, check passages), as embedded (header included)."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return (
        [r["text"] for r in rows if r["use"] == "calibration"],
        [r["text"] for r in rows if r["use"] == "check"],
    )


def cache_key(model_dir: Path, cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    digest = hashlib.sha256()
    for name in _MODEL_FILES:
        with (model_dir / name).open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    for library in _LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{library}={metadata.version(library)}".encode())
    try:
        flags = set(cpuinfo.read_text().split())
    except OSError:
        flags = set()
    digest.update(",".join(f for f in _CPU_FLAGS if f in flags).encode())
    return digest.hexdigest()[:16]


class Export:
    """The int8 model for one cache key under `cache_dir/encoders/`."""

    def __init__(self, model_dir: Path, cache_dir: Path) -> None:
        self.model_dir = model_dir
        self.directory = cache_dir / "encoders" / f"{NAME}-{cache_key(model_dir)}"

    @property
    def xml(self) -> Path:
        return self.directory / "model.xml"

    def check(self) -> Check | None:
        """The recorded check, or None when there is no export yet."""
        try:
            record = json.loads((self.directory / "check.json").read_text(encoding="utf-8"))
            return Check(int(record["passages"]), record["min_cosine"], record["mean_cosine"])
        except (OSError, ValueError, KeyError):
            return None

    def ensure(self) -> Check:
        """Export and check unless done already (one process at a time exports)."""
        found = self.check()
        if found is not None:
            return found
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.directory.with_suffix(".lock")):
            found = self.check()  # another process may have finished meanwhile
            if found is not None:
                return found
            log.warning(
                "exporting the embedding model to %s int8 (once, about a minute) in %s",
                NAME,
                self.directory,
            )
            work = Path(tempfile.mkdtemp(prefix=".export-", dir=self.directory.parent))
            try:
                calibration, check_texts = sample()
                _export(self.model_dir, work / "model.xml", calibration)
                check = _check(self.model_dir, work / "model.xml", check_texts)
                (work / "check.json").write_text(
                    json.dumps(
                        {
                            "passages": check.passages,
                            "min_cosine": check.min_cosine,
                            "mean_cosine": check.mean_cosine,
                            "min_required": MIN_COSINE,
                        }
                    ),
                    encoding="utf-8",
                )
                work.rename(self.directory)
            finally:
                shutil.rmtree(work, ignore_errors=True)
            return check


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _export(model_dir: Path, xml: Path, calibration: Sequence[str]) -> None:
    import nncf
    import openvino as ov
    import torch
    import transformers
    from transformers import AutoModel

    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    transformers.utils.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager")

    class Pooled(torch.nn.Module):
        """BertModel, then mean pooling over the real tokens (as the Pooling module does)."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask)[0]
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled: torch.Tensor = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return pooled

    example = torch.ones(2, 16, dtype=torch.long)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracing warnings about shapes fixed in the graph
        model = ov.convert_model(
            Pooled().eval(),
            example_input={"input_ids": example, "attention_mask": example},
            input=[("input_ids", [-1, -1], ov.Type.i64), ("attention_mask", [-1, -1], ov.Type.i64)],
        )
    wordpieces = WordPieces(model_dir)
    samples = [
        (ids, mask) for text in calibration for _, ids, mask in wordpieces.batches([text], 1)
    ]
    nncf.set_log_level(logging.ERROR)
    chatter = io.StringIO()  # NNCF draws progress bars on the terminal
    with contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
        quantized = nncf.quantize(
            model,
            nncf.Dataset(samples, lambda s: {"input_ids": s[0], "attention_mask": s[1]}),
            model_type=nncf.ModelType.TRANSFORMER,
            subset_size=len(samples),
        )
    ov.save_model(quantized, str(xml), compress_to_fp16=False)


def _check(model_dir: Path, xml: Path, texts: Sequence[str]) -> Check:
    from rag.embedding.bert import BertEncoder

    int8 = OpenVinoEncoder(model_dir, xml, threads=0).encode(texts, 16)
    fp32 = BertEncoder(model_dir).encode(texts, 16)
    cosines = np.sum(int8 * fp32, axis=1)
    return Check(len(texts), float(cosines.min()), float(cosines.mean()))


class OpenVinoEncoder:
    """Runs the exported model: unit-length fp32 vectors, as rag.embedding.bert computes.

    One inference request per thread, so questions from concurrent requests run side by side.
    """

    def __init__(self, model_dir: Path, xml: Path, threads: int) -> None:
        import openvino as ov

        self.wordpieces = WordPieces(model_dir)
        config: dict[str, Any] = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self._compiled = ov.Core().compile_model(str(xml), "CPU", config)
        self._requests = threading.local()

    def encode(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        request = getattr(self._requests, "request", None)
        if request is None:
            request = self._requests.request = self._compiled.create_infer_request()
        out: NDArray[np.float32] | None = None
        for rows, ids, mask in self.wordpieces.batches(texts, batch_size):
            result = request.infer({"input_ids": ids, "attention_mask": mask})
            pooled = np.asarray(result[0], dtype=np.float32)
            if out is None:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[rows] = pooled
        assert out is not None
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out
