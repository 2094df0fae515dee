"""The egress guard (installed by conftest for the whole run) refuses everything non-loopback."""

from __future__ import annotations

import os
import socket

import pytest

from assistant import offline
from assistant.offline import OFFLINE_ENV, EgressBlocked


def test_guard_is_installed() -> None:
    assert offline.guard_installed()


def test_tcp_connect_to_public_address_is_refused_and_counted() -> None:
    before = offline.attempts()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        with pytest.raises(EgressBlocked):
            s.connect(("203.0.113.1", 80))
    assert offline.attempts() == before + 1
    assert "203.0.113.1" in offline.attempt_log()[-1]


def test_connect_ex_to_public_address_is_refused_and_counted() -> None:
    before = offline.attempts()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        assert s.connect_ex(("203.0.113.1", 443)) != 0
    assert offline.attempts() == before + 1


def test_create_connection_to_public_address_is_refused() -> None:
    # The high-level helper most libraries use goes through getaddrinfo then connect.
    before = offline.attempts()
    with pytest.raises(OSError):
        socket.create_connection(("203.0.113.1", 80), timeout=2)
    assert offline.attempts() > before


def test_ipv4_mapped_ipv6_public_address_is_refused() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support")
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        with pytest.raises(EgressBlocked):
            s.connect(("::ffff:203.0.113.1", 80, 0, 0))


def test_dns_lookup_is_refused_and_counted() -> None:
    before = offline.attempts()
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.com", 443)
    assert offline.attempts() == before + 1
    with pytest.raises(socket.gaierror):
        socket.gethostbyname("example.com")
    with pytest.raises(socket.gaierror):
        socket.gethostbyname_ex("example.com")
    assert offline.attempts() == before + 3


def test_udp_sendto_public_address_is_refused_and_counted() -> None:
    before = offline.attempts()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(EgressBlocked):
        s.sendto(b"\x00" * 12, ("192.0.2.1", 53))
    assert offline.attempts() == before + 1


def test_udp_sendto_with_flags_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(EgressBlocked):
        s.sendto(b"\x00" * 12, 0, ("192.0.2.1", 53))


def _roundtrip(family: int, host: str) -> None:
    with socket.socket(family, socket.SOCK_STREAM) as server:
        server.bind((host, 0))
        server.listen(1)
        port = server.getsockname()[1]
        before = offline.attempts()
        with socket.socket(family, socket.SOCK_STREAM) as client:
            client.settimeout(5)
            client.connect((host, port))
            conn, _ = server.accept()
            with conn:
                client.sendall(b"ping")
                assert conn.recv(4) == b"ping"
        assert offline.attempts() == before


def test_loopback_ipv4_connect_is_allowed() -> None:
    _roundtrip(socket.AF_INET, "127.0.0.1")


def test_loopback_ipv6_connect_is_allowed() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 support")
    try:
        probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("::1 not available here")
    _roundtrip(socket.AF_INET6, "::1")


def test_localhost_dns_is_allowed() -> None:
    before = offline.attempts()
    infos = socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM)
    assert infos
    assert offline.attempts() == before


def test_loopback_udp_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        rx.bind(("127.0.0.1", 0))
        rx.settimeout(5)
        tx.sendto(b"hi", rx.getsockname())
        assert rx.recvfrom(2)[0] == b"hi"


def test_offline_env_vars_are_set() -> None:
    for key, value in OFFLINE_ENV.items():
        assert os.environ.get(key) == value, key
    for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        assert os.environ[key] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"


def test_udp_sendmsg_public_address_is_refused_and_counted() -> None:
    # sendmsg() carries a destination address just like sendto().
    before = offline.attempts()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(EgressBlocked):
        s.sendmsg([b"\x00" * 12], [], 0, ("192.0.2.1", 53))
    assert offline.attempts() == before + 1


def test_reverse_dns_lookups_are_refused_and_counted() -> None:
    # A reverse lookup of a non-local address asks the network's DNS server too.
    before = offline.attempts()
    with pytest.raises(OSError):
        socket.gethostbyaddr("192.0.2.1")
    with pytest.raises(OSError):
        socket.getnameinfo(("192.0.2.1", 80), 0)
    assert offline.attempts() == before + 2
    # purely numeric conversions need no lookup and stay allowed
    assert socket.getnameinfo(("192.0.2.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) == (
        "192.0.2.1",
        "80",
    )
