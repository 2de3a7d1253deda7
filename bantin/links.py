"""Every internal link and image of the rendered site must resolve to something the build writes.

Runs on the rendered pages before anything is written, so ``check`` and ``build``
both catch a broken link; the error names the source the page comes from and, for
an article, the line where the link is written.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Iterator
from urllib.parse import unquote, urljoin, urlsplit

from .config import SiteConfig
from .diagnostics import Diagnostics, Location
from .plan import Plan
from .urls import page_url

# (what makes it one problem: the template, or the source and the link; where; the message)
LinkProblem = tuple[tuple[str, str], Location, str]
LINK_ATTRIBUTES = (b'href="', b'src="')
SRCSET = b'srcset="'  # "a-480.jpg 480w, a-960.jpg 960w" (our image markup)
EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel", "webcal", "data", "javascript"}
PAGE_INDEPENDENT = (b"/", b"http:", b"https:", b"mailto:", b"tel:", b"webcal:", b"data:", b"javascript:")
# A name in a path made of these can only be written in a link as itself, or with a letter escaped
# ("%2D".."%7E"); the output's paths are slugs.
PLAIN_NAME = re.compile(r"[A-Za-z0-9._~-]+")
ESCAPED_ASCII = re.compile(rb"%[2-7][0-9A-Fa-f]")
MAX_NAMES_LOOKED_FOR = 64
READ_SIZE = 1 << 16  # (a page read in one call; below malloc's threshold for a mapping of its own)


def _target(url: str, page_url: str, config: SiteConfig) -> str | None:
    """The output path a link points at, or None when it leaves the site."""
    url = url.replace("&amp;", "&")
    if url.startswith(config.base_url):
        url = config.base_path + url[len(config.base_url):]
    parts = urlsplit(url)
    if parts.scheme in EXTERNAL_SCHEMES or parts.netloc or not parts.path:
        return None
    absolute = urljoin(config.base_path + page_url, parts.path)
    if not absolute.startswith(config.base_path):
        return "/" + absolute.lstrip("/")  # outside the site's folder: can never resolve
    return unquote(absolute[len(config.base_path):])


def _exists(target: str, written: set[str]) -> bool:
    if target == "" or target.endswith("/"):
        return target + "index.html" in written
    return target in written or (not PurePosixPath(target).suffix and f"{target}/index.html" in written)


class LinkChecker:
    """Checks pages one at a time as they are rendered, against every path the build writes.

    Problems are held until ``report``: a build with other errors (a template that failed, a
    bad article) reports those alone, since its links may be broken only because of them."""

    def __init__(self, plan: Plan, root: Path, config: SiteConfig, diagnostics: Diagnostics,
                 written: set[str] | None = None):
        """``written``: every path of the output, when ``plan`` has only the pages to render (quick.py)."""
        self.root = root
        self.config = config
        self.diagnostics = diagnostics
        self.written = written if written is not None else written_paths(plan)
        self.pages = {page.path: page for page in plan.pages}
        self.reported: set[tuple[str, str]] = set()
        self.problems: list[tuple[Location, str]] = []
        # Whether a link that does not depend on the page resolves (an absolute path or URL: the
        # menus, tags and cards every page repeats).
        self._resolves: dict[bytes, bool] = {}

    def for_another_process(self) -> "LinkChecker":
        """A checker that finds links as this one does, for a process sent pages to render
        (page_work.py): every path the build writes, not the pages (it is told of those it gets)."""
        other = copy.copy(self)
        other.diagnostics, other.pages, other.reported, other.problems, other._resolves = None, {}, set(), [], {}
        return other

    def check(self, path: str, data: bytes) -> None:
        self.note(self.find(path, data))

    def find(self, path: str, data: bytes) -> Iterator[LinkProblem]:
        """The broken links of one page (``note`` keeps the first of each); reads nothing but the
        page and the plan, so a worker process can look (page_work.py)."""
        if not path.endswith(".html"):
            return
        page = self.pages[path]
        # A link that does not depend on the page is resolved once for the build; one relative to
        # the page (an article's images) once for the page: kept for the build, those of 19,000
        # article pages were 20 MB.
        shared, own = self._resolves, {}
        for link in _links(data):
            resolves = shared if link.startswith(PAGE_INDEPENDENT) else own
            ok = resolves.get(link)
            if ok is None:
                target = _target(link.decode("utf-8"), page.url, self.config)
                ok = resolves[link] = target is None or _exists(target, self.written)
            if ok:
                continue
            url = link.decode("utf-8")
            target = _target(url, page.url, self.config)
            nothing = f"nothing is built at /{target.lstrip('/')}"
            location = _line_writing(self.root, page.origin, url)
            if location is None:
                # Not in the page's source, so a template writes it: report it once, not once per page.
                location, key = Location(f"templates/{page.template}"), ("templates", url)
                message = f"broken link '{url}' written by this template or one it includes: {nothing}"
            else:
                key = (page.origin, url)
                message = f"broken link '{url}' on {page.url or '/'}: {nothing}"
            yield key, location, message

    def check_again(self, pages: Iterable[str], gone: Iterable[str], read: Callable[[str], bytes]) -> None:
        """Check again pages rendered by an earlier build, and as they were then, now that the
        ``gone`` files are no longer written: only a link to one of those can have broken."""
        for path, data in may_link(pages, gone, read, lambda path: self.pages[path].url):
            self.check(path, data)

    def reaches(self, url: str, data: bytes, gone: set[str]) -> bool:
        """Whether a link of a page an earlier build rendered at ``url`` leads to one of the ``gone``
        files, for a build that has not planned that page (quick.py: such a page takes the full
        build, which says where the link is written). Only a link that shows every name of a gone
        path (in itself or in ``url``), or a letter escaped, is resolved."""
        names = _names_of(gone)
        looked_for = _written(names) if names is not None else None
        for link in _links(data):
            if looked_for is not None and b"%" not in link and not any(
                    all(name in url or written in link for name, written in path_names) for path_names in looked_for):
                continue
            target = _target(link.decode("utf-8"), url, self.config)
            if target is not None and _exists(target, gone):
                return True
        return False

    def note(self, problems) -> None:
        for key, location, message in problems:
            if key not in self.reported:
                self.reported.add(key)
                self.problems.append((location, message))

    def report(self) -> None:
        if not self.diagnostics.has_errors:
            for location, message in self.problems:
                self.diagnostics.error(location, message)


def linked_into(folders: tuple[str, ...], pages: Iterable[str], read: Callable[[str], bytes],
                config: SiteConfig) -> dict[str, frozenset[str]]:
    """page -> the files in ``folders`` (each ending in "/") that its links lead to, for each HTML page
    of ``pages`` (read by ``read``) with such a link: a file as ``_exists`` takes it (a folder's
    ``index.html``; a name without a suffix, also as a folder). Only pages that show every name of
    a folder (or a letter escaped) are parsed, as in ``may_link``."""
    found = {}
    for path, data in may_link(pages, [folder + "index.html" for folder in folders], read, page_url):
        url = page_url(path)
        targets = set()
        for link in _links(data):
            target = _target(link.decode("utf-8"), url, config)
            if target is None or not target.startswith(folders):
                continue
            if target.endswith("/"):
                targets.add(target + "index.html")
            else:
                targets.add(target)
                if not PurePosixPath(target).suffix:
                    targets.add(f"{target}/index.html")
        if targets:
            found[path] = frozenset(targets)
    return found


def written_paths(plan: Plan) -> set[str]:
    """Every path of the output, including those another tool writes (the search bundle)."""
    return ({p.path for p in plan.pages} | {c.path for c in plan.copies} | {d.path for d in plan.data_files}
            | {e.path for e in plan.expected})


def may_link(pages: Iterable[str], gone: Iterable[str], read: Callable[[str], bytes],
             url_of: Callable[[str], str]) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of each HTML page of ``pages`` (read by ``read``; ``url_of``: its address) that
    may link one of the ``gone`` files.

    Each name in the path a link resolves to is written in the link (as it is, or with a
    letter escaped) or is in the address of the page it is on (``../``), so a page that
    shows not every name of a gone path is not parsed: after a title edit of a large
    archive, reading its 22,600 kept pages costs 0.4 s, parsing their 580,000 links 1.0–1.4 s."""
    names = _names_of(gone)
    looked_for = _written(names) if names is not None else []
    for path in pages:
        if not path.endswith(".html"):
            continue
        data = read(path)
        if names is not None and not ESCAPED_ASCII.search(data):
            url = url_of(path)
            if not any(all(name in url or written in data for name, written in path_names) for path_names in looked_for):
                continue
        yield path, data


def _written(names: list[frozenset[str]]) -> list[list[tuple[str, bytes]]]:
    """Each path's names as text and bytes, the longest first (the rarest: a page that lacks it is
    passed over after one look)."""
    return [[(name, name.encode("ascii")) for name in sorted(path_names, key=len, reverse=True)] for path_names in names]


def _names_of(paths: Iterable[str]) -> list[frozenset[str]] | None:
    """The names in each path that a link to it shows (an ``index.html`` is left out, as a link
    to a folder does), or None when a link may write one otherwise, or when there are so many
    that looking for each in every page costs more than parsing the pages' links."""
    names = []
    for path in paths:
        parts = path.split("/")
        if parts[-1] == "index.html":
            parts.pop()
        if not all(PLAIN_NAME.fullmatch(part) for part in parts):
            return None
        names.append(frozenset(parts))
    return names if len(set().union(*names)) <= MAX_NAMES_LOOKED_FOR else None


def _links(page: bytes) -> dict[bytes, None]:
    """Each link and image address of a page once, in the order they first appear, as written
    (bytes: a page repeats its menus and cards' links, 30 a page, and decoding each one, in a
    generator, was a tenth of the rendering of a large archive)."""
    links = dict.fromkeys(value for attribute in LINK_ATTRIBUTES for value in _values(page, attribute))
    for srcset in _values(page, SRCSET):
        for candidate in srcset.split(b","):
            if candidate.strip():
                links[candidate.split()[0]] = None
    return links


def _values(page: bytes, attribute: bytes) -> Iterator[bytes]:
    """The values of ``attribute`` (written ``name="``, after white space) in a page: found with
    ``bytes.find``, twice as fast as a regular expression that tries each white space."""
    start = page.find(attribute)
    while start >= 0:
        value = start + len(attribute)
        end = page.find(b'"', value)
        if end < 0:
            return
        if page[start - 1 : start].isspace():
            yield page[value:end]
        start = page.find(attribute, end)


def _line_writing(root: Path, origin: str, url: str) -> Location | None:
    """The line of a Markdown source that writes ``url``."""
    path = root / origin
    if path.suffix != ".md" or not path.is_file():
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        column = line.find(f"]({url}")
        if column >= 0:
            return Location(origin, number, column + 3)
    return None


def file_reader(folder: Path):
    """A function that reads a file of ``folder`` (by a path from it: 22,000 of them, without Path objects)."""
    top = os.path.join(folder, "")

    def read(path: str) -> bytes:
        # (os.open and os.read, not a file object: a fifth less time over 22,000 small pages)
        descriptor = os.open(top + path, os.O_RDONLY)
        try:
            chunks = []
            while chunk := os.read(descriptor, READ_SIZE):
                chunks.append(chunk)
                if len(chunk) < READ_SIZE:  # (a regular file's end: no read more to learn it)
                    break
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        finally:
            os.close(descriptor)
    return read
