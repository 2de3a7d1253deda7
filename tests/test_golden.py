"""Golden files: key pages of the sample site, compared byte for byte with a fresh build.

After an intended change, refresh them with ``make golden`` (pytest --update-golden)
and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"
KEY_PAGES = [
    "index.html",
    "en/index.html",
    "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html",
    "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/index.html",
    "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/index.html",
    "en/news/how-to-writing-a-news-article-for-the-bulletin/index.html",
    "tin-tuc/trang/2/index.html",
    "chu-de/lang-son/index.html",
    "en/authors/index.html",
    "404.html",
    "en/404.html",
    "atom.xml",
    "en/atom.xml",
    "sitemap.xml",
    "robots.txt",
    "lich/index.html",
    "lich/2020/05/index.html",
    "en/calendar/2020/05/index.html",
    "lich/ra-quan-2020/index.html",
    "lich/lich.ics",
    "so-lieu/index.html",
    "en/stats/index.html",
    "so-lieu/stats.json",
    "so-lieu/lang-son.csv",
    "tim-kiem/index.html",
    "pagefind/pagefind-entry.json",
]


@pytest.mark.parametrize("rel", KEY_PAGES)
def test_key_page_matches_its_golden_file(sample_site, request, rel):
    built = (sample_site / rel).read_text(encoding="utf-8")
    golden = GOLDEN / rel
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(built, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if built != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(True), built.splitlines(True), f"golden/{rel}", f"built/{rel}"
        ))
        pytest.fail(f"{rel} differs from its golden file (run `make golden` if intended):\n{diff}")


def test_every_golden_file_is_still_a_key_page():
    stale = sorted(
        p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*")
        if p.is_file() and p.relative_to(GOLDEN).parts[0] != "import"  # import's goldens: tests/test_import.py
    )
    assert stale == sorted(KEY_PAGES)
