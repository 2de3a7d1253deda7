"""Writing the output so that readers (and the deploy step) never see a half-built site.

Everything the build writes goes first into a staging folder beside the output. Nothing
reaches the output until every page is rendered and checked; a build that fails leaves
the output exactly as it was. Then, one of two ways:

- **fresh** (first build, ``--clean``, or no record of what the output holds): the staging
  folder holds the whole site and replaces the output folder in one rename.
- **in place** (a rebuild whose cache describes the output folder): the staging folder holds
  only the files whose bytes changed; they are moved into the output, one rename each, and
  the files the site no longer has are deleted. Unchanged files are never read or written,
  which is what makes a rebuild after a small edit fast on a large archive.

Before the files of an in-place build are moved, the cache's record of the output is
dropped (``BuildCache.forget_output``), so if the move is interrupted the next build
renders every page again instead of trusting a record that no longer holds.
"""

from __future__ import annotations

import os
import shutil
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable

from .plan import CopyOutput


class OutputFolder:
    def __init__(self, out: Path, in_place: bool, listing: frozenset[str] | None = None,
                 names: Iterable[str] = ()):
        """``listing``: what the output folder is known to hold (the preview's, warm.py). ``names``:
        paths the build holds already (the last build's files), whose strings ``present`` reuses."""
        self.out = out.resolve()
        self._listing = listing
        self._names = names
        self.in_place = in_place and self.out.is_dir()
        self.staging = self.out.parent / f".{self.out.name}.new-{os.getpid()}"
        self.staged: set[str] = set()  # paths written into the staging folder
        # Paths as strings where a build makes them by the 10,000 (pages, and image links: 40,000
        # in a clean build of a large archive), where Path objects cost more than the system calls.
        self._staging = str(self.staging)
        self._out = str(self.out)
        self._folders: set[str] = {self._staging}  # staging folders made (a mkdir costs a stat or two each)
        self.kept_prefixes: list[str] = []  # in place: folders left as they are (an unchanged search index)
        self.kept_files: set[str] = set()  # in place: files left as they are (one language's search index)
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)

    def __getstate__(self) -> dict:
        """What a page worker needs to stage pages (page_work.py): not what lists the output folder
        (``present`` and the paths behind it: 64,000 strings at 10,000 pairs), nor this process's
        staged files, which the worker never reads."""
        state = dict(self.__dict__)
        state.pop("present", None)
        state.update(_names=(), _listing=None, staged=set())
        return state

    @cached_property
    def present(self) -> frozenset[str]:
        """In place: the files the output folder holds as the build starts. Listed once: a stat
        of each of 20,000 pages to see whether it can be reused took a quarter of a second."""
        if not self.in_place:
            return frozenset()
        if self._listing is not None:
            return self._listing
        # The same paths as the last build's record, held all the same: one string each, not two
        # (64,000 at 10,000 pairs: 8 MB).
        names = {name: name for name in self._names}
        return frozenset(_files(self.out, names.get))

    def write(self, path: str, data: bytes) -> bool:
        """Stage a file; in place, a file whose bytes the output already has is left alone (False)."""
        if self.in_place and _holds(os.path.join(self._out, path), data):
            return False
        target = os.path.join(self._staging, path)
        self._folder(os.path.dirname(target))
        with open(target, "wb") as file:
            file.write(data)
        self.staged.add(path)
        return True

    def copy(self, copy: CopyOutput, stamp: str, previous_stamp: str | None, immutable: Path | None = None) -> None:
        """``stamp`` identifies the source's content (see ``source_stamp``); in place, a copy whose
        source has the stamp it had last time is already there. Sources under ``immutable`` (the
        image cache, whose files are never changed once written) are hard-linked, not copied:
        the same image beside a thousand articles costs no disk and no writing."""
        if self.in_place and stamp == previous_stamp and copy.path in self.present:
            return
        target = os.path.join(self._staging, copy.path)
        self._folder(os.path.dirname(target))
        if immutable is not None and _within(copy.source, immutable) is not None:
            try:
                os.link(copy.source, target)
                self.staged.add(copy.path)
                return
            except OSError:
                pass  # another file system, or no hard links there: copy
        # Contents only: permissions and timestamps must not make two builds differ. Files an
        # editor can change in place (theme assets) are copied, never linked.
        shutil.copyfile(copy.source, target)
        self.staged.add(copy.path)

    def _folder(self, folder: str) -> None:
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)

    def current(self, path: str) -> bytes:
        """A file of the site being built: staged in this build, or else left from the previous one."""
        staged = self.staging / path
        return staged.read_bytes() if path in self.staged else (self.out / path).read_bytes()

    def keep(self, prefix: str) -> None:
        self.kept_prefixes.append(prefix)

    def keep_files(self, paths: Iterable[str]) -> None:
        """In place, leave these files of the output as they are, though the site's pages do not
        name them (the index of one language, among the other languages' new one)."""
        self.kept_files.update(paths)

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, site_paths: set[str]) -> list[str]:
        """Put the staged files in place; return every file the output now holds.

        ``site_paths``: the files this build's site consists of (besides staged ones, such as a
        new search index). Anything else in the output folder is deleted: it is listed, not
        taken from the cache's record, so a file put there by hand (or by a tampered cache
        restored in CI) is never published. It is listed as the build starts (``present``): one
        put there while the build runs is deleted by the next build. The preview alone passes
        the listing of its last build instead, while its own folder is the same one."""
        try:
            if not self.in_place:
                old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
                if self.out.exists():
                    self.out.rename(old)
                self.staging.rename(self.out)
                shutil.rmtree(old, ignore_errors=True)
                return sorted(_files(self.out))
            self._move_staged()
            held = self.present
            keep = site_paths | self.staged | self.kept_files
            stale = [p for p in held if p not in keep and not p.startswith(tuple(self.kept_prefixes))]
            for path in stale:
                (self.out / path).unlink(missing_ok=True)
            _remove_empty_parents(self.out, stale)
            return sorted((set(held) - set(stale)) | keep)
        finally:
            self.discard()


    def commit_changed_files(self, removed: Iterable[str] = ()) -> None:
        """In place, put the staged files in place and delete ``removed`` alone (and the folders they
        leave empty): for a build that rendered again a few pages of an output it knows holds
        nothing else (quick.py; listing what the output holds to find files to delete was 0.03 s
        of such a build at 10,000 articles)."""
        assert self.in_place
        try:
            self._move_staged()
            removed = [path for path in removed if path not in self.staged]
            for path in removed:
                (self.out / path).unlink(missing_ok=True)
            _remove_empty_parents(self.out, removed)
        finally:
            self.discard()

    def _move_staged(self) -> None:
        for path in sorted(self.staged):
            target = self.out / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / path, target)


def _holds(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _within(path: Path, folder: Path) -> str | None:
    """``path`` from ``folder`` when it is under it, else None; by text (``Path.is_relative_to``
    for each of 40,000 copies cost more than linking them)."""
    text, prefix = str(path), os.path.join(folder, "")
    return text[len(prefix):] if text.startswith(prefix) else None


def source_stamp(path: Path, immutable: Path | None = None) -> str:
    """Cheap identity of a copied file's content: its size and modification time; for a file under
    ``immutable`` (the image cache, named by the hash of the bytes and never changed), its name
    there, without a ``stat`` (40,000 of them on each build of a large archive)."""
    inside = _within(path, immutable) if immutable is not None else None
    if inside is not None:
        return "=" + inside
    info = path.stat()
    return f"{info.st_size}:{info.st_mtime_ns}"


def _files(folder: Path, same: Callable[[str], str | None] = lambda path: None) -> set[str]:
    """Every file under ``folder`` as a path from it, like ``os.walk`` lists them (a link to a
    folder is neither followed nor listed). Paths as strings, and the kind of each entry as the
    folder listing gives it: os.walk's extra lstat of each of 20,000 folders was a quarter of
    the listing. ``same``: the string already held for a path, if any, to keep instead."""
    found = set()
    pending = [(str(folder), "")]
    while pending:
        directory, prefix = pending.pop()
        try:
            entries = os.scandir(directory)
        except OSError:
            continue  # gone or unreadable, as os.walk skips it
        with entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if not is_dir:
                    path = prefix + entry.name
                    found.add(same(path) or path)
                elif not entry.is_symlink():
                    pending.append((entry.path, prefix + entry.name + "/"))
    return found


def _remove_empty_parents(out: Path, removed: list[str]) -> None:
    folders = sorted({parent for path in removed for parent in Path(path).parents if parent != Path(".")},
                     key=lambda p: len(p.parts), reverse=True)
    for folder in folders:
        try:
            (out / folder).rmdir()  # only succeeds when empty
        except OSError:
            pass
