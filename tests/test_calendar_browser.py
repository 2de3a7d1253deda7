"""The calendar in Debian's Chromium: from the calendar to a month, an event and its article.

Uses the session's ``site_server`` and ``browser`` (conftest); axe-core runs on the
calendar pages through the list in test_browser.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

SEED_VI = "/tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"
LAUNCH = "Lễ ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def path_of(page) -> str:
    return urlsplit(page.url).path


def test_calendar_to_may_2020_to_the_launch_event_to_its_article(page, site_server):
    page.goto(site_server)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Lịch", exact=True).click()
    assert path_of(page) == "/lich/"
    assert page.locator("h1").inner_text() == "Lịch chiến dịch"

    with page.expect_navigation():
        page.get_by_role("link", name="Tháng 5 năm 2020", exact=True).click()
    assert path_of(page) == "/lich/2020/05/"
    grid = page.get_by_role("table", name="Tháng 5 năm 2020")
    assert grid.is_visible()
    headers = grid.get_by_role("columnheader").all_inner_texts()
    assert [h.strip() for h in headers] == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy",
                                            "Chủ Nhật"]

    with page.expect_navigation():
        grid.get_by_role("link", name=LAUNCH).click()
    assert path_of(page) == "/lich/ra-quan-2020/"
    assert page.locator("h1").inner_text() == LAUNCH

    # The add-to-calendar menu opens without JavaScript and offers the three ways in.
    menu = page.locator("details.add-to-calendar")
    assert not menu.get_by_role("link", name="Google Calendar").is_visible()
    menu.locator("summary").click()
    assert menu.get_by_role("link", name="Google Calendar").is_visible()
    assert menu.get_by_role("link", name="Outlook").get_attribute("href").startswith("https://outlook.live.com/")
    assert menu.get_by_role("link", name="Tải tệp lịch (.ics)").get_attribute("href") == \
        "/lich/ra-quan-2020/ra-quan-2020.ics"

    related = page.get_by_role("region", name="Bài liên quan")
    with page.expect_navigation():
        related.get_by_role("link", name="Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”").click()
    assert path_of(page) == SEED_VI
    assert page.locator("h1").inner_text().startswith("Ra quân hưởng ứng")
    # ... and the article leads back to the event.
    events = page.get_by_role("region", name="Sự kiện liên quan")
    assert events.get_by_role("link", name=LAUNCH).get_attribute("href") == "/lich/ra-quan-2020/"


def test_the_ics_file_is_served(page, site_server):
    response = page.request.get(site_server + "lich/lich.ics")
    assert response.status == 200
    assert response.body().startswith(b"BEGIN:VCALENDAR\r\n")


def test_small_screens_get_the_list_instead_of_the_grid(browser, site_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site_server + "en/calendar/2020/05/")
        assert not page.locator("table.month-grid").is_visible()
        listing = page.get_by_role("region", name="Events in May 2020")
        assert listing.is_visible()
        assert listing.get_by_role("link", name="Universal Social Insurance Campaign Month", exact=True).is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the month page scrolls sideways on a phone"
    finally:
        context.close()
