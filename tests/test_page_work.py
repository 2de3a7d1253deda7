"""Pages rendered in worker processes (page_work.py): the files and messages of a build in one process.

The test sites are small, so each test here lowers the threshold and asks for two processes (the
build's own and one forked worker); a spy records which processes rendered pages, so a test
cannot pass by staying in one process.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from bantin import page_work
from conftest import run_build
from test_assembled import bodies_pruned_by_another_build
from test_incremental import tree
from test_warm import PARADE_VI, edit

SEED_VI = "content/articles/2020-05-23-ra-quan-bhxh-toan-dan.vi.md"


class Workers:
    """Every build renders its pages on several processes, however few pages (this one and a
    forked worker with ``-j 2``); ``renderers()`` names the processes that rendered pages (a file
    per process id, written by the forked children themselves)."""

    def __init__(self, monkeypatch, folder: Path):
        monkeypatch.setattr(page_work, "PARALLEL_THRESHOLD", 1)
        monkeypatch.setattr(page_work, "CHUNK", 1)  # a few pages are enough to keep both busy
        folder.mkdir()
        self.folder = folder
        original = page_work.PageWork.do

        def do(work, page):
            (folder / str(os.getpid())).touch()
            return original(work, page)

        monkeypatch.setattr(page_work.PageWork, "do", do)

    def renderers(self) -> set[int]:
        return {int(path.name) for path in self.folder.iterdir()}

    def shared(self) -> bool:
        """This process and one worker rendered pages."""
        renderers = self.renderers()
        return os.getpid() in renderers and len(renderers) == 2


def build(root: Path, capsys, *args: str):
    return run_build(root, "build", "--quiet", "--jobs", "2", *args, capsys=capsys)


def test_pages_rendered_on_two_cores_are_the_files_of_a_build_in_one_process(site_factory, capsys, monkeypatch,
                                                                              tmp_path):
    root = site_factory({}, with_sample_articles=True)
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "one")).code == 0
    workers = Workers(monkeypatch, tmp_path / "pids")
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "two")).code == 0
    assert workers.shared()
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    # In place: the workers stage the pages whose bytes changed, the build moves them into the output.
    edit(root / "templates/article.html", "{% block main %}", "{% block main %}<!-- sửa -->")
    assert build(root, capsys, "--out", str(tmp_path / "two")).code == 0
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "one")).code == 0
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert "<!-- sửa -->" in (tmp_path / "two/tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh"
                                         "-thanh-pho-lang-son/index.html").read_text(encoding="utf-8")


def test_a_rebuild_without_its_output_folder_renders_the_articles_kept_in_the_cache_in_the_workers(
        site_factory, capsys, monkeypatch, tmp_path):
    # CI with the cache restored and no output: every page is rendered, each article page from a
    # kept article whose body a worker reads from the cache's SQLite file (opened afresh in each
    # forked process, cache.py).
    root = site_factory({}, with_sample_articles=True)
    assert build(root, capsys).code == 0
    shutil.rmtree(root / "public")
    workers = Workers(monkeypatch, tmp_path / "pids")
    assert build(root, capsys).code == 0
    assert workers.shared()
    monkeypatch.setattr(page_work, "PARALLEL_THRESHOLD", 10**9)
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "clean")).code == 0
    assert tree(root / "public") == tree(tmp_path / "clean")


@pytest.mark.parametrize("mistake", ["template", "links"])
def test_messages_from_the_workers_are_those_of_a_build_in_one_process(site_factory, capsys, monkeypatch,
                                                                       tmp_path, mistake):
    root = site_factory({}, with_sample_articles=True)
    if mistake == "template":  # one report per mistake, however many pages show it
        edit(root / "templates/article.html", "{% block main %}", "{% block main %}{{ page.no_such_field }}")
    else:  # one report per source and link
        for rel in (PARADE_VI, SEED_VI):
            text = (root / rel).read_text(encoding="utf-8")
            (root / rel).write_text(text + "\n[Xem thêm](/khong-co-trang/) và [lịch](/lich/khong-co/)\n",
                                    encoding="utf-8")
    one = build(root, capsys, "--out", str(tmp_path / "out"))
    workers = Workers(monkeypatch, tmp_path / "pids")
    two = build(root, capsys, "--out", str(tmp_path / "out"))
    assert workers.shared()
    assert one.code == two.code == 1
    assert two.err == one.err
    expected = {
        "template": ["templates/article.html:21:1: error: template error: "
                     "'bantin.plan.PageOutput object' has no attribute 'no_such_field'"],
        "links": [f"{rel}:{line}:{column}: error: broken link '{url}' on {page}: nothing is built at {url}"
                  for rel, line, page in (
                      (SEED_VI, 45, "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"),
                      (PARADE_VI, 22, "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh"
                                      "-thanh-pho-lang-son/"))
                  for url, column in (("/khong-co-trang/", 12), ("/lich/khong-co/", 40))],
    }[mistake]
    assert [line for line in two.err.splitlines() if ": error: " in line] == expected
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_body_gone_from_the_cache_in_a_worker_stops_the_build_and_writes_nothing(site_factory, capsys,
                                                                                     monkeypatch, tmp_path):
    root = site_factory({}, with_sample_articles=True)
    assert build(root, capsys).code == 0
    before = tree(root / "public")
    bodies_pruned_by_another_build(monkeypatch)  # in the worker that reads a body
    workers = Workers(monkeypatch, tmp_path / "pids")
    shutil.move(root / "public", tmp_path / "kept")  # CI: the cache restored, no output
    result = build(root, capsys)
    assert workers.renderers() - {os.getpid()}
    assert result.code == 1
    assert result.err.splitlines()[0] == (".bantin-cache:1:1: error: the build cache changed while this build ran"
                                          " (another build of this site?); build again")
    assert not (root / "public").exists()
    assert tree(tmp_path / "kept") == before


def test_one_job_renders_every_page_in_the_build_s_own_process(site_factory, capsys, monkeypatch, tmp_path):
    # --jobs 1: the least memory (workers share the build's memory only until they touch it).
    root = site_factory({}, with_sample_articles=True)
    workers = Workers(monkeypatch, tmp_path / "pids")
    assert build(root, capsys, "--jobs", "1", "--out", str(tmp_path / "one")).code == 0
    assert workers.renderers() == {os.getpid()}
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "two")).code == 0
    assert workers.shared()
    assert tree(tmp_path / "two") == tree(tmp_path / "one")


class Work:
    """Stands in for ``PageWork``: a page is a number, done as (number, process id); the worker
    process ``fails`` (raises or dies) on its first page, this one waits until it has."""

    def __init__(self, folder: Path, fails: str = ""):
        self.parent, self.folder, self.fails = os.getpid(), folder, fails

    def do(self, page: int) -> tuple[int, int]:
        if os.getpid() == self.parent:
            if self.fails:
                for _ in range(1000):
                    if (self.folder / "failed").exists():
                        break
                    time.sleep(0.01)
            time.sleep(0.001)  # (a worker takes a few milliseconds to start)
            return page, os.getpid()
        if self.fails:
            (self.folder / "failed").touch()
            if self.fails == "raises":
                raise OSError(28, "No space left on device")
            os._exit(1)
        time.sleep(0.001)
        return page, os.getpid()


def test_pages_done_by_this_process_and_a_worker_come_back_in_order(monkeypatch, tmp_path):
    monkeypatch.setattr(page_work, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(page_work, "CHUNK", 3)
    done = list(page_work.do_pages(Work(tmp_path), list(range(200)), processes=2))
    assert [page for page, _ in done] == list(range(200))
    assert os.getpid() in {pid for _, pid in done} and len({pid for _, pid in done}) == 2


@pytest.mark.parametrize("fails, expected", [
    ("raises", r"\[Errno 28\] No space left on device"),
    ("dies", "a page worker stopped before it sent the pages it rendered"),
])
def test_a_worker_that_fails_stops_the_build_with_its_error(monkeypatch, tmp_path, fails, expected):
    monkeypatch.setattr(page_work, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(page_work, "CHUNK", 1)
    with pytest.raises(OSError if fails == "raises" else RuntimeError, match=f"^{expected}$"):
        list(page_work.do_pages(Work(tmp_path, fails), list(range(50)), processes=2))


def test_the_fingerprints_of_a_clean_build_on_two_cores_let_the_next_build_reuse_its_pages(
        site_factory, capsys, monkeypatch, tmp_path):
    """The record a clean build leaves, its pages rendered in two processes, lets the next build
    reuse exactly the pages an edit does not touch. A clean build takes each page's fingerprint in
    its own process as the page comes back, while the worker renders (with nothing to compare, the
    fingerprints first were a second on one core at 10,000 pairs). (Making each fingerprint beside
    its page, in the workers, was tried: 2-3 CPU s more at 10,000 pairs, each process hashing the
    values pages share, and kept out; bench/RESULTS.md, thirteenth run.)"""
    from bantin.cache import BuildCache
    from bantin.render import Renderer

    root = site_factory({}, with_sample_articles=True)
    out = tmp_path / "out"
    workers = Workers(monkeypatch, tmp_path / "pids")
    events: list[str] = []
    real_fingerprints, real_do = Renderer.fingerprints, page_work.PageWork.do
    monkeypatch.setattr(Renderer, "fingerprints", lambda renderer, plan, site: (
        lambda of: lambda page: events.append("fingerprint") or of(page))(real_fingerprints(renderer, plan, site)))
    monkeypatch.setattr(page_work.PageWork, "do", lambda work, page: events.append("rendered") or real_do(work, page))
    assert build(root, capsys, "--clean", "--out", str(out)).code == 0
    assert workers.shared()
    assert events[0] == "rendered" and events.count("fingerprint") > 40  # (this process's own pages)
    events.clear()
    assert build(root, capsys, "--out", str(tmp_path / "out-2")).code == 0  # a new folder: the same
    assert events[0] == "rendered"
    monkeypatch.setattr(Renderer, "fingerprints", real_fingerprints)
    record_file = BuildCache.record_file(root, out)
    made_beside = json.loads(record_file.read_text(encoding="utf-8"))["outputs"]
    assert len(made_beside) > 40 and None not in made_beside.values()
    rendered = tmp_path / "rendered"  # by any process: a file each
    rendered.mkdir()
    original = page_work.PageWork.do
    monkeypatch.setattr(page_work.PageWork, "do", lambda work, page: (rendered / page.path.replace("/", "|")).touch()
                        or original(work, page))
    edit(root / "templates/article.html", "{% block main %}", "{% block main %}<!-- sửa -->")
    assert build(root, capsys, "--out", str(out)).code == 0  # fingerprints made in this process, compared
    made_here = json.loads(record_file.read_text(encoding="utf-8"))["outputs"]
    assert made_here.keys() == made_beside.keys()
    changed = {path for path in made_here if made_here[path] != made_beside[path]}
    assert sorted(path.name.replace("|", "/") for path in rendered.iterdir()) == sorted(changed)
    assert len(changed) == 12 and all(path.startswith(("tin-tuc/", "en/news/")) for path in changed)  # the articles'
    assert "tin-tuc/thang-5-la-thang-van-dong-trien-khai-bhxh-toan-dan/index.html" in changed
    shutil.rmtree(tmp_path / "pids")
    (tmp_path / "pids").mkdir()
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "again")).code == 0
    assert workers.shared()
    assert json.loads(BuildCache.record_file(root, tmp_path / "again").read_text(encoding="utf-8"))["outputs"] \
        == made_here


class SentToWorkers:
    """Every build of the command line's kind sends its articles' pages to a worker not forked from
    it (``do_pages(send=True)``, as ``build.py`` run as a process does), however few pages; a spy
    counts the pages this process rendered itself (the worker, a fresh process, has no spy)."""

    def __init__(self, monkeypatch):
        from bantin import pipeline

        monkeypatch.setattr(page_work, "PARALLEL_THRESHOLD", 1)
        monkeypatch.setattr(page_work, "CHUNK", 1)
        real_do_pages = pipeline.do_pages
        monkeypatch.setattr(pipeline, "do_pages", lambda work, pages, processes, send: real_do_pages(
            work, pages, processes, send=True))
        self.here: list[str] = []
        original = page_work.PageWork.do

        def do(work, page):
            self.here.append(page.path)
            return original(work, page)

        monkeypatch.setattr(page_work.PageWork, "do", do)

    def articles_sent(self, out: Path) -> int:
        """How many article pages in ``out`` this process did not render."""
        articles = {str(path.relative_to(out)) for folder in ("tin-tuc", "en/news")
                    for path in (out / folder).glob("*/index.html")}
        return len(articles - set(self.here))


def test_articles_pages_sent_to_a_worker_are_the_files_of_a_build_in_one_process(site_factory, capsys, monkeypatch,
                                                                                 tmp_path):
    # The worker makes its own renderer from what it is sent: the menu's answers (not the sections),
    # the sections the article template reads, each page's data, the kept bodies' place in the cache.
    root = site_factory({}, with_sample_articles=True)
    assert build(root, capsys, "--clean", "--jobs", "1", "--out", str(tmp_path / "one")).code == 0
    workers = SentToWorkers(monkeypatch)
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "two")).code == 0
    assert workers.articles_sent(tmp_path / "two") > 0 and workers.here  # (the lists stay here)
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    # In place, from the kept articles (their bodies read from the cache's file by the worker).
    edit(root / "templates/article.html", "{% block main %}", "{% block main %}<!-- sửa -->")
    workers.here.clear()
    assert build(root, capsys, "--out", str(tmp_path / "two")).code == 0
    assert workers.articles_sent(tmp_path / "two") > 0
    assert build(root, capsys, "--clean", "--jobs", "1", "--out", str(tmp_path / "one")).code == 0
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert "<!-- sửa -->" in (tmp_path / "two/tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh"
                                         "-thanh-pho-lang-son/index.html").read_text(encoding="utf-8")


def test_an_article_template_that_reads_the_site_has_its_pages_rendered_by_a_forked_worker(
        site_factory, capsys, monkeypatch, tmp_path):
    # The site is most of the build's memory: sent, it would cost more than a forked worker copies.
    root = site_factory({}, with_sample_articles=True)
    edit(root / "templates/article.html", "{% block main %}",
         "{% block main %}<!-- {{ site.languages | length }} ngôn ngữ -->")
    assert build(root, capsys, "--clean", "--jobs", "1", "--out", str(tmp_path / "one")).code == 0
    SentToWorkers(monkeypatch)
    forked = Workers(monkeypatch, tmp_path / "pids")  # (a worker sent pages has no spy: it is not forked)
    assert build(root, capsys, "--clean", "--out", str(tmp_path / "two")).code == 0
    assert forked.shared()
    assert tree(tmp_path / "two") == tree(tmp_path / "one")
    assert "<!-- 2 ngôn ngữ -->" in (tmp_path / "two/tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong"
                                                "-chinh-thanh-pho-lang-son/index.html").read_text(encoding="utf-8")


def test_a_page_worker_sent_pages_that_fails_stops_the_build_with_its_error(site_factory, capsys, monkeypatch,
                                                                             tmp_path):
    # The worker stages its pages beside the output: a staging folder it cannot write to.
    root = site_factory({}, with_sample_articles=True)
    SentToWorkers(monkeypatch)
    from bantin.writer import OutputFolder

    original = OutputFolder.__reduce_ex__

    def unwritable(folder, protocol):  # what the worker is sent: a staging folder that cannot be made
        made, args, state, *rest = original(folder, protocol)
        return made, args, {**state, "_staging": str(tmp_path / "a-file/staging")}, *rest

    (tmp_path / "a-file").write_text("", encoding="utf-8")
    monkeypatch.setattr(OutputFolder, "__reduce_ex__", unwritable)
    with pytest.raises(NotADirectoryError, match=r"a-file/staging"):  # (the worker's, not this process's)
        build(root, capsys, "--clean", "--out", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()
