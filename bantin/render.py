"""Rendering planned pages with Jinja2 (autoescaped, StrictUndefined).

Template mistakes, such as a variable that does not exist, are reported like
content mistakes: ``templates/NAME:LINE:1: error: …``, all of them in one run.
"""

from __future__ import annotations

import hashlib
import traceback
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from . import urls
from .config import Language, SiteConfig
from .diagnostics import BuildAborted, Diagnostics, Location
from .cache import CACHE_VERSION, digest
from .fingerprint import Fingerprinter, TemplateGraph, page_context, page_fingerprint
from .i18n import Formatter, UiStrings
from .images import picture
from .model import Site
from .plan import ASSETS_DIR, PageOutput, Plan
from .calendar import CalendarLinks
from .sections import Navigation
from .structured_data import iso, news_article, open_graph_locale

TEMPLATES_DIR = "templates"
CARD_TEMPLATE = "partials/article_card.html"  # its macro ``article_card(item, card_level)``: the ``card`` filter


class UiStringTable(dict):
    """One language's UI strings as seen by templates (``t.key``)."""


class BantinUndefined(jinja2.StrictUndefined):
    """StrictUndefined whose message names a missing UI string as such."""

    @property
    def _undefined_message(self) -> str:
        if isinstance(self._undefined_obj, UiStringTable):
            return f"unknown UI string '{self._undefined_name}': add it to every file in templates/i18n/"
        return super()._undefined_message


def make_environment(root: Path, auto_reload: bool = True) -> jinja2.Environment:
    """``auto_reload``: check each template file's time whenever a page asks for the template (the
    preview's environment lives from one save to the next); a build that uses its environment
    once spares itself ten ``stat`` calls per page. Compiled templates are not kept between
    processes (Jinja's bytecode cache): they are code, and ``.bantin-cache/`` is restored in CI
    from a cache other runs wrote, so it holds data only."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(root / TEMPLATES_DIR),
        auto_reload=auto_reload,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=BantinUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Vietnamese stays readable in JSON-LD; tojson still escapes <, >, & and quotes.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["iso"] = iso
    return env


def template_location(exc: BaseException, root: Path) -> Location:
    """The template file and line a Jinja error comes from."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Location(_rel(exc.filename, root), exc.lineno or 1, 1)
    templates = (root / TEMPLATES_DIR).resolve()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(templates):
            return Location(_rel(frame.filename, root), frame.lineno or 1, 1)
    return Location(TEMPLATES_DIR)


def _rel(filename: str, root: Path) -> str:
    return Path(filename).resolve().relative_to(root.resolve()).as_posix()


class Renderer:
    """Renders pages and partials; one Jinja environment and one set of globals per language."""

    def __init__(self, root: Path, config: SiteConfig, ui: UiStrings, sections: dict | None = None,
                 env: jinja2.Environment | None = None, reused: bool = False):
        """``env``: an environment of an earlier build of this site to reuse with its compiled
        templates (the dev server's; Jinja compiles a template again when its file changes);
        ``reused``: the environment made here will be reused so (see ``make_environment``)."""
        self.root = root
        self.config = config
        self.ui = ui
        # Each section's object, visible to templates by its name, the menu's view of them, and the
        # calendar's links (which do not depend on its events).
        # (``sections`` may have them: those of a renderer in another process, page_work.py)
        self.sections = {"nav": Navigation(sections or {}, config), "calendar_links": CalendarLinks(config),
                         **(sections or {})}
        self.env = env or make_environment(root, auto_reload=reused)
        # Also a filter: Jinja calls a filter directly and a global through the context's ``call``,
        # which made the sitemap of a large archive (four addresses an entry) a third slower.
        self.env.filters["absolute"] = self._absolute
        self.env.filters["card"] = self._card
        # (language, id of a card, heading level) -> (the card, the card template, its HTML as UTF-8)
        self._cards: dict[tuple[str, int, int], tuple[object, jinja2.Template, bytes]] = {}
        self._card_macros: dict[str, tuple[jinja2.Template, Callable]] = {}  # language -> its template's macro
        assets = root / ASSETS_DIR
        # ?v=<hash> lets browsers cache the theme files forever and still see changes.
        self.asset_versions = {
            p.relative_to(assets).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:10]
            for p in sorted(assets.rglob("*")) if p.is_file()
        } if assets.is_dir() else {}
        self._language_globals = {lang.code: self._globals_for_language(lang) for lang in config.languages}
        self._failed: set[tuple] = set()
        self.graph = TemplateGraph(self.env)
        self.fingerprint_seed: dict | None = None  # hashes of objects an earlier build hashed (warm.py)
        self.keep_page_fingerprints = reused  # a renderer that lives on keeps them (see Fingerprinter)
        self.values: Fingerprinter | None = None  # this build's hashes, once pages are fingerprinted

    def _absolute(self, url: str) -> str:
        """A page's address with the site's scheme and host (feeds, the sitemap, structured data)."""
        return self.config.base_url + url

    def forget_cards(self) -> None:
        """Let go of the cards rendered so far (the lists are rendered: the pages left show none)."""
        self._cards.clear()

    def forget_the_render(self) -> None:
        """Let go of what the render kept for its own speed, the cards and the hashes of the values
        pages were made from, once every page is rendered: a command-line build then writes its
        records, the last peak of its memory (35 MB less at 10,000 pairs)."""
        self.forget_cards()
        if self.values is not None:
            self.values.entries.clear()  # (the closures of ``fingerprints`` hold it too)
            self.values = None

    @jinja2.pass_context
    def _card(self, context, item, card_level: int = 3) -> Markup:
        """``item | card(level)``: the card template's ``article_card`` macro for an article's card,
        rendered once per build (and per preview, while the card and the template are the same)
        and given again wherever the card stands: a card stands on a news page, the home page and
        the pages of its tags and authors, and the lists of a large archive took 4.4 of its 12 s
        of Jinja. The macro sees the language's globals only (``link``, ``fmt``, ``t``…): one
        that read a page's own variables would stop at an undefined name, never give one page's
        card to another."""
        lang = context["lang"].code
        template = self.env.get_template(CARD_TEMPLATE)
        key = (lang, id(item), card_level)
        known = self._cards.get(key)
        if known is not None and known[0] is item and known[1] is template:
            return Markup(known[2].decode("utf-8"))
        macro = self._card_macros.get(lang)
        if macro is None or macro[0] is not template:
            macro = (template, template.make_module(vars=self._language_globals[lang]).article_card)
            self._card_macros[lang] = macro
        try:
            html = macro[1](item, card_level)
        except jinja2.UndefinedError as exc:  # (the same error, at the macro's line, told why)
            exc.args = (f"{exc.message} (the card macro sees its arguments and the language's globals, "
                        "not a page's variables: one card is made for every list that shows it)",)
            raise
        # (kept as UTF-8: Vietnamese text takes two thirds of the memory of a str)
        self._cards[key] = (item, template, html.encode("utf-8"))
        return html

    def _globals_for_language(self, lang: Language) -> dict:
        config = self.config
        base_path = config.base_path

        def link(url: str) -> str:
            return base_path + url

        def asset(name: str) -> str:
            return f"{base_path}assets/{name}?v={self.asset_versions[name]}"

        return {
            "config": config,
            "lang": lang,
            "languages": config.languages,
            "t": UiStringTable(self.ui.for_language(lang.code)),
            "ui": self.ui.by_language,
            "fmt": Formatter(lang, config),
            "urls": urls,
            "link": link,
            "absolute": self._absolute,
            "host": urlsplit(config.base_url).hostname,
            "asset": asset,
            "picture": picture,  # an article image's <picture> markup (images.py)
            "news_article_ld": lambda article: news_article(article, lang, config),
            "og_locale": open_graph_locale,
            **self.sections,
        }

    def render_partial(self, template: str, lang: str, diagnostics: Diagnostics, **data) -> str:
        """A block outside any page (e.g. a shortcode's card), in one language."""
        try:
            return self.env.get_template(template).render(**self._language_globals[lang], **data)
        except BuildAborted:
            raise
        except Exception as exc:  # noqa: BLE001 - reported at the template line, like TemplateError
            self._report(exc, diagnostics)
            return ""

    def render_page(self, page: PageOutput, site: Site, plan: Plan) -> str:
        template = self.env.get_template(page.template)
        return template.render(**self._language_globals[page.lang], site=site, plan=plan, page=page, **page.data)

    def fingerprints(self, plan: Plan, site: Site) -> Callable[[PageOutput], str | None]:
        """page -> fingerprint of everything it is rendered from (see fingerprint.py); None: render
        it whatever the last build did."""
        values = self.values = Fingerprinter(self.fingerprint_seed, self.keep_page_fingerprints)
        base = digest(CACHE_VERSION, repr(self.config), repr(sorted(self.ui.by_language.items())),
                      repr(sorted(self.asset_versions.items())))
        lazily: dict[str, str | None] = {}

        def once(name: str, compute):
            def get():
                if name not in lazily:
                    lazily[name] = compute()
                return lazily[name]
            return get

        global_digests = {
            "site": once("site", lambda: values.of(site)),
            "plan": once("plan", lambda: values.of(plan)),
            **{
                name: once(name, getattr(section, "fingerprint", lambda: None))
                for name, section in self.sections.items()
            },
        }

        self._global_digests = global_digests
        contexts: dict[str, str | None] = {}  # template -> page_context

        def fingerprint(page) -> str | None:
            if page.template not in contexts:
                try:
                    template_hash, used = self.graph.closure(page.template)
                except jinja2.TemplateError:
                    template_hash = None  # reported when the page is rendered
                contexts[page.template] = template_hash and page_context(base, template_hash, used, global_digests)
            context = contexts[page.template]
            return None if context is None else page_fingerprint(context, values.of(page))

        return fingerprint

    def section_fingerprints(self) -> dict[str, str | None]:
        """The fingerprint of each section templates read (not ``site`` or ``plan``), as the last
        ``fingerprints`` saw the site."""
        return {name: get() for name, get in self._global_digests.items() if name not in ("site", "plan")}

    def describe_error(self, exc: Exception) -> tuple[Location, str]:
        """Where a template mistake is and what it is, as an error message says it."""
        return template_location(exc, self.root), f"template error: {exc}"

    def report_error(self, location: Location, message: str, diagnostics: Diagnostics) -> None:
        if (location, message) not in self._failed:  # one report per mistake, not one per page
            self._failed.add((location, message))
            diagnostics.error(location, message)

    def _report(self, exc: Exception, diagnostics: Diagnostics) -> None:
        self.report_error(*self.describe_error(exc), diagnostics)
