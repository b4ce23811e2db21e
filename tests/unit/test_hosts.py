"""rag/interfaces/api/hosts.py: the names in Host headers, the allow-list and Origin checks."""

from __future__ import annotations

import pytest

from rag.interfaces.api.hosts import allows, host_name, origin_allowed

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8000", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("statements.example.org.:443", "statements.example.org"),
        ("", ""),
    ],
)
def test_the_name_in_a_host_header(header: str, name: str) -> None:
    assert host_name(header) == name


def test_only_listed_names_and_their_subdomains_for_wildcards() -> None:
    patterns = ("statements.example.org", "*.corp.example")
    assert allows(patterns, "statements.example.org")
    assert allows(patterns, "qa.corp.example")
    assert not allows(patterns, "corp.example")
    assert not allows(patterns, "statements.example.org.attacker.example")
    assert not allows(LOOPBACK, "attacker.example")
    assert not allows(LOOPBACK, "127.0.0.1.nip.io")


def test_an_origin_must_be_allowed_or_the_server_itself() -> None:
    assert origin_allowed("http://localhost:6274", "127.0.0.1:8000", LOOPBACK, ())
    assert not origin_allowed("https://attacker.example", "127.0.0.1:8000", LOOPBACK, ())
    assert origin_allowed(
        "https://notes.example.org", "x", LOOPBACK, ("https://notes.example.org",)
    )
    # No allow-list (bound to all interfaces): only the origin the request was sent to.
    assert origin_allowed("http://10.0.0.5:8000", "10.0.0.5:8000", None, ())
    assert not origin_allowed("http://attacker.example", "10.0.0.5:8000", None, ())
    assert not origin_allowed("null", "10.0.0.5:8000", None, ())
