"""The egress guard's one hole: the configured LLM server's pinned address and port, nothing else."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator

import pytest

from assistant import offline
from assistant.config import Settings
from assistant.errors import UnsafeServerURL
from assistant.llm.base import GenOptions, complete
from assistant.llm.endpoint import check_url, is_private
from assistant.offline import EgressBlocked
from assistant.services import Services, connect_server
from tests.unit.openai_stub import Stub

NAME = "llm.clinic.test"


@pytest.fixture(autouse=True)
def _no_server_left_open() -> Iterator[None]:
    offline.forget_server()
    yield
    offline.forget_server()


def _local_addresses() -> list[str]:
    """This machine's own non-loopback addresses: a server there is reached without leaving it."""
    if not shutil.which("hostname"):
        return []
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    usable = []
    for addr in out:
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.bind((addr, 0))
            usable.append(addr)
        except OSError:
            continue
    return usable


def _local_address(private: bool = False) -> str:
    for addr in _local_addresses():
        if not private or is_private(addr):
            return addr
    pytest.skip("this machine has no usable " + ("private-range" if private else "non-loopback") + " address")


def _listener(addr: str) -> socket.socket:
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_STREAM)
    s.bind((addr, 0))
    s.listen(4)
    return s


def test_the_pinned_address_and_port_connect_and_nothing_else_does() -> None:
    addr = _local_address()
    with _listener(addr) as allowed, _listener(addr) as other:
        port, other_port = allowed.getsockname()[1], other.getsockname()[1]
        offline.allow_server(NAME, addr, port)
        before = offline.attempts()
        # by name (the pinned lookup) and by address
        with socket.create_connection((NAME, port), timeout=5):
            pass
        with socket.create_connection((addr, port), timeout=5):
            pass
        assert offline.attempts() == before
        # Same address, another port that is listening too: only the guard can stop this one.
        with socket.socket(allowed.family, socket.SOCK_STREAM) as s, pytest.raises(EgressBlocked):
            s.connect((addr, other_port))
        assert offline.attempts() == before + 1
        assert f"{other_port}" in offline.attempt_log()[-1]


def test_other_hosts_stay_refused_and_counted_while_a_server_is_allowed() -> None:
    offline.allow_server(NAME, "10.0.0.5", 8080)
    before = offline.attempts()
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 443)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(EgressBlocked):
        s.connect(("203.0.113.1", 8080))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        assert s.connect_ex(("10.0.0.6", 8080)) != 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(EgressBlocked):
        s.sendto(b"x", ("10.0.0.5", 8080))  # the server speaks TCP; no datagrams to it
    assert offline.attempts() == before + 4


def test_lookups_of_the_pinned_name_answer_with_the_pinned_address_only() -> None:
    offline.allow_server("LLM.Clinic.Test", "10.0.0.5", 8080)
    infos = socket.getaddrinfo(NAME, 8080, type=socket.SOCK_STREAM)
    assert {info[4][0] for info in infos} == {"10.0.0.5"}
    assert socket.gethostbyname(NAME.upper()) == "10.0.0.5"
    assert offline.allowed_server() == (NAME, "10.0.0.5", 8080)


def test_dns_rebinding_after_the_check_is_not_followed() -> None:
    answers = iter([["10.0.0.5"], ["203.0.113.9"]])  # first answer private, later the internet

    def dns(host: str, port: int) -> list[str]:
        return next(answers)

    ep = check_url(f"http://{NAME}:8080/v1", allow_insecure_lan=True, resolve=dns)
    offline.allow_server(ep.host, ep.address, ep.port)
    assert dns(NAME, 8080) == ["203.0.113.9"]  # the name now points at the internet ...
    assert {i[4][0] for i in socket.getaddrinfo(NAME, 8080)} == {"10.0.0.5"}  # ... Hearth still asks 10.0.0.5
    before = offline.attempts()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(EgressBlocked):
        s.connect(("203.0.113.9", 8080))
    assert offline.attempts() == before + 1


def test_allowing_a_server_replaces_the_previous_one() -> None:
    offline.allow_server("a.test", "10.0.0.5", 8080)
    offline.allow_server("b.test", "10.0.0.6", 8080)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s, pytest.raises(EgressBlocked):
        s.connect(("10.0.0.5", 8080))
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("a.test", 8080)


def _settings(home, url: str, **extra) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(home=home, llm_backend="openai", llm_url=url, embed_backend="fake", **extra)


def test_a_refused_url_opens_nothing_and_makes_no_attempt(home) -> None:  # type: ignore[no-untyped-def]
    before = offline.attempts()
    with pytest.raises(UnsafeServerURL):
        connect_server(_settings(home, "http://example.com:8080/v1"))
    assert offline.attempts() == before  # not even a DNS query was tried
    assert offline.allowed_server() is None


def test_services_reach_a_lan_server_through_the_guard(home) -> None:  # type: ignore[no-untyped-def]
    addr = _local_address(private=True)
    with Stub(addr) as stub:
        url = f"http://[{addr}]:{stub.port}/v1" if ":" in addr else f"http://{addr}:{stub.port}/v1"
        before = offline.attempts()
        llm = Services(_settings(home, url, llm_allow_insecure_lan=True)).llm
        out = complete(llm, [{"role": "user", "content": "Hi"}], GenOptions())
        assert out == stub.server.reply
        assert offline.attempts() == before
        assert offline.allowed_server() == (addr, addr, stub.port)
        assert [r["path"] for r in stub.requests] == ["/v1/models", "/v1/chat/completions"]


def test_proxy_settings_in_the_environment_are_ignored(home, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(var, "http://203.0.113.1:3128")
    monkeypatch.setenv("NO_PROXY", "")
    with Stub() as stub:
        before = offline.attempts()
        llm = connect_server(_settings(home, f"http://127.0.0.1:{stub.port}/v1", llm_api_key="k"))
        complete(llm, [{"role": "user", "content": "Hi"}], GenOptions())
        assert offline.attempts() == before
        # Requests arrived directly (origin-form paths), not relayed in a proxy's absolute form.
        assert [r["path"] for r in stub.requests] == ["/v1/models", "/v1/chat/completions"]
        assert stub.requests[0]["headers"]["Authorization"] == "Bearer k"
