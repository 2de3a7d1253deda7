"""iCalendar (RFC 5545) files for the campaign calendar, written with the icalendar library.

This module knows the file format, not the calendar's content: ``calendar.py``
hands it ``IcsEvent`` records already in one language. icalendar takes care of
escaping (``,`` ``;`` ``\\n``), folding lines at 75 octets without splitting a
UTF-8 character, and CRLF line ends. What makes two builds byte-identical is
decided here: no clock is read (DTSTAMP comes from the source), events are
sorted, and the VTIMEZONE is generated from the time zone database for a fixed
span of years.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import icalendar  # imported where a file is made: a rebuild takes the files from the cache

# VTIMEZONE rules cover the years from the first event to this one: far enough for a
# yearly event, and fixed, so that the bytes do not depend on the day of the build.
TIMEZONE_LAST_DATE = dt.date(2038, 1, 1)

@functools.cache
def ics_module() -> tuple[str, str]:
    """Part of the cache key of every file made here (calendar.py, plan.Planner.made_data): a change
    to this module, or to icalendar, makes the files again. Asked only when files are planned
    (importlib.metadata alone took 0.014 s of a rebuild's start)."""
    import importlib.metadata

    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16], importlib.metadata.version("icalendar")


@dataclass(frozen=True)
class IcsEvent:
    uid: str  # stable: the event id and the site's host, never the title
    stamp: dt.datetime  # aware; DTSTAMP, from the source (``updated`` or the start)
    start: dt.date | dt.datetime  # a date for an all-day event, else aware in the site's time zone
    end: dt.date | dt.datetime  # exclusive: the day after the last day for an all-day event
    summary: str
    description: str
    location: str | None
    url: str  # absolute URL of the event's page
    category: str | None  # the category's label in the file's language
    yearly: bool
    until: dt.date | dt.datetime | None  # last possible start of a repetition (a date for all-day events)
    language: str

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)


@dataclass(frozen=True)
class IcsCalendar:
    name: str
    description: str
    url: str  # the page that shows the same events
    language: str
    host: str
    timezone: ZoneInfo


def ics_bytes(calendar: IcsCalendar, events: Iterable[IcsEvent]) -> bytes:
    """One VCALENDAR with a VEVENT per event (in start order) and, for timed events, a VTIMEZONE."""
    events = sorted(events, key=lambda e: (_sort_instant(e.start, calendar.timezone), e.uid))
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//bantin//{calendar.host}//{calendar.language.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # NAME/DESCRIPTION are RFC 7986; the X-WR- twins are what Apple and Google read.
    cal.add("name", calendar.name)
    cal.add("x-wr-calname", calendar.name)
    cal.add("description", calendar.description)
    cal.add("x-wr-caldesc", calendar.description)
    cal.add("x-wr-timezone", calendar.timezone.key)
    cal.add("url", calendar.url)
    # Subscribed copies refresh once a day (RFC 7986 and Outlook's older property).
    cal.add("refresh-interval", dt.timedelta(days=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "P1D")
    timed = [e for e in events if not e.all_day]
    if timed:
        first = min(e.start for e in timed).astimezone(calendar.timezone).date().replace(month=1, day=1)
    # Each event's lines are serialized once: a calendar of hundreds of events writes every
    # event into its own file, its month's, its category's and the whole calendar's. icalendar
    # serializes a calendar as its own lines, then each component's, then its END line, so the
    # pieces joined are the bytes ``cal.to_ical()`` gives (checked by tests/test_calendar.py).
    head = cal.to_ical()
    assert head.endswith(_END), head[-40:]
    parts = [head[: -len(_END)]]
    if timed:
        parts.append(_vtimezone_ical(calendar.timezone, first))
    parts.extend(_vevent_ical(repr(event), event) for event in events)
    parts.append(_END)
    return b"".join(parts)


_END = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=4096)
def _vevent_ical(spelled: str, event: IcsEvent) -> bytes:
    """An event's VEVENT lines. ``spelled``: its repr, part of the key because two equal
    datetimes may name different time zones (the same instant), which the file shows."""
    return _vevent(event).to_ical()


@functools.lru_cache(maxsize=64)
def _vtimezone_ical(timezone: ZoneInfo, first: dt.date) -> bytes:
    """The VTIMEZONE from ``first`` on: computing its transitions is slow, and a calendar with
    hundreds of events writes one file per event and per month, all in the same time zone."""
    import icalendar

    return icalendar.Timezone.from_tzinfo(timezone, first_date=first, last_date=TIMEZONE_LAST_DATE).to_ical()


def _vevent(event: IcsEvent) -> "icalendar.Event":
    import icalendar

    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", event.stamp.astimezone(dt.timezone.utc))
    vevent.add("dtstart", event.start)  # a date gets VALUE=DATE, an aware datetime its TZID
    vevent.add("dtend", event.end)
    vevent.add("summary", event.summary, parameters={"LANGUAGE": event.language})
    vevent.add("description", event.description, parameters={"LANGUAGE": event.language})
    if event.location:
        vevent.add("location", event.location, parameters={"LANGUAGE": event.language})
    if event.category:
        vevent.add("categories", [event.category])
    vevent.add("url", event.url)
    # A campaign month or a deadline informs; it should not mark the reader as busy.
    vevent.add("transp", "TRANSPARENT" if event.all_day else "OPAQUE")
    if event.yearly:
        rule: dict = {"freq": "yearly"}
        if event.until is not None:
            # UNTIL has DTSTART's type: a date for all-day events, a UTC time otherwise (RFC 5545 3.3.10).
            until = event.until
            rule["until"] = until.astimezone(dt.timezone.utc) if isinstance(until, dt.datetime) else until
        vevent.add("rrule", rule)
    return vevent


def _sort_instant(value: dt.date | dt.datetime, timezone: ZoneInfo) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), timezone)
