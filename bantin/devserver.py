"""``build.py serve``: build, serve the output folder on 127.0.0.1, rebuild and reload on save.

livereload watches the sources and tells the browser to reload; the files
themselves are served by ``OutputFolderApp``, a small WSGI app that livereload
mounts, because serving a preview safely needs checks livereload's static
handler does not make:

- only requests whose ``Host`` is a local name are answered (DNS rebinding);
- no path leaves the output folder, whether through ``..``, ``%2e%2e`` or a symlink;
- a missing page gets the localized 404 page with status 404.

A failed rebuild leaves the last good site in place and every HTML response then
carries an overlay listing the problems as ``PATH:LINE:COL``; the next good save
clears it.
"""

from __future__ import annotations

import gc
import html
import mimetypes
import os
import signal
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote

from .config import CONFIG_FILE, load_config
from .diagnostics import Diagnostics
from .pipeline import BuildOptions, BuildResult, run
from .warm import WarmModel

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
FEEDS = {"atom.xml": "application/atom+xml"}
WATCHED = ("content", "templates", CONFIG_FILE)


def host_name(host_header: str) -> str:
    """The name part of a Host header: 'localhost:8000' -> 'localhost', '[::1]:80' -> '::1'."""
    if host_header.startswith("["):
        return host_header[1:].split("]", 1)[0]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def content_type(path: Path) -> str:
    if path.name in FEEDS:
        return FEEDS[path.name]
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


@dataclass
class PreviewState:
    """What the server shows: the output folder and the problems of the last rebuild."""

    out: Path
    language_prefixes: tuple[str, ...]  # "en/" etc.; the default language has none
    problems: list[str] = field(default_factory=list)

    def overlay(self) -> bytes:
        lines = "\n".join(html.escape(line) for line in self.problems)
        return (
            '<div id="bantin-error-overlay" role="alert" style="position:fixed;inset:auto 0 0 0;z-index:99999;'
            "max-height:60vh;overflow:auto;margin:0;padding:1rem;background:#fff0f0;color:#7a0000;"
            'border-top:4px solid #c00;font:14px/1.4 ui-monospace,monospace">'
            "<strong>bantin: the last save has errors; showing the last good build.</strong>"
            f"<pre style=\"white-space:pre-wrap;margin:.5rem 0 0\">{lines}</pre></div>"
        ).encode("utf-8")


class OutputFolderApp:
    """WSGI app serving only the files of the output folder."""

    def __init__(self, state: PreviewState, allowed_hosts: Iterable[str]):
        self.state = state
        self.allowed_hosts = set(allowed_hosts) | LOCAL_HOSTS

    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        if host_name(environ.get("HTTP_HOST", "")) not in self.allowed_hosts:
            return self._plain(start_response, "403 Forbidden", "bantin serves local requests only\n")
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return self._plain(start_response, "405 Method Not Allowed", "read only\n")
        path = unquote(environ.get("PATH_INFO", "/"))
        out = self.state.out.resolve()
        target = (out / path.lstrip("/")).resolve()
        if not target.is_relative_to(out):
            return self._not_found(start_response, path)
        if target.is_dir():
            if not path.endswith("/"):
                start_response("301 Moved Permanently", [("Location", path + "/"), ("Content-Length", "0")])
                return [b""]
            target = target / "index.html"
        if not target.is_file():
            return self._not_found(start_response, path)
        return self._file(start_response, "200 OK", target)

    def _not_found(self, start_response, path: str) -> list[bytes]:
        relative = path.lstrip("/")
        prefix = next((p for p in self.state.language_prefixes if relative.startswith(p)), "")
        page = self.state.out / prefix / "404.html"
        if page.is_file():
            return self._file(start_response, "404 Not Found", page)
        return self._plain(start_response, "404 Not Found", "not found\n")

    def _file(self, start_response, status: str, path: Path) -> list[bytes]:
        body = path.read_bytes()
        kind = content_type(path)
        if kind.startswith("text/html") and self.state.problems:
            body = body.replace(b"</body>", self.state.overlay() + b"</body>", 1)
        start_response(status, [
            ("Content-Type", kind),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ])
        return [body]

    @staticmethod
    def _plain(start_response, status: str, text: str) -> list[bytes]:
        body = text.encode("utf-8")
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]


class Rebuilder:
    """Runs the build on each save and records its problems for the overlay."""

    def __init__(self, options: BuildOptions, state: PreviewState, report: Callable[[BuildResult], None],
                 changes: Callable[[], frozenset[str] | None] = lambda: None):
        """``changes``: the files changed since the last call, None when not known (warm.py)."""
        self.options = options
        self.state = state
        self.report = report
        self.changes = changes

    def __call__(self) -> BuildResult:
        started = time.perf_counter()
        if self.options.warm is not None:
            self.options.warm.note_changes(self.options.root, self.changes())
        result = run(self.options)
        self.report(result)
        self.state.problems = [d.format() for d in result.diagnostics.sorted()] if not result.ok else []
        verdict = "rebuilt" if result.ok else "rebuild failed; serving the last good build"
        print(f"{verdict} in {time.perf_counter() - started:.2f} s", file=sys.stderr, flush=True)
        from tornado import ioloop  # livereload's loop: the browser is told once this call returns

        ioloop.IOLoop.current().call_later(TIDY_AFTER, self.tidy)
        return result

    def tidy(self) -> None:
        """Once the browser has its page: what the next save may need worked out ahead of it (which
        pages show which articles in full: 0.15 s at 10,000 pairs), and the memory tidied."""
        if self.options.warm is not None and self.options.warm.last_build is not None:
            self.options.warm.shown_in_full()
        tidy_memory()


def tidy_memory() -> None:
    """The dev server's cyclic garbage collection, at a moment of its choosing (``serve`` turns the
    automatic one off). What a build leaves (the model, its pages, the Jinja environment: millions
    of objects on a large archive) lives on, and the automatic collector walked all of it now and
    then: 0.4 s, at any moment, a save's included. So after each build, once the browser has been
    told, the build's garbage is collected and what is left is frozen (never walked again; objects
    let go later are still freed by their reference counts, and nothing the model keeps is in a
    reference cycle). The first build's collection walks everything once: about a second."""
    gc.collect()
    gc.freeze()


WATCH_INTERVALS = (0.1, 0.8)  # polling only: seconds between looks for saved files, shortest, longest
WATCH_SHARE = 0.1  # polling only: at most this share of a core spent looking
TIDY_AFTER = 1.0  # seconds from a rebuild to tidy_memory: after the browser has asked for the page
SETTLE = 0.02  # seconds from the first event of a save to the rebuild: one save is several events, within a few ms
# Seconds watchdog holds a file's move out of a folder (inotify) for the move's other half, which
# comes with it when a file is renamed within the watched folders (watchdog's own: 0.5).
MOVE_PAIRING = 0.05
# Scratch files editors write beside the one being saved (Vim's swap and 4913 test files, Emacs'
# lock links and backups, JetBrains' safe-write copies): none is content, none should rebuild.
SCRATCH_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", "___jb_tmp___", "___jb_old___")
SCRATCH_PREFIXES = (".#",)
SCRATCH_NAMES = ("4913",)


def is_scratch(path: str) -> bool:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name in SCRATCH_NAMES or name.endswith(SCRATCH_SUFFIXES) or name.startswith(SCRATCH_PREFIXES)


def _watcher():
    """livereload's watcher, told of each save by the operating system (inotify, FSEvents or
    ReadDirectoryChangesW, through watchdog): the rebuild starts SETTLE after the save, and an
    idle preview costs nothing. livereload's own watcher lists every file each 0.8 s: 0.13 s a
    look on 20,000 articles, and 0.4 s on average between a save and its rebuild. If the system
    refuses (no inotify watches left), the watcher polls, as often as a tenth of a core allows."""
    import threading

    from livereload.watcher import Watcher
    from tornado import ioloop
    from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent,
                                 FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent,
                                 FileSystemEvent, FileSystemEventHandler)
    from watchdog.observers import Observer

    try:
        from watchdog.observers.inotify_move_event_grouper import InotifyMoveEventGrouper
    except ImportError:  # (not Linux, or another watchdog)
        InotifyMoveEventGrouper = None
    if InotifyMoveEventGrouper is not None and hasattr(InotifyMoveEventGrouper, "delay"):
        # A file moved out of the site's folders (a desktop's trash) is told as a move whose other half
        # never comes: watchdog waited half a second for it before telling the move, and the rebuild with
        # it. The rebuild needs only the paths, paired or not (a rename not paired in time is told as a
        # deletion and a new file, the same two paths), so it waits a twentieth.
        InotifyMoveEventGrouper.delay = MOVE_PAIRING

    # Changes only: the build opening and reading the sources must not look like a save.
    changes = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
               DirCreatedEvent, DirDeletedEvent, DirMovedEvent]

    class EventWatcher(Watcher):
        def __init__(self):
            super().__init__()
            self._lock = threading.Lock()
            self._changed: dict[str, str] = {}  # watched path -> a file changed under it, since the last look
            self._polling = False
            self.observer = None  # watchdog's, once started
            self._refused: OSError | None = None  # why the system would not watch (then: polling)
            self._callback = None  # what a change wakes (``start``)
            self._loop = None
            # Every file changed since the last rebuild took them (``changes``); None when that is not
            # known: a folder made, moved or deleted (its files come without events of their own), or
            # at the first look (the first build's, which reads every file; watching began before it).
            self._paths: set[str] | None = None

        def begin(self) -> None:
            """Start watching the paths given so far, before the first build: a file saved while it
            runs is then told to the next rebuild, and the first save after it is told too, not
            taken for "not known" (a full look at every file). Rebuilds are asked for once ``start``
            gives the callback. If the system refuses, ``start`` polls instead."""
            self._loop = ioloop.IOLoop.current()
            observer = Observer()
            try:
                for watched in self._tasks:
                    if not os.path.exists(watched):
                        continue  # a site without that folder (a settings file is watched through its folder)
                    handler = _Handler(self, watched, self._wake)
                    if os.path.isdir(watched):
                        observer.schedule(handler, watched, recursive=True, event_filter=changes)
                    else:  # a file: its folder, for the editors that save by renaming a new file over it
                        observer.schedule(handler, os.path.dirname(watched) or ".", event_filter=changes)
                observer.daemon = True
                observer.start()
                self.observer = observer
            except OSError as exc:
                self._refused = exc

        def _wake(self) -> None:
            """A change to rebuild for (on the observer's thread): the rebuild, SETTLE later."""
            callback, loop = self._callback, self._loop
            if callback is not None:
                loop.add_callback(loop.call_later, SETTLE, callback)

        def start(self, callback) -> bool:
            self._callback = callback
            if self.observer is None and self._refused is None:
                self.begin()
            if self.observer is not None:
                with self._lock:
                    waiting = bool(self._changed)
                if waiting:  # saved since ``begin``, before there was anyone to tell
                    self._wake()
                return True
            print(f"watching by polling ({self._refused})", file=sys.stderr, flush=True)
            self._polling = True
            started = time.perf_counter()
            super().examine()  # records the files' times; nothing has changed yet
            cost = time.perf_counter() - started
            interval = min(max(cost / WATCH_SHARE, WATCH_INTERVALS[0]), WATCH_INTERVALS[1])
            ioloop.PeriodicCallback(callback, interval * 1000).start()
            return True  # polling is ours: livereload does not start its own

        def saw(self, watched: str, paths: list[str], folder: bool = False) -> bool:
            """Note a change (called on the observer's thread); True for the first since the last look."""
            with self._lock:
                first = not self._changed
                self._changed.setdefault(watched, paths[0])
                if folder:
                    self._paths = None
                elif self._paths is not None:
                    self._paths.update(paths)
                return first

        def changes(self) -> frozenset[str] | None:
            """The files changed since the last call (the rebuild about to start takes them)."""
            if self._polling:
                return None
            with self._lock:
                paths, self._paths = self._paths, set()
            return frozenset(paths) if paths is not None else None

        def examine(self):
            """Run the task of each watched path with a change: (a changed file, no delay), or (None, None)."""
            if self._polling:
                return super().examine()
            with self._lock:
                changed, self._changed = self._changed, {}
            for watched in changed:
                self._tasks[watched]["func"]()
            return (next(iter(changed.values())), None) if changed else (None, None)

    class _Handler(FileSystemEventHandler):
        def __init__(self, watcher: EventWatcher, watched: str, wake: Callable[[], None]):
            self.watcher, self.watched, self.wake = watcher, watched, wake

        def on_any_event(self, event: FileSystemEvent) -> None:
            paths = []
            for path in (event.src_path, getattr(event, "dest_path", "")):
                if isinstance(path, bytes):
                    path = os.fsdecode(path)
                if path and self._concerns(path) and not is_scratch(path):
                    paths.append(path)
            if paths and self.watcher.saw(self.watched, paths, folder=event.is_directory):
                self.wake()

        def _concerns(self, path: str) -> bool:
            return path == self.watched or path.startswith(self.watched.rstrip(os.sep) + os.sep)

    return EventWatcher()


def serve(options: BuildOptions, host: str, port: int, report: Callable[[BuildResult], None]) -> int:
    import livereload  # imported here: only the dev server needs tornado
    from livereload.handlers import LiveReloadHandler

    # livereload drops a reload that comes within 3 s of the previous one. Every save
    # here is a full rebuild, so a quick second save must reload too, or the browser
    # would keep showing the first one.
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0

    options = replace(options, base_url=f"http://{'[' + host + ']' if ':' in host else host}:{port}/")
    config = load_config(options.root, Diagnostics(), options.base_url)
    prefixes = tuple(lang.prefix for lang in config.languages if lang.prefix) if config else ()
    state = PreviewState(out=options.out, language_prefixes=prefixes)
    # One process serves every save: it keeps what did not change in memory (warm.py).
    warm = WarmModel()
    options = replace(options, warm=warm)
    gc.disable()  # see tidy_memory
    watcher = _watcher()
    # Rebuilding the search index takes Pagefind about 3 ms per article (a minute for 20,000): a
    # save would wait for it. The preview keeps the index of its first build; `build` refreshes it.
    rebuild = Rebuilder(replace(options, refresh_search=False), state, report, watcher.changes)
    server = livereload.Server(app=OutputFolderApp(state, {host}), watcher=watcher)
    for name in WATCHED:
        server.watch(str(options.root / name), rebuild)
    watcher.begin()  # before the first build looks at the files: every save from now on is told
    first = Rebuilder(options, state, report, watcher.changes)  # (its first answer: not known, look at all)
    first()
    first.tidy()  # now, before anyone waits for a page (the one it schedules finds nothing left)
    print("search in the preview uses the index of its first build; restart serve to refresh it",
          file=sys.stderr, flush=True)
    print(f"serving {options.out} at http://{host}:{port}/ (Ctrl+C to stop)", file=sys.stderr, flush=True)
    # Stopped by Ctrl+C or by a service manager's SIGTERM alike: the model writes the output's
    # record (warm.py), so the next dev server starts from the pages that are there.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        server.serve(host=host, port=port, debug=False, restart_delay=0)  # returns on KeyboardInterrupt
    finally:
        warm.write_record()
    return 0
