"""The Together tab's handlers without a browser: two real profiles, what each one's page shows."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.errors import HearthError, UsageError
from assistant.services import Services
from ui.tabs.together import SAFETY_LINE, TogetherTab, parse_numbers

DAY = date(2026, 12, 1)


@pytest.fixture
def tab_and_people(fake_services: Services):  # type: ignore[no-untyped-def]
    v = fake_services.vaults
    v.create_profile("Ana", "ana-passphrase-1")
    v.create_profile("Ben", "ben-passphrase-2")
    a, b = v.unlock("Ana", "ana-passphrase-1"), v.unlock("Ben", "ben-passphrase-2")
    tab = TogetherTab(fake_services, clock=lambda: DAY)
    return tab, a, b


def test_link_needs_agreement_and_the_partner_passphrase(tab_and_people) -> None:  # type: ignore[no-untyped-def]
    tab, a, _ = tab_and_people
    with pytest.raises(UsageError, match="agree"):
        tab.link(a, "Ben", "ben-passphrase-2", agreed=False)
    with pytest.raises(HearthError):
        tab.link(a, "Ben", "wrong-passphrase", agreed=True)
    assert "Linked" in tab.link(a, "Ben", "ben-passphrase-2", agreed=True)


def test_the_page_reveals_only_after_answering_and_escapes_text(tab_and_people) -> None:  # type: ignore[no-untyped-def]
    tab, a, b = tab_and_people
    tab.link(a, "Ben", "ben-passphrase-2", agreed=True)
    status, page = tab.answer(a, "<b>bold</b> & warm bread")
    assert status.startswith("Saved") and "&lt;b&gt;bold&lt;/b&gt; &amp; warm bread" in page
    ben_page = tab.today_html(b)
    assert "Ana has answered" in ben_page and "warm bread" not in ben_page and "Answer first" in ben_page
    _, ben_page = tab.answer(b, "Rain on the roof.")
    assert "warm bread" in ben_page and "tq-theirs" in ben_page
    assert "Rain on the roof." in tab.today_html(a)
    assert "Rain on the roof." in tab.history_html(a)


def test_a_disclosure_is_answered_calmly_and_never_shown_to_the_partner(tab_and_people) -> None:  # type: ignore[no-untyped-def]
    tab, a, b = tab_and_people
    tab.link(a, "Ben", "ben-passphrase-2", agreed=True)
    status, page = tab.answer(b, "I cut myself last night.")
    assert SAFETY_LINE in status and "Kept only for you" in page
    tab.answer(a, "Warm bread.")
    assert "cut myself" not in tab.today_html(a) and "cut myself" not in tab.history_html(a)
    assert "Ben has not answered yet" in tab.today_html(a)


def test_memory_rituals_quiz_and_plan_handlers(tab_and_people, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tab, a, _ = tab_and_people
    tab.link(a, "Ben", "ben-passphrase-2", agreed=True)
    tab.add_memory(a, "partner_name", "Ben")
    ((fid, label, value),) = tab.memory_rows(a)
    assert (label, value) == ("Your partner's name", "Ben")
    tab.edit_memory(a, fid, "Benedict")
    assert tab.memory_rows(a)[0][2] == "Benedict"
    tab.delete_memory(a, fid)
    assert tab.memory_rows(a) == []
    assert "Added Weekly check" in tab.choose_ritual(a, "weekly-check-in", "", "")
    assert tab.ics_file(a).endswith(".ics")
    assert "sun at 19:00" in tab.rituals_md(a)
    out = tab.take_quiz(a, "attachment", "5,5,5,1,1,1,1,5", "", "", share=True)
    assert "Waiting for Ben" in out
    assert "Weekly" in tab.plan_md(a) or "weekly" in tab.plan_md(a).lower()
    assert "a long walk" in tab.quiz_md("know-me")
    with pytest.raises(UsageError):
        parse_numbers("three, four")


def test_a_suggested_memory_is_kept_only_on_yes(tab_and_people) -> None:  # type: ignore[no-untyped-def]
    tab, a, _ = tab_and_people
    tab.link(a, "Ben", "ben-passphrase-2", agreed=True)
    status, _, suggestion = tab.answer_and_suggest(a, "Warm bread, the way my partner Ben bakes it.")
    assert "Remember that your partner's name is Ben?" in status and suggestion is not None
    assert tab.memory_rows(a) == []  # not before the yes
    assert "Kept" in tab.accept(a, suggestion)
    assert [row[1:] for row in tab.memory_rows(a)] == [["Your partner's name", "Ben"]]
    with pytest.raises(UsageError):
        tab.accept(a, None)
