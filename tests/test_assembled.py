"""Assembled articles kept in the cache between command-line builds (assembled.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
import shutil
import sqlite3
from pathlib import Path

import markupsafe
import pytest

from bantin import assembled, content, render
from bantin.assembled import ArticleCodec, AssembledArticles
from bantin.fingerprint import Fingerprinter
from bantin.images import ImageProcessor
from bantin.model import Article, KeptArticle
from conftest import MINIMAL_ARTICLE, run_build
from test_incremental import tree
from test_rebuilds import age, checkout_again
from test_warm import PARADE_VI, SEED_VI, edit

SEED_EN = SEED_VI.replace(".vi.md", ".en.md")
GUIDE_VI = "content/articles/2020-06-01-huong-dan-viet-bai.vi.md"  # shows an event block


class Spy:
    """Which articles a build took from the cache, and with which kept fingerprints."""

    def __init__(self, monkeypatch):
        self.taken: dict[str, tuple[object, str]] = {}
        self.missed: list[str] = []
        original = AssembledArticles.article

        def article(store, source, world, stale_original, images, data):
            found = original(store, source, world, stale_original, images, data)
            if found is None:
                self.missed.append(source.rel)
            else:
                self.taken[source.rel] = store.seed[id(found[0])]
            return found

        monkeypatch.setattr(AssembledArticles, "article", article)


def build_and_compare_with_clean(root: Path, capsys) -> None:
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    clean = root.parent / "clean-public"
    shutil.rmtree(clean, ignore_errors=True)
    assert run_build(root, "build", "--quiet", "--clean", "--out", str(clean), capsys=capsys).code == 0
    assert tree(root / "public") == tree(clean)


@pytest.fixture
def built(site_factory, capsys):
    root = site_factory({}, with_sample_articles=True)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    return root


def test_a_rebuild_takes_every_unchanged_article_from_the_cache_and_assembles_the_edited_one(built, capsys,
                                                                                            monkeypatch):
    spy = Spy(monkeypatch)
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    assert spy.missed == [PARADE_VI]
    assert len(spy.taken) == len(list((built / "content/articles").glob("*.md"))) - 1
    page = built / "public/tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son"
    assert "<p>Đoạn mới ở cuối bài.</p>" in (page / "index.html").read_text(encoding="utf-8")
    # The fingerprint kept with each article is the one hashing it afresh gives.
    for article, kept in spy.taken.values():
        assert Fingerprinter().of(article) == kept
    clean = built.parent / "clean-public"
    assert run_build(built, "build", "--quiet", "--clean", "--out", str(clean), capsys=capsys).code == 0
    assert tree(built / "public") == tree(clean)


def test_a_changed_image_reassembles_the_articles_that_show_it(built, capsys, monkeypatch):
    spy = Spy(monkeypatch)
    edit(built / "content/media/minh-hoa-phat-lenh.svg", 'width="1200" height="675"', 'width="1600" height="900"')
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    assert sorted(spy.missed) == sorted([SEED_EN, SEED_VI])
    page = (built / "public/tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html").read_text(encoding="utf-8")
    assert 'width="1600" height="900"' in page
    build_and_compare_with_clean(built, capsys)


@pytest.mark.parametrize("data_file, old, new, made_again", [
    ("content/stats/lang-son-2020-05.yaml", "61649", "61650", [SEED_EN, SEED_VI]),  # its stats blocks
    # An event: the articles that name it (the launch report) or show its block (the guide), not
    # those that show or name other events.
    ("content/calendar/dieu-hanh-tuyen-truyen-2020.yaml", "lưu động tại", "cổ động tại", [SEED_EN, SEED_VI]),
    ("content/calendar/ra-quan-2020.yaml", "lễ ra quân", "buổi ra quân",
     [SEED_EN, SEED_VI, GUIDE_VI, GUIDE_VI.replace(".vi.md", ".en.md")]),
])
def test_a_data_file_edit_reassembles_the_articles_whose_shortcodes_read_it(
        built, capsys, monkeypatch, data_file, old, new, made_again):
    spy = Spy(monkeypatch)
    edit(built / data_file, old, new)
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    assert sorted(spy.missed) == sorted(made_again)
    assert len(spy.taken) == len(list((built / "content/articles").glob("*.md"))) - len(made_again)
    build_and_compare_with_clean(built, capsys)


ALL_ARTICLES = "every article"


@pytest.mark.parametrize("template, old, new, made_again", [
    # A page layout: no body shows it, so every article is taken from the cache.
    ("templates/base.html", "</body>", "<!-- bố cục mới -->\n</body>", []),
    ("templates/article.html", "</article>", "</article>\n<!-- bài -->", []),
    # A shortcode block's template (or one it pulls in): every article made again.
    ("templates/stats/block.html", "</figure>", "</figure>\n<!-- khối -->", ALL_ARTICLES),
    ("templates/calendar/event_card.html", "</div>", "</div>\n<!-- thẻ -->", ALL_ARTICLES),
])
def test_only_a_template_of_shortcode_blocks_reassembles_articles(built, capsys, monkeypatch, template, old, new,
                                                                  made_again):
    spy = Spy(monkeypatch)
    edit(built / template, old, new)
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    every = sorted(f"content/articles/{p.name}" for p in (built / "content/articles").glob("*.md"))
    assert sorted(spy.missed) == (every if made_again == ALL_ARTICLES else made_again)
    build_and_compare_with_clean(built, capsys)


def test_a_changed_engine_takes_nothing_from_the_cache(built, capsys, monkeypatch):
    spy = Spy(monkeypatch)
    monkeypatch.setattr(assembled, "engine_digest", lambda: "another engine")
    # Into another folder: the engine's files are as they were, so the same folder would be up to date.
    assert run_build(built, "build", "--quiet", "--out", str(built / "elsewhere"), capsys=capsys).code == 0
    assert spy.taken == {} and len(spy.missed) == len(list((built / "content/articles").glob("*.md")))


def test_the_codec_gives_back_every_sample_article_or_refuses_it(built, capsys, monkeypatch):
    made = []
    original_keep = AssembledArticles.keep_article

    def keep_article(store, source, world, article, body_key, data_used):
        made.append(article)
        original_keep(store, source, world, article, body_key, data_used)

    monkeypatch.setattr(AssembledArticles, "keep_article", keep_article)
    assert run_build(built, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert len(made) == 12
    codec = ArticleCodec()
    images = ImageProcessor(built / ".bantin-cache/images")
    for article in made:
        text = codec.encode(article)
        assert text is not None
        decoded = codec.decode(json.loads(text), lambda: article.body_html, images)
        assert type(decoded) is KeptArticle
        for field in dataclasses.fields(Article):
            assert repr(getattr(decoded, field.name)) == repr(getattr(article, field.name)), field.name
        # A list's card alone, without the article: the same card (its cover the same asset).
        card = codec.decode_card(json.loads(text), images)
        assert repr(card) == repr(article.card) and card.cover is decoded.cover
    assert sum(article.cover is not None for article in made) >= 2  # (with covers: one of their images)
    # Decoded articles share their fields' names (a kept article holds its dict for the whole
    # build; each ``json.loads`` makes its keys anew: 25 MB at 10,000 pairs) and their language's.
    first, second = (codec.decode(json.loads(codec.encode(a)), lambda: "", images)
                     for a in [a for a in made if a.lang == "vi"][:2])
    assert [id(name) for name in vars(first)] == [id(name) for name in vars(second)]
    assert first.lang is second.lang
    # A time zone the text cannot name is not stored (it would come back as another zone).
    odd = dt.timezone(dt.timedelta(hours=7), "ICT")
    assert codec.encode(dataclasses.replace(made[0], published=made[0].published.replace(tzinfo=odd))) is None


def test_kept_articles_leave_their_bodies_in_the_cache_until_a_page_shows_one(built, capsys, monkeypatch):
    spy = Spy(monkeypatch)
    read: list[str] = []
    original_body = assembled.StoredBody.__call__

    def body(stored):
        read.append(stored.key)
        return original_body(stored)

    monkeypatch.setattr(assembled.StoredBody, "__call__", body)
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    articles = [article for article, _ in spy.taken.values()]
    assert all(type(article) is KeptArticle and "body_html" not in article.__dict__ for article in articles)
    # The Vietnamese feed shows every Vietnamese article, so it is made again with their bodies.
    assert 0 < len(read) < len(articles)
    feed = (built / "public/atom.xml").read_text(encoding="utf-8")
    seed = next(article for article in articles if article.rel == SEED_VI)
    assert str(markupsafe.escape(seed.body_html))[:200] in feed


def test_a_clean_build_stores_its_articles_before_the_render_and_its_pages_read_the_bodies_back(
        site_factory, capsys, monkeypatch):
    """The render is a large build's peak of memory: the bodies are in the cache by then."""
    root = site_factory({}, with_sample_articles=True)
    read: list[str] = []
    held_while_rendering: list[type] = []
    original_body, original_render = assembled.StoredBody.__call__, render.Renderer.render_page

    def body(stored):
        read.append(stored.key)
        return original_body(stored)

    def render_page(renderer, page, site, *args):
        if not held_while_rendering:
            held_while_rendering.extend(type(article.__dict__["_body_html_utf8"])
                                        for language in site.languages.values() for article in language.articles)
        return original_render(renderer, page, site, *args)

    monkeypatch.setattr(assembled.StoredBody, "__call__", body)
    monkeypatch.setattr(render.Renderer, "render_page", render_page)
    assert run_build(root, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert held_while_rendering and bytes not in held_while_rendering
    with sqlite3.connect(root / ".bantin-cache/cache.sqlite") as db:
        stored = {key for (key,) in db.execute("SELECT key FROM article_bodies")}
    assert len(stored) == len(held_while_rendering)  # every article, each body read back by its pages
    assert set(read) == stored


def test_a_clean_build_stores_its_articles_as_they_are_made(site_factory, capsys, monkeypatch):
    """While Markdown's workers are busy, not on one core after them: a few hundred at a time
    (two here), each body let go once stored, the fingerprints those of the pages' hashing."""
    root = site_factory({}, with_sample_articles=True)
    monkeypatch.setattr(assembled, "ROWS_AT_ONCE", 2)
    seen: list[tuple[int, list[type]]] = []  # (rows stored, how the bodies made so far are held) per article made
    hashes: list[tuple[str, str]] = []
    original_keep = AssembledArticles.keep_article

    def keep_article(store, source, world, article, *args):
        made = [entry[1] for entry in store._made]
        with sqlite3.connect(root / ".bantin-cache/cache.sqlite") as db:
            exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'article_bodies'").fetchone()
            rows = db.execute("SELECT COUNT(*) FROM article_bodies").fetchone()[0] if exists else 0
        seen.append((rows, [type(a.__dict__["_body_html_utf8"]) for a in made]))
        pages = Fingerprinter()  # the fingerprints stored must be those the pages' hashing gives
        hashes.append((pages.of(article), pages.of(article.card)))
        original_keep(store, source, world, article, *args)

    monkeypatch.setattr(AssembledArticles, "keep_article", keep_article)
    assert run_build(root, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert [rows for rows, _ in seen] == [2 * (n // 2) for n in range(len(seen))]
    assert all(held == [bytes] * (n % 2) for n, (_, held) in enumerate(seen))  # the stored ones let go
    with sqlite3.connect(root / ".bantin-cache/cache.sqlite") as db:
        facts = {key: json.loads(row.split("\n", 1)[0]) for key, row in db.execute("SELECT key, value FROM articles")}
    assert len(facts) == len(seen)
    assert sorted(f["fingerprint"] for f in facts.values()) == sorted(hashed[0] for hashed in hashes)
    assert sorted(f["card"] for f in facts.values()) == sorted(hashed[1] for hashed in hashes)


def bodies_pruned_by_another_build(monkeypatch) -> None:
    """Each kept body read empties the body table first, as another build of the site could."""
    original_body = assembled.StoredBody.__call__

    def body_after_another_build(body):
        with body.bodies._connection() as db:
            db.execute("DELETE FROM article_bodies")
        return original_body(body)

    monkeypatch.setattr(assembled.StoredBody, "__call__", body_after_another_build)


def test_a_body_gone_from_the_cache_during_a_build_fails_it_and_leaves_the_output(built, capsys, monkeypatch):
    before = tree(built / "public")
    bodies_pruned_by_another_build(monkeypatch)
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    result = run_build(built, "build", "--quiet", capsys=capsys)
    assert result.code == 1
    assert result.err.splitlines()[0] == (".bantin-cache:1:1: error: the build cache changed while this build ran"
                                          " (another build of this site?); build again")
    assert tree(built / "public") == before


# --- article files not read again (content.SourceRecords) ---


class Reads:
    """The article files a build reads."""

    def __init__(self, monkeypatch):
        self.files: list[str] = []
        original = content.read_source

        def read_source(path, rel, diagnostics):
            self.files.append(rel)
            return original(path, rel, diagnostics)

        monkeypatch.setattr(content, "read_source", read_source)


def test_after_a_fresh_checkout_a_full_build_reads_only_the_article_file_whose_bytes_changed(built, capsys,
                                                                                          monkeypatch):
    # Every file gets a new stamp; the records keep the hash of each file's bytes, as the input check takes it.
    age(built)
    assert run_build(built, "build", "--quiet", "--clean", capsys=capsys).code == 0
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    edit(built / "templates/base.html", "</body>", "<!-- mới -->\n</body>")  # every page: the full build
    checkout_again(built)
    reads = Reads(monkeypatch)
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    assert reads.files == [PARADE_VI]
    build_and_compare_with_clean(built, capsys)


def test_a_rebuild_reads_only_the_article_file_that_changed(built, capsys, monkeypatch):
    reads = Reads(monkeypatch)
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    assert reads.files == [PARADE_VI]
    # Written within the last two seconds, it may change again unseen by its stamp: read again next time.
    (built / "templates/base.html").write_text((built / "templates/base.html").read_text(encoding="utf-8")
                                               .replace("</body>", "<!-- sửa -->\n</body>"), encoding="utf-8")
    reads.files.clear()
    build_and_compare_with_clean(built, capsys)
    assert reads.files[0] == PARADE_VI and reads.files.count(PARADE_VI) == 2  # this build, then the clean one


def test_the_recorded_hash_of_an_original_still_finds_its_translation_stale(built, capsys, monkeypatch):
    original = built / SEED_VI
    edit(original, "Sáng nay (23/5)", "Sáng nay (ngày 23/5)")
    os.utime(original, ns=(time.time_ns() - 10**10, time.time_ns() - 10**10))  # as if saved ten seconds ago
    first = run_build(built, "build", "--quiet", capsys=capsys)
    assert first.code == 0 and "stale translation" in first.err
    reads = Reads(monkeypatch)
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    second = run_build(built, "build", "--quiet", capsys=capsys)
    assert reads.files == [PARADE_VI]
    assert second.code == 0 and second.err == first.err


def test_an_article_file_changed_under_the_build_stops_it_and_leaves_the_output(built, capsys, monkeypatch):
    before = tree(built / "public")
    # A stamp that cannot see the change (the file system's clock did not move): only the hash of
    # the text, checked when the body is read, can.
    monkeypatch.setattr(content, "file_stamp", lambda stat: (stat.st_size,))
    age(built)  # (a file written in the last two seconds gets no stamp: it is read again anyway)
    assert run_build(built, "build", "--quiet", "--clean", capsys=capsys).code == 0  # records the blind stamps
    edit(built / SEED_VI, "Lạng Sơn", "Lạng Sơm")  # the same size
    # A template of shortcode blocks: every article made again (a page layout's would leave them all)
    edit(built / "templates/calendar/event_card.html", "</div>", "</div>\n<!-- x -->")
    result = run_build(built, "build", "--quiet", capsys=capsys)
    assert result.code == 1
    assert result.err.splitlines()[0] == (f"{SEED_VI}:1:1: error: this file changed while the site was being"
                                          " built; build again")
    assert tree(built / "public") == before


def test_a_damaged_cache_file_is_only_a_slower_build(built, capsys):
    (built / ".bantin-cache/cache.sqlite").write_bytes(b"not a database" * 1000)
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    build_and_compare_with_clean(built, capsys)
    assert (built / ".bantin-cache/cache.sqlite").read_bytes()[:16] == b"SQLite format 3\0"


def test_a_deleted_event_is_reported_in_the_kept_articles_that_name_it(built, capsys, monkeypatch):
    spy = Spy(monkeypatch)
    before = tree(built / "public")
    (built / "content/calendar/moc-6-thang-2020.yaml").unlink()
    result = run_build(built, "build", "--quiet", capsys=capsys)
    assert sorted(spy.missed) == sorted([SEED_EN, SEED_VI])
    assert result.code == 1
    assert result.errors == [
        f"{rel}:8:1: error: unknown event 'moc-6-thang-2020' (no content/calendar/<id>.yaml)"
        for rel in sorted([SEED_EN, SEED_VI])
    ]
    assert tree(built / "public") == before


def test_a_body_forgotten_once_prepared_is_read_again_from_its_file_and_must_be_the_text_first_read(site_factory):
    from bantin.cache import KeyValueTable
    from bantin.config import load_config
    from bantin.content import load_articles
    from bantin.diagnostics import BuildAborted, Diagnostics

    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    [source] = load_articles(root, load_config(root, Diagnostics()), Diagnostics(), KeyValueTable(None, "front_matter"))
    body = source.body
    source.forget_body()
    assert "body" not in source.__dict__
    assert source.body == body  # read again, and kept
    source.forget_body()
    (root / "content/articles/a.vi.md").write_text(MINIMAL_ARTICLE + "\nThêm.\n", encoding="utf-8")
    with pytest.raises(BuildAborted) as raised:
        source.body
    assert (raised.value.location.path, str(raised.value)) == (
        "content/articles/a.vi.md", "this file changed while the site was being built; build again")


def test_rows_written_as_they_come_are_stored_as_text(tmp_path):
    import sqlite3

    from bantin.cache import KeyValueTable

    table = KeyValueTable(tmp_path / "cache.sqlite", "bodies")
    body = "<p>Đoạn văn có dấu</p>"
    table.put_stream([("k", body)])
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        assert db.execute("SELECT typeof(value), value FROM bodies").fetchall() == [("text", body)]
    assert KeyValueTable(tmp_path / "cache.sqlite", "bodies").get_many(["k"]) == {"k": body}


def test_an_article_holds_its_body_as_utf8_and_gives_it_as_text():
    from bantin.model import body_utf8

    article = Article(base="b", lang="vi", rel="content/articles/b.vi.md", title="Bài", slug="bai", url="tin-tuc/bai/",
                      published=dt.datetime(2020, 5, 23, tzinfo=dt.timezone.utc), updated=None, authors=(), tags=(),
                      source=None, source_url=None, dateline=None, summary="", body_html="<p>Đoạn văn</p>", images=(),
                      cover=None, cover_alt=None, cover_caption=None, cover_in_body=False, events=())
    assert article.body_html == "<p>Đoạn văn</p>" and body_utf8(article) == "<p>Đoạn văn</p>".encode("utf-8")
    assert "body_html" not in article.__dict__
    assert dataclasses.replace(article, title="Khác").body_html == article.body_html
    assert dataclasses.replace(article) == article != dataclasses.replace(article, body_html="<p>Khác</p>")
    kept = KeptArticle.from_values({f.name: getattr(article, f.name) for f in dataclasses.fields(article)
                                    if f.name != "body_html"}, lambda: "<p>Từ bộ nhớ đệm</p>")
    assert body_utf8(kept) == "<p>Từ bộ nhớ đệm</p>".encode("utf-8")


def build_tomorrow(root: Path, out: Path, clean: bool = False):
    from bantin.assemble import Selection
    from bantin.pipeline import BuildOptions, run

    now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    return run(BuildOptions(root=root, out=out, clean=clean, selection=Selection(now=now)))


def test_a_new_day_keeps_every_article_while_no_block_template_reads_the_calendar(built, capsys, monkeypatch):
    # The calendar's upcoming events change with the day; an article's event block does not show them.
    spy = Spy(monkeypatch)
    assert build_tomorrow(built, built / "public").ok
    assert spy.missed == [] and len(spy.taken) == len(list((built / "content/articles").glob("*.md")))
    assert build_tomorrow(built, built.parent / "clean-public", clean=True).ok
    assert tree(built / "public") == tree(built.parent / "clean-public")


def test_a_new_day_makes_every_article_again_when_a_block_template_reads_the_calendar(built, capsys, monkeypatch):
    edit(built / "templates/calendar/event_card.html", "</div>", "</div>\n{% if calendar.today %}{% endif %}")
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    spy = Spy(monkeypatch)
    assert build_tomorrow(built, built / "public").ok
    assert spy.taken == {} and len(spy.missed) == len(list((built / "content/articles").glob("*.md")))
