"""Site search (Pagefind): the index the build writes, the search pages, and searching in Chromium.

The browser tests type the queries of issue 7 into the built sample site's search
pages: Vietnamese typed without accents ("duong", "bao hiem", "Lang Son") and with
them ("Dương", "đường"), and English on the English page.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import MINIMAL_ARTICLE, REPO, run_build

from bantin import search
from bantin.cache import output_key

SEARCH_VI = "tim-kiem/"
SEARCH_EN = "en/search/"
DIEU_HANH = "/tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/"  # "đường" in its title
RA_QUAN = "/tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"  # "bảo hiểm", "Dương Xuân Huyên"
HUONG_DAN = "/tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FULLWIDTH = re.compile("[\uff01-\uff5e]")
BILINGUAL = {"content/articles/a.vi.md": MINIMAL_ARTICLE,
             "content/articles/a.en.md": "---\ntitle: A test\ndate: 2020-05-23\n---\n\nA test body.\n"}


def languages_of(documents: dict[str, str]) -> list[str]:
    """The languages of the index documents one Pagefind run was given."""
    return sorted({search._HTML_LANG.search(text).group(1) for text in documents.values()})


def bundle_files(folder: Path) -> dict[str, bytes]:
    """Every file of a Pagefind bundle (``folder``/pagefind), by its path in the bundle."""
    return {p.relative_to(folder / "pagefind").as_posix(): p.read_bytes()
            for p in (folder / "pagefind").rglob("*") if p.is_file()}


# --- the accent-free copy ---------------------------------------------------------------------------


def test_the_copy_has_no_accents_d_for_dd_and_fullwidth_ascii_one_character_for_one():
    text = "Đường Lạng Sơn: bảo hiểm, Dương – “ưu tiên” 61.649 ß 漢"
    copy = search.accent_free_fullwidth(text)
    assert copy == "Ｄｕｏｎｇ Ｌａｎｇ Ｓｏｎ: ｂａｏ ｈｉｅｍ, Ｄｕｏｎｇ – “ｕｕ ｔｉｅｎ” ６１.６４９ ß 漢"
    assert len(copy) == len(text)


def test_index_documents_keep_the_body_elements_and_add_the_copy_in_vietnamese():
    body = ('<article class="article" data-pagefind-body><h1 id="t">Đường</h1>'
            '<p data-pagefind-ignore>ẩn</p><time data-pagefind-meta="date">Thứ Hai</time>'
            '<article><p>Bảo &amp; hiểm</p></article></article>')
    page = ('<!DOCTYPE html>\n<html lang="vi">\n<head><title>T</title></head>\n<body><header>Lạng Sơn</header>'
            f'<p>data-pagefind-body in a sentence</p><main>{body}</main><footer>Lạng Sơn</footer></body></html>')
    head = '<!DOCTYPE html>\n<html lang="{}">\n<head><meta charset="utf-8"></head>\n<body>\n'
    copy = ('<div><h1 id="t">Ｄｕｏｎｇ</h1><p data-pagefind-ignore>ａｎ</p><time>Ｔｈｕ Ｈａｉ</time>'
            "<article><p>Ｂａｏ &amp; ｈｉｅｍ</p></article></div>")
    assert search.index_document(page) == (
        head.format("vi") + body.removesuffix("</article>") + copy + "</article>\n</body>\n</html>\n")
    english = page.replace('lang="vi"', 'lang="en"')
    assert search.index_document(english) == head.format("en") + body + "\n</body>\n</html>\n"
    assert search.index_document(page.replace(" data-pagefind-body>", ">")) is None


# --- the built sample site -------------------------------------------------------------------------


def test_search_pages_header_box_and_no_javascript_message(sample_site):
    vi = (sample_site / SEARCH_VI / "index.html").read_text(encoding="utf-8")
    en = (sample_site / SEARCH_EN / "index.html").read_text(encoding="utf-8")
    assert "<h1>Tìm kiếm</h1>" in vi and "<h1>Search</h1>" in en
    assert ('<noscript><p class="search-noscript">Tìm kiếm cần JavaScript, nhưng trình duyệt của bạn đang tắt '
            'JavaScript. <a href="/tin-tuc/">Xem danh sách tin</a></p></noscript>') in vi
    assert ('<noscript><p class="search-noscript">Search needs JavaScript, which is turned off in your browser. '
            '<a href="/en/news/">Browse the news list</a></p></noscript>') in en
    assert '<script src="/pagefind/pagefind-ui.js" defer></script>' in vi
    assert "data-accent-free" in vi and "data-accent-free" not in en
    assert '<link rel="alternate" hreflang="en" href="https://bantin.example.org/en/search/">' in vi
    # Every other page has the header's box: a plain GET form to its language's search page.
    home = (sample_site / "index.html").read_text(encoding="utf-8")
    assert ('<form class="site-search" role="search" action="/tim-kiem/" method="get">\n'
            '<label class="visually-hidden" for="site-search-q">Tìm trong các bài</label>\n'
            '<input type="search" id="site-search-q" name="q" enterkeyhint="search">\n'
            '<button type="submit">Tìm</button>\n</form>') in home
    assert 'action="/en/search/"' in (sample_site / "en/index.html").read_text(encoding="utf-8")
    assert "site-search" not in vi and "site-search" not in en


def test_only_articles_are_indexed_one_index_per_language(sample_site):
    entry = json.loads((sample_site / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    articles = {code: sorted((sample_site / section).glob("*/index.html"))  # the article pages, not the lists
                for code, section in (("vi", "tin-tuc"), ("en", "en/news"))}
    assert {code: language["page_count"] for code, language in entry["languages"].items()} == {"vi": 7, "en": 5}
    assert {code: len(pages) for code, pages in articles.items()} == {"vi": 7, "en": 5}
    marked = {p for p in sample_site.rglob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")}
    assert marked == set(articles["vi"] + articles["en"])
    assert list(entry["languages"]) == sorted(entry["languages"])  # normalized: the same bytes every build
    for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js"):
        assert (sample_site / "pagefind" / name).is_file()


# --- building the index ----------------------------------------------------------------------------


def test_an_unchanged_index_is_copied_and_a_changed_one_rebuilt(site_factory, capsys, monkeypatch):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    runs = []
    real = search.build_index
    monkeypatch.setattr(search, "build_index", lambda folder, documents: runs.append(1) or real(folder, documents))

    def build():
        assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
        return {p.relative_to(root / "public").as_posix(): p.read_bytes()
                for p in (root / "public/pagefind").rglob("*") if p.is_file()}

    first = build()
    assert len(runs) == 1
    css = root / "templates/assets/style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    assert build() == first and len(runs) == 1  # the articles did not change: the index is copied
    article = root / "content/articles/a.vi.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nĐường mới.\n", encoding="utf-8")
    assert build() != first and len(runs) == 2


def test_the_runs_for_each_language_give_the_files_of_one_run_over_every_page(sample_site, tmp_path):
    # What finish_output relies on to index one language at a time: Pagefind makes a language's
    # index from its pages alone, so the runs side by side (the sample site's bundle, one run for
    # Vietnamese and one for English) are one run over every page, byte for byte.
    documents = {p.relative_to(sample_site).as_posix(): search.index_document(p.read_text(encoding="utf-8"))
                 for p in sample_site.rglob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")}
    assert len(documents) == 12
    search.build_index(tmp_path, documents)
    one_run, by_language = bundle_files(tmp_path), bundle_files(sample_site)
    assert sorted(by_language) == sorted(one_run)
    assert [name for name in one_run if by_language[name] != one_run[name]] == []


def test_an_edit_in_one_language_indexes_that_language_alone(site_factory, capsys, monkeypatch, tmp_path):
    root = site_factory(BILINGUAL)
    runs = []
    real = search.build_index

    def counted(folder, documents):
        runs.append(languages_of(documents))
        return real(folder, documents)

    monkeypatch.setattr(search, "build_index", counted)
    bundle = root / "public/pagefind"

    def build(*args):
        assert run_build(root, "build", "--quiet", *args, capsys=capsys).code == 0
        return {p.relative_to(bundle).as_posix(): p.stat().st_ino for p in bundle.rglob("*") if p.is_file()}

    first = build()
    assert runs == [["en"], ["vi"]]
    english = root / "content/articles/a.en.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nA new sentence.\n", encoding="utf-8")
    second = build()
    assert runs[2:] == [["en"]]  # the Vietnamese pages did not change: their index stays as it was
    vietnamese = sorted(name for name in first if name.startswith(("index/vi_", "fragment/vi_", "pagefind.vi_")))
    assert vietnamese and all(second[name] == first[name] for name in vietnamese)  # the same files, untouched
    assert not [name for name in first if name.startswith(("index/en_", "fragment/en_")) and name in second]
    clean = tmp_path / "clean"
    assert run_build(root, "build", "--quiet", "--clean", "--out", str(clean), capsys=capsys).code == 0
    assert runs[3:] == [["en"], ["vi"]]
    assert bundle_files(root / "public") == bundle_files(clean)


def test_a_record_from_before_the_languages_were_noted_indexes_once_then_by_language(site_factory, capsys,
                                                                                      monkeypatch):
    root = site_factory(BILINGUAL)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    # The search record as the version before this one wrote it: a bare hash per page, no languages.
    record_file = root / ".bantin-cache/outputs" / f"{output_key(root / 'public')}.json"
    record = json.loads(record_file.read_text(encoding="utf-8"))
    old = record["sections"]["search"]
    record["sections"]["search"] = {"digest": old["digest"],
                                    "pages": {path: note.split(" ")[1] for path, note in old["pages"].items()}}
    record_file.write_text(json.dumps(record), encoding="utf-8")
    runs = []
    real = search.build_index
    monkeypatch.setattr(search, "build_index", lambda folder, documents: runs.append(
        languages_of(documents)) or real(folder, documents))
    english = root / "content/articles/a.en.md"
    for sentence in ("A new sentence.", "Another one."):
        english.write_text(english.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
        assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert runs == [["en"], ["vi"], ["en"]]  # each language once (no record of them), then English alone
    notes = json.loads(record_file.read_text(encoding="utf-8"))["sections"]["search"]["pages"]
    assert sorted(note.split(" ")[0] for note in notes.values()) == ["en", "vi"]


def test_runs_that_give_the_same_language_twice_give_way_to_one_run(site_factory, capsys, monkeypatch, tmp_path):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE,
                         "content/articles/b.vi.md": MINIMAL_ARTICLE.replace("Bài thử", "Bài thứ hai")})
    runs = []
    real = search.build_index
    monkeypatch.setattr(search, "build_index", lambda folder, documents: runs.append(len(documents))
                        or real(folder, documents))
    alternate = itertools.count()
    monkeypatch.setattr(search, "_language_of", lambda note: next(alternate) % 2)  # two groups of Vietnamese pages
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert sorted(runs[:2]) == [1, 1] and runs[2:] == [2]  # both runs named "vi": then one run over both pages
    monkeypatch.undo()
    clean = tmp_path / "clean"
    assert run_build(root, "build", "--quiet", "--clean", "--out", str(clean), capsys=capsys).code == 0
    assert bundle_files(root / "public") == bundle_files(clean)


def test_runs_that_write_a_shared_file_differently_give_way_to_one_run(site_factory, capsys, monkeypatch, tmp_path):
    root = site_factory(BILINGUAL)
    runs = []
    real = search.build_index

    def odd_english(folder, documents):
        languages = languages_of(documents)
        runs.append(languages)
        real(folder, documents)
        if languages == ["en"]:  # (as if Pagefind wrote its script for one language only)
            with open(folder / "pagefind/pagefind.js", "a", encoding="utf-8") as script:
                script.write("\n")

    monkeypatch.setattr(search, "build_index", odd_english)
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert runs == [["en"], ["vi"], ["en", "vi"]]
    monkeypatch.undo()
    clean = tmp_path / "clean"
    assert run_build(root, "build", "--quiet", "--clean", "--out", str(clean), capsys=capsys).code == 0
    assert bundle_files(root / "public") == bundle_files(clean)


def test_a_failing_indexer_is_an_error_and_leaves_the_output_as_it_was(site_factory, capsys, monkeypatch):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    before = sorted(p.relative_to(root).as_posix() for p in (root / "public").rglob("*"))
    monkeypatch.setattr(search, "pagefind_binary", lambda: Path("/bin/false"))
    result = run_build(root, "build", "--quiet", "--clean", capsys=capsys)
    assert result.code == 1
    assert result.errors == ["templates/search.html:1:1: error: search index not built: "
                             "Pagefind failed (exit status 1)"]
    assert sorted(p.relative_to(root).as_posix() for p in (root / "public").rglob("*")) == before


def test_an_article_template_without_the_body_mark_is_an_error(site_factory, capsys):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    template = root / "templates/article.html"
    template.write_text(template.read_text(encoding="utf-8").replace(" data-pagefind-body", ""), encoding="utf-8")
    result = run_build(root, "build", "--quiet", capsys=capsys)
    assert result.code == 1
    assert result.errors == ["templates/search.html:1:1: error: search index not built: no page marks an element "
                             "data-pagefind-body, so there is nothing to index (templates/article.html marks the "
                             "<article>)"]
    assert not (root / "public").exists()


def test_a_site_without_articles_has_no_search(site_factory, capsys):
    root = site_factory({})
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert not (root / "public/pagefind").exists() and not (root / "public/tim-kiem").exists()
    assert "site-search" not in (root / "public/index.html").read_text(encoding="utf-8")


def test_check_does_not_index_but_accepts_the_links_to_the_bundle(site_factory, capsys, monkeypatch):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    monkeypatch.setattr(search, "build_index", lambda *args: pytest.fail("check indexed the site"))
    result = run_build(root, "check", capsys=capsys)
    assert result.code == 0 and result.errors == []


# --- in Chromium -----------------------------------------------------------------------------------


def search_for(page, base: str, path: str, query: str) -> list[dict]:
    """Type ``query`` into the search page's box; the results as shown (link, title, excerpt, tags)."""
    page.goto(base + path)
    page.locator("#search-input").fill(query)
    return shown_results(page, query)


def shown_results(page, query: str) -> list[dict]:
    # Done when the message is the count for this query (not "Searching for …") and no result is a placeholder.
    page.wait_for_function("""q => {
        const message = document.querySelector('.pagefind-ui__message');
        return message && message.textContent.includes(q) && !message.textContent.trim().endsWith('...')
            && !document.querySelector('.pagefind-ui__loading');
    }""", arg=query)
    return page.eval_on_selector_all(".pagefind-ui__result", """results => results.map(r => ({
        url: r.querySelector('.pagefind-ui__result-link').getAttribute('href'),
        title: r.querySelector('.pagefind-ui__result-title').textContent.trim(),
        excerpt: r.querySelector('.pagefind-ui__result-excerpt').innerHTML,
        tags: Array.from(r.querySelectorAll('.pagefind-ui__result-tag'), t => t.textContent.trim())}))""")


@pytest.mark.browser
@pytest.mark.parametrize("query, first, excerpt", [
    ("duong", DIEU_HANH, "trục <mark>đường</mark> chính"),  # đ typed as d
    ("bao hiem", RA_QUAN, "<mark>bảo</mark> <mark>hiểm</mark> thất nghiệp"),  # tone marks left out
    ("Lang Son", DIEU_HANH, "thành phố <mark>Lạng</mark> <mark>Sơn"),
    ("Dương", RA_QUAN, "chí <mark>Dương</mark> Xuân Huyên"),  # with accents: exact accents first
    ("đường", DIEU_HANH, "trục <mark>đường</mark> chính"),
])
def test_vietnamese_queries_find_the_expected_article_first(page, site_server, query, first, excerpt):
    results = search_for(page, site_server, SEARCH_VI, query)
    assert results, query
    assert results[0]["url"] == first, [r["url"] for r in results]
    assert excerpt in results[0]["excerpt"]
    for result in results:  # title, date and excerpt in the reader's spelling, never the copy's
        assert result["url"].startswith("/tin-tuc/")
        assert not FULLWIDTH.search(result["title"] + result["excerpt"]), result
        assert len(result["tags"]) == 1
        assert re.fullmatch(r"Đăng ngày: (Thứ \w+|Chủ Nhật), \d\d/\d\d/2020", result["tags"][0]), result["tags"]


@pytest.mark.browser
def test_accents_decide_what_a_query_means(page, site_server):
    """Without accents "duong" is "đường" and "Dương" alike; typed with accents, each finds only itself."""
    def urls(query):
        return {r["url"] for r in search_for(page, site_server, SEARCH_VI, query)}

    with_dd = urls("đường")
    assert with_dd == {DIEU_HANH, HUONG_DAN, RA_QUAN,
                       "/tin-tuc/nganh-bhxh-va-buu-dien-phoi-hop-chi-tra-van-dong-tham-gia-bhxh/"}
    assert urls("duong") == with_dd | urls("Dương")
    titles_lang_son = {r["title"] for r in search_for(page, site_server, SEARCH_VI, "Lang Son")[:3]}
    assert all("Lạng Sơn" in title for title in titles_lang_son), titles_lang_son


@pytest.mark.browser
def test_every_vietnamese_article_has_a_copy_aligned_with_its_text(page, site_server):
    """search.js maps excerpts from the copy back by position: each indexed text must be
    ORIGINAL + " " + COPY with both halves of one length (bantin/search.py)."""
    page.goto(site_server + SEARCH_VI)
    texts = page.evaluate("""async () => {
        const pagefind = await import('/pagefind/pagefind.js');
        const all = await pagefind.search(null, {filters: {}});
        return Promise.all(all.results.map(async r => { const d = await r.data(); return [d.url, d.content]; }));
    }""")
    assert len(texts) == 7
    for url, content in texts:
        half = (len(content) - 1) // 2
        original, separator, copy = content[:half], content[half:half + 1], content[half + 1:]
        assert separator == " " and len(original) == len(copy), url
        assert copy == search.accent_free_fullwidth(original), url


@pytest.mark.browser
def test_english_search_finds_english_pages_only(page, site_server):
    results = search_for(page, site_server, SEARCH_EN, "insurance")
    assert len(results) == 5
    assert all(r["url"].startswith("/en/news/") for r in results)
    assert all(re.fullmatch(r"Published: \w+day, \w+ \d+, 2020", r["tags"][0]) for r in results), results
    assert search_for(page, site_server, SEARCH_EN, "Lang Son")[0]["title"] == "Lạng Sơn's 2020 target for voluntary social insurance"


@pytest.mark.browser
def test_the_header_box_opens_the_search_page_with_the_query(page, site_server):
    page.goto(site_server)
    page.locator("#site-search-q").fill("bao hiem")
    with page.expect_navigation():
        page.locator("#site-search-q").press("Enter")
    assert page.url == site_server + SEARCH_VI + "?q=bao+hiem"
    assert [r["url"] for r in shown_results(page, "bao hiem")] == [RA_QUAN]
    assert page.locator("#search-input").input_value() == "bao hiem"


@pytest.mark.browser
def test_without_javascript_the_search_page_says_so_and_links_the_news(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_server + SEARCH_VI + "?q=duong")
        message = page.locator(".search-noscript")
        assert message.is_visible()
        assert message.inner_text() == ("Tìm kiếm cần JavaScript, nhưng trình duyệt của bạn đang tắt JavaScript. "
                                        "Xem danh sách tin")
        assert message.get_by_role("link").get_attribute("href") == "/tin-tuc/"
        assert page.locator(".pagefind-ui").count() == 0
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path, query", [(SEARCH_VI, "bao hiem"), (SEARCH_EN, "insurance")])
def test_search_pages_with_results_pass_axe_and_vnu(browser, site_server, tmp_path, path, query):
    """The pages as readers see them, results shown: axe-core (light, 320 px, dark contrast), and
    the Nu Html Checker on the DOM that Pagefind's UI built."""
    context = browser.new_context(color_scheme="light")
    try:
        page = context.new_page()
        search_for(page, site_server, path, query)
        page.add_script_tag(path=str(AXE))
        reports = {"light": page.evaluate("axe.run()")}
        page.set_viewport_size({"width": 320, "height": 640})
        reports["320 px"] = page.evaluate("axe.run()")
        page.emulate_media(color_scheme="dark")
        reports["dark"] = page.evaluate("axe.run({runOnly: ['color-contrast']})")
        page.evaluate("document.querySelectorAll('script:not([src])').forEach(s => s.remove())")  # axe
        live = tmp_path / "live.html"
        live.write_text("<!DOCTYPE html>\n" + page.evaluate("document.documentElement.outerHTML"), encoding="utf-8")
    finally:
        context.close()
    violations = [f"{scheme}: {v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
                  for scheme, report in reports.items() for v in report["violations"]]
    assert not violations, "\n".join(violations)
    checked = subprocess.run(["java", "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always",
                              str(live)], capture_output=True, text=True, check=True)
    messages = [m for m in json.loads(checked.stderr)["messages"] if m["type"] != "info" or m.get("subType")]
    assert not messages, messages


def test_search_false_in_the_settings_leaves_out_the_pages_and_the_index(site_factory, capsys, monkeypatch):
    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    settings = root / "site_config.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("search: true", "search: false"), encoding="utf-8")
    monkeypatch.setattr(search, "build_index", lambda *args: pytest.fail("indexed a site without search"))
    monkeypatch.setattr(search, "indexed_digest", lambda *args: pytest.fail("read a page for no index"))
    assert run_build(root, "build", "--quiet", capsys=capsys).code == 0
    assert not (root / "public/pagefind").exists() and not (root / "public/tim-kiem").exists()
    assert "site-search" not in (root / "public/index.html").read_text(encoding="utf-8")


def test_the_preview_keeps_its_index_until_a_refreshing_build(site_factory):
    from bantin.pipeline import BuildOptions, run

    root = site_factory({"content/articles/a.vi.md": MINIMAL_ARTICLE})
    out = root / "public"

    def index():
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}

    assert run(BuildOptions(root=root, out=out)).ok
    first = index()
    article = root / "content/articles/a.vi.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nĐường mới.\n", encoding="utf-8")
    preview = BuildOptions(root=root, out=out, refresh_search=False)
    assert run(preview).ok
    assert "Đường mới." in (out / "tin-tuc/bai-thu/index.html").read_text(encoding="utf-8")
    assert index() == first  # the page is new, its index is the first build's
    assert run(preview).ok and index() == first
    assert run(BuildOptions(root=root, out=out)).ok  # nothing changed since, but the index is stale
    refreshed = index()
    assert refreshed != first
    clean = root / "clean"
    assert run(BuildOptions(root=root, out=clean, clean=True)).ok
    assert refreshed == {p.relative_to(clean).as_posix(): p.read_bytes()
                         for p in (clean / "pagefind").rglob("*") if p.is_file()}
