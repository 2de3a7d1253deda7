"""The command line: exit codes, the summary line, quiet mode, base URL."""

from __future__ import annotations

import re

import pytest

from conftest import MINIMAL_ARTICLE, run_build, run_build_process

SUMMARY = re.compile(r"^built: (\d+) pages \(vi (\d+), en (\d+)\), (\d+) warnings?, \d+\.\d\d s -> (.+)$")


def test_build_prints_one_summary_line(site_factory, capsys):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    result = run_build(root, "build", capsys=capsys)
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert len(lines) == 1
    match = SUMMARY.match(lines[0])
    assert match, lines[0]
    # vi: home, news, article, tag index, author index, 404, search; en: home, news, tags, authors, 404.
    assert match.groups()[:4] == ("12", "7", "5", "0")
    assert match.group(5) == str(root / "public")


def test_quiet_build_prints_nothing(site_factory, capsys):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    result = run_build(root, "build", "--quiet", capsys=capsys)
    assert (result.code, result.out, result.err) == (0, "", "")


def test_default_command_is_build(site_factory):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    result = run_build_process(root)
    assert result.code == 0 and SUMMARY.match(result.out.strip())
    assert (root / "public/index.html").is_file()


def test_usage_errors_exit_2(site_factory, tmp_path):
    root = site_factory({})
    assert run_build_process(root, "build", "--no-such-flag").code == 2
    assert run_build_process(root, "publish").code == 2
    not_a_site = run_build_process(tmp_path / "nowhere", "build")
    assert not_a_site.code == 2
    assert not_a_site.err == f"build.py: {tmp_path / 'nowhere'} is not a site folder (no site_config.yaml)\n"


def test_serve_with_a_bad_port_is_a_usage_error(site_factory):
    root = site_factory({})
    result = run_build_process(root, "serve", "--port", "eighty")
    assert result.code == 2
    assert result.err.splitlines()[-1] == "build.py serve: error: argument --port: invalid int value: 'eighty'"


@pytest.mark.parametrize("command", ["build", "check", "serve"])
def test_jobs_must_be_a_number_of_processes(site_factory, command):
    result = run_build_process(site_factory({}), command, "--jobs", "0")
    assert result.code == 2
    assert result.err.splitlines()[-1] == (f"build.py {command}: error: argument --jobs/-j: "
                                           "'0' is not a number of processes (1 or more)")


def test_base_url_with_a_path_prefixes_every_link(site_factory, capsys):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    result = run_build(root, "build", "--quiet", "--base-url", "https://org.github.io/bantin", capsys=capsys)
    assert result.code == 0
    home = (root / "public/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://org.github.io/bantin/">' in home
    assert '<a href="/bantin/tin-tuc/bai-thu/">Bài thử</a>' in home
    links = re.findall(r'(?:href|src)="(/[^"]*)"', home)
    assert links and [u for u in links if not u.startswith("/bantin/")] == []


def test_bad_base_url_is_reported(site_factory, capsys):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    result = run_build(root, "build", "--base-url", "example.org", capsys=capsys)
    assert result.code == 1
    assert result.errors == ["<command line>:1:1: error: base_url 'example.org' must be an absolute http(s) URL"]


def test_drafts_and_future_articles_need_their_flags(site_factory, capsys):
    root = site_factory({
        "content/articles/draft.vi.md": "---\ntitle: Nháp\ndate: 2020-05-23\ndraft: true\n---\nx\n",
        "content/articles/future.vi.md": "---\ntitle: Tương lai\ndate: 2999-01-01\n---\nx\n",
    })
    run_build(root, "build", "--quiet", capsys=capsys)
    assert not (root / "public/tin-tuc/nhap").exists() and not (root / "public/tin-tuc/tuong-lai").exists()
    run_build(root, "build", "--quiet", "--drafts", "--future", capsys=capsys)
    assert (root / "public/tin-tuc/nhap/index.html").is_file()
    assert (root / "public/tin-tuc/tuong-lai/index.html").is_file()


def _many_articles(count: int) -> dict[str, str]:
    return {
        f"content/articles/a{i:03}.vi.md": MINIMAL_ARTICLE.replace("title: Bài thử", f"title: Bài thử {i}")
        for i in range(count)
    }


def test_long_build_in_a_terminal_shows_a_progress_bar(site_factory):
    import fcntl
    import os
    import pty
    import struct
    import termios
    import subprocess
    import sys

    from conftest import REPO

    root = site_factory(_many_articles(220))
    leader, follower = pty.openpty()
    # A real terminal has a size; tqdm draws nothing on a 0-column one.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "--root", str(root), "build"],
        stdout=follower, stderr=follower, close_fds=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # the pty closes when the build exits
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait() == 0
    text = b"".join(chunks).decode()
    assert "rendering: " in text and "page/s" in text
    assert SUMMARY.search(text.replace("\r", "\n").strip().splitlines()[-1])


def test_long_build_without_a_terminal_prints_only_the_summary(site_factory):
    root = site_factory(_many_articles(220))
    result = run_build_process(root, "build")
    assert result.code == 0 and result.err == ""
    assert SUMMARY.match(result.out.strip())


def test_check_writes_nothing_and_a_build_keeps_only_data_in_its_cache(site_factory, capsys):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    assert run_build(root, "check", capsys=capsys).code == 0
    assert not (root / ".bantin-cache").exists() and not (root / "public").exists()
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    cache = root / ".bantin-cache"
    # CI restores this folder from a cache other runs wrote: data only (SQLite, JSON, images), never code
    kinds = {path.suffix for path in cache.rglob("*") if path.is_file()}
    assert (cache / "cache.sqlite").is_file() and kinds <= {".sqlite", ".json", ".jpg", ".webp", ".png", ".svg"}, kinds
