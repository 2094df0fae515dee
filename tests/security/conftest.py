"""Helpers for the vault security tests: direct SQLite access (as an attacker holding the file
would have), a memoising KDF for tests that unlock hundreds of times with the same header,
and `refused`, which insists on a VaultError and nothing else."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.errors import VaultError
from assistant.journal import crypto
from assistant.journal.vault import VaultStore


def make_store(home: Path) -> VaultStore:
    return VaultStore(home / "journal.sqlite3", Settings(home=home))


class ClosingConnection(sqlite3.Connection):
    """`with raw(path) as c:` closes the connection at the end (sqlite3's own only commits)."""

    def __exit__(self, *exc: object) -> bool:
        self.close()
        return False


def raw(path: Path) -> sqlite3.Connection:
    """A plain autocommit connection to the vault file (foreign keys off, as sqlite3 defaults)."""
    return sqlite3.connect(str(path), isolation_level=None, factory=ClosingConnection)


def refused(fn: Callable[[], Any], what: str = "") -> VaultError:
    """fn must raise a VaultError (or subclass): returning normally or raising anything else fails."""
    try:
        result = fn()
    except VaultError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - the point is to catch everything else
        pytest.fail(f"{what}: raised {type(exc).__name__}: {exc} instead of a VaultError")
    pytest.fail(f"{what}: tampering went unnoticed (returned {result!r:.200})")


@pytest.fixture
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> Callable[..., bytearray]:
    """Memoise crypto.derive_kek on its exact arguments. The result is the same key Argon2id
    gives (the function is deterministic); only repeated derivations with an identical
    passphrase, salt and parameters are skipped. Refusals (exceptions) are never cached."""
    cached = functools.lru_cache(maxsize=None)(crypto.derive_kek)

    def derive(passphrase: str, salt: bytes, memory_kib: int, iterations: int, lanes: int) -> bytearray:
        # a fresh copy each time: callers wipe the KEK they get, the cache keeps its own
        return bytearray(cached(passphrase, bytes(salt), memory_kib, iterations, lanes))

    monkeypatch.setattr(crypto, "derive_kek", derive)
    return derive
