"""``build.py import``: plain-text articles as newsrooms send them, to Markdown articles.

The seed file (tests/data/import/, a copy of the report the sample site is built from) is
imported and compared with tests/golden/import/; refresh with ``make golden`` (pytest
--update-golden) after an intended change and review the diff.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bantin.importer import Block, byline_names, clean, escape_markdown, is_caption, vietnamese_name_case
from conftest import run_build

DATA = Path(__file__).resolve().parent / "data" / "import"
GOLDEN = Path(__file__).resolve().parent / "golden" / "import"
SEED = DATA / "lang-son-launch-report.vi.txt"
BASE = "2021-01-26-ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan"
ARTICLE = f"content/articles/{BASE}.vi.md"

SIMPLE = """\
Thứ ba, 26/01/2021

Tiêu đề bài viết

LSO-Sáng nay (26/1), một sự kiện đã diễn ra.

Đoạn thứ hai của bài.

THANH HUYỀN
"""


def write(tmp_path: Path, text: str | bytes, name: str = "bai.txt") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def articles(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "content/articles").iterdir())


# --- the seed, end to end --------------------------------------------------------------------------


def test_seed_file_matches_its_golden_markdown(site_factory, capsys, request):
    root = site_factory({})
    result = run_build(root, "import", str(SEED), capsys=capsys)
    assert result.code == 0, result.err
    built = (root / ARTICLE).read_text(encoding="utf-8")
    golden = GOLDEN / "lang-son-launch-report.vi.md"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(built, encoding="utf-8")
    assert built == golden.read_text(encoding="utf-8"), "run `make golden` if the change is intended"


def test_seed_file_prints_the_path_the_photos_and_the_date_warning(site_factory, capsys):
    root = site_factory({})
    result = run_build(root, "import", str(SEED), capsys=capsys)
    assert result.code == 0
    assert result.out.splitlines() == [
        f"created {ARTICLE}",
        f"add photo 1 (caption on line 20 of {SEED}): content/articles/{BASE}-anh-1.jpg",
        f"add photo 2 (caption on line 32 of {SEED}): content/articles/{BASE}-anh-2.jpg",
        "then describe each photo in place of 'TODO: mô tả ảnh', and fill in 'tags'",
    ]
    assert result.err.splitlines() == [
        f"{SEED}:5:14: warning: the lead says (23/5) but the date line says 26/01/2021; check 'date'",
    ]


def test_seed_front_matter_and_text(site_factory, capsys):
    root = site_factory({})
    run_build(root, "import", str(SEED), capsys=capsys)
    text = (root / ARTICLE).read_text(encoding="utf-8")
    head, body = text.split("\n---\n", 1)
    assert head.splitlines()[1:] == [
        'title: "Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”"',
        "date: 2021-01-26  # check: the lead says (23/5)",
        "dateline: LSO",
        "source: Báo Lạng Sơn",
        "authors: [Thanh Huyền]",
        "tags: []",
    ]
    assert unicodedata.is_normalized("NFC", text)
    assert "\u00a0" not in text and "  " not in body  # the seed's "BHYT.\u00a0 Đồng thời" and "số \u00a0sở"
    assert "BHYT. Đồng thời" in body and "một số sở, ban" in body
    assert "chính trị – xã hội" in body and "“Tháng vận động triển khai BHXH toàn dân”" in body
    assert body.lstrip().startswith("Sáng nay (23/5), BHXH Việt Nam")  # the dateline is front matter now
    assert "THANH HUYỀN" not in body
    assert body.count("![TODO: mô tả ảnh]") == 2


def test_the_imported_article_asks_for_its_photos_until_they_are_added(site_factory, capsys):
    root = site_factory({})
    run_build(root, "import", str(SEED), capsys=capsys)
    check = run_build(root, "check", capsys=capsys)
    assert check.code == 1
    photo = f"{BASE}-anh-{{}}.jpg"
    assert check.errors == [
        f"{ARTICLE}:24:1: error: image '{photo.format(1)}' not found (looked in content/articles/ and content/media/)",
        f"{ARTICLE}:24:1: error: image '{photo.format(1)}' still has the placeholder alt text "
        "'TODO: mô tả ảnh': describe the photo",
        f"{ARTICLE}:34:1: error: image '{photo.format(2)}' not found (looked in content/articles/ and content/media/)",
        f"{ARTICLE}:34:1: error: image '{photo.format(2)}' still has the placeholder alt text "
        "'TODO: mô tả ảnh': describe the photo",
    ]
    # The editor adds the photos and describes them: the article builds.
    for number in (1, 2):
        Image.new("RGB", (800, 450), "#888").save(root / "content/articles" / photo.format(number), "JPEG")
    path = root / ARTICLE
    path.write_text(path.read_text(encoding="utf-8").replace("TODO: mô tả ảnh", "Lãnh đạo tỉnh phát biểu"),
                    encoding="utf-8")
    build = run_build(root, "build", "--quiet", capsys=capsys)
    assert (build.code, build.err) == (0, "")
    page = (root / "public/tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/index.html").read_text(
        encoding="utf-8")
    assert '<figcaption>Đồng chí Dương Xuân Huyên, Phó Chủ tịch UBND tỉnh (ở giữa) và lãnh đạo 2 ngành' in page
    assert '<span class="dateline">LSO –</span> Sáng nay (23/5)' in page
    published = root / "public/tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan"
    # Published as resized variants (images.py), never as the file the editor added.
    assert (published / photo.format(2).replace(".jpg", "-800.webp")).is_file()
    assert not (published / photo.format(2)).exists()


def test_import_refuses_to_overwrite(site_factory, capsys):
    root = site_factory({})
    run_build(root, "import", str(SEED), capsys=capsys)
    (root / ARTICLE).write_text("edited by hand\n", encoding="utf-8")
    again = run_build(root, "import", str(SEED), capsys=capsys)
    assert again.code == 1
    assert again.err.splitlines()[-1] == f"build.py import: error: {ARTICLE} already exists; not overwritten"
    assert (root / ARTICLE).read_text(encoding="utf-8") == "edited by hand\n"


def test_out_chooses_the_file_and_the_photo_names(site_factory, capsys, tmp_path):
    root = site_factory({})
    out = root / "content/articles/ra-quan/index.vi.md"
    result = run_build(root, "import", str(SEED), "--out", str(out), capsys=capsys)
    assert result.code == 0
    assert result.out.splitlines()[:2] == [
        "created content/articles/ra-quan/index.vi.md",
        f"add photo 1 (caption on line 20 of {SEED}): content/articles/ra-quan/ra-quan-anh-1.jpg",
    ]
    assert "](ra-quan-anh-2.jpg " in out.read_text(encoding="utf-8")


def test_english_text(site_factory, capsys, tmp_path):
    root = site_factory({})
    source = write(tmp_path, textwrap.dedent("""\
        Tuesday, 26/01/2021

        Launch of the campaign month

        LSO-This morning (26/1), the campaign was launched.

        The provincial leader
        speaks at the ceremony

        THANH HUYỀN
        """))
    result = run_build(root, "import", str(source), "--lang", "en", capsys=capsys)
    assert (result.code, result.err) == (0, "")
    text = (root / "content/articles/2021-01-26-launch-of-the-campaign-month.en.md").read_text(encoding="utf-8")
    assert '![TODO: describe the photo](2021-01-26-launch-of-the-campaign-month-anh-1.jpg ' \
           '"The provincial leader speaks at the ceremony")' in text


# --- files that do not fit the layout --------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "1:1: error: the file is empty: expected a date line, the headline, the lead and the text"),
        (" \n\u00a0\n\n", "1:1: error: the file is empty: expected a date line, the headline, the lead and the text"),
        (b"PK\x03\x04\x14\x00\x00\x00", "1:6: error: not a text file (it contains a NUL byte); import reads plain UTF-8 text"),
        ("Thứ ba, 26/01/2021\n\nTiêu đề\n".encode("utf-16"), "1:1: error: the file is UTF-16 text; save it as UTF-8"),
        (b"Thu ba, 26/01/2021\n\nTi\xeau de\n", "3:3: error: file is not UTF-8 (byte 0xea); save it as UTF-8"),
        ("Thứ ba, 26/01/2021\n\n", "1:1: error: no headline: nothing follows the date line"),
        ("Thứ ba, 26/01/2021\n\nLSO-Sáng nay (26/1), một sự kiện.\n\nTHANH HUYỀN\n",
         "3:1: error: no headline: line 3 starts the lead ('LSO-…'); put the headline on its own line before it"),
        ("Thứ ba, 26/01/2021\n\n" + "Một đoạn văn rất dài. " * 12 + "\n",
         "3:1: error: no headline: line 3 is a paragraph (263 characters); put the headline on its own line before it"),
        ("Thứ ba, 26/01/2021\n\nTiêu đề\n", "3:1: error: no article text after the headline"),
        ("Thứ ba, 31/02/2021\n\nTiêu đề\n\nLSO-Nội dung.\n", "1:9: error: the date line says 31/02/2021, which is not a date"),
    ],
    ids=["empty", "blank", "binary", "utf-16", "not-utf-8", "date-only", "lead-first", "paragraph-first",
         "headline-only", "bad-date"],
)
def test_a_file_that_does_not_fit_is_an_error(site_factory, capsys, tmp_path, content, message):
    root = site_factory({})
    source = write(tmp_path, content)
    result = run_build(root, "import", str(source), capsys=capsys)
    assert result.code == 1
    assert result.err.splitlines() == [f"{source}:{message}"]
    assert result.out == ""
    assert articles(root) == []


def test_usage_errors_exit_2(site_factory, capsys, tmp_path):
    root = site_factory({})
    missing = run_build(root, "import", str(tmp_path / "nothing.txt"), capsys=capsys)
    assert (missing.code, missing.err) == (2, f"build.py import: error: cannot read '{tmp_path / 'nothing.txt'}': no such file\n")
    language = run_build(root, "import", str(SEED), "--lang", "fr", capsys=capsys)
    assert (language.code, language.err) == (2, "build.py import: error: unknown language 'fr' (known: vi, en)\n")
    assert articles(root) == []


# --- warnings: the article is written, the editor is told what to check ------------------------------


def test_lead_date_that_agrees_with_the_date_line_is_quiet(site_factory, capsys, tmp_path):
    root = site_factory({})
    result = run_build(root, "import", str(write(tmp_path, SIMPLE)), capsys=capsys)
    assert (result.code, result.err) == (0, "")
    text = (root / "content/articles/2021-01-26-tieu-de-bai-viet.vi.md").read_text(encoding="utf-8")
    assert text == (
        '---\ntitle: "Tiêu đề bài viết"\ndate: 2021-01-26\ndateline: LSO\nsource: Báo Lạng Sơn\n'
        "authors: [Thanh Huyền]\ntags: []\n---\n\nSáng nay (26/1), một sự kiện đã diễn ra.\n\nĐoạn thứ hai của bài.\n"
    )


def test_warnings_name_what_to_fill_in_by_hand(site_factory, capsys, tmp_path):
    root = site_factory({})
    source = write(tmp_path, "Thứ hai, 26/01/2021 08:30\n\nTiêu đề\n\nXYZ – Sáng nay, một sự kiện.\n\nĐoạn cuối.\n")
    result = run_build(root, "import", str(source), capsys=capsys)
    assert result.code == 0
    assert result.err.splitlines() == [
        f"{source}:1:1: warning: the date line says Thứ hai but 26/01/2021 is a Thứ Ba; check 'date'",
        f"{source}:5:1: warning: unknown dateline 'XYZ' (known: LSO, TTXVN); add 'source' by hand",
        f"{source}:7:1: warning: the last line is not a byline in capitals; add 'authors' by hand",
    ]
    text = (root / "content/articles/2021-01-26-tieu-de.vi.md").read_text(encoding="utf-8")
    assert "date: 2021-01-26T08:30\ndateline: XYZ\nauthors: []\n" in text
    assert run_build(root, "check", capsys=capsys).code == 0


def test_no_date_line_means_today_with_a_warning(site_factory, capsys, tmp_path):
    root = site_factory({})
    source = write(tmp_path, "Tiêu đề\n\nSáng nay, một sự kiện.\n\nTHANH HUYỀN\n")
    result = run_build(root, "import", str(source), capsys=capsys)
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    assert result.err.splitlines() == [
        f"{source}:1:1: warning: no date line (like 'Thứ ba, 26/01/2021') before the headline; "
        f"'date' is today, {today}: check it",
        f"{source}:3:1: warning: the lead does not start with a dateline like 'LSO-'; "
        "add 'dateline' and 'source' by hand if it has one",
    ]
    assert articles(root) == [f"{today}-tieu-de.vi.md"]


def test_nfd_text_and_windows_line_ends_become_nfc(site_factory, capsys, tmp_path):
    root = site_factory({})
    source = write(tmp_path, unicodedata.normalize("NFD", SIMPLE).replace("\n", "\r\n").encode("utf-8"))
    assert run_build(root, "import", str(source), capsys=capsys).code == 0
    text = (root / "content/articles/2021-01-26-tieu-de-bai-viet.vi.md").read_bytes().decode("utf-8")
    assert unicodedata.is_normalized("NFC", text) and "\r" not in text
    assert "authors: [Thanh Huyền]" in text


def test_markdown_characters_in_the_text_stay_text(site_factory, capsys, tmp_path):
    root = site_factory({})
    source = write(tmp_path, SIMPLE.replace(
        "Đoạn thứ hai của bài.", "# 1 *điểm* [mới] <b>đậm</b> {{< stats \"x\" >}}.\n\n1. Mục một.\n\n- Gạch đầu dòng."))
    assert run_build(root, "import", str(source), capsys=capsys).code == 0
    build = run_build(root, "build", "--quiet", capsys=capsys)
    assert (build.code, build.err) == (0, "")
    page = (root / "public/tin-tuc/tieu-de-bai-viet/index.html").read_text(encoding="utf-8")
    assert "<p># 1 *điểm* [mới] &lt;b&gt;đậm&lt;/b&gt; {{&lt; stats \"x\" &gt;}}.</p>" in page
    assert "<p>1. Mục một.</p>" in page and "<p>- Gạch đầu dòng.</p>" in page


# --- the rules, one by one ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("THANH HUYỀN", ("Thanh Huyền",)),
        ("ĐỖ ĐỨC ĐẠT", ("Đỗ Đức Đạt",)),
        ("THANH HUYỀN - MINH ANH", ("Thanh Huyền", "Minh Anh")),
        ("THANH HUYỀN, MINH ANH.", ("Thanh Huyền", "Minh Anh")),
        ("THANH HUYỀN VÀ MINH ANH", ("Thanh Huyền", "Minh Anh")),
        ("H'HEN NIÊ", ("H'Hen Niê",)),
    ],
)
def test_byline_names_are_title_cased_for_vietnamese(byline, names):
    assert byline_names(byline) == names


def test_name_case_works_on_toned_capitals():
    assert vietnamese_name_case("NGUYỄN THỊ ỔN") == "Nguyễn Thị Ổn"


def block(*lines: str) -> Block:
    return Block(1, lines, lines)


@pytest.mark.parametrize(
    ("lines", "caption"),
    [
        (("Đồng chí Dương Xuân Huyên, Phó Chủ tịch UBND tỉnh", "phát biểu chỉ đạo tại lễ ra quân tuyên truyền"), True),
        (("Quang cảnh lễ ra quân (Ảnh: Thanh Huyền)",), True),
        (("Một câu ngắn kết thúc bằng dấu chấm.",), False),
        (("Một câu trích dẫn.”",), False),
        (("Các chỉ tiêu:",), False),
        (("- một mục danh sách",), False),
        (("dòng một", "dòng hai", "dòng ba", "dòng bốn"), False),
        (("Một dòng rất dài " * 6,), False),
    ],
)
def test_caption_rule(lines, caption):
    assert is_caption(block(*lines)) is caption


def test_clean_collapses_spaces_but_keeps_quotes_and_dashes():
    assert clean("  Thứ ba,\u00a0 26/01/2021\t") == "Thứ ba, 26/01/2021"
    assert clean("“A” – B\u200b") == "“A” – B"


def test_escape_markdown():
    assert escape_markdown("# tiêu đề") == "\\# tiêu đề"
    assert escape_markdown("2020. Năm") == "2020\\. Năm"
    assert escape_markdown("a_b *c* [d] <e>") == "a\\_b \\*c\\* \\[d\\] &lt;e>"
