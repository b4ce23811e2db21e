"""The offline answerer: quotes the sentences that best answer the question, verbatim.

No model. Sentences of the retrieved passages are scored by how much of the
question's topic they contain (words weighted by rarity among the candidates)
plus the passage's similarity. When no passage mentions the topic at all, it
declines instead of quoting something merely nearby. When the question names a
person, their own words (direct quotations attributed to them) are preferred and
shown apart from what a statement reports they said.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rag.answering import Question, TextListener, refusal
from rag.people import first_person, same_person
from rag.text.sentences import split_sentences
from rag.text.words import content_terms, topic_terms
from rag.types import Draft, Passage, ProposedCitation, QuoteRecord, ScoredPassage

NAME = "extractive"
# A transcript turn's label at the start of a line: "Gareth Pierce:", "THE PRESIDENT:".
_TURN_LABEL = re.compile(r"(?m)^[ \t\xa0]*(?P<label>[A-Z][^\n:]{1,80}):[ \t\xa0]")
OWN_WORDS_BONUS = 0.4
_ASKS_FOR_A_NUMBER = re.compile(
    r"\bhow (much|many|long|large|big|often)\b|\bwhat (amount|number|share|percentage)\b", re.I
)
_NUMBER = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class _Sentence:
    passage: ScoredPassage
    start: int  # offset in the passage text
    end: int
    terms: frozenset[str]
    position: int  # index of the sentence in its passage
    own_words: QuoteRecord | None = None  # a quotation of a person the question names

    @property
    def key(self) -> tuple[str, int]:
        return (self.passage.passage.statement_id, self.passage.passage.start + self.start)

    @property
    def text(self) -> str:
        return self.passage.passage.text[self.start : self.end]


def _own_words(sentence: _Sentence, question: Question) -> QuoteRecord | None:
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
    if speaker and same_person(speaker, question.speakers) and first_person(p.text):
        # A speech, or a turn of a transcript: the speaker's own words (after the turn's label).
        label = _TURN_LABEL.match(p.text, sentence.start)
        skip = label.end() - sentence.start if label else 0
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


def _voice(p: Passage, at: int) -> str | None:
    """Who speaks at offset `at` of the passage: the one speaker of a speech, or in a
    transcript the turn label last before it (the passage's first speaker if none is)."""
    speakers = list(dict.fromkeys(n for n in (*p.speakers, p.speaker) if n))
    if len(speakers) <= 1:
        return speakers[0] if speakers else None
    labels = [m for m in _TURN_LABEL.finditer(p.text) if m.start() <= at]
    if not labels:
        return speakers[0]
    label = " ".join(labels[-1].group("label").split())
    return next((n for n in speakers if same_person(label, [n])), label)


def _sentences(passages: Sequence[ScoredPassage]) -> list[_Sentence]:
    seen: set[tuple[str, int]] = set()
    found: list[_Sentence] = []
    for scored in passages:
        text = scored.passage.text
        # The title says what every sentence is about ("... Call with Chancellor Merkel of
        # Germany"), so its words count for each sentence.
        context = content_terms(scored.passage.title or "").keys()
        for position, span in enumerate(split_sentences(text)):
            if scored.passage.instruction_at(span.start, span.end):
                continue  # an instruction to a model, planted in a statement: never quoted
            terms = frozenset(content_terms(text[span.start : span.end]).keys() | context)
            sentence = _Sentence(scored, span.start, span.end, terms, position)
            if sentence.key not in seen:
                seen.add(sentence.key)
                found.append(sentence)
    return found


class ExtractiveAnswerer:
    name = NAME
    instructions = ""

    def __init__(self, max_sentences: int = 4, per_statement: int = 2, min_words: int = 4) -> None:
        self._max_sentences = max_sentences
        self._per_statement = per_statement
        self._min_words = min_words

    def _pick(self, ranked: list[_Sentence]) -> list[_Sentence]:
        """Best sentences, spread over statements: one from each first, then a second."""
        chosen: list[_Sentence] = []
        taken: dict[str, int] = {}
        for allowed in range(1, self._per_statement + 1):
            for s in ranked:
                sid = s.passage.passage.statement_id
                if len(chosen) == self._max_sentences:
                    return chosen
                if s not in chosen and taken.get(sid, 0) < allowed:
                    chosen.append(s)
                    taken[sid] = taken.get(sid, 0) + 1
        return chosen

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
        topic_words = (
            content_terms(question.topic)
            if question.topic is not None
            else topic_terms(question.text, speakers)
        )
        wants_number = bool(_ASKS_FOR_A_NUMBER.search(question.text))
        question_terms = set(content_terms(question.text))
        sentences = [
            replace(s, own_words=_own_words(s, question))
            for s in _sentences(passages)
            if len(s.text.split()) >= self._min_words
        ]
        if not sentences:
            return refusal(NAME, "The passages found contain no full sentences to quote.")

        weights = _rarity(sentences, set(topic_words) | question_terms)
        topic_weight = sum(weights[t] for t in topic_words) or 1.0
        question_weight = sum(weights[t] for t in question_terms) or 1.0

        def score(s: _Sentence) -> float:
            on_topic = sum(weights[t] for t in topic_words if t in s.terms) / topic_weight
            on_question = sum(weights[t] for t in question_terms if t in s.terms) / question_weight
            brevity = min(1.0, len(s.text.split()) / 12)
            number = 0.5 if wants_number and _NUMBER.search(s.text) else 0.0
            # Without a topic ("what did X and Y discuss?") the opening sentences say most.
            lead = 0.0 if topic_words else -0.02 * s.position
            own = OWN_WORDS_BONUS if s.own_words else 0.0
            return s.passage.score + (on_topic + 0.3 * on_question + number) * brevity + lead + own

        ranked = sorted(sentences, key=score, reverse=True)
        if topic_words:
            ranked = [s for s in ranked if s.terms & topic_words.keys()]
            if not ranked:
                missing = ", ".join(sorted(topic_words.values()))
                return refusal(NAME, f"No passage found mentions {missing}.")
        best = score(ranked[0])
        chosen = self._pick([s for s in ranked if score(s) >= 0.6 * best])
        citations = tuple(
            ProposedCitation(marker=i, passage_id=s.passage.passage.id, quote=_cited(s))
            for i, s in enumerate(chosen, start=1)
        )
        sources = len({s.passage.passage.statement_id for s in chosen})
        lead = "From 1 statement:" if sources == 1 else f"From {sources} statements:"
        lines = [
            f"- {_label(s, question)}“{' '.join(_cited(s).split())}” [{i}]"
            for i, s in enumerate(chosen, start=1)
        ]
        text = "\n".join([lead, *lines])
        return Draft(text=text, citations=citations, answerable=True, answerer=NAME)

    def answer_again(
        self,
        question: Question,
        passages: Sequence[ScoredPassage],
        problems: Sequence[str],
        on_text: TextListener | None = None,
    ) -> Draft:
        """Quotes are checked by construction; a second try would give the same answer."""
        return self.answer(question, passages)


def _cited(sentence: _Sentence) -> str:
    """The words to quote: the person's own words where the sentence holds them."""
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
    if not question.speakers:
        return ""
    if sentence.own_words is not None:
        return f"{sentence.own_words.speaker}, in their own words: "
    return "Reported: "


def _rarity(sentences: Sequence[_Sentence], terms: set[str]) -> dict[str, float]:
    """Inverse document frequency of each term among the candidate sentences."""
    n = len(sentences)
    return {t: math.log(1 + n / (1 + sum(1 for s in sentences if t in s.terms))) for t in terms}
