"""The Together tab in a real browser (Debian's Chromium through Playwright), two partners in two
browser windows against one `hearth ui`: link, answer, the reveal only after answering, memory,
rituals. Screenshots go to docs/screenshots/together-*.png."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import urlparse

import pytest

from tests.browser.test_app import SHOTS, _free_port, _tab, browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import HEARTH, REPO
from tests.ui_server import running_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PW = {"ana": "a long passphrase for ana", "ben": "a long passphrase for ben"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]

    home = tmp_path_factory.mktemp("together-home")
    env = {**os.environ, "HEARTH_HOME": str(home), "HEARTH_CACHE": str(REPO / ".pytest_cache" / "hearth-cache"),
           "HEARTH_KDF_MEMORY_KIB": "65536"}  # fmt: skip
    for name, pw in PW.items():  # profiles made as a user would, with the CLI
        subprocess.run([HEARTH, "journal", "init", "--profile", name], env={**env, "HEARTH_PASSPHRASE": pw},
                       check=True, capture_output=True, timeout=120)  # fmt: skip
    port = _free_port()
    with running_ui(["--port", str(port)], env, home.parent / "ui.log"):
        yield f"http://127.0.0.1:{port}", home


def _pick(page, elem: str, option: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(f"#{elem} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def _open(browser, url: str, name: str, requests: list[str]):  # type: ignore[no-untyped-def]  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    _tab(page, "Journal")
    _pick(page, "profile", name)
    page.locator("#passphrase input").fill(PW[name])
    page.click("#unlock")
    page.wait_for_function("document.querySelector('#journal-status').innerText.includes('Unlocked')", timeout=60000)
    _tab(page, "Together")
    return context, page


def _text(page, elem: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"document.querySelector('#{elem}').innerText.includes({needle!r})", timeout=60000)


def test_two_partners_answer_and_see_each_other_only_after_answering(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, home = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []

    ana_ctx, ana = _open(browser, url, "ana", requests)
    ana.locator("#tg-link-accordion").get_by_text("Link with your partner").click()
    _pick(ana, "tg-partner", "ben")
    ana.locator("#tg-partner-pw input").fill(PW["ben"])
    ana.locator("#tg-agree input").check()
    ana.click("#tg-link")
    _text(ana, "tg-status", "Linked")
    ana.click("#tg-show")
    _text(ana, "tg-today", "ben has not answered yet")
    ana.locator("#tg-answer textarea").fill("Warm bread on a cold <morning>, the way my partner Ben bakes it.")
    ana.click("#tg-answer-btn")
    _text(ana, "tg-status", "Saved and sealed")
    _text(ana, "tg-today", "Warm bread on a cold <morning>")  # shown as text, not markup
    _text(ana, "tg-status", "Remember that your partner's name is Ben?")
    ana.click("#tg-remember-yes")
    _text(ana, "tg-status", "Kept")
    ana.screenshot(path=str(SHOTS / "together-answered.png"), full_page=True)

    ben_ctx, ben = _open(browser, url, "ben", requests)
    ben.click("#tg-show")
    _text(ben, "tg-today", "ana has answered")
    assert "Warm bread" not in ben.locator("#tg-today").inner_text()
    assert "Answer first" in ben.locator("#tg-today").inner_text()
    ben.screenshot(path=str(SHOTS / "together-before-answering.png"), full_page=True)
    ben.locator("#tg-answer textarea").fill("Rain on the roof while we read.")
    ben.click("#tg-answer-btn")
    _text(ben, "tg-today", "Warm bread on a cold <morning>")
    ben.screenshot(path=str(SHOTS / "together-revealed.png"), full_page=True)

    ana.click("#tg-show")
    _text(ana, "tg-today", "Rain on the roof while we read.")

    # memory and rituals
    ana.locator("#tg-memory-accordion").get_by_text("Memory").first.click()
    _pick(ana, "tg-mem-kind", "Long distance")
    ana.locator("#tg-mem-value textarea").fill("yes, Lisbon and Leeds")
    ana.click("#tg-mem-add")
    _text(ana, "tg-mem-status", "Lisbon and Leeds")
    _text(ana, "tg-mem-status", "Your partner's name: Ben")
    ana.locator("#tg-rituals-accordion").get_by_text("Rituals").first.click()
    ana.click("#tg-rit-add")
    _text(ana, "tg-rit-md", "sun at 19:00")
    ana.click("#tg-ics")
    ana.wait_for_selector("#tg-ics-file a", timeout=30000)
    ana.screenshot(path=str(SHOTS / "together-memory-rituals.png"), full_page=True)

    # the coach, with ana's journal open in this window, uses her memory: Ben, not "your partner"
    _tab(ana, "Coach")
    ana.locator("#coach-input textarea").fill("My partner goes silent whenever we argue, what can I do?")
    ana.click("#coach-ask")
    ana.wait_for_selector("#coach-chat .source-entry", timeout=120000)
    ana.wait_for_function("document.querySelector('#coach-chat').innerText.includes('You live apart')", timeout=30000)
    # the answer's own words (the sources under it keep their articles' titles)
    answer = ana.locator("#coach-chat .message:not(:has(.answer-sources))").last.inner_text()
    assert "You live apart" in answer
    assert "your partner" not in answer.lower()

    hosts = {urlparse(u).hostname for u in requests if u.startswith(("http:", "https:", "ws:", "wss:"))}
    assert hosts == {"127.0.0.1"}, f"non-local requests: {hosts}"
    for f in home.rglob("*"):
        if f.is_file() and not f.name.endswith(".ics"):
            assert b"Rain on the roof" not in f.read_bytes(), f"plaintext in {f}"
    ana_ctx.close()
    ben_ctx.close()
