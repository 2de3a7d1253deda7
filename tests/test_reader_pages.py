"""What every reader gets, on the built sample site: light pages, no JavaScript to read,
a layout that works from 320 px, Vietnamese in one font, keyboard use, dark mode and print.

axe-core, the request log and the screenshots are in test_browser.py; Lighthouse in
test_lighthouse.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import pytest

from conftest import REPO

SEED_VI = "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"
SEED_EN = "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/"
GUIDE_VI = "tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/"  # code blocks and a table
EVENT_VI = "lich/ra-quan-2020/"  # an "Add to calendar" <details>
SEARCH_PAGES = ("tim-kiem/", "en/search/")  # the only pages that may load a script
PAGE_BUDGET = 50_000  # bytes: an article's HTML + CSS + JS, uncompressed, images excluded
PRINTS = REPO / "test-artifacts" / "print"


# --- the built files ------------------------------------------------------------------------------


class PageParts(HTMLParser):
    """The scripts, stylesheets and handler attributes a page references, and its og:type."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []  # src, or "inline" for an inline script that is not data
        self.stylesheets: list[str] = []
        self.handlers: list[str] = []  # on…= attributes and javascript: links
        self.og_type = ""

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        self.handlers += [f"<{tag} {name}>" for name in a if name.startswith("on")]
        if a.get("href", "").strip().lower().startswith("javascript:"):
            self.handlers.append(f"<{tag} href={a['href']}>")
        if tag == "script" and a.get("type", "").lower() != "application/ld+json":
            self.scripts.append(a.get("src") or "inline")
        elif tag == "link":
            rel = a.get("rel", "").lower().split()
            if "stylesheet" in rel or ("preload" in rel and a.get("as") == "style"):
                self.stylesheets.append(a.get("href", ""))
            if "modulepreload" in rel or ("preload" in rel and a.get("as") == "script"):
                self.scripts.append(a.get("href", ""))
        elif tag == "meta" and a.get("property") == "og:type":
            self.og_type = a.get("content", "")


def parse(path: Path) -> PageParts:
    parts = PageParts()
    parts.feed(path.read_text(encoding="utf-8"))
    return parts


def page_path(site: Path, html: Path) -> str:
    """The URL path of a built page, relative to the site root ("" for the home page)."""
    return html.relative_to(site).as_posix().removesuffix("index.html")


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def local_file(site: Path, page: str, ref: str) -> Path:
    """The file a same-site reference of ``page`` points at; another host is an error."""
    url = urlsplit(ref)
    assert not url.scheme and not url.netloc, f"/{page} loads {ref} from another host"
    target = PurePosixPath(url.path) if url.path.startswith("/") else PurePosixPath("/" + page) / url.path
    file = site / target.as_posix().lstrip("/")
    return file / "index.html" if file.is_dir() else file


def test_no_page_but_search_references_a_script(sample_site):
    """Reading needs no JavaScript: JSON-LD (data) is the only script outside the search pages."""
    checked, offenders = 0, []
    for html in html_pages(sample_site):
        page = page_path(sample_site, html)
        parts = parse(html)
        offenders += [f"/{page}: handler {h}" for h in parts.handlers]
        if page in SEARCH_PAGES:
            continue
        checked += 1
        offenders += [f"/{page}: script {s}" for s in parts.scripts]
    assert checked > 60
    assert not offenders, "\n".join(offenders)


def test_the_no_script_check_sees_scripts(tmp_path):
    page = tmp_path / "index.html"
    page.write_text('<script type="application/ld+json">{}</script><script src="/x.js"></script>'
                    '<script>alert(1)</script><link rel="modulepreload" href="/m.js">'
                    '<a href="javascript:void(0)" onclick="f()">x</a>', encoding="utf-8")
    parts = parse(page)
    assert parts.scripts == ["/x.js", "inline", "/m.js"]
    assert parts.handlers == ["<a onclick>", "<a href=javascript:void(0)>"]


def page_weight(site: Path, html: Path) -> dict[str, int]:
    """Bytes of the page and of every stylesheet (with its @imports) and script it references."""
    page = page_path(site, html)
    parts = parse(html)
    weights = {f"/{page}": html.stat().st_size}
    queue = [local_file(site, page, ref) for ref in parts.stylesheets + [s for s in parts.scripts if s != "inline"]]
    while queue:
        file = queue.pop()
        rel = "/" + file.relative_to(site).as_posix()
        if rel in weights:
            continue
        assert file.is_file(), f"/{page} references {rel}, which the build did not write"
        weights[rel] = file.stat().st_size
        if file.suffix == ".css":
            css = file.read_text(encoding="utf-8")
            for ref in re.findall(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)""", css):
                queue.append(local_file(site, file.relative_to(site).parent.as_posix() + "/", ref))
    return weights


def test_every_article_page_is_under_the_budget(sample_site):
    articles = [html for html in html_pages(sample_site) if parse(html).og_type == "article"]
    assert len(articles) >= 10
    assert sample_site / SEED_VI / "index.html" in articles and sample_site / SEED_EN / "index.html" in articles
    over = []
    for html in articles:
        weights = page_weight(sample_site, html)
        assert any(name.endswith(".css") for name in weights), weights  # the stylesheet is counted
        if sum(weights.values()) >= PAGE_BUDGET:
            over.append(f"{sum(weights.values())} bytes: {weights}")
    assert not over, f"article pages at or over {PAGE_BUDGET} bytes (HTML + CSS + JS):\n" + "\n".join(over)


def test_the_budget_counts_stylesheets_and_scripts(tmp_path):
    site = tmp_path / "site"
    (site / "a" / "b").mkdir(parents=True)
    (site / "assets").mkdir()
    (site / "assets" / "main.css").write_text('@import "more.css";' + "x" * 100, encoding="utf-8")
    (site / "assets" / "more.css").write_text("y" * 200, encoding="utf-8")
    (site / "a" / "b" / "app.js").write_text("z" * 300, encoding="utf-8")
    page = site / "a" / "b" / "index.html"
    page.write_text('<link rel="stylesheet" href="/assets/main.css?v=1"><script src="app.js"></script>',
                    encoding="utf-8")
    weights = page_weight(site, page)
    assert weights == {"/a/b/": page.stat().st_size, "/assets/main.css": 119, "/assets/more.css": 200,
                       "/a/b/app.js": 300}
    page.write_text('<link rel="stylesheet" href="https://cdn.example.com/x.css">', encoding="utf-8")
    with pytest.raises(AssertionError, match="another host"):
        page_weight(site, page)


# --- in Chromium ----------------------------------------------------------------------------------


@pytest.fixture
def context_factory(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.mark.browser
def test_no_page_scrolls_sideways_at_320_px(context_factory, site_server, sample_site):
    """Every page of the site, on the narrowest phone we support."""
    page = context_factory(viewport={"width": 320, "height": 640}).new_page()
    paths = [page_path(sample_site, html) for html in html_pages(sample_site)]
    too_wide = []
    for path in paths:
        page.goto(site_server + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > 320:
            culprits = page.evaluate("""Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > 320.5).slice(0, 3)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""")
            too_wide.append(f"/{path}: {width} px wide ({', '.join(culprits)})")
    assert len(paths) > 60
    assert not too_wide, "\n".join(too_wide)


TEXT_BLOCKS = "h1, h2, h3, p, li, td, th, dt, dd, figcaption, summary, caption"


def platform_fonts(cdp, selector: str) -> set[str]:
    """The font families Chromium actually used to draw the text of the elements ``selector`` matches."""
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]
    return {font["familyName"] for node in nodes
            for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]}


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", SEED_VI, GUIDE_VI, "lich/2020/05/", "so-lieu/"])
def test_vietnamese_text_is_drawn_in_one_font(context_factory, site_server, path):
    """A font of the stack that lacks a letter (ở, ộ, ể…) makes Chromium borrow that letter from
    another font, mid-word. The fonts Chromium really used show it: one for text, one for code."""
    context = context_factory()
    page = context.new_page()
    page.goto(site_server + path)
    assert re.search(r"[ởộểặữỹđ]", page.locator("body").inner_text())
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    text_fonts = platform_fonts(cdp, f":is({TEXT_BLOCKS}):not(:has(code))")
    assert len(text_fonts) == 1, f"/{path}: text drawn in {sorted(text_fonts)}"
    code_fonts = platform_fonts(cdp, "pre, :not(pre) > code")
    assert len(code_fonts) <= 1, f"/{path}: code drawn in {sorted(code_fonts)}"
    if path == GUIDE_VI:
        assert code_fonts and code_fonts != text_fonts, (text_fonts, code_fonts)


@pytest.mark.browser
def test_skip_link_is_the_first_tab_stop_and_jumps_to_the_content(context_factory, site_server):
    page = context_factory(viewport={"width": 390, "height": 844}).new_page()
    page.goto(site_server + SEED_VI)
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.is_visible() and skip.inner_text().strip()
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 390, box  # on screen
    page.keyboard.press("Enter")
    # The fragment navigation completes after the key press returns: wait for it (5 s at most).
    page.wait_for_url(lambda url: url.endswith("#main"), timeout=5000)
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), \
        page.evaluate("document.activeElement.outerHTML")


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", EVENT_VI, "en/stats/"], ids=["home", "event", "stats-en"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_tab_stop_shows_a_focus_ring(context_factory, site_server, path, scheme):
    page = context_factory(color_scheme=scheme).new_page()
    page.goto(site_server + path)
    page.evaluate("for (const d of document.querySelectorAll('details')) d.open = false")
    seen, missing = [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("""(() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), text: e.textContent.trim().slice(0, 30),
                    style: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: e.matches(':focus-visible')};
        })()""")
        if focused["tag"] == "body" or (seen and focused == seen[0]):
            break
        seen.append(focused)
        if not (focused["visible"] and focused["style"] != "none" and focused["width"] >= 2):
            missing.append(focused)
    assert len(seen) > 5
    assert "summary" in {f["tag"] for f in seen} or path != EVENT_VI
    assert not missing, missing


def luminance(css_color: str) -> float:
    r, g, b = (int(c) / 255 for c in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.browser
def test_dark_mode_follows_the_system_setting(context_factory, site_server):
    colours = {}
    for scheme in ("light", "dark"):
        page = context_factory(color_scheme=scheme).new_page()
        page.goto(site_server + SEED_VI)
        colours[scheme] = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]")
    assert luminance(colours["light"][0]) > 0.9 and luminance(colours["light"][1]) < 0.2, colours
    assert luminance(colours["dark"][0]) < 0.1 and luminance(colours["dark"][1]) > 0.8, colours


@pytest.mark.browser
@pytest.mark.parametrize("path", [SEED_VI, SEED_EN])
def test_articles_print_without_navigation_in_black_on_white(context_factory, site_server, path):
    page = context_factory(color_scheme="dark").new_page()
    page.goto(site_server + path)
    page.evaluate("""document.querySelector('.article-body p').insertAdjacentHTML('beforeend',
        ' <a id="outside" href="https://baolangson.vn/">Báo Lạng Sơn</a>')""")
    page.emulate_media(media="print")
    style = page.evaluate("""(() => {
        const shown = sel => Array.from(document.querySelectorAll(sel)).some(e => e.getClientRects().length > 0);
        return {
            hidden: ['.site-header nav', '.language-switcher', '.site-footer', '.skip-link', '.add-to-calendar']
                .filter(shown),
            shown: ['h1', '.article-body', '.meta', '.byline', '.source'].filter(sel => !shown(sel)),
            colour: getComputedStyle(document.body).color,
            background: getComputedStyle(document.body).backgroundColor,
            after: getComputedStyle(document.getElementById('outside'), '::after').content,
        };
    })()""")
    assert style["hidden"] == [], f"shown in print: {style['hidden']}"
    assert style["shown"] == [], f"missing in print: {style['shown']}"
    assert style["colour"] == "rgb(0, 0, 0)" and style["background"] == "rgb(255, 255, 255)", style
    assert style["after"] == '" (https://baolangson.vn/)"', style
    PRINTS.mkdir(parents=True, exist_ok=True)
    name = "seed-article-vi.pdf" if path == SEED_VI else "seed-article-en.pdf"
    page.evaluate("document.getElementById('outside').remove()")
    page.pdf(path=str(PRINTS / name), format="A4")
    assert (PRINTS / name).stat().st_size > 1000


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", SEED_VI, "en/", SEED_EN, "lich/2020/05/", EVENT_VI, "so-lieu/", "en/stats/"])
def test_pages_read_the_same_without_javascript(context_factory, site_server, path):
    with_js = context_factory().new_page()
    without_js = context_factory(java_script_enabled=False).new_page()
    texts = []
    for page in (with_js, without_js):
        page.goto(site_server + path)
        texts.append(page.locator("main").inner_text())
    assert len(texts[1]) > 200
    assert texts[0] == texts[1]
    details = without_js.locator("details summary")
    if details.count():  # disclosure widgets open with no script
        details.first.click()
        assert without_js.evaluate("document.querySelector('details').open")
