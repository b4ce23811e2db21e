"""What retrieval asks of a search backend, whichever holds the passages.

`rag.index.index_search` answers from the in-memory index of this process (the default);
`rag.index.chroma_search` asks Chroma itself, keeping nothing per passage in the process.
The retriever (rag.retrieval.retriever) fuses the two rankings, spreads them over
statements and reads filters from the question; a backend only finds passages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from rag.index.search_index import RowFilter
from rag.ingest.near_duplicates import DuplicateGroup
from rag.types import Found, Passage


class PassageSearch(Protocol):
    keyword_search: bool
    """Whether `keyword` can rank passages (a backend without keyword search returns [])."""

    def matches(self, f: RowFilter) -> bool:
        """Whether any passage passes the filter."""
        ...

    def dense(self, vector: NDArray[np.float32], f: RowFilter, n: int) -> list[Found]:
        """The `n` passages closest to `vector` among those passing `f`, best first."""
        ...

    def keyword(self, question: str, f: RowFilter, n: int) -> list[Found]:
        """The `n` passages best matching the question's words among those passing `f`."""
        ...

    def passages(self, ids: Sequence[str]) -> list[Passage]:
        """The passages of these ids (found by this search), text and all, in that order."""
        ...

    def similarities(self, vector: NDArray[np.float32], ids: Sequence[str]) -> list[float]:
        """Cosine similarity of `vector` to each of these passages (found by this search)."""
        ...

    def copies(self, statement_ids: Sequence[str]) -> Mapping[str, DuplicateGroup]:
        """Statement id -> its group of republished copies, for these statements."""
        ...
