"""Site search: a search page per language and a Pagefind index of the articles, built with the site.

Pagefind (PyPI ``pagefind[bin]``, which ships its binary) indexes every page whose
template marks an element ``data-pagefind-body`` (the article template does) and
splits the index by ``<html lang>``, so each language searches only its own pages.
The browser loads the index in small chunks from ``/pagefind/``; nothing is asked
of another host.

Vietnamese typed without accents. Pagefind folds tone and vowel marks ("bao hiem"
finds "bảo hiểm") but not "đ", a letter of its own rather than "d" with a mark, so
"duong" would never find "đường". Pagefind therefore does not read Vietnamese
pages as published but an index document (``index_document``): each
``data-pagefind-body`` element is followed by a copy of its content with every
accent removed, "đ" made "d", and the ASCII letters and digits written in their
fullwidth forms ("Ｄｕｏｎｇ"), which nothing else on the site uses. The search page
(``templates/assets/search.js``) writes every word of a query that has no accent
in those fullwidth forms too, so:

- a query typed without accents ("duong", "bao hiem", "Lang Son") searches the
  accent-free copy, where "đường" and "Dương" are both "duong", ranked as Pagefind
  ranks any text (headings first);
- a query typed with accents ("Dương", "đường") searches the text as written,
  where Pagefind ranks exact accents first and still finds other tone marks,
  but never reaches the copy (no accented word is fullwidth).

The copy exists only in the indexer's input (published pages are unchanged) and
has exactly as many characters as the original, so the search page can show an
excerpt cut from the copy in the original spelling (same positions).

The section plans the search pages (only for languages that have articles, like
the calendar's pages) and, once the pages are written into the fresh output
folder and before it is swapped in, runs Pagefind on them (``finish_output``),
once per language: a language whose pages did not change keeps its index.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, NamedTuple

from .config import Language, SiteConfig
from .content import ArticleSource
from .diagnostics import Diagnostics
from .model import Site
from .shortcodes import Shortcode

if TYPE_CHECKING:
    from .cache import BuildCache
    from .plan import Planner
    from .render import Renderer
    from .writer import OutputFolder

BUNDLE_DIR = "pagefind"  # Pagefind's default; the search page loads its UI from here
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")  # what the search page links
ENTRY_FILE = "pagefind-entry.json"
ORIGIN = "templates/search.html"  # the file that makes search pages exist (for error messages)
BODY_MARKER = b"data-pagefind-body"
# Languages whose pages get the accent-free copy, and whose search page folds queries to match.
# Not English: a copy would cost it Pagefind's stemming ("insured" finding "insurance").
ACCENT_FREE_LANGUAGES = frozenset({"vi"})

_HTML_LANG = re.compile(r'<html\s[^>]*\blang="([^"]+)"')
# Markup and character references stay as they are in the copy; only text is folded.
_MARKUP = re.compile(
    r"""(<!--.*?-->|<[a-zA-Z/!](?:[^>"']|"[^"]*"|'[^']*')*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);)""",
    re.S,
)
# Attributes the copy must not repeat (metadata would be captured twice). Ids stay: Pagefind
# starts a new word at an element with an id, and the copy must split words as the original does.
_COPY_DROPS = re.compile(r'\sdata-pagefind-(?:meta|filter|sort|body)(?:="[^"]*")?(?=[\s/>])')
_START_TAG = re.compile(r"""<([a-zA-Z][a-zA-Z0-9-]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_FULLWIDTH_OFFSET = 0xFF21 - ord("A")  # "A" -> "Ａ", "a" -> "ａ", "0" -> "０"


class SearchIndexError(Exception):
    """Pagefind could not build the index; the message says why."""


class _CopyTable(dict):
    """``str.translate`` table for the copy, filled as characters are met: every letter without
    its marks, "đ" as "d", then ASCII letters and digits in their fullwidth forms. One
    character for one character, so positions in the copy are positions in the original."""

    def __missing__(self, code: int) -> int:
        char = chr(code)
        if char in "đĐ":
            char = "d" if char == "đ" else "D"
        elif not char.isascii():
            decomposed = unicodedata.normalize("NFD", char)
            base = decomposed[0]
            if len(decomposed) > 1 and not unicodedata.combining(base) and all(
                    map(unicodedata.combining, decomposed[1:])):
                char = base
        if char.isascii() and char.isalnum():
            char = chr(ord(char) + _FULLWIDTH_OFFSET)
        self[code] = ord(char)
        return self[code]


_COPY_TABLE = _CopyTable()


def accent_free_fullwidth(text: str) -> str:
    """The copy's text: "Đường Lạng Sơn" -> "Ｄｕｏｎｇ Ｌａｎｇ Ｓｏｎ"."""
    return text.translate(_COPY_TABLE)


def search_copy(html: str) -> str:
    """The copy of a ``data-pagefind-body`` element's content that accent-free queries search."""
    parts = _MARKUP.split(html)
    for index, part in enumerate(parts):
        if index % 2:  # markup: kept, minus metadata
            if part.startswith("<") and not part.startswith(("</", "<!")):
                parts[index] = _COPY_DROPS.sub("", part)
        else:
            parts[index] = accent_free_fullwidth(part)
    return "".join(parts)


class _Body(NamedTuple):
    """Offsets of a ``data-pagefind-body`` element in a page: its start tag, content and end tag."""

    start: int
    content_start: int
    content_end: int
    end: int


def _bodies(html: str) -> list[_Body]:
    """Every outermost ``data-pagefind-body`` element of a page.

    A scan rather than a parser (this runs on every article of every build): from the
    marked start tag, count the same element's start and end tags to its matching end."""
    bodies = []
    position = 0
    while (marker := html.find(" data-pagefind-body", position)) >= 0:
        position = marker + 1
        tag_start = html.rfind("<", 0, marker)
        opening = _START_TAG.match(html, tag_start)
        if opening is None or opening.end() <= marker:
            continue  # the words are text, not an attribute
        depth = 1
        tags = re.compile(rf"<(/?){re.escape(opening.group(1))}(?=[\s/>])", re.I)
        for tag in tags.finditer(html, opening.end()):
            depth += -1 if tag.group(1) else 1
            if depth == 0:
                end = html.find(">", tag.end()) + 1
                bodies.append(_Body(tag_start, opening.end(), tag.start(), end))
                position = end
                break
        else:
            break  # no end tag: nothing more to find
    return bodies


def index_document(html: str) -> str | None:
    """What Pagefind reads of a page: its language and its ``data-pagefind-body`` elements (so
    that a change elsewhere on the page, in the header or the stylesheet's address, leaves the
    index as it is), each followed, in ``ACCENT_FREE_LANGUAGES``, by its ``search_copy``.
    None for a page without such an element. Metadata (``data-pagefind-meta``) must therefore
    be marked inside the body element."""
    bodies = _bodies(html)
    if not bodies:
        return None
    found = _HTML_LANG.search(html)
    lang = found.group(1) if found else ""
    parts = []
    for body in bodies:
        if lang in ACCENT_FREE_LANGUAGES:
            copy = search_copy(html[body.content_start:body.content_end])
            parts.append(f"{html[body.start:body.content_end]}<div>{copy}</div>{html[body.content_end:body.end]}")
        else:
            parts.append(html[body.start:body.end])
    head = f'<!DOCTYPE html>\n<html lang="{lang}">\n<head><meta charset="utf-8"></head>\n<body>\n'
    return head + "\n".join(parts) + "\n</body>\n</html>\n"


def pagefind_binary() -> Path:
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:  # pragma: no cover - the pinned requirements install it
        raise SearchIndexError("the Pagefind binary is missing: install the pinned requirements "
                               "(pip install -r requirements.txt)") from exc
    return get_executable()


def indexed_digest(html: bytes) -> str | None:
    """The page's language (its ``<html lang>``, which Pagefind files it under), a space, and a
    hash of what ``index_document`` makes of it (its language and body elements; the copy follows
    from them); None for a page the index does not read. Cheaper than the document."""
    if BODY_MARKER not in html:
        return None
    text = html.decode("utf-8")
    bodies = _bodies(text)
    if not bodies:
        return None
    found = _HTML_LANG.search(text)
    lang = found.group(1) if found else ""
    h = hashlib.sha256(lang.encode("utf-8"))
    for body in bodies:
        part = text[body.start:body.end].encode("utf-8")
        h.update(len(part).to_bytes(8, "little") + part)
    return f"{lang} {h.hexdigest()}"


def _language_of(note: str) -> str:
    """The language of a page's ``indexed_digest``."""
    return note.rpartition(" ")[0]


def _pagefind_version() -> str:
    import importlib.metadata  # (here: 0.014 s of every build's start otherwise)

    try:
        return importlib.metadata.version("pagefind-bin")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def index_digest(pages: dict[str, str]) -> str:
    """What the index is made from: each indexed page's ``indexed_digest``, and the Pagefind that reads them."""
    h = hashlib.sha256(f"pagefind {_pagefind_version()}".encode("utf-8"))
    for path in sorted(pages):
        h.update(f"{path}\0{pages[path]}\n".encode("utf-8"))
    return h.hexdigest()


def build_index(folder: Path, documents: dict[str, str]) -> None:
    """Run Pagefind on ``documents`` (see ``index_documents``), writing ``folder/pagefind/``.

    Pagefind reads them from a temporary folder that mirrors the site's paths, so its
    result URLs are the pages' own.
    """
    bundle = folder / BUNDLE_DIR
    with tempfile.TemporaryDirectory(prefix="bantin-search-") as temporary:
        source = Path(temporary)
        for path, document in documents.items():
            target = source / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(document, encoding="utf-8")
        command = [str(pagefind_binary()), "--site", str(source), "--output-path", str(bundle), "--silent"]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchIndexError(f"could not run Pagefind: {exc}") from exc
    if proc.returncode != 0:
        output = " ".join((proc.stderr or proc.stdout).split())
        detail = f": {output}" if output else ""
        raise SearchIndexError(f"Pagefind failed (exit status {proc.returncode}){detail}")
    _normalize_entry(bundle / ENTRY_FILE)
    missing = [name for name in UI_FILES if not (bundle / name).is_file()]
    if missing:
        raise SearchIndexError(f"Pagefind did not write {', '.join(missing)}")


def _index_by_language(output: "OutputFolder", pages: dict[str, str],
                       record: dict) -> tuple[dict[str, dict] | None, dict | None]:
    """Index ``pages`` (path -> ``indexed_digest``) into the staging folder, one Pagefind run per
    language, and keep a language's index from the output as it is when its pages are those it was
    made from (``record``: the last build's, {} when the output has no index to keep). Pagefind
    makes each language's index from that language's pages alone, so the files of the runs side
    by side are the files of one run over every page (the same bytes: checked by
    tests/test_search.py), with one entry file naming each language. One run at a time holds one
    language's pages in memory, not all (Pagefind held 6.2 GB for 10,000 article pairs, 4.9 GB for
    their Vietnamese half), and an edit in one language indexes that language again, not both.
    Returns (each language's record: the digest of its pages, its entry, its files; the entry
    file as written), or (None, None) when the pages were indexed in one run (a run gave other
    than one language, two gave the same one, or two wrote a shared file differently: the runs
    side by side would not be the one run's files)."""
    groups: dict[str, dict[str, str]] = {}
    for path in sorted(pages):
        groups.setdefault(_language_of(pages[path]), {})[path] = pages[path]
    known = record.get("languages")
    known = known if isinstance(known, dict) else {}
    skeleton = record.get("entry")
    kept: dict[str, dict] = {}
    runs: dict[str, str] = {}  # language -> the digest of its pages, for those indexed again
    for lang, group in groups.items():
        group_digest = index_digest(group)
        before = known.get(lang)
        if _still_there(before, group_digest, output.present):
            kept[lang] = before
        else:
            runs[lang] = group_digest
    if not runs and not isinstance(skeleton, dict):  # (a record without its entry: index it all)
        kept, runs = {}, {lang: index_digest(group) for lang, group in groups.items()}
    bundle = output.staging / BUNDLE_DIR
    with tempfile.TemporaryDirectory(prefix=".search-", dir=output.staging) as temporary:
        made: dict[str, tuple[Path, dict, list[str]]] = {}
        for number, lang in enumerate(sorted(runs)):
            folder = Path(temporary) / str(number)
            build_index(folder, {path: index_document(output.current(path).decode("utf-8")) for path in groups[lang]})
            entry = json.loads((folder / BUNDLE_DIR / ENTRY_FILE).read_text(encoding="utf-8"))
            files = sorted(p.relative_to(folder / BUNDLE_DIR).as_posix() for p in (folder / BUNDLE_DIR).rglob("*")
                           if p.is_file() and p != folder / BUNDLE_DIR / ENTRY_FILE)
            made[lang] = (folder / BUNDLE_DIR, entry, files)
        named = [code for _, entry, _ in made.values() for code in entry.get("languages", {})] + [
            code for before in kept.values() for code in before["entry"]]
        if any(len(entry.get("languages", {})) != 1 for _, entry, _ in made.values()) \
                or len(named) != len(set(named)) or not _shared_files_agree(made.values()):
            made.clear()  # (their files, in the temporary folder, go with it)
            _index_in_one_run(output, pages)
            return None, None
        merged: dict[str, dict] = {}
        languages: dict[str, dict] = {}
        for lang, before in kept.items():
            output.keep_files(f"{BUNDLE_DIR}/{name}" for name in before["files"])
            merged.update(before["entry"])
            languages[lang] = before
        for lang, (folder, entry, files) in sorted(made.items()):
            for name in files:
                path = f"{BUNDLE_DIR}/{name}"
                if path in output.staged:  # a file every run writes (Pagefind's script, its UI): the same
                    continue
                (bundle / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(folder / name, bundle / name)
                output.staged.add(path)
            merged.update(entry["languages"])
            languages[lang] = {"digest": runs[lang], "entry": entry["languages"], "files": files}
            skeleton = entry
    entry = {key: dict(sorted(merged.items())) if key == "languages" else value for key, value in skeleton.items()}
    bundle.mkdir(parents=True, exist_ok=True)
    (bundle / ENTRY_FILE).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    output.staged.add(f"{BUNDLE_DIR}/{ENTRY_FILE}")
    return dict(sorted(languages.items())), entry


def _shared_files_agree(runs) -> bool:
    """Whether the files of the same name that several runs wrote (Pagefind's script, its UI) have
    the same bytes in each."""
    first: dict[str, Path] = {}
    for folder, _, files in runs:
        for name in files:
            if name in first:
                if (folder / name).read_bytes() != first[name].read_bytes():
                    return False
            else:
                first[name] = folder / name
    return True


def _still_there(before: object, digest: str, present: frozenset[str]) -> bool:
    """Whether a language's record describes an index of pages with this digest whose files the
    output holds."""
    return (isinstance(before, dict) and before.get("digest") == digest and isinstance(before.get("entry"), dict)
            and isinstance(before.get("files"), list)
            and all(isinstance(name, str) and f"{BUNDLE_DIR}/{name}" in present for name in before["files"]))


def _index_in_one_run(output: "OutputFolder", pages: dict[str, str]) -> None:
    """Every page indexed by one Pagefind run, into the staging folder."""
    documents = {path: index_document(output.current(path).decode("utf-8")) for path in sorted(pages)}
    build_index(output.staging, documents)
    output.staged.update(f"{BUNDLE_DIR}/{p.relative_to(output.staging / BUNDLE_DIR).as_posix()}"
                         for p in (output.staging / BUNDLE_DIR).rglob("*") if p.is_file())


def _normalize_entry(path: Path) -> None:
    """Pagefind lists the languages of its entry file in hash-map order, which changes from run
    to run; sorted, the same pages always give the same bytes."""
    entry = json.loads(path.read_text(encoding="utf-8"))
    entry["languages"] = dict(sorted(entry["languages"].items()))
    path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def search_url(lang: Language) -> str:
    return f"{lang.prefix}{lang.sections.search}/"


class SearchSection:
    """Search pages per language, and the index written with the output (see the module's doc).

    Templates see it as ``search``: ``search.enabled(lang.code)`` and ``search.url(lang)``.
    """

    name = "search"

    def __init__(self) -> None:
        self.languages: frozenset[str] = frozenset()  # languages with articles, hence a search page
        self.indexed: dict[str, str] = {}  # page rendered in this build -> its indexed_digest
        self.rendered: set[str] = set()

    # Section protocol

    def load(self, root: Path, config: SiteConfig, articles: list[ArticleSource], diagnostics: Diagnostics) -> None:
        """Search has no sources of its own."""

    def shortcodes(self, renderer: "Renderer", diagnostics: Diagnostics) -> Iterable[Shortcode]:
        return ()

    def check(self, site: Site, diagnostics: Diagnostics) -> None:
        if not site.config.search:  # `search: false` in site_config.yaml
            self.languages = frozenset()
            return
        self.languages = frozenset(code for code, local in site.languages.items() if local.articles)

    def plan(self, planner: "Planner") -> None:
        present = [lang for lang in planner.config.languages if lang.code in self.languages]
        if not present:
            return
        # Alternates (hreflang, with the default language as x-default) when that one has the page too.
        codes = {lang.code for lang in present}
        alternates = tuple((lang.code, search_url(lang)) for lang in present)
        if len(codes) < 2 or planner.config.default_language not in codes:
            alternates = ()
        for lang in present:
            planner.page(lang, search_url(lang), "search.html", "search page", alternates, origin=ORIGIN)
        for name in UI_FILES:
            planner.expect(f"{BUNDLE_DIR}/{name}", f"search bundle file '{name}' (written by Pagefind)", ORIGIN)

    def fingerprint(self) -> str:
        return hashlib.sha256(repr(sorted(self.languages)).encode("utf-8")).hexdigest()

    def page_note(self, path: str, data: bytes) -> str | None:
        """What the index needs of a page rendered in this build (run where the page was rendered,
        page_work.py): the digest of its indexed text; nothing without search (decoding and
        hashing the pages of 10,000 article pairs for no index was about a CPU second)."""
        return indexed_digest(data) if self.languages and path.endswith(".html") else None

    def page_noted(self, path: str, digest: str | None) -> None:
        """Each rendered page's ``page_note``, in page order (reused pages keep last build's digest)."""
        if digest is not None:
            self.indexed[path] = digest
        self.rendered.add(path)

    def finish_output(self, output: "OutputFolder", site_pages: set[str], cache: "BuildCache",
                      refresh: bool = True) -> None:
        """Index the pages before the output is committed (``SearchIndexError`` if Pagefind fails).
        When the indexed pages are those the current index was built from, that index is left as
        it is: Pagefind cannot update an index, and rebuilding one takes seconds on a large site.
        ``refresh`` false (the preview) leaves an existing index as it is even when pages changed;
        the record keeps describing that index, so the next refreshing build rebuilds it."""
        if not self.languages:
            cache.sections.pop(self.name, None)
            return
        record = cache.sections.get(self.name)
        record = record if isinstance(record, dict) else {}  # {"digest": of the index, "pages": path -> digest}
        before = record.get("pages", {})
        # A page that was not rendered is unchanged, and so is what the index read of it; but a
        # record of a version that did not note each page's language has it read once more.
        pages = {p: d if type(d) is str and " " in d else indexed_digest(output.current(p))
                 for p, d in before.items() if p in site_pages and p not in self.rendered}
        pages = {**{p: d for p, d in pages.items() if d is not None}, **self.indexed}
        if not pages:
            raise SearchIndexError("no page marks an element data-pagefind-body, so there is nothing to index "
                                   "(templates/article.html marks the <article>)")
        in_place = output.in_place and (output.out / BUNDLE_DIR / ENTRY_FILE).is_file()
        if not refresh and in_place:
            output.keep(BUNDLE_DIR + "/")
            # The pages as they are now, the digests of the index as it is: they differ until a refresh.
            cache.sections[self.name] = {**record, "pages": dict(sorted(pages.items()))}
            return
        digest = index_digest(pages)
        if in_place and record.get("digest") == digest:
            output.keep(BUNDLE_DIR + "/")
            languages, entry = record.get("languages"), record.get("entry")
        else:
            languages, entry = _index_by_language(output, pages, record if in_place else {})
        cache.sections[self.name] = {"digest": digest, "pages": dict(sorted(pages.items())),
                                     "languages": languages, "entry": entry}

    def patched_record(self, record: object, notes: dict[str, str | None],
                       output: "OutputFolder") -> tuple[bool, dict | None]:
        """(True, the record ``finish_output`` leaves with ``refresh`` false when only the pages of
        ``notes`` were rendered again: their digests, the index as it is), for the preview's saved
        edit (warm_edit.py); (True, None): no record, as no language has the index; (False, None)
        when ``finish_output`` would do more than that (no index yet: one is built)."""
        if not self.languages:
            return True, None
        if not isinstance(record, dict) or not isinstance(record.get("pages"), dict) \
                or not (output.out / BUNDLE_DIR / ENTRY_FILE).is_file():
            return False, None
        pages = dict(record["pages"])
        for path, digest in notes.items():
            if digest is None:
                pages.pop(path, None)
            else:
                pages[path] = digest
        return True, {**record, "pages": dict(sorted(pages.items()))}

    # For templates

    def enabled(self, code: str) -> bool:
        return code in self.languages

    def folds_accents(self, code: str) -> bool:
        """Whether this language's index has the accent-free copy, which its queries must match."""
        return code in ACCENT_FREE_LANGUAGES

    def url(self, lang: Language) -> str:
        return search_url(lang)
