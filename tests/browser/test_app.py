"""The app in a real browser: Debian's Chromium driven by Playwright, against `hearth ui` started
as a user would start it. Every request the page makes is recorded; none may leave 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import REPO
from tests.ui_server import running_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO / "docs" / "screenshots"
ENTRY = "He gave me the silent treatment for three days and walked out whenever I tried to talk. I feel invisible."
QUESTION = "My partner goes silent whenever we argue, what can I do?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("ui-home")
    port = _free_port()
    env = {**os.environ, "HEARTH_HOME": str(home), "HEARTH_CACHE": str(REPO / ".pytest_cache" / "hearth-cache")}
    with running_ui(["--port", str(port)], env, home.parent / "ui.log"):
        yield f"http://127.0.0.1:{port}", home


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-gpu",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
            ],
        )  # fmt: skip
        yield b
        b.close()


def create_profile(page, name: str, pw: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#create-accordion").get_by_text("Create a new profile").click()
    page.locator("#new-name textarea").fill(name)
    page.locator("#new-pw input").fill(pw)
    page.locator("#new-pw2 input").fill(pw)
    page.click("#create")
    page.wait_for_selector("#recovery-key code", timeout=30000)
    assert "Created and unlocked" in page.locator("#journal-status").inner_text()
    page.click("#key-saved")  # the recovery key's own step comes first; then the journal
    page.wait_for_selector("#entry-text textarea", state="visible", timeout=30000)


def _tab(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(400)


def _open_first_article(page) -> str:  # type: ignore[no-untyped-def]
    """Open the first article the Insights tab offers; its title, as listed and as opened."""
    reading = page.locator("#insights-reading").inner_text()
    page.locator("#insights-article input").click()
    option = page.get_by_role("option").first
    title = option.inner_text().strip()
    assert title in reading and not re.fullmatch(r"[a-z0-9-]+", title)  # a title, not a slug
    option.click()
    page.wait_for_function(
        r"t => document.querySelector('#insights-article-view h2')?.innerText.trim() === t", arg=title, timeout=15000
    )
    return title


def test_scripted_session_stays_local(server, browser) -> None:  # type: ignore[no-untyped-def]
    url, home = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    t0 = time.time()
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    interactive_s = time.time() - t0

    # Journal: create a profile, unlock, write an entry that raises a flag
    _tab(page, "Journal")
    create_profile(page, "alex", "a long passphrase for alex")
    page.locator("#entry-text textarea").fill(ENTRY)
    page.click("#save-entry")
    page.wait_for_selector("#analysis h3", timeout=60000)
    analysis = page.locator("#analysis").inner_text()
    assert "Stonewalling" in analysis
    # the entry above its analysis, the sentence behind the flag marked and named in words
    evidence = page.locator("#entry-view mark.hl-flag").first.inner_text()
    assert "silent treatment" in evidence and "Stonewalling" in page.locator("#entry-view").inner_text()
    view_box, analysis_box = page.locator("#entry-view").bounding_box(), page.locator("#analysis").bounding_box()
    assert view_box is not None and analysis_box is not None and view_box["y"] < analysis_box["y"]
    page.screenshot(path=str(SHOTS / "journal.png"), full_page=True)

    # Coach: ask, see the streamed answer with sources, open a source
    _tab(page, "Coach")
    page.locator("#coach-input textarea").fill(QUESTION)
    page.click("#coach-ask")
    page.wait_for_selector("#coach-chat .source-entry", timeout=60000)
    chat = page.locator("#coach-chat").inner_text()
    assert "[1]" in chat and "A question to ask each other" in chat
    page.locator("#coach-chat .source-entry summary").first.click()
    page.locator("#coach-chat .source-entry button.read-article").first.click()
    page.wait_for_selector("#article-sheet h2", timeout=15000)
    page.screenshot(path=str(SHOTS / "coach.png"), full_page=True)

    # Insights for one entry: in words, an article opened by its title (the charts wait for a
    # second week: test_insights_draw_weeks_in_plain_names_and_open_articles_by_title)
    _tab(page, "Insights")
    page.click("#insights-btn")
    page.wait_for_function("document.querySelector('#insights-md').innerText.includes('entries')", timeout=30000)
    insight = page.locator("#insights-md").inner_text()
    assert "Insights for alex: 1 entries." in insight and "What changed in" in insight
    assert "Stonewalling: 1 of 1 entry this month" in insight and "two weeks" in insight
    assert not page.locator("#flags-plot").is_visible()
    _open_first_article(page)

    for name in ("Practice", "Library"):
        _tab(page, name)
        page.screenshot(path=str(SHOTS / f"{name.lower()}.png"), full_page=True)

    # Privacy: the live egress count reads 0; export an encrypted backup
    _tab(page, "Privacy")
    page.wait_for_function("document.querySelector('#egress-count').innerText.includes('since start')")
    assert page.locator("#egress-count").inner_text().strip().endswith("0")
    page.click("#export")
    page.wait_for_function("document.querySelector('#privacy-status').innerText.includes('Exported')", timeout=30000)
    page.screenshot(path=str(SHOTS / "privacy.png"), full_page=True)

    # Nothing private stays in the browser
    storage = page.evaluate("JSON.stringify(Object.assign({}, localStorage, sessionStorage))")
    assert "silent treatment" not in storage and "walked out" not in storage
    assert "goes silent" not in storage and "Try" not in storage

    # Quick exit: locks and replaces the screen with a neutral page
    page.click("#quick-exit")
    page.wait_for_function("document.body.innerText.includes('Weather')", timeout=10000)
    assert "Hearth" not in page.inner_text("body")

    hosts = {urlparse(u).hostname for u in requests if u.startswith(("http:", "https:", "ws:", "wss:"))}
    assert hosts == {"127.0.0.1"}, f"non-local requests: {hosts}"
    (SHOTS / "session.json").write_text(json.dumps({"requests": len(requests), "hosts": sorted(hosts),
                                                    "interactive_s": round(interactive_s, 2)}))  # fmt: skip
    # No plaintext of the entry anywhere in the data folder (Gradio's cache lives there too)
    for f in home.rglob("*"):
        if f.is_file():
            assert b"silent treatment" not in f.read_bytes(), f"plaintext in {f}"
    context.close()


def test_a_disclosure_keeps_the_chat_in_safety_mode_until_a_new_conversation(server, browser) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")

    def ask(text: str) -> None:
        n = page.locator("#coach-chat .message").count()
        page.locator("#coach-input textarea").fill(text)
        page.click("#coach-ask")
        page.wait_for_function(f"document.querySelectorAll('#coach-chat .message').length >= {n + 2}", timeout=60000)
        page.wait_for_function("document.querySelector('#coach-input textarea').value === ''", timeout=60000)
        page.wait_for_timeout(500)

    ask("Everyone would be lighter without me, I've been giving my things away.")
    assert page.locator("#safety-panel").is_visible()
    # The follow-up says nothing dangerous on its own; the earlier turn keeps safety mode on.
    ask("Should I tell him how I feel?")
    assert page.locator("#safety-panel").is_visible()
    assert "988" in page.locator("#safety-panel").inner_text()
    # once: the answer is in the calm panel, the chat only says where to look
    assert "988" not in page.locator("#coach-chat").inner_text()
    # the panel's articles open in the side sheet too
    page.locator("#safety-panel button.read-article").first.click()
    page.wait_for_selector("#article-sheet h2", state="visible", timeout=30000)
    assert "afety" in page.locator("#article-sheet h2").inner_text()
    page.click("#article-close")
    page.wait_for_selector("#article-sheet", state="hidden", timeout=15000)
    assert "Things you could try" not in page.locator("#coach-chat").inner_text()

    page.click("#coach-new")
    page.wait_for_function("document.querySelectorAll('#coach-chat .message').length === 0", timeout=15000)
    ask("My partner goes silent whenever we argue.")
    page.wait_for_selector("#coach-chat .source-entry", timeout=60000)
    assert not page.locator("#safety-panel").is_visible()
    context.close()


def test_newcomer_welcome_starter_citation_and_quick_exit_leaves_no_way_back(server, browser) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto("data:text/html,<title>before</title><p id=before>the page open before</p>")
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    welcome = page.locator("#welcome").inner_text()
    assert "Nothing you write leaves this computer" in welcome and "not therapy" in welcome
    assert "911" in welcome or "112" in welcome
    # the exit button is large but never covers the welcome's lines (it is fixed at the top right)
    box = page.locator("#quick-exit").bounding_box()
    assert box is not None and 160 <= box["width"] <= 260 and box["height"] >= 44

    # A starter question asks itself; the answer cites its sources
    page.locator("#starters button").first.click()
    page.wait_for_selector("#coach-chat .source-entry", timeout=60000)
    page.screenshot(path=str(SHOTS / "welcome.png"), full_page=True)
    depth = page.evaluate("history.length")
    page.locator("#coach-chat a[href='#source-1-1']").first.click()
    page.wait_for_selector("#source-1-1.source-hit", timeout=5000)
    # the citation scrolled and highlighted without a history entry or a URL change
    assert page.evaluate("history.length") == depth and "#source" not in page.url

    # Escape is Quick exit: a neutral page replaces Hearth's entry in the history
    page.keyboard.press("Escape")
    page.wait_for_url("**/away", timeout=15000)
    assert "Weather" in page.inner_text("body") and "Hearth" not in page.inner_text("body")
    page.reload()
    assert "Weather" in page.inner_text("body") and "Hearth" not in page.content()
    page.go_back()
    page.wait_for_selector("#before", timeout=10000)
    assert "Hearth" not in page.content()
    context.close()


@pytest.mark.parametrize(
    "probe",
    [
        "/gradio_api/file=../../../../etc/passwd",
        "/gradio_api/file=/etc/passwd",
        "/gradio_api/file=%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/gradio_api/file=..%2f..%2f..%2fetc%2fpasswd",
        "/file=/etc/passwd",
        "/gradio_api/file=%2fetc%2fpasswd",
        "/static/../../../../etc/passwd",
        "/assets/..%2f..%2f..%2f..%2fetc%2fpasswd",
    ],
)
def test_path_traversal_refused(server, probe: str) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    try:
        with urllib.request.urlopen(url + probe, timeout=10) as resp:
            body = resp.read()
    except urllib.error.HTTPError as exc:
        assert exc.code in (400, 403, 404, 405)
        return
    assert b"root:" not in body


def test_responses_are_not_cached(server) -> None:  # type: ignore[no-untyped-def]
    url, _ = server
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.headers["Cache-Control"] == "no-store"


def test_insights_draw_weeks_in_plain_names_and_open_articles_by_title(server, browser) -> None:  # type: ignore[no-untyped-def]
    """Eight weeks of entries, stored with their findings as the classifier leaves them (written
    here through the vault, dated in the past, since the page dates entries now)."""
    from datetime import date, timedelta

    from assistant.config import Settings
    from assistant.services import Services

    url, home = server
    svc = Services(Settings(home=home, cache=REPO / ".pytest_cache" / "hearth-cache"))
    pw = "a long passphrase for sam"
    svc.vaults.create_profile("sam", pw)
    vs = svc.vaults.unlock("sam", pw)

    def found(label: str, who: str) -> dict[str, object]:
        return {"label": label, "score": 0.8, "evidence": ["x"], "explanation": "", "article_id": "", "who": who}

    today, n = date.today(), 0
    for i in range(40):  # every other day but for the third week back: a week of 0s
        day = today - timedelta(days=2 * i)
        if 14 <= (today - day).days < 21:
            continue
        analysis = {
            "flags": ([found("stonewalling", "partner" if i % 3 else "writer")] if i % 2 else [])
            + ([found("criticism", "writer")] if i % 5 == 0 else []),
            "strengths": [found("quality_time", "both")] if i % 4 == 0 else [],
            "safety": "none",
        }
        svc.vaults.add(vs, f"entry {i} <b>bold</b>", analysis=analysis, created=f"{day.isoformat()}T09:00:00+00:00")
        n += 1
    vs.lock()

    # bypass_csp: the page's CSP admits only its own nonced scripts, and axe is the test's (every
    # request is still recorded, and must stay on 127.0.0.1)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    _tab(page, "Journal")
    page.locator("#profile input").click()
    page.get_by_role("option", name="sam", exact=True).click()
    page.locator("#passphrase input").fill(pw)
    page.click("#unlock")
    page.wait_for_function("document.querySelector('#journal-status').innerText.includes('Unlocked')", timeout=60000)
    _tab(page, "Insights")
    page.click("#insights-btn")
    page.wait_for_function(rf"document.querySelector('#insights-md').innerText.includes('{n} entries')", timeout=30000)
    insight = page.locator("#insights-md").inner_text()
    assert "What changed in" in insight and "Stonewalling:" in insight and "Quality time:" in insight
    assert "The charts below show each week from" in insight and "Strengths beside them" in insight
    shown = insight + page.locator("#insights-reading").inner_text()
    assert "`" not in shown and not re.search(r"\b[a-z]+_[a-z_]+\b", shown) and "stonewalling-" not in shown
    # a line per pattern, per strength and per whose, their legends in words (Vega draws SVG)
    legends = {"#flags-plot": {"Stonewalling", "Criticism"}, "#strengths-plot": {"Quality time"},
               "#person-plot": {"Theirs", "Yours"}}  # fmt: skip
    for plot, names in legends.items():
        page.wait_for_selector(f"{plot} svg .role-legend", state="attached", timeout=30000)
        drawn = page.locator(f"{plot} svg").first.text_content() or ""
        assert all(n in drawn for n in names) and not re.search(r"\bquality_time\b|\bpartner\b|\bwriter\b", drawn)
        assert page.locator(f"{plot} svg path.mark-line, {plot} svg .role-mark path").count() >= 1
    axis = page.locator("#flags-plot svg").first.text_content() or ""
    first_week = (today - timedelta(days=today.weekday())) - timedelta(weeks=11)
    assert f"{first_week.day} {first_week:%b}" in axis, axis  # the weeks' Mondays on the x axis
    page.wait_for_timeout(1000)  # the charts' first paint
    page.screenshot(path=str(SHOTS / "insights.png"), full_page=True)
    from tests.browser.test_accessibility import AXE, RUN_AXE  # here: that module imports this one

    page.add_script_tag(path=str(AXE))
    assert page.evaluate(RUN_AXE) == []  # the drawn charts too: no serious finding, no skipped heading
    _open_first_article(page)
    hosts = {urlparse(u).hostname for u in requests if u.startswith(("http:", "https:", "ws:", "wss:"))}
    assert hosts <= {"127.0.0.1"}, hosts  # the charts are drawn by Gradio's own bundle: no CDN
    context.close()
