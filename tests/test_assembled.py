"""Assembled articles kept in the cache between command-line builds (assembled.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import markupsafe
import pytest

from bantin import assembled
from bantin.assembled import ArticleCodec, AssembledArticles
from bantin.fingerprint import Fingerprinter
from bantin.images import ImageProcessor
from bantin.model import Article, KeptArticle
from conftest import run_build
from test_incremental import tree
from test_warm import PARADE_VI, SEED_VI, edit

SEED_EN = SEED_VI.replace(".vi.md", ".en.md")


class Spy:
    """Which articles a build took from the cache, and with which kept fingerprints."""

    def __init__(self, monkeypatch):
        self.taken: dict[str, tuple[object, str]] = {}
        self.missed: list[str] = []
        original = AssembledArticles.article

        def article(store, source, world, stale_original, images):
            found = original(store, source, world, stale_original, images)
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


def test_a_changed_engine_takes_nothing_from_the_cache(built, capsys, monkeypatch):
    spy = Spy(monkeypatch)
    monkeypatch.setattr(assembled, "engine_digest", lambda: "another engine")
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    assert spy.taken == {} and len(spy.missed) == len(list((built / "content/articles").glob("*.md")))


def test_the_codec_gives_back_every_sample_article_or_refuses_it(built, capsys, monkeypatch):
    made = []
    original_keep = AssembledArticles.keep_article

    def keep_article(store, source, world, article, body_key):
        made.append(article)
        original_keep(store, source, world, article, body_key)

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
    # A time zone the text cannot name is not stored (it would come back as another zone).
    odd = dt.timezone(dt.timedelta(hours=7), "ICT")
    assert codec.encode(dataclasses.replace(made[0], published=made[0].published.replace(tzinfo=odd))) is None


def test_kept_articles_leave_their_bodies_in_the_cache_until_a_page_shows_one(built, capsys, monkeypatch):
    spy = Spy(monkeypatch)
    read: list[str] = []
    original_body = AssembledArticles._body

    def body(store, key):
        read.append(key)
        return original_body(store, key)

    monkeypatch.setattr(AssembledArticles, "_body", body)
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    assert run_build(built, "build", "--quiet", capsys=capsys).code == 0
    articles = [article for article, _ in spy.taken.values()]
    assert all(type(article) is KeptArticle and "body_html" not in article.__dict__ for article in articles)
    # The Vietnamese feed shows every Vietnamese article, so it is made again with their bodies.
    assert 0 < len(read) < len(articles)
    feed = (built / "public/atom.xml").read_text(encoding="utf-8")
    seed = next(article for article in articles if article.rel == SEED_VI)
    assert str(markupsafe.escape(seed.body_html))[:200] in feed


def test_a_body_gone_from_the_cache_during_a_build_fails_it_and_leaves_the_output(built, capsys, monkeypatch):
    before = tree(built / "public")
    monkeypatch.setattr(AssembledArticles, "_body", lambda store, key: (_ for _ in ()).throw(
        assembled.CacheChanged("the build cache changed while this build ran (another build of this site?);"
                               " build again")))
    edit(built / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    result = run_build(built, "build", "--quiet", capsys=capsys)
    assert result.code == 1
    assert result.err.splitlines()[0] == (".bantin-cache:1:1: error: the build cache changed while this build ran"
                                          " (another build of this site?); build again")
    assert tree(built / "public") == before
