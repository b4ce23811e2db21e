"""API keys for tests: apps that write are configured with these, and clients send them.

The keys are fixed strings; the settings hold only their hashes, as a deployment would."""

from __future__ import annotations

from typing import Any

from rag.interfaces.access import ApiKey, Scope, hash_key

ADMIN_KEY = "rag_test-admin-key"
READ_KEY = "rag_test-read-key"
KEYS = (
    ApiKey("tester-admin", Scope.ADMIN, hash_key(ADMIN_KEY)).entry,
    ApiKey("tester-read", Scope.READ, hash_key(READ_KEY)).entry,
)


def with_keys(**overrides: Any) -> dict[str, Any]:
    """Settings overrides that configure the test keys (reads stay open on 127.0.0.1)."""
    return {"api_keys": KEYS, **overrides}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


ADMIN = bearer(ADMIN_KEY)
