"""What each page is rendered from, reduced to one hash: the dependency graph of the build.

A page's fingerprint covers its own data (the articles, terms and pagination the
planner gave it, which is how an article edit reaches the lists, tags and feeds
it appears in), the templates it uses (its template and every template that one
extends, includes or imports), and the globals those templates read: settings and
UI strings always; ``site``, ``plan`` or a section (``calendar``, ``stats``) only
when a template in the closure names it. Equal fingerprints mean equal bytes,
which is what lets an incremental build reuse a page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import PosixPath
from types import MappingProxyType
from typing import Any, Callable

import jinja2
from jinja2 import meta

from .cache import digest
from .images import ImageAsset, Variant
from .model import Article, ArticleCard, KeptArticle, Term, body_utf8
from .plan import CopyOutput, DataOutput, PageOutput, SitemapEntry, Switch, TermCount


# Values hashed by their repr: the repr of these types says all there is to them.
_SCALARS = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, PosixPath})

# Frozen records hashed flat: each text field as it is, each other field by its repr (scalars,
# tuples and records of this table, whose dataclass repr spells out every field; checked by
# tests/test_fingerprint.py), except the fields named here, which are walked and memoized:
# a page's data, and images, which many articles can share. Walking every term and date of
# every article, with a hash each, was a quarter of a 10,000-article rebuild; the repr of a
# Vietnamese body costs more than hashing its bytes.
RECORDS: dict[type, tuple[str, ...]] = {
    PageOutput: ("data",), Article: ("images", "cover"), KeptArticle: ("images", "cover"), ArticleCard: ("cover",),
    Term: (), ImageAsset: (), Variant: (), Switch: (), TermCount: (), CopyOutput: (), DataOutput: (),
    SitemapEntry: (),
}


# Records of RECORDS with no walked field that only ever appear in one page's data, in a sequence:
# hashed flat into that page's digest (the sitemap's 20,000 entries of a large archive, one sha256 each, were a tenth of a second).
OWN_RECORDS = frozenset({SitemapEntry})


class Fingerprinter:
    """Hashes values once per build (articles appear on many pages).

    One sha256 per container (dataclass, mapping, sequence), over the reprs of its scalars
    and the hashes of its containers: a page of 20 cards costs 20 memo lookups, not the
    hashing of every title again."""

    def __init__(self, seed: dict[int, tuple[Any, str]] | None = None, keep_pages: bool = True):
        """``seed``: entries of an earlier Fingerprinter whose objects live on (warm.py);
        ``keep_pages``: keep the hash of each page too (the preview reuses the calendar's planned
        pages from one save to the next; a command-line build hashes each page once)."""
        self._memo: dict[int, tuple[Any, str]] = dict(seed) if seed else {}
        self._fields: dict[type, tuple[str, ...]] = {}
        self._keep_pages = keep_pages

    @property
    def entries(self) -> dict[int, tuple[Any, str]]:
        """id -> (value, hash) of every container hashed (each value is kept alive by its entry)."""
        return self._memo

    def of(self, value: Any) -> str:
        kind = type(value)
        if kind is str:
            return "str:" + value  # the text itself: its repr would cost more than hashing it
        if kind in _SCALARS:
            return f"{kind.__name__}:{value!r}"
        key = id(value)
        memo = self._memo.get(key)
        if memo is not None and memo[0] is value:
            return memo[1]
        walked = RECORDS.get(kind)
        if walked is not None:
            parts = ["Article" if kind is KeptArticle else kind.__name__]  # the same article, the same hash
            self._flat_fields(value, kind, walked, parts)
            for name in walked:
                if kind is PageOutput:
                    self._own_data(getattr(value, name), parts)
                else:
                    parts.append(self.of(getattr(value, name)))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = self._fields.get(kind)
            if names is None:
                names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(value))
            parts = [kind.__name__, *(self.of(getattr(value, name)) for name in names)]
        elif isinstance(value, (dict, MappingProxyType)):
            parts = ["map", *(f"{k!r}={self.of(v)}" for k, v in value.items())]
        elif isinstance(value, (list, tuple)):
            parts = ["seq", *(self.of(item) for item in value)]
        else:  # subclasses of the scalars (Markup), enums
            parts = [kind.__name__, repr(value)]
        result = digest(*parts)
        if kind is not PageOutput or self._keep_pages:
            self._memo[key] = (value, result)  # keep the value alive so its id is not reused
        return result

    def _flat_fields(self, value: Any, kind: type, walked: tuple[str, ...], parts: list[str]) -> None:
        """The fields of a record of RECORDS not walked: text as it is, the others by repr."""
        names = self._fields.get(kind)
        if names is None:
            names = self._fields[kind] = tuple(f.name for f in dataclasses.fields(value) if f.name not in walked)
        for name in names:
            if name == "body_html" and kind is Article:  # its UTF-8 as held: the same bytes as the text's, not decoded
                parts.append(b"s" + body_utf8(value))
                continue
            field_value = getattr(value, name)
            parts.append("s" + field_value if type(field_value) is str else "r" + repr(field_value))

    def _own_data(self, data: Any, parts: list[str]) -> None:
        """A page's data, hashed into the page's own digest: the mapping and its sequences belong
        to that one page, so a digest and a memo entry of their own (two per page, and one per
        sitemap entry) would be spent for nothing. Markers start with NUL, which no other part
        does (texts start with "s", reprs with "r" or a type name, hashes with a hex digit)."""
        if type(data) is not MappingProxyType and type(data) is not dict:
            parts.append(self.of(data))
            return
        parts.append("\0map")
        for key, item in data.items():
            parts.append(repr(key))
            if type(item) is tuple or type(item) is list:
                parts.append("\0seq")
                for element in item:
                    if type(element) in OWN_RECORDS:
                        parts.append("\0" + type(element).__name__)
                        self._flat_fields(element, type(element), RECORDS[type(element)], parts)
                    else:
                        parts.append(self.of(element))
                parts.append("\0end")
            else:
                parts.append(self.of(item))
        parts.append("\0end")


class TemplateGraph:
    """For each template: the templates it pulls in and the global names they read."""

    def __init__(self, env: jinja2.Environment):
        self.env = env
        self._closures: dict[str, tuple[str, frozenset[str]]] = {}

    def names_read(self) -> frozenset[str]:
        """The global names read by the templates whose closures were asked for so far."""
        return frozenset().union(*(names for _, names in self._closures.values()))

    def closure(self, name: str) -> tuple[str, frozenset[str]]:
        """(hash of the sources of every template involved, names they read from outside)."""
        if name not in self._closures:
            seen: dict[str, str] = {}
            names: set[str] = set()
            pending = [name]
            while pending:
                current = pending.pop()
                if current in seen:
                    continue
                source = self.env.loader.get_source(self.env, current)[0]
                seen[current] = source
                undeclared, references = _template_facts(self.env, source)
                names |= undeclared
                for referenced in references:
                    if referenced is None:  # a computed name: depend on every template
                        pending.extend(self.env.list_templates())
                    else:
                        pending.append(referenced)
            sources = digest(*(f"{n}\0{seen[n]}" for n in sorted(seen)))
            self._closures[name] = (sources, frozenset(names))
        return self._closures[name]


_FACTS: dict[str, tuple[frozenset[str], tuple[str | None, ...]]] = {}


def _template_facts(env: jinja2.Environment, source: str) -> tuple[frozenset[str], tuple[str | None, ...]]:
    """(global names a template reads, templates it names; None for a computed name), by its
    source: parsing every template again on each of the dev server's rebuilds took 0.2 s."""
    if source not in _FACTS:
        tree = env.parse(source)
        _FACTS[source] = (frozenset(meta.find_undeclared_variables(tree)),
                          tuple(meta.find_referenced_templates(tree)))
    return _FACTS[source]


def page_context(
    base: str,
    template_hash: str,
    used_names: frozenset[str],
    global_digests: dict[str, Callable[[], str | None]],
) -> str | None:
    """The hash of what every page of one template shares: the build's base, the template's
    closure and the globals it reads; None when one of those globals cannot be fingerprinted
    (then the page is always rendered)."""
    parts = [base, template_hash]
    for name in sorted(used_names & global_digests.keys()):
        value = global_digests[name]()
        if value is None:
            return None
        parts.append(f"{name}={value}")
    return digest(*parts)


def page_fingerprint(context: str, page_digest: str) -> str:
    """A page's fingerprint: its template context's hash and its own, side by side (128 bits of
    each). Not hashed once more: that was a sha256 per page, 22,000 on each save of a large archive."""
    return context[:32] + page_digest[:32]
