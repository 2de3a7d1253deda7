"""Rebuilds of an existing output: nothing to do, a few files to change, never a wrong page (issue 8)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from bantin import links, render, writer
from bantin.assemble import Selection
from bantin.pipeline import BuildOptions, run
from bantin.state import BuildState
from conftest import MINIMAL_ARTICLE, run_build
from test_incremental import tree

SEED_VI = "content/articles/2020-05-23-ra-quan-bhxh-toan-dan.vi.md"
PARADE_VI = "content/articles/2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.vi.md"
PARADE_PAGE = "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/index.html"
SEED_PAGE = "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html"


def files_on_disk(folder):
    """path -> (inode, modification time): what tells a rewritten file from one left alone."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def age(root):
    """Date every input a minute back: a file changed within the last moment is never trusted to
    be unchanged (its next change could keep its time), and tests write files just before building."""
    past = (dt.datetime.now().timestamp() - 60) * 1e9
    for path in [root / "site_config.yaml", *(root / "content").rglob("*"), *(root / "templates").rglob("*")]:
        os.utime(path, ns=(int(past), int(past)))


def checkout_again(root):
    """Every input written again with its own bytes, as a fresh checkout leaves them: new stamps (and
    inodes), the same contents; dated a minute back, as CI's set-up steps leave them."""
    for path in [root / "site_config.yaml", *(root / "content").rglob("*"), *(root / "templates").rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            path.unlink()
            path.write_bytes(data)
    age(root)


def clean_tree(root, capsys):
    out = root.parent / "clean-public"
    shutil.rmtree(out, ignore_errors=True)
    assert run_build(root, "build", "--quiet", "--clean", "--out", str(out), capsys=capsys).code == 0
    return tree(out)


@pytest.fixture
def sample_copy(site_factory, capsys):
    root = site_factory({}, with_sample_articles=True)
    age(root)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    return root


def test_an_unchanged_rebuild_is_up_to_date_and_touches_no_file(sample_copy, capsys):
    before = files_on_disk(sample_copy / "public")
    result = run_build(sample_copy, "build", capsys=capsys)
    assert result.code == 0
    assert re.fullmatch(r"up to date: \d+ pages \(vi \d+, en \d+\), 0 warnings, \d+\.\d\d s -> \S+/public\n",
                        result.out), result.out
    assert files_on_disk(sample_copy / "public") == before


def test_an_edit_that_keeps_the_summary_rewrites_the_page_the_feed_and_the_index_only(sample_copy, capsys):
    before = files_on_disk(sample_copy / "public")
    assert PARADE_PAGE in before
    source = sample_copy / PARADE_VI  # in Vietnamese only: no translation becomes stale
    source.write_text(source.read_text(encoding="utf-8") + "\nĐoạn bổ sung ở cuối bài.\n", encoding="utf-8")
    assert run_build(sample_copy, "build", "--quiet", capsys=capsys).code == 0
    after = files_on_disk(sample_copy / "public")
    changed = sorted(p for p in after if before.get(p) != after[p])
    # The lists, tag and author pages show the summary, which did not change: they are left alone.
    assert [p for p in changed if not p.startswith("pagefind/")] == ["atom.xml", PARADE_PAGE]
    assert any(p.startswith("pagefind/") for p in changed)  # the words changed, so the index did
    assert tree(sample_copy / "public") == clean_tree(sample_copy, capsys)


def test_a_file_missing_from_the_output_is_written_again(sample_copy, capsys):
    expected = tree(sample_copy / "public")
    (sample_copy / "public" / SEED_PAGE).unlink()
    result = run_build(sample_copy, "build", capsys=capsys)
    assert result.code == 0 and result.out.startswith("built: ")
    assert tree(sample_copy / "public") == expected


def stamp_output_a_minute_after_building(root):
    """Date the output's folders a minute back and stamp them again, as a build long finished leaves
    them (a folder changed in the last moment is checked file by file: BuildState.stamp_output)."""
    past = int((dt.datetime.now().timestamp() - 60) * 1e9)
    for folder in [root / "public", *(p for p in (root / "public").rglob("*") if p.is_dir())]:
        os.utime(folder, ns=(past, past))
    state = BuildState.load(root, root / "public").stamp_output()
    state.save(root, root / "public")
    return state


@pytest.mark.parametrize("remove", ["file", "folder"])
def test_a_file_missing_from_a_folder_stamped_long_ago_is_written_again(sample_copy, capsys, remove):
    expected = tree(sample_copy / "public")
    state = stamp_output_a_minute_after_building(sample_copy)
    assert state.loose == () and len(state.folders) == len({p.rpartition("/")[0] for p in state.written})
    assert run_build(sample_copy, "build", capsys=capsys).out.startswith("up to date: ")
    page = sample_copy / "public" / SEED_PAGE
    page.unlink() if remove == "file" else shutil.rmtree(page.parent)
    result = run_build(sample_copy, "build", capsys=capsys)
    assert result.code == 0 and result.out.startswith("built: ")
    assert tree(sample_copy / "public") == expected


def test_a_folder_written_just_now_is_checked_file_by_file(sample_copy):
    state = stamp_output_a_minute_after_building(sample_copy)
    page_folder = SEED_PAGE.rpartition("/")[0]
    os.utime(sample_copy / "public" / page_folder)  # as a quick rebuild that wrote the page leaves it
    restamped = state.stamp_output([SEED_PAGE])
    assert restamped.folders == {folder: mtime for folder, mtime in state.folders.items() if folder != page_folder}
    assert restamped.loose == tuple(p for p in state.written if p.startswith(page_folder + "/"))
    assert SEED_PAGE in restamped.loose and restamped.output_intact()
    (sample_copy / "public" / SEED_PAGE).unlink()
    assert not restamped.output_intact()


@pytest.mark.parametrize("url, target", [
    ("/tin-tuc/bai-kia/", "tin-tuc/bai-kia/"),
    ("../bai-kia/", "tin-tuc/bai-kia/"),
    ("/tin-tuc/bai-kia", "tin-tuc/bai-kia"),
    ("/tin-tuc/bai-kia/index.html", "tin-tuc/bai-kia/index.html"),
    ("../b%61i-kia/", "tin-tuc/bai-kia/"),  # the page does not show the name as it is
    ("../../tin-tuc/./bai-kia/", "tin-tuc/bai-kia/"),
])
def test_a_deleted_article_breaks_the_link_of_an_unchanged_page(site_factory, capsys, monkeypatch, url, target):
    linking = MINIMAL_ARTICLE.replace("Nội dung bài thử.", f"Xem [bài kia]({url}).")
    other = MINIMAL_ARTICLE.replace("Bài thử", "Bài kia")
    root = site_factory({"content/articles/a.vi.md": linking, "content/articles/b.vi.md": other})
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    before = tree(root / "public")
    (root / "content/articles/b.vi.md").unlink()
    rendered = []
    original = render.Renderer.render_page
    monkeypatch.setattr(render.Renderer, "render_page",
                        lambda self, page, *args: rendered.append(page.path) or original(self, page, *args))
    result = run_build(root, "build", "--quiet", capsys=capsys)
    assert "tin-tuc/bai-thu/index.html" not in rendered  # the page with the link is unchanged
    assert result.code == 1
    assert result.errors == [f"content/articles/a.vi.md:6:15: error: broken link '{url}' on "
                             f"tin-tuc/bai-thu/: nothing is built at /{target}"]
    assert tree(root / "public") == before


def test_only_the_kept_pages_that_show_the_names_of_a_gone_page_are_checked_again(site_factory, capsys,
                                                                                monkeypatch):
    """A kept page is parsed again only when it shows every name of a page now gone."""
    linking = MINIMAL_ARTICLE.replace("Nội dung bài thử.", "Xem [bài kia](/tin-tuc/bai-kia/).")
    root = site_factory({"content/articles/a.vi.md": linking,
                         "content/articles/b.vi.md": MINIMAL_ARTICLE.replace("Bài thử", "Bài kia"),
                         "content/articles/c.vi.md": MINIMAL_ARTICLE.replace("Bài thử", "Bài khác")})
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    (root / "content/articles/b.vi.md").write_text(MINIMAL_ARTICLE.replace("Bài thử", "Bài kia")
                                                   .replace("date:", "slug: bai-kia-moi\ndate:"), encoding="utf-8")
    checked = []
    original = links.LinkChecker.check
    monkeypatch.setattr(links.LinkChecker, "check",
                        lambda self, path, data: checked.append(path) or original(self, path, data))
    result = run_build(root, "build", "--quiet", capsys=capsys)
    assert result.code == 1 and len(result.errors) == 1
    assert checked == ["tin-tuc/bai-thu/index.html"]  # not tin-tuc/bai-khac/, nor the other kept pages


def test_a_scheduled_article_is_published_by_the_first_build_after_its_time(site_factory):
    scheduled = MINIMAL_ARTICLE.replace("Bài thử", "Bài hẹn giờ").replace("2020-05-23", "2030-01-01T08:00:00+07:00")
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE, "content/articles/b.vi.md": scheduled})
    page = root / "public/tin-tuc/bai-hen-gio/index.html"
    age(root)

    def build(now: dt.datetime):
        return run(BuildOptions(root=root, out=root / "public", selection=Selection(now=now)))

    before = dt.datetime(2029, 12, 31, 23, 0, tzinfo=dt.timezone.utc)  # 06:00 on 1 January in Hà Nội
    assert build(before).ok and not page.exists()
    second = build(before + dt.timedelta(minutes=30))
    assert second.ok and second.unchanged and not page.exists()
    third = build(before + dt.timedelta(hours=2, seconds=1))  # 08:00:01 in Hà Nội
    assert third.ok and not third.unchanged and page.exists()


def test_an_interrupted_update_is_repaired_by_the_next_build(sample_copy, capsys, monkeypatch):
    source = sample_copy / PARADE_VI
    original = source.read_text(encoding="utf-8")
    source.write_text(original + "\nĐoạn bổ sung.\n", encoding="utf-8")
    real_replace = writer.os.replace
    moved = []

    def failing_replace(src, dst):  # in the output: the second file moved into place fails
        if Path(dst).is_relative_to(sample_copy / "public"):
            if moved:
                raise OSError("disk full")
            moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        run_build(sample_copy, "build", "--quiet", capsys=capsys)
    monkeypatch.setattr(writer.os, "replace", real_replace)
    assert moved[0].name == "atom.xml"  # the new feed is in place, the new article page is not
    # Back to the text the last complete build had: its record of the output must not be trusted.
    source.write_text(original, encoding="utf-8")
    assert run_build(sample_copy, "build", "--quiet", capsys=capsys).code == 0
    assert tree(sample_copy / "public") == clean_tree(sample_copy, capsys)


def test_front_matter_read_from_the_cache_equals_front_matter_parsed_afresh():
    # Dates, tuples, a translation_of mapping with its positions, locations of every key.
    from bantin.cache import KeyValueTable
    from bantin.config import load_config
    from bantin.content import load_articles
    from bantin.diagnostics import Diagnostics
    from conftest import REPO

    config = load_config(REPO, Diagnostics())
    table = KeyValueTable(None, "front_matter")
    fresh = load_articles(REPO, config, Diagnostics(), table)
    assert len(table.memory) == len(fresh)  # every sample front matter checks without a message
    remembered = load_articles(REPO, config, Diagnostics(), table)
    assert [(s.fields, s.locations) for s in remembered] == [(s.fields, s.locations) for s in fresh]
    assert [repr(s.fields) for s in remembered] == [repr(s.fields) for s in fresh]
    with_original = [s for s in remembered if "translation_of" in s.fields]
    assert with_original
    for cached, parsed in zip(with_original, [s for s in fresh if "translation_of" in s.fields]):
        mapping, expected = cached.fields["translation_of"], parsed.fields["translation_of"]
        assert (mapping.pos, mapping.key_pos, mapping.value_pos, mapping.value_text) == (
            expected.pos, expected.key_pos, expected.value_pos, expected.value_text)


def test_a_front_matter_warning_is_reported_by_every_build_not_only_the_first(site_factory, capsys):
    root = site_factory({
        "content/articles/a.vi.md": "---\ntitle: Bài A\ndate: 2020-05-23\ntag: [BHXH]\n---\n\nThân bài A.\n",
        "content/articles/b.vi.md": MINIMAL_ARTICLE,
    })
    warning = ("content/articles/a.vi.md:4:1: warning: unknown front-matter key 'tag' (did you mean 'tags'?)")
    assert run_build(root, "build", capsys=capsys).errors == [warning]
    (root / "content/articles/b.vi.md").write_text(MINIMAL_ARTICLE + "\nThêm một câu.\n", encoding="utf-8")
    second = run_build(root, "build", capsys=capsys)
    assert "up to date" not in second.err
    assert second.errors == [warning]
    (root / "content/articles/a.vi.md").write_text(
        "---\ntitle: Bài A\ndate: 2020-05-32\n---\n\nThân bài A.\n", encoding="utf-8")
    third = run_build(root, "build", capsys=capsys)
    assert third.code == 1
    assert third.errors == ["content/articles/a.vi.md:3:7: error: invalid date '2020-05-32' for 'date': "
                            "day is out of range for month"]


def test_an_edited_event_makes_its_calendar_files_again_and_only_those(sample_copy, capsys):
    # .ics files come from the cache while what they are made from is unchanged (Planner.made_data).
    before = files_on_disk(sample_copy / "public")
    event = sample_copy / "content/calendar/chi-tieu-nam-2020.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace(
        "trên 17.000 người tham gia BHXH tự nguyện\"", "trên 17.500 người tham gia BHXH tự nguyện\"", 1),
        encoding="utf-8")
    assert run_build(sample_copy, "build", "--quiet", capsys=capsys).code == 0
    after = files_on_disk(sample_copy / "public")
    changed_ics = sorted(p for p in after if p.endswith(".ics") and before.get(p) != after[p])
    assert changed_ics == ["lich/chi-tieu-nam-2020/chi-tieu-nam-2020.ics", "lich/deadline/deadline.ics",
                           "lich/lich.ics"]
    assert "17.500 người" in (sample_copy / "public/lich/chi-tieu-nam-2020/chi-tieu-nam-2020.ics").read_text(encoding="utf-8")
    assert tree(sample_copy / "public") == clean_tree(sample_copy, capsys)


def test_a_translation_not_read_again_reports_its_mistake_where_a_fresh_read_does(sample_copy, capsys, monkeypatch):
    # The English version is not read (its stamp is the recorded one): its checked front matter comes
    # from the cache without the keys' positions, which are read again only to report. Editing the
    # original makes it stale, and the warning stands at the line of its translation_of.
    from bantin import content

    source = sample_copy / SEED_VI
    source.write_text(source.read_text(encoding="utf-8") + "\nĐoạn bổ sung ở cuối bài.\n", encoding="utf-8")
    asked = []
    original = content.CheckedFrontMatter.locations
    monkeypatch.setattr(content.CheckedFrontMatter, "locations",
                        lambda self, key, rel: asked.append(rel) or original(self, key, rel))
    result = run_build(sample_copy, "build", "--quiet", capsys=capsys)
    assert result.code == 0
    english = SEED_VI.replace(".vi.md", ".en.md")
    assert asked == [english]
    warning = (f"{english}:13:1: warning: stale translation: the vi original ({SEED_VI}) has changed since this "
               f"translation was made; update the translation, then run 'python build.py translations --update "
               f"2020-05-23-ra-quan-bhxh-toan-dan.en'")
    assert result.errors == [warning]
    assert run_build(sample_copy, "check", capsys=capsys).errors == [warning]  # read afresh: the same


def test_a_rebuild_takes_the_calendar_and_stats_files_it_parsed_before_from_the_cache(sample_copy, capsys,
                                                                                       monkeypatch):
    # The settings and UI strings are read before the cache is open; every data file comes from it,
    # but the one edited, and the edited front matter is parsed.
    from bantin import yamlfile

    parsed = []
    original = yamlfile.load
    monkeypatch.setattr(yamlfile, "load", lambda text: parsed.append(text.split("\n", 1)[0]) or original(text))
    yamlfile._load_data_file.cache_clear()  # a new process's memory
    event = sample_copy / "content/calendar/ra-quan-2020.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("lễ ra quân", "buổi ra quân"), encoding="utf-8")
    source = sample_copy / PARADE_VI
    source.write_text(source.read_text(encoding="utf-8").replace('title: "Diễu hành', 'title: "Cuộc diễu hành'),
                      encoding="utf-8")
    age(sample_copy)
    assert run_build(sample_copy, "build", "--quiet", capsys=capsys).code == 0
    firsts = {"config": "# Site-wide settings. UI strings are not here: they live in templates/i18n/<lang>.yaml.",
              "event": event.read_text(encoding="utf-8").split("\n", 1)[0],
              "article": source.read_text(encoding="utf-8").split("\n")[1]}  # the front matter's first line
    assert sorted(parsed) == sorted([firsts["config"], firsts["event"], firsts["article"]] + [
        (sample_copy / f"templates/i18n/{lang}.yaml").read_text(encoding="utf-8").split("\n", 1)[0]
        for lang in ("vi", "en")])


def test_the_input_check_reads_no_device_or_pipe_and_a_save_without_an_edit_changes_nothing(sample_copy, capsys):
    import threading

    from bantin import state

    media = sample_copy / "content" / "media"
    media.mkdir(exist_ok=True)
    os.mkfifo(media / "pipe")  # reading it would wait for a writer forever
    (media / "zero").symlink_to("/dev/zero")  # and this one never ends
    found = []
    check = threading.Thread(target=lambda: found.append(state.input_stamps(sample_copy)), daemon=True)
    check.start()
    check.join(timeout=30)
    assert found, "the input check is still reading"
    before = found[0]
    seed = sample_copy / SEED_VI
    seed.write_bytes(seed.read_bytes())  # saved again, unchanged: a new stamp, the same bytes
    again = state.input_stamps(sample_copy)
    assert (again.whole, again.others, again.articles) == (before.whole, before.others, before.articles)
    seed.write_bytes(seed.read_bytes() + b"\n")
    after = state.input_stamps(sample_copy)
    assert (after.whole != before.whole, after.others == before.others) == (True, True)
    assert [rel for rel in before.articles if after.articles[rel] != before.articles[rel]] == [SEED_VI]


@pytest.mark.parametrize("damage", ['{"version": "?", "files": {}}', '{"files": []}', "[1, 2]", "not json",
                                    None])
def test_a_damaged_input_index_is_only_a_slower_check(sample_copy, capsys, damage):
    from bantin import state

    index = sample_copy / ".bantin-cache" / state.INPUT_INDEX
    if damage is None:  # a version of this engine's, with entries of the wrong shape
        data = json.loads(index.read_text(encoding="utf-8"))
        index.write_text(json.dumps({**data, "files": {key: [1, 2] for key in data["files"]}}), encoding="utf-8")
    else:
        index.write_text(damage, encoding="utf-8")
    result = run_build(sample_copy, "build", capsys=capsys)
    assert result.out.startswith("up to date: ")
    assert json.loads(index.read_text(encoding="utf-8"))["version"] == state.CACHE_VERSION
