"""A BERT sentence encoder in plain torch, for sentence-transformers models made of a BERT
Transformer, mean Pooling and Normalize (the bundled all-MiniLM-L6-v2 is one).

It computes what `SentenceTransformer.encode` computes for such a model, from the same
files: tokenizer.json (the `tokenizers` library), model.safetensors, max_seq_length.
What it saves is start-up: importing sentence-transformers (and with it transformers,
scikit-learn and scipy) takes ~5 s on the development machine, torch alone ~1.5 s, and a
cold start to the first answer is mostly that import. tests/integration/test_bert_encoder.py
checks the vectors against sentence-transformers itself. Models of any other shape are
loaded by sentence-transformers (`rag.embedding.embedder`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from rag.embedding.wordpieces import WordPieces

if TYPE_CHECKING:
    import torch

_MODULES = [
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
]
_FILES = ("config.json", "sentence_bert_config.json", "tokenizer.json", "model.safetensors")


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def supports(model_dir: Path) -> bool:
    """Whether `model_dir` holds a model this encoder computes exactly: a BERT with absolute
    positions, mean pooling only, then normalisation."""
    try:
        if not all((model_dir / name).is_file() for name in _FILES):
            return False
        modules = [m["type"] for m in _json(model_dir / "modules.json")]
        pooling_dir = next(
            m["path"] for m in _json(model_dir / "modules.json") if "Pool" in m["type"]
        )
        pooling = _json(model_dir / pooling_dir / "config.json")
        config = _json(model_dir / "config.json")
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    pooling_modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return (
        modules == _MODULES
        and pooling_modes == {"pooling_mode_mean_tokens"}
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
    )


LENGTH_STEP = 32
"""Every batch is padded to a multiple of this many tokens (the model's limit, 256, is one)."""


class BertEncoder:
    def __init__(self, model_dir: Path, bf16: bool = False, device: str = "cpu") -> None:
        import torch
        from safetensors.torch import load_file

        config = _json(model_dir / "config.json")
        self._layers = int(config["num_hidden_layers"])
        self._heads = int(config["num_attention_heads"])
        self._hidden = int(config["hidden_size"])
        self._eps = float(config["layer_norm_eps"])
        # Batches padded to a multiple of LENGTH_STEP tokens: a few shapes, not one a length.
        # oneDNN keeps kernels per shape, and in bf16 that kept ~60 MB more after 2,000
        # passages of varied lengths (benchmarks/memory.py; docs/scaling.md, "Memory").
        self.wordpieces = WordPieces(model_dir, pad_to_multiple_of=LENGTH_STEP)
        self._device = torch.device(device)
        dtype = torch.bfloat16 if bf16 else torch.float32
        weights = load_file(str(model_dir / "model.safetensors"))
        self._w = {name: tensor.to(self._device, dtype) for name, tensor in weights.items()}

    def encode(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        """Unit-length fp32 vectors, one row per text, in the order given."""
        import torch

        out = np.zeros((len(texts), self._hidden), dtype=np.float32)
        with torch.inference_mode():
            for rows, ids, mask in self.wordpieces.batches(texts, batch_size):
                pooled = self._forward(
                    torch.from_numpy(ids).to(self._device),
                    torch.from_numpy(mask).to(self._device),
                )
                out[rows] = pooled.float().cpu().numpy()
        out /= np.linalg.norm(out, axis=1, keepdims=True)  # in fp32 (a bf16 model's too)
        return out

    def _forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        import torch
        from torch.nn import functional as F

        w = self._w
        batch, length = ids.shape
        width = self._hidden // self._heads

        def norm(x: torch.Tensor, name: str) -> torch.Tensor:
            return F.layer_norm(
                x, (self._hidden,), w[f"{name}.weight"], w[f"{name}.bias"], self._eps
            )

        def dense(x: torch.Tensor, name: str) -> torch.Tensor:
            return F.linear(x, w[f"{name}.weight"], w[f"{name}.bias"])

        def heads(x: torch.Tensor) -> torch.Tensor:
            return x.view(batch, length, self._heads, width).transpose(1, 2)

        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = norm(x, "embeddings.LayerNorm")
        dtype = x.dtype
        blocked = (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min
        for i in range(self._layers):
            layer = f"encoder.layer.{i}"
            q, k, v = (dense(x, f"{layer}.attention.self.{n}") for n in ("query", "key", "value"))
            attended = F.scaled_dot_product_attention(heads(q), heads(k), heads(v), blocked)
            attended = attended.transpose(1, 2).reshape(batch, length, self._hidden)
            x = norm(
                dense(attended, f"{layer}.attention.output.dense") + x,
                f"{layer}.attention.output.LayerNorm",
            )
            inner = F.gelu(dense(x, f"{layer}.intermediate.dense"))
            x = norm(dense(inner, f"{layer}.output.dense") + x, f"{layer}.output.LayerNorm")
        weights = mask.unsqueeze(-1).to(dtype)
        return (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
