"""The rebuild after an edit to a few bodies (bantin/quick.py): the pages it writes are the full build's.

Each test edits the sample site (search off, two entries per feed, so that older articles
are in no feed), rebuilds, and compares the output with a clean build of the same sources;
the spy tells whether the quick path answered or left the build to the full pipeline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import time

import pytest

from bantin import pipeline, relist, state
from conftest import run_build
from test_images import camera_jpeg
from test_incremental import _edit as edit, tree
from test_rebuilds import age, checkout_again, files_on_disk

SEED_VI = "content/articles/2020-05-23-ra-quan-bhxh-toan-dan.vi.md"
SEED_EN = SEED_VI.replace(".vi.md", ".en.md")
PARADE_VI = "content/articles/2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.vi.md"
GUIDE_VI = "content/articles/2020-06-01-huong-dan-viet-bai.vi.md"  # the newest: in the feed
SEED_PAGES = ["en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/index.html",
              "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html"]
PARADE_PAGE = "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/index.html"
STALE_EN = (f"{SEED_EN}:13:1: warning: stale translation: the vi original ({SEED_VI}) has changed since this "
            "translation was made; update the translation, then run 'python build.py translations --update "
            "2020-05-23-ra-quan-bhxh-toan-dan.en'")


class QuickSpy:
    """The quick path's answer to each build: the pages it wrote, or None (the full build ran)."""

    def __init__(self, monkeypatch):
        self.answers: list = []
        original = pipeline.quick_rebuild

        def spy(*args, **kwargs):
            answer = original(*args, **kwargs)
            self.answers.append(answer.rendered if answer is not None else None)
            return answer

        monkeypatch.setattr(pipeline, "quick_rebuild", spy)


@pytest.fixture
def site(site_factory, capsys):
    root = site_factory({}, with_sample_articles=True)
    config = root / "site_config.yaml"
    text = config.read_text(encoding="utf-8").replace("search: true", "search: false")
    config.write_text(text.replace("feed_entries: 20", "feed_entries: 2"), encoding="utf-8")
    age(root)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    return root


def rebuild(root, capsys, *edited, seconds_ago: float = 60):
    """Build after ``edited`` were saved ``seconds_ago`` (a minute: their stamps are trusted, as an
    editor's save is by the next build; under two seconds: a file saved that recently is read
    again by the next build, whatever its stamp; under 0.1 s, the build trusts no stamp at all)."""
    moment = time.time_ns() - int(seconds_ago * 1e9)
    for path in edited:
        os.utime(root / path, ns=(moment, moment))
    return run_build(root, "build", "--quiet", capsys=capsys)


def warnings_of(result) -> list[str]:
    """The warnings a build gave (a clean build must give the same ones)."""
    return [w for w in result.errors if ": warning: " in w]


def same_as_clean(root, capsys, warnings):
    clean = root.parent / "clean-public"
    shutil.rmtree(clean, ignore_errors=True)
    result = run_build(root, "build", "--quiet", "--clean", "--out", str(clean), capsys=capsys)
    assert result.code == 0 and result.errors == warnings
    return tree(root / "public") == tree(clean)


def test_an_edit_to_an_original_renders_its_page_and_its_translation_s(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / SEED_VI, "\nSau lễ phát động,", "\nĐoạn bổ sung.\n\nSau lễ phát động,")
    result = rebuild(site, capsys, SEED_VI)
    assert result.code == 0
    assert result.errors == [STALE_EN]  # the English version now notes that its original changed
    assert spy.answers == [tuple(SEED_PAGES)]
    page = (site / "public" / SEED_PAGES[1]).read_text(encoding="utf-8")
    assert "<p>Đoạn bổ sung.</p>" in page
    assert same_as_clean(site, capsys, [STALE_EN])


def test_successive_edits_and_their_undoing_stay_the_full_build_s(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    original = (site / PARADE_VI).read_text(encoding="utf-8")
    for n in range(3):
        edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", f"Đoạn thứ {n}.\n\nNguồn: Báo Lạng Sơn")
        assert rebuild(site, capsys, PARADE_VI).code == 0
        assert same_as_clean(site, capsys, [])
    (site / PARADE_VI).write_text(original, encoding="utf-8")
    assert rebuild(site, capsys, PARADE_VI).code == 0
    assert spy.answers == [(PARADE_PAGE,)] * 4
    assert same_as_clean(site, capsys, [])
    assert run_build(site, "build", capsys=capsys).out.startswith("up to date: ")


def test_an_edit_right_after_a_save_is_recorded_and_quick_the_next_time(site, capsys, monkeypatch):
    # The first rebuild runs within a second of the save: the file's stamp is not trusted yet (it
    # is read again next time), but the text it had is recorded, which the next quick rebuild needs.
    spy = QuickSpy(monkeypatch)
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn một.\n\nNguồn: Báo Lạng Sơn")
    assert rebuild(site, capsys, PARADE_VI, seconds_ago=1).code == 0
    edit(site / PARADE_VI, "Đoạn một.", "Đoạn hai.")
    assert rebuild(site, capsys, PARADE_VI).code == 0
    assert spy.answers == [(PARADE_PAGE,), (PARADE_PAGE,)]
    assert same_as_clean(site, capsys, [])


def test_an_edit_to_one_of_the_newest_articles_renders_the_feeds_too(site, capsys, monkeypatch):
    # A feed shows its entries in full: its other entries come from the cache, in the last build's order.
    spy = QuickSpy(monkeypatch)
    edit(site / GUIDE_VI, "\n## ", "\nĐoạn mới.\n\n## ")
    result = rebuild(site, capsys, GUIDE_VI)
    assert result.code == 0
    # Written again: the Vietnamese feed, and both versions' pages (the English one now notes that
    # its original changed; the English feed was rendered too, to the same bytes).
    assert spy.answers == [("atom.xml", "en/news/how-to-writing-a-news-article-for-the-bulletin/index.html",
                            "tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/index.html")]
    assert "&lt;p&gt;Đoạn mới.&lt;/p&gt;" in (site / "public/atom.xml").read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))


@pytest.mark.parametrize("path, old, new, why", [
    (SEED_VI, "authors: [Thanh Huyền]", "authors: [Ban biên tập]", "her page goes, which her English page links"),
    (PARADE_VI, "authors: [Ban biên tập]", "authors: [Editorial team]", "her page comes, and her English page links it"),
])
def test_other_edits_take_the_full_build(site, capsys, monkeypatch, path, old, new, why):
    spy = QuickSpy(monkeypatch)
    edit(site / path, old, new)
    result = rebuild(site, capsys, path)
    assert spy.answers == [None], why
    warnings = warnings_of(result)
    assert result.code == 0, result.errors
    assert same_as_clean(site, capsys, warnings)


def test_a_summary_taken_from_the_body_renders_the_lists_again(site, capsys, monkeypatch):
    text = (site / COOP_VI).read_text(encoding="utf-8")
    (site / COOP_VI).write_text("\n".join(line for line in text.split("\n") if not line.startswith("summary:")),
                                encoding="utf-8")
    assert rebuild(site, capsys, COOP_VI).code == 0
    spy = QuickSpy(monkeypatch)
    first = text.split("---\n", 2)[2].strip().split("\n")[0]
    edit(site / COOP_VI, first, "Câu mở đầu mới. " + first)
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0
    assert spy.answers[0] is not None and "index.html" in spy.answers[0]  # the lists show the summary
    assert "Câu mở đầu mới." in (site / "public/index.html").read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_mistake_in_an_edited_body_is_reported_by_the_full_build(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    before = tree(site / "public")
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", '{{< event "khong-co" >}}\n\nNguồn: Báo Lạng Sơn')
    result = rebuild(site, capsys, PARADE_VI)
    assert spy.answers == [None]
    assert result.code == 1
    assert result.errors == [f"{PARADE_VI}:20:1: error: unknown event id 'khong-co' in shortcode 'event' "
                             "(no content/calendar/<id>.yaml)"]
    assert tree(site / "public") == before


def test_a_template_edit_with_a_body_edit_takes_the_full_build(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn mới.\n\nNguồn: Báo Lạng Sơn")
    edit(site / "templates/article.html", "</article>", "</article>\n<!-- mới -->")
    assert rebuild(site, capsys, PARADE_VI, "templates/article.html").code == 0
    assert spy.answers == [None]
    assert same_as_clean(site, capsys, [])


def test_with_strict_a_warning_fails_the_build_and_leaves_the_output(site, capsys, monkeypatch):
    assert run_build(site, "build", "--quiet", "--strict", capsys=capsys).code == 0
    before = tree(site / "public")
    spy = QuickSpy(monkeypatch)
    edit(site / SEED_VI, "\nSau lễ phát động,", "\nĐoạn bổ sung.\n\nSau lễ phát động,")
    os.utime(site / SEED_VI, ns=(time.time_ns() - 60 * 10**9,) * 2)
    result = run_build(site, "build", "--quiet", "--strict", capsys=capsys)
    assert spy.answers == [None]
    assert result.code == 1
    assert result.errors == [STALE_EN.replace(": warning: ", ": error: ")]
    assert tree(site / "public") == before


def test_the_pages_that_show_an_article_in_full_are_found_wherever_it_stands():
    import dataclasses
    import datetime as dt

    from bantin.model import Article
    from bantin.plan import PageOutput
    from bantin.quick import shown_in_full

    def article(rel):
        return Article(base=rel, lang="vi", rel=rel, title="T", slug="t", url="t/", published=dt.datetime(2020, 5, 23),
                       updated=None, authors=(), tags=(), source=None, source_url=None, dateline=None, summary="S",
                       body_html="<p>B</p>", images=(), cover=None, cover_alt=None, cover_caption=None,
                       cover_in_body=False, events=())

    @dataclasses.dataclass(frozen=True)
    class Box:
        label: str
        inside: tuple

    a, b, c = article("a.md"), article("b.md"), article("c.md")
    pages = [
        PageOutput("a.html", "a/", "vi", "article.html", "article", "a.md", {"article": a, "stale_original": b}),
        PageOutput("feed.xml", "feed.xml", "vi", "atom.xml", "feed", "site_config.yaml", {"articles": (a, c)}),
        PageOutput("x.html", "x/", "vi", "x.html", "x", "site_config.yaml",
                   {"box": Box("hộp", ({"deep": [c]},)), "cards": (a.card, b.card)}),
        PageOutput("list.html", "list/", "vi", "news.html", "list", "site_config.yaml", {"articles": (c.card,)}),
    ]
    assert shown_in_full(pages) == {"a.html": ("b.md",), "feed.xml": ("a.md", "c.md"), "x.html": ("c.md",)}


def test_a_build_right_after_the_save_is_quick_and_the_next_one_reads_the_file_again(site, capsys, monkeypatch):
    # Within a clock tick of the save the file's stamp proves nothing: the next build reads it again
    # (a second save in the same tick could have kept its stamp), finds the same bytes, and is up to date.
    spy = QuickSpy(monkeypatch)
    read = []
    real_hash = state.content_hash
    monkeypatch.setattr(state, "content_hash", lambda path: (read.append(os.path.relpath(path, site)), real_hash(path))[1])
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn mới.\n\nNguồn: Báo Lạng Sơn")
    assert rebuild(site, capsys, PARADE_VI, seconds_ago=0).code == 0
    assert read == [PARADE_VI]
    read.clear()
    assert run_build(site, "build", capsys=capsys).out.startswith("up to date: ")
    assert read == [PARADE_VI]
    assert spy.answers == [(PARADE_PAGE,)]
    assert same_as_clean(site, capsys, [])


def test_after_a_fresh_checkout_with_the_output_and_cache_restored_nothing_is_rendered(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    before = files_on_disk(site / "public")
    checkout_again(site)
    assert run_build(site, "build", capsys=capsys).out.startswith("up to date: ")
    assert files_on_disk(site / "public") == before
    assert spy.answers == []


def test_after_a_fresh_checkout_an_edited_body_renders_its_page_alone(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn mới.\n\nNguồn: Báo Lạng Sơn")
    checkout_again(site)
    assert run_build(site, "build", "--quiet", capsys=capsys).code == 0
    assert spy.answers == [(PARADE_PAGE,)]
    assert same_as_clean(site, capsys, [])


def test_a_broken_link_in_an_edited_body_is_reported_by_the_full_build_and_nothing_is_left(site, capsys,
                                                                                           monkeypatch):
    spy = QuickSpy(monkeypatch)
    before = tree(site / "public")
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Xem [bài cũ](/tin-tuc/khong-co/).\n\nNguồn: Báo Lạng Sơn")
    result = rebuild(site, capsys, PARADE_VI)
    assert spy.answers == [None]  # rendered and staged, then left to the full build
    assert result.code == 1
    assert result.errors == [f"{PARADE_VI}:20:14: error: broken link '/tin-tuc/khong-co/' on "
                             "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/: "
                             "nothing is built at /tin-tuc/khong-co/"]
    assert tree(site / "public") == before
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".public")) == []


@pytest.mark.parametrize("template, reads", [
    ("templates/news.html", "site.languages | length"),  # every article in full: any page may show a body
    ("templates/article.html", "calendar.has_events(lang.code)"),  # the calendar answers for the whole site
])
def test_when_a_template_reads_the_whole_site_every_edit_takes_the_full_build(site, capsys, monkeypatch, template,
                                                                             reads):
    edit(site / template, "{% block main %}", "{% block main %}<!-- {{ " + reads + " }} -->")
    assert rebuild(site, capsys, template).code == 0
    spy = QuickSpy(monkeypatch)
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn mới.\n\nNguồn: Báo Lạng Sơn")
    assert rebuild(site, capsys, PARADE_VI).code == 0
    assert spy.answers == [None]
    assert same_as_clean(site, capsys, [])


def test_a_file_deleted_from_the_output_by_hand_takes_the_full_build(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    (site / "public" / SEED_PAGES[1]).unlink()
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn mới.\n\nNguồn: Báo Lạng Sơn")
    assert rebuild(site, capsys, PARADE_VI).code == 0
    assert spy.answers == [None]
    assert same_as_clean(site, capsys, [])


NEW_VI = "content/articles/2019-01-02-bai-moi.vi.md"
NEW_ARTICLE = """\
---
title: Bài mới thêm vào kho
date: 2019-01-02
summary: Một bài cũ được thêm vào kho lưu trữ.
tags: [Lạng Sơn]
---

Nội dung bài mới.
"""


def test_a_day_of_edits_leaves_the_output_a_clean_build_s_after_each(site, capsys, monkeypatch):
    """Edits of every kind in a row, each built and compared with a clean build: the quick path
    answers those it can, the full build the others, and the output never differs."""

    def body(path, text):
        return lambda: edit(site / path, "\nNguồn: Báo Lạng Sơn" if path == PARADE_VI else "\n## ",
                            f"\n{text}\n\nNguồn: Báo Lạng Sơn" if path == PARADE_VI else f"\n{text}\n\n## ")

    def append(path, text):
        def do():
            with open(site / path, "a", encoding="utf-8") as file:
                file.write(f"\n{text}\n")
        return do

    parade = (site / PARADE_VI).read_text(encoding="utf-8")
    steps = [
        ("a body", [PARADE_VI], body(PARADE_VI, "Đoạn một."), "quick"),
        ("a translation's body", [SEED_EN], append(SEED_EN, "An added paragraph."), "quick"),
        ("an original's body (its translation goes stale)", [SEED_VI], append(SEED_VI, "Đoạn thêm."), "quick"),
        ("a title", [PARADE_VI], lambda: edit(site / PARADE_VI, "title: \"Diễu hành", "title: \"Cuộc diễu hành"),
         "full"),
        ("the newest article's body", [GUIDE_VI], body(GUIDE_VI, "Đoạn hướng dẫn thêm."), "quick"),
        ("a tag new to the site (its page comes)", [SEED_VI],
         lambda: edit(site / SEED_VI, "tags: [BHXH toàn dân,", "tags: [BHXH,"), "quick"),
        ("the tag before (the new one's page goes)", [SEED_VI],
         lambda: edit(site / SEED_VI, "tags: [BHXH,", "tags: [BHXH toàn dân,"), "quick"),
        ("the new tag again", [SEED_VI], lambda: edit(site / SEED_VI, "tags: [BHXH toàn dân,", "tags: [BHXH,"), "quick"),
        ("two bodies", [PARADE_VI, GUIDE_VI],
         lambda: (body(PARADE_VI, "Đoạn hai.")(), body(GUIDE_VI, "Đoạn ba.")()), "quick"),
        ("a summary", [COOP_VI], lambda: edit(site / COOP_VI, "summary: \"Tóm tắt", "summary: \"Tóm lược"), "quick"),
        ("a new title without slug (a new address)", [GUIDE_VI],
         lambda: edit(site / GUIDE_VI, "title: \"Hướng dẫn: cách viết", "title: \"Hướng dẫn: cách soạn"), "quick"),
        ("the moved article's body", [GUIDE_VI], body(GUIDE_VI, "Đoạn sau khi đổi tên."), "quick"),
        ("its old title back (its old address)", [GUIDE_VI],
         lambda: edit(site / GUIDE_VI, "title: \"Hướng dẫn: cách soạn", "title: \"Hướng dẫn: cách viết"), "quick"),
        ("the same article's body", [COOP_VI],
         lambda: edit(site / COOP_VI, "\nTheo Báo Lạng Sơn,", "\nĐoạn chen.\n\nTheo Báo Lạng Sơn,"), "quick"),
        ("its summary again", [COOP_VI], lambda: edit(site / COOP_VI, "summary: \"Tóm lược", "summary: \"Bản tóm lược"),
         "quick"),
        ("a new date (the card to the second news page)", [SO_LIEU_VI],
         lambda: edit(site / SO_LIEU_VI, "date: 2020-05-27", "date: 2020-05-22"), "quick"),
        ("a tag among the site's", [COOP_VI], lambda: edit(site / COOP_VI, "tags: [Bưu điện,", "tags: [BHXH toàn dân,"),
         "quick"),
        ("the summary of an article an event links", [PARADE_VI],
         lambda: edit(site / PARADE_VI, "summary: \"", "summary: \"Tin: "), "quick"),
        ("an event", ["content/calendar/ra-quan-2020.yaml"],
         lambda: edit(site / "content/calendar/ra-quan-2020.yaml", "lễ ra quân", "buổi ra quân"), "full"),
        ("a template", ["templates/article.html"],
         lambda: edit(site / "templates/article.html", "</article>", "</article>\n<!-- mẫu mới -->"), "full"),
        ("a new article", [NEW_VI], lambda: (site / NEW_VI).write_text(NEW_ARTICLE, encoding="utf-8"), "quick"),
        ("the new article's body", [NEW_VI], append(NEW_VI, "Đoạn bổ sung của bài mới."), "quick"),
        ("the new article deleted", [], lambda: (site / NEW_VI).unlink(), "quick"),
        ("a body back as it was (title kept)", [PARADE_VI],
         lambda: (site / PARADE_VI).write_text(parade.replace("title: \"Diễu hành", "title: \"Cuộc diễu hành"),
                                               encoding="utf-8"), "quick"),
    ]
    guide_en = GUIDE_VI.replace(".vi.md", ".en.md")
    stale_guide = (f"{guide_en}:7:1: warning: stale translation: the vi original ({GUIDE_VI}) has changed since "
                   "this translation was made; update the translation, then run 'python build.py translations "
                   "--update 2020-06-01-huong-dan-viet-bai.en'")
    for what, paths, change, expected in steps:
        spy = QuickSpy(monkeypatch)
        change()
        result = rebuild(site, capsys, *paths)
        assert result.code == 0, (what, result.errors)
        assert [answer is not None for answer in spy.answers] == [expected == "quick"], (what, capsys.readouterr().err)
        assert same_as_clean(site, capsys, warnings_of(result)), what
        monkeypatch.undo()
    stale_coop = (f"{COOP_VI.replace('.vi.md', '.en.md')}:8:1: warning: stale translation: the vi original "
                  f"({COOP_VI}) has changed since this translation was made; update the translation, then run "
                  "'python build.py translations --update 2020-05-28-phoi-hop-bhxh-buu-dien.en'")
    assert result.errors == [STALE_EN, stale_coop, stale_guide]  # the three originals were edited
    assert run_build(site, "build", capsys=capsys).out.startswith("up to date: ")


def test_a_page_bundle_with_its_own_image_and_a_translation(site, capsys, monkeypatch):
    # A bundle folder holds the article's versions and its images; the quick path finds its
    # translation by the folder's name, and its image is published as it was.
    bundle = site / "content/articles/2019-03-01-bai-co-anh"
    bundle.mkdir()
    shutil.copy(site / "content/media/minh-hoa-phat-lenh.svg", bundle / "anh.svg")
    (bundle / "index.vi.md").write_text(
        "---\ntitle: Bài có ảnh\ndate: 2019-03-01\nsummary: Bài có ảnh riêng.\n---\n\n"
        '![Ảnh minh hoạ](anh.svg "Chú thích ảnh")\n\nĐoạn đầu.\n', encoding="utf-8")
    (bundle / "index.en.md").write_text(
        "---\ntitle: An article with a picture\ndate: 2019-03-01\nsummary: Its own picture.\n---\n\n"
        '![Illustration](anh.svg "A caption")\n\nFirst paragraph.\n', encoding="utf-8")
    assert rebuild(site, capsys, *(f"content/articles/2019-03-01-bai-co-anh/{n}" for n in ("anh.svg", "index.vi.md",
                                                                                          "index.en.md"))).code == 0
    spy = QuickSpy(monkeypatch)
    edit(bundle / "index.vi.md", "Đoạn đầu.", "Đoạn đầu, đã sửa.")
    assert rebuild(site, capsys, "content/articles/2019-03-01-bai-co-anh/index.vi.md").code == 0
    assert spy.answers == [("tin-tuc/bai-co-anh/index.html",)]
    assert same_as_clean(site, capsys, [])


def test_the_next_full_build_knows_the_pages_a_quick_one_wrote(site, capsys, monkeypatch):
    # The quick rebuild patches the output's record with the fingerprints of the pages it wrote: the
    # next full build (a stats edit here) leaves those pages alone, as it would after a full build.
    from test_incremental import rendered_templates

    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn mới.\n\nNguồn: Báo Lạng Sơn")
    assert rebuild(site, capsys, PARADE_VI).code == 0
    rendered = rendered_templates(monkeypatch)
    edit(site / "content/stats/lang-son-2020-05.yaml", "61649", "61650")
    assert rebuild(site, capsys, "content/stats/lang-son-2020-05.yaml").code == 0
    assert "article.html" in rendered  # the launch report shows the figures
    assert rendered.count("article.html") == 2  # its two versions, not the edited parade report
    assert same_as_clean(site, capsys, [])


def test_a_quick_rebuild_stopped_after_moving_its_pages_leaves_them_to_be_rendered_again(site, capsys,
                                                                                         monkeypatch):
    from bantin import quick
    from test_incremental import rendered_templates

    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", "Đoạn mới.\n\nNguồn: Báo Lạng Sơn")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # the pages are in place, their fingerprints not yet recorded

    monkeypatch.setattr(quick, "_keep_records", stopped)
    with pytest.raises(KeyboardInterrupt):
        rebuild(site, capsys, PARADE_VI)
    monkeypatch.undo()
    rendered = rendered_templates(monkeypatch)
    result = run_build(site, "build", "--quiet", capsys=capsys)  # no state: the full build
    assert result.code == 0
    assert rendered == ["article.html"]  # the page whose fingerprint the patch left out
    assert same_as_clean(site, capsys, [])


COOP_VI = "content/articles/2020-05-28-phoi-hop-bhxh-buu-dien.vi.md"  # on no event's page; in the feed
SO_LIEU_VI = "content/articles/2020-05-27-so-lieu-tham-gia-bhxh-bhyt-lang-son.vi.md"  # no event's, no feed's, no translation
SO_LIEU_PAGE = "tin-tuc/so-lieu-tham-gia-bhxh-bhyt-tai-lang-son-den-ngay-23-5-2020/index.html"
STALE_COOP_EN = ("content/articles/2020-05-28-phoi-hop-bhxh-buu-dien.en.md:8:1: warning: stale translation: the vi "
                 f"original ({COOP_VI}) has changed since this translation was made; update the translation, then "
                 "run 'python build.py translations --update 2020-05-28-phoi-hop-bhxh-buu-dien.en'")
COOP_PAGE = "tin-tuc/nganh-bhxh-va-buu-dien-phoi-hop-chi-tra-van-dong-tham-gia-bhxh/index.html"


def test_a_summary_edit_renders_the_list_pages_that_show_its_card(site, capsys, monkeypatch):
    # What lists show of an article changed: its own page, the feed, and the lists with its card
    # (home, news, its tags' and author's pages, from their records), not the other lists.
    spy = QuickSpy(monkeypatch)
    edit(site / COOP_VI, "summary: \"Tóm tắt theo Báo Lạng Sơn:", "summary: \"Tóm lược theo Báo Lạng Sơn:")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0, result.errors
    assert spy.answers == [("atom.xml", "chu-de/bhxh-tu-nguyen/index.html", "chu-de/bhyt/index.html", "chu-de/buu-dien/index.html",
                            "chu-de/lang-son/index.html", "index.html", "tac-gia/ban-bien-tap/index.html",
                            "tin-tuc/index.html", COOP_PAGE)]
    assert result.errors == []
    for path in ("index.html", "chu-de/buu-dien/index.html", COOP_PAGE):
        assert "Tóm lược theo Báo Lạng Sơn:" in (site / "public" / path).read_text(encoding="utf-8"), path
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_title_edit_with_a_slug_and_a_summary_edit_again_stay_quick(site, capsys, monkeypatch):
    # With its address fixed by 'slug', a new title changes no address: still the lists' records.
    edit(site / COOP_VI, "date: 2020-05-28\n", "date: 2020-05-28\nslug: phoi-hop-bhxh-buu-dien\n")
    assert rebuild(site, capsys, COOP_VI).code == 0  # (a new address: the full build)
    spy = QuickSpy(monkeypatch)
    edit(site / COOP_VI, "title: \"Ngành BHXH và bưu điện", "title: \"BHXH và bưu điện")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0
    assert spy.answers[0] is not None and "tin-tuc/phoi-hop-bhxh-buu-dien/index.html" in spy.answers[0]
    assert same_as_clean(site, capsys, warnings_of(result))
    edit(site / COOP_VI, "summary: \"Tóm tắt", "summary: \"Bản tóm tắt")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0
    assert spy.answers[1] is not None and "index.html" in spy.answers[1]
    assert same_as_clean(site, capsys, warnings_of(result))


@pytest.mark.parametrize("path, old, new, why", [
    (COOP_VI, "Lạng Sơn]", "Lang Son]", "the newest article's spelling of a tag names it on every page"),
    (COOP_VI, "date: 2020-05-28", "date: 2020-05-22", "a date that takes it out of a full feed (which article"
     " takes its place is not known)"),
    (SO_LIEU_VI, "date: 2020-05-27", "date: 2019-05-27", "out of the last year the site has content for (which the"
     " calendar shows yearly events up to)"),
    (PARADE_VI, "date: 2020-05-25", "date: 2020-05-20", "the date of an article an event links"),
])
def test_card_edits_that_other_pages_show_take_the_full_build(site, capsys, monkeypatch, path, old, new, why):
    spy = QuickSpy(monkeypatch)
    edit(site / path, old, new)
    result = rebuild(site, capsys, path)
    assert result.code == 0, (why, result.errors)
    assert spy.answers == [None], why
    assert same_as_clean(site, capsys, warnings_of(result)), why


def test_a_list_page_record_naming_code_is_refused_and_the_full_build_runs(site, capsys, monkeypatch):
    # The records are pickles read by an unpickler that makes the engine's records only: one that
    # names anything else (here os.system, as a tampered cache could) is not run, only refused.
    import base64
    import pickle
    import sqlite3

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch '{site / 'pwned'}'",)

    database = site / ".bantin-cache" / "cache.sqlite"
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT key, value FROM listings").fetchall()
        assert rows
        for key, value in rows:
            refs = value.split("\n", 1)[0]
            evil = base64.b64encode(pickle.dumps(Payload(), protocol=5)).decode("ascii")
            db.execute("UPDATE listings SET value = ? WHERE key = ?", (refs + "\n" + evil, key))
    spy = QuickSpy(monkeypatch)
    edit(site / COOP_VI, "summary: \"Tóm tắt", "summary: \"Bản tóm tắt")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0
    assert spy.answers == [None]
    assert not (site / "pwned").exists()
    assert same_as_clean(site, capsys, warnings_of(result))


def test_the_unpickler_of_list_pages_refuses_what_is_not_the_engine_s():
    import base64
    import pickle

    from bantin import listing

    from bantin.model import read_body_when_asked

    for value, name in ((os.system, "posix.system"), (dataclasses.replace, "dataclasses.replace"),
                        (read_body_when_asked, "bantin.model.read_body_when_asked")):
        record = base64.b64encode(pickle.dumps(value, protocol=5)).decode("ascii")
        with pytest.raises(pickle.UnpicklingError) as refused:
            listing.decode(record, lambda key: None)
        assert str(refused.value) == f"a page record names {name}, which it may not"


def test_an_article_an_event_links_is_quick_for_a_summary_and_full_for_a_title(site, capsys, monkeypatch):
    # The calendar's pages show the titles of the articles its events link (not their summaries).
    edit(site / PARADE_VI, "date: 2020-05-25\n", "date: 2020-05-25\nslug: dieu-hanh-luu-dong\n")
    assert rebuild(site, capsys, PARADE_VI).code == 0  # (a new address: the full build)
    spy = QuickSpy(monkeypatch)
    edit(site / PARADE_VI, "summary: \"", "summary: \"Tin: ")
    assert rebuild(site, capsys, PARADE_VI).code == 0
    assert spy.answers[0] is not None and "tin-tuc/dieu-hanh-luu-dong/index.html" in spy.answers[0]
    assert not any(path.startswith("lich/") for path in spy.answers[0])  # (no event page shows a summary)
    assert same_as_clean(site, capsys, [])
    edit(site / PARADE_VI, "title: \"Diễu hành", "title: \"Cuộc diễu hành")
    assert rebuild(site, capsys, PARADE_VI).code == 0
    assert spy.answers[1] is None
    assert "Cuộc diễu hành" in (site / "public/lich/dieu-hanh-tuyen-truyen-2020/index.html").read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, [])


def test_a_summary_edit_after_a_body_edit_renders_the_lists_that_show_the_card(site, capsys, monkeypatch):
    # The body edit stores the article anew (its translation's too, gone stale) though the lists
    # that show its card are not rendered: their records must name the articles as stored now.
    spy = QuickSpy(monkeypatch)
    edit(site / COOP_VI, "\nTheo Báo Lạng Sơn,", "\nĐoạn mới.\n\nTheo Báo Lạng Sơn,")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0 and spy.answers[0] is not None and "index.html" not in spy.answers[0]
    edit(site / COOP_VI, "summary: \"Tóm tắt theo", "summary: \"Tóm lược theo")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0
    assert spy.answers[1] is not None and "index.html" in spy.answers[1]
    assert "Tóm lược theo" in (site / "public/index.html").read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_list_page_rendered_for_one_card_names_every_article_as_stored_now(site, capsys, monkeypatch):
    # One build edits the newest article's body and another's summary (both on the home page): the
    # home page's new record must name the newest as stored now, or its next summary edit would not
    # find it (and take the full build).
    spy = QuickSpy(monkeypatch)
    edit(site / GUIDE_VI, "\n## ", "\nĐoạn mới.\n\n## ")
    edit(site / COOP_VI, "summary: \"Tóm tắt", "summary: \"Tóm lược")
    result = rebuild(site, capsys, GUIDE_VI, COOP_VI)
    assert result.code == 0 and spy.answers[0] is not None and "index.html" in spy.answers[0]
    assert same_as_clean(site, capsys, warnings_of(result))
    edit(site / GUIDE_VI, "summary: \"Bài mẫu:", "summary: \"Bài hướng dẫn mẫu:")
    result = rebuild(site, capsys, GUIDE_VI)
    assert result.code == 0 and spy.answers[1] is not None and "index.html" in spy.answers[1]
    assert same_as_clean(site, capsys, warnings_of(result))



def test_a_tag_edit_moves_the_card_between_tag_pages_and_counts_it(site, capsys, monkeypatch):
    # Tags that stay on the site: the card leaves one tag's page and joins another's (in date
    # order) and the tag index counts both. (The lists with the card are rendered too, to the same
    # bytes: this theme's cards do not show tags; the pages written are those whose bytes changed.)
    spy = QuickSpy(monkeypatch)
    edit(site / COOP_VI, "tags: [Bưu điện, BHXH tự nguyện,", "tags: [BHXH toàn dân, BHXH tự nguyện,")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0, result.errors
    assert spy.answers == [("atom.xml", "chu-de/bhxh-toan-dan/index.html", "chu-de/buu-dien/index.html",
                            "chu-de/index.html", COOP_PAGE)]
    assert COOP_PAGE.removesuffix("index.html") not in (site / "public/chu-de/buu-dien/index.html").read_text(
        encoding="utf-8")
    assert COOP_PAGE.removesuffix("index.html") in (site / "public/chu-de/bhxh-toan-dan/index.html").read_text(
        encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))



def test_an_author_added_from_the_site_s_authors_joins_her_page_and_index(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / COOP_VI, "authors: [Ban biên tập]", "authors: [Ban biên tập, Thanh Huyền]")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0, result.errors
    # The cards show their authors: every list with the card, her page (which gains it) and the index.
    assert spy.answers == [("atom.xml", "chu-de/bhxh-tu-nguyen/index.html", "chu-de/bhyt/index.html",
                            "chu-de/buu-dien/index.html", "chu-de/lang-son/index.html", "index.html",
                            "tac-gia/ban-bien-tap/index.html", "tac-gia/index.html", "tac-gia/thanh-huyen/index.html",
                            "tin-tuc/index.html", COOP_PAGE)]
    assert COOP_PAGE.removesuffix("index.html") in (site / "public/tac-gia/thanh-huyen/index.html").read_text(
        encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))



@pytest.mark.parametrize("image, files", [
    ("minh-hoa-phat-lenh.svg", ["minh-hoa-phat-lenh.svg"]),  # one file, the drawing itself
    ("Ảnh-đoàn-diễu-hành.jpg", ["anh-doan-dieu-hanh-480.jpg", "anh-doan-dieu-hanh-480.webp",  # resized, and in WebP
                               "anh-doan-dieu-hanh-800.jpg", "anh-doan-dieu-hanh-800.webp"]),
])
def test_an_image_added_to_a_body_is_copied_beside_its_page_and_one_taken_out_goes(site, capsys, monkeypatch, image,
                                                                                    files):
    if image.endswith(".jpg"):  # a photo the site has (a new file in content/ takes the full build)
        (site / "content/media" / image).write_bytes(camera_jpeg(800, 600))
        assert rebuild(site, capsys, f"content/media/{image}").code == 0
    spy = QuickSpy(monkeypatch)
    folder = PARADE_PAGE.removesuffix("index.html")
    edit(site / PARADE_VI, "Nguồn: Báo Lạng Sơn", f"![Ảnh mới](../media/{image})\n\nNguồn: Báo Lạng Sơn")
    result = rebuild(site, capsys, PARADE_VI)
    assert result.code == 0, result.errors
    assert spy.answers == [tuple(sorted([folder + "index.html", *(folder + name for name in files)]))]
    assert same_as_clean(site, capsys, [])
    # Taken out again: its files go (nothing else links them); the page is as it was.
    edit(site / PARADE_VI, f"![Ảnh mới](../media/{image})\n\n", "")
    result = rebuild(site, capsys, PARADE_VI)
    assert result.code == 0, result.errors
    assert spy.answers[1] == (folder + "index.html",)
    assert not any((site / "public" / folder / name).exists() for name in files)
    assert same_as_clean(site, capsys, [])


@pytest.mark.parametrize("edits, written, gone", [
    # A tag new to the site: its page comes, the index counts it and the sitemap lists it after the tag before it.
    ([(COOP_VI, "tags: [Bưu điện, ", "tags: [Tin mới, Bưu điện, ")],
     ("atom.xml", "chu-de/index.html", "chu-de/tin-moi/index.html", "sitemap.xml", COOP_PAGE), None),
    # Its only tag's page goes (nothing else links it), a new tag's page comes, first of the index.
    ([(GUIDE_VI, "tags: [Hướng dẫn]", "tags: [Bài mẫu]")],
     ("atom.xml", "chu-de/bai-mau/index.html", "chu-de/index.html", "sitemap.xml",
      "tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/index.html"), "chu-de/huong-dan/"),
    # An author new to the site, whom the English site does not have: her page comes alone (the cards show
    # their authors: the lists with the card are rendered too).
    ([(PARADE_VI, "authors: [Ban biên tập]", "authors: [Hồng Nhung]")],
     ("chu-de/bhxh-toan-dan/index.html", "chu-de/buu-dien/index.html", "chu-de/lang-son/index.html", "sitemap.xml",
      "tac-gia/ban-bien-tap/index.html", "tac-gia/hong-nhung/index.html", "tac-gia/index.html", PARADE_PAGE,
      "tin-tuc/trang/2/index.html"), None),
    # Two articles take the same new tag: one page with both cards, newest first.
    ([(COOP_VI, "tags: [Bưu điện, ", "tags: [Tin mới, Bưu điện, "), (PARADE_VI, "tags: [", "tags: [Tin mới, ")],
     ("atom.xml", "chu-de/index.html", "chu-de/tin-moi/index.html", "sitemap.xml", PARADE_PAGE, COOP_PAGE), None),
])
def test_a_term_new_to_the_site_or_left_empty_has_its_page_come_or_go(site, capsys, monkeypatch, edits, written,
                                                                      gone):
    spy = QuickSpy(monkeypatch)
    for path, old, new in edits:
        edit(site / path, old, new)
    result = rebuild(site, capsys, *{path for path, _, _ in edits})
    assert result.code == 0, result.errors
    assert spy.answers == [written]
    if gone is not None:
        assert not (site / "public" / gone).exists()
        assert f"/{gone}<" not in (site / "public/sitemap.xml").read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))
    # The pages counted are a clean build's: one more (a page comes) or as many (one comes, one goes).
    counted = run_build(site, "build", capsys=capsys).out
    clean = run_build(site, "build", "--clean", "--out", str(site.parent / "clean-public"), capsys=capsys).out
    assert counted.split(",")[0] == clean.split(",")[0].replace("built: ", "up to date: ")
    assert counted.startswith({"chu-de/huong-dan/": "up to date: 77 pages", None: "up to date: 78 pages"}[gone])


def test_a_term_page_left_empty_that_an_article_links_takes_the_full_build_which_reports_it(site, capsys,
                                                                                          monkeypatch):
    spy = QuickSpy(monkeypatch)
    with open(site / SO_LIEU_VI, "a", encoding="utf-8") as file:
        file.write("\nXem [các bài hướng dẫn](/chu-de/huong-dan/).\n")
    assert rebuild(site, capsys, SO_LIEU_VI).code == 0
    edit(site / GUIDE_VI, "tags: [Hướng dẫn]", "tags: [Bài mẫu]")
    result = rebuild(site, capsys, GUIDE_VI)
    assert spy.answers[1] is None
    assert result.code == 1
    assert [e for e in result.errors if ": error: " in e] == [
        f"{SO_LIEU_VI}:28:25: error: broken link '/chu-de/huong-dan/' on {SO_LIEU_PAGE.removesuffix('index.html')}: "
        "nothing is built at /chu-de/huong-dan/"]
    assert (site / "public/chu-de/huong-dan/index.html").exists()  # the output as it was


def test_the_early_look_takes_the_pages_of_the_terms_an_edit_may_leave_empty(site, capsys, monkeypatch):
    # The look through the kept pages for links into what may go starts as the front matter is seen
    # changed: the article's page, and its terms' pages that show no other card (its only tag's), not
    # those of terms other articles have (its author's: the look would read every page that links it).
    from bantin import quick

    looked = []
    start = quick.EarlyLook.start
    monkeypatch.setattr(quick.EarlyLook, "start", lambda self, old_pages, *args: looked.append(sorted(old_pages))
                        or start(self, old_pages, *args))
    spy = QuickSpy(monkeypatch)
    edit(site / GUIDE_VI, "tags: [Hướng dẫn]", "tags: [Bài mẫu]")
    assert rebuild(site, capsys, GUIDE_VI).code == 0
    assert spy.answers[0] is not None
    assert looked == [["chu-de/huong-dan/index.html", "tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/index.html"]]


GUIDE_PAGE = "tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/index.html"
STALE_GUIDE_EN = (f"{GUIDE_VI.replace('.vi.md', '.en.md')}:7:1: warning: stale translation: the vi original "
                  f"({GUIDE_VI}) has changed since this translation was made; update the translation, then run "
                  "'python build.py translations --update 2020-06-01-huong-dan-viet-bai.en'")


def test_a_new_title_without_slug_moves_the_page_and_its_images_and_the_sitemap_follows(site, capsys, monkeypatch):
    # A new address: the old page and its image go, the new ones come, and the pages that name the
    # address follow: the lists with the card, the feed, the translation's page (its language
    # switch), the sitemap. Nothing else links the old address, so no other page is rendered.
    spy = QuickSpy(monkeypatch)
    old_folder = site / "public" / GUIDE_PAGE.removesuffix("index.html")
    images = sorted(p.name for p in old_folder.iterdir() if p.name != "index.html")
    edit(site / GUIDE_VI, "title: \"Hướng dẫn: cách viết", "title: \"Hướng dẫn: cách soạn")
    result = rebuild(site, capsys, GUIDE_VI)
    assert result.code == 0, result.errors
    new_folder = "tin-tuc/huong-dan-cach-soan-mot-bai-tin-cho-ban-tin/"
    assert images == ["minh-hoa-phat-bieu.svg"]
    assert spy.answers == [("atom.xml", "chu-de/huong-dan/index.html", "en/news/how-to-writing-a-news-article-for-the-bulletin/index.html",
                            "index.html", "sitemap.xml", "tac-gia/ban-bien-tap/index.html", new_folder + "index.html",
                            new_folder + "minh-hoa-phat-bieu.svg", "tin-tuc/index.html")]
    assert not old_folder.exists()
    sitemap = (site / "public/sitemap.xml").read_text(encoding="utf-8")
    assert f"/{new_folder}<" in sitemap and GUIDE_PAGE.removesuffix("index.html") not in sitemap
    assert result.errors == [STALE_GUIDE_EN]
    assert same_as_clean(site, capsys, [STALE_GUIDE_EN])
    # The next edit of the same article is quick too: the state names the files as they are now.
    edit(site / GUIDE_VI, "summary: \"Bài mẫu:", "summary: \"Bài mẫu về")
    result = rebuild(site, capsys, GUIDE_VI)
    assert result.code == 0 and spy.answers[1] is not None and new_folder + "index.html" in spy.answers[1]
    assert same_as_clean(site, capsys, [STALE_GUIDE_EN])


def test_a_new_title_and_a_new_date_at_once_move_the_page_and_the_card(site, capsys, monkeypatch):
    # A new address and a new place in the lists together: the sitemap names the new address in the new place.
    spy = QuickSpy(monkeypatch)
    edit(site / SO_LIEU_VI, "title: \"Số liệu tham gia", "title: \"Số liệu người tham gia")
    edit(site / SO_LIEU_VI, "date: 2020-05-27", "date: 2020-05-22")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0, result.errors
    new_page = "tin-tuc/so-lieu-nguoi-tham-gia-bhxh-bhyt-tai-lang-son-den-ngay-23-5-2020/index.html"
    assert spy.answers[0] is not None and new_page in spy.answers[0] and "sitemap.xml" in spy.answers[0]
    assert "tin-tuc/trang/2/index.html" in spy.answers[0]  # (the card's new place)
    assert not (site / "public" / SO_LIEU_PAGE).exists()
    assert same_as_clean(site, capsys, [])


@pytest.mark.parametrize("link, target", [
    ("/" + GUIDE_PAGE.removesuffix("index.html"),) * 2,
    # a letter escaped: the name is not written as it is
    ("/tin-tuc/%68uong-dan-cach-viet-mot-bai-tin-cho-ban-tin/", "/" + GUIDE_PAGE.removesuffix("index.html")),
    # relative: "tin-tuc" is in the linking page's address
    ("../huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/", "/" + GUIDE_PAGE.removesuffix("index.html")),
    # its image, which moves with it (the folder's files are looked for, not only its page)
    ("/" + GUIDE_PAGE.removesuffix("index.html") + "minh-hoa-phat-bieu.svg",) * 2,
])
def test_a_new_address_that_another_page_links_takes_the_full_build_which_reports_the_link(site, capsys,
                                                                                          monkeypatch, link, target):
    # Another article links the guide from its body: after the guide's new title that link is
    # broken, on a page the quick path does not render. The full build reports it and writes nothing.
    edit(site / COOP_VI, "\nNguồn: Báo Lạng Sơn", f"\nXem [bài hướng dẫn]({link}).\n\nNguồn: Báo Lạng Sơn")
    assert rebuild(site, capsys, COOP_VI).code == 0
    before = tree(site / "public")
    spy = QuickSpy(monkeypatch)
    edit(site / GUIDE_VI, "title: \"Hướng dẫn: cách viết", "title: \"Hướng dẫn: cách soạn")
    result = rebuild(site, capsys, GUIDE_VI)
    assert spy.answers == [None]
    assert result.code == 1
    assert [e for e in result.errors if ": error: " in e] == [
        f"{COOP_VI}:25:21: error: broken link '{link}' on {COOP_PAGE.removesuffix('index.html')}: nothing is "
        f"built at {target}"]
    assert tree(site / "public") == before


@pytest.mark.parametrize("new, pages", [
    # Older: from the first news page (third of four) to the last place of the second; the home page
    # shows the first page's cards; the feed's two entries are newer and stay.
    ("2020-05-22", ["index.html", "tin-tuc/index.html", "tin-tuc/trang/2/index.html"]),
    # The newest: first on the first page, and first in the feed (the oldest of its two entries goes).
    ("2020-06-02", ["atom.xml", "index.html", "tin-tuc/index.html"]),
    # A day later, the same place.
    ("2020-05-27T18:00", ["index.html", "tin-tuc/index.html"]),
])
def test_a_new_date_moves_the_card_within_the_lists_and_the_sitemap(site, capsys, monkeypatch, new, pages):
    spy = QuickSpy(monkeypatch)
    edit(site / SO_LIEU_VI, "date: 2020-05-27", f"date: {new}")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0, result.errors
    # Its page, the news pages between its two places, its tags' and author's pages (in date order;
    # the cards show the time), the sitemap (its place among the articles): those whose bytes changed.
    term_pages = ["chu-de/bhxh-tu-nguyen/index.html", "chu-de/bhyt/index.html", "chu-de/lang-son/index.html",
                  "chu-de/so-lieu/index.html", "tac-gia/ban-bien-tap/index.html"]
    assert spy.answers == [tuple(sorted([*pages, *term_pages, "sitemap.xml", SO_LIEU_PAGE]))]
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_new_lastmod_is_quick_and_the_sitemap_shows_it(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / COOP_VI, "date: 2020-05-28\n", "date: 2020-05-28\nlastmod: 2020-06-05\n")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0, result.errors
    assert spy.answers[0] is not None and "sitemap.xml" in spy.answers[0]
    assert "2020-06-05" in (site / "public/sitemap.xml").read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_date_there_and_back_moves_the_card_to_the_second_news_page_and_back(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / SO_LIEU_VI, "date: 2020-05-27", "date: 2020-05-22")
    assert rebuild(site, capsys, SO_LIEU_VI).code == 0
    edit(site / SO_LIEU_VI, "date: 2020-05-22", "date: 2020-05-27")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0 and None not in spy.answers
    assert {"index.html", "tin-tuc/index.html", "tin-tuc/trang/2/index.html"} <= set(spy.answers[1])
    assert same_as_clean(site, capsys, warnings_of(result))


def lengthen_the_news_list(root) -> None:
    """44 more articles of early 2019 (one a day from 2 January) and two cards a news page: 26 pages
    in Vietnamese, the 2019 articles on pages 4 to 26."""
    config = root / "site_config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("per_page: 4", "per_page: 2"), encoding="utf-8")
    for day in range(1, 45):
        (root / f"content/articles/2019-01-{day:02d}-bai-{day:02d}.vi.md").write_text(
            f"---\ntitle: Bài số {day}\ndate: {dt.date(2019, 1, 1) + dt.timedelta(days=day):%Y-%m-%d}\n"
            f"authors: [Ban biên tập]\ntags: [Số liệu]\n---\n\nĐoạn {day}.\n", encoding="utf-8")


def news_pages_in(rendered) -> list[str]:
    """The Vietnamese news pages but the first among the paths ``rendered``."""
    return [path for path in rendered if path.startswith("tin-tuc/trang/")]


def news_pages(numbers) -> list[str]:
    """The paths of the Vietnamese news pages ``numbers`` but the first (at tin-tuc/), as sorted."""
    return sorted(f"tin-tuc/trang/{number}/index.html" for number in numbers if number > 1)


@pytest.fixture
def long_list(site, capsys):
    """The sample site with a long news list (``lengthen_the_news_list``), none of its 2019 articles in the feed."""
    lengthen_the_news_list(site)
    age(site)
    assert run_build(site, "build", "--quiet", capsys=capsys).code == 0
    return site


@pytest.mark.parametrize("day, new, limit, pages", [
    (10, "2019-01-15T12:00", None, range(19, 22)),  # from page 21 to page 19: each of the three shifts a card
    (10, "2019-03-01", None, range(4, 22)),  # to the first 2019 place, page 4: 17 pages crossed
    (1, "2019-03-01", None, range(4, 27)),  # from page 26 to page 4: 22 pages
    (1, "2019-03-01", 20, None),  # more pages than the limit: the full build
])
def test_a_new_date_crosses_the_news_pages_between_its_places(long_list, capsys, monkeypatch, day, new, limit, pages):
    if limit is not None:
        monkeypatch.setattr(relist, "MAX_PAGES_CROSSED", limit)
    spy = QuickSpy(monkeypatch)
    path = f"content/articles/2019-01-{day:02d}-bai-{day:02d}.vi.md"
    old = f"date: {dt.date(2019, 1, 1) + dt.timedelta(days=day):%Y-%m-%d}"
    edit(long_list / path, old, f"date: {new}")
    result = rebuild(long_list, capsys, path)
    assert result.code == 0, result.errors
    if pages is None:
        assert spy.answers == [None]
    else:
        assert news_pages_in(spy.answers[0]) == news_pages(pages)
    assert same_as_clean(long_list, capsys, warnings_of(result))


def redate_2019_articles(root, dates: dict[int, str]) -> list[str]:
    """Give the articles of ``lengthen_the_news_list`` (by their day numbers) new dates; their paths."""
    paths = []
    for day, new in dates.items():
        paths.append(f"content/articles/2019-01-{day:02d}-bai-{day:02d}.vi.md")
        edit(root / paths[-1], f"date: {dt.date(2019, 1, 1) + dt.timedelta(days=day):%Y-%m-%d}", f"date: {new}")
    return paths


@pytest.mark.parametrize("dates", [
    {5: "2019-01-30T12:00", 25: "2019-01-03T12:00"},  # crossing each other, and many cards between
    {3: "2019-01-20T12:00", 4: "2019-01-21T12:00"},  # the same way, the second ending before the first
    {10: "2019-01-15T12:00", 12: "2019-01-14T12:00"},  # two places on the same pages
])
def test_two_new_dates_at_once_put_both_cards_and_sitemap_entries_in_their_places(long_list, capsys, monkeypatch,
                                                                                  dates):
    # Each card's place is the one it has after both moved (found by a walk of random edits: the
    # sitemap gave the second its place as if the first had not moved).
    spy = QuickSpy(monkeypatch)
    result = rebuild(long_list, capsys, *redate_2019_articles(long_list, dates))
    assert result.code == 0, result.errors
    assert spy.answers[0] is not None and "sitemap.xml" in spy.answers[0]
    assert same_as_clean(long_list, capsys, warnings_of(result))


def write_article(root, name: str, front_matter: str, body: str = "Nội dung bài mới.") -> str:
    """A new article file ``name`` in content/articles; its path."""
    path = f"content/articles/{name}"
    (root / path).write_text(f"---\n{front_matter}\n---\n\n{body}\n", encoding="utf-8")
    return path


def pages_counted(root, capsys) -> str:
    """The pages the next build counts (up to date, from the state the last one left), having checked
    that a clean build counts as many."""
    clean = run_build(root, "build", "--clean", "--out", str(root.parent / "counted"), capsys=capsys)
    counted = run_build(root, "build", capsys=capsys)
    assert counted.out.startswith("up to date: "), counted.out
    assert counted.out.split(", 0 warnings")[0].removeprefix("up to date: ") == \
        clean.out.split(", 0 warnings")[0].removeprefix("built: ")
    return clean.out.split(", 0 warnings")[0].removeprefix("built: ")


NEWEST = "title: Bài mới nhất\ndate: 2020-06-02\nauthors: [Ban biên tập]\ntags: [Hướng dẫn, Lạng Sơn]"


def test_a_new_article_takes_its_place_on_the_news_pages_and_its_terms_pages(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    path = write_article(site, "2020-06-02-bai-moi-nhat.vi.md", NEWEST)
    result = rebuild(site, capsys, path)
    assert result.code == 0, result.errors
    # Its page; the news pages from its place to the last (each card moves a place down) and the home
    # page; its tags' and author's pages and their indexes (the counts); the feed; the sitemap.
    assert spy.answers == [("atom.xml", "chu-de/huong-dan/index.html", "chu-de/index.html",
                            "chu-de/lang-son/index.html", "index.html", "sitemap.xml", "tac-gia/ban-bien-tap/index.html",
                            "tac-gia/index.html", "tin-tuc/bai-moi-nhat/index.html", "tin-tuc/index.html",
                            "tin-tuc/trang/2/index.html")]
    assert same_as_clean(site, capsys, warnings_of(result))
    assert pages_counted(site, capsys) == "78 pages (vi 41, en 37)"


def test_two_new_articles_add_a_news_page_and_every_page_shows_the_new_count(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    newest = write_article(site, "2020-06-02-bai-moi-nhat.vi.md", NEWEST)
    older = write_article(site, "2020-05-22-bai-cu.vi.md", "title: Bài cũ hơn\ndate: 2020-05-22\ntags: [BHYT]")
    result = rebuild(site, capsys, newest, older)
    assert result.code == 0, result.errors
    assert news_pages_in(spy.answers[0]) == news_pages([2, 3])  # (the first page is there too)
    assert "tin-tuc/index.html" in spy.answers[0]
    assert same_as_clean(site, capsys, warnings_of(result))
    assert "tin-tuc/trang/3/" in (site / "public/sitemap.xml").read_text(encoding="utf-8")
    assert pages_counted(site, capsys) == "80 pages (vi 43, en 37)"


@pytest.mark.parametrize("count, quick", [(12, True), (13, False)])  # (quick.MAX_ADDED: a batch import, the full build)
def test_a_day_s_new_articles_pushed_at_once_shift_the_news_pages_once(site, capsys, monkeypatch, count, quick):
    spy = QuickSpy(monkeypatch)
    paths = [write_article(site, f"2020-06-{day:02d}-bai-ngay-{day}.vi.md", f"title: Bài ngày {day}\n"
                           f"date: 2020-06-{day:02d}\nauthors: [Ban biên tập]\ntags: [Hướng dẫn]") for day in range(2, 2 + count)]
    result = rebuild(site, capsys, *paths)
    assert result.code == 0, result.errors
    if quick:  # 19 cards, 5 pages: every page rendered once
        assert news_pages_in(spy.answers[0]) == news_pages(range(1, 6))
    else:
        assert spy.answers == [None]
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_new_article_with_its_translation_and_a_tag_new_to_the_site(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    vi = write_article(site, "2020-05-29-hoi-nghi.vi.md", "title: Hội nghị sơ kết\ndate: 2020-05-29\n"
                       "authors: [Ban biên tập]\ntags: [Hội nghị]", "Hội nghị sơ kết tháng vận động.")
    en = write_article(site, "2020-05-29-hoi-nghi.en.md", "title: Review conference\ndate: 2020-05-29\n"
                       "authors: [Editorial team]\ntags: [Conference]", "The campaign month's review conference.")
    result = rebuild(site, capsys, vi, en)
    assert result.code == 0, result.errors
    assert {"chu-de/hoi-nghi/index.html", "en/tags/conference/index.html", "tin-tuc/hoi-nghi-so-ket/index.html",
            "en/news/review-conference/index.html", "en/atom.xml", "atom.xml"} <= set(spy.answers[0])
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_new_translation_renders_its_original_s_page_for_the_language_switch(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    path = write_article(site, "2020-05-27-so-lieu-tham-gia-bhxh-bhyt-lang-son.en.md", "title: Participation figures\n"
                         "date: 2020-05-27\nauthors: [Editorial team]\ntags: [Lạng Sơn]\n"
                         "translation_of: {lang: vi, hash: \"000000000000\"}", "Figures for Lạng Sơn.")
    result = rebuild(site, capsys, path)
    assert result.code == 0, result.errors
    assert result.errors == [f"{path}:6:1: warning: stale translation: the vi original ({SO_LIEU_VI}) has changed since "
                             "this translation was made; update the translation, then run 'python build.py translations "
                             "--update 2020-05-27-so-lieu-tham-gia-bhxh-bhyt-lang-son.en'"]
    assert {SO_LIEU_PAGE, "en/news/participation-figures/index.html", "sitemap.xml"} <= set(spy.answers[0])
    # Its original's page links it (the language switch, hreflang), as the sitemap does.
    assert '<a href="/en/news/participation-figures/" hreflang="en"' in (site / "public" / SO_LIEU_PAGE).read_text(
        encoding="utf-8")
    assert same_as_clean(site, capsys, result.errors)


@pytest.mark.parametrize("name, front_matter, why", [
    ("2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.en.md", "title: Street parade\ndate: 2020-05-25\n"
     "translation_of: {lang: vi, hash: \"000000000000\"}", "a translation of an article an event links: its page"),
    ("2020-06-02-bai-su-kien.vi.md", "title: Bài sự kiện\ndate: 2020-06-02\nevents: [ra-quan-2020]",
     "an event's page lists it"),
    ("2021-01-02-bai-nam-moi.vi.md", "title: Bài năm mới\ndate: 2021-01-02", "a new last year: the calendar's"),
    ("2020-06-02-bai-tac-gia.vi.md", "title: Bài tác giả\ndate: 2020-06-02\nauthors: [Editorial team]",
     "an author new to Vietnamese whom English has: her pages link each other"),
])
def test_new_articles_that_change_other_pages_take_the_full_build(site, capsys, monkeypatch, name, front_matter, why):
    spy = QuickSpy(monkeypatch)
    path = write_article(site, name, front_matter)
    result = rebuild(site, capsys, path)
    assert result.code == 0, (why, result.errors)
    assert spy.answers == [None], why
    assert same_as_clean(site, capsys, warnings_of(result)), why


def test_a_new_article_at_another_s_address_is_reported_by_the_full_build(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    before = tree(site / "public")
    path = write_article(site, "2020-06-02-trung-dia-chi.vi.md", "title: Diễu hành tuyên truyền lưu động trên các "
                         "trục đường chính thành phố Lạng Sơn\ndate: 2020-06-02")
    result = rebuild(site, capsys, path)
    assert spy.answers == [None] and result.code == 1
    assert result.errors == [f"{path}:2:1: error: duplicate slug 'dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-"
                             f"chinh-thanh-pho-lang-son' in 'vi' (also {PARADE_VI}); set a different 'slug'"]
    assert tree(site / "public") == before


@pytest.mark.parametrize("date, limit, pages", [
    # Among the 2019 articles, after the 32 newer ones: from its page (17) to the last (26 of 26, full now).
    ("2019-01-20T12:00", None, range(17, 27)),
    ("2020-06-02", None, range(1, 27)),  # the newest: every page
    ("2018-06-01", None, [26]),  # the oldest: the last page alone (its second card; its entry after the last one's)
    ("2020-06-02", 20, None),  # more pages than the limit: the full build
])
def test_a_new_article_moves_every_card_after_it_a_place_down(long_list, capsys, monkeypatch, date, limit, pages):
    if limit is not None:
        monkeypatch.setattr(relist, "MAX_PAGES_CROSSED", limit)
    spy = QuickSpy(monkeypatch)
    path = write_article(long_list, "2019-01-20-bai-them.vi.md", f"title: Bài thêm\ndate: {date}\ntags: [Số liệu]")
    result = rebuild(long_list, capsys, path)
    assert result.code == 0, result.errors
    if pages is None:
        assert spy.answers == [None]
    else:
        assert news_pages_in(spy.answers[0]) == news_pages(pages)
    assert same_as_clean(long_list, capsys, warnings_of(result))


def test_a_page_more_at_the_end_changes_the_pages_before_a_new_card_s_place_too(long_list, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    paths = [write_article(long_list, f"2019-01-20-bai-them-{hour}.vi.md", f"title: Bài thêm {hour}\n"
                           f"date: 2019-01-20T{hour}:00\ntags: [Số liệu]") for hour in (12, 13)]
    result = rebuild(long_list, capsys, *paths)
    assert result.code == 0, result.errors
    # 53 cards, 27 pages: the pages before the new cards' (17) show the new count, those after their cards too.
    assert news_pages_in(spy.answers[0]) == news_pages(range(2, 28))
    assert same_as_clean(long_list, capsys, warnings_of(result))


def test_a_fifth_english_article_makes_a_second_news_page_that_the_first_links(site, capsys, monkeypatch):
    (site / GUIDE_VI.replace(".vi.md", ".en.md")).unlink()  # four English articles left: one news page
    assert rebuild(site, capsys).code == 0
    spy = QuickSpy(monkeypatch)
    path = write_article(site, "2020-06-02-new-english.en.md", "title: A new English article\ndate: 2020-06-02\n"
                         "authors: [Editorial team]\ntags: [Lạng Sơn]")
    result = rebuild(site, capsys, path)
    assert result.code == 0, result.errors
    assert {"en/index.html", "en/news/index.html", "en/news/page/2/index.html"} <= set(spy.answers[0])
    assert 'href="/en/news/a-new-english-article/"' in (site / "public/en/index.html").read_text(encoding="utf-8")
    assert 'href="/en/news/page/2/"' in (site / "public/en/news/index.html").read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))


@pytest.mark.parametrize("deleted, news_pages_now, gone", [
    # A card of the first page: the cards after it move up (no feed shows it).
    ([SO_LIEU_VI], [2], SO_LIEU_PAGE),
    # An article with its translation, in both feeds: the next article takes its place in each; four
    # English articles left, the English list is a page shorter (its page 2 goes).
    ([COOP_VI, COOP_VI.replace(".vi.md", ".en.md")], [2], "en/news/page/2/index.html"),
])
def test_a_deleted_article_s_pages_go_and_the_cards_after_it_move_up(site, capsys, monkeypatch, deleted,
                                                                       news_pages_now, gone):
    spy = QuickSpy(monkeypatch)
    for path in deleted:
        (site / path).unlink()
    result = rebuild(site, capsys)
    assert result.code == 0, result.errors
    assert spy.answers[0] is not None
    assert news_pages_in(spy.answers[0]) == news_pages(news_pages_now)
    assert not (site / "public" / gone).exists()
    assert same_as_clean(site, capsys, warnings_of(result))
    # (so-lieu alone had its tag "Số liệu": that page goes too)
    assert pages_counted(site, capsys) == {SO_LIEU_VI: "75 pages (vi 38, en 37)"}.get(deleted[0], "73 pages (vi 39, en 34)")


def test_an_article_made_a_draft_goes_as_a_deleted_one(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / SO_LIEU_VI, "date: 2020-05-27", "date: 2020-05-27\ndraft: true")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0, result.errors
    assert spy.answers[0] is not None and news_pages_in(spy.answers[0]) == news_pages([2])
    assert not (site / "public" / SO_LIEU_PAGE).exists()
    assert same_as_clean(site, capsys, warnings_of(result))
    # Published again: it comes as a new article does (the last build's front matter made it a draft,
    # so it had no page and no card).
    edit(site / SO_LIEU_VI, "date: 2020-05-27\ndraft: true", "date: 2020-05-27")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0, result.errors
    assert spy.answers[1] is not None and SO_LIEU_PAGE in spy.answers[1]
    assert news_pages_in(spy.answers[1]) == news_pages([2]) and "chu-de/so-lieu/index.html" in spy.answers[1]
    assert same_as_clean(site, capsys, warnings_of(result))


def valid_until(root) -> str | None:
    """When the state of the last build says the next build must run in full (an article goes live)."""
    return state.BuildState.load(root, root / "public").valid_until


@pytest.mark.parametrize("front_matter, until", [
    ("title: Bài nháp\ndate: 2020-06-02\ndraft: true", None),
    ("title: Bài hẹn giờ\ndate: 2099-06-02", "2099-06-02T00:00:00+07:00"),
    ("title: Bài hẹn giờ\ndate: 2099-06-02T07:30\ndraft: true", None),
])
def test_a_new_draft_or_scheduled_article_renders_nothing_and_the_state_notes_when_it_goes_live(
        site, capsys, monkeypatch, front_matter, until):
    spy = QuickSpy(monkeypatch)
    assert valid_until(site) is None
    path = write_article(site, "2020-06-02-bai-chua-dang.vi.md", front_matter)
    result = rebuild(site, capsys, path)
    assert result.code == 0, result.errors
    assert spy.answers == [()] and valid_until(site) == until
    assert same_as_clean(site, capsys, warnings_of(result))
    (site / path).unlink()  # (it had no page: nothing goes)
    result = rebuild(site, capsys)
    assert result.code == 0 and spy.answers[1] == ()
    assert same_as_clean(site, capsys, warnings_of(result))


def test_an_article_scheduled_goes_as_a_deleted_one_and_comes_back_as_a_new_one(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / SO_LIEU_VI, "date: 2020-05-27", "date: 2099-05-27T08:00")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0, result.errors
    assert spy.answers[0] is not None and news_pages_in(spy.answers[0]) == news_pages([2])
    assert not (site / "public" / SO_LIEU_PAGE).exists() and valid_until(site) == "2099-05-27T08:00:00+07:00"
    assert same_as_clean(site, capsys, warnings_of(result))
    # Another, earlier: it goes live first. Then the first one back in the past: published again.
    path = write_article(site, "2020-06-02-bai-hen-gio.vi.md", "title: Bài hẹn giờ\ndate: 2098-01-01")
    assert rebuild(site, capsys, path).code == 0 and valid_until(site) == "2098-01-01T00:00:00+07:00"
    edit(site / SO_LIEU_VI, "date: 2099-05-27T08:00", "date: 2020-05-27")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0, result.errors
    assert spy.answers[2] is not None and SO_LIEU_PAGE in spy.answers[2]
    assert valid_until(site) == "2098-01-01T00:00:00+07:00"
    assert same_as_clean(site, capsys, warnings_of(result))


@pytest.mark.parametrize("draft", ["date: 2020-05-28\ndraft: true", "date: 2099-05-28"])
def test_an_article_withdrawn_beside_its_translation_renders_the_translation_s_page_again(site, capsys, monkeypatch,
                                                                                          draft):
    # Its translation stays: its page's language switch and the sitemap's alternates name the original no more.
    spy = QuickSpy(monkeypatch)
    en_page = "en/news/social-insurance-and-the-post-office-work-together-on-payments-and-enrolment/index.html"
    edit(site / COOP_VI, "date: 2020-05-28", draft)
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0, result.errors
    assert spy.answers[0] is not None and {en_page, "sitemap.xml"} <= set(spy.answers[0])
    assert not (site / "public" / COOP_PAGE).exists()
    assert same_as_clean(site, capsys, warnings_of(result))
    edit(site / COOP_VI, draft, "date: 2020-05-28")  # published again: the switch names it again
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0, result.errors
    assert spy.answers[1] is not None and {COOP_PAGE, en_page, "sitemap.xml"} <= set(spy.answers[1])
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_draft_edited_as_a_draft_renders_nothing_then_published_comes_as_a_new_article(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    edit(site / SO_LIEU_VI, "date: 2020-05-27", "date: 2020-05-27\ndraft: true")
    assert rebuild(site, capsys, SO_LIEU_VI).code == 0
    edit(site / SO_LIEU_VI, "summary: \"Tóm tắt", "summary: \"Bản nháp. Tóm tắt")  # still a draft: no page shows it
    assert rebuild(site, capsys, SO_LIEU_VI).code == 0
    edit(site / SO_LIEU_VI, "date: 2020-05-27\ndraft: true", "date: 2020-05-27")
    result = rebuild(site, capsys, SO_LIEU_VI)
    assert result.code == 0, result.errors
    assert spy.answers[1] == () and SO_LIEU_PAGE in spy.answers[2]
    assert "Bản nháp. Tóm tắt" in (site / "public" / SO_LIEU_PAGE).read_text(encoding="utf-8")
    assert same_as_clean(site, capsys, warnings_of(result))


def test_deleting_an_article_an_event_links_takes_the_full_build_which_reports_the_link(site, capsys, monkeypatch):
    spy = QuickSpy(monkeypatch)
    (site / PARADE_VI).unlink()
    result = rebuild(site, capsys)
    assert (spy.answers, result.code) == ([None], 1), result.errors


@pytest.mark.parametrize("tags, line", [
    ("", 6),  # the deleted article's tag page goes too (the kept pages are looked through as the pages render)
    ("\ntags: [Số liệu]", 7),  # its page alone goes (looked through from the start: quick.EarlyLook)
])
def test_deleting_an_article_another_links_is_reported_by_the_full_build(site, capsys, monkeypatch, tags, line):
    linking = write_article(site, "2019-01-05-bai-co-lien-ket.vi.md", f"title: Bài có liên kết\ndate: 2019-01-05{tags}",
                            f"Xem [số liệu](/{SO_LIEU_PAGE.removesuffix('index.html')}).")
    assert rebuild(site, capsys, linking).code == 0
    before = tree(site / "public")
    spy = QuickSpy(monkeypatch)
    (site / SO_LIEU_VI).unlink()
    result = rebuild(site, capsys)
    assert spy.answers == [None] and result.code == 1
    page = "/" + SO_LIEU_PAGE.removesuffix("index.html")
    assert result.errors == [f"{linking}:{line}:15: error: broken link '{page}' on tin-tuc/bai-co-lien-ket/: nothing is "
                             f"built at {page}"]
    assert tree(site / "public") == before


def test_an_original_deleted_then_written_again_beside_its_translation_renders_both_pages(site, capsys, monkeypatch):
    # Its translation is left: its page's language switch changes, and it has a warning (no original).
    spy = QuickSpy(monkeypatch)
    en_page = "en/news/social-insurance-and-the-post-office-work-together-on-payments-and-enrolment/index.html"
    original = (site / COOP_VI).read_text(encoding="utf-8")
    (site / COOP_VI).unlink()
    result = rebuild(site, capsys)
    assert result.code == 0, result.errors
    assert result.errors == [f"{COOP_VI.replace('.vi.md', '.en.md')}:8:1: warning: 'translation_of' names the 'vi' "
                             "original, but there is no 'vi' version of '2020-05-28-phoi-hop-bhxh-buu-dien'"]
    assert spy.answers[0] is not None and {en_page, "sitemap.xml"} <= set(spy.answers[0])
    assert not (site / "public" / COOP_PAGE).exists()
    assert same_as_clean(site, capsys, result.errors)
    (site / COOP_VI).write_text(original, encoding="utf-8")
    result = rebuild(site, capsys, COOP_VI)
    assert result.code == 0, result.errors
    assert spy.answers[1] is not None and {COOP_PAGE, en_page, "sitemap.xml"} <= set(spy.answers[1])
    assert same_as_clean(site, capsys, warnings_of(result))


@pytest.mark.parametrize("title, rendered", [
    (None, ()),  # the same title: the same address, card and entries, so no file changes
    ("Số liệu BHXH, BHYT tại Lạng Sơn", ("sitemap.xml", "tin-tuc/so-lieu-bhxh-bhyt-tai-lang-son/index.html")),
])
def test_a_renamed_file_is_a_deleted_article_and_a_new_one(site, capsys, monkeypatch, title, rendered):
    spy = QuickSpy(monkeypatch)
    renamed = "content/articles/2020-05-27-so-lieu-bhxh-bhyt.vi.md"
    (site / SO_LIEU_VI).rename(site / renamed)
    if title:
        edit(site / renamed, "title: \"Số liệu tham gia BHXH, BHYT tại Lạng Sơn đến ngày 23/5/2020\"",
             f"title: \"{title}\"")
    result = rebuild(site, capsys, renamed)
    assert result.code == 0, result.errors
    assert spy.answers[0] is not None and set(rendered) <= set(spy.answers[0])
    assert (site / "public" / SO_LIEU_PAGE).exists() == (title is None)
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_renamed_original_leaves_its_translation_without_one(site, capsys, monkeypatch):
    # The translation names its original by the file's name: renamed, the original is another
    # article (at the same address) and the translation has none (its warning, its language switch).
    spy = QuickSpy(monkeypatch)
    renamed = "content/articles/2020-05-28-phoi-hop-bhxh-va-buu-dien.vi.md"
    (site / COOP_VI).rename(site / renamed)
    result = rebuild(site, capsys, renamed)
    assert result.code == 0, result.errors
    assert result.errors == [f"{COOP_VI.replace('.vi.md', '.en.md')}:8:1: warning: 'translation_of' names the 'vi' "
                             "original, but there is no 'vi' version of '2020-05-28-phoi-hop-bhxh-buu-dien'"]
    en_page = "en/news/social-insurance-and-the-post-office-work-together-on-payments-and-enrolment/index.html"
    assert spy.answers[0] is not None and {COOP_PAGE, en_page, "sitemap.xml"} <= set(spy.answers[0])
    assert same_as_clean(site, capsys, result.errors)


def test_a_draft_translation_of_an_article_an_event_links_published_takes_the_full_build(site, capsys, monkeypatch):
    # The event's page links every version of the article: a new one published changes it.
    spy = QuickSpy(monkeypatch)
    path = write_article(site, "2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.en.md",
                         "title: Street parade\ndate: 2020-05-25\ndraft: true")
    assert rebuild(site, capsys, path).code == 0 and spy.answers == [None]  # (a new version: the full build)
    edit(site / path, "\ndraft: true", "")
    result = rebuild(site, capsys, path)
    assert result.code == 0, result.errors
    assert spy.answers[1] is None
    assert same_as_clean(site, capsys, warnings_of(result))


def test_a_scheduled_article_added_quickly_is_published_by_the_first_build_after_its_time(site, monkeypatch):
    # The quick path writes nothing for it, and notes its time in the state: the first build after
    # that time is a full one, which publishes it.
    from bantin.assemble import Selection

    def build(now: dt.datetime):
        return pipeline.run(pipeline.BuildOptions(root=site, out=site / "public", selection=Selection(now=now)))

    before = dt.datetime(2029, 12, 31, 23, 0, tzinfo=dt.timezone.utc)  # 06:00 on 1 January in Hà Nội
    assert build(before).ok  # (a new day: the full build)
    spy = QuickSpy(monkeypatch)
    write_article(site, "2030-01-01-bai-hen-gio.vi.md", "title: Bài hẹn giờ\ndate: 2030-01-01T08:00")
    age(site)
    page = site / "public/tin-tuc/bai-hen-gio/index.html"
    assert build(before + dt.timedelta(minutes=30)).ok and spy.answers == [()] and not page.exists()
    assert valid_until(site) == "2030-01-01T08:00:00+07:00"
    assert build(before + dt.timedelta(hours=1)).unchanged and not page.exists()
    assert build(before + dt.timedelta(hours=2, seconds=1)).ok and spy.answers[1] is None and page.exists()
