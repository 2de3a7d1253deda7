#!/usr/bin/env python3
"""The benchmark of issue 8: bantin beside Pelican and Hugo on the same synthetic archive.

Started by ``bench/run`` (which makes ``bench/.venv`` with the pinned peers and runs
this file under ``nice``). For each size N it generates a corpus (gen_corpus.py),
converts it for the peers (convert.py), then measures, for each tool:

- ``clean``: full build with no output folder and no cache;
- ``nochange``: rebuild right after a build, nothing changed;
- ``edit_article``: rebuild after editing one article's body;
- ``edit_title``: rebuild after editing the same article's title, which lists show (bantin's
  corpus sets no ``slug``, so its article moves to a new address too; the peers' files name
  their slug);
- ``edit_summary``: rebuild after editing the same article's summary (what lists show; its
  address stays);
- ``edit_template``: rebuild after editing the shared base template;
- bantin only, ``ci_cache``: no output folder, but the build cache of the previous run
  restored (what CI does with a cache action);
- bantin only, ``ci_checkout``: the output folder and the cache as the last build left them, every
  input and engine file with a new modification time (a fresh checkout of the same commit, as
  the project's CI restores both), and ``ci_checkout_edit``: the same after one article's body
  was edited (a push of one edit).

Each figure is the median of ``--runs`` runs: wall time, CPU time (user + system of
the process and the children it waited for) and peak memory of the process tree (the
largest of: the sum of the resident sets of the process and all its descendants,
sampled every 20 ms from /proc, and the exact peak of the largest single process
from wait4). Beside them: Python-Markdown alone over the same bodies on all cores
(the lower bound), ``build.py check``, and the dev servers' time from saving an edit
to the rebuilt page being served (bantin's ``build.py serve``, Pelican's ``pelican -r -l``,
Hugo's ``hugo server``).

Prints a table per size and merges everything into bench/results-<date>.json.
Only the standard library is used here; the tools run in their own environments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BANTIN_PY = REPO / ".venv" / "bin" / "python"
ENGINE = REPO  # the bantin tree measured: the working tree, or an exported revision (--engine)
BENCH_PY = HERE / ".venv" / "bin" / "python"
PAGE = os.sysconf("SC_PAGE_SIZE")
TOOLS = ("bantin", "bantin-nosearch", "pelican", "hugo")
OURS = ("bantin", "bantin-nosearch")  # bantin as configured, and with `search: false` (no Pagefind)
CASES = ("clean", "nochange", "edit_article", "edit_title", "edit_summary", "edit_tags", "edit_new_tag", "edit_date",
         "new_article", "edit_template", "ci_cache", "ci_checkout", "ci_checkout_edit")
OUR_CASES = ("ci_cache", "ci_checkout", "ci_checkout_edit", "edit_tags", "edit_new_tag", "edit_date", "new_article")  # bantin alone: its cache, and edits in its front matter's form
CASE_NAMES = {
    "clean": "clean full build",
    "nochange": "rebuild, no change",
    "edit_article": "rebuild, one article edited",
    "edit_title": "rebuild, one article's title edited",
    "edit_summary": "rebuild, one article's summary edited",
    "edit_tags": "rebuild, one article's tag changed (to one the site has)",
    "edit_new_tag": "rebuild, one article's tag changed to one new to the site (its page comes; the last run's goes)",
    "edit_date": "rebuild, one article's date a few days earlier",
    "new_article": "rebuild, one new article (the newest: every news page shifts)",
    "edit_template": "rebuild, base template edited",
    "ci_cache": "CI: fresh output, cache restored",
    "ci_checkout": "CI: fresh checkout, output and cache restored",
    "ci_checkout_edit": "CI: the same, one article edited",
}


# --- measuring one command ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                found += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return found


def _tree_sum(pid: int, one: Callable[[int], int]) -> int:
    """``one(p)`` summed over ``pid`` and all its descendants right now (a process gone meanwhile
    counts nothing)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            total += one(p)
        except (OSError, StopIteration, IndexError, ValueError):
            continue
        stack += _children(p)
    return total


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


def _pss(pid: int) -> int:
    with open(f"/proc/{pid}/smaps_rollup") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Pss:")) * 1024


def tree_rss(pid: int) -> int:
    """Bytes resident in ``pid`` and all its descendants right now."""
    return _tree_sum(pid, _rss)


def tree_pss(pid: int) -> int:
    """Bytes of ``pid`` and its descendants counted once: each page shared by n processes (forked
    workers share their parent's memory until they write to it) counts 1/n in each (Linux's PSS)."""
    return _tree_sum(pid, _pss)


def measure(cmd: list[str], cwd: Path, log: Path, env: dict | None = None, timeout: float = 3600) -> dict:
    """Run ``cmd`` to the end; wall seconds, CPU seconds, peak MB of its process tree, exit code."""
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(map(str, cmd))}  (in {cwd})\n".encode())
        out.flush()
        # The last run's files, and the output folder deleted since (60,000 files at N = 10,000), go to
        # the disk before this run is timed: left to the kernel, that work fell into the next run and
        # made the same build take from 14 to 33 s on this machine (ext4 mounted with online discard).
        os.sync()
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=out, env=env, stdin=subprocess.DEVNULL)
        peak = peak_pss = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss
            tick = 0
            while not done.is_set():
                peak = max(peak, tree_rss(proc.pid))
                if tick % 5 == 0:  # the kernel walks every page for PSS: every 0.1 s is enough
                    peak_pss = max(peak_pss, tree_pss(proc.pid))
                tick += 1
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
            time.sleep(0.005)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    single = usage.ru_maxrss * 1024  # KiB on Linux: the largest single process of the tree
    return {"wall": round(wall, 3), "cpu": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mb": round(max(peak, single) / 1e6, 1), "peak_pss_mb": round(peak_pss / 1e6, 1),
            "rc": proc.returncode}


def summarise(runs: list[dict]) -> dict:
    ok = [r for r in runs if r["rc"] == 0]
    if not ok:
        return {"runs": runs, "ok": False}
    return {"runs": runs, "ok": len(ok) == len(runs),
            "wall": round(statistics.median(r["wall"] for r in ok), 3),
            "cpu": round(statistics.median(r["cpu"] for r in ok), 3),
            "peak_mb": round(statistics.median(r["peak_mb"] for r in ok), 1),
            "peak_pss_mb": round(statistics.median(r.get("peak_pss_mb", 0) for r in ok), 1)}


# --- the three tools ------------------------------------------------------------------------------


def hugo_binary() -> Path:
    found = sorted((HERE / ".venv").glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        raise SystemExit("bench: no Hugo binary in bench/.venv (run bench/run, which installs it)")
    return found[0]


class Tool:
    name = ""

    def __init__(self, work: Path, log: Path):
        self.work = work
        self.log = log
        self.originals: dict[Path, bytes] = {}
        self.created: list[Path] = []  # files an edit added (``restore`` deletes them)

    # where things are
    def site(self) -> Path: ...
    def out(self) -> Path: ...
    def caches(self) -> list[Path]: ...
    def article_file(self, edit: dict) -> Path: ...
    def template_file(self) -> Path: ...
    def command(self, clean: bool) -> list[str]: ...

    def wipe(self, cache_too: bool = True) -> None:
        for path in [self.out()] + (self.caches() if cache_too else []):
            if path.is_dir():
                shutil.rmtree(path)

    def build(self, clean: bool = False) -> dict:
        return measure(self.command(clean), self.site(), self.log)

    def remember(self, path: Path) -> None:
        self.originals.setdefault(path, path.read_bytes())

    def restore(self) -> None:
        for path, data in self.originals.items():
            path.write_bytes(data)
        self.originals.clear()
        for path in self.created:
            path.unlink(missing_ok=True)
        self.created.clear()


class Bantin(Tool):
    name = "bantin"

    def site(self): return self.work / "site"
    def out(self): return self.work / "site-out"
    def caches(self): return [self.site() / ".bantin-cache"]
    def article_file(self, edit): return self.site() / edit["vi"]["file"]["bantin"]
    def template_file(self): return self.site() / "templates" / "base.html"

    def command(self, clean: bool) -> list[str]:
        cmd = [str(BANTIN_PY), str(ENGINE / "build.py"), "--root", str(self.site()), "build",
               "--out", str(self.out()), "--quiet"]
        return cmd + ["--clean"] if clean else cmd


class BantinNoSearch(Bantin):
    """The same corpus with ``search: false``: what bantin costs without the Pagefind index,
    which the peers do not build."""

    name = "bantin-nosearch"

    def site(self): return self.work / "site-nosearch"
    def out(self): return self.work / "site-nosearch-out"

    def prepare(self) -> None:
        source = self.work / "site"
        shutil.rmtree(self.site(), ignore_errors=True)
        shutil.copytree(source, self.site(), ignore=shutil.ignore_patterns(".bantin-cache"))
        config = self.site() / "site_config.yaml"
        text, count = re.subn(r"(?m)^search:\s*true\b", "search: false", config.read_text(encoding="utf-8"))
        if not count:
            raise SystemExit("bench: the corpus's site_config.yaml has no 'search: true' line")
        config.write_text(text, encoding="utf-8")


class Pelican(Tool):
    name = "pelican"

    def site(self): return self.work / "pelican"
    def out(self): return self.site() / "output"
    def caches(self): return [self.site() / "cache", self.site() / "__pycache__"]
    def article_file(self, edit): return self.site() / edit["vi"]["file"]["pelican"]
    def template_file(self): return self.site() / "theme" / "templates" / "base.html"

    def command(self, clean: bool) -> list[str]:
        return [str(HERE / ".venv" / "bin" / "pelican"), "content", "-s", "pelicanconf.py", "-o", "output", "-q"]


class Hugo(Tool):
    name = "hugo"

    def site(self): return self.work / "hugo"
    def out(self): return self.site() / "public"
    def caches(self): return [self.site() / "resources", self.site() / ".hugo-cache"]
    def article_file(self, edit): return self.site() / edit["vi"]["file"]["hugo"]
    def template_file(self): return self.site() / "layouts" / "baseof.html"

    def command(self, clean: bool) -> list[str]:
        return [str(hugo_binary()), "--quiet", "--destination", "public", "--cacheDir", str(self.site() / ".hugo-cache")]


# --- edits ----------------------------------------------------------------------------------------

_edit_counter = 0


def next_marker() -> str:
    global _edit_counter
    _edit_counter += 1
    return f"Đoạn sửa thử số {_edit_counter} {os.getpid()} {time.monotonic_ns()}"


def edit_article(tool: Tool, edit: dict) -> str:
    path = tool.article_file(edit)
    tool.remember(path)
    marker = next_marker()
    path.write_bytes(tool.originals[path] + f"\n{marker}.\n".encode())
    return marker


def edit_title(tool: Tool, edit: dict, field: str = "title") -> str:
    path = tool.article_file(edit)
    tool.remember(path)
    marker = next_marker()
    text, count = re.subn(rf'(?mi)^({field}:[ \t]*"?)', lambda m: f"{m.group(1)}{marker}: ",
                          tool.originals[path].decode(), count=1)
    if not count:
        raise SystemExit(f"bench: no {field} line in {path}")
    path.write_text(text, encoding="utf-8")
    return marker


def edit_summary(tool: Tool, edit: dict) -> str:
    return edit_title(tool, edit, "summary")


def _front_matter_line(tool: Tool, edit: dict, pattern: str, what: str) -> tuple[Path, str, re.Match]:
    """(the edited article's file, its original text, the match of ``pattern`` there), the edit counted
    (``_edit_counter``: each run's edit differs from the last)."""
    path = tool.article_file(edit)
    tool.remember(path)
    text = tool.originals[path].decode()
    line = re.search(pattern, text)
    if line is None:
        raise SystemExit(f"bench: no {what} line in {path}")
    next_marker()
    return path, text, line


def edit_tags(tool: Tool, edit: dict) -> str:
    """The article's first tag replaced by a year's tag it lacks (every year of the corpus has
    articles, so the tag is one the site has: the card leaves one tag page and joins another),
    another year each time (the same text again would be no change at all)."""
    path, text, line = _front_matter_line(tool, edit, r"(?m)^tags: \[(.*)\]$", "tags")
    tags = re.findall(r'"([^"]*)"', line.group(1))
    lacking = [f"Năm {year}" for year in range(2015, 2025) if f"Năm {year}" not in tags]
    new = lacking[_edit_counter % len(lacking)]
    changed = line.group(0).replace(f'"{tags[0]}"', f'"{new}"', 1)
    path.write_text(text[: line.start()] + changed + text[line.end():], encoding="utf-8")
    return new


def edit_new_tag(tool: Tool, edit: dict) -> str:
    """The article's first tag replaced by one no article has, another each time: its page comes (and,
    from the second run on, the page of the last run's new tag goes, left without an article)."""
    path, text, line = _front_matter_line(tool, edit, r"(?m)^tags: \[(.*)\]$", "tags")
    tags = re.findall(r'"([^"]*)"', line.group(1))
    new = f"Chủ đề thử {_edit_counter}"
    changed = line.group(0).replace(f'"{tags[0]}"', f'"{new}"', 1)
    path.write_text(text[: line.start()] + changed + text[line.end():], encoding="utf-8")
    return new


def edit_date(tool: Tool, edit: dict) -> str:
    """The article's date moved a few days earlier, by another number of days each time (its card
    moves down the lists by a few places, within its year)."""
    path, text, line = _front_matter_line(tool, edit, r'(?m)^date: "?(\d{4}-\d{2}-\d{2})', "date")
    day = dt.date.fromisoformat(line.group(1))
    new = max(day - dt.timedelta(days=1 + _edit_counter % 5), day.replace(month=1, day=1))
    path.write_text(text[: line.start(1)] + new.isoformat() + text[line.end(1):], encoding="utf-8")
    return new.isoformat()


def new_article(tool: Tool, edit: dict) -> str:
    """A new article: the edited one's text under a new file name and title, dated the evening of
    the corpus's newest day (the top of its lists; a new year would be a new last year for the
    calendar), with its tags and author."""
    path = tool.article_file(edit)
    tool.remember(path)
    marker = next_marker()
    newest = max(found.name[:10] for found in path.parent.glob("*.md"))  # (the names start with the date)
    new = path.with_name(f"{newest}-bai-moi-{_edit_counter}.vi.md")
    text = re.sub(r"(?m)^date: .*$", f'date: "{newest}T23:{_edit_counter % 60:02d}"', tool.originals[path].decode(),
                  count=1)
    text, count = re.subn(r'(?m)^(title:[ \t]*"?)', lambda m: f"{m.group(1)}{marker}: ", text, count=1)
    if not count:
        raise SystemExit(f"bench: no title line in {path}")
    new.write_text(text, encoding="utf-8")
    tool.created.append(new)
    return marker


# What --serve-edit may change (the article's page shows each: the date as ``<time datetime>``, a tag by its name;
# "new": a new article file, whose card the first news page shows).
ARTICLE_EDITS = {"body": edit_article, "summary": edit_summary, "date": edit_date, "newtag": edit_new_tag,
                 "new": new_article}
FIRST_NEWS_PAGE = "/tin-tuc/"  # (the same address in the three tools' output: convert.py)


def edit_template(tool: Tool) -> None:
    path = tool.template_file()
    tool.remember(path)
    text = tool.originals[path].decode()
    path.write_text(text.replace("</body>", f"<!-- {next_marker()} -->\n</body>", 1), encoding="utf-8")


def run_cases(tool: Tool, cases: list[str], runs: int, edit: dict, say) -> dict:
    results: dict[str, dict] = {}

    def record(case: str, one) -> None:
        rs = []
        for i in range(runs):
            r = one()
            rs.append(r)
            say(f"  {tool.name:8} {case:14} run {i + 1}: {r['wall']:8.2f} s {r['peak_mb']:7.0f} MB"
                f" (PSS {r['peak_pss_mb']:.0f} MB)"
                + ("" if r["rc"] == 0 else f"  EXIT {r['rc']} (see {tool.log})"))
        results[case] = summarise(rs)

    def clean() -> dict:
        tool.wipe()
        return tool.build(clean=True)

    # Every case but 'clean' starts from a finished build.
    if "clean" in cases:
        record("clean", clean)
    else:
        tool.wipe()
        tool.build(clean=True)
    if "nochange" in cases:
        record("nochange", tool.build)

    def edited(case: str, change: Callable[[Tool, dict], object]) -> None:
        """Each run edits the original file. For bantin, a case starts from the site as it was, built
        (the last case's edit undone, not measured): a title edit right after a date edit would also
        undo the date, which is another case (the peers render everything again whatever changed)."""
        if (tool.originals or tool.created) and isinstance(tool, Bantin):
            tool.restore()
            tool.build()
        record(case, lambda: (change(tool, edit), tool.build())[1])

    for case, change in (("edit_article", edit_article), ("edit_summary", edit_summary), ("edit_tags", edit_tags),
                         ("edit_new_tag", edit_new_tag), ("edit_date", edit_date), ("edit_title", edit_title),
                         ("new_article", new_article)):
        if case in cases:
            edited(case, change)
    if "edit_template" in cases:
        record("edit_template", lambda: (edit_template(tool), tool.build())[1])
    tool.restore()
    if "ci_cache" in cases and isinstance(tool, Bantin):
        tool.build()  # the cache now describes the unedited sources

        def ci() -> dict:
            tool.wipe(cache_too=False)
            return tool.build()

        record("ci_cache", ci)
    if ("ci_checkout" in cases or "ci_checkout_edit" in cases) and isinstance(tool, Bantin):
        tool.build()
        if "ci_checkout" in cases:
            record("ci_checkout", lambda: (fresh_checkout(tool), tool.build())[1])
        if "ci_checkout_edit" in cases:
            record("ci_checkout_edit", lambda: (edit_article(tool, edit), fresh_checkout(tool), tool.build())[-1])
        tool.restore()
    return results


def fresh_checkout(tool: Bantin) -> None:
    """What a fresh checkout does to the sources, but for their inodes: every input file and every
    file of the engine gets a new modification time, its bytes as they were."""
    for folder in (tool.site() / "content", tool.site() / "templates", ENGINE / "bantin"):
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                os.utime(path)
    os.utime(tool.site() / "site_config.yaml")


def identical_after_edit(tool: Bantin, edit: dict, say, change: Callable[[Tool, dict], str] = edit_article) -> dict:
    """Does an incremental build after a one-article edit (``change``: its body, its summary, or its
    title, which moves its page) give the bytes of a clean build?"""
    tool.wipe()
    tool.build(clean=True)
    change(tool, edit)
    incremental = tool.build()
    twin = tool.work / "twin-site"
    if twin.exists():
        shutil.rmtree(twin)
    shutil.copytree(tool.site(), twin, ignore=shutil.ignore_patterns(".bantin-cache"))
    twin_out = tool.work / "twin-out"
    if twin_out.exists():
        shutil.rmtree(twin_out)
    cmd = [str(BANTIN_PY), str(ENGINE / "build.py"), "--root", str(twin), "build", "--out", str(twin_out),
           "--quiet", "--clean"]
    clean = measure(cmd, twin, tool.log)
    tool.restore()
    differences = compare_trees(tool.out(), twin_out)
    shutil.rmtree(twin)
    shutil.rmtree(twin_out)
    verdict = {"identical": not differences and incremental["rc"] == 0 and clean["rc"] == 0,
               "differences": differences[:20], "different_files": len(differences)}
    what = next(k for k, v in {**ARTICLE_EDITS, "title": edit_title, "tags": edit_tags, "new tag": edit_new_tag,
                               "new article": new_article}.items()
                if v is change)
    verdict["edit"] = what
    say(f"  {tool.name:8} one-article edit ({what}) vs clean build: "
        f"{'identical' if verdict['identical'] else 'DIFFERENT'}"
        + ("" if verdict["identical"] else f" ({len(differences)} files, e.g. {differences[:3]})"))
    return verdict


def compare_trees(a: Path, b: Path) -> list[str]:
    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()

    fa, fb = files(a), files(b)
    diff = sorted(fa ^ fb)
    diff += [name for name in sorted(fa & fb) if not filecmp.cmp(a / name, b / name, shallow=False)]
    return diff


# --- lower bound, check, dev servers --------------------------------------------------------------


def lower_bound(site: Path, runs: int, log: Path, say) -> dict:
    rs = []
    for i in range(runs):
        r = measure([str(BANTIN_PY), str(HERE / "md_bound.py"), str(site)], site, log)
        rs.append(r)
        say(f"  markdown lower bound run {i + 1}: {r['wall']:8.2f} s {r['peak_mb']:7.0f} MB")
    return summarise(rs)


def check(site: Path, runs: int, log: Path, say) -> dict:
    rs = []
    for i in range(runs):
        r = measure([str(BANTIN_PY), str(ENGINE / "build.py"), "--root", str(site), "check"], site, log)
        rs.append(r)
        say(f"  bantin   check run {i + 1}: {r['wall']:8.2f} s {r['peak_mb']:7.0f} MB"
            + ("" if r["rc"] == 0 else f"  EXIT {r['rc']}"))
    return summarise(rs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError):
        return None


def dev_server(tool: Tool, cmd: list[str], url_path: str, port: int, edit: dict, runs: int, say,
               startup_timeout: float = 1800, edit_timeout: float = 600, done_marker: str | None = None,
               done_count: int = 1, change: Callable[[Tool, dict], str] = edit_article) -> dict:
    """Seconds from saving an article (``change``: its body, or its summary) to the server answering
    with the rebuilt page. ``done_marker``:
    a line the server writes to its log when its first build is over, ``done_count`` times (Pelican
    serves the output folder while it is still writing it, and watches for changes only after its
    first build: an edit saved before then is never seen)."""
    url = f"http://127.0.0.1:{port}{url_path}"
    with open(tool.log, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        log_from = out.tell()
        proc = subprocess.Popen(cmd, cwd=tool.site(), stdout=out, stderr=out, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    started = time.perf_counter()
    result: dict = {"latencies": [], "edit": next(k for k, v in ARTICLE_EDITS.items() if v is change)}

    def builds_over() -> int:
        """How many builds the log says are over (each writes ``done_marker`` ``done_count`` times)."""
        with open(tool.log, "rb") as log:
            log.seek(log_from)
            return log.read().decode("utf-8", "replace").count(done_marker) // done_count

    def first_build_over() -> bool:
        return done_marker is None or builds_over() >= 1

    try:
        while fetch(url) is None or not first_build_over():
            if proc.poll() is not None or time.perf_counter() - started > startup_timeout:
                result["error"] = "the server did not start (see the log)"
                return result
            time.sleep(0.1)
        result["startup"] = round(time.perf_counter() - started, 2)
        time.sleep(1.0)  # let the watcher settle after the first build
        for i in range(runs):
            marker = change(tool, edit)
            saved = time.perf_counter()
            while True:
                page = fetch(url)
                if page is not None and marker in page:
                    break
                if time.perf_counter() - saved > edit_timeout or proc.poll() is not None:
                    result["error"] = f"edit {i + 1} never showed"
                    return result
                time.sleep(0.005)
            latency = time.perf_counter() - saved
            result["latencies"].append(round(latency, 3))
            say(f"  {tool.name:8} dev server, save -> served, edit {i + 1}: {latency:6.2f} s")
            # The next save comes after the reload, like an editor's, and after the server has
            # finished this build (Pelican goes on writing the rest of the site after the page).
            while done_marker is not None and builds_over() < i + 2 and time.perf_counter() - saved < edit_timeout:
                time.sleep(0.1)
            time.sleep(1.5)
        result["median"] = round(statistics.median(result["latencies"]), 3)
        return result
    finally:
        tool.restore()
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def profile(tool: Bantin, say) -> dict:
    """Stage timers for a clean and a no-change build, then cProfile of both (texts kept)."""
    script = [str(BANTIN_PY), str(HERE / "profile_bantin.py"), str(tool.site()), str(tool.out()),
              "--engine", str(ENGINE)]
    texts = {}
    for label, extra in (("timers_clean", ["--clean"]), ("timers_nochange", []),
                         ("cprofile_clean", ["--clean", "--cprofile", str(tool.work / "clean.prof")]),
                         ("cprofile_nochange", ["--cprofile", str(tool.work / "nochange.prof")])):
        if extra[:1] == ["--clean"]:
            tool.wipe()
        started = time.perf_counter()
        done = subprocess.run(script + extra, capture_output=True, text=True)
        texts[label] = done.stdout + done.stderr
        (tool.work / f"profile-{label}.txt").write_text(texts[label], encoding="utf-8")
        say(f"  bantin   profile {label}: {time.perf_counter() - started:.1f} s -> {tool.work / f'profile-{label}.txt'}")
    return texts


# --- versions and machine -------------------------------------------------------------------------


def output_of(cmd: list[str], cwd: Path = REPO) -> str:
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def export_engine(rev: str, work: Path) -> Path:
    """``git archive`` of one revision into work/engine-<commit>: bantin as committed, whatever
    is being edited in the working tree meanwhile."""
    commit = output_of(["git", "rev-parse", "--short", rev])
    if not commit or commit == "?":
        raise SystemExit(f"bench: unknown revision {rev!r}")
    target = work / f"engine-{commit}"
    if not (target / "build.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", commit], cwd=REPO, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def machine(engine_rev: str | None) -> dict:
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    dirty = output_of(["git", "status", "--porcelain", "--untracked-files=no", "--", "bantin", "build.py", "templates"])
    return {
        "cores": os.cpu_count(), "cpu": model, "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(), "loadavg_at_start": open("/proc/loadavg").read().split()[:3],
        "python": output_of([str(BANTIN_PY), "--version"]),
        "bantin_commit": output_of(["git", "rev-parse", "--short", engine_rev or "HEAD"]),
        "bantin_worktree": ("exported revision (git archive)" if engine_rev else
                            "working tree, modified (uncommitted engine changes were measured)" if dirty else
                            "working tree, clean"),
        "markdown": output_of([str(BANTIN_PY), "-c", "import markdown; print(markdown.__version__)"]),
        "pelican": output_of([str(BENCH_PY), "-c", "import importlib.metadata as m; print(m.version('pelican'))"]),
        "pelican_i18n_subsites": output_of(
            [str(BENCH_PY), "-c", "import importlib.metadata as m; print(m.version('pelican-i18n-subsites'))"]),
        "hugo": output_of([str(hugo_binary()), "version"]).split(" ")[1] if hugo_binary() else "?",
    }


# --- report ---------------------------------------------------------------------------------------


def fmt_ratio(peer: dict | None, ours: dict | None, key: str) -> str:
    if not peer or not ours or not peer.get(key) or not ours.get(key):
        return "–"
    return f"{peer[key] / ours[key]:.2f}×"


def table(size: str, data: dict) -> str:
    tools = data.get("tools", {})
    measured = data.get("measured", {})
    runs = ", ".join(f"{t} {m['runs']}" + (f" ({m['bantin_commit']})" if "bantin_commit" in m else "")
                     for t, m in measured.items() if t in tools) or str(data.get("runs"))
    lines = [f"N = {int(size):,} article pairs ({data['corpus']['article_files']:,} article files); "
             f"median of runs ({runs}); time s, peak MB of the process tree; "
             "× = peer ÷ bantin (above 1: bantin is faster / smaller)"]
    for ours_name in [name for name in OURS if name in tools]:
        lines += ["", f"**{ours_name}**" + (" (`search: false`: no Pagefind index, like the peers)"
                                             if ours_name != "bantin" else " (as configured: with the Pagefind index)"), ""]
        head = f"| {'case':33} | bantin s | bantin MB |"
        rule = f"|{'-' * 35}|---------:|----------:|"
        for peer in ("pelican", "hugo"):
            if peer in tools:
                head += f" {peer} s | {peer} MB | time × |  MB × |"
                rule += "-" * (len(peer) + 3) + ":|" + "-" * (len(peer) + 4) + ":|-------:|------:|"
        lines += [head, rule]
        for case in CASES:
            ours = tools.get(ours_name, {}).get(case)
            if not ours and not any(case in tools.get(p, {}) for p in ("pelican", "hugo")):
                continue
            row = f"| {CASE_NAMES[case]:33} | {_n(ours, 'wall'):>8} | {_n(ours, 'peak_mb', 0):>9} |"
            for peer in ("pelican", "hugo"):
                if peer in tools:
                    theirs = tools[peer].get(case)
                    row += (f" {_n(theirs, 'wall'):>{len(peer) + 2}} | {_n(theirs, 'peak_mb', 0):>{len(peer) + 3}} |"
                            f" {fmt_ratio(theirs, ours, 'wall'):>6} | {fmt_ratio(theirs, ours, 'peak_mb'):>5} |")
            lines.append(row)
    lines += ["", "CPU seconds (user + system, the process and its children; less sensitive to other load "
              "than wall time):", ""]
    present = [t for t in TOOLS if t in tools]
    lines.append("| case | " + " | ".join(f"{t} CPU s" for t in present) + " |")
    lines.append("|---|" + "---:|" * len(present))
    for case in CASES:
        if any(case in tools[t] for t in present):
            lines.append(f"| {CASE_NAMES[case]} | " + " | ".join(_n(tools[t].get(case), "cpu") for t in present) + " |")
    lines.append("")
    bound = data.get("bound")
    if bound:
        ratio = "".join(f"; {name} clean build = {tools[name]['clean']['wall'] / bound['wall']:.2f}× this"
                        for name in OURS if tools.get(name, {}).get("clean", {}).get("wall"))
        lines.append(f"- Python-Markdown alone, all {os.cpu_count()} cores: {_n(bound, 'wall')} s "
                     f"(CPU {_n(bound, 'cpu')} s), {_n(bound, 'peak_mb', 0)} MB{ratio}")
    if data.get("check"):
        lines.append(f"- build.py check: {_n(data['check'], 'wall')} s, {_n(data['check'], 'peak_mb', 0)} MB")
    for name, serve in sorted(data.get("serve", {}).items()):
        if serve.get("median") is not None:
            lines.append(f"- {name} dev server, save ({serve.get('edit', 'body')}) -> rebuilt page served: "
                         f"median {serve['median']:.2f} s "
                         f"(each: {', '.join(f'{x:.2f}' for x in serve['latencies'])}; first build "
                         f"{serve.get('startup', 0):.1f} s)")
        elif serve:
            lines.append(f"- {name} dev server: {serve.get('error')}")
    for name in ("identical", "identical_summary", "identical_tags", "identical_new_tag", "identical_date", "identical_title",
                 "identical_new_article"):
        if name in data:
            lines.append(f"- {data[name].get('tool', 'bantin')} after a one-article edit "
                         f"({data[name].get('edit', 'body')}) vs a clean build: "
                         f"{'byte-identical' if data[name]['identical'] else 'DIFFERENT'}")
    if any(not c.get("ok", True) for t in tools.values() for c in t.values()):
        lines.append("- some runs failed: see the logs")
    return "\n".join(lines)


def _n(result: dict | None, key: str, digits: int = 2) -> str:
    if not result or result.get(key) is None:
        return "–" if not result else "fail"
    return f"{result[key]:.{digits}f}"


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="bantin vs Pelican vs Hugo (issue 8)")
    p.add_argument("--sizes", default="1000,10000", help="comma-separated N (default 1000,10000)")
    p.add_argument("--runs", type=int, default=3, help="runs per case (median reported)")
    p.add_argument("--tools", default=",".join(TOOLS))
    p.add_argument("--cases", default=",".join(CASES))
    p.add_argument("--skip", default="", help="extras to skip: bound,check,serve,identical")
    p.add_argument("--serve-edit", choices=sorted(ARTICLE_EDITS), default="body",
                   help="what the dev servers' saves change in the article (default: its body)")
    p.add_argument("--profile", action="store_true",
                   help="also profile bantin's clean and no-change builds (stage timers, then cProfile)")
    p.add_argument("--work", type=Path, default=HERE / "work", help="where corpora and outputs go")
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--reuse-corpus", action="store_true", help="keep an existing corpus of the same N")
    p.add_argument("--results", type=Path, help="JSON file to merge into (default bench/results-<date>.json)")
    p.add_argument("--report", action="store_true", help="only print the tables of the results file")
    p.add_argument("--engine", metavar="REV", help="measure this git revision of bantin (exported with git "
                   "archive) instead of the working tree, which other people may be editing")
    args = p.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    cases = [c for c in args.cases.split(",") if c]
    skip = {s for s in args.skip.split(",") if s}
    unknown = (set(tools) - set(TOOLS)) | (set(cases) - set(CASES)) | (skip - {"bound", "check", "serve", "identical"})
    if unknown:
        p.error(f"unknown: {', '.join(sorted(unknown))}")
    if not BANTIN_PY.exists():
        p.error(f"{BANTIN_PY} is missing: run 'make venv' (bench/run does)")
    results_path = args.results or HERE / f"results-{dt.date.today().isoformat()}.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {"sizes": {}}
    if args.report:
        print(json.dumps(results.get("machine", {}), indent=2, ensure_ascii=False))
        for size, entry in sorted(results["sizes"].items(), key=lambda item: int(item[0])):
            print()
            print(table(size, entry))
        return 0
    global ENGINE
    if args.engine:
        ENGINE = export_engine(args.engine, args.work)
    # As pip does when it installs a package: each run then loads the engine's modules compiled
    # instead of compiling them (0.1 s of every build where PYTHONDONTWRITEBYTECODE is set, as here).
    subprocess.run([str(BANTIN_PY), "-m", "compileall", "-q", str(ENGINE / "bantin")], check=True)
    results["machine"] = machine(args.engine)
    say = lambda text: print(text, flush=True)  # noqa: E731
    say(f"machine: {json.dumps(results['machine'], ensure_ascii=False)}")

    for size in [int(s) for s in args.sizes.split(",") if s]:
        work = args.work / str(size)
        work.mkdir(parents=True, exist_ok=True)
        log = work / "bench.log"
        site = work / "site"
        manifest_path = site / "bench-corpus.json"
        say(f"\n== N = {size:,}: corpus in {work}")
        if not (args.reuse_corpus and manifest_path.exists()):
            started = time.perf_counter()
            subprocess.run([sys.executable, str(HERE / "gen_corpus.py"), str(size), str(site),
                            "--seed", str(args.seed), "--repo", str(ENGINE)], check=True, stderr=subprocess.DEVNULL)
            subprocess.run([str(BANTIN_PY), str(HERE / "convert.py"), str(site), str(work / "pelican"),
                            str(work / "hugo")], check=True)
            say(f"  corpus generated and converted in {time.perf_counter() - started:.1f} s")
        else:  # the engine's templates and settings may have changed since: take them afresh
            shutil.rmtree(site / "templates")
            subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); import gen_corpus; "
                            "gen_corpus.copy_site_files(*map(__import__('pathlib').Path, sys.argv[2:4]), "
                            "int(sys.argv[4]))", str(HERE), str(ENGINE), str(site),
                            str(json.loads(manifest_path.read_text())["per_page"])], check=True)
            shutil.rmtree(site / ".bantin-cache", ignore_errors=True)
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        edit = json.loads((site / "bench-edit.json").read_text(encoding="utf-8"))
        entry = results["sizes"].setdefault(str(size), {})
        entry.update({"corpus": manifest, "runs": args.runs, "date": dt.datetime.now().isoformat(timespec="seconds")})
        entry.setdefault("tools", {})
        objects = {"bantin": Bantin(work, log), "bantin-nosearch": BantinNoSearch(work, log),
                   "pelican": Pelican(work, log), "hugo": Hugo(work, log)}
        if "bantin-nosearch" in tools:
            objects["bantin-nosearch"].prepare()

        for name in tools:
            tool = objects[name]
            tool_cases = [c for c in cases if c not in OUR_CASES or name in OURS]
            entry.setdefault("measured", {})[name] = {
                "date": dt.datetime.now().isoformat(timespec="seconds"), "runs": args.runs,
                "loadavg_before": open("/proc/loadavg").read().split()[:3],
                **({"bantin_commit": results["machine"]["bantin_commit"],
                    "bantin_tree": results["machine"]["bantin_worktree"]} if name in OURS else {})}
            entry["tools"].setdefault(name, {}).update(run_cases(tool, tool_cases, args.runs, edit, say))
            save(results_path, results)
        # With search if it is measured (the index is part of the output), else without.
        checked = next((name for name in OURS if name in tools), None)
        if checked is not None and "identical" not in skip:
            entry["identical"] = {**identical_after_edit(objects[checked], edit, say), "tool": checked}
            if "edit_summary" in cases:  # what lists show too: their pages rendered from their records
                entry["identical_summary"] = {**identical_after_edit(objects[checked], edit, say, edit_summary),
                                              "tool": checked}
            if "edit_tags" in cases:  # a card moved between tag pages, the tag index's counts
                entry["identical_tags"] = {**identical_after_edit(objects[checked], edit, say, edit_tags),
                                           "tool": checked}
            if "edit_new_tag" in cases:  # a tag page made, the index and the sitemap list it
                entry["identical_new_tag"] = {**identical_after_edit(objects[checked], edit, say, edit_new_tag),
                                              "tool": checked}
            if "edit_date" in cases:  # the card moved down the lists, the sitemap's order
                entry["identical_date"] = {**identical_after_edit(objects[checked], edit, say, edit_date),
                                           "tool": checked}
            if "edit_title" in cases:  # a new address: the old page goes, the sitemap follows
                entry["identical_title"] = {**identical_after_edit(objects[checked], edit, say, edit_title),
                                            "tool": checked}
            if "new_article" in cases:  # every news page shifts, its terms' pages, the feed, the sitemap
                entry["identical_new_article"] = {**identical_after_edit(objects[checked], edit, say, new_article),
                                                  "tool": checked}
        if "bound" not in skip:
            entry["bound"] = lower_bound(site, args.runs, log, say)
        if "check" not in skip:
            entry["check"] = check(site, args.runs, log, say)
        if "serve" not in skip:
            entry.setdefault("serve", {})
            change = ARTICLE_EDITS[args.serve_edit]
            served = (lambda tool: FIRST_NEWS_PAGE) if args.serve_edit == "new" else (lambda tool: edit["vi"]["url"][tool])
            if "bantin" in tools:
                bantin = objects["bantin"]
                port = free_port()
                cmd = [str(BANTIN_PY), str(ENGINE / "build.py"), "--root", str(site), "serve", "--port", str(port),
                       "--out", str(work / "preview")]
                entry["serve"]["bantin"] = dev_server(bantin, cmd, served("bantin"), port, edit,
                                                      args.runs, say, change=change)
            if "bantin-nosearch" in tools:
                plain = objects["bantin-nosearch"]
                port = free_port()
                cmd = [str(BANTIN_PY), str(ENGINE / "build.py"), "--root", str(plain.site()), "serve", "--port",
                       str(port), "--out", str(work / "preview-nosearch")]
                entry["serve"]["bantin-nosearch"] = dev_server(plain, cmd, served("bantin"), port, edit,
                                                               args.runs, say, change=change)
            if "pelican" in tools:
                # ``-r -l``: Pelican regenerates the whole site on each change it sees (its cache kept
                # between regenerations) and serves the output folder.
                pelican = objects["pelican"]
                port = free_port()
                cmd = [*pelican.command(False), "--autoreload", "--listen", "--bind", "127.0.0.1", "--port", str(port)]
                entry["serve"]["pelican"] = dev_server(pelican, cmd, served("pelican"), port, edit,
                                                       args.runs, say, done_marker="Done: Processed",
                                                       done_count=2, change=change)  # the site and its English subsite
            if "hugo" in tools:
                hugo = objects["hugo"]
                port = free_port()
                cmd = [str(hugo_binary()), "server", "--bind", "127.0.0.1", "--port", str(port),
                       "--cacheDir", str(hugo.site() / ".hugo-cache")]
                entry["serve"]["hugo"] = dev_server(hugo, cmd, served("hugo"), port, edit, args.runs, say,
                                                    change=change)
        if args.profile:
            entry["profile"] = profile(objects["bantin"], say)
        results["machine"]["loadavg_at_end"] = open("/proc/loadavg").read().split()[:3]
        save(results_path, results)
        say("")
        say(table(str(size), entry))
    say(f"\nresults: {results_path}")
    return 0


def save(path: Path, results: dict) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
