"""Listening beyond loopback needs authentication: `hearth ui --host 0.0.0.0` refuses without a
profile, in one line, before loading anything."""

from __future__ import annotations

import socket

from tests.conftest import run_hearth


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_public_host_without_profiles_is_refused() -> None:
    res = run_hearth("ui", "--host", "0.0.0.0", "--port", str(_free_port()), timeout=120)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("hearth: error: refusing to listen on 0.0.0.0")
    assert "Traceback" not in res.stderr
