"""``build.py serve``: a real server process, real edits, real reloads, hostile requests."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO, make_site

ARTICLE = "content/articles/a.vi.md"
SOURCE = "---\ntitle: Bài thử\ndate: 2020-05-23\n---\n\nNội dung đầu tiên.\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Preview:
    def __init__(self, root: Path, port: int, proc: subprocess.Popen):
        self.root, self.port, self.proc = root, port, proc

    def get(self, path: str, host: str | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        # skip_host lets a test send a foreign Host header; paths are sent exactly as given.
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host or f"127.0.0.1:{self.port}")
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def wait_for(self, path: str, needle: bytes, present: bool = True, timeout: float = 15) -> bytes:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                body = self.get(path)[2]
                if (needle in body) == present:
                    return body
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} {'never appeared' if present else 'never went away'} on {path}")

    def stop(self) -> str:
        """Stop the server; what it printed."""
        if self.proc.returncode is None:
            self.proc.terminate()
            self.output = self.proc.communicate(timeout=10)[0]
        return self.output

    def edit(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.write_text(text, encoding="utf-8")
        # The watcher compares modification times; make each save visibly newer.
        stamp = time.time() + 1
        os.utime(path, (stamp, stamp))


@pytest.fixture
def preview(tmp_path):
    root = make_site(tmp_path, {
        ARTICLE: SOURCE + '\n![Minh hoạ](h.svg "Chú thích")\n',
        "content/articles/h.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
        "content/articles/a.en.md": SOURCE.replace("Bài thử", "Trial"),
        "content/calendar/le.yaml": "title: {vi: Lễ, en: Ceremony}\nstart: 2020-05-23\n",
    })
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(root), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    server = Preview(root, port, proc)
    try:
        server.wait_for("/", b"</html>")
        yield server
    finally:
        print(server.stop())  # shown by pytest when a test fails


def test_serves_the_built_site_with_livereload_and_binds_loopback(preview):
    status, headers, body = preview.get("/tin-tuc/bai-thu/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "Nội dung đầu tiên." in body.decode()
    assert b"/livereload.js?port=" in body
    assert f'href="http://127.0.0.1:{preview.port}/tin-tuc/bai-thu/"'.encode() in body  # canonical is local
    assert listening_addresses(preview.port) == {"127.0.0.1"}


def listening_addresses(port: int) -> set[str]:
    """Addresses a TCP port listens on, read from the kernel's table (state 0A is LISTEN)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    found.add(address)
    return found


def test_content_types(preview):
    assert preview.get("/atom.xml")[1]["content-type"] == "application/atom+xml"
    assert preview.get("/lich/lich.ics")[1]["content-type"] == "text/calendar; charset=utf-8"
    assert preview.get("/tin-tuc/bai-thu/h.svg")[1]["content-type"] == "image/svg+xml"
    assert preview.get("/sitemap.xml")[1]["content-type"] == "application/xml"
    assert preview.get("/robots.txt")[1]["content-type"] == "text/plain; charset=utf-8"
    css = [p for p in (preview.root / ".preview/assets").iterdir()][0].name
    assert preview.get(f"/assets/{css}")[1]["content-type"] == "text/css; charset=utf-8"


def test_foreign_host_is_refused(preview):
    status, _, body = preview.get("/", host="evil.example")
    assert (status, body) == (403, b"bantin serves local requests only\n")
    assert preview.get("/", host=f"localhost:{preview.port}")[0] == 200


@pytest.mark.parametrize("path", ["/../site_config.yaml", "/%2e%2e/site_config.yaml", "/%2E%2E/%2e%2e/etc/passwd",
                                  "/..%2fsite_config.yaml", "/leak"])
def test_nothing_outside_the_output_folder_is_served(preview, path):
    (preview.root / ".preview/leak").symlink_to(preview.root / "site_config.yaml")
    status, _, body = preview.get(path)
    assert status == 404
    assert b"base_url" not in body and b"root:" not in body


def test_missing_pages_get_the_localized_404(preview):
    status, _, body = preview.get("/khong-co/")
    assert status == 404 and "<h1>Không tìm thấy trang</h1>" in body.decode()
    status, _, body = preview.get("/en/missing/")
    assert status == 404 and b"<h1>Page not found</h1>" in body


def test_an_edit_is_rebuilt_and_a_mistake_shows_an_overlay_until_fixed(preview):
    preview.edit(ARTICLE, SOURCE.replace("Nội dung đầu tiên.", "Nội dung đã sửa."))
    preview.wait_for("/tin-tuc/bai-thu/", "Nội dung đã sửa.".encode())

    preview.edit(ARTICLE, SOURCE.replace("date: 2020-05-23", "date: 2020-02-30"))
    body = preview.wait_for("/tin-tuc/bai-thu/", b"bantin-error-overlay").decode()
    assert ("content/articles/a.vi.md:3:7: error: invalid date &#x27;2020-02-30&#x27; for &#x27;date&#x27;: "
            "day is out of range for month") in body
    assert "Nội dung đã sửa." in body  # the last good build is still served

    preview.edit(ARTICLE, SOURCE.replace("Nội dung đầu tiên.", "Đã sửa xong."))
    body = preview.wait_for("/tin-tuc/bai-thu/", b"bantin-error-overlay", present=False)
    assert "Đã sửa xong." in body.decode()


def test_a_server_stopped_by_sigterm_writes_the_output_record_for_the_next_build(preview):
    from bantin.cache import BuildCache

    record_file = BuildCache.record_file(preview.root, preview.root / ".preview")
    preview.edit(ARTICLE, SOURCE.replace("Nội dung đầu tiên.", "Nội dung đã sửa."))
    preview.wait_for("/tin-tuc/bai-thu/", "Nội dung đã sửa.".encode())
    assert not record_file.exists()  # kept in the server's memory while the folder changes
    preview.stop()  # SIGTERM
    assert preview.proc.returncode == 0
    record = json.loads(record_file.read_text(encoding="utf-8"))
    assert record["output_folder"] == str((preview.root / ".preview").resolve())
    assert "tin-tuc/bai-thu/index.html" in record["outputs"]
    assert "assets/style.css" in record["copies"]


@pytest.mark.browser
def test_the_browser_reloads_on_save(preview, browser):
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{preview.port}/en/news/trial/")
        page.wait_for_function("() => window.LiveReload !== undefined", timeout=10000)
        assert page.locator("h1").inner_text() == "Trial"
        preview.edit("templates/i18n/en.yaml",
                     (preview.root / "templates/i18n/en.yaml").read_text().replace("Published", "First published"))
        page.wait_for_function("() => document.body.innerText.includes('First published')", timeout=15000)
    finally:
        page.close()


def test_each_save_rebuilds_once_and_new_and_deleted_files_count_but_editors_scratch_files_do_not(preview):
    # The watcher hears of changes from the operating system: reading the sources (every
    # build does) is not a change, and an editor's swap or backup file is not content.
    (preview.root / "content/articles/.a.vi.md.swp").write_bytes(b"b0VIM 9.0")
    (preview.root / "content/articles/a.vi.md~").write_text(SOURCE, encoding="utf-8")
    time.sleep(0.5)  # a rebuild for those would come now
    preview.edit("content/articles/b.vi.md", SOURCE.replace("Bài thử", "Bài mới"))
    preview.wait_for("/tin-tuc/bai-moi/", "Bài mới".encode())
    (preview.root / "content/articles/b.vi.md").unlink()
    preview.wait_for("/tin-tuc/bai-moi/", "Bài mới".encode(), present=False)
    time.sleep(1)  # time for any further rebuild to show
    output = preview.stop()
    assert output.count("rebuilt in") == 3, output  # the first build, the new article, its deletion


def test_calendar_yaml_and_settings_edits_are_rebuilt(preview):
    preview.wait_for("/lich/le/", "<h1>Lễ</h1>".encode())
    preview.edit("content/calendar/le.yaml", "title: {vi: Lễ ra quân, en: Ceremony}\nstart: 2020-05-23\n")
    preview.wait_for("/lich/le/", "<h1>Lễ ra quân</h1>".encode())
    config = (preview.root / "site_config.yaml").read_text(encoding="utf-8")
    preview.edit("site_config.yaml", config.replace("title: Bản tin BHXH toàn dân", "title: Bản tin thử"))
    preview.wait_for("/", "<title>Bản tin thử</title>".encode())


def on_a_loop_of_its_own(coroutine) -> None:
    """Run ``coroutine`` in a thread with its own event loop, whatever loop the browser tests left
    in this one."""
    import asyncio

    thread = threading.Thread(target=asyncio.run, args=(coroutine,))
    thread.start()
    thread.join()


def test_the_watcher_polls_when_the_system_refuses_to_watch(tmp_path, monkeypatch, capsys):
    # inotify has a per-user limit of watches; when it is used up, the preview still sees saves.
    import asyncio

    import watchdog.observers

    from bantin.devserver import _watcher

    class Refusing(watchdog.observers.Observer):
        def start(self):
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watchdog.observers, "Observer", Refusing)
    article = tmp_path / "content/a.vi.md"
    article.parent.mkdir()
    article.write_text(SOURCE, encoding="utf-8")
    watcher, rebuilds = _watcher(), []
    watcher.watch(str(tmp_path / "content"), lambda: rebuilds.append(time.monotonic()))

    started = []

    async def a_save_while_watching():
        started.append(watcher.start(watcher.examine))  # livereload's poll callback, which examines
        await asyncio.sleep(0.3)
        article.write_text(SOURCE.replace("đầu tiên", "thứ hai"), encoding="utf-8")
        stamp = time.time() + 1
        os.utime(article, (stamp, stamp))
        await asyncio.sleep(1.2)

    on_a_loop_of_its_own(a_save_while_watching())
    assert started == [True]
    assert len(rebuilds) == 1
    assert "watching by polling ([Errno 28] inotify watch limit reached)" in capsys.readouterr().err


def test_the_watcher_tells_the_rebuild_which_files_changed(tmp_path):
    # The preview then looks only at those (warm.py); when a folder is made, moved or deleted, or
    # before its first look, it cannot say, and the preview looks at every file.
    import asyncio

    from bantin.devserver import _watcher

    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    article = content / "articles/a.vi.md"
    article.write_text(SOURCE, encoding="utf-8")
    watcher, told = _watcher(), []
    watcher.watch(str(content), lambda: None)

    async def saves():
        assert watcher.start(lambda: None)
        told.append(watcher.changes())  # nothing looked at yet: not known
        article.write_text(SOURCE.replace("đầu tiên", "thứ hai"), encoding="utf-8")
        (content / "articles/.a.vi.md.swp").write_bytes(b"b0VIM 9.0")  # an editor's scratch file
        await asyncio.sleep(0.5)
        told.append(watcher.changes())
        told.append(watcher.changes())  # taken by the last rebuild
        (content / "articles/b.vi.md").write_text(SOURCE, encoding="utf-8")
        (content / "articles/2020").mkdir()
        await asyncio.sleep(0.5)
        told.append(watcher.changes())
        watcher.observer.stop()

    on_a_loop_of_its_own(saves())
    assert told == [None, frozenset({str(article)}), frozenset(), None]


def test_the_watcher_tells_both_paths_of_a_rename_and_a_file_moved_out_of_the_site(tmp_path):
    # watchdog pairs a rename's two halves for MOVE_PAIRING seconds (devserver.py: a move out of the
    # folders is told sooner); the rebuild needs the paths alone, paired or not.
    import asyncio

    from bantin.devserver import _watcher

    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    article, renamed, trash = content / "articles/a.vi.md", content / "articles/c.vi.md", tmp_path / "trash.md"
    article.write_text(SOURCE, encoding="utf-8")
    watcher, told = _watcher(), []
    watcher.watch(str(content), lambda: None)

    async def saves():
        assert watcher.start(lambda: None)
        watcher.changes()  # (the first look)
        article.rename(renamed)
        await asyncio.sleep(0.6)
        told.append(watcher.changes())
        renamed.rename(trash)
        await asyncio.sleep(0.6)
        told.append(watcher.changes())
        watcher.observer.stop()

    on_a_loop_of_its_own(saves())
    assert told == [frozenset({str(article), str(renamed)}), frozenset({str(renamed)})]


def test_a_watcher_begun_before_the_first_build_tells_the_first_save_and_one_made_meanwhile(tmp_path):
    # serve begins watching before its first build, whose look at every file is the first one: a
    # save while that build runs wakes a rebuild once the server starts, and is told to it.
    import asyncio

    from bantin.devserver import _watcher

    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    article, other = content / "articles/a.vi.md", content / "articles/b.vi.md"
    article.write_text(SOURCE, encoding="utf-8")
    other.write_text(SOURCE, encoding="utf-8")
    watcher, told, woken = _watcher(), [], []
    watcher.watch(str(content), lambda: None)

    async def saves():
        watcher.begin()
        told.append(watcher.changes())  # the first build's: it looks at every file
        article.write_text(SOURCE.replace("đầu tiên", "thứ hai"), encoding="utf-8")  # while it runs
        await asyncio.sleep(0.5)
        assert woken == []  # no server yet to rebuild
        assert watcher.start(lambda: woken.append(watcher.examine()))  # livereload's callback examines
        await asyncio.sleep(0.3)
        assert len(woken) == 1
        told.append(watcher.changes())
        other.write_text(SOURCE.replace("đầu tiên", "thứ ba"), encoding="utf-8")  # the first save served
        await asyncio.sleep(0.5)
        told.append(watcher.changes())
        watcher.observer.stop()

    on_a_loop_of_its_own(saves())
    assert told == [None, frozenset({str(article)}), frozenset({str(other)})]
    assert len(woken) == 2


def test_the_server_collects_a_build_s_garbage_then_freezes_what_is_left():
    # serve turns the automatic collector off and calls this after each build (devserver.py).
    import gc
    import weakref

    from bantin.devserver import tidy_memory

    class Node:
        pass

    kept, garbage = Node(), Node()
    garbage.me = garbage  # a reference cycle: only the cyclic collector frees it
    gone = weakref.ref(garbage)
    del garbage
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        tidy_memory()
        assert gone() is None
        assert gc.get_freeze_count() > 0
        assert gc.is_tracked(kept) and all(obj is not kept for obj in gc.get_objects())  # frozen: not walked
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
