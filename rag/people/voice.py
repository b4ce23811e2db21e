"""Whose voice a passage is in: a speech, or a transcript turn, is its speaker's own words.

Direct quotations (rag.people.quotes) are one kind of own words. The other is a passage spoken in
the first person by its speaker: a UN General Debate speech, a president's remarks, a
committee member's turn. A statement that reports what someone said ("President Ruto said
the talks centred on Haiti") is not their words, even when its metadata names them as the
speaker. So a passage counts as spoken by its speaker when, outside quotation marks, it
says "I", "we", "our" ... at least twice and reports nobody in the third person ("Ruto
stated", "he noted", "according to him").
"""

from __future__ import annotations

import re

MIN_FIRST_PERSON = 2

_QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?")
_FIRST_PERSON = re.compile(r"\b(?:I|[Ww]e|[Oo]ur|[Oo]urs|[Uu]s|[Mm]y|[Mm]e)\b")
_SAYING = r"(?:said|says|stated|states|noted|notes|added|adds|emphasi[sz]ed|told|disclosed)"
_REPORTED = re.compile(
    rf"\b(?:[Hh]e|[Ss]he|[Tt]hey|(?!I\b|We\b)[A-Z][a-z]+)\s+{_SAYING}\b"
    r"|\b[Aa]ccording to (?:him|her)\b"
)


def first_person(text: str) -> bool:
    """Whether `text` is spoken in the first person rather than reporting someone."""
    outside = _QUOTED.sub(" ", text)
    return len(_FIRST_PERSON.findall(outside)) >= MIN_FIRST_PERSON and not _REPORTED.search(outside)
