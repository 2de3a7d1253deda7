"""Every output of the build, decided before anything is rendered (no I/O here).

A page knows its template, its data, and its place among languages: its true
translations (``alternates``, used for hreflang) and where the language switcher
goes for each other language (the translation, or a fallback with a note).
"""

from __future__ import annotations

import datetime as dt
import dataclasses
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from . import urls
from .cache import KeyValueTable, digest
from .config import CONFIG_FILE, Language
from .diagnostics import Diagnostics, Location
from .i18n import UiStrings
from .model import Article, Site, Term, TermPage
from .records import plain_repr

ASSETS_DIR = "templates/assets"
PAGE_WINDOW = 2  # page numbers linked on each side of the current list page
ARTICLE_TEMPLATE = "article.html"


@plain_repr
@dataclass(frozen=True)
class TermCount:
    """A line of the tag or author index."""

    term: Term
    url: str
    count: int


@plain_repr
@dataclass(frozen=True)
class SitemapEntry:
    """One page in sitemap.xml: what the sitemap shows of it, so that the sitemap is rendered
    again only when one of these changes (not when an article's body does)."""

    url: str
    lastmod: dt.datetime | None  # articles only
    alternates: tuple[tuple[str, str], ...]


# Slots for the records a large site has by the ten thousand: no dict each, and pickling one (to
# the page workers) makes none that stays (CPython makes an object's ``__dict__`` when pickle asks
# for it: 19,000 pages and as many switches at 10,000 pairs, 7 MB through the build).
@plain_repr
@dataclass(frozen=True, slots=True)
class Switch:
    """The language switcher's link to one other language."""

    lang: str
    url: str
    translated: bool
    note: str | None = None  # shown when there is no translation, in the target language


@dataclass(frozen=True, slots=True)  # (slots: see Switch)
class PageOutput:
    path: str  # output file, relative to the output folder
    url: str  # site-relative URL
    lang: str
    template: str
    what: str  # how an editor would name this page, for error messages
    origin: str  # the file that decides this page exists (error location)
    data: Mapping[str, Any] = field(default_factory=dict)
    alternates: tuple[tuple[str, str], ...] = ()  # (language, url) of every version, itself included
    switches: tuple[Switch, ...] = ()
    in_sitemap: bool = True


@dataclass(frozen=True, slots=True)  # (slots: see Switch; 40,000 image links at 10,000 pairs)
class CopyOutput:
    path: str
    source: Path
    what: str  # what needs this file, for error messages
    origin: str


@dataclass(frozen=True)
class DataOutput:
    path: str
    data: bytes
    what: str
    origin: str


@dataclass(frozen=True)
class ExpectedOutput:
    """A file another tool writes into the output folder after the pages (the search index)."""

    path: str
    what: str
    origin: str


@dataclass(frozen=True)
class Plan:
    pages: tuple[PageOutput, ...]
    copies: tuple[CopyOutput, ...]
    data_files: tuple[DataOutput, ...] = ()
    expected: tuple[ExpectedOutput, ...] = ()  # links to these are valid; their writer checks they exist


@dataclass(frozen=True)
class Planned:
    """Outputs one part of the build planned (see ``Planner.since``)."""

    pages: tuple[PageOutput, ...]
    copies: tuple[CopyOutput, ...]
    data_files: tuple[DataOutput, ...]
    expected: tuple[ExpectedOutput, ...]
    made_keys: tuple[str, ...]


# Values that are equal by == only when they render alike. A datetime equal to one in another zone,
# or 1 == 1.0 == True, would render differently: other values count as the same only when they are
# the same object, or records of the same values.
_EXACT = frozenset({str, int, bool, type(None)})


def same(a: Any, b: Any) -> bool:
    """Whether two planned values render alike: the same object, or the same exact scalars, in
    sequences, mappings and frozen records of the same shape. False whenever unsure."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in _EXACT:
        return a == b
    if kind is dt.datetime:  # the same wall time in the same zone object (== ignores fold within a zone)
        return a == b and a.tzinfo is b.tzinfo and a.fold == b.fold
    if kind is dt.date:
        return a == b
    if kind is tuple or kind is list:
        # Mostly the very same objects (a tag page's cards): checked at C speed first.
        return len(a) == len(b) and (all(map(operator.is_, a, b)) or all(map(same, a, b)))
    if kind is MappingProxyType or kind is dict:
        if len(a) != len(b) or list(a) != list(b):
            return False
        return all(map(operator.is_, a.values(), b.values())) or all(map(same, a.values(), b.values()))
    names = _FROZEN_FIELDS.get(kind)
    if names is None:
        params = getattr(kind, "__dataclass_params__", None)
        names = _FROZEN_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind)) \
            if params is not None and params.frozen else ()
    return bool(names) and all(same(getattr(a, name), getattr(b, name)) for name in names)


_FROZEN_FIELDS: dict[type, tuple[str, ...]] = {}  # field names of each frozen record type; () for others


def paginate(items: tuple, per_page: int) -> list[tuple]:
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [()]


class Planner:
    """Collects the outputs of the build; sections (news, calendar, stats) add theirs."""

    def __init__(self, site: Site, ui: UiStrings, made: KeyValueTable | None = None,
                 previous: dict[str, PageOutput] | None = None,
                 previous_copies: dict[str, tuple[CopyOutput, ...]] | None = None,
                 article_data: tuple[Callable[[Article], Mapping[str, Any]], ...] = ()):
        """``previous``, ``previous_copies``: the pages of the preview's last build by path, and its
        copies by origin (warm.py); ``article_data``: what sections add to an article page's data
        (``article_page_data`` of the Section protocol)."""
        self.site = site
        self.article_data = article_data
        self._previous = previous or {}
        self._previous_copies = previous_copies or {}
        self.config = site.config
        self.ui = ui
        self.made = made  # generated files of earlier builds, by the hash of their inputs
        self._made_rows: dict[str, str] | None = None
        self.pages: list[PageOutput] = []
        self.copies: list[CopyOutput] = []
        self.data_files: list[DataOutput] = []
        self.expected: list[ExpectedOutput] = []
        self.made_keys: list[str] = []  # the cache rows made_data used, in order

    def shared(self, url_of: Callable[[Language], str]) -> tuple[tuple[str, str], ...]:
        """Alternates of a page every language has (home, indexes): ``url_of(language)``."""
        return tuple((lang.code, url_of(lang)) for lang in self.config.languages)

    def page(self, lang: Language, url: str, template: str, what: str, alternates=(), fallback=urls.home,
             note_key: str | None = None, in_sitemap: bool = True, origin: str = CONFIG_FILE, **data) -> None:
        """Plan one page. ``fallback(language)`` is where the switcher goes without a translation;
        ``note_key`` names the UI string that tells the reader so."""
        path, what = urls.output_path(url), f"{what} ({lang.code})"
        alternates, data = tuple(alternates), MappingProxyType(data)
        switches = self._switches(lang, dict(alternates), fallback, note_key)
        earlier = self.earlier(path)
        # The very page object of the last build when nothing in it changed: its fingerprint is then
        # known (the preview hashed 22,000 pages on every save of a large archive). Alternates and
        # switches hold only texts and booleans, which == compares exactly.
        if earlier is not None and earlier.url == url and earlier.template == template \
                and earlier.lang == lang.code and earlier.what == what and earlier.origin == origin \
                and earlier.in_sitemap is in_sitemap and earlier.alternates == alternates \
                and earlier.switches == switches and same(earlier.data, data):
            self.pages.append(earlier)
            return
        self.pages.append(PageOutput(path=path, url=url, lang=lang.code, template=template, what=what,
                                     origin=origin, data=data, alternates=alternates,
                                     switches=switches, in_sitemap=in_sitemap))

    def earlier(self, path: str) -> PageOutput | None:
        """The page of the preview's last build at ``path`` (see ``page``)."""
        return self._previous.get(path)

    def earlier_copies(self, origin: str) -> tuple[CopyOutput, ...]:
        """The copies the preview's last build planned from ``origin`` (a source file)."""
        return self._previous_copies.get(origin, ())

    def copy(self, path: str, source: Path, what: str, origin: str) -> None:
        self.copies.append(CopyOutput(path, source, what, origin))

    def data(self, path: str, data: bytes, what: str, origin: str) -> None:
        """A file produced in Python rather than from a template (ICS, JSON, CSV)."""
        self.data_files.append(DataOutput(path, data, what, origin))

    def made_data(self, path: str, inputs: str, make: Callable[[], bytes], what: str, origin: str) -> None:
        """A text file that is a pure function of ``inputs`` (a text naming everything ``make``
        reads): made once, then taken from the cache for as long as its inputs stay the same."""
        key = digest(inputs)
        self.made_keys.append(key)
        if self.made is not None and self._made_rows is None:
            self._made_rows = self.made.everything()
        text = (self._made_rows or {}).get(key)
        if text is not None:
            self.made.mark_used(key)
            data = text.encode("utf-8")
        else:
            data = make()
            if self.made is not None:
                self.made.put(key, data.decode("utf-8"))
        self.data(path, data, what, origin)

    def mark(self) -> tuple[int, ...]:
        """Where the outputs planned so far end: ``since(mark)`` gives those planned after."""
        return len(self.pages), len(self.copies), len(self.data_files), len(self.expected), len(self.made_keys)

    def since(self, mark: tuple[int, ...]) -> "Planned":
        return Planned(tuple(self.pages[mark[0]:]), tuple(self.copies[mark[1]:]), tuple(self.data_files[mark[2]:]),
                       tuple(self.expected[mark[3]:]), tuple(self.made_keys[mark[4]:]))

    def replay(self, planned: "Planned") -> None:
        """Plan again, as the very same objects, what a section planned in an earlier build from
        the same inputs (warm.py)."""
        self.pages += planned.pages
        self.copies += planned.copies
        self.data_files += planned.data_files
        self.expected += planned.expected
        self.made_keys += planned.made_keys
        if self.made is not None:
            for key in planned.made_keys:  # still in use: kept for the next command-line build
                self.made.mark_used(key)

    def expect(self, path: str, what: str, origin: str) -> None:
        """A file written after the pages by another tool (Pagefind), so links to it are not broken."""
        self.expected.append(ExpectedOutput(path, what, origin))

    def _switches(self, lang: Language, present: dict[str, str], fallback_of, note_key) -> tuple[Switch, ...]:
        result = []
        for other in self.config.other_languages(lang.code):
            if other.code in present:
                result.append(Switch(other.code, present[other.code], True))
                continue
            note = None
            if note_key:
                strings = self.ui.for_language(other.code)
                note = strings[note_key].format(language=strings[f"language_{lang.code}"])
            result.append(Switch(other.code, fallback_of(other), False, note))
        return tuple(result)

    def finish(self, diagnostics: Diagnostics) -> Plan:
        outputs = [*self.pages, *self.copies, *self.data_files, *self.expected]
        _refuse_duplicate_paths(outputs, diagnostics)
        return Plan(tuple(self.pages), tuple(self.copies), tuple(self.data_files), tuple(self.expected))


def plan_news(planner: Planner) -> None:
    """Home, news lists, articles (with their images), tags, authors, 404 and feed, per language."""
    site, config, page = planner.site, planner.config, planner.page
    alternates_of: dict[str, tuple[tuple[str, str], ...]] = {}  # base name -> its pages' alternates
    for lang in config.languages:
        local = site.languages[lang.code]
        articles = local.articles
        # Lists get cards (no body), so a body edit re-renders only the pages that show the body.
        cards = tuple(article.card for article in articles)
        page(lang, urls.home(lang), "home.html", "home page", planner.shared(urls.home),
             articles=cards[: config.per_page], has_more=len(articles) > config.per_page)

        chunks = paginate(cards, config.per_page)
        for number, chunk in enumerate(chunks, start=1):
            plan_news_page(planner, lang, number, len(chunks), chunk)

        for article in articles:
            plan_article(planner, lang, article, alternates_of)

        # Indexes get counts, not articles, so editing a body does not re-render them.
        page(lang, urls.tags(lang), "tags.html", "tag index", planner.shared(urls.tags), terms=_counts(local.tags))
        for term_page in local.tags:
            plan_term_page(planner, lang, term_page, "tag")
        page(lang, urls.authors(lang), "authors.html", "author index", planner.shared(urls.authors),
             terms=_counts(local.authors))
        for term_page in local.authors:
            plan_term_page(planner, lang, term_page, "author", tuple(
                other.code for other in config.languages
                if any(t.term.slug == term_page.term.slug for t in site.languages[other.code].authors)))
        page(lang, urls.not_found(lang), "404.html", "404 page", in_sitemap=False)
        plan_feed(planner, lang, articles[: config.feed_entries])


def plan_news_page(planner: Planner, lang: Language, number: int, count: int, cards: tuple) -> None:
    """Page ``number`` of ``count`` of a language's news list, showing ``cards``."""
    planner.page(lang, urls.news(lang, number), "news.html", f"news list page {number}",
                 planner.shared(urls.news) if number == 1 else (), fallback=urls.news,
                 articles=cards, pagination=pagination(lang, number, count))


def plan_term_page(planner: Planner, lang: Language, term_page: TermPage, kind: str,
                   languages: tuple[str, ...] = ()) -> None:
    """A tag's page ("tag") or an author's ("author"); ``languages``: the codes of the languages
    whose authors include this one, this page's among them (an author's pages link each other)."""
    index = urls.tags if kind == "tag" else urls.authors
    alternates = tuple((other.code, urls.author(other, term_page.term.slug))
                       for other in planner.config.languages if other.code in languages)
    planner.page(lang, term_page.url, "term.html", f"{kind} page '{term_page.term.name}'",
                 alternates if len(alternates) > 1 else (), fallback=index, term_page=term_page, kind=kind)


def plan_feed(planner: Planner, lang: Language, articles: tuple[Article, ...]) -> None:
    """A language's Atom feed of its newest ``articles`` (in full: a feed shows their bodies)."""
    planner.page(lang, urls.feed(lang), "atom.xml", "Atom feed", in_sitemap=False, articles=articles)


def plan_article(planner: Planner, lang: Language, article: Article,
                 alternates_of: dict[str, tuple[tuple[str, str], ...]]) -> None:
    """An article's page and its images (``alternates_of``: base name -> its pages' alternates, filled
    as the versions come; the same for each)."""
    site, config = planner.site, planner.config
    alternates = alternates_of.get(article.base)
    if alternates is None:  # the same for every version of the article
        versions = site.translations.get(article.base, {})
        alternates = tuple((code, versions[code].url) for code in config.codes if code in versions)
        alternates = alternates_of[article.base] = alternates if len(alternates) > 1 else ()
    # A stale translation links its original (None when it is current or the original unpublished).
    original = site.translation(article, article.stale_original) if article.stale_original else None
    extra = _article_data(planner.article_data, article)
    earlier = planner.earlier(urls.output_path(article.url))
    if earlier is not None and earlier.data.get("article") is article \
            and earlier.data.get("stale_original") is original and earlier.alternates == alternates \
            and _same_data(earlier.data, extra):
        # The preview's last page of this very article, with the same translations: the rest of
        # the page (its language switch) comes from those and the UI strings, which the article
        # was made from too; its images are the same objects, copied to the same places.
        # Planning 19,000 such pages and 40,000 copies again was a tenth of a second per save.
        planner.pages.append(earlier)
        planner.copies += planner.earlier_copies(article.rel)
        return
    planner.page(lang, article.url, ARTICLE_TEMPLATE, "article", alternates, note_key="untranslated_note",
                 origin=article.rel, article=article, stale_original=original, **extra)
    for image in article.images:  # resized, stripped variants from the image cache (images.py)
        for variant in image.variants:
            planner.copy(article.url + variant.name, variant.file, f"image '{variant.name}'", article.rel)


def _article_data(hooks: tuple[Callable[[Article], Mapping[str, Any]], ...], article: Article) -> Mapping[str, Any]:
    """What the sections add to an article page's data (Planner's ``article_data``)."""
    if len(hooks) == 1:
        return hooks[0](article)
    return {key: value for data_of in hooks for key, value in data_of(article).items()}


def _same_data(data: Mapping[str, Any], extra: Mapping[str, Any]) -> bool:
    """Whether a page's data has each of ``extra``'s values (the very object, or ``same``)."""
    for key, value in extra.items():
        if key not in data:
            return False
        if data[key] is not value and not same(data[key], value):
            return False
    return True


def _counts(term_pages: tuple[TermPage, ...]) -> tuple[TermCount, ...]:
    return tuple(TermCount(tp.term, tp.url, len(tp.articles)) for tp in term_pages)


def sitemap_entry(page: PageOutput) -> SitemapEntry:
    """What the sitemap shows of a page: its address, its article's last date, its versions."""
    return SitemapEntry(page.url, page.data["article"].updated_or_published if "article" in page.data else None,
                        page.alternates)


def plan_site_files(planner: Planner, root: Path) -> None:
    """Sitemap, robots.txt and the theme's assets."""
    default = planner.config.language(planner.config.default_language)
    # A page that is the preview's last page object has the entry it had (and the sitemap, then
    # made of the very same entries, is the last one too: see Planner.page).
    earlier = planner.earlier(urls.output_path("sitemap.xml"))
    known = {entry.url: entry for entry in earlier.data.get("entries", ())} if earlier is not None else {}
    entries = tuple(
        known[page.url] if page.url in known and planner.earlier(page.path) is page else
        sitemap_entry(page)
        for page in planner.pages if page.in_sitemap
    )
    planner.page(default, "sitemap.xml", "sitemap.xml", "sitemap", in_sitemap=False, entries=entries)
    planner.page(default, "robots.txt", "robots.txt", "robots.txt", in_sitemap=False)
    assets = root / ASSETS_DIR
    for asset in sorted(p for p in assets.rglob("*") if p.is_file()) if assets.is_dir() else []:
        rel = asset.relative_to(assets).as_posix()
        planner.copy(f"assets/{rel}", asset, f"theme asset '{rel}'", f"{ASSETS_DIR}/{rel}")


@lru_cache(maxsize=4096)  # the same object for the same page: the preview's plan compares it at once
def pagination(lang: Language, number: int, count: int) -> Mapping[str, Any]:
    return MappingProxyType({
        "number": number,
        "count": count,
        "previous": urls.news(lang, number - 1) if number > 1 else None,
        "next": urls.news(lang, number + 1) if number < count else None,
        # (number, url) of the pages linked; a jump in the numbers is a gap ("…").
        "pages": tuple((n, urls.news(lang, n)) for n in page_window(number, count)),
    })


def page_window(number: int, count: int, around: int = PAGE_WINDOW) -> list[int]:
    """The page numbers a list page links: the first, the last, and ``around`` on each side of
    the current one (a gap of a single page shows that page instead). Listing every number
    would make each page of a 1,000-page archive 1,000 links long."""
    shown = sorted({1, count} | set(range(max(1, number - around), min(count, number + around) + 1)))
    window: list[int] = []
    for n in shown:
        if window and n - window[-1] == 2:
            window.append(n - 1)
        window.append(n)
    return window


def _refuse_duplicate_paths(outputs, diagnostics: Diagnostics) -> None:
    """Like Pelican's writer: two things may never be written to the same path."""
    owners: dict[str, PageOutput | CopyOutput | DataOutput | ExpectedOutput] = {}
    for output in outputs:
        first = owners.setdefault(output.path, output)
        if first is not output and (first.what, first.origin) != (output.what, output.origin):
            diagnostics.error(
                Location(output.origin),
                f"output path '{output.path}' is written twice ({first.what} and {output.what})",
            )
