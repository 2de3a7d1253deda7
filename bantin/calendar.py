"""The campaign calendar: events from ``content/calendar/<id>.yaml``, their pages and ICS feeds.

One event per file; the file name is the event's id. The section follows the
build's stages (see ``sections.py``):

- ``load``: read and check every event file (every problem as PATH:LINE:COL);
- ``shortcodes``: ``{{< event "id" >}}`` renders an event card in an article body;
- ``check``: link articles and events both ways (an article's ``events:`` and an
  event's ``articles:`` say the same thing), and fix the last year the site shows;
- ``plan``: per language, the calendar index, one page per category, month grids,
  event pages, and ``.ics`` files for the whole calendar, each category and each event.

Dates and month and weekday names come from Babel (CLDR); the order and
punctuation of a date range are UI strings such as ``{start:d}–{end:dd/MM/y}``,
whose parts are Babel patterns.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable, Mapping
from urllib.parse import quote, urlencode, urlsplit

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton

from . import urls
from .config import Language, SiteConfig
from .content import ArticleSource
from .diagnostics import Diagnostics, Location
from .ics import IcsCalendar, IcsEvent, ics_bytes, ics_module
from .model import Article, Site
from .schema import Field, Kind, MappingChecker, describe
from .shortcodes import Shortcode, item_digest
from .textio import nfc
from .yamlfile import MarkedMap, load_mapping_file

if TYPE_CHECKING:
    from .plan import Planner
    from .render import Renderer

CALENDAR_DIR = "content/calendar"
EVENT_CARD = "calendar/event_card.html"  # an event shortcode's block
_NO_ARTICLE_EVENTS: Mapping[str, Any] = MappingProxyType({"article_events": ()})
CATEGORIES = ("campaign", "launch", "deadline")  # each has a label 'calendar_category_<name>' in templates/i18n/
RECURRENCES = ("yearly",)
EVENT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
SEXAGESIMAL = re.compile(r"^[0-9]+(?::[0-5]?[0-9])+$")  # what YAML 1.1 reads as a base-60 number
HOME_EVENTS = 3

EVENT_FIELDS = [
    Field("title", Kind.MAPPING, required=True),
    Field("description", Kind.MAPPING),
    Field("location", Kind.MAPPING),
    Field("start", Kind.DATE, required=True),
    Field("end", Kind.DATE),
    Field("recurrence", Kind.TEXT),
    Field("until", Kind.DATE),
    Field("category", Kind.TEXT),
    Field("articles", Kind.TEXT_LIST),
    Field("updated", Kind.DATE),
]
DATE_FIELDS = ("start", "end", "until", "updated")


# --- the model -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One event as the editor described it, checked; texts per language code."""

    id: str
    rel: str  # the source file, relative to the site root
    title: Mapping[str, str]  # always has the default language
    description: Mapping[str, str]
    location: Mapping[str, str]
    start: dt.date | dt.datetime  # a date (all day) or an aware datetime in the site's time zone
    end: dt.date | dt.datetime  # inclusive last day of an all-day event; the end time otherwise
    yearly: bool
    until: dt.date | None
    category: str | None
    articles: tuple[str, ...]  # base names of related articles, as written in the file
    updated: dt.datetime | None

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    def in_year(self, year: int) -> "Occurrence | None":
        """This event's repetition starting in ``year`` (None for 29 February in other years)."""
        try:
            start = self.start.replace(year=year)
        except ValueError:
            return None  # like RRULE:FREQ=YEARLY, a date that does not exist that year is skipped
        return Occurrence(self, start, start + (self.end - self.start))


@dataclass(frozen=True)
class Occurrence:
    """One time an event happens (a yearly event happens once a year)."""

    event: Event
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime

    @property
    def first_day(self) -> dt.date:
        return _day(self.start)

    @property
    def last_day(self) -> dt.date:
        return _day(self.end)

    @property
    def key(self) -> tuple:
        return (_instant(self.start), self.event.id)


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _instant(value: dt.date | dt.datetime) -> tuple:
    """Sorts dates and datetimes together: an all-day event comes before timed ones of its day."""
    if isinstance(value, dt.datetime):
        return (value.date(), 1, value.time())
    return (value, 0, dt.time())


# --- where calendar pages live ---------------------------------------------------------------------


def index_url(lang: Language) -> str:
    return f"{lang.prefix}{lang.sections.calendar}/"


def feed_url(lang: Language) -> str:
    """``lich/lich.ics``, ``en/calendar/calendar.ics``."""
    return f"{index_url(lang)}{lang.sections.calendar}.ics"


def category_url(lang: Language, category: str) -> str:
    return f"{index_url(lang)}{category}/"


def category_feed_url(lang: Language, category: str) -> str:
    return f"{category_url(lang, category)}{category}.ics"


def month_url(lang: Language, year: int, month: int) -> str:
    return f"{index_url(lang)}{year:04d}/{month:02d}/"


def event_url(lang: Language, ident: str) -> str:
    return f"{index_url(lang)}{ident}/"


def event_feed_url(lang: Language, ident: str) -> str:
    return f"{event_url(lang, ident)}{ident}.ics"


# --- loading and checking event files --------------------------------------------------------------


def event_files(root: Path) -> list[Path]:
    folder = root / CALENDAR_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_events(
    root: Path, config: SiteConfig, article_bases: set[str], diagnostics: Diagnostics
) -> tuple[dict[str, Event], set[str]]:
    """Checked events by id, and every id that has a file (valid or not, so that a mistake
    in an event file is not reported a second time by each article that names it)."""
    events: dict[str, Event] = {}
    ids: dict[str, str] = {}
    for path in event_files(root):
        rel = nfc(path.relative_to(root).as_posix())
        ident = nfc(path.stem)
        if not EVENT_ID.match(ident):
            diagnostics.error(
                Location(rel),
                f"event id '{ident}' (the file name) must be lowercase letters, digits and hyphens, e.g. ra-quan-2020",
            )
            continue
        if ident in ids:
            diagnostics.error(Location(rel), f"duplicate event id '{ident}' (also {ids[ident]}); rename one of the files")
            continue
        ids[ident] = rel
        if ident in CATEGORIES:
            diagnostics.error(Location(rel), f"event id '{ident}' is also a category's name; rename the file")
            continue
        event = _load_event(path, rel, ident, config, article_bases, diagnostics)
        if event is not None:
            events[ident] = event
    return events, set(ids)


def _load_event(
    path: Path, rel: str, ident: str, config: SiteConfig, article_bases: set[str], diagnostics: Diagnostics
) -> Event | None:
    data = load_mapping_file(path, rel, diagnostics, "an event file must be 'key: value' lines (title, start, …)")
    if data is None:
        return None
    before = len(diagnostics.errors)
    checker = _EventChecker(data, rel, config, diagnostics)
    values = checker.check(EVENT_FIELDS, "event")
    default = config.default_language
    title = checker.texts("title", values, required=default)
    description = checker.texts("description", values)
    location = checker.texts("location", values)

    start, end = values.get("start"), values.get("end")
    if isinstance(start, dt.time):
        diagnostics.error(
            checker.value_location("start"),
            f"'start' needs a date: write the date and the time, e.g. start: \"2020-05-23 {start.isoformat('minutes')}\"",
        )
        start = None
    start = _in_zone(start, config)
    end = _in_zone(end, config)
    if isinstance(end, dt.time):
        if isinstance(start, dt.datetime):
            end = start.replace(hour=end.hour, minute=end.minute)
        else:
            if start is not None:
                diagnostics.error(
                    checker.value_location("end"),
                    "'end' is a time but 'start' has none: give 'start' a time too, e.g. start: \"2020-05-23 08:00\"",
                )
            end = None
    if start is not None and end is not None:
        if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
            diagnostics.error(
                checker.value_location("end"),
                "'start' and 'end' must both be dates (an all-day event) or both have a time",
            )
        elif end < start:
            diagnostics.error(
                checker.value_location("end"), f"'end' ({_shown(end)}) is before 'start' ({_shown(start)})"
            )

    recurrence = values.get("recurrence")
    if recurrence is not None and recurrence not in RECURRENCES:
        diagnostics.error(
            checker.value_location("recurrence"),
            f"unknown recurrence '{recurrence}': only 'yearly' is supported (or leave 'recurrence' out)",
        )
    until = values.get("until")
    if isinstance(until, dt.datetime):
        until = until.date()
    if until is not None:
        if recurrence is None:
            diagnostics.error(checker.key_location("until"), "'until' needs 'recurrence: yearly'")
        elif start is not None and until < _day(start):
            diagnostics.error(
                checker.value_location("until"), f"'until' ({until.isoformat()}) is before 'start' ({_shown(start)})"
            )

    category = values.get("category")
    if category is not None and category not in CATEGORIES:
        diagnostics.error(
            checker.value_location("category"),
            f"unknown category '{category}' (known: {', '.join(sorted(CATEGORIES))})",
        )

    articles = values.get("articles", ())
    for base, pos in zip(articles, data["articles"].item_pos if "articles" in values else ()):
        if base not in article_bases:
            close = difflib.get_close_matches(base, sorted(article_bases), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else " (no content/articles/<name>.<lang>.md has that name)"
            diagnostics.error(checker.at(pos), f"unknown article '{base}' in 'articles'{hint}")

    updated = values.get("updated")
    if len(diagnostics.errors) > before or title is None or start is None:
        return None
    return Event(
        id=ident,
        rel=rel,
        title=MappingProxyType(title),
        description=MappingProxyType(description or {}),
        location=MappingProxyType(location or {}),
        start=start,
        end=end if end is not None else start,
        yearly=recurrence == "yearly",
        until=until,
        category=category,
        articles=tuple(dict.fromkeys(articles)),
        updated=_aware(updated, config) if updated is not None else None,
    )


class _EventChecker(MappingChecker):
    """The shared checker, plus what only event files have: times and per-language texts."""

    def __init__(self, mapping: MarkedMap, rel: str, config: SiteConfig, diagnostics: Diagnostics):
        super().__init__(mapping, rel, 0, diagnostics)
        self.config = config

    def _convert(self, f: Field, value: Any) -> Any:
        if f.kind is Kind.MAPPING and not isinstance(value, MarkedMap):
            example = ", ".join(f"{code}: …" for code in self.config.codes)
            self.diagnostics.error(
                self.value_location(f.name),
                f"'{f.name}' must give the text in each language ({{{example}}}), not {describe(value)}",
            )
            return None
        if f.name in DATE_FIELDS and isinstance(value, int) and not isinstance(value, bool):
            typed = self._typed(f.name)
            if SEXAGESIMAL.match(typed):
                # YAML 1.1 reads 18:30 as 18 * 60 + 30: the editor meant a time.
                hint = f'{f.name}: "{typed}"' if f.name == "end" else f'{f.name}: "2020-05-23 {typed}"'
                self.diagnostics.error(
                    self.value_location(f.name),
                    f"'{f.name}' was read as the number {value}: YAML takes {typed} for a base-60 number; "
                    f"quote the time, e.g. {hint}",
                )
                return None
        if f.name in ("start", "end") and isinstance(value, str) and CLOCK_TIME.match(value.strip()):
            hours, minutes = map(int, CLOCK_TIME.match(value.strip()).groups())
            if hours < 24 and minutes < 60:
                return dt.time(hours, minutes)
        return super()._convert(f, value)

    def _typed(self, key: str) -> str:
        """The value as it is written in the file (YAML has already turned it into a number)."""
        return self.mapping.value_text.get(key, "")

    def texts(self, key: str, values: dict, required: str | None = None) -> dict[str, str] | None:
        """``key: {vi: …, en: …}``: one text per language; ``required`` names a language that must be there."""
        if key not in values:
            return None if required else {}
        mapping = values[key]
        codes = self.config.codes
        inner = MappingChecker(mapping, self.rel, 0, self.diagnostics)
        texts: dict[str, str] = {}
        ok = True
        for code, text in mapping.items():
            if code not in codes:
                self.diagnostics.warning(
                    inner.key_location(code), f"unknown language '{code}' in '{key}' (known: {', '.join(codes)})"
                )
            elif isinstance(text, str) and text.strip():
                texts[code] = text.strip()
            else:
                self.diagnostics.error(
                    inner.value_location(code), f"'{key}' in '{code}' must be text, not {describe(text)}"
                )
                ok = False
        if required and required not in mapping:
            self.diagnostics.error(
                self.key_location(key), f"'{key}' has no '{required}' text: every event needs a {key} in the default language"
            )
            return None
        return texts if ok else None


def _in_zone(value, config: SiteConfig):
    """Datetimes in the site's time zone (no offset means that zone); dates and times unchanged."""
    if isinstance(value, dt.datetime):
        return _aware(value, config)
    return value


def _aware(value: dt.date | dt.datetime, config: SiteConfig) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        return value.replace(tzinfo=config.timezone)
    return value.astimezone(config.timezone)


def _shown(value: dt.date | dt.datetime) -> str:
    """The value as an editor writes it in the file (ISO 8601), for messages."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")
    return value.isoformat()


def _compact(value: dt.date | dt.datetime) -> str:
    """RFC 5545's basic format (20200523, 20200523T080000), as Google Calendar's links want it."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds").replace("-", "").replace(":", "")
    return value.isoformat().replace("-", "")


# --- dates for readers: Babel patterns inside UI strings -------------------------------------------


class _BabelValue:
    """A date or datetime that ``str.format`` fills in with a Babel pattern: ``"{start:dd/MM/y}"``."""

    def __init__(self, value: dt.date | dt.datetime, locale: str, timezone):
        self.value, self.locale, self.timezone = value, locale, timezone

    def __format__(self, pattern: str) -> str:
        if isinstance(self.value, dt.datetime):
            return format_datetime(self.value, pattern, tzinfo=self.timezone, locale=self.locale)
        return format_date(self.value, pattern, locale=self.locale)


def when_key(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> str:
    """The UI string that writes this span: a day, a range within a month, a year, or across years."""
    timed = isinstance(start, dt.datetime)
    if end == start:
        return "calendar_time" if timed else "calendar_date"
    if timed:
        return "calendar_time_range_day" if start.date() == end.date() else "calendar_time_range"
    if (start.year, start.month) == (end.year, end.month):
        return "calendar_date_range_month"
    return "calendar_date_range_year" if start.year == end.year else "calendar_date_range"


@functools.lru_cache(maxsize=4096)  # (a month's page names it, its neighbours' and the lists' groups)
def month_label(year: int, month: int, locale: str) -> str:
    """"tháng 5 năm 2020", "May 2020" (CLDR's year-and-month format)."""
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=locale)


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


@functools.lru_cache(maxsize=64)
def weekday_names(locale: str) -> tuple[str, ...]:
    """Monday first: "Thứ Hai" … "Chủ Nhật"."""
    days = Locale.parse(locale).days["format"]["wide"]
    return tuple(days[i] for i in range(7))


@functools.lru_cache(maxsize=64)
def day_numbers(locale: str) -> tuple[str, ...]:
    """The day of the month as a month grid writes it ("d"), for days 1 to 31: CLDR's pattern reads
    nothing else of the date, and a calendar of ten years has 3,650 cells."""
    return tuple(format_date(dt.date(2000, 1, day), "d", locale=locale) for day in range(1, 32))


# --- what templates see ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    """An event as a page in one language shows it (texts fall back to the default language)."""

    id: str
    lang: str  # the page's language
    text_lang: str  # the language of title, description and location
    title: str
    description: tuple[str, ...]  # paragraphs
    location: str | None
    url: str  # its page, in ``text_lang``
    ics_url: str
    category: str | None
    category_label: str | None
    category_url: str | None
    when: str  # the first (or only) time it happens
    single_day: bool
    start_iso: str
    end_iso: str
    yearly: bool
    recurrence: str | None  # "Every year since 2020"

    @property
    def foreign(self) -> bool:
        return self.text_lang != self.lang


@dataclass(frozen=True)
class OccurrenceView:
    event: EventView
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    when: str
    single_day: bool
    start_iso: str
    month: tuple[int, int]
    month_url: str

    @property
    def first_day(self) -> dt.date:
        return _day(self.start)

    @property
    def last_day(self) -> dt.date:
        return _day(self.end)


@dataclass(frozen=True)
class MonthGroup:
    label: str
    url: str
    occurrences: tuple[OccurrenceView, ...]


@dataclass(frozen=True)
class DayCell:
    day: dt.date | None  # None: a day of the previous or next month
    iso: str
    number: str
    occurrences: tuple[OccurrenceView, ...]  # those shown in this cell (each on its first day of the month)


@dataclass(frozen=True)
class MonthView:
    year: int
    month: int
    label: str  # "tháng 5 năm 2020"
    caption: str  # "Tháng 5 năm 2020"
    weekdays: tuple[str, ...]
    weeks: tuple[tuple[DayCell, ...], ...]
    occurrences: tuple[OccurrenceView, ...]
    previous: tuple[str, str] | None  # (url, label)
    next: tuple[str, str] | None


@dataclass(frozen=True)
class CategoryLink:
    id: str | None  # None: every category
    label: str
    url: str
    count: int


@dataclass(frozen=True)
class RelatedArticle:
    """What an event page shows of an article (only this, so editing a body re-renders no event page)."""

    title: str
    url: str
    lang: str
    published: dt.datetime
    foreign: bool  # in the default language because the page's language has no version

    @classmethod
    def of(cls, article: Article, foreign: bool) -> "RelatedArticle":
        return cls(article.title, article.url, article.lang, article.published, foreign)


@dataclass(frozen=True)
class AddLink:
    label: str
    url: str


# --- the section -----------------------------------------------------------------------------------


class CalendarLinks:
    """The calendar's addresses and the links that subscribe to its feeds: they follow from the
    settings alone. Templates reach them as ``calendar_links`` (and as ``calendar``, which has them
    too): a page whose templates name ``calendar`` depends on every event, so the pages that only
    link the calendar (an event's, a month's) read these and are rendered again when their own
    data change, not when any event does."""

    def __init__(self, config: SiteConfig):
        self.config = config

    def index_url(self, lang: Language) -> str:
        return index_url(lang)

    def feed_url(self, lang: Language) -> str:
        return feed_url(lang)

    def webcal(self, url: str) -> str:
        """``webcal://`` for a site-relative URL: calendar apps subscribe instead of importing once."""
        return "webcal://" + (self.config.base_url + url).split("://", 1)[1]

    def google_subscribe(self, url: str) -> str:
        return "https://calendar.google.com/calendar/render?" + urlencode({"cid": self.webcal(url)}, quote_via=quote)

    def outlook_subscribe(self, url: str, name: str) -> str:
        query = {"url": self.config.base_url + url, "name": name}
        return "https://outlook.live.com/calendar/0/addfromweb?" + urlencode(query, quote_via=quote)

    def fingerprint(self) -> str:
        """Nothing beyond the settings, which every page's fingerprint covers already."""
        return "settings"


class IncompleteSite(Exception):
    """A page asked the calendar of a rebuild that checked a few articles for what only the whole
    site knows (quick.py then leaves the build to the full one)."""


@dataclass
class CalendarSection(CalendarLinks):
    """The calendar; templates reach it as ``calendar``."""

    name: str = "calendar"
    reads_the_day: ClassVar[bool] = True  # what is upcoming (warm.day_of_articles)
    events: dict[str, Event] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)
    config: SiteConfig | None = None
    today: dt.date | None = None
    last_year: int | None = None
    links: set[tuple[str, str]] = field(default_factory=set)  # (article base name, event id)
    site: Site | None = None
    _ui: Any = None  # UiStrings, known from the shortcodes stage on
    _diagnostics: Diagnostics | None = None
    _cache: dict = field(default_factory=dict)
    _partial: bool = False  # checked with a few articles (restore_site_facts)
    # Its plan reads nothing its fingerprint leaves out (besides settings, UI strings and the day),
    # so the preview can keep the planned pages while the fingerprint stays the same (warm.py).
    replayable: ClassVar[bool] = True

    # 1. load
    def load(self, root: Path, config: SiteConfig, articles: list[ArticleSource], diagnostics: Diagnostics) -> None:
        self.config = config
        # Read once, so every page of a build agrees on what is upcoming.
        self.today = dt.datetime.now(config.timezone).date()
        self._diagnostics = diagnostics
        self.events, self.ids = load_events(root, config, {a.base for a in articles}, diagnostics)
        for event in self.events.values():
            self.links.update((base, event.id) for base in event.articles)

    # 2. shortcodes
    def shortcodes(self, renderer: "Renderer", diagnostics: Diagnostics) -> Iterable[Shortcode]:
        self._ui = renderer.ui

        def render(ident: str, lang: str) -> str:
            view = self.view(ident, lang)
            if view is None:  # the file has errors, already reported
                return ""
            return renderer.render_partial(EVENT_CARD, lang, diagnostics, event=view)

        yield Shortcode("event", "event id", f"{CALENDAR_DIR}/<id>.yaml", lambda ident: ident in self.ids, render,
                        CALENDAR_DIR, (EVENT_CARD,), self.event_digest)

    def event_digest(self, ident: str) -> str:
        """What an event's block is made from (besides the settings and UI strings): the event as read,
        or whether its id is known at all (a file with errors, or none)."""
        key = ("digest", ident)
        if key not in self._cache:
            self._cache[key] = item_digest(self.events.get(ident), ident in self.ids)
        return self._cache[key]

    # 3. check
    def check(self, site: Site, diagnostics: Diagnostics) -> None:
        self.site = site
        years = [a.published.astimezone(site.config.timezone).year for local in site.languages.values()
                 for a in local.articles]
        for event in self.events.values():
            years += [_day(event.start).year, _day(event.end).year]
        for local in site.languages.values():
            for article in local.articles:
                self.links.update((article.base, ident) for ident in article.events if ident in self.events)
        # A yearly event without 'until' is shown up to the last year the site has content for.
        self.last_year = max(years) if years else None

    def site_facts(self) -> dict:
        """What ``check`` learnt from the whole site, as JSON values, for a rebuild that checks a few
        articles (quick.py): the last year and the links; "articles", the base names of the articles
        the calendar's pages show (by title and address)."""
        return {"last_year": self.last_year, "links": sorted(map(list, self.links)),
                "articles": sorted({base for base, _ in self.links})}

    def restore_site_facts(self, facts: dict, fingerprint: str | None) -> None:
        """After ``check`` of a few articles: what the whole site's check found (``site_facts``) and
        the fingerprint it had, which the caller knows to be the same (the articles checked have
        the events, and those of "articles" the titles, addresses and dates, they had). The
        articles of the other links are not known then: a page that would show one is not
        rendered (``related_articles`` raises IncompleteSite)."""
        self.last_year = facts["last_year"]
        self.links = {(base, ident) for base, ident in facts["links"]}
        self._cache.clear()  # (what was worked out from the links)
        self._cache["fingerprint"] = fingerprint
        self._partial = True

    # 4. plan
    def plan(self, planner: "Planner") -> None:
        config = planner.config
        self._ui = planner.ui
        present = {lang.code: bool(self.events_in(lang.code)) for lang in config.languages}
        for lang in config.languages:
            if present[lang.code]:
                self._plan_language(planner, lang, present)

    # 5. fingerprint (incremental builds)
    def fingerprint(self) -> str:
        """Everything templates can read from the calendar: the events, the links with articles
        (and those articles' titles and addresses), and the day that splits upcoming from past.
        Computed once, after ``check``: the preview's planning and the pages' fingerprints both ask."""
        if "fingerprint" in self._cache:
            return self._cache["fingerprint"]
        parts = [repr(self.today), repr(self.last_year), repr(sorted(self.ids))]
        parts += [repr(self.events[ident]) for ident in sorted(self.events)]
        parts += [repr(link) for link in sorted(self.links)]
        for base in sorted({base for base, _ in self.links}):
            versions = self.site.translations.get(base, {}) if self.site else {}
            parts += [repr((code, a.title, a.url, a.published)) for code, a in sorted(versions.items())]
        self._cache["fingerprint"] = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()
        return self._cache["fingerprint"]

    # --- for templates ---

    def has_events(self, lang: str) -> bool:
        return bool(self.events_in(lang))

    def home(self, lang: str) -> tuple[bool, tuple[OccurrenceView, ...]]:
        """(upcoming?, occurrences): the next events, or the most recent ones when none is upcoming."""
        upcoming, past = self._split(self.occurrences_in(lang))
        if upcoming:
            return True, upcoming[:HOME_EVENTS]
        return False, tuple(reversed(past))[:HOME_EVENTS]

    def article_page_data(self, article: Article) -> Mapping[str, Any]:
        """Added to the data of the article's page (the Section protocol): its events. Asked for
        every article page of every build: most have none, and get one shared answer."""
        if article.base not in self._links_by("article"):
            return _NO_ARTICLE_EVENTS
        return {"article_events": self.article_events(article)}

    def article_events(self, article: Article) -> tuple[EventView, ...]:
        idents = sorted(self._links_by("article").get(article.base, ()),
                        key=lambda ident: (_instant(self.events[ident].start), ident))
        return tuple(view for ident in idents if (view := self.view(ident, article.lang)) is not None)

    def related_articles(self, ident: str, lang: str) -> tuple[RelatedArticle, ...]:
        if self.site is None:
            return ()
        default = self.config.default_language
        found = []
        for base in sorted(self._links_by("event").get(ident, ())):
            if self._partial and base not in self.site.translations:
                raise IncompleteSite(f"the calendar does not know the articles of event '{ident}' in this build")
            versions = self.site.translations.get(base, {})
            if lang in versions:
                found.append((versions[lang], False))
            elif default in versions:
                found.append((versions[default], True))
        return tuple(RelatedArticle.of(a, foreign) for a, foreign in sorted(found, key=lambda f: f[0].sort_key))

    # --- the model per language ---

    def events_in(self, lang: str) -> tuple[Event, ...]:
        """The events a language lists: those with a title in it (asked by every page's menu, so kept)."""
        key = ("events_in", lang)
        if key not in self._cache:
            self._cache[key] = tuple(sorted((e for e in self.events.values() if lang in e.title),
                                            key=lambda e: (_instant(e.start), e.id)))
        return self._cache[key]

    def _links_by(self, side: str) -> dict[str, list[str]]:
        """The article-event links indexed by article base name (``"article"``) or event id."""
        key = ("links_by", side)
        if key not in self._cache:
            index: dict[str, list[str]] = defaultdict(list)
            for base, ident in self.links:
                if side == "article":
                    index[base].append(ident)
                else:
                    index[ident].append(base)
            self._cache[key] = dict(index)
        return self._cache[key]

    def occurrences(self, event: Event) -> tuple[Occurrence, ...]:
        if not event.yearly:
            return (Occurrence(event, event.start, event.end),)
        first = _day(event.start).year
        last = event.until.year if event.until else max(self.last_year or first, first)
        found = []
        for year in range(first, last + 1):
            occurrence = event.in_year(year)
            if occurrence and (event.until is None or occurrence.first_day <= event.until):
                found.append(occurrence)
        return tuple(found)

    def occurrences_in(self, lang: str) -> tuple[OccurrenceView, ...]:
        key = ("occurrences", lang)
        if key not in self._cache:
            found = [o for event in self.events_in(lang) for o in self.occurrences(event)]
            self._cache[key] = tuple(self._occurrence_view(o, lang) for o in sorted(found, key=lambda o: o.key))
        return self._cache[key]

    def view(self, ident: str, lang: str) -> EventView | None:
        key = ("view", ident, lang)
        if key not in self._cache:
            event = self.events.get(ident)
            self._cache[key] = self._event_view(event, lang) if event else None
        return self._cache[key]

    def _split(self, occurrences: tuple[OccurrenceView, ...]) -> tuple[tuple, tuple]:
        upcoming = tuple(o for o in occurrences if o.last_day >= self.today)
        past = tuple(o for o in occurrences if o.last_day < self.today)
        return upcoming, past

    def _strings(self, lang: str) -> dict[str, str]:
        return self._ui.for_language(lang)

    def _when(self, start, end, lang: str) -> str:
        key = when_key(start, end)
        pattern = self._strings(lang)[key]
        locale = self.config.language(lang).locale
        try:
            return pattern.format(start=_BabelValue(start, locale, self.config.timezone),
                                  end=_BabelValue(end, locale, self.config.timezone))
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            failed = ("when", lang, key)
            if failed not in self._cache:
                self._cache[failed] = True
                self._diagnostics.error(
                    Location(f"templates/i18n/{lang}.yaml"),
                    f"UI string '{key}' must be Babel date patterns in {{start:…}} and {{end:…}}: {exc}",
                )
            return ""

    def _event_view(self, event: Event, lang: str) -> EventView:
        config = self.config
        text_lang = lang if lang in event.title else config.default_language
        page_lang = config.language(text_lang)
        strings = self._strings(lang)
        description = event.description.get(text_lang, "")
        recurrence = None
        if event.yearly:
            first = _day(event.start).year
            if event.until:
                recurrence = strings["calendar_yearly_until"].format(start=first, until=event.until.year)
            else:
                recurrence = strings["calendar_yearly"].format(start=first)
        category = event.category
        return EventView(
            id=event.id,
            lang=lang,
            text_lang=text_lang,
            title=event.title[text_lang],
            description=tuple(p.strip() for p in re.split(r"\n\s*\n", description) if p.strip()),
            location=event.location.get(text_lang),
            url=event_url(page_lang, event.id),
            ics_url=event_feed_url(page_lang, event.id),
            category=category,
            category_label=strings[f"calendar_category_{category}"] if category else None,
            category_url=category_url(config.language(lang), category) if category and lang == text_lang else None,
            when=self._when(event.start, event.end, lang),
            single_day=event.start == event.end,
            start_iso=_iso(event.start),
            end_iso=_iso(event.end),
            yearly=event.yearly,
            recurrence=recurrence,
        )

    def _occurrence_view(self, occurrence: Occurrence, lang: str) -> OccurrenceView:
        first = occurrence.first_day
        return OccurrenceView(
            event=self.view(occurrence.event.id, lang),
            start=occurrence.start,
            end=occurrence.end,
            when=self._when(occurrence.start, occurrence.end, lang),
            single_day=occurrence.start == occurrence.end,
            start_iso=_iso(occurrence.start),
            month=(first.year, first.month),
            month_url=month_url(self.config.language(lang), first.year, first.month),
        )

    # --- pages and files ---

    def _months(self, lang: str) -> list[tuple[int, int]]:
        """Every month from the first event to the last, so that previous/next always lead somewhere."""
        occurrences = self.occurrences_in(lang)
        if not occurrences:
            return []
        first = min(o.first_day for o in occurrences).replace(day=1)
        last = max(o.last_day for o in occurrences).replace(day=1)
        months = []
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def _plan_language(self, planner: "Planner", lang: Language, present: dict[str, bool]) -> None:
        config = self.config
        code = lang.code
        strings = self._strings(code)
        origin = CALENDAR_DIR

        def shared(url_of):
            return tuple((other.code, url_of(other)) for other in config.languages if present[other.code])

        def several(alternates):  # hreflang only links real translations
            return alternates if len(alternates) > 1 else ()

        def fallback(other: Language) -> str:
            return index_url(other) if present.get(other.code) else urls.home(other)

        occurrences = self.occurrences_in(code)
        events = self.events_in(code)
        categories = self._category_links(lang, events)
        upcoming, past = self._split(occurrences)

        planner.page(lang, index_url(lang), "calendar/index.html", "calendar", several(shared(index_url)),
                     fallback=fallback,
                     origin=origin, listing=self._listing(upcoming, past), categories=categories,
                     current=None, feed=feed_url(lang))
        planner.made_data(feed_url(lang), *self._ics(lang, events, strings["calendar_title"], index_url(lang)),
                          "calendar feed", origin)

        for link in categories[1:]:
            ident = link.id
            chosen = {e.id for e in events if e.category == ident}
            mine = tuple(o for o in occurrences if o.event.id in chosen)
            alternates = tuple(
                (other.code, category_url(other, ident)) for other in config.languages
                if any(e.category == ident for e in self.events_in(other.code))
            )
            planner.page(lang, link.url, "calendar/index.html", f"calendar category '{ident}'", several(alternates),
                         fallback=fallback, origin=origin, listing=self._listing(*self._split(mine)),
                         categories=categories, current=ident, feed=category_feed_url(lang, ident))
            title = strings["calendar_category_title"].format(name=link.label)
            planner.made_data(category_feed_url(lang, ident),
                              *self._ics(lang, [e for e in events if e.id in chosen], title, link.url),
                              f"calendar feed for category '{ident}'", origin)

        months = self._months(code)
        other_months = {other.code: set(self._months(other.code)) for other in config.languages}
        # Each month's occurrences and each event's, in the order of ``occurrences`` (one pass, where
        # looking through all of them for each of 240 months and 1,000 events took a tenth of a second).
        by_month: dict[tuple[int, int], list[OccurrenceView]] = defaultdict(list)
        by_event: dict[str, list[OccurrenceView]] = defaultdict(list)
        for occurrence in occurrences:
            by_event[occurrence.event.id].append(occurrence)
            first, last = occurrence.first_day, occurrence.last_day
            year, month = first.year, first.month
            while (year, month) <= (last.year, last.month):
                by_month[year, month].append(occurrence)
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        for index, (year, month) in enumerate(months):
            alternates = tuple(
                (other.code, month_url(other, year, month)) for other in config.languages
                if (year, month) in other_months[other.code]
            )
            view = self._month_view(lang, year, month, tuple(by_month.get((year, month), ())),
                                    months[index - 1] if index > 0 else None,
                                    months[index + 1] if index + 1 < len(months) else None)
            planner.page(lang, month_url(lang, year, month), "calendar/month.html",
                         f"calendar month {year:04d}-{month:02d}", several(alternates), fallback=fallback,
                         origin=origin,
                         month=view)

        for event in events:
            view = self.view(event.id, code)
            alternates = tuple(
                (other.code, event_url(other, event.id)) for other in config.languages if other.code in event.title
            )
            planner.page(lang, view.url, "calendar/event.html", f"event '{event.id}'",
                         several(alternates), fallback=fallback,
                         note_key="calendar_untranslated_note", origin=event.rel,
                         event=view, occurrences=tuple(by_event.get(event.id, ())),
                         related=self.related_articles(event.id, code), add_links=self._add_links(event, view),
                         event_ld=self._json_ld(event, view))
            planner.made_data(view.ics_url, *self._ics(lang, [event], event.title[code], view.url),
                              f"calendar file of event '{event.id}'", event.rel)

    def _category_links(self, lang: Language, events: tuple[Event, ...]) -> tuple[CategoryLink, ...]:
        strings = self._strings(lang.code)
        links = [CategoryLink(None, strings["calendar_all_categories"], index_url(lang), len(events))]
        for ident in CATEGORIES:
            count = sum(1 for e in events if e.category == ident)
            if count:
                links.append(CategoryLink(ident, strings[f"calendar_category_{ident}"],
                                          category_url(lang, ident), count))
        return tuple(links)

    def _listing(self, upcoming: tuple, past: tuple) -> Mapping[str, tuple[MonthGroup, ...]]:
        return MappingProxyType({
            "upcoming": self._groups(upcoming, newest_first=False),
            "past": self._groups(past, newest_first=True),
        })

    def _groups(self, occurrences: tuple[OccurrenceView, ...], newest_first: bool) -> tuple[MonthGroup, ...]:
        by_month: dict[tuple[int, int], list[OccurrenceView]] = defaultdict(list)
        for occurrence in occurrences:
            by_month[occurrence.month].append(occurrence)
        order = sorted(by_month, reverse=newest_first)
        if not occurrences:
            return ()
        lang = occurrences[0].event.lang
        locale = self.config.language(lang).locale
        return tuple(
            MonthGroup(sentence_case(month_label(year, month, locale)), by_month[year, month][0].month_url,
                       tuple(by_month[year, month]))
            for year, month in order
        )

    def _month_view(self, lang: Language, year: int, month: int, mine: tuple[OccurrenceView, ...], previous,
                    following) -> MonthView:
        """``mine``: the occurrences on one of the month's days, in order."""
        locale = lang.locale
        first = dt.date(year, month, 1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        numbers = day_numbers(locale)
        shown_on: dict[dt.date, list[OccurrenceView]] = defaultdict(list)
        for occurrence in mine:
            shown_on[max(occurrence.first_day, first)].append(occurrence)
        weeks = []
        day = first - dt.timedelta(days=first.weekday())  # weeks start on Monday
        while day <= last:
            week = []
            for _ in range(7):
                if day.month == month:
                    week.append(DayCell(day, day.isoformat(), numbers[day.day - 1], tuple(shown_on.get(day, ()))))
                else:
                    week.append(DayCell(None, "", "", ()))
                day += dt.timedelta(days=1)
            weeks.append(tuple(week))

        def neighbour(ym):
            if ym is None:
                return None
            return month_url(lang, *ym), month_label(*ym, locale)

        label = month_label(year, month, locale)
        return MonthView(year, month, label, sentence_case(label), weekday_names(locale), tuple(weeks), mine,
                         neighbour(previous), neighbour(following))

    # --- ICS and "add to calendar" ---

    def _ics_event(self, event: Event, lang: Language) -> IcsEvent:
        config = self.config
        strings = self._strings(lang.code)
        url = config.base_url + event_url(lang, event.id)
        description = "\n\n".join([*filter(None, [event.description.get(lang.code)]), url])
        until = event.until
        if until is not None and not event.all_day:
            until = dt.datetime.combine(until, dt.time(23, 59, 59), config.timezone)
        return IcsEvent(
            uid=f"{event.id}@{urlsplit(config.base_url).hostname}",
            stamp=event.updated or _aware(event.start, config),
            start=event.start,
            end=event.end + dt.timedelta(days=1) if event.all_day else event.end,
            summary=event.title[lang.code],
            description=description,
            location=event.location.get(lang.code),
            url=url,
            category=strings[f"calendar_category_{event.category}"] if event.category else None,
            yearly=event.yearly,
            until=until,
            language=lang.code,
        )

    def _ics(self, lang: Language, events: Iterable[Event], name: str, page_url: str) -> tuple[str, Callable[[], bytes]]:
        """(everything the file depends on, as text; what makes it): icalendar is slow, and a
        thousand event files rarely change all at once."""
        config = self.config
        calendar = IcsCalendar(
            name=f"{name} – {lang.title}",
            description=self._strings(lang.code)["calendar_description"],
            url=config.base_url + page_url,
            language=lang.code,
            host=urlsplit(config.base_url).hostname,
            timezone=config.timezone,
        )
        ics_events = [self._ics_event(e, lang) for e in events]
        return repr((ics_module(), calendar, ics_events)), lambda: ics_bytes(calendar, ics_events)

    def _add_links(self, event: Event, view: EventView) -> tuple[AddLink, ...]:
        """Google Calendar and Outlook on the web take the event in the address itself."""
        config = self.config
        ics = self._ics_event(event, config.language(view.lang))
        details = ics.description
        if event.all_day:
            google_dates = f"{_compact(event.start)}/{_compact(ics.end)}"
            outlook_times = {"startdt": event.start.isoformat(), "enddt": ics.end.isoformat(), "allday": "true"}
        else:
            google_dates = f"{_compact(event.start)}/{_compact(event.end)}"
            outlook_times = {"startdt": event.start.isoformat(), "enddt": event.end.isoformat(), "allday": "false"}
        google = {"action": "TEMPLATE", "text": ics.summary, "dates": google_dates, "details": details,
                  "ctz": config.timezone.key}
        if ics.location:
            google["location"] = ics.location
        if event.yearly:
            rule = "RRULE:FREQ=YEARLY"
            if event.until:
                rule += f";UNTIL={_compact(event.until)}"
            google["recur"] = rule
        outlook = {"rru": "addevent", "subject": ics.summary, **outlook_times,
                   "body": details}
        if ics.location:
            outlook["location"] = ics.location
        return (
            AddLink("Google Calendar", "https://calendar.google.com/calendar/render?"
                    + urlencode(google, quote_via=quote)),
            AddLink("Outlook", "https://outlook.live.com/calendar/0/action/compose?"
                    + urlencode(outlook, quote_via=quote)),
        )

    def _json_ld(self, event: Event, view: EventView) -> dict[str, Any]:
        """schema.org Event, from the same fields as the visible page."""
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": view.title,
            "url": self.config.base_url + view.url,
            "inLanguage": view.text_lang,
            "startDate": _iso(event.start),
            "endDate": _iso(event.end),
            "eventStatus": "https://schema.org/EventScheduled",
        }
        if view.description:
            data["description"] = " ".join(view.description)
        if view.location:
            data["location"] = {"@type": "Place", "name": view.location, "address": view.location}
        return data


def _iso(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="minutes")
    return value.isoformat()
