"""The dev server's rebuild after a saved edit to an article (or a few): its body, or what its
card shows (a summary, a title under a fixed ``slug``); its pages, the feeds and the lists that
show its card, from what the server keeps in memory; and after a new article file.

A save that changes a body changes one page, or two when the article has a translation
(whose page notes that its original changed), and the feeds that show it in full; one that
changes a summary, the lists that show its card too. The preview's full rebuild (pipeline.py
with warm.py) reuses everything else, yet still walks every article and page of the site to
find that out: about 0.8 s on 10,000 pairs, 1.0–1.3 s for a summary. This path is the command
line's quick rebuild (quick.py) with the last build in memory instead of on disk. It applies when:

- the last build of the preview succeeded (its warnings are given again: those about other
  files as it gave them, those about the edited files and their translations as assembling
  them again gives them, when it gives every one the last build gave about them), on the
  same day, before the next scheduled article goes live, and its templates read nothing of
  the whole site;
- the operating system told the server what changed (warm.WarmModel.changed): article files
  alone, at most ``quick.MAX_EDITED``, each one the last build had (or a new one: see below);
- the articles of those files and of their translations, assembled again without any message,
  differ from the last build's in their bodies (and the images they show: copied beside their
  pages, those no longer shown deleted) and "original changed" state alone, or in what
  their cards show but their places (``quick.LISTED_FIELDS``; not the title of an article an
  event links, which the calendar's pages show), in their tags or authors (a term new to the site
  has its page made, one left without an article its page deleted, but for an author whose pages
  in other languages link hers), or
  in their address (a new title without ``slug``: ``quick.MOVED_FIELDS``) or their dates (when the
  last year the site has content for stays as it was: ``relist.years_kept``), and the pages that
  show them in full are their own pages and the feeds. The pages that show their cards are the
  last build's, each card swapped for the new one (and each tag or author page's list for the
  new list); a new address also moves the page and its images, renders its translations' pages
  and the sitemap again, and looks through the kept pages for a link to the old one (in a
  forked process, while the pages render), as the command line's quick rebuild does; new dates
  sort the language's articles again (``assemble.substituted_site``), and the news pages and the
  home page whose cards are not the site's now, the feed and the sitemap are rendered again.

A new article file (or a few) is answered the same way when its article is published, names no event
(nor does an event link another version of its name), keeps the last year the site has content for,
comes with no card edited elsewhere and takes no file's address: its page is made (with its images),
the pages of its other versions rendered again (a new translation: their language switch, and
their sitemap entries made again, ``relist.moved_in_sitemap``), its card put in its place
on its language's news pages (``relist.restacked``: every page from there on is rendered again, every
page when the list gets one more, which is made), the home page, its tags' and authors' pages and
their indexes (a term new to the site has its page made), its feed, and the sitemap with the new
pages' entries (``relist.added_in_sitemap``), as the command line's quick rebuild does.

A deleted article file (or a few) is the same the other way, when the last build published its
article, no event links a version of its name, no other file is new or has a new card, and the last
year the site has content for stays: its page and images go (the kept pages are looked through for a
link to them meanwhile: one that links them takes the full rebuild, which reports it), the pages of
its other versions are rendered again (their language switch), its card leaves its language's news
pages (every page from its place on, every page and the last one gone when the list gets a page
shorter), the home page, its terms' pages (one left empty goes) and their indexes, its feed, and the
sitemap without the pages that went. A renamed file is both: the old article goes and the new one
comes, at the same address when its title is the same (its page and sitemap entry take the old ones'
place). A file made a draft or scheduled (dated after now) is a deleted one in effect, and one
published again a new one; the time the next scheduled article goes live is worked out again (the
full rebuild when the one published again may have been that one).

A save of stats files alone, or of calendar files alone (each one the last build had, still
without an error, the section's warnings about the others as they were), is answered the same
way (``_DataEdit``): that section alone is loaded again and checked, the articles made from a
snapshot or an event that changed (their blocks, the events their front matter names) are
assembled again as edited articles are, and rendered are the section's pages whose data changed
(a dashboard, an event's page, its month, the calendar's lists), the pages that read the section
(the home pages), the pages of the articles whose events changed, and its data files whose bytes
changed (stats.json, a CSV, an event's ICS file).

Anything else, and anything unexpected, returns None before a file is written: the full
rebuild runs, which is always right. tests/test_warm_edit.py checks the output is the one a
clean build makes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import jinja2

from .assemble import Selection, assemble, aware, site_with_added, site_without, substituted_site, unpublished
from .cache import CACHE_DIR, BuildCache
from .config import SiteConfig
from .content import ARTICLES_DIR, NamedSource, load_articles
from .diagnostics import Diagnostics
from .i18n import UiStrings
from .images import ImageProcessor
from .links import LinkChecker, file_reader, may_link
from .model import ARTICLE_FIELDS, Article, ArticleCard, TermPage
from .page_work import Meanwhile, PageWork, do_pages
from .plan import (ARTICLE_TEMPLATE, PageOutput, Plan, Planner, TermCount, paginate, plan_article, plan_feed,
                   plan_news_page, plan_term_page)
from .quick import (ALL_BUT_LINKED, DATED_FIELDS, MAX_EDITED, MOVED_FIELDS, NO_ARTICLES, TERMS,
                    image_files, needs_whole_site, same_but_page)
from .render import Renderer
from .relist import (PAGE_KINDS, SITEMAP, added_in_sitemap, dated_in_sitemap, last_year_stays, moved_in_sitemap,
                     news_number, restacked, termed_in_sitemap, years_kept)
from .shortcodes import DataDigests, ShortcodeRegistry, core_registry
from .state import warnings_of
from .stats import STATS_DIR, StatsSection
from .calendar import CALENDAR_DIR, CalendarSection
from .textio import nfc
from . import urls
from .urls import feed as feed_url, output_path, page_url
from .warm import block_templates, day_of_articles, world_digest
from .writer import OutputFolder, source_stamp
from .yamlfile import parsed_files_in

if TYPE_CHECKING:
    from .warm import WarmModel

@dataclass(frozen=True)
class WarmEditResult:
    counts: dict[str, int]
    rendered: tuple[str, ...]  # the pages rendered again (those whose bytes changed were written)
    warnings: tuple[tuple[str, int | None, int | None, str], ...] = ()  # the site's, as a full build gives them


class _GroupMemory:
    """The preview's memory (warm.ArticleMemory) for assembling a few articles: articles it has are
    given back, those made are kept aside until the rebuild succeeds, and nothing is forgotten."""

    def __init__(self, warm: "WarmModel"):
        self.warm = warm
        self.kept: list[tuple] = []

    def expect(self, sources, world, stale) -> None:
        self.warm.expect(sources, world, stale)

    def article(self, *args):
        return self.warm.article(*args)

    def keep_article(self, *args) -> None:
        self.kept.append(args)

    def forget_articles_except(self, rels: set[str]) -> None:
        pass

    def last_site(self, world: str):
        return None

    def keep_site(self, world, articles, site) -> None:
        pass


# The data folders whose files a save may change alone, answered from memory, and their sections.
_DATA_SECTIONS = {STATS_DIR: StatsSection, CALENDAR_DIR: CalendarSection}


@dataclass(frozen=True)
class _DataEdit:
    """A save of one section's data files alone (stats or calendar files), each one the last build
    had, still without an error: that section loaded again, the shortcodes and the renderer that
    read it, and the articles made from an item that changed (a snapshot, an event), which are
    assembled again as edited articles are."""

    old: StatsSection | CalendarSection  # the section as the last build had it
    section: StatsSection | CalendarSection  # ... and loaded again (checked with the site by the caller)
    sections: tuple
    registry: ShortcodeRegistry
    renderer: Renderer
    files: frozenset[str]  # the files saved
    changed: frozenset[str]  # the ids of the items that changed
    articles: list[str]  # the article files (as listed) made from one of them
    warnings: tuple  # the section's warnings about the files saved

    def relinked(self) -> set[str]:
        """The base names of the articles whose pages show a changed item besides their bodies: the
        calendar's links, either way (an article's page lists its events), once the section is checked."""
        then, now = getattr(self.old, "links", set()), getattr(self.section, "links", set())
        return {base for base, _ in then ^ now} | {base for base, ident in then | now if ident in self.changed}

    def pages(self, warm: "WarmModel", site, ui: UiStrings, world: str, cache: BuildCache, diagnostics: Diagnostics):
        """(by address, the section's pages whose data changed and every page that reads the section,
        such as the home pages; the section's data files whose bytes changed, such as stats.json or
        an event's ICS), or (None, None) when the section plans other outputs than it did."""
        before = warm.planned(self.section.name)
        planner = Planner(site, ui, cache.made, previous=warm.pages)
        mark = planner.mark()
        warm.plan_section(self.section, world, planner, diagnostics)  # (kept by the section's new fingerprint)
        planned = planner.since(mark)
        if before is None or planned.copies or planned.expected \
                or [(page.path, page.alternates) for page in planned.pages] != [
                    (page.path, page.alternates) for page in before.pages] \
                or [data.path for data in planned.data_files] != [data.path for data in before.data_files]:
            return None, None  # (what the sitemap lists of them is their addresses and alternates)
        pages = {page.path: page for page in planned.pages if page is not warm.pages.get(page.path)}
        reads: dict[str, bool] = {}
        for path, page in warm.pages.items():
            if page.template not in reads:
                try:
                    reads[page.template] = self.section.name in self.renderer.graph.closure(page.template)[1]
                except jinja2.TemplateError:
                    return None, None
            if reads[page.template] and path not in pages:
                pages[path] = page
        for page in planned.pages:  # (the planned object where the page reads the section too)
            if page.path in pages:
                pages[page.path] = page
        data = [new for new, old in zip(planned.data_files, before.data_files) if new.data != old.data]
        return pages, data


def _data_edit(root: Path, config: SiteConfig, ui: UiStrings, warm: "WarmModel", last, edited: frozenset[str],
               cache: BuildCache, files: list[str], names: dict) -> _DataEdit | None:
    """The save of ``edited``, the files of one data folder alone, when each is one the last build
    had and still loads without an error, and the section's warnings about the others are as they
    were; else None (the full rebuild)."""
    folder = next((folder for folder in _DATA_SECTIONS
                   if all(rel.startswith(folder + "/") and rel.endswith(".yaml") for rel in edited)), None)
    if folder is None:
        return None
    kind = _DATA_SECTIONS[folder]
    old = next((section for section in last.sections if isinstance(section, kind)), None)
    ids = {rel[len(folder) + 1 : -len(".yaml")] for rel in edited}
    known = old.snapshots if isinstance(old, StatsSection) else old.events if old is not None else {}
    if old is None or not ids <= known.keys() or not all((root / rel).is_file() for rel in edited):
        return None  # (a new file, one deleted, or one with errors then)
    new = kind()
    loading = Diagnostics()
    with parsed_files_in(cache.data_files):  # (the calendar checks the articles its events name)
        new.load(root, config, [NamedSource(base) for base, _, _ in names.values()], loading)
    found = warnings_of(loading)
    others_then = {w for w in last.warnings if w[0].startswith(folder + "/") and w[0] not in edited}
    now_known = new.snapshots if isinstance(new, StatsSection) else new.events
    if loading.has_errors or now_known.keys() != known.keys() or getattr(new, "broken", None) != getattr(
            old, "broken", None) or getattr(new, "ids", None) != getattr(old, "ids", None) \
            or {w for w in found if w[0] not in edited} != others_then:
        return None
    sections = tuple(new if section is old else section for section in last.sections)
    renderer = Renderer(root, config, ui, {section.name: section for section in sections}, env=warm.environment,
                        reused=True)
    registry = core_registry()
    for section in sections:
        for shortcode in section.shortcodes(renderer, loading):
            registry.add(shortcode)
    if len(loading.items) != len(found):
        return None  # (a message from the shortcodes' set-up: the full rebuild gives it)
    # (what each item's block was made from, now and in the last build: the shortcode's ``digest_of``)
    shortcode = next(shortcode for shortcode in registry.shortcodes.values() if shortcode.folder == folder)
    then = last.registry.shortcodes[shortcode.name]
    changed = frozenset(ident for ident in ids if shortcode.digest_of(ident) != then.digest_of(ident))
    keys = {DataDigests({}, registry).key(shortcode.name, ident) for ident in changed}
    listed = {nfc(found): found for found in files}
    made_from = warm.articles_made_from(keys - {None})
    if not made_from <= listed.keys():
        return None
    return _DataEdit(old, new, sections, registry, renderer, frozenset(edited), changed,
                     sorted(listed[rel] for rel in made_from), tuple(w for w in found if w[0] in edited))


def warm_edit(root: Path, out: Path, config: SiteConfig, ui: UiStrings, selection: Selection, day: str,
              now: dt.datetime, warm: "WarmModel", strict: bool = False,
              processes: int | None = None) -> WarmEditResult | None:
    """Rebuild the pages a saved edit to a few bodies changed, or return None (nothing written) when
    the edit is not that case; see the module's doc. ``processes``: as the build's (many pages, such
    as the news pages a new article shifts, render on every core)."""
    last = warm.last_build
    edited = warm.changed
    if last is None or not edited or len(edited) > MAX_EDITED or (last.day, last.out, last.selection) != (
            day, str(out), selection):
        return None
    if last.next_publication is not None and now >= last.next_publication:
        return None
    files = warm.known_article_files()
    data_files = not all(rel.startswith(ARTICLES_DIR + "/") and rel.endswith(".md") for rel in edited)
    if files is None:
        return None
    # Article files new to the site (a new article): listed with the others, then made as edited files are.
    listed = warm.article_names(config)  # (by file, kept between saves: no set of 19,000 made on each)
    new_files = {rel for rel in edited if rel not in listed and rel.startswith(ARTICLES_DIR + "/") and rel.endswith(".md")}
    # Article files deleted (each one the last build published: see below), with their names as they were.
    deleted = {rel: listed[rel] for rel in edited if rel in listed and not os.path.lexists(root / rel)}
    if any(warm.is_link(rel) for rel in deleted) or deleted and data_files:
        return None
    if new_files or deleted:
        files = warm.article_files(root)
    cache = BuildCache.load(root, False, out, warm.record(BuildCache.record_file(root, out)))
    if not cache.describes(out):
        return None
    names = warm.article_names(config)  # (with the new files' names, when there are)
    # Stats or calendar files alone: the articles made from what changed are edited, in effect.
    data_edit = _data_edit(root, config, ui, warm, last, edited, cache, files, names) if data_files else None
    if data_files and data_edit is None:
        return None
    articles_edited = data_edit.articles if data_edit is not None else [rel for rel in edited if rel not in deleted]
    if not all(rel in names and not warm.is_link(rel) and (root / rel).is_file() for rel in articles_edited):
        return None
    bases = {names[rel][0] for rel in articles_edited} | {base for base, _, _ in deleted.values()}
    group = [found for found in files if names[found][0] in bases]  # the edited files and their translations
    last_site = warm.last_site_state()
    if last_site is None:
        return None
    world_then, articles_then, site_then = last_site
    before = warm.assembled_articles([nfc(found) for found in [*group, *deleted]])  # the last build's, by file
    # The deleted files' articles, as the last build published them (a deleted draft: the full rebuild).
    removed = {nfc(rel): before.get(nfc(rel)) for rel in deleted}
    if None in removed.values():
        return None

    # This path's own: on an error the full build reports everything. Its warnings (about the edited
    # files and their translations) take the place of the last build's about those files.
    diagnostics = Diagnostics()
    # (the front matter of each the last build read: whether it made a draft of it)
    sources_then = {nfc(found): warm.last_source(nfc(found)) for found in group}
    sources = load_articles(root, config, diagnostics, cache.front_matter, warm, None, group)
    if diagnostics.has_errors or len(sources) != len(group):
        return None
    sections, registry, renderer = (data_edit.sections, data_edit.registry, data_edit.renderer) \
        if data_edit is not None else (last.sections, last.registry, last.renderer)
    if needs_whole_site(renderer.graph):
        return None
    world, data = world_digest(root, config, ui, day_of_articles(renderer.graph, registry.templates(), sections, day),
                               warm, registry.folders(), block_templates(renderer.graph, registry.templates()))
    if world != world_then or diagnostics.has_errors:
        return None
    memory = _GroupMemory(warm)
    images = ImageProcessor(root / CACHE_DIR / "images", reuse=True)
    group_site = assemble(root, config, sources, ui, registry, selection, diagnostics, cache, images=images,
                          memory=memory, world=world, data=data, processes=1)
    group_rels = {source.rel for source in sources} | (data_edit.files if data_edit is not None else set())
    articles_warnings = warnings_of(diagnostics)
    found_warnings = articles_warnings + (data_edit.warnings if data_edit is not None else ())
    if diagnostics.has_errors or (strict and found_warnings) or any(w[0] not in group_rels for w in found_warnings) \
            or not {w for w in last.warnings if w[0] in group_rels} <= set(found_warnings):
        return None  # (a warning the last build gave about these files and this one does not: fixed, or
        # given by a check that does not run here; the full rebuild tells)
    # (those about a deleted file go with it)
    warnings = tuple(w for w in last.warnings if w[0] not in group_rels and w[0] not in removed) + found_warnings
    now_published = {article.rel: article for local in group_site.languages.values() for article in local.articles}
    # The new files' articles (new articles, new translations): published, naming no event.
    added = {rel: article for rel, article in now_published.items() if rel not in before}
    # A file made a draft or dated after now (scheduled) is a deleted one in effect, and one published
    # again a new one; the time the next scheduled article goes live is worked out again.
    sources_now = {source.rel: source for source in sources}
    withdrawn = before.keys() - now_published.keys() - removed.keys()
    republished = added.keys() - {nfc(rel) for rel in new_files}
    if any(_withheld(sources_now.get(rel), config, selection, now) is None for rel in withdrawn) \
            or any(_withheld(sources_then.get(rel), config, selection, now) is None for rel in republished) \
            or not {nfc(rel) for rel in new_files} <= added.keys():
        return None  # (not known why; or a new draft or scheduled file: the full rebuild)
    removed.update((rel, before[rel]) for rel in sorted(withdrawn))
    next_publication = site_then.next_publication
    for rel in withdrawn:  # (a scheduled one may go live first)
        if _withheld(sources_now[rel], config, selection, now) == "scheduled":
            when = aware(sources_now[rel].fields["date"], config)
            next_publication = min(next_publication, when) if next_publication is not None else when
    if any(_withheld(sources_then[rel], config, selection, now) == "scheduled" and next_publication is not None
           and aware(sources_then[rel].fields["date"], config) <= next_publication for rel in republished):
        return None  # (it may have been the next to go live: which one is now, only the whole site tells)
    added_bases = {article.base for article in added.values()}
    removed_bases = {old.base for old in removed.values()}
    if any(article.events for article in added.values()) or any(
            nfc(found) not in added and nfc(found) not in before for found in group if names[found][0] in added_bases):
        return None  # (an event's page lists it; a version of its name the last build did not publish)
    changed = {rel: new for rel, new in now_published.items() if rel in before and new is not before[rel]}
    if not changed and not added and not removed and data_edit is None:
        return None
    # Those whose cards changed too (a summary, a title under a fixed slug): the lists that show them.
    carded = [rel for rel, new in changed.items() if not same_but_page(before[rel], new)]
    if (added or removed) and (carded or data_edit is not None):
        return None  # (cards swapped and moved along the news pages at once: the full rebuild)
    facts = {section.name: section.site_facts() for section in sections if hasattr(section, "site_facts")}
    linked = {base for fact in facts.values() for base in fact.get("articles", ())}  # (a section's pages show them)
    if (added_bases | removed_bases) & linked:
        return None  # a version of an article an event links, new or deleted (the event's page links every version)
    if carded:
        if any(not same_but_page(before[rel], changed[rel], MOVED_FIELDS | DATED_FIELDS | TERMS.keys())
               or (changed[rel].base in linked and not same_but_page(before[rel], changed[rel], ALL_BUT_LINKED))
               for rel in carded):
            return None
    # Those with a new address (a new title without ``slug``): their pages and images move.
    moved = {rel: before[rel] for rel in carded if changed[rel].url != before[rel].url}
    # Those with new dates: their cards move in the lists, the feed and the sitemap take the new order.
    dated = {rel: before[rel] for rel in carded
             if not same_but_page(before[rel], changed[rel], frozenset(ARTICLE_FIELDS) - DATED_FIELDS)}
    if (moved or dated or added or removed) and SITEMAP not in warm.pages \
            or not years_kept(facts, {**dated, **dict.fromkeys(added)}, {**changed, **added}, config):
        return None
    gone = {output_path(old.url) for old in moved.values()}
    gone |= {path for old in moved.values() for path in image_files(old)}
    # Those whose bodies show other images: the files of those they show no more go (see quick.py).
    reimaged = {rel for rel in changed if before[rel].images != changed[rel].images}
    gone |= {path for rel in reimaged - moved.keys() for path in image_files(before[rel]) - image_files(changed[rel])}
    # A deleted article: its page and images go (a kept page that links them: the full rebuild, which says so).
    gone |= {path for old in removed.values() for path in {output_path(old.url), *image_files(old)}}
    # A new article at a deleted one's address (a renamed file, its title the same) writes its page and
    # images there.
    arrived = {output_path(article.url) for article in added.values()}
    replacing = gone & arrived
    gone -= arrived | {path for article in added.values() for path in image_files(article)}

    # The site with the new versions in the places of the old (lists show the same cards).
    articles = [changed.get(article.rel, article) for article in articles_then]
    site = substituted_site(config, articles, site_then.next_publication, articles_then, site_then)
    if site is not None and removed:  # (and the deleted ones taken out; the last year the site has content for kept)
        articles = [article for article in articles if article.rel not in removed]
        site = site_without(config, site, list(removed.values()),
                            {base: group_site.translations.get(base, {}) for base in removed_bases})
    if site is not None and added:  # (and the new ones in their places; the articles in the files' order)
        site = site_with_added(config, site, list(added.values()),
                               {base: group_site.translations[base] for base in added_bases})
        position = {nfc(found): at for at, found in enumerate(files)}
        articles = [*articles, *added.values()]
        if not all(article.rel in position for article in articles):
            return None
        articles.sort(key=lambda article: position[article.rel])
    if site is None or removed and not last_year_stays(
            facts, removed, lambda: [local.articles[0].published for local in site.languages.values() if local.articles],
            config):
        return None
    site = dataclasses.replace(site, next_publication=next_publication)
    dated_codes = {changed[rel].lang for rel in dated}
    feed_codes = dated_codes | {article.lang for article in [*added.values(), *removed.values()]}  # (a new order)

    # The pages that show them in full: their own, their translations' (a stale one shows its
    # original), and the feeds; no other kind.
    shown = warm.shown_in_full()
    own = {output_path(article.url): article for article in now_published.values()}
    feeds = {output_path(feed_url(lang)): lang for lang in config.languages}
    to_render = {output_path(article.url) for article in [*changed.values(), *added.values()]}
    to_render |= {path for rel in [*changed, *removed] for path in shown.get(rel, ())} - gone
    to_render |= {output_path(feed_url(config.language(code))) for code in feed_codes}
    # The pages of the other versions of a moved article, of a new or deleted one (their language switch).
    to_render |= {path for path, article in own.items() if article.base in {old.base for old in moved.values()}
                  or article.base in added_bases | removed_bases}
    if not to_render <= own.keys() | feeds.keys():
        return None
    # The pages of the section saved whose data changed, those that read it (the home pages), and the
    # pages of the articles it links whose links changed (an article's page lists its events).
    section_pages: dict[str, PageOutput] = {}
    section_data: list = []
    relinked: dict[str, Article] = {}
    if data_edit is not None:
        data_edit.section.check(site, diagnostics)
        section_pages, section_data = data_edit.pages(warm, site, ui, world, cache, diagnostics)
        if section_pages is None:
            return None
        relinked = {output_path(article.url): article for base in data_edit.relinked()
                    for article in site.translations.get(base, {}).values()}
        to_render |= section_pages.keys() | relinked.keys()
    listing = warm.output_listing(out)
    if listing is None or any(output_path(changed[rel].url) in listing for rel in moved) \
            or len({changed[rel].url for rel in moved}) < len(moved) \
            or (arrived - replacing) & listing or len(arrived) < len(added):
        return None  # (a new address that another file has, or two articles share: the full rebuild says so)
    was_at = {output_path(changed[rel].url): output_path(old.url) for rel, old in moved.items()}
    # The other pages that show the old cards (home, news, tag and author pages), the new ones in place.
    shown_cards = {rel: warm.card_shown(before[rel]) for rel in carded}
    if None in shown_cards.values():
        return None
    swaps: dict[int, object] = {id(held): changed[rel].card for rel, (held, _) in shown_cards.items()}
    let_go: list = [before[rel] for rel in changed] + [held for held, _ in shown_cards.values()]
    # The tag and author pages whose lists changed, by address (a term new to the site has one now, one
    # left without an article none: ``arriving``, ``gone``).
    term_pages: dict[str, tuple[TermPage | None, TermPage | None, str]] = {}  # url -> (old, new, its kind)
    for code, local in site.languages.items() if carded or added or removed else ():
        then = site_then.languages[code]
        for kind in TERMS:
            old_pages = {term_page.url: term_page for term_page in getattr(then, kind)}
            for new in getattr(local, kind):
                old = old_pages.pop(new.url, None)
                if old is not new:
                    term_pages[new.url] = (old, new, kind)
            term_pages.update((url, (old, None, kind)) for url, old in old_pages.items())
    for old, new, kind in term_pages.values():
        if old is not None and new is not None:
            swaps[id(old)] = new
        if old is not None:
            let_go.append(old)
    arriving = [(new, kind) for old, new, kind in term_pages.values() if old is None]
    terms_left = {url for url, (_, new, _) in term_pages.items() if new is None}
    if any(kind == "authors" and _named_in_other_languages((old or new), site) for old, new, kind in term_pages.values()
           if old is None or new is None):
        return None  # an author whose pages in other languages would link hers (or stop): the full rebuild
    if any(output_path(new.url) in listing for new, _ in arriving):
        return None  # (a file there that is not a term's page)
    gone |= {output_path(url) for url in terms_left}
    lists = {}
    for path in {path for _, paths in shown_cards.values() for path in paths} - to_render - gone:
        lists[path] = _swapped(warm.pages[path], swaps)
        if lists[path] is warm.pages[path]:
            return None  # (not where the index says)
    # The tag and author pages of the site's new lists, whatever objects the pages held (a page the
    # card joined did not show it; one it left still shows the old card), and the indexes' counts.
    retermed = bool(added) or bool(removed) or any(getattr(before[rel], kind) != getattr(changed[rel], kind)
                                  for rel in carded for kind in TERMS)
    for old, new, _ in term_pages.values():
        if old is None or new is None:
            continue  # (a page made below, or one that goes)
        path = output_path(new.url)
        page = warm.pages.get(path)
        held = page.data.get("term_page") if page is not None else None
        if type(held) is not TermPage or held.url != new.url:
            return None
        lists[path] = dataclasses.replace(page, data=MappingProxyType({**page.data, "term_page": new}))
    for code, local in site.languages.items() if carded or added or removed else ():
        lang = config.language(code)
        for kind, (_, index_of) in TERMS.items():
            if not retermed:
                continue
            index = output_path(index_of(lang))
            page = warm.pages.get(index)
            if page is None or type(page.data.get("terms")) is not tuple:
                return None
            counts = tuple(TermCount(term_page.term, term_page.url, len(term_page.articles))
                           for term_page in getattr(local, kind))
            if counts != page.data["terms"]:
                lists[index] = dataclasses.replace(page, data=MappingProxyType({**page.data, "terms": counts}))
    # The news pages and the home page of a re-dated article's language, where their cards are not the site's now.
    for code in dated_codes:
        lang = config.language(code)
        chunks = paginate(tuple(article.card for article in site.languages[code].articles), config.per_page)
        shown_as = [(output_path(urls.news(lang, number)), chunk) for number, chunk in enumerate(chunks, start=1)]
        for path, chunk in [*shown_as, (output_path(urls.home(lang)), chunks[0])]:
            page = warm.pages.get(path)
            if page is None or type(page.data.get("articles")) is not tuple:
                return None
            if len(chunk) != len(page.data["articles"]) or any(a is not b for a, b in zip(chunk, page.data["articles"])):
                lists[path] = dataclasses.replace(page, data=MappingProxyType({**page.data, "articles": chunk}))
    # A new article's card in its place on its language's news pages: every card after it moves a place
    # (the pages from there on, every page when the list gets one more), the home page with the first;
    # a deleted article's taken out, the other way (its list's last page goes when it gets one fewer).
    more_pages, inserts, news_left = [], [], []
    if added or removed:
        showing = []  # the news pages that show the deleted articles' cards (as restacked needs them)
        for old in removed.values():
            held = warm.card_shown(old)
            if held is None:
                return None
            showing += [warm.pages[path] for path in held[1] if news_number(warm.pages[path])]
        stacked = restacked(showing, list(added.values()), list(removed.values()), config,
                            lambda paths: _pages_of(warm, paths))
        if stacked is None:
            return None
        lists.update((page.path, page) for page in stacked.pages)
        more_pages, inserts, news_left = stacked.more, stacked.inserts, stacked.left
        gone |= {page.path for page in news_left}
    to_render |= lists.keys()
    old_to_new = {id(before[rel]): new for rel, new in changed.items()}
    planner = Planner(site, ui, previous=warm.pages, previous_copies=warm.copies, article_data=tuple(
        s.article_page_data for s in sections if hasattr(s, "article_page_data")))
    alternates_of: dict = {}
    for path in sorted(to_render):
        earlier = warm.pages.get(was_at.get(path, path))
        if path in own and (earlier.template == ARTICLE_TEMPLATE if earlier is not None else own[path].rel in added):
            plan_article(planner, config.language(own[path].lang), own[path], alternates_of)
        elif path in feeds and earlier is not None and feeds[path].code in feed_codes:  # (a new order)
            plan_feed(planner, feeds[path], site.languages[feeds[path].code].articles[: config.feed_entries])
        elif path in feeds and earlier is not None and isinstance(earlier.data.get("articles"), tuple):
            plan_feed(planner, feeds[path], tuple(old_to_new.get(id(a), a) for a in earlier.data["articles"]))
        elif path in lists:
            planner.pages.append(lists[path])
        elif path in section_pages:
            planner.pages.append(section_pages[path])
        elif path in relinked and earlier is not None and earlier.template == ARTICLE_TEMPLATE:
            plan_article(planner, config.language(relinked[path].lang), relinked[path], alternates_of)
        else:
            return None
    mark = len(planner.pages)  # the news pages a new article adds at the end of its list
    for news_page in more_pages:
        plan_news_page(planner, config.language(news_page.lang), news_page.number, news_page.count, news_page.cards)
    if any(page.path in listing for page in planner.pages[mark:]):
        return None
    to_render |= {page.path for page in planner.pages[mark:]}
    # The sitemap, from the last build's, with each change in turn.
    sitemap = [warm.pages[SITEMAP]] if SITEMAP in warm.pages else None
    # The entries of the pages that go: empty terms', a deleted article's and the news pages left out.
    sitemap_left = {*terms_left, *(old.url for old in removed.values()), *(page.url for page in news_left)} \
        - {article.url for article in added.values()}  # (a renamed file's new entry takes the old one's place)
    if (arriving or sitemap_left) and sitemap is not None:  # the new terms' pages after the term before them
        mark = len(planner.pages)
        for term_page, kind in arriving:
            plan_term_page(planner, config.language(term_page.articles[0].lang), term_page, PAGE_KINDS[kind])
        indexes = [lists[path] for path in lists if "terms" in lists[path].data]
        sitemap = termed_in_sitemap([*sitemap, *indexes], planner.pages[mark:], sitemap_left)
        sitemap = sitemap[:1] if sitemap is not None else None
        to_render |= {page.path for page in planner.pages[mark:]}
    if moved and sitemap is not None:  # the new addresses, and the translations' alternates
        sitemap = moved_in_sitemap(sitemap, planner.pages, {old.url: changed[rel].url for rel, old in moved.items()})
    if dated and sitemap is not None:  # a language's articles in the lists' order, each with its date
        places = {changed[rel].url: (_place(site_then.languages[old.lang].articles, old),
                                     _place(site.languages[old.lang].articles, changed[rel])) for rel, old in dated.items()}
        if any(None in place for place in places.values()):
            return None
        sitemap = dated_in_sitemap(sitemap, planner.pages, places, set(places))
    if added and sitemap is not None:  # the new articles' pages and news pages in their places
        sitemap = added_in_sitemap(sitemap, planner.pages, inserts)
    if (added or removed) and sitemap is not None:  # the entries of their other versions made again (their
        # alternates name a new translation, or a deleted one no more)
        sitemap = moved_in_sitemap(sitemap, planner.pages, {})
    if arriving or terms_left or moved or dated or added or removed:
        if sitemap is None:
            return None
        planner.pages += sitemap
        to_render.add(SITEMAP)
    # The sitemap first: its 22,000 entries on a large archive take as long as 600 other pages, and
    # last, it kept one core busy while the other had nothing left to render.
    plan = Plan(tuple(sorted(planner.pages, key=lambda page: page.path != SITEMAP)), ())
    if diagnostics.has_errors or sorted(page.path for page in plan.pages) != sorted(to_render):
        return None
    # A moved article's images, and those of an article that shows other images (all copied again).
    copies = [copy for copy in planner.copies if copy.path not in listing or copy.origin in reimaged
              or copy.origin in added]
    files = (listing - gone) | {page.path for page in plan.pages} | {copy.path for copy in copies}

    # Render, check, stage; then put in place and keep what the full build would keep.
    record = warm.record(cache.record_path)
    output = OutputFolder(out, True, listing)
    finished = False
    linking = None
    try:
        links = LinkChecker(plan, root, config, diagnostics, files)
        # The kept pages that may link a moved article's old page or images, looked through meanwhile.
        linking = Meanwhile(lambda: any(
            links.reaches(page_url(path), data, gone) for path, data in may_link(
                [path for path in files if path not in to_render], gone, file_reader(output.out), page_url)),
            ) if gone else None
        renderer.fingerprint_seed = warm.fingerprints
        fingerprint_of = renderer.fingerprints(plan, site)
        fingerprints: dict[str, str | None] = {}
        noting = [section for section in sections if hasattr(section, "page_note")]
        notes: dict[str, dict[str, object]] = {section.name: {} for section in noting}
        work = PageWork(renderer, site, plan, links, output, [section.page_note for section in noting])
        for page, done in zip(plan.pages, do_pages(work, plan.pages, processes)):
            # Each page's fingerprint as it comes (for the record): many pages render in a worker
            # process meanwhile, where hashing them all first kept it waiting (a new article's 1,000).
            fingerprints[page.path] = fingerprint_of(page)
            if done.aborted or done.error:
                return None
            if done.staged:
                output.staged.add(page.path)
            links.note(done.links)
            for section, note in zip(noting, done.notes):
                notes[section.name][page.path] = note
        links.report()
        if diagnostics.has_errors or warnings_of(diagnostics) != articles_warnings or record is None \
                or None in fingerprints.values():  # (a message from the pages: the full rebuild gives them all)
            return None
        if linking is not None and linking.answer() is not False:
            return None  # a kept page links a gone file (None: the look failed); the full rebuild says where
        for copy in copies:
            output.copy(copy, source_stamp(copy.source, images.cache_dir), None, immutable=images.cache_dir)
        for data_file in section_data:  # (stats.json, a CSV, an event's ICS)
            output.write(data_file.path, data_file.data)
        for path in gone:  # (a page no longer written: the search section's record drops it)
            for section in noting:
                notes[section.name][path] = None
        section_records = {}  # what each section that notes pages records of them, as the full build would
        for section in noting:
            patched = getattr(section, "patched_record", None)
            ok, entry = patched(record["sections"].get(section.name), notes[section.name], output) \
                if patched else (False, None)
            if not ok:
                return None
            section_records[section.name] = entry
        if output.staged:
            warm.forget_record()
            cache.forget_output()
            output.commit_changed_files(gone)
        finished = True
    finally:
        if linking is not None:
            linking.stop()
        if not finished or not output.staged:
            output.discard()  # (a committed folder has no staging left to discard)

    # What the preview keeps: the record, the articles, the site, the pages, the output's stamp.
    record["outputs"].update(fingerprints)
    for path in gone:
        record["outputs"].pop(path, None)
    for name, entry in section_records.items():
        if entry is None:
            record["sections"].pop(name, None)
        else:
            record["sections"][name] = entry
    warm.keep_record(cache.record_path, record)
    for args in memory.kept:
        warm.keep_article(*args)
    warm.keep_site(world, articles, site)
    warm.fingerprints = renderer.values.entries
    warm.replace_pages(plan.pages, replaced=[*let_go, *removed.values()], gone=gone)
    warm.forget_articles(removed.keys())
    for rel in deleted:
        warm.forget_source(nfc(rel))
    for rel in moved.keys() | reimaged | added.keys():  # (the article's images, copied beside its new page or anew)
        warm.copies[rel] = tuple(copy for copy in planner.copies if copy.origin == rel)
    for rel in carded:
        warm.card_swapped(before[rel], changed[rel].card)
    if retermed or moved or dated or added or removed:
        warm.forget_shown()  # (a card joined or left a page, a page moved: worked out again when next asked)
    warm.keep_output(out, sorted(files) if files != listing else None)
    cache.bodies.flush()  # (the other sections are the last build's: their data files were not read again)
    cache.front_matter.flush()
    if data_edit is not None:
        cache.data_files.flush()
        cache.made.flush()  # (ICS files made anew)
    warm.looked()
    # The pages counted per language (the new terms' come, the empty ones' go), and the warnings now.
    counts = Counter(last.counts)
    counts.update(term_page.articles[0].lang for term_page, _ in arriving)
    counts.update([*(article.lang for article in added.values()), *(news_page.lang for news_page in more_pages)])
    counts.subtract([*(old.lang for old in removed.values()), *(page.lang for page in news_left)])
    counts.subtract(old.articles[0].lang for old, new, _ in term_pages.values() if new is None)
    warm.last_build = dataclasses.replace(last, counts=dict(counts), warnings=warnings, sections=sections,
                                          registry=registry, renderer=renderer, next_publication=next_publication)
    return WarmEditResult(dict(counts), tuple(sorted(to_render)), warnings)


def _withheld(source, config: SiteConfig, selection: Selection, now: dt.datetime) -> str | None:
    """Why the build does not publish this source: "draft", "scheduled" (dated after ``now``), or None
    (published, or not known: None given, a front matter with errors)."""
    return unpublished(source.fields, config, selection, now) if source is not None and source.valid else None


def _pages_of(warm: "WarmModel", paths: set[str]) -> list[PageOutput] | None:
    """The last build's pages at ``paths`` (relist.restacked reads the news pages so), or None when one is missing."""
    found = [warm.pages.get(path) for path in paths]
    return None if None in found else found


def _named_in_other_languages(author_page: TermPage, site) -> bool:
    """Whether another language than the page's has an author of the same slug (their pages link each other)."""
    lang = author_page.articles[0].lang
    return any(any(other.term.slug == author_page.term.slug for other in local.authors)
               for code, local in site.languages.items() if code != lang)


def _place(articles: tuple[Article, ...], article: Article) -> int | None:
    """Where the very ``article`` is in ``articles`` (by identity: equal articles compare their bodies)."""
    return next((at for at, other in enumerate(articles) if other is article), None)


_LEAVES = NO_ARTICLES | {ArticleCard}  # values that hold no card to swap (a card is swapped or kept whole)


def _swapped(value, swaps: dict[int, object]):
    """``value`` with each object whose id is in ``swaps`` replaced by the one given there, and the
    records, mappings and sequences that hold one made anew; ``value`` itself when it holds none."""
    new = swaps.get(id(value))
    if new is not None:
        return new
    kind = type(value)
    if kind in _LEAVES or isinstance(value, Article):
        return value
    if kind is tuple or kind is list:
        items = [_swapped(item, swaps) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else kind(items)
    if kind is dict or kind is MappingProxyType:
        items = {key: _swapped(item, swaps) for key, item in value.items()}
        if all(items[key] is item for key, item in value.items()):
            return value
        return MappingProxyType(items) if kind is MappingProxyType else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            old = getattr(value, field.name)
            if (new := _swapped(old, swaps)) is not old:
                changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value
