"""Article sources: finding ``content/articles/`` files and checking their front matter.

Translations share a base name: ``NAME.vi.md`` and ``NAME.en.md`` (a file without a
language suffix is in the default language), or a page bundle folder
``NAME/index.vi.md`` holding its images. This stage only reads and checks; it
returns typed ``ArticleSource`` records, one per file.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from sys import intern
from typing import TYPE_CHECKING, Callable, Iterator, NamedTuple

from .cache import KeyValueTable, digest
from .config import SiteConfig
from .diagnostics import BuildAborted, Diagnostics, Location
from .schema import Field, Kind, MappingChecker
from .state import ARTICLES_DIR, InputStamps, file_stamp, index_stamp, stamp_trusted
from .textio import nfc, read_source
from .yamlfile import MarkedMap, decode_value, encode_value, load_file_text

if TYPE_CHECKING:
    from .warm import WarmModel

HASH_LENGTH = 12  # hex digits of a translation's record of its original (translations.py)

FRONT_MATTER_FIELDS = [
    Field("title", Kind.TEXT, required=True),
    Field("date", Kind.DATE, required=True),
    Field("lastmod", Kind.DATE),
    Field("authors", Kind.TEXT_OR_LIST),
    Field("source", Kind.TEXT),
    Field("source_url", Kind.TEXT),
    Field("dateline", Kind.TEXT),
    Field("summary", Kind.TEXT),
    Field("tags", Kind.TEXT_LIST),
    Field("image", Kind.TEXT),
    Field("image_caption", Kind.TEXT),
    Field("image_alt", Kind.TEXT),
    Field("events", Kind.TEXT_LIST),
    Field("slug", Kind.TEXT),
    Field("draft", Kind.BOOL),
    Field("translation_of", Kind.MAPPING),  # {lang, hash} of the original; see translations.py
]


@dataclass(frozen=True)
class ArticleSource:
    """One article file, its checked front matter and its raw body."""

    rel: str  # path relative to the site root, e.g. content/articles/x.vi.md
    path: Path
    base: str  # shared by translations
    lang: str
    fields: dict
    locations: dict[str, Location]  # where each front-matter key stands, for later checks
    body: str
    body_first_line: int
    valid: bool  # front matter without errors; otherwise only the body is checked
    text_key: str  # the file's text as it was read (see ``text_key``): assembled.py keys by it
    front_matter_key: str  # its row in the front matter cache

    @property
    def directory(self) -> Path:
        return self.path.parent

    def forget_body(self) -> None:
        """Drop the body's text once it is prepared for Markdown (a large archive's bodies are
        130 MB held through the build otherwise); asked for again, it is read from the file."""
        self.__dict__.pop("body", None)

    @cached_property
    def translation_hash(self) -> str | None:
        """What a translation of this article records of it (see ``source_hash``)."""
        title = self.fields.get("title")
        return source_hash(title, self.body) if isinstance(title, str) else None


def text_key(text: str) -> str:
    """The hash of an article file's text (NFC, LF line ends, as ``read_source`` gives it)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def source_hash(title: str, body: str) -> str:
    """What a translation was made from: the original's title and body, NFC, trailing spaces ignored.

    Only text a reader sees in both languages counts, so fixing a tag or a date in the
    original does not make its translations stale.
    """
    lines = [line.rstrip() for line in nfc(body).strip("\n").split("\n")]
    text = nfc(title.strip()) + "\n\n" + "\n".join(lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_LENGTH]


class _BodyFromFile:
    """``body`` of an ``UnreadSource``, or of a source whose body was forgotten: the file is read
    when something asks for it, and must be the text first read."""

    def __get__(self, source, owner=None):
        if source is None:
            return self
        try:
            text = read_source(source.path, source.rel, Diagnostics())
        except OSError:
            text = None
        parts = split_front_matter(text) if text is not None else None
        if parts is None or text_key(text) != source.text_key:
            raise BuildAborted(Location(source.rel), "this file changed while the site was being built; build again")
        source.__dict__["body"] = parts[1]  # read once: the instance's own value hides this reader
        return parts[1]


# A body not in the instance (an unread file's; one forgotten) is read from the file when asked for;
# dataclass fields are instance values, so the reader is set on the class after it is made.
ArticleSource.body = _BodyFromFile()


class _MadeWhenAsked:
    """A field of an ``UnreadSource`` made from its stored form the first time it is asked for
    (most never are: the positions of 19,000 front matters' keys, 125,000 of them, are for
    error messages)."""

    def __init__(self, make):
        self.make = make

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, source, owner=None):
        if source is None:
            return self
        value = source.__dict__[self.name] = self.make(source)  # the instance's own value from now on
        return value


class UnreadSource(ArticleSource):
    """An article file whose stamp (times, size, inode) is the one recorded when a build last
    read it: its checked front matter comes from the cache and its body is read only if
    something asks (a rebuild after one edit asks for none of the other 19,000)."""

    path = _MadeWhenAsked(lambda source: Path(source.file))
    locations = _MadeWhenAsked(lambda source: source.front_matter_memo.locations(source.front_matter_key, source.rel))

    @classmethod
    def from_values(cls, values: dict) -> "UnreadSource":
        """``values``: every field but ``body`` (and ``translation_hash`` when it was known); ``path``
        may be given as ``file`` (text), and ``locations`` left to ``front_matter_memo`` (the
        ``CheckedFrontMatter`` the fields came from, asked again when they are needed)."""
        source = object.__new__(cls)
        source.__dict__.update(values)
        return source


def article_files(root: Path, links: set[str] | None = None) -> list[str]:
    """Every article file, as a '/'-separated path from ``root`` spelled as the file system
    spells it, in a stable order whatever the file system returns. ``links``: gets those that
    are symbolic links to a file."""
    if not (root / ARTICLES_DIR).is_dir():
        return []
    # In the order of Path parts, without Path objects (slow to make and compare by the 20,000).
    return sorted(_markdown_files(str(root / ARTICLES_DIR), ARTICLES_DIR, links), key=lambda rel: rel.split("/"))


def _markdown_files(folder: str, rel: str, links: set[str] | None) -> Iterator[str]:
    """The ``.md`` files under ``folder`` as ``rglob("*.md")`` with ``is_file()`` finds them (symbolic
    links to folders not followed, broken links such as editors' lock files left out), from the
    directory entries' types rather than a stat of each file."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _markdown_files(entry.path, f"{rel}/{entry.name}", links)
            elif entry.name.endswith(".md") and entry.is_file():
                if links is not None and entry.is_symlink():
                    links.add(f"{rel}/{entry.name}")
                yield f"{rel}/{entry.name}"


def split_name(found: str, config: SiteConfig) -> tuple[str, str | None, str]:
    """(base name, language code or None if the suffix names an unknown language, suffix) of an
    article file (a path from ``article_files``)."""
    *folders, name = found.split("/")
    parts = nfc(name).split(".")
    suffix = parts[-2] if len(parts) >= 3 else ""
    lang = suffix if suffix else config.default_language
    stem = ".".join(parts[:-2] if suffix else parts[:-1])
    is_bundle = stem == "index" and len(folders) > _ARTICLES_DEPTH
    base = nfc(folders[-1]) if is_bundle else stem
    return base, (lang if lang in config.codes else None), suffix


_ARTICLES_DEPTH = len(ARTICLES_DIR.split("/"))


class NamedSource(NamedTuple):
    """What a section's ``load`` reads of an article source: its base name (the calendar checks the
    articles its events name)."""

    base: str


def article_names(files: list[str], config: SiteConfig) -> list[NamedSource]:
    """The article files of a known language, as a section's ``load`` reads them (before they are read)."""
    return [NamedSource(base) for base, lang, _ in (split_name(found, config) for found in files) if lang is not None]


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter YAML, body, first body line) or None when there is no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None


def load_articles(root: Path, config: SiteConfig, diagnostics: Diagnostics,
                  checked: KeyValueTable | None = None, warm: "WarmModel | None" = None,
                  records: "SourceRecords | None" = None, files: list[str] | None = None,
                  listed: list[str] | None = None,
                  loaded: Callable[[ArticleSource], None] | None = None) -> list[ArticleSource]:
    """``checked``: front matters checked by earlier builds (see ``CheckedFrontMatter``);
    ``warm``: the dev server's sources of its last build (warm.py); ``records``: what each file
    was when a command-line build last read it (``SourceRecords``); ``files``: the article files to
    load, as ``article_files`` lists them (default: every one); ``listed``: every one, listed
    already; ``loaded``: told of each source as it is read (assemble.BodiesAhead)."""
    memo = CheckedFrontMatter(checked, whole=files is None) if checked is not None else None
    top = str(root)
    sources: list[ArticleSource] = []
    seen: dict[tuple[str, str], str] = {}
    found_files = files if files is not None else listed if listed is not None \
        else warm.article_files(root) if warm is not None else article_files(root)
    for found in found_files:
        rel = nfc(found)
        base, lang, suffix = split_name(found, config)
        if lang is None:
            known = ", ".join(config.codes)
            diagnostics.error(Location(rel), f"unknown language '{suffix}' in the file name (known: {known})")
            continue
        if (base, lang) in seen:
            diagnostics.error(Location(rel), f"a second '{lang}' version of '{base}' (the first is {seen[base, lang]})")
            continue
        seen[base, lang] = rel
        source = warm.unreported_source(found, rel) if warm is not None else None
        if source is not None:
            _still_used(source, memo)
        else:
            source = _load_article(os.path.join(top, found), rel, base, lang, diagnostics, memo, warm, records)
        if source is not None:
            sources.append(source)
            if loaded is not None:
                loaded(source)
    if warm is not None and files is None:  # (loading a few files forgets none of the others)
        warm.forget_sources_except({source.rel for source in sources})
    return sources


def _load_article(file: str, rel: str, base: str, lang: str, diagnostics: Diagnostics,
                  memo: "CheckedFrontMatter | None", warm: "WarmModel | None" = None,
                  records: "SourceRecords | None" = None) -> ArticleSource | None:
    if warm is not None:
        return _load_remembered(file, rel, base, lang, diagnostics, memo, warm, records)
    if records is not None and memo is not None:
        return _load_recorded(file, rel, base, lang, diagnostics, memo, records)
    path = Path(file)
    text = read_source(path, rel, diagnostics)
    return _parse_article(text, path, rel, base, lang, diagnostics, memo) if text is not None else None


def _load_recorded(file: str, rel: str, base: str, lang: str, diagnostics: Diagnostics,
                   memo: "CheckedFrontMatter", records: "SourceRecords") -> ArticleSource | None:
    """The command line's way: the file is read only if its stamp is not the recorded one."""
    stat = os.stat(file)  # before reading: a write in between changes the stamp kept
    unread = records.unread(file, rel, base, lang, stat, memo)
    if unread is not None:
        return unread
    path = Path(file)
    text = read_source(path, rel, diagnostics)
    if text is None:
        return None
    messages_before = len(diagnostics.items)
    source = _parse_article(text, path, rel, base, lang, diagnostics, memo)
    if source is not None and source.valid and len(diagnostics.items) == messages_before:
        records.read(source, stat)
    return source


def _load_remembered(file: str, rel: str, base: str, lang: str, diagnostics: Diagnostics,
                     memo: "CheckedFrontMatter | None", warm: "WarmModel",
                     records: "SourceRecords | None" = None) -> ArticleSource | None:
    """The preview's way: the very source of its last build while the file is untouched; on its
    first build (``records``), the file as a command-line build last read it, if it still is."""
    stat = os.stat(file)  # before reading: a write in between changes the stamp kept with the text
    known = warm.unchanged_source(rel, stat)
    if known is None and records is not None and memo is not None:
        known = records.unread(file, rel, base, lang, stat, memo)
        if known is not None:
            warm.keep_source(known, stat)
    if known is None or not _same_name(known, base, lang, file):
        path = Path(file)
        text = read_source(path, rel, diagnostics)
        if text is None:
            warm.forget_source(rel)
            return None
        key = text_key(text)
        known = warm.source(rel, key, stat)
        if known is None or not _same_name(known, base, lang, file):
            messages_before = len(diagnostics.items)
            source = _parse_article(text, path, rel, base, lang, diagnostics, memo, key)
            if source is not None and len(diagnostics.items) == messages_before:
                warm.keep_source(source, stat)
            else:
                warm.forget_source(rel)
            return source
    _still_used(known, memo)
    return known


def _still_used(source: ArticleSource, memo: "CheckedFrontMatter | None") -> None:
    if memo is not None:  # its row stays in the cache for the next command-line build
        memo.table.mark_used(source.front_matter_key)


def _same_name(source: ArticleSource, base: str, lang: str, file: str) -> bool:
    return (source.base, source.lang, str(source.path)) == (base, lang, file)


def _parse_article(text: str, path: Path, rel: str, base: str, lang: str, diagnostics: Diagnostics,
                   memo: "CheckedFrontMatter | None", key: str | None = None) -> ArticleSource | None:
    """``key``: the text's ``text_key`` when the caller has it already."""
    parts = split_front_matter(text)
    if parts is None:
        diagnostics.error(
            Location(rel), "missing front matter: start the file with a line '---', the fields, then '---'"
        )
        return None
    yaml_text, body, body_first_line = parts
    key = key or text_key(text)
    front_matter_key = digest(yaml_text)
    remembered = memo.by_key(front_matter_key, rel) if memo is not None else None
    if remembered is not None:
        fields, locations = remembered
        return ArticleSource(rel=rel, path=path, base=base, lang=lang, fields=fields, locations=locations,
                             body=body, body_first_line=body_first_line, valid=True, text_key=key,
                             front_matter_key=front_matter_key)
    data, problem = load_file_text(yaml_text, rel, line_offset=1)
    if problem:
        diagnostics.error(*problem)
        return None
    if not isinstance(data, MarkedMap):
        diagnostics.error(Location(rel, 2), "front matter must be 'key: value' lines")
        return None
    checker = MappingChecker(data, rel, 1, diagnostics)
    before, messages_before = len(diagnostics.errors), len(diagnostics.items)
    fields = checker.check(FRONT_MATTER_FIELDS, "front-matter")
    locations = {key: checker.key_location(key) for key in data}
    if memo is not None and len(diagnostics.items) == messages_before:
        memo.put(yaml_text, fields, locations)
    return ArticleSource(
        rel=rel,
        path=path,
        base=base,
        lang=lang,
        fields=fields,
        locations=locations,
        body=body,
        body_first_line=body_first_line,
        valid=len(diagnostics.errors) == before,
        text_key=key,
        front_matter_key=front_matter_key,
    )


UNTRUSTED_STAMP = (0, 0, 0, 0)  # no file has it: the file is read again (SourceRecords.read)


class SourceRecords:
    """Each article file as the last command-line build read it: its stamp (times, size, inode),
    the hash of its text, its front matter's row in the cache, its first body line, and what a
    translation records of it once that was worked out. A file whose stamp is the recorded one
    is not read again (reading 19,000 files took a second of every rebuild, and their bodies a
    few hundred MB): it becomes an ``UnreadSource``. What the dev server does in memory
    (warm.py), with the same rule for a file written in the last two seconds: its stamp is not
    trusted (it is recorded with one that no file has, so it is read again next time).

    Only files read and checked without any message are recorded, so mistakes are always
    reported afresh. The rows are JSON in the cache's SQLite file, by the file's path."""

    def __init__(self, table: KeyValueTable, whole: bool = True, inputs: "InputStamps | None" = None):
        """``whole``: read the whole table at the first question (a build that loads every file);
        false: each row when asked for (the quick rebuild, which loads a few of 19,000). ``inputs``:
        the hashes of the files' bytes the build's input check took (state.input_stamps); a file
        whose stamp changed but not its bytes (a fresh checkout) is not read again either."""
        self.table = table
        self.whole = whole
        self.inputs = inputs
        self.rows: dict[str, str] | None = None  # the whole table, read at the first question
        # rel -> (stamp, hash of the bytes if known) of each file read this build
        self._read: dict[str, tuple[tuple[int, int, int, int], str | None]] = {}
        # rel -> (stamp, whether the record has the translation hash, hash of the bytes, whether the
        # record is to be written again: a file found the same by its bytes under a new stamp, or a
        # record without the hash) of each file not read this build
        self._unread: dict[str, tuple[tuple[int, ...], bool, str | None, bool]] = {}

    def _bytes_hashed(self, rel: str, stat: os.stat_result) -> str | None:
        """The hash the input check took of the file's bytes, when the file still has the stamp it had
        then, which was old enough to be trusted (so its bytes are the ones hashed)."""
        if self.inputs is None or self.inputs.trusted.get(rel) != index_stamp(stat):
            return None
        return self.inputs.articles.get(rel)

    def unread(self, file: str, rel: str, base: str, lang: str, stat: os.stat_result,
               memo: "CheckedFrontMatter") -> "UnreadSource | None":
        if not self.whole:
            row = self.table.get_many([rel]).get(rel)
        else:
            if self.rows is None:
                self.rows = self.table.everything()
            row = self.rows.pop(rel, None)  # asked once per file
        if row is None:
            return None
        record = json.loads(row)
        stamp, bytes_hash, rewrite = tuple(record["stamp"]), record.get("bytes"), False
        if stamp != file_stamp(stat):
            hashed = self._bytes_hashed(rel, stat)
            if hashed is None or bytes_hash != hashed:
                return None
            stamp, rewrite = file_stamp(stat), True  # the same bytes under a new stamp
        elif bytes_hash is None:  # (a record from before the hash was kept)
            bytes_hash = self._bytes_hashed(rel, stat)
            rewrite = bytes_hash is not None
        fields = memo.fields(record["front_matter"])
        if fields is None:
            return None
        values = dict(rel=rel, file=file, base=base, lang=lang, fields=fields, front_matter_memo=memo,
                      body_first_line=record["body_first_line"], valid=True, text_key=record["text"],
                      front_matter_key=record["front_matter"])
        if record["translation_hash"] is not None:
            values["translation_hash"] = record["translation_hash"]
        self._unread[rel] = (stamp, record["translation_hash"] is not None, bytes_hash, rewrite)
        return UnreadSource.from_values(values)

    def read(self, source: ArticleSource, stat: os.stat_result) -> None:
        """A file read and checked without a message: recorded. One written too recently for its
        stamp to show its next change gets a stamp no file has (it is read again next time), its
        text's hash all the same: a quick rebuild asks what text the last build read (quick.py)."""
        self._read[source.rel] = (file_stamp(stat) if stamp_trusted(stat) else UNTRUSTED_STAMP,
                                  self._bytes_hashed(source.rel, stat))

    def remember(self, sources: list[ArticleSource]) -> None:
        """Record this build's files (called once translations are checked, which works out the
        hash a translation records of its original); the rows are written when the cache is."""
        for source in sources:
            hashed = source.__dict__.get("translation_hash")  # a cached property, made if asked for
            if source.rel in self._unread:
                stamp, recorded_hash, bytes_hash, rewrite = self._unread[source.rel]
                if not rewrite and (recorded_hash or hashed is None):
                    self.table.mark_used(source.rel)
                    continue
            elif source.rel in self._read:
                stamp, bytes_hash = self._read[source.rel]
            else:
                continue
            self.table.put(source.rel, json.dumps({
                "stamp": stamp, "text": source.text_key, "front_matter": source.front_matter_key,
                "body_first_line": source.body_first_line, "translation_hash": hashed, "bytes": bytes_hash,
            }))

    def save(self, prune: bool = True) -> None:
        """Write the records and drop those of files gone (command-line builds only: the preview
        keeps its sources in memory and leaves this table as it is); ``prune`` false (a build that
        read part of the site: quick.py): drop none."""
        if prune:
            self.table.keep_only_used()
        else:
            self.table.flush()


class CheckedFrontMatter:
    """Front matter already parsed and checked, by the hash of its YAML text: parsing and checking
    19,000 front matters is two seconds of every rebuild, though an edit changes one or none.

    Only front matter that checked without any message is kept, so mistakes are always found and
    reported afresh. The row is JSON: strings, booleans, tagged dates, tuples and positioned
    mappings (``translation_of``); locations are stored without the file name, so a renamed file
    still finds its row. A value the encoding cannot give back exactly is not stored at all."""

    def __init__(self, table: KeyValueTable, whole: bool = True):
        """``whole``: read the whole table at the first question (a build that loads every file);
        false: each row when asked for (a build that loads a few: reading 19,000 rows took 40 ms)."""
        self.table = table
        self.whole = whole
        self.rows: dict[str, str] | None = None  # the whole table, read at the first question

    def get(self, yaml_text: str, rel: str) -> tuple[dict, dict[str, Location]] | None:
        return self.by_key(digest(yaml_text), rel)

    def by_key(self, key: str, rel: str) -> tuple[dict, dict[str, Location]] | None:
        """The row of the front matter whose YAML text has the hash ``key``."""
        data = self._take(key)
        return (_fields(data), _locations(data, rel)) if data is not None else None

    def fields(self, key: str) -> dict | None:
        """``by_key``'s fields alone: where each key stands is asked for only to report a mistake,
        and the 125,000 locations of 19,000 front matters held for that were 25 MB (``locations``)."""
        data = self._take(key)
        return _fields(data) if data is not None else None

    def locations(self, key: str, rel: str) -> dict[str, Location]:
        """Where each key of the front matter with the hash ``key`` stands in ``rel``, read again."""
        row = self.table.get_many([key]).get(key)
        if row is None:  # another build of the same site dropped it meanwhile
            raise BuildAborted(Location(rel), "the build cache changed while this build ran (another build of "
                               "this site?); build again")
        return _locations(json.loads(row), rel)

    def _take(self, key: str) -> dict | None:
        if self.rows is None:
            self.rows = self.table.everything() if self.whole else {}
        # Let go once decoded, so the table's text and the decoded fields are not both in memory
        # (two files with the same front matter, a rare case, parse the second one's).
        row = self.rows.pop(key, None) if self.whole else self.table.get_many([key]).get(key)
        if row is None:
            return None
        self.table.mark_used(key)
        return json.loads(row)

    def put(self, yaml_text: str, fields: dict, locations: dict[str, Location]) -> None:
        try:
            encoded = {key: encode_value(value) for key, value in fields.items()}
        except TypeError:
            return
        decoded = {key: decode_value(value) for key, value in encoded.items()}
        if decoded != fields or any(repr(decoded[k]) != repr(fields[k]) for k in fields):
            return  # e.g. a time zone isoformat cannot name: checking it every build is the safe side
        row = {"fields": encoded, "locations": {key: [at.line, at.col] for key, at in locations.items()}}
        self.table.put(digest(yaml_text), json.dumps(row, ensure_ascii=False))


def _fields(data: dict) -> dict:
    # The keys interned: each row's JSON has its own copies of the same two dozen names (30 MB
    # for 19,000 files), and tags and authors repeat across articles too.
    return {intern(key): decode_value(value) for key, value in data["fields"].items()}


def _locations(data: dict, rel: str) -> dict[str, Location]:
    return {intern(key): Location(rel, line, col) for key, (line, col) in data["locations"].items()}


