"""rag/answering/entailment.py: negations, opposites and figures bound to what they count."""

from __future__ import annotations

import pytest

from rag.answering.entailment import contradiction

LAUNCH = (
    "INDOPACOM has assessed that this event did not pose an immediate threat to U.S. "
    "personnel or territory, or to our allies."
)
FORCES = (
    "And there's going to be U.S. forces not on the ground, but we're going to supply "
    "logistics, intelligence, and equipment."
)
CRIME = "Sexual assaults are down 38%. Homicides are down 35%. Burglaries are down 32%."
PAY = (
    "For 2025, the across-the-board base pay increase will be 1.7 percent and locality pay "
    "increases will average 0.3 percent."
)
LEASES = "Canceling all remaining oil and gas leases issued under the previous administration."
REVIEW = (
    "We are working with partners on mission accountability; we cannot accept, condone or "
    "normalize grave violations of international law."
)


@pytest.mark.parametrize(
    ("claim", "cited"),
    [
        ("The launch posed an immediate threat to US personnel [1].", LAUNCH),
        ("The forces will be on the ground, supplying logistics [1].", FORCES),
        ("Biden did not supply logistics, intelligence or equipment [1].", FORCES),
        ("The community may have to accept some grave violations of international law.", REVIEW),
        ("Biden reinstated the oil and gas leases of the previous administration [1].", LEASES),
        ("Homicides are down 38% while sexual assaults fell 35% [1].", CRIME),
        ("The base pay increase is 0.3 percent and locality pay averages 1.7 percent.", PAY),
        ("Sexual assaults rose 38% [1].", CRIME),
    ],
)
def test_a_claim_that_turns_its_passage_around_is_caught(claim: str, cited: str) -> None:
    assert contradiction(claim, [cited]), claim


@pytest.mark.parametrize(
    ("claim", "cited"),
    [
        ("The launch did not pose an immediate threat to US personnel [1].", LAUNCH),
        ("There would be no US forces on the ground, but logistics and equipment [1].", FORCES),
        ("Sexual assaults fell 38% and homicides 35% [1].", CRIME),
        ("Base pay rises 1.7 percent and locality pay 0.3 percent on average [1].", PAY),
        ("Biden canceled the remaining oil and gas leases [1].", LEASES),
        ("Biden said they cannot condone grave violations of international law [1].", REVIEW),
    ],
)
def test_a_faithful_claim_is_not(claim: str, cited: str) -> None:
    assert contradiction(claim, [cited]) == "", claim


def test_not_only_is_no_negation_and_failed_needs_a_verb() -> None:
    cited = "These measures will target not only those engaging in violence but also funders."
    assert (
        contradiction("The measures target those engaging in violence and funders.", [cited]) == ""
    )
    assert contradiction("The world has failed Haiti [1].", ["The world failed Haiti."]) == ""


ALLOCATIONS = (
    "The admissions numbers shall be allocated as follows:\n"
    "Africa . . . . . . . . . . . 40,000\n"
    "East Asia . . . . . . . . . . 15,000\n"
    "Near East/South Asia . . . . 35,000\n"
)


def test_a_table_row_ends_with_its_line() -> None:
    """A figure at the end of a row belongs to that row, not to the label of the next one."""
    swapped = "It allocates 35,000 places to Africa and 40,000 to the Near East and South Asia."
    faithful = "It allocates 40,000 places to Africa and 35,000 to the Near East and South Asia."

    assert contradiction(swapped, [ALLOCATIONS])
    assert contradiction(faithful, [ALLOCATIONS]) == ""


TRANSCRIPT = (
    "Q Mr. President, have the protests forced you to reconsider any of the policies?\n"
    "THE PRESIDENT: No.\n"
    "Q Will you extend that deadline?\n"
    "THE PRESIDENT: There are discussions about extending. Our hope is we will not have to "
    "extend. So far, no sense of a danger."
)


@pytest.mark.parametrize(
    ("claim", "flipped"),
    [
        ("Biden said the protests had forced him to reconsider his policies [1].", True),
        ("Asked whether the protests forced him to reconsider, Biden said no [1].", False),
        ("Biden said his hope was to extend the deadline [1].", True),
        ("Biden said there were discussions about extending [1].", False),
        ("Biden said the drones posed a danger [1].", True),
    ],
)
def test_questions_answered_no_and_words_said_both_ways(claim: str, flipped: bool) -> None:
    assert bool(contradiction(claim, [TRANSCRIPT])) is flipped, claim
