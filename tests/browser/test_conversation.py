"""A three-turn conversation in a real browser: a vague message gets a clarifying question whose
choices are buttons; a choice is answered; "what else" moves on without repeating a step; the
whole thread stays on screen; "New conversation" clears it."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from assistant.kb.corpus import load
from tests.browser.test_app import QUESTION, browser, server  # noqa: F401  (the module's fixtures: the app, Chromium)
from tests.conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STEP = re.compile(r"^\d+\. (.+) \[\d+\]$", re.M)
ANSWERS = "#coach-chat .message:not(:has(.answer-sources))"  # the bubbles without the sources under them


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
    page.wait_for_selector("#coach-chat .source-entry", timeout=120000)
    assert not page.locator("#coach-choice-1").is_visible()
    second = page.locator(ANSWERS).last.inner_text()
    assert "Things you could try" in second
    first_steps = set(STEP.findall(second))
    assert first_steps

    # 3. "what else": other steps, none repeated; the thread is still on screen
    n = page.locator("#coach-chat .message").count()
    page.locator("#coach-input textarea").fill("That didn't work, what else?")
    page.click("#coach-ask")
    settle(n)
    third = page.locator(ANSWERS).last.inner_text()
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


def test_sources_once_by_title_a_citation_highlights_and_the_article_opens_beside_the_chat(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    corpus = load(REPO / "knowledge")
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    page.locator("#coach-input textarea").fill(QUESTION)
    page.click("#coach-ask")
    page.wait_for_selector("#coach-chat .source-entry", timeout=120000)
    page.wait_for_function("document.querySelector('#coach-input textarea').value === ''", timeout=120000)

    # once: one list under the answer, one entry per source, by title; no side panel repeats them
    assert page.locator("#coach-chat .answer-sources").count() == 1
    assert page.locator("#sources-panel, #source-pick, #source-view").count() == 0
    answer = page.locator(ANSWERS).last.inner_text()
    assert "Sources:" not in answer
    entries = page.locator("#coach-chat .source-entry")
    titles = [entries.nth(i).locator(".source-title").inner_text().strip() for i in range(entries.count())]
    by_title = {a.title: a for a in corpus.articles}
    assert titles and len(set(titles)) == len(titles) and all(t in by_title for t in titles), titles
    shown = page.locator("#coach-chat").inner_text()
    for t in titles:  # the title, never the slug
        aid = by_title[t].id
        assert f"({aid})" not in shown and ("-" not in aid or aid not in shown), aid
    assert page.locator("#coach-chat").inner_text().count(titles[0]) == 1
    # the answer's copy button copies the answer, not the markup of the sources under it
    copy = page.locator("#coach-chat button[aria-label='Copy message']:visible")
    copy.last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "Things you could try" in copied and "<" not in copied and "source-entry" not in copied

    # expanding an entry shows the cited passage, as text
    first = entries.first
    assert not first.locator(".source-passage").is_visible()
    first.locator("summary").click()
    assert first.locator(".source-passage").is_visible()
    passage = first.locator(".source-passage").inner_text().strip()
    assert len(passage) > 40 and "<" not in passage

    # a citation [n] scrolls to and highlights its entry, with no history entry and no #hash
    depth = page.evaluate("history.length")
    marker = page.locator(ANSWERS).last.locator("a[href^='#source-']").last
    target = marker.get_attribute("href")
    assert target is not None
    marker.click()
    page.wait_for_selector(f"{target}.source-hit", timeout=5000)
    assert page.evaluate("history.length") == depth and "#" not in page.url

    # "Read the article" opens the whole article beside the chat: its title, its steps as a list
    read = first.locator("button.read-article")
    read.click()
    page.wait_for_selector("#article-sheet h2", state="visible", timeout=30000)
    art = by_title[titles[0]]
    assert page.locator("#article-sheet h2").inner_text().strip() == art.title
    steps = page.locator("#article-sheet ol li")
    assert steps.count() == len(art.steps) and steps.first.inner_text().strip() == art.steps[0]
    assert page.locator("#article-sheet h3").count() == len(art.sections)
    page.wait_for_function("document.activeElement && document.activeElement.closest('#article-sheet')")
    chat_box, sheet_box = page.locator("#coach-chat").bounding_box(), page.locator("#article-sheet").bounding_box()
    assert chat_box and sheet_box and chat_box["x"] + chat_box["width"] <= sheet_box["x"] + 1  # side by side
    assert page.locator("#coach-chat").is_visible()

    # Escape inside the sheet closes it (not Quick exit) and gives the focus back to the button
    page.keyboard.press("Escape")
    page.wait_for_selector("#article-sheet", state="hidden", timeout=15000)
    assert "Weather" not in page.inner_text("body") and page.locator("#coach-chat").is_visible()
    page.wait_for_function("document.activeElement && document.activeElement.matches('button.read-article')")
    # reachable by keyboard: Enter on the focused button opens it again; its Close button closes it
    page.keyboard.press("Enter")
    page.wait_for_selector("#article-sheet h2", state="visible", timeout=30000)
    page.click("#article-close")
    page.wait_for_selector("#article-sheet", state="hidden", timeout=15000)
    assert page.evaluate("history.length") == depth
    hosts = {urlparse(r).hostname for r in requests if r.startswith("http")}
    assert hosts == {"127.0.0.1"}, f"non-local requests: {hosts}"
    page.context.close()
