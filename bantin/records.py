"""What the frozen records of the site model share."""

from __future__ import annotations


def plain_repr(cls: type) -> type:
    """The dataclass's own repr, without the guard against reference cycles that ``dataclass``
    wraps it in (reprlib.recursive_repr): these records hold none, and fingerprints and image
    checks repr hundreds of thousands of them in a large build, where the guard was two thirds
    of a tag's repr. The text is the same."""
    cls.__repr__ = cls.__repr__.__wrapped__
    return cls
