"""The link check of pages kept from an earlier build when files are gone (issue 8: a title edit
of a large archive re-reads its kept pages but parses only those that may link a gone file)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from bantin.diagnostics import Diagnostics
from bantin.links import READ_SIZE, LinkChecker, file_reader, linked_into
from bantin.plan import PageOutput, Plan

SITE = SimpleNamespace(base_url="https://bantin.example/", base_path="/")


def page(path: str, url: str) -> PageOutput:
    return PageOutput(path, url, "vi", "news.html", "a page", "site_config.yaml")


def check_again(pages: dict[str, tuple[str, bytes]], gone: list[str], root=Path("/nonexistent")) \
        -> tuple[list[str], list[str]]:
    """(the pages parsed, the errors) when the kept ``pages`` (path -> (url, bytes)) are checked again."""
    plan = Plan(tuple(page(path, url) for path, (url, _) in pages.items()), ())
    diagnostics = Diagnostics()
    checker = LinkChecker(plan, root, SITE, diagnostics)
    parsed = []
    checker.check = lambda path, data: parsed.append(path) or LinkChecker.check(checker, path, data)
    checker.check_again(pages, gone, lambda path: pages[path][1])
    checker.report()
    return parsed, [d.format() for d in diagnostics.errors]


def test_a_relative_link_takes_the_gone_folder_from_the_address_of_its_page():
    pages = {"tin-tuc/bai/index.html": ("tin-tuc/bai/", '<p><a href="../">Tin tức</a></p>'.encode()),
             "gioi-thieu/index.html": ("gioi-thieu/", '<p><a href="../">Trang chủ</a></p>'.encode())}
    parsed, errors = check_again(pages, ["tin-tuc/index.html"])
    assert parsed == ["tin-tuc/bai/index.html"]
    assert errors == ["templates/news.html:1:1: error: broken link '../' written by this template or one it includes: "
                      "nothing is built at /tin-tuc/"]


def test_a_page_is_parsed_when_it_shows_every_name_of_a_gone_path_or_an_escaped_letter():
    pages = {"a/index.html": ("a/", b'<a href="/tin-tuc/bai-kia/anh.jpg">x</a>'),
             "b/index.html": ("b/", b'<img src="/tin-tuc/bai-khac/anh.jpg" alt="">'),  # not bai-kia
             "c/index.html": ("c/", b'<a href="/tin-tuc/b%61i-kia/anh.jpg">x</a>'),
             "d/index.html": ("d/", b'<a href="https://example.org/?q=%20">x</a>'),  # escaped, not broken
             "feed.xml": ("feed.xml", b'<link href="/tin-tuc/bai-kia/anh.jpg"/>')}  # (not a page)
    parsed, errors = check_again(pages, ["tin-tuc/bai-kia/anh.jpg"])
    assert parsed == ["a/index.html", "c/index.html", "d/index.html"]
    assert errors == ["templates/news.html:1:1: error: broken link '/tin-tuc/bai-kia/anh.jpg' written by this template or "
                      "one it includes: nothing is built at /tin-tuc/bai-kia/anh.jpg",
                      "templates/news.html:1:1: error: broken link '/tin-tuc/b%61i-kia/anh.jpg' written by this template or "
                      "one it includes: nothing is built at /tin-tuc/bai-kia/anh.jpg"]


def test_every_page_is_parsed_when_a_gone_name_may_be_written_otherwise_or_the_home_page_is_gone():
    pages = {"a/index.html": ("a/", b'<a href="/">x</a>'), "b/index.html": ("b/", b'<a href="/b/">x</a>')}
    assert check_again(pages, ["ảnh/index.html"])[0] == ["a/index.html", "b/index.html"]
    parsed, errors = check_again(pages, ["index.html"])
    assert parsed == ["a/index.html", "b/index.html"]
    assert errors == ["templates/news.html:1:1: error: broken link '/' written by this template or one it includes: "
                      "nothing is built at /"]


def test_the_files_linked_in_a_folder_are_found_with_the_pages_that_link_them():
    # What quick.EarlyLook asks before it knows which files of an article's folder go: every file of
    # the folder that each page links, as the link check takes it (a folder's index.html; a name
    # without a suffix, also as a folder). A page that does not show the folder's names is not parsed.
    pages = {"a/index.html": b'<a href="/tin-tuc/bai-kia/">x</a><img src="/tin-tuc/bai-kia/anh-480.jpg" alt="">',
             "tin-tuc/khac/index.html": b'<a href="../bai-kia/anh">x</a><a href="/tin-tuc/bai-khac/">y</a>',
             "c/index.html": b'<a href="/tin-tuc/b%61i-kia/anh.jpg">x</a>',
             "d/index.html": b'<a href="/tin-tuc/">x</a><a href="/tin-tuc/bai-kia-2/">y</a>',
             "e/index.html": b'<a href="/tin-tuc/bai-khac/">bai-kia</a>'}  # (the name, not in a link)
    read = []
    found = linked_into(("tin-tuc/bai-kia/",), pages, lambda path: read.append(path) or pages[path], SITE)
    assert found == {"a/index.html": {"tin-tuc/bai-kia/index.html", "tin-tuc/bai-kia/anh-480.jpg"},
                     "tin-tuc/khac/index.html": {"tin-tuc/bai-kia/anh", "tin-tuc/bai-kia/anh/index.html"},
                     "c/index.html": {"tin-tuc/bai-kia/anh.jpg"}}
    assert read == list(pages)


def test_a_page_is_read_whole_whatever_its_size(tmp_path):
    sizes = {"empty.html": 0, "small.html": 10, "one-read.html": READ_SIZE, "three-reads.html": 2 * READ_SIZE + 1}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    read = file_reader(tmp_path)
    assert {name: read(name) for name in sizes} == {name: (tmp_path / name).read_bytes() for name in sizes}
    assert [len(read(name)) for name in sizes] == list(sizes.values())
