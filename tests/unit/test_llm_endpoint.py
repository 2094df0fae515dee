"""HEARTH_LLM_URL rules: checked, and the address pinned, before any connection is made."""

from __future__ import annotations

import pytest

from assistant.errors import ModelError, UnsafeServerURL
from assistant.llm.endpoint import check_url, is_private


class Resolver:
    """A scripted DNS: name -> addresses; records every lookup it was asked for."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append((host, port))
        return list(self.table.get(host, [host] if host[0].isdigit() or ":" in host else []))


def check(url: str, table: dict[str, list[str]] | None = None, *, lan: bool = False):  # type: ignore[no-untyped-def]
    return check_url(url, allow_insecure_lan=lan, resolve=Resolver(table or {}))


def test_loopback_http_is_allowed_and_pinned() -> None:
    ep = check("http://127.0.0.1:8080/v1/")
    assert (ep.scheme, ep.host, ep.port, ep.address) == ("http", "127.0.0.1", 8080, "127.0.0.1")
    assert ep.base_url == "http://127.0.0.1:8080/v1" and ep.loopback


def test_localhost_name_is_allowed_over_http() -> None:
    ep = check("http://localhost:8080/v1", {"localhost": ["127.0.0.1", "::1"]})
    assert ep.address == "127.0.0.1" and ep.port == 8080


def test_ipv6_loopback_url() -> None:
    ep = check("http://[::1]:9000/v1")
    assert ep.address == "::1" and ep.base_url == "http://[::1]:9000/v1"


@pytest.mark.parametrize("url", ["http://203.0.113.5/v1", "http://example.com/v1", "http://8.8.8.8:8080/v1"])
def test_plain_http_to_a_public_host_is_refused_without_a_lookup(url: str) -> None:
    dns = Resolver({"example.com": ["93.184.216.34"]})
    with pytest.raises(UnsafeServerURL, match="refusing plain http"):
        check_url(url, allow_insecure_lan=False, resolve=dns)
    assert dns.asked == []  # not even a DNS query went out


def test_plain_http_to_a_private_address_needs_the_explicit_switch() -> None:
    with pytest.raises(UnsafeServerURL, match="HEARTH_LLM_ALLOW_INSECURE_LAN"):
        check("http://192.168.1.20:8080/v1")
    ep = check("http://192.168.1.20:8080/v1", lan=True)
    assert ep.address == "192.168.1.20"


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.9", "172.31.255.1", "192.168.0.2", "fd00::2"])
def test_insecure_lan_reaches_private_ranges(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    assert check(f"http://{host}:8000/v1", lan=True).address == address


@pytest.mark.parametrize(
    "address",
    ["203.0.113.5", "8.8.8.8", "172.32.0.1", "100.64.0.1", "169.254.169.254", "fe80::1", "2001:db8::1"],
)
def test_insecure_lan_never_reaches_other_ranges(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(UnsafeServerURL, match="not a private-range address"):
        check(f"http://{host}:8000/v1", lan=True)


def test_a_lan_name_that_resolves_to_the_internet_is_refused() -> None:
    # DNS rebinding at setup: the name looks local but answers with a public address.
    with pytest.raises(UnsafeServerURL, match="93.184.216.34"):
        check("http://llm.clinic.lan:8080/v1", {"llm.clinic.lan": ["93.184.216.34"]}, lan=True)


def test_a_name_with_one_public_address_among_private_ones_is_refused() -> None:
    with pytest.raises(UnsafeServerURL, match="203.0.113.9"):
        check("http://llm.clinic.lan/v1", {"llm.clinic.lan": ["10.0.0.5", "203.0.113.9"]}, lan=True)


def test_a_lan_name_resolving_privately_is_pinned_to_its_first_address() -> None:
    ep = check("http://llm.clinic.lan:8080/v1", {"llm.clinic.lan": ["10.0.0.5", "10.0.0.6"]}, lan=True)
    assert (ep.host, ep.address, ep.port) == ("llm.clinic.lan", "10.0.0.5", 8080)


def test_https_anywhere_is_allowed_and_pinned_with_default_port() -> None:
    ep = check("https://LLM.Clinic.example/v1", {"llm.clinic.example": ["198.51.100.7"]})
    assert (ep.scheme, ep.host, ep.port, ep.address) == ("https", "llm.clinic.example", 443, "198.51.100.7")
    assert not ep.loopback


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "HEARTH_LLM_URL is not set"),
        ("ftp://127.0.0.1/v1", "must start with https://"),
        ("127.0.0.1:8080", "must start with https://"),
        ("http:///v1", "names no host"),
        ("https://user:secret@llm.example/v1", "must not carry credentials"),
        ("https://llm.example/v1?x=1", "query"),
        ("http://127.0.0.1:99999/v1", "not a valid URL"),
    ],
)
def test_malformed_urls_get_one_line(url: str, words: str) -> None:
    with pytest.raises(UnsafeServerURL) as err:
        check(url)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_unresolvable_name_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="does not resolve"):
        check("https://nowhere.invalid/v1")


def test_private_ranges_are_exactly_rfc1918_and_ula() -> None:
    assert all(is_private(a) for a in ("10.0.0.1", "172.20.1.1", "192.168.255.255", "fc00::1", "::ffff:10.0.0.1"))
    assert not any(is_private(a) for a in ("127.0.0.1", "192.0.2.2", "11.0.0.1", "fe80::1", "::1"))
