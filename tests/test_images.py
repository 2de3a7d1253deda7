"""Article and cover images: resized variants, WebP, exact markup, metadata stripped, errors, cache.

The sample site has only SVG illustrations, so the photos here are made with Pillow in
the tests: a JPEG with EXIF (camera, GPS position, orientation), XMP, an ICC profile and
a comment; a PNG with transparency, text chunks and EXIF; and broken files.
"""

from __future__ import annotations

import io
import json
import subprocess
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from bantin.images import SIZES
from bantin.writer import source_stamp
from conftest import REPO, run_build, serve_folder

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BASE = "https://bantin.example.org/"  # site_config.yaml's base_url
PAGE = "public/tin-tuc/bai-co-anh/index.html"
FOLDER = "public/tin-tuc/bai-co-anh"
GPS = {1: "N", 2: (21.0, 50.0, 30.0), 3: "E", 4: (106.0, 45.0, 15.0)}  # Lạng Sơn
SECRET = "BantinCam-secret"  # written into every kind of metadata; must not reach readers


def other_rgb_profile() -> bytes:
    """An RGB ICC profile that does not call itself sRGB (so it is converted, not just dropped)."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return srgb.replace("sRGB".encode("utf-16-be"), "Test".encode("utf-16-be"))


def camera_jpeg(width: int, height: int, orientation: int = 1) -> bytes:
    """A photo as a phone saves it: left half red, right half blue as stored, and metadata."""
    image = Image.new("RGB", (width, height), (220, 30, 30))
    image.paste((30, 30, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = SECRET  # Make
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif, comment=SECRET.encode(), icc_profile=other_rgb_profile(),
               xmp=f'<x:xmpmeta xmlns:x="adobe:ns:meta/">{SECRET}</x:xmpmeta>'.encode())
    return out.getvalue()


def transparent_png(width: int, height: int) -> bytes:
    image = Image.new("RGBA", (width, height), (0, 120, 60, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("XML:com.adobe.xmp", SECRET)
    exif = Image.Exif()
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


def noisy_jpeg(width: int = 400, height: int = 300) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((width, height), 64).convert("RGB").save(out, "JPEG", quality=95)
    return out.getvalue()


ARTICLE = """\
---
title: Bài có ảnh
date: 2020-05-23
image: bia.jpg
image_alt: Ảnh bìa
---

Đoạn mở đầu.

![Lễ ra quân](le-ra-quan.jpg "Chú thích")

![Biểu đồ "nhỏ"](bieu-do.png)

![Sơ đồ](so-do.svg)
"""

NO_COVER = """\
---
title: Bài không bìa
date: 2020-05-22
---

![Ảnh đầu](le-ra-quan.jpg)

![Ảnh sau](bieu-do.png)
"""


@pytest.fixture
def photo_site(site_factory):
    return site_factory({
        "content/articles/a.vi.md": ARTICLE,
        "content/articles/b.vi.md": NO_COVER,
        # Stored 2000×1200 with orientation 6 ("rotate 90° clockwise"): shown 1200×2000.
        "content/media/le-ra-quan.jpg": camera_jpeg(2000, 1200, orientation=6),
        "content/media/bia.jpg": camera_jpeg(2000, 1125),
        "content/media/bieu-do.png": transparent_png(300, 200),
        "content/media/so-do.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 640 360"/>',
    })


def picture(slug: str, ext: str, sizes: list[tuple[int, int]], src_width: int, rest: str) -> str:
    srcset = ", ".join(f"{slug}-{w}.{{ext}} {w}w" for w, _ in sizes)
    height = dict(sizes)[src_width]
    return (
        f'<picture><source type="image/webp" srcset="{srcset.format(ext="webp")}" sizes="{SIZES}">'
        f'<img src="{slug}-{src_width}.{ext}" srcset="{srcset.format(ext=ext)}" sizes="{SIZES}"'
        f' width="{src_width}" height="{height}" {rest}></picture>'
    )


def test_variants_in_webp_and_the_original_format_never_upscaled(photo_site, capsys):
    result = run_build(photo_site, "build", "--quiet", capsys=capsys)
    assert (result.code, result.err) == (0, "")
    published = sorted(p.name for p in (photo_site / FOLDER).iterdir() if p.name != "index.html")
    assert published == [
        "bia-1600.jpg", "bia-1600.webp", "bia-480.jpg", "bia-480.webp", "bia-960.jpg", "bia-960.webp",
        # 1200 px wide once upright: no 1600 variant, the widest is the original width.
        "bieu-do-300.png", "bieu-do-300.webp",  # narrower than every width: published at its own size only
        "le-ra-quan-1200.jpg", "le-ra-quan-1200.webp", "le-ra-quan-480.jpg", "le-ra-quan-480.webp",
        "le-ra-quan-960.jpg", "le-ra-quan-960.webp",
        "so-do.svg",
    ]  # never the files the editor committed (they carry the metadata)
    sizes = {name: Image.open(photo_site / FOLDER / name).size for name in published if not name.endswith(".svg")}
    assert sizes["le-ra-quan-480.jpg"] == sizes["le-ra-quan-480.webp"] == (480, 800)
    assert sizes["le-ra-quan-960.jpg"] == (960, 1600)
    assert sizes["le-ra-quan-1200.jpg"] == sizes["le-ra-quan-1200.webp"] == (1200, 2000)
    assert sizes["bia-1600.jpg"] == (1600, 900) and sizes["bia-480.webp"] == (480, 270)
    assert sizes["bieu-do-300.png"] == sizes["bieu-do-300.webp"] == (300, 200)
    formats = {name: Image.open(photo_site / FOLDER / name).format for name in sizes}
    assert {name.rsplit(".", 1)[1]: f for name, f in formats.items()} == {"jpg": "JPEG", "webp": "WEBP", "png": "PNG"}
    assert Image.open(photo_site / FOLDER / "bieu-do-300.webp").mode == "RGBA"  # transparency kept


def test_markup_is_exact_and_only_the_first_image_is_eager(photo_site, capsys):
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    page = (photo_site / PAGE).read_text(encoding="utf-8")
    # The cover is shown above the body: it is the page's first image.
    cover = picture("bia", "jpg", [(480, 270), (960, 540), (1600, 900)], 960,
                    'alt="Ảnh bìa" fetchpriority="high" decoding="async"')
    assert f'<figure class="cover">\n{cover}\n</figure>' in page
    photo = picture("le-ra-quan", "jpg", [(480, 800), (960, 1600), (1200, 2000)], 960,
                    'alt="Lễ ra quân" loading="lazy" decoding="async"')
    assert f"<figure>{photo}<figcaption>Chú thích</figcaption>" in page
    chart = picture("bieu-do", "png", [(300, 200)], 300,
                    'alt="Biểu đồ &quot;nhỏ&quot;" loading="lazy" decoding="async"')
    assert f"<p>{chart}</p>" in page
    svg = '<img src="so-do.svg" width="640" height="360" alt="Sơ đồ" loading="lazy" decoding="async">'
    assert f"<p>{svg}</p>" in page
    assert page.count("<img ") == 4 and page.count('loading="lazy"') == 3 and page.count("fetchpriority") == 1
    assert f'<meta property="og:image" content="{BASE}tin-tuc/bai-co-anh/bia-1600.jpg">' in page
    assert f'"image": ["{BASE}tin-tuc/bai-co-anh/bia-1600.jpg"]' in page
    # Without a cover, the first body image is the page's first image.
    other = (photo_site / "public/tin-tuc/bai-khong-bia/index.html").read_text(encoding="utf-8")
    first = picture("le-ra-quan", "jpg", [(480, 800), (960, 1600), (1200, 2000)], 960,
                    'alt="Ảnh đầu" fetchpriority="high" decoding="async"')
    assert f"<p>{first}</p>" in other
    assert other.count('loading="lazy"') == 1 and other.count("fetchpriority") == 1


def test_metadata_is_stripped_from_every_published_image(photo_site, capsys):
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    rasters = sorted(p for p in (photo_site / "public").rglob("*") if p.suffix in (".jpg", ".png", ".webp"))
    assert len(rasters) == 14 + 8  # both articles' folders
    for path in rasters:
        data = path.read_bytes()
        assert SECRET.encode() not in data, path
        for marker in (b"Exif\0\0", b"eXIf", b"http://ns.adobe.com/xap", b"<x:xmpmeta", b"ICC_PROFILE", b"iCCP",
                       b"tEXt", b"iTXt", b"zTXt"):
            assert marker not in data, (path, marker)
        with Image.open(path) as image:
            assert len(image.getexif()) == 0, path
            assert image.getexif().get_ifd(0x8825) == {}, path  # no GPS position
            left = {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"} & set(image.info)
            assert not left, (path, image.info)
            assert not getattr(image, "text", {}), path
    # The orientation was applied before the EXIF went: stored left (red) is now the top.
    upright = Image.open(photo_site / FOLDER / "le-ra-quan-480.jpg").convert("RGB")
    red, blue = upright.getpixel((240, 200)), upright.getpixel((240, 600))
    assert red[0] > 180 and red[2] < 80, red
    assert blue[2] > 180 and blue[0] < 80, blue


def test_picture_markup_is_valid_html(photo_site, capsys, tmp_path):
    if not VNU_JAR.is_file():
        pytest.fail(f"{VNU_JAR} is missing: run `npm ci`")
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    proc = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always",
         str(photo_site / PAGE), str(photo_site / "public/tin-tuc/bai-khong-bia/index.html")],
        capture_output=True, text=True, timeout=120,
    )
    messages = json.loads(proc.stderr)["messages"]
    assert [m for m in messages if m["type"] != "info" or m.get("subType") == "warning"] == []


def test_second_build_takes_every_variant_from_the_cache(photo_site, capsys, monkeypatch):
    saves = []
    real_save = Image.Image.save

    def counting_save(self, fp, format=None, **params):  # noqa: A002  (Pillow's own parameter name)
        saves.append(format)
        return real_save(self, fp, format, **params)

    monkeypatch.setattr(Image.Image, "save", counting_save)
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    assert sorted(set(saves)) == ["JPEG", "PNG", "WEBP"] and len(saves) == 14  # each image once for both articles
    first = {p.relative_to(photo_site): p.read_bytes() for p in (photo_site / "public").rglob("*.*p*g")}
    entries = sorted(p.name for p in (photo_site / ".bantin-cache/images").iterdir())
    assert len(entries) == 4  # one per raster image, keyed by its content and the settings, and the SVG's bytes
    svg_entries = [e for e in entries if (photo_site / ".bantin-cache/images" / e / "image.svg").is_file()]
    assert len(svg_entries) == 1

    saves.clear()
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    assert saves == []  # nothing encoded again
    second = {p.relative_to(photo_site): p.read_bytes() for p in (photo_site / "public").rglob("*.*p*g")}
    assert second == first

    # --clean encodes again, to the same bytes (the encoders are deterministic for fixed settings).
    assert run_build(photo_site, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert len(saves) == 14
    assert {p.relative_to(photo_site): p.read_bytes() for p in (photo_site / "public").rglob("*.*p*g")} == first

    # Editing a photo makes a new entry; the old one is dropped after a successful build.
    (photo_site / "content/media/bieu-do.png").write_bytes(transparent_png(320, 200))
    saves.clear()
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    assert len(saves) == 2  # only the edited image: one PNG and one WebP
    assert (photo_site / FOLDER / "bieu-do-320.webp").is_file()
    assert not (photo_site / FOLDER / "bieu-do-300.webp").exists()
    after = sorted(p.name for p in (photo_site / ".bantin-cache/images").iterdir())
    assert len(after) == 4 and len(set(after) - set(entries)) == 1


def test_broken_and_unsupported_images_are_reported_where_they_are_used(site_factory, capsys):
    truncated = noisy_jpeg()
    bmp, animated = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (8, 8)).save(bmp, "BMP")
    frames = [Image.new("RGB", (8, 8), color) for color in ("red", "blue")]
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100)
    root = site_factory({
        "content/articles/a.vi.md": (
            "---\ntitle: Bài\ndate: 2020-05-23\nimage: hong-bia.webp\nimage_alt: Bìa\n---\n\n"
            "![Hỏng](hong.jpg)\n\n"
            "Chữ ![Cắt dở](cat-do.jpg) chữ\n\n"
            "![BMP](anh.png)\n\n"
            "![Động](dong.gif)\n\n"
            "![Không cỡ](khong-co.svg)\n\n"
            "![Không phải SVG](gia.svg)\n\n"
            "![Một](mot.png)\n\n"
            "![Trùng](Mot.jpg)\n"
        ),
        "content/articles/hong.jpg": b"this is not a JPEG",
        "content/articles/hong-bia.webp": b"RIFF\0\0\0\0WEBPVP8 ",
        "content/articles/cat-do.jpg": truncated[: len(truncated) // 2],
        "content/articles/anh.png": bmp.getvalue(),
        "content/articles/dong.gif": animated.getvalue(),
        "content/articles/khong-co.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="100%"/>',
        "content/articles/gia.svg": "<html></html>",
        "content/articles/mot.png": transparent_png(8, 8),
        "content/articles/Mot.jpg": noisy_jpeg(),
    })
    result = run_build(root, "check", capsys=capsys)
    assert result.code == 1
    damaged = "cannot be read: the file is damaged or is not a JPEG, PNG, GIF, WebP or AVIF image"
    assert result.errors == [
        f"content/articles/a.vi.md:4:1: error: image 'hong-bia.webp' {damaged}",  # the cover's `image:` line
        f"content/articles/a.vi.md:8:1: error: image 'hong.jpg' {damaged}",
        f"content/articles/a.vi.md:10:5: error: image 'cat-do.jpg' {damaged}",
        "content/articles/a.vi.md:12:1: error: image 'anh.png' is a BMP file: use JPEG, PNG, GIF, WebP, AVIF or SVG",
        "content/articles/a.vi.md:14:1: error: image 'dong.gif' is animated: use a still image",
        "content/articles/a.vi.md:16:1: error: SVG image 'khong-co.svg' has no size: "
        "give its <svg> tag width and height in pixels or a viewBox",
        "content/articles/a.vi.md:18:1: error: 'gia.svg' is not an SVG file (no <svg> element)",
        "content/articles/a.vi.md:22:1: error: two different images ('mot.png' and 'Mot.jpg') "
        "would be published under one name in one article; rename one",
    ]
    # Only the good image was processed; a broken file leaves nothing in the cache and is checked again next time.
    assert len(list((root / ".bantin-cache/images").iterdir())) == 1


def test_cover_shown_in_the_body_is_published_once_and_the_body_image_is_first(site_factory, capsys):
    root = site_factory({
        "content/articles/a.vi.md": (
            "---\ntitle: Bài có ảnh\ndate: 2020-05-23\nimage: anh.jpg\nimage_alt: Bìa\n---\n\n"
            "Mở đầu.\n\n![Ảnh](anh.jpg)\n"
        ),
        "content/articles/anh.jpg": noisy_jpeg(),
    })
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    page = (root / PAGE).read_text(encoding="utf-8")
    assert 'class="cover"' not in page
    assert page.count("<img ") == 1 and 'alt="Ảnh" fetchpriority="high"' in page
    assert sorted(p.name for p in (root / FOLDER).iterdir()) == ["anh-400.jpg", "anh-400.webp", "index.html"]


@pytest.fixture
def served_photo_site(photo_site, capsys):
    """The photo site built and served on 127.0.0.1 (a free port) for the browser."""
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    with serve_folder(photo_site / "public", "photo-site-server") as url:
        yield url


@pytest.mark.browser
def test_browser_picks_webp_by_width_and_reserves_the_space(browser, served_photo_site):
    context = browser.new_context(viewport={"width": 390, "height": 700}, device_scale_factor=2)
    try:
        page = context.new_page()
        held = []
        page.route("**/le-ra-quan-*", lambda route: held.append(route))  # never answered: stays "loading"
        page.goto(served_photo_site + "tin-tuc/bai-co-anh/", wait_until="domcontentloaded")
        cover = page.locator("figure.cover img")
        cover.evaluate("img => img.decode()")
        # 390 px wide at 2x: the column is 358 CSS px, so 716 device px -> the 960 px WebP.
        assert cover.evaluate("img => img.currentSrc").endswith("/tin-tuc/bai-co-anh/bia-960.webp")
        # The photo has not arrived, yet its box already has the photo's shape (no layout shift).
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        for _ in range(50):
            if held:
                break
            page.wait_for_timeout(100)
        assert [urlsplit(route.request.url).path for route in held] == ["/tin-tuc/bai-co-anh/le-ra-quan-960.webp"]
        photo = page.locator("figure:not(.cover) img")
        assert photo.evaluate("img => img.complete") is False
        box = photo.bounding_box()
        assert box["width"] == 358 and abs(box["height"] - 358 * 2000 / 1200) < 1, box
    finally:
        context.close()


def test_cover_and_body_image_that_would_share_published_names(site_factory, capsys):
    root = site_factory({
        "content/articles/a.vi.md": "---\ntitle: Bài\ndate: 2020-05-23\nimage: Bia.png\nimage_alt: Bìa\n---\n\n"
                                    "![Ảnh](bia.jpg)\n",
        "content/articles/Bia.png": transparent_png(8, 8),
        "content/articles/bia.jpg": noisy_jpeg(),
    })
    assert run_build(root, "check", capsys=capsys).errors == [
        "content/articles/a.vi.md:4:1: error: the cover 'Bia.png' and the body image 'bia.jpg' would be published "
        "under one name; rename one",
    ]


def test_cached_variants_are_linked_and_editable_sources_never(photo_site, capsys):
    """A file in the image cache is never changed once written, so the output shares its bytes
    (a hard link): the variants of photos, and an SVG's own bytes, kept there by their hash. The
    editor's SVG file is never linked: editing it in place must not change the published site
    before a build has checked it."""
    assert run_build(photo_site, "build", "--quiet", capsys=capsys).code == 0
    cache = photo_site / ".bantin-cache" / "images"
    cached = {p.stat().st_ino for p in cache.rglob("*") if p.is_file()}
    published = {p.name: p.stat().st_ino for p in (photo_site / FOLDER).iterdir() if p.name != "index.html"}
    assert "so-do.svg" in published and all(inode in cached for inode in published.values())
    source = photo_site / "content/media/so-do.svg"
    assert published["so-do.svg"] != source.stat().st_ino
    before = (photo_site / FOLDER / "so-do.svg").read_bytes()
    with source.open("ab") as editor:  # an editor saving in place
        editor.write("<!-- sửa -->".encode())
    assert (photo_site / FOLDER / "so-do.svg").read_bytes() == before


def test_a_copy_from_the_image_cache_is_identified_by_its_name_there_without_a_stat(tmp_path):
    # The cache names each entry by the hash of its bytes and never changes a file once written,
    # so a rebuild need not stat 40,000 of them (writer.source_stamp); other sources are stat'ed.
    cache = tmp_path / ".bantin-cache/images"
    assert source_stamp(cache / "3fa9/le-ra-quan-480.webp", cache) == "=3fa9/le-ra-quan-480.webp"  # not even there
    asset = tmp_path / "templates/assets/site.css"
    asset.parent.mkdir(parents=True)
    asset.write_bytes(b"body{}")
    stamp = source_stamp(asset, cache)
    assert stamp == f"6:{asset.stat().st_mtime_ns}"
    with pytest.raises(FileNotFoundError):
        source_stamp(tmp_path / ".bantin-cache/images-old/x.webp", cache)  # a sibling folder is not the cache
