"""Participation stats: snapshots in ``content/stats/<id>.yaml``, their blocks, dashboard and exports.

Each file is one snapshot of one region's figures as of a date. Snapshots of the
same region (same name in the default language) form that region's history. This
module reads and checks the files (every problem at its ``PATH:LINE:COL``), keeps
them as frozen records, renders the ``{{< stats "id" >}}`` block, plans the
dashboard per language and writes ``stats.json`` and one CSV per region.

Numbers stay exact: counts are ``int``, decimals ``Decimal`` read from the digits as
typed. Progress to a target is always computed here, never typed by an editor.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit
from typing import TYPE_CHECKING, Iterable, Mapping

from . import charts
from .config import Language, SiteConfig
from .content import ArticleSource
from .diagnostics import Diagnostics, Location
from .fingerprint import Fingerprinter
from .i18n import Formatter
from .model import Site
from .schema import Field, Kind, MappingChecker, describe
from .shortcodes import Shortcode, item_digest
from .slugs import slugify
from .textio import nfc
from .yamlfile import MarkedMap, load_mapping_file

if TYPE_CHECKING:
    from .plan import Planner
    from .render import Renderer

STATS_DIR = "content/stats"
STATS_BLOCK = "stats/block.html"  # a stats shortcode's block
JSON_NAME = "stats.json"
JSON_VERSION = 1
UNITS = ("people", "percent", "vnd")
WHOLE_UNITS = {"people": "people", "vnd": "đồng"}  # unit -> what a whole number counts
QUALIFIERS = ("nearly", "about", "more_than", "less_than")
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FIGURE_KEY = re.compile(r"[a-z][a-z0-9_]*")
THOUSANDS_WITH_DOT = re.compile(r"\d{1,3}(?:\.\d{3})+")

TOP_FIELDS = [
    Field("region", Kind.LOCALIZED, required=True),
    Field("source", Kind.LOCALIZED, required=True),
    Field("source_url", Kind.TEXT),
    Field("as_of", Kind.DATE, required=True),
    Field("figures", Kind.LIST, required=True),
]
FIGURE_FIELDS = [
    Field("key", Kind.TEXT, required=True),
    Field("label", Kind.LOCALIZED, required=True),
    Field("value", Kind.NUMBER, required=True),
    Field("unit", Kind.TEXT),
    Field("qualifier", Kind.TEXT),
    Field("part_of", Kind.TEXT),
    Field("target", Kind.NUMBER),
    Field("target_qualifier", Kind.TEXT),
    Field("target_label", Kind.LOCALIZED),
    Field("target_date", Kind.DATE),
    Field("checkpoint", Kind.MAPPING),
]
CHECKPOINT_FIELDS = [
    Field("percent", Kind.NUMBER, required=True),
    Field("date", Kind.DATE, required=True),
    Field("label", Kind.LOCALIZED),
]
TARGET_DETAILS = ("target_qualifier", "target_label", "target_date", "checkpoint")

Texts = Mapping[str, str]  # language code -> text
Number = int | Decimal


# --- The model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """An intermediate goal: ``percent`` of the target by ``date`` (e.g. 60% by 30/06)."""

    percent: Number
    date: dt.date
    label: Texts | None

    @property
    def ratio(self) -> Decimal:
        return Decimal(self.percent) / 100


@dataclass(frozen=True)
class Target:
    value: Number
    qualifier: str | None  # "more_than" for "trên 17.000"
    label: Texts
    date: dt.date | None
    checkpoint: Checkpoint | None


@dataclass(frozen=True)
class Figure:
    key: str
    label: Texts
    value: Number
    unit: str
    qualifier: str | None  # None: an exact figure; "nearly" for "gần 30.000"
    part_of: str | None
    target: Target | None

    @property
    def progress(self) -> Decimal | None:
        """The share of the target reached, computed: 8,475 of 17,000 is 0.4985…"""
        if self.target is None:
            return None
        return Decimal(self.value) / Decimal(self.target.value)


@dataclass(frozen=True)
class Snapshot:
    id: str  # the file name without .yaml, used in shortcodes
    rel: str
    region: str  # the region's slug
    region_name: Texts
    source: Texts
    source_url: str | None
    as_of: dt.date
    figures: tuple[Figure, ...]

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)

    @property
    def top_level(self) -> tuple[Figure, ...]:
        return tuple(f for f in self.figures if f.part_of is None)

    def parts(self, key: str) -> tuple[Figure, ...]:
        """The figures that are ``part_of`` this one ("of which …")."""
        return tuple(f for f in self.figures if f.part_of == key)


@dataclass(frozen=True)
class Series:
    """One figure of a region over time."""

    key: str
    label: Texts  # from the newest snapshot that has the figure
    points: tuple[tuple[dt.date, Figure], ...]  # oldest first


@dataclass(frozen=True)
class Region:
    slug: str
    name: Texts
    snapshots: tuple[Snapshot, ...]  # oldest first

    @property
    def latest(self) -> Snapshot:
        return self.snapshots[-1]

    @property
    def csv_name(self) -> str:
        return f"{self.slug}.csv"

    @property
    def keys(self) -> tuple[str, ...]:
        """Every figure key, the newest snapshot's order first, then keys only older ones have."""
        keys: list[str] = []
        for snapshot in reversed(self.snapshots):
            keys.extend(f.key for f in snapshot.figures if f.key not in keys)
        return tuple(keys)

    @property
    def series(self) -> tuple[Series, ...]:
        result = []
        for key in self.keys:
            points = tuple((s.as_of, f) for s in self.snapshots if (f := s.figure(key)) is not None)
            result.append(Series(key, points[-1][1].label, points))
        return tuple(result)


# --- Loading and checking ------------------------------------------------------------------------


def stats_files(root: Path) -> list[Path]:
    folder = root / STATS_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file())


@dataclass
class _Loaded:
    snapshots: list[Snapshot]
    broken: set[str]  # ids whose file exists but has errors (already reported)


def load_stats(root: Path, config: SiteConfig, diagnostics: Diagnostics) -> _Loaded:
    loaded = _Loaded([], set())
    for path in stats_files(root):
        rel = nfc(path.relative_to(root).as_posix())
        if path.suffix != ".yaml" or path.parent != root / STATS_DIR:
            diagnostics.warning(Location(rel), f"not a stats file, ignored: stats live in {STATS_DIR}/<id>.yaml")
            continue
        ident = nfc(path.stem)
        if not ID.fullmatch(ident):
            diagnostics.error(
                Location(rel),
                f"stats id '{ident}' (the file name) must be lowercase letters, digits and hyphens, "
                f"e.g. {slugify(ident) or 'lang-son-2020-05'}.yaml",
            )
            continue
        before = len(diagnostics.errors)
        snapshot = _load_snapshot(path, rel, ident, config, diagnostics)
        if snapshot is None or len(diagnostics.errors) > before:
            loaded.broken.add(ident)
        else:
            loaded.snapshots.append(snapshot)
    return loaded


def _load_snapshot(path: Path, rel: str, ident: str, config: SiteConfig, diagnostics: Diagnostics) -> Snapshot | None:
    data = load_mapping_file(path, rel, diagnostics, "a stats file must be a mapping: region, source, as_of and figures")
    if data is None:
        return None
    codes = config.codes
    top = MappingChecker(data, rel, 0, diagnostics)
    values = top.check(TOP_FIELDS, "stats")
    region = top.localized("region", codes, "stats", required=False) if "region" in values else None
    source = top.localized("source", codes, "stats", required=False) if "source" in values else None
    as_of = values.get("as_of")
    if isinstance(as_of, dt.datetime):
        diagnostics.error(top.value_location("as_of"), "'as_of' must be a date (YYYY-MM-DD), without a time")
        as_of = None
    figures = _figures(values.get("figures"), top, as_of, codes, diagnostics)
    source_url = values.get("source_url")
    if source_url is not None and urlsplit(source_url).scheme not in ("http", "https"):
        diagnostics.error(top.value_location("source_url"), f"source_url '{source_url}' must be an http(s) address")
    if region is not None and not slugify(region[config.default_language]):
        diagnostics.error(top.key_location("region"), "cannot make a file name from this region name: use letters")
        region = None
    if region is None or source is None or as_of is None or figures is None:
        return None
    return Snapshot(
        id=ident,
        rel=rel,
        region=slugify(region[config.default_language]),
        region_name=MappingProxyType(region),
        source=MappingProxyType(source),
        source_url=source_url,
        as_of=as_of,
        figures=figures,
    )


def _figures(items, top: MappingChecker, as_of: dt.date | None, codes, diagnostics: Diagnostics):
    if items is None:
        return None
    if not items:
        diagnostics.error(top.value_location("figures"), "'figures' is empty: list at least one figure")
        return None
    checked: list[tuple[Figure, MappingChecker]] = []
    first_line: dict[str, int] = {}
    typed_keys = {item.get("key") for item in items if isinstance(item, MarkedMap) and isinstance(item.get("key"), str)}
    ok = True
    for item, pos in zip(items, items.item_pos):
        if not isinstance(item, MarkedMap):
            diagnostics.error(
                top.at(pos), f"each item of 'figures' must be a mapping (key, label, value …), not {describe(item)}"
            )
            ok = False
            continue
        checker = MappingChecker(item, top.rel, top.line_offset, diagnostics)
        figure = _figure(checker, as_of, codes, diagnostics)
        if figure is None:
            ok = False
            continue
        if figure.key in first_line:
            diagnostics.error(
                checker.value_location("key"),
                f"duplicate figure key '{figure.key}' (first used on line {first_line[figure.key]})",
            )
            ok = False
            continue
        first_line[figure.key] = checker.value_location("key").line
        checked.append((figure, checker))
    if not _check_parts(checked, typed_keys, diagnostics):
        ok = False
    return tuple(figure for figure, _ in checked) if ok else None


def _figure(checker: MappingChecker, as_of: dt.date | None, codes, diagnostics: Diagnostics) -> Figure | None:
    before = len(diagnostics.errors)
    values = checker.check(FIGURE_FIELDS, "figure")
    key = values.get("key")
    if key is not None and not FIGURE_KEY.fullmatch(key):
        diagnostics.error(
            checker.value_location("key"),
            f"figure key '{key}' must be lowercase letters, digits and '_', starting with a letter "
            f"(e.g. {slugify(key).replace('-', '_') or 'bhxh'})",
        )
    label = checker.localized("label", codes, "figure", required=False) if "label" in values else None
    unit = _choice(checker, values, "unit", UNITS, "people", on_error=None)
    qualifier = _choice(checker, values, "qualifier", QUALIFIERS, None)
    value = _amount(checker, values, "value", unit)
    target = _target(checker, values, unit, as_of, codes, diagnostics)
    if len(diagnostics.errors) > before or None in (key, label, unit, value):
        return None
    return Figure(
        key=key,
        label=MappingProxyType(label),
        value=value,
        unit=unit,
        qualifier=qualifier,
        part_of=values.get("part_of"),
        target=target,
    )


def _choice(checker: MappingChecker, values: dict, name: str, allowed: tuple[str, ...], default, on_error=None):
    """One of ``allowed``; ``on_error`` after a reported mistake (None: checks that need it are skipped)."""
    if name not in values:
        return default
    value = values[name]
    if value in allowed:
        return value
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'? " if close else ""
    options = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
    checker.diagnostics.error(checker.value_location(name), f"unknown {name} '{value}' ({hint}use {options})")
    return on_error


def _amount(checker: MappingChecker, values: dict, name: str, unit: str | None) -> Number | None:
    """A figure's value or target, checked against its unit (counts are whole, percents at most 100)."""
    if name not in values:
        return None
    number = values[name]
    at = checker.value_location(name)
    typed = getattr(checker.mapping, "value_text", {}).get(name, "")
    if unit in WHOLE_UNITS and isinstance(number, Decimal):
        if THOUSANDS_WITH_DOT.fullmatch(typed):
            digits = typed.replace(".", "")
            checker.diagnostics.error(
                at,
                f"'{name}' {typed} reads as a decimal number (YAML takes '.' as the decimal point): "
                f"write {digits}, without the thousands separator",
            )
            return None
        if number != number.to_integral_value():
            checker.diagnostics.error(at, f"'{name}' must be a whole number of {WHOLE_UNITS[unit]}, not {typed}")
            return None
        number = int(number)
    if number < 0:
        checker.diagnostics.error(at, f"'{name}' may not be negative ({typed or number})")
        return None
    if unit == "percent" and number > 100:
        checker.diagnostics.error(at, f"'{name}' is a percent and may not be over 100 ({typed or number})")
        return None
    return number


def _target(checker: MappingChecker, values: dict, unit, as_of, codes, diagnostics: Diagnostics) -> Target | None:
    if "target" not in checker.mapping:
        for name in TARGET_DETAILS:
            if name in checker.mapping:
                diagnostics.error(checker.key_location(name), f"'{name}' needs a 'target' in the same figure")
        return None
    if "target" not in values:
        return None  # its mistake is reported already
    amount = _amount(checker, values, "target", unit)
    if amount == 0:
        diagnostics.error(checker.value_location("target"), "'target' must be above 0")
        amount = None
    if "target_label" not in checker.mapping:
        example = ", ".join(f"{code}: …" for code in codes)
        diagnostics.error(checker.key_location("target"), f"a 'target' needs a 'target_label' ({{{example}}})")
    label = checker.localized("target_label", codes, "figure", required=False) if "target_label" in values else None
    qualifier = _choice(checker, values, "target_qualifier", QUALIFIERS, None)
    date = values.get("target_date")
    if isinstance(date, dt.datetime):
        date = date.date()
    if date is not None and as_of is not None and date < as_of:
        diagnostics.error(
            checker.value_location("target_date"),
            f"target_date {date.isoformat()} is before as_of {as_of.isoformat()}",
        )
        date = None  # so the checkpoint is not also reported as after it
    checkpoint = _checkpoint(checker, values, date, codes, diagnostics) if "checkpoint" in values else None
    if amount is None or label is None:
        return None
    return Target(amount, qualifier, MappingProxyType(label), date, checkpoint)


def _checkpoint(checker: MappingChecker, values: dict, target_date, codes, diagnostics) -> Checkpoint | None:
    inner = MappingChecker(values["checkpoint"], checker.rel, checker.line_offset, diagnostics)
    fields = inner.check(CHECKPOINT_FIELDS, "checkpoint")
    percent = _amount(inner, fields, "percent", "percent")
    if percent == 0:
        diagnostics.error(inner.value_location("percent"), "'percent' must be above 0")
        percent = None
    date = fields.get("date")
    if isinstance(date, dt.datetime):
        date = date.date()
    if date is not None and target_date is not None and date > target_date:
        diagnostics.error(
            inner.value_location("date"),
            f"checkpoint date {date.isoformat()} is after target_date {target_date.isoformat()}",
        )
    label = inner.localized("label", codes, "checkpoint", required=False) if "label" in fields else None
    if percent is None or date is None:
        return None
    return Checkpoint(percent, date, MappingProxyType(label) if label else None)


def _check_parts(checked: list[tuple[Figure, MappingChecker]], typed_keys: set, diagnostics: Diagnostics) -> bool:
    """``part_of`` names another figure of the same file, in the same unit, and does not exceed it."""
    by_key = {figure.key: figure for figure, _ in checked}
    ok = True
    for figure, checker in checked:
        if figure.part_of is None:
            continue
        if figure.part_of not in by_key and figure.part_of in typed_keys:
            ok = False  # the whole has errors of its own, already reported
            continue
        at = checker.value_location("part_of")
        whole = by_key.get(figure.part_of)
        if whole is None:
            close = difflib.get_close_matches(figure.part_of, list(by_key), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "figures here: " + ", ".join(by_key)
            diagnostics.error(at, f"unknown part_of '{figure.part_of}': no figure with that key in this file ({hint})")
            ok = False
        elif whole is figure:
            diagnostics.error(at, f"figure '{figure.key}' cannot be part_of itself")
            ok = False
        elif whole.unit != figure.unit:
            diagnostics.error(
                at,
                f"'{figure.key}' is in {figure.unit} but '{whole.key}', the figure it is part_of, is in {whole.unit}",
            )
            ok = False
        elif _circular(figure, by_key):
            diagnostics.error(at, f"part_of goes round in a circle: {' → '.join(_circular(figure, by_key))}")
            ok = False
        # A whole given as "about"/"more than" may really be larger than the number written down.
        elif figure.value > whole.value and whole.qualifier not in ("about", "more_than"):
            diagnostics.error(
                checker.value_location("value"),
                f"'{figure.key}' ({figure.value}) is larger than '{whole.key}' ({whole.value}), "
                "the figure it is part_of",
            )
            ok = False
    return ok


def _circular(figure: Figure, by_key: dict[str, Figure]) -> list[str] | None:
    chain = [figure.key]
    current = figure
    while current.part_of in by_key:
        current = by_key[current.part_of]
        chain.append(current.key)
        if current.key == figure.key:
            return chain
        if chain.count(current.key) > 1:
            return None  # a circle further up, reported at its own figures
    return None


def group_regions(snapshots: list[Snapshot], diagnostics: Diagnostics) -> tuple[Region, ...]:
    """Snapshots of the same region, oldest first; regions by slug."""
    grouped: dict[str, list[Snapshot]] = {}
    for snapshot in sorted(snapshots, key=lambda s: (s.region, s.as_of, s.id)):
        same = grouped.setdefault(snapshot.region, [])
        if same and same[-1].as_of == snapshot.as_of:
            diagnostics.error(
                Location(snapshot.rel),
                f"a second snapshot of '{snapshot.region_name[next(iter(snapshot.region_name))]}' as of "
                f"{snapshot.as_of.isoformat()} (the first is {same[-1].rel}); merge them or fix 'as_of'",
            )
            continue
        if same and dict(same[0].region_name) != dict(snapshot.region_name):
            diagnostics.error(
                Location(snapshot.rel),
                f"region names differ from {same[0].rel} ("
                + ", ".join(f"{code}: '{name}'" for code, name in same[0].region_name.items())
                + "): use the same names in every snapshot of a region",
            )
            continue
        same.append(snapshot)
    return tuple(Region(slug, same[-1].region_name, tuple(same)) for slug, same in sorted(grouped.items()))


# --- Text and charts for one language ------------------------------------------------------------


class StatsView:
    """Numbers as one language writes them (Babel), and the charts that show them."""

    def __init__(self, formatter: Formatter, strings: Mapping[str, str], code: str):
        self.fmt = formatter
        self.t = strings
        self.code = code

    def amount(self, value: Number, unit: str, qualifier: str | None = None) -> str:
        if unit == "percent":
            text = self.fmt.percent(Decimal(value) / 100, "#,##0.##%")
        elif unit == "vnd":
            text = self.fmt.money(value)
        else:
            text = self.fmt.number(value)
        return self.t[f"stats_{qualifier}"].format(value=text) if qualifier else text

    def value(self, figure: Figure) -> str:
        """"61.649", or "gần 30.000" for an approximate figure."""
        return self.amount(figure.value, figure.unit, figure.qualifier)

    def target(self, figure: Figure) -> str:
        """"trên 17.000" / "more than 17,000"."""
        return self.amount(figure.target.value, figure.unit, figure.target.qualifier)

    def progress(self, figure: Figure) -> str:
        """"49,9%" / "49.9%"."""
        return self.fmt.percent(figure.progress)

    def checkpoint_label(self, checkpoint: Checkpoint) -> str:
        return checkpoint.label[self.code] if checkpoint.label else self.t["stats_checkpoint"]

    def checkpoint(self, checkpoint: Checkpoint) -> str:
        """"60% chỉ tiêu, hạn 30/06/2020" / "60% of the target by Jun 30, 2020"."""
        return self.t["stats_checkpoint_text"].format(
            percent=self.fmt.percent(checkpoint.ratio, "#,##0.##%"), date=self.fmt.short_date(checkpoint.date)
        )

    def progress_bar(self, figure: Figure):
        target = figure.target
        name = self.t["stats_progress_chart"].format(
            label=target.label[self.code], progress=self.progress(figure), value=self.value(figure),
            target=self.target(figure),
        )
        if target.checkpoint:
            name += f"; {self.checkpoint_label(target.checkpoint)}: {self.checkpoint(target.checkpoint)}"
        ratio = target.checkpoint.ratio if target.checkpoint else None
        return charts.progress_bar(figure.progress, ratio, name)

    def history_chart(self, series: Series):
        first, last = series.points[0][0], series.points[-1][0]
        name = self.t["stats_history_chart"].format(
            label=series.label[self.code], start=self.fmt.short_date(first), end=self.fmt.short_date(last)
        )
        bars = [charts.Bar(self.fmt.short_date(day), f.value, self.value(f)) for day, f in series.points]
        return charts.bar_chart(bars, name)


# --- Exports -------------------------------------------------------------------------------------


def _raw(value: Number | None):
    """A number for JSON: ints stay ints, decimals become JSON numbers (49.9)."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def stats_json(regions: tuple[Region, ...]) -> bytes:
    """Every snapshot with raw numbers and ISO dates; the shape is documented in the README."""
    document = {
        "version": JSON_VERSION,
        "regions": [
            {
                "id": region.slug,
                "name": dict(region.name),
                "csv": region.csv_name,
                "snapshots": [_snapshot_json(snapshot) for snapshot in region.snapshots],
            }
            for region in regions
        ],
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _snapshot_json(snapshot: Snapshot) -> dict:
    return {
        "id": snapshot.id,
        "as_of": snapshot.as_of.isoformat(),
        "source": dict(snapshot.source),
        "source_url": snapshot.source_url,
        "figures": [
            {
                "key": figure.key,
                "label": dict(figure.label),
                "value": _raw(figure.value),
                "unit": figure.unit,
                "qualifier": figure.qualifier,
                "part_of": figure.part_of,
                "target": _target_json(figure),
            }
            for figure in snapshot.figures
        ],
    }


def _target_json(figure: Figure) -> dict | None:
    target = figure.target
    if target is None:
        return None
    checkpoint = target.checkpoint
    return {
        "value": _raw(target.value),
        "qualifier": target.qualifier,
        "label": dict(target.label),
        "date": target.date.isoformat() if target.date else None,
        "progress": float(figure.progress),
        "checkpoint": None if checkpoint is None else {
            "percent": _raw(checkpoint.percent),
            "date": checkpoint.date.isoformat(),
            "label": dict(checkpoint.label) if checkpoint.label else None,
        },
    }


CSV_COLUMNS = (
    "region", "as_of", "key", "label_{lang}", "value", "unit", "qualifier", "part_of",
    "target", "target_qualifier", "target_date", "checkpoint_percent", "checkpoint_date", "source_{lang}",
)


def region_csv(region: Region, codes: tuple[str, ...]) -> bytes:
    """One row per figure per snapshot, oldest first; UTF-8, header row, empty cells for "none"."""
    columns = []
    for column in CSV_COLUMNS:
        columns.extend(column.format(lang=code) for code in codes) if "{lang}" in column else columns.append(column)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for snapshot in region.snapshots:
        for figure in snapshot.figures:
            target = figure.target
            checkpoint = target.checkpoint if target else None
            row = {
                "region": region.slug,
                "as_of": snapshot.as_of.isoformat(),
                "key": figure.key,
                **{f"label_{code}": figure.label[code] for code in codes},
                "value": _raw(figure.value),
                "unit": figure.unit,
                "qualifier": figure.qualifier,
                "part_of": figure.part_of,
                "target": _raw(target.value) if target else None,
                "target_qualifier": target.qualifier if target else None,
                "target_date": target.date.isoformat() if target and target.date else None,
                "checkpoint_percent": _raw(checkpoint.percent) if checkpoint else None,
                "checkpoint_date": checkpoint.date.isoformat() if checkpoint else None,
                **{f"source_{code}": snapshot.source[code] for code in codes},
            }
            writer.writerow(["" if row[c] is None else row[c] for c in columns])
    return out.getvalue().encode("utf-8")


# --- The section -----------------------------------------------------------------------------------


def dashboard_url(lang: Language) -> str:
    return f"{lang.prefix}{lang.sections.stats}/"


class StatsSection:
    """The stats section: shortcode blocks, the dashboard per language, stats.json and CSVs.

    Templates see it as ``stats``: ``stats.regions``, ``stats.url(lang)``,
    ``stats.export_url(name)`` and ``stats.view(code)`` (numbers and charts in one language).
    """

    name = "stats"
    json_name = JSON_NAME
    # Its plan reads its regions (the fingerprint) and the settings only: the preview keeps the
    # dashboards, stats.json and the CSVs while neither changes (warm.py).
    replayable = True

    def __init__(self) -> None:
        self.config: SiteConfig | None = None
        self.snapshots: dict[str, Snapshot] = {}
        self.broken: set[str] = set()
        self.regions: tuple[Region, ...] = ()
        self._views: dict[str, StatsView] = {}
        self._digests: dict[str, str] = {}  # stats id -> snapshot_digest
        self._fingerprint: str | None = None

    # Section protocol

    def load(self, root: Path, config: SiteConfig, articles: list[ArticleSource], diagnostics: Diagnostics) -> None:
        self.config = config
        loaded = load_stats(root, config, diagnostics)
        self.snapshots = {snapshot.id: snapshot for snapshot in loaded.snapshots}
        self.broken = loaded.broken
        self.regions = group_regions(loaded.snapshots, diagnostics)
        self._digests, self._fingerprint = {}, None

    def shortcodes(self, renderer: "Renderer", diagnostics: Diagnostics) -> Iterable[Shortcode]:
        self._views = {
            lang.code: StatsView(Formatter(lang, renderer.config), renderer.ui.for_language(lang.code), lang.code)
            for lang in renderer.config.languages
        }

        def exists(ident: str) -> bool:
            # A file with errors exists: its own errors are reported, not "unknown id" as well.
            return ident in self.snapshots or ident in self.broken

        def render(ident: str, lang: str) -> str:
            snapshot = self.snapshots.get(ident)
            if snapshot is None:
                return ""
            return renderer.render_partial(STATS_BLOCK, lang, diagnostics, snapshot=snapshot)

        return [Shortcode("stats", "stats id", f"{STATS_DIR}/<id>.yaml", exists, render, STATS_DIR, (STATS_BLOCK,),
                          self.snapshot_digest)]

    def snapshot_digest(self, ident: str) -> str:
        """What the block of a stats id is made from (besides the settings, UI strings and its
        templates): that snapshot as read, or whether its file is there at all (with errors, or
        none). An article that shows figures is made again when the snapshot it shows changes, not
        when another stats file does (shortcodes.DataDigests): a province's archive cites hundreds."""
        if ident not in self._digests:
            self._digests[ident] = item_digest(self.snapshots.get(ident), ident in self.broken)
        return self._digests[ident]

    def check(self, site: Site, diagnostics: Diagnostics) -> None:
        """Nothing to cross-check: the shortcodes were checked while the bodies were rendered."""

    def plan(self, planner: "Planner") -> None:
        if not self.regions:
            return
        for lang in planner.config.languages:
            planner.page(lang, dashboard_url(lang), "stats/dashboard.html", "stats dashboard",
                         planner.shared(dashboard_url), fallback=dashboard_url, origin=STATS_DIR,
                         regions=self.regions)
        planner.data(self.export_path(JSON_NAME), stats_json(self.regions), JSON_NAME, STATS_DIR)
        for region in self.regions:
            planner.data(self.export_path(region.csv_name), region_csv(region, planner.config.codes),
                         f"CSV of region '{region.slug}'", region.snapshots[0].rel)

    def fingerprint(self) -> str | None:
        """Everything templates read from this section is in its regions (numbers are formatted
        with the settings and UI strings, which every page's fingerprint covers already). Worked out
        once a build: the preview asks before planning, the pages' fingerprints ask again."""
        if self._fingerprint is None:
            self._fingerprint = Fingerprinter().of(self.regions)
        return self._fingerprint

    # For templates

    def url(self, lang: Language) -> str:
        return dashboard_url(lang)

    def export_path(self, name: str) -> str:
        """Exports are language-neutral: one copy, beside the default language's dashboard."""
        default = self.config.language(self.config.default_language)
        return dashboard_url(default) + name

    def view(self, code: str) -> StatsView:
        return self._views[code]

