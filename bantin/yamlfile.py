"""Safe YAML loading that keeps the line and column of every key and value.

PyYAML's ``safe_load`` loses positions, silently keeps the last of duplicate keys,
accepts anchors/aliases (a "billion laughs" document expands when the build walks
it) and raises a bare ValueError for impossible dates. Here the document is
composed into nodes with the safe loader, checked, then turned into plain values
whose positions are kept in ``MarkedMap``/``MarkedList``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Location
from .textio import nfc


class YamlProblem(Exception):
    def __init__(self, message: str, line: int, col: int, related_line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line  # 1-based, within the YAML text
        self.col = col
        self.related_line = related_line


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    col: int


@dataclass(frozen=True)
class BadScalar:
    """A scalar YAML could not turn into a value (e.g. the date 2020-02-30).

    Kept in place instead of failing the whole document, so the checker can report
    it with the other problems of the file.
    """

    text: str
    problem: str


class MarkedMap(dict):
    """A mapping that remembers where each key and value stood."""

    pos: Pos
    key_pos: dict[str, Pos]
    value_pos: dict[str, Pos]
    value_text: dict[str, str]  # scalar values as typed (``1.500`` stays "1.500", not 1.5)


class MarkedList(list):
    pos: Pos
    item_pos: list[Pos]


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                "YAML aliases (*name) are not allowed in content files; repeat the value instead",
                event.start_mark.line + 1,
                event.start_mark.column + 1,
            )
        event = self.peek_event()
        if getattr(event, "anchor", None):
            raise YamlProblem(
                "YAML anchors (&name) are not allowed in content files; repeat the value instead",
                event.start_mark.line + 1,
                event.start_mark.column + 1,
            )
        return super().compose_node(parent, index)


# libyaml parses about fifteen times faster than PyYAML's Python parser; thousands of front
# matters make that seconds. It is used only where it cannot differ from the Python loader:
# text without '&' or '*' (so no anchors or aliases to refuse) that it parses without error.
# Anything else goes through the Python loader, whose messages the editors see.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def load(text: str) -> object:
    """Parse one YAML document into plain values (MarkedMap/MarkedList for collections)."""
    if _FAST_LOADER is not None and "&" not in text and "*" not in text:
        loader = _FAST_LOADER(text)
        try:
            node = loader.get_single_node()
            return None if node is None else _construct(loader, node)
        except (yaml.YAMLError, YamlProblem):
            pass  # reported by the Python loader below, with its messages and positions
        finally:
            loader.dispose()
    loader = _NoAliasLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = (exc.problem or exc.context or "invalid YAML").replace("'<stream end>'", "the end")
            raise YamlProblem(f"YAML syntax error: {problem}", mark.line + 1, mark.column + 1) from None
        except yaml.YAMLError as exc:
            raise YamlProblem(f"YAML syntax error: {exc}", 1, 1) from None
        if node is None:
            return None
        return _construct(loader, node)
    finally:
        loader.dispose()


def _construct(loader: yaml.SafeLoader, node: Node) -> object:
    if isinstance(node, MappingNode):
        result = MarkedMap()
        result.pos, result.key_pos, result.value_pos, result.value_text = _pos(node), {}, {}, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("mapping keys must be plain names", *_astuple(_pos(key_node)))
            key = _construct(loader, key_node)
            if not isinstance(key, str):
                # `no:` or `2020:` as a key: YAML 1.1 makes them bool/int; keep the text the editor typed.
                key = nfc(key_node.value)
            if key in result:
                first = result.key_pos[key]
                # {offset_line} is filled in by load_file_text, which knows where the YAML starts.
                raise YamlProblem(
                    f"duplicate key '{key}' (first set on line {{offset_line}})",
                    *_astuple(_pos(key_node)),
                    related_line=first.line,
                )
            result[key] = _construct(loader, value_node)
            result.key_pos[key] = _pos(key_node)
            result.value_pos[key] = _pos(value_node)
            if isinstance(value_node, ScalarNode):
                result.value_text[key] = value_node.value
        return result
    if isinstance(node, SequenceNode):
        items = MarkedList(_construct(loader, item) for item in node.value)
        items.pos, items.item_pos = _pos(node), [_pos(item) for item in node.value]
        return items
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        return BadScalar(node.value, str(exc))
    return nfc(value) if isinstance(value, str) else value


def _astuple(pos: Pos) -> tuple[int, int]:
    return pos.line, pos.col


def load_file_text(text: str, rel: str, line_offset: int = 0) -> tuple[object, None] | tuple[None, tuple[Location, str]]:
    """Load ``text`` and turn a problem into a location in the file ``rel``.

    ``line_offset`` is the number of file lines before the YAML text (front matter).
    """
    try:
        return load(text), None
    except YamlProblem as problem:
        message = problem.message
        if problem.related_line is not None:
            message = message.replace("{offset_line}", str(problem.related_line + line_offset))
        return None, (Location(rel, problem.line + line_offset, problem.col), message)


def load_mapping_file(path, rel: str, diagnostics, not_a_mapping: str) -> MarkedMap | None:
    """Read a YAML file that must be one mapping (settings, UI strings, an event, a stats snapshot).

    Every problem (encoding, syntax, not a mapping) is reported at its place in ``rel``;
    the result is None then. ``not_a_mapping`` says what the file should hold.
    """
    from .textio import read_source  # textio is tiny; imported here to keep this module's top small

    text = read_source(path, rel, diagnostics)
    if text is None:
        return None
    data, problem = _load_data_file(text, rel)
    if problem:
        diagnostics.error(*problem)
        return None
    if not isinstance(data, MarkedMap):
        diagnostics.error(Location(rel), not_a_mapping)
        return None
    return data


@functools.lru_cache(maxsize=65536)
def _load_data_file(text: str, rel: str) -> tuple[object, None] | tuple[None, tuple[Location, str]]:
    """``load_file_text``, remembered by text: the preview parsed every calendar and stats file again
    on each save (700 files, a tenth of a second, in a large archive). Nothing changes a loaded
    value (checkers only read it), so one can be handed out again. Bounded: the versions of a file
    that an editor saved over are let go as new ones come."""
    return load_file_text(text, rel)
