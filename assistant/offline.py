"""Offline by construction. Import this module first in every entry point.

1. It sets the environment switches that stop Hugging Face, transformers, Gradio and chromadb
   from phoning home, before any of them is imported.
2. `install_guard()` patches the socket layer so that every connection, datagram or DNS lookup
   aimed at a non-loopback address is refused (and counted). The count is what
   `hearth privacy-check` and the Privacy tab report.
3. `allow_server()` opens exactly one hole: the configured LLM server. Its name was resolved
   once (`resolve_once`); from then on a lookup of that name answers with the pinned address
   only, and a connection is allowed to that address and port only. A name that later resolves
   elsewhere (DNS rebinding) never changes where Hearth connects.

A Python-level guard cannot see native code or child processes; the test-suite therefore also
runs the scripted session inside a network namespace that has only loopback.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
from typing import Any

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    # "True", as Gradio itself writes it when analytics are off (huggingface_hub reads both).
    "HF_HUB_DISABLE_TELEMETRY": "True",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # Quiet: progress bars on stderr would bury the one-line errors the CLI promises.
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}

for _key, _value in OFFLINE_ENV.items():
    os.environ[_key] = _value


class EgressBlocked(ConnectionRefusedError):
    """Raised instead of opening a connection to a non-local address."""


_lock = threading.Lock()
_attempts: list[str] = []
_installed = False
_orig: dict[str, Any] = {}
# The one allowed server: (host name in lower case, pinned address, port), or None.
_server: tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None = None


def _ip(value: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    try:
        ip = ipaddress.ip_address(value.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def resolve_once(host: str, port: int) -> list[str]:
    """Resolve the configured server's name with the real resolver (the guard's one exception).

    Returns the addresses in the resolver's order; an empty list if the name does not resolve."""
    lookup = _orig.get("getaddrinfo", socket.getaddrinfo)
    try:
        infos = lookup(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in seen:
            seen.append(addr)
    return seen


def allow_server(host: str, address: str, port: int) -> None:
    """Allow connections to exactly `address`:`port` (replacing any earlier server), and pin
    lookups of `host` to `address`."""
    global _server
    ip = _ip(address)
    if ip is None:
        raise ValueError(f"not an IP address: {address!r}")
    with _lock:
        _server = (host.strip("[]").lower(), ip, int(port))


def allowed_server() -> tuple[str, str, int] | None:
    """(host, pinned address, port) of the one server the guard lets through, if any."""
    with _lock:
        return None if _server is None else (_server[0], str(_server[1]), _server[2])


def forget_server() -> None:
    """Close the hole again (tests; a process that switches server)."""
    global _server
    with _lock:
        _server = None


def _is_allowed_server(address: object) -> bool:
    if not isinstance(address, tuple) or len(address) < 2:
        return False
    ip = _ip(address[0])
    with _lock:
        return _server is not None and ip is not None and (ip, address[1]) == _server[1:]


def _pinned(host: object) -> str | None:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return None
    with _lock:
        if _server is None:
            return None
        name, ip, _ = _server
        # The name itself, or the pinned address written out (a numeric lookup needs no DNS).
        return str(ip) if host.strip("[]").lower() == name or _ip(host) == ip else None


def _is_local_host(host: object) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").split("%", 1)[0].lower()
    if name in ("localhost", "localhost.localdomain", "", "ip6-localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # 0.0.0.0 / :: are what a server binds to; a connect() to them reaches loopback.
    return ip.is_loopback or ip.is_unspecified


def _address_is_local(family: int, address: object) -> bool:
    if family == getattr(socket, "AF_UNIX", object()):
        return True
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
        return _is_local_host(address[0])
    # Netlink and other local-only families.
    return family not in (socket.AF_INET, socket.AF_INET6)


def _refuse(what: str) -> EgressBlocked:
    with _lock:
        _attempts.append(what)
    return EgressBlocked(f"Hearth is offline: refused outbound {what}")


def attempts() -> int:
    """How many outbound attempts were refused since the guard was installed."""
    with _lock:
        return len(_attempts)


def attempt_log() -> list[str]:
    with _lock:
        return list(_attempts)


def reset_attempts() -> None:
    with _lock:
        _attempts.clear()


def install_guard() -> None:
    """Refuse every non-loopback connection, datagram and DNS lookup from this process."""
    global _installed
    if _installed:
        return
    sock_cls = socket.socket
    _orig.update(
        connect=sock_cls.connect,
        connect_ex=sock_cls.connect_ex,
        sendto=sock_cls.sendto,
        sendmsg=sock_cls.sendmsg,
        gethostbyaddr=socket.gethostbyaddr,
        getnameinfo=socket.getnameinfo,
        getaddrinfo=socket.getaddrinfo,
        gethostbyname=socket.gethostbyname,
        gethostbyname_ex=socket.gethostbyname_ex,
    )

    def _may_connect(sock: socket.socket, address: Any) -> bool:
        # The configured server speaks HTTP over TCP: no datagrams to it, no other port.
        if _address_is_local(sock.family, address):
            return True
        return sock.type == socket.SOCK_STREAM and _is_allowed_server(address)

    def connect(self: socket.socket, address: Any) -> None:
        if not _may_connect(self, address):
            raise _refuse(f"connect to {address!r}")
        return _orig["connect"](self, address)  # type: ignore[no-any-return]

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _may_connect(self, address):
            _refuse(f"connect to {address!r}")
            return 111  # ECONNREFUSED
        return _orig["connect_ex"](self, address)  # type: ignore[no-any-return]

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        address = args[-1]
        if not _address_is_local(self.family, address):
            raise _refuse(f"datagram to {address!r}")
        return _orig["sendto"](self, data, *args)  # type: ignore[no-any-return]

    def sendmsg(self: socket.socket, buffers: Any, ancdata: Any = (), flags: int = 0, address: Any = None) -> int:
        if address is not None and not _address_is_local(self.family, address):
            raise _refuse(f"datagram to {address!r}")
        if address is None:
            return _orig["sendmsg"](self, buffers, ancdata, flags)  # type: ignore[no-any-return]
        return _orig["sendmsg"](self, buffers, ancdata, flags, address)  # type: ignore[no-any-return]

    def gethostbyaddr(ip: Any) -> Any:
        if not _is_local_host(ip):
            _refuse(f"reverse DNS lookup of {ip!r}")
            raise socket.herror(1, "Hearth is offline: reverse DNS lookup refused")
        return _orig["gethostbyaddr"](ip)

    def getnameinfo(sockaddr: Any, flags: int) -> Any:
        if not flags & socket.NI_NUMERICHOST and not _is_local_host(sockaddr[0]):
            _refuse(f"reverse DNS lookup of {sockaddr[0]!r}")
            raise socket.gaierror(socket.EAI_NONAME, "Hearth is offline: reverse DNS lookup refused")
        return _orig["getnameinfo"](sockaddr, flags)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if (pinned := _pinned(host)) is not None:
            # The configured server: answer with the address resolved at start, never anew.
            return _orig["getaddrinfo"](pinned, *args, **kwargs)
        if not _is_local_host(host):
            _refuse(f"DNS lookup of {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "Hearth is offline: DNS lookup refused")
        return _orig["getaddrinfo"](host, *args, **kwargs)

    def gethostbyname(host: Any) -> Any:
        if (pinned := _pinned(host)) is not None:
            return pinned
        if not _is_local_host(host):
            _refuse(f"DNS lookup of {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "Hearth is offline: DNS lookup refused")
        return _orig["gethostbyname"](host)

    def gethostbyname_ex(host: Any) -> Any:
        if not _is_local_host(host):
            _refuse(f"DNS lookup of {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, "Hearth is offline: DNS lookup refused")
        return _orig["gethostbyname_ex"](host)

    sock_cls.connect = connect  # type: ignore[method-assign,assignment]
    sock_cls.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    sock_cls.sendto = sendto  # type: ignore[method-assign,assignment]
    sock_cls.sendmsg = sendmsg  # type: ignore[method-assign,assignment]
    socket.gethostbyaddr = gethostbyaddr
    socket.getnameinfo = getnameinfo
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    _installed = True


def guard_installed() -> bool:
    return _installed


def forget_last_attempt() -> None:
    """Drop the newest refused attempt: `hearth doctor` provokes one on purpose to prove the guard."""
    with _lock:
        if _attempts:
            _attempts.pop()
