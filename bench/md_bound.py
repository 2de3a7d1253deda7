#!/usr/bin/env python3
"""Lower bound for a build: Python-Markdown alone over every article body, on all cores.

    python bench/md_bound.py SITE [--jobs N]

Run with bantin's Python (the same Markdown version and extensions as bantin:
tables, footnotes, attr_list, fenced_code, toc, sane_lists). Reads each
content/articles/*.md file, drops the front matter, converts the body, and throws
the HTML away: no YAML, no sanitizing, no templates, no writing. Prints the number
of bodies and the characters of HTML made.
"""

from __future__ import annotations

import argparse
import os
import sys
from multiprocessing import Pool
from pathlib import Path

import markdown

EXTENSIONS = ["tables", "footnotes", "attr_list", "fenced_code", "toc", "sane_lists"]
_md: markdown.Markdown | None = None


def _init() -> None:
    global _md
    _md = markdown.Markdown(extensions=EXTENSIONS, output_format="html")


def convert(paths: list[str]) -> int:
    made = 0
    for path in paths:
        text = Path(path).read_text(encoding="utf-8")
        if text.startswith("---\n"):
            text = text.split("\n---\n", 1)[1]
        made += len(_md.reset().convert(text))
    return made


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("site", type=Path)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args()
    files = sorted(str(f) for f in (args.site / "content" / "articles").rglob("*.md"))
    chunks = [files[i : i + 50] for i in range(0, len(files), 50)]
    if args.jobs == 1:
        _init()
        made = sum(convert(c) for c in chunks)
    else:
        with Pool(args.jobs, initializer=_init) as pool:
            made = sum(pool.imap_unordered(convert, chunks))
    print(f"{len(files)} bodies, {made} characters of HTML, {args.jobs} processes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
