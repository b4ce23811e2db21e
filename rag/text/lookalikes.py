"""Text as it looks, not as it is encoded: full-width and look-alike letters folded to ASCII.

"Ignоre" with a Cyrillic "о", "ＩＧＮＯＲＥ" in full-width letters, "Ig\u200bnore" broken by a
zero-width space and "‹‹‹" for "<<<" read as what a person (or a model) sees. Folding is
NFKC (full-width and compatibility forms) and then the Unicode confusables table that the
`confusable-homoglyphs` package ships, for characters that look like an ASCII one.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from rag.text.words import fold


@cache
def _table() -> dict[int, str]:
    """Non-ASCII characters -> the one ASCII character they look like."""
    from confusable_homoglyphs.confusables import confusables_data

    table: dict[int, str] = {}
    for char, homoglyphs in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_forms = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii()]
        if ascii_forms:
            table[ord(char)] = ascii_forms[0]
    return table


def _folded_char(char: str) -> str:
    if char.isascii():
        return char
    normal = unicodedata.normalize("NFKC", char)
    if len(normal) == 1 and normal.isascii():
        return normal
    return _table().get(ord(normal if len(normal) == 1 else char), char)


def fold_lookalikes(text: str) -> str:
    """`text` with each character that looks like an ASCII one written as it: same length,
    so offsets stay valid."""
    if text.isascii():
        return text
    return "".join(_folded_char(c) for c in text)


def plain(text: str) -> str:
    """`text` as it reads: look-alikes folded, invisible format characters (zero-width
    spaces, joiners, direction marks) removed, lower case, accents dropped."""
    folded = fold_lookalikes(text)
    if not folded.isascii():
        folded = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return fold(folded)
