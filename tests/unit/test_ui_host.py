"""Listening beyond loopback needs TLS (or an explicit --insecure-lan) and authentication:
`hearth ui --host 0.0.0.0` refuses without them, in one line, before loading anything."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import UsageError
from tests.conftest import run_hearth
from ui.lan import check_tls


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _one_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def test_public_host_without_tls_is_refused() -> None:
    res = run_hearth("ui", "--host", "0.0.0.0", "--port", str(_free_port()), timeout=120)
    assert res.returncode == 2
    line = _one_line(res.stderr)
    assert line.startswith("hearth: error: refusing to listen on 0.0.0.0 without TLS: pass --cert FILE --key FILE")


def test_insecure_lan_passes_the_tls_check_and_still_needs_a_profile() -> None:
    res = run_hearth("ui", "--host", "0.0.0.0", "--insecure-lan", "--port", str(_free_port()), timeout=120)
    assert res.returncode == 2
    line = _one_line(res.stderr)
    assert line.startswith("hearth: error: refusing to listen on 0.0.0.0 without authentication")
    assert "hearth workshop add NAME --facilitator" in line


def test_a_cert_that_does_not_load_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "cert.pem"
    bad.write_text("not a certificate")
    res = run_hearth("ui", "--host", "0.0.0.0", "--cert", str(bad), "--key", str(bad),
                     "--port", str(_free_port()), timeout=120)  # fmt: skip
    assert res.returncode == 2
    assert _one_line(res.stderr).startswith(f"hearth: error: cannot use {bad} with {bad} for https")


@pytest.mark.parametrize(
    ("host", "overrides", "refused"),
    [
        ("0.0.0.0", {}, "without TLS"),
        ("192.168.1.20", {}, "without TLS"),
        ("::", {}, "without TLS"),
        ("0.0.0.0", {"tls_cert": Path("c.pem")}, "go together"),
        ("0.0.0.0", {"tls_key": Path("k.pem")}, "go together"),
        ("0.0.0.0", {"insecure_lan": True}, None),
        ("127.0.0.1", {}, None),
        ("::1", {}, None),
        ("localhost", {}, None),
    ],
)
def test_tls_rule(host: str, overrides: dict, refused: str | None) -> None:
    settings = Settings(host=host, **overrides)
    if refused is None:
        check_tls(settings)
        return
    with pytest.raises(UsageError, match=refused):
        check_tls(settings)


def test_a_good_certificate_passes(tmp_path: Path) -> None:
    from tests.integration.tls_certs import make_private_ca

    _ca, cert, key = make_private_ca(tmp_path)
    check_tls(Settings(host="0.0.0.0", tls_cert=cert, tls_key=key))


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
