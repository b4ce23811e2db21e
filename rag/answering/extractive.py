"""The offline answerer: quotes the sentences that answer the question, verbatim.

No model. What the question asks for is read first (rag.question.focus): its topic words,
the named things in it, the kind of value it wants (a number, a date, a name, a place) and
the relation it asks about ("agree" is answered by "We concurred"). Each sentence of the
retrieved passages is scored on those: the topic words it holds itself (words weighted by
rarity among the candidates; the statement's title counts for half), whether it holds the
kind of value asked for and says the relation, whether it is the asked-about person's own
words, and how close its passage is. The best sentence is the answer; a second from the same
statement joins it when it adds what the first lacks, and another statement is quoted only
when its sentence answers about as well. So the answer is short, grouped by statement, and
cites the statements that answer, not every statement retrieved.

"What did X and Y discuss?" has no topic beyond the people: the best statement's sentences
are quoted in order (a readout lists what was discussed). A reporter's question in a
transcript ("Q Mr. President, are you concerned ...?") is not an answer: the reply after it
is, and the question is shown before the reply so it can be read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rag.answering import Question, TextListener, refusal, statements
from rag.answering.leaks import MARKUP
from rag.people import first_person, same_person, voice_at
from rag.question.focus import Focus, Wanted, read_focus
from rag.text.instructions import is_instruction
from rag.text.sentences import split_sentences
from rag.text.vocabulary import CARDINALS, MONTH_NAMES, SCALES, STOPWORDS, TITLES
from rag.text.words import content_terms, fold
from rag.types import Draft, Passage, ProposedCitation, QuoteRecord, ScoredPassage

NAME = "extractive"
# A transcript turn's label at the start of a line: "Gareth Pierce:", "THE PRESIDENT:".
_TURN_LABEL = re.compile(r"(?m)^[ \t\xa0]*(?P<label>[A-Z][^\n:]{1,80}):[ \t\xa0]")
# A reporter's question in a White House transcript: "Q    Mr. President, ...".
_REPORTER = re.compile(r"\AQ(?:[ \t\xa0]+|:[ \t\xa0]*)")
_DIGIT = re.compile(r"\d")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|https?://\S+")
"""Where a markdown link points: its words are not what the sentence says."""
_ENDED = re.compile(r"[.!?…][\"'”’)\]»*]*\Z")
_YEAR = re.compile(r"\b(?:1[5-9]|20)\d\d\b")
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'.-]*[A-Za-z]")
_NUMBER_WORDS = frozenset(CARDINALS) | frozenset(SCALES) | {"percent", "per", "dozen", "half"}

OWN_WORDS = 0.25
"""Bonus of the asked-about person's own words over what a statement reports of them."""
WANTED = 0.3
"""Bonus of a sentence holding the kind of value asked for (a number for "how many")."""
RELATION = 0.15
"""Bonus of a sentence saying the relation asked about ("concurred" for "agree")."""
CLOSENESS = 0.5
"""Weight of the passage's similarity to the question."""
CONTEXT_SHARE = 0.5
"""What a topic word in the statement's title or the sentence before (not in the sentence
itself) counts for."""
REPLY_SHARE = 0.8
"""What a topic word of the reporter's question counts for in the reply to it."""
AROUND = 0.4
"""Weight of a topic word outside what the question is about ("White House" in "What did the
White House say about the American Revolution?")."""
ALSO_SCORE = 0.85
"""Another statement is quoted when its best sentence scores this share of the best..."""
ALSO_COVER = 0.75
"""...and holds this share of the topic the best sentence holds."""
SECOND_COVER = 0.5
"""A second sentence of a statement needs this share of the best sentence's topic."""


@dataclass(frozen=True, slots=True)
class _Sentence:
    passage: ScoredPassage
    start: int  # offset in the passage text
    end: int
    terms: frozenset[str]
    position: int  # index of the sentence in its passage
    title_terms: frozenset[str] = frozenset()
    before: frozenset[str] = frozenset()
    """Terms of the sentence before it in the passage: what "such an office" refers to."""
    asked: _Sentence | None = None
    """The reporter's question this sentence replies to, in a transcript."""
    own_words: QuoteRecord | None = None  # a quotation of a person the question names

    @property
    def key(self) -> tuple[str, int]:
        return (self.passage.passage.statement_id, self.passage.passage.start + self.start)

    @property
    def statement_id(self) -> str:
        return self.passage.passage.statement_id

    @property
    def text(self) -> str:
        return self.passage.passage.text[self.start : self.end]


def _own_words(sentence: _Sentence, question: Question) -> QuoteRecord | None:
    if not question.speakers:
        return None
    p = sentence.passage.passage
    start, end = p.start + sentence.start, p.start + sentence.end
    for quote in question.quotes:
        if (
            quote.statement_id == p.statement_id
            and quote.start < end
            and start < quote.end
            and same_person(quote.speaker, question.speakers)
        ):
            return quote
    speaker = _voice(p, sentence.start)
    # A speech, or a turn of a transcript: the speaker's own words (after the turn's label).
    label = _TURN_LABEL.match(p.text, sentence.start)
    skip = label.end() - sentence.start if label else 0
    if (
        speaker
        and same_person(speaker, question.speakers)
        and _first_person(p.text)
        and not _names(sentence.text[skip:], speaker)
    ):
        return QuoteRecord(
            statement_id=p.statement_id,
            start=start + skip,
            end=end,
            text=sentence.text[skip:],
            speaker=speaker,
            cue="speech",
            date=p.date.text if p.date else None,
            title=p.title,
            source_url=p.source_url,
        )
    return None


@lru_cache(maxsize=256)
def _first_person(text: str) -> bool:
    """`first_person` of a passage, read once for all its sentences."""
    return first_person(text)


def _names(text: str, speaker: str) -> bool:
    """Whether `text` names the speaker by surname: "President Biden supports ..." in a joint
    statement is about him, not his own words."""
    parts = [w for w in re.findall(r"[^\W\d_]+", speaker) if len(w) > 2]
    return bool(parts) and re.search(rf"\b{re.escape(parts[-1])}\b", text) is not None


def _voice(p: Passage, at: int) -> str | None:
    """Who speaks at offset `at` of the passage (nobody in a reporter's question)."""
    return voice_at(p.text, at, list(dict.fromkeys(n for n in (*p.speakers, p.speaker) if n)))


def _is_reporter(sentence: _Sentence) -> bool:
    return bool(_REPORTER.match(sentence.text))


def _quotable(text: str) -> bool:
    """Not an instruction to a model, an image or HTML (the output guard would block it)."""
    markup = [m.group(0) for m in MARKUP.finditer(text)]
    return not is_instruction(text) and all(m.startswith("[") for m in markup)


_ADDRESS = frozenset(content_terms("Mr. President, sir, Madam Vice President").keys())
"""What a reporter's question holds when it only calls for attention ("Q Mr. President —")."""


def _sentences(passages: Sequence[ScoredPassage]) -> list[_Sentence]:
    seen: set[tuple[str, int]] = set()
    found: list[_Sentence] = []
    for scored in passages:
        text = scored.passage.text
        title = frozenset(content_terms(scored.passage.title or "").keys())
        asked: _Sentence | None = None
        before: frozenset[str] = frozenset()
        for position, span in enumerate(split_sentences(text)):
            if scored.passage.instruction_at(span.start, span.end):
                continue  # an instruction to a model, planted in a statement: never quoted
            terms = frozenset(content_terms(_LINK_TARGET.sub("", text[span.start : span.end])))
            sentence = _Sentence(
                scored, span.start, span.end, terms, position, title, before, asked
            )
            before = terms
            if _is_reporter(sentence):
                asked = sentence if terms - _ADDRESS else asked
                sentence = replace(sentence, asked=None)
            if sentence.key not in seen:
                seen.add(sentence.key)
                found.append(sentence)
    return found


def _wanted(sentence: str, kind: Wanted | None, question_words: frozenset[str]) -> bool:
    if kind == "number":
        return bool(_DIGIT.search(sentence)) or any(
            w in _NUMBER_WORDS for w in fold(sentence).split()
        )
    if kind == "date":
        folded = fold(sentence)
        return bool(_YEAR.search(sentence)) or any(m in folded for m in MONTH_NAMES)
    if kind in ("name", "place"):
        return any(
            fold(w) not in question_words and fold(w) not in TITLES and fold(w) not in STOPWORDS
            for w in _CAPITALISED.findall(sentence)
        )
    return False


@dataclass(frozen=True, slots=True)
class _Scorer:
    focus: Focus
    weights: Mapping[str, float]
    question_words: frozenset[str]
    _covers: dict[tuple[str, int], float] = field(default_factory=dict)
    _scores: dict[tuple[str, int], float] = field(default_factory=dict)

    def cover(self, s: _Sentence) -> float:
        """Share of the topic's weight the sentence holds (its title, the sentence before it
        and, for a reply, the reporter's question count for part)."""
        if s.key not in self._covers:
            self._covers[s.key] = self._cover(s)
        return self._covers[s.key]

    def score(self, s: _Sentence) -> float:
        if s.key not in self._scores:
            self._scores[s.key] = self._score(s)
        return self._scores[s.key]

    def _cover(self, s: _Sentence) -> float:
        total = sum(self.weights.values())
        if not total:
            return 0.0
        asked = s.asked.terms if s.asked is not None else frozenset()
        held = 0.0
        for term, weight in self.weights.items():
            if term in s.terms:
                held += weight
            elif term in asked:
                held += REPLY_SHARE * weight
            elif term in s.title_terms or term in s.before:
                held += CONTEXT_SHARE * weight
        return held / total

    def _score(self, s: _Sentence) -> float:
        text = s.text
        words = len(text.split())
        brevity = min(1.0, words / 6) * (1.0 if words <= 60 else 0.8)
        value = WANTED if _wanted(text, self.focus.wants, self.question_words) else 0.0
        relation = RELATION if self.focus.relation & s.terms else 0.0
        own = OWN_WORDS if s.own_words else 0.0
        rhetorical = 0.3 if text.rstrip("”’\"' )").endswith("?") else 0.0
        return (
            (self.cover(s) + value + relation) * brevity
            + own
            + CLOSENESS * s.passage.score
            - rhetorical
        )


class ExtractiveAnswerer:
    name = NAME
    instructions = ""

    def __init__(
        self,
        max_sentences: int = 3,
        per_statement: int = 2,
        min_words: int = 4,
        max_statements: int = 3,
        listed: int = 4,
    ) -> None:
        self._max_sentences = max_sentences
        self._per_statement = per_statement
        self._min_words = min_words
        self._max_statements = max_statements
        self._listed = listed
        """Sentences quoted in order from one statement when the question has no topic."""

    def answer(
        self,
        question: Question,
        passages: Sequence[ScoredPassage],
        on_text: TextListener | None = None,
    ) -> Draft:
        """Picks and quotes sentences; the draft is whole at once, so `on_text` is not called."""
        if not passages:
            return refusal(NAME, "No passage is close enough to the question.")
        speakers = sorted(
            {n for p in passages for n in (*p.passage.speakers, p.passage.speaker) if n}
        )
        focus = read_focus(question.text, question.topic, question.speakers or speakers)
        every = _sentences(passages)
        sentences = [
            replace(s, own_words=_own_words(s, question))
            for s in every
            if len(s.text.split()) >= (2 if s.asked else self._min_words)
            and not _is_reporter(s)
            and _quotable(s.text)
        ]
        if not sentences:
            return refusal(NAME, "The passages found contain no full sentences to quote.")
        weights = _rarity(sentences, set(focus.terms))
        if focus.core:  # what it is about counts more than who is asked ("the White House")
            weights = {t: w * (1.0 if t in focus.core else AROUND) for t, w in weights.items()}
        scorer = _Scorer(
            focus,
            weights,
            frozenset(fold(w) for w in re.findall(r"[\w’'.-]+", question.text)),
        )
        if focus.terms and not any(scorer.cover(s) > 0 for s in sentences):
            missing = ", ".join(sorted(focus.terms.values()))
            return refusal(NAME, f"No passage found mentions {missing}.")
        pick = self._listing if self._lists(focus, sentences, scorer) else self._pick
        chosen = pick(sentences, scorer)
        return _draft(_with_questions(chosen), question)

    def _pick(self, sentences: list[_Sentence], scorer: _Scorer) -> list[_Sentence]:
        """The best sentence; a second of its statement when it adds to it; other statements'
        best sentences when they answer about as well."""
        scores = {s.key: scorer.score(s) for s in sentences}
        ranked = sorted(sentences, key=lambda s: -scores[s.key])
        ranked = [s for s in ranked if scorer.cover(s) > 0] or ranked
        best = ranked[0]
        best_score, best_cover = scores[best.key], scorer.cover(best)
        if best.asked is not None:  # a reply: its turn is the answer
            turn = [s for s in sentences if s.asked is best.asked]
            return turn[: self._max_sentences]
        chosen = [best, *_continued(best, sentences)]
        statements_chosen = [best.statement_id]
        for s in ranked[1:]:
            if len(chosen) == self._max_sentences:
                break
            cover = scorer.cover(s)
            sid = s.statement_id
            if sid in statements_chosen:
                mine = [c for c in chosen if c.statement_id == sid]
                if len(mine) >= self._per_statement or cover < SECOND_COVER * best_cover:
                    continue
                # A second sentence adds what the first lacks, or (when no one value is
                # asked for) says as much about the topic again.
                again = scorer.focus.wants is None and cover >= best_cover
                if (again or _adds(s, mine, scorer)) and scores[s.key] >= 0.6 * best_score:
                    chosen.append(s)
            elif (
                len(statements_chosen) < self._max_statements
                and scores[s.key] >= ALSO_SCORE * best_score
                and cover >= ALSO_COVER * best_cover
            ):
                chosen.append(s)
                statements_chosen.append(sid)
        return chosen

    def answer_again(
        self,
        question: Question,
        passages: Sequence[ScoredPassage],
        problems: Sequence[str],
        on_text: TextListener | None = None,
    ) -> Draft:
        """Quotes are checked by construction; a second try would give the same answer."""
        return self.answer(question, passages)

    @staticmethod
    def _lists(focus: Focus, sentences: Sequence[_Sentence], scorer: _Scorer) -> bool:
        """No topic, or "what did X and Y discuss" where the topic is only who took part: the
        parties and places its title names ("Call with ... Crown Prince of Abu Dhabi")."""
        if not focus.terms:
            return True
        if not focus.listing:
            return False
        best = max(sentences, key=scorer.score)
        named = best.title_terms | set().union(
            *(content_terms(n).keys() for n in best.passage.passage.speakers)
        )
        return set(focus.terms) <= named

    def _listing(self, sentences: list[_Sentence], scorer: _Scorer) -> list[_Sentence]:
        """No topic ("What did Biden and Ruto discuss?"): the sentences of the most relevant
        passage in order (a readout lists what was discussed)."""
        best = max(sentences, key=scorer.score)
        own = [s for s in sentences if s.passage.passage.id == best.passage.passage.id]
        return own[: self._listed if self._max_sentences > 1 else 1]


def _continued(sentence: _Sentence, sentences: Sequence[_Sentence]) -> list[_Sentence]:
    """The next sentence when this one was cut before its end ('goal 18, “Lives safe from')."""
    if _ENDED.search(sentence.text.rstrip()):
        return []
    passage, position = sentence.passage.passage.id, sentence.position + 1
    return [s for s in sentences if s.passage.passage.id == passage and s.position == position][:1]


def _adds(sentence: _Sentence, chosen: Sequence[_Sentence], scorer: _Scorer) -> bool:
    """Whether `sentence` holds a topic word or the asked-for value the chosen ones lack."""
    held = set().union(*(c.terms for c in chosen))
    if any(t in sentence.terms and t not in held for t in scorer.weights):
        return True
    kind, words = scorer.focus.wants, scorer.question_words
    return (
        kind is not None
        and _wanted(sentence.text, kind, words)
        and not any(_wanted(c.text, kind, words) for c in chosen)
    )


def _with_questions(chosen: list[_Sentence]) -> list[_Sentence]:
    """Grouped by statement (in the order chosen), each in document order; a reply in a
    transcript comes after the reporter's question it answers."""
    order = list(dict.fromkeys(s.statement_id for s in chosen))
    shown: list[_Sentence] = []
    for sid in order:
        own = sorted(
            (s for s in chosen if s.statement_id == sid),
            key=lambda s: s.passage.passage.start + s.start,
        )
        for s in own:
            if s.asked is not None and s.asked not in shown:
                shown.append(s.asked)
            shown.append(s)
    return shown


def _draft(chosen: Sequence[_Sentence], question: Question) -> Draft:
    citations = tuple(
        ProposedCitation(marker=i, passage_id=s.passage.passage.id, quote=_cited(s))
        for i, s in enumerate(chosen, start=1)
    )
    count = len({s.statement_id for s in chosen})
    lines = [
        f"- {_label(s, question)}“{' '.join(_cited(s).split())}” [{i}]"
        for i, s in enumerate(chosen, start=1)
    ]
    text = "\n".join([f"From {statements(count)}:", *lines])
    return Draft(text=text, citations=citations, answerable=True, answerer=NAME)


def _cited(sentence: _Sentence) -> str:
    """The words to quote: the person's own words where the sentence holds them; a
    reporter's question without its "Q"."""
    if _is_reporter(sentence):
        marker = _REPORTER.match(sentence.text)
        return sentence.text[marker.end() :] if marker else sentence.text
    quote = sentence.own_words
    if quote is None:
        return sentence.text
    p = sentence.passage.passage
    start = max(quote.start, p.start + sentence.start) - p.start
    end = min(quote.end, p.start + sentence.end) - p.start
    words = p.text[start:end].strip(" ,.;:")
    return words if len(words.split()) >= 4 else sentence.text


def _label(sentence: _Sentence, question: Question) -> str:
    """Own words apart from reported speech, when the question asks about someone."""
    if _is_reporter(sentence):
        return "Asked: "
    if not question.speakers:
        return ""
    if sentence.own_words is not None:
        return f"{sentence.own_words.speaker}, in their own words: "
    return "Reported: "


def _rarity(sentences: Sequence[_Sentence], terms: set[str]) -> dict[str, float]:
    """Inverse document frequency of each term among the candidate sentences."""
    n = len(sentences)
    return {t: math.log(1 + n / (1 + sum(1 for s in sentences if t in s.terms))) for t in terms}
