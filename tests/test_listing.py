"""The records of the pages that show cards (bantin/listing.py): what a quick rebuild reads back."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from bantin import listing
from bantin.model import ArticleCard, Term
from bantin.plan import PageOutput


def card(n: int) -> ArticleCard:
    return ArticleCard(base=f"2020-05-2{n}-bai", lang="vi", title=f"Bài số {n}", slug=f"bai-{n}", url=f"tin-tuc/bai-{n}/",
                       published=dt.datetime(2020, 5, 20 + n, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), updated=None,
                       authors=(Term("ban-bien-tap", "Ban biên tập"),), tags=(Term("bhxh", "BHXH"),), dateline="LSO",
                       summary=f"Tóm tắt {n}", cover=None, cover_alt=None)


def test_a_page_comes_back_with_the_cards_it_is_given_and_names_its_articles():
    first, second, newer = card(1), card(2), card(3)
    page = PageOutput(path="tin-tuc/index.html", url="tin-tuc/", lang="vi", template="news.html", what="news list",
                      origin="site_config.yaml", data=MappingProxyType({
                          "articles": (first, second),
                          "pagination": MappingProxyType({"number": 1, "pages": ((1, "tin-tuc/"),)})}))
    record, named = listing.encode(page, {id(first): "a" * 64, id(second): "b" * 64})
    assert named == ["a" * 64, "b" * 64]
    again = listing.decode(record, {"a" * 64: newer, "b" * 64: second}.__getitem__)
    assert again == replace(page, data=MappingProxyType({**page.data, "articles": (newer, second)}))
    assert type(again.data) is MappingProxyType and type(again.data["pagination"]) is MappingProxyType
    assert again.data["articles"][1] is second


def test_a_page_with_a_card_of_an_article_not_stored_or_a_whole_article_is_not_recorded():
    from bantin.model import Article

    page = PageOutput(path="index.html", url="", lang="vi", template="home.html", what="home", origin="x",
                      data={"articles": (card(1),)})
    with pytest.raises(listing.Unlisted):
        listing.encode(page, {})
    whole = Article.__new__(Article)
    with pytest.raises(listing.Unlisted):
        listing.encode(replace(page, data={"article": whole}), {})


def test_a_kept_article_is_a_whole_article_too_and_a_card_met_twice_is_named_once():
    from bantin.model import KeptArticle

    shown = card(1)
    page = PageOutput(path="index.html", url="", lang="vi", template="home.html", what="home", origin="x",
                      data={"articles": (shown,), "newest": shown})
    record, named = listing.encode(page, {id(shown): "a" * 64})
    assert named == ["a" * 64]
    again = listing.decode(record, {"a" * 64: card(2)}.__getitem__)
    assert again.data["articles"][0] is again.data["newest"] == card(2)
    with pytest.raises(listing.Unlisted):
        listing.encode(replace(page, data={"article": KeptArticle.__new__(KeptArticle)}), {})


def test_a_record_written_with_persistent_ids_before_still_reads():
    # How records were written before the pickler's table of types (the cache of a build before).
    import base64
    import io
    import pickle

    shown = card(1)

    class Before(pickle.Pickler):
        def persistent_id(self, value):
            return "a" * 64 if value is shown else None

        def reducer_override(self, value):
            if type(value) is MappingProxyType:
                return listing._proxy, (dict(value),)
            if type(value) is ZoneInfo:
                return listing._zone, (value.key,)
            return NotImplemented

    page = PageOutput(path="index.html", url="", lang="vi", template="home.html", what="home", origin="x",
                      data=MappingProxyType({"articles": (shown,)}))
    buffer = io.BytesIO()
    Before(buffer, protocol=5).dump(page)
    again = listing.decode(base64.b64encode(buffer.getvalue()).decode("ascii"), {"a" * 64: card(2)}.__getitem__)
    assert again == replace(page, data=MappingProxyType({"articles": (card(2),)}))


def test_the_pages_that_show_an_article_are_found_by_its_key_at_a_key_s_place_only():
    wanted = "1122334455667788" + "0" * 48
    # Two keys side by side whose bytes hold the wanted key's first eight across their boundary.
    before, after = "aaaaaaaa11223344" + "0" * 48, "5566778899999999" + "0" * 48
    lines = {"x.html": "k1 " + listing.short_refs([before, after]),
             "y.html": "k2 " + listing.short_refs([after, wanted]),
             "z.html": "k3 " + listing.short_refs([])}
    assert listing.find(lines, [wanted]) == ["y.html"]
    assert listing.find(lines, [before]) == ["x.html"]
    assert listing.find(lines, [wanted, before]) == ["x.html", "y.html"]
