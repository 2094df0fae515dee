"""`hearth` with the openai backend: a bad URL or a dead server is one line and a non-zero exit."""

from __future__ import annotations

import socket

from assistant.config import Settings
from tests.conftest import run_hearth
from tests.unit.test_cli_errors import one_error_line


def _openai(url: str, **extra: str) -> dict[str, str]:
    return {"HEARTH_LLM_BACKEND": "openai", "HEARTH_LLM_URL": url, "HEARTH_EMBED_BACKEND": "fake", **extra}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_plain_http_to_a_public_host_is_refused_in_one_line() -> None:
    r = run_hearth("ask", "How do we argue less?", env=_openai("http://203.0.113.5:8080/v1"))
    line = one_error_line(r)
    assert "refusing plain http to 203.0.113.5" in line and "https" in line
    assert r.returncode == 10 and r.stdout == ""


def test_insecure_lan_still_refuses_a_public_address() -> None:
    env = _openai("http://203.0.113.5:8080/v1", HEARTH_LLM_ALLOW_INSECURE_LAN="1")
    line = one_error_line(run_hearth("ask", "How do we argue less?", env=env))
    assert "not a private-range address" in line


def test_server_down_is_one_line() -> None:
    port = _free_port()
    r = run_hearth("ask", "How do we argue less?", env=_openai(f"http://127.0.0.1:{port}/v1"))
    line = one_error_line(r)
    assert f"LLM server at http://127.0.0.1:{port}/v1 is not reachable" in line
    assert r.returncode == 3


def test_settings_read_the_server_variables(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HEARTH_LLM_BACKEND", "openai")
    monkeypatch.setenv("HEARTH_LLM_URL", "https://llm.clinic.lan:8443/v1")
    monkeypatch.setenv("HEARTH_LLM_MODEL", "qwen")
    monkeypatch.setenv("HEARTH_LLM_API_KEY", "s3cret")
    monkeypatch.setenv("HEARTH_LLM_CA_FILE", "/etc/hearth/ca.pem")
    monkeypatch.setenv("HEARTH_LLM_ALLOW_INSECURE_LAN", "1")
    s = Settings()
    assert (s.llm_backend, s.llm_url, s.llm_model) == ("openai", "https://llm.clinic.lan:8443/v1", "qwen")
    assert s.llm_api_key is not None and s.llm_api_key.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(s)  # the key never lands in a log line or traceback
    assert str(s.llm_ca_file) == "/etc/hearth/ca.pem" and s.llm_allow_insecure_lan is True
