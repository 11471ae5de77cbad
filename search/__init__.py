"""Search over the directory's activities. The only package that imports Whoosh.

Everything else uses this small interface:

- :func:`build_index` writes an index of every listed activity into a folder;
  :func:`update_index` copies one with only the changed providers' documents redone;
- :class:`SearchIndex` opens one and answers :meth:`SearchIndex.search` with ranked
  results, facet counts, a "did you mean" suggestion and highlighted snippets;
- :class:`Filters` holds the filters a link worker can combine.
"""

from search.facets import FACETS, Filters
from search.indexing import build_index, update_index, write_index
from search.querying import Result, SearchIndex, SearchResults

__all__ = [
    "FACETS",
    "Filters",
    "Result",
    "SearchIndex",
    "SearchResults",
    "build_index",
    "update_index",
    "write_index",
]
