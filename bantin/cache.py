"""The build cache: what an unchanged source or page would produce again, kept between builds.

Seven tables, keyed by content hashes so a stale entry can never be used (``sources`` by
path, its rows checked against each file's stamp):

- ``bodies`` (in ``cache.sqlite``, shared): Markdown source (after shortcodes become
  placeholders) -> sanitized HTML. Converting and sanitizing Markdown is most of a
  build's work.
- ``front_matter`` (in ``cache.sqlite``, shared): front-matter YAML text -> its checked
  fields and where each key stands (content.py). Only front matter that checked without a
  single message is kept, so every mistake is reported afresh on every build.
- ``articles`` and ``article_bodies`` (in ``cache.sqlite``, shared): assembled articles with
  their fingerprints, and their bodies, by the hash of everything each is made from
  (assembled.py).
- ``sources`` (in ``cache.sqlite``, shared): each article file's stamp and what was read
  from it, by its path (content.SourceRecords).
- ``made`` (in ``cache.sqlite``, shared): generated text files (the calendar's ``.ics``)
  by the hash of everything they are made from (``Planner.made_data``).
- ``outputs`` (``outputs/<key>.json``, one per output folder, so the preview and the
  published build each keep theirs): output path -> fingerprint of everything the page was
  rendered from (its data, its templates, the globals they read). A page whose fingerprint
  is unchanged is left as it is in the output folder.

``sections`` keeps a section's own record of what it last wrote into the output folder
(search: a hash per indexed page, so an unchanged index is left as it is).
``written`` lists every file the output folder held (a rebuild re-checks the links of
unchanged pages when one of them is gone) and ``copies`` the stamp of each copied file's
source (an in-place rebuild skips copies that are there).

The cache is JSON and SQLite, data only (never pickle: a cache restored in CI must not be
able to run code), in ``.bantin-cache/`` under the site folder; ``--clean`` ignores it.
Resized images are cached beside it, in ``.bantin-cache/images/`` (see images.py).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import secrets
import sqlite3
import struct
import weakref
from sys import intern
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import markdown
import nh3

from . import __version__

CACHE_DIR = ".bantin-cache"
DATABASE_FILE = "cache.sqlite"  # bodies and front matter, shared by every output folder
OUTPUTS_DIR = "outputs"  # one record per output folder
# Any of these changing changes what the same source renders to.
CACHE_VERSION = f"bantin {__version__}; markdown {markdown.__version__}; nh3 {getattr(nh3, '__version__', '?')}; 2"


def digest(*parts: str | bytes) -> str:
    """sha256 of the parts, unambiguous: ("ab", "c") and ("a", "bc") differ. The number of parts
    and their lengths go first, then the bytes in one piece (two hash updates, not two per part:
    fingerprints hash a million small parts in a large build)."""
    encoded = [part.encode("utf-8") if isinstance(part, str) else part for part in parts]
    h = hashlib.sha256(struct.pack(f"<Q{len(encoded)}Q", len(encoded), *map(len, encoded)))
    h.update(b"".join(encoded))
    return h.hexdigest()


def output_key(out: Path) -> str:
    """A short name for an output folder (``public/``, the preview's ``.preview/``): each has its
    own record, so previewing and building the same site do not undo each other's work."""
    return hashlib.sha256(str(out.resolve()).encode("utf-8")).hexdigest()[:16]


@dataclass
class BuildCache:
    folder: Path | None  # None: an in-memory cache (tests)
    record_name: str | None = None  # the output folder's record, ``outputs/<key>.json``
    bodies: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "bodies"))
    front_matter: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "front_matter"))
    made: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "made"))
    # Assembled articles (assembled.py), kept and pruned by command-line builds only: the preview
    # keeps its articles in memory, and its builds leave this table as it is.
    articles: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "articles"))
    article_bodies: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "article_bodies"))
    sources: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "sources"))
    # Calendar, stats and other data files as parsed (yamlfile.ParsedFiles), by the hash of their text.
    data_files: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "data_files"))
    # The pages that show cards, as planned (listing.py), kept and pruned by command-line builds only.
    listings: "KeyValueTable" = field(default_factory=lambda: KeyValueTable(None, "listings"))
    outputs: dict[str, str] = field(default_factory=dict)
    output_folder: str = ""  # the folder the outputs' fingerprints describe
    sections: dict[str, Any] = field(default_factory=dict)  # section name -> its record of what it wrote
    written: list[str] = field(default_factory=list)  # every file of the output folder
    copies: dict[str, str] = field(default_factory=dict)  # copied file -> stamp of its source
    record_id: str = ""  # a new one each time a build writes the record (see ``patch_outputs``)

    @classmethod
    def load(cls, root: Path, clean: bool, out: Path | None = None, record: dict | None = None) -> "BuildCache":
        """``clean``: start empty (the cache is still written afresh at the end). ``record``: the
        output's record as the preview keeps it in memory (``record()``), instead of its file."""
        database = root / CACHE_DIR / DATABASE_FILE
        (root / CACHE_DIR / "bodies.sqlite").unlink(missing_ok=True)  # the bodies' own file until 0.x
        shared = Database(database)  # one connection for every table (each has its own page cache)
        tables = [KeyValueTable(database, name, clean, shared)
                  for name in ("bodies", "front_matter", "made", "articles", "article_bodies", "sources", "data_files",
                               "listings")]
        record_file = cls.record_file(root, out)
        cache = cls(root / CACHE_DIR, record_file.name if record_file is not None else None, *tables)
        if clean:
            return cache
        if record is not None:  # the very objects of the last build: nothing to convert
            cache.outputs, cache.output_folder = record["outputs"], record["output_folder"]
            cache.sections, cache.written, cache.copies = dict(record["sections"]), record["written"], record["copies"]
        elif record_file is not None and out.is_dir():
            # (No output folder, as in CI with the cache alone: the record describes nothing there,
            # and 16 MB of JSON at 10,000 pairs would be held through the build for nothing.)
            record = _read_json(record_file)
            cache.outputs = dict(record.get("outputs", {}))
            cache.record_id = record.get("id", "")
            cache._apply_patch()
            cache.output_folder = record.get("output_folder", "")
            cache.sections = dict(record.get("sections", {}))
            # The same paths and stamps, many times over: one string each (a few MB of a large archive).
            cache.copies = {path: intern(stamp) for path, stamp in record.get("copies", {}).items()}
            paths = {path: path for path in cache.outputs} | {path: path for path in cache.copies}
            cache.written = [paths.get(path, path) for path in record.get("written", [])]
        return cache

    @property
    def record_path(self) -> Path | None:
        return self.folder / OUTPUTS_DIR / self.record_name if self.folder and self.record_name else None

    @staticmethod
    def record_file(root: Path, out: Path | None) -> Path | None:
        """Where the record of the output folder ``out`` is kept (``record_path`` of its cache)."""
        return root / CACHE_DIR / OUTPUTS_DIR / f"{output_key(out)}.json" if out is not None else None

    def describes(self, out: Path) -> bool:
        """Whether the record of the output (fingerprints, files) is about this folder."""
        return bool(self.output_folder) and self.output_folder == str(out.resolve()) and out.is_dir()

    def forget_output(self) -> None:
        """Drop the record of the output folder on disk, before the folder changes under it (an
        interrupted build then costs the next one a full render, never a wrong page)."""
        if self.record_path is not None:
            self.record_path.unlink(missing_ok=True)
            patch_path(self.record_path).unlink(missing_ok=True)

    def patch_outputs(self, record_id: str, changes: dict[str, str | None]) -> None:
        """Change the fingerprints of a few pages in the record with the id ``record_id`` (None: the
        page is to be rendered again), in a small file beside it: a quick rebuild (quick.py) changes
        two or three pages, and writing the record of 22,000 pages again took 0.14 s. The changes add
        up until a build writes the record anew (with a new id, so an older patch never applies).
        Written before the pages change, with None for each, and after, with their fingerprints: an
        interrupted build leaves those pages to be rendered again."""
        path = patch_path(self.record_path)
        patch = _read_json(path)
        outputs = patch.get("outputs", {}) if patch.get("record") == record_id else {}
        write_json(path, {"version": CACHE_VERSION, "record": record_id, "outputs": {**outputs, **changes}})

    def _apply_patch(self) -> None:
        if not self.record_id:
            return
        patch = _read_json(patch_path(self.record_path))
        if patch.get("record") != self.record_id:
            return  # from before the record was last written
        for path, fingerprint in patch.get("outputs", {}).items():
            if fingerprint is None:
                self.outputs.pop(path, None)
            else:
                self.outputs[path] = fingerprint

    def store_bodies(self, rows: list[tuple[str, str]]) -> None:
        """Bodies this build converted, (key, HTML). A build that writes its output writes them to
        the database at once rather than at its end (a large archive's are 160 MB of text to hold
        meanwhile); ``check``, which writes nothing, holds them."""
        if self.record_name is None:
            for key, html in rows:
                self.bodies.put(key, html)
        else:
            self.bodies.put_stream(rows)

    def record(self, outputs: dict[str, str], output_folder: Path, written: list[str],
               copies: dict[str, str]) -> dict:
        """The record of the output folder a build leaves: what ``save`` writes, what ``load`` reads."""
        return {"version": CACHE_VERSION, "id": secrets.token_hex(8), "output_folder": str(output_folder.resolve()),
                "outputs": outputs, "sections": self.sections, "written": written, "copies": copies}

    def save(self, record: dict | None) -> None:
        """Keep the bodies and front matters this build used (so deleted articles do not pile up)
        and the record of the output (None: the caller keeps it, see ``write_record``)."""
        if self.folder is None:
            return
        self.bodies.keep_only_used()
        self.front_matter.keep_only_used()
        self.made.keep_only_used()
        self.data_files.keep_only_used()
        if record is not None:
            write_record(self.record_path, record)


def write_record(path: Path, record: dict) -> None:
    """The output's record into its file, sorted (a person comparing two may read it); the changes
    patched onto the one it replaces are in it, or gone with the pages they were about."""
    write_json(path, {key: dict(sorted(value.items())) if isinstance(value, dict) else value
                       for key, value in record.items()})
    patch_path(path).unlink(missing_ok=True)  # (left behind, its record's id would keep it out)


def patch_path(record_path: Path) -> Path:
    """Where the changes to a record since it was written are kept (``BuildCache.patch_outputs``)."""
    return record_path.with_name(record_path.stem + ".patch.json")


class Database:
    """The cache's SQLite file, opened once for all its tables."""

    def __init__(self, path: Path):
        self.path = path
        self.connection: sqlite3.Connection | None = None
        _DATABASES.add(self)

    def forget(self) -> None:
        """Drop a damaged file: a damaged cache is only a slower build."""
        if self.connection is not None:
            self.connection.close()
        self.connection = None
        self.path.unlink(missing_ok=True)


_DATABASES: "weakref.WeakSet[Database]" = weakref.WeakSet()
_INHERITED: list[sqlite3.Connection] = []


def _open_afresh_after_fork() -> None:
    """In a forked process (page_work.py renders pages in some, and a kept article reads its body
    from the cache): SQLite connections must not cross a fork, so each database is opened again
    there. The inherited connections are kept, unused and unclosed: closing one could touch the
    parent's file."""
    for database in list(_DATABASES):
        if database.connection is not None:
            _INHERITED.append(database.connection)
            database.connection = None


os.register_at_fork(after_in_child=_open_afresh_after_fork)


class KeyValueTable:
    """One table of text by key in SQLite: a build reads the rows it needs and writes only the
    ones it made (one row for an edited article), where a JSON file would be read and
    rewritten whole, all the site's HTML, on every build. SQLite holds data, never code."""

    def __init__(self, path: Path | None, table: str, clean: bool = False, database: Database | None = None):
        self.path = path
        self.table = table  # a fixed name from this module, never from input
        self.memory: dict[str, str] = {}  # the store without a file (tests), and this build's new rows
        self.used: set[str] = set()
        # The new rows written to the file each time this many are held (None: when the caller says).
        self.written_every: int | None = None
        self._database = database if database is not None else Database(path) if path is not None else None
        self._db: sqlite3.Connection | None = None  # the database's connection once this table is ready in it
        self._read = not clean
        self.written: set[str] = set()  # keys this build wrote to the database (put_stream)

    def _connection(self, create: bool = False) -> sqlite3.Connection | None:
        """The database; None without a file (an in-memory store, or nothing cached yet and
        ``create`` false: reading must not leave files behind, ``check`` writes nothing)."""
        database = self._database
        if database is None or (database.connection is None and not create and not self.path.is_file()):
            return None
        if self._db is None or self._db is not database.connection:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                if database.connection is None:
                    database.connection = sqlite3.connect(self.path, timeout=30)
                db = database.connection
                db.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
                name = f"version of {self.table}"
                version = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
                if version is None or version[0] != CACHE_VERSION:
                    db.execute(f"DELETE FROM {self.table}")
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, CACHE_VERSION))
                    db.commit()
                self._db = db
            except sqlite3.DatabaseError:  # a damaged cache is only a slower build: start again
                self._db = None
                database.forget()
                return self._connection(create)
        return self._db

    def get_many(self, keys) -> dict[str, str]:
        """The rows of ``keys`` that exist, in a few queries (one per key costs 20 µs each)."""
        keys = list(dict.fromkeys(keys))
        found = {key: self.memory[key] for key in keys if key in self.memory}
        found.update(self._stored([key for key in keys if key not in found], "key, value"))
        self.used.update(found)
        return found

    def present(self, keys) -> set[str]:
        """Which of ``keys`` have a row, without reading the rows (marked used, like rows read)."""
        keys = list(dict.fromkeys(keys))
        found = {key for key in keys if key in self.memory}
        found.update(key for (key,) in self._stored([key for key in keys if key not in found], "key"))
        self.used.update(found)
        return found

    def _stored(self, keys: list[str], columns: str):
        """The database's rows of ``keys`` (those columns), a few hundred keys a query."""
        if not self._read:  # a clean build reads back only what it wrote itself
            keys = [key for key in keys if key in self.written]
        if keys and (db := self._connection()) is not None:
            for start in range(0, len(keys), 500):  # SQLite allows at most 999 parameters
                chunk = keys[start : start + 500]
                yield from db.execute(f"SELECT {columns} FROM {self.table} WHERE key IN ({','.join('?' * len(chunk))})",
                                      chunk)

    def count(self) -> int:
        """How many rows a build may read: what it need not make again."""
        db = self._connection() if self._read else None
        return db.execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()[0] if db is not None else 0

    def everything(self) -> dict[str, str]:
        """All rows, read at once: for a small table that a build reads nearly whole."""
        db = self._connection() if self._read else None
        rows = dict(db.execute(f"SELECT key, value FROM {self.table}").fetchall()) if db is not None else {}
        return {**rows, **self.memory}

    def put(self, key: str, value: str) -> None:
        self.memory[key] = value
        self.used.add(key)
        if self.written_every is not None and len(self.memory) >= self.written_every:
            self.flush()

    def put_stream(self, rows) -> None:
        """Write (key, value) rows (a value as text, or as its UTF-8 bytes) straight to the database
        as they come, none held in memory (the assembled articles of a large archive are a few
        hundred MB of text); in memory without a file."""
        db = self._connection(create=True)
        if db is None:
            for key, value in rows:
                self.put(key, value.decode("utf-8") if type(value) is bytes else value)
            return

        def used(rows):
            for key, value in rows:
                self.used.add(key)
                self.written.add(key)
                # Bytes, not the text: sqlite3 binds a text by its UTF-8 form, which CPython then keeps
                # inside the string for its lifetime (the articles' bodies: 83 MB more at 10,000).
                yield key, value if type(value) is bytes else value.encode("utf-8")

        with db:
            db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, CAST(? AS TEXT))", used(rows))

    def mark_used(self, key: str) -> None:
        self.used.add(key)

    def flush(self, forget: tuple[str, ...] = ()) -> None:
        """Write this build's new rows and delete the rows of ``forget``, keeping every other row (a
        build that saw part of the site cannot tell which rows are unused: quick.py)."""
        db = self._connection(create=True)
        if db is None:
            for key in forget:
                self.memory.pop(key, None)
            return
        with db:
            db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)", sorted(self.memory.items()))
            db.executemany(f"DELETE FROM {self.table} WHERE key = ?", ((key,) for key in sorted(forget)))
        self.memory.clear()

    def keep_only_used(self) -> None:
        """Write this build's new rows and drop those no article used."""
        db = self._connection(create=True)
        if db is None:
            return
        used, known = frozenset(self.used), (str(self.path), self.table)
        pruned = _PRUNED.get(known)
        with db:
            db.executemany(f"INSERT OR REPLACE INTO {self.table} VALUES (?, ?)", sorted(self.memory.items()))
            if pruned is not None:  # the table holds no other rows of ours: drop those no longer used
                db.executemany(f"DELETE FROM {self.table} WHERE key = ?", ((key,) for key in sorted(pruned - used)))
            else:  # the keys listed (a few ms) and the unused deleted; sending SQLite every key in
                # use instead, into a temporary table, took 0.05 s a table of 19,000 rows
                keys = db.execute(f"SELECT key FROM {self.table}").fetchall()
                db.executemany(f"DELETE FROM {self.table} WHERE key = ?", sorted(k for k in keys if k[0] not in used))
        self.memory.clear()
        _PRUNED[known] = used


# (database file, table) -> the keys the last prune of this process kept. The preview saves after
# each edit, and a full prune lists every key of the table (19,000 bodies of a large archive):
# after the first, only the keys used last time and not now are deleted. Rows another process
# added meanwhile stay until the next process prunes; they are only unused rows.
_PRUNED: dict[tuple[str, str], frozenset[str]] = {}


def _read_json(path: Path) -> dict:
    """A cache file's content, or nothing when it is missing, damaged or from another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged cache is only a slower build
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else {}


def write_json(path: Path, data: dict) -> None:
    """``data`` as JSON into ``path``, whole or not at all (written aside, then moved), the text
    ``json.dumps`` gives written a piece at a time (``json_pieces``): the output's record and the
    build's state of 10,000 article pairs, 16 and 12 MB of JSON, each made whole in memory first
    (as UCS-2, then UTF-8), were a clean build's last peaks of memory (20 and 40 MB more)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}-{os.getpid()}")
    with open(temporary, "w", encoding="utf-8") as file:
        for piece in json_pieces(data):
            file.write(piece)
    temporary.replace(path)


JSON_PIECE = 2000  # items of a mapping or list written as one piece


def json_pieces(value: object) -> Iterator[str]:
    """The text of ``json.dumps(value, ensure_ascii=False)`` in pieces: a mapping or list of more
    than ``JSON_PIECE`` items ``JSON_PIECE`` items at a time, and a mapping with such a value
    (keyed by text) a key at a time. Each piece comes from ``json.dumps`` (its C encoder; Python's
    own ``json.dump`` writes pieces too, five times slower)."""
    if isinstance(value, dict) and all(isinstance(key, str) for key in value) \
            and any(isinstance(item, (dict, list, tuple)) and len(item) > JSON_PIECE for item in value.values()):
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield f"{', ' if number else ''}{json.dumps(key, ensure_ascii=False)}: "
            yield from json_pieces(item)
        yield "}"
    elif isinstance(value, (dict, list, tuple)) and len(value) > JSON_PIECE:
        items = iter(value.items() if isinstance(value, dict) else value)
        yield "{" if isinstance(value, dict) else "["
        for start in range(0, len(value), JSON_PIECE):
            piece = itertools.islice(items, JSON_PIECE)
            text = json.dumps(dict(piece) if isinstance(value, dict) else list(piece), ensure_ascii=False)
            yield f"{', ' if start else ''}{text[1:-1]}"
        yield "}" if isinstance(value, dict) else "]"
    else:
        yield json.dumps(value, ensure_ascii=False)
