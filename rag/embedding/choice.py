"""Which encoder embeds, on which device: from the settings, the machine and the store.

- Device: `cuda` when torch sees a CUDA device (RAG_EMBEDDING_DEVICE=auto), unless the
  setting says `cpu`. `cuda_available` is the one place that asks, cheaply: without an
  NVIDIA device node it does not import torch at all.
- Encoder (RAG_ENCODER): `torch` (rag.embedding.bert, fp32 or bf16 by
  RAG_EMBEDDING_PRECISION, on the device) or `openvino-int8` (CPU only; exported, cached and
  checked against fp32 by rag.embedding.openvino_int8). `auto` keeps a store's vectors in
  the encoder that made them (the store records it), and embeds a new store with torch:
  openvino-int8 is opt-in (RAG_ENCODER=openvino-int8) until it is shown within 0.01 of fp32
  on every eval suite (the test splits are not compared yet; evals/README.md).

An openvino-int8 export whose vectors are not close enough to fp32 on this machine is not
used: the choice falls back to torch, with a warning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rag.embedding import openvino_int8
from rag.embedding.bert import supports
from rag.errors import ConfigError

log = logging.getLogger(__name__)

EncoderSetting = Literal["auto", "torch", "openvino-int8"]
DeviceSetting = Literal["auto", "cpu", "cuda"]
Encoder = Literal["torch", "openvino-int8"]
Device = Literal["cpu", "cuda"]
BUNDLED = "all-MiniLM-L6-v2 (bundled)"


def cuda_available() -> bool:
    """Whether torch sees a CUDA device (no NVIDIA device node: no, without importing torch)."""
    if not any(Path("/dev").glob("nvidia[0-9]*")):
        return False
    import torch

    return bool(torch.cuda.is_available())


def vectors_name(model_path: str | None, encoder: Encoder, bf16: bool = False) -> str:
    """What a store records as the maker of its vectors: the model, the encoder and, for
    torch, its precision (`torch-fp32` or `torch-bf16`), so an eval store embedded in bf16
    is never taken for an fp32 one. Stores made before encoders were named hold the model's
    plain name (torch vectors, precision unknown)."""
    base = model_path or BUNDLED
    made_by = (f"torch-{'bf16' if bf16 else 'fp32'}") if encoder == "torch" else encoder
    return f"{base}, {made_by}"


def vectors_match(recorded: str, current: str) -> bool:
    """Whether vectors made by `recorded` may sit in one store with `current`'s. torch fp32
    and bf16 vectors of one model agree to a cosine of 0.9999, so a store's torch vectors
    take either precision (a store moved between CPUs with and without native bf16 opens);
    the int8 encoder's (0.995) are not mixed with them. Eval stores and content hashes key
    on the exact name."""
    model = torch_model(current)
    if model is None:
        return recorded == current
    return recorded in (model, f"{model}, torch-fp32", f"{model}, torch-bf16")


def torch_model(name: str) -> str | None:
    """The model of a torch vectors name (None for another encoder's)."""
    for made_by in (", torch-fp32", ", torch-bf16"):
        if name.endswith(made_by):
            return name.removesuffix(made_by)
    return None


@dataclass(frozen=True, slots=True)
class EncoderChoice:
    encoder: Encoder
    device: Device
    why: str


def choose_encoder(
    encoder: EncoderSetting,
    device: DeviceSetting,
    model_dir: Path,
    model_path: str | None,
    cache_dir: Path,
    recorded: str | None = None,
) -> EncoderChoice:
    """`recorded`: the vectors name the store holds (None for a new store)."""
    on_gpu = device == "cuda" or (device == "auto" and cuda_available())
    if device == "cuda" and not cuda_available():
        raise ConfigError(
            "RAG_EMBEDDING_DEVICE=cuda, but torch sees no CUDA device",
            hint="set RAG_EMBEDDING_DEVICE=auto or cpu, or install a CUDA build of torch",
        )
    torch_choice = EncoderChoice("torch", "cuda" if on_gpu else "cpu", "")
    if encoder == "torch":
        return _why(torch_choice, "RAG_ENCODER=torch")
    if encoder == "auto":
        if recorded is not None:
            if recorded == vectors_name(model_path, "openvino-int8"):
                return _openvino(model_dir, cache_dir, torch_choice, "the store's vectors")
            return _why(torch_choice, "the store's vectors")
        return _why(torch_choice, "a new store (openvino-int8 is opt-in)")
    return _openvino(model_dir, cache_dir, torch_choice, "RAG_ENCODER=openvino-int8")


def _why(choice: EncoderChoice, why: str) -> EncoderChoice:
    return EncoderChoice(choice.encoder, choice.device, why)


def _openvino(model_dir: Path, cache_dir: Path, fallback: EncoderChoice, why: str) -> EncoderChoice:
    if not supports(model_dir) or not openvino_int8.available():
        raise ConfigError(
            f"{openvino_int8.NAME} needs the bundled model's shape and the openvino and nncf "
            "packages",
            hint="set RAG_ENCODER=torch (a store made with openvino-int8 needs a new store)",
        )
    try:
        check = openvino_int8.Export(model_dir, cache_dir).ensure()
    except Exception as exc:  # an export that fails must not stop the service
        log.warning("%s export failed (%s); embedding with torch in fp32", openvino_int8.NAME, exc)
        return EncoderChoice("torch", "cpu", f"{openvino_int8.NAME} export failed")
    if not check.passed:
        log.warning(
            "%s vectors are too far from fp32 on this machine (min cosine %.4f < %.2f over %d "
            "passages); embedding with torch in fp32",
            openvino_int8.NAME,
            check.min_cosine,
            openvino_int8.MIN_COSINE,
            check.passages,
        )
        return EncoderChoice("torch", "cpu", f"{openvino_int8.NAME} failed its check")
    return EncoderChoice("openvino-int8", "cpu", why)
