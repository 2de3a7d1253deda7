"""Hugo-style shortcodes (``{{< name "id" >}}`` alone on a line) and what each renders.

A shortcode names a block that the build renders from data (a stats snapshot, a
calendar event). The Markdown stage only finds them and asks this registry; the
blocks themselves come from trusted templates, so they are inserted after
sanitizing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable

SHORTCODE_LINE = re.compile(r'^\s*\{\{<\s*([A-Za-z][\w-]*)\s+"([^"]*)"\s*>\}\}\s*$')
SHORTCODE_START = re.compile(r"^\s*\{\{<")

# Renders one block for (id, language code).
BlockRenderer = Callable[[str, str], str]


@dataclass(frozen=True)
class Shortcode:
    name: str
    what: str  # how an editor names the thing the id refers to, for messages
    source_hint: str  # where such ids come from
    exists: Callable[[str], bool]
    render: BlockRenderer
    # The folder (from the site's root) whose files its ids and blocks are made from: an article
    # that uses the shortcode is assembled again when a file there changes, and only such an
    # article (warm.world_digest, assemble.data_used).
    folder: str = ""
    # The templates its blocks are rendered with: of all the theme's templates, only these (and
    # those they pull in) can change an article's body, so editing another one (the page layout)
    # leaves every assembled article as it is (warm.world_digest).
    templates: tuple[str, ...] = ()
    # The digest of what the block of one id is made from, when that is one item of the folder (an
    # event's block shows that event alone, a stats block its snapshot): an article is then
    # assembled again when that item changes, not when any file of the folder does (see
    # ``DataDigests``).
    digest_of: Callable[[str], str] | None = None


@dataclass
class ShortcodeRegistry:
    shortcodes: dict[str, Shortcode] = field(default_factory=dict)

    def add(self, shortcode: Shortcode) -> None:
        # A block is the same wherever it stands (it depends on its data, the templates and the
        # language), and one stats snapshot or event is cited by many articles: render each once.
        blocks: dict[tuple[str, str], str] = {}

        def render_once(ident: str, lang: str, render=shortcode.render) -> str:
            if (ident, lang) not in blocks:
                blocks[ident, lang] = render(ident, lang)
            return blocks[ident, lang]

        self.shortcodes[shortcode.name] = dataclasses.replace(shortcode, render=render_once)

    def names(self) -> list[str]:
        return sorted(self.shortcodes)

    def templates(self) -> tuple[str, ...]:
        """The templates the shortcodes' blocks are rendered with (see ``Shortcode.templates``)."""
        return tuple(sorted({name for shortcode in self.shortcodes.values() for name in shortcode.templates}))

    def folders(self) -> tuple[str, ...]:
        """The data folders the shortcodes are made from (see ``Shortcode.folder``)."""
        return tuple(sorted({shortcode.folder for shortcode in self.shortcodes.values() if shortcode.folder}))


def item_digest(item: object | None, with_errors: bool) -> str:
    """A ``Shortcode.digest_of`` answer for one item of a data folder: the item as read (its repr),
    or, when there is none, whether its file is there with errors or not at all."""
    known = repr(item) if item is not None else "with errors" if with_errors else "missing"
    return hashlib.sha256(known.encode("utf-8")).hexdigest()


class DataDigests:
    """What an article can be made from besides its own file and the world (warm.world_digest), by
    key: a data folder (``Shortcode.folder``) and its digest, or ``name:id`` and the digest of that
    id's item, for a shortcode with ``digest_of``. An article records the keys of what it uses
    (assemble.data_used) and is kept while each gives the digest it recorded."""

    def __init__(self, folders: dict[str, str], registry: "ShortcodeRegistry"):
        self.folders = folders
        self.registry = registry

    def key(self, name: str, ident: str) -> str | None:
        """The key of what the block ``name`` of ``ident`` is made from (None: nothing of a folder)."""
        shortcode = self.registry.shortcodes.get(name)
        if shortcode is None or not shortcode.folder:
            return None
        return f"{name}:{ident}" if shortcode.digest_of is not None else shortcode.folder

    def get(self, key: str, default: str | None = None) -> str | None:
        if key in self.folders:
            return self.folders[key]
        name, colon, ident = key.partition(":")
        shortcode = self.registry.shortcodes.get(name)
        if colon and shortcode is not None and shortcode.digest_of is not None:
            return shortcode.digest_of(ident)
        return default


def _no_ids_yet(_id: str) -> bool:
    return False


def _nothing(_id: str, _lang: str) -> str:
    return ""


def core_registry() -> ShortcodeRegistry:
    """The shortcodes the contract defines; stats and calendar data plug in their renderers."""
    registry = ShortcodeRegistry()
    registry.add(Shortcode("stats", "stats id", "content/stats/<id>.yaml", _no_ids_yet, _nothing, "content/stats"))
    registry.add(Shortcode("event", "event id", "content/calendar/<id>.yaml", _no_ids_yet, _nothing,
                           "content/calendar"))
    return registry
