"""The journal as a person uses it, in Chromium: cards, search, edit, delete with undo, lock."""

from __future__ import annotations

import re
from pathlib import Path

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
    page = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True).new_page()
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
    # Download as a file: made in the browser, so the key is in no file of the data folder
    # (Gradio's temp folder lives there) and in no request after the one that created it.
    sent: list[str] = []
    page.on("request", lambda r: sent.append((r.url or "") + (r.post_data or "")))
    with page.expect_download(timeout=30000) as dl:
        page.click("#key-download")
    assert dl.value.suggested_filename == "hearth-recovery-key.txt"
    assert key in Path(dl.value.path()).read_text()
    _, home = server
    assert not any(key.encode() in f.read_bytes() for f in home.rglob("*") if f.is_file())
    assert not any(key in r or key.replace("-", "") in r for r in sent)

    page.click("#key-saved")
    page.wait_for_selector("#entry-text textarea", state="visible", timeout=30000)
    page.wait_for_function("k => !document.documentElement.outerHTML.includes(k)", arg=key, timeout=30000)
    assert key not in page.content() and key.replace("-", "") not in page.content()
    assert not page.locator("#recovery-panel").is_visible()
    _status(page, "cleared from the screen")
    _write(page, "A first entry after saving the key.", title="First")
    assert page.locator("#entries label").filter(has_text="First").count() == 1
    page.context.close()


def _tab_to(page, selector: str, back: bool = False, most: int = 80) -> None:  # type: ignore[no-untyped-def]
    """Press Tab (Shift+Tab with `back`) until the focused element is, or sits inside, `selector`."""
    on = "(s) => { const e = document.activeElement; return !!e && (e.matches(s) || !!e.closest(s)); }"
    for _ in range(most):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate(on, selector):
            return
    raise AssertionError(f"{selector} not reached with the keyboard in {most} presses")


def _focus_tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    on = "(n) => document.activeElement.getAttribute('role') === 'tab' && document.activeElement.innerText.trim() === n"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(on, name):
            return
    raise AssertionError(f"the {name} tab not reached with the keyboard")


def test_keyboard_only_quick_exit_write_save_and_lock(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """No mouse after the page loads: Tab, Shift+Tab, Enter and Space move and press; typing
    fills the boxes. The effects are checked, not only where the focus went."""
    url, _ = server
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()

    # Quick exit: the first stop of the Tab order, pressed with Enter
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    _tab_to(page, "#quick-exit")
    page.keyboard.press("Enter")
    page.wait_for_url("**/away", timeout=30000)
    assert "Hearth" not in page.content()
    # ...and its shortcut, Escape, from inside a text box (the button says "Esc")
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    assert "(Esc)" in page.locator("#quick-exit").inner_text()
    _tab_to(page, "#coach-input textarea")
    page.keyboard.type("my partner")
    page.keyboard.press("Escape")
    page.wait_for_url("**/away", timeout=30000)
    assert "my partner" not in page.content()

    # The journal: create a profile, save the key, lock, unlock, write, save, lock
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    _focus_tab(page, "Journal")
    page.keyboard.press("Enter")
    page.wait_for_selector("#passphrase input", state="visible")
    _tab_to(page, "#create-accordion button")
    page.keyboard.press("Enter")  # opens the accordion
    page.wait_for_selector("#new-name textarea", state="visible")
    pw = "a long passphrase for lee"
    for box, text in (("#new-name textarea", "lee"), ("#new-pw input", pw), ("#new-pw2 input", pw)):
        _tab_to(page, box)
        page.keyboard.type(text)
    _tab_to(page, "#create")
    page.keyboard.press("Space")
    page.wait_for_selector("#recovery-key code", timeout=30000)
    _tab_to(page, "#key-saved")
    page.keyboard.press("Enter")
    page.wait_for_selector("#recovery-panel", state="hidden", timeout=30000)
    _status(page, "cleared")
    _tab_to(page, "#lock", back=True)
    page.keyboard.press("Enter")
    _status(page, "Locked")

    # Unlock: the profile picker still names lee; the passphrase box submits on Enter
    assert page.locator("#profile input").input_value() == "lee"
    _tab_to(page, "#passphrase input", back=True)
    page.keyboard.type(pw)
    page.keyboard.press("Enter")
    _status(page, "Unlocked")
    _tab_to(page, "#entry-text textarea")
    page.keyboard.type("We cooked together and talked about the summer.")
    _tab_to(page, "#save-entry")
    page.keyboard.press("Enter")
    _status(page, "Saved")
    page.wait_for_function("document.querySelector('#entries').innerText.includes('We cooked together')", timeout=90000)
    assert page.locator("#entries label").count() == 1

    # Lock now, reached backwards from the list: nothing of the journal is left on screen
    _tab_to(page, "#lock", back=True)
    page.keyboard.press("Space")
    _status(page, "Locked")
    page.wait_for_function("document.querySelectorAll('#entries label').length === 0", timeout=30000)
    assert "We cooked together" not in page.content()
    assert page.locator("#entry-view").inner_text().strip() == ""
    ctx.close()
