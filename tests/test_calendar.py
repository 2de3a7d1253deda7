"""The campaign calendar: event files, their checks, month grids, event pages and ICS feeds.

Every generated .ics is read back by two parsers written by different people
(icalendar, which also writes them, and the ``ics`` package), so a file that
only our own writer understands cannot pass.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import icalendar
import ics
import pytest

from conftest import MINIMAL_ARTICLE, run_build

HOST = "bantin.example.org"
SAMPLE_EVENTS = {
    "thang-van-dong-bhxh-toan-dan": (dt.date(2020, 5, 1), dt.date(2020, 6, 1), "campaign"),
    "ra-quan-2020": (dt.date(2020, 5, 23), dt.date(2020, 5, 24), "launch"),
    "dieu-hanh-tuyen-truyen-2020": (dt.date(2020, 5, 23), dt.date(2020, 5, 24), "launch"),
    "moc-6-thang-2020": (dt.date(2020, 6, 30), dt.date(2020, 7, 1), "deadline"),
    "chi-tieu-nam-2020": (dt.date(2020, 12, 31), dt.date(2021, 1, 1), "deadline"),
}
SEED_VI = "tin-tuc/ra-quan-huong-ung-thang-van-dong-trien-khai-bhxh-toan-dan/"
SEED_EN = "en/news/campaign-launched-for-the-universal-social-insurance-campaign-month/"


def read(root: Path, rel: str) -> str:
    return (root / rel).read_text(encoding="utf-8")


def main_of(html: str) -> str:
    return html[html.index('<main id="main"'):html.index("</main>")]


def parse_both(path: Path) -> tuple[list, list]:
    """The VEVENTs as icalendar and as the ``ics`` package read them, both sorted by UID."""
    data = path.read_bytes()
    first = icalendar.Calendar.from_ical(data)
    second = ics.Calendar(data.decode("utf-8"))
    return (sorted(first.walk("VEVENT"), key=lambda e: str(e["UID"])),
            sorted(second.events, key=lambda e: e.uid))


def rrule_of(event: ics.Event) -> str | None:
    return next((line.value for line in event.extra if line.name == "RRULE"), None)


def build_ok(site_factory, capsys, files: dict, *args) -> Path:
    root = site_factory(files)
    result = run_build(root, "build", "--quiet", *args, capsys=capsys)
    assert result.code == 0, result.err
    return root / "public"


# --- the sample calendar ---------------------------------------------------------------------------


def test_sample_calendar_pages_exist_in_both_languages(sample_site):
    for index, sep in (("lich/", "lich"), ("en/calendar/", "calendar")):
        assert (sample_site / index / "index.html").is_file()
        assert (sample_site / index / f"{sep}.ics").is_file()
        for month in ("2020/05", "2020/06", "2020/12"):
            assert (sample_site / index / month / "index.html").is_file()
        for ident in SAMPLE_EVENTS:
            assert (sample_site / index / ident / "index.html").is_file()
            assert (sample_site / index / ident / f"{ident}.ics").is_file()
        for category in ("campaign", "launch", "deadline"):
            assert (sample_site / index / category / "index.html").is_file()
            assert (sample_site / index / category / f"{category}.ics").is_file()
    # The yearly event has no 'until' and the site's content ends in 2020: no 2021 pages.
    assert not (sample_site / "lich/2021").exists()
    assert not (sample_site / "lich/2020/04").exists()


def test_every_ics_file_is_read_alike_by_two_parsers(sample_site):
    files = sorted(sample_site.rglob("*.ics"))
    assert len(files) == 2 * (1 + 3 + len(SAMPLE_EVENTS))
    for path in files:
        rel = path.relative_to(sample_site).as_posix()
        lang = "en" if rel.startswith("en/") else "vi"
        mine, theirs = parse_both(path)
        assert [str(e["UID"]) for e in mine] == [e.uid for e in theirs], rel
        assert mine, rel
        for ours, other in zip(mine, theirs):
            ident = other.uid.removesuffix(f"@{HOST}")
            start, end, category = SAMPLE_EVENTS[ident]
            assert other.uid == f"{ident}@{HOST}"
            # All day: DATE values, DTEND the day after the last day.
            assert ours.decoded("DTSTART") == start and ours.decoded("DTEND") == end, rel
            assert other.all_day and other.begin.date() == start and other.end.date() == end, rel
            assert "VALUE=DATE" in ours.content_line("DTSTART", ours["DTSTART"]), rel
            assert str(ours["SUMMARY"]) == other.name and other.name
            assert ours["SUMMARY"].params["LANGUAGE"] == lang
            page = ("en/calendar/" if lang == "en" else "lich/") + ident + "/"
            assert str(ours["URL"]) == other.url == f"https://{HOST}/{page}"
            assert (sample_site / page / "index.html").is_file()
            # DTSTAMP comes from the source (the start, at midnight in Vietnam), never from the clock.
            assert ours.decoded("DTSTAMP") == dt.datetime.combine(start, dt.time(), dt.timezone(dt.timedelta(hours=7)))
            yearly = ident == "thang-van-dong-bhxh-toan-dan"
            assert (str(ours.get("RRULE").to_ical(), "ascii") if "RRULE" in ours else None) == \
                ("FREQ=YEARLY" if yearly else None)
            assert rrule_of(other) == ("FREQ=YEARLY" if yearly else None)
        if "/" in rel.removeprefix("en/") and not rel.endswith(("lich/lich.ics", "calendar/calendar.ics")):
            folder = path.parent.name
            if folder in SAMPLE_EVENTS:
                assert [e.uid for e in theirs] == [f"{folder}@{HOST}"]
            else:  # a category's feed has exactly that category's events
                expected = sorted(f"{i}@{HOST}" for i, (_, _, c) in SAMPLE_EVENTS.items() if c == folder)
                assert [e.uid for e in theirs] == expected, rel
        else:
            assert len(theirs) == len(SAMPLE_EVENTS)


def test_ics_files_use_crlf_folded_lines_and_utf8(sample_site):
    for path in sorted(sample_site.rglob("*.ics")):
        data = path.read_bytes()
        assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bantin//")
        assert data.endswith(b"END:VCALENDAR\r\n")
        assert data.count(b"\n") == data.count(b"\r\n"), path
        for line in data.split(b"\r\n"):
            assert len(line) <= 75, (path, line)
            line.decode("utf-8")  # folding never splits a character
    feed = (sample_site / "lich/lich.ics").read_bytes()
    unfolded = feed.replace(b"\r\n ", b"").decode("utf-8")
    assert "X-WR-CALNAME:Lịch chiến dịch – Bản tin BHXH toàn dân\r\n" in unfolded
    assert "X-WR-TIMEZONE:Asia/Ho_Chi_Minh\r\n" in unfolded
    # Escaping: commas in text are escaped, the page address follows the description.
    assert ("DESCRIPTION;LANGUAGE=vi:Sau lễ ra quân\\, cán bộ\\, nhân viên của ngành BHXH tỉnh") in unfolded
    assert "phố Lạng Sơn.\\n\\nhttps://bantin.example.org/lich/dieu-hanh-tuyen-truyen-2020/\r\n" in unfolded
    assert "BEGIN:VTIMEZONE" not in unfolded  # only timed events need one


def test_english_feed_is_in_english(sample_site):
    mine, theirs = parse_both(sample_site / "en/calendar/calendar.ics")
    names = {e.uid.removesuffix(f"@{HOST}"): e.name for e in theirs}
    assert names["thang-van-dong-bhxh-toan-dan"] == "Universal Social Insurance Campaign Month"
    assert names["chi-tieu-nam-2020"] == "2020 target: more than 17,000 voluntary social insurance participants"
    categories = {str(e["UID"]): e["CATEGORIES"].to_ical().decode() for e in mine}
    assert categories[f"ra-quan-2020@{HOST}"] == "Launch"


def test_month_grid_is_an_accessible_table_starting_on_monday(sample_site):
    html = main_of(read(sample_site, "lich/2020/05/index.html"))
    assert "<h1>Lịch tháng 5 năm 2020</h1>" in html
    assert "<caption>Tháng 5 năm 2020</caption>" in html
    headers = re.findall(r'<th scope="col">([^<]+)</th>', html)
    assert headers == ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)[1:]
    first_week = re.findall(r"<td[^>]*>(?:<time[^>]*>(\d+)</time>)?", rows[0])
    assert first_week == ["", "", "", "", "1", "2", "3"]  # 1 May 2020 was a Friday
    assert len(rows) == 5
    assert '<a href="/lich/2020/06/" rel="next">Sau: tháng 6 năm 2020<span aria-hidden="true"> →</span></a>' in html
    assert 'rel="prev"' not in html  # May 2020 is the first month
    # The list view says everything the grid says, with dates.
    listing = html[html.index('<section class="month-list"'):]
    assert "<h2 id=\"month-list\">Sự kiện trong tháng 5 năm 2020</h2>" in listing
    assert '<span class="meta">1–31/05/2020 · Chiến dịch</span>' in listing
    assert '<time datetime="2020-05-23">23/05/2020</time>' in listing

    en = main_of(read(sample_site, "en/calendar/2020/05/index.html"))
    assert "<caption>May 2020</caption>" in en
    assert re.findall(r'<th scope="col">([^<]+)</th>', en)[0] == "Monday"
    assert "May 1–31, 2020 · Campaign" in en


def test_yearly_event_shows_every_may_and_never_in_june(sample_site, site_factory, capsys):
    assert "Tháng vận động triển khai BHXH toàn dân" in main_of(read(sample_site, "lich/2020/05/index.html"))
    assert "Tháng vận động triển khai BHXH toàn dân" not in main_of(read(sample_site, "lich/2020/06/index.html"))

    out = build_ok(site_factory, capsys, {
        "content/calendar/thang-5.yaml": """\
            title: {vi: Tháng vận động, en: Campaign month}
            start: 2020-05-01
            end: 2020-05-31
            recurrence: yearly
            """,
        "content/calendar/moc-thang-7.yaml": """\
            title: {vi: Mốc tháng 7, en: July milestone}
            start: 2021-07-15
            """,
        "content/articles/a.vi.md": MINIMAL_ARTICLE.replace("2020-05-23", "2022-03-01"),
    })
    may = main_of(read(out, "lich/2021/05/index.html"))
    assert '<a href="/lich/thang-5/">Tháng vận động</a>' in may and "1–31/05/2021" in may
    assert "Tháng vận động" not in main_of(read(out, "lich/2021/06/index.html"))
    assert "Campaign month" in main_of(read(out, "en/calendar/2021/05/index.html"))
    # An article of 2022 makes 2022 a year with content, so May 2022 has the campaign month too.
    assert "1–31/05/2022" in main_of(read(out, "lich/2022/05/index.html"))
    assert not (out / "lich/2023").exists()
    event = main_of(read(out, "lich/thang-5/index.html"))
    assert "<dd>Hằng năm, từ năm 2020</dd>" in event
    assert [m for m in re.findall(r'<li><a href="(/lich/\d{4}/05/)">', event)] == [
        "/lich/2020/05/", "/lich/2021/05/", "/lich/2022/05/"]


def test_until_ends_a_yearly_event(site_factory, capsys):
    out = build_ok(site_factory, capsys, {
        "content/calendar/thang-5.yaml": """\
            title: {vi: Tháng vận động}
            start: 2020-05-01
            end: 2020-05-31
            recurrence: yearly
            until: 2021-12-31
            """,
        "content/articles/a.vi.md": MINIMAL_ARTICLE.replace("2020-05-23", "2023-01-01"),
    })
    assert (out / "lich/2021/05/index.html").is_file()
    assert not (out / "lich/2022").exists()
    mine, theirs = parse_both(out / "lich/thang-5/thang-5.ics")
    assert mine[0]["RRULE"].to_ical() == b"FREQ=YEARLY;UNTIL=20211231"
    assert rrule_of(theirs[0]) == "FREQ=YEARLY;UNTIL=20211231"
    assert "<dd>Hằng năm, từ năm 2020 đến năm 2021</dd>" in read(out, "lich/thang-5/index.html")


def test_event_page_dates_location_related_article_and_add_to_calendar(sample_site):
    html = read(sample_site, "lich/ra-quan-2020/index.html")
    assert '<link rel="alternate" type="text/calendar" title="Lễ ra quân hưởng ứng “Tháng vận động triển khai BHXH ' \
        'toàn dân”" href="/lich/ra-quan-2020/ra-quan-2020.ics">' in html
    main = main_of(html)
    assert '<dd><time datetime="2020-05-23">23/05/2020</time></dd>' in main
    assert "<dd>Điểm cầu trung ương và điểm cầu tỉnh Lạng Sơn</dd>" in main
    assert '<dd><a href="/lich/launch/">Ra quân</a></dd>' in main
    assert f'<a href="/{SEED_VI}">Ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”</a>' in main
    links = dict(re.findall(r'<li><a href="(https://[^"]+)">([^<]+)</a></li>', main)[i][::-1] for i in range(2))
    google = urlsplit(links["Google Calendar"].replace("&amp;", "&"))
    assert google.netloc == "calendar.google.com"
    query = parse_qs(google.query)
    assert query["action"] == ["TEMPLATE"] and query["dates"] == ["20200523/20200524"]
    assert query["text"] == ["Lễ ra quân hưởng ứng “Tháng vận động triển khai BHXH toàn dân”"]
    assert query["location"] == ["Điểm cầu trung ương và điểm cầu tỉnh Lạng Sơn"]
    assert query["details"][0].endswith("\n\nhttps://bantin.example.org/lich/ra-quan-2020/")
    outlook = parse_qs(urlsplit(links["Outlook"].replace("&amp;", "&")).query)
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (["2020-05-23"], ["2020-05-24"], ["true"])
    assert '<a href="/lich/ra-quan-2020/ra-quan-2020.ics" type="text/calendar" download>' in main

    en = main_of(read(sample_site, "en/calendar/thang-van-dong-bhxh-toan-dan/index.html"))
    assert "<dd>May 1–31, 2020</dd>" in en and "<dd>Every year since 2020</dd>" in en
    google = parse_qs(urlsplit(re.search(r'href="(https://calendar\.google\.com[^"]+)"', en)[1]
                               .replace("&amp;", "&")).query)
    assert google["recur"] == ["RRULE:FREQ=YEARLY"] and google["dates"] == ["20200501/20200601"]


def test_event_json_ld_matches_the_page(sample_site):
    import json

    html = read(sample_site, "en/calendar/moc-6-thang-2020/index.html")
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)[1])
    assert data["@type"] == "Event"
    assert (data["startDate"], data["endDate"]) == ("2020-06-30", "2020-06-30")
    assert data["name"] == "Six-month mark: 60% of the 2020 voluntary social insurance target"
    assert data["location"]["name"] == "Lạng Sơn province"


def test_calendar_index_lists_past_events_by_month_with_filters_and_subscriptions(sample_site):
    html = read(sample_site, "lich/index.html")
    assert '<link rel="alternate" type="text/calendar" title="Lịch chiến dịch – Bản tin BHXH toàn dân" ' \
        'href="/lich/lich.ics">' in html
    main = main_of(html)
    assert "<p>Hiện chưa có sự kiện sắp diễn ra.</p>" in main  # every sample event is in 2020
    months = re.findall(r'<h3 class="month-heading"><a href="([^"]+)">([^<]+)</a></h3>', main)
    assert months == [("/lich/2020/12/", "Tháng 12 năm 2020"), ("/lich/2020/06/", "Tháng 6 năm 2020"),
                      ("/lich/2020/05/", "Tháng 5 năm 2020")]
    assert '<li><a href="/lich/" aria-current="page">Tất cả</a> <span class="count">(5)</span></li>' in main
    assert '<li><a href="/lich/deadline/">Thời hạn</a> <span class="count">(2)</span></li>' in main
    assert 'href="webcal://bantin.example.org/lich/lich.ics"' in main
    assert 'href="https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Fbantin.example.org%2Flich%2Flich.ics"' \
        in main

    deadline = read(sample_site, "en/calendar/deadline/index.html")
    assert "<h1>Campaign calendar: Deadline</h1>" in deadline
    assert 'href="webcal://bantin.example.org/en/calendar/deadline/deadline.ics"' in deadline
    assert '<a href="/en/calendar/deadline/" aria-current="page">Deadline</a>' in deadline
    assert "Launch ceremony" not in main_of(deadline)


def test_webcal_links_follow_the_base_url(site_factory, capsys):
    root = site_factory({"content/calendar/a.yaml": "title: {vi: A}\nstart: 2020-05-23\n"})
    assert run_build(root, "build", "--quiet", "--base-url", "http://org.github.io/bantin", capsys=capsys).code == 0
    html = read(root / "public", "lich/index.html")
    assert 'href="webcal://org.github.io/bantin/lich/lich.ics"' in html
    assert 'href="/bantin/lich/lich.ics"' in html
    mine, _ = parse_both(root / "public/lich/a/a.ics")
    assert str(mine[0]["UID"]) == "a@org.github.io"


def test_article_pages_list_their_events_declared_on_either_side(sample_site, site_factory, capsys):
    seed = main_of(read(sample_site, SEED_VI + "index.html"))
    listed = re.findall(r'<li class="event-item"><a href="/lich/([^/]+)/">', seed)
    assert listed == ["thang-van-dong-bhxh-toan-dan", "dieu-hanh-tuyen-truyen-2020", "ra-quan-2020",
                      "moc-6-thang-2020", "chi-tieu-nam-2020"]
    assert '<h2 id="article-events">Sự kiện liên quan</h2>' in seed
    assert "Related events" in read(sample_site, SEED_EN + "index.html")
    # Only the event names this article (its front matter does not): it is listed all the same.
    summary = main_of(read(sample_site, "tin-tuc/thang-5-la-thang-van-dong-trien-khai-bhxh-toan-dan/index.html"))
    assert '<a href="/lich/thang-van-dong-bhxh-toan-dan/">' in summary

    out = build_ok(site_factory, capsys, {
        "content/calendar/su-kien.yaml": "title: {vi: Sự kiện}\nstart: 2020-05-23\narticles: [a]\n",
        "content/calendar/khac.yaml": "title: {vi: Sự kiện khác}\nstart: 2020-05-24\n",
        "content/articles/a.vi.md": MINIMAL_ARTICLE,
        "content/articles/b.vi.md": MINIMAL_ARTICLE.replace("Bài thử", "Bài hai").replace(
            "date: 2020-05-23", "date: 2020-05-24\nevents: [khac]"),
    })
    assert '<a href="/lich/su-kien/">Sự kiện</a>' in read(out, "tin-tuc/bai-thu/index.html")
    assert '<a href="/lich/khac/">Sự kiện khác</a>' in read(out, "tin-tuc/bai-hai/index.html")
    assert '<a href="/tin-tuc/bai-thu/">Bài thử</a>' in read(out, "lich/su-kien/index.html")
    assert '<a href="/tin-tuc/bai-hai/">Bài hai</a>' in read(out, "lich/khac/index.html")


def test_event_shortcode_renders_a_card(sample_site):
    html = main_of(read(sample_site, "tin-tuc/huong-dan-cach-viet-mot-bai-tin-cho-ban-tin/index.html"))
    card = html[html.index('<div class="event-card">'):]
    card = card[:card.index("</div>")]
    assert '<p class="event-card-title"><a href="/lich/ra-quan-2020/">Lễ ra quân hưởng ứng' in card
    assert '<time datetime="2020-05-23">23/05/2020</time> · Điểm cầu trung ương và điểm cầu tỉnh Lạng Sơn' in card
    assert '<a href="/lich/ra-quan-2020/ra-quan-2020.ics" type="text/calendar" download>' in card


def test_home_shows_the_most_recent_events_when_none_is_upcoming(sample_site):
    home = main_of(read(sample_site, "index.html"))
    block = home[home.index('<section class="home-calendar"'):]
    assert '<h2 id="home-calendar">Sự kiện gần đây</h2>' in block
    assert re.findall(r'<a href="/lich/([^/]+)/">', block)[:3] == [
        "chi-tieu-nam-2020", "moc-6-thang-2020", "ra-quan-2020"]
    assert '<li><a href="/lich/">Lịch</a></li>' in read(sample_site, "index.html")
    assert '<li><a href="/en/calendar/">Calendar</a></li>' in read(sample_site, "en/index.html")


def test_home_shows_the_next_upcoming_events_first(site_factory, capsys):
    out = build_ok(site_factory, capsys, {
        "content/calendar/da-qua.yaml": "title: {vi: Đã qua}\nstart: 2020-05-23\n",
        "content/calendar/sap-toi.yaml": "title: {vi: Sắp tới}\nstart: 2098-01-02\n",
        "content/calendar/xa-hon.yaml": "title: {vi: Xa hơn}\nstart: 2099-01-02\n",
    })
    home = main_of(read(out, "index.html"))
    block = home[home.index('<section class="home-calendar"'):]
    assert '<h2 id="home-calendar">Sự kiện sắp tới</h2>' in block
    assert re.findall(r'<a href="/lich/([^/]+)/">', block) == ["sap-toi", "xa-hon"]
    index = main_of(read(out, "lich/index.html"))
    upcoming = index[index.index('id="upcoming"'):index.index('id="past"')]
    assert re.findall(r'<a href="/lich/([^/]+)/">', upcoming) == ["sap-toi", "xa-hon"]


def test_a_site_without_events_has_no_calendar(site_factory, capsys):
    out = build_ok(site_factory, capsys, {"content/articles/a.vi.md": MINIMAL_ARTICLE})
    assert not (out / "lich").exists()
    assert "/lich/" not in read(out, "index.html")


def test_timed_event_has_its_time_zone_in_the_page_and_a_vtimezone(site_factory, capsys):
    out = build_ok(site_factory, capsys, {
        "content/calendar/hop.yaml": """\
            title: {vi: Buổi họp thử, en: A test meeting}
            start: 2020-05-23 08:00
            end: "11:30"
            recurrence: yearly
            until: 2022-05-23
            """,
    })
    assert "<dd>08:00–11:30, 23/05/2020 (GMT+07:00)</dd>" in read(out, "lich/hop/index.html")
    assert "<dd>May 23, 2020, 08:00–11:30 (GMT+07:00)</dd>" in read(out, "en/calendar/hop/index.html")
    data = (out / "lich/hop/hop.ics").read_bytes()
    text = data.replace(b"\r\n ", b"").decode("utf-8")
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20200523T080000\r\n" in text
    assert "DTEND;TZID=Asia/Ho_Chi_Minh:20200523T113000\r\n" in text
    assert "RRULE:FREQ=YEARLY;UNTIL=20220523T165959Z\r\n" in text  # UNTIL in UTC for a timed event
    assert text.index("BEGIN:VTIMEZONE") < text.index("BEGIN:VEVENT")
    assert "TZID:Asia/Ho_Chi_Minh\r\n" in text and "TZOFFSETTO:+0700\r\n" in text
    mine, theirs = parse_both(out / "lich/hop/hop.ics")
    vietnam = dt.timezone(dt.timedelta(hours=7))
    assert mine[0].decoded("DTSTART") == dt.datetime(2020, 5, 23, 8, 0, tzinfo=vietnam)
    assert theirs[0].begin == dt.datetime(2020, 5, 23, 1, 0, tzinfo=dt.timezone.utc)
    assert theirs[0].end == dt.datetime(2020, 5, 23, 4, 30, tzinfo=dt.timezone.utc)
    assert not theirs[0].all_day
    assert mine[0].decoded("DTSTAMP") == dt.datetime(2020, 5, 23, 1, 0, tzinfo=dt.timezone.utc)
    google = parse_qs(urlsplit(re.search(r'href="(https://calendar\.google\.com[^"]+)"',
                                         read(out, "lich/hop/index.html"))[1].replace("&amp;", "&")).query)
    assert google["dates"] == ["20200523T080000/20200523T113000"] and google["ctz"] == ["Asia/Ho_Chi_Minh"]


def test_dtstamp_comes_from_updated_and_rebuilds_are_identical(site_factory, capsys):
    files = {"content/calendar/a.yaml": "title: {vi: A}\nstart: 2020-05-23\nupdated: 2020-06-01T10:00\n"}
    out = build_ok(site_factory, capsys, files)
    first = (out / "lich/a/a.ics").read_bytes()
    assert b"DTSTAMP:20200601T030000Z\r\n" in first
    assert run_build(out.parent, "build", "--quiet", "--clean", capsys=capsys).code == 0
    assert (out / "lich/a/a.ics").read_bytes() == first


@pytest.mark.parametrize("start, end, vi, en", [
    ("2020-05-23", None, "23/05/2020", "May 23, 2020"),
    ("2020-05-01", "2020-05-31", "1–31/05/2020", "May 1–31, 2020"),
    ("2020-05-30", "2020-06-02", "30/05–02/06/2020", "May 30–Jun 2, 2020"),
    ("2020-12-30", "2021-01-02", "30/12/2020–02/01/2021", "Dec 30, 2020–Jan 2, 2021"),
    ("2020-05-23 08:00", None, "08:00, 23/05/2020 (GMT+07:00)", "May 23, 2020, 08:00 (GMT+07:00)"),
    ("2020-05-23 20:00", "2020-05-24 09:00", "20:00, 23/05/2020 – 09:00, 24/05/2020 (GMT+07:00)",
     "May 23, 2020, 20:00 – May 24, 2020, 09:00 (GMT+07:00)"),
])
def test_dates_and_ranges_in_both_languages(site_factory, capsys, start, end, vi, en):
    event = f"title: {{vi: A, en: A}}\nstart: {start}\n" + (f"end: {end}\n" if end else "")
    out = build_ok(site_factory, capsys, {"content/calendar/a.yaml": event})
    assert vi in main_of(read(out, "lich/a/index.html"))
    assert en in main_of(read(out, "en/calendar/a/index.html"))


def test_vietnamese_only_event(site_factory, capsys):
    out = build_ok(site_factory, capsys, {
        "content/calendar/chi-vi.yaml": "title: {vi: Chỉ tiếng Việt}\nstart: 2020-05-23\n",
        "content/calendar/hai.yaml": "title: {vi: Hai thứ tiếng, en: Both languages}\nstart: 2020-05-24\n",
        "content/articles/a.en.md": "---\ntitle: English\ndate: 2020-05-23\nevents: [chi-vi]\n---\n\n"
                                    '{{< event "chi-vi" >}}\n',
    })
    assert not (out / "en/calendar/chi-vi").exists()
    assert "Chỉ tiếng Việt" not in read(out, "en/calendar/index.html")
    _, theirs = parse_both(out / "en/calendar/calendar.ics")
    assert [e.name for e in theirs] == ["Both languages"]
    page = read(out, "lich/chi-vi/index.html")
    assert '<p class="untranslated-note" id="untranslated-en" lang="en">This event is only available in ' \
        'Vietnamese.</p>' in page
    article = read(out, "en/news/english/index.html")
    assert '<a href="/lich/chi-vi/" lang="vi" hreflang="vi">Chỉ tiếng Việt</a>' in article


# --- editors' mistakes: PATH:LINE:COL, exit 1 ------------------------------------------------------

E = "content/calendar/su-kien.yaml"


@pytest.mark.parametrize("files, expected", [
    pytest.param({E: "title:\n  vi: Sự kiện\nstart: 2020-05-23\nend: 2020-05-22\n"},
                 [f"{E}:4:6: error: 'end' (2020-05-22) is before 'start' (2020-05-23)"], id="end-before-start"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-23 10:00\nend: 2020-05-23 09:30\n"},
                 [f"{E}:3:6: error: 'end' (2020-05-23 09:30) is before 'start' (2020-05-23 10:00)"],
                 id="end-time-before-start"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-23\ncategory: meeting\n"},
                 [f"{E}:3:11: error: unknown category 'meeting' (known: campaign, deadline, launch)"],
                 id="unknown-category"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-01\nrecurrence: monthly\n"},
                 [f"{E}:3:13: error: unknown recurrence 'monthly': only 'yearly' is supported "
                  "(or leave 'recurrence' out)"], id="recurrence-not-yearly"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-01\nrecurrence: yearly\nuntil: 2019-05-01\n"},
                 [f"{E}:4:8: error: 'until' (2019-05-01) is before 'start' (2020-05-01)"], id="until-before-start"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-01\nuntil: 2021-05-01\n"},
                 [f"{E}:3:1: error: 'until' needs 'recurrence: yearly'"], id="until-without-recurrence"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-23\narticles:\n  - 2020-05-23-ra-quan\n",
                  "content/articles/2020-05-23-ra-quan-bhxh.vi.md": MINIMAL_ARTICLE},
                 [f"{E}:4:5: error: unknown article '2020-05-23-ra-quan' in 'articles' "
                  "(did you mean '2020-05-23-ra-quan-bhxh'?)"], id="unknown-article-close"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-23\narticles: [a, khong-co]\n",
                  "content/articles/a.vi.md": MINIMAL_ARTICLE},
                 [f"{E}:3:15: error: unknown article 'khong-co' in 'articles' "
                  "(no content/articles/<name>.<lang>.md has that name)"], id="unknown-article"),
    pytest.param({"content/articles/a.vi.md": "---\ntitle: A\ndate: 2020-05-23\nevents: [khong-co]\n---\nA.\n"},
                 ["content/articles/a.vi.md:4:1: error: unknown event 'khong-co' (no content/calendar/<id>.yaml)"],
                 id="article-names-unknown-event"),
    pytest.param({"content/articles/a.vi.md": '---\ntitle: A\ndate: 2020-05-23\n---\n\n{{< event "khong-co" >}}\n'},
                 ['content/articles/a.vi.md:6:1: error: unknown event id \'khong-co\' in shortcode \'event\' '
                  "(no content/calendar/<id>.yaml)"], id="shortcode-names-unknown-event"),
    pytest.param({"content/calendar/a.yaml": "title: {vi: A}\nstart: 2020-05-23\n",
                  "content/calendar/2020/a.yaml": "title: {vi: B}\nstart: 2020-05-24\n"},
                 ["content/calendar/a.yaml:1:1: error: duplicate event id 'a' (also content/calendar/2020/a.yaml); "
                  "rename one of the files"], id="duplicate-id"),
    pytest.param({E: "title:\n  en: Launch\nstart: 2020-05-23\n"},
                 [f"{E}:1:1: error: 'title' has no 'vi' text: every event needs a title in the default language"],
                 id="missing-vi-title"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-23 17:00\nend: 18:30\n"},
                 [f"{E}:3:6: error: 'end' was read as the number 1110: YAML takes 18:30 for a base-60 number; "
                  'quote the time, e.g. end: "18:30"'], id="time-read-as-number"),
    pytest.param({E: "title: {vi: A}\nstart: 18:30   # giờ bắt đầu\n"},
                 [f"{E}:2:8: error: 'start' was read as the number 1110: YAML takes 18:30 for a base-60 number; "
                  'quote the time, e.g. start: "2020-05-23 18:30"'], id="start-time-read-as-number"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-23\nend: \"18:30\"\n"},
                 [f"{E}:3:6: error: 'end' is a time but 'start' has none: give 'start' a time too, "
                  'e.g. start: "2020-05-23 08:00"'], id="end-time-without-start-time"),
    pytest.param({E: "title: {vi: A}\nstart: 2020-05-23\nend: 2020-05-24 10:00\n"},
                 [f"{E}:3:6: error: 'start' and 'end' must both be dates (an all-day event) or both have a time"],
                 id="date-and-time-mixed"),
    pytest.param({E: "title: Sự kiện\nstart: 2020-05-23\n"},
                 [f"{E}:1:8: error: 'title' must give the text in each language ({{vi: …, en: …}}), "
                  "not text ('Sự kiện')"], id="title-not-per-language"),
    pytest.param({E: "title: {vi: A}\n"},
                 [f"{E}:1:1: error: missing required event field 'start'"], id="missing-start"),
    pytest.param({"content/calendar/Ra Quân.yaml": "title: {vi: A}\nstart: 2020-05-23\n"},
                 ["content/calendar/Ra Quân.yaml:1:1: error: event id 'Ra Quân' (the file name) must be lowercase "
                  "letters, digits and hyphens, e.g. ra-quan-2020"], id="bad-id"),
])
def test_event_mistakes_are_reported_with_file_line_and_column(site_factory, capsys, files, expected):
    root = site_factory(files)
    result = run_build(root, "build", capsys=capsys)
    assert result.code == 1
    assert result.errors == expected
    assert not (root / "public").exists()


def test_unknown_keys_and_languages_are_warnings(site_factory, capsys):
    root = site_factory({E: "title: {vi: A, fr: B}\nstart: 2020-05-23\ncategori: launch\n"})
    result = run_build(root, "build", capsys=capsys)
    assert result.code == 0
    assert result.errors == [
        f"{E}:1:16: warning: unknown language 'fr' in 'title' (known: vi, en)",
        f"{E}:3:1: warning: unknown event key 'categori' (did you mean 'category'?)",
    ]


def test_ics_files_are_icalendars_own_serialization_of_the_whole_calendar():
    """ics_bytes serializes each event once and joins the pieces: the bytes must be those of
    icalendar serializing the whole calendar, and an event at the same instant in another time
    zone (an equal datetime) must not be taken for one serialized before."""
    from zoneinfo import ZoneInfo

    from bantin import ics as ics_module

    hanoi, tokyo = ZoneInfo("Asia/Ho_Chi_Minh"), ZoneInfo("Asia/Tokyo")

    def event(uid: str, start, end, yearly=False) -> ics_module.IcsEvent:
        return ics_module.IcsEvent(
            uid=uid, stamp=dt.datetime(2020, 5, 1, 9, 0, tzinfo=hanoi), start=start, end=end,
            summary="Lễ phát động, tháng vận động; BHXH", description="Dòng một\nDòng hai " + "dài " * 30,
            location="Lạng Sơn", url=f"https://example.org/lich/{uid}/", category="Sự kiện",
            yearly=yearly, until=dt.date(2030, 5, 1) if yearly else None, language="vi")

    def whole(calendar, events) -> bytes:  # what icalendar makes of the calendar in one piece
        parsed = icalendar.Calendar.from_ical(ics_module.ics_bytes(calendar, []))
        timed = [e.start for e in events if not e.all_day]
        if timed:
            parsed.add_component(icalendar.Timezone.from_tzinfo(
                calendar.timezone, first_date=min(timed).astimezone(calendar.timezone).date().replace(month=1, day=1),
                last_date=ics_module.TIMEZONE_LAST_DATE))
        for e in sorted(events, key=lambda e: (ics_module._sort_instant(e.start, calendar.timezone), e.uid)):
            parsed.add_component(ics_module._vevent(e))
        return parsed.to_ical()

    calendar = ics_module.IcsCalendar(name="Lịch chiến dịch", description="Các sự kiện", url="https://example.org/lich/",
                                      language="vi", host="example.org", timezone=hanoi)
    meeting = event("hop", dt.datetime(2020, 5, 23, 8, 0, tzinfo=hanoi), dt.datetime(2020, 5, 23, 11, 30, tzinfo=hanoi))
    month = event("thang", dt.date(2020, 5, 1), dt.date(2020, 6, 1), yearly=True)
    for events in ([meeting], [month], [month, meeting], [meeting, month]):
        assert ics_module.ics_bytes(calendar, events) == whole(calendar, events)
    moved = event("hop", dt.datetime(2020, 5, 23, 10, 0, tzinfo=tokyo), dt.datetime(2020, 5, 23, 13, 30, tzinfo=tokyo))
    assert moved == meeting  # the same instants: equal, yet written differently
    text = ics_module.ics_bytes(calendar, [moved]).replace(b"\r\n ", b"")
    assert b"DTSTART;TZID=Asia/Tokyo:20200523T100000\r\n" in text
    assert ics_module.ics_bytes(calendar, [moved]) == whole(calendar, [moved])


def test_a_calendar_put_back_from_the_whole_site_s_facts_refuses_to_show_articles_it_was_not_given():
    # A quick rebuild checks a few articles, then puts back what the whole site's check found
    # (quick.py): a page that would list an event's articles must not be rendered from that.
    from types import SimpleNamespace

    from bantin.calendar import CalendarSection, IncompleteSite
    from bantin.model import Site

    calendar = CalendarSection(config=SimpleNamespace(default_language="vi"))
    calendar.site = Site(config=None, languages={}, translations={})
    calendar.restore_site_facts({"last_year": 2020, "links": [["2020-05-23-ra-quan-bhxh-toan-dan", "ra-quan-2020"]],
                                 "articles": ["2020-05-23-ra-quan-bhxh-toan-dan"]}, "fingerprint then")
    assert calendar.fingerprint() == "fingerprint then" and calendar.last_year == 2020
    with pytest.raises(IncompleteSite) as refused:
        calendar.related_articles("ra-quan-2020", "vi")
    assert str(refused.value) == "the calendar does not know the articles of event 'ra-quan-2020' in this build"
    assert calendar.related_articles("khong-co", "vi") == ()
