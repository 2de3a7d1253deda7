"""Rendering, checking and staging the pages a build has to render, on every core.

Each page goes through the same steps: Jinja renders it, the link checker reads its links,
sections note what they need of it (the search index's digest of its text), and its bytes go
into the staging folder. The steps read only the page and the planned site, so when a build
renders many pages (a clean build, a template edit) they run in worker processes too, each
writing its own pages' files: forked from the build (the preview), or, for a build whose
memory counts (the command line), forked from a small process and sent the articles' pages.
The parent gets back a small ``PageDone`` per page, never the page itself, and takes them in
page order: the files, the messages and their order are those of a serial build (checked by
tests/test_page_work.py).
"""

from __future__ import annotations

import copyreg
import io
import multiprocessing
import os
import pickle
import queue
import sys
import threading
import traceback
from collections import deque
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from types import MappingProxyType
from typing import Any, Callable, Iterator, Sequence

from .diagnostics import BuildAborted, Location
from .heap import give_back_freed_memory
from .links import LinkChecker, LinkProblem
from .model import Site
from .plan import ARTICLE_TEMPLATE, PageOutput, Plan
from .render import Renderer
from .writer import OutputFolder

# Pages to render below which the work stays in this process: forking a large build's process
# costs a few tens of milliseconds, a page about half a millisecond.
PARALLEL_THRESHOLD = 400
CHUNK = 32  # pages a worker takes at a time: both cores busy to the end, little messaging
# Chunks a worker not forked from the build has been sent and not given back: enough to keep it
# busy while the build renders a chunk of lists or takes the fingerprints of pages that came back.
SENT_AHEAD = 6
# Chunks after which a process rendering pages gives back what it freed (10 ms a time): the pages'
# texts and the pickles of those sent, which glibc keeps otherwise.
TRIM_EVERY = 50


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


def do_pages(work: PageWork, pages: Sequence[PageOutput], processes: int | None = None,
             send: bool = False) -> Iterator[PageDone]:
    """``work.do`` of each page, in order; on every core when there are many (``processes``: at
    most that many processes render, this one and workers; None: one per core, 1: this process
    alone). ``send``: the workers are not forked from this process but sent the articles' pages
    (``_sent_to_workers``), when the article template reads neither ``site`` nor ``plan``: for a
    process that ends with its build (the command line), whose memory peaks while pages render."""
    processes = processes or os.cpu_count() or 1
    if len(pages) < PARALLEL_THRESHOLD or processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(work.do, pages)
        return
    setup = _setup_for_workers(work, pages) if send and "forkserver" in multiprocessing.get_all_start_methods() \
        else None
    if setup is not None:
        yield from _sent_to_workers(work, pages, processes - 1, setup)
    else:
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
    give_back_freed_memory()  # (the bodies let go once stored)
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


def start_workers_early() -> None:
    """Start the small process that ``_sent_to_workers``'s workers are forked from, with this
    package imported, while the build reads the site (a new interpreter takes half a second)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        _forkserver()
        forkserver.ensure_running()  # (else it starts with the first worker)


def _forkserver():
    multiprocessing.set_forkserver_preload([__name__])  # (what its workers import, imported once)
    return multiprocessing.get_context("forkserver")


def _setup_for_workers(work: PageWork, pages: Sequence[PageOutput]) -> bytes | None:
    """What a worker needs to render the articles' pages as this process would, pickled; None when
    they cannot be sent (their template reads the whole site or plan, which is most of this
    process's memory) or there are few."""
    if sum(page.template == ARTICLE_TEMPLATE for page in pages) < PARALLEL_THRESHOLD:
        return None
    renderer = work.renderer
    try:
        reads = renderer.graph.closure(ARTICLE_TEMPLATE)[1]
        if reads & {"site", "plan"}:
            return None
        # The sections those pages read, not all: the calendar's holds the site.
        sections = {name: section for name, section in renderer.sections.items() if name in reads}
        return _dumps(((renderer.root, renderer.config, renderer.ui, sections), work.links.for_another_process(),
                       work.output, tuple(work.note_takers)))
    except Exception:  # noqa: BLE001 - a template that does not load, a section that does not pickle
        return None


def _sent_to_workers(work: PageWork, pages: Sequence[PageOutput], workers: int, setup: bytes) -> Iterator[PageDone]:
    """Workers forked from a small process started for them (``start_workers_early``) render the
    articles' pages, sent to them a chunk at a time, and this process renders the other pages
    (the lists, whose cards it renders once for all of them: render.py) and the articles' pages
    the workers have not taken by then. A worker forked from this process instead copies the
    parts of its memory it reads as it renders (CPython writes the reference count of every
    object it touches): at 10,000 article pairs the build's peak went from 590 to 450 MB, and
    pickling the pages sent cost this process 0.7 s."""
    context = _forkserver()
    chunks: list[range] = []
    sendable: deque[int] = deque()  # chunks of articles' pages not yet taken, in order
    kept: deque[int] = deque()  # the other chunks
    start = 0
    while start < len(pages):
        article = pages[start].template == ARTICLE_TEMPLATE
        end = start + 1
        while end < len(pages) and end - start < CHUNK and (pages[end].template == ARTICLE_TEMPLATE) == article:
            end += 1
        (sendable if article else kept).append(len(chunks))
        chunks.append(range(start, end))
        start = end
    last_kept = kept[-1] if kept else None
    started: list[_SentTo] = []
    try:
        for _ in range(workers):
            started.append(_SentTo(context, setup))
        done: dict[int, list[PageDone]] = {}
        for turn in range(len(chunks)):
            while True:
                for worker in started:  # each worker kept busy while this process does a chunk
                    while len(worker.taken) < SENT_AHEAD and sendable:
                        index = sendable.popleft()
                        try:
                            data = _dumps((index, [pages[i] for i in chunks[index]]))
                        except Exception:  # noqa: BLE001 - a page that does not pickle: rendered here
                            kept.appendleft(index)
                            continue
                        worker.send(index, data)
                if turn in done:
                    break
                busy = {worker.receiving: worker for worker in started if worker.taken}
                ready = wait(list(busy), timeout=0)
                if not ready:
                    index = kept.popleft() if kept else sendable.pop() if sendable else None
                    if index is not None:
                        done[index] = [work.do(pages[i]) for i in chunks[index]]
                        if index == last_kept:  # the lists are rendered: their cards are not needed
                            work.renderer.forget_cards()
                            give_back_freed_memory()
                        continue
                    ready = wait(list(busy))
                for receiving in ready:
                    try:
                        index, result = pickle.loads(receiving.recv_bytes())
                    except EOFError:
                        raise RuntimeError("a page worker stopped before it sent the pages it rendered") from None
                    if isinstance(result, BaseException):
                        raise result
                    worker = busy[receiving]
                    worker.taken.remove(index)
                    done[index] = result
                    if not sendable and not worker.taken:  # its work is done: its memory is given back
                        worker.stop()  # now, while this process makes the pages' fingerprints
                        started.remove(worker)
            yield from done.pop(turn)
            if turn % TRIM_EVERY == TRIM_EVERY - 1:
                give_back_freed_memory()  # (pages rendered and pickles sent: freed, kept by glibc)
    finally:
        for worker in started:
            worker.stop()


class _SentTo:
    """A worker of ``_sent_to_workers``: pages go to it through a thread of this process, so that
    this process never waits for the worker to read them (nor the worker, while it sends pages
    back, for this process to read those)."""

    def __init__(self, context, setup: bytes):
        self.taken: list[int] = []  # the chunks sent and not yet back
        theirs, self.sending = context.Pipe(duplex=False)
        self.receiving, back = context.Pipe(duplex=False)
        self.process = context.Process(target=_render_sent, args=(theirs, back), daemon=True)
        self.process.start()
        theirs.close()
        back.close()
        self.outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        # The setup goes first through the pipe: given as the process's argument, the worker's
        # process object held its pickle to the end (5 MB at 10,000 pairs).
        self.outbox.put(setup)
        self.thread = threading.Thread(target=self._feed, daemon=True)
        self.thread.start()

    def send(self, index: int, data: bytes) -> None:
        self.taken.append(index)
        self.outbox.put(data)

    def _feed(self) -> None:
        try:
            while (data := self.outbox.get()) is not None:
                self.sending.send_bytes(data)
        except OSError:  # the worker stopped: the build learns it from the pages not coming back
            pass
        finally:
            self.sending.close()  # (the worker reads no more: it stops)

    def stop(self) -> None:
        self.outbox.put(None)
        self.thread.join()
        self.process.join(timeout=5 if not self.taken else 0)
        if self.process.is_alive():
            self.process.terminate()  # the build stopped early
            self.process.join()
        self.receiving.close()


def _render_sent(receiving: Connection, sending: Connection) -> None:
    """A worker of ``_sent_to_workers``: its setup (``_setup_for_workers``), then the chunks it is
    sent until there are no more."""
    try:
        renderer_args, links, output, note_takers = pickle.loads(receiving.recv_bytes())
        work = PageWork(Renderer(*renderer_args), None, None, links, output, note_takers)
        done = 0
        while True:
            try:
                index, chunk = pickle.loads(receiving.recv_bytes())
            except EOFError:
                return
            links.pages = {page.path: page for page in chunk}
            sending.send_bytes(_dumps((index, [work.do(page) for page in chunk])))
            done += 1
            if done % TRIM_EVERY == 0:
                give_back_freed_memory()
    except BaseException as exc:  # noqa: BLE001 - the parent raises it (a disk full while staging…)
        sending.send_bytes(pickle.dumps((-1, _sendable(exc))))
    finally:
        sending.close()


class _Pickler(pickle.Pickler):
    """Pages' data holds read-only mappings (``types.MappingProxyType``), which pickle does not
    know: each is sent as a dict and made read-only again."""

    dispatch_table = {**copyreg.dispatch_table, MappingProxyType: lambda proxy: (_read_only, (dict(proxy),))}


def _read_only(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _dumps(value: object) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


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
