"""The build cache: what an unchanged source or page would produce again, kept between builds.

Two tables, both keyed by content hashes so a stale entry can never be used:

- ``bodies`` (``bodies.json``, shared): Markdown source (after shortcodes become
  placeholders) -> sanitized HTML. Converting and sanitizing Markdown is most of a
  build's work.
- ``outputs`` (``outputs/<key>.json``, one per output folder, so the preview and the
  published build each keep theirs): output path -> fingerprint of everything the page was
  rendered from (its data, its templates, the globals they read). A page whose fingerprint
  is unchanged is left as it is in the output folder.

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
BODIES_FILE = "bodies.json"  # shared by every output folder
OUTPUTS_DIR = "outputs"  # one record per output folder
# Any of these changing changes what the same source renders to.
CACHE_VERSION = f"bantin {__version__}; markdown {markdown.__version__}; nh3 {getattr(nh3, '__version__', '?')}; 2"


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # length-prefixed: ("ab","c") != ("a","bc")
        h.update(data)
    return h.hexdigest()


def output_key(out: Path) -> str:
    """A short name for an output folder (``public/``, the preview's ``.preview/``): each has its
    own record, so previewing and building the same site do not undo each other's work."""
    return hashlib.sha256(str(out.resolve()).encode("utf-8")).hexdigest()[:16]


@dataclass
class BuildCache:
    folder: Path | None  # None: an in-memory cache (tests)
    record_name: str | None = None  # the output folder's record, ``outputs/<key>.json``
    bodies: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    output_folder: str = ""  # the folder the outputs' fingerprints describe
    sections: dict[str, Any] = field(default_factory=dict)  # section name -> its record of what it wrote
    written: list[str] = field(default_factory=list)  # every file of the output folder
    copies: dict[str, str] = field(default_factory=dict)  # copied file -> stamp of its source
    used_bodies: set[str] = field(default_factory=set)
    _stored_bodies: bool = False  # a body was converted in this build

    @classmethod
    def load(cls, root: Path, clean: bool, out: Path | None = None) -> "BuildCache":
        """``clean``: start empty (the cache is still written afresh at the end)."""
        cache = cls(root / CACHE_DIR, f"{output_key(out)}.json" if out is not None else None)
        if clean:
            return cache
        bodies = _read_json(cache.folder / BODIES_FILE)
        cache.bodies = dict(bodies.get("bodies", {}))
        if cache.record_name is not None:
            record = _read_json(cache.folder / OUTPUTS_DIR / cache.record_name)
            cache.outputs = dict(record.get("outputs", {}))
            cache.output_folder = record.get("output_folder", "")
            cache.sections = dict(record.get("sections", {}))
            cache.written = list(record.get("written", []))
            cache.copies = dict(record.get("copies", {}))
        return cache

    def describes(self, out: Path) -> bool:
        """Whether the record of the output (fingerprints, files) is about this folder."""
        return bool(self.output_folder) and self.output_folder == str(out.resolve()) and out.is_dir()

    def forget_output(self) -> None:
        """Drop the record of the output folder on disk, before the folder changes under it (an
        interrupted build then costs the next one a full render, never a wrong page)."""
        if self.folder is not None and self.record_name is not None:
            (self.folder / OUTPUTS_DIR / self.record_name).unlink(missing_ok=True)

    def body(self, key: str) -> str | None:
        html = self.bodies.get(key)
        if html is not None:
            self.used_bodies.add(key)
        return html

    def store_body(self, key: str, html: str) -> None:
        self.bodies[key] = html
        self.used_bodies.add(key)
        self._stored_bodies = True

    def save(self, outputs: dict[str, str], output_folder: Path, written: list[str], copies: dict[str, str]) -> None:
        """Keep the bodies this build used (so deleted articles do not pile up) and the record of the output.
        The body store, the largest file, is rewritten only when it changed."""
        if self.folder is None:
            return
        if self._stored_bodies or set(self.bodies) != self.used_bodies:
            _write_json(self.folder / BODIES_FILE, {
                "version": CACHE_VERSION,
                "bodies": {key: self.bodies[key] for key in sorted(self.used_bodies)},
            })
        _write_json(self.folder / OUTPUTS_DIR / self.record_name, {
            "version": CACHE_VERSION,
            "output_folder": str(output_folder.resolve()),
            "outputs": dict(sorted(outputs.items())),
            "sections": dict(sorted(self.sections.items())),
            "written": written,
            "copies": dict(sorted(copies.items())),
        })


def _read_json(path: Path) -> dict:
    """A cache file's content, or nothing when it is missing, damaged or from another version."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged cache is only a slower build
    return data if isinstance(data, dict) and data.get("version") == CACHE_VERSION else {}


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}-{os.getpid()}")
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    temporary.replace(path)
