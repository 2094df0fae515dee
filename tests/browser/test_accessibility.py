"""Accessibility in Chromium: axe-core (vendored, tests/browser/vendor/axe-core) finds no serious
or critical violation on the main tabs, nor a skipped heading level (heading-order, which axe
rates moderate) on any tab, and the page works 390 px wide (a small phone)."""

from __future__ import annotations

import hashlib

import pytest

from tests.browser.test_app import QUESTION, _tab, browser, create_profile, server  # noqa: F401  (fixtures)
from tests.conftest import REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]
AXE = REPO / "tests" / "browser" / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb"  # axe-core 4.10.3
TABS = ("Coach", "Journal", "Together", "Insights", "Practice", "Library", "Privacy")
RUN_AXE = """async () => {
  // Wait until no component is fading in after an update (Gradio's pending state dims it, and a
  // dimmed text would be judged on its transitional colour); the fade back is a transition, so
  // wait for every element's opacity to be back at 1 too.
  const settled = () => !document.querySelector(".pending, .generating") &&
    [...document.querySelectorAll("[data-testid=markdown-wrapper], .block")]
      .every(e => getComputedStyle(e).opacity === "1");
  for (let i = 0; i < 150 && !settled(); i++) await new Promise(ok => setTimeout(ok, 100));
  const r = await axe.run(document, {resultTypes: ["violations"]});
  // heading-order is only "moderate", but a skipped level breaks navigating by headings.
  const counted = v => v.impact === "serious" || v.impact === "critical" || v.id === "heading-order";
  return r.violations.filter(counted).map(v =>
    `${v.impact} ${v.id} (${v.help}): ` + v.nodes.slice(0, 3)
      .map(n => n.target.join(" ") + " [" + (n.failureSummary || "").split("\\n")[1] + "]").join(" | "));
}"""


def test_axe_finds_no_serious_violation_nor_a_skipped_heading_level_on_the_tabs(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256, "the vendored axe.min.js changed"
    url, _ = server
    # The page's CSP allows only its own nonced scripts; the injected checker is the test's, not the page's.
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("typeof axe.run") == "function"
    # An answer first, its first source opened and its article in the side sheet; then a safety
    # answer, so the Coach tab is checked with the sources under an answer, the sheet and the panel.
    page.locator("#coach-input textarea").fill(QUESTION)
    page.click("#coach-ask")
    page.wait_for_selector("#coach-chat .source-entry", timeout=120000)
    page.locator("#coach-chat .source-entry summary").first.click()
    page.locator("#coach-chat .source-entry button.read-article").first.click()
    page.wait_for_selector("#article-sheet h2", state="visible", timeout=30000)
    page.locator("#coach-input textarea").fill("I want to end my life tonight, I have the pills ready.")
    page.click("#coach-ask")
    page.wait_for_selector("#safety-panel .safety-box", state="visible", timeout=120000)
    # Fill the journal first, so the checks see the entry cards, the opened entry and its analysis.
    _tab(page, "Journal")
    create_profile(page, "ada", "a long passphrase for ada")
    page.locator("#entry-title textarea").fill("Silence")
    page.locator("#entry-text textarea").fill("He gave me the silent treatment and walked out. Later we hugged.")
    page.click("#save-entry")
    page.wait_for_selector("#analysis h3", timeout=90000)
    page.click("#delete-entry")
    page.wait_for_selector("#delete-confirm", state="visible")
    found: dict[str, list[str]] = {}
    for name in TABS:
        _tab(page, name)
        if name == "Insights":
            page.click("#insights-btn")
            page.wait_for_function("document.querySelector('#insights-md').innerText.includes('entries')",
                                   timeout=60000)  # fmt: skip
        if problems := page.evaluate(RUN_AXE):
            found[name] = problems
    assert found == {}, "\n".join(f"{tab}: {p}" for tab, ps in found.items() for p in ps)
    ctx.close()


def test_a_390_px_screen_scrolls_only_down_and_shows_the_main_controls(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")

    def fits(selector: str) -> None:
        el = page.locator(selector).first
        el.scroll_into_view_if_needed()
        assert el.is_visible(), selector
        box = el.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, (selector, box)

    def small_tab(name: str) -> None:
        # A narrow screen folds the tabs that do not fit into Gradio's "More tabs" menu.
        tab = page.get_by_role("tab", name=name)
        if tab.count() and tab.is_visible():
            tab.click()
        else:
            page.get_by_role("button", name="More tabs").click()
            page.locator(".overflow-dropdown button", has_text=name).click()
        page.wait_for_timeout(400)

    for name in TABS:
        small_tab(name)
        width = page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
        assert width <= 390, f"{name}: the page is {width} px wide on a 390 px screen"
        if name == "Coach":
            for sel in ("#quick-exit", "#coach-input textarea", "#coach-ask", "#region", "#welcome"):
                fits(sel)
        if name == "Journal":
            for sel in ("#profile", "#passphrase", "#unlock", "#lock", "#entry-text textarea", "#save-entry"):
                fits(sel)
    # the tab list itself: every tab reachable (Gradio folds the overflow into a menu)
    assert page.get_by_role("tab", name="Coach").is_visible()
    ctx.close()
