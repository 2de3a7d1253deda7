"""The pages that list articles by their cards (home, news lists, tag and author pages), kept
so that a rebuild after an edit to what a card shows renders them again without the rest
of the site (quick.py).

An edit to one article's summary changes a dozen pages of a large archive: its own, the
list pages its card is on, the feeds. Planning them the way a full build does needs every
article of the site (a tag page lists all of the tag's), five seconds at 10,000 pairs. So
each full build keeps, for each page that shows cards, the page as planned with each card
replaced by a reference to the stored article it comes from (assembled.py), under a hash
of the page's fingerprint and those references: a page's record is made once, whatever
build made the page, and read
back with the cards of the articles as they are now. A rebuild that stores an article anew
with the same card (a body edit; a translation whose original changed) rewrites the records
of the lists it does not render to name the article's new key (``renamed``).

The records are pickles in the cache's SQLite file, read back by an unpickler that makes
nothing but the engine's own records and a few standard values (``_ALLOWED``): data,
never code, like the rest of the cache.
"""

from __future__ import annotations

import base64
import copyreg
import dataclasses
import datetime as dt
import io
import pathlib
import pickle
import zoneinfo
from types import MappingProxyType
from typing import Callable, Iterable, Iterator, Mapping

import markupsafe

from .cache import KeyValueTable, digest
from .model import Article, ArticleCard

REF_BYTES = 8  # of an article's key, in a page's list of the cards it shows (state.py): for finding, not reading


class Unlisted(Exception):
    """A page's data holds what a record cannot refer to: a whole article, a card of an article
    that was not stored, a value that does not pickle."""


def _proxy(items: dict) -> MappingProxyType:
    return MappingProxyType(items)


def _zone(key: str) -> zoneinfo.ZoneInfo:
    """A time zone by its name (ZoneInfo's own pickling goes through ``getattr``, which the
    unpickler must not make: it reaches any attribute of what it is given)."""
    return zoneinfo.ZoneInfo(key)


# (module, name) the unpickler may make besides the engine's dataclasses: what page data hold.
_ALLOWED = {
    ("datetime", "datetime"): dt.datetime, ("datetime", "date"): dt.date, ("datetime", "timezone"): dt.timezone,
    ("datetime", "timedelta"): dt.timedelta, ("pathlib", "PosixPath"): pathlib.PosixPath,
    ("markupsafe", "Markup"): markupsafe.Markup, (__name__, "_proxy"): _proxy, (__name__, "_zone"): _zone,
}


def _card_ref(key: str) -> ArticleCard:
    """A card in a record: the card of the article stored under ``key``. Named here for the
    pickle's sake; ``_PageUnpickler`` gives the card itself in its place."""
    raise pickle.UnpicklingError("a card is read by the page unpickler only")


def _kinds(kind: type) -> list[type]:
    """``kind`` and its subclasses."""
    return [kind, *(sub for direct in kind.__subclasses__() for sub in _kinds(direct))]


class _PagePickler(pickle.Pickler):
    """A page's record: each card as a reference to its stored article (``_card_ref``), never a
    whole article. By a table of the few types that need it, which the C pickler looks up for
    each object: the ``persistent_id`` and ``reducer_override`` hooks this had before were two
    calls into Python for every object, and the sitemap's record of 10,000 pairs holds 400,000
    of them (0.18-0.27 s, now 0.08 s, on each edit that changes the sitemap)."""

    def __init__(self, file, row_of_card: Mapping[int, str]):
        super().__init__(file, protocol=5)
        self.row_of_card = row_of_card
        self.refs: list[str] = []
        self.dispatch_table = {**copyreg.dispatch_table, MappingProxyType: _reduce_proxy,
                               zoneinfo.ZoneInfo: _reduce_zone, ArticleCard: self._card,
                               **dict.fromkeys(_kinds(Article), _whole_article)}

    def _card(self, card: ArticleCard):
        key = self.row_of_card.get(id(card))
        if key is None:
            raise Unlisted("a card of an article not stored")
        return self._ref(key)

    def _ref(self, key: str):
        self.refs.append(key)  # (once per card: pickle writes a card met again as a reference to the first)
        return _card_ref, (key,)


def _reduce_proxy(value: MappingProxyType):
    return _proxy, (dict(value),)


def _reduce_zone(value: zoneinfo.ZoneInfo):
    # (a zone made from a file has no name: pickled as ZoneInfo pickles it, which decode refuses)
    return (_zone, (value.key,)) if value.key is not None else value.__reduce_ex__(5)


def _whole_article(value: Article):
    raise Unlisted("a whole article")


class _PageUnpickler(pickle.Unpickler):
    def __init__(self, file, card_of: Callable[[str], ArticleCard]):
        super().__init__(file)
        self.card_of = card_of

    def persistent_load(self, key):  # (a card in a record written before ``_card_ref``)
        return self.card_of(key)

    def find_class(self, module, name):
        if module == __name__ and name == "_card_ref":
            return self.card_of
        allowed = _ALLOWED.get((module, name))
        if allowed is not None:
            return allowed
        if module.startswith("bantin.") and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"a page record names {module}.{name}, which it may not")


def encode(page, row_of_card: Mapping[int, str]) -> tuple[bytes, list[str]]:
    """(the page's record, as ASCII bytes, the keys of the stored articles whose cards it shows, in
    order); raises Unlisted. (Bytes: the sitemap's record of 10,000 pairs is 3.6 MB, and each copy
    of it as text was a clean build's last peak of memory.)"""
    buffer = io.BytesIO()
    pickler = _PagePickler(buffer, row_of_card)
    try:
        pickler.dump(page)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:
        raise Unlisted(str(exc)) from exc
    return base64.b64encode(buffer.getbuffer()), pickler.refs


def decode(record: str, card_of: Callable[[str], ArticleCard]):
    """The page a record holds, each card given by ``card_of(key of its stored article)``; raises
    pickle.UnpicklingError (a record naming a type it may not), KeyError (a card not had)."""
    return _PageUnpickler(io.BytesIO(base64.b64decode(record)), card_of).load()


def short_refs(keys: Iterable[str]) -> str:
    """The keys of a page's cards, shortened, as one text (for finding the pages that show an article)."""
    return base64.b64encode(b"".join(bytes.fromhex(key[: 2 * REF_BYTES]) for key in keys)).decode("ascii")


def shows_at_most(line: str | None, count: int) -> bool:
    """Whether a recorded page (``record_pages``'s line; None: not recorded) shows at most ``count`` cards."""
    return line is not None and len(base64.b64decode(line.partition(" ")[2])) <= count * REF_BYTES


def _holds(held: bytes, wanted: bytes) -> bool:
    """Whether ``short_refs`` bytes ``held`` have the shortened key ``wanted`` (or a key that begins
    the same: rendering a page again that did not need it costs time, never correctness)."""
    at = held.find(wanted)
    while at >= 0:
        if at % REF_BYTES == 0:
            return True
        at = held.find(wanted, at + 1)
    return False


def record_pages(pages: dict[str, object], carded: dict[str, list[ArticleCard]], fingerprints: dict[str, str],
                 row_of_card: Mapping[int, str], table: KeyValueTable, prune: bool = True) -> dict[str, str] | None:
    """Keep a record of each page that shows cards (``carded``: path -> its cards, quick.page_contents)
    not kept already, and (``prune``: the build saw every page) drop the records of pages no longer
    made; the state's line of each page (``find``), or None when one could not be recorded (its
    fingerprint not known, a card of an article not stored, a whole article in its data)."""
    lines: dict[str, str] = {}
    keys: dict[str, tuple[str, list[str]]] = {}
    for path, cards in carded.items():
        fingerprint = fingerprints.get(path)
        refs = [row_of_card.get(id(card)) for card in cards]  # (none for an index of terms)
        if fingerprint is None or None in refs:
            return None
        # The page and the very rows its cards come from: a row replaced (an article assembled again,
        # its translation's state changed) makes a new record, though the page is the same.
        keys[path] = digest(fingerprint, *refs)[:32], refs
    kept = table.present(key for key, _ in keys.values())
    unlisted = False

    def new_records() -> Iterator[tuple[str, bytes]]:
        nonlocal unlisted
        for path, (key, refs) in keys.items():
            if key not in kept:
                try:
                    record, named = encode(pages[path], row_of_card)
                except Unlisted:
                    unlisted = True
                    return
                yield key, f"{' '.join(dict.fromkeys(named))}\n".encode("utf-8") + record

    # Written as they are made: a clean build's records (2,371 pages at 10,000 pairs, 24 MB), held
    # to the end, were most of its last peak of memory. (Those written before a page that could
    # not be recorded are only unused rows: the next full build drops them.)
    table.put_stream(new_records())
    if unlisted:
        return None
    for path, (key, refs) in keys.items():
        lines[path] = f"{key} {short_refs(refs)}"
    if prune:
        table.keep_only_used()
    else:
        table.flush()
    return lines


def find(lines: dict[str, str], keys: Iterable[str]) -> list[str]:
    """The paths of the recorded pages (``record_pages``'s lines) that may show the cards of the
    articles stored under ``keys``."""
    wanted = [bytes.fromhex(key[: 2 * REF_BYTES]) for key in keys]
    found = []
    for path, line in lines.items():
        held = base64.b64decode(line.partition(" ")[2])
        if any(_holds(held, one) for one in wanted):
            found.append(path)
    return found


def read_pages(lines: dict[str, str], paths: Iterable[str], table: KeyValueTable,
               cards_of: Callable[[set[str]], Mapping[str, ArticleCard]]) -> list | None:
    """The recorded pages at ``paths``, each card given by ``cards_of`` (the keys of their stored
    articles -> the cards now); None when a record or a card is missing, or a record names what it may not."""
    keys = {path: lines[path].partition(" ")[0] for path in paths}
    rows = table.get_many(keys.values())
    if not rows.keys() >= set(keys.values()):
        return None
    split = {key: row.split("\n", 1) for key, row in rows.items()}
    named = {ref for refs, _ in split.values() for ref in refs.split()}
    cards = cards_of(named)
    if not cards.keys() >= named:
        return None
    pages = []
    for path, key in keys.items():
        try:
            page = decode(split[key][1], cards.__getitem__)
        except (pickle.UnpicklingError, KeyError, ValueError, TypeError, AttributeError, EOFError):
            return None
        if getattr(page, "path", None) != path:
            return None
        pages.append(page)
    return pages


class _Named:
    """A card in a record being renamed: only the key of its stored article."""

    def __init__(self, key: str):
        self.key = key


class _RenamingPickler(_PagePickler):
    def __init__(self, file, renames: Mapping[str, str]):
        super().__init__(file, {})
        self.renames = renames
        self.dispatch_table[_Named] = self._named

    def _named(self, value: _Named):
        return self._ref(self.renames.get(value.key, value.key))


def renamed(lines: dict[str, str], table: KeyValueTable, renames: dict[str, str],
            keep: set[str]) -> dict[str, str] | None:
    """The lines of the recorded pages that name an article stored anew under another key (``renames``:
    old key -> new) though its card is the same (a body edit, a translation gone stale), their
    records rewritten to name the new keys; the pages of ``keep`` are left out (rendered and
    recorded again). None when a record cannot be read."""
    paths = [path for path in find(lines, renames) if path not in keep]
    keys = {path: lines[path].partition(" ")[0] for path in paths}
    rows = table.get_many(keys.values())
    changed = {}
    for path, key in keys.items():
        if key not in rows:
            return None
        try:
            page = decode(rows[key].split("\n", 1)[1], _Named)
        except (pickle.UnpicklingError, ValueError, TypeError, AttributeError, EOFError):
            return None
        buffer = io.BytesIO()
        pickler = _RenamingPickler(buffer, renames)
        pickler.dump(page)
        named = list(dict.fromkeys(pickler.refs))
        new_key = digest(key, *named)[:32]  # (a key of its own: the next full build records the page afresh)
        table.put(new_key, " ".join(named) + "\n" + base64.b64encode(buffer.getvalue()).decode("ascii"))
        changed[path] = f"{new_key} {_renamed_refs(lines[path].partition(' ')[2], renames)}"
    if changed:
        table.flush()
    return changed


def _renamed_refs(short: str, renames: dict[str, str]) -> str:
    held = base64.b64decode(short)
    swaps = {bytes.fromhex(old[: 2 * REF_BYTES]): bytes.fromhex(new[: 2 * REF_BYTES]) for old, new in renames.items()}
    parts = [held[at : at + REF_BYTES] for at in range(0, len(held), REF_BYTES)]
    return base64.b64encode(b"".join(swaps.get(part, part) for part in parts)).decode("ascii")
