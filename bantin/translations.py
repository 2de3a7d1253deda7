"""Translations: which languages each article exists in, and which translation is stale.

A translation records which version of its original it was made from, in its own
front matter:

    translation_of: {lang: vi, hash: "3f9a0c1d2e4b"}

``hash`` is the first 12 hex digits of the SHA-256 of the original's title and body
(see ``source_hash``). Editing the original changes its hash, so the translation is
stale until a translator brings it up to date and re-stamps it with
``build.py translations --update BASE.en``. A hash rather than git history: CI
checkouts are often shallow, a working copy has edits git cannot date yet, and the
build must give the same answer everywhere.

A version without ``translation_of`` is the original when it is in the default
language (or when no other version claims an original); any other such version is
"untracked": listed, never warned about, so older translations keep building quietly.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig, load_config
from .content import ARTICLES_DIR, HASH_LENGTH, ArticleSource, load_articles, source_hash, split_front_matter
from .diagnostics import Diagnostics, Location
from .schema import Field, Kind, MappingChecker
from .textio import nfc
from .yamlfile import MarkedMap

HASH_PATTERN = re.compile(rf"[0-9a-f]{{{HASH_LENGTH}}}")
KEY = "translation_of"
KEY_LINE = re.compile(rf"^{KEY}\s*:")
LINK_FIELDS = [Field("lang", Kind.TEXT, required=True), Field("hash", Kind.TEXT, required=True)]

ORIGINAL = "original"
UP_TO_DATE = "up to date"
STALE = "stale"
UNTRACKED = "untracked"  # a translation without translation_of
NO_ORIGINAL = "original missing"  # translation_of names a language the article lacks


def stamp(lang: str, digest: str) -> str:
    """The front-matter line a translation carries (the hash quoted: all digits would load as a number)."""
    return f'{KEY}: {{lang: {lang}, hash: "{digest}"}}'


@dataclass(frozen=True)
class Version:
    """One language version of an article and how it stands against its original."""

    source: ArticleSource
    status: str
    original_lang: str | None = None  # for a translation: the language it was made from


@dataclass(frozen=True)
class ArticleVersions:
    base: str
    versions: dict[str, Version]  # language code -> version, in the site's language order

    @property
    def original(self) -> Version | None:
        return next((v for v in self.versions.values() if v.status == ORIGINAL), None)


@dataclass(frozen=True)
class TranslationReport:
    articles: dict[str, ArticleVersions]  # base name -> versions, sorted by base name

    def stale(self) -> dict[tuple[str, str], str]:
        """(base, language) of each stale translation -> the language of its original."""
        return {
            (base, lang): version.original_lang
            for base, entry in self.articles.items()
            for lang, version in entry.versions.items()
            if version.status == STALE
        }


def _hash_of(source: ArticleSource) -> str | None:
    return source.translation_hash


def _link(source: ArticleSource, config: SiteConfig, diagnostics: Diagnostics) -> tuple[str, str] | None:
    """The checked (lang, hash) of a translation_of mapping, or None after reporting why not."""
    value = source.fields.get(KEY)
    if not isinstance(value, MarkedMap):
        return None
    # Positions inside the mapping count from the front matter's first line, like the file's other keys.
    checker = MappingChecker(value, source.rel, 1, diagnostics)
    before = len(diagnostics.errors)
    fields = checker.check(LINK_FIELDS, KEY)
    if len(diagnostics.errors) > before:
        return None
    lang, digest = fields["lang"], fields["hash"]
    if lang not in config.codes:
        known = ", ".join(config.codes)
        diagnostics.error(checker.value_location("lang"), f"unknown language '{lang}' in '{KEY}' (known: {known})")
        return None
    if lang == source.lang:
        diagnostics.error(
            checker.value_location("lang"),
            f"'{KEY}' names this file's own language '{lang}'; name the language of the original",
        )
        return None
    if not HASH_PATTERN.fullmatch(digest):
        diagnostics.error(
            checker.value_location("hash"),
            f"'hash' in '{KEY}' must be {HASH_LENGTH} hex digits, as written by "
            f"'python build.py translations --update {source.base}.{source.lang}'",
        )
        return None
    return lang, digest


def check_translations(
    sources: list[ArticleSource], config: SiteConfig, diagnostics: Diagnostics
) -> TranslationReport:
    """Every article's versions with their status; a stale translation is a warning at its translation_of."""
    by_base: dict[str, dict[str, ArticleSource]] = {}
    for source in sources:
        by_base.setdefault(source.base, {})[source.lang] = source
    articles = {}
    for base in sorted(by_base):
        present = by_base[base]
        links = {lang: _link(source, config, diagnostics) for lang, source in present.items()}
        claimed = {link[0] for link in links.values() if link}
        original_lang = _original_language(present, claimed, config)
        versions = {}
        for lang in config.codes:
            if lang not in present:
                continue
            source, link = present[lang], links[lang]
            versions[lang] = _version(source, link, lang == original_lang, present, diagnostics)
        articles[base] = ArticleVersions(base, versions)
    return TranslationReport(articles)


def _original_language(present, claimed, config: SiteConfig) -> str | None:
    """The version others were translated from: one they name, else the first in language order."""
    unlinked = [lang for lang in config.codes if lang in present and KEY not in present[lang].fields]
    named = [lang for lang in unlinked if lang in claimed]
    return (named or unlinked or [None])[0]


def _link_location(source) -> Location:
    """Where a translation names its original (asked for only to report: an unread file's
    locations are read from the cache when asked, content.UnreadSource)."""
    return Location(source.rel, source.locations[KEY].line, 1)


def _version(source, link, is_original, present, diagnostics: Diagnostics) -> Version:
    if link is None:
        return Version(source, ORIGINAL if is_original else UNTRACKED)
    original_lang, recorded = link
    original = present.get(original_lang)
    if original is None:
        diagnostics.warning(
            _link_location(source),
            f"'{KEY}' names the '{original_lang}' original, but there is no '{original_lang}' version of "
            f"'{source.base}'",
        )
        return Version(source, NO_ORIGINAL, original_lang)
    current = _hash_of(original)
    if current is None or current == recorded:
        return Version(source, UP_TO_DATE, original_lang)
    diagnostics.warning(
        _link_location(source),
        f"stale translation: the {original_lang} original ({original.rel}) has changed since this translation "
        f"was made; update the translation, then run "
        f"'python build.py translations --update {source.base}.{source.lang}'",
    )
    return Version(source, STALE, original_lang)


# --- the `translations` command --------------------------------------------------------------------


def describe(report: TranslationReport, config: SiteConfig) -> list[str]:
    """One line per article: ``BASE: vi original, en up to date`` (``en missing`` when absent)."""
    lines = []
    for base, entry in report.articles.items():
        parts = []
        for lang in config.codes:
            version = entry.versions.get(lang)
            parts.append(f"{lang} {version.status if version else 'missing'}")
        lines.append(f"{base}: {', '.join(parts)}")
    return lines


def summary(report: TranslationReport, config: SiteConfig) -> str:
    articles = report.articles.values()
    complete = sum(1 for entry in articles if len(entry.versions) == len(config.codes))
    stale = len(report.stale())
    untracked = sum(1 for e in articles for v in e.versions.values() if v.status == UNTRACKED)
    count = len(report.articles)
    return (
        f"{count} article{'s' if count != 1 else ''}: {complete} in every language, "
        f"{count - complete} not yet translated, {stale} stale, {untracked} untracked"
    )


def load(root: Path, diagnostics: Diagnostics) -> tuple[SiteConfig | None, list[ArticleSource]]:
    config = load_config(root, diagnostics)
    if config is None:
        return None, []
    return config, load_articles(root, config, diagnostics)


def list_command(root: Path) -> int:
    """``build.py translations``: print each article's languages; warnings for stale translations."""
    diagnostics = Diagnostics()
    config, sources = load(root, diagnostics)
    if config is None:
        _report(diagnostics)
        return 1
    report = check_translations(sources, config, diagnostics)
    for line in describe(report, config):
        print(line)
    print(summary(report, config))
    _report(diagnostics)
    return 1 if diagnostics.has_errors else 0


def update_command(root: Path, ref: str) -> int:
    """``build.py translations --update BASE.LANG``: record the original's current hash in the translation."""
    diagnostics = Diagnostics()
    config, sources = load(root, diagnostics)
    if config is None:
        _report(diagnostics)
        return 1
    found = find_article(ref, sources, config)
    if isinstance(found, str):
        print(f"build.py translations: error: {found}", file=sys.stderr)
        return 2
    base, lang = found
    report = check_translations(sources, config, Diagnostics())
    entry = report.articles[base]
    if lang is None:
        others = [code for code in entry.versions if entry.versions[code].status != ORIGINAL]
        if len(others) != 1:
            choices = " or ".join(f"'{base}.{code}'" for code in others) or f"'{base}.<lang>'"
            print(f"build.py translations: error: say which translation to update: {choices}", file=sys.stderr)
            return 2
        lang = others[0]
    if lang not in entry.versions:
        print(
            f"build.py translations: error: '{base}' has no '{lang}' version; "
            f"create it with: python build.py new \"TITLE\" --lang {lang} --translation-of {base}",
            file=sys.stderr,
        )
        return 2
    version = entry.versions[lang]
    original_lang = version.original_lang or (entry.original.source.lang if entry.original else None)
    if version.status == ORIGINAL or original_lang is None or original_lang not in entry.versions:
        print(
            f"build.py translations: error: {version.source.rel} is not a translation of another version "
            f"of '{base}'",
            file=sys.stderr,
        )
        return 2
    original = entry.versions[original_lang].source
    digest = _hash_of(original)
    if digest is None:
        _report_load_problems(diagnostics, original.rel)
        return 1
    line = stamp(original_lang, digest)
    if version.status == UP_TO_DATE:
        print(f"{version.source.rel}: already up to date ({line})")
        return 0
    # Bytes, not read_text: the file keeps its line ends (CRLF stays CRLF) and everything but one line.
    text = version.source.path.read_bytes().decode("utf-8")
    updated = restamp(text, line)
    if updated is None:
        print(f"build.py translations: error: {version.source.rel} has no front matter", file=sys.stderr)
        return 1
    version.source.path.write_bytes(updated.encode("utf-8"))
    print(f"{version.source.rel}: {line}")
    return 0


def restamp(text: str, line: str) -> str | None:
    """``text`` with its translation_of replaced by ``line`` (added before the closing '---' if absent)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom):]
    if split_front_matter(text.replace("\r\n", "\n")) is None:
        return None
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.split(newline)
    end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    for index in range(1, end):
        if KEY_LINE.match(lines[index]):
            stop = index + 1
            # A block-style mapping continues on the indented lines below the key.
            while stop < end and lines[stop][:1] in (" ", "\t"):
                stop += 1
            lines[index:stop] = [line]
            return bom + newline.join(lines)
    lines.insert(end, line)
    return bom + newline.join(lines)


def find_article(ref: str, sources: list[ArticleSource], config: SiteConfig) -> tuple[str, str | None] | str:
    """(base, language or None) named by ``BASE``, ``BASE.LANG``, ``BASE.LANG.md`` or a file path;
    a message when nothing matches."""
    bases = {source.base for source in sources}
    candidate = nfc(ref.strip())
    if candidate.endswith(".md"):
        for source in sources:
            if candidate == source.rel or Path(candidate).resolve() == source.path.resolve():
                return source.base, source.lang
    name = candidate.removesuffix(".md")
    if "/" in name:
        name = name.rsplit("/", 1)[1]
    if name in bases:
        return name, None
    stem, _, lang = name.rpartition(".")
    if stem in bases and lang in config.codes:
        return stem, lang
    close = difflib.get_close_matches(stem or name, sorted(bases), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"no article '{ref}' in {ARTICLES_DIR}/{hint}"


def _report(diagnostics: Diagnostics) -> None:
    for diagnostic in diagnostics.sorted():
        print(diagnostic.format(), file=sys.stderr)


def _report_load_problems(diagnostics: Diagnostics, rel: str) -> None:
    mine = [d for d in diagnostics.sorted() if d.location.path == rel]
    for diagnostic in mine or diagnostics.sorted():
        print(diagnostic.format(), file=sys.stderr)
