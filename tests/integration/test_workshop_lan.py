"""A workshop on a LAN, end to end: `hearth ui --host 0.0.0.0 --cert --key` as a facilitator
starts it, with a certificate from a throwaway CA; participants log in over https in Chromium.

- A participant made with `hearth workshop add` and one who enrolled at /enrol with a one-time
  code each see only their own profile: not the other's entries, not even the other's name.
- Only the facilitator's login gets the Workshop tab, and it shows counts.
- Wrong passphrases back off, per account (from another address too) and per client address.
"""

from __future__ import annotations

import os
import re
import sqlite3
import ssl
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.test_app import browser  # noqa: F401  (fixture)
from tests.conftest import REPO, run_hearth
from tests.integration.tls_certs import make_private_ca
from tests.ui_server import running_ui

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PW = {"Sam": "facilitator passphrase", "ana": "ana's own passphrase", "ben": "ben's own passphrase"}
SECRET = "Ana wrote about the argument on Sunday"


def _tls(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("workshop-home")
    ca, cert, key = make_private_ca(home.parent)
    env = {**os.environ, "HEARTH_HOME": str(home), "HEARTH_CACHE": str(REPO / ".pytest_cache" / "hearth-cache"),
           "HEARTH_LLM_BACKEND": "fake", "HEARTH_KDF_MEMORY_KIB": "65536"}  # fmt: skip
    for name, extra in (("Sam", ["--facilitator"]), ("ana", [])):
        res = run_hearth("workshop", "add", name, *extra, env={**env, "HEARTH_PASSPHRASE": PW[name]})
        assert res.returncode == 0, res.stderr
    res = run_hearth("workshop", "code", env=env)
    code = re.search(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$", res.stdout, re.MULTILINE)
    assert code, res.stdout
    port = _free_port()
    url = f"https://127.0.0.1:{port}"
    args = ["--host", "0.0.0.0", "--port", str(port), "--cert", str(cert), "--key", str(key)]
    with running_ui(args, env, home.parent / "workshop.log"):
        yield {"url": url, "ca": ca, "code": code.group(0), "home": home}


def _page(browser):  # type: ignore[no-untyped-def]  # noqa: F811
    # ignore_https_errors: Chromium does not know the test CA; httpx below checks the chain.
    ctx = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    return ctx, ctx.new_page()


def _login(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("username").fill(name)
    page.get_by_label("password").fill(PW[name])
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#coach-input textarea", timeout=60000)


def _unlock(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("tab", name="Journal").click()
    page.wait_for_function(f"document.querySelector('#profile input').value === {name!r}", timeout=30000)
    page.locator("#passphrase input").fill(PW[name])
    page.click("#unlock")
    page.wait_for_function("document.querySelector('#journal-status').innerText.includes('Unlocked')", timeout=30000)


def _login_status(url: str, ca: Path, name: str, pw: str, source: str = "127.0.0.1") -> int:
    transport = httpx.HTTPTransport(verify=_tls(ca), local_address=source)
    with httpx.Client(transport=transport, timeout=60) as client:
        return client.post(f"{url}/login", data={"username": name, "password": pw}).status_code


def test_the_server_speaks_tls_with_the_given_certificate(workshop) -> None:  # type: ignore[no-untyped-def]
    res = httpx.get(workshop["url"], verify=_tls(workshop["ca"]), timeout=30)
    assert res.status_code == 200
    cookie = res.headers.get("set-cookie", "")
    assert "hearth_client=" in cookie and "Secure" in cookie and "HttpOnly" in cookie
    with pytest.raises(httpx.HTTPError):  # plain http on the same port gets nowhere
        httpx.get(workshop["url"].replace("https", "http"), timeout=10).raise_for_status()


def test_participants_see_only_their_own_profile(workshop, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url = workshop["url"]
    # ben enrols with the facilitator's one-time code
    ctx_b, ben = _page(browser)
    ben.goto(f"{url}/enrol")
    ben.fill("#enrol-code", workshop["code"])
    ben.fill("#enrol-name", "ben")
    ben.fill("#enrol-pw", PW["ben"])
    ben.fill("#enrol-pw2", PW["ben"])
    ben.click("#enrol-submit")
    ben.wait_for_selector("#enrol-done")
    assert ben.locator("#enrol-recovery").inner_text().strip()
    # the same code does not work twice
    again = httpx.post(f"{url}/enrol", verify=_tls(workshop["ca"]), timeout=60,
                       data={"code": workshop["code"], "name": "eve", "pw": "eve's passphrase",
                             "pw2": "eve's passphrase"})  # fmt: skip
    assert again.status_code == 400 and "already used" in again.text

    # ana logs in, writes an entry
    ctx_a, ana = _page(browser)
    _login(ana, url, "ana")
    _unlock(ana, "ana")
    ana.locator("#entry-text textarea").fill(SECRET)
    ana.click("#save-entry")
    ana.wait_for_function("document.querySelector('#journal-status').innerText.includes('Saved')", timeout=90000)
    assert not ana.get_by_role("tab", name="Workshop").is_visible()

    # ben logs in: his own profile only, nothing of ana's anywhere on his page
    _login(ben, url, "ben")
    _unlock(ben, "ben")
    ben.locator("#profile input").click()
    options = [o.replace("✓", "").strip() for o in ben.get_by_role("option").all_inner_texts()]
    assert options == ["ben"]
    ben.keyboard.press("Escape")
    ben.get_by_role("tab", name="Privacy").click()
    ben.wait_for_function("document.querySelector('body').innerText.includes('Profiles on this machine use')")
    body = ben.locator("body").inner_text()
    assert "ana" not in body and "Sam" not in body and SECRET not in body
    assert not ben.get_by_role("tab", name="Workshop").is_visible()
    ctx_b.close()
    ctx_a.close()

    # the facilitator sees counts
    ctx_f, fac = _page(browser)
    _login(fac, url, "Sam")
    fac.get_by_role("tab", name="Workshop").click()
    fac.wait_for_function("document.querySelector('#workshop-counts').innerText.includes('Participants')")
    counts = fac.locator("#workshop-counts").inner_text()
    assert "Participants: 2" in counts
    assert "ana" not in counts and "ben" not in counts and SECRET not in counts
    ctx_f.close()


def _failures(home: Path, key: str) -> int:
    with sqlite3.connect(home / "journal.sqlite3") as conn:
        row = conn.execute("SELECT failures FROM unlock_failures WHERE key=?", (key,)).fetchone()
    return int(row[0]) if row else 0


def test_wrong_passphrases_back_off(workshop) -> None:  # type: ignore[no-untyped-def]
    url, ca, home = workshop["url"], workshop["ca"], workshop["home"]
    assert _login_status(url, ca, "ana", PW["ana"]) == 200
    # Guess until the vault has counted 9 failures for ana: tries made while it already backs
    # off are refused without being counted, so this waits out the doubling windows (1+2+4+8 s).
    deadline = time.time() + 300
    while _failures(home, "profile:ana") < 9:
        assert time.time() < deadline, "the failures were never counted"
        assert _login_status(url, ca, "ana", "a wrong guess") == 400
        time.sleep(0.5)
    assert _failures(home, "client:peer:127.0.0.1") >= 9
    # Now the window is 16 s: the right passphrase is refused too, from this address...
    assert _login_status(url, ca, "ana", PW["ana"]) == 400
    # ...and from another address (per account), while ben from there is not affected...
    assert _login_status(url, ca, "ana", PW["ana"], source="127.0.0.2") == 400
    assert _login_status(url, ca, "ben", PW["ben"], source="127.0.0.2") == 200
    # ...but ben from the guessing address is (per client).
    assert _login_status(url, ca, "ben", PW["ben"]) == 400
