"""Who said what: names, speakers, attribution, transcript turns and quotations.

The one public surface of the package; its modules are private to it:
- names (rag.people.names): person names and roles as official texts write them;
- statement_people, attribution, turns: a statement's speakers, a passage's, a turn's;
- quote_marks, quote_cues, quotes: direct quotations and who is quoted;
- mentions, speaker_index, speakers: matching a name a user writes to stored speakers;
- quote_search, voice: quotations by speaker and topic; first-person speech.
"""

from rag.people.attribution import Attribution, attribute, attributed_speakers
from rag.people.mentions import AliasIndex, SpeakerMention, find_speakers
from rag.people.names import clean_name
from rag.people.quote_search import search_quotes
from rag.people.quotes import MIN_WORDS, Quote, find_quotes
from rag.people.speaker_index import SpeakerEntry, SpeakerIndex, distinctive_tokens
from rag.people.speakers import name_tokens, resolve_speakers, same_person
from rag.people.statement_people import title_speakers
from rag.people.turns import Turn, find_turns
from rag.people.voice import first_person

__all__ = [
    "MIN_WORDS",
    "AliasIndex",
    "Attribution",
    "Quote",
    "SpeakerEntry",
    "SpeakerIndex",
    "SpeakerMention",
    "Turn",
    "attribute",
    "attributed_speakers",
    "clean_name",
    "distinctive_tokens",
    "find_quotes",
    "find_speakers",
    "find_turns",
    "first_person",
    "name_tokens",
    "resolve_speakers",
    "same_person",
    "search_quotes",
    "title_speakers",
]
