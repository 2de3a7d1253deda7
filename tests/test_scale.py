"""What keeps large archives fast must not change what readers get (issue 8).

The speed itself is measured by ``bench/`` (never by tests); these tests pin the output
of the paths that exist for speed: the page-number window, bodies converted on several
cores, and the work a rebuild skips.
"""

from __future__ import annotations

import multiprocessing
import re
import shutil

import pytest

from bantin import markdown_render, pipeline
from bantin.plan import page_window
from conftest import run_build

from test_incremental import tree


@pytest.mark.parametrize(
    ("number", "count", "expected"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, 4, 5]),
        (1, 10, [1, 2, 3, 10]),
        (4, 10, [1, 2, 3, 4, 5, 6, 10]),  # 1 and 2..6 touch: no gap
        (5, 10, [1, 2, 3, 4, 5, 6, 7, 10]),  # a gap of one page shows that page
        (6, 12, [1, 4, 5, 6, 7, 8, 12]),
        (10, 10, [1, 8, 9, 10]),
        (500, 1000, [1, 498, 499, 500, 501, 502, 1000]),
    ],
)
def test_page_window(number, count, expected):
    assert page_window(number, count) == expected


def article(number: int) -> str:
    return (
        f"---\ntitle: Bài số {number}\ndate: 2020-05-{1 + number % 28:02d}\n"
        f"authors: [Thanh Huyền]\ntags: [Lạng Sơn, Chủ đề {number % 7}]\n---\n\n"
        f"LSO- Đoạn mở đầu của bài {number}.\n\n## Mục {number}\n\n- một\n- hai\n\n"
        f"| Huyện | Số người |\n|---|---|\n| Cao Lộc | {number} |\n\nChú thích[^1].\n\n[^1]: Nguồn {number}.\n"
    )


@pytest.fixture
def large_site(site_factory):
    """90 articles: more than the parallel threshold, and 23 news pages at 4 per page."""
    files = {f"content/articles/bai-{n:03d}.vi.md": article(n) for n in range(90)}
    return site_factory(files)


def test_news_pages_link_a_window_of_page_numbers(large_site, capsys):
    assert run_build(large_site, "build", "--quiet", capsys=capsys).code == 0
    page = (large_site / "public/tin-tuc/trang/12/index.html").read_text(encoding="utf-8")
    nav = page[page.index('<nav class="pagination"'):]
    nav = nav[: nav.index("</nav>")]
    items = re.findall(r"<li>(.*?)</li>", nav)
    assert [re.sub(r"<[^>]+>", "", item) for item in items] == [
        "Trang trước", "1", "…", "10", "11", "12", "13", "14", "…", "23", "Trang sau"]
    assert '<a href="/tin-tuc/trang/12/" aria-current="page">12</a>' in nav
    assert '<a href="/tin-tuc/trang/23/" aria-label="Trang 23">23</a>' in nav


def test_bodies_converted_in_parallel_equal_a_serial_build(large_site, capsys, monkeypatch):
    calls = []
    real_pool = markdown_render.multiprocessing.get_context

    def spy(method):
        calls.append(method)
        return real_pool(method)

    monkeypatch.setattr(markdown_render.multiprocessing, "get_context", spy)
    assert run_build(large_site, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert calls == ["fork"]  # the pool really ran
    parallel = tree(large_site / "public")
    monkeypatch.setattr(markdown_render, "PARALLEL_THRESHOLD", 10_000)
    shutil.rmtree(large_site / "public")
    assert run_build(large_site, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert calls == ["fork"]
    assert tree(large_site / "public") == parallel


def test_a_clean_build_forks_its_markdown_workers_before_it_reads_the_sources(large_site, capsys, monkeypatch):
    """Forked later, each worker shares the sources and the first articles, and comes to hold
    its own copy of what the build writes over (190 MB a worker at 10,000 article pairs)."""
    events = []
    real_context, real_load = multiprocessing.get_context, pipeline.load_articles
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: events.append(method) or real_context(method))
    monkeypatch.setattr(pipeline, "load_articles", lambda *args, **kwargs: events.append("sources read")
                        or real_load(*args, **kwargs))
    assert run_build(large_site, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert events == ["fork", "sources read"]  # and no pool forked later for the bodies
    assert multiprocessing.active_children() == []
    parallel = tree(large_site / "public")
    assert run_build(large_site, "build", "--quiet", "--clean", "--jobs", "1", capsys=capsys).code == 0
    assert tree(large_site / "public") == parallel
    events.clear()
    (large_site / "templates/base.html").write_text(
        (large_site / "templates/base.html").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert run_build(large_site, "build", "--quiet", capsys=capsys).code == 0
    assert events == ["sources read"]  # every body in the cache: no worker


def test_bodies_sent_to_markdown_as_the_files_are_read_give_what_a_serial_build_gives(site_factory, capsys,
                                                                                       monkeypatch):
    """A clean build sends each body to Markdown's workers as its file is read (assemble.BodiesAhead),
    before the first pass that checks it: the messages (a body's mistakes, a duplicate slug, an
    article that goes live), the bodies two articles share and those of drafts must come out as
    a build on one core gives them."""
    from bantin import assemble

    files = {f"content/articles/bai-{n:03d}.vi.md": article(n) for n in range(80)}
    files["content/articles/trung-ten.vi.md"] = article(3)  # the slug of bai-003, and its very body
    files["content/articles/loi.vi.md"] = (
        "---\ntitle: Bài có lỗi\ndate: 2020-05-02\n---\n\nĐoạn đầu.\n\n{{< khong-co \"x\" >}}\n\n![](anh.jpg)\n")
    files["content/articles/nhap.vi.md"] = (
        "---\ntitle: Bài nháp\ndate: 2020-05-02\ndraft: true\n---\n\n{{< khong-co \"y\" >}}\n")
    files["content/articles/hen-gio.vi.md"] = "---\ntitle: Bài hẹn giờ\ndate: 2099-01-01\n---\n\nSau này.\n"
    site = site_factory(files)
    events = []
    real_send, real_load = assemble.BodiesAhead._send_batch, pipeline.load_articles

    def send(self):
        events.append("sent") if self._batch and not events.count("sent") else None
        real_send(self)

    monkeypatch.setattr(assemble.BodiesAhead, "_send_batch", send)
    monkeypatch.setattr(pipeline, "load_articles", lambda *args, **kwargs: (real_load(*args, **kwargs),
                                                                             events.append("sources read"))[0])
    ahead = run_build(site, "build", "--quiet", "--clean", capsys=capsys)
    assert events == ["sent", "sources read"]  # the first bodies went before the last file was read
    expected = [
        "content/articles/loi.vi.md:8:1: error: unknown shortcode 'khong-co' (known: event, stats)",
        "content/articles/loi.vi.md:10:1: error: image 'anh.jpg' has no alt text: describe it in ![…](anh.jpg)",
        "content/articles/loi.vi.md:10:1: error: image 'anh.jpg' not found (looked in content/articles/ and "
        "content/media/)",
        "content/articles/trung-ten.vi.md:2:1: error: duplicate slug 'bai-so-3' in 'vi' (also "
        "content/articles/bai-003.vi.md); set a different 'slug'",
    ]
    assert (ahead.code, ahead.err.splitlines()[:-1]) == (1, expected)
    serial = run_build(site, "build", "--quiet", "--clean", "--jobs", "1", capsys=capsys)
    assert (serial.code, serial.err) == (1, ahead.err)
    assert not (site / "public").exists()  # (nothing written by either)

    for name in ("trung-ten", "loi"):
        (site / f"content/articles/{name}.vi.md").unlink()
    events.clear()
    assert run_build(site, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert events == ["sent", "sources read"]
    parallel = tree(site / "public")
    shutil.rmtree(site / "public")
    assert run_build(site, "build", "--quiet", "--clean", "--jobs", "1", capsys=capsys).code == 0
    assert tree(site / "public") == parallel


_TWO_AT_ONCE = None  # a barrier the forked workers share (set before they are forked)


def _meet(_):
    """Returns once two workers are in here at the same time (or fails after a while)."""
    import os

    _TWO_AT_ONCE.wait(timeout=20)
    return os.getpid()


def _pid(_):
    import os

    return os.getpid()


def test_one_markdown_worker_converts_while_the_files_are_read_then_every_one(monkeypatch):
    """One busy process per core: while the build's own process reads the files, one worker
    converts; the others start when ``all_in`` says the reading is over."""
    global _TWO_AT_ONCE
    _TWO_AT_ONCE = multiprocessing.get_context("fork").Barrier(2)
    workers = markdown_render.MarkdownWorkers(2)
    try:
        assert len(set(workers.pool.map(_pid, range(40), chunksize=1))) == 1
        workers.all_in()
        assert len(set(workers.pool.map(_meet, range(2), chunksize=1))) == 2
    finally:
        workers.close()
        _TWO_AT_ONCE = None
