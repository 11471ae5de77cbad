"""The Whoosh schema: what is indexed for each activity, and how text is analysed."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

STEMMED = StemmingAnalyzer()
# Whole words as written (lower-cased), for "did you mean" suggestions.
WORDS = StandardAnalyzer(stoplist=None, minsize=3)

# Text fields searched, with how much a match in each one counts. Two fields, not one per
# part of an entry: every field multiplies the terms a query has to merge, and Whoosh is
# pure Python.
TEXT_WEIGHTS = {
    "title": 3.0,  # the activity's and the provider's names
    "body": 1.0,  # what it is, details, about, topics, place, languages, access…
}


def schema() -> fields.Schema:
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        provider=fields.STORED,
        activity=fields.STORED,
        name=fields.STORED,
        provider_name=fields.STORED,
        summary=fields.STORED,
        details=fields.STORED,
        # No word positions: nothing searches phrases, and they double the index.
        title=fields.TEXT(analyzer=STEMMED, phrase=False),
        body=fields.TEXT(analyzer=STEMMED, phrase=False),
        spelling=fields.TEXT(analyzer=WORDS, phrase=False),
        domains=fields.KEYWORD(commas=True, stored=True),
        locality=fields.ID(stored=True),
        cost=fields.ID(stored=True),
        join=fields.ID(stored=True),
        days=fields.KEYWORD(commas=True),
        delivery=fields.KEYWORD(commas=True),
        accessibility=fields.KEYWORD(commas=True),
        languages=fields.KEYWORD(commas=True, lowercase=True, stored=True),
        sort_name=fields.ID(sortable=True),
        item=fields.STORED,  # the activity's summary (entries.summary), as JSON
        last_confirmed=fields.STORED,
    )
