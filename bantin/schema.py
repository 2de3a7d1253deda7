"""Typed checking of YAML mappings (front matter, site config), reporting every problem.

Each known key is a ``Field`` with a kind; values are converted to Python types
or reported at the line and column of the offending key or value. Unknown keys are
warnings that name the closest valid key, because a typo such as ``tittle`` would
otherwise silently drop the headline.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .diagnostics import Diagnostics, Location
from .yamlfile import BadScalar, MarkedList, MarkedMap, Pos


class Kind(Enum):
    TEXT = "text"
    TEXT_LIST = "a list of text"
    TEXT_OR_LIST = "text or a list of text"
    DATE = "a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM)"
    BOOL = "true or false"
    POSITIVE_INT = "a whole number above 0"
    MAPPING = "a mapping of keys to values"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = False


def describe(value: Any) -> str:
    """How an editor would name what YAML made of their value."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"text ('{value}')"


class MappingChecker:
    """Checks one YAML mapping in file ``rel`` whose text starts ``line_offset`` lines into the file."""

    def __init__(self, mapping: MarkedMap, rel: str, line_offset: int, diagnostics: Diagnostics):
        self.mapping = mapping
        self.rel = rel
        self.line_offset = line_offset
        self.diagnostics = diagnostics

    def at(self, pos: Pos) -> Location:
        return Location(self.rel, pos.line + self.line_offset, pos.col)

    def key_location(self, key: str) -> Location:
        return self.at(self.mapping.key_pos.get(key, self.mapping.pos))

    def value_location(self, key: str) -> Location:
        return self.at(self.mapping.value_pos.get(key, self.mapping.pos))

    def check(self, fields: list[Field], where: str) -> dict[str, Any]:
        """Return converted values of the known keys present; report the rest."""
        known = {f.name: f for f in fields}
        values: dict[str, Any] = {}
        for key in self.mapping:
            if key not in known:
                close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.diagnostics.warning(self.key_location(key), f"unknown {where} key '{key}'{hint}")
        for f in fields:
            if f.name not in self.mapping or self.mapping[f.name] is None:
                if f.required:
                    where_loc = (
                        self.key_location(f.name) if f.name in self.mapping else self.at(self.mapping.pos)
                    )
                    self.diagnostics.error(where_loc, f"missing required {where} field '{f.name}'")
                continue
            converted = self._convert(f, self.mapping[f.name])
            if converted is not None:
                values[f.name] = converted
        return values

    def _convert(self, f: Field, value: Any) -> Any:
        loc = self.value_location(f.name)
        if isinstance(value, BadScalar):
            what = "date" if f.kind is Kind.DATE else "value"
            self.diagnostics.error(loc, f"invalid {what} '{value.text}' for '{f.name}': {value.problem}")
            return None
        if f.kind is Kind.TEXT:
            if isinstance(value, str) and value.strip():
                return value.strip()
        elif f.kind is Kind.BOOL:
            if isinstance(value, bool):
                return value
        elif f.kind is Kind.POSITIVE_INT:
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                return value
        elif f.kind is Kind.MAPPING:
            if isinstance(value, MarkedMap):
                return value
        elif f.kind is Kind.DATE:
            return self._date(f, value, loc)
        elif f.kind in (Kind.TEXT_LIST, Kind.TEXT_OR_LIST):
            if f.kind is Kind.TEXT_OR_LIST and isinstance(value, str) and value.strip():
                return (value.strip(),)
            if isinstance(value, MarkedList):
                return self._text_list(f, value)
        self.diagnostics.error(loc, f"'{f.name}' must be {f.kind.value}, not {describe(value)}")
        return None

    def _text_list(self, f: Field, items: MarkedList) -> tuple[str, ...] | None:
        result = []
        ok = True
        for item, pos in zip(items, items.item_pos):
            if isinstance(item, str) and item.strip():
                result.append(item.strip())
            else:
                ok = False
                self.diagnostics.error(
                    self.at(pos), f"each item of '{f.name}' must be text, not {describe(item)}"
                )
        return tuple(result) if ok else None

    def _date(self, f: Field, value: Any, loc: Location) -> dt.date | dt.datetime | None:
        if isinstance(value, (dt.date, dt.datetime)):
            return value
        if isinstance(value, str):
            try:
                if "T" in value or " " in value.strip():
                    return dt.datetime.fromisoformat(value.strip())
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.diagnostics.error(
            loc,
            f"invalid date {describe(value)} for '{f.name}': write it as YYYY-MM-DD "
            "or YYYY-MM-DDTHH:MM (ISO 8601), e.g. 2020-05-23",
        )
        return None
