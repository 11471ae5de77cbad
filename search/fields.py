"""The Whoosh schema: what is indexed for each activity, and how text is analysed."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

STEMMED = StemmingAnalyzer()
# Whole words as written (lower-cased), for "did you mean" suggestions.
WORDS = StandardAnalyzer(stoplist=None, minsize=3)

# Text fields searched, with how much a match in each one counts.
TEXT_WEIGHTS = {
    "name": 4.0,
    "provider_name": 2.0,
    "summary": 2.0,
    "tags": 1.5,
    "place": 1.5,
    "details": 1.0,
    "about": 0.5,
}


def schema() -> fields.Schema:
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        provider=fields.STORED,
        activity=fields.STORED,
        name=fields.TEXT(analyzer=STEMMED, stored=True),
        summary=fields.TEXT(analyzer=STEMMED, stored=True),
        details=fields.TEXT(analyzer=STEMMED, stored=True),
        provider_name=fields.TEXT(analyzer=STEMMED, stored=True),
        about=fields.TEXT(analyzer=STEMMED),
        place=fields.TEXT(analyzer=STEMMED),
        tags=fields.TEXT(analyzer=STEMMED),
        spelling=fields.TEXT(analyzer=WORDS),
        domains=fields.KEYWORD(commas=True, stored=True),
        locality=fields.ID(stored=True),
        cost=fields.ID(stored=True),
        join=fields.ID(stored=True),
        days=fields.KEYWORD(commas=True, stored=True),
        delivery=fields.KEYWORD(commas=True, stored=True),
        accessibility=fields.KEYWORD(commas=True, stored=True),
        languages=fields.KEYWORD(commas=True, lowercase=True, stored=True),
        sort_name=fields.ID(sortable=True),
        when=fields.STORED,
        where=fields.STORED,
        last_confirmed=fields.STORED,
        due_for_review=fields.STORED,
    )
