"""A saved edit to a body in the dev server: its pages alone, from memory (warm_edit.py), and the
output a clean build makes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bantin import page_work, warm, warm_edit
from bantin.pipeline import run
from conftest import run_build
from test_incremental import rendered_templates
from test_quick import (NEWEST, lengthen_the_news_list, news_pages, news_pages_in, redate_2019_articles,
                        write_article)
from test_warm import PARADE_VI, SEED_EN, SEED_VI, Preview, edit, same_as_clean_build, told

BODY_EDIT = ("\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
SO_LIEU_VI = "content/articles/2020-05-27-so-lieu-tham-gia-bhxh-bhyt-lang-son.vi.md"  # no translation
SO_LIEU_PAGE = "tin-tuc/so-lieu-tham-gia-bhxh-bhyt-tai-lang-son-den-ngay-23-5-2020/index.html"
PARADE_PAGE = ".preview/tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/index.html"


@pytest.fixture
def preview(site_factory, monkeypatch):
    monkeypatch.setattr(warm, "RACY_NS", 0)  # as if every file had been written long ago
    preview = Preview(site_factory({}, with_sample_articles=True))
    preview.build()
    return preview


def answered_from_memory(monkeypatch) -> list[tuple[str, ...]]:
    """The pages of each rebuild warm_edit answered, from now on (a rebuild it left to the full
    build adds nothing)."""
    answered: list[tuple[str, ...]] = []
    real = warm_edit.warm_edit

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        if result is not None:
            answered.append(result.rendered)
        return result

    monkeypatch.setattr("bantin.pipeline.warm_edit", spy)
    return answered


def test_a_body_edit_renders_its_page_and_the_feed_and_gives_the_clean_tree(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language  # a full build: not told what changed
    answered, rendered = answered_from_memory(monkeypatch), rendered_templates(monkeypatch)
    edit(preview.root / PARADE_VI, *BODY_EDIT)
    told(preview, PARADE_VI)
    result = preview.build()
    assert answered == [(
        "atom.xml",
        "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/index.html",
    )]
    assert rendered == ["atom.xml", "article.html"]
    assert result.pages_per_language == counts
    assert "<p>Đoạn mới ở cuối bài.</p>" in (preview.root / PARADE_PAGE).read_text(encoding="utf-8")
    assert "<p>Đoạn mới ở cuối bài.</p>" in preview.articles()[PARADE_VI].body_html
    assert same_as_clean_build(preview, capsys)

    # A second save of the same file, and then a save the full build answers: still the clean tree.
    edit(preview.root / PARADE_VI, "Đoạn mới ở cuối bài.", "Đoạn mới, sửa lại.")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 2
    assert same_as_clean_build(preview, capsys)
    edit(preview.root / PARADE_VI, "date: 2020-05-25", "date: 2020-05-20")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 2
    assert same_as_clean_build(preview, capsys)


TRANSLATION_EDIT = ("to nearly 30,000 beneficiaries", "to nearly 30,000 people")


def test_an_edited_translation_renders_its_page_alone_and_its_feed(preview, monkeypatch, capsys):
    # Its original is assembled again beside it (a translation's staleness is decided by the pair),
    # and is the very article it was: its page is not rendered.
    answered = answered_from_memory(monkeypatch)
    before = preview.articles()
    edit(preview.root / SEED_EN, *TRANSLATION_EDIT)
    told(preview, SEED_EN)
    preview.build()
    assert answered == [("en/atom.xml", "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/index.html")]
    assert preview.articles()[SEED_VI] is before[SEED_VI]
    assert same_as_clean_build(preview, capsys)


GUIDE_VI = "content/articles/2020-06-01-huong-dan-viet-bai.vi.md"
GUIDE_EN = "content/articles/2020-06-01-huong-dan-viet-bai.en.md"
GUIDE_EN_FOLDER = ".preview/en/news/how-to-writing-a-news-article-for-the-bulletin/"
STALE_SEED_EN = (f"{SEED_EN}:13:1: warning: stale translation: the vi original ({SEED_VI}) has changed since this "
                 "translation was made; update the translation, then run 'python build.py translations --update "
                 "2020-05-23-ra-quan-bhxh-toan-dan.en'")


def test_an_edited_original_whose_translation_goes_stale_is_answered_from_memory_with_its_warning(preview,
                                                                                                  monkeypatch, capsys):
    # Both pages (the translation's notes that its original changed), the feeds; the warning as a full build gives it.
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / SEED_VI, "lưu động trên các trục đường chính", "lưu động trên các phố chính")
    told(preview, SEED_VI)
    result = preview.build()
    assert answered == [("atom.xml", "en/atom.xml",
                         "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/index.html",
                         "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html")]
    assert [d.format() for d in result.diagnostics.sorted()] == [STALE_SEED_EN]
    assert preview.articles()[SEED_EN].stale_original == "vi"
    assert same_as_clean_build(preview, capsys)
    # The next saves, of another article or of the same one, are answered from memory too, and the
    # translation's warning is given each time while it stays stale.
    for path, old, new in [(PARADE_VI, *BODY_EDIT), (SEED_VI, "lưu động trên các phố chính", "lưu động trên phố")]:
        edit(preview.root / path, old, new)
        told(preview, path)
        result = preview.build()
        assert [d.format() for d in result.diagnostics.sorted()] == [STALE_SEED_EN]
    assert len(answered) == 3
    assert same_as_clean_build(preview, capsys)


def test_a_warning_about_a_translation_is_given_again_after_its_original_s_edit_from_memory(preview, monkeypatch,
                                                                                             capsys):
    # The translation's unknown key is given again when it is assembled beside its edited original
    # (a front matter with a warning is checked again each time), and the new staleness beside it.
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / SEED_EN, "authors:", "colour: red\nauthors:")
    told(preview, SEED_EN)
    unknown = f"{SEED_EN}:6:1: warning: unknown front-matter key 'colour'"
    assert [d.format() for d in preview.build().diagnostics.sorted()] == [unknown]
    edit(preview.root / SEED_VI, "lưu động trên các trục đường chính", "lưu động trên các phố chính")
    told(preview, SEED_VI)
    result = preview.build()
    assert [d.format() for d in result.diagnostics.sorted()] == [unknown, STALE_SEED_EN.replace(':13:1:', ':14:1:')]
    assert len(answered) == 2  # both saves from memory
    assert same_as_clean_build(preview, capsys)


def test_a_new_title_of_an_original_whose_translation_goes_stale_moves_its_page_from_memory(preview, monkeypatch,
                                                                                              capsys):
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / GUIDE_VI, "title: \"Hướng dẫn: cách viết", "title: \"Hướng dẫn: cách soạn")
    told(preview, GUIDE_VI)
    result = preview.build()
    assert len(answered) == 1 and "tin-tuc/huong-dan-cach-soan-mot-bai-tin-cho-ban-tin/index.html" in answered[0]
    assert [d.format() for d in result.diagnostics.sorted()] == [
        f"{GUIDE_EN}:7:1: warning: stale translation: the vi original ({GUIDE_VI}) has changed since this translation"
        " was made; update the translation, then run 'python build.py translations --update "
        "2020-06-01-huong-dan-viet-bai.en'"]
    assert same_as_clean_build(preview, capsys)


def test_a_new_title_and_a_new_date_at_once_move_the_page_and_the_card_from_memory(preview, monkeypatch, capsys):
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / GUIDE_EN, "title: \"How-to: writing a news", "title: \"How-to: writing an")
    edit(preview.root / GUIDE_EN, "date: 2020-06-01", "date: 2020-05-27T12:00")
    told(preview, GUIDE_EN)
    preview.build()
    assert len(answered) == 1 and "en/news/how-to-writing-an-article-for-the-bulletin/index.html" in answered[0]
    assert "sitemap.xml" in answered[0] and not (preview.root / GUIDE_EN_FOLDER).exists()
    assert same_as_clean_build(preview, capsys)


def test_an_image_added_to_a_body_is_copied_from_memory_and_one_taken_out_goes(preview, monkeypatch, capsys):
    answered = answered_from_memory(monkeypatch)
    image = preview.root / PARADE_PAGE.removesuffix("index.html") / "minh-hoa-phat-lenh.svg"
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\n![Ảnh mới](../media/minh-hoa-phat-lenh.svg)\n\nNguồn: Báo Lạng Sơn")
    told(preview, PARADE_VI)
    preview.build()
    assert answered == [("atom.xml", PARADE_PAGE.removeprefix(".preview/"))]
    assert image.is_file()
    assert same_as_clean_build(preview, capsys)
    # A full rebuild plans the article's page and copies as the preview keeps them (the same article).
    edit(preview.root / "templates/base.html", "</body>", "<!-- mẫu mới -->\n</body>")
    told(preview, "templates/base.html")
    preview.build()
    assert len(answered) == 1 and image.is_file() and same_as_clean_build(preview, capsys)
    edit(preview.root / PARADE_VI, "\n![Ảnh mới](../media/minh-hoa-phat-lenh.svg)\n", "")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 2 and not image.exists()
    assert same_as_clean_build(preview, capsys)


@pytest.mark.parametrize("edits, written, gone", [
    # A tag new to the site: its page comes, the index counts it, the sitemap lists it after the tag before it
    # (the page it left shows the card no more; the news and author pages show cards without tags).
    ([("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, Tin mới]")],
     ("atom.xml", "chu-de/bhxh-toan-dan/index.html", "chu-de/buu-dien/index.html", "chu-de/index.html", "chu-de/lang-son/index.html",
      "chu-de/tin-moi/index.html", "sitemap.xml", "tac-gia/ban-bien-tap/index.html",
      PARADE_PAGE.removeprefix(".preview/"), "tin-tuc/trang/2/index.html"), None),
    # Back to the tag before: the new tag's page goes.
    ([("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, Tin mới]"),
      ("tags: [BHXH toàn dân, Lạng Sơn, Tin mới]", "tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]")],
     ("atom.xml", "chu-de/bhxh-toan-dan/index.html", "chu-de/buu-dien/index.html", "chu-de/index.html", "chu-de/lang-son/index.html",
      "sitemap.xml", "tac-gia/ban-bien-tap/index.html", PARADE_PAGE.removeprefix(".preview/"),
      "tin-tuc/trang/2/index.html"), "chu-de/tin-moi/"),
    # A new tag, then another article's tag taken out: the index, which links the new tag's page (not
    # rendered again), counts it.
    ([("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, Tin mới]"),
      ("tags: [Số liệu, Lạng Sơn, BHXH tự nguyện, BHYT]", "tags: [Số liệu, Lạng Sơn, BHXH tự nguyện]", SO_LIEU_VI)],
     ("atom.xml", "chu-de/bhxh-tu-nguyen/index.html", "chu-de/bhyt/index.html", "chu-de/index.html",
      "chu-de/lang-son/index.html", "chu-de/so-lieu/index.html", "index.html", "tac-gia/ban-bien-tap/index.html",
      "tin-tuc/index.html", SO_LIEU_PAGE), None),
    # An author new to the site (the English site has none of her name).
    ([("authors: [Ban biên tập]", "authors: [Hồng Nhung]")],
     ("atom.xml", "chu-de/bhxh-toan-dan/index.html", "chu-de/buu-dien/index.html", "chu-de/lang-son/index.html", "sitemap.xml",
      "tac-gia/ban-bien-tap/index.html", "tac-gia/hong-nhung/index.html", "tac-gia/index.html",
      PARADE_PAGE.removeprefix(".preview/"), "tin-tuc/trang/2/index.html"), None),
])
def test_a_term_new_to_the_site_or_left_empty_has_its_page_come_or_go_from_memory(preview, monkeypatch, capsys,
                                                                                   edits, written, gone):
    answered = answered_from_memory(monkeypatch)
    for old, new, *path in edits:
        edit(preview.root / (path or [PARADE_VI])[0], old, new)
        told(preview, (path or [PARADE_VI])[0])
        result = preview.build()
    assert answered[-1] == written and len(answered) == len(edits)
    if gone is not None:
        assert not (preview.root / ".preview" / gone).exists()
    counts = result.pages_per_language
    assert same_as_clean_build(preview, capsys)
    assert preview.build().pages_per_language == counts  # (a full build: not told what changed)


def test_a_term_page_left_empty_that_an_article_links_takes_the_full_rebuild_which_reports_it(preview, monkeypatch):
    answered = answered_from_memory(monkeypatch)
    with open(preview.root / SO_LIEU_VI, "a", encoding="utf-8") as file:
        file.write("\nXem [các bài hướng dẫn](/chu-de/huong-dan/).\n")
    told(preview, SO_LIEU_VI)
    assert preview.build().ok and len(answered) == 1
    edit(preview.root / GUIDE_VI, "tags: [Hướng dẫn]", "tags: [Bài mẫu]")
    told(preview, GUIDE_VI)
    result = run(preview.options)
    assert not result.ok and len(answered) == 1  # the look through the kept pages found the link: the full rebuild
    assert [d.format() for d in result.diagnostics.sorted() if ": error: " in d.format()] == [
        f"{SO_LIEU_VI}:28:25: error: broken link '/chu-de/huong-dan/' on {SO_LIEU_PAGE.removesuffix('index.html')}: "
        "nothing is built at /chu-de/huong-dan/"]
    assert (preview.root / ".preview/chu-de/huong-dan/index.html").is_file()  # the output as it was


@pytest.mark.parametrize("old, new", [
    ("authors: [Ban biên tập]", "authors: [Editorial team]"),  # her page comes, which her English page would link
    ("date: 2020-05-25", "date: 2020-05-22"),  # the lists' order
    ("title: \"Diễu hành", "title: \"Cuộc diễu hành"),  # a new address (no slug), and an event shows it
])
def test_an_edit_that_shows_on_other_pages_takes_the_full_build(preview, monkeypatch, capsys, old, new):
    answered, rendered = answered_from_memory(monkeypatch), rendered_templates(monkeypatch)
    edit(preview.root / PARADE_VI, old, new)
    told(preview, PARADE_VI)
    preview.build()
    assert answered == []
    assert "news.html" in rendered
    assert same_as_clean_build(preview, capsys)


def test_a_summary_edit_renders_the_lists_with_its_card_from_memory(preview, monkeypatch, capsys):
    answered, rendered = answered_from_memory(monkeypatch), rendered_templates(monkeypatch)
    edit(preview.root / PARADE_VI, "summary: \"Tóm tắt theo", "summary: \"Tóm lược theo")
    told(preview, PARADE_VI)
    preview.build()
    # Its page, the feed, and the news page, its tags' and author's pages that list it (from the
    # last build's pages, the card swapped); not the home page (older articles), not the English pages.
    assert answered == [("atom.xml", "chu-de/bhxh-toan-dan/index.html", "chu-de/buu-dien/index.html",
                         "chu-de/lang-son/index.html", "tac-gia/ban-bien-tap/index.html",
                         PARADE_PAGE.removeprefix(".preview/"), "tin-tuc/trang/2/index.html")]
    assert sorted(set(rendered)) == ["article.html", "atom.xml", "news.html", "term.html"]
    assert "Tóm lược theo" in (preview.root / ".preview/chu-de/buu-dien/index.html").read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)

    # Again (the pages kept hold the new card now), and then a full build over what it kept.
    edit(preview.root / PARADE_VI, "Tóm lược theo", "Bản tóm tắt theo")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 2
    assert same_as_clean_build(preview, capsys)
    preview.build()
    assert same_as_clean_build(preview, capsys)


def test_a_summary_edit_after_a_body_edit_renders_the_lists_with_its_card(preview, monkeypatch, capsys):
    # The body edit makes the article anew, with a card equal to the one the lists show.
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / PARADE_VI, *BODY_EDIT)
    told(preview, PARADE_VI)
    preview.build()
    edit(preview.root / PARADE_VI, "summary: \"Tóm tắt theo", "summary: \"Tóm lược theo")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 2 and "tin-tuc/trang/2/index.html" in answered[1]
    assert same_as_clean_build(preview, capsys)


def test_a_tag_edit_among_the_site_s_tags_moves_the_card_from_memory(preview, monkeypatch, capsys):
    # First a date edit (the full rebuild: the site's lists made afresh, while the pages that come
    # out the same are the very objects kept, holding the lists of before).
    coop = "content/articles/2020-05-28-phoi-hop-bhxh-buu-dien.vi.md"
    edit(preview.root / coop, "date: 2020-05-28", "date: 2020-05-29")
    told(preview, coop)
    preview.build()
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / PARADE_VI, "tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, BHYT]")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 1
    assert {"chu-de/buu-dien/index.html", "chu-de/bhyt/index.html", "chu-de/index.html"} <= set(answered[0])
    parade = PARADE_PAGE.removeprefix(".preview/").removesuffix("index.html")
    assert parade in (preview.root / ".preview/chu-de/bhyt/index.html").read_text(encoding="utf-8")
    assert parade not in (preview.root / ".preview/chu-de/buu-dien/index.html").read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)

    # Back again (the pages kept hold the new lists), then a summary, then a full build over it all.
    edit(preview.root / PARADE_VI, "Lạng Sơn, BHYT]", "Lạng Sơn, Bưu điện]")
    told(preview, PARADE_VI)
    preview.build()
    edit(preview.root / PARADE_VI, "summary: \"Tóm tắt theo", "summary: \"Tóm lược theo")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 3
    assert same_as_clean_build(preview, capsys)
    preview.build()
    assert same_as_clean_build(preview, capsys)


def test_a_mistake_is_reported_by_the_full_build_and_its_fix_is_answered_from_memory(preview, monkeypatch):
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\n{{< stats id=\"khong-co\" >}}\n\nNguồn: Báo Lạng Sơn")
    told(preview, PARADE_VI)
    result = run(preview.options)  # (Preview.build asserts success)
    assert not result.ok and answered == []
    # The build after a failed one takes the full path (its messages are checked afresh) ...
    edit(preview.root / PARADE_VI, "{{< stats id=\"khong-co\" >}}", "Đoạn đã sửa.")
    told(preview, PARADE_VI)
    preview.build()
    assert answered == []
    # ... and the next save of a body, once the build is clean again, is answered from memory.
    edit(preview.root / PARADE_VI, "Đoạn đã sửa.", "Đoạn đã sửa lần nữa.")
    told(preview, PARADE_VI)
    preview.build()
    assert len(answered) == 1


def test_a_preview_not_told_what_changed_takes_the_full_build(preview, monkeypatch, capsys):
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / PARADE_VI, *BODY_EDIT)
    preview.build()
    assert answered == []
    assert same_as_clean_build(preview, capsys)


def test_the_record_after_edits_from_memory_lets_a_command_line_build_render_nothing(preview, monkeypatch, capsys):
    # The fingerprints kept for the pages rendered from memory are those a full build computes.
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / PARADE_VI, *BODY_EDIT)
    told(preview, PARADE_VI)
    preview.build()
    edit(preview.root / SEED_EN, *TRANSLATION_EDIT)
    told(preview, SEED_EN)
    preview.build()
    assert len(answered) == 2
    preview.options.warm.write_record()  # what the dev server does when it stops
    rendered = rendered_templates(monkeypatch)
    out = str(preview.options.out)
    assert run_build(preview.root, "build", "--quiet", "--out", out, capsys=capsys).code == 0
    assert rendered == []
    assert same_as_clean_build(preview, capsys)


@pytest.mark.parametrize("path, old, new", [
    (PARADE_VI, *BODY_EDIT),
    # A new address: the old page is in neither the search record nor the fingerprints.
    ("content/articles/2020-06-01-huong-dan-viet-bai.en.md", "title: \"How-to: writing a news",
     "title: \"How-to: writing an"),
    # A deleted article: its page, its tag's page and a news page leave the record.
    ("content/articles/2020-05-28-phoi-hop-bhxh-buu-dien.en.md", None, None),
])
def test_the_search_record_after_an_edit_from_memory_is_the_one_a_fresh_build_makes(preview, monkeypatch, path,
                                                                                     old, new):
    # What the index read of each page (the digest of its text) is patched for the pages rendered
    # from memory: the next refreshing build rebuilds the index from it.
    from bantin.cache import BuildCache
    from bantin.pipeline import BuildOptions
    from bantin.warm import WarmModel

    answered = answered_from_memory(monkeypatch)
    if old is None:
        (preview.root / path).unlink()
    else:
        edit(preview.root / path, old, new)
    told(preview, path)
    preview.build()
    assert len(answered) == 1
    ours = preview.options.warm.record(BuildCache.record_file(preview.root, preview.options.out))

    fresh = BuildOptions(root=preview.root, out=preview.root / ".fresh", refresh_search=False, warm=WarmModel())
    assert run(fresh).ok
    theirs = fresh.warm.record(BuildCache.record_file(preview.root, fresh.out))
    assert ours["sections"]["search"]["pages"] == theirs["sections"]["search"]["pages"]
    assert ours["outputs"] == theirs["outputs"]




def test_a_new_title_without_slug_moves_the_page_and_its_image_from_memory(preview, monkeypatch, capsys):
    # A translation's new title (its original's text is as it was: no warning): its page and image
    # move, and the lists with its card, the feed, its original's page (the language switch) and the
    # sitemap follow; the search record forgets the old page.
    answered = answered_from_memory(monkeypatch)
    image = "minh-hoa-phat-bieu.svg"
    assert (preview.root / GUIDE_EN_FOLDER / image).is_file()
    edit(preview.root / GUIDE_EN, "title: \"How-to: writing a news", "title: \"How-to: writing an")
    told(preview, GUIDE_EN)
    preview.build()
    new_folder = "en/news/how-to-writing-an-article-for-the-bulletin/"
    assert answered == [("en/atom.xml", "en/authors/editorial-team/index.html", "en/index.html",
                         new_folder + "index.html", "en/news/index.html", "en/tags/how-to/index.html", "sitemap.xml",
                         "tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/index.html")]
    assert not (preview.root / GUIDE_EN_FOLDER).exists()
    assert (preview.root / ".preview" / new_folder / image).is_file()
    assert same_as_clean_build(preview, capsys)
    # The memory holds the page at its new address alone, with its image there: a full rebuild that
    # reuses the page (not told what changed) copies the image beside it.
    assert GUIDE_EN_FOLDER.removeprefix(".preview/") + "index.html" not in preview.options.warm.pages
    preview.build()
    assert same_as_clean_build(preview, capsys)

    # Its body, its old title back (its old address), and a full build over what it kept.
    edit(preview.root / GUIDE_EN, "\n## ", "\nA new paragraph.\n\n## ")
    told(preview, GUIDE_EN)
    preview.build()
    edit(preview.root / GUIDE_EN, "title: \"How-to: writing an", "title: \"How-to: writing a news")
    told(preview, GUIDE_EN)
    preview.build()
    assert len(answered) == 3 and GUIDE_EN_FOLDER.removeprefix(".preview/") + "index.html" in answered[2]
    assert same_as_clean_build(preview, capsys)
    preview.build()
    assert same_as_clean_build(preview, capsys)


def test_a_new_address_that_a_kept_page_links_takes_the_full_rebuild_which_reports_it(preview, monkeypatch):
    answered = answered_from_memory(monkeypatch)
    link = "/" + GUIDE_EN_FOLDER.removeprefix(".preview/")
    with open(preview.root / SEED_EN, "a", encoding="utf-8") as file:
        file.write(f"\nSee [the how-to]({link}).\n")
    told(preview, SEED_EN)
    preview.build()
    edit(preview.root / GUIDE_EN, "title: \"How-to: writing a news", "title: \"How-to: writing an")
    told(preview, GUIDE_EN)
    result = run(preview.options)
    assert len(answered) == 1  # (the body edit)
    assert [d.format() for d in result.diagnostics.errors] == [
        f"{SEED_EN}:46:18: error: broken link '{link}' on en/news/"
        f"campaign-launched-for-the-universal-social-insurance-campaign-month/: nothing is built at {link}"]


SO_LIEU_VI = "content/articles/2020-05-27-so-lieu-tham-gia-bhxh-bhyt-lang-son.vi.md"  # no event's, no translation


def test_a_new_date_moves_the_card_in_the_lists_from_memory(preview, monkeypatch, capsys):
    # From the first news page to the second: both, the home page, its tags' and author's pages (in
    # date order), the feed (its order) and the sitemap (its place and date) follow.
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / SO_LIEU_VI, "date: 2020-05-27", "date: 2020-05-22")
    told(preview, SO_LIEU_VI)
    preview.build()
    assert answered == [("atom.xml", "chu-de/bhxh-tu-nguyen/index.html", "chu-de/bhyt/index.html",
                         "chu-de/lang-son/index.html", "chu-de/so-lieu/index.html", "index.html", "sitemap.xml",
                         "tac-gia/ban-bien-tap/index.html", "tin-tuc/index.html",
                         "tin-tuc/so-lieu-tham-gia-bhxh-bhyt-tai-lang-son-den-ngay-23-5-2020/index.html",
                         "tin-tuc/trang/2/index.html")]
    assert same_as_clean_build(preview, capsys)
    # Back (the pages kept hold the new lists), a lastmod, then a full build over what it kept.
    edit(preview.root / SO_LIEU_VI, "date: 2020-05-22", "date: 2020-05-27\nlastmod: 2020-06-03")
    told(preview, SO_LIEU_VI)
    preview.build()
    assert len(answered) == 2
    assert same_as_clean_build(preview, capsys)
    preview.build()
    assert same_as_clean_build(preview, capsys)


@pytest.fixture
def long_preview(site_factory, monkeypatch):
    """A preview of the sample site with 26 news pages of two cards (44 more articles of early 2019:
    ``test_quick.lengthen_the_news_list``), built once."""
    monkeypatch.setattr(warm, "RACY_NS", 0)
    root = site_factory({}, with_sample_articles=True)
    lengthen_the_news_list(root)
    preview = Preview(root)
    preview.build()
    return preview


def test_a_new_date_across_many_news_pages_from_memory(long_preview, monkeypatch, capsys):
    # The oldest 2019 article becomes the newest of 2019, 22 pages up; every page between shifts a
    # card, the others are the very pages kept.
    answered = answered_from_memory(monkeypatch)
    oldest = "content/articles/2019-01-01-bai-01.vi.md"
    edit(long_preview.root / oldest, "date: 2019-01-02", "date: 2019-03-01")
    told(long_preview, oldest)
    long_preview.build()
    assert len(answered) == 1
    assert [path for path in answered[0] if path.startswith("tin-tuc/trang/")] == sorted(
        f"tin-tuc/trang/{number}/index.html" for number in range(4, 27))
    assert same_as_clean_build(long_preview, capsys)


@pytest.mark.parametrize("dates", [
    {5: "2019-01-30T12:00", 25: "2019-01-03T12:00"},  # crossing each other, and many cards between
    {3: "2019-01-20T12:00", 4: "2019-01-21T12:00"},  # the same way, the second ending before the first
])
def test_two_new_dates_at_once_from_memory_put_both_sitemap_entries_in_their_places(long_preview, monkeypatch,
                                                                                    capsys, dates):
    # Found by a walk of random edits: the sitemap put the second entry where it would have gone
    # had the first not moved.
    answered = answered_from_memory(monkeypatch)
    told(long_preview, *redate_2019_articles(long_preview.root, dates))
    long_preview.build()
    assert len(answered) == 1 and "sitemap.xml" in answered[0]
    assert same_as_clean_build(long_preview, capsys)


LANG_SON_STATS = "content/stats/lang-son-2020-05.yaml"
LAUNCH_PAGES = ("en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/index.html",
                "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html")


def test_a_stats_edit_renders_the_dashboards_the_home_pages_and_the_articles_that_show_the_snapshot(
        preview, monkeypatch, capsys):
    # The stats section is loaded again (700 other data files are not), its dashboards planned
    # again with stats.json and the region's CSV, the home pages rendered (their stats block), and
    # the launch report, whose body shows the figures, assembled again as an edited article is.
    answered, rendered = answered_from_memory(monkeypatch), rendered_templates(monkeypatch)
    edit(preview.root / LANG_SON_STATS, "61649", "61650")
    told(preview, LANG_SON_STATS)
    preview.build()
    assert answered == [tuple(sorted(("atom.xml", "en/atom.xml", "index.html", "en/index.html", "so-lieu/index.html",
                                      "en/stats/index.html", *LAUNCH_PAGES)))]
    assert sorted(rendered) == sorted(["atom.xml", "article.html", "home.html", "stats/dashboard.html"] * 2)
    assert "61.650" in (preview.root / ".preview" / LAUNCH_PAGES[1]).read_text(encoding="utf-8")
    assert '"value": 61650' in (preview.root / ".preview/so-lieu/stats.json").read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)

    # A second save is answered the same way; one that breaks the file takes the full rebuild, which
    # reports the mistake and leaves the preview as it was.
    edit(preview.root / LANG_SON_STATS, "61650", "61651")
    told(preview, LANG_SON_STATS)
    preview.build()
    assert len(answered) == 2
    assert same_as_clean_build(preview, capsys)
    edit(preview.root / LANG_SON_STATS, "value: 61651", "value: nhiều")
    told(preview, LANG_SON_STATS)
    result = run(preview.options)
    assert len(answered) == 2
    assert [d.format() for d in result.diagnostics.items] == [
        f"{LANG_SON_STATS}:14:12: error: 'value' must be a number, not text ('nhiều')"]


def test_a_new_stats_file_takes_the_full_rebuild(preview, monkeypatch, capsys):
    # (A region's dashboard may gain a snapshot, an article's unknown id become known: the full
    # rebuild works it out.)
    answered = answered_from_memory(monkeypatch)
    may = (preview.root / LANG_SON_STATS).read_text(encoding="utf-8")
    june = "content/stats/lang-son-2020-06.yaml"
    (preview.root / june).write_text(may.replace("as_of: 2020-05-23", "as_of: 2020-06-30"), encoding="utf-8")
    told(preview, june)
    preview.build()
    assert answered == []
    assert same_as_clean_build(preview, capsys)


PARADE_EVENT = "content/calendar/dieu-hanh-tuyen-truyen-2020.yaml"  # links the launch report and the parade


def test_an_event_edit_renders_its_pages_the_home_pages_and_the_articles_it_links(preview, monkeypatch, capsys):
    # The calendar alone is loaded again and checked with the site; rendered are the calendar's pages
    # whose data changed (the event's, its month's, the lists), the home pages (their calendar block),
    # the pages of the articles it links (they list their events) and of those made from it (the
    # launch report names it: assembled again, its page and the feeds).
    answered, rendered = answered_from_memory(monkeypatch), rendered_templates(monkeypatch)
    edit(preview.root / PARADE_EVENT, "tuyên truyền lưu động tại", "cổ động tại")
    told(preview, PARADE_EVENT)
    preview.build()
    assert answered == [(
        "atom.xml", "en/atom.xml", "en/index.html", LAUNCH_PAGES[0], "index.html", "lich/2020/05/index.html",
        "lich/dieu-hanh-tuyen-truyen-2020/index.html", "lich/index.html", "lich/launch/index.html",
        PARADE_PAGE.removeprefix(".preview/"), LAUNCH_PAGES[1])]
    assert sorted(rendered) == sorted(["article.html"] * 3 + ["atom.xml"] * 2 + [
        "calendar/event.html", "calendar/index.html", "calendar/index.html", "calendar/month.html", "home.html",
        "home.html"])
    assert "Diễu hành cổ động tại thành phố Lạng Sơn" in (preview.root / PARADE_PAGE).read_text(encoding="utf-8")
    ics = (preview.root / ".preview/lich/dieu-hanh-tuyen-truyen-2020/dieu-hanh-tuyen-truyen-2020.ics").read_bytes()
    assert "Diễu hành cổ động tại thành phố Lạng Sơn".encode("utf-8") in ics.replace(b"\r\n ", b"")
    assert same_as_clean_build(preview, capsys)

    # The event no longer links the parade: its page lists no event, the event's page one article less.
    edit(preview.root / PARADE_EVENT, "  - 2020-05-25-dieu-hanh-tuyen-truyen-luu-dong\n", "")
    told(preview, PARADE_EVENT)
    preview.build()
    assert len(answered) == 2
    assert "cổ động tại" not in (preview.root / PARADE_PAGE).read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)


def test_a_new_event_file_takes_the_full_rebuild(preview, monkeypatch, capsys):
    answered = answered_from_memory(monkeypatch)
    new = "content/calendar/dieu-hanh-tuyen-truyen-2021.yaml"
    (preview.root / new).write_text((preview.root / PARADE_EVENT).read_text(encoding="utf-8").replace(
        "start: 2020-05-23", "start: 2021-05-23"), encoding="utf-8")
    told(preview, new)
    preview.build()
    assert answered == []
    assert same_as_clean_build(preview, capsys)


def test_a_new_article_takes_its_place_on_the_news_pages_and_its_terms_pages_from_memory(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language  # a full build: not told what changed
    answered = answered_from_memory(monkeypatch)
    new = write_article(preview.root, "2020-06-02-bai-moi-nhat.vi.md", NEWEST)
    told(preview, new)
    result = preview.build()
    # Its page; the news pages from its place to the last (each card moves a place down) and the home
    # page; its tags' and author's pages and their indexes (the counts); the feed; the sitemap.
    assert answered == [("atom.xml", "chu-de/huong-dan/index.html", "chu-de/index.html", "chu-de/lang-son/index.html",
                         "index.html", "sitemap.xml", "tac-gia/ban-bien-tap/index.html", "tac-gia/index.html",
                         "tin-tuc/bai-moi-nhat/index.html", "tin-tuc/index.html", "tin-tuc/trang/2/index.html")]
    assert result.pages_per_language == {**counts, "vi": counts["vi"] + 1}
    assert same_as_clean_build(preview, capsys)

    # Its body edited next, from memory too; then the file deleted, from memory too: its page goes, its
    # card leaves the news pages (each card after it moves a place up), its terms' pages and the feed.
    edit(preview.root / new, "Nội dung bài mới.\n", "Nội dung bài mới.\n\nĐoạn thứ hai.\n")  # (the same summary)
    told(preview, new)
    preview.build()
    assert answered[1] == ("atom.xml", "tin-tuc/bai-moi-nhat/index.html")
    assert same_as_clean_build(preview, capsys)
    (preview.root / new).unlink()
    told(preview, new)
    assert preview.build().pages_per_language == counts
    assert answered[2] == ("atom.xml", "chu-de/huong-dan/index.html", "chu-de/index.html", "chu-de/lang-son/index.html",
                           "index.html", "sitemap.xml", "tac-gia/ban-bien-tap/index.html", "tac-gia/index.html",
                           "tin-tuc/index.html", "tin-tuc/trang/2/index.html")
    assert not (preview.root / ".preview/tin-tuc/bai-moi-nhat/index.html").exists()
    assert same_as_clean_build(preview, capsys)
    # Written again: a new article once more (not an edit of the one deleted), from memory.
    write_article(preview.root, "2020-06-02-bai-moi-nhat.vi.md", NEWEST)
    told(preview, new)
    assert preview.build().pages_per_language == {**counts, "vi": counts["vi"] + 1}
    assert answered[3] == answered[0]
    assert same_as_clean_build(preview, capsys)


def test_two_new_articles_add_a_news_page_and_a_tag_page_from_memory(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language
    answered = answered_from_memory(monkeypatch)
    monkeypatch.setattr(page_work, "PARALLEL_THRESHOLD", 4)  # the pages on both cores, as on a large archive
    newest = write_article(preview.root, "2020-06-02-bai-moi-nhat.vi.md", NEWEST)
    older = write_article(preview.root, "2020-05-22-bai-cu.vi.md",
                          "title: Bài cũ hơn\ndate: 2020-05-22\ntags: [BHYT, Chủ đề mới]")
    told(preview, newest, older)
    result = preview.build()
    assert len(answered) == 1
    assert news_pages_in(answered[0]) == news_pages([2, 3])  # every page shows the new count
    assert {"tin-tuc/index.html", "chu-de/chu-de-moi/index.html", "tin-tuc/bai-cu-hon/index.html"} <= set(answered[0])
    # Two article pages, a news page and the new tag's page more.
    assert result.pages_per_language == {**counts, "vi": counts["vi"] + 4}
    assert "tin-tuc/trang/3/" in (preview.root / ".preview/sitemap.xml").read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)


def test_a_new_translation_renders_its_original_s_page_and_sitemap_entry_from_memory(preview, monkeypatch, capsys):
    answered = answered_from_memory(monkeypatch)
    new = write_article(preview.root, "2020-05-27-so-lieu-tham-gia-bhxh-bhyt-lang-son.en.md",
                        "title: Participation figures in Lạng Sơn\ndate: 2020-05-27\ntags: [Statistics]")
    told(preview, new)
    preview.build()
    assert len(answered) == 1
    # Its page and its original's (the language switch), the English lists it joins, a new tag's page.
    assert {SO_LIEU_PAGE, "en/news/participation-figures-in-lang-son/index.html", "en/index.html",
            "en/news/index.html", "en/tags/statistics/index.html", "en/atom.xml", "sitemap.xml"} <= set(answered[0])
    assert not any(path.startswith("tin-tuc/trang/") for path in answered[0])  # (the Vietnamese list is as it was)
    assert 'hreflang="en" href="https://bantin.example.org/en/news/participation-figures-in-lang-son/"' in (
        preview.root / ".preview" / SO_LIEU_PAGE).read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)


@pytest.mark.parametrize("name, front_matter", [
    # A draft, and an article dated after now: no page.
    ("2020-06-02-ban-nhap.vi.md", "title: Bản nháp\ndate: 2020-06-02\ndraft: true"),
    ("2099-01-01-bai-hen-gio.vi.md", "title: Bài hẹn giờ\ndate: 2099-01-01"),
    # An article naming an event, and a translation of one an event links: the event's page lists it.
    ("2020-06-02-bai-su-kien.vi.md", "title: Bài có sự kiện\ndate: 2020-06-02\nevents: [ra-quan-2020]"),
    ("2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.en.md", "title: Mobile campaign parade\ndate: 2020-05-25"),
])
def test_a_new_draft_a_scheduled_article_or_one_naming_an_event_takes_the_full_rebuild(preview, monkeypatch, capsys,
                                                                                       name, front_matter):
    answered = answered_from_memory(monkeypatch)
    new = write_article(preview.root, name, front_matter)
    told(preview, new)
    preview.build()
    assert answered == []
    assert same_as_clean_build(preview, capsys)


POST_EN = "content/articles/2020-05-28-phoi-hop-bhxh-buu-dien.en.md"  # the one article tagged "Health insurance"
POST_VI = "content/articles/2020-05-28-phoi-hop-bhxh-buu-dien.vi.md"
POST_VI_PAGE = "tin-tuc/nganh-bhxh-va-buu-dien-phoi-hop-chi-tra-van-dong-tham-gia-bhxh/index.html"
POST_EN_PAGE = "en/news/social-insurance-and-the-post-office-work-together-on-payments-and-enrolment/index.html"
# The pages a deleted English article changes: the English lists and the pages of its terms (the
# counts on the indexes), its feed, the sitemap.
ENGLISH_LISTS = ("en/atom.xml", "en/authors/editorial-team/index.html", "en/authors/index.html", "en/index.html",
                 "en/news/index.html", "en/tags/index.html", "en/tags/lang-son/index.html",
                 "en/tags/vietnam-post/index.html", "en/tags/voluntary-social-insurance/index.html")
# ... and a deleted Vietnamese one.
VIETNAMESE_LISTS = ("atom.xml", "chu-de/bhxh-tu-nguyen/index.html", "chu-de/bhyt/index.html",
                    "chu-de/buu-dien/index.html", "chu-de/index.html", "chu-de/lang-son/index.html", "index.html",
                    "tac-gia/ban-bien-tap/index.html", "tac-gia/index.html", "tin-tuc/index.html",
                    "tin-tuc/trang/2/index.html")


def test_a_deleted_translation_takes_its_page_card_and_empty_tag_away_from_memory(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language
    answered = answered_from_memory(monkeypatch)
    (preview.root / POST_EN).unlink()
    told(preview, POST_EN)
    result = preview.build()
    # The English lists, its original's page (the language switch); its page, its tag's page (its one
    # article) and the last English news page (five articles fill one) go.
    assert answered == [tuple(sorted((*ENGLISH_LISTS, "sitemap.xml", POST_VI_PAGE)))]
    assert result.pages_per_language == {**counts, "en": counts["en"] - 3}
    for gone in (POST_EN_PAGE, "en/tags/health-insurance/index.html", "en/news/page/2/index.html"):
        assert not (preview.root / ".preview" / gone).exists()
    assert same_as_clean_build(preview, capsys)


def test_a_deleted_article_and_its_translation_go_at_once_from_memory(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language
    answered = answered_from_memory(monkeypatch)
    texts = {rel: (preview.root / rel).read_bytes() for rel in (POST_EN, POST_VI)}
    (preview.root / POST_EN).unlink()
    (preview.root / POST_VI).unlink()
    told(preview, POST_EN, POST_VI)
    result = preview.build()
    assert answered == [tuple(sorted((*ENGLISH_LISTS, *VIETNAMESE_LISTS, "sitemap.xml")))]
    assert result.pages_per_language == {"vi": counts["vi"] - 1, "en": counts["en"] - 3}
    assert not (preview.root / ".preview" / POST_VI_PAGE).exists()
    assert same_as_clean_build(preview, capsys)

    # Both written again: new articles (not edits of the ones deleted), from memory too.
    for rel, text in texts.items():
        (preview.root / rel).write_bytes(text)
    told(preview, POST_EN, POST_VI)
    assert preview.build().pages_per_language == counts
    assert len(answered) == 2
    assert same_as_clean_build(preview, capsys)


def test_a_deleted_original_whose_translation_stays_renders_the_translation_s_page_from_memory(preview, monkeypatch,
                                                                                               capsys):
    answered = answered_from_memory(monkeypatch)
    (preview.root / POST_VI).unlink()
    told(preview, POST_VI)
    preview.build()
    assert answered == [tuple(sorted((*VIETNAMESE_LISTS, "sitemap.xml", POST_EN_PAGE)))]  # (its language switch)
    assert same_as_clean_build(preview, capsys)


def test_a_deleted_article_that_leaves_a_news_page_out_from_memory(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language
    answered = answered_from_memory(monkeypatch)
    newest = write_article(preview.root, "2020-06-02-bai-moi-nhat.vi.md", NEWEST)
    older = write_article(preview.root, "2020-05-22-bai-cu.vi.md",
                          "title: Bài cũ hơn\ndate: 2020-05-22\ntags: [BHYT]")
    told(preview, newest, older)
    preview.build()
    assert (preview.root / ".preview/tin-tuc/trang/3/index.html").is_file()
    (preview.root / older).unlink()
    told(preview, older)
    result = preview.build()
    # Every news page (they show the page count) and the home page; its tag's page and the index.
    assert answered[1] == ("atom.xml", "chu-de/bhyt/index.html", "chu-de/index.html", "index.html", "sitemap.xml",
                           "tin-tuc/index.html", "tin-tuc/trang/2/index.html")
    assert result.pages_per_language == {**counts, "vi": counts["vi"] + 1}
    assert not (preview.root / ".preview/tin-tuc/trang/3/index.html").exists()
    assert "tin-tuc/trang/3/" not in (preview.root / ".preview/sitemap.xml").read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)


def test_a_deleted_article_that_a_kept_page_links_takes_the_full_rebuild_which_reports_it(preview, monkeypatch):
    answered = answered_from_memory(monkeypatch)
    link = "/" + POST_VI_PAGE.removesuffix("index.html")
    with open(preview.root / SO_LIEU_VI, "a", encoding="utf-8") as file:
        file.write(f"\nXem [bài phối hợp]({link}).\n")
    told(preview, SO_LIEU_VI)
    assert preview.build().ok and len(answered) == 1
    (preview.root / POST_VI).unlink()
    told(preview, POST_VI)
    result = run(preview.options)
    assert not result.ok and len(answered) == 1  # the look through the kept pages found the link: the full rebuild
    assert [d.format() for d in result.diagnostics.sorted() if ": error: " in d.format()] == [
        f"{SO_LIEU_VI}:28:20: error: broken link '{link}' on {SO_LIEU_PAGE.removesuffix('index.html')}: "
        f"nothing is built at {link}"]
    assert (preview.root / ".preview" / POST_VI_PAGE).is_file()  # the output as it was


def test_a_deleted_version_of_an_article_an_event_links_takes_the_full_rebuild(preview, monkeypatch, capsys):
    answered = answered_from_memory(monkeypatch)
    (preview.root / "content/articles/2020-05-24-thang-5-thang-van-dong-bhxh-toan-dan.en.md").unlink()
    told(preview, "content/articles/2020-05-24-thang-5-thang-van-dong-bhxh-toan-dan.en.md")
    preview.build()
    assert answered == []  # (the event's page links every version)
    assert same_as_clean_build(preview, capsys)


def test_a_renamed_file_is_answered_from_memory_at_the_same_address_or_a_new_one(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language
    answered = answered_from_memory(monkeypatch)
    renamed = SO_LIEU_VI.replace("2020-05-27-so-lieu", "2020-05-27-bao-cao-so-lieu")
    (preview.root / SO_LIEU_VI).rename(preview.root / renamed)
    told(preview, SO_LIEU_VI, renamed)
    assert preview.build().pages_per_language == counts
    # Its page at the same address (its title is the same), the lists it is on (from its place on), its
    # terms' pages, its feed, the sitemap.
    lists = ("atom.xml", "chu-de/bhxh-tu-nguyen/index.html", "chu-de/bhyt/index.html", "chu-de/lang-son/index.html",
             "chu-de/so-lieu/index.html", "index.html", "sitemap.xml", "tac-gia/ban-bien-tap/index.html",
             "tin-tuc/index.html", "tin-tuc/trang/2/index.html")
    assert answered == [tuple(sorted((*lists, SO_LIEU_PAGE)))]
    assert same_as_clean_build(preview, capsys)

    # Renamed again with a new title: a new address, the old page gone.
    again = renamed.replace("bao-cao-so-lieu", "so-lieu-moi")
    text = (preview.root / renamed).read_text(encoding="utf-8")
    (preview.root / renamed).unlink()
    (preview.root / again).write_text(text.replace('title: "', 'title: "Cập nhật: ', 1), encoding="utf-8")
    told(preview, renamed, again)
    assert preview.build().pages_per_language == counts
    assert answered[1] == tuple(sorted((*lists, "tin-tuc/cap-nhat-" + SO_LIEU_PAGE.removeprefix("tin-tuc/"))))
    assert not (preview.root / ".preview" / SO_LIEU_PAGE).exists()
    assert same_as_clean_build(preview, capsys)


def test_an_article_made_a_draft_or_scheduled_and_published_again_is_answered_from_memory(preview, monkeypatch, capsys):
    counts = preview.build().pages_per_language
    answered = answered_from_memory(monkeypatch)
    edit(preview.root / POST_EN, "\ntags:", "\ndraft: true\ntags:")
    told(preview, POST_EN)
    # As if deleted: its page, its tag's page and the last English news page go.
    assert preview.build().pages_per_language == {**counts, "en": counts["en"] - 3}
    assert answered == [tuple(sorted((*ENGLISH_LISTS, "sitemap.xml", POST_VI_PAGE)))]
    assert not (preview.root / ".preview" / POST_EN_PAGE).exists()
    assert same_as_clean_build(preview, capsys)

    edit(preview.root / POST_EN, "\ndraft: true\ntags:", "\ntags:")
    told(preview, POST_EN)
    assert preview.build().pages_per_language == counts
    # As if new: its page, its tag's page and the second English news page come back.
    assert answered[1] == tuple(sorted((*ENGLISH_LISTS, "sitemap.xml", POST_VI_PAGE, POST_EN_PAGE,
                                        "en/tags/health-insurance/index.html", "en/news/page/2/index.html")))
    assert same_as_clean_build(preview, capsys)

    # Scheduled (dated after now), then published again: the same, and the preview knows when it goes live.
    edit(preview.root / POST_EN, "date: 2020-05-28", "date: 2099-05-28")
    told(preview, POST_EN)
    assert preview.build().pages_per_language == {**counts, "en": counts["en"] - 3}
    assert answered[2] == answered[0]
    assert preview.options.warm.last_build.next_publication == dt.datetime(2099, 5, 28,
                                                                           tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert same_as_clean_build(preview, capsys)
    edit(preview.root / POST_EN, "date: 2099-05-28", "date: 2020-05-28")
    told(preview, POST_EN)
    assert preview.build().pages_per_language == counts
    # (it was the next to go live: which one is next now, only the whole site tells)
    assert len(answered) == 3 and preview.options.warm.last_build.next_publication is None
    assert same_as_clean_build(preview, capsys)


def test_a_deleted_article_s_images_go_with_its_page_from_memory(preview, monkeypatch, capsys):
    answered = answered_from_memory(monkeypatch)
    folder = preview.root / ".preview" / SO_LIEU_PAGE.removesuffix("index.html")
    edit(preview.root / SO_LIEU_VI, "\n---\n", "\n---\n\n![Ảnh](../media/minh-hoa-phat-lenh.svg)\n")
    told(preview, SO_LIEU_VI)
    preview.build()
    assert len(answered) == 1 and (folder / "minh-hoa-phat-lenh.svg").is_file()
    (preview.root / SO_LIEU_VI).unlink()
    told(preview, SO_LIEU_VI)
    preview.build()
    assert len(answered) == 2 and not folder.exists()
    assert same_as_clean_build(preview, capsys)


def test_a_deleted_article_that_takes_the_site_s_last_year_away_takes_the_full_rebuild(preview, monkeypatch, capsys):
    # (the calendar shows its yearly events up to the last year the site has content for)
    new = write_article(preview.root, "2021-01-02-bai-nam-moi.vi.md", "title: Bài năm mới\ndate: 2021-01-02")
    told(preview, new)
    preview.build()
    answered = answered_from_memory(monkeypatch)
    (preview.root / new).unlink()
    told(preview, new)
    preview.build()
    assert answered == []
    assert same_as_clean_build(preview, capsys)
