"""rag/index/keyword_index.py: BM25 scores, segments, removals, rebuilds and pickling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import rag.index.keyword_index as keyword_index
from rag.index.keyword_index import K1, B, KeywordIndex, keyword_terms

# Words that are their own stems, so the hand computation below can count them directly.
TINY = {
    0: "Kenya police in Haiti",  # kenya, police, haiti: length 3
    1: "police police police and the budget",  # police x3, budget: length 4
    2: "the Haiti vote",  # haiti, vote: length 2
    3: "budget",  # length 1
}
# Sentences of the Biden-Ruto and Harris-Ruto call readouts
# (tests/fixtures/whitehouse-sample.jsonl).
READOUT_SENTENCES = [
    "President Biden spoke with President William Ruto of Kenya today to thank him for answering "
    "Haiti's call to serve as the lead nation of the Multinational Security Support mission.",
    "They welcomed the successful vote at the United Nations Security Council yesterday "
    "authorizing the MSS to bring relief to the people of Haiti.",
    "President Biden also congratulated President Ruto for hosting the recently concluded "
    "Africa Climate Summit.",
    "Together, they discussed additional opportunities to promote regional security and mutual "
    "prosperity by spurring new investments, jobs, and sustainable growth.",
    "Vice President Kamala Harris spoke today with President William Ruto of Kenya and thanked "
    "him for his partnership.",
    "The Vice President emphasized her continued interest in expanding digital inclusion across "
    "the continent of Africa.",
    "The Vice President welcomed Kenya's continued global leadership role, including its "
    "leadership of the Multinational Security Support mission in Haiti.",
    "making progress in technology, AI, and climate and clean energy",
]
QUERIES = ["Haiti", "Kenya security mission", "climate summit Africa", "digital inclusion"]


def built(texts: dict[int, str]) -> KeywordIndex:
    index = KeywordIndex()
    for row, text in texts.items():
        index.add(row, text)
    return index


def reference_bm25(texts: dict[int, str], query: str) -> dict[int, float]:
    """Textbook BM25 over `texts`, straight from the formula."""
    docs = {row: keyword_terms(text) for row, text in texts.items()}
    n = len(docs)
    avg = sum(len(d) for d in docs.values()) / n
    scores = dict.fromkeys(docs, 0.0)
    for term in dict.fromkeys(keyword_terms(query)):
        df = sum(term in d for d in docs.values())
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for row, d in docs.items():
            tf = d.count(term)
            if tf:
                scores[row] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(d) / avg))
    return scores


def ranking(scores: np.ndarray) -> list[int]:
    """Rows with a score, best first."""
    rows = np.flatnonzero(scores > 0)
    return [int(r) for r in rows[np.argsort(-scores[rows], kind="stable")]]


def test_keyword_terms_are_stems_without_stopwords() -> None:
    assert keyword_terms("The missions to Haiti and Kenya's police") == [
        "missio",
        "haiti",
        "kenya",
        "police",
    ]


def test_scores_match_a_hand_computation() -> None:
    index = built(TINY)
    # N = 4, average length 10 / 4 = 2.5.
    # haiti: df 2, idf = ln(1 + 2.5 / 2.5) = ln 2.
    #   row 0 (tf 1, length 3): 2.2 / (1 + 1.2 * (0.25 + 0.75 * 3 / 2.5)) = 2.2 / 2.38
    #   row 2 (tf 1, length 2): 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / 2.5)) = 2.2 / 2.02
    haiti = index.scores("Haiti", 4)
    assert haiti == pytest.approx([0.640727, 0, 0.754916, 0], abs=1e-5)
    # police: df 2, idf ln 2; row 1 has tf 3 and length 4: 6.6 / (3 + 1.2 * 1.45) = 6.6 / 4.74.
    # kenya: df 1, idf = ln(1 + 3.5 / 1.5) = ln(10 / 3); row 0: ln(10 / 3) * 2.2 / 2.38.
    kenya_police = index.scores("Kenya police", 4)
    assert kenya_police == pytest.approx([1.112911 + 0.640727, 0.965136, 0, 0], abs=1e-5)


@pytest.mark.parametrize("query", ["Haiti", "Kenya police", "budget vote", "police budget Haiti"])
def test_scores_match_the_textbook_formula(query: str) -> None:
    expected = reference_bm25(TINY, query)
    assert built(TINY).scores(query, 4) == pytest.approx(
        [expected[row] for row in range(4)], rel=1e-5
    )


def test_a_repeated_query_word_counts_once() -> None:
    index = built(TINY)
    assert index.scores("Haiti Haiti haiti", 4) == pytest.approx(index.scores("Haiti", 4))


def test_scores_fill_an_array_of_the_capacity_asked_for() -> None:
    scores = built(TINY).scores("budget", 10)
    assert scores.shape == (10,)
    assert scores.dtype == np.float32
    assert ranking(scores) == [3, 1]  # the shorter statement first
    assert not scores[4:].any()


def test_unknown_terms_score_zero() -> None:
    index = built(TINY)
    assert not index.scores("tariffs", 4).any()
    assert not index.scores("", 4).any()
    assert not index.scores("the and of", 4).any()  # only stopwords
    assert index.scores("tariffs Haiti", 4) == pytest.approx(index.scores("Haiti", 4))


def test_document_frequency_and_idf() -> None:
    index = built(TINY)
    assert index.size == 4
    assert index.document_frequency("police") == 2  # three times in row 1 is still one row
    assert index.document_frequency("kenya") == 1
    assert index.document_frequency("tariff") == 0
    assert index.idf("haiti") == pytest.approx(math.log(2))
    assert index.idf("kenya") == pytest.approx(math.log(10 / 3))
    assert index.idf("tariff") == pytest.approx(math.log(1 + 4.5 / 0.5))
    assert index.idf("tariff") > index.idf("kenya") > index.idf("haiti")


def test_idf_of_an_empty_index_is_finite() -> None:
    index = KeywordIndex()
    assert index.idf("haiti") == pytest.approx(math.log(1 + 1.5 / 0.5))
    assert not index.scores("Haiti", 3).any()


def test_a_text_of_only_stopwords_is_a_row_without_terms() -> None:
    index = built({0: "the and of", 1: "Haiti"})
    assert index.size == 2
    # Lengths 0 and 1, average 0.5: 2.2 / (1 + 1.2 * (0.25 + 0.75 * 1 / 0.5)) = 2.2 / 3.1.
    assert index.scores("Haiti", 2) == pytest.approx([0, math.log(2) * 2.2 / 3.1], rel=1e-5)


def test_adds_over_many_segments_score_as_one_segment_built_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = dict(enumerate(READOUT_SENTENCES))
    whole = built(texts)
    monkeypatch.setattr(keyword_index, "_SEGMENT_SIZE", 3)
    segmented = built(texts)  # segments of rows 0-2 and 3-5; rows 6 and 7 pending until a query

    terms = {t for text in READOUT_SENTENCES for t in keyword_terms(text)}
    for term in terms:
        assert segmented.document_frequency(term) == whole.document_frequency(term)
        assert segmented.idf(term) == pytest.approx(whole.idf(term), rel=1e-9)
    # Term-frequency weights use the average length when each segment was built, so only
    # the order is the same (with segments of two, rows 0 and 6 swap places for "Haiti":
    # the first segment's average length is far from the final one).
    for query in QUERIES:
        expected = whole.scores(query, len(texts))
        got = segmented.scores(query, len(texts))
        assert ranking(got) == ranking(expected), query
        assert ranking(expected), query


def test_rows_of_equal_length_score_the_same_in_any_segments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every row has three terms, so the average length never changes as segments are built.
    texts = {
        0: "Kenya police Haiti",
        1: "Haiti vote council",
        2: "Kenya climate summit",
        3: "police police budget",
        4: "Haiti Haiti mission",
        5: "digital budget Africa",
        6: "Africa climate vote",
    }
    whole = built(texts)
    monkeypatch.setattr(keyword_index, "_SEGMENT_SIZE", 2)
    segmented = built(texts)
    for query in ["Haiti", "Kenya police", "climate vote Africa", "budget mission"]:
        assert segmented.scores(query, 7) == pytest.approx(whole.scores(query, 7), rel=1e-6)


def test_merging_too_many_segments_keeps_every_posting_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = dict(enumerate(READOUT_SENTENCES))
    monkeypatch.setattr(keyword_index, "_SEGMENT_SIZE", 1)
    monkeypatch.setattr(keyword_index, "_MAX_SEGMENTS", 2)
    index = built(texts)  # one segment per row, merged into one whenever there are three

    # Rows 0-6 were last merged with the average length of rows 0-6 (13.7, against 12.9 for
    # all eight), row 7 has a segment of its own: close to the textbook scores, and a
    # posting kept twice would double one.
    for query in QUERIES:
        expected = reference_bm25(texts, query)
        assert index.scores(query, len(texts)) == pytest.approx(
            [expected[row] for row in texts], rel=0.1
        )
    index.rebuild()
    for query in QUERIES:
        expected = reference_bm25(texts, query)
        assert index.scores(query, len(texts)) == pytest.approx(
            [expected[row] for row in texts], rel=1e-5
        )


def test_remove_takes_rows_out_of_document_frequencies_at_once() -> None:
    index = built(TINY)
    index.scores("Haiti", 4)  # every row is in a segment now

    index.remove([0])

    assert index.size == 3
    assert index.document_frequency("haiti") == 1
    assert index.document_frequency("kenya") == 0
    assert index.document_frequency("police") == 1
    assert index.idf("haiti") == pytest.approx(math.log(1 + 2.5 / 1.5))
    # Row 2's weight is unchanged (built with the old average), its idf is the new one.
    scores = index.scores("Haiti", 4)
    assert scores[2] == pytest.approx(math.log(1 + 2.5 / 1.5) * 2.2 / 2.02, rel=1e-5)
    # Row 0's postings stay until a rebuild: the caller's alive mask skips them.
    assert scores[0] > 0


def test_removing_an_unknown_or_removed_row_changes_nothing() -> None:
    index = built(TINY)
    index.remove([0])
    before = index.scores("Haiti police budget", 4)

    index.remove([0, 17])

    assert index.size == 3
    assert index.document_frequency("police") == 1
    assert index.scores("Haiti police budget", 4) == pytest.approx(before)


def test_a_row_removed_before_its_segment_is_built_never_scores() -> None:
    index = KeywordIndex()
    for row, text in TINY.items():
        index.add(row, text)
    index.remove([2])  # still pending: no segment holds it yet

    scores = index.scores("Haiti vote", 4)

    assert scores[2] == 0
    assert scores[0] > 0
    assert index.document_frequency("vote") == 0


def test_rebuild_drops_removed_rows_and_uses_the_live_average() -> None:
    index = built(TINY)
    index.scores("Haiti", 4)
    index.remove([1])

    index.rebuild()

    live = {row: text for row, text in TINY.items() if row != 1}
    for query in ["Haiti", "Kenya police", "budget vote", "police budget Haiti"]:
        expected = reference_bm25(live, query)
        scores = index.scores(query, 4)
        assert scores[1] == 0
        assert [scores[row] for row in live] == pytest.approx(
            [expected[row] for row in live], rel=1e-5
        )


def test_rows_added_after_a_rebuild_are_found() -> None:
    index = built(TINY)
    index.remove([0, 1, 2, 3])
    index.rebuild()
    assert not index.scores("Haiti", 6).any()

    index.add(4, "Haiti vote")
    index.add(5, "budget")

    assert ranking(index.scores("Haiti budget", 6)) == [5, 4]
    assert index.size == 2


# ---- the columnar layout: the same scores as the index of one array pair per row --------

# Scores of "Haiti Kenya security climate police" at each step of
# `scripted_adds_and_removals`, as the earlier layout (main at e00e5b1, which kept two
# small arrays per row) computed them: float32 values, to compare exactly.
RECORDED = {
    "segments": {
        0: 2.505134344100952,
        2: 1.5046876668930054,
        3: 1.0153313875198364,
        6: 2.8231663703918457,
        7: 1.7607184648513794,
        8: 5.041640758514404,
        9: 2.6330466270446777,
        10: 1.3049333095550537,
    },
    "renumbered": {
        0: 2.145136833190918,
        1: 1.337006688117981,
        2: 0.8834273815155029,
        4: 2.45640230178833,
        5: 1.6103299856185913,
        6: 4.809665679931641,
        7: 2.6330466270446777,
        8: 1.3049333095550537,
    },
    "removed and added": {
        0: 2.5751826763153076,
        1: 0.9473642110824585,
        2: 1.0694750547409058,
        4: 2.9488492012023926,
        5: 1.1410331726074219,
        6: 5.919924259185791,
        7: 3.371483325958252,
        8: 1.5326921939849854,
        10: 4.627297401428223,
    },
    "rebuilt": {
        1: 0.8848077058792114,
        2: 0.9880402088165283,
        4: 2.7243099212646484,
        5: 1.0823802947998047,
        7: 3.3155276775360107,
        8: 1.5014663934707642,
        10: 4.627297401428223,
    },
}
RECORDED_QUERY = "Haiti Kenya security climate police"
# Live rows 0, 2, 3, 5-11 after the first removal, renumbered in order.
COMPACTED = {old: new for new, old in enumerate([0, 2, 3, 5, 6, 7, 8, 9, 10, 11])}


def scored(index: KeywordIndex, capacity: int) -> dict[int, float]:
    scores = index.scores(RECORDED_QUERY, capacity)
    return {row: float(score) for row, score in enumerate(scores) if score}


def scripted_adds_and_removals(index: KeywordIndex) -> dict[str, dict[int, float]]:
    """Segments, pending rows, removals, a merge, a renumbering and a rebuild, in turn."""
    for row, text in enumerate(READOUT_SENTENCES):
        index.add(row, text)
    index.remove([1, 4])
    for row, text in TINY.items():
        index.add(8 + row, text)
    steps = {"segments": scored(index, 12)}
    index.renumber(COMPACTED)
    steps["renumbered"] = scored(index, 10)
    index.remove([0, 6])
    index.add(10, "Kenya Haiti climate")
    steps["removed and added"] = scored(index, 11)
    index.rebuild()
    steps["rebuilt"] = scored(index, 11)
    return steps


def test_scores_are_bit_for_bit_those_of_the_earlier_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keyword_index, "_SEGMENT_SIZE", 3)
    monkeypatch.setattr(keyword_index, "_MAX_SEGMENTS", 2)
    assert scripted_adds_and_removals(KeywordIndex()) == RECORDED


def test_renumbering_scores_as_a_fresh_index_of_the_live_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keyword_index, "_SEGMENT_SIZE", 3)
    texts = dict(enumerate(READOUT_SENTENCES)) | {8 + row: text for row, text in TINY.items()}
    index = built(texts)
    index.scores("Haiti", 12)  # rows 0-10 in segments, row 11 pending
    index.remove([1, 4])

    index.renumber(COMPACTED)

    fresh = built({COMPACTED[row]: text for row, text in texts.items() if row in COMPACTED})
    fresh.rebuild()
    assert index.size == fresh.size == 10
    for query in [*QUERIES, RECORDED_QUERY]:
        assert index.scores(query, 10).tobytes() == fresh.scores(query, 10).tobytes(), query
    for term in ["haiti", "kenya", "police", "vote"]:
        assert index.document_frequency(term) == fresh.document_frequency(term)


def test_renumbering_must_give_every_live_row_a_number() -> None:
    index = built(TINY)
    index.remove([1])
    with pytest.raises(KeyError):
        index.renumber({0: 0, 2: 1})  # row 3 is live


def test_adding_a_live_row_again_is_refused() -> None:
    index = built(TINY)
    with pytest.raises(ValueError, match="row 2 is already"):
        index.add(2, "Haiti")
    index.remove([2])
    index.add(2, "Haiti")  # a removed row may be given new text
    assert index.document_frequency("vote") == 0
    assert index.document_frequency("haiti") == 2


def test_a_pickled_index_scores_the_same_and_keeps_growing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(keyword_index, "_SEGMENT_SIZE", 3)
    index = built(dict(enumerate(READOUT_SENTENCES)))
    index.remove([1, 7])  # row 7 is the last row: the pickle keeps rows up to 6

    loaded = pickle.loads(pickle.dumps(index))

    assert loaded.size == index.size == 6
    for query in QUERIES:
        assert loaded.scores(query, 8).tobytes() == index.scores(query, 8).tobytes()
    for copy in (index, loaded):
        copy.remove([7, 2])
        for row, text in TINY.items():
            copy.add(8 + row, text)
    for query in [*QUERIES, RECORDED_QUERY]:
        assert loaded.scores(query, 12).tobytes() == index.scores(query, 12).tobytes()
    assert loaded.document_frequency("haiti") == index.document_frequency("haiti") == 4


def test_an_index_pickled_in_another_layout_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # As the layout of one array pair per row was pickled: the snapshot is then unusable,
    # and the catalog rebuilds the index from the store.
    older = {"vocab": {}, "_df": [], "_lengths": np.zeros(0), "_docs": {}, "_segments": []}
    monkeypatch.setattr(KeywordIndex, "__getstate__", lambda self: older | {"_pending": []})
    saved = pickle.dumps(KeywordIndex())
    monkeypatch.undo()

    with pytest.raises(ValueError, match="another layout"):
        pickle.loads(saved)
