"""``build.py new`` and ``build.py translations``: scaffolding articles and tracking stale translations."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bantin.translations import source_hash
from conftest import REPO, run_build, run_build_process

ORIGINAL = """\
---
title: Bài thử
date: 2020-05-23
tags: [Lạng Sơn]
---

Nội dung bài thử.
"""
ORIGINAL_HASH = source_hash("Bài thử", "\nNội dung bài thử.\n")


def translation(digest: str = ORIGINAL_HASH, extra: str = "") -> str:
    return f"""\
---
title: Test article
date: 2020-05-23
translation_of: {{lang: vi, hash: "{digest}"}}{extra}
---

The test article's text.
"""


# --- new -----------------------------------------------------------------------------------------


def test_new_writes_an_article_that_builds_and_prints_its_path(site_factory, capsys):
    root = site_factory({})
    result = run_build(root, "new", "Ra quân tại Đồng Đăng: “BHXH toàn dân”", "--date", "2024-05-01", capsys=capsys)
    assert (result.code, result.out, result.err) == (
        0, "content/articles/2024-05-01-ra-quan-tai-dong-dang-bhxh-toan-dan.vi.md\n", "")
    text = (root / "content/articles/2024-05-01-ra-quan-tai-dong-dang-bhxh-toan-dan.vi.md").read_text(encoding="utf-8")
    assert text == (
        "---\n"
        'title: "Ra quân tại Đồng Đăng: “BHXH toàn dân”"\n'
        "date: 2024-05-01\n"
        "authors: []  # ví dụ: [Thanh Huyền]\n"
        "tags: []  # ví dụ: [BHXH toàn dân, Lạng Sơn]\n"
        "---\n\n"
    )
    check = run_build(root, "check", capsys=capsys)
    assert (check.code, check.errors) == (0, [])
    build = run_build(root, "build", "--quiet", capsys=capsys)
    assert build.code == 0
    assert (root / "public/tin-tuc/ra-quan-tai-dong-dang-bhxh-toan-dan/index.html").is_file()


def test_new_uses_today_in_the_site_time_zone(site_factory, capsys):
    root = site_factory({})
    result = run_build(root, "new", "Tin mới", "--lang", "en", capsys=capsys)
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    assert result.out == f"content/articles/{today}-tin-moi.en.md\n"
    assert "authors: []  # e.g. [Thanh Huyền]\n" in (root / result.out.strip()).read_text(encoding="utf-8")


def test_new_refuses_to_overwrite(site_factory, capsys):
    root = site_factory({"content/articles/2024-05-01-tin-moi.vi.md": "kept\n"})
    result = run_build(root, "new", "Tin mới", "--date", "2024-05-01", capsys=capsys)
    assert (result.code, result.out) == (1, "")
    assert result.err == "build.py new: error: content/articles/2024-05-01-tin-moi.vi.md already exists; not overwritten\n"
    assert (root / "content/articles/2024-05-01-tin-moi.vi.md").read_text(encoding="utf-8") == "kept\n"


def test_new_will_not_pair_a_new_article_with_another_by_accident(site_factory, capsys):
    root = site_factory({"content/articles/2024-05-01-tin-moi.vi.md": ORIGINAL})
    result = run_build(root, "new", "Tin mới", "--lang", "en", "--date", "2024-05-01", capsys=capsys)
    assert result.code == 1
    assert result.err == (
        "build.py new: error: an article '2024-05-01-tin-moi' already exists "
        "(content/articles/2024-05-01-tin-moi.vi.md); to translate it, use --translation-of 2024-05-01-tin-moi\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Tin", "--lang", "fr"], "build.py new: error: unknown language 'fr' (known: vi, en)\n"),
        (["!!!"], "build.py new: error: cannot make a file name from the title '!!!': use letters or digits\n"),
        (["  "], "build.py new: error: the title is empty\n"),
        (["News", "--translation-of", "2020-05-23-bai-th"],
         "build.py new: error: no article '2020-05-23-bai-th' in content/articles/ (did you mean '2020-05-23-bai-thu'?)\n"),
    ],
)
def test_new_usage_errors_exit_2(site_factory, capsys, args, message):
    root = site_factory({"content/articles/2020-05-23-bai-thu.vi.md": ORIGINAL})
    result = run_build(root, "new", *args, capsys=capsys)
    assert (result.code, result.err) == (2, message)


def test_new_rejects_a_malformed_date(site_factory):
    root = site_factory({})
    result = run_build_process(root, "new", "Tin", "--date", "01/05/2024")
    assert result.code == 2
    assert "argument --date: invalid date '01/05/2024': write it as YYYY-MM-DD" in result.err


def test_new_translation_shares_the_base_name_and_records_the_original(site_factory, capsys):
    root = site_factory({"content/articles/2020-05-23-bai-thu.vi.md": """\
        ---
        title: Bài thử
        date: 2020-05-23
        dateline: LSO
        source: Báo Lạng Sơn
        authors: [Thanh Huyền]
        tags: [Lạng Sơn]
        summary: Tóm tắt.
        ---

        Nội dung bài thử.
        """})
    result = run_build(root, "new", "Test article", "--translation-of", "2020-05-23-bai-thu", capsys=capsys)
    assert (result.code, result.out, result.err) == (0, "content/articles/2020-05-23-bai-thu.en.md\n", "")
    assert (root / "content/articles/2020-05-23-bai-thu.en.md").read_text(encoding="utf-8") == (
        "---\n"
        'title: "Test article"\n'
        "date: 2020-05-23\n"
        "dateline: LSO\n"
        "source: Báo Lạng Sơn\n"
        "authors: [Thanh Huyền]\n"
        "tags: []  # e.g. [Universal social insurance, Lạng Sơn]\n"
        f'translation_of: {{lang: vi, hash: "{ORIGINAL_HASH}"}}\n'
        "---\n\n"
    )
    listing = run_build(root, "translations", capsys=capsys)
    assert listing.out.splitlines()[0] == "2020-05-23-bai-thu: vi original, en up to date"
    check = run_build(root, "check", capsys=capsys)
    assert (check.code, check.errors) == (0, [])
    again = run_build(root, "new", "Again", "--translation-of", "2020-05-23-bai-thu.vi.md", capsys=capsys)
    assert (again.code, again.err) == (
        1, "build.py new: error: '2020-05-23-bai-thu' already exists in every language (vi, en)\n")


def test_new_translation_of_a_page_bundle_goes_into_the_bundle(site_factory, capsys):
    root = site_factory({"content/articles/bai-thu/index.vi.md": ORIGINAL})
    result = run_build(root, "new", "Test", "--translation-of", "bai-thu", "--lang", "en", capsys=capsys)
    assert result.out == "content/articles/bai-thu/index.en.md\n"


# --- translations --------------------------------------------------------------------------------


def test_translations_lists_languages_and_status(site_factory, capsys):
    root = site_factory({
        "content/articles/a.vi.md": ORIGINAL,
        "content/articles/a.en.md": translation(),
        "content/articles/b.vi.md": ORIGINAL.replace("Bài thử", "Bài hai"),
        "content/articles/c.vi.md": ORIGINAL.replace("Bài thử", "Bài ba"),
        "content/articles/c.en.md": "---\ntitle: Article three\ndate: 2020-05-23\n---\n\nText.\n",
        "content/articles/d.en.md": "---\ntitle: English only\ndate: 2020-05-23\n---\n\nText.\n",
    })
    result = run_build(root, "translations", capsys=capsys)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        "a: vi original, en up to date",
        "b: vi original, en missing",
        "c: vi original, en untracked",
        "d: vi missing, en original",
        "4 articles: 2 in every language, 2 not yet translated, 0 stale, 1 untracked",
    ]


def test_a_stale_translation_is_listed_warned_about_and_told_to_readers(site_factory, capsys):
    root = site_factory({
        "content/articles/a.vi.md": ORIGINAL.replace("Nội dung bài thử.", "Nội dung bài thử, đã sửa."),
        "content/articles/a.en.md": translation(),
    })
    warning = (
        "content/articles/a.en.md:4:1: warning: stale translation: the vi original (content/articles/a.vi.md) has "
        "changed since this translation was made; update the translation, then run "
        "'python build.py translations --update a.en'"
    )
    listing = run_build(root, "translations", capsys=capsys)
    assert listing.code == 0
    assert listing.out.splitlines() == [
        "a: vi original, en stale", "1 article: 1 in every language, 0 not yet translated, 1 stale, 0 untracked"]
    assert listing.err.splitlines() == [warning]

    check = run_build(root, "check", capsys=capsys)
    assert (check.code, check.errors) == (0, [warning])
    strict = run_build(root, "check", "--strict", capsys=capsys)
    assert strict.code == 1 and strict.errors == [warning.replace(": warning: ", ": error: ")]
    github = run_build(root, "check", "--format", "github", capsys=capsys)
    assert github.err.splitlines()[0].startswith(
        "::warning file=content/articles/a.en.md,line=4,col=1::stale translation: the vi original")

    build = run_build(root, "build", "--quiet", capsys=capsys)
    assert build.code == 0
    english = (root / "public/en/news/test-article/index.html").read_text(encoding="utf-8")
    assert (
        '<p class="untranslated-note stale-translation" data-pagefind-ignore>The Vietnamese original has been '
        'updated since this translation. <a href="/tin-tuc/bai-thu/" hreflang="vi">Read the Vietnamese original</a></p>'
    ) in english
    vietnamese = (root / "public/tin-tuc/bai-thu/index.html").read_text(encoding="utf-8")
    assert "stale-translation" not in vietnamese


def test_a_stale_vietnamese_translation_says_so_in_vietnamese(site_factory, capsys):
    english = ORIGINAL.replace("Bài thử", "Test article").replace("Nội dung bài thử.", "The text.")
    root = site_factory({
        "content/articles/a.en.md": english,
        "content/articles/a.vi.md": ORIGINAL.replace("tags:", 'translation_of: {lang: en, hash: "000000000000"}\ntags:'),
    })
    run_build(root, "build", "--quiet", capsys=capsys)
    page = (root / "public/tin-tuc/bai-thu/index.html").read_text(encoding="utf-8")
    assert (
        "Bản gốc tiếng Anh đã được cập nhật sau khi bài này được dịch. "
        '<a href="/en/news/test-article/" hreflang="en">Đọc bản gốc tiếng Anh</a>'
    ) in page


def test_front_matter_outside_title_and_body_does_not_make_a_translation_stale(site_factory, capsys):
    root = site_factory({
        "content/articles/a.vi.md": ORIGINAL.replace("tags: [Lạng Sơn]", "tags: [Lạng Sơn, BHXH]\nlastmod: 2020-05-24")
        + "  \n\n",
        "content/articles/a.en.md": translation(),
    })
    assert run_build(root, "translations", capsys=capsys).out.splitlines()[0] == "a: vi original, en up to date"


def test_update_restamps_only_the_translation_of_line(site_factory, capsys):
    root = site_factory({
        "content/articles/a.vi.md": ORIGINAL.replace("Nội dung bài thử.", "Nội dung mới."),
        "content/articles/a.en.md": translation(extra="\ntags: [x]"),
    })
    new_hash = source_hash("Bài thử", "Nội dung mới.")
    result = run_build(root, "translations", "--update", "a.en", capsys=capsys)
    assert (result.code, result.err) == (0, "")
    assert result.out == f'content/articles/a.en.md: translation_of: {{lang: vi, hash: "{new_hash}"}}\n'
    assert (root / "content/articles/a.en.md").read_text(encoding="utf-8") == translation(new_hash, "\ntags: [x]")
    check = run_build(root, "check", capsys=capsys)
    assert check.errors == []
    again = run_build(root, "translations", "--update", "content/articles/a.en.md", capsys=capsys)
    assert again.out == (
        f'content/articles/a.en.md: already up to date (translation_of: {{lang: vi, hash: "{new_hash}"}})\n')


def test_update_starts_tracking_an_untracked_translation(site_factory, capsys):
    untracked = "---\ntitle: Test article\ndate: 2020-05-23\n---\n\nText.\n"
    root = site_factory({"content/articles/a.vi.md": ORIGINAL, "content/articles/a.en.md": untracked})
    result = run_build(root, "translations", "--update", "a", capsys=capsys)
    assert result.code == 0
    assert (root / "content/articles/a.en.md").read_text(encoding="utf-8") == (
        f'---\ntitle: Test article\ndate: 2020-05-23\ntranslation_of: {{lang: vi, hash: "{ORIGINAL_HASH}"}}\n'
        "---\n\nText.\n")


def test_update_of_a_block_style_translation_of(site_factory, capsys):
    block = f'---\ntitle: T\ndate: 2020-05-23\ntranslation_of:\n  lang: vi\n  hash: "{"0" * 12}"\nslug: t\n---\n\nText.\n'
    root = site_factory({"content/articles/a.vi.md": ORIGINAL, "content/articles/a.en.md": block})
    assert run_build(root, "translations", "--update", "a.en", capsys=capsys).code == 0
    assert (root / "content/articles/a.en.md").read_text(encoding="utf-8") == (
        f'---\ntitle: T\ndate: 2020-05-23\ntranslation_of: {{lang: vi, hash: "{ORIGINAL_HASH}"}}\nslug: t\n---\n\nText.\n')


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("zzz.en", "no article 'zzz.en' in content/articles/"),
        ("a.vi", "content/articles/a.vi.md is not a translation of another version of 'a'"),
        ("b.en", "'b' has no 'en' version; create it with: python build.py new \"TITLE\" --lang en --translation-of b"),
    ],
)
def test_update_usage_errors(site_factory, capsys, ref, message):
    root = site_factory({
        "content/articles/a.vi.md": ORIGINAL,
        "content/articles/a.en.md": translation(),
        "content/articles/b.vi.md": ORIGINAL.replace("Bài thử", "Bài hai"),
    })
    result = run_build(root, "translations", "--update", ref, capsys=capsys)
    assert (result.code, result.err) == (2, f"build.py translations: error: {message}\n")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("{lang: fr, hash: \"0123456789ab\"}", "4:24: error: unknown language 'fr' in 'translation_of' (known: vi, en)"),
        ("{lang: en, hash: \"0123456789ab\"}", "4:24: error: 'translation_of' names this file's own language 'en'; "
                                               "name the language of the original"),
        ("{lang: vi, hash: \"abc\"}", "4:34: error: 'hash' in 'translation_of' must be 12 hex digits, as written by "
                                      "'python build.py translations --update a.en'"),
        ("{lang: vi, hash: 123456789012}", "4:34: error: 'hash' must be text, not a number (123456789012)"),
        ("{lang: vi}", "4:17: error: missing required translation_of field 'hash'"),
        ("vi", "4:17: error: 'translation_of' must be a mapping of keys to values, not text ('vi')"),
    ],
)
def test_malformed_translation_of_is_an_error(site_factory, capsys, value, error):
    page = f"---\ntitle: Test article\ndate: 2020-05-23\ntranslation_of: {value}\n---\n\nText.\n"
    root = site_factory({"content/articles/a.vi.md": ORIGINAL, "content/articles/a.en.md": page})
    result = run_build(root, "check", capsys=capsys)
    assert (result.code, result.errors) == (1, [f"content/articles/a.en.md:{error}"])


def test_translation_of_a_missing_original_is_a_warning(site_factory, capsys):
    root = site_factory({"content/articles/a.en.md": translation()})
    result = run_build(root, "check", capsys=capsys)
    assert (result.code, result.errors) == (0, [
        "content/articles/a.en.md:4:1: warning: 'translation_of' names the 'vi' original, but there is no 'vi' "
        "version of 'a'"])


def test_no_sample_translation_is_stale():
    result = run_build_process(REPO, "translations")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-1].endswith(", 0 stale, 0 untracked"), result.out


def test_update_keeps_the_file_s_line_ends(site_factory, capsys):
    crlf = b"---\r\ntitle: T\r\ndate: 2020-05-23\r\n---\r\n\r\nText.\r\n"
    root = site_factory({"content/articles/a.vi.md": ORIGINAL, "content/articles/a.en.md": crlf})
    assert run_build(root, "translations", "--update", "a.en", capsys=capsys).code == 0
    assert (root / "content/articles/a.en.md").read_bytes() == (
        b"---\r\ntitle: T\r\ndate: 2020-05-23\r\n"
        + f'translation_of: {{lang: vi, hash: "{ORIGINAL_HASH}"}}'.encode() + b"\r\n---\r\n\r\nText.\r\n")
