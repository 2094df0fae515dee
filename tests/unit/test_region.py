"""The page's region picker: the coach's safety answer, the welcome and the insights list that
region's helplines plus the directories that work anywhere, whatever HEARTH_REGION says."""

from __future__ import annotations

import pytest

from assistant.journal import service as journal
from assistant.services import Services
from ui.app import REGIONS, welcome_md

CRISIS = "I want to end my life tonight, I have the pills ready."


@pytest.mark.parametrize(("region", "shown", "not_shown"), [
    ("UK-IE", "Samaritans", "988"),
    ("US", "988", "Samaritans"),
    ("EU", "112", "988"),
])  # fmt: skip
def test_the_coach_answers_a_crisis_with_the_chosen_regions_lines(fake_services: Services, region, shown,
                                                                  not_shown) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    assert fake_services.settings.region == "all"
    ans = next(e.answer for e in fake_services.coach.stream(CRISIS, region=region) if e.answer is not None)
    assert ans.safety == "crisis" and shown in ans.text and not_shown not in ans.text
    assert "findahelpline" in ans.text.lower().replace(" ", "") or "Find A Helpline" in ans.text
    everywhere = fake_services.coach.ask(CRISIS).text  # without a pick: the setting (all regions)
    assert "988" in everywhere and "Samaritans" in everywhere


def test_welcome_and_insights_follow_the_region(fake_services: Services) -> None:
    assert {v for _, v in REGIONS} == {"all", "US", "UK-IE", "EU"}
    uk = welcome_md(fake_services, "UK-IE")
    assert "999" in uk and "911" not in uk
    assert "911" in welcome_md(fake_services, "US") and "999" in welcome_md(fake_services)
    journal.init_profile(fake_services, "Ana", "a long passphrase for ana")
    vs = journal.unlock(fake_services, "Ana", "a long passphrase for ana")
    journal.add_entry(fake_services, vs, CRISIS)
    names = {r["region"] for r in journal.insights(fake_services, vs, "US")["resources"]}
    assert names and names <= {"US", "international"}
