"""rag/embedding/embedder.py native_bf16: bf16 only where the CPU computes it natively."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.embedding.embedder import native_bf16

AVX2_EPYC = "flags\t\t: fpu vme sse sse2 avx avx2 fma bmi2 sha_ni\n"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        pytest.param(AVX2_EPYC, False, id="avx2-only"),
        pytest.param(AVX2_EPYC.replace("avx2", "avx2 avx512f avx512_bf16"), True, id="avx512-bf16"),
        pytest.param(AVX2_EPYC.replace("avx2", "avx2 amx_bf16 amx_tile"), True, id="amx"),
        pytest.param(
            AVX2_EPYC.replace("avx2", "avx2 avx512f avx512bw"), False, id="avx512-no-bf16"
        ),
    ],
)
def test_bf16_is_native_only_with_avx512_bf16_or_amx(
    tmp_path: Path, flags: str, expected: bool
) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\n{flags}processor\t: 1\n{flags}")
    assert native_bf16(cpuinfo) is expected


def test_without_cpu_information_it_is_fp32(tmp_path: Path) -> None:
    assert native_bf16(tmp_path / "missing") is False
