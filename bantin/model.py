"""The site model: frozen records the planner and templates read, built once per build."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from functools import cached_property
from typing import Callable

from .config import SiteConfig
from .images import ImageAsset
from .records import plain_repr


@plain_repr
@dataclass(frozen=True, order=True, slots=True)  # slots: 100,000 in a large archive
class Term:
    """A tag or an author: a display name and the slug of its page."""

    slug: str
    name: str


@dataclass(frozen=True)
class Article:
    base: str  # shared by translations
    lang: str
    rel: str  # source file relative to the site root
    title: str
    slug: str
    url: str  # site-relative, e.g. "tin-tuc/ra-quan/"
    published: dt.datetime  # aware, in the site's time zone unless given with an offset
    updated: dt.datetime | None
    authors: tuple[Term, ...]
    tags: tuple[Term, ...]
    source: str | None
    source_url: str | None
    dateline: str | None
    summary: str
    body_html: str
    images: tuple[ImageAsset, ...]
    cover: ImageAsset | None
    cover_alt: str | None
    cover_caption: str | None
    cover_in_body: bool  # the body already shows the cover, so the page does not repeat it
    events: tuple[str, ...]
    # The language of the original when it changed after this translation was made (translations.py).
    stale_original: str | None = None

    @property
    def updated_or_published(self) -> dt.datetime:
        return self.updated or self.published

    @property
    def sort_key(self) -> tuple:
        """Newest first; the base name breaks ties so the order never depends on the file system."""
        return (-self.published.timestamp(), self.base)

    @cached_property
    def card(self) -> "ArticleCard":
        return ArticleCard(
            base=self.base, lang=self.lang, title=self.title, slug=self.slug, url=self.url,
            published=self.published, updated=self.updated, authors=self.authors, tags=self.tags,
            dateline=self.dateline, summary=self.summary, cover=self.cover, cover_alt=self.cover_alt,
        )


ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


class _HeldAsUtf8:
    """``Article.body_html``: held as UTF-8 bytes, given as text when read. As a Python string,
    a body with Vietnamese letters takes two bytes a character; as UTF-8, about 1.1 (75 MB less
    for 19,000 bodies, through the whole build). Decoding one takes a few microseconds, and a
    build reads each body two or three times (its page, its fingerprint, a feed)."""

    key = "_body_html_utf8"

    def __get__(self, article, owner=None):
        if article is None:
            return self
        held = article.__dict__[self.key]
        return held.decode("utf-8") if type(held) is bytes else held()

    def __set__(self, article, text: str) -> None:  # (the dataclass's __init__ sets it this way)
        article.__dict__[self.key] = text.encode("utf-8")


# Set on the class once the dataclass is made: its fields are instance values otherwise.
Article.body_html = _HeldAsUtf8()


def body_utf8(article: Article) -> bytes:
    """The article's body as UTF-8, without making it text first (to store it: assembled.py)."""
    held = article.__dict__.get(_HeldAsUtf8.key)
    return held if type(held) is bytes else article.body_html.encode("utf-8")


def read_body_when_asked(article: Article, read_body: Callable[[], str]) -> None:
    """Let go of the article's body: from now on it is read by ``read_body`` each time it is asked
    for (once stored, assembled.py). The article stays equal to what it was."""
    article.__dict__[_HeldAsUtf8.key] = read_body


class _BodyOnRequest:
    """``body_html`` of a ``KeptArticle``: read from the cache each time a page asks for it, and
    not held (the bodies of a large archive are a few hundred MB; a rebuild after one edit
    shows a handful, the article's own page and the feeds)."""

    def __get__(self, article, owner=None):
        if article is None:
            return self
        return article.__dict__["read_body"]()


class KeptArticle(Article):
    """An article a command-line build took from the build cache (assembled.py). It is the
    same article in every other way; its fingerprint came with it, so hashing it (which
    would read the body) is not needed."""

    body_html = _BodyOnRequest()

    @classmethod
    def from_values(cls, values: dict, read_body: Callable[[], str]) -> "KeptArticle":
        """``values``: every field but ``body_html``."""
        article = object.__new__(cls)
        article.__dict__.update(values)
        article.__dict__["read_body"] = read_body
        return article


@dataclass(frozen=True, slots=True)  # slots: one per article
class ArticleCard:
    """What a list shows of an article (home, news pages, tag and author pages): everything but
    the body, so that editing a body re-renders its own page and the feeds, not every list."""

    base: str
    lang: str
    title: str
    slug: str
    url: str
    published: dt.datetime
    updated: dt.datetime | None
    authors: tuple[Term, ...]
    tags: tuple[Term, ...]
    dateline: str | None
    summary: str
    cover: ImageAsset | None
    cover_alt: str | None

    @property
    def updated_or_published(self) -> dt.datetime:
        return self.updated or self.published

    @property
    def sort_key(self) -> tuple:
        """Its article's place in a list (``Article.sort_key``)."""
        return (-self.published.timestamp(), self.base)


@dataclass(frozen=True)
class TermPage:
    """Articles of one language under one tag or author, newest first."""

    term: Term
    url: str
    articles: tuple[ArticleCard, ...]


@dataclass(frozen=True)
class LanguageSite:
    """Everything of one language: one Hugo-style ``Site`` per language."""

    code: str
    articles: tuple[Article, ...]  # newest first
    tags: tuple[TermPage, ...]  # by slug
    authors: tuple[TermPage, ...]


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    languages: dict[str, LanguageSite]
    translations: dict[str, dict[str, Article]]  # base name -> language -> article
    # When the next scheduled (future-dated) article goes live: the site is out of date from then.
    next_publication: dt.datetime | None = None

    def translation(self, article: Article, lang: str) -> Article | None:
        return self.translations.get(article.base, {}).get(lang)
