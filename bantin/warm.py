"""What the dev server keeps in memory from one rebuild to the next.

A save changes one file, yet every build reads, checks and assembles every article again,
and hashes each one for its page's fingerprint: seconds on a large archive. The preview
runs in one long-lived process, so it keeps the objects themselves: an article file whose
text is unchanged gives back the same ``ArticleSource``; that source, in an unchanged
"world" (settings, UI strings, templates, calendar and stats files, image names, the day when
the templates of shortcode blocks read the calendar),
gives back the same ``Article``; and the same object has the same fingerprint. The command
line starts a new process each time and never uses this: it keeps the same things on disk,
as data (content.SourceRecords, assembled.py).

Only what came out without any message is kept, so mistakes are always reported afresh.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import jinja2

from .assemble import Selection, data_unchanged
from .cache import CACHE_VERSION, digest, write_record
from .content import ARTICLES_DIR, ArticleSource, article_files, split_name
from .images import ImageProcessor
from .model import ARTICLE_FIELDS, Article, ArticleCard, Site
from .plan import ASSETS_DIR
from .quick import page_contents
from .state import FILE_RACY_NS, file_stamp, stamp_trusted

if TYPE_CHECKING:
    from .assembled import AssembledArticles
    from .render import Renderer
    from .shortcodes import DataDigests, ShortcodeRegistry
    from .config import SiteConfig
    from .diagnostics import Diagnostics
    from .fingerprint import TemplateGraph
    from .plan import CopyOutput, PageOutput, Planned, Planner
    from .sections import Section
    from .i18n import UiStrings

# Files of content/ whose bytes shortcodes and articles are made from (calendar, stats); other
# files (images) count by name here and are checked one by one when an article is reused.
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".csv")
RACY_NS = FILE_RACY_NS  # see state.py; a name of this module so that tests can set it


@dataclass(frozen=True)
class _Source:
    stamp: tuple[int, int, int, int] | None  # file_stamp, None when too recent to be trusted
    source: ArticleSource


@dataclass(frozen=True)
class _Assembled:
    source: ArticleSource  # the very object: the same object means the same text
    world: str
    stale_original: str | None
    article: Article
    body_key: str  # its Markdown in the body cache, kept in use
    data_used: dict[str, str]  # the data folders it is made from, with their digests (assemble.data_used)


@dataclass(frozen=True)
class LastBuild:
    """What a saved edit to a body answered from memory (warm_edit.py) needs of the last full build,
    kept only when that build succeeded (with its warnings, which every build reports again)."""

    day: str
    out: str
    selection: Selection
    next_publication: "dt.datetime | None"
    counts: dict[str, int]
    # The sections as loaded and checked, the shortcodes and the renderer: the same while only article
    # files change and their front matters stay as they were (the calendar reads an article's
    # base name and events alone; loading 700 calendar and stats files took a tenth of a second).
    sections: "tuple[Section, ...]"
    registry: "ShortcodeRegistry"
    renderer: "Renderer"
    warnings: "tuple[tuple[str, int | None, int | None, str], ...]" = ()  # (path, line, column, message)


@dataclass(frozen=True)
class _SectionPlan:
    key: str  # the world and the section's fingerprint when it was planned
    planned: "Planned"


class WarmModel:
    def __init__(self):
        self._sources: dict[str, _Source] = {}
        self._assembled: dict[str, _Assembled] = {}
        self.fingerprints: dict[int, tuple[object, str]] = {}  # Fingerprinter memo entries to start from
        self.environment = None  # the Jinja environment, with its compiled templates (render.py)
        self._images_checked: dict[int, bool] = {}  # id of a kept article's image -> the same this build
        self._site: "tuple[str, list[Article], Site] | None" = None  # the last build's world, articles, site
        self._plans: dict[str, _SectionPlan] = {}  # section name -> its outputs of an earlier build
        self.pages: dict[str, "PageOutput"] = {}  # the last build's planned pages by path (Planner)
        self.copies: dict[str, tuple["CopyOutput", ...]] = {}  # and its copies by origin
        self._output: tuple[str, tuple[int, int, int, int], frozenset[str]] | None = None  # see keep_output
        # What changed since a build last looked, as the operating system told the dev server (paths
        # from the site's folder); None when unknown (before the first build, a folder moved, the
        # watcher polling) until a build has looked at every file. See ``changed``.
        self._unlooked: frozenset[str] | None = None
        self._told = False
        self._article_files: list[str] | None = None  # content.article_files of the last build
        # Those of them that are symbolic links: a save to the file a link points at is reported
        # for that file, not for the link, so they are looked at on every build.
        self._links: set[str] = set()
        # The folders of the data files apart, and world_files_digest of them, in the last build.
        self._world_files: "tuple[tuple[str, ...], tuple[str, dict[str, str]]] | None" = None
        # The record of the output folder (cache.py) as the last build left it, and its file: kept
        # here rather than written after each save (a tenth of a second on a large archive), and
        # written when the dev server stops (``write_record``). Its file is deleted before the
        # first save changes the folder, as a command-line build does before it changes it.
        self._record: tuple[Path, dict] | None = None
        self.last_build: LastBuild | None = None  # see LastBuild; None while a full build runs
        self._shown: dict[str, tuple[str, ...]] | None = None  # see shown_in_full
        # (base name, language) -> (the card the pages show, those pages): see card_shown
        self._cards: dict[tuple[str, str], tuple[ArticleCard | None, list[str]]] = {}
        self._names: tuple | None = None  # see article_names

    @property
    def empty(self) -> bool:
        return not self._assembled

    # --- what changed ---

    def note_changes(self, root: Path, paths: "frozenset[str] | None") -> None:
        """``paths``: every file the operating system reported changed since the last call (absolute
        or as watched), or None when that is not known; added to what no build has looked at yet
        (a build that stopped early, at a broken settings file, looked at nothing), as paths from
        ``root`` spelled as the file system spells them (like ``content.article_files``)."""
        self._told = True
        if paths is None or self._unlooked is None:
            self._unlooked = None
            return
        top = os.path.abspath(root)
        self._unlooked |= {os.path.relpath(os.path.abspath(path), top).replace(os.sep, "/") for path in paths}

    @property
    def changed(self) -> frozenset[str] | None:
        """The files changed since a build last looked, if this build was told; else None: a build
        nobody told what changed looks at every file."""
        return self._unlooked if self._told else None

    def looked(self) -> None:
        """A build has looked at the article files and the other inputs (called once it has)."""
        self._unlooked, self._told = frozenset(), False

    def article_files(self, root: Path) -> list[str]:
        """content.article_files, from the last build's list and the files reported changed since:
        listing 20,000 files on each save took a tenth of a second. Listed afresh when what
        changed is not known (the watcher reports a folder moved or made as not known)."""
        if self.changed is None or self._article_files is None:
            self._links = set()
            self._article_files = article_files(root, self._links)
            return self._article_files
        changed = [rel for rel in self.changed if rel.startswith(ARTICLES_DIR + "/") and rel.endswith(".md")]
        files = set(self._article_files)
        if all(rel in files and rel not in self._links and (root / rel).is_file() and not (root / rel).is_symlink()
               for rel in changed):
            return self._article_files  # files saved where they were: the same list (sorting took 30 ms)
        for rel in changed:
            path = root / rel
            if path.is_file():  # as the listing finds them: a link to a file is one
                files.add(rel)
                if path.is_symlink():
                    self._links.add(rel)
                else:
                    self._links.discard(rel)
            else:
                files.discard(rel)
                self._links.discard(rel)
        self._article_files = sorted(files, key=lambda rel: rel.split("/"))
        return self._article_files

    def known_article_files(self) -> list[str] | None:
        """content.article_files of the last build (None before one listed them)."""
        return self._article_files

    def is_link(self, found: str) -> bool:
        """Whether an article file (as listed) is a symbolic link: a save to its target is not
        reported for it, so it is looked at by every full build."""
        return found in self._links

    def articles_made_from(self, keys: "set[str]") -> set[str]:
        """The files of the articles kept that were made from one of ``keys`` (assemble.data_used:
        ``stats:ID`` for a stats block, ``event:ID`` for an event), as the sources spell them."""
        return {rel for rel, known in self._assembled.items() if not keys.isdisjoint(known.data_used)}

    def article_names(self, config: "SiteConfig") -> "dict[str, tuple[str, str | None, str]]":
        """content.split_name of each of ``known_article_files``, kept while that list and the
        languages are the same (19,000 names on each save: 15 ms), and kept for the files still
        listed when the list changes with the same languages (a new file: its name alone)."""
        files = self._article_files or []
        key = (id(files), config.default_language, config.codes)
        if self._names is None or self._names[0] != key or self._names[1] is not files:
            known = self._names[2] if self._names is not None and self._names[0][1:] == key[1:] else {}
            self._names = (key, files, {found: known.get(found) or split_name(found, config) for found in files})
        return self._names[2]

    def world_files(self, root: Path, folders: tuple[str, ...]) -> "tuple[str, dict[str, str]]":
        """``world_files_digest``: the last one when only article files changed, with the digest of
        the one data folder alone made again when only its files (and articles) changed (walking
        and reading every other file took a tenth of a second at 10,000 pairs)."""
        changed = self.changed
        data_folders = {folder for rel in changed or () for folder in folders if rel.startswith(folder + "/")}
        others = [rel for rel in changed or () if not (rel.startswith(ARTICLES_DIR + "/") and rel.endswith(".md"))
                  and not any(rel.startswith(folder + "/") for folder in folders)]
        if self._world_files is None or changed is None or others or len(data_folders) > 1 \
                or self._world_files[0] != folders:
            self._world_files = (folders, world_files_digest(root, folders))
        elif data_folders:
            (folder,) = data_folders
            world, by_folder = self._world_files[1]
            self._world_files = (folders, (world, {**by_folder, folder: folder_digest(root, folder)}))
        return self._world_files[1]

    # --- content.load_articles ---

    def unchanged_source(self, rel: str, stat: os.stat_result) -> ArticleSource | None:
        """The source of the last build if the file was not touched since: reading and hashing
        20,000 files on every save took a second."""
        known = self._sources.get(rel)
        if known is None or known.stamp is None or known.stamp != file_stamp(stat):
            return None
        return known.source

    def unreported_source(self, found: str, rel: str) -> ArticleSource | None:
        """The source of the last build if the operating system reported no change to its file
        (``found``, as listed) and its stamp was trusted then: not even a ``stat`` (20,000 of them
        on each save)."""
        if self.changed is None or found in self.changed or found in self._links:
            return None
        known = self._sources.get(rel)
        return known.source if known is not None and known.stamp is not None else None

    def forget_source(self, rel: str) -> None:
        """A file read with a problem: looked at again on every build until it is right (and its
        messages repeated), never taken for the last good version."""
        self._sources.pop(rel, None)

    def source(self, rel: str, key: str, stat: os.stat_result) -> ArticleSource | None:
        """The source of the last build if the file still has the text whose ``text_key`` is ``key``."""
        known = self._sources.get(rel)
        if known is None or known.source.text_key != key:
            return None
        self.keep_source(known.source, stat)  # it may be trusted now
        return known.source

    def keep_source(self, source: ArticleSource, stat: os.stat_result) -> None:
        trusted = stamp_trusted(stat, RACY_NS)
        self._sources[source.rel] = _Source(file_stamp(stat) if trusted else None, source)

    def forget_sources_except(self, rels: set[str]) -> None:
        self._sources = {rel: known for rel, known in self._sources.items() if rel in rels}

    # --- assemble ---

    def expect(self, sources: list[ArticleSource], world: str, stale: dict[tuple[str, str], str]) -> None:
        """Nothing to read: the articles are in memory. A new build asks for each image afresh."""
        self._images_checked = {}

    def article(self, source: ArticleSource, world: str, stale_original: str | None,
                images: ImageProcessor, data: "DataDigests") -> tuple[Article, str] | None:
        """(the article assembled from this very source last time, its body key), if nothing it
        was made from changed; its images are asked for again (which also keeps their cached
        variants in use) and must come back the same."""
        known = self._assembled.get(source.rel)
        if known is None or known.source is not source or known.world != world \
                or known.stale_original != stale_original or not data_unchanged(known.data_used, data):
            return None
        article = known.article
        assets = article.images + ((article.cover,) if article.cover and article.cover not in article.images else ())
        for asset in assets:
            # Once per image and build: the same picture stands in thousands of articles.
            same = self._images_checked.get(id(asset))
            if same is None:
                same = self._images_checked[id(asset)] = images.asset(asset.source, asset.name) == (asset, None)
            if not same:
                return None
        return article, known.body_key

    def keep_article(self, source: ArticleSource, world: str, article: Article, body_key: str,
                     data_used: dict[str, str]) -> None:
        self._assembled[source.rel] = _Assembled(source, world, article.stale_original, article, body_key,
                                                 data_used)

    def forget_articles_except(self, rels: set[str]) -> None:
        self._assembled = {rel: known for rel, known in self._assembled.items() if rel in rels}

    def forget_articles(self, rels) -> None:
        """Files whose articles the last build no longer published (deleted, made drafts: warm_edit.py):
        a file of that name published again is a new article, not an edit of the old one."""
        for rel in rels:
            self._assembled.pop(rel, None)
            self.copies.pop(rel, None)

    def last_source(self, rel: str) -> ArticleSource | None:
        """The source of ``rel`` as the last build read it (its front matter then), if kept."""
        known = self._sources.get(rel)
        return known.source if known is not None else None

    def assembled_articles(self, rels) -> dict[str, Article]:
        """The articles the last build published from these files (each file that gave one)."""
        return {rel: self._assembled[rel].article for rel in rels if rel in self._assembled}

    def last_site(self, world: str) -> "tuple[list[Article], Site] | None":
        """The articles and site of the last build made in this world (assemble.substituted_site)."""
        return self._site[1:] if self._site is not None and self._site[0] == world else None

    def keep_site(self, world: str, articles: list[Article], site: "Site") -> None:
        self._site = (world, articles, site)

    def last_site_state(self) -> "tuple[str, list[Article], Site] | None":
        """(world, articles, site) of the last build, whatever its world."""
        return self._site

    # --- plan ---

    def plan_section(self, section: "Section", world: str, planner: "Planner", diagnostics: "Diagnostics") -> None:
        """Plan a section, or give the planner the very outputs it planned last time if the
        section's fingerprint (everything its pages are made from, besides the world) is the
        same: the calendar's month grids are thousands of objects, each to hash again."""
        key = digest(world, section.fingerprint() or "")
        known = self._plans.get(section.name)
        if known is not None and known.key == key:
            planner.replay(known.planned)
            return
        mark, messages_before = planner.mark(), len(diagnostics.items)
        section.plan(planner)
        if len(diagnostics.items) == messages_before:
            self._plans[section.name] = _SectionPlan(key, planner.since(mark))
        else:
            self._plans.pop(section.name, None)

    def planned(self, name: str) -> "Planned | None":
        """What the section ``name`` planned in the last build (see ``plan_section``), if it was kept."""
        known = self._plans.get(name)
        return known.planned if known is not None else None

    def keep_pages(self, pages: "tuple[PageOutput, ...]", copies: "tuple[CopyOutput, ...]") -> None:
        self.pages = {page.path: page for page in pages}
        self._shown = None
        by_origin: dict[str, list[CopyOutput]] = {}
        for copy in copies:
            by_origin.setdefault(copy.origin, []).append(copy)
        self.copies = {origin: tuple(planned) for origin, planned in by_origin.items()}

    def replace_pages(self, pages: "tuple[PageOutput, ...]", replaced: list[Article],
                      gone: Iterable[str] = ()) -> None:
        """Pages planned again in the places of the last build's (warm_edit.py), which showed the
        ``replaced`` articles: their fingerprints are let go with them. ``gone``: paths no longer
        written (a moved article's old page)."""
        for path in gone:
            old = self.pages.pop(path, None)
            if old is not None:
                self.fingerprints.pop(id(old), None)
        for page in pages:
            old = self.pages.get(page.path)
            if old is not None:
                self.fingerprints.pop(id(old), None)
            self.pages[page.path] = page
        for article in replaced:
            self.fingerprints.pop(id(article), None)

    def shown_in_full(self) -> dict[str, tuple[str, ...]]:
        """article file -> the pages that show its article in full besides its own (a feed, a stale
        translation's page), in the last build's pages; worked out when first asked after a full
        build (a saved edit keeps the same articles in the same places of the pages), with the
        pages that show each card (``card_shown``)."""
        if self._shown is None:
            shown: dict[str, list[str]] = {}
            pages_in_full, carded = page_contents(self.pages.values())
            for path, rels in pages_in_full.items():
                for rel in rels:
                    shown.setdefault(rel, []).append(path)
            self._shown = {rel: tuple(paths) for rel, paths in shown.items()}
            self._cards = {}
            for path, cards in carded.items():
                for card in cards:
                    held = self._cards.setdefault((card.base, card.lang), (card, []))
                    held[1].append(path)
                    if held[0] is not card:  # two cards of one article: not known which is shown
                        self._cards[card.base, card.lang] = (None, held[1])
        return self._shown

    def forget_shown(self) -> None:
        """Which pages show which article in full or by its card is to be worked out again."""
        self._shown = None

    def card_shown(self, article: Article) -> "tuple[ArticleCard, tuple[str, ...]] | None":
        """(the card of the article the last build's pages show, those pages), or None when its pages
        show none or more than one (a body edit since makes the article anew, with an equal card,
        and the lists keep theirs)."""
        self.shown_in_full()
        held = self._cards.get((article.base, article.lang))
        return None if held is None or held[0] is None else (held[0], tuple(dict.fromkeys(held[1])))

    def card_swapped(self, article: Article, new: "ArticleCard") -> None:
        """The pages that showed the article's card show ``new`` in its place now (warm_edit.py)."""
        held = self._cards.get((article.base, article.lang))
        if held is not None:
            self._cards[article.base, article.lang] = (new, held[1])

    # --- write ---

    def output_listing(self, out: Path) -> frozenset[str] | None:
        """The files of the output folder as the last build left them, if it is still that folder:
        the preview's output is its own, and listing its 20,000 folders took a quarter of a second."""
        if self._output is None or self._output[0] != str(out):
            return None
        try:
            return self._output[2] if file_stamp(os.stat(out)) == self._output[1] else None
        except OSError:
            return None

    def keep_output(self, out: Path, files: list[str] | None) -> None:
        """``files``: what the output holds now; None: what it held, its folder's stamp taken again
        (a rebuild that replaced files and added none)."""
        listing = frozenset(files) if files is not None else self._output[2]
        self._output = (str(out), file_stamp(os.stat(out)), listing)

    def record(self, path: Path | None) -> dict | None:
        """The output's record (cache.BuildCache.record) the last build kept, if it was that file's."""
        return self._record[1] if self._record is not None and self._record[0] == path else None

    def keep_record(self, path: Path, record: dict) -> None:
        self._record = (path, record)

    def forget_record(self) -> None:
        """The output folder is about to change: the record no longer describes it until the build
        that changes it has finished (a server stopped in between leaves no record)."""
        self._record = None

    def write_record(self) -> None:
        """Into its file, for the next dev server or build of the same output folder."""
        if self._record is not None:
            write_record(*self._record)

    # --- render ---

    def keep_fingerprints(self, memo: dict[int, tuple[object, str]]) -> None:
        """Keep the fingerprints of the objects the next build can get back, and only those (an
        edited article's old version is let go)."""
        live: set[int] = set()
        for known in self._assembled.values():
            article = known.article
            live.add(id(article))
            if "card" in article.__dict__:  # a cached property, made when a list showed it
                live.add(id(article.card))
            live.update(id(asset) for asset in article.images)
            if article.cover is not None:
                live.add(id(article.cover))
        live.update(id(page) for page in self.pages.values())  # the calendar's replayed pages among them
        self.fingerprints = {key: entry for key, entry in memo.items() if key in live}


class StartedFromTheCache:
    """The preview's first build, right after a command-line build of the same files: each article
    the command line kept in the cache (assembled.py) for this very text and world is taken from
    there, with its fingerprint, instead of being assembled again (at 10,000 pairs, 2.6 s of a
    7.1 s first build). Its body is read at once, so the preview holds plain articles, as if it had
    made them, and never reads the cache again for them (another build may prune it)."""

    def __init__(self, warm: WarmModel, kept: "AssembledArticles"):
        self.warm, self.kept = warm, kept
        self.seed: dict[int, tuple[object, str]] = {}  # the articles' fingerprints (Renderer.fingerprint_seed)

    def expect(self, sources: list[ArticleSource], world: str, stale: dict[tuple[str, str], str]) -> None:
        self.warm.expect(sources, world, stale)
        self.kept.expect(sources, world, stale)

    def article(self, source: ArticleSource, world: str, stale_original: str | None,
                images: ImageProcessor, data: "DataDigests") -> tuple[Article, str] | None:
        found = self.kept.article(source, world, stale_original, images, data)
        if found is None:
            return None
        kept, body_key = found
        article = Article(**{name: getattr(kept, name) for name in ARTICLE_FIELDS})  # (the body read now)
        self.seed[id(article)] = (article, self.kept.seed[id(kept)][1])
        kept_card = kept.__dict__.get("card")  # made when the row had the card's fingerprint
        if kept_card is not None:
            self.seed[id(article.card)] = (article.card, self.kept.seed[id(kept_card)][1])
        self.warm.keep_article(source, world, article, body_key, self.kept.data_used[id(kept)])
        return article, body_key

    def keep_article(self, source: ArticleSource, world: str, article: Article, body_key: str,
                     data_used: dict[str, str]) -> None:
        self.warm.keep_article(source, world, article, body_key, data_used)

    def forget_articles_except(self, rels: set[str]) -> None:
        self.warm.forget_articles_except(rels)

    def last_site(self, world: str) -> None:
        return None

    def keep_site(self, world: str, articles: list[Article], site: "Site") -> None:
        self.warm.keep_site(world, articles, site)


def world_digest(root: Path, config: "SiteConfig", ui: "UiStrings", day: str, warm: WarmModel | None = None,
                 folders: tuple[str, ...] = (), templates: str = "") -> "tuple[str, dict[str, str]]":
    """(everything an article's assembly reads besides its own file, its images' bytes and the data
    folders, a digest of each data folder): ``folders`` are those whose files shortcodes are made
    from (calendar, stats), which count only for the articles that use them (assemble.data_used);
    ``templates``: a digest of the templates shortcode blocks are rendered with (``block_templates``),
    the only templates whose text an article's body depends on; ``day``: as ``day_of_articles`` gives it."""
    files, data = warm.world_files(root, folders) if warm is not None else world_files_digest(root, folders)
    return digest(CACHE_VERSION, repr(config), repr(sorted(ui.by_language.items())), day, files, templates), data


def block_templates(graph: "TemplateGraph", names: tuple[str, ...]) -> str:
    """A digest of the sources of ``names`` and of every template they pull in (a template that
    cannot be loaded counts by its error: the blocks that use it are reported, never kept)."""
    parts = []
    for name in names:
        try:
            parts.append(graph.closure(name)[0])
        except jinja2.TemplateError as exc:
            parts.append(f"{name}: {type(exc).__name__}: {exc}")
    return digest(*names, *parts)


def day_of_articles(graph: "TemplateGraph", names: tuple[str, ...], sections, day: str) -> str:
    """The day as articles are made from it (``world_digest``): ``day`` when one of the templates of
    shortcode blocks ``names`` (or a template they pull in) reads a section whose answers change with
    the day (``reads_the_day``: the calendar, which splits upcoming from past events), else "". A new
    day then keeps every article: on a large archive the first build of the day makes none again
    (the calendar's pages still change, by their fingerprints)."""
    by_day = frozenset(section.name for section in sections if getattr(section, "reads_the_day", False))
    for name in names:
        try:
            if graph.closure(name)[1] & by_day:
                return day
        except jinja2.TemplateError:
            return day  # (the blocks that use it are reported, never kept)
    return ""


def world_files_digest(root: Path, folders: tuple[str, ...] = ()) -> "tuple[str, dict[str, str]]":
    """(a digest of the files of templates/ and content/ but the articles and the data ``folders``:
    each by name, the theme's assets (whose versions are in the links templates write) and the
    data files with their bytes; a digest of each folder of ``folders``: its files' names and bytes).
    The templates themselves count by name here: ``block_templates`` has the text of those that
    matter."""
    parts: list = []
    by_folder: dict[str, list] = {folder: [] for folder in folders}
    for rel, path in _files_under(root, ("templates", "content")):
        suffix = os.path.splitext(rel)[1]
        if rel.startswith(ARTICLES_DIR + "/") and suffix == ".md":
            continue  # the article itself: compared on its own
        owner = next((folder for folder in folders if rel.startswith(folder + "/")), None)
        if owner is not None:
            by_folder[owner] += [rel, Path(path).read_bytes()]
            continue
        parts += [rel, Path(path).read_bytes() if rel.startswith(ASSETS_DIR + "/") or suffix in DATA_SUFFIXES else b""]
    return digest(*parts), {folder: digest(*folder_parts) for folder, folder_parts in by_folder.items()}


def folder_digest(root: Path, folder: str) -> str:
    """The digest ``world_files_digest`` gives the data folder ``folder`` (its files' names and bytes)."""
    return digest(*(part for rel, path in _files_under(root, (folder,)) for part in (rel, Path(path).read_bytes())))


def _files_under(root: Path, folders: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path from ``root``, path) of every file under ``folders``, sorted by the first."""
    files = []
    for folder in folders:
        for directory, _, names in os.walk(root / folder):  # strings, not Paths: 20,000 files
            relative = os.path.relpath(directory, root).replace(os.sep, "/")
            files += [(f"{relative}/{name}", os.path.join(directory, name)) for name in names]
    return sorted(files)
