"""The build, stage by stage: load -> check -> model -> plan -> render -> write -> swap.

``run`` is what ``build.py build`` and ``build.py check`` call; it reads like the
table of contents of the engine.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .assemble import BodiesAhead, Selection, assemble
from .assembled import AssembledArticles
from .cache import CACHE_DIR, BuildCache
from .config import load_config
from .content import SourceRecords, article_files, article_names, load_articles
from .diagnostics import BuildAborted, Diagnostics, Location
from .heap import give_back_freed_memory
from .i18n import load_ui_strings
from .images import ImageProcessor
from .links import LinkChecker, written_paths
from .markdown_render import MarkdownWorkers
from .page_work import PARALLEL_THRESHOLD, PageWork, do_pages, start_workers_early
from .plan import PageOutput, Planner, plan_news, plan_site_files
from .listing import record_pages
from .quick import needs_whole_site, page_contents, quick_rebuild
from .render import Renderer
from .search import ORIGIN as SEARCH_ORIGIN, SearchIndexError
from .sections import all_sections, load_sections
from .state import BuildState, input_stamps, replay_warnings, warnings_of
from .warm import LastBuild, StartedFromTheCache, WarmModel, block_templates, day_of_articles, world_digest
from .warm_edit import warm_edit
from .writer import OutputFolder, source_stamp

PROGRESS_THRESHOLD = 200  # pages; below this a progress bar only flickers

# What builds with ``process_ends`` leave alive until the process ends (see BuildOptions).
_LEFT_FOR_THE_END: list[dict] = []


@dataclass(frozen=True)
class BuildOptions:
    root: Path
    out: Path | None  # None: check only, write nothing
    selection: Selection = field(default_factory=Selection)
    strict: bool = False
    base_url: str | None = None
    progress: bool = False  # the caller decides (terminal attached, not --quiet)
    clean: bool = False  # ignore the build cache (it is still written afresh)
    refresh_search: bool = True  # False (the preview's rebuilds): keep the search index there is
    # Processes at most: that many workers convert Markdown, this process and one fewer workers
    # render pages; None: one per core. A worker shares the build's memory until it writes to it,
    # so fewer workers is less memory and a slower large build.
    processes: int | None = None
    # The dev server's objects from its last build (warm.py); not an option of the output.
    warm: WarmModel | None = field(default=None, compare=False, repr=False)
    # The process ends right after this build (build.py's build and check): its objects are left
    # for the process's end, which gives the memory back at once, instead of being freed one by one
    # when the build returns (the model of 10,000 pairs: half a second of a one-edit rebuild).
    process_ends: bool = False


@dataclass(frozen=True)
class BuildResult:
    diagnostics: Diagnostics
    pages_per_language: dict[str, int]
    seconds: float
    unchanged: bool = False  # nothing the build reads changed, so nothing was done

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


def run(options: BuildOptions) -> BuildResult:
    # A build makes millions of small objects and almost no reference cycles, and the cyclic
    # garbage collector walks the whole heap each time it looks: with it paused, a one-article
    # rebuild of 10,000 pairs took 6.9 s instead of 9.3 s at the same peak memory. It runs
    # again once the build is over (the preview's process lives on).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with ExitStack() as until_the_end:
            return _run(options, until_the_end)
    finally:
        if was_enabled:
            gc.enable()


def _run(options: BuildOptions, until_the_end: ExitStack) -> BuildResult:
    started = time.perf_counter()
    diagnostics = Diagnostics(strict=options.strict)
    root = options.root

    def finish(counts: dict[str, int] | None = None, unchanged: bool = False) -> BuildResult:
        if options.process_ends:  # the objects of the build (the locals of _run, the caller) stay
            _LEFT_FOR_THE_END.append(sys._getframe(1).f_locals)
        return BuildResult(diagnostics, counts or {}, time.perf_counter() - started, unchanged)

    config = load_config(root, diagnostics, options.base_url)
    if config is None:
        return finish()
    now = options.selection.now or dt.datetime.now(dt.timezone.utc)
    day = now.astimezone(config.timezone).date().isoformat()
    # The preview neither asks nor records whether anything changed: it rebuilds when told of a
    # save, which changed a file (stamping 20,000 files took 0.07 s of each save), and its first
    # build fills its memory (warm.py) so that its first save is quick too.
    stamps = input_stamps(root) if options.out is not None and options.warm is None else None
    inputs = stamps.whole if stamps is not None else None
    state = BuildState.load(root, options.out) if stamps is not None and not options.clean else None
    if state is not None and inputs is not None and state.still_holds(inputs, _options_key(options), day, now,
                                                                       options.out):
        state.replay(diagnostics)  # nothing changed: the output is already what this build makes
        return finish(state.counts, unchanged=True)
    ui = load_ui_strings(root, config, diagnostics)
    if state is not None and ui is not None and not diagnostics.items:
        # An edit to a few bodies: their pages alone, from the last build's records (quick.py).
        quick = quick_rebuild(root, options.out, _options_key(options), options.selection, options.strict, config,
                              ui, day, now, stamps, state, options.processes)
        if quick is not None:
            replay_warnings(diagnostics, quick.warnings)
            return finish(quick.counts)
    # The full path makes a state of its own: the last one (64,000 output paths, 19,000 article hashes
    # at 10,000 pairs: 12 MB of JSON, tens of MB as objects) is not held through the render.
    del state
    warm = options.warm if not options.clean else None
    if warm is not None and ui is not None and options.out is not None and not diagnostics.items:
        # A saved edit to a few bodies: their pages alone, from the preview's memory (warm_edit.py).
        edit = warm_edit(root, options.out, config, ui, options.selection, day, now, warm, options.strict,
                         options.processes)
        if edit is not None:
            replay_warnings(diagnostics, edit.warnings)
            return finish(edit.counts)
    if warm is not None:
        warm.last_build = None  # until this build has succeeded
    cache = BuildCache.load(root, options.clean, options.out,
                            warm.record(BuildCache.record_file(root, options.out)) if warm is not None else None)
    # The preview keeps sources and articles in memory; a command-line build takes them from the cache,
    # and so does the preview's first build (it reads, never writes, what the command line keeps).
    starting = warm is not None and warm.empty and not options.clean and options.out is not None
    records = SourceRecords(cache.sources, inputs=stamps) if warm is None else None  # (read, then written again)
    if options.out is not None:  # (facts about the files: see below; ``check`` writes nothing)
        # Held until the files were all read, 19,000 rows were 24 MB of a clean build's first peak of memory.
        cache.front_matter.written_every = 1000
    # Many bodies to convert (a clean build): Markdown's workers forked now, while this process is small.
    markdown = MarkdownWorkers.for_bodies(len(stamps.articles) - cache.bodies.count(), options.processes) \
        if stamps is not None else None
    if markdown is not None:
        until_the_end.enter_context(markdown)
    if options.process_ends and stamps is not None and len(stamps.articles) >= PARALLEL_THRESHOLD:
        start_workers_early()  # (the pages' workers, if many pages are rendered: see page_work.do_pages)
    file_records = SourceRecords(cache.sources) if starting else records
    if ui is None:  # (the articles are read all the same, for their own mistakes)
        load_articles(root, config, diagnostics, cache.front_matter, warm, file_records)
        return finish()
    # The calendar and stats before the articles, which are made ready for Markdown as they are read
    # (their shortcodes are checked against the calendar's events and the stats' snapshots).
    listed = warm.article_files(root) if warm is not None else article_files(root)
    sections = all_sections()
    renderer = Renderer(root, config, ui, {section.name: section for section in sections},
                        env=warm.environment if warm is not None else None, reused=warm is not None)
    if warm is not None:
        warm.environment = renderer.env
    registry = load_sections(sections, root, config, article_names(listed, config), renderer, diagnostics,
                             cache.data_files)
    images = ImageProcessor(root / CACHE_DIR / "images", reuse=not options.clean)
    ahead = BodiesAhead(root, config, ui, registry, images, options.selection, now, cache, markdown, len(listed)) \
        if markdown is not None and markdown.pool is not None else None
    if ahead is not None:
        until_the_end.callback(ahead.close)  # (before the workers are closed: closing them waits for it)
    sources = load_articles(root, config, diagnostics, cache.front_matter, warm, file_records, listed=listed,
                            loaded=ahead.loaded if ahead is not None else None)
    world, data = world_digest(root, config, ui, day_of_articles(renderer.graph, registry.templates(), sections, day),
                               warm, registry.folders(), block_templates(renderer.graph, registry.templates()))
    if warm is not None:
        warm.looked()
    stored = AssembledArticles(cache.articles, cache.article_bodies) if warm is None or starting else None
    memory = stored if warm is None else StartedFromTheCache(warm, stored) if starting else warm
    if warm is None and options.out is not None:  # (``check`` writes nothing)
        stored.store_as_made()
    try:
        site = assemble(root, config, sources, ui, registry, options.selection, diagnostics, cache, images=images,
                        memory=memory, world=world, data=data, processes=options.processes, markdown=markdown,
                        ahead=ahead)
    except BuildAborted as exc:  # nothing is written yet
        diagnostics.error(exc.location, str(exc))
        return finish()
    if markdown is not None:
        markdown.close()
    if records is not None:
        records.remember(sources)
    del sources  # the raw texts are in the model now; a large archive's sources are a few hundred MB
    if options.out is not None:
        # The files' records and front matters this build made, written now rather than held through
        # the render (32 MB of JSON at 10,000 articles). They are facts about the files, true whether
        # or not the build succeeds; ``check`` writes nothing.
        cache.front_matter.flush()
        if records is not None:
            records.save(prune=False)
    for section in sections:
        section.check(site, diagnostics)
    planner = Planner(site, ui, cache.made, previous=warm.pages if warm is not None else None,
                      previous_copies=warm.copies if warm is not None else None,
                      article_data=tuple(s.article_page_data for s in sections if hasattr(s, "article_page_data")))
    plan_news(planner)
    for section in sections:
        if warm is not None and getattr(section, "replayable", False):
            warm.plan_section(section, world, planner, diagnostics)
        else:
            section.plan(planner)
    plan_site_files(planner, root)
    plan = planner.finish(diagnostics)
    if warm is not None:
        warm.keep_pages(plan.pages, plan.copies)
    progress = _progress_bar(len(plan.pages)) if options.progress else None
    html_pages = Counter(p.lang for p in plan.pages if p.path.endswith(".html"))
    counts = {code: html_pages[code] for code in config.codes}
    in_place = options.out is not None and cache.describes(options.out)
    listing = warm.output_listing(options.out) if warm is not None and options.out is not None else None
    output = OutputFolder(options.out, in_place, listing, cache.written) if options.out is not None else None
    site_paths = written_paths(plan)
    renderer.fingerprint_seed = stored.seed if warm is None else {**warm.fingerprints, **memory.seed} if starting \
        else warm.fingerprints
    # The assembled articles are stored as they are made (store_as_made), the last of them before
    # the pages are rendered, and their bodies let go (read back when a page shows one): the render
    # is the build's peak of memory, in this process and in the page workers (83 MB at 10,000
    # pairs). Like the front matters, they are facts about the files, whatever becomes of this build.
    store_articles = stored.finish_storing if warm is None and output is not None and not diagnostics.has_errors \
        else None
    try:
        outputs = _render(plan, site, renderer, sections, cache, output, options, diagnostics, progress,
                          store_articles, site_paths)
        if warm is not None and renderer.values is not None:
            warm.keep_fingerprints(renderer.values.entries)
        if warm is None:
            renderer.forget_the_render()
            give_back_freed_memory()
        if diagnostics.has_errors or output is None:
            return finish(counts)
        copies = _stage_the_rest(plan, site_paths, output, sections, cache, images, options)
    except SearchIndexError as exc:  # the previous output is left as it was
        diagnostics.error(Location(SEARCH_ORIGIN), f"search index not built: {exc}")
        return finish(counts)
    except BuildAborted as exc:  # the previous output is left as it was
        diagnostics.error(exc.location, str(exc))
        return finish(counts)
    finally:
        if progress:
            progress.close()
        if output is not None and (diagnostics.has_errors or sys.exc_info()[0] is not None):
            output.discard()
    if warm is not None:
        warm.forget_record()
    if in_place or warm is not None:
        cache.forget_output()
    BuildState.forget(root, options.out)
    written = output.commit(site_paths)
    if warm is not None:
        warm.keep_output(options.out, written)
    if records is not None:
        records.save()
    record = cache.record(outputs, options.out, written, copies)
    if warm is not None:
        warm.keep_record(cache.record_path, record)
    cache.save(record if warm is None else None)
    if stamps is not None:  # (a stamp not trusted is recorded as one that matches nothing)
        next_publication = site.next_publication.isoformat() if site.next_publication else None
        # What a rebuild after an edit to an article reads instead of the whole site (quick.py).
        shown, carded = page_contents(plan.pages) if not config.search else ({}, {})
        listed = record_pages({page.path: page for page in plan.pages if page.path in carded}, carded, outputs,
                              stored.row_of_card, cache.listings) if not config.search else None
        BuildState(inputs or "", _options_key(options), day, next_publication, str(options.out.resolve()),
                   tuple(written), counts, warnings_of(diagnostics), stamps.others, stamps.articles, shown,
                   needs_whole_site(renderer.graph), world, data, record["id"], listed=listed,
                   globals=renderer.section_fingerprints(),
                   facts={section.name: section.site_facts() for section in sections if hasattr(section, "site_facts")},
                   ).stamp_output().save(root, options.out)
    images.prune()
    if warm is not None and not diagnostics.has_errors:
        renderer.values = None  # (its hashes are kept apart, for the objects that live on)
        warm.last_build = LastBuild(day, str(options.out), options.selection, site.next_publication, counts,
                                    tuple(sections), registry, renderer, warnings_of(diagnostics))
    return finish(counts)


def _stage_the_rest(plan, site_paths: set[str], output: OutputFolder, sections, cache: BuildCache,
                    images: ImageProcessor, options: BuildOptions) -> dict[str, str]:
    """Data files, copies and what sections add (the search index) into the staging folder;
    return the stamp of each copy's source, for the next build."""
    for data_file in plan.data_files:
        output.write(data_file.path, data_file.data)
    stamps: dict[Path, str] = {}  # the same image is copied beside every article that shows it
    copies = {}
    for copy in plan.copies:
        stamp = stamps.get(copy.source)
        if stamp is None:
            stamp = stamps[copy.source] = source_stamp(copy.source, images.cache_dir)
        copies[copy.path] = stamp
    for copy in plan.copies:
        output.copy(copy, copies[copy.path], cache.copies.get(copy.path) if output.in_place else None,
                    immutable=images.cache_dir)
    for section in sections:
        if hasattr(section, "finish_output"):
            section.finish_output(output, site_paths, cache, refresh=options.refresh_search)
    return copies


def _options_key(options: BuildOptions) -> str:
    """The options that change what a build writes."""
    selection = options.selection
    return repr((str(options.out.resolve()) if options.out else None, selection.drafts, selection.future,
                 options.strict, options.base_url, options.refresh_search))


def _render(plan, site, renderer: Renderer, sections, cache: BuildCache, output: OutputFolder | None,
            options: BuildOptions, diagnostics: Diagnostics, progress,
            fingerprinted: Callable[[], None] | None = None, written: set[str] | None = None) -> dict[str, str]:
    """Render, check and stage the pages whose fingerprint changed (page_work.py: on every core
    when there are many); return each page's fingerprint. A page whose fingerprint is the one the
    output was built with, and still there, is left as it is. ``fingerprinted``: called once every
    page's fingerprint is known, before any is rendered. ``written``: every path the plan writes,
    when the caller has them (60,000 at 10,000 pairs: one set, not two)."""
    links = LinkChecker(plan, options.root, renderer.config, diagnostics, written)
    in_place = output is not None and output.in_place
    previous = cache.outputs if in_place else {}
    fingerprint_of = renderer.fingerprints(plan, site)
    fingerprints: dict[str, str] = {}
    reused: list[str] = []
    to_render: list[tuple[PageOutput, str | None]] = []
    # With no page of an earlier build to keep (a clean build, a new output folder), each page's
    # fingerprint is only recorded: it is taken as the page comes back, in this process while the
    # page workers render (hashing 22,626 pages first took a second on one core).
    later = not previous
    for page in plan.pages:
        fingerprint = fingerprint_of(page) if not later else None
        if fingerprint is not None and previous.get(page.path) == fingerprint and page.path in output.present:
            fingerprints[page.path] = fingerprint
            reused.append(page.path)
            if progress:
                progress.update(1)
        else:
            to_render.append((page, fingerprint))
    if fingerprinted is not None:
        fingerprinted()
    noting = [section for section in sections if hasattr(section, "page_note")]
    work = PageWork(renderer, site, plan, links, output, [section.page_note for section in noting])
    pages = do_pages(work, [page for page, _ in to_render], options.processes, send=options.process_ends)
    try:
        for (page, fingerprint), done in zip(to_render, pages):
            if later:
                fingerprint = fingerprint_of(page)
            if done.aborted:
                raise BuildAborted(*done.aborted)
            if done.error:
                renderer.report_error(*done.error, diagnostics)
            else:
                if fingerprint is not None:
                    fingerprints[page.path] = fingerprint
                if done.staged:
                    output.staged.add(page.path)  # staged by a worker process
                links.note(done.links)
                for section, note in zip(noting, done.notes):
                    section.page_noted(page.path, note)
            if progress:
                progress.update(1)
    finally:
        # The workers stop now, not when the generator is collected (which came after the cache's
        # record was written at 10,000 pairs: 62 MB of a worker on top of the build's last peak).
        pages.close()
    # An unchanged page can only gain a broken link when a file it may link to is gone (files that
    # other tools write, the search bundle, are outside: pages link only the bundle's expected files).
    owned = tuple({e.path.rsplit("/", 1)[0] + "/" for e in plan.expected if "/" in e.path})
    gone = [p for p in set(cache.written) - links.written if not p.startswith(owned)]
    if reused and gone:
        links.check_again(reused, gone, output.current)
    links.report()
    return fingerprints


def _progress_bar(total: int):
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="page", desc="rendering", leave=False, file=sys.stderr)
