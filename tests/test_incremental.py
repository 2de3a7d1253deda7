"""Incremental builds: reuse what did not change, and leave exactly the tree a clean build leaves."""

from __future__ import annotations

import json
import pickle
import shutil
import sqlite3
from pathlib import Path

from bantin import cache
from conftest import run_build

EN_SEED = "content/articles/2020-05-23-ra-quan-bhxh-toan-dan.en.md"


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rendered_templates(monkeypatch) -> list[str]:
    """The template of every page rendered from now on, in order."""
    from bantin import render

    rendered: list[str] = []
    original = render.Renderer.render_page

    def counting(self, page, site, plan):
        rendered.append(page.template)
        return original(self, page, site, plan)

    monkeypatch.setattr(render.Renderer, "render_page", counting)
    return rendered


def build_both_ways(root, capsys):
    """An incremental build into public/ and a clean one elsewhere; both trees."""
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    clean_out = root.parent / "clean-public"
    shutil.rmtree(clean_out, ignore_errors=True)
    assert run_build(root, "build", "--quiet", "--clean", "--out", str(clean_out), capsys=capsys).code == 0
    return tree(root / "public"), tree(clean_out)


def test_a_sequence_of_edits_gives_the_clean_build_tree_every_time(site_factory, capsys):
    root = site_factory({}, with_sample_articles=True)
    steps = [
        ("first build", lambda: None),
        ("edit an article body", lambda: _edit(root / "content/articles/2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.vi.md",
                                               "diễu hành", "diễu hành (đã sửa)")),
        ("add a translation", lambda: (root / "content/articles/2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.en.md")
            .write_text("---\ntitle: The awareness parade\ndate: 2020-05-25\nauthors: [Editorial team]\n---\n\nA parade.\n",
                        encoding="utf-8")),
        ("delete an article", lambda: (root / EN_SEED).unlink()),
        ("change a template", lambda: _edit(root / "templates/partials/article_card.html",
                                            '<p class="summary">', '<p class="summary card-summary">')),
        ("change a UI string", lambda: _edit(root / "templates/i18n/en.yaml", "Latest news", "Newest stories")),
        ("change a setting", lambda: _edit(root / "site_config.yaml", "per_page: 4", "per_page: 3")),
    ]
    for name, change in steps:
        change()
        incremental, clean = build_both_ways(root, capsys)
        assert sorted(incremental) == sorted(clean), name
        assert [path for path in clean if incremental[path] != clean[path]] == [], name


def test_an_unchanged_rebuild_renders_nothing_and_one_edit_renders_only_its_pages(site_factory, capsys, monkeypatch):
    root = site_factory({}, with_sample_articles=True)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    rendered = rendered_templates(monkeypatch)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert rendered == []

    # A body edit of a Vietnamese-only article: its page, the lists, tags, author and feed it is on.
    _edit(root / "content/articles/2020-05-25-dieu-hanh-tuyen-truyen-luu-dong.vi.md", "diễu hành", "diễu hành (sửa)")
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert sorted(rendered) == sorted([
        "article.html",  # the article itself
        "news.html",  # the list page it is on
        "term.html", "term.html", "term.html",  # its three tags
        "term.html",  # its author
        "atom.xml",  # the Vietnamese feed
    ])  # not the sitemap: it shows addresses and dates (SitemapEntry), which did not change

    rendered.clear()
    _edit(root / "templates/404.html", "<h1>", '<h1 class="not-found">')
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert rendered == ["404.html", "404.html"]


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_cache_table_keeps_only_the_rows_the_last_build_used(tmp_path, monkeypatch):
    # The first prune of a process lists the table's keys; later ones (the preview's saves) delete
    # only the keys used last time and not now (cache._PRUNED). Either way the rows this build did
    # not use are gone; a row another process added meanwhile waits for the next full prune.
    monkeypatch.setattr(cache, "_PRUNED", {})
    database = tmp_path / "cache.sqlite"

    def build(used: dict[str, str], reused: tuple[str, ...] = ()) -> dict[str, str]:
        table = cache.KeyValueTable(database, "bodies")
        table.get_many(reused)
        for key, value in used.items():
            table.put(key, value)
        table.keep_only_used()
        table._database.connection.close()
        with sqlite3.connect(database) as db:
            return dict(db.execute("SELECT key, value FROM bodies").fetchall())

    assert build({"a": "A", "b": "B"}) == {"a": "A", "b": "B"}
    assert build({"c": "C"}, reused=("a",)) == {"a": "A", "c": "C"}  # b: used last time, not now
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO bodies VALUES ('x', 'X')")  # another process's build
    assert build({}, reused=("a", "c")) == {"a": "A", "c": "C", "x": "X"}
    assert build({}, reused=("c",)) == {"c": "C", "x": "X"}
    monkeypatch.setattr(cache, "_PRUNED", {})  # a new process
    assert build({}, reused=("c",)) == {"c": "C"}


def test_a_cache_table_told_to_write_its_new_rows_as_they_come(tmp_path, monkeypatch):
    # A build that writes its output writes the front matters it checked every 1,000 (pipeline.py):
    # held until every file was read, they were 24 MB of a clean build's memory at 10,000 pairs.
    monkeypatch.setattr(cache, "_PRUNED", {})
    database = tmp_path / "cache.sqlite"
    table = cache.KeyValueTable(database, "front_matter")
    table.written_every = 2

    def rows() -> dict[str, str]:
        with sqlite3.connect(database) as db:
            return dict(db.execute("SELECT key, value FROM front_matter").fetchall())

    table.put("a", "A")
    assert table.memory == {"a": "A"}
    table.put("b", "B")
    assert table.memory == {} and rows() == {"a": "A", "b": "B"}
    table.put("c", "C")
    assert table.get_many(["a", "c"]) == {"a": "A", "c": "C"}  # (from the file and from memory)
    table.keep_only_used()
    assert rows() == {"a": "A", "b": "B", "c": "C"}  # every row this build put is a row it used
    table._database.connection.close()


def test_the_output_listing_is_os_walk_s_files(tmp_path):
    # writer._files lists the output folder (what a build may keep or must delete) by the kinds
    # the folder listing gives, without os.walk's lstat per folder, and must list what it lists.
    import os

    from bantin.writer import _files

    (tmp_path / "out/a/b").mkdir(parents=True)
    (tmp_path / "out/a/b/index.html").write_text("x")
    (tmp_path / "out/top.txt").write_text("x")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/inside.html").write_text("x")
    os.symlink(tmp_path / "elsewhere", tmp_path / "out/linked-folder")  # not followed, not listed
    os.symlink(tmp_path / "out/top.txt", tmp_path / "out/a/linked-file.txt")  # a file
    os.symlink(tmp_path / "gone", tmp_path / "out/broken-link")  # a file too
    walked = set()
    for directory, _, names in os.walk(tmp_path / "out"):
        walked |= {(Path(directory) / name).relative_to(tmp_path / "out").as_posix() for name in names}
    assert _files(tmp_path / "out") == walked == {
        "a/b/index.html", "top.txt", "a/linked-file.txt", "broken-link"}


def test_the_output_listing_keeps_the_strings_the_build_holds_for_its_paths(tmp_path):
    # The last build's record names every file of the output folder: the listing of that folder
    # reuses those strings instead of holding a second copy of each (64,000 at 10,000 pairs: 8 MB).
    from bantin.writer import OutputFolder

    (tmp_path / "out/tin-tuc/a").mkdir(parents=True)
    (tmp_path / "out/tin-tuc/a/index.html").write_text("x")
    (tmp_path / "out/new.html").write_text("x")
    held = ["".join(["tin-tuc/a/", "index.html"]), "".join(["gone", ".html"])]  # (strings made at run time)
    output = OutputFolder(tmp_path / "out", in_place=True, names=held)
    assert output.present == {"tin-tuc/a/index.html", "new.html"}
    assert next(path for path in output.present if path == held[0]) is held[0]
    # A page worker gets the folder without those lists (page_work.py pickles it), and stages pages.
    assert output.write("tin-tuc/b/index.html", b"b") and output.staged == {"tin-tuc/b/index.html"}
    pickled = pickle.dumps(output)
    assert [path for path in (*held, "new.html", "tin-tuc/b/index.html") if path.encode() in pickled] == []
    sent = pickle.loads(pickled)
    assert sent.write("tin-tuc/c/index.html", b"c") and sent.staged == {"tin-tuc/c/index.html"}
    assert (output.staging / "tin-tuc/c/index.html").read_bytes() == b"c"
    output.discard()


def test_without_its_output_folder_the_output_s_record_is_not_read(site_factory, capsys):
    # In CI with the cache alone the record describes no folder there: 16 MB of JSON at 10,000
    # pairs, read and held through the build for nothing. The build is the clean build all the same.
    root = site_factory({}, with_sample_articles=True)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    built = tree(root / "public")
    record = cache.BuildCache.load(root, False, root / "public")
    assert record.describes(root / "public") and len(record.outputs) > 10 and record.written
    shutil.rmtree(root / "public")
    without = cache.BuildCache.load(root, False, root / "public")
    assert (without.outputs, without.written, without.copies, without.output_folder) == ({}, [], {}, "")
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert tree(root / "public") == built


def test_an_event_or_figure_edit_renders_the_pages_that_show_it_not_every_page(site_factory, capsys, monkeypatch):
    # Every page's menu links the calendar and the stats dashboard, through ``nav``, which covers
    # only those links; an article's events are its page's data (calendar.article_page_data); event
    # and month pages link the calendar through ``calendar_links``, which has no events.
    root = site_factory({}, with_sample_articles=True)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    rendered = rendered_templates(monkeypatch)
    _edit(root / "content/calendar/dieu-hanh-tuyen-truyen-2020.yaml", "tuyên truyền lưu động tại", "cổ động tại")
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    # The event's page (it is in Vietnamese only), its month, the calendar and its category's list, the
    # launch report (vi, en) which the event names, the home pages (their calendar block): 8 pages (36
    # when event and month pages read `calendar`).
    assert sorted(rendered) == ["article.html"] * 2 + ["calendar/event.html"] + ["calendar/index.html"] * 2 + [
        "calendar/month.html"] + ["home.html"] * 2

    rendered.clear()
    _edit(root / "content/stats/lang-son-2020-05.yaml", "61649", "61650")
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    # The dashboards, and the launch report whose body shows the figures (its page, the feed, the home page).
    assert sorted(rendered) == sorted(["stats/dashboard.html"] * 2 + ["article.html", "atom.xml", "home.html"] * 2)
    incremental, clean = build_both_ways(root, capsys)
    assert incremental == clean


def test_the_cache_s_json_is_written_in_pieces_with_the_text_json_dumps_gives(tmp_path, monkeypatch):
    # A record of 10,000 pairs is 16 MB of JSON: it is written a piece at a time (cache.json_pieces),
    # and reads back as what json.dumps would have written, byte for byte.
    monkeypatch.setattr(cache, "JSON_PIECE", 3)
    record = {"version": "v", "outputs": {f"trang-{n}/index.html": f"băm {n}" for n in range(8)},
              "written": [f"tệp-{n}" for n in range(7)], "sections": {"search": {"a": 1}}, "nested": {"x": [1, 2, 3, 4]},
              "empty": {}, "few": [1, 2, 3]}
    pieces = list(cache.json_pieces(record))
    assert "".join(pieces) == json.dumps(record, ensure_ascii=False)
    # One piece a key at the top (it holds a long mapping), three items at a time below: no piece of it all.
    assert pieces[:9] == ["{", '"version": ', '"v"', ', "outputs": ', "{",
                          '"trang-0/index.html": "băm 0", "trang-1/index.html": "băm 1", "trang-2/index.html": "băm 2"',
                          ', "trang-3/index.html": "băm 3", "trang-4/index.html": "băm 4", "trang-5/index.html": "băm 5"',
                          ', "trang-6/index.html": "băm 6", "trang-7/index.html": "băm 7"', "}"]
    cache.write_json(tmp_path / "record.json", record)
    assert (tmp_path / "record.json").read_text(encoding="utf-8") == json.dumps(record, ensure_ascii=False)
    assert [path.name for path in tmp_path.iterdir()] == ["record.json"]  # (nothing left aside)
