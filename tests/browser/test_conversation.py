"""A three-turn conversation in a real browser: a vague message gets a clarifying question whose
choices are buttons; a choice is answered; "what else" moves on without repeating a step; the
whole thread stays on screen; "New conversation" clears it."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests.browser.test_app import browser, server  # noqa: F401  (the module's fixtures: the app, Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STEP = re.compile(r"^\d+\. (.+) \[\d+\]$", re.M)


def test_three_turns_with_a_clarifying_question(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")

    def settle(n_before: int) -> None:
        page.wait_for_function(
            f"document.querySelectorAll('#coach-chat .message').length >= {n_before + 2}", timeout=120000
        )
        page.wait_for_function("document.querySelector('#coach-input textarea').value === ''", timeout=120000)
        page.wait_for_timeout(800)

    # 1. vague: the coach asks, with its choices as buttons
    page.locator("#coach-input textarea").fill("We have problems.")
    page.click("#coach-ask")
    page.wait_for_selector("#coach-choice-1", state="visible", timeout=120000)
    assert page.locator("#coach-choice-2").is_visible()
    label = page.locator("#coach-choice-1").inner_text().strip()
    asked = page.locator("#coach-chat").inner_text()
    assert "is this mostly about" in asked and label in asked
    assert "Things you could try" not in asked

    # 2. a click on a choice answers on it; the buttons go away
    n = page.locator("#coach-chat .message").count()
    page.click("#coach-choice-1")
    settle(n)
    page.wait_for_selector("#sources-panel #source-1", timeout=120000)
    assert not page.locator("#coach-choice-1").is_visible()
    second = page.locator("#coach-chat .message").last.inner_text()
    assert "Things you could try" in second
    first_steps = set(STEP.findall(second))
    assert first_steps

    # 3. "what else": other steps, none repeated; the thread is still on screen
    n = page.locator("#coach-chat .message").count()
    page.locator("#coach-input textarea").fill("That didn't work, what else?")
    page.click("#coach-ask")
    settle(n)
    third = page.locator("#coach-chat .message").last.inner_text()
    assert "other things to try" in third
    assert set(STEP.findall(third)) and not set(STEP.findall(third)) & first_steps
    thread = page.locator("#coach-chat").inner_text()
    for said in ("We have problems.", label, "what else?"):
        assert said in thread
    page.screenshot(path="docs/screenshots/conversation.png", full_page=True)

    page.click("#coach-new")
    page.wait_for_function("document.querySelectorAll('#coach-chat .message').length === 0", timeout=15000)
    hosts = {urlparse(r).hostname for r in requests if r.startswith("http")}
    assert hosts == {"127.0.0.1"}, f"non-local requests: {hosts}"
