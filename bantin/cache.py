"""The build cache: what an unchanged source or page would produce again, kept between builds.

Two tables, both keyed by content hashes so a stale entry can never be used:

- ``bodies``: Markdown source (after shortcodes become placeholders) -> sanitized HTML.
  Converting and sanitizing Markdown is most of a build's work.
- ``outputs``: output path -> fingerprint of everything the page was rendered from
  (its data, its templates, the globals they read). A page whose fingerprint is
  unchanged is taken from the previous output folder instead of being rendered.

``sections`` keeps a section's own record of what it last wrote into the output folder
(search: a hash per indexed page, so an unchanged index is left as it is).
``written`` lists every file the output folder holds and ``copies`` the stamp of each copied
file's source: an in-place rebuild deletes what is gone and skips copies that are there.

The cache is JSON (never pickle: a cache restored in CI must not be able to run
code) in ``.bantin-cache/`` under the site folder; ``--clean`` ignores it.
Resized images are cached beside it, in ``.bantin-cache/images/`` (see images.py).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown
import nh3

from . import __version__

CACHE_DIR = ".bantin-cache"
# Any of these changing changes what the same source renders to.
CACHE_VERSION = f"bantin {__version__}; markdown {markdown.__version__}; nh3 {getattr(nh3, '__version__', '?')}; 2"


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # length-prefixed: ("ab","c") != ("a","bc")
        h.update(data)
    return h.hexdigest()


@dataclass
class BuildCache:
    path: Path | None  # None: an in-memory cache (tests, or --clean which writes a fresh one)
    bodies: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    output_folder: str = ""  # the folder the outputs' fingerprints describe
    sections: dict[str, Any] = field(default_factory=dict)  # section name -> its record of what it wrote
    written: list[str] = field(default_factory=list)  # every file of the output folder
    copies: dict[str, str] = field(default_factory=dict)  # copied file -> stamp of its source
    used_bodies: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, root: Path, clean: bool) -> "BuildCache":
        path = root / CACHE_DIR / "cache.json"
        cache = cls(path)
        if clean or not path.is_file():
            return cache
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cache  # a damaged cache is only a slower build
        if data.get("version") != CACHE_VERSION:
            return cache
        cache.bodies = dict(data.get("bodies", {}))
        cache.outputs = dict(data.get("outputs", {}))
        cache.output_folder = data.get("output_folder", "")
        cache.sections = dict(data.get("sections", {}))
        cache.written = list(data.get("written", []))
        cache.copies = dict(data.get("copies", {}))
        return cache

    def describes(self, out: Path) -> bool:
        """Whether the record of the output (fingerprints, files) is about this folder."""
        return bool(self.output_folder) and self.output_folder == str(out.resolve()) and out.is_dir()

    def forget_output(self) -> None:
        """Drop the record of the output folder on disk, before the folder changes under it (an
        interrupted build then costs the next one a full render, never a wrong page)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def body(self, key: str) -> str | None:
        html = self.bodies.get(key)
        if html is not None:
            self.used_bodies.add(key)
        return html

    def store_body(self, key: str, html: str) -> None:
        self.bodies[key] = html
        self.used_bodies.add(key)

    def save(self, outputs: dict[str, str], output_folder: Path, written: list[str], copies: dict[str, str]) -> None:
        """Keep what this build used (so deleted articles do not pile up) and the record of the output."""
        if self.path is None:
            return
        self._write({
            "version": CACHE_VERSION,
            "output_folder": str(output_folder.resolve()),
            "bodies": {key: self.bodies[key] for key in sorted(self.used_bodies)},
            "outputs": dict(sorted(outputs.items())),
            "sections": dict(sorted(self.sections.items())),
            "written": written,
            "copies": dict(sorted(copies.items())),
        })

    def _write(self, data: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".cache-{os.getpid()}.json")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        temporary.replace(self.path)
