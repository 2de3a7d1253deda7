"""Problems found in sources, reported as ``PATH:LINE:COL: severity: message``.

Every stage appends to one ``Diagnostics`` collector instead of raising, so an
editor sees every mistake of a run at once (MkDocs-style), and the build stops
once, before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True, slots=True)  # slots: a large archive has 250,000 of them
class Location:
    """A place in a source file; ``path`` is relative to the site root, line and column 1-based."""

    path: str
    line: int = 1
    col: int = 1

    def shifted(self, lines: int) -> "Location":
        return Location(self.path, self.line + lines, self.col)


@dataclass(frozen=True, order=True)
class Diagnostic:
    location: Location
    severity: Severity
    message: str

    def format(self) -> str:
        loc = self.location
        return f"{loc.path}:{loc.line}:{loc.col}: {self.severity.value}: {self.message}"

    def github_annotation(self) -> str:
        loc = self.location
        # GitHub's workflow-command syntax needs %, CR and LF escaped in the message.
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity.value} file={loc.path},line={loc.line},col={loc.col}::{message}"


@dataclass
class Diagnostics:
    """Collects problems from every stage; ``strict`` turns warnings into errors."""

    strict: bool = False
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str) -> None:
        self.items.append(Diagnostic(location, Severity.ERROR, message))

    def warning(self, location: Location, message: str) -> None:
        severity = Severity.ERROR if self.strict else Severity.WARNING
        self.items.append(Diagnostic(location, severity, message))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        """Stable report order: by file, then line, whatever order the stages ran in."""
        return sorted(set(self.items))


class BuildAborted(Exception):
    """A problem that stops the build midway (an input changed under it): reported as itself at
    its own location, never as a mistake of the template that happened to be running."""

    def __init__(self, location: Location, message: str):
        super().__init__(message)
        self.location = location
