"""One export of the int8 encoder for a whole test session, shared by every `rag`
subprocess a test starts.

A subprocess gets a cache of its own (RAG_CACHE_DIR below its home), so without this each
new store it made would export the encoder again (about a minute each). Its cache's
`encoders` is linked to the session's export instead, made once, on first use. Under pytest
the export lives in the session's cache (tests/conftest.py); elsewhere (`python -m
tests.adversarial`) in a temporary directory of the process.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rag.embedding import openvino_int8
from rag.embedding.embedder import bundled_model_path

_home: list[Path] = []


def share_exports_from(cache_dir: Path) -> None:
    """Keep the session's export in `cache_dir` (made there only when first needed)."""
    _home[:] = [cache_dir]


def session_exports() -> Path:
    """The directory of the session's exports, the int8 encoder's made if not yet."""
    if not _home:
        _home.append(Path(tempfile.mkdtemp(prefix="rag-test-encoders-")))
    openvino_int8.Export(Path(bundled_model_path()), _home[0]).ensure()
    return _home[0] / "encoders"


def link_exports(cache: Path) -> None:
    """Give a subprocess's cache directory the session's exports (unless it has its own)."""
    link = cache / "encoders"
    if link.exists() or link.is_symlink():
        return
    exports = session_exports()
    if cache.resolve() == exports.parent.resolve():
        return  # the session's cache itself
    cache.mkdir(parents=True, exist_ok=True)
    link.symlink_to(exports, target_is_directory=True)
