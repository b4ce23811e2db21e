"""rag/prompts/: prompt files with checked placeholders and a hash per version."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.prompts import PROMPTS_DIR, load_prompt, prompts_hash
from rag.question.rewriting import PLACEHOLDERS as FOLLOW_UP_PLACEHOLDERS

PROMPTS = PROMPTS_DIR
USER_PLACEHOLDERS = {"question", "passages"}


@pytest.fixture
def prompts_copy(tmp_path: Path) -> Path:
    target = tmp_path / "prompts"
    shutil.copytree(PROMPTS, target)
    return target


def _write(directory: Path, name: str, text: str) -> None:
    (directory / f"{name}.md").write_text(text, encoding="utf-8")


def test_the_real_prompts_load() -> None:
    system = load_prompt(PROMPTS, "answer_system", set())
    user = load_prompt(PROMPTS, "answer_user", USER_PLACEHOLDERS)

    assert system.placeholders == frozenset()
    assert user.placeholders == frozenset(USER_PLACEHOLDERS)
    assert "answer only from the numbered passages" in system.render()
    assert re.fullmatch(r"[0-9a-f]{64}", user.sha256)


def test_the_follow_up_prompt_loads_with_its_placeholders() -> None:
    prompt = load_prompt(PROMPTS, "follow_up", set(FOLLOW_UP_PLACEHOLDERS))
    text = prompt.render(earlier="1. What did Ruto say about Haiti?", question="and DRC?")
    assert "1. What did Ruto say about Haiti?" in text and "and DRC?" in text


def test_rendering_fills_the_placeholders_once() -> None:
    user = load_prompt(PROMPTS, "answer_user", USER_PLACEHOLDERS)

    text = user.render(
        question="What did Ruto say about Haiti?",
        passages="[P1] A call\nPrices rose by $5 and $question stays as written.",
    )

    assert "Question: What did Ruto say about Haiti?" in text
    assert "$5 and $question stays as written." in text
    assert "$passages" not in text


@pytest.mark.parametrize(
    "values",
    [{"question": "Q"}, {"question": "Q", "passages": "P", "extra": "E"}, {}],
    ids=["missing", "unknown", "none"],
)
def test_rendering_with_the_wrong_keys_is_a_config_error(values: dict[str, str]) -> None:
    user = load_prompt(PROMPTS, "answer_user", USER_PLACEHOLDERS)
    with pytest.raises(ConfigError, match="answer_user"):
        user.render(**values)


def test_a_placeholder_missing_from_the_file_is_an_error_at_load(prompts_copy: Path) -> None:
    _write(prompts_copy, "answer_user", "Question: $question\n\nNo passages here.")

    with pytest.raises(ConfigError, match=r"\['passages', 'question'\], found \['question'\]"):
        load_prompt(prompts_copy, "answer_user", USER_PLACEHOLDERS)


def test_an_unknown_placeholder_in_the_file_is_an_error_at_load(prompts_copy: Path) -> None:
    text = (prompts_copy / "answer_user.md").read_text(encoding="utf-8") + "\nSpeaker: $speaker\n"
    _write(prompts_copy, "answer_user", text)

    with pytest.raises(ConfigError, match="speaker"):
        load_prompt(prompts_copy, "answer_user", USER_PLACEHOLDERS)


def test_braced_placeholders_count_too(prompts_copy: Path) -> None:
    _write(prompts_copy, "answer_user", "Question: ${question}\n\n${passages}")
    prompt = load_prompt(prompts_copy, "answer_user", USER_PLACEHOLDERS)
    assert prompt.render(question="Q", passages="P") == "Question: Q\n\nP"


def test_a_stray_dollar_is_an_error_at_load_and_a_doubled_one_is_not(
    prompts_copy: Path,
) -> None:
    _write(prompts_copy, "answer_system", "It costs $5.")
    with pytest.raises(ConfigError, match="malformed"):
        load_prompt(prompts_copy, "answer_system", set())

    _write(prompts_copy, "answer_system", "It costs $$5.")
    assert load_prompt(prompts_copy, "answer_system", set()).render() == "It costs $5."


def test_a_missing_prompt_file_says_where_to_point(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_prompt(tmp_path, "answer_system", set())
    assert str(tmp_path / "answer_system.md") in error.value.message
    assert error.value.hint is not None and "RAG_PROMPTS_DIR" in error.value.hint


def test_the_hash_changes_when_a_prompt_changes(prompts_copy: Path) -> None:
    def current() -> str:
        return prompts_hash(
            load_prompt(prompts_copy, "answer_system", set()),
            load_prompt(prompts_copy, "answer_user", USER_PLACEHOLDERS),
        )

    original = current()
    path = prompts_copy / "answer_system.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nBe brief.\n", encoding="utf-8")

    assert re.fullmatch(r"[0-9a-f]{12}", original)
    assert current() != original


def test_the_hash_is_the_same_for_the_same_text(prompts_copy: Path) -> None:
    real = prompts_hash(
        load_prompt(PROMPTS, "answer_system", set()),
        load_prompt(PROMPTS, "answer_user", USER_PLACEHOLDERS),
    )
    copied = prompts_hash(
        load_prompt(prompts_copy, "answer_system", set()),
        load_prompt(prompts_copy, "answer_user", USER_PLACEHOLDERS),
    )
    assert real == copied


def test_the_hash_depends_on_which_prompt_is_which() -> None:
    system = load_prompt(PROMPTS, "answer_system", set())
    user = load_prompt(PROMPTS, "answer_user", USER_PLACEHOLDERS)
    assert prompts_hash(system, user) != prompts_hash(user, system)
