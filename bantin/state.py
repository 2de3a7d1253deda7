"""The no-change rebuild: when nothing a build reads has changed, it has nothing to do.

A successful build records a hash of everything it read (the name and bytes of each file under
``content/`` and ``templates/``, ``site_config.yaml``, the engine's own source), the options it
ran with, the day it ran (the calendar splits upcoming from past events by it) and the moment its
output stops being true (the next scheduled article going live). The next build with the same
inputs, on the same day, before that moment, with the output folder still holding every file it
wrote, is done before it starts: it only repeats the previous build's warnings and page counts.

A file is read to be hashed only when its stamp (size, times, inode) differs from the one the
input index recorded with its hash (git's index works the same way), so checking 20,000 files
costs one ``stat`` each. A file whose stamp changed but not its bytes counts as unchanged: after a
fresh checkout (CI, with the output and the cache restored) a build with nothing new is up to date
and a push that edits one article rebuilds its pages alone. ``--clean`` never takes this path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Iterable

from .cache import CACHE_DIR, CACHE_VERSION, OUTPUTS_DIR, output_key, write_json
from .diagnostics import Diagnostics, Location

RACY_NS = 100_000_000  # 0.1 s: far coarser than any file system's timestamps
# A file whose modification time is this close to when it was looked at may change again within
# the same clock tick (racy git): its size and times prove nothing, so it is read again next time.
# Wider than RACY_NS: a file not trusted here costs one read, not a full build, so even a 2-second
# clock (FAT) is covered.
FILE_RACY_NS = 2_000_000_000


def file_stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What changes when a file is written, renamed over or touched: git's test of a clean file."""
    return stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino


def stamp_trusted(stat: os.stat_result, racy_ns: int | None = None) -> bool:
    """Whether the file was last written long enough ago that its stamp will show its next change."""
    return stat.st_mtime_ns + (FILE_RACY_NS if racy_ns is None else racy_ns) < time.time_ns()


INPUTS = ("site_config.yaml", "content", "templates")
ARTICLES_DIR = "content/articles"  # where article files live (content.py)
ENGINE = Path(__file__).resolve().parent
# What each input file held when last read: name -> "STAMP HASH", its stamp (index_stamp) and the
# hash of its bytes (content_hash).
# Like git's index, it spares reading a file whose stamp is as it was, and it makes a file whose stamp
# changed but not its bytes (a fresh checkout, a restored copy, a save without an edit) count as unchanged.
INPUT_INDEX = "inputs.json"
ENGINE_KEY = "engine:"  # the engine's files in the index, by their path from ENGINE


def _walk_files(folder: Path, skip: tuple[str, ...] = ()) -> list[tuple[str, os.stat_result]]:
    """(path, stat) of each file under the folder, but under the folders named in ``skip``."""
    into = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as found:
                for entry in found:
                    if entry.is_dir(follow_symlinks=True):
                        if entry.name not in skip:
                            stack.append(Path(entry.path))
                    else:
                        into.append((entry.path, entry.stat()))
        except FileNotFoundError:
            continue
    return into


HASH_CHARS = 32  # content_hash's length


def content_hash(path: str) -> str:
    """The hash of a regular file's bytes, read in blocks (a video under content/ is not held whole)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def index_stamp(stat: os.stat_result) -> str:
    """A file's stamp (file_stamp) as the input index keeps it."""
    return f"{stat.st_mtime_ns} {stat.st_ctime_ns} {stat.st_size} {stat.st_ino}"


@dataclass(frozen=True)
class InputStamps:
    """What ``input_stamps`` found: one hash of the name and bytes of every input, one of every input
    but the article files, the hash of each article file's bytes by its path from the root
    ('/'-separated), and the stamp (index_stamp) of each article file old enough for its stamp to
    show its next change: while a file still has that stamp, it holds the bytes hashed here."""

    whole: str
    others: str
    articles: dict[str, str]
    trusted: dict[str, str] = field(default_factory=dict)  # (index_stamp)


def input_stamps(root: Path) -> InputStamps:
    """The contents of every file a build reads, hashed: one hash of it all, and the article files
    apart, so that a rebuild after an edit can tell which changed (quick.py). A file is read only
    when its stamp differs from the one the index (``INPUT_INDEX``) holds for it: a build after one
    save reads one file, the first after a fresh checkout reads them all (a few tenths of a second at
    20,000 files) and finds what really changed. A file changed so recently that a second change
    within the file system's clock tick could leave its stamp as it is (the "racy" case git also
    guards against) is read, but left out of the index: the next build reads it again."""
    racy = time.time_ns() - FILE_RACY_NS
    found: list[tuple[str, str, str, os.stat_result]] = []  # (label, key in the index, path, stat)
    top = os.path.join(root, "")
    for name in INPUTS:
        path = root / name
        if path.is_dir():
            found += [(name, file[len(top):].replace(os.sep, "/"), file, info) for file, info in _walk_files(path)]
        elif path.is_file():
            found.append((name, name, str(path), path.stat()))
    # The engine's own source; not its __pycache__, which Python writes when it first imports a module.
    engine_top = os.path.join(ENGINE, "")
    found += [("engine", ENGINE_KEY + file[len(engine_top):].replace(os.sep, "/"), file, info)
              for file, info in _walk_files(ENGINE, skip=("__pycache__",))]
    index_path = root / CACHE_DIR / INPUT_INDEX
    try:
        known = json.loads(index_path.read_text(encoding="utf-8"))
        if known["version"] != CACHE_VERSION:
            raise ValueError
        known = known["files"]
        if not isinstance(known, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        known = {}  # (a damaged index is only a slower check: every file is read)
    index: dict[str, str] = {}  # what the index will hold: the files trusted to show their next change
    added = False  # whether it holds a file whose stamp or bytes are not in the index read
    found.sort()
    articles_prefix = ARTICLES_DIR + "/"
    articles: dict[str, str] = {}
    trusted: dict[str, str] = {}
    whole: list[str] = []
    others: list[str] = []
    for label, key, path, info in found:
        stamp = index_stamp(info)
        entry = known.get(key)  # "STAMP HASH"
        if type(entry) is str and len(entry) == len(stamp) + 1 + HASH_CHARS and entry.startswith(stamp):
            digest = entry[-HASH_CHARS:]
        elif not S_ISREG(info.st_mode):
            digest = f"not a file: {stamp}"  # (a device or a pipe is never read: it may have no end)
        else:
            try:
                digest = content_hash(path)
            except OSError:
                digest = "unreadable"  # (gone since it was listed: the build reports what it finds)
            entry = f"{stamp} {digest}"
            added |= info.st_mtime_ns < racy
        if info.st_mtime_ns < racy and len(digest) == HASH_CHARS:
            index[key] = entry
        line = f"{label}\0{key}\0{digest}\n"
        whole.append(line)
        if key.startswith(articles_prefix) and key.endswith(".md"):
            articles[key] = digest
            if key in index:
                trusted[key] = stamp
        else:
            others.append(line)
    if added or len(index) != len(known):
        index_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = index_path.with_name(f".inputs-{os.getpid()}.json")
        temporary.write_text(json.dumps({"version": CACHE_VERSION, "files": index}), encoding="utf-8")
        temporary.replace(index_path)

    def hashed(lines: list[str]) -> str:
        return hashlib.sha256("".join([CACHE_VERSION, "\n", *lines]).encode("utf-8", "surrogateescape")).hexdigest()

    return InputStamps(hashed(whole), hashed(others), articles, trusted)


@dataclass(frozen=True)
class BuildState:
    inputs: str
    options: str
    day: str  # the build's date in the site's time zone
    valid_until: str | None  # ISO instant of the next scheduled article, if any
    output: str  # the output folder, resolved
    written: tuple[str, ...]  # every file of the output folder
    counts: dict[str, int]
    warnings: tuple[tuple[str, int | None, int | None, str], ...]
    # For a rebuild after an edit (quick.py): the hash of every input but the article files, the hash
    # of each article file's bytes, and the pages that show articles other than their
    # own in full (a feed; a stale translation's page shows its original), with those articles' files.
    others: str = ""
    articles: dict[str, str] = field(default_factory=dict)
    shown: dict[str, tuple[str, ...]] = field(default_factory=dict)
    site_wide: bool = True  # whether the theme reads what only the whole site answers (quick.needs_whole_site)
    # What every article was made from besides its file (warm.world_digest): the same while nothing
    # but article files changed, on the same day with the same options.
    world: str = ""
    data: dict[str, str] = field(default_factory=dict)
    record_id: str = ""  # the id of the output's record this build wrote (cache.BuildCache.patch_outputs)
    # How ``output_intact`` knows the output still holds ``written`` (see ``stamp_output``): the
    # modification time of each folder of written files, and the files of folders changed too
    # recently for their time to show the next change.
    folders: dict[str, int] = field(default_factory=dict)
    loose: tuple[str, ...] = ()
    # For a rebuild after an edit to what a card shows (quick.py, listing.py): each page that shows
    # cards or term counts, with the key of its record (a hash of its fingerprint and its cards'
    # articles' keys) and those keys shortened ("record refs"); None when one such page could not
    # be recorded. And what the
    # templates' globals (the sections) were: each one's fingerprint, and what each section's
    # ``check`` learnt from the whole site.
    listed: dict[str, str] | None = None
    globals: dict[str, str | None] = field(default_factory=dict)
    facts: dict[str, dict] = field(default_factory=dict)

    @staticmethod
    def path(root: Path, out: Path) -> Path:
        return root / CACHE_DIR / OUTPUTS_DIR / f"{output_key(out)}.state.json"

    @classmethod
    def load(cls, root: Path, out: Path) -> "BuildState | None":
        try:
            data = json.loads(cls.path(root, out).read_text(encoding="utf-8"))
            return cls(
                inputs=data["inputs"], options=data["options"], day=data["day"], valid_until=data["valid_until"],
                output=data["output"], written=tuple(data["written"]), counts=dict(data["counts"]),
                warnings=tuple(tuple(w) for w in data["warnings"]), others=data["others"],
                articles=dict(data["articles"]),
                shown={path: tuple(rels) for path, rels in data["shown"].items()}, site_wide=data["site_wide"],
                world=data["world"], data=dict(data["data"]), record_id=data["record_id"],
                folders=dict(data["folders"]), loose=tuple(data["loose"]),
                listed=None if data["listed"] is None else dict(data["listed"]), globals=dict(data["globals"]),
                facts=dict(data["facts"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, root: Path, out: Path) -> None:
        write_json(self.path(root, out), {
            "inputs": self.inputs, "options": self.options, "day": self.day, "valid_until": self.valid_until,
            "output": self.output, "written": list(self.written), "counts": self.counts,
            "warnings": [list(w) for w in self.warnings], "others": self.others,
            "articles": self.articles,
            "shown": {path: list(rels) for path, rels in self.shown.items()}, "site_wide": self.site_wide,
            "world": self.world, "data": self.data, "record_id": self.record_id,
            "folders": self.folders, "loose": list(self.loose),
            "listed": self.listed, "globals": self.globals, "facts": self.facts,
        })

    @staticmethod
    def forget(root: Path, out: Path) -> None:
        BuildState.path(root, out).unlink(missing_ok=True)

    def still_holds(self, inputs: str, options: str, day: str, now: dt.datetime, out: Path) -> bool:
        if (self.inputs, self.options, self.day, self.output) != (inputs, options, day, str(out.resolve())):
            return False
        if self.valid_until is not None and now >= dt.datetime.fromisoformat(self.valid_until):
            return False
        return self.output_intact()

    def output_intact(self) -> bool:
        """Whether the output folder still holds every file this build wrote (one may be deleted by hand):
        a folder whose entries are as they were holds its files (one stat per folder, not per file:
        22,600 instead of 64,500 at 10,000 articles, 0.06 s instead of 0.16)."""
        for folder, mtime in self.folders.items():
            try:
                if os.stat(os.path.join(self.output, folder)).st_mtime_ns != mtime:
                    return False
            except OSError:
                return False
        return all(os.path.isfile(os.path.join(self.output, path)) for path in self.loose)

    def stamp_output(self, touched: Iterable[str] | None = None) -> "BuildState":
        """This state with the stamps ``output_intact`` compares: each folder's modification time,
        which changes when a file in it is deleted, added or renamed (its entries change), read
        after the build's last write into the output. A folder changed within RACY_NS of now may
        change again within the same clock tick without its time showing it: its files are checked
        one by one instead. ``touched``: the only files this build wrote (a quick rebuild), so the
        other folders keep their stamps; None: every folder is stamped again."""
        racy = time.time_ns() - RACY_NS
        parents = {path: path.rpartition("/")[0] for path in self.written}
        # A file written or deleted changes its folder; a folder made or removed, the one above.
        again = set(parents.values()) if touched is None else {
            folder for path in touched for folder in _ancestors(path)}
        held = set(parents.values())  # (a folder the build emptied holds nothing to stamp)
        folders = {folder: mtime for folder, mtime in self.folders.items() if folder not in again and folder in held}
        for folder in sorted(again & held):
            try:
                info = os.stat(os.path.join(self.output, folder))
            except OSError:
                continue
            if info.st_mtime_ns < racy:
                folders[folder] = info.st_mtime_ns
        loose = tuple(path for path, folder in parents.items() if folder not in folders)
        return dataclasses.replace(self, folders=folders, loose=loose)

    def replay(self, diagnostics: Diagnostics) -> None:
        replay_warnings(diagnostics, self.warnings)


def warnings_of(diagnostics: Diagnostics) -> tuple[tuple[str, int | None, int | None, str], ...]:
    return tuple((d.location.path, d.location.line, d.location.col, d.message) for d in diagnostics.warnings)


def replay_warnings(diagnostics: Diagnostics, warnings: tuple[tuple[str, int | None, int | None, str], ...]) -> None:
    """Give again the warnings ``warnings_of`` kept (an earlier build's, which a rebuild repeats)."""
    for path, line, col, message in warnings:
        diagnostics.warning(Location(path, line, col), message)


def _ancestors(path: str) -> list[str]:
    """The folders above an output path, nearest first, down to the output folder itself ("")."""
    found = []
    while path:
        path = path.rpartition("/")[0]
        found.append(path)
    return found
