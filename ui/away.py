"""`/away`: the neutral page Quick exit leaves for.

Quick exit replaces the browser's history entry with this page (`location.replace`), so Back does
not return to Hearth and Reload shows this page again, not the journal. Nothing on it mentions
Hearth; it has no script and loads nothing."""

from __future__ import annotations

from typing import Any

from ui.enrol import Send, reply

PATH = "/away"

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>New Tab</title></head>
<body style="font-family:sans-serif;color:#444;padding:4em;text-align:center">
<h2 style="font-weight:normal" id="away">Weather</h2><p>Partly cloudy, 14&deg;. Light breeze.</p></body></html>"""


class AwayPage:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope.get("type") == "http" and scope.get("path", "").rstrip("/").endswith(PATH):
            await reply(send, 200, PAGE)
            return
        await self.app(scope, receive, send)
