"""From checked sources to the site model: bodies rendered, slugs, translations, tags, authors."""

from __future__ import annotations

import bisect
import datetime as dt
import html
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, replace
from pathlib import Path
from queue import SimpleQueue
from typing import Callable, Iterator, Protocol

from . import urls
from .cache import BuildCache
from .config import SiteConfig
from .content import ArticleSource
from .diagnostics import Diagnostics, Location
from .i18n import UiStrings
from .images import ImageAsset, ImageProcessor, published_slug
from .markdown_render import (BodySource, ConversionJob, MarkdownRenderer, MarkdownWorkers, PreparedBody,
                              StoredAsTheyCome, convert_bodies, convert_markdown, resolve_image_once)
from .model import Article, ArticleCard, LanguageSite, Site, Term, TermPage
from .shortcodes import DataDigests, ShortcodeRegistry
from .slugs import slugify
from .translations import check_translations



class ArticleMemory(Protocol):
    """Articles assembled by an earlier build: the dev server's in memory (warm.WarmModel), the
    command line's on disk (assembled.AssembledArticles)."""

    def expect(self, sources: list[ArticleSource], world: str, stale: dict[tuple[str, str], str]) -> None: ...

    def article(self, source: ArticleSource, world: str, stale_original: str | None,
                images: ImageProcessor, data: DataDigests) -> tuple[Article, str] | None: ...

    def keep_article(self, source: ArticleSource, world: str, article: Article, body_key: str,
                     data_used: dict[str, str]) -> None: ...

    def forget_articles_except(self, rels: set[str]) -> None: ...

    def last_site(self, world: str) -> "tuple[list[Article], Site] | None":
        """The articles and site of the last build, if it was made in the same world."""

    def keep_site(self, world: str, articles: list[Article], site: Site) -> None: ...

FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
DATELINE_SPAN = re.compile(r'<span class="dateline">.*?</span>\s*')
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Selection:
    """Which articles a build publishes."""

    drafts: bool = False
    future: bool = False
    now: dt.datetime | None = None


def unpublished(fields: dict, config: SiteConfig, selection: Selection, now: dt.datetime) -> str | None:
    """Why the article of these (checked) front matter fields is not published at ``now``: "draft",
    "scheduled" (dated after it), or None when it is."""
    if fields.get("draft") and not selection.drafts:
        return "draft"
    if aware(fields["date"], config) > now and not selection.future:
        return "scheduled"
    return None


def aware(value: dt.date | dt.datetime, config: SiteConfig) -> dt.datetime:
    """A date or datetime as an aware datetime; no offset means the site's time zone."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value if value.tzinfo else value.replace(tzinfo=config.timezone)


def plain_summary(body_html: str) -> str:
    """The first text paragraph as plain text (the dateline is page furniture, not summary)."""
    for match in FIRST_PARAGRAPH.finditer(body_html):
        text = html.unescape(TAG.sub("", DATELINE_SPAN.sub("", match.group(1))))
        text = " ".join(text.split())
        if text:
            return text
    return ""


def assemble(
    root: Path,
    config: SiteConfig,
    sources: list[ArticleSource],
    ui: UiStrings,
    registry: ShortcodeRegistry,
    selection: Selection,
    diagnostics: Diagnostics,
    cache: BuildCache | None = None,
    *,
    images: ImageProcessor,
    memory: ArticleMemory | None = None,
    world: str = "",
    data: dict[str, str] | None = None,
    processes: int | None = None,
    markdown: MarkdownWorkers | None = None,
    ahead: "BodiesAhead | None" = None,
) -> Site:
    """``memory``, ``world`` and ``data``: articles of earlier builds, the digest of everything
    besides an article's own file and the data folders that assembling it reads, and a digest of
    each data folder (warm.world_digest); ``processes``: at most that many worker processes for
    Markdown (None: one per core); ``markdown``: those workers, when the build forked them early;
    ``ahead``: the bodies already sent to them as the files were read."""
    data = DataDigests(data or {}, registry)
    now = selection.now or dt.datetime.now(dt.timezone.utc)
    renderers = {
        lang.code: MarkdownRenderer(registry, ui.for_language(lang.code)["footnote_backlink"], cache, images=images)
        for lang in config.languages
    }
    # One term for each name, made once: the same authors and tags come back in article after
    # article (a term each time was 76,000 at 10,000 pairs, 14 MB with their names and slugs, and
    # a slugify each; assembled.py does the same for the articles read back from the cache).
    terms: dict[str, Term] = {}

    def term(name: str) -> Term:
        found = terms.get(name)
        if found is None:
            found = terms[name] = Term(slugify(name), name)
        return found

    pending: list[_Pending] = []
    slots: list[Article | int] = []  # in file order: reused articles, and the index in ``pending`` of those to make
    scheduled: list[dt.datetime] = []
    by_slug: dict[tuple[str, str], ArticleSource] = {}
    stale = check_translations(sources, config, diagnostics).stale()
    if memory is not None:
        memory.expect(sources, world, stale)
    # Pass 1, in file order: every check, and each body made ready for Markdown.
    for source in sources:
        fields = source.fields
        if not source.valid:
            # Still look at the body, so its mistakes are reported in the same run.
            renderers[source.lang].prepare(_body(source, root, None), source.lang, diagnostics)
            continue
        withheld = unpublished(fields, config, selection, now)
        if withheld == "draft":
            continue
        published = aware(fields["date"], config)
        if withheld == "scheduled":
            scheduled.append(published)
            continue
        stale_original = stale.get((source.base, source.lang))
        reused = memory.article(source, world, stale_original, images, data) if memory is not None else None
        slug = reused[0].slug if reused else slugify(fields.get("slug", fields["title"]))
        if not slug:
            diagnostics.error(_slug_location(source), "cannot make a URL slug from this: use letters or digits")
            continue
        if (source.lang, slug) in by_slug:
            first = by_slug[source.lang, slug]
            diagnostics.error(
                _slug_location(source),
                f"duplicate slug '{slug}' in '{source.lang}' (also {first.rel}); set a different 'slug'",
            )
            continue
        by_slug[source.lang, slug] = source
        if reused:
            article, body_key = reused
            if cache is not None:
                cache.bodies.mark_used(body_key)  # kept for the next command-line build
            slots.append(article)
            continue
        messages_before = len(diagnostics.items)
        cover_path, cover_problem = (
            resolve_image_once(images, fields["image"], source.directory, root) if "image" in fields else (None, None)
        )
        body = ahead.take(source, diagnostics) if ahead is not None else None
        if body is None:
            body = renderers[source.lang].prepare(
                _body(source, root, fields.get("dateline")), source.lang, diagnostics, cover=cover_path
            )
        cover = None
        if "image" in fields:
            if cover_problem:
                diagnostics.error(source.locations["image"], cover_problem)
            else:
                cover = _cover(cover_path, fields["image"], body.images, images, source, diagnostics)
            if "image_alt" not in fields:
                diagnostics.error(source.locations["image"], "the cover image needs alt text: add 'image_alt'")
        updated = aware(fields["lastmod"], config) if "lastmod" in fields else None
        if updated and updated < published:
            diagnostics.error(source.locations["lastmod"], "'lastmod' is before 'date'")
        _check_events(source, fields.get("events", ()), registry, diagnostics)
        pending.append(_Pending(source, slug, published, updated, body, cover, stale_original,
                                data_used(body.shortcodes, fields.get("events", ()), data),
                                clean=len(diagnostics.items) == messages_before))
        slots.append(len(pending) - 1)

    # Pass 2: Markdown for the bodies the cache does not have, on every core; then the articles.
    # Each article's texts (its prepared body, its HTML before images and shortcodes) are dropped
    # once it is made: a large archive's are a few hundred MB (a clean build's peak memory).
    made: list[Article] = []
    bodies = [p.body for p in pending]
    htmls = ahead.converted(bodies) if ahead is not None else convert_bodies(bodies, cache, processes, markdown)
    for index, converted in enumerate(htmls):
        item, pending[index] = pending[index], None
        source, fields, cover = item.source, item.source.fields, item.cover
        messages_before = len(diagnostics.items)
        body = renderers[source.lang].finish(item.body, converted)
        article = Article(
            base=source.base,
            lang=source.lang,
            rel=source.rel,
            title=fields["title"],
            slug=item.slug,
            url=urls.article(config.language(source.lang), item.slug),
            published=item.published,
            updated=item.updated,
            authors=tuple(term(name) for name in fields.get("authors", ())),
            tags=tuple(term(name) for name in fields.get("tags", ())),
            source=fields.get("source"),
            source_url=fields.get("source_url"),
            dateline=fields.get("dateline"),
            summary=fields.get("summary") or plain_summary(body.html),
            body_html=body.html,
            images=body.images + ((cover,) if cover and cover not in body.images else ()),
            cover=cover,
            cover_alt=fields.get("image_alt"),
            cover_caption=fields.get("image_caption"),
            cover_in_body=cover in body.images,
            events=fields.get("events", ()),
            stale_original=item.stale_original,
        )
        if memory is not None and item.clean and len(diagnostics.items) == messages_before:
            memory.keep_article(source, world, article, item.body.job.key, item.data_used)
        made.append(article)
    articles = [slot if isinstance(slot, Article) else made[slot] for slot in slots]
    next_publication = min(scheduled, default=None)
    if memory is None:
        return _site(config, articles, next_publication)
    memory.forget_articles_except({article.rel for article in articles})
    last = memory.last_site(world)
    site = (substituted_site(config, articles, next_publication, *last) if last is not None else None) \
        or _site(config, articles, next_publication)
    memory.keep_site(world, articles, site)
    return site


class BodiesAhead:
    """Bodies made ready for Markdown and sent to its workers as their files are read, so that a
    build converting many bodies (a clean build) has both cores busy from its first seconds:
    reading and checking 19,000 front matters and preparing their bodies took 6 s on one core
    before the first body was sent. Each body is prepared as ``assemble``'s first pass would
    (same checks, same messages, kept apart until that pass takes them); a body the pass does not
    take (a second file with the same slug) is converted for nothing, one the pass prepares itself
    (an article that went live meanwhile) is sent then. The HTML comes back in the order the
    bodies were sent, which is the files' order, the order of the pass."""

    def __init__(self, root: Path, config: SiteConfig, ui: UiStrings, registry: ShortcodeRegistry,
                 images: ImageProcessor, selection: Selection, now: dt.datetime, cache: BuildCache | None,
                 workers: MarkdownWorkers, expected: int):
        self.root, self.config, self.selection, self.now, self.cache = root, config, selection, now, cache
        self.images = images
        self.renderers = {lang.code: MarkdownRenderer(registry, ui.for_language(lang.code)["footnote_backlink"],
                                                      cache, images=images) for lang in config.languages}
        self._prepared: dict[str, tuple[PreparedBody, list]] = {}  # by file: the body and its messages
        self._batch: list[ConversionJob] = []
        self._sent: set[str] = set()
        self._order: deque[str] = deque()  # the keys sent, in order: the order their HTML comes back
        self._queue: SimpleQueue = SimpleQueue()
        self._open = True
        self._workers = workers
        chunks = max(1, min(64, expected // (workers.count * 8)))  # (as convert_many's)
        # The pool's feeder thread takes the jobs from the queue as they are put there (and waits
        # for the next meanwhile, without holding the interpreter's lock).
        self._results = workers.pool.imap(convert_markdown, iter(self._queue.get, None), chunksize=chunks)

    def loaded(self, source: ArticleSource) -> None:
        """A file just read: its body prepared and sent, when the first pass will want it converted."""
        fields = source.fields
        if not source.valid or unpublished(fields, self.config, self.selection, self.now):
            return
        messages = Diagnostics()
        cover_path, _ = (resolve_image_once(self.images, fields["image"], source.directory, self.root)
                         if "image" in fields else (None, None))
        body = self.renderers[source.lang].prepare(_body(source, self.root, fields.get("dateline")), source.lang,
                                                   messages, cover=cover_path)
        # The job goes to the workers with its text; the body kept for the pass without it (the pass
        # needs its key): a body's text then lives only until the pool has sent it. Kept with the
        # body, the text of every body read was still in memory when the reading ended, the peak
        # of a clean build's first half (68 MB at 10,000 pairs).
        self._prepared[source.rel] = (replace(body, job=replace(body.job, text=b"")),
                                      messages.items)
        self._batch.append(body.job)
        if len(self._batch) >= 16:
            self._send_batch()

    def take(self, source: ArticleSource, diagnostics: Diagnostics) -> PreparedBody | None:
        """The body prepared for this file, its messages given to ``diagnostics``; None if there is none."""
        found = self._prepared.pop(source.rel, None)
        if found is None:
            return None
        body, messages = found
        diagnostics.items.extend(messages)
        return body

    def converted(self, prepared: list[PreparedBody]) -> Iterator[str]:
        """As ``convert_bodies``: each body's HTML in order (from the cache, or as the workers send it
        back, stored in the cache as it comes); ``prepared`` is emptied."""
        self._prepared.clear()  # (those the pass did not take)
        self._workers.all_in()  # (this process's reading is over: each core converts)
        keys = [body.job.key for body in prepared]
        self._send_batch()  # (the last bodies read; those of ``prepared`` that came through ``loaded`` have no text)
        late = [body.job for body in prepared if body.job.key not in self._sent]  # (prepared by the pass itself)
        prepared.clear()
        self._batch.extend(late)
        self._send_batch()
        self.close()
        found = self.cache.bodies.get_many(key for key in keys if key not in self._sent) \
            if self.cache is not None else {}
        uses = Counter(keys)
        arrived: dict[str, str] = {}  # sent and back before their turn (or not wanted: see the class)
        stored = StoredAsTheyCome(self.cache)
        for key in keys:
            html = found.get(key) if key not in self._sent else arrived.get(key)
            while html is None:
                done, html = self._order.popleft(), next(self._results)
                stored.add(done, html)
                if done != key:
                    arrived[done], html = html, None
            uses[key] -= 1
            if uses[key]:
                arrived[key] = html  # (the same text in another article)
            else:
                arrived.pop(key, None)
            yield html
        stored.flush()

    def close(self) -> None:
        """No more bodies: the pool's feeder stops waiting (before the pool is closed, which waits for it)."""
        if self._open:
            self._open = False
            self._queue.put(None)

    def _send_batch(self) -> None:
        """The bodies prepared since the last batch that the cache does not have, to the workers."""
        jobs, self._batch = self._batch, []
        found = self.cache.bodies.get_many(job.key for job in jobs) if self.cache is not None else {}
        for job in jobs:
            if job.key not in found and job.key not in self._sent:
                self._sent.add(job.key)
                self._order.append(job.key)
                self._queue.put(job)


@dataclass(frozen=True)
class _Pending:
    """An article between its checks and its Markdown conversion."""

    source: ArticleSource
    slug: str
    published: dt.datetime
    updated: dt.datetime | None
    body: PreparedBody
    cover: ImageAsset | None
    stale_original: str | None
    data_used: dict[str, str]  # see data_used
    clean: bool  # checked without any message: may be kept for the next build (warm.py)


def data_used(shortcodes: tuple[tuple[str, str], ...], events, data: DataDigests) -> dict[str, str]:
    """The data an article is made from, with their digests (``DataDigests``): what the shortcodes in
    its body show (a stats block: that snapshot; an event block: that event), and the events its
    front matter names (whose ids are checked). A kept article is assembled again when one of these
    changed, and only then: a stats file edited leaves the articles that show other figures or none
    as they were, an event edited those that show or name other events."""
    keys = {data.key(name, ident) for name, ident in (*shortcodes, *(("event", ident) for ident in events))}
    return {key: data.get(key, "") for key in sorted(keys - {None})}


def data_unchanged(used: object, data: DataDigests) -> bool:
    """Whether everything a kept article was made from (its ``data_used``) is as it was."""
    return isinstance(used, dict) and all(data.get(key) == digest for key, digest in used.items())


def _cover(path: Path, written: str, body_images: tuple[ImageAsset, ...], images: ImageProcessor,
           source: ArticleSource, diagnostics: Diagnostics) -> ImageAsset | None:
    """The cover as published: the body's own asset when the body shows the same file (mistakes
    reported at the ``image`` key of ``source``)."""
    for asset in body_images:
        if asset.source == path:
            return asset
        if asset.slug == published_slug(path.name):
            diagnostics.error(source.locations["image"], f"the cover and a body image are both named '{path.name}'; rename one"
                              if asset.name == path.name else
                              f"the cover '{path.name}' and the body image '{asset.name}' would be published"
                              " under one name; rename one")
            return None
    cover, problem = images.asset(path, written)
    if problem:
        diagnostics.error(source.locations["image"], problem)
    return cover


def _slug_location(source: ArticleSource) -> Location:
    """Where the slug comes from, to report a bad one (an unread file's locations are read from
    the cache only when asked: content.UnreadSource)."""
    return source.locations.get("slug", source.locations["title"])


def _body(source: ArticleSource, root: Path, dateline: str | None) -> BodySource:
    """The body to prepare for Markdown; the source forgets its text (the prepared body is what
    the build needs from now on)."""
    text = source.body
    source.forget_body()
    return BodySource(
        text=text,
        rel=source.rel,
        first_line=source.body_first_line,
        article_dir=source.directory,
        root=root,
        dateline=dateline,
    )


def _check_events(source: ArticleSource, events, registry: ShortcodeRegistry, diagnostics: Diagnostics) -> None:
    event = registry.shortcodes["event"]
    for ident in events:
        if not event.exists(ident):
            diagnostics.error(source.locations["events"], f"unknown event '{ident}' (no {event.source_hint})")


def _site(config: SiteConfig, articles: list[Article], next_publication: dt.datetime | None = None) -> Site:
    translations: dict[str, dict[str, Article]] = defaultdict(dict)
    for article in articles:
        translations[article.base][article.lang] = article
    languages = {}
    for lang in config.languages:
        mine = tuple(sorted((a for a in articles if a.lang == lang.code), key=lambda a: a.sort_key))
        languages[lang.code] = LanguageSite(
            code=lang.code,
            articles=mine,
            tags=_term_pages(mine, lambda a: a.tags, lambda slug: urls.tag(lang, slug)),
            authors=_term_pages(mine, lambda a: a.authors, lambda slug: urls.author(lang, slug)),
        )
    return Site(config=config, languages=languages, translations=dict(translations),
                next_publication=next_publication)


SUBSTITUTIONS = 64  # at most this many articles changed in place; more, and the site is made afresh


def substituted_site(config: SiteConfig, articles: list[Article], next_publication: dt.datetime | None,
                      last_articles: list[Article], last: Site) -> Site | None:
    """The last build's site with new versions of some articles in the places of the old ones (a new
    date: in its new place in its language's list), when each has the old one's language and name,
    and its tags and authors each still named as it was (a card moves from one page to another; a
    term new to the site has a page made, one left without an article has none). A saved edit
    usually changes one article, and sorting and grouping 20,000 again took a tenth of a second.
    None when the site must be made afresh."""
    if len(articles) != len(last_articles):
        return None
    changed = [(old, new) for old, new in zip(last_articles, articles) if old is not new]
    if len(changed) > SUBSTITUTIONS or any((old.base, old.lang) != (new.base, new.lang) for old, new in changed):
        return None
    languages = dict(last.languages)
    translations = dict(last.translations)
    for code in {new.lang for _, new in changed}:
        pairs = [(old, new) for old, new in changed if new.lang == code]
        by_old = {id(old): new for old, new in pairs}
        local = languages[code]
        lang = config.language(code)
        tags = _moved_terms(local.tags, pairs, "tags", lambda slug: urls.tag(lang, slug))
        authors = _moved_terms(local.authors, pairs, "authors", lambda slug: urls.author(lang, slug))
        if tags is None or authors is None:
            return None
        local_articles = tuple(by_old.get(id(article), article) for article in local.articles)
        if any(old.sort_key != new.sort_key for old, new in pairs):  # a new date: its place in the lists
            local_articles = tuple(sorted(local_articles, key=lambda article: article.sort_key))
        languages[code] = LanguageSite(code=code, articles=local_articles, tags=tags, authors=authors)
    for _, new in changed:
        translations[new.base] = {**translations[new.base], new.lang: new}
    return Site(config=config, languages=languages, translations=translations,
                next_publication=next_publication)


def site_with_added(config: SiteConfig, site: Site, added: list[Article],
                    versions: dict[str, dict[str, Article]]) -> Site | None:
    """``site`` with the articles ``added`` in their places (new to the site: a new article, or a
    new translation of one), their cards put into their terms' pages (a term new to the site gets
    one); ``versions``: every version of each of their names now, by language in the files' order
    (as a full build meets them). None when the site must be made afresh (see ``substituted_site``)."""
    if len(added) > SUBSTITUTIONS:
        return None
    languages = dict(site.languages)
    for code in {article.lang for article in added}:
        mine = [article for article in added if article.lang == code]
        local = languages[code]
        lang = config.language(code)
        pairs = [(None, article) for article in mine]
        tags = _moved_terms(local.tags, pairs, "tags", lambda slug: urls.tag(lang, slug))
        authors = _moved_terms(local.authors, pairs, "authors", lambda slug: urls.author(lang, slug))
        if tags is None or authors is None:
            return None
        articles = list(local.articles)
        for article in mine:  # (each in its place: sorting 10,000 again took as long as the rest)
            bisect.insort(articles, article, key=lambda other: other.sort_key)
        languages[code] = LanguageSite(code=code, tags=tags, authors=authors, articles=tuple(articles))
    translations = {**site.translations, **{article.base: dict(versions[article.base]) for article in added}}
    return Site(config=config, languages=languages, translations=translations,
                next_publication=site.next_publication)


def site_without(config: SiteConfig, site: Site, removed: list[Article],
                 versions: dict[str, dict[str, Article]]) -> Site | None:
    """``site`` without the articles ``removed`` (their files deleted, or made drafts or scheduled),
    their cards taken out of their terms' pages (a term left with no article has none);
    ``versions``: every version of each of their names still there, by language (none: the name
    goes). None when the site must be made afresh (a term named anew: its newest article's
    spelling names it)."""
    if len(removed) > SUBSTITUTIONS:
        return None
    languages = dict(site.languages)
    for code in {article.lang for article in removed}:
        mine = [article for article in removed if article.lang == code]
        local = languages[code]
        lang = config.language(code)
        pairs = [(article, None) for article in mine]
        tags = _moved_terms(local.tags, pairs, "tags", lambda slug: urls.tag(lang, slug))
        authors = _moved_terms(local.authors, pairs, "authors", lambda slug: urls.author(lang, slug))
        if tags is None or authors is None:
            return None
        leaving = {id(article) for article in mine}
        articles = tuple(article for article in local.articles if id(article) not in leaving)
        if len(articles) != len(local.articles) - len(mine):
            return None  # (not the very articles the site holds)
        languages[code] = LanguageSite(code=code, tags=tags, authors=authors, articles=articles)
    translations = dict(site.translations)
    for base in {article.base for article in removed}:
        if versions.get(base):
            translations[base] = dict(versions[base])
        else:
            translations.pop(base, None)
    return Site(config=config, languages=languages, translations=translations,
                next_publication=site.next_publication)


def _moved_terms(term_pages: tuple[TermPage, ...], pairs: list[tuple[Article | None, Article | None]], field: str,
                 url_of: Callable[[str], str]) -> tuple[TermPage, ...] | None:
    """The tag (``field`` "tags") or author pages with each old article's card replaced by the new
    one's, taken out of the pages of the terms it no longer names and put in date order into those
    it names now: a page for a term new to the site (at ``url_of(slug)``), none for a term left with
    no article (a new article: no old one; a removed article: no new one, its card leaves every
    page). None when a term is named anew (its newest article's spelling names it)."""
    # (the article whose card moves, the slugs of the terms it named, the terms it names now)
    named = [(new if new is not None else old, {t.slug for t in getattr(old, field)} if old is not None else set(),
              {t.slug: t for t in getattr(new, field)} if new is not None else {}) for old, new in pairs]
    touched = {slug for _, before, now in named for slug in before | now.keys()}
    moved = []
    for page in term_pages:
        slug = page.term.slug
        # (the articles that join it first: one that leaves may leave it to them)
        for new, before, now in sorted(named, key=lambda item: slug not in item[2]) if slug in touched else ():
            if slug not in before and slug not in now:
                continue
            if slug not in now and shows_only(page, new.card):
                page = None  # its last article left: the page goes
                break
            page = term_page_moved(page, field, new.card, joins=slug in now)
            if page is None:
                return None
        if page is not None:
            moved.append(page)
    for slug in sorted(touched - {page.term.slug for page in term_pages}):
        joining = sorted(((new, now[slug]) for new, _, now in named if slug in now), key=lambda item: item[0].sort_key)
        if not joining:
            return None  # (an old version named a term the site did not have)
        moved.append(TermPage(Term(slug, joining[0][1].name), url_of(slug), tuple(new.card for new, _ in joining)))
    return tuple(sorted(moved, key=lambda page: page.term.slug))


def shows_only(page: TermPage, card: ArticleCard) -> bool:
    """Whether the article of ``card`` is the only one ``page`` lists (leaving, it leaves the page empty)."""
    return all((other.base, other.lang) == (card.base, card.lang) for other in page.articles)


def term_page_moved(page: TermPage, field: str, card: ArticleCard, joins: bool) -> TermPage | None:
    """``page`` with the article of ``card`` in it by that card, in date order (``joins``), or not at
    all; None when that leaves it empty or names its term anew (the spelling of its newest
    article, in ``field`` "tags" or "authors", names it)."""
    listed = [other for other in page.articles if (other.base, other.lang) != (card.base, card.lang)]
    if joins:
        listed.append(card)
        listed.sort(key=lambda other: other.sort_key)
    if not listed or next((t.name for t in getattr(listed[0], field) if t.slug == page.term.slug), None) \
            != page.term.name:
        return None
    return TermPage(page.term, page.url, tuple(listed))


def _term_pages(articles, terms_of, url_of) -> tuple[TermPage, ...]:
    grouped: dict[str, list[ArticleCard]] = defaultdict(list)
    names: dict[str, str] = {}
    for article in articles:
        # "Lạng Sơn" and "Lang Son" share a slug, so they are one tag; the newest spelling names it.
        for term in terms_of(article):
            names.setdefault(term.slug, term.name)
        for slug in dict.fromkeys(term.slug for term in terms_of(article)):  # once per article
            grouped[slug].append(article.card)
    return tuple(
        TermPage(Term(slug, names[slug]), url_of(slug), tuple(grouped[slug])) for slug in sorted(grouped)
    )
