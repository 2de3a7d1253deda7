"""Reading source files as NFC text, with undecodable bytes reported by line and column."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from .diagnostics import Diagnostics, Location


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read_source(path: Path, rel: str, diagnostics: Diagnostics) -> str | None:
    """Return the file's text, NFC-normalized with LF line ends, or None after reporting why not."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        diagnostics.error(
            Location(rel, line, col),
            f"file is not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
        )
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return nfc(text)
