"""Prompt templates, *.md files beside this module: placeholders are checked when loaded, and
hashed.

The templates ship inside the package (package data), so an installed copy finds them without
a checkout; RAG_PROMPTS_DIR points at another folder of the same files to try edited prompts.
Templates use `$name` placeholders (string.Template), so JSON examples in a prompt need no
escaping. A missing or unknown placeholder fails at start-up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from string import Template

from rag.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent
"""The prompts that ship with the package: the default of RAG_PROMPTS_DIR."""


@dataclass(frozen=True, slots=True)
class Prompt:
    name: str
    template: Template
    placeholders: frozenset[str]
    sha256: str

    def render(self, **values: str) -> str:
        given = frozenset(values)
        if given != self.placeholders:
            raise ConfigError(
                f"prompt {self.name!r} takes {sorted(self.placeholders)}, was given {sorted(given)}"
            )
        return self.template.substitute(values)


def load_prompt(directory: Path, name: str, placeholders: set[str]) -> Prompt:
    path = directory / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read prompt {path}: {exc}",
            hint=f"RAG_PROMPTS_DIR names the folder of prompt files (default {PROMPTS_DIR})",
        ) from exc
    template = Template(text)
    if not template.is_valid():
        raise ConfigError(f"prompt {path} has a malformed $placeholder", hint="write $$ for a $")
    found = set(template.get_identifiers())
    if found != placeholders:
        raise ConfigError(
            f"prompt {path} must use the placeholders {sorted(placeholders)}, found {sorted(found)}"
        )
    return Prompt(name, template, frozenset(found), hashlib.sha256(text.encode()).hexdigest())


def prompts_hash(*prompts: Prompt) -> str:
    """One short hash over a set of prompts, recorded with every answer."""
    digest = hashlib.sha256("".join(p.sha256 for p in prompts).encode()).hexdigest()
    return digest[:12]
