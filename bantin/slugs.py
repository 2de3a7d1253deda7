"""URL slugs and heading ids: lowercase ASCII with Vietnamese diacritics folded and đ → d."""

from __future__ import annotations

from functools import lru_cache

from slugify import slugify as _slugify

from .textio import nfc


# Named, not "auto": "auto" first tries to import \`unidecode\` (GPL, not installed), and a failed
# import is not remembered, so every non-ASCII slug searched sys.path again (1-2 s per 10,000
# articles). Naming it also keeps slugs the same on a machine where \`unidecode\` happens to be there.
BACKEND = "text-unidecode"

# "Lạng Sơn's target" -> "lang-sons-target", not "lang-son-s-target".
APOSTROPHES = [["'", ""], ["\u2019", ""]]


# Tags, authors and headings repeat across thousands of articles, and python-slugify is slow
# (it transliterates character by character): each distinct text is slugified once.
@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    # python-slugify transliterates "đ"/"Đ" to "d" (Python-Markdown's toc slugify drops it).
    return _slugify(nfc(text), replacements=APOSTROPHES, backend=BACKEND)


@lru_cache(maxsize=65536)
def heading_id(text: str, separator: str = "-") -> str:
    """Python-Markdown toc ``slugify`` hook, so heading ids fold Vietnamese like slugs do."""
    return _slugify(nfc(text), separator=separator, replacements=APOSTROPHES, backend=BACKEND) or "muc"
