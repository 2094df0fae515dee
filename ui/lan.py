"""Serving beyond loopback (a workshop on a LAN): TLS or an explicit opt-out, and the login.

Off loopback every passphrase crosses the network, so the app refuses to start without a
certificate and key unless `--insecure-lan` says, in so many words, that the network is trusted.
The login is a profile name and that profile's passphrase, checked by unwrapping the profile's
vault key (the vault's own unlock, which also keeps the persisted backoff per profile and per
client); the client here is the peer's address, which a guesser cannot change as easily as a
cookie."""

from __future__ import annotations

import ipaddress
import ssl
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from assistant.config import Settings
from assistant.errors import HearthError, UsageError
from ui.guard import PEER

if TYPE_CHECKING:
    from assistant.services import Services

LOGIN_MESSAGE = (
    "Log in with your profile name and your passphrase. New here? Open <a href='enrol'>/enrol</a> "
    "with the code the facilitator shows you. After 5 wrong tries each further try waits longer."
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_tls(settings: Settings) -> None:
    """Refuse, in one line, to serve off loopback without TLS (unless told the LAN is trusted)."""
    cert, key = settings.tls_cert, settings.tls_key
    if (cert is None) != (key is None):
        raise UsageError("--cert and --key go together: give both, or neither")
    if cert is not None and key is not None:
        try:
            # Load it here, so a wrong file is one line now rather than a traceback from uvicorn.
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"cannot use {cert} with {key} for https: {exc}") from exc
        return
    if not is_loopback(settings.host) and not settings.insecure_lan:
        raise UsageError(
            f"refusing to listen on {settings.host} without TLS: pass --cert FILE --key FILE "
            "(or --insecure-lan on a network you trust)"
        )


def login_check(svc: Services) -> Callable[[str, str], Awaitable[bool]]:
    """Gradio's `auth` callable. Async, so Gradio awaits it and the Argon2id run happens in a
    worker thread instead of stalling every participant's stream for half a second."""
    import anyio.to_thread

    async def auth(username: str, password: str) -> bool:
        peer = PEER.get()

        def unlock() -> bool:
            try:
                svc.vaults.unlock(username, password, client=f"peer:{peer}", hide_missing=True).lock()
                return True
            except HearthError:  # wrong, unknown or backing off: the same answer for each
                return False

        return await anyio.to_thread.run_sync(unlock)

    return auth
