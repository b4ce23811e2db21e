"""rag/embedding/choice.py: which encoder on which device, from the settings, the machine and
the store. The machine is the one seam `cuda_available` (and `openvino_int8.available`);
torch is never asked here. Paths that export the int8 model are in
tests/integration/test_encoders.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.embedding import choice, openvino_int8
from rag.embedding.choice import choose_encoder, vectors_match, vectors_name
from rag.embedding.embedder import SentenceTransformerEmbedder, bundled_model_path
from rag.errors import ConfigError

MODEL = Path(bundled_model_path())
TORCH_STORE = vectors_name(None, "torch")  # fp32


def gpu(monkeypatch: pytest.MonkeyPatch, present: bool) -> None:
    monkeypatch.setattr(choice, "cuda_available", lambda: present)


def test_auto_embeds_on_the_gpu_when_torch_sees_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gpu(monkeypatch, True)
    chosen = choose_encoder("auto", "auto", MODEL, None, tmp_path)
    assert (chosen.encoder, chosen.device) == ("torch", "cuda")
    assert not (tmp_path / "encoders").exists()  # nothing exported for a GPU


def test_the_cpu_setting_keeps_a_present_gpu_unused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gpu(monkeypatch, True)
    chosen = choose_encoder("torch", "cpu", MODEL, None, tmp_path)
    assert (chosen.encoder, chosen.device) == ("torch", "cpu")


def test_asking_for_cuda_without_one_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gpu(monkeypatch, False)
    with pytest.raises(ConfigError, match="RAG_EMBEDDING_DEVICE=cuda") as raised:
        choose_encoder("auto", "cuda", MODEL, None, tmp_path)
    assert "auto or cpu" in (raised.value.hint or "")


def test_auto_embeds_a_new_store_with_torch_on_a_cpu(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """openvino-int8 is opt-in until every eval suite has compared it with fp32."""
    gpu(monkeypatch, False)
    chosen = choose_encoder("auto", "auto", MODEL, None, tmp_path)
    assert (chosen.encoder, chosen.device) == ("torch", "cpu")
    assert not (tmp_path / "encoders").exists()  # nothing exported


def test_auto_keeps_a_torch_store_on_torch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    gpu(monkeypatch, False)
    chosen = choose_encoder("auto", "auto", MODEL, None, tmp_path, recorded=TORCH_STORE)
    assert (chosen.encoder, chosen.device) == ("torch", "cpu")
    assert chosen.why == "the store's vectors"


def test_without_openvino_a_new_store_is_embedded_by_torch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gpu(monkeypatch, False)
    monkeypatch.setattr(openvino_int8, "available", lambda: False)
    assert choose_encoder("auto", "auto", MODEL, None, tmp_path).encoder == "torch"
    with pytest.raises(ConfigError, match="openvino"):
        choose_encoder("openvino-int8", "auto", MODEL, None, tmp_path)


def test_a_model_of_another_shape_is_embedded_by_torch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gpu(monkeypatch, False)
    assert choose_encoder("auto", "auto", tmp_path, str(tmp_path), tmp_path).encoder == "torch"


def test_vectors_names_tell_encoders_and_torch_precisions_apart() -> None:
    assert vectors_name(None, "torch") == "all-MiniLM-L6-v2 (bundled), torch-fp32"
    assert vectors_name(None, "torch", bf16=True) == "all-MiniLM-L6-v2 (bundled), torch-bf16"
    assert vectors_name(None, "openvino-int8") == "all-MiniLM-L6-v2 (bundled), openvino-int8"
    assert vectors_name("/m", "openvino-int8") == "/m, openvino-int8"


def test_a_store_of_torch_vectors_takes_either_precision_but_not_int8() -> None:
    fp32, bf16 = vectors_name(None, "torch"), vectors_name(None, "torch", bf16=True)
    int8 = vectors_name(None, "openvino-int8")
    old = "all-MiniLM-L6-v2 (bundled)"  # what stores made before encoders were named hold
    assert vectors_match(bf16, fp32) and vectors_match(fp32, bf16) and vectors_match(old, fp32)
    assert not vectors_match(int8, fp32) and not vectors_match(fp32, int8)
    assert not vectors_match(old, int8)
    assert not vectors_match(vectors_name("/m", "torch"), fp32)  # another model


def test_the_embedder_reports_its_encoder_and_device() -> None:
    on_gpu = SentenceTransformerEmbedder(None, precision="fp32", device="cuda")
    bf16 = SentenceTransformerEmbedder(None, precision="bf16")
    assert bf16.name == vectors_name(None, "torch", bf16=True)
    assert (on_gpu.name, on_gpu.describe) == (TORCH_STORE, "torch fp32 on cuda")
    int8 = SentenceTransformerEmbedder(None, encoder="openvino-int8", device="cuda")
    assert int8.describe == "openvino-int8 on cpu"  # the int8 encoder runs on the CPU
    assert not int8.bf16
