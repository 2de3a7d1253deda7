"""Participation stats: the block's exact numbers in both languages, progress, exports, charts and every error.

The sample site's figures come from the seed report only (one snapshot). The time
series that exercises the charts is made up and lives here, never in content/.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import MINIMAL_ARTICLE, REPO, make_site, run_build, run_build_process

from bantin.config import load_config
from bantin.diagnostics import Diagnostics
from bantin.i18n import Formatter, load_ui_strings
from bantin.stats import Checkpoint, Figure, StatsView, Target, load_stats

SEED_VI = "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html"
SEED_EN = "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/index.html"
STATS = "content/stats/lang-son-2020-05.yaml"
A = "content/articles/a.vi.md"
BLOCK = re.compile(r'<figure class="stats-block">.*?</figure>\n', re.S)


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


# --- The block in the seed article: exact HTML in both languages ---------------------------------

BLOCK_VI = """\
<figure class="stats-block">
<figcaption class="stats-caption">Số liệu tham gia: Lạng Sơn</figcaption>
<ul class="stats-tiles">
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">61.649</span> <span class="stats-label">Người tham gia BHXH</span></p>
<p class="stats-of-which">Trong đó:</p>
<ul class="stats-parts">
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">8.475</span> <span class="stats-label">Người tham gia BHXH tự nguyện</span></p>
<div class="stats-target">
<svg class="stats-progress" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 14" role="img" \
aria-label="Chỉ tiêu năm 2020: đạt 49,9% (8.475 / trên 17.000); Mục tiêu đợt ra quân: 60% chỉ tiêu, hạn 30/06/2020" \
preserveAspectRatio="none"><title>Chỉ tiêu năm 2020: đạt 49,9% (8.475 / trên 17.000); Mục tiêu đợt ra quân: 60% chỉ tiêu, \
hạn 30/06/2020</title><rect class="stats-progress-track" x="0" y="0" width="300" height="14"/>\
<rect class="stats-progress-fill" x="0" y="0" width="149.56" height="14"/>\
<rect class="stats-progress-mark" x="179" y="0" width="2" height="14"/></svg>
<table class="stats-target-table">
<tr><th scope="row">Chỉ tiêu năm 2020</th><td>trên 17.000</td></tr>
<tr><th scope="row">Tiến độ</th><td>49,9%</td></tr>
<tr><th scope="row">Mục tiêu đợt ra quân</th><td>60% chỉ tiêu, hạn 30/06/2020</td></tr>
<tr><th scope="row">Thời hạn</th><td><time datetime="2020-12-31">31/12/2020</time></td></tr>
</table>
</div>
</li>
</ul>
</li>
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">739.578</span> <span class="stats-label">Người tham gia BHYT</span></p>
</li>
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">gần 30.000</span> <span class="stats-label">Người hưởng lương hưu, \
trợ cấp xã hội được chi trả qua bưu điện</span></p>
</li>
</ul>
<p class="stats-source">Số liệu tính đến ngày <time datetime="2020-05-23">23/05/2020</time>. \
Nguồn: BHXH tỉnh Lạng Sơn (qua Báo Lạng Sơn, 23/05/2020).</p>
</figure>
"""

BLOCK_EN = """\
<figure class="stats-block">
<figcaption class="stats-caption">Participation figures: Lạng Sơn</figcaption>
<ul class="stats-tiles">
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">61,649</span> <span class="stats-label">Social insurance participants</span></p>
<p class="stats-of-which">Of which:</p>
<ul class="stats-parts">
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">8,475</span> \
<span class="stats-label">Voluntary social insurance participants</span></p>
<div class="stats-target">
<svg class="stats-progress" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 14" role="img" \
aria-label="2020 target: 49.9% reached (8,475 of more than 17,000); Campaign goal: 60% of the target by Jun 30, 2020" \
preserveAspectRatio="none"><title>2020 target: 49.9% reached (8,475 of more than 17,000); Campaign goal: 60% of the \
target by Jun 30, 2020</title><rect class="stats-progress-track" x="0" y="0" width="300" height="14"/>\
<rect class="stats-progress-fill" x="0" y="0" width="149.56" height="14"/>\
<rect class="stats-progress-mark" x="179" y="0" width="2" height="14"/></svg>
<table class="stats-target-table">
<tr><th scope="row">2020 target</th><td>more than 17,000</td></tr>
<tr><th scope="row">Progress</th><td>49.9%</td></tr>
<tr><th scope="row">Campaign goal</th><td>60% of the target by Jun 30, 2020</td></tr>
<tr><th scope="row">Deadline</th><td><time datetime="2020-12-31">Dec 31, 2020</time></td></tr>
</table>
</div>
</li>
</ul>
</li>
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">739,578</span> <span class="stats-label">Health insurance participants</span></p>
</li>
<li class="stats-tile">
<p class="stats-figure"><span class="stats-value">nearly 30,000</span> <span class="stats-label">Pensioners and social \
allowance recipients paid through the post office</span></p>
</li>
</ul>
<p class="stats-source">Figures as of <time datetime="2020-05-23">May 23, 2020</time>. \
Source: Lạng Sơn provincial social insurance office (via Báo Lạng Sơn, 23 May 2020).</p>
</figure>
"""


@pytest.mark.parametrize("rel, expected", [(SEED_VI, BLOCK_VI), (SEED_EN, BLOCK_EN)], ids=["vi", "en"])
def test_seed_article_block_is_exactly_the_golden_html(sample_site, rel, expected):
    html = read(sample_site, rel)
    assert BLOCK.findall(html) == [expected]
    # The block stands where the report gives the figures: right after the target paragraph.
    before = html[: html.index('<figure class="stats-block">')]
    assert before.rstrip().endswith(("6 tháng đầu năm nay.</p>", "within the first six months of this year.</p>"))


@pytest.mark.parametrize("rel", ["index.html", "so-lieu/index.html", "en/index.html", "en/stats/index.html"])
def test_home_and_dashboard_show_the_same_block(sample_site, rel):
    expected = BLOCK_EN if rel.startswith("en/") else BLOCK_VI
    assert BLOCK.findall(read(sample_site, rel)) == [expected]


def test_approximate_value_is_never_shown_as_an_exact_count(sample_site):
    for rel, words in [("so-lieu/index.html", "gần 30.000"), ("en/stats/index.html", "nearly 30,000")]:
        text = re.sub(r"<[^>]+>", "", read(sample_site, rel))
        assert text.count("30.000" if rel.startswith("so") else "30,000") == text.count(words) == 2, rel  # block, table
    data = json.loads(read(sample_site, "so-lieu/stats.json"))
    figure = data["regions"][0]["snapshots"][0]["figures"][3]
    assert (figure["key"], figure["value"], figure["qualifier"]) == ("chi_tra_qua_buu_dien", 30000, "nearly")


# --- Progress, numbers and qualifiers, computed and formatted by Babel ---------------------------


@pytest.fixture(scope="module")
def views() -> dict[str, StatsView]:
    diagnostics = Diagnostics()
    config = load_config(REPO, diagnostics)
    ui = load_ui_strings(REPO, config, diagnostics)
    assert not diagnostics.items
    return {lang.code: StatsView(Formatter(lang, config), ui.for_language(lang.code), lang.code)
            for lang in config.languages}


def voluntary(value=8475, target=17000, qualifier="more_than") -> Figure:
    checkpoint = Checkpoint(60, dt.date(2020, 6, 30), None)
    target = Target(target, qualifier, {"vi": "Chỉ tiêu", "en": "Target"}, dt.date(2020, 12, 31), checkpoint)
    return Figure("tu_nguyen", {"vi": "Tự nguyện", "en": "Voluntary"}, value, "people", None, "bhxh", target)


def test_progress_is_computed_from_value_and_target(views):
    figure = voluntary()
    assert figure.progress == Decimal(8475) / Decimal(17000)
    assert (views["vi"].progress(figure), views["en"].progress(figure)) == ("49,9%", "49.9%")
    assert (views["vi"].target(figure), views["en"].target(figure)) == ("trên 17.000", "more than 17,000")
    assert views["vi"].progress(voluntary(1, 3)) == "33,3%"
    assert views["en"].progress(voluntary(20400, 17000)) == "120.0%"


def test_progress_bar_is_capped_and_marks_the_checkpoint(views):
    bar = views["en"].progress_bar(voluntary(20400, 17000))
    assert '<rect class="stats-progress-fill" x="0" y="0" width="300" height="14"/>' in bar
    assert '<rect class="stats-progress-mark" x="179" y="0" width="2" height="14"/>' in bar
    assert ('aria-label="Target: 120.0% reached (20,400 of more than 17,000); '
            'Milestone: 60% of the target by Jun 30, 2020"') in bar


@pytest.mark.parametrize("value, unit, qualifier, vi, en", [
    (61649, "people", None, "61.649", "61,649"),
    (30000, "people", "nearly", "gần 30.000", "nearly 30,000"),
    (17000, "people", "more_than", "trên 17.000", "more than 17,000"),
    (5000, "people", "about", "khoảng 5.000", "about 5,000"),
    (100, "people", "less_than", "dưới 100", "less than 100"),
    (Decimal("90.5"), "percent", None, "90,5%", "90.5%"),
    (1500000, "vnd", None, "1.500.000\u00a0₫", "₫1,500,000"),
])
def test_amounts_in_both_languages(views, value, unit, qualifier, vi, en):
    assert views["vi"].amount(value, unit, qualifier) == vi
    assert views["en"].amount(value, unit, qualifier) == en


# --- Exports ---------------------------------------------------------------------------------------

LABELS = {
    "bhxh": {"vi": "Người tham gia BHXH", "en": "Social insurance participants"},
    "bhxh_tu_nguyen": {"vi": "Người tham gia BHXH tự nguyện", "en": "Voluntary social insurance participants"},
    "bhyt": {"vi": "Người tham gia BHYT", "en": "Health insurance participants"},
    "chi_tra_qua_buu_dien": {
        "vi": "Người hưởng lương hưu, trợ cấp xã hội được chi trả qua bưu điện",
        "en": "Pensioners and social allowance recipients paid through the post office",
    },
}
SOURCE = {
    "vi": "BHXH tỉnh Lạng Sơn (qua Báo Lạng Sơn, 23/05/2020)",
    "en": "Lạng Sơn provincial social insurance office (via Báo Lạng Sơn, 23 May 2020)",
}


def plain(key, value, qualifier=None):
    return {"key": key, "label": LABELS[key], "value": value, "unit": "people", "qualifier": qualifier,
            "part_of": None, "target": None}


def test_stats_json_has_every_snapshot_with_raw_numbers_and_iso_dates(sample_site):
    raw = (sample_site / "so-lieu/stats.json").read_bytes()
    assert raw.endswith(b"}\n") and not raw.startswith(b"\xef\xbb\xbf")
    assert json.loads(raw.decode("utf-8")) == {
        "version": 1,
        "regions": [{
            "id": "lang-son",
            "name": {"vi": "Lạng Sơn", "en": "Lạng Sơn"},
            "csv": "lang-son.csv",
            "snapshots": [{
                "id": "lang-son-2020-05",
                "as_of": "2020-05-23",
                "source": SOURCE,
                "source_url": None,
                "figures": [
                    plain("bhxh", 61649),
                    {**plain("bhxh_tu_nguyen", 8475), "part_of": "bhxh", "target": {
                        "value": 17000,
                        "qualifier": "more_than",
                        "label": {"vi": "Chỉ tiêu năm 2020", "en": "2020 target"},
                        "date": "2020-12-31",
                        "progress": 8475 / 17000,
                        "checkpoint": {"percent": 60, "date": "2020-06-30",
                                       "label": {"vi": "Mục tiêu đợt ra quân", "en": "Campaign goal"}},
                    }},
                    plain("bhyt", 739578),
                    plain("chi_tra_qua_buu_dien", 30000, "nearly"),
                ],
            }],
        }],
    }
    assert not (sample_site / "en/stats/stats.json").exists()  # one copy, for both languages


CSV_HEADER = ["region", "as_of", "key", "label_vi", "label_en", "value", "unit", "qualifier", "part_of", "target",
              "target_qualifier", "target_date", "checkpoint_percent", "checkpoint_date", "source_vi", "source_en"]


def test_region_csv_is_utf8_with_a_header_row(sample_site):
    raw = (sample_site / "so-lieu/lang-son.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\r\n") == raw.count(b"\n") == 5  # RFC 4180 lines
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    source = [SOURCE["vi"], SOURCE["en"]]
    assert rows == [
        CSV_HEADER,
        ["lang-son", "2020-05-23", "bhxh", *LABELS["bhxh"].values(), "61649", "people", "", "", "", "", "", "", "",
         *source],
        ["lang-son", "2020-05-23", "bhxh_tu_nguyen", *LABELS["bhxh_tu_nguyen"].values(), "8475", "people", "", "bhxh",
         "17000", "more_than", "2020-12-31", "60", "2020-06-30", *source],
        ["lang-son", "2020-05-23", "bhyt", *LABELS["bhyt"].values(), "739578", "people", "", "", "", "", "", "", "",
         *source],
        ["lang-son", "2020-05-23", "chi_tra_qua_buu_dien", *LABELS["chi_tra_qua_buu_dien"].values(), "30000", "people",
         "nearly", "", "", "", "", "", "", *source],
    ]


@pytest.mark.parametrize("rel", ["so-lieu/index.html", "en/stats/index.html"])
def test_dashboard_links_its_exports_and_is_in_the_nav(sample_site, rel):
    html = read(sample_site, rel)
    assert '<a href="/so-lieu/stats.json" type="application/json">stats.json</a>' in html
    assert html.count('<a href="/so-lieu/lang-son.csv" type="text/csv">') == 2
    vi = rel.startswith("so-lieu/")
    nav = '<li><a href="/so-lieu/">Số liệu</a></li>' if vi else '<li><a href="/en/stats/">Stats</a></li>'
    assert nav in html
    assert nav in read(sample_site, "index.html" if vi else "en/index.html")


def test_dashboard_history_table_of_the_sample(sample_site):
    html = read(sample_site, "en/stats/index.html")
    assert "<h1>Participation figures</h1>" in html
    assert '<h2 id="region-lang-son">Lạng Sơn</h2>' in html
    assert ('<tr><th scope="row">Pensioners and social allowance recipients paid through the post office</th>'
            "<td>nearly 30,000</td></tr>") in html
    assert "<svg class=\"stats-chart\"" not in html  # one snapshot: no chart over time


# --- A time series (made-up figures, test-only) -----------------------------------------------------

SERIES = {
    f"content/stats/tinh-mau-2020-{month:02d}.yaml": f"""\
        region: {{vi: Tỉnh Mẫu, en: Sample Province}}
        source: {{vi: Số liệu giả để thử, en: Made-up test data}}
        as_of: 2020-{month:02d}-28
        figures:
          - key: bhxh
            label: {{vi: Người tham gia BHXH, en: Social insurance participants}}
            value: {whole}
          - key: tu_nguyen
            label: {{vi: Người tham gia BHXH tự nguyện, en: Voluntary participants}}
            value: {part}
            part_of: bhxh
            target: 12000
            target_label: {{vi: Chỉ tiêu năm 2020, en: 2020 target}}
        """
    for month, whole, part in [(3, 21000, 4100), (5, 26250, 6900), (4, 23500, 5250)]
}


@pytest.fixture(scope="module")
def series_site(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("series"), {**SERIES, A: MINIMAL_ARTICLE})
    out = root / "public"
    result = run_build_process(root, "build", "--quiet", "--out", str(out))
    assert result.code == 0, result.err
    return out


def test_history_charts_have_a_name_and_a_table_with_the_same_numbers(series_site):
    html = read(series_site, "en/stats/index.html")
    charts = re.findall(r'<figure class="stats-history-chart">.*?</figure>', html, re.S)
    assert len(charts) == 2
    chart = charts[0]
    assert "<figcaption>Social insurance participants</figcaption>" in chart
    name = "Social insurance participants from Mar 28, 2020 to May 28, 2020"
    assert (f'<svg class="stats-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 288 220" width="288" '
            f'height="220" role="img" aria-label="{name}" preserveAspectRatio="xMinYMin meet"><title>{name}</title>'
            ) in chart
    bars = re.findall(r'<text x="[\d.]+" y="[\d.]+" text-anchor="middle">([^<]+)</text>', chart)
    assert bars == ["21,000", "Mar 28, 2020", "23,500", "Apr 28, 2020", "26,250", "May 28, 2020"]
    assert chart.count('<rect class="stats-chart-bar"') == 3
    rows = re.findall(r'<tr><th scope="row"><time datetime="([\d-]+)">[^<]+</time></th><td>([^<]+)</td></tr>', chart)
    assert rows == [("2020-03-28", "21,000"), ("2020-04-28", "23,500"), ("2020-05-28", "26,250")]
    assert "<details>\n<summary>The chart&#39;s figures as a table</summary>\n<table>" in chart
    # The tallest bar fills the plot; the others are in proportion.
    heights = [Decimal(h) for h in re.findall(r'class="stats-chart-bar" [^>]*height="([\d.]+)"', chart)]
    assert heights[-1] == 162 and heights[0] == Decimal("129.6")


def test_latest_snapshot_and_history_table_newest_first(series_site):
    html = read(series_site, "so-lieu/index.html")
    assert '<span class="stats-value">26.250</span>' in html
    assert '<td>57,5%</td>' in html  # 6,900 of 12,000
    assert ('<tr><th scope="col">Chỉ số</th><th scope="col"><time datetime="2020-05-28">28/05/2020</time></th>'
            '<th scope="col"><time datetime="2020-04-28">28/04/2020</time></th>'
            '<th scope="col"><time datetime="2020-03-28">28/03/2020</time></th></tr>') in html
    rows = list(csv.DictReader(io.StringIO(read(series_site, "so-lieu/tinh-mau.csv"), newline="")))
    assert [(r["as_of"], r["key"], r["value"]) for r in rows] == [
        ("2020-03-28", "bhxh", "21000"), ("2020-03-28", "tu_nguyen", "4100"),
        ("2020-04-28", "bhxh", "23500"), ("2020-04-28", "tu_nguyen", "5250"),
        ("2020-05-28", "bhxh", "26250"), ("2020-05-28", "tu_nguyen", "6900"),
    ]
    data = json.loads(read(series_site, "so-lieu/stats.json"))
    assert [s["as_of"] for s in data["regions"][0]["snapshots"]] == ["2020-03-28", "2020-04-28", "2020-05-28"]


def test_stats_pages_of_the_series_are_valid_html(series_site):
    vnu = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    pages = [series_site / "so-lieu/index.html", series_site / "en/stats/index.html", series_site / "index.html"]
    command = ["java", "-Xss4m", "-jar", str(vnu), "--format", "json", "--exit-zero-always", *map(str, pages)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    messages = json.loads(proc.stderr)["messages"]
    problems = [m for m in messages if m["type"] != "info" or m.get("subType") == "warning"]
    assert not problems, problems


@pytest.mark.browser
@pytest.mark.parametrize("path", ["so-lieu/", "en/stats/"])
def test_axe_finds_no_violations_on_dashboards_with_charts(browser, series_site, path):
    from conftest import serve_folder
    from test_browser import AXE, axe_report

    with serve_folder(series_site) as url:
        context = browser.new_context(color_scheme="light")
        try:
            page = context.new_page()
            page.goto(f"{url}{path}")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            page.add_script_tag(path=str(AXE))
            light = page.evaluate("axe.run()")
            page.emulate_media(color_scheme="dark")
            dark = page.evaluate("axe.run({runOnly: ['color-contrast']})")
            names = page.evaluate(
                "Array.from(document.querySelectorAll('svg[role=img]')).map(s => s.getAttribute('aria-label'))"
            )
        finally:
            context.close()
    assert light["passes"]
    assert not axe_report(light) + axe_report(dark)
    assert len(names) == 3 and all(names)  # a progress bar and two charts over time


# --- No stats, no dashboard ------------------------------------------------------------------------


def test_a_site_without_stats_has_no_dashboard_nav_link_or_home_block(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert not (root / "public/so-lieu").exists() and not (root / "public/en/stats").exists()
    home = read(root / "public", "index.html")
    assert "stats" not in home and "Số liệu" not in home


# --- Validation: every message, exactly, at PATH:LINE:COL --------------------------------------------

VALID = """\
region: {vi: Lạng Sơn, en: Lạng Sơn}
source: {vi: Nguồn thử, en: Test source}
as_of: 2020-05-23
figures:
  - key: bhxh
    label: {vi: Người tham gia BHXH, en: Social insurance participants}
    value: 61649
  - key: tu_nguyen
    label: {vi: Người tham gia BHXH tự nguyện, en: Voluntary participants}
    value: 8475
    part_of: bhxh
    target: 17000
    target_label: {vi: Chỉ tiêu năm 2020, en: 2020 target}
    target_date: 2020-12-31
    checkpoint: {percent: 60, date: 2020-06-30}
  - key: ty_le
    label: {vi: Tỷ lệ, en: Share}
    value: 90.5
    unit: percent
"""


def stats_errors(site_factory, capsys, text: str, body: str = "") -> list[str]:
    root = site_factory({STATS: text, A: MINIMAL_ARTICLE + body})
    result = run_build(root, "build", capsys=capsys)
    if result.errors:
        assert result.code == 1 or not any(": error: " in e for e in result.errors)
        if result.code == 1:
            assert not (root / "public").exists()
    return result.errors


def change(old: str, new: str) -> str:
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def test_the_valid_file_builds(site_factory, capsys):
    assert stats_errors(site_factory, capsys, VALID, '\n{{< stats "lang-son-2020-05" >}}\n') == []


@pytest.mark.parametrize("old, new, message", [
    ("value: 61649", "value: 61.649",
     "7:12: error: 'value' 61.649 reads as a decimal number (YAML takes '.' as the decimal point): "
     "write 61649, without the thousands separator"),
    ("value: 61649", 'value: "61649"', "7:12: error: 'value' must be a number, not text ('61649'): remove the quotes"),
    ("value: 61649", "value: 61,649",
     "7:12: error: 'value' must be a number, not text ('61,649'): write 61649, without thousands separators"),
    ("value: 8475", "value: 8475.5", "10:12: error: 'value' must be a whole number of people, not 8475.5"),
    ("value: 8475", "value: 70000",
     "10:12: error: 'tu_nguyen' (70000) is larger than 'bhxh' (61649), the figure it is part_of"),
    ("part_of: bhxh", "part_of: bhx",
     "11:14: error: unknown part_of 'bhx': no figure with that key in this file (did you mean 'bhxh'?)"),
    ("  - key: ty_le", "  - key: bhxh", "16:10: error: duplicate figure key 'bhxh' (first used on line 5)"),
    ("    value: 61649\n", "    value: 61649\n    value: 61650\n", "8:5: error: duplicate key 'value' (first set on line 7)"),
    ("value: 8475", "value: -8475", "10:12: error: 'value' may not be negative (-8475)"),
    ("value: 90.5", "value: 120.5", "18:12: error: 'value' is a percent and may not be over 100 (120.5)"),
    ("{percent: 60,", "{percent: 160,", "15:27: error: 'percent' is a percent and may not be over 100 (160)"),
    ("target_date: 2020-12-31", "target_date: 2020-05-01",
     "14:18: error: target_date 2020-05-01 is before as_of 2020-05-23"),
    ("label: {vi: Người tham gia BHXH tự nguyện, en: Voluntary participants}",
     "label: {vi: Người tham gia BHXH tự nguyện}",
     "9:5: error: 'label' has no 'en' text: write it in every language ({vi: …, en: …})"),
    ("source: {vi: Nguồn thử, en: Test source}", "source: {en: Test source}",
     "2:1: error: 'source' has no 'vi' text: write it in every language ({vi: …, en: …})"),
    ("region: {vi: Lạng Sơn, en: Lạng Sơn}", "region: Lạng Sơn",
     "1:9: error: 'region' must be text in each language (a mapping such as {vi: …, en: …}), not text ('Lạng Sơn')"),
    ("as_of: 2020-05-23", "as_of: 23/05/2020",
     "3:8: error: invalid date text ('23/05/2020') for 'as_of': write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM "
     "(ISO 8601), e.g. 2020-05-23"),
    ("    unit: percent", "    unit: percents", "19:11: error: unknown unit 'percents' (did you mean 'percent'? "
     "use people, percent or vnd)"),
    ("    part_of: bhxh\n", "    part_of: bhxh\n    qualifier: roughly\n",
     "12:16: error: unknown qualifier 'roughly' (use nearly, about, more_than or less_than)"),
    ("target: 17000", "target: 0", "12:13: error: 'target' must be above 0"),
    ("target: 17000", 'target: "17.000"', "12:13: error: 'target' must be a number, not text ('17.000'): "
     "write 17000, without thousands separators"),
    ("    target_label: {vi: Chỉ tiêu năm 2020, en: 2020 target}\n", "",
     "12:5: error: a 'target' needs a 'target_label' ({vi: …, en: …})"),
    ("    target: 17000\n", "", "12:5: error: 'target_label' needs a 'target' in the same figure"),
    ("date: 2020-06-30}", "date: 2021-06-30}", "15:37: error: checkpoint date 2021-06-30 is after target_date 2020-12-31"),
    ("  - key: ty_le", "  - key: Tỷ lệ",
     "16:10: error: figure key 'Tỷ lệ' must be lowercase letters, digits and '_', starting with a letter (e.g. ty_le)"),
    ("as_of: 2020-05-23", "as_of: 2020-05-23\nsource_url: javascript:alert(1)",
     "4:13: error: source_url 'javascript:alert(1)' must be an http(s) address"),
    ("figures:\n", "figures:\n  - 61649\n",
     "5:5: error: each item of 'figures' must be a mapping (key, label, value …), not a number (61649)"),
])
def test_each_mistake_is_one_exact_message(site_factory, capsys, old, new, message):
    errors = stats_errors(site_factory, capsys, change(old, new))
    assert errors[0] == f"{STATS}:{message}"
    if "needs a 'target'" in message:  # the other details of the target are reported with it
        assert errors == [
            f"{STATS}:{message}",
            f"{STATS}:13:5: error: 'target_date' needs a 'target' in the same figure",
            f"{STATS}:14:5: error: 'checkpoint' needs a 'target' in the same figure",
        ]
    else:
        assert errors == [f"{STATS}:{message}"]


def test_unknown_keys_are_warnings_with_a_suggestion(site_factory, capsys):
    errors = stats_errors(site_factory, capsys, change("    unit: percent", "    unit: percent\n    lable: x"))
    assert errors == [f"{STATS}:20:5: warning: unknown figure key 'lable' (did you mean 'label'?)"]


def test_every_mistake_of_a_file_is_reported_in_one_run(site_factory, capsys):
    text = change("value: 61649", "value: 61.649").replace("value: 90.5", "value: 101").replace(
        "target_date: 2020-12-31", "target_date: 2020-01-01")
    assert stats_errors(site_factory, capsys, text) == [
        f"{STATS}:7:12: error: 'value' 61.649 reads as a decimal number (YAML takes '.' as the decimal point): "
        "write 61649, without the thousands separator",
        f"{STATS}:14:18: error: target_date 2020-01-01 is before as_of 2020-05-23",
        f"{STATS}:18:12: error: 'value' is a percent and may not be over 100 (101)",
    ]


def test_unknown_stats_id_in_a_shortcode_names_the_article_line(site_factory, capsys):
    errors = stats_errors(site_factory, capsys, VALID, '\nTrước.\n\n{{< stats "lang-son-2020-06" >}}\n')
    assert errors == [
        f"{A}:10:1: error: unknown stats id 'lang-son-2020-06' in shortcode 'stats' (no content/stats/<id>.yaml)"
    ]


def test_a_shortcode_to_a_broken_file_reports_only_the_file(site_factory, capsys):
    body = '\n{{< stats "lang-son-2020-05" >}}\n'
    errors = stats_errors(site_factory, capsys, change("value: 8475", "value: -1"), body)
    assert errors == [f"{STATS}:10:12: error: 'value' may not be negative (-1)"]


def test_file_names_and_regions(site_factory, capsys):
    root = site_factory({
        "content/stats/Lang Son.yaml": VALID,
        "content/stats/notes.txt": "x",
        "content/stats/a-2020-05.yaml": VALID,
        "content/stats/b-2020-05.yaml": VALID,
        "content/stats/c-2020-06.yaml": VALID.replace("as_of: 2020-05-23", "as_of: 2020-06-23").replace(
            "en: Lạng Sơn}", "en: Lang Son province}"),
        A: MINIMAL_ARTICLE,
    })
    result = run_build(root, "build", capsys=capsys)
    assert result.errors == [
        "content/stats/Lang Son.yaml:1:1: error: stats id 'Lang Son' (the file name) must be lowercase letters, "
        "digits and hyphens, e.g. lang-son.yaml",
        "content/stats/b-2020-05.yaml:1:1: error: a second snapshot of 'Lạng Sơn' as of 2020-05-23 "
        "(the first is content/stats/a-2020-05.yaml); merge them or fix 'as_of'",
        "content/stats/c-2020-06.yaml:1:1: error: region names differ from content/stats/a-2020-05.yaml "
        "(vi: 'Lạng Sơn', en: 'Lạng Sơn'): use the same names in every snapshot of a region",
        "content/stats/notes.txt:1:1: warning: not a stats file, ignored: stats live in content/stats/<id>.yaml",
    ]


def test_yaml_pitfalls_in_stats_files(tmp_path):
    """Aliases are refused and a loader problem stays a located error (no exception)."""
    root = make_site(tmp_path, {STATS: "region: &r {vi: A, en: A}\nsource: *r\n"})
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics)
    loaded = load_stats(root, config, diagnostics)
    assert loaded.snapshots == [] and loaded.broken == {"lang-son-2020-05"}
    assert [d.format() for d in diagnostics.items] == [
        f"{STATS}:1:9: error: YAML anchors (&name) are not allowed in content files; repeat the value instead"
    ]
