"""The built wheel, installed, answers with an LLM: its prompts ship inside it.

The wheel is built from a copy of the package's files (so the checkout gets no build/ or
egg-info), installed without dependencies into a fresh venv outside the checkout, and that
venv sees this venv's third-party packages through a plain path line in a .pth file. A plain
path line adds the folder to sys.path without running the .pth files inside it, so the
editable install's finder never loads and the only `rag` the fresh venv can import is the
installed one (the test checks where it came from). Then the installed `rag ask`, run from a
folder outside the checkout, answers through the scripted OpenAI-compatible server.

The full check by hand (a fresh venv, `pip install` of the wheel with its dependencies) is in
the README's Development section.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.prompts import PROMPTS_DIR
from tests.support.openai_server import OpenAIServer, label_of, reply

pytestmark = [pytest.mark.slow, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "rag")
HAITI = "What did Ruto say about Haiti?"
SUPPORT_OFFICE = (
    "establishes a UN support office for the Multinational Security Support (MSS) mission in Haiti"
)
PIP = (sys.executable, "-m", "pip")
GOOD = "Ruto backed a UN support office for the MSS mission in Haiti [1]."


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("wheel")
    flags = ("--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out))
    subprocess.run([*PIP, "wheel", *flags, str(source)], check=True, timeout=300)
    (built,) = out.glob("statements_rag-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv, outside the checkout, holding the wheel; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    flags = ("--quiet", "--no-deps", "--no-index")
    subprocess.run([*PIP, "--python", str(python), "install", *flags, str(wheel)], check=True)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # This venv's dependencies, as a plain path: its .pth files (the editable finder) don't run.
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "PYTHON"))}
    env.pop("OPENAI_API_KEY", None)
    return {**env, **extra}


def test_the_wheel_carries_every_prompt_and_the_license(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    prompts = {f"rag/prompts/{p.name}" for p in PROMPTS_DIR.glob("*.md")}
    assert prompts and prompts <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


def test_the_installed_copy_loads_its_own_prompts(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import json, rag, rag.settings as s; "
        "print(json.dumps([rag.__file__, str(s.load_settings(_env_file=None).prompts_dir)]))"
    )
    out = subprocess.run(
        [str(installed / "python"), "-c", probe],
        cwd=tmp_path,
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    module, prompts = json.loads(out)
    venv = installed.parent
    assert Path(module).is_relative_to(venv) and Path(prompts).is_relative_to(venv)
    assert not Path(module).is_relative_to(REPO)


@pytest.fixture
def llm() -> Iterator[OpenAIServer]:
    server = OpenAIServer().start()
    server.script = lambda request: reply(GOOD, (label_of(request, SUPPORT_OFFICE), SUPPORT_OFFICE))
    yield server
    server.stop()


def test_the_installed_rag_ask_answers_through_an_llm(
    installed: Path, examples_dir: Path, cache_dir: Path, llm: OpenAIServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(examples_dir, data)  # the installed copy may write its index snapshot
    run = subprocess.run(
        [str(installed / "rag"), "ask", HAITI, "--json"],
        cwd=tmp_path,
        env=clean_env(
            RAG_DATA_DIR=str(data),
            RAG_CACHE_DIR=str(cache_dir),
            RAG_LLM_BASE_URL=llm.base_url,
            RAG_LLM_API_KEY="test-key",
            RAG_LLM_MODEL="scripted-model",
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    answer: dict[str, Any] = json.loads(run.stdout)
    assert answer["answerer"] == "openai" and not answer["degraded"]
    assert answer["answer"].startswith(GOOD)
    assert [c["quote"] for c in answer["citations"]] == [SUPPORT_OFFICE]
    (request,) = llm.requests
    system = request["messages"][0]["content"]
    assert system == (PROMPTS_DIR / "answer_system.md").read_text(encoding="utf-8")
