"""Who said what: names, speakers, attribution, transcript turns and quotations.

The one public surface of the package; its modules are private to it:
- names (rag.people.names): person names and roles as official texts write them;
- statement_people, attribution, turns: a statement's speakers, a passage's, a turn's;
- quote_marks, quote_cues, quotes: direct quotations and who is quoted;
- mentions, speaker_index, speakers: matching a name a user writes to stored speakers;
- countries, offices, roster: countries and offices as speakers; who held which office when;
- quote_search, voice: quotations by speaker and topic; first-person speech.
"""

from rag.people.attribution import Attribution, attribute, attributed_speakers
from rag.people.countries import (
    CountryMention,
    country_code,
    country_name,
    find_countries,
    statement_country,
)
from rag.people.mentions import AliasIndex, SpeakerMention, find_speakers, transliterated
from rag.people.names import clean_name, plausible_person
from rag.people.offices import OfficeMention, find_offices, office_key, same_office
from rag.people.quote_search import search_quotes
from rag.people.quotes import MIN_WORDS, Quote, find_quotes
from rag.people.roster import Holder, Roster
from rag.people.speaker_index import SpeakerEntry, SpeakerIndex, distinctive_tokens
from rag.people.speakers import name_tokens, resolve_speakers, same_person
from rag.people.statement_people import title_speakers
from rag.people.turns import Turn, find_turns, voice_at
from rag.people.voice import first_person

__all__ = [
    "MIN_WORDS",
    "AliasIndex",
    "Attribution",
    "CountryMention",
    "Holder",
    "OfficeMention",
    "Quote",
    "Roster",
    "SpeakerEntry",
    "SpeakerIndex",
    "SpeakerMention",
    "Turn",
    "attribute",
    "attributed_speakers",
    "clean_name",
    "country_code",
    "country_name",
    "distinctive_tokens",
    "find_countries",
    "find_offices",
    "find_quotes",
    "find_speakers",
    "find_turns",
    "first_person",
    "name_tokens",
    "office_key",
    "plausible_person",
    "resolve_speakers",
    "same_office",
    "same_person",
    "search_quotes",
    "statement_country",
    "title_speakers",
    "transliterated",
    "voice_at",
]
