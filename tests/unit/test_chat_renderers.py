"""The team-chat renderers (rag/interfaces/chat_text.py, slack/blocks.py, discord/embeds.py):
long answers cut between sentences within each platform's limits, never inside a quotation
or a [n] marker; statement text escaped; links only http(s).

The long answer is built from the examples' real statements: each line quotes sentences of a
UN speech by Ruto at their exact offsets, as the extractive answerer writes them, so the
quotations span sentence ends the way real ones do."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from rag.ingest import load_paths
from rag.interfaces.chat_text import MARKER, format_markers, pieces, quote_url, safe_url
from rag.interfaces.discord import embeds
from rag.interfaces.slack import blocks
from rag.text.sentences import split_sentences
from rag.types import Answer, Citation, Source, Statement

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASE = "https://statements.example.org"


@pytest.fixture(scope="module")
def speech() -> Statement:
    return next(s for s in load_paths([EXAMPLES]) if len(s.text) > 10_000)


def long_answer(statement: Statement, length: int = 6000) -> Answer:
    """An answer of about `length` characters: lines quoting two sentences each, cited."""
    spans = [s for s in split_sentences(statement.text) if 80 < s.end - s.start < 400]
    lines, citations = [], []
    for marker, (a, b) in enumerate(zip(spans[::2], spans[1::2], strict=False), start=1):
        start, end = a.start, b.end
        quote = statement.text[start:end]
        lines.append(f"- William Ruto, in their own words: “{' '.join(quote.split())}” [{marker}]")
        citations.append(
            Citation(
                marker=marker,
                statement_id=statement.id,
                passage_id=f"{statement.id}#{marker}",
                start=start,
                end=end,
                quote=quote,
                title=statement.title,
                speaker=statement.speaker,
                date=statement.date.text if statement.date else None,
                source_url=statement.source_url,
                speakers=("William Ruto",),
            )
        )
        if sum(len(line) + 1 for line in lines) > length:
            break
    text = "From 1 statement:\n" + "\n".join(lines) + "\n\nBased on a statement from 2024."
    source = Source(statement.id, statement.title, ("William Ruto",), "2024", statement.source_url)
    return Answer(
        question="What did Ruto say at the UN?",
        text=text,
        answerable=True,
        citations=tuple(citations),
        rejected_citations=(),
        answerer="extractive",
        prompt_hash=None,
        passages=(),
        retrieval_seconds=0.0,
        seconds=0.0,
        sources=(source,),
    )


def assert_cut_well(original: str, parts: list[str]) -> None:
    """Joined, the parts are the text; each cut falls after a marker or a sentence, outside
    any quotation, and no part starts with a marker."""
    assert " ".join(" ".join(p.split()) for p in parts) == " ".join(original.split())
    for part in parts[:-1]:
        assert part.count("“") == part.count("”"), part[-80:]
        assert not MARKER.match(parts[parts.index(part) + 1]), "a marker was cut from its sentence"
        assert re.search(r"(\[\d+\]|[.!?”])$", part), part[-40:]


def test_pieces_cut_between_sentences_and_keep_markers_and_quotations(speech: Statement) -> None:
    answer = long_answer(speech)
    assert len(answer.text) >= 6000
    for limit in (2000, 3000, 4096):
        parts = pieces(answer.text, limit)
        assert len(parts) >= 2 and all(len(p) <= limit for p in parts)
        assert_cut_well(answer.text, parts)


def test_a_quotation_is_not_cut_between_its_own_sentences() -> None:
    quotation = "“We will go. We will stay. We will not fail Haiti.”"
    text = f"Ruto said {quotation} [1] He spoke in New York. Then he left [2]."
    parts = pieces(text, 70)
    assert any(quotation in p for p in parts), parts
    assert parts[0].endswith("[1]")


def test_a_sentence_longer_than_the_limit_is_cut_at_a_space_never_in_a_marker() -> None:
    text = "word " * 50 + "[12] end."
    parts = pieces(text, 40)
    assert all(len(p) <= 40 for p in parts)
    assert any("[12]" in p for p in parts)


def test_markers_escaped_and_linked_separately() -> None:
    out = format_markers("a <b> [1] & [2]", blocks.escape, lambda n: f"<u|[{n}]>")
    assert out == "a &lt;b&gt; <u|[1]> &amp; <u|[2]>"


def test_only_http_links_pass_and_break_no_link_syntax() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("/relative") is None
    assert safe_url("https://x.org/a b|c>d") == "https://x.org/a%20b%7Cc%3Ed"


def test_slack_answer_within_limits(speech: Statement) -> None:
    answer = long_answer(speech)
    messages = blocks.answer_messages(answer, base_url=BASE, feedback="{}")
    all_blocks = [b for m in messages for b in m.blocks]
    assert all(len(m.blocks) <= blocks.MAX_BLOCKS for m in messages)
    sections = [b["text"]["text"] for b in all_blocks if b["type"] == "section"]
    assert all(len(s) <= blocks.SECTION_LIMIT for s in sections)
    answer_sections = sections[: sections.index("*Sources*")]
    assert len(answer_sections) >= 2
    plain = [re.sub(r"<[^|>]+\|(\[\d+\])>", r"\1", s) for s in answer_sections]
    assert_cut_well(answer.text, plain)
    # each marker links to its quote, highlighted on the web page
    c = answer.citations[0]
    assert f"<{quote_url(BASE, c)}|[1]>" in answer_sections[0]
    assert messages[-1].blocks[-1]["type"] == "actions"


def test_slack_more_than_fifty_blocks_continue_in_another_message(speech: Statement) -> None:
    answer = long_answer(speech)
    # each citation from a statement of its own: one Sources section per statement
    cited = tuple(replace(c, statement_id=f"s{c.marker}") for c in answer.citations)
    sources = tuple(Source(c.statement_id, c.title, (), None, None) for c in cited) * 5
    answer = replace(answer, citations=cited * 5, sources=sources)
    messages = blocks.answer_messages(answer, feedback="{}")
    assert len(messages) >= 2
    assert all(len(m.blocks) <= blocks.MAX_BLOCKS for m in messages)
    assert [b["type"] for b in messages[-1].blocks][-1] == "actions"
    assert sum(b["type"] == "actions" for m in messages for b in m.blocks) == 1


def test_slack_escapes_statement_text() -> None:
    hostile = "<!channel> <https://evil.example|click> & <@U123>"
    c = Citation(1, "s", "s#0", 0, len(hostile), hostile, "T <b>", None, None, "javascript:x")
    answer = Answer(
        "q",
        f"He said {hostile} [1].",
        True,
        (c,),
        (),
        "extractive",
        None,
        (),
        0,
        0,
        sources=(Source("s", "T <b>", (), None, "javascript:x"),),
    )
    text = " ".join(
        b["text"]["text"]
        for m in blocks.answer_messages(answer)
        for b in m.blocks
        if b["type"] == "section"
    )
    assert "<!channel>" not in text and "<https://evil" not in text and "<@U123>" not in text
    assert "&lt;!channel&gt;" in text and "javascript:" not in text


def test_discord_answer_within_limits(speech: Statement) -> None:
    answer = long_answer(speech)
    messages = embeds.answer_messages(answer, answer.question, BASE)
    descriptions = []
    for message in messages:
        assert len(message["embeds"]) <= embeds.MAX_EMBEDS
        assert sum(embeds.embed_size(e) for e in message["embeds"]) <= embeds.MESSAGE_EMBED_CHARS
        assert message["allowed_mentions"] == {"parse": []}
        for embed in message["embeds"]:
            assert len(embed.get("description", "")) <= embeds.DESCRIPTION_LIMIT
            assert len(embed.get("fields", [])) <= embeds.MAX_FIELDS
            for f in embed.get("fields", []):
                assert len(f["name"]) <= 256 and len(f["value"]) <= 1024
            if embed.get("description"):
                descriptions.append(embed["description"])
    assert len(messages) >= 2 and len(descriptions) >= 2
    unescaped = [
        re.sub(r"\\(.)", r"\1", re.sub(r"\[\\\[(\d+)\\\]\]\([^)]*\)", r"[\1]", d))
        for d in descriptions
    ]
    assert_cut_well(answer.text, unescaped)
    fields = [f for m in messages for e in m["embeds"] for f in e.get("fields", [])]
    assert len(fields) == len(answer.citations)
    assert f"[open the quote]({quote_url(BASE, answer.citations[0])})" in fields[0]["value"]


def test_discord_escapes_markdown() -> None:
    assert embeds.escape("**bold** [x](https://evil) ||spoiler|| `c` > q") == (
        r"\*\*bold\*\* \[x\]\(https://evil\) \|\|spoiler\|\| \`c\` \> q"
    )
