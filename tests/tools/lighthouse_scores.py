#!/usr/bin/env python3
"""Lighthouse scores of the built site, as a table (or JSON with --json).

    .venv/bin/python tests/tools/lighthouse_scores.py                 # builds the sample site first
    .venv/bin/python tests/tools/lighthouse_scores.py --site public    # an already built folder
    .venv/bin/python tests/tools/lighthouse_scores.py --save test-artifacts/lighthouse /en/

The folder is served on 127.0.0.1 (a free port) for the length of the run, and npm's
Lighthouse (package.json pins 12.2.3, the last line that runs on Node 20) audits each page
in Debian's Chromium with its default mobile preset: a Moto G Power-sized screen, and
network and CPU throttling that are *simulated* from the recorded trace, so a local
server gives the same scores a distant one would. Pages run one after the other, each in
a fresh Chromium, about 12 s apiece.

Exit status: 0 when every page meets the thresholds (performance >= 95, accessibility,
best practices and SEO = 100), 1 when one does not (the audits that cost points are
listed under the table), 2 when Lighthouse could not run.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-dev-shm-usage"

DEFAULT_PAGES = ["/", "/tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
THRESHOLDS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


@dataclass
class PageScores:
    path: str
    scores: dict[str, int]  # category id -> 0..100
    lost: dict[str, list[str]] = field(default_factory=dict)  # category id -> audits that cost points

    def failures(self) -> list[str]:
        return [f"{self.path}: {cat} {self.scores[cat]} < {THRESHOLDS[cat]}"
                for cat in CATEGORIES if self.scores[cat] < THRESHOLDS[cat]]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class serve_folder:
    """Serve ``folder`` on 127.0.0.1 and a free port in a thread; the context value is the base URL."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="lighthouse-site", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def build_sample_site(out: Path) -> None:
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(REPO), "build", "--quiet",
                           "--out", str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the sample site did not build:\n{proc.stderr}")


def run_lighthouse(url: str, save_prefix: Path | None = None, timeout: float = 120) -> dict:
    """One Lighthouse run; returns its JSON report (the ``lhr``)."""
    node = shutil.which("node")
    if node is None or not LIGHTHOUSE.is_file():
        raise RuntimeError("node or node_modules/lighthouse is missing: run `npm ci` (or `make test`)")
    env = dict(os.environ)
    env.setdefault("CHROME_PATH", CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        prefix = save_prefix or Path(tmp) / "report"
        outputs = ["--output=json", "--output=html"] if save_prefix else ["--output=json"]
        cmd = [node, str(LIGHTHOUSE), url, *outputs, f"--output-path={prefix}", "--quiet",
               f"--chrome-flags={CHROME_FLAGS}", "--only-categories=" + ",".join(CATEGORIES)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
        report = prefix.parent / (prefix.name + ".report.json") if save_prefix else prefix
        if proc.returncode != 0 or not report.is_file():
            raise RuntimeError(f"lighthouse failed on {url} (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
        lhr = json.loads(report.read_text(encoding="utf-8"))
    if lhr.get("runtimeError"):
        raise RuntimeError(f"lighthouse could not load {url}: {lhr['runtimeError']}")
    return lhr


def scores_of(path: str, lhr: dict) -> PageScores:
    scores, lost = {}, {}
    for cat in CATEGORIES:
        category = lhr["categories"][cat]
        scores[cat] = round((category["score"] or 0) * 100)
        lost[cat] = [
            f"{ref['id']} ({lhr['audits'][ref['id']]['score']})"
            for ref in category["auditRefs"]
            if ref["weight"] > 0 and lhr["audits"][ref["id"]]["score"] is not None
            and lhr["audits"][ref["id"]]["score"] < 1
        ]
    return PageScores(path, scores, lost)


def audit(site: Path, paths: list[str], save: Path | None = None) -> tuple[str, list[PageScores]]:
    results = []
    with serve_folder(site) as base:
        for path in paths:
            prefix = None
            if save:
                save.mkdir(parents=True, exist_ok=True)
                prefix = save / (path.strip("/").replace("/", "_") or "home")
            results.append(scores_of(path, run_lighthouse(base + path, prefix)))
    return base, results


def table(results: list[PageScores]) -> str:
    width = max(len("page"), *(len(r.path) for r in results))
    head = "page".ljust(width) + "".join(f"  {cat:>14}" for cat in CATEGORIES)
    lines = [head, "-" * len(head)]
    lines += [r.path.ljust(width) + "".join(f"  {r.scores[cat]:>14}" for cat in CATEGORIES) for r in results]
    lines.append("thresholds".ljust(width) + "".join(
        f"  {('>= ' if THRESHOLDS[cat] < 100 else '') + str(THRESHOLDS[cat]):>14}" for cat in CATEGORIES))
    for r in results:
        for cat in CATEGORIES:
            if r.lost[cat]:
                lines.append(f"{r.path} {cat}: points lost on {', '.join(r.lost[cat])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=DEFAULT_PAGES, help="pages to audit (default: home, seed article)")
    parser.add_argument("--site", type=Path, help="a built site folder (default: build the sample site)")
    parser.add_argument("--save", type=Path, help="also keep each page's HTML and JSON report in this folder")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="bantin-lighthouse-") as tmp:
            site = args.site
            if site is None:
                site = Path(tmp) / "public"
                build_sample_site(site)
            if not (site / "index.html").is_file():
                raise RuntimeError(f"{site} has no index.html: build the site first")
            base, results = audit(site, args.paths, args.save)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failures = [f for r in results for f in r.failures()]
    if args.json:
        print(json.dumps({"thresholds": THRESHOLDS, "pages": [
            {"path": r.path, "scores": r.scores, "lost": r.lost} for r in results]}, indent=1))
    else:
        print(f"Lighthouse (mobile preset, simulated throttling) on {base}")
        print(table(results))
    for line in failures:
        print(f"below threshold: {line}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
