"""Every HTML page of the sample site passes the Nu Html Checker (vnu), errors and warnings alike.

One JVM checks every page plus two canary files (one invalid, one with a warning)
that prove the checker really runs and that its messages reach the assertions.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# A stray end tag is an error; a document without a lang attribute only gets a warning.
INVALID_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Invalid</title></head>
<body><p>Unclosed</span></p></body>
</html>
"""
WARNING_HTML = """<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>No language</title></head>
<body><p>Fine, but no lang attribute.</p></body>
</html>
"""


def _path_of(message: dict) -> Path:
    url = message.get("url", "")
    return Path(url.removeprefix("file:"))


def _is_problem(message: dict) -> bool:
    """Errors, fatal errors, I/O failures and warnings; plain "info" messages are not problems."""
    if message["type"] == "info":
        return message.get("subType") == "warning"
    return True  # "error" (with or without subType "fatal") and "non-document-error"


def _describe(message: dict, root: Path) -> str:
    path = _path_of(message)
    try:
        shown = path.relative_to(root).as_posix()
    except ValueError:
        shown = str(path)
    kind = message.get("subType") or message["type"]
    return f"{shown}:{message.get('lastLine', '?')}: {kind}: {message['message']}"


@pytest.fixture(scope="module")
def html_files(sample_site) -> list[Path]:
    return sorted(sample_site.rglob("*.html"))


@pytest.fixture(scope="module")
def canaries(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("vnu-canaries")
    files = {"invalid": folder / "invalid.html", "warning": folder / "warning.html"}
    files["invalid"].write_text(INVALID_HTML, encoding="utf-8")
    files["warning"].write_text(WARNING_HTML, encoding="utf-8")
    return files


@pytest.fixture(scope="module")
def vnu_messages(html_files, canaries) -> list[dict]:
    """The checker's messages for every site page and both canaries, from a single java run."""
    assert VNU_JAR.is_file(), f"{VNU_JAR} is missing: run `npm ci`"
    proc = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always",
         *map(str, html_files), *map(str, canaries.values())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stderr)  # vnu writes its JSON report on stderr
    return report["messages"]


def test_the_sample_site_has_the_expected_pages(sample_site, html_files):
    rel = {p.relative_to(sample_site).as_posix() for p in html_files}
    assert {"index.html", "en/index.html", "404.html", "en/404.html", "tin-tuc/index.html",
            "en/news/index.html"} <= rel


def test_checker_reports_an_error_for_invalid_html(vnu_messages, canaries):
    messages = [m for m in vnu_messages if _path_of(m) == canaries["invalid"]]
    errors = [m for m in messages if m["type"] == "error"]
    assert errors, f"vnu found no error in {canaries['invalid']}: {messages}"
    assert any("Stray end tag" in m["message"] and "span" in m["message"] for m in errors), errors


def test_checker_reports_a_warning_for_a_missing_lang(vnu_messages, canaries):
    messages = [m for m in vnu_messages if _path_of(m) == canaries["warning"]]
    assert [m["type"] for m in messages] == ["info"], messages
    assert messages[0].get("subType") == "warning"
    assert "lang" in messages[0]["message"]


def test_every_page_is_valid_html_without_warnings(vnu_messages, canaries, sample_site):
    canary_paths = set(canaries.values())
    problems = [m for m in vnu_messages if _path_of(m) not in canary_paths and _is_problem(m)]
    assert not problems, "Nu Html Checker:\n" + "\n".join(_describe(m, sample_site) for m in problems)
