"""Writing the index: one document per listed activity, with its provider's details."""

from __future__ import annotations

import gc
import os
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from whoosh.codec.base import FieldWriter, PerDocumentWriter
from whoosh.fields import Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from entries import Activity, Directory, Provider
from entries.atomic import staging_folder, swap_into_place
from entries.formatting import labelled
from entries.summary import for_index
from search.fields import schema, word_pairs
from search.spelling import Vocabulary

DUE_FOR_REVIEW_BOOST = 0.8  # ranks below an equally relevant, freshly confirmed activity
LOCK = "MAIN_WRITELOCK"  # Whoosh's lock file: each index folder has its own
# Whoosh sorts a segment's postings in memory up to its limit, then on disk, and merges
# them in Python: beyond a few thousand documents, several segments are written faster
# than one (at 20,000, a third faster), and a search reads them all the same.
SEGMENT_DOCUMENTS = 2_000


def build_index(directory: Directory, path: Path) -> int:
    """Index every listed activity into ``path``, replacing any index there in one step.

    Returns the number of activities indexed.
    """
    staging = staging_folder(path)
    try:
        count = write_index(directory, staging)
        swap_into_place(staging, path.resolve())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def write_index(directory: Directory, folder: Path) -> int:
    """Write an index of every listed activity into the empty ``folder``, in segments of
    :data:`SEGMENT_DOCUMENTS` (A to Z, so their documents' numbers are in that order)."""
    ix = _storage(folder).create_index(schema())
    activities = directory.listed_activities()
    words = Vocabulary()
    for start in range(0, len(activities), SEGMENT_DOCUMENTS):
        writer = _remembering_lengths(ix.writer(limitmb=128))
        writer.pool = _Postings(writer.fieldwriter)
        for activity in activities[start : start + SEGMENT_DOCUMENTS]:
            writer.add_document(**_document(directory, activity, words))
        writer.commit(merge=False)
        # A committed writer holds its postings in reference cycles that Python's own
        # collections reach too late: at 20,000 documents, 110 MB more for each segment.
        gc.collect()
    words.write(folder)
    return len(activities)


def update_index(
    directory: Directory,
    folder: Path,
    published: Path,
    gone: Iterable[str],
    providers: Iterable[Provider],
) -> int:
    """Make in the empty ``folder`` the ``published`` index less the documents whose keys
    are ``gone``, plus those of ``providers``: only what changed is indexed again.

    The published index's files are linked, never changed: Whoosh writes a new segment and
    a new table of contents beside them. Returns the number of documents added.
    """
    for name in os.listdir(published):
        if name.startswith(("MAIN_", "_MAIN_")) and name != LOCK:
            os.link(published / name, folder / name)
    writer = _remembering_lengths(_storage(folder).open_index().writer(limitmb=128))
    for key in gone:
        writer.delete_by_term("key", key)
    # As in the index, the words of the activities taken out still count, until a full
    # build: only the new activities' words are counted, not all again.
    words = Vocabulary.read(published)
    added = 0
    for provider in providers:
        for activity in provider.listed_activities:
            writer.add_document(**_document(directory, activity, words))
            added += 1
    writer.commit(optimize=False)
    words.write(folder)
    return added


def _storage(folder: Path) -> FileStorage:
    """The index folder, for writing: without memory-mapping the segments Whoosh reads
    back as it commits, which held more memory than the writing (as fast either way)."""
    return FileStorage(str(folder), supports_mmap=False)


def _remembering_lengths(writer: SegmentWriter) -> SegmentWriter:
    """``writer``, keeping each document's field lengths as it stores them.

    When it commits, Whoosh asks for the length of the field of every posting, each a
    look-up (a seek and a read, or a file's ``stat``) in the segment just written: a
    fifth of the time indexing took. The lengths are the ones it has just stored.
    """
    perdoc = writer.perdocwriter
    lengths = _Lengths(perdoc)
    add_field = perdoc.add_field

    def remembering(fieldname: str, field: object, value: object, length: int) -> None:
        if length:
            lengths.add(fieldname, length)
        add_field(fieldname, field, value, length)

    perdoc.add_field = remembering  # type: ignore[method-assign]
    writer.per_document_reader = lambda: lengths  # type: ignore[method-assign]
    return writer


class _Postings:
    """Whoosh's pool of postings for a new segment that only gets new documents, in order:
    each term's postings kept together as they come, so only the terms need sorting when
    it is written, not every posting (Whoosh sorts them all, and measures each as it
    comes in, so as to sort on disk beyond its limit: a segment's postings fit in memory).
    They are handed to the segment's ``fieldwriter`` a term at a time, not as a stream of
    postings it would go through one by one to find where each term starts.
    """

    def __init__(self, fieldwriter: FieldWriter) -> None:
        self._terms: defaultdict[tuple[str, bytes], list[tuple[int, float, bytes]]] = defaultdict(
            list
        )
        fieldwriter.add_postings = self._write  # type: ignore[method-assign]
        self._fieldwriter = fieldwriter

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        fieldname, text, docnum, weight, value = item
        self._terms[(fieldname, text)].append((docnum, weight, value))

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        return iter(())  # what Whoosh would write: :meth:`_write` writes it instead

    def _write(self, schema: Schema, lengths: _Lengths, _postings: object) -> None:
        writer, current = self._fieldwriter, None
        for fieldname, text in sorted(self._terms):
            if fieldname != current:
                if current is not None:
                    writer.finish_field()
                writer.start_field(fieldname, schema[fieldname])
                current, length = fieldname, lengths.of_field(fieldname)
            writer.start_term(text)
            for docnum, weight, value in self._terms[(fieldname, text)]:
                writer.add(docnum, weight, value, length(docnum))
            writer.finish_term()
        if current is not None:
            writer.finish_field()

    def cleanup(self) -> None:
        self._terms.clear()


class _Lengths:
    """A segment's field lengths, as its reader would give them: stored as a byte, so
    rounded as Whoosh rounds them; ``None`` for a document without one in a field others
    have; ``default`` for a field none has."""

    def __init__(self, perdoc: PerDocumentWriter) -> None:
        self._perdoc = perdoc
        self._known: defaultdict[str, dict[int, int]] = defaultdict(dict)

    def add(self, fieldname: str, length: int) -> None:
        self._known[fieldname][self._perdoc._docnum] = byte_to_length(length_to_byte(length))

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        if fieldname not in self._known:
            return default
        return self._known[fieldname].get(docnum)

    def of_field(self, fieldname: str) -> Callable[[int], int | None]:
        """Each document's length in ``fieldname``, as :meth:`doc_field_length` gives it."""
        if fieldname not in self._known:
            return lambda _docnum: 0
        return self._known[fieldname].get

    def close(self) -> None:
        pass


def _document(directory: Directory, activity: Activity, words: Vocabulary) -> dict[str, object]:
    """The activity's fields in the index; its words as written counted in ``words``."""
    provider, site = activity.provider, directory.site
    details = activity.details_text
    domain_titles = [directory.domains[d].title for d in activity.domains]
    venue = activity.venue
    place = [site.locality_name(activity.locality)]
    if venue:
        place += [venue.name, venue.address, venue.postcode, venue.postcode.split(" ")[0]]
    tags = [
        *domain_titles,
        activity.when,
        activity.who_for,
        *labelled([activity.cost], "cost"),
        *labelled([activity.how_to_join], "how_to_join"),
        *labelled(activity.delivery, "delivery"),
        *labelled(activity.accessibility, "accessibility"),
        *labelled(activity.suitable_for, "suitable_for"),
        *activity.languages,
    ]
    due = provider.is_due_for_review
    spelling = [activity.name, activity.summary, details, provider.name, *place, *domain_titles]
    words.add(" ".join(spelling), DUE_FOR_REVIEW_BOOST if due else 1.0)
    return {
        "key": f"{provider.slug}/{activity.slug}",
        "provider": provider.slug,
        "activity": activity.slug,
        "name": activity.name,
        "summary": activity.summary,
        "details": details,
        "name_text": activity.name,
        "org_text": provider.name,
        "summary_text": activity.summary,
        "body": " ".join([details, provider.about, *place, *tags]),
        "pairs": " ".join(
            pair
            for text in (activity.name, provider.name, activity.summary, details)
            for pair in word_pairs(text)
        ),
        "domains": ",".join(activity.domains),
        "locality": activity.locality,
        "locality_name": site.locality_name(activity.locality),
        "point": _point(activity),
        "cost": activity.cost,
        "join": activity.how_to_join,
        "days": ",".join(activity.days),
        "delivery": ",".join(activity.delivery),
        "accessibility": ",".join(activity.accessibility),
        "languages": ",".join(activity.languages),
        "item": for_index(activity, site),
        "last_confirmed": provider.last_confirmed.isoformat(),
        "_boost": DUE_FOR_REVIEW_BOOST if due else 1.0,
    }


def _point(activity: Activity) -> tuple[float, float] | None:
    point = activity.venue.point if activity.venue else None
    return (point.lat, point.lon) if point else None
