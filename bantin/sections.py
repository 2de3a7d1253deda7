"""Sections beside the news: each reads its own sources and adds its own outputs.

The calendar and the stats dashboard are sections. The pipeline calls every
section at the same points of the build, so adding one never means editing the
news code:

1. ``load``: read and check the section's sources (every problem to diagnostics);
2. ``shortcodes``: the body blocks it offers (``{{< event "id" >}}``), rendered with
   the site's templates through ``Renderer.render_partial``;
3. ``check``: cross-references with the assembled articles;
4. ``plan``: its pages and data files;
5. ``fingerprint``: a hash of what templates can read from it, so an incremental
   build knows when pages that show the section must be rendered again;
6. ``finish_output`` (optional): add to the freshly written output folder before it
   is swapped in (search builds its index of the written pages there).

Templates see each section under its ``name`` (e.g. ``calendar.upcoming(lang)``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Protocol

from .cache import digest
from .config import Language, SiteConfig
from .content import ArticleSource
from .diagnostics import Diagnostics
from .model import Site
from .calendar import CalendarSection
from .shortcodes import Shortcode, ShortcodeRegistry, core_registry
from .search import SearchSection
from .stats import StatsSection
from .yamlfile import parsed_files_in

if TYPE_CHECKING:  # imported for type names only; render imports plan, which imports model
    from .plan import Planner
    from .render import Renderer


class Section(Protocol):
    name: str
    # Optional ``replayable = True``: ``plan`` reads nothing but what ``fingerprint`` covers, the
    # settings, the UI strings and the day, so its outputs can be kept while those stay (warm.py).

    def load(self, root: Path, config: SiteConfig, articles: list[ArticleSource], diagnostics: Diagnostics) -> None:
        ...

    def shortcodes(self, renderer: "Renderer", diagnostics: Diagnostics) -> Iterable[Shortcode]:
        ...

    def check(self, site: Site, diagnostics: Diagnostics) -> None:
        ...

    def plan(self, planner: "Planner") -> None:
        ...

    def fingerprint(self) -> str | None:
        """A hash of everything templates can read from this section (for incremental builds);
        None makes every page that reads the section render each time."""
        ...

    # Optional ``article_page_data(article) -> Mapping[str, Any]``: what the section adds to the data
    # of an article's page (the calendar: the article's events), so that the page depends on that
    # and not on the whole section.
    # Optional ``site_facts() -> dict`` and ``restore_site_facts(facts)``: what ``check`` learnt from the
    # whole site, as JSON values (kept in the build's state), and putting it back after a ``check`` of
    # a few articles (quick.py); facts["articles"], if there: the base names of the articles whose
    # titles and addresses the section shows, which that rebuild then checks too.


class Navigation:
    """What the menu of every page shows of the sections: a link to the calendar and to the stats
    dashboard, in languages that have them. Templates see it as ``nav``; its fingerprint covers
    only that, so editing an event or a figure re-renders the pages that show events or figures,
    not every page of the site (each reads the menu)."""

    def __init__(self, sections: dict[str, Section], config: SiteConfig):
        self.sections = sections
        self.config = config

    def calendar(self, lang: Language) -> str | None:
        calendar = self.sections.get("calendar")
        return calendar.index_url(lang) if calendar is not None and calendar.has_events(lang.code) else None

    def stats(self, lang: Language) -> str | None:
        stats = self.sections.get("stats")
        return stats.url(lang) if stats is not None and stats.regions else None

    def fingerprint(self) -> str:
        return digest(*(repr((lang.code, self.calendar(lang), self.stats(lang))) for lang in self.config.languages))

    def __reduce__(self):
        """Sent to another process (page_work.py) as its answers: the sections themselves are large
        (the calendar's holds the site)."""
        return _AnsweredNavigation, ({lang.code: (self.calendar(lang), self.stats(lang))
                                      for lang in self.config.languages}, self.config)


class _AnsweredNavigation(Navigation):
    """A ``Navigation`` sent to another process: the same answers, kept."""

    def __init__(self, answers: dict[str, tuple[str | None, str | None]], config: SiteConfig):
        super().__init__({}, config)
        self.answers = answers

    def calendar(self, lang: Language) -> str | None:
        return self.answers[lang.code][0]

    def stats(self, lang: Language) -> str | None:
        return self.answers[lang.code][1]


def load_sections(sections: list[Section], root: Path, config: SiteConfig, articles, renderer: "Renderer",
                  diagnostics: Diagnostics, parsed_files) -> ShortcodeRegistry:
    """Each section's sources read (``parsed_files``: the build cache's table of data files as parsed,
    yamlfile.parsed_files_in), and the registry of the core shortcodes and those the sections offer.
    ``articles``: what ``load`` reads of the article sources (their base names)."""
    with parsed_files_in(parsed_files):
        for section in sections:
            section.load(root, config, articles, diagnostics)
    registry = core_registry()
    for section in sections:
        for shortcode in section.shortcodes(renderer, diagnostics):
            registry.add(shortcode)
    return registry


def all_sections() -> list[Section]:
    """The sections this build knows, in the order their pages are planned."""
    return [CalendarSection(), StatsSection(), SearchSection()]
