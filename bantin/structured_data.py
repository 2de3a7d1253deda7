"""Machine-readable descriptions of an article: schema.org JSON-LD and Open Graph.

Built from the same ``Article`` fields as the visible byline and dates, so what
search engines read can never disagree with what readers see.
"""

from __future__ import annotations

from typing import Any

from . import urls
from .config import Language, SiteConfig
from .model import Article


def iso(value) -> str:
    return value.isoformat(timespec="seconds")


def news_article(article: Article, lang: Language, config: SiteConfig) -> dict[str, Any]:
    url = config.base_url + article.url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": url,
        "url": url,
        "headline": article.title,
        "description": article.summary,
        "inLanguage": lang.code,
        "datePublished": iso(article.published),
        "dateModified": iso(article.updated or article.published),
        "author": [
            {"@type": "Person", "name": a.name, "url": config.base_url + urls.author(lang, a.slug)}
            for a in article.authors
        ],
        "publisher": {"@type": "Organization", "name": lang.publisher, "url": config.base_url + urls.home(lang)},
        "keywords": [t.name for t in article.tags],
    }
    if article.cover:
        data["image"] = [url + article.cover.share.name]
    if article.source:
        data["isBasedOn"] = article.source_url or article.source
    return data


OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}


def open_graph_locale(code: str) -> str:
    return OG_LOCALES.get(code, code)
