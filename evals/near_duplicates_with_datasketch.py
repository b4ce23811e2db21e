"""rag/ingest/near_duplicates.py as it would be with datasketch's MinHash and LSH: a drop-in
variant with the same API, kept only so that evals/near_duplicates_datasketch.py can measure it
against the package's own (needs `pip install datasketch`; not a dependency of the package).

The same text normalisation, word 5-shingles, date window and grouping; the signature is
datasketch's `MinHash` (scheme affine32: SHA-1 of each shingle, a murmur finaliser, 128 affine
permutations), the index its `MinHashLSH` with the same 32 bands of 4. It measured the same on
the groups and the labelled pairs but slower (evals/near_duplicates.md), so the package keeps
its numpy MinHash.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from numpy.typing import NDArray

from rag.errors import InputError
from rag.types import DateSpan

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 32
ROWS_PER_BAND = PERMUTATIONS // BANDS
DEFAULT_THRESHOLD = 0.9
"""Estimated Jaccard at or above which two texts are copies of one statement."""
MAX_GAP_DAYS = 14
"""Copies are published within this many days of each other; alike texts further
apart are reissues (a yearly notice, the same condemnation of a later launch)."""

_FORMAT = "mh2"  # bump when anything that changes a signature changes (seed, shingles, text)
"""mh1 was the numpy MinHash written here; mh2 is datasketch's, scheme affine32, seed _SEED."""
_SCHEME = "affine32"
_SEED = 1
_COMBINING = re.compile(r"[\u0300-\u036f]")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")  # not <https://...>
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A text's MinHash signature: PERMUTATIONS little-endian uint32 minima.

    Bytes rather than an array keep it immutable, hashable and cheap to store;
    an empty signature (a text without words) matches nothing.
    """

    signature: bytes

    @property
    def is_empty(self) -> bool:
        return not self.signature

    def values(self) -> NDArray[np.uint32]:
        return np.frombuffer(self.signature, dtype="<u4")

    def minhash(self) -> LeanMinHash:
        """The signature as datasketch's MinHash (not for an empty fingerprint)."""
        return LeanMinHash(seed=_SEED, hashvalues=self.values(), scheme=_SCHEME)

    def to_string(self) -> str:
        """A short ASCII form (under 700 characters) for a Chroma metadata value."""
        return f"{_FORMAT}:{base64.b64encode(self.signature).decode('ascii')}"

    @classmethod
    def from_string(cls, text: str) -> Fingerprint:
        prefix, _, encoded = text.partition(":")
        try:
            signature = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError(
                "a stored fingerprint is not valid base64",
                field="fingerprint",
                hint="recompute it with fingerprint(statement text)",
            ) from exc
        if prefix != _FORMAT or len(signature) not in (0, 4 * PERMUTATIONS):
            raise InputError(
                f"a stored fingerprint has format {prefix!r} and {len(signature)} bytes,"
                f" not {_FORMAT!r} and {4 * PERMUTATIONS}",
                field="fingerprint",
                hint="recompute it with fingerprint(statement text)",
            )
        return cls(signature)


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Copies of one statement: the one to cite, and where else it was published."""

    canonical: str
    others: tuple[str, ...]


def normalise(text: str) -> list[str]:
    """The words that decide similarity: folded case and accents, no links or markup.

    Punctuation and whitespace are separators, so Markdown markers ("###", "\\###",
    "*emphasis*") and re-wrapped lines vanish. HTML tags left in some records
    (tables, <u>, <span style=...>) go, and so do Markdown link targets, since mail
    tracking links differ between otherwise identical copies; a bare URL stays, as it
    is what the reader sees (and all that a pointer to a PDF says).
    """
    visible = _HTML_ENTITY.sub(" ", _HTML_TAG.sub(" ", _LINK_TARGET.sub("] ", text)))
    folded = _COMBINING.sub("", unicodedata.normalize("NFKD", visible)).lower()
    return _WORD.findall(folded)


def shingles(words: list[str]) -> list[bytes]:
    """The windows of SHINGLE_WORDS words (one window if there are fewer), as MinHash input."""
    if not words:
        return []
    width = min(SHINGLE_WORDS, len(words))
    return [" ".join(words[i : i + width]).encode() for i in range(len(words) - width + 1)]


def fingerprint(text: str) -> Fingerprint:
    """The MinHash signature of `text`'s word 5-shingles (empty for a text without words)."""
    found = shingles(normalise(text))
    if not found:
        return Fingerprint(b"")
    minhash = MinHash(num_perm=PERMUTATIONS, seed=_SEED, scheme=_SCHEME)
    minhash.update_batch(found)
    return Fingerprint(minhash.hashvalues.astype("<u4").tobytes())


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0 when either is empty)."""
    if a.is_empty or b.is_empty:
        return 0.0
    return float(a.minhash().jaccard(b.minhash()))


def group_of(statement_ids: Iterable[str], dates: Mapping[str, DateSpan | None]) -> DuplicateGroup:
    """The copy to cite is the first published (earliest date, then the shortest id).

    Undated copies come after dated ones; the id breaks remaining ties so the
    choice never depends on the order the copies arrived in.
    """
    ordered = sorted(set(statement_ids), key=lambda sid: _publication_order(sid, dates))
    if not ordered:
        raise ValueError("a duplicate group needs at least one statement id")
    return DuplicateGroup(ordered[0], tuple(ordered[1:]))


class DuplicateIndex:
    """Stored fingerprints with LSH buckets, so a lookup compares a handful, not all.

    Two texts share a bucket in some band with probability 1 - (1 - J**4)**32:
    87% at J = 0.5, 99.99% at 0.7, so at the thresholds used nothing is missed in
    practice, while unrelated statements (J near 0) never meet. Publication dates,
    when given, keep apart texts that are alike but issued far apart in time.
    """

    def __init__(self) -> None:
        self._fingerprints: dict[str, Fingerprint] = {}
        self._minhashes: dict[str, LeanMinHash] = {}
        self._dates: dict[str, DateSpan | None] = {}
        self._lsh = MinHashLSH(num_perm=PERMUTATIONS, params=(BANDS, ROWS_PER_BAND))

    def __len__(self) -> int:
        return len(self._fingerprints)

    def __contains__(self, statement_id: object) -> bool:
        return statement_id in self._fingerprints

    def get(self, statement_id: str) -> Fingerprint | None:
        return self._fingerprints.get(statement_id)

    def add(self, statement_id: str, fp: Fingerprint, published: DateSpan | None = None) -> None:
        """Store (or replace) a statement's fingerprint and publication date."""
        self.remove(statement_id)
        self._fingerprints[statement_id] = fp
        self._dates[statement_id] = published
        if not fp.is_empty:
            self._minhashes[statement_id] = minhash = fp.minhash()
            self._lsh.insert(statement_id, minhash, check_duplication=False)

    def remove(self, statement_id: str) -> None:
        self._fingerprints.pop(statement_id, None)
        self._dates.pop(statement_id, None)
        if self._minhashes.pop(statement_id, None) is not None:
            self._lsh.remove(statement_id)

    def candidates(self, fp: Fingerprint) -> set[str]:
        """Stored statements sharing at least one band with `fp` (before any threshold)."""
        return set() if fp.is_empty else set(self._lsh.query(fp.minhash()))

    def matches(
        self,
        fp: Fingerprint,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        published: DateSpan | None = None,
        max_gap_days: int | None = MAX_GAP_DAYS,
        exclude: str | None = None,
    ) -> list[tuple[str, float]]:
        """Stored statements at or above `threshold`, best first (then by id).

        With `published`, a stored statement dated more than `max_gap_days` away is
        not a copy however alike (None lifts the limit); `exclude` leaves out one
        id, so a stored statement can look for its own copies.
        """
        found = sorted(
            sid
            for sid in self.candidates(fp) - {exclude}
            if max_gap_days is None or _days_apart(published, self._dates[sid]) <= max_gap_days
        )
        if not found:
            return []
        minhash = fp.minhash()
        scored = ((sid, float(minhash.jaccard(self._minhashes[sid]))) for sid in found)
        hits = [(sid, score) for sid, score in scored if score >= threshold]
        return sorted(hits, key=lambda hit: (-hit[1], hit[0]))

    def pairs(
        self, threshold: float = DEFAULT_THRESHOLD, *, max_gap_days: int | None = MAX_GAP_DAYS
    ) -> list[tuple[str, str, float]]:
        """Every stored pair (a < b) at or above `threshold`, best first."""
        found: list[tuple[str, str, float]] = []
        for a in sorted(self._fingerprints):
            for b, score in self.matches(
                self._fingerprints[a],
                threshold,
                published=self._dates[a],
                max_gap_days=max_gap_days,
                exclude=a,
            ):
                if a < b:
                    found.append((a, b, score))
        return sorted(found, key=lambda pair: (-pair[2], pair[0], pair[1]))

    def groups(
        self, threshold: float = DEFAULT_THRESHOLD, *, max_gap_days: int | None = MAX_GAP_DAYS
    ) -> list[DuplicateGroup]:
        """Copies of one statement, each group with the copy to cite first.

        Linking is transitive (A~B and B~C put A, B, C together), since a copy
        edited twice may have drifted from the first yet still be the same statement.
        """
        parent: dict[str, str] = {}

        def root(sid: str) -> str:
            while parent[sid] != sid:
                sid = parent[sid]
            return sid

        for a, b, _ in self.pairs(threshold, max_gap_days=max_gap_days):
            parent.setdefault(a, a)
            parent.setdefault(b, b)
            ra, rb = root(a), root(b)
            parent[max(ra, rb)] = min(ra, rb)
        members: dict[str, list[str]] = {}
        for sid in parent:
            members.setdefault(root(sid), []).append(sid)
        found = [group_of(ids, self._dates) for ids in members.values()]
        return sorted(found, key=lambda group: _publication_order(group.canonical, self._dates))


def _days_apart(a: DateSpan | None, b: DateSpan | None) -> int:
    """Days between two publication dates (0 when they overlap or either is unknown)."""
    if a is None or b is None:
        return 0
    return max(0, (a.first - b.last).days, (b.first - a.last).days)


def _publication_order(
    sid: str, dates: Mapping[str, DateSpan | None]
) -> tuple[bool, str, int, str]:
    date = dates.get(sid)
    return (date is None, date.first.isoformat() if date else "", len(sid), sid)
