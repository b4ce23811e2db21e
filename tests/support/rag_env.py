"""The environment a `rag` subprocess of a test runs in: this process's, without the
developer's RAG_* settings, with a store and a cache of its own below `home`. The cache
links the session's one export of the int8 encoder (`encoders` fixture), so every
subprocess embeds with the default encoder without exporting it again."""

from __future__ import annotations

import os
from pathlib import Path


def rag_env(home: Path, encoders: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("RAG_") and name != "OPENAI_API_KEY"
    }
    cache = home / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "encoders").exists():
        (cache / "encoders").symlink_to(encoders, target_is_directory=True)
    env["RAG_DATA_DIR"] = str(home / "data")
    env["RAG_CACHE_DIR"] = str(cache)
    return env
