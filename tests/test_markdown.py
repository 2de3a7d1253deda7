"""Article bodies: figures, heading ids, footnotes, tables and the sanitizer."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from bantin.diagnostics import Diagnostics
from bantin.images import ImageProcessor
from bantin.markdown_render import BodySource, MarkdownRenderer
from bantin.shortcodes import Shortcode, core_registry


def render(text: str, tmp_path: Path, *, dateline=None, registry=None, backlink="Back to %d") -> tuple[str, Diagnostics]:
    (tmp_path / "content/articles").mkdir(parents=True, exist_ok=True)
    (tmp_path / "content/media").mkdir(exist_ok=True)
    photo = io.BytesIO()
    Image.new("RGB", (640, 360), "#6a8").save(photo, "JPEG")
    (tmp_path / "content/articles/le-ra-quan.jpg").write_bytes(photo.getvalue())
    diagnostics = Diagnostics()
    body = BodySource(text, "content/articles/a.vi.md", 5, tmp_path / "content/articles", tmp_path, dateline)
    images = ImageProcessor(tmp_path / "image-cache")
    rendered = MarkdownRenderer(registry or core_registry(), backlink, images=images).render(body, "vi", diagnostics)
    return rendered.html, diagnostics


def test_titled_image_alone_in_its_paragraph_is_a_figure(tmp_path):
    html, diagnostics = render(
        '![Lễ ra quân tại Lạng Sơn](le-ra-quan.jpg "Đồng chí Dương Xuân Huyên phát biểu chỉ đạo")\n', tmp_path
    )
    assert diagnostics.items == []
    sizes = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"
    assert html == (
        '<figure><picture><source type="image/webp" srcset="le-ra-quan-480.webp 480w, le-ra-quan-640.webp 640w"'
        f' sizes="{sizes}"><img src="le-ra-quan-640.jpg" srcset="le-ra-quan-480.jpg 480w, le-ra-quan-640.jpg 640w"'
        f' sizes="{sizes}" width="640" height="360" alt="Lễ ra quân tại Lạng Sơn" fetchpriority="high"'
        ' decoding="async"></picture>'
        "<figcaption>Đồng chí Dương Xuân Huyên phát biểu chỉ đạo</figcaption>\n</figure>"
    )


def test_image_without_title_or_inside_text_stays_an_image(tmp_path):
    html, _ = render("![Ảnh](le-ra-quan.jpg)\n\nChữ ![Ảnh](le-ra-quan.jpg \"t\") chữ\n", tmp_path)
    assert "<figure>" not in html
    assert html.count("<img") == 2
    assert 'alt="Ảnh" title="t" loading="lazy"' in html  # the title stays; only the first image is eager


def test_dateline_opens_the_lead(tmp_path):
    html, _ = render("Sáng nay (23/5), lễ ra quân.\n\nĐoạn hai.\n", tmp_path, dateline="LSO")
    assert html == '<p><span class="dateline">LSO –</span> Sáng nay (23/5), lễ ra quân.</p>\n<p>Đoạn hai.</p>'


def test_heading_ids_fold_vietnamese_including_d(tmp_path):
    html, _ = render("## Đặt đường dẫn cho bài viết\n\n## Số liệu BHXH\n\n## Số liệu BHXH\n", tmp_path)
    assert '<h2 id="dat-duong-dan-cho-bai-viet">' in html
    assert '<h2 id="so-lieu-bhxh">' in html
    assert '<h2 id="so-lieu-bhxh_1">' in html


def test_tables_and_footnotes_survive_sanitizing(tmp_path):
    html, _ = render(
        "| Chỉ tiêu | Số người |\n|:--|--:|\n| BHXH | 61.649 |\n\nTheo báo[^1].\n\n[^1]: Báo Lạng Sơn.\n",
        tmp_path,
        backlink="Quay lại chú thích %d trong bài",
    )
    assert '<th style="text-align:left">Chỉ tiêu</th>' in html
    assert '<td style="text-align:right">61.649</td>' in html
    assert '<sup id="fnref-1"><a class="footnote-ref" href="#fn-1">1</a></sup>' in html
    assert '<li id="fn-1">' in html
    assert 'title="Quay lại chú thích 1 trong bài"' in html


def test_quotes_and_dashes_are_kept_as_typed(tmp_path):
    html, _ = render("“Tháng vận động” – \"thẳng\" -- 'đơn'\n", tmp_path)
    assert html == "<p>“Tháng vận động” – \"thẳng\" -- 'đơn'</p>"


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<p onclick="alert(1)">x</p>',
        "[x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="https://evil.example"></iframe>',
        '<div style="position:fixed">x</div>',
        "<style>body{display:none}</style>",
        # Only our own image markup may carry srcset, <picture> and <source> (added after sanitizing).
        '<picture><source srcset="https://evil.example/x.jpg 1x"></picture>',
        '<p srcset="https://evil.example/x.jpg 1x">x</p>',
        '<video><source src="https://evil.example/x.mp4"></video>',
    ],
)
def test_scripts_handlers_and_javascript_urls_never_reach_readers(tmp_path, source):
    html, _ = render(source + "\n", tmp_path)
    lowered = html.lower()
    for bad in ("<script", "onclick", "javascript:", "<iframe", "position", "<style", "alert(1)</", "srcset",
                "<source", "<picture", "evil.example"):
        assert bad not in lowered, html


def test_shortcode_block_is_inserted_after_sanitizing(tmp_path):
    registry = core_registry()
    registry.add(Shortcode("stats", "stats id", "content/stats/<id>.yaml", lambda i: i == "ls",
                           lambda i, lang: f'<section class="stats" data-id="{i}" data-lang="{lang}"></section>'))
    html, diagnostics = render('Trước.\n{{< stats "ls" >}}\nSau.\n', tmp_path, registry=registry)
    assert diagnostics.items == []
    assert html == '<p>Trước.</p>\n<section class="stats" data-id="ls" data-lang="vi"></section>\n<p>Sau.</p>'


def test_shortcodes_in_code_are_text(tmp_path):
    html, diagnostics = render('```\n{{< stats "x" >}}\n```\n\nVí dụ `{{< stats "x" >}}`.\n', tmp_path)
    assert diagnostics.items == []
    assert html.count("{{&lt; stats") == 2


def test_body_lines_are_counted_from_the_file(tmp_path):
    _, diagnostics = render("Một.\n\n![](le-ra-quan.jpg)\n", tmp_path)
    assert [d.format() for d in diagnostics.items] == [
        "content/articles/a.vi.md:7:1: error: image 'le-ra-quan.jpg' has no alt text: describe it in ![…](le-ra-quan.jpg)"
    ]


class _StoringCache:
    """What convert_bodies asks of the build cache: the bodies it has, and a place for new ones."""

    def __init__(self, known: dict[str, str]):
        from bantin.cache import KeyValueTable

        self.bodies = KeyValueTable(None, "bodies")
        for key, html in known.items():
            self.bodies.put(key, html)
        self.stored: list[list[str]] = []

    def store_bodies(self, rows):
        self.stored.append([key for key, _ in rows])


@pytest.mark.parametrize("processes", [1, 2])
def test_bodies_come_in_order_as_they_are_converted_and_are_stored_in_batches(monkeypatch, processes):
    from bantin import markdown_render
    from bantin.markdown_render import ConversionJob, PreparedBody, convert_markdown

    monkeypatch.setattr(markdown_render, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(markdown_render, "STORED_AT_ONCE", 2)
    texts = {"a": "Đoạn *một*.", "b": "## Hai", "c": "- ba\n- bốn", "d": "Năm.", "e": "Sáu."}
    jobs = {key: ConversionJob(key, text.encode("utf-8"), (), None, "Quay lại %d") for key, text in texts.items()}
    order = ["a", "b", "a", "c", "e", "d", "b"]  # "a" and "b" twice (the same text in two articles)
    prepared = [PreparedBody(jobs[key], "vi", (), (), False) for key in order]
    cache = _StoringCache({"e": "<p>kept</p>"})
    htmls = list(markdown_render.convert_bodies(prepared, cache, processes))
    assert htmls == [convert_markdown(jobs[key]) if key != "e" else "<p>kept</p>" for key in order]
    assert cache.stored == [["a", "b"], ["c", "d"]]  # each new body once, as it came, none kept
    assert prepared == []  # emptied: the caller holds no text it no longer needs
