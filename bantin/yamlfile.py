"""Safe YAML loading that keeps the line and column of every key and value.

PyYAML's ``safe_load`` loses positions, silently keeps the last of duplicate keys,
accepts anchors/aliases (a "billion laughs" document expands when the build walks
it) and raises a bare ValueError for impossible dates. Here the document is
composed into nodes with the safe loader, checked, then turned into plain values
whose positions are kept in ``MarkedMap``/``MarkedList``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from sys import intern

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


_STR_TAG = "tag:yaml.org,2002:str"


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
            key = intern(key)  # (the same few names in every front matter: one text each, not 19,000)
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
    if node.tag == _STR_TAG:  # what construct_object gives a text, without its bookkeeping (300,000
        return nfc(node.value)  # scalars in 19,000 front matters: a third of their loading)
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
    if _STORE is not None and problem is None:
        _STORE.keep(text, data)
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
    that an editor saved over are let go as new ones come. A command-line build, a new process,
    finds the files earlier builds parsed in the build cache (``parsed_files_in``)."""
    found = _STORE.get(text) if _STORE is not None else None
    return (found, None) if found is not None else load_file_text(text, rel)


class ParsedFiles:
    """Data files parsed without a problem by earlier builds, by the hash of their text: a row of
    the build cache each, in the JSON form of ``encode_value`` (data, never code). Parsing the 700
    calendar and stats files of a large archive took a tenth of a second of every rebuild."""

    def __init__(self, table):
        self.table = table  # cache.KeyValueTable
        self.rows: dict[str, str] | None = None  # the whole table, read at the first question

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get(self, text: str) -> object | None:
        if self.rows is None:
            self.rows = self.table.everything()
        row = self.rows.get(self.key(text))
        return decode_value(json.loads(row)) if row is not None else None

    def put(self, text: str, value: object) -> None:
        """Kept only when its JSON form gives back the very value (positions included)."""
        try:
            encoded = encode_value(value)
        except TypeError:
            return
        decoded = decode_value(json.loads(json.dumps(encoded)))
        if decoded != value or repr(decoded) != repr(value) or encode_value(decoded) != encoded:
            return
        self.table.put(self.key(text), json.dumps(encoded, ensure_ascii=False))

    def keep(self, text: str, value: object) -> None:
        """A file loaded this build: its row kept in use, or added (it may have come from this
        process's memory: ``_load_data_file``)."""
        if self.rows is None:
            self.rows = self.table.everything()
        key = self.key(text)
        if key in self.rows:
            self.table.mark_used(key)
        else:
            self.put(text, value)


_STORE: ParsedFiles | None = None


@contextlib.contextmanager
def parsed_files_in(table):
    """Data files loaded within this block are looked for in ``table`` (a build cache table) and
    added to it; None: not kept."""
    global _STORE
    _STORE = ParsedFiles(table) if table is not None else None
    try:
        yield
    finally:
        _STORE = None


# --- the JSON form of loaded values (the build cache keeps checked front matter and data files) ---


def encode_value(value):
    """JSON values for a loaded value: scalars as they are, the rest tagged; TypeError for a value
    without a form here (the caller then keeps nothing)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, MarkedMap):
        return {"$map": [[key, encode_value(item)] for key, item in value.items()],
                "pos": _pos_list(value.pos), "key_pos": {k: _pos_list(p) for k, p in value.key_pos.items()},
                "value_pos": {k: _pos_list(p) for k, p in value.value_pos.items()}, "value_text": value.value_text}
    if isinstance(value, MarkedList):
        return {"$list": [encode_value(item) for item in value], "pos": _pos_list(value.pos),
                "item_pos": [_pos_list(p) for p in value.item_pos]}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(item) for item in value]}
    if isinstance(value, BadScalar):
        return {"$bad": [value.text, value.problem]}
    raise TypeError(f"no JSON form for {type(value).__name__}")


def decode_value(value):
    """The value ``encode_value`` gave the JSON form of."""
    if not isinstance(value, dict):
        return value
    if "$tuple" in value:
        return tuple(intern(item) if type(item) is str else decode_value(item) for item in value["$tuple"])
    if "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if "$datetime" in value:
        return dt.datetime.fromisoformat(value["$datetime"])
    if "$bad" in value:
        return BadScalar(*value["$bad"])
    if "$list" in value:
        items = MarkedList(decode_value(item) for item in value["$list"])
        items.pos, items.item_pos = Pos(*value["pos"]), [Pos(*p) for p in value["item_pos"]]
        return items
    mapping = MarkedMap((key, decode_value(item)) for key, item in value["$map"])
    mapping.pos = Pos(*value["pos"])
    mapping.key_pos = {k: Pos(*p) for k, p in value["key_pos"].items()}
    mapping.value_pos = {k: Pos(*p) for k, p in value["value_pos"].items()}
    mapping.value_text = dict(value["value_text"])
    return mapping


def _pos_list(pos: Pos) -> list[int]:
    return [pos.line, pos.col]
