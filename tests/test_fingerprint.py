"""Page fingerprints: equal for equal data whatever the objects, different for any changed field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from bantin.fingerprint import RECORDS, Fingerprinter
from bantin.images import ImageAsset, Variant
from bantin.model import Article, Term
from bantin.plan import PageOutput, SitemapEntry, Switch, same

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def article(**changes) -> Article:
    """A fresh object graph each call: nothing shared with an earlier call but interned strings."""
    image = ImageAsset(
        source=Path("/site/content/media/le-ra-quan.jpg"), name="Lễ ra quân.jpg", slug="le-ra-quan",
        variants=(Variant("le-ra-quan-480.jpg", 480, 320, "image/jpeg", Path("/cache/ab-480.jpg")),),
    )
    fields = dict(
        base="2020-05-23-ra-quan", lang="vi", rel="content/articles/2020-05-23-ra-quan.vi.md",
        title="Ra quân BHXH toàn dân", slug="ra-quan-bhxh-toan-dan", url="tin-tuc/ra-quan-bhxh-toan-dan/",
        published=dt.datetime(2020, 5, 23, 8, 0, tzinfo=HANOI), updated=None,
        authors=(Term("thanh-huyen", "Thanh Huyền"),), tags=(Term("bhxh", "BHXH"), Term("lang-son", "Lạng Sơn")),
        source=None, source_url=None, dateline="LSO", summary="Sáng 23/5…", body_html="<p>61.649 người</p>",
        images=(image,), cover=image, cover_alt="Lễ ra quân", cover_caption=None, cover_in_body=True, events=(),
    )
    fields.update(changes)
    return Article(**fields)


def page(**data) -> PageOutput:
    return PageOutput(path="tin-tuc/x/index.html", url="tin-tuc/x/", lang="vi", template="article.html",
                      what="article", origin="content/articles/x.vi.md", data=MappingProxyType(data),
                      alternates=(("vi", "tin-tuc/x/"), ("en", "en/news/x/")),
                      switches=(Switch("en", "en/news/x/", True),))


@pytest.mark.parametrize("kind", sorted(RECORDS, key=lambda k: k.__name__), ids=lambda k: k.__name__)
def test_records_hashed_by_repr_use_the_dataclass_repr_of_every_field(kind):
    # A hand-written __repr__, or a field left out of the repr, would let two different values
    # share a fingerprint, and a changed page would not be rendered again.
    assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.repr
    assert inspect.unwrap(kind.__repr__).__qualname__ == "__create_fn__.<locals>.__repr__"  # generated
    assert all(f.repr for f in dataclasses.fields(kind))


def test_equal_values_have_equal_fingerprints_whatever_the_objects():
    assert Fingerprinter().of(page(article=article())) == Fingerprinter().of(page(article=article()))
    values = Fingerprinter()
    assert values.of(page(article=article())) == values.of(page(article=article()))


@pytest.mark.parametrize("change", [
    dict(body_html="<p>61.650 người</p>"),
    dict(tags=(Term("bhxh", "BHXH"), Term("lang-son", "Lạng Sơn (tỉnh)"))),
    dict(published=dt.datetime(2020, 5, 23, 8, 0, tzinfo=dt.timezone.utc)),
    dict(images=(ImageAsset(Path("/site/content/media/le-ra-quan.jpg"), "Lễ ra quân.jpg", "le-ra-quan",
                            (Variant("le-ra-quan-480.jpg", 480, 321, "image/jpeg", Path("/cache/ab-480.jpg")),)),)),
    dict(cover_in_body=False),
])
def test_any_changed_field_of_an_article_changes_the_page_fingerprint(change):
    assert Fingerprinter().of(page(article=article(**change))) != Fingerprinter().of(page(article=article()))


def test_the_page_record_itself_counts_not_only_its_data():
    values = Fingerprinter()
    original = page(article=article())
    moved = dataclasses.replace(original, alternates=(("vi", "tin-tuc/x/"),))
    assert values.of(moved) != values.of(original)


def sitemap(*days: int) -> PageOutput:
    """The sitemap's page, with an article modified on each of these days of May 2020."""
    entries = tuple(SitemapEntry(f"https://bhxh.example/tin-tuc/{n}/", dt.datetime(2020, 5, day, tzinfo=HANOI),
                                 (("vi", f"tin-tuc/{n}/"),))
                    for n, day in enumerate(days))
    return dataclasses.replace(page(), path="sitemap.xml", data=MappingProxyType({"entries": entries}))


def test_a_page_s_own_data_counts_to_its_last_field_and_its_sequences_keep_their_order():
    values = Fingerprinter()
    assert values.of(sitemap(23, 24)) == Fingerprinter().of(sitemap(23, 24))
    different = {values.of(p) for p in (sitemap(23, 24), sitemap(23, 25), sitemap(24, 23), sitemap(23),
                                        sitemap(23, 24, 24))}
    assert len(different) == 5
    # Hashed into the page's digest: neither the mapping nor the entries are memoized on their own.
    assert [type(value).__name__ for value, _ in values.entries.values()] == ["PageOutput"] * 6


def test_a_sequence_in_a_page_s_data_is_not_the_same_as_its_items_side_by_side():
    values = Fingerprinter()
    one, two = article(), article(title="Ra quân")
    assert values.of(page(articles=(one, two))) != values.of(page(articles=(one,), more=(two,)))
    assert values.of(page(articles=(one, two))) != values.of(page(articles=[(one, two)]))


def test_planned_values_are_the_same_only_when_they_render_alike():
    # plan.same lets the preview's planner hand back the page object of its last build, whose
    # fingerprint it knows: a false "same" would publish a stale page, so it says no when unsure.
    shown = article()
    assert same(page(article=shown), page(article=shown))  # new page records around the very same article
    assert not same(page(article=shown), page(article=article()))  # equal, but not the same objects: hashed
    noon_hanoi = dt.datetime(2020, 5, 23, 12, 0, tzinfo=HANOI)
    assert noon_hanoi == noon_hanoi.astimezone(dt.timezone.utc)
    assert not same((noon_hanoi,), (noon_hanoi.astimezone(dt.timezone.utc),))  # the same instant, another text
    assert not same(1, True) and not same((1,), (1.0,))
    assert same(Switch("en", "en/news/x/", True), Switch("en", "en/news/x/", True))
    assert not same(Switch("en", "en/news/x/", False), Switch("en", "en/news/x/", False, "Chưa dịch"))
    assert same(MappingProxyType({"a": 1, "b": "x"}), MappingProxyType({"a": 1, "b": "x"}))
    assert not same(MappingProxyType({"a": 1, "b": "x"}), MappingProxyType({"b": "x", "a": 1}))  # another order
    assert not same(MappingProxyType({"a": 1}), {"a": 1})
