"""Where an OpenAI-compatible server may be, decided before any connection is made.

The rules (docs/clinic.md explains them for operators):
- loopback: http or https;
- any other address: https only (a private CA via HEARTH_LLM_CA_FILE), unless
  HEARTH_LLM_ALLOW_INSECURE_LAN=1, and then plain http only to a private-range address
  (RFC 1918 or IPv6 unique-local); never plain http anywhere else;
- the name is resolved once, here; every address it resolves to must pass, and the first is
  pinned: the egress guard then lets Hearth reach exactly that address and port, so a name that
  later resolves to the internet (DNS rebinding) is never followed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from assistant.errors import ModelError, UnsafeServerURL

# Private ranges a plain-http server may sit in. Link-local (169.254/16, fe80::/10) is left out
# on purpose: 169.254.169.254 is a cloud metadata service, not a clinic's server. So is
# 100.64/10 (carrier-grade NAT: other customers share it).
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))

Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Endpoint:
    base_url: str  # without a trailing slash, e.g. https://llm.clinic.lan:8443/v1
    scheme: str
    host: str
    port: int
    address: str  # the pinned address the guard allows

    @property
    def loopback(self) -> bool:
        return _ip(self.address).is_loopback


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def is_private(address: str) -> bool:
    ip = _ip(address)
    return any(ip.version == net.version and ip in net for net in PRIVATE_NETWORKS)


def _is_loopback_name(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return _ip(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_insecure_lan: bool, resolve: Resolver) -> Endpoint:
    """Validate HEARTH_LLM_URL and pin its address; raise UnsafeServerURL with one line if not."""
    if not url:
        raise UnsafeServerURL("llm_backend is 'openai' but HEARTH_LLM_URL is not set (e.g. http://127.0.0.1:8080/v1)")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeServerURL(f"HEARTH_LLM_URL {url!r} is not a valid URL ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeServerURL(f"HEARTH_LLM_URL must start with https:// (or http:// on loopback), not {url!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeServerURL(f"HEARTH_LLM_URL {url!r} names no host")
    if parts.username or parts.password:
        raise UnsafeServerURL("HEARTH_LLM_URL must not carry credentials; put the key in HEARTH_LLM_API_KEY")
    if parts.query or parts.fragment:
        raise UnsafeServerURL(f"HEARTH_LLM_URL {url!r} must not have a query or fragment")
    port = port or (443 if scheme == "https" else 80)
    insecure = scheme == "http"
    if insecure and not allow_insecure_lan and not _is_loopback_name(host):
        # Refused before anything goes out, not even a DNS query.
        raise UnsafeServerURL(
            f"refusing plain http to {host}: use https (HEARTH_LLM_CA_FILE for a private CA), "
            "or HEARTH_LLM_ALLOW_INSECURE_LAN=1 for a private-range address"
        )
    addresses = resolve(host, port)
    if not addresses:
        raise ModelError(f"LLM server host {host!r} does not resolve: check HEARTH_LLM_URL")
    if insecure:
        allowed = [a for a in addresses if _ip(a).is_loopback or (allow_insecure_lan and is_private(a))]
        if len(allowed) != len(addresses):
            bad = next(a for a in addresses if a not in allowed)
            raise UnsafeServerURL(
                f"refusing plain http to {host}: it resolves to {bad}, which is not a private-range address"
            )
    path = parts.path.rstrip("/")
    netloc = f"[{host}]" if ":" in host else host
    base_url = f"{scheme}://{netloc}:{port}{path}"
    return Endpoint(base_url=base_url, scheme=scheme, host=host, port=port, address=addresses[0])
