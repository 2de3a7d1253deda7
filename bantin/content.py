"""Article sources: finding ``content/articles/`` files and checking their front matter.

Translations share a base name: ``NAME.vi.md`` and ``NAME.en.md`` (a file without a
language suffix is in the default language), or a page bundle folder
``NAME/index.vi.md`` holding its images. This stage only reads and checks; it
returns typed ``ArticleSource`` records, one per file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .diagnostics import Diagnostics, Location
from .schema import Field, Kind, MappingChecker
from .textio import nfc, read_source
from .yamlfile import MarkedMap, load_file_text

ARTICLES_DIR = "content/articles"

FRONT_MATTER_FIELDS = [
    Field("title", Kind.TEXT, required=True),
    Field("date", Kind.DATE, required=True),
    Field("lastmod", Kind.DATE),
    Field("authors", Kind.TEXT_OR_LIST),
    Field("source", Kind.TEXT),
    Field("source_url", Kind.TEXT),
    Field("dateline", Kind.TEXT),
    Field("summary", Kind.TEXT),
    Field("tags", Kind.TEXT_LIST),
    Field("image", Kind.TEXT),
    Field("image_caption", Kind.TEXT),
    Field("image_alt", Kind.TEXT),
    Field("events", Kind.TEXT_LIST),
    Field("slug", Kind.TEXT),
    Field("draft", Kind.BOOL),
    Field("translation_of", Kind.MAPPING),  # {lang, hash} of the original; see translations.py
]


@dataclass(frozen=True)
class ArticleSource:
    """One article file, its checked front matter and its raw body."""

    rel: str  # path relative to the site root, e.g. content/articles/x.vi.md
    path: Path
    base: str  # shared by translations
    lang: str
    fields: dict
    locations: dict[str, Location]  # where each front-matter key stands, for later checks
    body: str
    body_first_line: int
    valid: bool  # front matter without errors; otherwise only the body is checked

    @property
    def directory(self) -> Path:
        return self.path.parent


def article_files(root: Path) -> list[Path]:
    """Every article file, in a stable order whatever the file system returns."""
    folder = root / ARTICLES_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.md") if p.is_file())


def split_name(path: Path, articles_dir: Path, config: SiteConfig) -> tuple[str, str | None, str]:
    """(base name, language code or None if the suffix names an unknown language, suffix)."""
    parts = nfc(path.name).split(".")
    suffix = parts[-2] if len(parts) >= 3 else ""
    lang = suffix if suffix else config.default_language
    stem = ".".join(parts[:-2] if suffix else parts[:-1])
    is_bundle = stem == "index" and path.parent != articles_dir
    base = nfc(path.parent.name) if is_bundle else stem
    return base, (lang if lang in config.codes else None), suffix


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter YAML, body, first body line) or None when there is no front matter."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    return None


def load_articles(root: Path, config: SiteConfig, diagnostics: Diagnostics) -> list[ArticleSource]:
    articles_dir = root / ARTICLES_DIR
    sources: list[ArticleSource] = []
    seen: dict[tuple[str, str], str] = {}
    for path in article_files(root):
        rel = nfc(path.relative_to(root).as_posix())
        base, lang, suffix = split_name(path, articles_dir, config)
        if lang is None:
            known = ", ".join(config.codes)
            diagnostics.error(Location(rel), f"unknown language '{suffix}' in the file name (known: {known})")
            continue
        if (base, lang) in seen:
            diagnostics.error(Location(rel), f"a second '{lang}' version of '{base}' (the first is {seen[base, lang]})")
            continue
        seen[base, lang] = rel
        source = _load_article(path, rel, base, lang, diagnostics)
        if source is not None:
            sources.append(source)
    return sources


def _load_article(path: Path, rel: str, base: str, lang: str, diagnostics: Diagnostics) -> ArticleSource | None:
    text = read_source(path, rel, diagnostics)
    if text is None:
        return None
    parts = split_front_matter(text)
    if parts is None:
        diagnostics.error(
            Location(rel), "missing front matter: start the file with a line '---', the fields, then '---'"
        )
        return None
    yaml_text, body, body_first_line = parts
    data, problem = load_file_text(yaml_text, rel, line_offset=1)
    if problem:
        diagnostics.error(*problem)
        return None
    if not isinstance(data, MarkedMap):
        diagnostics.error(Location(rel, 2), "front matter must be 'key: value' lines")
        return None
    checker = MappingChecker(data, rel, 1, diagnostics)
    before = len(diagnostics.errors)
    fields = checker.check(FRONT_MATTER_FIELDS, "front-matter")
    locations = {key: checker.key_location(key) for key in data}
    return ArticleSource(
        rel=rel,
        path=path,
        base=base,
        lang=lang,
        fields=fields,
        locations=locations,
        body=body,
        body_first_line=body_first_line,
        valid=len(diagnostics.errors) == before,
    )
