"""Rituals: the couple's chosen rituals and times, what is due now, and an .ics export.

Nothing here notifies anyone: Hearth shows what is due when it is opened, and the .ics file
(RFC 5545, written with the `icalendar` library) lets the couple put the rituals into their own
calendar app, whose reminders (VALARM) then do the rest, offline.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import UsageError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ICS_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class RitualKind:
    id: str
    title: str
    day: str
    time: str
    minutes: int
    exercise: str
    why: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Ritual:
    """One chosen ritual of a couple."""

    id: str
    kind: str
    title: str
    day: str  # mon..sun or daily
    time: str  # HH:MM local
    minutes: int

    def at(self) -> dt.time:
        hh, mm = self.time.split(":")
        return dt.time(int(hh), int(mm))

    def on(self, day: date) -> bool:
        return self.day == "daily" or DAYS[day.weekday()] == self.day

    def next_start(self, now: datetime) -> datetime:
        """The next start at or after `now` (local, naive)."""
        for i in range(8):
            d = now.date() + timedelta(days=i)
            start = datetime.combine(d, self.at())
            if self.on(d) and start >= now:
                return start
        raise AssertionError("a weekly ritual always has a start within eight days")

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "day": self.day, "time": self.time,
                "minutes": self.minutes}  # fmt: skip


def load_kinds(knowledge_dir: Path) -> dict[str, RitualKind]:
    raw = yaml.safe_load((knowledge_dir / "together" / "rituals.yaml").read_text(encoding="utf-8"))
    return {
        r["id"]: RitualKind(
            r["id"],
            r["title"],
            r["day"],
            str(r["time"]),
            int(r["minutes"]),
            r["exercise"],
            " ".join(r["why"].split()),
            tuple(str(s) for s in r["steps"]),
        )  # fmt: skip
        for r in raw["rituals"]
    }


def check_time(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value or ""):
        raise UsageError(f"'{value}' is not a time; use 24-hour HH:MM, e.g. 19:30")
    return value


def check_day(value: str) -> str:
    value = (value or "").strip().lower()
    value = value if value == "daily" else value[:3]
    if value not in (*DAYS, "daily"):
        raise UsageError(f"'{value}' is not a day; use mon, tue, wed, thu, fri, sat, sun or daily")
    return value


@dataclass(frozen=True)
class Due:
    ritual: Ritual
    start: datetime
    now: bool  # started within its own length, or starts within the next hour

    def as_json(self) -> dict[str, Any]:
        return {**self.ritual.as_json(), "start": self.start.isoformat(timespec="minutes"), "now": self.now}


def due(rituals: list[Ritual], now: datetime) -> list[Due]:
    """Today's rituals that have not ended yet, soonest first."""
    out = []
    for r in rituals:
        if not r.on(now.date()):
            continue
        start = datetime.combine(now.date(), r.at())
        end = start + timedelta(minutes=r.minutes)
        if end < now:
            continue
        out.append(Due(r, start, start - timedelta(hours=1) <= now <= end))
    return sorted(out, key=lambda d: d.start)


def to_ics(rituals: list[Ritual], kinds: dict[str, RitualKind], now: datetime, couple: str) -> bytes:
    """An iCalendar file with one repeating event (and a 15-minute reminder) per ritual."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Hearth//Together rituals//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Hearth rituals: {couple}")
    for r in rituals:
        kind = kinds.get(r.kind)
        ev = Event()
        ev.add("uid", f"{r.id}@hearth.local")
        ev.add("dtstamp", now.replace(microsecond=0))
        ev.add("summary", r.title)
        # Floating local time (no time zone): the ritual is "Sunday at 19:00" wherever the couple is.
        ev.add("dtstart", r.next_start(now).replace(second=0, microsecond=0))
        ev.add("duration", timedelta(minutes=r.minutes))
        if r.day == "daily":
            ev.add("rrule", {"freq": "daily"})
        else:
            ev.add("rrule", {"freq": "weekly", "byday": ICS_DAYS[DAYS.index(r.day)]})
        if kind is not None:
            ev.add("description", kind.why + "\n\n" + "\n".join(f"- {s}" for s in kind.steps))
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", r.title)
        alarm.add("trigger", timedelta(minutes=-15))
        ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()
