"""Wiring: the one place where concrete parts are chosen from the settings and put together.

`build_service` opens the store (embedded Chroma or a server), loads or shares the embedding
model, builds the answerer (extractive, or an OpenAI-compatible endpoint with its prompts,
retries and breaker) and, with an LLM, the follow-up rewriter that shares its endpoint, and
hands them to `Service`. Add a new answerer, embedder or store backend here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.answering import Answerer
from rag.answering.extractive import ExtractiveAnswerer
from rag.embedding.choice import choose_encoder
from rag.embedding.embedder import Embedder, SentenceTransformerEmbedder, bundled_model_path
from rag.embedding.wordpieces import WordPieces
from rag.index.catalog import Catalog
from rag.index.chroma_catalog import ChromaCatalog
from rag.index.corpus import Corpus
from rag.index.store import ChromaStore, open_client, recorded_vectors
from rag.prompts import load_prompt
from rag.service import Service
from rag.settings import Settings
from rag.text.tokens import get_tokenizer

if TYPE_CHECKING:  # the LLM's parts (openai, httpx2) load only when an LLM is configured
    from rag.answering.resilience import Resilient
    from rag.question.rewriting import FollowUpRewriter


@dataclass(frozen=True, slots=True)
class LLMConnection:
    """One OpenAI-compatible endpoint as the settings describe it: the client (with its
    retries, over the budget transport) and the breaker and budget every caller shares."""

    client: Any
    resilient: Resilient


def connect_llm(settings: Settings) -> LLMConnection | None:
    """The LLM endpoint, or None when the answerer is extractive."""
    if settings.resolved_answerer == "extractive":
        return None
    from openai import OpenAI

    from rag.answering.endpoint import http_client
    from rag.answering.resilience import CircuitBreaker, Resilient

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    client = OpenAI(
        api_key=key,
        base_url=settings.llm_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_attempts - 1,  # the client's retries, within the budget
        http_client=http_client(),
    )
    resilient = Resilient(
        CircuitBreaker(settings.llm_breaker_failures, settings.llm_breaker_cooldown_seconds),
        budget=settings.llm_retry_budget_seconds,
    )
    return LLMConnection(client, resilient)


def build_answerer(settings: Settings, llm: LLMConnection | None) -> Answerer:
    if llm is None:
        return ExtractiveAnswerer()
    from rag.answering.llm import OpenAIAnswerer

    return OpenAIAnswerer(
        llm.client,
        settings.llm_model,
        system=load_prompt(settings.prompts_dir, "answer_system", set()),
        user=load_prompt(settings.prompts_dir, "answer_user", {"question", "passages"}),
        retry=load_prompt(
            settings.prompts_dir, "answer_retry", {"question", "passages", "problems"}
        ),
        temperature=settings.llm_temperature,
        resilient=llm.resilient,
    )


def build_rewriter(settings: Settings, llm: LLMConnection | None) -> FollowUpRewriter | None:
    """The LLM's follow-up rewrite (deterministic: temperature 0), or None offline."""
    if llm is None:
        return None
    from rag.answering.endpoint import ChatEndpoint
    from rag.question.rewriting import PLACEHOLDERS, FollowUpRewriter

    endpoint = ChatEndpoint(llm.client, settings.llm_model, 0.0, llm.resilient)
    prompt = load_prompt(settings.prompts_dir, "follow_up", set(PLACEHOLDERS))
    return FollowUpRewriter(endpoint.complete, prompt)


def build_service(
    settings: Settings, embedder: Embedder | None = None, load_model_now: bool = False
) -> Service:
    """Wire the real parts. `embedder` lets a process share one loaded model;
    `load_model_now` starts loading the model while the store opens (for a command that
    is about to embed a question)."""
    client, location = open_client(settings.data_dir, settings.chroma_url)
    if embedder is None:
        model = build_embedder(settings, recorded_vectors(client, settings.collection_prefix))
        if load_model_now:
            model.load_in_background()
        embedder = model
    store = ChromaStore(
        client,
        location,
        settings.collection_prefix,
        embedder.name,
        exclusive=settings.chroma_url is None,  # an embedded store has one writing process
        lease_seconds=settings.write_lease_seconds,
    )
    catalog: Corpus
    if settings.search_backend == "chroma":
        catalog = ChromaCatalog(store, keyword=settings.hybrid)
    else:
        catalog = Catalog(store, embedder.name, _snapshot_path(settings))
    llm = connect_llm(settings)
    return Service(
        settings,
        catalog,
        embedder,
        get_tokenizer(settings.cache_dir),
        build_answerer(settings, llm),
        build_rewriter(settings, llm),
        model_wordpieces(settings),
    )


def build_embedder(settings: Settings, recorded: str | None = None) -> SentenceTransformerEmbedder:
    """The embedder the settings ask for; `recorded`: what made the store's vectors (None
    for a new store). Exports and checks the openvino-int8 model first if it is chosen and
    not cached yet (once, about a minute)."""
    choice = choose_encoder(
        settings.encoder,
        settings.embedding_device,
        Path(settings.embedding_model or bundled_model_path()),
        settings.embedding_model,
        settings.cache_dir,
        recorded,
    )
    return SentenceTransformerEmbedder(
        settings.embedding_model,
        settings.embedding_batch_size,
        settings.torch_threads,
        settings.embedding_precision,
        encoder=choice.encoder,
        device=choice.device,
        cache_dir=settings.cache_dir,
    )


def model_wordpieces(settings: Settings) -> WordPieces | None:
    """The embedding model's own tokenizer, when its files say how (sentence-transformers
    models with a tokenizer.json; the bundled one has it)."""
    path = Path(settings.embedding_model or bundled_model_path())
    if not all((path / f).is_file() for f in ("tokenizer.json", "sentence_bert_config.json")):
        return None
    return WordPieces(path)


def _snapshot_path(settings: Settings) -> Path:
    if settings.chroma_url is None:
        return settings.data_dir / f"index-{settings.collection_prefix}.pickle"
    key = hashlib.sha256(f"{settings.chroma_url}|{settings.collection_prefix}".encode()).hexdigest()
    return settings.cache_dir / "index" / f"{key[:16]}.pickle"
