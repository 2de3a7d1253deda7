"""Rendering, checking and staging the pages a build has to render, on every core.

Each page goes through the same steps: Jinja renders it, the link checker reads its links,
sections note what they need of it (the search index's digest of its text), and its bytes go
into the staging folder. The steps read only the page and the planned site, so when a build
renders many pages (a clean build, a template edit) they run in forked worker processes, each
writing its own pages' files. The parent gets back a small ``PageDone`` per page, never the
page itself, and takes them in page order: the files, the messages and their order are those
of a serial build (checked by tests/test_page_work.py).
"""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Sequence

from .diagnostics import BuildAborted, Location
from .links import LinkChecker, LinkProblem
from .model import Site
from .plan import PageOutput, Plan
from .render import Renderer
from .writer import OutputFolder

# Pages to render below which the work stays in this process: forking a large build's process
# costs a few tens of milliseconds, a page about half a millisecond.
PARALLEL_THRESHOLD = 400
CHUNK = 32  # pages a worker takes at a time: both cores busy to the end, little messaging


@dataclass(frozen=True)
class PageDone:
    """What the parent needs to know of a page a worker rendered (it knows which page it asked for)."""

    staged: bool = False  # its bytes went into the staging folder (else the output already has them)
    links: tuple[LinkProblem, ...] = ()
    notes: tuple[Any, ...] = ()  # what each section's ``page_note`` made of it, in section order
    error: tuple[Location, str] | None = None  # a template mistake: the page is not written
    aborted: tuple[Location, str] | None = None  # BuildAborted while rendering: the build stops


@dataclass
class PageWork:
    renderer: Renderer
    site: Site
    plan: Plan
    links: LinkChecker
    output: OutputFolder | None
    note_takers: Sequence[Callable[[str, bytes], Any]] = ()  # sections' page_note

    def do(self, page: PageOutput) -> PageDone:
        try:
            text = self.renderer.render_page(page, self.site, self.plan)
        except BuildAborted as exc:
            return PageDone(aborted=(exc.location, str(exc)))
        except Exception as exc:  # noqa: BLE001 - a template calling a helper wrongly (TypeError…)
            return PageDone(error=self.renderer.describe_error(exc))
        data = text.encode("utf-8")
        return PageDone(
            staged=self.output.write(page.path, data) if self.output is not None else False,
            links=tuple(self.links.find(page.path, data)),
            notes=tuple(take(page.path, data) for take in self.note_takers),
        )


def do_pages(work: PageWork, pages: Sequence[PageOutput], processes: int | None = None) -> Iterator[PageDone]:
    """``work.do`` of each page, in order; on every core when there are many (``processes``: at
    most that many worker processes; None: one per core, 1: none)."""
    workers = processes or os.cpu_count() or 1
    if len(pages) < PARALLEL_THRESHOLD or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(work.do, pages)
        return
    global _SHARED
    _SHARED = (work, pages)  # what the forked workers start with; nothing of it is sent to them
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunks = (range(start, min(start + CHUNK, len(pages))) for start in range(0, len(pages), CHUNK))
            for done in pool.imap(_do_chunk, chunks):
                yield from done
    finally:
        _SHARED = None


_SHARED: tuple[PageWork, Sequence[PageOutput]] | None = None


def _do_chunk(indices: range) -> list[PageDone]:
    work, pages = _SHARED
    return [work.do(pages[index]) for index in indices]
