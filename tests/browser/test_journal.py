"""The journal as a person uses it, in Chromium: cards, search, edit, delete with undo, lock."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_app import _tab, browser, create_profile, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SILENT = "He gave me the silent treatment for three days and walked out whenever I tried to talk."


def _status(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"document.querySelector('#journal-status').innerText.includes({text!r})", timeout=90000)


def _write(page, text: str, title: str = "", tags: str = "") -> None:  # type: ignore[no-untyped-def]
    page.locator("#entry-title textarea").fill(title)
    page.locator("#entry-tags textarea").fill(tags)
    page.locator("#entry-text textarea").fill(text)
    page.click("#save-entry")
    page.wait_for_function("document.querySelector('#entry-text textarea').value === ''", timeout=90000)


def test_write_search_edit_delete_undo_and_lock(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    _tab(page, "Journal")
    create_profile(page, "dana", "a long passphrase for dana")
    _write(page, "We argued about the dishes again.", title="Kitchen", tags="home")
    _write(page, "A quiet dinner; we laughed about the dog.", title="Dinner", tags="dog")
    cards = page.locator("#entries label")
    assert cards.count() == 2 and "Dinner" in cards.nth(0).inner_text() and "#home" in cards.nth(1).inner_text()

    # Search: the list narrows to the matching card
    page.locator("#entry-search textarea").press_sequentially("dishes", delay=30)  # filters as one types
    page.wait_for_function("document.querySelectorAll('#entries label').length === 1", timeout=30000)
    page.locator("#entries label").filter(has_text="Kitchen").click()
    page.wait_for_function("document.querySelector('#entry-view').innerText.includes('dishes')", timeout=30000)

    # Edit: read again, the old words gone
    page.click("#edit-entry")
    page.wait_for_function("document.querySelector('#entry-text textarea').value.includes('dishes')")
    assert page.locator("#entry-title textarea").input_value() == "Kitchen"
    page.locator("#entry-text textarea").fill(SILENT)
    page.click("#save-entry")
    _status(page, "new version")
    page.wait_for_selector("#analysis .finding-flag", timeout=60000)
    assert "dishes" not in page.locator("#entries").inner_text() and page.locator("#entries label").count() == 2
    assert "silent treatment" in page.locator("#entry-view mark.hl-flag").first.inner_text()

    # Delete asks first, then offers a short undo
    page.click("#delete-entry")
    page.wait_for_selector("#delete-confirm", state="visible")
    page.click("#delete-no")
    page.wait_for_selector("#delete-confirm", state="hidden")
    assert page.locator("#entries label").count() == 2
    page.click("#delete-entry")
    page.click("#delete-yes")
    page.wait_for_selector("#undo-delete", state="visible", timeout=30000)
    page.wait_for_function("document.querySelectorAll('#entries label').length === 1")
    page.click("#undo-delete")
    _status(page, "is back")
    page.wait_for_function("document.querySelectorAll('#entries label').length === 2")
    assert "silent treatment" in page.locator("#entry-view").inner_text()

    # Lock now leaves nothing on screen: draft, list, opened entry, recovery key
    page.locator("#entry-text textarea").fill("a half-written draft")
    page.locator("#entry-search textarea").fill("dog")
    page.click("#lock")
    _status(page, "Locked")
    page.wait_for_function("document.querySelector('#entry-text textarea').value === ''")
    assert page.locator("#entries label").count() == 0
    assert page.locator("#entry-view").inner_text().strip() == ""
    assert page.locator("#analysis").inner_text().strip() == ""
    assert page.locator("#entry-search textarea").input_value() == ""
    assert page.locator("#recovery-key code").count() == 0 or not page.locator("#recovery-panel").is_visible()
    assert "half-written" not in page.content() and "silent treatment" not in page.content()
    page.context.close()


def test_the_region_picker_changes_the_helplines_shown(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    assert "911" in page.locator("#welcome").inner_text()  # all regions by default
    page.locator("#region input").click()
    page.get_by_role("option", name="UK and Ireland").click()
    page.wait_for_function("!document.querySelector('#welcome').innerText.includes('911')", timeout=15000)
    assert "999" in page.locator("#welcome").inner_text()
    page.locator("#coach-input textarea").fill("I want to end my life tonight, I have the pills ready.")
    page.click("#coach-ask")
    page.wait_for_selector("#safety-panel", state="visible", timeout=60000)
    panel = page.locator("#safety-panel").inner_text()
    assert "Samaritans" in panel and "988" not in panel
    page.context.close()


def test_the_recovery_key_is_its_own_step_and_leaves_the_page_once_saved(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    _tab(page, "Journal")
    page.locator("#create-accordion").get_by_text("Create a new profile").click()
    page.locator("#new-name textarea").fill("kim")
    page.locator("#new-pw input").fill("a long passphrase for kim")
    page.locator("#new-pw2 input").fill("a long passphrase for kim")
    page.click("#create")
    code = page.locator("#recovery-key pre.recovery-code code")
    code.wait_for(timeout=30000)
    key = code.inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", key), key
    panel = page.locator("#recovery-panel").inner_text()
    assert "Write this down" in panel and "Hearth will not show it again" in panel
    assert "mono" in code.evaluate("e => getComputedStyle(e).fontFamily").lower()
    # A step of its own: the journal waits below until the key is saved
    assert not page.locator("#entry-text textarea").is_visible()

    page.click("#key-saved")
    page.wait_for_selector("#entry-text textarea", state="visible", timeout=30000)
    page.wait_for_function("k => !document.documentElement.outerHTML.includes(k)", arg=key, timeout=30000)
    assert key not in page.content() and key.replace("-", "") not in page.content()
    assert not page.locator("#recovery-panel").is_visible()
    _status(page, "cleared from the screen")
    _write(page, "A first entry after saving the key.", title="First")
    assert page.locator("#entries label").filter(has_text="First").count() == 1
    page.context.close()
