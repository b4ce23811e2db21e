"""Which encoder embeds, on which device: from the settings, the machine and the store.

- Device: `cuda` when torch sees a CUDA device (RAG_EMBEDDING_DEVICE=auto), unless the
  setting says `cpu`. `cuda_available` is the one place that asks, cheaply: without an
  NVIDIA device node it does not import torch at all.
- Encoder (RAG_ENCODER): `torch` (rag.embedding.bert, fp32 or bf16 by
  RAG_EMBEDDING_PRECISION, on the device) or `openvino-int8` (CPU only; exported, cached and
  checked against fp32 by rag.embedding.openvino_int8). `auto` keeps a store's vectors in
  the encoder that made them (the store records it), and for a new store takes
  openvino-int8 on CPU for a model it can export, torch otherwise.

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


def vectors_name(model_path: str | None, encoder: Encoder) -> str:
    """What a store records as the maker of its vectors. The torch encoders (fp32, bf16, any
    device) keep the model's plain name, as stores made before other encoders existed do:
    their vectors agree to a cosine of 0.9999."""
    base = model_path or BUNDLED
    return base if encoder == "torch" else f"{base}, {encoder}"


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
        if on_gpu:
            return _why(torch_choice, "a CUDA device")
        if not supports(model_dir) or not openvino_int8.available():
            return _why(torch_choice, "no int8 export for this model or install")
        return _openvino(model_dir, cache_dir, torch_choice, "the fastest checked encoder")
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
