"""API keys and scopes (rag.interfaces.access): hashed configuration, constant-time checks,
the rules."""

from __future__ import annotations

import hmac

import pytest

from rag.errors import ConfigError, ForbiddenError, UnauthenticatedError
from rag.interfaces import access
from rag.interfaces.access import ApiKey, Keyring, Scope, hash_key, new_key, parse_entry

READ_KEY, ADMIN_KEY = "read-secret", "admin-secret"
KEYS = (
    ApiKey("reader", Scope.READ, hash_key(READ_KEY)),
    ApiKey("ops", Scope.ADMIN, hash_key(ADMIN_KEY)),
)


def test_an_entry_round_trips_and_holds_only_the_hash() -> None:
    key, entry = new_key("ops", Scope.ADMIN)
    assert key.startswith("rag_") and len(key) > 40
    assert key not in entry.entry
    assert parse_entry(entry.entry) == entry
    assert entry.entry == f"ops:admin:{hash_key(key).hex()}"


@pytest.mark.parametrize(
    "entry", ["ops:admin", "ops:root:" + "0" * 64, "ops:admin:xyz", "bad name:read:" + "0" * 64]
)
def test_a_malformed_entry_is_a_config_error(entry: str) -> None:
    with pytest.raises(ConfigError):
        parse_entry(entry)


def test_a_malformed_entry_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_entry("plaintext-secret-key")
    assert "plaintext-secret-key" not in str(caught.value)


def test_admin_implies_read() -> None:
    keyring = Keyring(KEYS, open_read=False)
    assert keyring.authorize(ADMIN_KEY, Scope.READ).key == "ops"
    assert keyring.authorize(ADMIN_KEY, Scope.ADMIN).scope is Scope.ADMIN
    assert keyring.authorize(READ_KEY, Scope.READ).key == "reader"
    with pytest.raises(ForbiddenError, match="scope read"):
        keyring.authorize(READ_KEY, Scope.ADMIN)


@pytest.mark.parametrize("presented", [None, "wrong", READ_KEY + " ", ""])
def test_reads_need_a_valid_key_when_closed(presented: str | None) -> None:
    with pytest.raises(UnauthenticatedError):
        Keyring(KEYS, open_read=False).authorize(presented, Scope.READ)


def test_open_reads_never_open_writes() -> None:
    keyring = Keyring(KEYS, open_read=True)
    assert keyring.authorize(None, Scope.READ).key is None
    with pytest.raises(UnauthenticatedError):
        keyring.authorize(None, Scope.ADMIN)
    assert keyring.authorize("dummy", Scope.READ).key is None  # chat tools send one
    assert keyring.authorize(READ_KEY, Scope.READ).key == "reader"
    with pytest.raises(UnauthenticatedError):
        keyring.authorize("dummy", Scope.ADMIN)


@pytest.mark.parametrize("presented", [None, ADMIN_KEY, READ_KEY])
def test_without_an_admin_key_nobody_writes(presented: str | None) -> None:
    keyring = Keyring(KEYS[:1], open_read=True)
    with pytest.raises(ForbiddenError, match="no admin API key is configured"):
        keyring.authorize(presented, Scope.ADMIN)


def test_keys_are_compared_in_constant_time_against_every_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """hmac.compare_digest over the hashes, for every configured key, even after a match."""
    compared: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(access.hmac, "compare_digest", recording)
    keyring = Keyring(KEYS, open_read=False)
    assert keyring.identify(READ_KEY) == KEYS[0]
    assert compared == [(hash_key(READ_KEY), k.digest) for k in KEYS]
    compared.clear()
    assert keyring.identify("wrong") is None
    assert len(compared) == len(KEYS)


def test_a_name_used_twice_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        Keyring((KEYS[0], ApiKey("reader", Scope.ADMIN, hash_key("x"))), open_read=False)
