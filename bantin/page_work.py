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

import ctypes
import multiprocessing
import os
import pickle
import sys
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
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
    most that many processes render, this one and forked workers; None: one per core, 1: this
    process alone)."""
    processes = processes or os.cpu_count() or 1
    if len(pages) < PARALLEL_THRESHOLD or processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(work.do, pages)
        return
    yield from _shared_with_workers(work, pages, processes - 1)


def _shared_with_workers(work: PageWork, pages: Sequence[PageOutput], workers: int) -> Iterator[PageDone]:
    """This process renders chunks of pages too, taking the next one from the same counter as
    its workers: a worker copies most of the site model as it reads it (CPython writes the
    reference count of every object it touches), 300 MB at 10,000 article pairs, so one worker
    fewer for the same cores is that much less memory. Done chunks wait here until their turn."""
    global _SHARED
    context = multiprocessing.get_context("fork")
    chunks = [range(start, min(start + CHUNK, len(pages))) for start in range(0, len(pages), CHUNK)]
    counter = context.Value("q", 0)
    _SHARED = (work, pages, chunks, counter)  # what the forked workers start with; nothing of it is sent
    started: list[tuple[multiprocessing.Process, Connection]] = []
    _give_back_freed_memory()
    try:
        for _ in range(workers):
            receiving, sending = context.Pipe(duplex=False)
            worker = context.Process(target=_work, args=(sending,), daemon=True)
            worker.start()
            sending.close()
            started.append((worker, receiving))
        listening = [receiving for _, receiving in started]
        done: dict[int, list[PageDone]] = {}
        for turn in range(len(chunks)):
            while turn not in done:
                ready = wait(listening, timeout=0)
                if not ready:
                    index = _take(counter)
                    if index < len(chunks):
                        done[index] = [work.do(pages[i]) for i in chunks[index]]
                        continue
                    if not listening:
                        raise RuntimeError("a page worker stopped before it sent the pages it rendered")
                    ready = wait(listening)
                for receiving in ready:
                    try:
                        index, result = receiving.recv()
                    except EOFError:  # this worker has sent all it rendered
                        listening.remove(receiving)
                        continue
                    if isinstance(result, BaseException):
                        raise result
                    done[index] = result
            yield from done.pop(turn)
    finally:
        _SHARED = None
        for worker, receiving in started:
            if worker.is_alive():
                worker.terminate()  # the build stopped early (a mistake raised while pages were taken)
            worker.join()
            receiving.close()


_SHARED: tuple[PageWork, Sequence[PageOutput], list[range], Any] | None = None


def _give_back_freed_memory() -> None:
    """Return to the system the memory this process has freed (the bodies let go once stored):
    glibc keeps freed blocks for reuse, and a forked worker would share them, counted in its
    memory, until either process writes there."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _take(counter) -> int:
    with counter.get_lock():
        index = counter.value
        counter.value = index + 1
    return index


def _work(sending: Connection) -> None:
    """A worker: chunks of pages from the shared counter until none is left, each sent as done."""
    work, pages, chunks, counter = _SHARED
    try:
        while (index := _take(counter)) < len(chunks):
            sending.send((index, [work.do(pages[i]) for i in chunks[index]]))
    except BaseException as exc:  # noqa: BLE001 - the parent raises it (a disk full while staging…)
        sending.send((-1, _sendable(exc)))
    finally:
        sending.close()


def _sendable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - an exception that does not pickle: its text
        return RuntimeError("".join(traceback.format_exception(exc)))


class Meanwhile:
    """A task run in a forked process while this one goes on (without fork, when its answer is asked
    for); its answer comes back pickled."""

    def __init__(self, task: Callable[[], object]):
        self.task = task
        self.process = None
        if "fork" in multiprocessing.get_all_start_methods():
            for stream in (sys.stdout, sys.stderr):  # (else the child flushes a copy of what they hold)
                if stream is not None:
                    stream.flush()
            context = multiprocessing.get_context("fork")
            self.receiving, sending = context.Pipe(duplex=False)
            self.process = context.Process(target=self._run, args=(sending,), daemon=True)
            self.process.start()
            sending.close()

    def _run(self, sending) -> None:
        try:
            sending.send(self.task())
        except BaseException:  # noqa: BLE001 - None: the parent takes the full build
            sending.send(None)

    def answer(self) -> object | None:
        """The task's answer; None when it failed."""
        if self.process is None:
            return self.task()
        try:
            return self.receiving.recv()
        except EOFError:  # it died
            return None

    def stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()  # (its answer is no longer needed)
            self.process.join()
            self.receiving.close()
