#!/usr/bin/env python3
"""The dev server after a deleted article file, with the real server: ``build.py serve`` on SITE,
then RUNS times FILE deleted (as ``rm`` does: the system tells a deletion; ``--move``: moved out of
SITE, as to a desktop's trash, and back) and written back, each timed from the save to the page
at URL answering 404, then 200 again.

    python bench/serve_delete.py SITE content/articles/FILE.md /tin-tuc/SLUG/ [--runs 3]

Prints one line per save and the server's own "rebuilt in" lines. FILE is written back whatever
happens. (``bench/run --serve-edit`` times edits that a page shows; a deletion shows as a page gone.)
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def wait_for(url: str, wanted: int, timeout: float) -> float | None:
    """Seconds until ``url`` answers ``wanted`` (polled every 5 ms), None after ``timeout``."""
    started = time.perf_counter()
    while status(url) != wanted:
        if time.perf_counter() - started > timeout:
            return None
        time.sleep(0.005)
    return time.perf_counter() - started


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("site", type=Path)
    p.add_argument("file", help="the article file, from SITE")
    p.add_argument("url", help="its page's path, e.g. /tin-tuc/slug/")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--python", default=sys.executable, help="the Python that runs build.py")
    p.add_argument("--move", action="store_true", help="move the file out of SITE (to a trash) instead of deleting it")
    args = p.parse_args()
    path = args.site / args.file
    data = path.read_bytes()
    port = free_port()
    log = args.site.parent / "serve-delete.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([args.python, str(REPO / "build.py"), "--root", str(args.site), "serve",
                                   "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    url = f"http://127.0.0.1:{port}{args.url}"
    try:
        started = wait_for(url, 200, 600)
        if started is None:
            raise SystemExit(f"the server did not serve {args.url} (see {log})")
        print(f"first build served after {started:.1f} s")
        time.sleep(2)
        for run in range(1, args.runs + 1):
            if args.move:
                path.rename(args.site.parent / f"trash-{path.name}")
            else:
                path.unlink()
            took = wait_for(url, 404, 60)
            print(f"save {run}: deleted -> 404 in {took:.2f} s" if took is not None else f"save {run}: no 404")
            time.sleep(3)  # (an editor's pause; the server tidies its memory a second after a rebuild)
            if args.move:
                (args.site.parent / f"trash-{path.name}").rename(path)
            else:
                path.write_bytes(data)
            took = wait_for(url, 200, 60)
            print(f"save {run}: written back -> 200 in {took:.2f} s" if took is not None else f"save {run}: no 200")
            time.sleep(3)
    finally:
        (args.site.parent / f"trash-{path.name}").unlink(missing_ok=True)
        if not path.exists():
            path.write_bytes(data)
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()
    rebuilt = re.findall(r"rebuilt in [0-9.]+ s", log.read_text(encoding="utf-8", errors="replace"))
    print("server:", ", ".join(rebuilt[1:]), f"(first: {rebuilt[0]})" if rebuilt else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
