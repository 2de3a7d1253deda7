"""The build, stage by stage: load -> check -> model -> plan -> render -> write -> swap.

``run`` is what ``build.py build`` and ``build.py check`` call; it reads like the
table of contents of the engine.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .assemble import Selection, assemble
from .cache import CACHE_DIR, BuildCache
from .config import load_config
from .content import load_articles
from .diagnostics import Diagnostics, Location
from .i18n import load_ui_strings
from .images import ImageProcessor
from .links import check_links
from .plan import Planner, plan_news, plan_site_files
from .render import Renderer
from .search import ORIGIN as SEARCH_ORIGIN, SearchIndexError
from .sections import all_sections
from .shortcodes import core_registry
from .writer import write_site

PROGRESS_THRESHOLD = 200  # pages; below this a progress bar only flickers


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out: Path | None  # None: check only, write nothing
    selection: Selection = field(default_factory=Selection)
    strict: bool = False
    base_url: str | None = None
    progress: bool = False  # the caller decides (terminal attached, not --quiet)
    clean: bool = False  # ignore the build cache (it is still written afresh)


@dataclass(frozen=True)
class BuildResult:
    diagnostics: Diagnostics
    pages_per_language: dict[str, int]
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


def run(options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    diagnostics = Diagnostics(strict=options.strict)
    root = options.root

    def finish(counts: dict[str, int] | None = None) -> BuildResult:
        return BuildResult(diagnostics, counts or {}, time.perf_counter() - started)

    config = load_config(root, diagnostics, options.base_url)
    if config is None:
        return finish()
    ui = load_ui_strings(root, config, diagnostics)
    sources = load_articles(root, config, diagnostics)
    if ui is None:
        return finish()
    cache = BuildCache.load(root, options.clean)
    sections = all_sections()
    renderer = Renderer(root, config, ui, {section.name: section for section in sections})
    registry = core_registry()
    for section in sections:
        section.load(root, config, sources, diagnostics)
        for shortcode in section.shortcodes(renderer, diagnostics):
            registry.add(shortcode)
    images = ImageProcessor(root / CACHE_DIR / "images", reuse=not options.clean)
    site = assemble(root, config, sources, ui, registry, options.selection, diagnostics, cache, images=images)
    for section in sections:
        section.check(site, diagnostics)
    planner = Planner(site, ui)
    plan_news(planner)
    for section in sections:
        section.plan(planner)
    plan_site_files(planner, root)
    plan = planner.finish(diagnostics)
    progress = _progress_bar(len(plan.pages)) if options.progress else None
    reusable = options.out is not None and cache.output_folder == str(options.out.resolve())
    files = renderer.render_pages(
        plan, site, diagnostics, progress,
        previous=cache.outputs if reusable else None,
        previous_folder=options.out if reusable else None,
    )
    if not diagnostics.has_errors:
        check_links(files, plan, root, config, diagnostics)
    if progress:
        progress.close()
    html_pages = Counter(p.lang for p in plan.pages if p.path.endswith(".html"))
    counts = {code: html_pages[code] for code in config.codes}
    if diagnostics.has_errors or options.out is None:
        return finish(counts)

    def finish_output(folder: Path) -> None:
        """Sections that add to the written pages (the search index) run before the swap."""
        for section in sections:
            if hasattr(section, "finish_output"):
                section.finish_output(folder, files, cache, options.out if reusable else None)

    try:
        write_site(options.out, files, plan, before_swap=finish_output)
    except SearchIndexError as exc:  # the previous output is left as it was
        diagnostics.error(Location(SEARCH_ORIGIN), f"search index not built: {exc}")
        return finish(counts)
    cache.save({f.path: f.fingerprint for f in files if f.fingerprint}, options.out)
    images.prune()
    return finish(counts)


def _progress_bar(total: int):
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="page", desc="rendering", leave=False, file=sys.stderr)
