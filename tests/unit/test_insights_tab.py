"""The Insights tab's view without a browser: whose, how many, and charts only with data."""

from __future__ import annotations

import pytest

from assistant.errors import HearthError
from assistant.journal import service as journal
from assistant.services import Services
from ui.tabs.insights import InsightsTab

PW = "a long passphrase for ana"


def test_insights_say_whose_and_draw_only_what_there_is(fake_services: Services) -> None:
    tab = InsightsTab(fake_services)
    journal.init_profile(fake_services, "Ana", PW)
    vs = journal.unlock(fake_services, "Ana", PW)
    flags, strengths, people, text = tab.view(vs)
    assert flags.empty and strengths.empty and people.empty and text.startswith("**Insights for Ana: 0 entries.**")
    journal.add_entry(fake_services, vs, "He gave me the silent treatment for three days and walked out whenever I "
                      "tried to talk.")  # fmt: skip
    flags, _, people, text = tab.view(vs, "UK-IE")
    assert "1 entries" in text and not flags.empty and set(flags["kind"]) == {"flag"}
    assert people["count"].sum() >= 1
    vs.lock()
    with pytest.raises(HearthError):
        tab.view(vs)
