"""`hearth ui` and `hearth privacy-check`: the web app, and the scripted proof that nothing leaves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assistant.commands.common import model_option, settings


@click.command("ui")
@model_option
@click.option("--port", type=int, help="port (default 7860)")
@click.option("--host", help="address to serve on (default 127.0.0.1; off loopback needs --cert/--key)")
@click.option("--session", is_flag=True, help="therapist session mode: nothing written to disk")
@click.option("--cert", type=click.Path(path_type=Path), help="PEM certificate: serve https (needed off loopback)")
@click.option("--key", type=click.Path(path_type=Path), help="PEM private key for --cert")
@click.option("--insecure-lan", is_flag=True, help="off loopback, serve plain http anyway")
def ui(
    port: int | None, host: str | None, session: bool, cert: Path | None, key: Path | None, insecure_lan: bool
) -> None:
    """Start the web app on http://127.0.0.1:7860."""
    from ui.app import serve

    # Only what was given on the command line overrides Settings (flags count when set).
    given: dict[str, Any] = {"port": port, "host": host, "session_mode": session or None, "tls_cert": cert,
                             "tls_key": key, "insecure_lan": insecure_lan or None}  # fmt: skip
    serve(settings(**{k: v for k, v in given.items() if v is not None}))


@click.command("privacy-check")
@model_option
@click.option("--no-ui", is_flag=True, help="skip the web-app part")
def privacy_check(no_ui: bool) -> None:
    """Run a scripted session with the egress guard on and count connection attempts."""
    from assistant.privacy_check import run

    ctx = click.get_current_context()
    obj = ctx.find_root().obj or {}
    code = run(with_ui=not no_ui, model=obj.get("model"))
    if code:
        ctx.exit(code)
