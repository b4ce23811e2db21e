"""API keys and scopes: who may read and who may write. Pure: no HTTP, no settings.

A key is configured as `name:scope:sha256hex` (RAG_API_KEYS), so the configuration holds
only hashes. A presented key is hashed and compared with every configured hash in constant
time (hmac.compare_digest), never short-circuiting, so timing says nothing about the keys.
`admin` implies `read`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

from rag.errors import ConfigError, ForbiddenError, UnauthenticatedError

KEY_PREFIX = "rag_"
_ENTRY = re.compile(
    r"^(?P<name>[A-Za-z0-9_.@-]{1,64}):(?P<scope>[a-z]+):(?P<digest>[0-9a-fA-F]{64})$"
)
NEW_KEY_HINT = "make one with `rag keys new --scope admin` and add its line to RAG_API_KEYS"


class Scope(StrEnum):
    READ = "read"
    ADMIN = "admin"

    def allows(self, needed: Scope) -> bool:
        return self is Scope.ADMIN or needed is Scope.READ


@dataclass(frozen=True, slots=True)
class ApiKey:
    name: str
    scope: Scope
    digest: bytes = field(repr=False)

    @property
    def entry(self) -> str:
        """The configuration line: what RAG_API_KEYS holds for this key."""
        return f"{self.name}:{self.scope}:{self.digest.hex()}"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request comes from: a key's name, or None when reads are open and no key came."""

    key: str | None
    scope: Scope | None


def hash_key(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def new_key(name: str, scope: Scope) -> tuple[str, ApiKey]:
    """A random key (shown once) and its configuration entry (kept)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, ApiKey(name, scope, hash_key(key))


def parse_entry(entry: str) -> ApiKey:
    """`name:scope:sha256hex` -> ApiKey; anything else is a ConfigError saying the format."""
    match = _ENTRY.match(entry.strip())
    scopes = ", ".join(s.value for s in Scope)
    if not match:
        raise ConfigError(
            "an RAG_API_KEYS entry is not name:scope:sha256hex (name: letters, digits, -_.@)",
            hint=NEW_KEY_HINT,
        )
    try:
        scope = Scope(match["scope"])
    except ValueError:
        raise ConfigError(
            f"RAG_API_KEYS entry {match['name']!r} has scope {match['scope']!r}",
            hint=f"use one of {scopes}",
        ) from None
    return ApiKey(match["name"], scope, bytes.fromhex(match["digest"]))


class Keyring:
    """The configured keys and the read policy; decides each request's access."""

    def __init__(self, keys: tuple[ApiKey, ...], *, open_read: bool) -> None:
        names = [k.name for k in keys]
        if len(set(names)) != len(names):
            raise ConfigError("RAG_API_KEYS names a key twice", hint="give each key its own name")
        self.keys = keys
        self.open_read = open_read
        self.has_admin = any(k.scope is Scope.ADMIN for k in keys)

    def identify(self, presented: str) -> ApiKey | None:
        """The configured key matching `presented`. Compares against every key, always."""
        digest = hash_key(presented)
        found: ApiKey | None = None
        for key in self.keys:
            if hmac.compare_digest(digest, key.digest) and found is None:
                found = key
        return found

    def authorize(self, presented: str | None, needed: Scope) -> Caller:
        """The caller, if it may do what needs `needed`; else the error to answer with.

        Writes need an admin key, and with none configured nobody may write. With reads
        open, an unknown key reads as no key (chat tools send a dummy one)."""
        if needed is Scope.ADMIN and not self.has_admin:
            raise ForbiddenError(
                "writing is disabled: no admin API key is configured",
                hint=f"{NEW_KEY_HINT}; `rag ingest` still ingests locally",
            )
        if presented is None:
            if needed is Scope.READ and self.open_read:
                return Caller(None, None)
            raise UnauthenticatedError(
                "an API key is required",
                hint="send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
            )
        key = self.identify(presented)
        if key is None and needed is Scope.READ and self.open_read:
            # OpenAI clients must send some key: with reads open, a dummy one reads as none.
            return Caller(None, None)
        if key is None:
            raise UnauthenticatedError(
                "the API key is not valid", hint="check the key, or ask for a new one"
            )
        if not key.scope.allows(needed):
            raise ForbiddenError(
                f"the key {key.name!r} has scope {key.scope}; this needs {needed}",
                hint="use a key with the admin scope",
            )
        return Caller(key.name, key.scope)
