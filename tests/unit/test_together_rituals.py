"""Rituals: chosen by one partner, seen by both, due when opened, exported as an .ics that icalendar parses."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from assistant.errors import UsageError
from assistant.services import Services

NOW = datetime(2026, 12, 6, 18, 30)  # a Sunday


@pytest.fixture
def couple(fake_services: Services):  # type: ignore[no-untyped-def]
    v = fake_services.vaults
    v.create_profile("Ana", "ana-passphrase-1")
    v.create_profile("Ben", "ben-passphrase-2")
    a, b = v.unlock("Ana", "ana-passphrase-1"), v.unlock("Ben", "ben-passphrase-2")
    fake_services.together.link(a, b)
    return a, b


def test_rituals_are_shared_and_due_when_opened(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, b = couple
    t.choose_ritual(a, "weekly-check-in")  # Sunday 19:00
    t.choose_ritual(a, "date-night", day="fri", at="20:00")
    t.choose_ritual(b, "appreciation")  # daily 08:00, long over by 18:30
    assert sorted(r.kind for r in t.rituals(a)) == sorted(r.kind for r in t.rituals(b))
    due = t.due(b, NOW)
    assert [(d.ritual.kind, d.now) for d in due] == [("weekly-check-in", True)]
    assert t.due(b, NOW.replace(hour=7, minute=0))[0].ritual.kind == "appreciation"


def test_bad_ritual_input_is_one_line(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, _ = couple
    with pytest.raises(UsageError, match="unknown ritual"):
        t.choose_ritual(a, "bungee")
    with pytest.raises(UsageError, match="not a time"):
        t.choose_ritual(a, "date-night", at="25:00")
    with pytest.raises(UsageError, match="not a day"):
        t.choose_ritual(a, "date-night", day="someday")
    with pytest.raises(UsageError, match="no rituals chosen"):
        t.export_ics(a, Path("unused.ics"))


def test_ics_parses_with_icalendar(fake_services: Services, couple, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, _ = couple
    t.choose_ritual(a, "weekly-check-in")
    t.choose_ritual(a, "ten-minute-talk", at="21:15")
    out = tmp_path / "rituals.ics"
    assert t.export_ics(a, out, NOW) == 2
    cal = Calendar.from_ical(out.read_bytes())
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Weekly check-in", "Ten-minute talk"}
    weekly = events["Weekly check-in"]
    assert weekly.decoded("dtstart") == datetime(2026, 12, 6, 19, 0)
    assert weekly["rrule"]["FREQ"] == ["WEEKLY"] and weekly["rrule"]["BYDAY"] == ["SU"]
    assert weekly.decoded("duration") == timedelta(minutes=45)
    assert "gently" in str(weekly["description"])
    talk = events["Ten-minute talk"]
    assert talk["rrule"]["FREQ"] == ["DAILY"] and talk.decoded("dtstart") == datetime(2026, 12, 6, 21, 15)
    alarms = list(weekly.walk("VALARM"))
    assert alarms and alarms[0].decoded("trigger") == timedelta(minutes=-15)


def test_the_guided_check_in_follows_the_state_of_the_union_shape(fake_services: Services) -> None:
    steps = " ".join(fake_services.together.checkin_guide().steps).lower()
    for part in ("appreciation", "went well", "one issue", "gently", "next week"):
        assert part in steps
