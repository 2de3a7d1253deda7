"""Article bodies: Markdown to sanitized HTML, with figures, images and shortcodes.

Python-Markdown does not track source lines, so everything an editor can get wrong
in a body (images, shortcodes, raw ``<img>``) is found by scanning the source lines
first; that gives ``PATH:LINE:COL`` errors. The Markdown tree is then rewritten
(title-bearing images alone in a paragraph become figures), sanitized, and only
then get what comes from us rather than the editor: each image's responsive
markup (``images.py``: ``<picture>``, ``srcset``, sizes) and the shortcode blocks.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import xml.etree.ElementTree as etree
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator
from urllib.parse import unquote, urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .cache import BuildCache, digest
from .diagnostics import Diagnostics, Location
from .images import ImageAsset, ImageProcessor, published_slug, responsive_images
from .sanitize import sanitize_html
from .shortcodes import SHORTCODE_LINE, SHORTCODE_START, ShortcodeRegistry
from .slugs import heading_id

MEDIA_DIR = "content/media"
IMAGE = re.compile(r'!\[([^\]]*)\]\(\s*<?([^\s)>]*)>?(?:\s+"([^"]*)")?\s*\)')
RAW_IMG = re.compile(r"<img\b", re.IGNORECASE)
INLINE_CODE = re.compile(r"`+[^`]*`+")
IMAGE_SUFFIXES = {".avif", ".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp"}
ACTIVE_SVG = re.compile(rb"<script|\son[a-z]+\s*=|javascript:|<foreignObject", re.IGNORECASE)
FENCE = re.compile(r"^\s*(```|~~~)")
# Every line the checks below can act on has one of these: a fence (` ~), a shortcode ({),
# a tag (<) or an image (!). Most lines of an article have none and are passed over at once.
MAY_NEED_A_LOOK = re.compile(r"[`~{<!]")
PLACEHOLDER = "bantinshortcode{}x"
PLACEHOLDER_PARAGRAPH = re.compile(r"<p>bantinshortcode(\d+)x</p>")
PLACEHOLDER_TEXT = re.compile(r"bantinshortcode\d+x")


@dataclass(frozen=True)
class RenderedBody:
    html: str
    images: tuple[ImageAsset, ...]
    shortcodes: tuple[tuple[str, str], ...]  # (name, id) in order of appearance


@dataclass
class BodySource:
    """One article body and what is needed to resolve what it refers to."""

    text: str
    rel: str  # the article file, relative to the site root
    first_line: int  # file line number of the body's first line
    article_dir: Path
    root: Path
    dateline: str | None = None


def resolve_image(src: str, article_dir: Path, root: Path) -> tuple[Path | None, str | None]:
    """Find an image relative to the article, then under content/media/; never outside content/."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("//"):
        return None, f"image '{src}' is not a local file: put it under content/ and link it by path"
    relative = unquote(parts.path)
    if not relative or relative.startswith("/"):
        return None, f"image '{src}' must be a path relative to the article or to {MEDIA_DIR}/"
    content = (root / "content").resolve()
    candidates = [(base / relative).resolve() for base in (article_dir, root / MEDIA_DIR)]
    if any(not candidate.is_relative_to(content) for candidate in candidates):
        return None, f"image '{src}' is outside content/"
    if PurePosixPath(relative).suffix.lower() not in IMAGE_SUFFIXES:
        allowed = ", ".join(sorted(IMAGE_SUFFIXES))
        return None, f"'{src}' is not an image file (use one of {allowed})"
    for candidate in candidates:
        if candidate.is_file():
            if candidate.suffix.lower() == ".svg" and ACTIVE_SVG.search(candidate.read_bytes()):
                # An SVG opened on its own runs its scripts with the site's origin.
                return None, f"SVG image '{src}' contains scripts or event handlers; remove them"
            return candidate, None
    article_rel = article_dir.relative_to(root).as_posix()
    return None, f"image '{src}' not found (looked in {article_rel}/ and {MEDIA_DIR}/)"


def resolve_image_once(images: ImageProcessor, src: str, article_dir: Path, root: Path) -> tuple[Path | None, str | None]:
    """``resolve_image`` once per build for each (src, folder): a logo can stand in thousands of articles."""
    key = (src, article_dir)
    if key not in images.resolved:
        images.resolved[key] = resolve_image(src, article_dir, root)
    return images.resolved[key]


class _FigureAndImages(Treeprocessor):
    """Title-bearing images alone in a paragraph become figures; an image's src becomes its slug,
    which ``responsive_images`` later replaces with the published variants."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.image_slugs: dict[str, str] = {}
        self.dateline: str | None = None

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "p" and self._is_figure(child):
                    parent[index] = self._figure(child[0])
        for img in root.iter("img"):
            src = img.get("src", "")
            img.set("src", self.image_slugs.get(src, src))
        if self.dateline:
            self._add_dateline(root)

    @staticmethod
    def _is_figure(p: etree.Element) -> bool:
        return (
            len(p) == 1
            and p[0].tag == "img"
            and bool(p[0].get("title"))
            and not (p.text or "").strip()
            and not (p[0].tail or "").strip()
        )

    @staticmethod
    def _figure(img: etree.Element) -> etree.Element:
        figure = etree.Element("figure")
        caption = img.attrib.pop("title")
        img.tail = None
        figure.append(img)
        figcaption = etree.SubElement(figure, "figcaption")
        figcaption.text = caption
        return figure

    def _add_dateline(self, root: etree.Element) -> None:
        # The dateline ("LSO –") opens the lead, as on the printed page.
        for child in root:
            if child.tag == "p" and not PLACEHOLDER_TEXT.fullmatch(child.text or ""):
                span = etree.Element("span", {"class": "dateline"})
                span.text = f"{self.dateline} –"
                span.tail = " " + (child.text or "")
                child.text = None
                child.insert(0, span)
                return


class _BantinExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown API
        md.treeprocessors.register(_FigureAndImages(md), "bantin_figures", 15)


@dataclass(frozen=True)
class ConversionJob:
    """Everything Markdown conversion depends on, and the cache key made of it."""

    key: str
    # The body with shortcodes as placeholders, as UTF-8: a clean build holds every body waiting for
    # Markdown's workers while it reads the files faster than they convert them, and Vietnamese
    # text takes twice the memory as a str (85 MB more at 10,000 pairs).
    text: bytes
    image_slugs: tuple[tuple[str, str], ...]  # (src as written, published slug)
    dateline: str | None
    backlink_title: str


@dataclass(frozen=True)
class PreparedBody:
    job: ConversionJob
    lang: str
    images: tuple[ImageAsset, ...]  # by slug
    shortcodes: tuple[tuple[str, str], ...]  # (name, id) in order of appearance
    cover_above_body: bool


_converters: dict[str, markdown.Markdown] = {}  # backlink title -> converter, per process


def _converter(backlink_title: str) -> markdown.Markdown:
    if backlink_title not in _converters:
        _converters[backlink_title] = markdown.Markdown(
            extensions=["tables", "footnotes", "attr_list", "fenced_code", "toc", "sane_lists", _BantinExtension()],
            extension_configs={
                "toc": {"slugify": heading_id},
                "footnotes": {"BACKLINK_TITLE": backlink_title, "SEPARATOR": "-"},
            },
            output_format="html",
        )
    return _converters[backlink_title]


def convert_markdown(job: ConversionJob) -> str:
    """One body to sanitized HTML; a pure function of the job, so any process may run it."""
    md = _converter(job.backlink_title)
    figures: _FigureAndImages = md.treeprocessors["bantin_figures"]
    figures.image_slugs = dict(job.image_slugs)
    figures.dateline = job.dateline
    try:
        return sanitize_html(md.reset().convert(job.text.decode("utf-8")))
    finally:
        md.reset()


PARALLEL_THRESHOLD = 64  # bodies; below this, starting worker processes costs more than it saves


class MarkdownWorkers:
    """Worker processes forked at the start of a build that will convert many bodies, while
    this process holds little more than its modules. Forked once the sources and the first
    articles are in memory, each worker shared all of it and came to hold its own copy of what
    this process wrote to afterwards: 190 MB each at 10,000 article pairs."""

    def __init__(self, processes: int | None = None):
        self.count = processes or os.cpu_count() or 1
        forking = self.count >= 2 and "fork" in multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork") if forking else None
        # One worker converts while this process reads and prepares the bodies (assemble.BodiesAhead),
        # the others wait for ``all_in``: one busy process per core. Three on two cores took a fifth
        # more CPU time for the same work, and this process's reading half as long again.
        self._gate = context.Semaphore(1) if context is not None else None
        self._waiting = self.count - 1
        self.pool = context.Pool(self.count, initializer=_take_turn, initargs=(self._gate,)) \
            if context is not None else None

    def all_in(self) -> None:
        """Every worker converts from now on."""
        while self._waiting and self._gate is not None:
            self._gate.release()
            self._waiting -= 1

    @classmethod
    def for_bodies(cls, expected: int, processes: int | None = None) -> "MarkdownWorkers | None":
        """Workers for a build that expects to convert about ``expected`` bodies, if that is many."""
        return cls(processes) if expected >= PARALLEL_THRESHOLD else None

    def __enter__(self) -> "MarkdownWorkers":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def _take_turn(gate) -> None:
    """A worker's start: its turn taken (see ``MarkdownWorkers``), kept to its end."""
    gate.acquire()


def convert_many(jobs: list[ConversionJob], processes: int | None = None,
                 early: MarkdownWorkers | None = None) -> Iterator[tuple[str, str]]:
    """Convert bodies on every core (``processes``: at most that many worker processes; ``early``:
    the workers to use, forked before): (key, HTML) of each distinct job in the order of ``jobs``,
    as each is ready, the same as ``convert_markdown`` one by one. ``jobs`` is emptied as the
    workers take them: a large archive's bodies are a few hundred MB of text, and none is held
    after its conversion.

    Workers are forked, so they start with the extensions imported and need nothing but the jobs.
    """
    waiting = deque({job.key: job for job in jobs}.values())
    jobs.clear()
    if early is not None and early.pool is not None and len(waiting) >= PARALLEL_THRESHOLD:
        early.all_in()
        yield from _converted(early.pool, early.count, waiting)
        return
    workers = min(processes or os.cpu_count() or 1, len(waiting) // (PARALLEL_THRESHOLD // 2) or 1)
    if len(waiting) < PARALLEL_THRESHOLD or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        while waiting:
            job = waiting.popleft()
            yield job.key, convert_markdown(job)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from _converted(pool, workers, waiting)


def _converted(pool, workers: int, waiting: deque) -> Iterator[tuple[str, str]]:
    keys = deque(job.key for job in waiting)
    # Chunks of a few dozen bodies keep both cores busy to the end without much messaging; the
    # pool's feeder takes jobs only as the pipe to the workers drains.
    chunks = max(1, min(64, len(waiting) // (workers * 8)))
    for html in pool.imap(convert_markdown, _taken(waiting), chunksize=chunks):
        yield keys.popleft(), html


def _taken(waiting: deque) -> Iterator:
    while waiting:
        yield waiting.popleft()


STORED_AT_ONCE = 500  # converted bodies written to the cache together


class StoredAsTheyCome:
    """Bodies converted in this build, written to the cache ``STORED_AT_ONCE`` at a time as they
    come (``BuildCache.store_bodies``), none held longer than that."""

    def __init__(self, cache: BuildCache | None):
        self.cache = cache
        self.rows: list[tuple[str, str]] = []

    def add(self, key: str, html: str) -> None:
        if self.cache is not None:
            self.rows.append((key, html))
            if len(self.rows) >= STORED_AT_ONCE:
                self.flush()

    def flush(self) -> None:
        if self.cache is not None and self.rows:
            self.cache.store_bodies(self.rows)
            self.rows = []


def convert_bodies(prepared: list[PreparedBody], cache: BuildCache | None, processes: int | None = None,
                   early: MarkdownWorkers | None = None) -> Iterator[str]:
    """Each prepared body's HTML, in order, as soon as it is ready: from the cache, or converted
    (in parallel) and written to the cache as it comes (``BuildCache.store_bodies``). ``prepared``
    is emptied, and each text let go once the workers have taken it, so that the caller, dropping
    each article's other texts once it has made it, holds no more than it needs (a clean build's
    peak memory)."""
    found = cache.bodies.get_many(p.job.key for p in prepared) if cache is not None else {}
    keys = [p.job.key for p in prepared]
    jobs = [p.job for p in prepared if found.get(p.job.key) is None]
    prepared.clear()
    seen_twice = {key for key, count in Counter(job.key for job in jobs).items() if count > 1}
    converted = convert_many(jobs, processes, early)
    again: dict[str, str] = {}  # the same text in two articles: converted once
    stored = StoredAsTheyCome(cache)
    for key in keys:
        html = found.get(key)
        if html is None:
            html = again.get(key)
        if html is None:
            done, html = next(converted)
            assert done == key, (done, key)  # (the order of the jobs is the order of the bodies)
            if key in seen_twice:
                again[key] = html
            stored.add(key, html)
        yield html
    stored.flush()


class MarkdownRenderer:
    """Renders article bodies for one language (footnote labels are localized)."""

    def __init__(self, registry: ShortcodeRegistry, backlink_title: str, cache: BuildCache | None = None, *,
                 images: ImageProcessor):
        self.registry = registry
        self.backlink_title = backlink_title
        self.cache = cache
        self.images = images

    def render(self, body: BodySource, lang: str, diagnostics: Diagnostics, cover: Path | None = None) -> RenderedBody:
        """``cover``: the article's cover file. The page shows it above the body unless the body
        shows it too; then the cover is the page's first image and no body image is."""
        prepared = self.prepare(body, lang, diagnostics, cover)
        return self.finish(prepared, self.convert(prepared))

    def prepare(self, body: BodySource, lang: str, diagnostics: Diagnostics,
                cover: Path | None = None) -> PreparedBody:
        """Check the body line by line (every mistake is reported here) and make what Markdown
        will convert: shortcodes as placeholders, images with their published slugs."""
        lines = body.text.split("\n")
        images: dict[str, ImageAsset] = {}
        blocks: list[tuple[str, str, Location]] = []
        in_fence = False
        for index, line in enumerate(lines):
            if not MAY_NEED_A_LOOK.search(line):
                continue  # plain text: no fence, shortcode, tag or image on this line
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            location = Location(body.rel, body.first_line + index, 1)
            if SHORTCODE_START.match(line):
                lines[index] = self._shortcode_line(line, location, blocks, diagnostics)
                continue
            stray = INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line).find("{{<")
            if stray >= 0:
                diagnostics.error(
                    Location(body.rel, location.line, stray + 1),
                    'a shortcode must stand alone on its line: {{< name "id" >}}',
                )
            for match in RAW_IMG.finditer(line):
                diagnostics.error(
                    Location(body.rel, location.line, match.start() + 1),
                    "raw <img> tags are not allowed: use ![alt text](file \"caption\")",
                )
            for match in IMAGE.finditer(line):
                self._check_image(match, body, Location(body.rel, location.line, match.start() + 1), images, diagnostics)

        image_slugs = tuple((src, asset.slug) for src, asset in sorted(images.items()))
        by_slug = {asset.slug: asset for asset in images.values()}
        text = "\n".join(lines).encode("utf-8")
        job = ConversionJob(
            key=digest(text, repr(sorted(image_slugs)), body.dateline or "", self.backlink_title, "img=slug"),
            text=text,
            image_slugs=image_slugs,
            dateline=body.dateline,
            backlink_title=self.backlink_title,
        )
        return PreparedBody(
            job=job,
            lang=lang,
            images=tuple(by_slug[slug] for slug in sorted(by_slug)),
            shortcodes=tuple((name, ident) for name, ident, _ in blocks),
            cover_above_body=cover is not None and all(asset.source != cover for asset in by_slug.values()),
        )

    def convert(self, prepared: PreparedBody) -> str:
        """Markdown to sanitized HTML (images and shortcodes still to be filled in), through the cache."""
        [html] = convert_bodies([prepared], self.cache)  # (to its end: that stores it)
        return html

    def finish(self, prepared: PreparedBody, html: str) -> RenderedBody:
        """Fill in what comes from us, not the editor: responsive images and shortcode blocks."""
        by_slug = {asset.slug: asset for asset in prepared.images}
        html = responsive_images(html, by_slug, first_is_eager=not prepared.cover_above_body)
        rendered_blocks = [self.registry.shortcodes[name].render(ident, prepared.lang)
                           for name, ident in prepared.shortcodes]
        html = PLACEHOLDER_PARAGRAPH.sub(lambda m: rendered_blocks[int(m.group(1))], html)
        return RenderedBody(html=html, images=prepared.images, shortcodes=prepared.shortcodes)

    def _shortcode_line(
        self, line: str, location: Location, blocks: list[tuple[str, str, Location]], diagnostics: Diagnostics
    ) -> str:
        match = SHORTCODE_LINE.match(line)
        col = line.index("{{<") + 1
        at = Location(location.path, location.line, col)
        if not match:
            diagnostics.error(at, 'malformed shortcode: write {{< name "id" >}} alone on its line')
            return ""
        name, ident = match.groups()
        shortcode = self.registry.shortcodes.get(name)
        if shortcode is None:
            known = ", ".join(self.registry.names())
            diagnostics.error(at, f"unknown shortcode '{name}' (known: {known})")
            return ""
        if not shortcode.exists(ident):
            diagnostics.error(at, f"unknown {shortcode.what} '{ident}' in shortcode '{name}' (no {shortcode.source_hint})")
            return ""
        blocks.append((name, ident, at))
        return "\n" + PLACEHOLDER.format(len(blocks) - 1) + "\n"

    def _check_image(
        self,
        match: re.Match[str],
        body: BodySource,
        at: Location,
        images: dict[str, ImageAsset],
        diagnostics: Diagnostics,
    ) -> None:
        alt, src, _title = match.groups()
        if not alt.strip():
            diagnostics.error(at, f"image '{src}' has no alt text: describe it in ![…]({src})")
        elif alt.lstrip().startswith("TODO"):
            # Left by `build.py import`: the photo must be described before readers get it.
            diagnostics.error(at, f"image '{src}' still has the placeholder alt text '{alt.strip()}': describe the photo")
        path, problem = resolve_image_once(self.images, src, body.article_dir, body.root)
        if problem:
            diagnostics.error(at, problem)
            return
        clash = next((a for a in images.values() if a.slug == published_slug(path.name) and a.source != path), None)
        if clash:
            # Published names come from the file name (published_slug): "Ảnh 1.jpg" and "anh-1.png" clash.
            diagnostics.error(at, f"two different images named '{path.name}' in one article; rename one"
                              if clash.name == path.name else
                              f"two different images ('{clash.name}' and '{path.name}') would be published"
                              " under one name in one article; rename one")
            return
        asset, problem = self.images.asset(path, src)
        if problem:
            diagnostics.error(at, problem)
            return
        images[src] = asset
