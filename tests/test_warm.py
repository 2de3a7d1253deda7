"""The dev server's memory between rebuilds (warm.py): reuse what did not change, never a stale page."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bantin import content, warm
from bantin.pipeline import BuildOptions, run
from bantin.model import Article
from bantin.warm import WarmModel
from conftest import run_build
from test_incremental import rendered_templates, tree
from test_rebuilds import age

SEED_VI = "content/articles/2020-05-23-ra-quan-bhxh-toan-dan.vi.md"
SEED_EN = "content/articles/2020-05-23-ra-quan-bhxh-toan-dan.en.md"  # a stats shortcode and two images
PARADE_VI = "content/articles/2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.vi.md"


class Preview:
    """Builds like ``serve`` does: one process, one WarmModel, the preview's options."""

    def __init__(self, root: Path):
        self.root = root
        self.options = BuildOptions(root=root, out=root / ".preview", refresh_search=False, warm=WarmModel())

    def build(self):
        result = run(self.options)
        assert result.ok, [d.format() for d in result.diagnostics.items]
        return result

    def articles(self) -> dict[str, object]:
        return {rel: known.article for rel, known in self.options.warm._assembled.items()}


def without_search(files: dict[str, bytes]) -> dict[str, bytes]:
    """The preview keeps the search index of its first build (devserver.py), so it is left out."""
    return {path: data for path, data in files.items() if not path.startswith("pagefind/")}


def same_as_clean_build(preview: Preview, capsys) -> bool:
    out = preview.root.parent / "clean-preview"
    assert run_build(preview.root, "build", "--quiet", "--clean", "--out", str(out), capsys=capsys).code == 0
    return without_search(tree(preview.root / ".preview")) == without_search(tree(out))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def preview(site_factory):
    root = site_factory({}, with_sample_articles=True)
    preview = Preview(root)
    preview.build()
    return preview


def test_a_body_edit_reassembles_that_article_only_and_gives_the_clean_tree(preview, capsys):
    before = preview.articles()
    assert SEED_VI in before and PARADE_VI in before
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    preview.build()
    after = preview.articles()
    assert after[SEED_VI] is before[SEED_VI]
    assert after[PARADE_VI] is not before[PARADE_VI]
    assert "<p>Đoạn mới ở cuối bài.</p>" in after[PARADE_VI].body_html
    assert sorted(rel for rel in after if after[rel] is not before.get(rel)) == [PARADE_VI]
    kept = [value for value, _ in preview.options.warm.fingerprints.values()]
    assert any(value is after[SEED_VI] for value in kept)
    assert not any(value is before[PARADE_VI] for value in kept)  # the old version is let go
    assert same_as_clean_build(preview, capsys)


JUNE_STATS = "content/stats/lang-son-2020-06.yaml"
JUNE_REPORT = "content/articles/2020-07-01-so-lieu-thang-6.vi.md"  # shows the June figures


@pytest.fixture
def preview_with_two_snapshots(site_factory):
    """The sample site with a second Lạng Sơn snapshot (June) and an article that shows it."""
    root = site_factory({}, with_sample_articles=True)
    may = (root / "content/stats/lang-son-2020-05.yaml").read_text(encoding="utf-8")
    (root / JUNE_STATS).write_text(may.replace("as_of: 2020-05-23", "as_of: 2020-06-30")
                                   .replace("value: 61649", "value: 62001"), encoding="utf-8")
    (root / JUNE_REPORT).write_text('---\ntitle: "Số liệu tháng 6"\ndate: 2020-07-01\n---\n\n'
                                    'Số liệu đến hết tháng 6.\n\n{{< stats "lang-son-2020-06" >}}\n', encoding="utf-8")
    preview = Preview(root)
    preview.build()
    return preview


def test_a_stats_edit_reassembles_the_articles_that_show_that_snapshot_and_no_other(preview_with_two_snapshots,
                                                                                      capsys):
    # Shortcodes read the stats and calendar files: an article that uses one is made from what it
    # shows too (assemble.data_used), a stats block from its snapshot alone; the others are kept.
    preview = preview_with_two_snapshots
    before = preview.articles()
    assert "62.001" in before[JUNE_REPORT].body_html
    edit(preview.root / "content/stats/lang-son-2020-05.yaml", "61649", "61650")
    preview.build()
    after = preview.articles()
    assert sorted(rel for rel in after if after[rel] is not before[rel]) == [SEED_EN, SEED_VI]
    assert "61.650" in after[SEED_VI].body_html
    assert same_as_clean_build(preview, capsys)
    edit(preview.root / JUNE_STATS, "62001", "62002")
    preview.build()
    again = preview.articles()
    assert sorted(rel for rel in again if again[rel] is not after[rel]) == [JUNE_REPORT]
    assert "62.002" in again[JUNE_REPORT].body_html
    assert same_as_clean_build(preview, capsys)
    (preview.root / JUNE_STATS).unlink()  # the block's id is unknown now: an error, reported at the shortcode
    result = run(preview.options)
    assert [d.format() for d in result.diagnostics.items] == [
        f"{JUNE_REPORT}:8:1: error: unknown stats id 'lang-son-2020-06' in shortcode 'stats' (no content/stats/<id>.yaml)"]


def test_an_image_replaced_under_the_same_name_reassembles_the_articles_showing_it(preview, capsys):
    before = preview.articles()
    image = preview.root / "content/media/minh-hoa-phat-bieu.svg"
    edit(image, 'width="1200" height="675"', 'width="1000" height="675"')
    preview.build()
    after = preview.articles()
    assert after[SEED_VI] is not before[SEED_VI]
    assert after[PARADE_VI] is before[PARADE_VI]  # shows no image
    assert 'width="1000"' in after[SEED_VI].body_html
    assert same_as_clean_build(preview, capsys)


def test_a_front_matter_warning_is_reported_by_every_warm_build(site_factory):
    root = site_factory({
        "content/articles/a.vi.md": "---\ntitle: Bài A\ndate: 2020-05-23\ntag: [BHXH]\n---\n\nThân bài A.\n",
        "content/articles/b.vi.md": "---\ntitle: Bài B\ndate: 2020-05-24\n---\n\nThân bài B.\n",
    })
    preview = Preview(root)
    warning = "content/articles/a.vi.md:4:1: warning: unknown front-matter key 'tag' (did you mean 'tags'?)"
    assert [d.format() for d in preview.build().diagnostics.items] == [warning]
    edit(root / "content/articles/b.vi.md", "Thân bài B.", "Thân bài B, sửa.")
    result = preview.build()
    assert not result.unchanged
    assert [d.format() for d in result.diagnostics.items] == [warning]


def files_read(monkeypatch) -> list[str]:
    """The article files the next builds read, in order."""
    read: list[str] = []
    real = content.read_source

    def counting(path, rel, diagnostics):
        read.append(rel)
        return real(path, rel, diagnostics)

    monkeypatch.setattr(content, "read_source", counting)
    return read


def test_article_files_untouched_for_a_while_are_not_read_again(preview, monkeypatch, capsys):
    monkeypatch.setattr(warm, "RACY_NS", 0)  # as if every file had been written long ago
    preview.build()  # the files were written moments before the first build: compared, now trusted
    read = files_read(monkeypatch)
    before = preview.articles()
    preview.build()
    assert read == []
    assert preview.articles() == before
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    preview.build()
    assert read == [PARADE_VI]
    assert "<p>Đoạn mới.</p>" in preview.articles()[PARADE_VI].body_html
    assert same_as_clean_build(preview, capsys)


class Stats:
    """The article files the next builds ``stat``, in order."""

    def __init__(self, monkeypatch, root: Path):
        self.files: list[str] = []
        real, top = os.stat, str(root) + "/"

        def stat(path, *args, **kwargs):
            if str(path).startswith(top + "content/articles/"):
                self.files.append(str(path)[len(top):])
            return real(path, *args, **kwargs)

        monkeypatch.setattr(content.os, "stat", stat)


def told(preview: Preview, *rels: str) -> None:
    """What the dev server's watcher passes on: the files the operating system said changed."""
    preview.options.warm.note_changes(preview.root, frozenset(str(preview.root / rel) for rel in rels))


def test_a_preview_told_what_changed_looks_at_those_files_only(preview, monkeypatch, capsys):
    monkeypatch.setattr(warm, "RACY_NS", 0)  # as if every file had been written long ago
    preview.build()  # the files were written moments before the first build: compared, now trusted
    stats, read = Stats(monkeypatch, preview.root), files_read(monkeypatch)
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    new = "content/articles/2020-05-27-bai-moi.vi.md"
    (preview.root / new).write_text("---\ntitle: Bài mới\ndate: 2020-05-27\n---\n\nThân bài mới.\n",
                                    encoding="utf-8")
    told(preview, PARADE_VI, new, "content/articles/.bai-moi.vi.md.swp")
    preview.build()
    assert read == [PARADE_VI, new]
    assert set(stats.files) == {PARADE_VI, new}  # no other article file listed or stat'ed
    assert "<p>Đoạn mới.</p>" in preview.articles()[PARADE_VI].body_html
    assert (preview.root / ".preview/tin-tuc/bai-moi/index.html").is_file()
    assert same_as_clean_build(preview, capsys)

    (preview.root / new).unlink()
    told(preview, new)
    preview.build()
    assert new not in preview.articles()
    assert not (preview.root / ".preview/tin-tuc/bai-moi/index.html").exists()
    assert same_as_clean_build(preview, capsys)


def test_a_file_with_a_mistake_is_looked_at_again_until_it_is_right(preview, monkeypatch, capsys):
    # Its last good version is never taken for it, though no save touched it since.
    monkeypatch.setattr(warm, "RACY_NS", 0)
    preview.build()
    edit(preview.root / PARADE_VI, "date: 2020-05-25", "date: 2020-02-30")
    told(preview, PARADE_VI)
    error = ("content/articles/2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.vi.md:3:7: error: invalid date "
             "'2020-02-30' for 'date': day is out of range for month")
    assert [d.format() for d in run(preview.options).diagnostics.errors] == [error]
    edit(preview.root / SEED_VI, "lưu động trên các trục đường chính", "lưu động trên các phố chính")
    told(preview, SEED_VI)
    assert [d.format() for d in run(preview.options).diagnostics.errors] == [error]


def test_an_article_file_that_is_a_link_is_looked_at_on_every_save(preview, monkeypatch, capsys, tmp_path):
    # A save to the file it points at is reported for that file, outside the watched folders.
    monkeypatch.setattr(warm, "RACY_NS", 0)
    elsewhere = tmp_path / "drafts/bai-lien-ket.vi.md"
    elsewhere.parent.mkdir()
    elsewhere.write_text("---\ntitle: Bài liên kết\ndate: 2020-05-28\n---\n\nBản đầu.\n", encoding="utf-8")
    (preview.root / "content/articles/bai-lien-ket.vi.md").symlink_to(elsewhere)
    preview.build()
    preview.build()  # now trusted by its stamp
    edit(elsewhere, "Bản đầu.", "Bản sửa.")
    told(preview, PARADE_VI)
    preview.build()
    assert "<p>Bản sửa.</p>" in preview.articles()["content/articles/bai-lien-ket.vi.md"].body_html
    assert same_as_clean_build(preview, capsys)


def test_what_a_stopped_build_was_told_is_looked_at_by_the_next(preview, capsys):
    # A save that broke the settings and changed an article: that build stops before it looks at the
    # articles; the save that mends the settings reports the settings file alone.
    config = (preview.root / "site_config.yaml").read_text(encoding="utf-8")
    (preview.root / "site_config.yaml").write_text(config + "\nper_page: [\n", encoding="utf-8")
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    told(preview, "site_config.yaml", PARADE_VI)
    assert not run(preview.options).ok
    (preview.root / "site_config.yaml").write_text(config, encoding="utf-8")
    told(preview, "site_config.yaml")
    preview.build()
    assert "<p>Đoạn mới.</p>" in preview.articles()[PARADE_VI].body_html
    assert same_as_clean_build(preview, capsys)


def test_a_preview_told_of_a_template_or_data_file_change_assembles_the_articles_made_from_it(preview, capsys):
    # Only article files changed: the digest of everything else is the last one. A template of
    # shortcode blocks (or the settings): the world changed, every article is assembled again; a page
    # template: none. A stats file: those that show figures.
    told(preview, PARADE_VI)
    preview.build()
    before = preview.articles()
    edit(preview.root / "content/stats/lang-son-2020-05.yaml", "61649", "61650")
    told(preview, "content/stats/lang-son-2020-05.yaml")
    preview.build()
    after = preview.articles()
    assert sorted(rel for rel in after if after[rel] is not before[rel]) == [SEED_EN, SEED_VI]
    assert "61.650" in after[SEED_VI].body_html
    edit(preview.root / "templates/404.html", "<h1>", '<h1 class="not-found">')
    told(preview, "templates/404.html")
    preview.build()
    assert all(preview.articles()[rel] is after[rel] for rel in after)
    edit(preview.root / "templates/stats/block.html", "</figure>", "</figure>\n<!-- x -->")
    told(preview, "templates/stats/block.html")
    preview.build()
    assert all(preview.articles()[rel] is not after[rel] for rel in after)
    assert "<!-- x -->" in preview.articles()[SEED_VI].body_html
    assert same_as_clean_build(preview, capsys)


def test_a_preview_not_told_what_changed_lists_and_stats_every_file(preview, monkeypatch, capsys):
    # The watcher does not know when a folder was made, moved or deleted (its files come without
    # events), nor before its first look: then the build looks at every file, as without a watcher.
    folder = preview.root / "content/articles/2020"
    folder.mkdir()
    (folder / "bai-trong-thu-muc.vi.md").write_text(
        "---\ntitle: Bài trong thư mục\ndate: 2020-05-28\n---\n\nThân bài.\n", encoding="utf-8")
    stats = Stats(monkeypatch, preview.root)
    preview.options.warm.note_changes(preview.root, None)
    preview.build()
    articles = preview.root / "content/articles"
    assert set(stats.files) == {path.relative_to(preview.root).as_posix() for path in articles.rglob("*.md")}
    assert (preview.root / ".preview/tin-tuc/bai-trong-thu-muc/index.html").is_file()
    assert same_as_clean_build(preview, capsys)


def test_a_file_rewritten_moments_after_it_was_read_is_read_again_despite_the_same_stamp(
        site_factory, monkeypatch, capsys):
    # A file system whose stamps say little (a coarse clock, no change time): the same size and
    # modification time, different bytes. The build read the file moments after it was written,
    # so it does not trust the stamp, and compares the text.
    monkeypatch.setattr(warm, "file_stamp", lambda stat: (stat.st_mtime_ns, stat.st_size))
    preview = Preview(site_factory({}, with_sample_articles=True))
    path = preview.root / PARADE_VI
    path.write_text(path.read_text(encoding="utf-8") + "\nCâu thêm.\n", encoding="utf-8")  # just before
    preview.build()
    stat = path.stat()
    edit(path, "Câu thêm.", "Câu thêm!")  # as many bytes
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert warm.file_stamp(path.stat()) == warm.file_stamp(stat)
    read = files_read(monkeypatch)
    preview.build()
    assert PARADE_VI in read
    assert "<p>Câu thêm!</p>" in preview.articles()[PARADE_VI].body_html
    assert same_as_clean_build(preview, capsys)


def test_pages_planned_from_unchanged_articles_are_the_objects_of_the_last_build(preview, capsys):
    # Their fingerprints are then known, not hashed again (plan.Planner, warm.keep_pages).
    before = dict(preview.options.warm.pages)
    parade_page = next(path for path, page in before.items() if page.origin == PARADE_VI)
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    preview.build()
    after = preview.options.warm.pages
    assert after.keys() == before.keys()
    # The edited article's page and the feed, which shows whole bodies; the lists show cards.
    assert sorted(path for path in after if after[path] is not before[path]) == sorted([parade_page, "atom.xml"])
    kept = {id(value) for value, _ in preview.options.warm.fingerprints.values()}
    assert all(id(page) in kept for page in after.values())
    assert same_as_clean_build(preview, capsys)


def test_a_new_translation_gives_its_original_a_new_page(preview, capsys):
    # The original is the same article object, but its page now links the translation.
    warm_pages = preview.options.warm.pages
    path = next(path for path, page in warm_pages.items() if page.origin == PARADE_VI)
    before = warm_pages[path]
    assert before.alternates == ()
    english = PARADE_VI.replace(".vi.md", ".en.md")
    (preview.root / english).write_text(
        "---\ntitle: Campaign parade through Lang Son\ndate: 2020-05-25\n---\n\nThe parade.\n", encoding="utf-8")
    told(preview, english)
    preview.build()
    after = preview.options.warm.pages[path]
    assert preview.articles()[PARADE_VI] is after.data["article"] is before.data["article"]
    assert after is not before
    assert after.alternates == (("vi", before.url), ("en", "en/news/campaign-parade-through-lang-son/"))
    assert same_as_clean_build(preview, capsys)


def test_a_new_lastmod_reaches_the_sitemap(preview, capsys):
    # The sitemap reuses the entries of pages that are the last build's objects, and only those.
    edit(preview.root / PARADE_VI, "date: 2020-05-25\n", "date: 2020-05-25\nlastmod: 2020-06-02\n")
    told(preview, PARADE_VI)
    preview.build()
    sitemap = (preview.root / ".preview/sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2020-06-02" in sitemap
    assert same_as_clean_build(preview, capsys)


def calendar_plan(preview: Preview):
    return preview.options.warm._plans["calendar"]


def test_the_calendar_pages_are_kept_while_nothing_they_show_changes(preview, capsys):
    before = calendar_plan(preview)
    assert len(before.planned.pages) > 10
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    preview.build()
    assert calendar_plan(preview) is before  # the parade event lists this article, but not its body
    assert same_as_clean_build(preview, capsys)


def test_the_stats_outputs_are_kept_until_a_figure_changes(preview, capsys):
    before = preview.options.warm._plans["stats"]
    assert [data.path for data in before.planned.data_files][:1] == ["so-lieu/stats.json"]
    edit(preview.root / SEED_VI, "\nSau lễ phát động,", "\nĐoạn mới.\n\nSau lễ phát động,")
    preview.build()
    assert preview.options.warm._plans["stats"] is before  # the article shows a stats block, not its figures
    edit(preview.root / "content/stats/lang-son-2020-05.yaml", "61649", "61650")
    preview.build()
    after = preview.options.warm._plans["stats"]
    assert after is not before
    assert b'"value": 61650' in after.planned.data_files[0].data
    assert same_as_clean_build(preview, capsys)


def test_a_linked_article_s_new_title_plans_the_calendar_again(preview, capsys):
    before = calendar_plan(preview)
    edit(preview.root / PARADE_VI, 'title: "Diễu hành tuyên truyền', 'title: "Diễu hành cổ động')
    preview.build()
    assert calendar_plan(preview) is not before
    event_page = (preview.root / ".preview/lich/dieu-hanh-tuyen-truyen-2020/index.html").read_text(encoding="utf-8")
    assert "Diễu hành cổ động lưu động trên các trục đường chính" in event_page
    assert same_as_clean_build(preview, capsys)


def test_a_preview_folder_replaced_between_saves_is_listed_again(preview, capsys):
    # The preview knows what its output holds from its last build; a folder put in its place
    # (here a copy that lacks a page) is another folder, and is listed afresh.
    out = preview.root / ".preview"
    page = out / "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html"
    assert page.is_file()
    shutil.copytree(out, preview.root / "copy")
    (preview.root / "copy/tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html").unlink()
    shutil.rmtree(out)
    (preview.root / "copy").rename(out)
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    preview.build()
    assert page.is_file()
    assert same_as_clean_build(preview, capsys)


def test_the_output_record_is_kept_in_memory_and_written_when_the_server_stops(preview, monkeypatch, capsys):
    from bantin.cache import BuildCache

    record_file = BuildCache.record_file(preview.root, preview.options.out)
    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    preview.build()
    # The folder changed after its record was read: the file would describe an older folder.
    assert not record_file.exists()
    preview.options.warm.write_record()  # what the dev server does when it stops
    assert record_file.is_file()
    # The next command-line build of the preview's folder finds every page as its record says.
    rendered = rendered_templates(monkeypatch)
    assert run_build(preview.root, "build", "--quiet", "--out", str(preview.options.out), capsys=capsys).code == 0
    assert rendered == []
    assert same_as_clean_build(preview, capsys)


def test_a_server_stopped_while_its_output_changes_leaves_no_record(preview, monkeypatch, capsys):
    from bantin import writer
    from bantin.cache import BuildCache

    record_file = BuildCache.record_file(preview.root, preview.options.out)
    preview.options.warm.write_record()
    assert record_file.is_file()

    def stopped(self, site_paths):
        raise KeyboardInterrupt  # Ctrl+C while the staged files are moved into place

    edit(preview.root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn")
    with monkeypatch.context() as patch:
        patch.setattr(writer.OutputFolder, "commit", stopped)
        with pytest.raises(KeyboardInterrupt):
            run(preview.options)
    preview.options.warm.write_record()
    assert not record_file.exists()
    # So the next build does not trust the folder, and renders every page.
    rendered = rendered_templates(monkeypatch)
    assert run_build(preview.root, "build", "--quiet", "--out", str(preview.options.out), capsys=capsys).code == 0
    assert "article.html" in rendered and "404.html" in rendered
    assert same_as_clean_build(preview, capsys)


@pytest.mark.parametrize("old, new, substituted", [
    ("\nNguồn: Báo Lạng Sơn", "\nĐoạn mới.\n\nNguồn: Báo Lạng Sơn", True),  # the body: same places
    ("summary: \"Tóm tắt theo", "summary: \"Tóm lược theo", True),  # what the lists show: same places
    # Tags among the site's: the card leaves or joins their pages, each named by its newest article.
    ("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, Bưu Điện]", True),  # not newest
    ("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn]", True),  # a tag less
    ("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, BHYT]", True),  # another tag
    ("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH Toàn Dân, Lạng Sơn, Bưu điện]", False),  # its newest
    ("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, Tin mới]", True),  # a new tag
    ("tags: [BHXH toàn dân, Lạng Sơn, Bưu điện]", "tags: [BHXH toàn dân, Lạng Sơn, Tin mới, Tin hay]", True),  # two
    ("date: 2020-05-25", "date: 2020-05-20", True),  # another place in its language's list, sorted again
    ("date: 2020-05-25", "date: 2020-05-20\nlastmod: 2020-06-03", True),  # and a new lastmod
])
def test_the_site_after_an_edit_is_the_site_made_afresh(preview, capsys, old, new, substituted):
    # The preview puts an edited article in the place of its old version (assemble.substituted_site;
    # a new date: its language's articles sorted again; a new tag: a page of its own, in slug order);
    # a tag named anew by its newest article, and it groups every article again.
    from bantin.assemble import _site

    _, _, before = preview.options.warm._site
    edit(preview.root / PARADE_VI, old, new)
    preview.build()
    _, articles, site = preview.options.warm._site
    assert site == _site(site.config, articles, site.next_publication)
    assert (site.languages["en"] is before.languages["en"]) is substituted  # the edit is Vietnamese
    assert same_as_clean_build(preview, capsys)


def test_an_event_renamed_reaches_the_page_of_an_article_it_names_though_the_article_is_kept(preview, capsys):
    # The parade report shows no event block and names no event: the event names it
    # (``articles:``). Its article is kept, but its page's events are new data (article_page_data).
    before = preview.articles()
    edit(preview.root / "content/calendar/dieu-hanh-tuyen-truyen-2020.yaml", "tuyên truyền lưu động tại",
         "cổ động tại")
    told(preview, "content/calendar/dieu-hanh-tuyen-truyen-2020.yaml")
    preview.build()
    assert preview.articles()[PARADE_VI] is before[PARADE_VI]
    page = preview.root / ".preview/tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son"
    assert "Diễu hành cổ động tại thành phố Lạng Sơn" in (page / "index.html").read_text(encoding="utf-8")
    assert same_as_clean_build(preview, capsys)


def test_the_first_build_after_a_command_line_build_starts_from_the_files_and_articles_it_kept(
        site_factory, capsys, monkeypatch):
    """At 10,000 pairs the preview's first build took 7.1 s, 4.3 s from what the command line kept."""
    root = site_factory({}, with_sample_articles=True)
    age(root)  # files written long enough ago for their stamps to be trusted
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    reads: list[str] = []
    original = content.read_source
    monkeypatch.setattr(content, "read_source",
                        lambda path, rel, diagnostics: reads.append(rel) or original(path, rel, diagnostics))
    preview = Preview(root)
    preview.build()
    assert reads == []  # no article file read, no body prepared again
    articles = preview.articles()
    assert len(articles) == 12  # every article of the sample, in both languages
    assert all(type(article) is Article and type(article.__dict__["_body_html_utf8"]) is bytes
               for article in articles.values())  # plain articles holding their bodies, as if made here
    assert same_as_clean_build(preview, capsys)
    edit(root / PARADE_VI, "\nNguồn: Báo Lạng Sơn", "\nĐoạn mới ở cuối bài.\n\nNguồn: Báo Lạng Sơn")
    reads.clear()  # (the clean build just made read them all)
    preview.build()
    assert reads == [PARADE_VI]
    assert preview.articles()[SEED_VI] is articles[SEED_VI]
    assert same_as_clean_build(preview, capsys)
    edit(root / "templates/article.html", "{% block main %}", "{% block main %}<!-- sửa -->")
    reads.clear()
    preview.build()  # every page again, no article again (a page template is not what articles are made from)
    assert reads == [PARADE_VI]  # (saved a moment ago: its stamp is not trusted yet, its text is compared)
    assert same_as_clean_build(preview, capsys)


def test_a_save_of_data_files_alone_makes_that_folder_s_digest_again_and_no_other(preview, monkeypatch):
    # What articles are made from besides their files (warm.world_digest): a stats file saved changes
    # the stats folder's digest, taken from that folder alone; the rest is the last build's.
    folders = ("content/calendar", "content/stats")
    model = preview.options.warm
    before = model.world_files(preview.root, folders)
    edit(preview.root / "content/stats/lang-son-2020-05.yaml", "61649", "61650")
    told(preview, "content/stats/lang-son-2020-05.yaml")
    whole = warm.world_files_digest
    walked = []
    monkeypatch.setattr(warm, "world_files_digest", lambda *args: walked.append(args) or whole(*args))
    after = model.world_files(preview.root, folders)
    assert walked == []
    assert after == whole(preview.root, folders)
    assert after[0] == before[0] and after[1]["content/calendar"] == before[1]["content/calendar"]
    assert after[1]["content/stats"] != before[1]["content/stats"]
    edit(preview.root / "templates/404.html", "<h1>", '<h1 class="not-found">')  # (and a template: all again)
    told(preview, "templates/404.html")
    model.world_files(preview.root, folders)
    assert len(walked) == 1
