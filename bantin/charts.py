"""Inline SVG charts drawn at build time: a progress bar per target, bars over time per figure.

The charts are pictures of numbers the page also gives as text and in a real
``<table>``: each SVG is ``role="img"`` with an accessible name (``aria-label``
and ``<title>``), and its shapes are hidden from assistive technology. Colours come
from the theme's CSS classes, so the charts follow the light and dark schemes. No
JavaScript, no IDs (a block may appear twice on a page), same bytes every build.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

PROGRESS_WIDTH = 300
PROGRESS_HEIGHT = 14
BAR_SLOT = 96  # width given to each bar and its labels
BAR_CHART_HEIGHT = 220
BAR_TOP = 28  # room for the value above the tallest bar
BAR_BOTTOM = 30  # room for the date under the baseline


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar, e.g. a date
    value: int | Decimal
    text: str  # the value as the page writes it, above the bar


def _n(x: float | Decimal) -> str:
    """A coordinate with at most two decimals and no trailing zeros (stable across builds)."""
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _open(css_class: str, width: int, height: int, name: str, fixed_size: bool) -> str:
    size = f' width="{width}" height="{height}"' if fixed_size else ""
    return (
        f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"{size}'
        f' role="img" aria-label="{escape(name)}" preserveAspectRatio="{"xMinYMin meet" if fixed_size else "none"}">'
        f"<title>{escape(name)}</title>"
    )


def progress_bar(ratio: Decimal, checkpoint: Decimal | None, name: str) -> Markup:
    """A bar filled to ``ratio`` of the target (capped at full), with a tick at the checkpoint's share."""
    filled = max(Decimal(0), min(Decimal(1), ratio)) * PROGRESS_WIDTH
    parts = [
        _open("stats-progress", PROGRESS_WIDTH, PROGRESS_HEIGHT, name, fixed_size=False),
        f'<rect class="stats-progress-track" x="0" y="0" width="{PROGRESS_WIDTH}" height="{PROGRESS_HEIGHT}"/>',
        f'<rect class="stats-progress-fill" x="0" y="0" width="{_n(filled)}" height="{PROGRESS_HEIGHT}"/>',
    ]
    if checkpoint is not None:
        x = max(Decimal(0), min(Decimal(1), checkpoint)) * PROGRESS_WIDTH
        left = _n(max(Decimal(0), x - 1))
        parts.append(f'<rect class="stats-progress-mark" x="{left}" y="0" width="2" height="{PROGRESS_HEIGHT}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(bars: list[Bar], name: str) -> Markup:
    """One bar per point in time, each with its value above and its date below."""
    width = max(2, len(bars)) * BAR_SLOT
    plot = BAR_CHART_HEIGHT - BAR_TOP - BAR_BOTTOM
    baseline = BAR_TOP + plot
    top = max((Decimal(bar.value) for bar in bars), default=Decimal(0))
    parts = [
        _open("stats-chart", width, BAR_CHART_HEIGHT, name, fixed_size=True),
        f'<line class="stats-chart-axis" x1="0" y1="{baseline}" x2="{width}" y2="{baseline}"/>',
    ]
    for index, bar in enumerate(bars):
        height = Decimal(bar.value) / top * plot if top > 0 else Decimal(0)
        centre = index * BAR_SLOT + BAR_SLOT / 2
        bar_width = BAR_SLOT * 0.6
        parts.append(
            f'<rect class="stats-chart-bar" x="{_n(centre - bar_width / 2)}" y="{_n(baseline - height)}"'
            f' width="{_n(bar_width)}" height="{_n(height)}"/>'
        )
        parts.append(
            f'<text x="{_n(centre)}" y="{_n(baseline - height - 8)}" text-anchor="middle">{escape(bar.text)}</text>'
        )
        parts.append(
            f'<text x="{_n(centre)}" y="{baseline + 20}" text-anchor="middle">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
