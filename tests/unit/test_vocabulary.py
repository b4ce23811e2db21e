"""Every word list once: in rag/text/vocabulary/, loaded by rag/text/vocabulary.py, nowhere else.

Lists written into code drift apart (titles were listed five times, with different words each
time); these checks fail when a module grows its own list again or a file repeats another.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from rag.text import vocabulary

RAG = Path(__file__).resolve().parents[2] / "rag"
FOLDER = RAG / "text" / "vocabulary"
LOADER = RAG / "text" / "vocabulary.py"
MIN_WORDS = 6
# Lists of another kind: the CLI's own command names are not vocabulary for reading text.
NOT_VOCABULARY = {("rag/interfaces/cli.py", "_COMMANDS"), ("rag/interfaces/cli.py", "_ONE_SHOT")}
_WORD = re.compile(r"[a-z][a-z.'’-]*")


def _word_strings(node: ast.AST) -> list[str]:
    """The words of a literal collection of strings, or of `"...".split()`; [] otherwise."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set", "tuple", "list")
        and node.args
    ):
        return _word_strings(node.args[0])
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "split"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return node.func.value.value.split()
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        items = [e.value for e in node.elts if isinstance(e, ast.Constant)]
        if len(items) == len(node.elts) and all(isinstance(i, str) for i in items):
            return [str(i) for i in items]
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return [str(k.value) for k in node.keys if isinstance(k, ast.Constant)]
    if isinstance(node, ast.BinOp):
        return _word_strings(node.left) + _word_strings(node.right)
    return []


def _lists_in_code() -> list[str]:
    found = []
    for path in sorted(RAG.rglob("*.py")):
        if path == LOADER:
            continue
        relative = path.relative_to(RAG.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if any((relative, name) in NOT_VOCABULARY for name in names):
                continue
            words = _word_strings(node.value)
            if len(words) >= MIN_WORDS and all(_WORD.fullmatch(w) for w in words):
                found.append(f"{relative}:{node.lineno} {names} ({len(words)} words)")
    return found


def test_no_module_keeps_a_word_list_of_its_own() -> None:
    assert _lists_in_code() == []


def test_the_code_check_finds_a_list() -> None:
    """The scan above recognises the forms lists were written in (it must be able to fail)."""
    tree = ast.parse('A = frozenset("""one two three four five six""".split())\nB = ("a", "b")')
    assign = tree.body[0]
    assert isinstance(assign, ast.Assign)
    assert len(_word_strings(assign.value)) == 6


def _maps() -> set[str]:
    """Files read as `key value` lines: their values may repeat, their keys may not."""
    return set(
        re.findall(r'(?:numbers|pairs|table)\("([a-z_]+)"\)', LOADER.read_text(encoding="utf-8"))
    )


def _phrase_maps() -> set[str]:
    """Files read as `KEY: phrase | phrase ; phrase` lines: their keys may not repeat."""
    return set(re.findall(r'phrases\("([a-z_]+)"\)', LOADER.read_text(encoding="utf-8")))


def _files() -> dict[str, list[str]]:
    """Each file's words (a map's keys)."""
    maps, phrase_maps = _maps(), _phrase_maps()

    def keys(line: str, stem: str) -> list[str]:
        if stem in phrase_maps:
            return [line.split(":")[0].strip()]
        return line.split()[:1] if stem in maps else line.split()

    return {
        path.stem: [
            word
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
            for word in keys(line, path.stem)
        ]
        for path in sorted(FOLDER.glob("*.txt"))
    }


def test_every_file_says_what_it_is_for() -> None:
    for path in FOLDER.glob("*.txt"):
        assert path.read_text(encoding="utf-8").startswith("# "), path.name


def test_no_file_repeats_a_word() -> None:
    repeated = {
        name: [w for w, n in Counter(words).items() if n > 1] for name, words in _files().items()
    }
    assert {name: ws for name, ws in repeated.items() if ws} == {}


def test_no_two_files_hold_the_same_list() -> None:
    by_content: dict[frozenset[str], list[str]] = {}
    for name, words in _files().items():
        by_content.setdefault(frozenset(words), []).append(name)
    assert [names for names in by_content.values() if len(names) > 1] == []


def test_every_file_is_loaded_once_and_used() -> None:
    source = LOADER.read_text(encoding="utf-8")
    loads = Counter(
        re.findall(r'(?:words|word_set|numbers|pairs|table|rows|phrases)\("([a-z_]+)"\)', source)
    )
    assert set(loads) == set(_files())
    assert [name for name, n in loads.items() if n > 1] == []


def test_composed_lists_hold_their_parts() -> None:
    assert vocabulary.HONORIFICS <= vocabulary.TITLES
    assert vocabulary.TITLES <= vocabulary.ROLE_WORDS
    assert vocabulary.MONTH_NAMES[0] == "january" and len(vocabulary.MONTHS) == 12
    assert vocabulary.ORDINALS["third"] == 3 and vocabulary.CARDINALS["twenty"] == 20
