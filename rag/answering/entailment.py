"""Does a claim keep the meaning of its cited text, or turn it around?

The exact checks (rag.answering.facts) make sure a claim's numbers, dates and names are in
what it cites; word overlap that its words are. Neither sees a claim that reuses the right
words to say the opposite, or pins the right figure on the wrong thing. Two readings here,
both rules over words:

- polarity: a word the cited text only ever says under a negation ("did *not pose* an
  immediate threat", "*cannot accept*", "*failed* to") that the claim says plainly, or the
  reverse ("did not discuss" what the text says was discussed); and opposites ("rose" where
  the text says "fell", "granted" for "denied", rag/text/vocabulary/opposites.txt) the cited
  text never says the claim's way. A modal flip ("should no longer be" for "must remain")
  is one of these.
- binding: a figure belongs to the words around it. When a claim gives two figures of its
  cited text, each should sit among the words the text puts it with; "homicides are down
  38%, sexual assaults 35%" when the text says the reverse fits the text better crossed.

A word counts under a negation within its clause: the few words after "not" (and the one
before it: "forces not on the ground"). Words compare on their first letters, as the claim
check's stems do.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from rag.answering.facts import quantities
from rag.text.vocabulary import (
    CLAIM_FRAME,
    NEGATING_VERBS,
    NEGATIONS,
    NOT_NEGATIONS,
    OPPOSITES,
    STOPWORDS,
)
from rag.text.words import fold

KEY_LENGTH = 5
SCOPE_AFTER = 3
"""Content words after a negation, in its clause, that it negates."""
WINDOW = 3
CONTEXT_WORDS = 1
"""Words around a word a text says both ways that place the claim's use at the negated one."""
"""Words either side of a figure (or an opposite) that say what it is about."""
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[^\sa-z0-9]")
_BREAKS = frozenset('.,;:!?()[]—–\n"“”') | {"but", "while", "whereas", "although", "and"}
_MARKERS = re.compile(r"\[\d+\]")
_ACRONYM_DOTS = re.compile(r"\b((?:[A-Za-z]\.){2,})")
_DOT_LEADER = re.compile(r"(?:[ \t]*\.){3,}")
_LEADER_LINE = re.compile(r"^.*(?:\.[ \t\xa0]*){4,}.*\n", re.MULTILINE)
_POSSESSIVE = re.compile(r"['’]s\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
_BINDING_BREAKS = _BREAKS - {"(", ")", "[", "]"}
_SENTENCE_ENDS = frozenset(".!?")
_LABEL_REACH = 6
"""Tokens after a question within which a speaker label's colon may come."""


@dataclass(frozen=True, slots=True)
class _Word:
    key: str
    negated: bool
    position: int
    """Index among all tokens: words further apart than a window are unrelated."""
    head: bool = False
    """The first word a negation governs: "not" *pose* an immediate threat."""
    content: bool = True
    """False for stopwords ("down", "up"), kept for the opposites only."""
    sentence: int = 0
    """Which sentence of the text the word is in, counted from 0."""
    before: str = ""
    """The token before it: "could" in "could happen"."""


def _key(word: str) -> str:
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return word[:KEY_LENGTH]


def _is_negation(word: str, following: str = "") -> bool:
    """ "not", "never", "won't"; "failed" and "refused" when they take a verb ("failed to")."""
    if word in NEGATING_VERBS:
        return following == "to"
    return word in NEGATIONS or word.endswith(("n't", "n’t"))


def _content(word: str) -> bool:
    return len(word) > 2 and word.isalpha() and word not in STOPWORDS and word not in CLAIM_FRAME


def _plain(text: str) -> str:
    """`text` folded, without markers, possessives, dot leaders or full stops in acronyms; a
    table row (a line with a dot leader: "Africa . . . . 40,000") ends its clause."""
    text = _LEADER_LINE.sub(lambda m: m.group()[:-1] + ";", text)
    text = _ACRONYM_DOTS.sub(lambda m: m.group(1).replace(".", ""), _MARKERS.sub(" ", text))
    text = _DOT_LEADER.sub(lambda m: " " * len(m.group()), text)
    return _POSSESSIVE.sub(lambda m: " " * len(m.group()), fold(text))


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_plain(text))


def _answered(tokens: list[str]) -> list[bool | None]:
    """For each token, whether it is in a question the next sentence answers "No" (True),
    in another question (None: a question asserts nothing), or in no question (False)."""
    marks: list[bool | None] = [False] * len(tokens)
    start = 0
    for i, token in enumerate(tokens):
        if token not in _SENTENCE_ENDS:
            continue
        if token == "?":
            following = tokens[i + 1 : i + 1 + _LABEL_REACH]
            if ":" in following:  # a transcript's speaker label: "THE PRESIDENT: No."
                following = following[following.index(":") + 1 :]
            no = following[:1] == ["no"]
            marks[start : i + 1] = [True if no else None] * (i + 1 - start)
        start = i + 1
    for i, token in enumerate(tokens):  # "Asked whether the Guard should intervene, he said no"
        if token != "whether" or marks[i] is not False:
            continue
        end = next(
            (j for j in range(i, len(tokens)) if tokens[j] in _BREAKS - {"and"}), len(tokens)
        )
        rest = next(
            (j for j in range(end, len(tokens)) if tokens[j] in _SENTENCE_ENDS), len(tokens)
        )
        marks[i:end] = [True if "no" in tokens[end:rest] else None] * (end - i)
    return marks


def read_words(text: str) -> list[_Word]:
    """The words of `text` in order, each with whether a negation governs it.

    A question asserts nothing: its words are left out, unless the answer that follows it
    begins "No", which denies what it asks ("Have the protests forced you to reconsider?"
    "No."). The first content word after "no ... of" is governed too ("no sense of a danger").
    """
    tokens = _tokens(text)
    asked = _answered(tokens)
    words: list[_Word] = []
    scope = 0  # content words still to negate
    sentence = 0
    of_head = after_of = False  # "no sign of": the word after "of" is what is denied
    for i, token in enumerate(tokens):
        if token in _SENTENCE_ENDS:
            sentence += 1
        if asked[i] is None:
            continue
        if asked[i]:
            if _content(token):
                words.append(_Word(_key(token), True, i, head=True, sentence=sentence))
            continue
        if token == "of" and of_head:
            scope, of_head, after_of = max(scope, 1), False, True
            continue
        of_head = False
        if token in _BREAKS and token not in ("and", ","):
            scope = 0  # a list ("cannot accept, condone or normalize") stays under it
            continue
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if _is_negation(token, following):
            if following in NOT_NEGATIONS:
                continue
            scope = SCOPE_AFTER
            if token == "not" and words and words[-1].position == i - 1 and words[-1].content:
                previous = words[-1]  # "forces not on the ground"
                words[-1] = _Word(previous.key, True, previous.position)
            continue
        if token == "longer" and i and tokens[i - 1] == "no":
            continue  # "no longer" negates what follows
        if _content(token):
            head = scope == SCOPE_AFTER or (scope > 0 and after_of)
            before = tokens[i - 1] if i else ""
            words.append(_Word(_key(token), scope > 0, i, head, True, sentence, before))
            of_head = head and i + 1 < len(tokens) and tokens[i + 1] == "of"
            after_of = False
            scope = max(0, scope - 1)
        elif token.isalpha():
            words.append(_Word(token, False, i, content=False, sentence=sentence))
    return words


def _polarity(claim: list[_Word], cited: Sequence[list[_Word]]) -> str:
    """A negated word of one side said plainly by the other: the first word a negation governs,
    or two of the words it governs; or a word a text says both ways that the claim says
    plainly among the words the text puts around its negated use."""
    claim = [w for w in claim if w.content]
    texts = [[w for w in words if w.content] for words in cited]
    return _flipped(claim, [w for words in texts for w in words]) or _dropped_in_context(
        claim, texts
    )


def _dropped_in_context(claim: list[_Word], texts: Sequence[list[_Word]]) -> str:
    """ "His hope was to extend" where the text says "Our hope is we will not have to extend"
    and, in another sentence, "discussions about extending": the claim's other words are
    those of the sentence with the negated use, not of the one with the plain use (a plain
    use after the same word as the claim's, "could happen", counts one more)."""
    keys = {w.key for w in claim}
    sentences = [
        {(i, w.sentence): {x.key for x in words if x.sentence == w.sentence} for w in words}
        for i, words in enumerate(texts)
    ]
    for w in claim:
        if w.negated:
            continue
        others = keys - {w.key}
        negated = plain = 0
        for i, words in enumerate(texts):
            for c in words:
                if c.key != w.key:
                    continue
                shared = len(sentences[i][(i, c.sentence)] & others)
                if c.negated and c.head:
                    negated = max(negated, shared)
                elif not c.negated:  # "could happen" said plainly as the claim says it
                    plain = max(plain, shared + (c.before == w.before))
        if negated >= CONTEXT_WORDS and negated > plain:
            return "says plainly what the cited passage says only with a negation"
    return ""


def _flipped(claim: list[_Word], cited: list[_Word]) -> str:
    negated = {w.key for w in cited if w.negated}
    plain = {w.key for w in cited if not w.negated}
    heads = {w.key for w in cited if w.head} - plain
    dropped = {w.key for w in claim if not w.negated} & (negated - plain)
    if dropped & heads or len(dropped) >= 2:
        return "says plainly what the cited passage says only with a negation"
    added = {w.key for w in claim if w.negated} & (plain - negated)
    if added & {w.key for w in claim if w.head}:
        return "adds a negation the cited passage does not make"
    return ""


@cache
def _opposites() -> dict[str, list[tuple[str, str, frozenset[str], frozenset[str]]]]:
    """First three letters -> (a word's key, the word, its side's keys, the other side's)."""
    sides = {row[0]: frozenset(_key(w) for w in row[1:]) for row in OPPOSITES}
    table: dict[str, list[tuple[str, str, frozenset[str], frozenset[str]]]] = {}
    for row in OPPOSITES:
        label = row[0]
        other = label[:-1] + ("-" if label.endswith("+") else "+")
        for word in row[1:]:
            entry = (_key(word), word, sides[label], sides.get(other, frozenset()))
            table.setdefault(word[:3], []).append(entry)
    return table


def _lookup(key: str) -> tuple[str, frozenset[str], frozenset[str]] | None:
    for known, word, side, other in _opposites().get(key[:3], ()):
        if _same_word(key, known):
            return word, side, other
    return None


def _near(words: list[_Word], at: int) -> set[str]:
    """Keys of the content words within a few words of position `at`."""
    return {
        w.key
        for w in words
        if w.content and w.position != at and abs(w.position - at) <= WINDOW + 2
    }


def _same_word(a: str, b: str) -> bool:
    """Keys of one word: equal, or one (of four letters or more) begins the other."""
    a, b = a.removesuffix("s"), b.removesuffix("s")
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= 4 and long.startswith(short))


def _opposite(claim: list[_Word], cited: list[_Word]) -> str:
    """A claim word whose opposite the cited text says about the same things, where the cited
    text does not also say the claim's side of it about them."""
    content = [c for c in cited if c.content]
    for w in claim:
        entry = _lookup(w.key) if w.content or w.key in ("down", "up") else None
        if entry is None:
            continue
        word, side, other = entry
        around = _near(claim, w.position)

        def said(keys: frozenset[str], around: set[str] = around) -> int:
            return max(
                (
                    len(_near(content, c.position) & around)
                    for c in cited
                    if c.key[:3] in {k[:3] for k in keys}
                    and any(_same_word(c.key, k) for k in keys)
                ),
                default=-1,
            )

        against = said(other)
        if against > 0 and against > said(side):
            return f'says "{word}" where the cited passage says the opposite'
    return ""


def _figure_kind(forms: frozenset[str]) -> str:
    if any(f.endswith("%") for f in forms):
        return "%"
    if any(_YEAR.fullmatch(f) for f in forms):
        return "year"
    if any(f.startswith("#") for f in forms):
        return "ordinal"
    units = sorted(f.split(" ", 1)[1] for f in forms if " " in f and not f.endswith("*"))
    return units[0] if units else "#"


def _contexts(text: str, cited: bool) -> dict[str, tuple[str, set[str]]]:
    """Each figure's plain form -> (its kind, the words and figures near it in its clause)."""
    plain_text = _plain(text)
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(plain_text)]
    starts = [s for s, _ in tokens]
    found = quantities(plain_text, cited=cited)
    figures = {start: min(forms, key=len) for start, _, forms in found}
    contexts: dict[str, tuple[str, set[str]]] = {}
    for start, end, forms in found:
        plain = min(forms, key=len)
        at, after = bisect_left(starts, start), bisect_left(starts, end)
        near: set[str] = set()
        for indices in (range(at - 1, -1, -1), range(after, len(tokens))):
            seen = 0
            for i in indices:
                s, token = tokens[i]
                if token in _BINDING_BREAKS or seen == WINDOW:
                    break
                if s in figures and figures[s] != plain:
                    near.add(f"={figures[s]}")  # "resolution 242 (1967)": figures bind too
                    seen += 1
                elif _content(token):
                    near.add(_key(token))
                    seen += 1
        kind, words = contexts.get(plain, (_figure_kind(forms), set()))
        contexts[plain] = (kind, words | near)
    return contexts


def _body(text: str) -> str:
    """A cited text without its header line ("title | speaker | date"), which binds nothing."""
    first, _, rest = text.partition("\n")
    return rest if " | " in first and rest else text


@dataclass(frozen=True, slots=True)
class Reading:
    """A cited text read once for every claim that cites it."""

    words: list[_Word]
    figures: dict[str, tuple[str, set[str]]]
    """Each figure's plain form -> (its kind, the words near it), header line left out."""


def read_cited(text: str) -> Reading:
    return Reading(read_words(text), _contexts(_body(text), cited=True))


def _binding(claim: str, cited: Sequence[Reading]) -> str:
    mine = _contexts(claim, cited=False)
    theirs: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for reading in cited:
        for form, (kind, near) in reading.figures.items():
            theirs.setdefault(form, set()).update(near)
            kinds[form] = kind
    figures = [(form, kind, near) for form, (kind, near) in mine.items() if form in theirs]
    for a, kind_a, near_a in figures:
        own = len(near_a & theirs[a])
        other = max(
            (
                (len(near_a & near), b)
                for b, near in theirs.items()
                if b != a and kinds.get(b) == kind_a and near != theirs[a]
            ),
            default=(0, ""),
        )
        if other[0] >= own + 2:
            return f"gives {a} to what the cited passage gives {other[1]}"
    for i, (a, kind_a, near_a) in enumerate(figures):
        for b, kind_b, near_b in figures[i + 1 :]:
            if kind_a != kind_b or theirs[a] == theirs[b]:
                continue
            same = len(near_a & theirs[a]) + len(near_b & theirs[b])
            crossed = len(near_a & theirs[b]) + len(near_b & theirs[a])
            if crossed >= same + 2:
                return f"puts {a} and {b} the other way round from the cited passage"
    return ""


def contradiction(claim: str, cited: Sequence[str | Reading]) -> str:
    """Why `claim` turns its cited texts (or their readings) around, or "" when it does not."""
    readings = [read_cited(c) if isinstance(c, str) else c for c in cited]
    claim_words = read_words(claim)
    cited_words = [w for reading in readings for w in reading.words]
    return (
        _polarity(claim_words, [reading.words for reading in readings])
        or _opposite(claim_words, cited_words)
        or _binding(claim, readings)
    )
