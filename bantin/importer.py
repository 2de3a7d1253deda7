"""``build.py import``: a plain-text article, as provincial newsrooms send it, to a Markdown article.

The layout it reads (see tests/data/import/lang-son-launch-report.vi.txt), in blocks of
lines separated by blank lines:

1. a date line: ``Thứ ba, 26/01/2021`` (weekday and time optional);
2. the headline;
3. the lead, opening with the dateline: ``LSO-Sáng nay (23/5), …``;
4. paragraphs, and photo captions where the photos were;
5. the byline in capitals on the last line: ``THANH HUYỀN``.

A photo caption is a block of at most three short lines (80 characters or fewer) whose
last line has no closing punctuation (. ! ? … : ;): newsrooms hard-wrap captions under the
photo, while paragraphs come as one long line or end with a full stop. Each caption
becomes a figure whose image file does not exist yet and whose alt text is a TODO, so
``build.py check`` names the file to add and the description to write.

Text is NFC, runs of spaces (including non-breaking ones) become one space, and quotes
and dashes stay exactly as received.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from babel.dates import format_date

from .config import SiteConfig, load_config
from .content import ARTICLES_DIR
from .diagnostics import Diagnostics, Location
from .scaffold import front_matter, shown, today, write_new, yaml_list, yaml_quoted, yaml_text
from .slugs import slugify
from .textio import read_source

# Datelines we know the outlet of. Keep it short: an unknown dateline is only a warning,
# and the editor types the source. Add an outlet here when its articles arrive often.
DATELINE_SOURCES = {
    "LSO": "Báo Lạng Sơn",  # baolangson.vn, the provincial paper of Lạng Sơn
    "TTXVN": "Thông tấn xã Việt Nam",  # the national news agency
}
ALT_PLACEHOLDER = {"vi": "TODO: mô tả ảnh", "en": "TODO: describe the photo"}
PHOTO_NAME = "{base}-anh-{number}.jpg"

CAPTION_MAX_LINES = 3
CAPTION_MAX_LINE = 80
HEADLINE_MAX = 200
BYLINE_MAX = 80

SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|\t")
INVISIBLE = re.compile(r"[\u200b\ufeff]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
DATE_LINE = re.compile(
    r"(?:(?P<weekday>[^\W\d_][^,/]{0,15}?)\s*,?\s*)?(?:ngày\s+)?"
    r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})"
    r"(?:\s*[-,|]?\s*(?P<hour>\d{1,2})[:h](?P<minute>\d{2}))?",
    re.IGNORECASE,
)
WEEKDAYS = {
    **{f"thứ {name}": i for i, name in enumerate(("hai", "ba", "tư", "năm", "sáu", "bảy"))},
    **{f"thứ {i + 2}": i for i in range(6)},
    "chủ nhật": 6, "cn": 6,
    **{name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
}
DATELINE = re.compile(r"\(?(?P<name>[^\W\d_][^()\-–—]{0,23}?)\)?\s*[-–—]\s*(?=\S)")
LEAD_DATE = re.compile(r"\((?P<day>\d{1,2})/(?P<month>\d{1,2})(?:/(?P<year>\d{4}))?\)")
CLOSING = "\"'”’»)]"
FINAL_PUNCTUATION = (".", "!", "?", "…", ":", ";")
LIST_ITEM = re.compile(r"([-+•*]|\d+[.)])\s")
BYLINE_SEPARATORS = re.compile(r"\s*(?:[,;/]|\s[-–—]\s|\sVÀ\s)\s*")
NAME_PART = re.compile(r"[^\W\d_]+")
MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]{}])")
MARKDOWN_LINE_START = re.compile(r"^(?:([#>+-])|(\d+)\.(?=\s|$))")


@dataclass(frozen=True)
class Block:
    """Consecutive non-blank lines: ``lines`` cleaned, ``raw`` as received (for columns)."""

    line: int  # 1-based line of the first line
    lines: tuple[str, ...]
    raw: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class Photo:
    caption: str
    line: int  # where the caption stood in the received text
    file: str  # the image file the editor must add


@dataclass(frozen=True)
class ImportedArticle:
    title: str
    date: dt.date | dt.datetime
    date_note: str | None  # a YAML comment when the text disagrees with itself about the date
    dateline: str | None
    source: str | None
    authors: tuple[str, ...]
    parts: tuple[str | Photo, ...]  # paragraphs (Markdown) and photos, in reading order

    def markdown(self, lang: str) -> str:
        date = self.date.isoformat(timespec="minutes") if isinstance(self.date, dt.datetime) else self.date.isoformat()
        lines = [f"title: {yaml_quoted(self.title)}", f"date: {date}" + (f"  # {self.date_note}" if self.date_note else "")]
        if self.dateline:
            lines.append(f"dateline: {yaml_text(self.dateline)}")
        if self.source:
            lines.append(f"source: {yaml_text(self.source)}")
        lines.append(f"authors: {yaml_list(self.authors)}")
        lines.append("tags: []")
        alt = ALT_PLACEHOLDER.get(lang, ALT_PLACEHOLDER["en"])
        body = []
        for part in self.parts:
            if isinstance(part, Photo):
                body.append(f'![{alt}]({part.file} "{_title_attribute(part.caption)}")')
            else:
                body.append(part)
        return front_matter(lines, "\n\n".join(body) + "\n")


# --- reading ------------------------------------------------------------------------------------


def read_text(path: Path, name: str, diagnostics: Diagnostics) -> str | None:
    """The file as NFC text, or None after an error: empty, binary or not UTF-8."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        diagnostics.error(Location(name), "the file is UTF-16 text; save it as UTF-8")
        return None
    if b"\x00" in data:
        before = data[: data.index(b"\x00")]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        diagnostics.error(Location(name, line, col), "not a text file (it contains a NUL byte); import reads plain UTF-8 text")
        return None
    text = read_source(path, name, diagnostics)
    if text is None:
        return None
    if not text.strip():
        diagnostics.error(Location(name), "the file is empty: expected a date line, the headline, the lead and the text")
        return None
    return text


def clean(line: str) -> str:
    line = CONTROL.sub(" ", INVISIBLE.sub("", line))
    return SPACES.sub(" ", line).strip()


def blocks(text: str) -> list[Block]:
    result: list[Block] = []
    current: list[tuple[int, str, str]] = []
    for number, raw in enumerate([*text.split("\n"), ""], start=1):
        cleaned = clean(raw)
        if cleaned:
            current.append((number, cleaned, raw))
        elif current:
            result.append(Block(current[0][0], tuple(c for _, c, _ in current), tuple(r for _, _, r in current)))
            current = []
    return result


# --- understanding the layout ----------------------------------------------------------------------


def parse(text: str, name: str, lang: str, config: SiteConfig, diagnostics: Diagnostics) -> ImportedArticle | None:
    found = blocks(text)
    first = found[0]
    date_match = DATE_LINE.fullmatch(first.lines[0])
    if date_match:
        date = _date(date_match, first, name, config.language(lang).locale, diagnostics)
        if date is None:
            return None
        rest = first.lines[1:]
        # A headline typed straight under the date line, without a blank line, is still the headline.
        found = ([Block(first.line + 1, rest, first.raw[1:])] if rest else []) + found[1:]
        if not found:
            diagnostics.error(Location(name, first.line), "no headline: nothing follows the date line")
            return None
    else:
        date = today(config)
        diagnostics.warning(
            Location(name, first.line),
            f"no date line (like 'Thứ ba, 26/01/2021') before the headline; 'date' is today, {date.isoformat()}: check it",
        )
    headline = found[0]
    title = _headline(headline, name, diagnostics)
    if title is None:
        return None
    body = found[1:]
    authors: tuple[str, ...] = ()
    if body and _is_byline(body[-1]):
        authors = byline_names(body[-1].text)
        body = body[:-1]
    elif body:
        diagnostics.warning(
            Location(name, body[-1].line), "the last line is not a byline in capitals; add 'authors' by hand"
        )
    if not body:
        diagnostics.error(Location(name, headline.line), "no article text after the headline")
        return None
    lead_index = next((i for i, block in enumerate(body) if not is_caption(block)), None)
    if lead_index is None:
        diagnostics.error(Location(name, body[0].line), "no paragraph after the headline, only photo captions")
        return None
    lead = body[lead_index]
    dateline, lead_text = _dateline(lead, name, diagnostics)
    source = None
    if dateline is not None:
        source = DATELINE_SOURCES.get(dateline.upper())
        if source is None:
            known = ", ".join(sorted(DATELINE_SOURCES))
            diagnostics.warning(
                Location(name, lead.line), f"unknown dateline '{dateline}' (known: {known}); add 'source' by hand"
            )
    date_note = _check_lead_date(lead, date, date_match, name, diagnostics)
    parts: list[str | Photo] = []
    for index, block in enumerate(body):
        if index == lead_index:
            parts.append(escape_markdown(lead_text))
        elif is_caption(block):
            parts.append(Photo(block.text, block.line, ""))  # named once the output path is known
        else:
            parts.append(escape_markdown(block.text))
    return ImportedArticle(title, date, date_note, dateline, source, authors, tuple(parts))


def _date(match: re.Match[str], block: Block, name: str, locale: str, diagnostics: Diagnostics):
    day, month, year = int(match["day"]), int(match["month"]), int(match["year"])
    col = block.raw[0].find(match["day"] + "/") + 1 or 1
    written = f"{match['day']}/{match['month']}/{match['year']}"
    try:
        date = dt.date(year, month, day)
    except ValueError:
        diagnostics.error(Location(name, block.line, col), f"the date line says {written}, which is not a date")
        return None
    weekday = (match["weekday"] or "").strip().casefold()
    if weekday in WEEKDAYS and WEEKDAYS[weekday] != date.weekday():
        actual = format_date(date, "EEEE", locale=locale)
        diagnostics.warning(
            Location(name, block.line),
            f"the date line says {match['weekday'].strip()} but {written} is a {actual}; check 'date'",
        )
    if match["hour"] is not None:
        try:
            return dt.datetime.combine(date, dt.time(int(match["hour"]), int(match["minute"])))
        except ValueError:
            diagnostics.error(Location(name, block.line, col), f"the date line's time {match['hour']}:{match['minute']} is not a time")
            return None
    return date


def _headline(block: Block, name: str, diagnostics: Diagnostics) -> str | None:
    dateline = DATELINE.match(block.text)
    if dateline and _is_capitals(dateline["name"]):
        diagnostics.error(
            Location(name, block.line),
            f"no headline: line {block.line} starts the lead ('{dateline.group(0).strip()}…'); "
            "put the headline on its own line before it",
        )
        return None
    if len(block.text) > HEADLINE_MAX:
        diagnostics.error(
            Location(name, block.line),
            f"no headline: line {block.line} is a paragraph ({len(block.text)} characters); "
            "put the headline on its own line before it",
        )
        return None
    return block.text


def _dateline(lead: Block, name: str, diagnostics: Diagnostics) -> tuple[str | None, str]:
    match = DATELINE.match(lead.text)
    if match and _is_capitals(match["name"]):
        return match["name"].strip(), lead.text[match.end():]
    diagnostics.warning(
        Location(name, lead.line),
        "the lead does not start with a dateline like 'LSO-'; add 'dateline' and 'source' by hand if it has one",
    )
    return None, lead.text


def _check_lead_date(lead: Block, date, date_match, name: str, diagnostics: Diagnostics) -> str | None:
    """The lead's "(23/5)" should be the date line's day; if not, keep the date line's and say so."""
    if not date_match:
        return None
    for offset, raw in enumerate(lead.raw):
        match = LEAD_DATE.search(raw)
        if not match:
            continue
        day, month = int(match["day"]), int(match["month"])
        year = int(match["year"]) if match["year"] else date.year
        if (day, month, year) != (date.day, date.month, date.year):
            written = f"{date_match['day']}/{date_match['month']}/{date_match['year']}"
            diagnostics.warning(
                Location(name, lead.line + offset, match.start() + 1),
                f"the lead says {match.group(0)} but the date line says {written}; check 'date'",
            )
            return f"check: the lead says {match.group(0)}"
        return None
    return None


def is_caption(block: Block) -> bool:
    if len(block.lines) > CAPTION_MAX_LINES or any(len(line) > CAPTION_MAX_LINE for line in block.lines):
        return False
    if LIST_ITEM.match(block.lines[0]):
        return False
    return not block.lines[-1].rstrip(CLOSING).endswith(FINAL_PUNCTUATION)


def _is_capitals(text: str) -> bool:
    return any(c.isalpha() for c in text) and text == text.upper()


def _is_byline(block: Block) -> bool:
    return len(block.lines) == 1 and len(block.text) <= BYLINE_MAX and _is_capitals(block.text)


def byline_names(text: str) -> tuple[str, ...]:
    """``THANH HUYỀN - MINH ANH`` -> ("Thanh Huyền", "Minh Anh")."""
    names = (name.strip(" .") for name in BYLINE_SEPARATORS.split(text.strip()))
    return tuple(vietnamese_name_case(name) for name in names if name)


def vietnamese_name_case(name: str) -> str:
    """Every syllable capitalised, the rest lower case: "THANH HUYỀN" -> "Thanh Huyền", "H'HEN NIÊ" -> "H'Hen Niê".

    Done letter run by letter run on NFC text, so "Đ" and toned capitals such as "Ề"
    become "đ" and "ề" without relying on str.title()'s rules.
    """
    return NAME_PART.sub(lambda m: m[0][0].upper() + m[0][1:].lower(), name)


def escape_markdown(text: str) -> str:
    """Received text shown as typed: Markdown and HTML characters lose their meaning."""
    text = MARKDOWN_INLINE.sub(r"\\\1", text).replace("<", "&lt;")
    return MARKDOWN_LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\.", text, count=1)


def _title_attribute(caption: str) -> str:
    """A caption inside a Markdown image title ("…"): straight double quotes become curly ones."""
    quotes = iter(["“", "”"] * caption.count('"'))
    return re.sub('"', lambda _: next(quotes), caption)


# --- the command -------------------------------------------------------------------------------------


def output_base(path: Path, lang: str) -> str:
    """The article's base name from its file name (``NAME.vi.md``, ``NAME.md`` or ``NAME/index.vi.md``)."""
    stem = path.name.removesuffix(".md").removesuffix(f".{lang}")
    return path.parent.name if stem == "index" else stem


def import_command(root: Path, file: Path, lang: str | None = None, out: Path | None = None) -> int:
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics)
    if config is None:
        _report(diagnostics)
        return 1
    lang = lang or config.default_language
    if lang not in config.codes:
        print(f"build.py import: error: unknown language '{lang}' (known: {', '.join(config.codes)})", file=sys.stderr)
        return 2
    if not file.is_file():
        print(f"build.py import: error: cannot read '{file}': no such file", file=sys.stderr)
        return 2
    name = str(file)
    text = read_text(file, name, diagnostics)
    article = parse(text, name, lang, config, diagnostics) if text is not None else None
    if article is None or diagnostics.has_errors:
        _report(diagnostics)
        return 1
    base = f"{article.date.isoformat()[:10]}-{slugify(article.title)}"
    path = out if out is not None else root / ARTICLES_DIR / f"{base}.{lang}.md"
    base = output_base(path, lang)
    numbers = itertools.count(1)
    article = replace(article, parts=tuple(
        replace(part, file=PHOTO_NAME.format(base=base, number=next(numbers))) if isinstance(part, Photo) else part
        for part in article.parts
    ))
    photos = [part for part in article.parts if isinstance(part, Photo)]
    _report(diagnostics)
    try:
        write_new(path, article.markdown(lang))
    except FileExistsError:
        print(f"build.py import: error: {shown(path, root)} already exists; not overwritten", file=sys.stderr)
        return 1
    print(f"created {shown(path, root)}")
    folder = shown(path.parent, root)
    for number, photo in enumerate(photos, start=1):
        print(f"add photo {number} (caption on line {photo.line} of {name}): {folder}/{photo.file}")
    alt = ALT_PLACEHOLDER.get(lang, ALT_PLACEHOLDER["en"])
    if photos:
        print(f"then describe each photo in place of '{alt}', and fill in 'tags'")
    else:
        print("then fill in 'tags'")
    return 0


def _report(diagnostics: Diagnostics) -> None:
    for diagnostic in diagnostics.sorted():
        print(diagnostic.format(), file=sys.stderr)
