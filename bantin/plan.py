"""Every output of the build, decided before anything is rendered (no I/O here).

A page knows its template, its data, and its place among languages: its true
translations (``alternates``, used for hreflang) and where the language switcher
goes for each other language (the translation, or a fallback with a note).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from . import urls
from .config import CONFIG_FILE, Language
from .diagnostics import Diagnostics, Location
from .i18n import UiStrings
from .model import Article, Site

ASSETS_DIR = "templates/assets"


@dataclass(frozen=True)
class Switch:
    """The language switcher's link to one other language."""

    lang: str
    url: str
    translated: bool
    note: str | None = None  # shown when there is no translation, in the target language


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class CopyOutput:
    path: str
    source: Path
    what: str  # what needs this file, for error messages
    origin: str


@dataclass(frozen=True)
class Plan:
    pages: tuple[PageOutput, ...]
    copies: tuple[CopyOutput, ...]


def paginate(items: tuple, per_page: int) -> list[tuple]:
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [()]


def make_plan(site: Site, ui: UiStrings, root: Path, diagnostics: Diagnostics) -> Plan:
    config = site.config
    pages: list[PageOutput] = []
    copies: list[CopyOutput] = []

    def shared(url_of) -> tuple[tuple[str, str], ...]:
        """Alternates of a page every language has (home, news, tag and author indexes)."""
        return tuple((lang.code, url_of(lang)) for lang in config.languages)

    def switches(lang: Language, alternates, fallback_of, note_key: str | None = None) -> tuple[Switch, ...]:
        result = []
        present = dict(alternates)
        for other in config.other_languages(lang.code):
            if other.code in present:
                result.append(Switch(other.code, present[other.code], True))
            else:
                note = None
                if note_key:
                    strings = ui.for_language(other.code)
                    note = strings[note_key].format(language=strings[f"language_{lang.code}"])
                result.append(Switch(other.code, fallback_of(other), False, note))
        return tuple(result)

    def page(lang: Language, url: str, template: str, what: str, alternates=(), fallback=urls.home,
             note_key=None, in_sitemap=True, path=None, origin=CONFIG_FILE, **data) -> None:
        pages.append(
            PageOutput(
                path=path or urls.output_path(url),
                url=url,
                lang=lang.code,
                template=template,
                what=f"{what} ({lang.code})",
                origin=origin,
                data=MappingProxyType(data),
                alternates=tuple(alternates),
                switches=switches(lang, alternates, fallback, note_key),
                in_sitemap=in_sitemap,
            )
        )

    for lang in config.languages:
        local = site.languages[lang.code]
        articles = local.articles
        page(lang, urls.home(lang), "home.html", "home page", shared(urls.home),
             articles=articles[: config.per_page], has_more=len(articles) > config.per_page)

        chunks = paginate(articles, config.per_page)
        for number, chunk in enumerate(chunks, start=1):
            page(lang, urls.news(lang, number), "news.html", f"news list page {number}",
                 shared(urls.news) if number == 1 else (), fallback=urls.news,
                 articles=chunk, pagination=_pagination(lang, number, len(chunks)))

        for article in articles:
            alternates = tuple(
                (code, translated.url)
                for code in config.codes
                if (translated := site.translation(article, code)) is not None
            )
            page(lang, article.url, "article.html", "article",
                 alternates if len(alternates) > 1 else (), note_key="untranslated_note", origin=article.rel,
                 article=article)
            for image in article.images:
                copies.append(CopyOutput(article.url + image.name, image.source, f"image '{image.name}'", article.rel))

        page(lang, urls.tags(lang), "tags.html", "tag index", shared(urls.tags), terms=local.tags)
        for term_page in local.tags:
            page(lang, term_page.url, "term.html", f"tag page '{term_page.term.name}'", fallback=urls.tags,
                 term_page=term_page, kind="tag")
        page(lang, urls.authors(lang), "authors.html", "author index", shared(urls.authors),
             terms=local.authors)
        for term_page in local.authors:
            alternates = tuple(
                (other.code, urls.author(other, term_page.term.slug))
                for other in config.languages
                if any(t.term.slug == term_page.term.slug for t in site.languages[other.code].authors)
            )
            page(lang, term_page.url, "term.html", f"author page '{term_page.term.name}'",
                 alternates if len(alternates) > 1 else (), fallback=urls.authors,
                 term_page=term_page, kind="author")
        page(lang, urls.not_found(lang), "404.html", "404 page", in_sitemap=False)
        page(lang, urls.feed(lang), "atom.xml", "Atom feed", in_sitemap=False,
             articles=articles[: config.feed_entries])

    default = config.language(config.default_language)
    page(default, "sitemap.xml", "sitemap.xml", "sitemap", in_sitemap=False)
    page(default, "robots.txt", "robots.txt", "robots.txt", in_sitemap=False)

    assets = root / ASSETS_DIR
    for asset in sorted(p for p in assets.rglob("*") if p.is_file()) if assets.is_dir() else []:
        rel = asset.relative_to(assets).as_posix()
        copies.append(CopyOutput(f"assets/{rel}", asset, f"theme asset '{rel}'", f"{ASSETS_DIR}/{rel}"))

    _refuse_duplicate_paths(pages, copies, diagnostics)
    return Plan(tuple(pages), tuple(copies))


def _pagination(lang: Language, number: int, count: int) -> Mapping[str, Any]:
    return MappingProxyType({
        "number": number,
        "count": count,
        "previous": urls.news(lang, number - 1) if number > 1 else None,
        "next": urls.news(lang, number + 1) if number < count else None,
        "pages": tuple((n, urls.news(lang, n)) for n in range(1, count + 1)),
    })


def _refuse_duplicate_paths(pages, copies, diagnostics: Diagnostics) -> None:
    """Like Pelican's writer: two things may never be written to the same path."""
    owners: dict[str, PageOutput | CopyOutput] = {}
    for output in [*pages, *copies]:
        first = owners.setdefault(output.path, output)
        if first is not output and (first.what, first.origin) != (output.what, output.origin):
            diagnostics.error(
                Location(output.origin),
                f"output path '{output.path}' is written twice ({first.what} and {output.what})",
            )
