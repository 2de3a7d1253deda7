"""The sample site in a real browser: language switching, accessibility (axe-core) and self-containment.

One HTTP server (``site_server``) and one Chromium (``browser``) serve the whole session.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from conftest import REPO

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

SEED_VI = "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"
SEED_EN = "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/"
VI_ONLY = "tin-tuc/dieu-hanh-tuyen-truyen-luu-dong-tren-cac-truc-duong-chinh-thanh-pho-lang-son/"


def url_path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def switcher_link(page, name: str):
    return page.locator("nav.language-switcher").get_by_role("link", name=name, exact=True)


# --- (a), (b) language switcher -------------------------------------------------------------------


def test_seed_article_switches_to_english_and_back(page, site_server, sample_site):
    assert (sample_site / SEED_VI / "index.html").is_file()
    page.goto(site_server + SEED_VI)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text().startswith("Ra quân hưởng ứng")

    with page.expect_navigation():
        switcher_link(page, "English").click()
    assert url_path(page.url) == "/" + SEED_EN
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Campaign launched")
    assert page.locator(".untranslated-note").count() == 0

    with page.expect_navigation():
        switcher_link(page, "Tiếng Việt").click()
    assert url_path(page.url) == "/" + SEED_VI
    assert page.locator("html").get_attribute("lang") == "vi"


def test_vietnamese_only_article_explains_and_falls_back_to_the_english_home(page, site_server):
    page.goto(site_server + VI_ONLY)
    assert page.locator("html").get_attribute("lang") == "vi"
    note = page.locator(".untranslated-note")
    assert note.count() == 1
    assert note.inner_text() == "This article is only available in Vietnamese."
    assert note.get_attribute("lang") == "en"
    assert note.is_visible()

    link = switcher_link(page, "English")
    note_id = note.get_attribute("id")
    assert note_id
    assert link.get_attribute("aria-describedby") == note_id
    assert link.get_attribute("rel") is None  # not a translation
    description = link.evaluate(
        "a => a.getAttribute('aria-describedby').split(/\\s+/)"
        ".map(id => document.getElementById(id).textContent).join(' ')"
    )
    assert description == "This article is only available in Vietnamese."

    with page.expect_navigation():
        link.click()
    assert url_path(page.url) == "/en/"
    assert page.locator("html").get_attribute("lang") == "en"


# --- (c) axe-core ---------------------------------------------------------------------------------

AXE_PAGES = [
    "",  # Vietnamese home
    SEED_VI,
    SEED_EN,
    "tin-tuc/",
    "tin-tuc/trang/2/",
    "chu-de/bhxh-toan-dan/",
    "tac-gia/thanh-huyen/",
    "404.html",
    "en/404.html",
    "lich/",
    "lich/2020/05/",
    "lich/ra-quan-2020/",
    "en/calendar/thang-van-dong-bhxh-toan-dan/",
    "so-lieu/",
    "en/stats/",
]


@pytest.fixture(scope="module")
def axe_context(browser):
    context = browser.new_context(color_scheme="light")
    yield context
    context.close()


def axe_report(results: dict) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + json.dumps([n["target"] for n in v["nodes"]], ensure_ascii=False)
        for v in results["violations"]
    ]


@pytest.mark.parametrize("path", AXE_PAGES, ids=lambda p: p or "home")
def test_axe_finds_no_violations(axe_context, site_server, path):
    """Every axe rule in the light colour scheme, then colour contrast again in the dark one."""
    page = axe_context.new_page()
    try:
        response = page.goto(site_server + path)
        assert response is not None and response.status == 200, path
        page.add_script_tag(path=str(AXE))
        light = page.evaluate("axe.run()")
        page.emulate_media(color_scheme="dark")
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        dark = page.evaluate("axe.run({runOnly: ['color-contrast']})")
    finally:
        page.close()
    assert light["testEngine"]["name"] == "axe-core"
    assert light["passes"] and dark["passes"], "axe ran no checks"
    violations = [f"light: {line}" for line in axe_report(light)] + [f"dark: {line}" for line in axe_report(dark)]
    assert not violations, f"/{path}:\n" + "\n".join(violations)


def test_axe_detects_violations(axe_context, site_server):
    """Canaries: an image without alternative text, and text that is only unreadable in the dark scheme."""
    page = axe_context.new_page()
    try:
        page.goto(site_server)
        page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
            '<img src="x.png"><p id="dark-canary" style="color: #333">Dark grey text</p>')""")
        page.add_script_tag(path=str(AXE))
        light = page.evaluate("axe.run()")
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate("axe.run({runOnly: ['color-contrast']})")
    finally:
        page.close()
    assert "image-alt" in [v["id"] for v in light["violations"]]
    assert "color-contrast" not in [v["id"] for v in light["violations"]]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in dark["violations"]] == [
        ("color-contrast", [["#dark-canary"]])
    ]


# --- (d) nothing leaves 127.0.0.1 -----------------------------------------------------------------


@pytest.fixture(scope="module")
def crawl(browser, site_server, sample_site):
    """Load every HTML page of the site in one context, images included; record requests and failures."""
    context = browser.new_context()
    requests: list[tuple[str, str]] = []  # (page, requested URL)
    failures: list[tuple[str, str, int | str]] = []  # (page, URL, HTTP status or network error)
    broken_images: list[tuple[str, str]] = []
    current = {"page": ""}
    context.on("request", lambda request: requests.append((current["page"], request.url)))
    context.on("requestfailed", lambda request: failures.append((current["page"], request.url, request.failure)))
    context.on(
        "response",
        lambda response: failures.append((current["page"], response.url, response.status))
        if response.status >= 400
        else None,
    )
    page = context.new_page()
    paths = sorted(
        p.relative_to(sample_site).as_posix().removesuffix("index.html") for p in sample_site.rglob("*.html")
    )
    try:
        for path in paths:
            current["page"] = "/" + path
            page.goto(site_server + path, wait_until="load")
            # Lazy images only load when scrolled to: load them now, and wait, so that every
            # request belongs to its page and a missing image shows up.
            page.evaluate("for (const img of document.images) img.loading = 'eager'")
            page.wait_for_function("Array.from(document.images).every(img => img.complete)")
            broken = page.evaluate(
                "Array.from(document.images).filter(img => img.naturalWidth === 0)"
                ".map(img => img.currentSrc || img.src)"
            )
            broken_images.extend((current["page"], src) for src in broken)
    finally:
        context.close()
    return {"paths": paths, "requests": requests, "failures": failures, "broken_images": broken_images}


def test_no_request_leaves_the_local_server(crawl, site_server):
    assert len(crawl["paths"]) > 30
    assert {page for page, _ in crawl["requests"]} == {"/" + p for p in crawl["paths"]}
    origin = urlsplit(site_server)
    foreign = [(page, url) for page, url in crawl["requests"]
               if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != origin.hostname]
    assert not foreign, "requests to other hosts:\n" + "\n".join(f"{p}: {u}" for p, u in foreign)


def test_every_page_and_resource_loads(crawl):
    assert not crawl["failures"], "\n".join(f"{p}: {u} -> {s}" for p, u, s in crawl["failures"])
    assert not crawl["broken_images"], "\n".join(f"{p}: {u}" for p, u in crawl["broken_images"])
    images = [url for _, url in crawl["requests"] if url.endswith(".svg")]
    assert images, "the sample site's article images were never requested"


# --- screenshots (artifacts for people, not asserted beyond existing) -----------------------------


@pytest.fixture(scope="session")
def screenshots(browser, site_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    saved = []
    for width in (390, 1280):
        context = browser.new_context(viewport={"width": width, "height": 844 if width == 390 else 800})
        try:
            page = context.new_page()
            for name, path in [("home-vi", ""), ("seed-article-vi", SEED_VI)]:
                page.goto(site_server + path)
                target = SCREENSHOTS / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                saved.append(target)
        finally:
            context.close()
    return saved


def test_screenshots_are_saved(screenshots):
    assert len(screenshots) == 4
    for path in screenshots:
        assert path.is_file() and path.stat().st_size > 0, path
