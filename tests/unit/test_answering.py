"""rag/answering/__init__.py: the heading count an answer keeps after sentences are pruned."""

from __future__ import annotations

from rag.answering import recount, statements


def test_the_heading_counts_what_is_left() -> None:
    assert recount("From 4 statements:\n- “a” [1]", 3) == "From 3 statements:\n- “a” [1]"
    assert recount("From 2 statements:\n- “a” [1]", 1).startswith("From 1 statement:\n")
    timeline = "Over time (3 statements, oldest first):\n- 2023: “a” [1]"
    assert recount(timeline, 2).startswith("Over time (2 statements, oldest first):")


def test_text_without_a_heading_is_left_alone() -> None:
    text = "Kenya has 4 statements on file. [1]\nMore."
    assert recount(text, 1) == text
    assert statements(1) == "1 statement" and statements(0) == "0 statements"
