#!/usr/bin/env python3
"""Where a bantin build spends its time, stage by stage.

    python bench/profile_bantin.py SITE OUT [--clean] [--cprofile FILE.prof] [--top 25]
    python bench/profile_bantin.py SITE OUT --warm-edit content/articles/FILE.md [--edit title]
    python bench/profile_bantin.py SITE OUT --preview-start


Run with bantin's Python. Builds SITE into OUT once (``--clean``: without the cache,
like ``build --clean``; otherwise reusing it, like a rebuild) with light timers wrapped
around the pipeline's stages and around the hot inner calls (YAML, Markdown,
sanitizing, fingerprints, Jinja rendering, reading reused pages). With ``--cprofile``
the same build runs under cProfile instead and the functions with the most own time
are listed (cProfile roughly doubles the time of Python-heavy code: use the timers for
the split, the profile for the culprits).

``--warm-edit FILE`` measures the preview's rebuild instead: one build fills a warm model
(bantin/warm.py, what ``build.py serve`` keeps between saves), a sentence is appended to
FILE (relative to SITE), the model is told that FILE changed (as the dev server's watcher
tells it), and the second build, the one a saved edit costs, is the one measured. With
``--edit title`` the article's title is changed instead (a new address, since the corpus
sets no ``slug``: the old page is gone, so the pages kept are checked for links to it); with ``--edit summary``
its summary (what lists show: the lists with its card too); with ``--edit figure`` FILE is a stats
file (content/stats/…) and its first figure goes up by one; with ``--edit event`` FILE is a calendar
file and its event's Vietnamese title changes; with ``--edit tags`` its first tag is
dropped (other articles keep it: the card leaves that tag's page); with ``--edit date`` its date
is three days earlier (the card moves down the lists); with ``--edit delete`` FILE is deleted (moved
beside OUT, to be put back by hand), with ``--edit rename`` renamed (``doi-ten-`` after its date: the
same title, so the same address; rename it back by hand), with ``--edit draft`` made a draft (a
``draft: true`` line, to be taken out by hand).

``--preview-start`` measures a new dev server's first build into OUT (its ``.preview``), then
writes the output's record as the server does when it stops, so that running it twice
measures a server started again on the folder the last one left.

Only names that exist are wrapped, so the script keeps working while the engine changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import cProfile
import functools
import inspect
import io
import pstats
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# --engine DIR: profile another bantin tree (e.g. one exported by bench.py --engine)
ENGINE = Path(sys.argv[sys.argv.index("--engine") + 1]) if "--engine" in sys.argv else REPO
sys.path.insert(0, str(ENGINE))

TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)
DEPTH: dict[str, int] = defaultdict(int)


def timed(label: str, fn):
    """Inclusive time of the outermost calls of ``fn`` under ``label``; for a generator function,
    the time spent getting its items (what its caller waits for), not the caller's own work
    between them."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator_wrapper(*args, **kwargs):
            items = fn(*args, **kwargs)
            CALLS[label] += 1
            while True:
                started = time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    TOTALS[label] += time.perf_counter() - started
                yield item

        return generator_wrapper

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        DEPTH[label] += 1
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            DEPTH[label] -= 1
            if DEPTH[label] == 0:
                TOTALS[label] += time.perf_counter() - started
                CALLS[label] += 1

    return wrapper


def wrap(owner, name: str, label: str) -> bool:
    fn = getattr(owner, name, None)
    if fn is None:
        return False
    if isinstance(owner, type) and isinstance(owner.__dict__.get(name), classmethod):
        setattr(owner, name, classmethod(timed(label, owner.__dict__[name].__func__)))
        return True
    wrapped = timed(label, fn)
    setattr(owner, name, wrapped)
    if not isinstance(owner, type):  # a module function: rebind where it was imported by name
        for module_name, module in list(sys.modules.items()):
            if module_name.startswith("bantin") and getattr(module, name, None) is fn:
                setattr(module, name, wrapped)
    return True


# (label, module, attribute path): stages in pipeline order, then inner calls ("  " = part of a stage).
STAGES = [
    ("config + UI strings", "bantin.pipeline", "load_config"),
    ("no-change check (stat of the inputs)", "bantin.pipeline", "input_stamps"),
    ("config + UI strings", "bantin.pipeline", "load_ui_strings"),
    ("load articles (read + front matter)", "bantin.pipeline", "load_articles"),
    ("cache: load JSON", "bantin.cache", "BuildCache.load"),
    ("sections: load calendar + stats", "bantin.calendar", "CalendarSection.load"),
    ("sections: load calendar + stats", "bantin.stats", "StatsSection.load"),
    ("assemble (bodies: Markdown, sanitize)", "bantin.pipeline", "assemble"),
    ("sections: check + plan", "bantin.calendar", "CalendarSection.check"),
    ("sections: check + plan", "bantin.stats", "StatsSection.check"),
    ("plan", "bantin.pipeline", "plan_news"),
    ("sections: check + plan", "bantin.calendar", "CalendarSection.plan"),
    ("sections: check + plan", "bantin.stats", "StatsSection.plan"),
    ("plan", "bantin.pipeline", "plan_site_files"),
    ("plan", "bantin.plan", "Planner.finish"),
    ("render pages: fingerprints, Jinja, link check, staging", "bantin.pipeline", "_render"),
    ("copies (images, assets) into staging", "bantin.writer", "OutputFolder.copy"),
    ("search index (Pagefind)", "bantin.search", "SearchSection.finish_output"),
    ("commit output (swap or move staged files)", "bantin.writer", "OutputFolder.commit"),
    ("cache: save JSON", "bantin.cache", "BuildCache.save"),
    ("cache: save JSON", "bantin.state", "BuildState.save"),
    ("no-change check (stat of the inputs)", "bantin.state", "BuildState.load"),
    ("world digest (settings, templates, data files)", "bantin.pipeline", "world_digest"),
    ("planned output paths (for the link check)", "bantin.pipeline", "written_paths"),
    ("preview's memory upkeep", "bantin.warm", "WarmModel.keep_fingerprints"),
    ("kept articles and file records: save", "bantin.assembled", "AssembledArticles.save"),
    ("kept articles and file records: save", "bantin.content", "SourceRecords.save"),
    ("image cache: prune", "bantin.images", "ImageProcessor.prune"),
    # The quick rebuild (quick.py), in its order; what it shares with the full build (loading the
    # articles, assembling them) counts in those stages above.
    ("quick: edited files", "bantin.quick", "_edited_files"),
    ("quick: the group compared with the kept articles", "bantin.quick", "_changed_articles"),
    ("quick: list pages read back (records)", "bantin.listing", "read_pages"),
    ("quick: lists planned again (relist)", "bantin.quick", "retermed_pages"),
    ("quick: lists planned again (relist)", "bantin.quick", "redated"),
    ("quick: lists planned again (relist)", "bantin.quick", "moved_in_sitemap"),
    ("quick: lists planned again (relist)", "bantin.quick", "dated_in_sitemap"),
    ("quick: feeds' other entries (cache)", "bantin.quick", "_feed_entries"),
    ("render pages: fingerprints, Jinja, link check, staging", "bantin.quick", "_render"),
    ("quick: records kept (output, articles, lists)", "bantin.quick", "_keep_records"),
    ("quick: records kept (output, articles, lists)", "bantin.quick", "_listed"),
]
INNER = [
    ("  YAML (front matter, events, stats)", "bantin.yamlfile", "load"),
    ("  translations check (assemble)", "bantin.assemble", "check_translations"),
    ("  articles from the preview's memory (assemble)", "bantin.warm", "WarmModel.article"),
    ("  lists, tags, authors (assemble)", "bantin.assemble", "_site"),
    ("  pages planned (plan)", "bantin.plan", "Planner.page"),
    ("  copies planned (plan)", "bantin.plan", "Planner.copy"),
    ("  Markdown + sanitize on all cores (waited for)", "bantin.markdown_render", "convert_many"),
    ("  Markdown convert in this process", "markdown.core", "Markdown.convert"),
    ("  page fingerprints", "bantin.fingerprint", "page_fingerprint"),
    ("  fingerprint values (Fingerprinter.of)", "bantin.fingerprint", "Fingerprinter.of"),
    ("  template closure", "bantin.fingerprint", "TemplateGraph.closure"),
    ("  Jinja render of pages", "bantin.render", "Renderer.render_page"),
    ("  Jinja render of shortcode blocks", "bantin.render", "Renderer.render_partial"),
    ("  link check", "bantin.links", "LinkChecker.check"),
    ("  staging writes of pages and data", "bantin.writer", "OutputFolder.write"),
    ("  Pagefind binary", "bantin.search", "build_index"),
    ("  hashing (cache.digest)", "bantin.cache", "digest"),
    ("  articles stored (encode, SQLite)", "bantin.assembled", "AssembledArticles._store"),
    ("  rows written to SQLite (put_stream)", "bantin.cache", "KeyValueTable.put_stream"),
    ("  article encoded and checked (JSON)", "bantin.assembled", "ArticleCodec.encode"),
    ("  bodies prepared (shortcodes, images)", "bantin.markdown_render", "MarkdownRenderer.prepare"),
    ("  bodies finished (pictures, blocks)", "bantin.markdown_render", "MarkdownRenderer.finish"),
]


def install() -> list[str]:
    import importlib

    missing = []
    for label, module_name, path in STAGES + INNER:
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            missing.append(f"{module_name}.{path}")
            continue
        *parents, name = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent, None)
        if owner is None or not wrap(owner, name, label):
            missing.append(f"{module_name}.{path}")
    return missing


DAYS_LATER = 0  # --days: build as if that many days later (the first build of a new day)


def build(site: Path, out: Path, clean: bool, warm=None):
    import datetime as dt

    from bantin.assemble import Selection
    from bantin.pipeline import BuildOptions, run

    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=DAYS_LATER) if DAYS_LATER else None
    return run(BuildOptions(root=site, out=out, clean=clean, warm=warm, refresh_search=warm is None,
                            selection=Selection(now=now),
                            processes=int(__import__("os").environ.get("BANTIN_JOBS", "0")) or None))


def warm_model_after_edit(site: Path, out: Path, edited: Path, what: str = "body"):
    """A warm model filled by one build, and ``edited`` changed since (the preview after a save)."""
    from bantin.warm import WarmModel

    warm = WarmModel()
    build(site, out, False, warm)
    if hasattr(warm, "shown_in_full"):  # what the dev server works out once the browser has its page
        warm.shown_in_full()
    text = edited.read_text(encoding="utf-8")
    if what == "newtag":  # its first tag replaced by one no article has: its page comes
        text, count = re.subn(r'(?m)^tags: \[("[^"]*"), ', f'tags: ["Chủ đề thử {time.time():.0f}", ', text, count=1)
        if not count:
            raise SystemExit(f"{edited}: no 'tags: [\"…\", ' line to edit")
        edited.write_text(text, encoding="utf-8")
    elif what == "tags":  # its first tag dropped (kept by other articles of the corpus)
        text, count = re.subn(r'(?m)^tags: \[("[^"]*"), ', "tags: [", text, count=1)
        if not count:
            raise SystemExit(f"{edited}: no 'tags: [\"…\", ' line to edit")
        edited.write_text(text, encoding="utf-8")
    elif what == "date":  # three days earlier (its card moves down the lists a few places)
        found = re.search(r'(?m)^date: "?(\d{4}-\d{2}-\d{2})', text)
        if found is None:
            raise SystemExit(f"{edited}: no 'date:' line to edit")
        day = dt.date.fromisoformat(found.group(1)) - dt.timedelta(days=3)
        edited.write_text(text[: found.start(1)] + day.isoformat() + text[found.end(1):], encoding="utf-8")
    elif what == "new":  # a new article beside it, dated the evening of the corpus's newest day (the top of its lists),
        # naming no event (an event's pages would list it: the full rebuild)
        newest = max(found.name[:10] for found in edited.parent.glob("*.md"))
        edited = edited.with_name(f"{newest}-bai-moi-{time.time():.0f}.vi.md")
        text = re.sub(r"(?m)^date: .*$", f'date: "{newest}T23:00"', text, count=1)
        text = re.sub(r"(?m)^events: .*\n", "", text, count=1)
        edited.write_text(re.sub(r'(?m)^title: "', f'title: "Bài mới lúc {time.time():.0f}: ', text, count=1),
                          encoding="utf-8")
        print(f"new article: {edited} (delete it afterwards)")
    elif what == "delete":  # FILE deleted (moved into OUT's parent folder, to be put back by hand)
        aside = out.parent / f"deleted-{edited.name}"
        edited.rename(aside)
        print(f"deleted: {edited} (moved to {aside}; put it back afterwards)")
    elif what == "rename":  # FILE renamed (its title, so its address, the same): the old file goes, a new one comes
        renamed = edited.with_name(edited.name[:11] + "doi-ten-" + edited.name[11:])
        edited.rename(renamed)
        print(f"renamed: {edited} -> {renamed} (rename it back afterwards)")
        if hasattr(warm, "note_changes"):
            warm.note_changes(site, frozenset({str(edited), str(renamed)}))
        return warm
    elif what == "draft":  # FILE made a draft (its page goes, as if deleted; remove the line afterwards)
        edited.write_text(text.replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")
    elif what == "figure":  # FILE is a stats file: its first figure one more (the articles that show it change)
        text, count = re.subn(r"(?m)^(\s*value:\s*)(\d+)\s*$", lambda m: f"{m.group(1)}{int(m.group(2)) + 1}", text,
                              count=1)
        if not count:
            raise SystemExit(f"{edited}: no 'value: NUMBER' line to edit")
        edited.write_text(text, encoding="utf-8")
    elif what == "event":  # FILE is a calendar file: the event's Vietnamese title changed
        text, count = re.subn(r'(?m)^  vi: "', f'  vi: "Sửa lúc {time.time():.0f}: ', text, count=1)
        if not count:
            raise SystemExit(f"{edited}: no '  vi: \"' line to edit")
        edited.write_text(text, encoding="utf-8")
    elif what in ("title", "summary"):
        text, count = re.subn(f'(?m)^{what}: "', f'{what}: "Sửa lúc {time.time():.0f}: ', text, count=1)
        if not count:
            raise SystemExit(f"{edited}: no '{what}: \"' line to edit")
        edited.write_text(text, encoding="utf-8")
    else:
        edited.write_text(text + f"\nCâu thêm lúc {time.time():.0f}.\n", encoding="utf-8")
    if hasattr(warm, "note_changes"):  # what the dev server's watcher tells it
        warm.note_changes(site, frozenset({str(edited)}))
    return warm


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("site", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--clean", action="store_true")
    p.add_argument("--days", type=int, default=0, help="build as if that many days later (a new day's first build)")
    p.add_argument("--cprofile", type=Path, help="run under cProfile and save the stats here")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--warm-edit", type=Path, help="measure the preview's rebuild after appending to this article")
    p.add_argument("--edit", choices=("body", "title", "summary", "tags", "newtag", "date", "new", "delete", "rename",
                                       "draft", "figure", "event"),
                   default="body",
                   help="with --warm-edit: append a sentence (body), or change the title or the summary; figure, event: "
                        "a stats or calendar file changed (FILE is one); new: write a new article beside the file "
                        "instead; delete: the file deleted (moved beside OUT); rename: the file renamed; draft: the "
                        "article made a draft")
    p.add_argument("--preview-start", action="store_true", help="a new dev server's first build into OUT")
    p.add_argument("--engine", type=Path, help="bantin tree to profile (default: this repository)")
    args = p.parse_args()
    global DAYS_LATER
    DAYS_LATER = args.days
    site, out = args.site.resolve(), args.out.resolve()
    warm = warm_model_after_edit(site, out, site / args.warm_edit, args.edit) if args.warm_edit else None
    if args.preview_start:
        from bantin.warm import WarmModel

        warm = WarmModel()
    kind = "preview (first build)" if args.preview_start else "preview (warm)" if warm is not None \
        else "clean" if args.clean else "incremental"

    if args.cprofile:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        result = build(site, out, args.clean, warm)
        profiler.disable()
        wall = time.perf_counter() - started
        profiler.dump_stats(str(args.cprofile))
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(args.top)
        print(f"cProfile: {kind} build, {wall:.2f} s under the profiler, "
              f"ok={result.ok}")
        print(text.getvalue())
        return 0 if result.ok else 1

    missing = install()
    started = time.perf_counter()
    result = build(site, out, args.clean, warm)
    wall = time.perf_counter() - started
    if args.preview_start:
        warm.write_record()  # as the dev server does when it stops
    pages = sum(result.pages_per_language.values())
    print(f"{kind} build of {site}: {wall:.2f} s, {pages} pages, ok={result.ok}")
    print(f"{'stage':46} {'seconds':>8} {'share':>6} {'calls':>7}")
    accounted = 0.0
    for label in dict.fromkeys(label for label, _, _ in STAGES):
        if label in TOTALS:
            accounted += TOTALS[label]
            print(f"{label:46} {TOTALS[label]:8.2f} {TOTALS[label] / wall:6.0%} {CALLS[label]:7}")
    print(f"{'other (imports, sections setup, glue)':46} {wall - accounted:8.2f} {(wall - accounted) / wall:6.0%}")
    print("of which, across stages:")
    for label in dict.fromkeys(label for label, _, _ in INNER):
        if label in TOTALS:
            print(f"{label:46} {TOTALS[label]:8.2f} {TOTALS[label] / wall:6.0%} {CALLS[label]:7}")
    if missing:
        print(f"(not found in this engine, not timed: {', '.join(missing)})")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
