"""`/enrol`: a participant turns the facilitator's one-time code into their own profile.

A plain HTML form, served before Gradio's login (a participant has no account yet), with no
script at all; the Guard in front of it still adds the CSP, refuses cross-origin POSTs and sets
the browser cookie. Creating the profile costs an Argon2id run, done in a worker thread."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from assistant.errors import HearthError

if TYPE_CHECKING:
    from assistant.services import Services

PATH = "/enrol"
MAX_BODY = 4096  # code, name, two passphrases: far below this

# The meta referrer policy: under the Guard's `no-referrer` a browser sends `Origin: null` with a
# form POST, which the Guard (rightly) refuses; `same-origin` sends this page's own origin.
FORM = """<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="same-origin">
<title>Hearth: join the workshop</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:3em auto;color:#222}}label{{display:block;margin-top:1em}}
input{{width:100%;padding:.4em;font-size:1em}}button{{margin-top:1.5em;padding:.5em 1.2em}}.msg{{color:#8a2d1a}}</style>
</head><body><h1>Join the workshop</h1>{message}
<form method="post" action="enrol">
<label>Code from the facilitator <input name="code" id="enrol-code" autocomplete="off" required></label>
<label>Your name (letters, digits, spaces) <input name="name" id="enrol-name" required></label>
<label>Your passphrase (8 characters or more) <input type="password" name="pw" id="enrol-pw" required></label>
<label>Repeat it <input type="password" name="pw2" id="enrol-pw2" required></label>
<button type="submit" id="enrol-submit">Create my profile</button></form></body></html>"""

DONE = """<!doctype html><html><head><meta charset="utf-8"><title>Hearth: welcome</title></head>
<body style="font-family:sans-serif;max-width:32em;margin:3em auto"><h1 id="enrol-done">Welcome, {name}</h1>
<p>Your profile is ready and only your passphrase opens it.</p>
<p>Your recovery key (shown once; write it down): <code id="enrol-recovery">{recovery}</code></p>
<p><a href="./">Log in</a> with your name and passphrase.</p></body></html>"""

Send = Callable[[dict[str, Any]], Awaitable[None]]


async def reply(send: Send, status: int, body: str) -> None:
    data = body.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(data)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": data})


async def _read(receive: Any) -> bytes | None:
    body = b""
    while True:
        msg = await receive()
        body += msg.get("body", b"")
        if len(body) > MAX_BODY:
            return None
        if not msg.get("more_body"):
            return body


class EnrolPage:
    """ASGI middleware that answers `/enrol` itself and passes everything else on."""

    def __init__(self, app: Any, svc: Services) -> None:
        self.app = app
        self.svc = svc

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").rstrip("/") != PATH:
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "GET":
            await reply(send, 200, FORM.format(message=""))
            return
        if scope.get("method") != "POST":
            await reply(send, 405, FORM.format(message=""))
            return
        raw = await _read(receive)
        if raw is None:
            await reply(send, 413, FORM.format(message="<p class='msg'>That form was too large.</p>"))
            return
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        try:
            name, recovery = await self._enrol(form, (scope.get("client") or ("",))[0] or None)
        except HearthError as exc:
            msg = f"<p class='msg' id='enrol-error'>{html.escape(str(exc))}</p>"
            await reply(send, 400, FORM.format(message=msg))
            return
        await reply(send, 200, DONE.format(name=html.escape(name), recovery=html.escape(recovery)))

    async def _enrol(self, form: dict[str, str], client: str | None) -> tuple[str, str]:
        import anyio.to_thread

        from assistant.workshop import service

        if form.get("pw", "") != form.get("pw2", ""):
            raise HearthError("the two passphrases differ; nothing was created")
        name = form.get("name", "").strip()
        code, pw = form.get("code", ""), form.get("pw", "")
        recovery = await anyio.to_thread.run_sync(lambda: service.enrol(self.svc, code, name, pw, client))
        return name, recovery
