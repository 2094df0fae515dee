"""ASGI middleware in front of the Gradio app: what every request and response must obey.

- Host: on loopback, only requests addressed to this app's own host and port are served, so
  a web page that rebinds its DNS name to 127.0.0.1 cannot talk to Hearth.
- No server-side fetches: Gradio's `/file=<URL>` proxy (which fetched any URL for any local
  client, past the egress guard) is refused; uploads are refused (the app takes none).
- Origin: a state-changing request from a browser must come from this app's own origin.
- A per-browser secret cookie (HttpOnly, SameSite=Strict) is set on the first page load; an
  unlocked journal is bound to it, so a replayed Gradio session hash alone opens nothing.
- Headers: a Content-Security-Policy that lets the page load script, styles, images, fonts
  and connections from its own origin only (inline scripts only with this response's nonce),
  `form-action 'self'`, `frame-ancestors 'none'`, `nosniff`, no referrer, no caching.
- The event loop: the egress guard patches Python's socket layer; uvloop bypasses it, so the
  server must run on asyncio's own loop. A request served on any other loop is refused.
"""

from __future__ import annotations

import asyncio
import contextvars
import re
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

COOKIE = "hearth_client"
_URL_FILE = re.compile(r"/file=(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)
_SCRIPT_TAG = re.compile(rb"<script(?![^>]*\bnonce=)")
loops_seen: set[str] = set()
# The peer address of the request being served: the login (ui/lan.py) backs off per client, and
# Gradio's auth callable receives only a name and a passphrase.
PEER: contextvars.ContextVar[str] = contextvars.ContextVar("hearth_peer", default="unknown")


def client_id(headers: dict[str, str]) -> str | None:
    """The browser's secret from a Cookie header (None if absent)."""
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:  # a malformed cookie header is simply no cookie
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel else None


def csp(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            # 'unsafe-eval': Gradio runs event-listener js (quick exit) with new Function().
            # No 'unsafe-inline': javascript: URLs and inline handlers never run.
            f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


Send = Callable[[dict[str, Any]], Awaitable[None]]


class Guard:
    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 7860, tls: bool = False) -> None:
        self.app = app
        self.cookie_flags = "; Secure" if tls else ""  # over https the browser secret never goes plain
        self.loopback = host in ("127.0.0.1", "localhost", "::1")
        self.allowed_hosts = {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]", host)}

    async def _refuse(self, send: Send, status: int, text: str) -> None:
        body = text.encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        loop = type(asyncio.get_running_loop())
        loops_seen.add(f"{loop.__module__}.{loop.__name__}")
        PEER.set(str((scope.get("client") or ("unknown",))[0]))
        if not loop.__module__.startswith("asyncio"):
            await self._refuse(send, 500, "Hearth refuses to serve on an event loop its egress guard cannot see")
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if self.loopback and host not in self.allowed_hosts:
            await self._refuse(send, 421, "unknown host")
            return
        path = scope.get("path", "")
        if _URL_FILE.search(path) or _URL_FILE.search(scope.get("raw_path", b"").decode("latin-1")):
            await self._refuse(send, 403, "Hearth never fetches URLs")
            return
        method = scope.get("method", "GET")
        if method == "POST" and path.rstrip("/").endswith("/upload"):
            await self._refuse(send, 403, "uploads are not accepted")
            return
        origin = headers.get("origin")
        cross = origin is not None and (origin == "null" or origin.split("://", 1)[-1] != host)
        if method not in ("GET", "HEAD", "OPTIONS") and cross:
            await self._refuse(send, 403, "cross-origin request refused")
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return

        nonce = secrets.token_urlsafe(16)
        new_client = None if client_id(headers) else secrets.token_urlsafe(32)
        state: dict[str, Any] = {"html": False, "start": None, "chunks": []}

        async def send_wrapped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                hdrs = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"cache-control", b"content-security-policy")
                ]
                hdrs += [
                    (b"cache-control", b"no-store"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"content-security-policy", csp(nonce).encode()),
                ]
                if new_client:
                    hdrs.append(
                        (
                            b"set-cookie",
                            f"{COOKIE}={new_client}; HttpOnly; SameSite=Strict; Path=/{self.cookie_flags}".encode(),
                        )
                    )
                ctype = next((v for k, v in hdrs if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    # An HTML page is buffered so its inline scripts can carry this nonce.
                    state["html"] = True
                    state["start"] = {**message, "headers": hdrs}
                    return
                await send({**message, "headers": hdrs})
                return
            if state["html"] and message["type"] == "http.response.body":
                state["chunks"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = _SCRIPT_TAG.sub(f'<script nonce="{nonce}"'.encode(), b"".join(state["chunks"]))
                start = state["start"]
                start["headers"] = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                start["headers"].append((b"content-length", str(len(body)).encode()))
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, send_wrapped)
