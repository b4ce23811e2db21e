"""The openvino-int8 encoder for real: exported once per session from the bundled weights,
checked against fp32, cached, refused when its check fails, and recorded in the stores it
makes (a store is never embedded by two encoders)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from rag.embedding import openvino_int8
from rag.embedding.choice import choose_encoder
from rag.embedding.embedder import SentenceTransformerEmbedder, bundled_model_path
from rag.errors import ConfigError
from rag.evaluation.runner import corpus_fingerprint
from rag.ingest import load_paths
from rag.settings import Settings, load_settings
from rag.types import Query
from rag.wiring import build_service
from tests.conftest import FIXTURES

pytestmark = pytest.mark.slow

MODEL = Path(bundled_model_path())


@pytest.fixture(scope="session")
def int8(cache_dir: Path) -> openvino_int8.Export:
    export = openvino_int8.Export(MODEL, cache_dir)
    export.ensure()
    return export


def passages() -> list[str]:
    """Real passage-sized texts: the fixtures' White House statements and UN speeches."""
    statements = load_paths([FIXTURES / "whitehouse-sample.jsonl", FIXTURES / "ungdc-sample.jsonl"])
    return [f"{s.title}\n{s.text[i : i + 900]}" for s in statements[:12] for i in (0, 2000)]


def test_the_export_passes_its_check_and_embeds_close_to_fp32(
    int8: openvino_int8.Export, embedder: SentenceTransformerEmbedder
) -> None:
    check = int8.check()
    assert check is not None and check.passed and check.passages == 64
    texts = passages()

    vectors = openvino_int8.OpenVinoEncoder(MODEL, int8.xml, threads=0).encode(texts, 8)

    assert vectors.dtype == np.float32 and vectors.shape == (len(texts), 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(vectors * embedder.embed(texts), axis=1)
    assert cosines.min() >= openvino_int8.MIN_COSINE


def test_a_cached_export_is_not_made_again(
    int8: openvino_int8.Export, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*_: object) -> None:
        raise AssertionError("exported again")

    monkeypatch.setattr(openvino_int8, "_export", fail)
    assert openvino_int8.Export(MODEL, cache_dir).ensure() == int8.check()


def test_the_cache_key_follows_the_cpu(tmp_path: Path) -> None:
    avx2, vnni = tmp_path / "avx2", tmp_path / "vnni"
    avx2.write_text("flags : fpu avx avx2 fma\n")
    vnni.write_text("flags : fpu avx avx2 fma avx512f avx512_vnni\n")
    assert openvino_int8.cache_key(MODEL, avx2) != openvino_int8.cache_key(MODEL, vnni)


def test_an_export_that_fails_its_check_is_not_used(
    int8: openvino_int8.Export,
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(openvino_int8, "MIN_COSINE", 1.0001)  # no int8 vector is that close
    with caplog.at_level(logging.WARNING):
        chosen = choose_encoder("openvino-int8", "cpu", MODEL, None, cache_dir)
    assert (chosen.encoder, chosen.device) == ("torch", "cpu")
    assert "too far from fp32" in caplog.text


def test_a_store_keeps_the_encoder_that_made_it(
    int8: openvino_int8.Export, tmp_path: Path, cache_dir: Path
) -> None:
    def settings(encoder: str) -> Settings:
        return load_settings(
            data_dir=tmp_path / "data", cache_dir=cache_dir, encoder=encoder, _env_file=None
        )

    made = build_service(settings("openvino-int8"))
    made.ingest(load_paths([FIXTURES / "ruto-rubio-call.md"]))
    assert made.stats().vectors.endswith(", openvino-int8")

    with pytest.raises(ConfigError, match="built with the embedding model") as refused:
        build_service(settings("torch"))
    assert "RAG_ENCODER=auto" in (refused.value.hint or "")

    reopened = build_service(settings("auto"))
    assert reopened.stats().encoder == "openvino-int8 on cpu"
    assert reopened.search(Query("Haiti mission", k=3)).passages


def test_eval_stores_are_kept_apart_by_encoder_and_precision(tmp_path: Path) -> None:
    statements = load_paths([FIXTURES / "ruto-rubio-call.md"])
    settings = load_settings(data_dir=tmp_path, _env_file=None)
    names = {
        SentenceTransformerEmbedder(None, precision="fp32").name,
        SentenceTransformerEmbedder(None, precision="bf16").name,
        SentenceTransformerEmbedder(None, encoder="openvino-int8").name,
    }
    assert len({corpus_fingerprint(statements, settings, name) for name in names}) == 3
