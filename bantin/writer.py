"""Writing the output: everything goes into a fresh folder that replaces the old one at the end.

A failed or interrupted build therefore never leaves a half-written site: readers
(and the deploy step) see either the previous output or the new one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

from .plan import Plan
from .render import RenderedFile


def write_site(out: Path, files: list[RenderedFile], plan: Plan,
               before_swap: Callable[[Path], None] | None = None) -> None:
    """``before_swap(folder)`` finishes the fresh folder (the search index); if it raises, the
    previous output stays in place."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.new-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for item in [*files, *plan.data_files]:
            target = staging / item.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.data)
        for copy in plan.copies:
            target = staging / copy.path
            target.parent.mkdir(parents=True, exist_ok=True)
            # Contents only: permissions and timestamps must not make two builds differ.
            shutil.copyfile(copy.source, target)
        if before_swap is not None:
            before_swap(staging)
        if out.exists():
            out.rename(old)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
