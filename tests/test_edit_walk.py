"""Random walks of edits (tests/tools/edit_walk.py): after every step, the rebuild's output and
messages are a clean build's, on the command line and in the preview.

The hand-written cases of tests/test_quick.py and tests/test_warm_edit.py check one edit each;
a walk mixes them (several kinds in one build, edits on top of edits, mistakes and their undoing)
on a small generated corpus. Longer walks: ``python tests/tools/edit_walk.py --seed N --steps 200``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "tools"))
import edit_walk  # noqa: E402

from bantin import pipeline  # noqa: E402


@pytest.mark.parametrize("mode, seed", [("cli", 3), ("preview", 4)])
def test_after_each_step_of_a_walk_of_edits_the_output_is_a_clean_build_s(tmp_path, mode, seed):
    lines: list[str] = []
    result = edit_walk.walk(tmp_path / "walk", pairs=20, steps=24, seed=seed, mode=mode, say=lines.append)
    assert result.differences == 0, "\n".join(lines)
    assert sum(result.tried.values()) == 24
    # The walk exercised the fast paths, not only the full build (a third of the steps at least).
    assert sum(result.quick.values()) >= 8, "\n".join(lines)


def test_a_walk_gives_back_the_pipeline_s_fast_paths(tmp_path):
    real = pipeline.quick_rebuild, pipeline.warm_edit
    edit_walk.walk(tmp_path / "walk", pairs=4, steps=1, seed=1, mode="cli", say=lambda line: None)
    assert (pipeline.quick_rebuild, pipeline.warm_edit) == real


def test_a_walk_finds_a_rebuild_that_differs_from_a_clean_build(tmp_path, monkeypatch):
    # A quick path that leaves a page as it was (it writes nothing, yet says it answered) is caught
    # at the first edit it should have rendered.
    from bantin.quick import QuickResult

    def lazy(*args, **kwargs):
        return QuickResult({}, (), ())

    monkeypatch.setattr(pipeline, "quick_rebuild", lazy)
    lines: list[str] = []
    result = edit_walk.walk(tmp_path / "walk", pairs=6, steps=5, seed=1, mode="cli", say=lines.append)
    assert result.differences == 1
    assert any(line.startswith("    differs: ") for line in lines), "\n".join(lines)
