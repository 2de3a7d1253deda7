"""Atom feeds, sitemap (with hreflang alternates) and robots.txt of the sample site."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml
from lxml import etree

from conftest import REPO, make_site, run_build_process

BASE = "https://bantin.example.org/"
ARTICLES = REPO / "content" / "articles"
SEED_BASE = "2020-05-23-ra-quan-bhxh-toan-dan"
SEED_VI = BASE + "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"
SEED_EN = BASE + "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/"
VI_ONLY = BASE + "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/"
FEEDS = {"vi": "atom.xml", "en": "en/atom.xml"}
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
# RFC 4151: tag:authorityName,date:specific
TAG_URI = re.compile(r"^tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:\S+$")


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    _, head, _ = text.split("---\n", 2)
    return yaml.safe_load(head)


def content_articles(lang: str) -> list[dict]:
    """The sample articles of one language (all published, none drafts), newest first."""
    result = []
    for path in sorted(ARTICLES.glob(f"*.{lang}.md")):
        meta = front_matter(path)
        base = path.name.removesuffix(f".{lang}.md")
        result.append({"base": base, "title": meta["title"], "date": meta["date"]})
    result.sort(key=lambda a: a["date"], reverse=True)
    return result


def parse_feed(path: Path):
    return feedparser.parse(path.read_bytes())


def entry_ids(site: Path, lang: str) -> dict[str, str]:
    """Entry title -> id."""
    return {e.title: e.id for e in parse_feed(site / FEEDS[lang]).entries}


# --- Atom -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_feed_is_well_formed_atom(sample_site, lang):
    feed = parse_feed(sample_site / FEEDS[lang])
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.language == lang


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_feed_has_exactly_the_articles_of_its_language_newest_first(sample_site, lang):
    expected = content_articles(lang)
    assert len(expected) == len(list(ARTICLES.glob(f"*.{lang}.md"))) > 0
    entries = parse_feed(sample_site / FEEDS[lang]).entries
    assert [e.title for e in entries] == [a["title"] for a in expected]
    published = [e.published for e in entries]
    assert published == sorted(published, reverse=True)
    prefix = BASE if lang == "vi" else BASE + "en/"
    news = "tin-tuc/" if lang == "vi" else "news/"
    for entry in entries:
        assert entry.link.startswith(prefix + news), entry.link


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_entry_ids_are_tag_uris_without_the_slug(sample_site, lang):
    entries = parse_feed(sample_site / FEEDS[lang]).entries
    ids = [e.id for e in entries]
    assert len(set(ids)) == len(ids), ids
    for entry in entries:
        assert TAG_URI.match(entry.id), entry.id
        assert entry.id.startswith("tag:bantin.example.org,"), entry.id
        slug = urlsplit(entry.link).path.rstrip("/").rsplit("/", 1)[-1]
        assert slug and slug not in entry.id, (slug, entry.id)


def test_entry_ids_do_not_change_between_builds_nor_when_a_title_changes(sample_site, tmp_path):
    """A second build, in which the seed article got a new title (so a new slug), keeps every id."""
    root = make_site(tmp_path, {}, with_sample_articles=True)
    seed = root / "content" / "articles" / f"{SEED_BASE}.vi.md"
    text = seed.read_text(encoding="utf-8")
    old_title = 'title: "Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”"'
    assert old_title in text
    seed.write_text(text.replace(old_title, 'title: "Lễ ra quân Tháng vận động BHXH toàn dân"'), encoding="utf-8")
    out = tmp_path / "second"
    result = run_build_process(root, "build", "--quiet", "--out", str(out))
    assert result.code == 0, result.err

    first_en, second_en = entry_ids(sample_site, "en"), entry_ids(out, "en")
    assert second_en == first_en

    first_vi, second_vi = entry_ids(sample_site, "vi"), entry_ids(out, "vi")
    renamed = first_vi.pop("Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”")
    assert second_vi.pop("Lễ ra quân Tháng vận động BHXH toàn dân") == renamed
    assert second_vi == first_vi
    new_link = [e.link for e in parse_feed(out / "atom.xml").entries if e.id == renamed]
    assert new_link == [BASE + "tin-tuc/le-ra-quan-thang-van-dong-bhxh-toan-dan/"]


def test_seed_entry(sample_site):
    entries = [e for e in parse_feed(sample_site / "atom.xml").entries if e.title.startswith("Ra quân hưởng ứng")]
    assert len(entries) == 1
    entry = entries[0]
    assert entry.author == "Thanh Huyền"
    assert [a.name for a in entry.authors] == ["Thanh Huyền"]
    assert entry.published == "2020-05-23T00:00:00+07:00"
    assert entry.link == SEED_VI
    assert [link.href for link in entry.links if link.rel == "alternate"] == [SEED_VI]


# --- Sitemap --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sitemap(sample_site) -> dict[str, dict[str, str]]:
    """loc -> {hreflang: href} from sitemap.xml (x-default included)."""
    tree = etree.parse(str(sample_site / "sitemap.xml"))
    assert tree.getroot().tag == f"{{{NS['sm']}}}urlset"
    result = {}
    for url in tree.getroot().findall("sm:url", NS):
        locs = url.findall("sm:loc", NS)
        assert len(locs) == 1
        loc = locs[0].text
        assert loc not in result, f"{loc} is listed twice"
        links = url.findall("xhtml:link", NS)
        alternates = {}
        for link in links:
            assert link.get("rel") == "alternate"
            code = link.get("hreflang")
            assert code not in alternates, f"{loc}: hreflang {code} twice"
            alternates[code] = link.get("href")
        result[loc] = alternates
    assert result
    return result


def output_file(site: Path, url: str) -> Path:
    assert url.startswith(BASE), url
    rel = url.removeprefix(BASE)
    return site / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def test_every_loc_is_absolute_and_exists(sample_site, sitemap):
    for loc in sitemap:
        assert loc.startswith(BASE), loc
        assert output_file(sample_site, loc).is_file(), f"{loc} has no file in the output"


def test_every_page_is_in_the_sitemap_except_404_pages(sample_site, sitemap):
    pages = {p.relative_to(sample_site).as_posix() for p in sample_site.rglob("*.html")}
    listed = {output_file(sample_site, loc).relative_to(sample_site).as_posix() for loc in sitemap}
    assert pages - listed == {"404.html", "en/404.html"}


def test_404_pages_and_feeds_are_not_in_the_sitemap(sitemap):
    for url in ["404.html", "en/404.html", "atom.xml", "en/atom.xml", "sitemap.xml", "robots.txt"]:
        assert BASE + url not in sitemap
    assert not [loc for loc in sitemap if loc.endswith((".xml", ".txt", "404.html"))]


def test_hreflang_alternates_are_absolute_reciprocal_and_default_to_vietnamese(sitemap):
    with_alternates = {loc: alt for loc, alt in sitemap.items() if alt}
    assert with_alternates
    for loc, alternates in with_alternates.items():
        assert set(alternates) == {"vi", "en", "x-default"}, (loc, alternates)
        for href in alternates.values():
            assert href.startswith(BASE), (loc, href)
        assert alternates["x-default"] == alternates["vi"], loc
        lang = "en" if loc.startswith(BASE + "en/") else "vi"
        assert alternates[lang] == loc, f"{loc} does not list itself as its {lang} version"
        for code, other in alternates.items():
            assert other in sitemap, f"{loc}: alternate {other} is not in the sitemap"
            assert sitemap[other] == alternates, f"{loc} lists {other} ({code}) but {other} lists {sitemap[other]}"


def test_sitemap_alternates_match_the_pages_own_hreflang_links(sample_site, sitemap):
    for loc, alternates in sitemap.items():
        html = etree.parse(str(output_file(sample_site, loc)), etree.HTMLParser())
        links = html.xpath("//head/link[@rel='alternate'][@hreflang]")
        in_page = {link.get("hreflang"): link.get("href") for link in links}
        assert in_page == alternates, loc


def test_seed_pair_has_both_alternates(sitemap):
    expected = {"vi": SEED_VI, "en": SEED_EN, "x-default": SEED_VI}
    assert sitemap[SEED_VI] == expected
    assert sitemap[SEED_EN] == expected


def test_vietnamese_only_article_has_no_alternates(sitemap):
    assert (ARTICLES / "2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.vi.md").is_file()
    assert not (ARTICLES / "2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.en.md").exists()
    assert sitemap[VI_ONLY] == {}


# --- robots.txt -----------------------------------------------------------------------------------


def test_robots_txt(sample_site):
    assert (sample_site / "robots.txt").read_bytes() == (
        b"User-agent: *\nAllow: /\n\nSitemap: https://bantin.example.org/sitemap.xml\n"
    )
