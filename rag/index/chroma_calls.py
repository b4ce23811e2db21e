"""Every call to Chroma goes through `chroma_call`: its exceptions become StoreError here, at
the adapter, with what was being done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rag.errors import ConfigError, StoreError


@contextmanager
def chroma_call(action: str) -> Iterator[None]:
    try:
        yield
    except (StoreError, ConfigError):
        raise
    except Exception as exc:
        raise StoreError(f"ChromaDB failed to {action}: {exc}") from exc
