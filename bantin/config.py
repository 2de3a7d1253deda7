"""``site_config.yaml``: site-wide settings as typed, frozen data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel

from .diagnostics import Diagnostics, Location
from .schema import Field, Kind, MappingChecker
from .yamlfile import MarkedMap, load_mapping_file

CONFIG_FILE = "site_config.yaml"

SECTION_DEFAULTS = {
    "vi": {"news": "tin-tuc", "tags": "chu-de", "authors": "tac-gia", "page": "trang",
           "calendar": "lich", "stats": "so-lieu", "search": "tim-kiem"},
    "en": {"news": "news", "tags": "tags", "authors": "authors", "page": "page",
           "calendar": "calendar", "stats": "stats", "search": "search"},
}


@dataclass(frozen=True)
class Sections:
    news: str
    tags: str
    authors: str
    page: str
    calendar: str
    stats: str
    search: str


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    locale: str
    weight: int
    title: str
    description: str
    publisher: str
    date_format: str
    short_date_format: str
    sections: Sections
    prefix: str  # "" for the default language, "en/" otherwise


@dataclass(frozen=True)
class SiteConfig:
    base_url: str  # always ends with "/"
    timezone: ZoneInfo
    per_page: int
    feed_entries: int
    default_language: str
    languages: tuple[Language, ...]  # by weight, default language first
    search: bool = True  # a search page and a Pagefind index (the slowest step of a large build)

    @property
    def base_path(self) -> str:
        """Path part of base_url ("/" or "/repo/"), the prefix of every internal link."""
        return urlsplit(self.base_url).path

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def other_languages(self, code: str) -> tuple[Language, ...]:
        return tuple(lang for lang in self.languages if lang.code != code)

    @cached_property  # asked for every article file
    def codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)


TOP_FIELDS = [
    Field("base_url", Kind.TEXT, required=True),
    Field("timezone", Kind.TEXT),
    Field("per_page", Kind.POSITIVE_INT),
    Field("feed_entries", Kind.POSITIVE_INT),
    Field("search", Kind.BOOL),
    Field("default_language", Kind.TEXT),
    Field("languages", Kind.MAPPING, required=True),
]
LANGUAGE_FIELDS = [
    Field("name", Kind.TEXT, required=True),
    Field("locale", Kind.TEXT, required=True),
    Field("weight", Kind.POSITIVE_INT),
    Field("title", Kind.TEXT, required=True),
    Field("description", Kind.TEXT, required=True),
    Field("publisher", Kind.TEXT),
    Field("date_format", Kind.TEXT, required=True),
    Field("short_date_format", Kind.TEXT, required=True),
    Field("sections", Kind.MAPPING),
]
SECTION_FIELDS = [
    Field(name, Kind.TEXT) for name in ("news", "tags", "authors", "page", "calendar", "stats", "search")
]


def normalize_base_url(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url if url.endswith("/") else url + "/"


def load_config(root: Path, diagnostics: Diagnostics, base_url_override: str | None = None) -> SiteConfig | None:
    path = root / CONFIG_FILE
    if not path.is_file():
        diagnostics.error(Location(CONFIG_FILE), "site configuration file is missing")
        return None
    data = load_mapping_file(path, CONFIG_FILE, diagnostics, "site configuration must be a mapping of keys to values")
    if data is None:
        return None
    before = len(diagnostics.errors)
    top = MappingChecker(data, CONFIG_FILE, 0, diagnostics)
    values = top.check(TOP_FIELDS, "site_config")

    base_url = base_url_override or values.get("base_url", "")
    normalized = normalize_base_url(base_url) if base_url else None
    if base_url and normalized is None:
        where = Location("<command line>") if base_url_override else top.value_location("base_url")
        diagnostics.error(where, f"base_url '{base_url}' must be an absolute http(s) URL")

    tz_name = values.get("timezone", "Asia/Ho_Chi_Minh")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        diagnostics.error(top.value_location("timezone"), f"unknown time zone '{tz_name}'")
        timezone = None

    languages = []
    for code, lang_map in values.get("languages", {}).items():
        checker = MappingChecker(data["languages"], CONFIG_FILE, 0, diagnostics)
        if not isinstance(lang_map, MarkedMap):
            diagnostics.error(checker.value_location(code), f"language '{code}' must be a mapping")
            continue
        lang_checker = MappingChecker(lang_map, CONFIG_FILE, 0, diagnostics)
        lv = lang_checker.check(LANGUAGE_FIELDS, "language")
        try:
            babel.Locale.parse(lv.get("locale", "vi"))
        except (ValueError, babel.UnknownLocaleError):
            diagnostics.error(lang_checker.value_location("locale"), f"unknown locale '{lv['locale']}'")
        section_values = dict(SECTION_DEFAULTS.get(code, SECTION_DEFAULTS["en"]))
        if "sections" in lv:
            section_values.update(
                MappingChecker(lv["sections"], CONFIG_FILE, 0, diagnostics).check(SECTION_FIELDS, "sections")
            )
        if not all(f.name in lv for f in LANGUAGE_FIELDS if f.required):
            continue
        languages.append(
            Language(
                code=code,
                name=lv["name"],
                locale=lv["locale"],
                weight=lv.get("weight", 100),
                title=lv["title"],
                description=lv["description"],
                publisher=lv.get("publisher", lv["title"]),
                date_format=lv["date_format"],
                short_date_format=lv["short_date_format"],
                sections=Sections(**section_values),
                prefix="",
            )
        )

    default = values.get("default_language", "vi")
    if languages and default not in {lang.code for lang in languages}:
        diagnostics.error(top.value_location("default_language"), f"default_language '{default}' is not in languages")
    if len(diagnostics.errors) > before or normalized is None or timezone is None:
        return None
    ordered = sorted(languages, key=lambda lang: (lang.code != default, lang.weight, lang.code))
    ordered = [lang if lang.code == default else replace(lang, prefix=f"{lang.code}/") for lang in ordered]
    return SiteConfig(
        base_url=normalized,
        timezone=timezone,
        per_page=values.get("per_page", 10),
        feed_entries=values.get("feed_entries", 20),
        default_language=default,
        languages=tuple(ordered),
        search=values.get("search", True),
    )
