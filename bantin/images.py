"""Article and cover images: responsive variants made with Pillow, cached, and their markup.

Every raster image an article uses (JPEG, PNG, GIF, WebP, AVIF) is published as
resized variants (``WIDTHS``, never wider than the original) in WebP and in a
format every browser reads (JPEG for photos, PNG for PNG and GIF), never as the
file the editor committed, because that file carries metadata: EXIF (camera,
time, GPS position), XMP, ICC profiles and comments. Processing applies the EXIF
orientation, converts colours to sRGB when the file embeds another profile,
then encodes the pixels alone. SVG illustrations are published as they are
(``resolve_image`` has refused scripts); their size comes from ``width`` and
``height`` or the ``viewBox``.

Variants are cached in ``.bantin-cache/images/<key>/``, where the key hashes the
source bytes with every processing setting and the encoders' versions, so a
rebuild copies them instead of encoding again. The encoders are deterministic
for fixed settings, so a clean build gives the same bytes as a cached one.

The markup (``<picture>``, ``srcset``, ``sizes``, ``width``/``height``,
``loading``) is ours: it is added after the editor's HTML has been sanitized,
like shortcode blocks, so the sanitizer's allowlist stays strict (no ``srcset``
or ``<source>`` from editors).
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import os
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from PIL import Image, ImageCms, ImageOps, features

from .records import plain_repr
from .slugs import slugify

# Device pixels: a phone column at 1x, at 2x (or a desktop column at 1x), the 44rem column at 2x.
WIDTHS = (480, 960, 1600)
SRC_WIDTH = 960  # the <img src> (feed readers, browsers without srcset): the widest variant up to this
# The article column: `.wrap` is at most 46rem wide with 1rem of padding each side (style.css).
SIZES = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"
JPEG_SETTINGS = {"quality": 82, "optimize": True, "progressive": True, "subsampling": "4:2:0"}
# The PNG is the fallback few browsers fetch (WebP is the one readers get): compress it quickly.
PNG_SETTINGS = {"compress_level": 6}
WEBP_SETTINGS = {"quality": 80, "method": 4}
# PNG and GIF sources are mostly drawings and screenshots: lossless WebP keeps text sharp and is
# small for them. Quality is the effort here; above 50 it costs seconds for little.
WEBP_LOSSLESS_SETTINGS = {"lossless": True, "quality": 50, "method": 4}
SUPPORTED = {"JPEG", "MPO", "PNG", "GIF", "WEBP", "AVIF"}  # MPO: a camera JPEG with a preview frame
RASTER = "JPEG, PNG, GIF, WebP or AVIF"
READABLE = "JPEG, PNG, GIF, WebP, AVIF or SVG"
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "svg": "image/svg+xml"}
# Bump when the processing changes in a way the settings above do not show.
PROCESSING_VERSION = "1"
SVG_FILE = "image.svg"  # an SVG's own bytes in its cache entry

_SVG_TAG = re.compile(rb"""<svg\b((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+)\s*(?:px)?\s*$")


class ImageProblem(Exception):
    """What is wrong with an image file, said for the editor."""


@plain_repr
@dataclass(frozen=True)
class Variant:
    """One published file of an image."""

    name: str  # file name beside the page, e.g. "le-ra-quan-960.webp"
    width: int
    height: int
    media_type: str
    file: Path  # the bytes to publish: in the image cache, or the SVG source itself


@plain_repr
@dataclass(frozen=True)
class ImageAsset:
    """An image an article uses: the editor's file and what is published of it."""

    source: Path
    name: str  # the file name the editor wrote, e.g. "Lễ ra quân.jpg"
    slug: str  # what the published names start with, e.g. "le-ra-quan"
    variants: tuple[Variant, ...]  # the fallback format narrowest first, then WebP narrowest first

    @property
    def is_vector(self) -> bool:
        return self.variants[0].media_type == MEDIA_TYPES["svg"]

    @property
    def fallback(self) -> tuple[Variant, ...]:
        """The variants in the format every browser reads (all of them for SVG and WebP sources)."""
        first = self.variants[0].media_type
        return tuple(v for v in self.variants if v.media_type == first)

    @property
    def webp(self) -> tuple[Variant, ...]:
        """The WebP variants offered in a <source> before the fallback (none when the fallback is WebP)."""
        fallback = self.fallback  # (once, not once a variant)
        return tuple(v for v in self.variants if v.media_type == MEDIA_TYPES["webp"] and v not in fallback)

    @property
    def src(self) -> Variant:
        fallback = self.fallback
        return next((v for v in reversed(fallback) if v.width <= SRC_WIDTH), fallback[0])

    @property
    def share(self) -> Variant:
        """The file for Open Graph and JSON-LD: the widest in the common format."""
        return self.fallback[-1]


def published_slug(name: str) -> str:
    """The start of every published file name of an image: ASCII, safe in srcset."""
    return slugify(name.rsplit(".", 1)[0]) or "image"


class ImageProcessor:
    """Turns image files into published variants, through the cache, for one build."""

    def __init__(self, cache_dir: Path, reuse: bool = True):
        self.cache_dir = cache_dir
        self.reuse = reuse  # False (--clean): encode again and replace what the cache holds
        self.used: set[str] = set()
        self._results: dict[str, tuple[list[dict], str | None]] = {}  # key -> (manifest variants, problem)
        self._assets: dict[tuple[Path, str], tuple[ImageAsset | None, str | None]] = {}
        # (src as written, article folder) -> resolve_image's answer, filled by markdown_render.
        self.resolved: dict[tuple[str, Path], tuple[Path | None, str | None]] = {}

    def asset(self, source: Path, written: str) -> tuple[ImageAsset | None, str | None]:
        """(the published image, None) or (None, what is wrong); ``written`` is how the editor named it.
        Asked once per file and spelling per build: a logo can stand in thousands of articles."""
        key = (source, written)
        if key not in self._assets:
            self._assets[key] = self._asset(source, written)
        return self._assets[key]

    def _asset(self, source: Path, written: str) -> tuple[ImageAsset | None, str | None]:
        name = source.name
        slug = published_slug(name)
        try:
            data = source.read_bytes()
        except OSError as exc:
            return None, f"image '{written}' cannot be read: {exc.strerror}"
        if source.suffix.lower() == ".svg":
            try:
                width, height = svg_size(data)
            except ImageProblem as problem:
                return None, str(problem).format(written=written)
            variant = Variant(f"{slug}.svg", width, height, MEDIA_TYPES["svg"], self._kept_svg(data))
            return ImageAsset(source, name, slug, (variant,)), None
        key = _cache_key(data)
        if key not in self._results:
            self._results[key] = self._variants(key, data)
        entries, problem = self._results[key]
        if problem:
            return None, problem.format(written=written)
        self.used.add(key)
        variants = tuple(
            Variant(f"{slug}-{e['width']}.{e['ext']}", e["width"], e["height"], MEDIA_TYPES[e["ext"]],
                    self.cache_dir / key / e["file"])
            for e in entries
        )
        return ImageAsset(source, name, slug, variants), None

    def _kept_svg(self, data: bytes) -> Path:
        """The SVG's bytes in the cache, by their hash, published by a hard link like the variants of
        other images: the editor's file can change in place, this copy never does (an SVG figure
        beside each article of a large archive was 40,000 new files to write on every clean build)."""
        key = _cache_key(data)
        file = self.cache_dir / key / SVG_FILE
        if key not in self.used and (not self.reuse or not file.is_file()):
            _write_folder(self.cache_dir / key, {SVG_FILE: data})
        self.used.add(key)
        return file

    def _variants(self, key: str, data: bytes) -> tuple[list[dict], str | None]:
        entry = self.cache_dir / key
        if self.reuse:
            cached = _read_manifest(entry)
            if cached is not None:
                return cached, None
        try:
            encoded = encode_variants(data)
        except ImageProblem as problem:
            return [], str(problem)
        return _write_entry(entry, encoded), None

    def prune(self) -> None:
        """Forget the variants of images no page used in this build (deleted or edited files)."""
        if not self.cache_dir.is_dir():
            return
        for entry in self.cache_dir.iterdir():
            # Dot-names are entries another build is still writing (see _write_entry).
            if entry.name not in self.used and not entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)


def _cache_key(data: bytes) -> str:
    h = hashlib.sha256(_settings().encode("utf-8"))
    h.update(b"\0")
    h.update(data)
    return h.hexdigest()


@functools.cache
def _settings() -> str:
    """Everything besides the source bytes that decides the variants' bytes."""
    return json.dumps(
        {
            "version": PROCESSING_VERSION,
            "pillow": Image.__version__,
            "libraries": [features.version(n) for n in ("libjpeg_turbo", "zlib", "webp", "littlecms2", "avif")],
            "widths": WIDTHS,
            "jpeg": JPEG_SETTINGS,
            "png": PNG_SETTINGS,
            "webp": WEBP_SETTINGS,
            "webp_lossless": WEBP_LOSSLESS_SETTINGS,
        },
        sort_keys=True,
    )


def _read_manifest(entry: Path) -> list[dict] | None:
    """The entry's variants, or None when it is missing or not exactly what ``_write_entry`` writes."""
    try:
        variants = json.loads((entry / "manifest.json").read_text(encoding="utf-8"))["variants"]
        valid = bool(variants) and all(
            v["ext"] in MEDIA_TYPES and v["file"] == f"{v['width']}.{v['ext']}"
            and type(v["width"]) is int and type(v["height"]) is int and (entry / v["file"]).is_file()
            for v in variants
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return variants if valid else None


def _write_entry(entry: Path, encoded: list[tuple[str, int, int, bytes]]) -> list[dict]:
    """Write a cache entry whole into a temporary folder, then rename it into place."""
    variants = [
        {"file": f"{width}.{ext}", "ext": ext, "width": width, "height": height}
        for ext, width, height, _ in encoded
    ]
    files = {variant["file"]: data for variant, (_, _, _, data) in zip(variants, encoded)}
    _write_folder(entry, {**files, "manifest.json": json.dumps({"variants": variants}).encode("utf-8")})
    return variants


def _write_folder(entry: Path, files: dict[str, bytes]) -> None:
    """A cache entry written whole into a temporary folder, then renamed into place."""
    temporary = entry.with_name(f".{entry.name}-{os.getpid()}")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    for name, data in files.items():
        (temporary / name).write_bytes(data)
    shutil.rmtree(entry, ignore_errors=True)
    try:
        temporary.rename(entry)
    except OSError:  # another build wrote the same entry meanwhile: same bytes, keep theirs
        shutil.rmtree(temporary, ignore_errors=True)


# --- Pillow -------------------------------------------------------------------------------------


def encode_variants(data: bytes) -> list[tuple[str, int, int, bytes]]:
    """(extension, width, height, bytes) of every variant: the fallback format, then WebP."""
    image, source_format = _open(data)
    width, height = image.size
    widths = sorted({min(w, width) for w in WIDTHS})
    has_alpha = image.mode == "RGBA"
    if source_format == "WEBP":
        formats = ["webp"]
    elif source_format in ("PNG", "GIF") or has_alpha:
        formats = ["png", "webp"]
    else:
        formats = ["jpg", "webp"]
    lossless = source_format in ("PNG", "GIF")
    resized = {}
    for w in widths:
        h = max(1, round(height * w / width))
        scaled = image if w == width else image.resize((w, h), Image.Resampling.LANCZOS, reducing_gap=3.0)
        # Only the pixels: a new image carries no info (EXIF, XMP, ICC, comments) for an encoder to copy.
        resized[w] = Image.frombytes(scaled.mode, scaled.size, scaled.tobytes())
    return [(ext, w, resized[w].height, _encode(resized[w], ext, lossless)) for ext in formats for w in widths]


def _open(data: bytes):
    """The decoded image, upright, in sRGB, as RGB, RGBA or L; and its file format."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in SUPPORTED:
                raise ImageProblem(f"image '{{written}}' is a {image.format} file: use {READABLE}")
            if getattr(image, "is_animated", False) and image.format != "MPO":
                raise ImageProblem("image '{written}' is animated: use a still image")
            image.load()
            source_format = "JPEG" if image.format == "MPO" else image.format
            icc = image.info.get("icc_profile")
            upright = ImageOps.exif_transpose(image)
            return _to_srgb(upright, icc), source_format
        except ImageProblem:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageProblem(
                f"image '{{written}}' is too large to process (over {Image.MAX_IMAGE_PIXELS // 1_000_000} megapixels):"
                f" export it smaller"
            ) from None
        except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, struct.error…)
            raise ImageProblem(
                f"image '{{written}}' cannot be read: the file is damaged or is not a {RASTER} image"
            ) from None


def _to_srgb(image, icc: bytes | None):
    alpha = None
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        image = image.convert("RGBA")
        alpha = image.getchannel("A")
        image = image.convert("RGB")
    elif image.mode.startswith("I;16"):
        image = image.point(lambda value: value / 257).convert("L")  # 16-bit grey: scale, do not clip
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if "sRGB" not in ImageCms.getProfileDescription(profile):
                image = ImageCms.profileToProfile(
                    image, profile, ImageCms.createProfile("sRGB"), outputMode="L" if image.mode == "L" else "RGB"
                )
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # an unreadable or mismatched profile: read the pixels as sRGB
    if image.mode == "CMYK":
        image = image.convert("RGB")
    if alpha is not None:
        image = image.convert("RGB")
        image.putalpha(alpha)
        if alpha.getextrema() == (255, 255):  # fully opaque after all
            image = image.convert("RGB")
    return image


def _encode(image, ext: str, lossless: bool) -> bytes:
    out = io.BytesIO()
    if ext == "jpg":
        image.save(out, "JPEG", **JPEG_SETTINGS)
    elif ext == "png":
        image.save(out, "PNG", **PNG_SETTINGS)
    else:
        image.save(out, "WEBP", **(WEBP_LOSSLESS_SETTINGS if lossless else WEBP_SETTINGS))
    return out.getvalue()


def svg_size(data: bytes) -> tuple[int, int]:
    """Width and height of an SVG from its <svg> tag: width/height in px, else the viewBox."""
    tag = _SVG_TAG.search(data)
    if tag is None:
        raise ImageProblem("'{written}' is not an SVG file (no <svg> element)")
    attributes = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTRIBUTE.finditer(tag.group(1).decode("utf-8", "replace"))
    }
    width, height = (_length(attributes.get(key)) for key in ("width", "height"))
    box = _view_box(attributes.get("viewbox"))
    if width and height:
        return round(width), round(height)
    if box:
        box_width, box_height = box
        if width:
            return round(width), round(width * box_height / box_width)
        if height:
            return round(height * box_width / box_height), round(height)
        return round(box_width), round(box_height)
    raise ImageProblem(
        "SVG image '{written}' has no size: give its <svg> tag width and height in pixels or a viewBox"
    )


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match and float(match.group(1)) > 0 else None


def _view_box(value: str | None) -> tuple[float, float] | None:
    try:
        _, _, width, height = (float(part) for part in (value or "").replace(",", " ").split())
    except ValueError:
        return None
    return (width, height) if width > 0 and height > 0 else None


# --- Markup -------------------------------------------------------------------------------------


def _attr(value: str) -> str:
    return html.escape(value, quote=False).replace('"', "&quot;")


def picture_html(image: ImageAsset, alt: str, *, first: bool = False, extra: dict[str, str] | None = None) -> str:
    """The <img> (in a <picture> when there is a WebP <source>) for ``image``.

    ``first``: the first image of the page, which the browser should fetch at once rather
    than lazily; ``extra``: further attributes for the <img> (title, id, class, lang).
    """
    src = image.src
    attributes = [("src", src.name)]
    if not image.is_vector:
        attributes += [("srcset", _srcset(image.fallback)), ("sizes", SIZES)]
    attributes += [("width", str(src.width)), ("height", str(src.height)), ("alt", alt)]
    attributes += sorted((extra or {}).items())
    attributes += [("fetchpriority", "high")] if first else [("loading", "lazy")]
    attributes.append(("decoding", "async"))
    img = "<img " + " ".join(f'{key}="{_attr(value)}"' for key, value in attributes) + ">"
    if not image.webp:
        return img
    source = f'<source type="image/webp" srcset="{_attr(_srcset(image.webp))}" sizes="{_attr(SIZES)}">'
    return f"<picture>{source}{img}</picture>"


def picture(image: ImageAsset, alt: str | None, first: bool = False) -> Markup:
    """``picture_html`` for templates (the cover; its alt text is missing only in a build that fails)."""
    return Markup(picture_html(image, alt or "", first=first))


def _srcset(variants: tuple[Variant, ...]) -> str:
    return ", ".join(f"{v.name} {v.width}w" for v in variants)


_IMG = re.compile(r'<img\s((?:[^>"]|"[^"]*")*)>')
_IMG_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
KEPT_ATTRIBUTES = ("title", "id", "class", "lang")  # what the sanitizer lets editors put on an image


def responsive_images(sanitized: str, images: dict[str, ImageAsset], first_is_eager: bool) -> str:
    """Replace each <img> of a sanitized body (its src is the image's slug) by our markup.

    Only Markdown images reach here as <img>: a raw <img> tag is an error before
    Markdown runs, and the sanitizer has dropped <picture>, <source> and srcset.
    """
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        attributes = {k: html.unescape(v) for k, v in _IMG_ATTRIBUTE.findall(match.group(1))}
        image = images.get(attributes.get("src", ""))
        if image is None:
            return match.group(0)  # its file had a problem, already reported
        count += 1
        extra = {k: attributes[k] for k in KEPT_ATTRIBUTES if k in attributes}
        return picture_html(image, attributes.get("alt", ""), first=first_is_eager and count == 1, extra=extra)

    return _IMG.sub(replace, sanitized)
