"""rag/embedding/bert.py computes what sentence-transformers computes for the bundled model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.embedding.bert import LENGTH_STEP, BertEncoder, supports
from rag.embedding.embedder import SentenceTransformerEmbedder, bundled_model_path
from tests.conftest import FIXTURES

MODEL = Path(bundled_model_path())


def texts() -> list[str]:
    """Fixture statements cut into short, long (past the 256-token limit) and odd pieces."""
    records = [
        json.loads(line)
        for line in (FIXTURES / "whitehouse-sample.jsonl").read_text().splitlines()
        if line.strip()
    ]
    pieces = [r["text"][:200] for r in records[:6]] + [r["text"][:3000] for r in records[:4]]
    return [
        *pieces,
        "  What did Ruto say about Haiti?  ",
        "Côte d'Ivoire, São Tomé and Príncipe — and Türkiye’s “position”",
        "x",
        "Haiti " * 300,
    ]


def test_vectors_match_sentence_transformers() -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(MODEL), device="cpu").encode(
        texts(), batch_size=4, normalize_embeddings=True, convert_to_numpy=True
    )

    ours = BertEncoder(MODEL).encode(texts(), batch_size=4)

    assert ours.dtype == np.float32
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, atol=2e-5)


def test_batching_does_not_change_a_vector() -> None:
    encoder = BertEncoder(MODEL)
    one_by_one = np.vstack([encoder.encode([t], batch_size=1) for t in texts()])
    np.testing.assert_allclose(encoder.encode(texts(), batch_size=64), one_by_one, atol=2e-5)


def test_batches_come_in_a_few_lengths() -> None:
    """Each distinct batch shape costs kernels the process keeps (bf16: ~60 MB over 2,000
    passages of varied lengths): lengths are rounded up to a step, vectors unchanged."""
    encoder = BertEncoder(MODEL)
    seen: list[int] = []
    forward = encoder._forward

    def recording(ids, mask):  # type: ignore[no-untyped-def]
        seen.append(int(ids.shape[1]))
        return forward(ids, mask)

    encoder._forward = recording  # type: ignore[method-assign]
    words = "the council met on Haiti and agreed to send support".split()
    varied = [" ".join(words[: 1 + i % len(words)] * (1 + i)) for i in range(40)]
    vectors = np.vstack([encoder.encode([t], batch_size=1) for t in varied])

    assert len(set(seen)) <= 256 // LENGTH_STEP
    assert all(length % LENGTH_STEP == 0 for length in seen)
    np.testing.assert_allclose(encoder.encode(varied, batch_size=64), vectors, atol=2e-5)


def test_the_bundled_model_is_supported() -> None:
    assert supports(MODEL)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"1_Pooling/config.json": {"pooling_mode_cls_token": True}}, id="cls-pooling"),
        pytest.param({"config.json": {"model_type": "roberta"}}, id="roberta"),
        pytest.param({"config.json": {"hidden_act": "relu"}}, id="relu"),
        pytest.param({"modules.json": None}, id="no-modules-file"),
    ],
)
def test_other_models_are_left_to_sentence_transformers(
    tmp_path: Path, change: dict[str, dict[str, object] | None]
) -> None:
    """A model this encoder would compute wrongly is not taken (sentence-transformers loads it)."""
    copy = tmp_path / "model"
    (copy / "1_Pooling").mkdir(parents=True)
    for name in (
        "config.json",
        "sentence_bert_config.json",
        "modules.json",
        "1_Pooling/config.json",
    ):
        (copy / name).write_text((MODEL / name).read_text())
    for name in ("tokenizer.json", "model.safetensors"):
        (copy / name).symlink_to(MODEL / name)
    assert supports(copy)
    for name, values in change.items():
        if values is None:
            (copy / name).unlink()
        else:
            (copy / name).write_text(
                json.dumps({**json.loads((copy / name).read_text()), **values})
            )
    assert not supports(copy)


def test_a_model_of_another_shape_is_embedded_by_sentence_transformers(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    copy = tmp_path / "cls-model"
    (copy / "1_Pooling").mkdir(parents=True)
    for name in ("config.json", "sentence_bert_config.json", "modules.json", "tokenizer.json"):
        (copy / name).write_text((MODEL / name).read_text())
    (copy / "model.safetensors").symlink_to(MODEL / "model.safetensors")
    pooling = {**json.loads((MODEL / "1_Pooling/config.json").read_text())}
    pooling.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    (copy / "1_Pooling/config.json").write_text(json.dumps(pooling))
    assert not supports(copy)

    vectors = SentenceTransformerEmbedder(str(copy), batch_size=4, precision="fp32").embed(texts())

    reference = SentenceTransformer(str(copy), device="cpu").encode(
        texts(), batch_size=4, normalize_embeddings=True, convert_to_numpy=True
    )
    np.testing.assert_allclose(vectors, reference, atol=2e-5)
    assert not np.allclose(vectors, BertEncoder(MODEL).encode(texts(), batch_size=4), atol=1e-2)
