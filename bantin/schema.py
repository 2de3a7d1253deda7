"""Typed checking of YAML mappings (front matter, site config), reporting every problem.

Each known key is a ``Field`` with a kind; values are converted to Python types
or reported at the line and column of the offending key or value. Unknown keys are
warnings that name the closest valid key, because a typo such as ``tittle`` would
otherwise silently drop the headline.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
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
    LIST = "a list"
    NUMBER = "a number"  # int, or Decimal read from the digits as typed
    LOCALIZED = "text in each language (a mapping such as {vi: …, en: …})"  # then see MappingChecker.localized


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
        elif f.kind in (Kind.MAPPING, Kind.LOCALIZED):
            if isinstance(value, MarkedMap):
                return value
        elif f.kind is Kind.LIST:
            if isinstance(value, MarkedList):
                return value
        elif f.kind is Kind.NUMBER:
            number = self._number(f, value)
            if number is not None:
                return number
            hint = _number_text_hint(value) if isinstance(value, str) else ""
            self.diagnostics.error(loc, f"'{f.name}' must be {f.kind.value}, not {describe(value)}{hint}")
            return None
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

    def localized(self, key: str, codes: tuple[str, ...], where: str, required: bool = True) -> dict[str, str] | None:
        """Text given once per language, ``key: {vi: …, en: …}``; no language may lack it."""
        value = self.mapping.get(key)
        if value is None:
            if required:
                at = self.key_location(key) if key in self.mapping else self.at(self.mapping.pos)
                self.diagnostics.error(at, f"missing required {where} field '{key}'")
            return None
        example = ", ".join(f"{code}: …" for code in codes)
        if not isinstance(value, MarkedMap):
            message = f"'{key}' must be {Kind.LOCALIZED.value}, not {describe(value)}"
            self.diagnostics.error(self.value_location(key), message)
            return None
        inner = MappingChecker(value, self.rel, self.line_offset, self.diagnostics)
        texts: dict[str, str] = {}
        for code in value:
            if code not in codes:
                known = ", ".join(codes)
                message = f"unknown language '{code}' in '{key}' (known: {known})"
                self.diagnostics.warning(inner.key_location(code), message)
        for code in codes:
            text = value.get(code)
            if isinstance(text, str) and text.strip():
                texts[code] = text.strip()
            elif text is None or (isinstance(text, str) and not text.strip()):
                self.diagnostics.error(
                    self.key_location(key), f"'{key}' has no '{code}' text: write it in every language ({{{example}}})"
                )
            else:
                self.diagnostics.error(
                    inner.value_location(code), f"'{key}' in '{code}' must be text, not {describe(text)}"
                )
        return texts if len(texts) == len(codes) else None

    def _number(self, f: Field, value: Any) -> int | Decimal | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            # The digits as typed, not the float: 0.1 stays exactly 0.1, and "1.500" keeps its zeros
            # so that a checker can tell a thousands separator from a decimal point.
            typed = getattr(self.mapping, "value_text", {}).get(f.name, repr(value)).replace("_", "")
            try:
                number = Decimal(typed)
            except InvalidOperation:
                number = Decimal(repr(value))
            return number if number.is_finite() else None
        return None


THOUSANDS = re.compile(r"\d{1,3}(?:[.,\u00a0 ]\d{3})+")


def _number_text_hint(text: str) -> str:
    """What to do about a number YAML read as text."""
    text = text.strip()
    if THOUSANDS.fullmatch(text):  # "17.000" in Vietnamese is seventeen thousand
        digits = re.sub(r"\D", "", text)
        return f": write {digits}, without thousands separators"
    if re.fullmatch(r"[+-]?\d+(?:\.\d+)?", text):
        return ": remove the quotes"
    return ""
