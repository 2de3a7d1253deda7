"""Shared fixtures: inline sites (Hugo-style) and the sample site built once per session."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import build  # noqa: E402  (the command line under test)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the sample site (then review the diff)"
    )


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        """Diagnostic lines only (the summary line is not one)."""
        return [line for line in self.err.splitlines() if ": error: " in line or ": warning: " in line]


def run_build(root: Path, *args: str, capsys=None) -> Run:
    """Run ``build.py`` in-process (fast) and capture what it prints."""
    if capsys is None:
        raise ValueError("pass capsys")
    capsys.readouterr()
    code = build.main(["--root", str(root), *args])
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def run_build_process(root: Path, *args: str, env: dict | None = None) -> Run:
    """Run ``build.py`` as a separate process (for TZ, hash seed and exit-code checks)."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


MINIMAL_ARTICLE = """\
---
title: Bài thử
date: 2020-05-23
---

Nội dung bài thử.
"""


def make_site(tmp_path: Path, files: dict[str, str | bytes], *, with_sample_articles: bool = False) -> Path:
    """A site in ``tmp_path`` with the project's templates and config plus ``files``.

    Text is dedented so tests can write files inline, as Hugo's integration tests do.
    """
    root = tmp_path / "site"
    root.mkdir()
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "site_config.yaml", root / "site_config.yaml")
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "media").mkdir()
    if with_sample_articles:
        shutil.copytree(REPO / "content", root / "content", dirs_exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return root


@pytest.fixture
def site_factory(tmp_path):
    def factory(files: dict[str, str | bytes], **kwargs) -> Path:
        return make_site(tmp_path, files, **kwargs)

    return factory


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The repository's sample site, built once into a temporary folder (never into public/)."""
    out = tmp_path_factory.mktemp("sample") / "public"
    result = run_build_process(REPO, "build", "--quiet", "--out", str(out))
    assert result.code == 0, result.err
    return out


# --- Serving the sample site and driving Debian's Chromium (browser tests) -------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@contextlib.contextmanager
def serve_folder(folder: Path, name: str = "test-site-server"):
    """Serve ``folder`` over HTTP on 127.0.0.1 and a free port; yields the base URL (ending in "/")."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002  (keep pytest output clean)
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_server(sample_site):
    """``sample_site`` served over HTTP on 127.0.0.1 and a free port; yields the base URL (ending in "/")."""
    with serve_folder(sample_site, "sample-site-server") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh browser context and page for one test."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
