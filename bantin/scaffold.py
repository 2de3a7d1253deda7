"""``build.py new``: a new article file with today's date and its slug, or a translation of one.

Also the small helpers that write front matter for new files (``import`` uses them too):
YAML that an editor can read and edit, and a write that never replaces an existing file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

import yaml

from .config import SiteConfig
from .content import ARTICLES_DIR, ArticleSource
from .diagnostics import Diagnostics
from .slugs import slugify
from .textio import nfc
from .translations import ORIGINAL, check_translations, find_article, load, source_hash, stamp

PLAIN = re.compile(r"[^\W\d_][\w .’'-]*", re.UNICODE)  # safe unquoted in block and flow YAML
HINTS = {  # front-matter comments for the editor, in the article's language
    "vi": {"authors": "ví dụ: [Thanh Huyền]", "tags": "ví dụ: [BHXH toàn dân, Lạng Sơn]",
           "translate": "dịch sang tiếng Việt"},
    "en": {"authors": "e.g. [Thanh Huyền]", "tags": "e.g. [Universal social insurance, Lạng Sơn]",
           "translate": "translate into English"},
}
COPIED_FROM_ORIGINAL = ("dateline", "source", "source_url", "authors", "image", "image_alt", "image_caption", "events")
TO_TRANSLATE = ("image_alt", "image_caption")


class CommandError(Exception):
    """A refusal the command line reports as ``build.py COMMAND: error: …`` with an exit status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


# --- writing front matter -------------------------------------------------------------------------


def yaml_text(value: str) -> str:
    """``value`` as a YAML scalar: plain when that reads back the same, else double-quoted."""
    if PLAIN.fullmatch(value) and not value.endswith(" ") and yaml.safe_load(value) == value:
        return value
    return yaml_quoted(value)  # a JSON string is a valid YAML double-quoted scalar


def yaml_quoted(value: str) -> str:
    """Always quoted: for titles, which editors later extend with a ':' or a leading quote."""
    return json.dumps(value, ensure_ascii=False)


def yaml_list(values) -> str:
    return "[" + ", ".join(yaml_text(v) for v in values) + "]"


def yaml_value(value) -> str:
    if isinstance(value, (list, tuple)):
        return yaml_list(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return yaml_text(str(value))


def front_matter(lines: list[str], body: str = "") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n\n" + body


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; never replace a file (mode "x" also closes the race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def shown(path: Path, root: Path) -> str:
    """A path as the editor should read it: relative to the site folder when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def parse_date(text: str) -> dt.date:
    """argparse type for ``--date``."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date '{text}': write it as YYYY-MM-DD") from None


def today(config: SiteConfig) -> dt.date:
    """Today where the newsroom is (the site's time zone), not where the server runs."""
    return dt.datetime.now(config.timezone).date()


# --- the `new` command ----------------------------------------------------------------------------


def new_command(root: Path, title: str, lang: str | None = None, translation_of: str | None = None,
                date: dt.date | None = None) -> int:
    """``build.py new "Tiêu đề"``: print the path of the file it created."""
    diagnostics = Diagnostics()
    config, sources = load(root, diagnostics)
    if config is None:
        for diagnostic in diagnostics.sorted():
            print(diagnostic.format(), file=sys.stderr)
        return 1
    try:
        path, text = plan_new(root, config, sources, diagnostics, nfc(title).strip(), lang, translation_of, date)
        try:
            write_new(path, text)
        except FileExistsError:
            raise CommandError(f"{shown(path, root)} already exists; not overwritten", 1) from None
    except CommandError as problem:
        print(f"build.py new: error: {problem.message}", file=sys.stderr)
        return problem.status
    print(shown(path, root))
    return 0


def plan_new(root: Path, config: SiteConfig, sources: list[ArticleSource], diagnostics: Diagnostics,
             title: str, lang: str | None, translation_of: str | None, date: dt.date | None) -> tuple[Path, str]:
    """(path, text) of the new article; a CommandError when it cannot be made."""
    if lang is not None and lang not in config.codes:
        raise CommandError(f"unknown language '{lang}' (known: {', '.join(config.codes)})", 2)
    if not title:
        raise CommandError("the title is empty", 2)
    if translation_of is not None:
        return _plan_translation(root, config, sources, diagnostics, title, lang, translation_of, date)
    lang = lang or config.default_language
    slug = slugify(title)
    if not slug:
        raise CommandError(f"cannot make a file name from the title '{title}': use letters or digits", 2)
    base = f"{(date or today(config)).isoformat()}-{slug}"
    existing = next((s for s in sources if s.base == base), None)
    if existing is not None and existing.lang != lang:
        raise CommandError(
            f"an article '{base}' already exists ({existing.rel}); to translate it, use --translation-of {base}", 1
        )
    hints = HINTS.get(lang, HINTS["en"])
    lines = [
        f"title: {yaml_quoted(title)}",
        f"date: {base[:10]}",
        f"authors: []  # {hints['authors']}",
        f"tags: []  # {hints['tags']}",
    ]
    return root / ARTICLES_DIR / f"{base}.{lang}.md", front_matter(lines)


def _plan_translation(root, config, sources, diagnostics, title, lang, ref, date) -> tuple[Path, str]:
    found = find_article(ref, sources, config)
    if isinstance(found, str):
        raise CommandError(found, 2)
    base, named_lang = found
    report = check_translations(sources, config, Diagnostics())
    entry = report.articles[base]
    original = entry.versions.get(named_lang) if named_lang else entry.original
    if original is None or original.status != ORIGINAL:
        original = entry.original
    if original is None:
        raise CommandError(f"'{base}' has no original to translate from (every version has 'translation_of')", 2)
    source = original.source
    if lang is None:
        missing = [code for code in config.codes if code not in entry.versions]
        if not missing:
            raise CommandError(f"'{base}' already exists in every language ({', '.join(config.codes)})", 1)
        lang = missing[0]
    if lang == source.lang:
        raise CommandError(f"{source.rel} is already the '{lang}' version; choose another --lang", 2)
    if "title" not in source.fields:
        problems = [d.format() for d in diagnostics.sorted() if d.location.path == source.rel]
        raise CommandError("cannot read the original's title:\n" + "\n".join(problems), 1)
    bundle = source.path.stem.split(".")[0] == "index" and source.path.parent.name == base
    path = source.path.parent / (f"index.{lang}.md" if bundle else f"{base}.{lang}.md")
    hints = HINTS.get(lang, HINTS["en"])
    lines = [f"title: {yaml_quoted(title)}", f"date: {yaml_value(date or source.fields['date'])}"]
    for key in COPIED_FROM_ORIGINAL:
        if key in source.fields:
            note = f"  # {hints['translate']}" if key in TO_TRANSLATE else ""
            if key == "authors" and not source.fields[key]:
                note = f"  # {hints['authors']}"
            lines.append(f"{key}: {yaml_value(source.fields[key])}{note}")
    lines.append(f"tags: []  # {hints['tags']}")
    lines.append(stamp(source.lang, source_hash(source.fields["title"], source.body)))
    return path, front_matter(lines)
