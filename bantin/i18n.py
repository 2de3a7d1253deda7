"""UI strings per language and locale-aware formatting through Babel (CLDR).

UI strings live in ``templates/i18n/<lang>.yaml``; every language must define the
same keys, or the build fails naming the file that lacks one. Dates and numbers go
through Babel, never strftime or OS locales (which are not installed on CI).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal, format_percent

from .config import Language, SiteConfig
from .diagnostics import Diagnostics, Location
from .yamlfile import MarkedMap, load_mapping_file

I18N_DIR = "templates/i18n"


@dataclass(frozen=True)
class UiStrings:
    """Each language's UI strings, keyed by language code then string key."""

    by_language: dict[str, dict[str, str]]

    def for_language(self, code: str) -> dict[str, str]:
        return self.by_language[code]


def load_ui_strings(root: Path, config: SiteConfig, diagnostics: Diagnostics) -> UiStrings | None:
    loaded: dict[str, tuple[str, MarkedMap]] = {}
    ok = True
    for lang in config.languages:
        rel = f"{I18N_DIR}/{lang.code}.yaml"
        path = root / rel
        if not path.is_file():
            diagnostics.error(Location(rel), f"UI strings for language '{lang.code}' are missing")
            ok = False
            continue
        data = load_mapping_file(path, rel, diagnostics, "UI strings must be a mapping of keys to text")
        if data is None:
            ok = False
            continue
        for key, value in data.items():
            if not isinstance(value, str):
                pos = data.value_pos[key]
                diagnostics.error(Location(rel, pos.line, pos.col), f"UI string '{key}' must be text")
                ok = False
        loaded[lang.code] = (rel, data)
    if not ok:
        return None
    all_keys = sorted({key for _, data in loaded.values() for key in data})
    for code, (rel, data) in loaded.items():
        for key in all_keys:
            if key in data:
                continue
            other_rel, other = next((r, d) for c, (r, d) in loaded.items() if key in d)
            defined = other.key_pos[key]
            diagnostics.error(
                Location(rel),
                f"UI string '{key}' is missing in '{code}' (defined in {other_rel}:{defined.line})",
            )
            ok = False
    if not ok:
        return None
    return UiStrings({code: dict(data) for code, (_, data) in loaded.items()})


class Formatter:
    """Dates and numbers for one language, with that language's CLDR patterns."""

    def __init__(self, language: Language, config: SiteConfig):
        self.language = language
        self.timezone = config.timezone
        # Babel parses the pattern on every call; an archive shows each date on many pages.
        self._formatted: dict[tuple, str] = {}

    def date(self, value: dt.date | dt.datetime) -> str:
        key = ("date", type(value), value)
        if key not in self._formatted:
            self._formatted[key] = format_date(self._local_date(value), self.language.date_format,
                                               locale=self.language.locale)
        return self._formatted[key]

    def short_date(self, value: dt.date | dt.datetime) -> str:
        key = ("short", type(value), value)
        if key not in self._formatted:
            self._formatted[key] = format_date(self._local_date(value), self.language.short_date_format,
                                               locale=self.language.locale)
        return self._formatted[key]

    def number(self, value: int | float) -> str:
        key = ("number", type(value), value)
        if key not in self._formatted:
            self._formatted[key] = format_decimal(value, locale=self.language.locale)
        return self._formatted[key]

    def percent(self, ratio, pattern: str = "#,##0.0%") -> str:
        """A ratio (0.4985…) as the language writes a percent: "49,9%" in vi, "49.9%" in en."""
        return format_percent(ratio, pattern, locale=self.language.locale)

    def money(self, value, currency: str = "VND") -> str:
        return format_currency(value, currency, locale=self.language.locale)

    def count(self, strings: dict[str, str], key: str, value: int) -> str:
        """``{key}_one``/``{key}_other`` chosen by the language's CLDR plural rule."""
        form = Locale.parse(self.language.locale).plural_form(value)
        template = strings.get(f"{key}_{form}", strings[f"{key}_other"])
        return template.format(count=self.number(value))

    def time(self, value: dt.datetime) -> str:
        return format_datetime(value, "HH:mm", tzinfo=self.timezone, locale=self.language.locale)

    def _local_date(self, value: dt.date | dt.datetime) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.astimezone(self.timezone).date()
        return value
