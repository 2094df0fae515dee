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


def test_empty_host_is_refused() -> None:
    # `--host ""` used to count as loopback, and Gradio then listened where GRADIO_SERVER_NAME said.
    import os

    res = run_hearth("ui", "--host", "", "--port", str(_free_port()), env={**os.environ,
                     "GRADIO_SERVER_NAME": "0.0.0.0"}, timeout=120)  # fmt: skip
    assert res.returncode == 2
    assert res.stderr.strip().startswith("hearth: error: --host needs an address")


def test_port_check_reuses_a_port_in_time_wait() -> None:
    from ui.app import check_port

    port = _free_port()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen()
    cli = socket.create_connection(("127.0.0.1", port))
    conn, _ = srv.accept()
    conn.close()  # the server side closes first: its end of the connection sits in TIME_WAIT
    cli.close()
    srv.close()
    check_port("127.0.0.1", port)  # a restart right after a stop is not "port in use"
