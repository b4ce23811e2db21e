"""Ingesting: statements -> passages with speakers, quotations, fingerprints and vectors.

Only new and changed statements are processed (a content hash decides). A group of
statements is prepared, embedded and written together; within it, passages whose
text did not change keep their stored vectors, so re-processing after an upgrade
or a metadata fix costs no model time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from rag.embedding.embedder import Embedder, embedding_text
from rag.embedding.wordpieces import WordPieces
from rag.index.corpus import Corpus
from rag.index.store import StatementWrite
from rag.ingest import unique_statements
from rag.ingest.chunking import ChunkConfig, chunk_statement
from rag.ingest.near_duplicates import fingerprint
from rag.people import attribute, find_quotes
from rag.text.instructions import instruction_spans
from rag.text.tokens import Tokenizer
from rag.types import IngestReport, Passage, QuoteRecord, Statement, StatementInfo, page_at

log = logging.getLogger(__name__)

# Statements are embedded and stored in groups: big enough to batch the model well,
# small enough that an interrupted ingest loses little work.
GROUP_PASSAGES = 512
# Counts changes in how statements are processed: 2 speakers, 3 quotations and fingerprints,
# 4 one vocabulary for every reader (titles, speech verbs, name particles and suffixes merged),
# 5 sentences that read as instructions to a model flagged on each passage,
# 6 only people as speakers (no roles, countries, groups, places), offices from titles and turns,
# (7 was branch h17-encoder's word-piece sizing before it merged 8; skipped so stores made
# by either one do not collide),
# 8 unsigned statements an office issues ("Presidential Message on ...") speak for its holder
# on their date, hyphenated titles are roles ("Secretary-General Guterres" is Guterres):
# speakers and offices only, the embedded text is unchanged, so no vector is redone,
# 9 (on top of 8) no passage longer than the embedding model reads: word pieces counted at
# chunking, a passage the encoder would truncate is cut further (those passages and their
# vectors change).
PROCESSING_VERSION = 9


def content_hash(statement: Statement, index_version: str) -> str:
    """What decides whether a statement changed: its text, metadata and how it is indexed."""
    fields: dict[str, object] = {
        "text": statement.text,
        "title": statement.title,
        "speaker": statement.speaker,
        "date": statement.date.text if statement.date else None,
        "source_url": statement.source_url,
        "metadata": statement.metadata,
        "index": index_version,
    }
    if statement.page_starts:  # only then, so statements without pages keep their hashes
        fields["page_starts"] = list(statement.page_starts)
    payload = json.dumps(
        fields,
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class Ingester:
    def __init__(
        self,
        catalog: Corpus,
        embedder: Embedder,
        tokenizer: Tokenizer,
        chunking: ChunkConfig,
        group_passages: int = GROUP_PASSAGES,
        wordpieces: WordPieces | None = None,
    ) -> None:
        """`wordpieces`: the embedding model's tokenizer, so that no passage is longer than
        the model reads (None: passages are sized in tiktoken tokens only)."""
        self._catalog = catalog
        self._group_passages = group_passages
        self._embedder = embedder
        self._tokenizer = tokenizer
        self._chunking = chunking
        self._wordpieces = wordpieces
        self.index_version = (
            f"{embedder.name}|{chunking.max_tokens}|{chunking.overlap_tokens}|{PROCESSING_VERSION}"
        )

    def ingest(
        self, statements: Sequence[Statement], on_progress: Callable[[int], None] | None = None
    ) -> IngestReport:
        """Store new and changed statements; unchanged ones (same content hash) are skipped.

        `on_progress(n)` is called as statements are done, skipped ones included.
        """
        started = time.perf_counter()
        progress = on_progress or (lambda _n: None)
        statements = unique_statements(statements)
        hashes = {s.id: content_hash(s, self.index_version) for s in statements}
        existing = self._catalog.store.content_hashes(list(hashes))
        todo = [s for s in statements if existing.get(s.id) != hashes[s.id]]
        # A killed ingest leaves passages no record names (readers ignore them): stored
        # before their record was committed, or old ones not yet removed after it was. This
        # run sweeps them for every statement it was given, before writing: a rewrite removes
        # only the rows its record replaced, and a statement never committed has none.
        stale = self._catalog.remove_stale_passages(list(hashes))
        if stale:
            log.info("removed %d passages left by an interrupted write", stale)
        progress(len(statements) - len(todo))
        log.info("ingesting %d new or changed of %d statements", len(todo), len(statements))
        passages = 0
        for group in _groups(todo, self._group_passages):
            writes = self._prepare(group, hashes)
            self._catalog.write(writes)
            passages += sum(len(w.passages) for w in writes)
            progress(len(group))
            log.info("stored %d statements (%d passages)", len(group), passages)
        updated = sum(1 for s in todo if s.id in existing)
        return IngestReport(
            added=len(todo) - updated,
            updated=updated,
            unchanged=len(statements) - len(todo),
            passages=passages,
            seconds=time.perf_counter() - started,
        )

    def _prepare(self, group: list[Statement], hashes: dict[str, str]) -> list[StatementWrite]:
        """Chunk, attribute speakers and quotations, fingerprint and embed a group."""
        prepared = [self._process(s, hashes[s.id]) for s in group]
        texts = [embedding_text(p) for _, passages in prepared for p in passages]
        vectors = self._vectors(texts, [s.id for s in group])
        writes: list[StatementWrite] = []
        at = 0
        for statement, (info, passages) in zip(group, prepared, strict=True):
            chunk = vectors[at : at + len(passages)]
            writes.append(StatementWrite(info, statement.text, passages, chunk))
            at += len(passages)
        return writes

    def _process(self, s: Statement, content_hash: str) -> tuple[StatementInfo, list[Passage]]:
        passages = chunk_statement(
            s, content_hash, self._tokenizer, self._chunking, self._wordpieces
        )
        spans = [(p.start, p.end) for p in passages]
        who = attribute(s.text, s.title, s.speaker, spans, s.date.first if s.date else None)
        date = s.date.text if s.date else None
        quotes = tuple(
            QuoteRecord(s.id, q.start, q.end, q.text, q.speaker, q.cue, date, s.title, s.source_url)
            for q in find_quotes(s.text, s.title, s.speaker)
        )
        info = StatementInfo(
            id=s.id,
            title=s.title,
            speaker=s.speaker,
            date=s.date,
            source_url=s.source_url,
            content_hash=content_hash,
            passage_count=len(passages),
            metadata=s.metadata,
            speakers=who.statement_speakers,
            quotes=quotes,
            fingerprint=fingerprint(s.text).to_string(),
            page_starts=s.page_starts,
            offices=who.offices,
        )
        spoken = zip(passages, who.passage_speakers, strict=True)
        return info, [
            replace(
                p,
                speakers=names,
                page=page_at(s.page_starts, p.start),
                instructions=tuple(instruction_spans(p.text)),
            )
            for p, names in spoken
        ]

    def _vectors(self, texts: list[str], statement_ids: list[str]) -> NDArray[np.float32]:
        """Vectors for `texts`, embedding only those the statements' stored versions lack."""
        known = self._catalog.known_vectors(statement_ids)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, self._embedder.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[t] for t in texts]).astype(np.float32)


def _groups(statements: list[Statement], group_passages: int) -> Iterator[list[Statement]]:
    group: list[Statement] = []
    size = 0
    for statement in statements:
        group.append(statement)
        size += 1 + len(statement.text) // 800  # about one passage per 800 characters
        if size >= group_passages:
            yield group
            group, size = [], 0
    if group:
        yield group
