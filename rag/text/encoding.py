"""Text that UTF-8 cannot hold: a lone UTF-16 surrogate.

JSON may carry one as an escape (`"\\ud800"` with no partner) and Python decodes it into a
str, but no tokenizer, hash or UTF-8 response can take it. Every entry point looks for one
before doing anything else with the text.
"""

from __future__ import annotations


def lone_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in `text`, or None when it has none."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def surrogate_problem(text: str) -> str | None:
    """What is wrong with `text`, said without repeating it; None when nothing is."""
    at = lone_surrogate(text)
    if at is None:
        return None
    return (
        f"contains a lone UTF-16 surrogate (\\u{ord(text[at]):04x}) at character {at + 1}, "
        "which is not text"
    )


SURROGATE_HINT = (
    "send text as UTF-8; in JSON, a character beyond U+FFFF is a pair of escapes "
    "(\\ud83d\\ude00), never one half alone"
)
