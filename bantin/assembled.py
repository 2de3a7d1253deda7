"""Assembled articles kept on disk, for the next command-line build.

Every build used to prepare all 19,000 bodies of a large archive again (shortcodes,
images, the body cache's HTML) and hash every article again for its pages' fingerprints,
though an edit changes one file: five of a one-edit rebuild's seven seconds. The dev
server keeps these objects in memory (warm.py); a command-line build starts a new
process, so it keeps them here instead: each article as it was assembled, with its
fingerprint and its card's, under the hash of everything it was made from (the file's
text, the "world" of warm.world_digest, whether its original changed, the engine's own
source). A stored article's images are asked for again and must come back the same; its
body stays in a table of its own until a page shows it (model.KeptArticle), so a rebuild
after one edit holds a few bodies in memory, not 19,000.

Only articles that came out without any message are kept, so mistakes are always reported
afresh. The rows are JSON in the cache's SQLite file (cache.py): data, never pickles, and a
value the encoding cannot give back exactly is not stored at all.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from sys import intern
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from .assemble import data_unchanged
from .cache import CACHE_DIR, KeyValueTable, digest
from .content import ArticleSource
from .diagnostics import BuildAborted, Location
from .fingerprint import Fingerprinter
from .heap import give_back_freed_memory
from .images import ImageAsset, ImageProcessor
from .model import ARTICLE_FIELDS, Article, ArticleCard, KeptArticle, Site, Term, body_utf8, read_body_when_asked
from .shortcodes import DataDigests
from .state import ENGINE

ROWS_AT_ONCE = 500  # SQLite takes at most 999 parameters in a query


@lru_cache(maxsize=1)
def engine_digest() -> str:
    """The engine's own source: a stored fingerprint is only as good as the code that made it."""
    files = sorted(ENGINE.glob("*.py"))
    return digest(*(part for file in files for part in (file.name, file.read_bytes())))


class CacheChanged(BuildAborted):
    """A kept body is gone from the cache in the middle of a build."""


class StoredBody:
    """An article's body, read from the cache's table each time a page asks for it. Sent to
    another process (page_work.py's workers not forked from this one), it reads the same table
    there, or is the text itself when the table has no file (tests)."""

    __slots__ = ("bodies", "key")

    def __init__(self, bodies: KeyValueTable, key: str):
        self.bodies = bodies
        self.key = key

    def __call__(self) -> str:
        found = self.bodies.get_many([self.key])
        if self.key not in found:  # another build of the same site dropped it meanwhile
            raise CacheChanged(Location(CACHE_DIR), "the build cache changed while this build ran (another"
                               " build of this site?); build again")
        return found[self.key]

    def __reduce__(self):
        if self.bodies.path is None:
            return str, (self(),)
        return _stored_body_in, (str(self.bodies.path), self.bodies.table, self.key)


_TABLES_READ: dict[tuple[str, str], KeyValueTable] = {}  # (file, table) -> the table, in a process sent bodies


def _stored_body_in(path: str, table: str, key: str) -> StoredBody:
    """A ``StoredBody`` sent from another process: the same table, opened here once."""
    if (path, table) not in _TABLES_READ:
        _TABLES_READ[path, table] = KeyValueTable(Path(path), table)
    return StoredBody(_TABLES_READ[path, table], key)


class AssembledArticles:
    """What ``assemble`` asks of kept articles (the same questions as warm.WarmModel's), from
    the ``articles`` table; ``seed`` then holds the fingerprints of those it gave back."""

    def __init__(self, table: KeyValueTable, bodies: KeyValueTable):
        self.table = table
        self.bodies = bodies  # each kept article's body, by the same key, read when a page shows it
        self.rows: dict[str, str] = {}  # rows read and not yet asked for (see expect)
        self._expected: list[str] = []
        self._read_up_to = 0
        self._keys: dict[tuple[int, str, str | None], str] = {}
        self.seed: dict[int, tuple[Any, str]] = {}  # Fingerprinter memo entries (fingerprint.py)
        self.data_used: dict[int, dict[str, str]] = {}  # by article given back: the data folders it read
        # (key, article, body key, data folders used) of each article assembled this build, not yet stored
        self._made: list[tuple[str, Article, str, dict[str, str]]] = []
        self.codec = ArticleCodec()
        self._hashing: Fingerprinter | None = None  # see store_as_made
        # id of a card -> the key of its article's row, for the articles given back or made (their
        # rows are written before any page is rendered): how a list page's record names its cards (listing.py)
        self.row_of_card: dict[int, str] = {}

    def store_as_made(self) -> None:
        """From now on each article assembled is stored a few hundred at a time as they come, with
        its fingerprint and its card's (hashed here, then handed to the pages' ``Fingerprinter`` by
        ``seed``), and its body let go: a clean build does it while the Markdown workers are busy,
        instead of on one core between the Markdown and the pages (2 s at 10,000 pairs).
        ``finish_storing`` stores the rest and drops the rows no article used."""
        self._hashing = Fingerprinter()

    @staticmethod
    def key(source: ArticleSource, world: str, stale_original: str | None) -> str:
        return digest(engine_digest(), world, source.rel, source.text_key, stale_original or "")

    def expect(self, sources: list[ArticleSource], world: str, stale: dict[tuple[str, str], str]) -> None:
        """The articles about to be asked for, in order: their rows are read a few hundred at a time
        as the questions come (only these rows: after a template edit none match, and the whole
        table is tens of MB of text), each let go once decoded."""
        self._expected = [self.key(source, world, stale.get((source.base, source.lang))) for source in sources]
        self._read_up_to = 0
        # Each source's key as computed here, for ``article`` (the sources live as long as the build).
        self._keys = {(id(source), world, stale.get((source.base, source.lang))): key
                      for source, key in zip(sources, self._expected)}

    def _row(self, key: str) -> str | None:
        while key not in self.rows and self._read_up_to < len(self._expected):
            chunk = self._expected[self._read_up_to : self._read_up_to + ROWS_AT_ONCE]
            self._read_up_to += ROWS_AT_ONCE
            self.rows.update(self.table.get_many(chunk))
        return self.rows.pop(key, None)  # one article per key: its text is let go once decoded

    def article(self, source: ArticleSource, world: str, stale_original: str | None,
                images: ImageProcessor, data: DataDigests) -> tuple[Article, str] | None:
        """(the article kept for this very text in this world, made from the same data folders as
        they are now, its body key), or None."""
        key = self._keys.get((id(source), world, stale_original)) or self.key(source, world, stale_original)
        row = self._row(key)
        if row is None:
            return None
        meta, text = row.split("\n", 1)
        facts = json.loads(meta)
        if not data_unchanged(facts.get("data"), data):
            return None  # a data file it shows changed (or a row from before data were recorded)
        article = self.codec.decode(json.loads(text), StoredBody(self.bodies, key), images)
        if article is None:  # an image changed
            return None
        self.table.mark_used(key)
        self.bodies.mark_used(key)
        self.seed[id(article)] = (article, facts["fingerprint"])
        self.data_used[id(article)] = facts.get("data") or {}
        card = article.card
        self.row_of_card[id(card)] = key
        if facts["card"] is not None:
            self.seed[id(card)] = (card, facts["card"])
        return article, facts["body_key"]

    def keep_article(self, source: ArticleSource, world: str, article: Article, body_key: str,
                     data_used: dict[str, str]) -> None:
        key = self.key(source, world, article.stale_original)
        self._made.append((key, article, body_key, data_used))
        self.row_of_card[id(article.card)] = key
        if self._hashing is not None:
            card = article.card
            self.seed[id(article)] = (article, self._hashing.of(article))
            self.seed[id(card)] = (card, self._hashing.of(card))
            if len(self._made) >= ROWS_AT_ONCE:
                self._store(self.seed, let_go=True)

    def forget_articles_except(self, rels: set[str]) -> None:
        """Nothing to forget: rows no build used are dropped when the table is saved."""

    def last_site(self, world: str) -> None:
        """A command-line build makes its site afresh (sorting is quick next to reading the articles)."""
        return None

    def keep_site(self, world: str, articles: list[Article], site: Site) -> None:
        """Nothing kept between processes (see ``last_site``)."""

    def save(self, fingerprints: dict[int, tuple[Any, str]], replaced: tuple[str, ...] | None = None) -> None:
        """Store the articles assembled this build with the fingerprints the pages gave them (an
        article no page showed has none, and is not kept); drop the rows no article used, or, for a
        build that saw part of the site (quick.py), only the ``replaced`` ones."""
        self._store(fingerprints, let_go=False)
        self._prune(replaced)

    def finish_storing(self) -> None:
        """After ``store_as_made``: store the articles not stored yet, with the fingerprints hashed
        as each was made (the pages' hashing is seeded with them), let their bodies go (each is
        read from the cache from now on, when a page asks for it), and drop the rows no article used."""
        self._store(self.seed, let_go=True)
        self._hashing = None  # (its memo: the articles' images and the like)
        self._prune(None)

    def _prune(self, replaced: tuple[str, ...] | None) -> None:
        for table in (self.table, self.bodies):
            if replaced is None:
                table.keep_only_used()
            else:
                table.flush(replaced)

    def _store(self, fingerprints: dict[int, tuple[Any, str]], let_go: bool) -> None:
        """Write the rows of the articles made and not yet stored."""
        bodies: list[tuple[str, bytes]] = []  # the articles' own bytes
        stored: list[tuple[str, Article]] = []

        def rows():  # each article's JSON text dropped once written (a large archive's are 60 MB)
            for key, row, body, article in self._rows(fingerprints):
                bodies.append((key, body))
                stored.append((key, article))
                yield key, row

        self.table.put_stream(rows())
        self.bodies.put_stream(bodies)
        bodies.clear()
        if let_go:
            for key, article in stored:
                read_body_when_asked(article, StoredBody(self.bodies, key))
            give_back_freed_memory()  # (500 bodies: about 10 ms a time)
        self._made.clear()

    def previous(self, source: ArticleSource, text_key: str, world: str, languages: tuple[str, ...],
                 images: ImageProcessor) -> tuple[str, KeptArticle] | None:
        """(key, article) of the row kept for ``source`` when its text had the hash ``text_key``, in
        this world, whether or not its original was then stale (in any of ``languages``): there is
        at most one, the one the last build used (full builds drop the others, quick.py replaces)."""
        for stale in (None, *languages):
            key = digest(engine_digest(), world, source.rel, text_key, stale or "")
            row = self.table.get_many([key]).get(key)
            if row is not None:
                meta, text = row.split("\n", 1)
                article = self.codec.decode(json.loads(text), StoredBody(self.bodies, key), images)
                if article is None:
                    return None
                self.seed[id(article)] = (article, json.loads(meta)["fingerprint"])  # as ``article`` does
                return key, article
        return None

    def cards(self, keys: Iterable[str], images: ImageProcessor) -> dict[str, ArticleCard]:
        """key -> the card of the article kept under it, for the keys whose article is there as it was
        (its cover the same)."""
        found = {}
        for key, row in self.table.get_many(keys).items():
            meta, text = row.split("\n", 1)
            card = self.codec.decode_card(json.loads(text), images)
            if card is not None:
                found[key] = card
                self.row_of_card[id(card)] = key
                fingerprint = json.loads(meta)["card"]
                if fingerprint is not None:  # (as ``article`` does: a new article's news pages show 10,000 cards)
                    self.seed[id(card)] = (card, fingerprint)
        return found

    def _rows(self, fingerprints: dict[int, tuple[Any, str]]):
        for key, article, body_key, data_used in self._made:
            entry = fingerprints.get(id(article))
            if entry is None or entry[0] is not article:
                continue
            card = article.__dict__.get("card")  # a cached property, made when a list showed it
            card_entry = fingerprints.get(id(card)) if card is not None else None
            encoded = self.codec.encode(article)
            if encoded is None:
                continue
            # Two JSON texts on a line each (JSON never has a raw line break): the row's facts, then
            # the article but its body, which has a table of its own.
            yield key, json.dumps({
                "fingerprint": entry[1], "body_key": body_key, "data": data_used,
                "card": card_entry[1] if card_entry is not None and card_entry[0] is card else None,
            }) + "\n" + encoded, body_utf8(article), article


# --- the codec: JSON values that give back an equal article, or nothing ---

_ENCODED_FIELDS = tuple(name for name in ARTICLE_FIELDS if name != "body_html")


class ArticleCodec:
    """An article as JSON values. Its images are stored as the file and the name the editor
    wrote, with a hash of the published asset: decoding asks the image processor for them
    again (so a changed image file is noticed, and an image many articles show stays one
    object), and gives up when one of them is not what it was."""

    def __init__(self):
        self._asset_checks: dict[int, tuple[ImageAsset, str]] = {}  # id -> (asset, its hash)
        self._paths: dict[str, Path] = {}
        self._terms: dict[tuple[str, str], Term] = {}

    def encode(self, article: Article) -> str | None:
        """The article but its body as JSON text (the body has a table of its own); None when
        decoding would not give back the very same values (a date in a time zone without a
        name, a field of an unexpected type)."""
        try:
            encoded = {name: getattr(article, name) for name in _ENCODED_FIELDS}
            encoded["published"] = _encode_moment(article.published)
            encoded["updated"] = _encode_moment(article.updated) if article.updated else None
            encoded["authors"] = [[term.slug, term.name] for term in article.authors]
            encoded["tags"] = [[term.slug, term.name] for term in article.tags]
            encoded["events"] = list(article.events)
            encoded["images"] = [self._encode_image(image) for image in article.images]
            # The cover is most often one of the images (the same object): kept as its position.
            cover = article.cover
            index = next((i for i, image in enumerate(article.images) if image is cover), None)
            encoded["cover"] = index if index is not None else self._encode_image(cover) if cover else None
            text = json.dumps(encoded, ensure_ascii=False)
        except TypeError:
            return None
        own = {(asset.source, asset.name): asset for asset in article.images + (article.cover,) if asset}
        values = self._decode_values(json.loads(text), lambda path, name: (own[path, name], None))
        # Compared field by field as the dataclass's == would (the body is the same object), without
        # making the article: that would decode its body and encode it again (1 s at 10,000 pairs).
        if values is None or type(article) is not Article or any(
                values[name] != getattr(article, name) for name in _ENCODED_FIELDS):
            return None
        if any(repr(values[name]) != repr(getattr(article, name))
               for name in ("published", "updated", "events", "authors", "tags")):
            return None
        return text

    def decode(self, encoded: dict, read_body: Callable[[], str], images: ImageProcessor) -> KeptArticle | None:
        """The article, its body read by ``read_body`` when a page asks for it; None when one of
        its images is not what it was."""
        values = self._decode_values(encoded, images.asset)
        return KeptArticle.from_values(values, read_body) if values is not None else None

    def decode_card(self, encoded: dict, images: ImageProcessor) -> ArticleCard | None:
        """The card of the article ``decode`` would give (``Article.card``), without making the
        article: a new article's news pages read back 10,000 cards of a large archive, whose
        bodies, figures and events no list shows (a third of the time of reading them). None when
        its cover is not what it was; its other images are its own page's (the full decode's)."""
        cover = encoded["cover"]
        if type(cover) is int:
            cover = encoded["images"][cover]
        asset = self._decode_image(cover, images.asset) if cover else None
        if cover and asset is None:
            return None
        return ArticleCard(
            base=encoded["base"], title=encoded["title"], slug=encoded["slug"], url=encoded["url"],
            dateline=encoded["dateline"], summary=encoded["summary"], cover=asset, cover_alt=encoded["cover_alt"],
            **self._decoded_shared(encoded))

    def _decode_values(self, encoded: dict,
                       images: Callable[[Path, str], tuple[ImageAsset | None, str | None]]) -> dict | None:
        """Every field but the body."""
        # Keyed by the fields' own names, not by the decoded ones: each ``json.loads`` makes its
        # keys anew, and a kept article holds its dict for the build (437,000 key strings, 25 MB
        # at 10,000 pairs, for 23 names); one string per language too.
        values = {name: encoded[name] for name in _ENCODED_FIELDS}
        values.update(self._decoded_shared(encoded))
        values["events"] = tuple(encoded["events"])
        found = [self._decode_image(image, images) for image in encoded["images"]]
        if None in found:
            return None
        values["images"] = tuple(found)
        cover = encoded["cover"]
        values["cover"] = (values["images"][cover] if type(cover) is int
                           else self._decode_image(cover, images) if cover else None)
        if cover and values["cover"] is None:
            return None
        return values

    def _decoded_shared(self, encoded: dict) -> dict:
        """The fields an article and its card have that JSON does not give back as they are: the
        language (one string), the moments, the terms."""
        return {"lang": intern(encoded["lang"]), "published": _decode_moment(encoded["published"]),
                "updated": _decode_moment(encoded["updated"]) if encoded["updated"] else None,
                "authors": tuple(self._term(slug, name) for slug, name in encoded["authors"]),
                "tags": tuple(self._term(slug, name) for slug, name in encoded["tags"])}

    def _term(self, slug: str, name: str) -> Term:
        """One object per tag or author, however many articles name it (as the memory of a build
        that made them all would not have it: a few hundred instead of 100,000)."""
        term = self._terms.get((slug, name))
        if term is None:
            term = self._terms[slug, name] = Term(slug, name)
        return term

    def _encode_image(self, asset: ImageAsset) -> list[str]:
        return [str(asset.source), asset.name, self._check(asset)]

    def _decode_image(self, encoded: list[str], images) -> ImageAsset | None:
        source, name, check = encoded
        path = self._paths.get(source)
        if path is None:
            path = self._paths[source] = Path(source)
        asset, problem = images(path, name)
        return asset if problem is None and self._check(asset) == check else None

    def _check(self, asset: ImageAsset) -> str:
        known = self._asset_checks.get(id(asset))
        if known is None or known[0] is not asset:
            known = self._asset_checks[id(asset)] = (asset, digest(repr(asset)))
        return known[1]


def _encode_moment(moment: dt.datetime) -> list:
    if type(moment) is not dt.datetime:
        raise TypeError(type(moment).__name__)
    zone = moment.tzinfo
    if zone is not None and not isinstance(zone, (ZoneInfo, dt.timezone)):
        raise TypeError(type(zone).__name__)
    return [moment.isoformat(), getattr(zone, "key", None)]


def _decode_moment(encoded: list) -> dt.datetime:
    moment = dt.datetime.fromisoformat(encoded[0])
    return moment.replace(tzinfo=ZoneInfo(encoded[1])) if encoded[1] else moment
