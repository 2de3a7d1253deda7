"""Where each kind of page lives, per language (site-relative URLs ending in "/")."""

from __future__ import annotations

from .config import Language


def home(lang: Language) -> str:
    return lang.prefix


def news(lang: Language, page: int = 1) -> str:
    first = f"{lang.prefix}{lang.sections.news}/"
    return first if page == 1 else f"{first}{lang.sections.page}/{page}/"


def article(lang: Language, slug: str) -> str:
    return f"{lang.prefix}{lang.sections.news}/{slug}/"


def tags(lang: Language) -> str:
    return f"{lang.prefix}{lang.sections.tags}/"


def tag(lang: Language, slug: str) -> str:
    return f"{tags(lang)}{slug}/"


def authors(lang: Language) -> str:
    return f"{lang.prefix}{lang.sections.authors}/"


def author(lang: Language, slug: str) -> str:
    return f"{authors(lang)}{slug}/"


def feed(lang: Language) -> str:
    return f"{lang.prefix}atom.xml"


def not_found(lang: Language) -> str:
    return f"{lang.prefix}404.html"


def output_path(url: str) -> str:
    """The file a URL is served from: directories get index.html."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def page_url(path: str) -> str:
    """The address of the page at an output path (``urls.output_path`` the other way)."""
    return path.removesuffix("index.html") if path == "index.html" or path.endswith("/index.html") else path
