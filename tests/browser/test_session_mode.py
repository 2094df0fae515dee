"""Therapist session mode in a real browser: a visible banner, no recovery key, nothing to export,
and "End session and wipe" leaves an empty app behind."""

from __future__ import annotations

import os

import pytest

from tests.browser.test_app import SHOTS, _free_port, _tab, browser  # noqa: F401  (the browser fixture)
from tests.conftest import REPO
from tests.ui_server import running_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def session_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("session-home")
    port = _free_port()
    env = {**os.environ, "HEARTH_HOME": str(home), "HEARTH_CACHE": str(REPO / ".pytest_cache" / "hearth-cache")}
    with running_ui(["--session", "--port", str(port)], env, home.parent / "session-ui.log"):
        yield f"http://127.0.0.1:{port}", home


def test_session_mode_banner_no_key_no_export_and_end_and_wipe(session_server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, home = session_server
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(url)
    page.wait_for_selector("#session-banner")
    assert "nothing is saved" in page.locator("#session-banner").inner_text()

    _tab(page, "Journal")
    page.locator("#create-accordion").get_by_text("Create a new profile").click()
    page.locator("#new-name textarea").fill("client")
    page.locator("#new-pw input").fill("a session passphrase")
    page.locator("#new-pw2 input").fill("a session passphrase")
    page.click("#create")
    page.wait_for_function("document.querySelector('#journal-status').innerText.includes('Created')", timeout=30000)
    assert "no recovery key" in page.locator("#journal-status").inner_text()
    assert page.locator("#recovery-key code").count() == 0 and not page.locator("#recovery-panel").is_visible()
    assert page.locator("#entry-text textarea").is_visible()  # no key step: straight to the journal
    page.locator("#entry-text textarea").fill("We talked about the move and both felt heard.")
    page.click("#save-entry")
    page.wait_for_function("document.querySelector('#analysis').innerText.length > 0", timeout=60000)
    _tab(page, "Privacy")
    assert not page.locator("#export").is_visible()
    page.screenshot(path=str(SHOTS / "session-mode.png"), full_page=True)

    page.click("#end-session")
    page.wait_for_timeout(1500)
    page.wait_for_selector("#session-banner", timeout=30000)
    _tab(page, "Journal")
    page.wait_for_timeout(1000)
    assert "Locked" in page.locator("#journal-status").inner_text()
    assert "client" not in page.locator("#profile").inner_text()
    page.locator("#profile input").click()
    assert page.get_by_role("option").count() == 0
    # nothing of the session was written to the data folder
    for f in home.rglob("*"):
        if f.is_file():
            assert b"felt heard" not in f.read_bytes(), f"plaintext in {f}"
