"""Editors' mistakes: every one reported as PATH:LINE:COL in one run, exit 1, output untouched."""

from __future__ import annotations

from conftest import MINIMAL_ARTICLE, run_build

A = "content/articles/a.vi.md"


def errors_of(site_factory, capsys, files, *args):
    root = site_factory(files)
    result = run_build(root, "build", *args, capsys=capsys)
    return root, result


def test_every_problem_of_a_run_is_reported_at_once_with_file_line_and_column(site_factory, capsys):
    root, result = errors_of(site_factory, capsys, {
        A: """\
            ---
            title: Bài A
            date: 2020-02-30
            tittle: x
            tags: [a, 3]
            ---

            Body ![](missing.jpg) and {{< foo "x" >}}

            {{< stats "lang-son" >}}

            {{< gallery "x" >}}

            ![Ảnh](../../../etc/passwd)
            """,
        "content/articles/b.vi.md": """\
            ---
            title: Bài B
            date: 23/05/2020
            authors: 12
            draft: yes please
            ---
            <img src=x onerror=alert(1)>
            """,
    })
    assert result.code == 1
    assert result.errors == [
        "content/articles/a.vi.md:3:7: error: invalid date '2020-02-30' for 'date': day is out of range for month",
        "content/articles/a.vi.md:4:1: warning: unknown front-matter key 'tittle' (did you mean 'title'?)",
        "content/articles/a.vi.md:5:11: error: each item of 'tags' must be text, not a number (3)",
        "content/articles/a.vi.md:8:6: error: image 'missing.jpg' has no alt text: describe it in ![…](missing.jpg)",
        "content/articles/a.vi.md:8:6: error: image 'missing.jpg' not found "
        "(looked in content/articles/ and content/media/)",
        'content/articles/a.vi.md:8:27: error: a shortcode must stand alone on its line: {{< name "id" >}}',
        "content/articles/a.vi.md:10:1: error: unknown stats id 'lang-son' in shortcode 'stats' "
        "(no content/stats/<id>.yaml)",
        "content/articles/a.vi.md:12:1: error: unknown shortcode 'gallery' (known: event, stats)",
        "content/articles/a.vi.md:14:1: error: image '../../../etc/passwd' is outside content/",
        "content/articles/b.vi.md:3:7: error: invalid date text ('23/05/2020') for 'date': write it as YYYY-MM-DD "
        "or YYYY-MM-DDTHH:MM (ISO 8601), e.g. 2020-05-23",
        "content/articles/b.vi.md:4:10: error: 'authors' must be text or a list of text, not a number (12)",
        "content/articles/b.vi.md:5:8: error: 'draft' must be true or false, not text ('yes please')",
        'content/articles/b.vi.md:7:1: error: raw <img> tags are not allowed: use ![alt text](file "caption")',
    ]
    assert result.err.splitlines()[-1] == f"build failed: 12 errors; {root / 'public'} left unchanged"
    assert not (root / "public").exists()


def test_a_failed_build_leaves_the_previous_output_untouched(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    before = {p.relative_to(root / "public"): p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()}
    (root / A).write_text(MINIMAL_ARTICLE.replace("title: Bài thử", "title: [broken"), encoding="utf-8")
    result = run_build(root, "build", capsys=capsys)
    assert result.code == 1
    after = {p.relative_to(root / "public"): p.read_bytes() for p in (root / "public").rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in root.iterdir()) == [".bantin-cache", "content", "public", "site_config.yaml", "templates"]


def test_missing_required_fields(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "---\nsummary: x\n---\nBody\n"})
    assert result.errors == [
        "content/articles/a.vi.md:2:1: error: missing required front-matter field 'date'",
        "content/articles/a.vi.md:2:1: error: missing required front-matter field 'title'",
    ]


def test_empty_title_is_missing_title(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "---\ntitle:\ndate: 2020-05-23\n---\nBody\n"})
    assert result.errors == ["content/articles/a.vi.md:2:1: error: missing required front-matter field 'title'"]


def test_no_front_matter(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "# Tiêu đề\n"})
    assert result.errors == [
        "content/articles/a.vi.md:1:1: error: missing front matter: start the file with a line '---', "
        "the fields, then '---'"
    ]


def test_yaml_syntax_error_points_into_the_file(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "---\ndate: 2020-05-23\ntitle: [unclosed\n---\nBody\n"})
    assert result.errors == [
        "content/articles/a.vi.md:3:17: error: YAML syntax error: expected ',' or ']', but got the end"
    ]


def test_yaml_aliases_and_anchors_are_refused(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {
        A: "---\ntitle: Bài\ndate: 2020-05-23\ntags: &t [a, b]\nauthors: *t\n---\nBody\n",
    })
    assert result.errors == [
        "content/articles/a.vi.md:4:7: error: YAML anchors (&name) are not allowed in content files; "
        "repeat the value instead"
    ]


def test_duplicate_front_matter_key(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "---\ntitle: Một\ndate: 2020-05-23\ntitle: Hai\n---\nBody\n"})
    assert result.errors == ["content/articles/a.vi.md:4:1: error: duplicate key 'title' (first set on line 2)"]


def test_unknown_key_is_a_warning_and_strict_makes_it_an_error(site_factory, capsys):
    root = site_factory({A: "---\ntitle: Bài\ndate: 2020-05-23\ntag: [a]\n---\nBody\n"})
    relaxed = run_build(root, "build", capsys=capsys)
    assert relaxed.code == 0
    assert relaxed.errors == ["content/articles/a.vi.md:4:1: warning: unknown front-matter key 'tag' (did you mean 'tags'?)"]
    strict = run_build(root, "build", "--strict", capsys=capsys)
    assert strict.code == 1
    assert strict.errors == ["content/articles/a.vi.md:4:1: error: unknown front-matter key 'tag' (did you mean 'tags'?)"]


def test_duplicate_slugs_in_one_language(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {
        A: MINIMAL_ARTICLE,
        "content/articles/b.vi.md": MINIMAL_ARTICLE.replace("title: Bài thử", "title: Bài thử!"),
    })
    assert result.errors == [
        "content/articles/b.vi.md:2:1: error: duplicate slug 'bai-thu' in 'vi' (also content/articles/a.vi.md); "
        "set a different 'slug'"
    ]


def test_same_slug_in_two_languages_is_fine(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: MINIMAL_ARTICLE, "content/articles/a.en.md": MINIMAL_ARTICLE})
    assert (result.code, result.errors) == (0, [])


def test_file_without_suffix_and_with_vi_suffix_clash(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: MINIMAL_ARTICLE, "content/articles/a.md": MINIMAL_ARTICLE})
    assert result.errors == [
        "content/articles/a.vi.md:1:1: error: a second 'vi' version of 'a' (the first is content/articles/a.md)"
    ]


def test_unknown_language_suffix(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {"content/articles/a.fr.md": MINIMAL_ARTICLE})
    assert result.errors == [
        "content/articles/a.fr.md:1:1: error: unknown language 'fr' in the file name (known: vi, en)"
    ]


def test_file_that_is_not_utf8(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "---\ntitle: Caf\xe9\n".encode("latin-1") + b"date: 2020-05-23\n---\n"})
    assert result.errors == ["content/articles/a.vi.md:2:11: error: file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_images_outside_content_missing_and_without_alt(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {
        "outside.png": b"\x89PNG\r\n\x1a\n",
        A: MINIMAL_ARTICLE + "\n![Ảnh](../../outside.png)\n\n![](ok.svg)\n\n![Xa](https://example.com/a.jpg)\n",
        "content/articles/ok.svg": "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4 3'/>",
    })
    assert result.errors == [
        "content/articles/a.vi.md:8:1: error: image '../../outside.png' is outside content/",
        "content/articles/a.vi.md:10:1: error: image 'ok.svg' has no alt text: describe it in ![…](ok.svg)",
        "content/articles/a.vi.md:12:1: error: image 'https://example.com/a.jpg' is not a local file: "
        "put it under content/ and link it by path",
    ]


def test_cover_image_checks(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {
        A: "---\ntitle: Bài\ndate: 2020-05-23\nimage: nope.jpg\n---\nBody\n",
        "content/articles/b.vi.md": "---\ntitle: Bài B\ndate: 2020-05-23\nimage: b.svg\n---\nBody\n",
        "content/media/b.svg": "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 4 3'/>",
    })
    assert result.errors == [
        "content/articles/a.vi.md:4:1: error: image 'nope.jpg' not found (looked in content/articles/ and content/media/)",
        "content/articles/a.vi.md:4:1: error: the cover image needs alt text: add 'image_alt'",
        "content/articles/b.vi.md:4:1: error: the cover image needs alt text: add 'image_alt'",
    ]


def test_unknown_event_in_front_matter(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "---\ntitle: Bài\ndate: 2020-05-23\nevents: [ra-quan-2020]\n---\nB\n"})
    assert result.errors == [
        "content/articles/a.vi.md:4:1: error: unknown event 'ra-quan-2020' (no content/calendar/<id>.yaml)"
    ]


def test_lastmod_before_date(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {A: "---\ntitle: Bài\ndate: 2020-05-23\nlastmod: 2020-05-01\n---\nB\n"})
    assert result.errors == ["content/articles/a.vi.md:4:1: error: 'lastmod' is before 'date'"]


def test_missing_ui_string_in_one_language(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    with (root / "templates/i18n/vi.yaml").open("a", encoding="utf-8") as f:
        f.write("new_key: Chuỗi mới\n")
    result = run_build(root, "build", capsys=capsys)
    lines = (root / "templates/i18n/vi.yaml").read_text(encoding="utf-8").count("\n")
    assert result.code == 1
    assert result.errors == [
        f"templates/i18n/en.yaml:1:1: error: UI string 'new_key' is missing in 'en' (defined in templates/i18n/vi.yaml:{lines})"
    ]


def test_undefined_template_variable_and_unknown_ui_string(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    page = root / "templates/404.html"
    page.write_text(page.read_text(encoding="utf-8").replace("{{ t.not_found_text }}", "{{ t.nope }} {{ nothing }}"))
    result = run_build(root, "build", capsys=capsys)
    line = next(i for i, text in enumerate(page.read_text().splitlines(), 1) if "t.nope" in text)
    assert result.code == 1
    assert result.errors == [
        f"templates/404.html:{line}:1: error: template error: unknown UI string 'nope': "
        "add it to every file in templates/i18n/"
    ]


def test_a_card_macro_that_reads_a_page_s_variable_is_told_why_it_cannot(site_factory, capsys):
    # A card is rendered once per build and given to every list that shows it (render.py's ``card``).
    root = site_factory({A: MINIMAL_ARTICLE})
    card = root / "templates/partials/article_card.html"
    card.write_text(card.read_text(encoding="utf-8").replace("{{ item.summary }}", "{{ item.summary }} {{ page.url }}"),
                    encoding="utf-8")
    line = next(i for i, text in enumerate(card.read_text(encoding="utf-8").splitlines(), 1) if "page.url" in text)
    result = run_build(root, "build", capsys=capsys)
    assert result.code == 1
    assert result.errors == [
        f"templates/partials/article_card.html:{line}:1: error: template error: 'page' is undefined (the card "
        "macro sees its arguments and the language's globals, not a page's variables: one card is made for every "
        "list that shows it)"
    ]


def test_template_syntax_error(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    (root / "templates/tags.html").write_text('{% extends "base.html" %}\n{% block main %}{% if %}{% endblock %}\n')
    result = run_build(root, "build", capsys=capsys)
    assert result.errors == [
        "templates/tags.html:2:1: error: template error: Expected an expression, got 'end of statement block'"
    ]


def test_check_writes_nothing_and_reports_like_build(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE.replace("date: 2020-05-23", "date: someday")})
    result = run_build(root, "check", capsys=capsys)
    assert result.code == 1
    assert result.errors == [
        "content/articles/a.vi.md:3:7: error: invalid date text ('someday') for 'date': write it as YYYY-MM-DD "
        "or YYYY-MM-DDTHH:MM (ISO 8601), e.g. 2020-05-23"
    ]
    assert not (root / "public").exists()
    github = run_build(root, "check", "--format", "github", capsys=capsys)
    assert github.err.splitlines()[0] == (
        "::error file=content/articles/a.vi.md,line=3,col=7::invalid date text ('someday') for 'date': "
        "write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM (ISO 8601), e.g. 2020-05-23"
    )


def test_site_config_errors(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    config = root / "site_config.yaml"
    config.write_text(config.read_text().replace("per_page: 4", "per_page: many").replace("timezone: Asia/Ho_Chi_Minh", "timezone: Mars/Olympus"))
    result = run_build(root, "build", capsys=capsys)
    text = config.read_text().splitlines()
    tz_line = next(i for i, t in enumerate(text, 1) if t.startswith("timezone"))
    pp_line = next(i for i, t in enumerate(text, 1) if t.startswith("per_page"))
    assert result.errors == [
        f"site_config.yaml:{tz_line}:11: error: unknown time zone 'Mars/Olympus'",
        f"site_config.yaml:{pp_line}:11: error: 'per_page' must be a whole number above 0, not text ('many')",
    ]


def test_only_image_files_and_no_active_svg(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {
        A: MINIMAL_ARTICLE + "\n![Trang](index.html)\n\n![Vẽ](bad.svg)\n",
        "content/articles/index.html": "<p>x</p>",
        "content/media/bad.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    })
    assert result.errors == [
        "content/articles/a.vi.md:8:1: error: 'index.html' is not an image file "
        "(use one of .avif, .gif, .jpeg, .jpg, .png, .svg, .webp)",
        "content/articles/a.vi.md:10:1: error: SVG image 'bad.svg' contains scripts or event handlers; remove them",
    ]


def test_two_outputs_for_one_path_are_refused(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    config = root / "site_config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("tags: chu-de", "tags: tin-tuc"), encoding="utf-8")
    result = run_build(root, "build", capsys=capsys)
    assert result.code == 1
    assert result.errors == [
        "site_config.yaml:1:1: error: output path 'tin-tuc/index.html' is written twice "
        "(news list page 1 (vi) and tag index (vi))"
    ]


def test_broken_internal_links_name_the_source_line(site_factory, capsys):
    _, result = errors_of(site_factory, capsys, {
        A: MINIMAL_ARTICLE + "\nXem [bài khác](/tin-tuc/khong-co/) và [tin](/tin-tuc/) và "
        "[ngoài](https://example.org/x) và [mục](#muc).\n\n[Cũ](../../bai-cu/)\n",
    }, )
    assert result.code == 1
    assert result.errors == [
        "content/articles/a.vi.md:8:16: error: broken link '/tin-tuc/khong-co/' on tin-tuc/bai-thu/: "
        "nothing is built at /tin-tuc/khong-co/",
        "content/articles/a.vi.md:10:6: error: broken link '../../bai-cu/' on tin-tuc/bai-thu/: "
        "nothing is built at /bai-cu/",
    ]


def test_broken_link_in_a_template_is_reported_once(site_factory, capsys):
    root = site_factory({A: MINIMAL_ARTICLE})
    base = root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "<p>{{ t.footer_text }}</p>", '<p>{{ t.footer_text }} <a href="{{ link(\'gioi-thieu/\') }}">?</a></p>'))
    result = run_build(root, "check", capsys=capsys)
    assert result.code == 1
    assert result.errors == [
        "templates/home.html:1:1: error: broken link '/gioi-thieu/' written by this template or one it includes: "
        "nothing is built at /gioi-thieu/"
    ]


def test_links_after_any_white_space_are_checked_and_other_attributes_are_not(site_factory, capsys):
    """A template may break a tag over lines; ``data-href`` and the like are not links."""
    root = site_factory({A: MINIMAL_ARTICLE})
    base = root / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace(
        "<p>{{ t.footer_text }}</p>",
        '<p>{{ t.footer_text }} <a data-href="/khong-phai/"\n\thref="/gioi-thieu/">?</a>'
        '<img alt="" src="/anh.png" srcset="/anh-480.png 480w, /anh-960.png 960w"></p>'))
    result = run_build(root, "check", capsys=capsys)
    assert result.code == 1
    assert result.errors == [
        f"templates/home.html:1:1: error: broken link '{url}' written by this template or one it includes: "
        f"nothing is built at {url}" for url in ("/anh-480.png", "/anh-960.png", "/anh.png", "/gioi-thieu/")
    ]
