# Statements QA: the API with the embedding model baked in. CPU only, runs as a non-root user.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    ANONYMIZED_TELEMETRY=False \
    RAG_DATA_DIR=/data \
    RAG_CACHE_DIR=/opt/rag/cache \
    RAG_HOST=0.0.0.0 \
    RAG_PORT=8000

WORKDIR /opt/rag

# CPU build of torch first, so the project's torch==2.13.0 pin is already satisfied.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0

COPY pyproject.toml README.md LICENSE ./
COPY rag ./rag
COPY examples ./examples
RUN pip install . \
    # Bake the tokenizer file in and check the bundled model loads with no network.
    && python -c "from pathlib import Path; from rag.text.tokens import get_tokenizer; get_tokenizer(Path('/opt/rag/cache'))" \
    && python -c "from rag.embedding.embedder import SentenceTransformerEmbedder as E; print(E(None).embed(['ok']).shape)" \
    && useradd --create-home --uid 10001 rag \
    && mkdir -p /data /opt/rag/cache/index && chown -R rag:rag /data /opt/rag/cache

USER rag
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"

CMD ["rag", "serve"]
