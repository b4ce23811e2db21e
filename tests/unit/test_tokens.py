"""rag/text/tokens.py: tiktoken's cl100k_base from the bundled file, never from the network."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rag.text.tokens import get_tokenizer

BPE_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
BPE_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
CACHED_NAME = hashlib.sha1(BPE_URL.encode()).hexdigest()
HELLO_WORLD = [15339, 1917]
REPO = Path(__file__).resolve().parents[2]

# A fresh interpreter with every socket refused: the tokenizer must load from the bundled file.
_OFFLINE_SCRIPT = textwrap.dedent(
    """
    import json, socket, sys
    from pathlib import Path

    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    socket.socket.connect = refuse
    socket.create_connection = refuse
    socket.getaddrinfo = refuse

    from rag.text.tokens import get_tokenizer

    tokenizer = get_tokenizer(Path(sys.argv[1]))
    print(json.dumps(tokenizer.encode_ordinary("hello world")))
    """
)


@pytest.fixture
def no_tiktoken_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unset TIKTOKEN_CACHE_DIR for this test and restore it after.

    get_tokenizer sets the variable itself, so it is set first here to make
    monkeypatch record (and later restore) its original state.
    """
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR")


def test_loads_without_network_and_places_the_bpe_file(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TIKTOKEN_CACHE_DIR"}
    result = subprocess.run(
        [sys.executable, "-c", _OFFLINE_SCRIPT, str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == HELLO_WORLD
    cached = tmp_path / "tiktoken" / CACHED_NAME
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == BPE_SHA256


@pytest.mark.usefixtures("no_tiktoken_env")
def test_encodes_with_cl100k_base(tmp_path: Path) -> None:
    tokenizer = get_tokenizer(tmp_path)

    assert tokenizer.encode_ordinary("hello world") == HELLO_WORLD
    assert (tmp_path / "tiktoken" / CACHED_NAME).is_file()


@pytest.mark.usefixtures("no_tiktoken_env")
def test_a_corrupted_cached_file_is_replaced(tmp_path: Path) -> None:
    cached = tmp_path / "tiktoken" / CACHED_NAME
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not a tokenizer file")

    get_tokenizer(tmp_path)

    assert hashlib.sha256(cached.read_bytes()).hexdigest() == BPE_SHA256
    assert [p.name for p in cached.parent.iterdir()] == [CACHED_NAME]


@pytest.mark.usefixtures("no_tiktoken_env")
def test_a_good_cached_file_is_left_alone(tmp_path: Path) -> None:
    get_tokenizer(tmp_path / "first")
    cached = tmp_path / "first" / "tiktoken" / CACHED_NAME
    os.utime(cached, ns=(1_000_000_000, 1_000_000_000))
    get_tokenizer.cache_clear()
    os.environ.pop("TIKTOKEN_CACHE_DIR")

    get_tokenizer(tmp_path / "first")

    assert cached.stat().st_mtime_ns == 1_000_000_000


def test_tiktoken_cache_dir_from_the_environment_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "shared"))

    get_tokenizer(tmp_path / "ours")

    assert (tmp_path / "shared" / CACHED_NAME).is_file()
    assert not (tmp_path / "ours").exists()


@pytest.mark.usefixtures("no_tiktoken_env")
def test_each_cache_dir_gets_the_bpe_file(tmp_path: Path) -> None:
    get_tokenizer(tmp_path / "a")
    get_tokenizer(tmp_path / "b")

    assert (tmp_path / "b" / "tiktoken" / CACHED_NAME).is_file()
