"""A rebuild after an edit to an article (or a few): its body, what its card shows (a summary, a
title), its tags or authors, its dates, or its address (a new title without ``slug``), without
the rest of the site.

A command-line rebuild of a large archive spends seconds making its model again (19,000
kept articles decoded, 22,000 pages planned and hashed) though an edit to one body
changes one page, or two when the article has a translation (whose page notes that its
original changed), and an edit to its summary a dozen (the lists that show its card).
This path answers such an edit from the records of the last build instead, and leaves
every other case to the full build (pipeline.py), which is always right. It applies when:

- the last build of this output succeeded and left its state (state.BuildState) with the
  same options, on the same day, before the next scheduled article goes live, and search
  is off (an edited body changes the search index, which Pagefind makes whole);
- nothing but article files changed (in their bytes: state.input_stamps), at most ``MAX_EDITED``
  of them edited or deleted and ``MAX_ADDED`` new ones (new and deleted articles: see below),
  and the output folder still holds every file the last build wrote;
- the articles of the edited files and of their translations, assembled again, differ
  from those the last build kept in their bodies (with the images they show) and their
  "original changed" state alone,
  or, when the last build recorded its list pages (listing.py), in ``LISTED_FIELDS`` too
  (what a card shows but its address, date, terms and image, which move it or change other
  pages; and the source and caption its own page shows), but the title or address of an article
  a section's pages show (the calendar's pages show those of the articles its events link),
  in its tags or authors, each named as it was (a term new to the site has its page come, one left
  empty its page go, but for an author whose pages in other languages link hers), and
  in its address (``MOVED_FIELDS``: a new title without ``slug``) when no other file has the new
  one and the sitemap was recorded with the lists, or in its dates (``DATED_FIELDS``) when its
  card moves across at most ``relist.MAX_PAGES_CROSSED`` news pages, does not leave a full feed and
  leaves the last year the site has content for as it was (or both an address and dates);
- the pages that show those articles in full are their own pages and the feeds (whose
  other entries come from the cache, in the order the last build gave them), no page's
  templates read ``site`` or ``plan`` (every article in full), and the article template
  reads no global that only the whole site can answer (those, ``calendar``, ``stats``).

It then renders those pages and the list pages that show the changed cards (from their
records, with the other cards from the cache; a tag's or author's page the card leaves or
joins, made anew or deleted with its sitemap entry when the term comes or goes, and the index
with the new counts; the sections they read put back as the whole
site's check left them, with the fingerprints the last build gave them), checks their links
against the output's files, and keeps the cache as a full build would. An article whose body
shows other images has them copied beside its page, and the files of those it no longer shows
deleted (a kept page that links one sends the build to the full path). An article with a new
address also has its old page and images deleted, its images copied beside the new page, its
translations' pages (their language switch) and the sitemap (from its record) rendered again,
and every kept page that may link the old address looked through, in a forked process started
as soon as its front matter is seen changed (``EarlyLook``; one that links it sends the build to
the full path, which reports it).
An article with new dates has its card put in its new place on its tag and author pages and on
the news pages between its old place and its new one (read as they are needed), the home page
with the first of them, and its feed's and the sitemap's entries in their new order.
A new article (a file the last build did not have: a new article, or a new translation of one an
event does not link, whose other versions' pages are rendered again for their language switch and
their sitemap entries made again; or a draft or scheduled article of the last build published, which
had no page, as its front matter then, still in the cache, tells), when it is published, names no
event, keeps the site's last year, takes no file's address and comes with no re-dated one, has its
page made and its card put in its place on its language's news pages: each card after it moves a
place down, so every page from its place to the last is rendered again (at most
``relist.MAX_PAGES_CROSSED``), every page when the list gets a page more at the end (they show the
page count); the home page with the first; its tags' and authors' pages as for a new tag (a term new
to the site has its page come); its feed, and the sitemap with its entry and the new page's. Many
pages (the newest article of a large archive) render on every core.
A deleted article (every version of it deleted, no event linking it, published by the last build),
or one made a draft (``draft: true``) or scheduled (dated after now; its translations' pages and
sitemap entries made again, as for a new translation), is the same the other way: its page and images deleted (a
kept page that links them sends the build to the full path, which reports the link, as for a new
address), its card taken out of its news pages (the cards after it move up; every page when the list
gets a page shorter, whose last page is deleted), its terms' pages and indexes, its feed (a full one
takes the next article in) and the sitemap; the site's last year must stay (the newest article left
is in it). A renamed file is both: the old article goes and the new one comes, at the same address
when its title is the same (its page and sitemap entry take the old ones' place).
A draft or scheduled article, new, edited (still one) or deleted, changes no page; the first
scheduled one to go live ends the quick path then (the state's ``valid_until``), if earlier.
The records kept: the pages' fingerprints in the output's record (as a patch to it), the new
articles in place of the ones they replace, the list pages' new records, the files' records
and the state.
Its output is byte-identical to a full build's (tests/test_quick.py builds both ways).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from .assemble import Selection, assemble, unpublished
from . import listing
from .assembled import AssembledArticles
from .cache import CACHE_DIR, BuildCache
from .config import SiteConfig
from .content import CheckedFrontMatter, NamedSource, SourceRecords, article_files, load_articles, split_name
from .diagnostics import Diagnostics
from .fingerprint import TemplateGraph
from .i18n import UiStrings
from .images import ImageAsset, ImageProcessor, Variant
from .links import LinkChecker, file_reader, linked_into, may_link
from .model import ARTICLE_FIELDS, Article, ArticleCard, Site, Term, TermPage
from .page_work import Meanwhile, PageWork, do_pages
from .relist import (PAGE_KINDS, SITEMAP, TERM_KINDS, NewsPage, SitemapInsert, TermChange,
                     added_in_sitemap, counts_terms, dated_in_sitemap, is_sitemap, moved_in_sitemap, read_one,
                     last_year_stays, redated, redated_feed, restacked, retermed_pages, termed_in_sitemap,
                     years_kept)
from .plan import (ARTICLE_TEMPLATE, Plan, Planner, SitemapEntry, Switch, TermCount, plan_article, plan_feed,
                   plan_news_page, plan_term_page)
from .render import Renderer
from .sections import all_sections, load_sections
from .state import BuildState, InputStamps
from .textio import nfc
from . import urls
from .urls import feed as feed_url, output_path, page_url
from .writer import OutputFolder, source_stamp

_MOMENTS = ("published", "updated")  # compared by repr too: equal instants in two zones render apart
MAX_EDITED = 4  # article files; more edits than this (a checkout, a batch import) take the full build
# New article files: a day's articles pushed at once shift the same news pages as one does; a batch
# import takes the full build, which assembles them on every core.
MAX_ADDED = 12
# Globals that hold every article in full: when any page's templates read one, a body shows on every
# such page, and every edit takes the full build.
SITE_WIDE_GLOBALS = frozenset({"site", "plan"})
# Globals only the whole site can answer: an article page whose templates read one takes the full build.
WHOLE_SITE_GLOBALS = SITE_WIDE_GLOBALS | {"calendar", "stats"}
# What an edit to a body may change in its article (and a translation's "original changed" note in
# that translation's): anything else shows on other pages.
PAGE_ONLY_FIELDS = frozenset({"body_html", "stale_original", "images"})  # (the images its body shows: copied beside it)
# What else an edit may change when the list pages can be rendered again: what a card shows of an
# article but its address, date, terms and image (those move it, or change other pages), and what
# its own page alone shows.
LISTED_FIELDS = PAGE_ONLY_FIELDS | {"title", "summary", "dateline", "cover_alt", "source", "source_url",
                                    "cover_caption"}
# What else may change when the sitemap is recorded too: the address (a new title without ``slug``).
# The article's page moves, with its images; its translations' pages and the sitemap name the new one.
MOVED_FIELDS = LISTED_FIELDS | {"slug", "url"}
# And its dates: the card moves within the lists in date order (the news pages between its old and new
# places, at most ``relist.MAX_PAGES_CROSSED`` of them), the feeds and the sitemap's order follow.
DATED_FIELDS = frozenset({"published", "updated"})
# What an event's pages show of the articles it links (their fingerprint covers it): an edit to one of
# these in such an article takes the full build.
ALL_BUT_LINKED = frozenset(ARTICLE_FIELDS) - {"title", "url", "published", "updated"}
# The terms an article names, each with its page's and its index's addresses (plan.plan_news).
TERMS = {"tags": (urls.tag, urls.tags), "authors": (urls.author, urls.authors)}


@dataclass(frozen=True)
class QuickResult:
    counts: dict[str, int]
    warnings: tuple[tuple[str, int | None, int | None, str], ...]
    rendered: tuple[str, ...]  # the pages written again


# Values that hold no article: scalars, and records that by design hold none (terms, images, the
# sitemap's lines, the language switcher), not walked: a large archive's pages hold 400,000 of them.
NO_ARTICLES = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, Term, ImageAsset, Variant,
                          SitemapEntry, Switch, TermCount})


def shown_in_full(pages) -> dict[str, tuple[str, ...]]:
    """page path -> the files of the articles it shows in full besides its own (a feed's entries, a
    stale translation's original), for the pages that show any (kept in the state for this path).
    Found wherever they stand in a page's data, not only where the news pages put them."""
    return page_contents(pages, cards=False)[0]


def page_contents(pages, cards: bool = True) -> tuple[dict[str, tuple[str, ...]], dict[str, list[ArticleCard]]]:
    """(``shown_in_full``; page path -> the cards it shows, in the order met, for the pages that
    show any and the indexes of terms with counts: what listing.py records). ``cards``: False,
    the cards are not looked for."""
    within: dict[int, list] = {}  # id of a record -> the articles and cards in it
    shown, carded = {}, {}
    for page in pages:
        found: list = []
        for value in page.data.values():
            _collect(value, found, within, cards)
        rels = [rel for rel in found if type(rel) is str and rel != page.origin]
        if rels:
            shown[page.path] = tuple(dict.fromkeys(rels))
        if cards and (any(type(item) is not str for item in found) or counts_terms(page) or is_sitemap(page)):
            carded[page.path] = [card for card in found if type(card) is ArticleCard]
    return shown, carded


def _collect(value, found: list, within: dict[int, list], cards: bool) -> None:
    """Adds to ``found`` the files of the articles in ``value`` (and its cards, with ``cards``)."""
    kind = type(value)
    if kind in NO_ARTICLES:
        return
    if kind is ArticleCard:
        if cards:
            found.append(value)
    elif isinstance(value, Article):
        found.append(value.rel)
    elif kind is tuple or kind is list:
        for item in value:
            _collect(item, found, within, cards)
    elif kind is dict or kind is MappingProxyType:
        for item in value.values():
            _collect(item, found, within, cards)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        known = within.get(id(value))
        if known is None:  # the same record on many pages: walked once (kept alive by the pages)
            known = within[id(value)] = []
            for field in dataclasses.fields(value):
                _collect(getattr(value, field.name), known, within, cards)
        found += known


def quick_rebuild(root: Path, out: Path, options_key: str, selection: Selection, strict: bool, config: SiteConfig,
                  ui: UiStrings, day: str, now: dt.datetime, stamps: InputStamps,
                  state: BuildState, processes: int | None = None) -> QuickResult | None:
    """The rebuild after an edit to a few article bodies, or None when it is not that case (see the
    module's doc): then nothing was written, and the full build runs. ``strict``: a warning fails
    the build, which the full build reports (leaving the output as it is); ``processes``: as many
    render the pages when there are many (a new article's news pages), as in the full build."""
    early = EarlyLook()
    try:
        return _quick_rebuild(root, out, options_key, selection, strict, config, ui, day, now, stamps, state,
                              processes, early)
    finally:
        early.stop()


class EarlyLook:
    """The kept pages that link into the folders of articles that may move or go (their files deleted,
    or their front matters edited) and of their tags' and authors' pages (which go when left empty),
    looked for in a forked process from the moment that is known:
    reading the 22,600 pages of a large archive takes 0.45 s, which beside the render kept a new
    title waiting 0.2 s; started before the articles are assembled, it is most often done by then.
    Every file an article's move or deletion takes away is in its folder (its page and images)."""

    def __init__(self):
        self.folders: tuple[str, ...] = ()
        self.process: Meanwhile | None = None

    def start(self, old_pages: set[str], pages: list[str], out: Path, config: SiteConfig) -> None:
        self.folders = tuple(sorted(path.removesuffix("index.html") for path in old_pages))
        if self.folders:
            self.process = Meanwhile(lambda: linked_into(self.folders, pages, file_reader(out), config))

    def covers(self, gone: set[str]) -> bool:
        """Whether the look answers for ``gone`` (every file in the folders looked into)."""
        return self.process is not None and bool(gone) and all(path.startswith(self.folders) for path in gone)

    def links(self, gone: set[str], rendered) -> bool | None:
        """Whether a page not ``rendered`` (nor gone) links one of the ``gone`` files; None if the look failed."""
        found = self.process.answer()
        if found is None:
            return None
        return any(targets & gone for path, targets in found.items() if path not in rendered and path not in gone)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


def _term_urls(article: Article, config: SiteConfig) -> list[str]:
    """The addresses of the pages of an article's tags and authors."""
    lang = config.language(article.lang)
    return [urls.tag(lang, term.slug) for term in article.tags] + [
        urls.author(lang, term.slug) for term in article.authors]


def _quick_rebuild(root: Path, out: Path, options_key: str, selection: Selection, strict: bool, config: SiteConfig,
                   ui: UiStrings, day: str, now: dt.datetime, stamps: InputStamps, state: BuildState,
                   processes: int | None, early: EarlyLook) -> QuickResult | None:
    found = _edited_files(out, options_key, config, day, now, stamps, state)
    if found is None:
        return None
    edited, deleted = found
    files = article_files(root)
    names = {found: split_name(found, config) for found in files}
    if any(lang is None for _, lang, _ in names.values()) or not names.keys() >= set(edited):
        return None
    # The edited files and their translations, and those of the deleted files (their pages change).
    bases = {names[found][0] for found in edited} | {split_name(found, config)[0] for found in deleted}
    group = [found for found in files if names[found][0] in bases]

    # The output's record is not read: this build changes a few pages' fingerprints in it, as a patch
    # on the record the last build wrote (``patch_outputs``; reading and writing it whole took 0.2 s).
    cache = BuildCache.load(root, False, out, {"outputs": {}, "output_folder": state.output, "sections": {},
                                               "written": [], "copies": {}})
    if not state.record_id or not cache.describes(out) or cache.record_path is None:
        return None
    before = {rel: json.loads(row) for rel, row in cache.sources.get_many([nfc(f) for f in group + deleted]).items()}
    diagnostics = Diagnostics()  # this path's own: any error, and the full build reports everything
    records = SourceRecords(cache.sources, whole=False, inputs=stamps)  # a few files' records, not 19,000
    sources = load_articles(root, config, diagnostics, cache.front_matter, None, records, group)
    if diagnostics.has_errors or len(sources) != len(group):
        return None
    # Files new to the site: new articles, or new translations of articles the site has.
    new = {nfc(found) for found in edited if found not in state.articles}
    if any(s.rel not in before for s in sources if s.rel not in new):
        return None  # a file the last build did not record
    # A front matter changed: other pages may show it, which only the records of the list pages tell.
    retouched = {s.rel for s in sources if s.rel in new or before[s.rel].get("front_matter") != s.front_matter_key}
    if retouched and state.listed is None:
        return None
    images = ImageProcessor(root / CACHE_DIR / "images", reuse=True)
    stored = AssembledArticles(cache.articles, cache.article_bodies)
    # Their pages may move or go, and so may the pages of their tags and authors (left empty): the kept
    # pages that link them are looked for from now on.
    maybe_gone = [stored.previous(GoneSource(rel), before[rel]["text"], state.world, config.codes, images)
                  for rel in sorted((retouched - new) | {nfc(rel) for rel in deleted}) if rel in before]
    if maybe_gone and None not in maybe_gone:
        # (a term's page only when it shows no more cards than those: a popular tag's folder is linked
        # from hundreds of kept pages, each of which the look would then read in full)
        terms = {path for _, old in maybe_gone for path in map(output_path, _term_urls(old, config))
                 if state.listed is not None and listing.shows_at_most(state.listed.get(path), len(maybe_gone))}
        early.start({output_path(old.url) for _, old in maybe_gone} | terms,
                    [path for path in state.written if path.endswith(".html")], out, config)

    sections = all_sections()
    renderer = Renderer(root, config, ui, {section.name: section for section in sections})
    registry = load_sections(sections, root, config, [NamedSource(names[found][0]) for found in files], renderer,
                             diagnostics, cache.data_files)
    # What articles are made from besides their files is the last build's: only article files changed.
    world, data = state.world, state.data
    site = assemble(root, config, sources, ui, registry, selection, diagnostics, cache, images=images,
                    memory=stored, world=world, data=data, processes=1)
    if diagnostics.has_errors or (strict and diagnostics.warnings):
        return None

    published = {article.rel: article for local in site.languages.values() for article in local.articles}
    # Articles whose titles and addresses a section's pages show (an event's page, its links).
    linked = {base for facts in state.facts.values() for base in facts.get("articles", ())}
    if {s.base for s in sources if s.rel in new} & linked:
        return None  # (a new translation of one: an event's page links every version)
    texts_before = {rel: row["text"] for rel, row in before.items() if rel not in new}  # (a file there before, deleted)
    # The last build's drafts and scheduled articles (no page, no card, no article kept) published now
    # come as new files do, but a version of one an event links (its page links every version).
    unpublished = {rel for rel in retouched - new if _unpublished_then(cache, before[rel], config, selection, now)}
    if {s.base for s in sources if s.rel in unpublished and s.rel in published} & linked:
        return None
    found = _changed_articles(sources, published, texts_before, stored, world,
                              config, images, retouched, state.listed is not None, linked, unpublished)
    if found is None:
        return None
    changed, replaced, carded, renames, retermed, moved, dated, reimaged, added, withdrawn = found
    # (A deleted draft or scheduled article had no page: nothing goes.)
    published_then = [rel for rel in map(nfc, deleted)
                      if rel not in before or not _unpublished_then(cache, before[rel], config, selection, now)]
    kept_as = _removed_articles(published_then, texts_before, stored, world, config, images, linked, set(state.written))
    if kept_as is None or any(old.base in linked or output_path(old.url) not in state.written
                              for _, old in withdrawn.values()):
        return None  # (one that an event links: its page changes)
    kept_as.update(withdrawn)
    if kept_as and state.listed is None:
        return None
    for rel, (key, old) in kept_as.items():
        carded[rel], replaced[rel] = key, key  # (the pages that show its card are found by its key; its row goes)
        retermed[rel] = {kind: getattr(old, kind) for kind in TERMS if getattr(old, kind)}
    removed = {rel: old for rel, (_, old) in kept_as.items()}  # the deleted files' articles, as they were
    if (dated or added) and not years_kept(state.facts, {**dated, **dict.fromkeys(added)}, changed, config):
        return None  # (a new last year, which the calendar's pages show)
    if dated and (added or removed) or any(article.events for article in added.values()):
        return None  # (both move cards along the news pages; the calendar's pages show the articles events link)

    # The pages that show them in full: their own, and the feeds; and the list pages that show the
    # cards of those whose cards changed (from their records: listing.py); no other kind.
    own = {output_path(article.url): article for article in published.values()}
    feeds = {output_path(feed_url(lang)): lang for lang in config.languages}
    written = set(state.written)
    # An article with a new address: its old page and images go, and its translations' pages name the new one.
    gone = {output_path(old.url) for old in moved.values()}
    gone |= {path for old in moved.values() for path in image_files(old)}
    # An article whose body shows other images: the files of those it shows no more go (its images are
    # all copied again, the new ones and any made anew from an edited file under the same name).
    gone |= {path for rel, old in reimaged.items() if rel not in moved for path in
             image_files(old) - image_files(changed[rel])}
    # A deleted article: its page and images go.
    gone |= {path for old in removed.values() for path in {output_path(old.url), *image_files(old)}}
    moved_to = {old.url: changed[rel].url for rel, old in moved.items()}
    arrived = {output_path(article.url) for article in added.values()}
    if any(output_path(url) in written for url in moved_to.values()) or len(set(moved_to.values())) < len(moved) \
            or arrived & (written - gone):
        return None  # another file's address (the full build says which), or two articles' one
    # A new article at a deleted one's address (a renamed file) writes its page and images there.
    gone -= arrived | {path for article in added.values() for path in image_files(article)}
    if not early.covers(gone) and not retermed and not removed:
        early.stop()  # (nothing goes: its core is free for the render; or not only files it looks for)
    to_render = {output_path(article.url) for article in changed.values()}
    to_render |= {path for path, rels in state.shown.items() if set(rels) & changed.keys()} - gone
    # The pages of the translations of a moved article, of a new one and of one made a draft or
    # scheduled (their language switches).
    switched = {old.base for old in [*moved.values(), *removed.values()]} | {a.base for a in added.values()}
    to_render |= {path for path, article in own.items() if article.base in switched}
    to_render |= {output_path(feed_url(config.language(article.lang)))
                  for article in [*(changed[rel] for rel in dated.keys() | added), *removed.values()]}
    if not to_render <= own.keys() | feeds.keys():
        return None
    lists: list = []
    new_terms: list[tuple[TermPage, str]] = []  # the pages of terms new to the site, with their kinds
    terms_left: list[str] = []  # the addresses of the term pages left empty
    more_pages: list[NewsPage] = []  # the news pages a new article adds
    inserts: list[SitemapInsert] = []  # and where their entries go in the sitemap
    news_left: list = []  # the news pages a deleted article leaves out (its list a page shorter)
    feed_order: dict[str, tuple[int, list[ArticleCard]]] = {}  # language -> a stretch of its cards, from a place
    if carded or added:
        # Each article replaced shows its new card (the same one but for those of ``carded``), which
        # names its new key in the records made again.
        new_cards = {old_key: changed[rel].card for rel, old_key in replaced.items() if rel in changed}
        # term page path -> the articles joining or leaving it
        counted = _counted_terms(retermed, {**changed, **removed}, config, removed.keys())
        # The pages of terms new to the site come (an author the other languages have too: the full build,
        # which links her pages to each other).
        arriving = {path for path in counted if path not in state.listed}
        if arriving & written:
            return None  # (not the page of a term)
        paths = set(listing.find(state.listed, carded.values())) | (counted.keys() - arriving)
        paths |= {output_path(TERMS[kind][1](config.language({**changed, **removed}[rel].lang)))
                  for rel, kinds in retermed.items() for kind in kinds}
        if moved or dated or arriving or added or removed:
            paths.add(SITEMAP)
        if not paths <= state.listed.keys():
            return None  # a tag index not recorded

        def read(paths: set[str]) -> list | None:
            if not paths <= state.listed.keys():
                return None
            return listing.read_pages(state.listed, paths, cache.listings,
                                      lambda keys: {**stored.cards(keys - new_cards.keys(), images), **new_cards})
        lists = read(paths)
        if lists is None:
            return None
        found = retermed_pages(lists, counted)
        if found is None:
            return None
        lists, new_terms, terms_left = found
        comes_or_goes = set(terms_left) | {term_page.url for term_page, _ in new_terms}
        if any(change.kind == "author" and change.url in comes_or_goes
               and _in_other_languages(change, config, read) is not False for changes in counted.values()
               for change in changes):
            return None  # (her pages in the other languages link this one: the full build)
        if terms_left and SITEMAP not in {page.path for page in lists}:
            sitemap = read({SITEMAP})
            if not sitemap:
                return None
            lists += sitemap
        gone |= {output_path(url) for url in terms_left}
        if dated:
            found = redated(lists, dated, changed, config, read)
            if found is None:
                return None
            lists, places = found
        if added or removed:
            found = restacked(lists, list(added.values()), list(removed.values()), config, read)
            if found is None or removed and not _last_year_kept(state.facts, removed, found.pages, read, config):
                return None
            lists, more_pages, news_left, inserts, feed_order = found
            gone |= {page.path for page in news_left}
        to_render |= {page.path for page in lists}
    feed_files = {path: state.shown.get(path, ()) for path in to_render if path in feeds}
    if removed:
        feed_files = _feed_after_removal(feed_files, removed, feed_order, names, config)
        if feed_files is None:
            return None
    entries = _feed_entries(feed_files, published, files, root, config, records, cache, stored, world, images)
    if entries is None:
        return None
    for rel, old in {**dated, **dict.fromkeys(added)}.items():
        path = output_path(feed_url(config.language(changed[rel].lang)))
        entries[path] = redated_feed(entries[path], old, changed[rel], config.feed_entries)
        if entries[path] is None:
            return None

    for section in sections:
        section.check(site, diagnostics)
        if hasattr(section, "restore_site_facts") and section.name in state.facts:
            section.restore_site_facts(state.facts[section.name], state.globals.get(section.name))
    planner = Planner(site, ui, article_data=tuple(
        s.article_page_data for s in sections if hasattr(s, "article_page_data")))
    alternates_of: dict = {}
    for path in sorted(to_render):
        if path in own:
            plan_article(planner, config.language(own[path].lang), own[path], alternates_of)
        elif path in feeds:
            plan_feed(planner, feeds[path], entries[path])
    counts = Counter(state.counts)
    counts.update([article.lang for article in added.values()] + [news.lang for news in more_pages])
    counts.subtract([old.lang for old in removed.values()] + [page.lang for page in news_left])
    if more_pages:
        mark = len(planner.pages)
        for news in more_pages:
            plan_news_page(planner, config.language(news.lang), news.number, news.count, news.cards)
        to_render |= {page.path for page in planner.pages[mark:]}
    if inserts:  # (before the entries that go: a renamed file's new entry goes next to its old one)
        lists = added_in_sitemap(lists, planner.pages, inserts)
        if lists is None:
            return None
    # The sitemap's entries of the pages that go: empty terms', a deleted article's and its news pages left out.
    sitemap_left = {*terms_left, *(old.url for old in removed.values()), *(page.url for page in news_left)} \
        - {article.url for article in added.values()}  # (a renamed file's new entry took the old one's place)
    if new_terms or sitemap_left:
        mark = len(planner.pages)
        for term_page, kind in new_terms:
            plan_term_page(planner, config.language(term_page.articles[0].lang), term_page, kind)
        lists = termed_in_sitemap(lists, planner.pages[mark:], sitemap_left)
        if lists is None:
            return None
        to_render |= {page.path for page in planner.pages[mark:]}
        # The pages counted per language: the new terms' come, the empty ones' go.
        counts.update(page.lang for page in planner.pages[mark:])
        counts.subtract(changes[0].article.lang for changes in counted.values() if changes[0].url in terms_left)
    if moved or added or switched & {article.base for article in published.values()}:
        # (the entries of a new article's translations name it too, those of a withdrawn one's no more)
        lists = moved_in_sitemap(lists, planner.pages, moved_to)
        if lists is None:
            return None
    if dated:
        lists = dated_in_sitemap(lists, planner.pages, {changed[rel].url: place for rel, place in places.items()},
                                  {changed[rel].url for rel in dated})
        if lists is None:
            return None
    plan = Plan(tuple(planner.pages) + tuple(lists), ())
    if diagnostics.has_errors or sorted(p.path for p in plan.pages) != sorted(to_render):
        return None
    # A moved article's images, and those of an article that shows other images.
    copies = [copy for copy in planner.copies
              if copy.path not in written or copy.origin in reimaged or copy.origin in added]
    written_now = (written - gone) | {page.path for page in plan.pages} | {copy.path for copy in copies}

    # Render, check, stage; then put in place and keep the records.
    output = OutputFolder(out, True)  # (what it holds is not listed: only ``gone`` is deleted from it)
    fingerprints = None
    try:
        fingerprints = _render(plan, site, renderer, stored, LinkChecker(plan, root, config, diagnostics, written_now),
                               output, diagnostics, state.globals if lists else None, gone, processes, early)
        for copy in copies:
            output.copy(copy, source_stamp(copy.source, images.cache_dir), None, immutable=images.cache_dir)
    finally:
        if fingerprints is None or not output.staged:  # a problem, or the very bytes the pages have
            output.discard()
    if fingerprints is None:
        return None
    # The old pages' fingerprints go (a moved article's, an empty term's).
    left = {path: None for path in [output_path(old.url) for old in [*moved.values(), *removed.values()]]
            + [output_path(url) for url in terms_left] + [page.path for page in news_left] if path not in fingerprints}
    if output.staged:
        cache.patch_outputs(state.record_id, {**dict.fromkeys(fingerprints), **left})  # to render again, if interrupted
        BuildState.forget(root, out)
        output.commit_changed_files(gone)
    _keep_records(cache, {**fingerprints, **left}, state, stored, renderer, replaced, records, sources)

    group_rels = {source.rel for source in sources} | {nfc(rel) for rel in deleted}  # (a draft deleted too)
    warnings = tuple(w for w in state.warnings if w[0] not in group_rels) + tuple(
        (d.location.path, d.location.line, d.location.col, d.message)
        for d in diagnostics.warnings if d.location.path in group_rels)
    shown = {path: rels for path, rels in state.shown.items() if path not in to_render and path not in gone}
    shown_now, carded_now = page_contents(plan.pages)
    shown.update(shown_now)
    listed = _listed(state.listed, plan, carded_now, fingerprints, stored, cache)
    if listed is not None and gone:  # (an empty term's page)
        listed = {path: line for path, line in listed.items() if path not in gone}
    if listed is not None and renames:  # the lists not rendered name the articles as stored now
        more = listing.renamed(listed, cache.listings, renames, set(to_render))
        listed = None if more is None else {**listed, **more}
    # The next build that must run: when the first article scheduled now goes live, if before the last one's.
    valid_until = state.valid_until
    if site.next_publication is not None and (
            valid_until is None or site.next_publication < dt.datetime.fromisoformat(valid_until)):
        valid_until = site.next_publication.isoformat()
    dataclasses.replace(state, inputs=stamps.whole, warnings=warnings, others=stamps.others, valid_until=valid_until,
                        articles=stamps.articles, shown=shown, listed=listed, counts=dict(counts),
                        written=tuple(sorted(written_now)) if written_now != written else state.written,
                        ).stamp_output(output.staged | gone).save(root, out)
    return QuickResult(dict(counts), warnings, tuple(sorted(output.staged)))


def _edited_files(out: Path, options_key: str, config: SiteConfig, day: str, now: dt.datetime,
                  stamps: InputStamps, state: BuildState) -> tuple[list[str], list[str]] | None:
    """(the article files edited or added since the last build, those deleted), when they are all
    that changed and the last build's state still describes the output; otherwise None."""
    if (config.search or state.site_wide or state.options != options_key
            or state.day != day or state.output != str(out.resolve())
            or (state.valid_until is not None and now >= dt.datetime.fromisoformat(state.valid_until))
            or state.others != stamps.others):
        return None
    edited = [rel for rel, digest in stamps.articles.items() if state.articles.get(rel) != digest]
    deleted = [rel for rel in state.articles if rel not in stamps.articles]
    added = sum(rel not in state.articles for rel in edited)
    if not (edited or deleted) or len(edited) - added + len(deleted) > MAX_EDITED or added > MAX_ADDED \
            or not state.output_intact():
        return None
    return edited, deleted


class ArticleChanges(NamedTuple):
    """What ``_changed_articles`` finds, by file (``rel``)."""

    changed: dict[str, Article]  # those that differ from the article the last build kept, and the new ones
    replaced: dict[str, str]  # the key of the kept article each replaces
    carded: dict[str, str]  # the same, for those whose cards changed too
    renames: dict[str, str]  # old key -> new, for the others (their cards the same)
    retermed: dict[str, dict[str, tuple[Term, ...]]]  # old tags or authors, where they changed (none: new)
    moved: dict[str, Article]  # the article as it was, for those with a new address
    dated: dict[str, Article]  # ... with new dates
    reimaged: dict[str, Article]  # ... whose bodies show other images
    added: dict[str, Article]  # those new to the site (``texts_before`` has none, or unpublished then)
    withdrawn: dict[str, tuple[str, Article]]  # (key, article) kept, for those made a draft or scheduled


def _changed_articles(sources, published: dict[str, Article], texts_before: dict[str, str],
                      stored: AssembledArticles, world: str, config: SiteConfig, images: ImageProcessor,
                      retouched: set[str], lists: bool, linked: set[str],
                      unpublished: set[str] = frozenset()) -> ArticleChanges | None:
    """What changed in the articles of ``sources`` (see ``ArticleChanges``), or None
    when one differs in more than its own pages and its cards show (``lists``: whether the list
    pages can be rendered again, or only its own pages), in its title when a section's pages show
    it (``linked``: their base names; they are not rendered here), or the last build's article
    cannot be had (``texts_before``: the hash of each file's text then; ``retouched``: the files
    whose front matter changed; ``unpublished``: those the last build did not publish, drafts or
    scheduled, new to the site if published now)."""
    changed: dict[str, Article] = {}
    replaced: dict[str, str] = {}
    carded: dict[str, str] = {}
    renames: dict[str, str] = {}
    retermed: dict[str, dict[str, tuple[Term, ...]]] = {}
    moved: dict[str, Article] = {}
    dated: dict[str, Article] = {}
    reimaged: dict[str, Article] = {}
    added: dict[str, Article] = {}
    withdrawn: dict[str, tuple[str, Article]] = {}
    for source in sources:
        article = published.get(source.rel)
        if article is None and (source.rel not in texts_before or source.rel in unpublished
                                or source.rel not in retouched):
            continue  # a draft or scheduled article, new, still or its front matter as it was: no page then or now
        if source.rel not in texts_before or source.rel in unpublished:
            if not lists:
                return None  # (no lists recorded)
            kinds = {kind: () for kind in TERMS if getattr(article, kind)}
            if kinds:
                retermed[source.rel] = kinds  # (each joins its page)
            changed[source.rel] = added[source.rel] = article
            continue
        if article is None:  # made a draft or scheduled: its pages go, as a deleted file's
            found = stored.previous(source, texts_before[source.rel], world, config.codes, images)
            if found is None:
                return None  # (its article not kept)
            withdrawn[source.rel] = found
            continue
        found = stored.previous(source, texts_before[source.rel], world, config.codes, images)
        if found is None:
            return None
        key, old = found
        new_key = AssembledArticles.key(source, world, article.stale_original)
        if key == new_key:
            continue  # the very article the last build kept
        if not same_but_page(old, article):
            if not lists or not same_but_page(old, article, MOVED_FIELDS | DATED_FIELDS | TERMS.keys()) \
                    or (article.base in linked and not same_but_page(old, article, ALL_BUT_LINKED)):
                return None
            if article.url != old.url:
                moved[source.rel] = old
            if not same_but_page(old, article, frozenset(ARTICLE_FIELDS) - DATED_FIELDS):  # (its dates alone compared)
                dated[source.rel] = old
            carded[source.rel] = key
            kinds = {kind: getattr(old, kind) for kind in TERMS if getattr(old, kind) != getattr(article, kind)}
            if kinds:
                retermed[source.rel] = kinds
        else:
            renames[key] = new_key
        if old.images != article.images:
            reimaged[source.rel] = old
        changed[source.rel] = article
        replaced[source.rel] = key
    return ArticleChanges(changed, replaced, carded, renames, retermed, moved, dated, reimaged, added, withdrawn)


def _last_year_kept(facts: dict[str, dict], removed: dict[str, Article], lists: list, read,
                    config: SiteConfig) -> bool:
    """``relist.last_year_stays``, the newest article left being the first card of each first news
    page, as ``lists`` has it or as the last build left it."""

    def newest() -> list[dt.datetime] | None:
        found = []
        for lang in config.languages:
            path = output_path(urls.news(lang, 1))
            page = next((page for page in lists if page.path == path), None) or read_one(read, path)
            cards = page.data.get("articles") if page is not None else None
            if type(cards) is not tuple:
                return None
            found += [card.published for card in cards[:1]]
        return found

    return last_year_stays(facts, removed, newest, config)


class GoneSource(NamedTuple):
    """What ``AssembledArticles.previous`` reads of a source, for a deleted file."""

    rel: str


def _unpublished_then(cache: BuildCache, record: dict, config: SiteConfig, selection: Selection,
                      now: dt.datetime) -> bool:
    """Whether the last build published nothing of the file whose record (the last build's) this is:
    the front matter it names made it a draft, or dated it after ``now`` (that build ran before, on
    the same day, and before the next scheduled article); False when that front matter is not in
    the cache (it had a message, which the full build gives again)."""
    fields = CheckedFrontMatter(cache.front_matter, whole=False).fields(record.get("front_matter") or "")
    return bool(fields) and "date" in fields and unpublished(fields, config, selection, now) is not None


def _removed_articles(deleted: list[str], texts_before: dict[str, str], stored: AssembledArticles, world: str,
                      config: SiteConfig, images: ImageProcessor, linked: set[str],
                      written: set[str]) -> dict[str, tuple[str, Article]] | None:
    """file -> (the key of the article the last build kept for it, that article), for the deleted
    files; None when one cannot be had, had no page (a draft, scheduled), or an event links it."""
    found = {}
    for rel in deleted:
        if rel not in texts_before:
            return None
        previous = stored.previous(GoneSource(rel), texts_before[rel], world, config.codes, images)
        if previous is None or previous[1].base in linked or output_path(previous[1].url) not in written:
            return None
        found[rel] = previous
    return found


def _feed_after_removal(feed_files: dict[str, tuple[str, ...]], removed: dict[str, Article],
                        order: dict[str, tuple[int, list[ArticleCard]]], names: dict[str, tuple[str, str | None, str]],
                        config: SiteConfig) -> dict[str, tuple[str, ...]] | None:
    """The files of each feed's entries without the deleted articles, a full feed taking the next
    ones in (from ``order``: language -> (the place of a stretch of its cards, those cards))."""
    file_of = {(base, lang): nfc(found) for found, (base, lang, _) in names.items()}
    found = dict(feed_files)
    for code in {old.lang for old in removed.values()}:
        path = output_path(feed_url(config.language(code)))
        rels = [rel for rel in found[path] if rel not in removed]
        taken = len(found[path]) - len(rels)
        if taken and len(found[path]) == config.feed_entries:
            offset, cards = order.get(code, (0, []))
            start = config.feed_entries - taken - offset
            if start < 0 or start + taken > len(cards):
                return None
            rels += [file_of.get((card.base, card.lang)) for card in cards[start: start + taken]]
            if None in rels:
                return None
        found[path] = tuple(rels)
    return found


def image_files(article: Article) -> set[str]:
    """The output paths of the files of an article's images (beside its page)."""
    return {article.url + variant.name for image in article.images for variant in image.variants}


def _counted_terms(retermed: dict[str, dict[str, tuple[Term, ...]]], changed: dict[str, Article],
                   config: SiteConfig, leaving=frozenset()) -> dict[str, list[TermChange]]:
    """term page path -> the articles it gains or loses, for the articles whose tags or authors changed
    (``leaving``: the files of those that go, which lose all; ``changed`` has them as they were)."""
    counted: dict[str, list[TermChange]] = {}
    for rel, kinds in retermed.items():
        article, lang = changed[rel], config.language(changed[rel].lang)
        for kind, old_terms in kinds.items():
            url_of, index_of = TERMS[kind]
            before = {t.slug: t for t in old_terms}
            now = {t.slug: t for t in getattr(article, kind)} if rel not in leaving else {}
            for slug, term, delta in [*((slug, now[slug], +1) for slug in now.keys() - before.keys()),
                                      *((slug, before[slug], -1) for slug in before.keys() - now.keys())]:
                url = url_of(lang, slug)
                counted.setdefault(output_path(url), []).append(
                    TermChange(article, delta, term, PAGE_KINDS[kind], url, index_of(lang)))
    return counted


def _in_other_languages(change: TermChange, config: SiteConfig, read) -> bool | None:
    """Whether another language's index of the kind of ``change`` names its term (None: one was not read)."""
    slug = change.term.slug
    for other in config.other_languages(change.article.lang):
        index_of = TERMS[TERM_KINDS[change.kind]][1]
        found = read({output_path(index_of(other))})
        terms = found[0].data.get("terms") if found else None
        if type(terms) is not tuple:
            return None
        if any(count.term.slug == slug for count in terms):
            return True
    return False


def _listed(lines: dict[str, str] | None, plan: Plan, carded: dict[str, list[ArticleCard]],
            fingerprints: dict[str, str | None], stored: AssembledArticles, cache: BuildCache) -> dict[str, str] | None:
    """The state's lines of the list pages (listing.py), with those of the pages rendered here anew."""
    if lines is None or not carded:
        return lines
    pages = {page.path: page for page in plan.pages if page.path in carded}
    # (an article's own page shows no card: only list pages are recorded)
    made = listing.record_pages(pages, carded, {path: f for path, f in fingerprints.items() if f}, stored.row_of_card,
                                cache.listings, prune=False)
    return None if made is None else {**lines, **made}


def _keep_records(cache: BuildCache, fingerprints: dict[str, str | None], state: BuildState,
                  stored: AssembledArticles, renderer: Renderer, replaced: dict[str, str], records: SourceRecords,
                  sources) -> None:
    """What a full build keeps, for what this one changed: the pages' fingerprints in the output's
    record, the new articles in place of those they replace, the files' records, the new bodies."""
    cache.patch_outputs(state.record_id, fingerprints)
    stored.save(renderer.values.entries, tuple(replaced.values()))
    records.remember(sources)
    records.save(prune=False)
    cache.bodies.flush()
    cache.front_matter.flush()  # (the next build reads the edited files' front matter as checked here)
    cache.data_files.flush()


def _feed_entries(shown: dict[str, tuple[str, ...]], published: dict[str, Article], files: list[str], root: Path,
                  config: SiteConfig, records: SourceRecords, cache: BuildCache, stored: AssembledArticles,
                  world: str, images: ImageProcessor) -> dict[str, tuple[Article, ...]] | None:
    """feed path -> its entries, in the order the last build gave them (a body edit moves none): the
    articles assembled here, and the others as the last build kept them; None if one cannot be had."""
    wanted = {rel for rels in shown.values() for rel in rels} - published.keys()
    found_as = {nfc(found): found for found in files}
    if not wanted <= found_as.keys():
        return None
    scratch = Diagnostics()
    kept: dict[str, Article] = {}
    for source in load_articles(root, config, scratch, cache.front_matter, None, records,
                                [found_as[rel] for rel in sorted(wanted)]):
        previous = stored.previous(source, source.text_key, world, config.codes, images)
        if previous is None:
            return None
        kept[source.rel] = previous[1]
    if scratch.items or kept.keys() != wanted:
        return None
    return {path: tuple(published.get(rel) or kept[rel] for rel in rels) for path, rels in shown.items()}


def _render(plan: Plan, site: Site, renderer: Renderer, stored: AssembledArticles, links: LinkChecker,
            output: OutputFolder, diagnostics: Diagnostics, sections_were: dict[str, str | None] | None = None,
            gone: set[str] = frozenset(), processes: int | None = None,
            early: EarlyLook | None = None) -> dict[str, str | None] | None:
    """Render, check and stage the plan's pages; their fingerprints, or None on any problem (the full
    build reports it). ``sections_were``: the sections' fingerprints in the last full build, which
    they must still have (list pages read them). ``gone``: files no longer written, which a page
    not rendered here may link (then the full build says where); ``early``: the look for those
    links started before, when it covers them."""
    # Else the kept pages that may link a gone file are looked for meanwhile, in a forked process:
    # reading 22,000 pages takes as long as rendering a sitemap of as many and a few lists.
    if early is not None and not early.covers(gone):
        early.stop()  # (a term's page goes too, or a news page: the look below reads every kept page)
        early = None
    linking = Meanwhile(lambda: any(
        links.reaches(page_url(path), data, gone) for path, data in may_link(
            [path for path in links.written if path not in links.pages], gone, file_reader(output.out), page_url)),
        ) if gone and early is None else None
    aside = None
    try:
        renderer.fingerprint_seed = stored.seed
        fingerprint_of = renderer.fingerprints(plan, site)
        if sections_were is not None and renderer.section_fingerprints() != sections_were:
            return None
        work = PageWork(renderer, site, plan, links, output)
        # The sitemap is hashed and rendered in another forked process meanwhile (its 22,000 entries:
        # 0.35 s, three times the other pages together); not beside a look through the kept pages
        # started now, which keeps the other core busy as long (the early one is mostly done by now).
        apart = [page for page in plan.pages if page.path == SITEMAP and (not gone or early is not None)]
        rest = [page for page in plan.pages if page not in apart]
        aside = Meanwhile(lambda: [(fingerprint_of(page), work.do(page)) for page in apart]) if apart else None
        fingerprints = {page.path: fingerprint_of(page) for page in rest}
        for page, done in zip(rest, do_pages(work, rest, processes)):
            if done.aborted or done.error:
                return None
            if done.staged:
                output.staged.add(page.path)  # (staged by a worker process, or already here)
            links.note(done.links)
        found = aside.answer() if aside is not None else []
        if found is None:
            return None
        for page, (fingerprint, done) in zip(apart, found):
            if done.aborted or done.error:
                return None
            fingerprints[page.path] = fingerprint
            if done.staged:
                output.staged.add(page.path)  # (staged by the other process)
            links.note(done.links)
        links.report()
        if linking is not None and linking.answer() is not False:  # (None: the look failed)
            return None
        if early is not None and early.links(gone, links.pages) is not False:
            return None
        return None if diagnostics.has_errors else fingerprints
    finally:
        for process in (linking, aside):
            if process is not None:
                process.stop()


def needs_whole_site(graph: TemplateGraph) -> bool:
    """Whether the theme's pages read what only the whole site can answer: a page's templates read
    ``site`` or ``plan``, or the article template reads any of ``WHOLE_SITE_GLOBALS`` (the full
    build records it, for the templates of every page it fingerprinted)."""
    try:
        article_names = graph.closure(ARTICLE_TEMPLATE)[1]
    except Exception:  # noqa: BLE001 - a template that does not load: the full build reports it
        return True
    return bool(graph.names_read() & SITE_WIDE_GLOBALS or article_names & WHOLE_SITE_GLOBALS)


def same_but_page(old: Article, new: Article, fields: frozenset[str] = PAGE_ONLY_FIELDS) -> bool:
    """Whether two versions of an article differ only in what their own pages show (or in ``fields``)."""
    for field in dataclasses.fields(Article):
        if field.name in fields:
            continue
        a, b = getattr(old, field.name), getattr(new, field.name)
        if a != b or (field.name in _MOMENTS and repr(a) != repr(b)):
            return False
    return True
