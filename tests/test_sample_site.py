"""The sample site every user sees first: the seed article, translations, lists, metadata."""

from __future__ import annotations

import json
import os
import re
import shutil
import unicodedata
from pathlib import Path

from conftest import REPO, run_build_process

SEED_VI = "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html"
SEED_EN = "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/index.html"
VI_ONLY = "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/index.html"
BASE = "https://bantin.example.org/"


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))


def test_seed_article_keeps_every_figure_quote_and_dash(sample_site):
    html = read(sample_site, SEED_VI)
    for fact in ("61.649", "8.475", "739.578", "gần 30.000", "17.000", "60%", "Quyết định số 1676/QĐ-TTg",
                 "Ngày 21/11/2019", "“Tháng vận động triển khai BHXH toàn dân”", "chính trị – xã hội"):
        assert fact in html, fact
    assert "  " not in re.sub(r"<[^>]+>", "", html.split('<div class="article-body">')[1])
    assert '<p><span class="dateline">LSO –</span> Sáng nay (23/5), BHXH Việt Nam phối hợp' in html


def test_seed_article_header_byline_source_and_figures(sample_site):
    html = read(sample_site, SEED_VI)
    assert "<h1>Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”</h1>" in html
    assert ('<time datetime="2020-05-23T00:00:00+07:00" data-pagefind-meta="date">Thứ Bảy, 23/05/2020</time>'
            in html)
    assert '<p class="byline">Bài: <a href="/tac-gia/thanh-huyen/" rel="author">Thanh Huyền</a></p>' in html
    assert '<p class="source">Nguồn: Báo Lạng Sơn</p>' in html
    assert html.count("<figcaption>") == 2
    assert ("<figcaption>Đồng chí Dương Xuân Huyên, Phó Chủ tịch UBND tỉnh phát biểu chỉ đạo tại lễ ra quân "
            "tuyên truyền</figcaption>") in html
    assert (sample_site / SEED_VI).with_name("minh-hoa-phat-bieu.svg").is_file()


def test_english_translation_dates_and_numbers(sample_site):
    html = read(sample_site, SEED_EN)
    assert '<html lang="en">' in html
    assert ('<time datetime="2020-05-23T00:00:00+07:00" data-pagefind-meta="date">Saturday, May 23, 2020</time>'
            in html)
    assert "61,649" in html and "8,475" in html and "739,578" in html


def test_json_ld_matches_the_visible_byline_and_dates(sample_site):
    data = json_ld(read(sample_site, SEED_VI))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”"
    assert data["datePublished"] == data["dateModified"] == "2020-05-23T00:00:00+07:00"
    assert data["author"] == [{"@type": "Person", "name": "Thanh Huyền", "url": BASE + "tac-gia/thanh-huyen/"}]
    assert data["inLanguage"] == "vi"
    assert data["publisher"]["name"] == "Bản tin BHXH toàn dân"
    assert data["image"] == [BASE + SEED_VI.replace("index.html", "minh-hoa-phat-bieu.svg")]


def test_head_metadata(sample_site):
    html = read(sample_site, SEED_VI)
    url = BASE + SEED_VI.removesuffix("index.html")
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:locale" content="vi_VN">' in html
    assert '<meta name="description" content="Ngày 23/5/2020, BHXH Việt Nam phối hợp' in html
    assert f'<link rel="alternate" hreflang="en" href="{BASE}{SEED_EN.removesuffix("index.html")}">' in html
    assert '<link rel="alternate" type="application/atom+xml" title="Tin mới (Atom)" href="/atom.xml">' in html


def test_switcher_goes_to_the_translation(sample_site):
    html = read(sample_site, SEED_VI)
    switcher = html.split('<nav class="language-switcher"')[1].split("</nav>")[0]
    assert f'href="/{SEED_EN.removesuffix("index.html")}" hreflang="en" lang="en" rel="alternate">English</a>' in switcher


def test_untranslated_article_says_so_and_switches_to_the_other_home(sample_site):
    html = read(sample_site, VI_ONLY)
    assert ('<p class="untranslated-note" id="untranslated-en" lang="en" data-pagefind-ignore>This article is only '
            "available in Vietnamese.</p>") in html
    assert '<a href="/en/" hreflang="en" lang="en" aria-describedby="untranslated-en">English</a>' in html
    assert 'hreflang="x-default"' not in html


def test_every_page_has_the_right_html_lang(sample_site):
    for page in sample_site.rglob("*.html"):
        rel = page.relative_to(sample_site).as_posix()
        expected = "en" if rel.startswith("en/") else "vi"
        assert f'<html lang="{expected}">' in page.read_text(encoding="utf-8"), rel


def test_all_text_output_is_nfc(sample_site):
    for page in sample_site.rglob("*"):
        if page.suffix in (".html", ".xml", ".txt"):
            assert unicodedata.is_normalized("NFC", page.read_text(encoding="utf-8")), page


def test_news_list_paginates_newest_first(sample_site):
    first = read(sample_site, "tin-tuc/index.html")
    second = read(sample_site, "tin-tuc/trang/2/index.html")
    titles = re.findall(r'<h[23] class="card-title"><a href="[^"]+">([^<]+)</a>', first + second)
    assert len(titles) == 7 and titles[-1].startswith("Ra quân hưởng ứng")
    assert '<a href="/tin-tuc/trang/2/" rel="next">Trang sau</a>' in first
    assert '<a href="/tin-tuc/" rel="prev">Trang trước</a>' in second
    assert "<title>Tin tức – Trang 2 – Bản tin BHXH toàn dân</title>" in second


def test_tag_and_author_pages(sample_site):
    tag = read(sample_site, "chu-de/lang-son/index.html")
    assert "<h1>Chủ đề: Lạng Sơn</h1>" in tag
    author = read(sample_site, "en/authors/thanh-huyen/index.html")
    assert "<h1>Author: Thanh Huyền</h1>" in author and "<p>1 article</p>" in author
    index = read(sample_site, "chu-de/index.html")
    assert '<a href="/chu-de/lang-son/">Lạng Sơn</a>' in index


def test_localized_404_pages(sample_site):
    assert "<h1>Không tìm thấy trang</h1>" in read(sample_site, "404.html")
    assert "<h1>Page not found</h1>" in read(sample_site, "en/404.html")


def test_build_is_byte_identical_whatever_time_zone_hash_seed_and_file_order(tmp_path):
    # A copy whose files are created in reverse order, so directory listings differ.
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("templates", "site_config.yaml", "build.py", "bantin"):
        source = REPO / name
        shutil.copytree(source, copy / name) if source.is_dir() else shutil.copy(source, copy / name)
    for path in sorted((REPO / "content").rglob("*"), reverse=True):
        target = copy / path.relative_to(REPO)
        if path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    runs = []
    for root, tz, seed in ((REPO, "UTC", "1"), (copy, "Pacific/Kiritimati", "4242")):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": seed, "LC_ALL": "C", "LANG": "C"}
        result = run_build_process(root, "build", "--quiet", "--out", str(out), env=env)
        assert result.code == 0, result.err
        runs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert sorted(runs[0]) == sorted(runs[1])
    assert [name for name in runs[0] if runs[0][name] != runs[1][name]] == []


def test_lastmod_shows_updated_in_both_languages(site_factory, capsys):
    from conftest import run_build

    article = "---\ntitle: {title}\ndate: 2020-05-23T08:30:00\nlastmod: 2020-05-25\nauthors: Ban biên tập\n---\nNội dung.\n"
    root = site_factory({
        "content/articles/a.vi.md": article.format(title="Bài có cập nhật"),
        "content/articles/a.en.md": article.format(title="An updated article"),
    })
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    vi = (root / "public/tin-tuc/bai-co-cap-nhat/index.html").read_text(encoding="utf-8")
    en = (root / "public/en/news/an-updated-article/index.html").read_text(encoding="utf-8")
    assert ('<span>Đăng ngày <time datetime="2020-05-23T08:30:00+07:00" data-pagefind-meta="date">Thứ Bảy, '
            "23/05/2020</time></span>") in vi
    assert ('<span class="updated">Cập nhật <time datetime="2020-05-25T00:00:00+07:00">Thứ Hai, 25/05/2020'
            "</time></span>") in vi
    assert '<span class="updated">Updated <time datetime="2020-05-25T00:00:00+07:00">Monday, May 25, 2020' in en
    assert json_ld(vi)["dateModified"] == "2020-05-25T00:00:00+07:00"
    assert '<meta property="article:modified_time" content="2020-05-25T00:00:00+07:00">' in vi
