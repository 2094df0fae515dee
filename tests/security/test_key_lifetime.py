"""Keys live as long as the session: lock() and store.close() zero the session's key buffer,
a locked session refuses every use, and every KEK derived from a passphrase or recovery key is
wiped once the wrap is made or opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import VaultError
from assistant.journal import crypto
from tests.security.conftest import make_store

PASS = "key lifetime passphrase"


@pytest.fixture
def keks(monkeypatch: pytest.MonkeyPatch) -> list[bytearray]:
    """Every KEK buffer handed out by derive_kek and recovery_kek, to look at after use."""
    handed: list[bytearray] = []
    for name in ("derive_kek", "recovery_kek"):
        real = getattr(crypto, name)

        def spy(*args, real=real):  # type: ignore[no-untyped-def]
            kek = real(*args)
            handed.append(kek)
            return kek

        monkeypatch.setattr(crypto, name, spy)
    return handed


def test_lock_zeroes_the_key_buffer_and_refuses_use(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    entry = store.add(s, "before the lock")
    buf = s._key
    assert isinstance(buf, bytearray) and len(buf) == 32 and any(buf)
    s.lock()
    assert buf == bytearray(32)  # the very buffer that held the key is now all zeros
    assert s.locked
    for use in (s.key, lambda: store.list(s), lambda: store.get(s, entry.id), lambda: store.add(s, "x")):
        with pytest.raises(VaultError, match="is locked"):
            use()
    store.close()


def test_closing_the_store_locks_its_sessions(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    buf = s._key
    assert buf is not None and any(buf)
    store.close()
    assert buf == bytearray(32)
    with pytest.raises(VaultError, match="is locked"):
        store.list(s)


def test_every_kek_is_wiped_after_use(tmp_path: Path, keks: list[bytearray]) -> None:
    store = make_store(tmp_path)
    recovery = store.create_profile("me", PASS)  # a passphrase KEK and a recovery KEK
    s = store.unlock("me", PASS)
    store.unlock("me", recovery_key=recovery)
    with pytest.raises(VaultError):
        store.unlock("me", "a wrong passphrase")
    store.change_passphrase(s, PASS + " two")
    store.export(s, tmp_path / "me.hearth")
    make_store(tmp_path / "dst").import_backup(tmp_path / "me.hearth", "me", PASS + " two")
    # create 2, unlock 1, recovery 1, wrong 1, rekey 1, import: the backup's and the new profile's 2
    assert len(keks) == 9
    assert all(isinstance(k, bytearray) and k == bytearray(32) for k in keks)
    store.close()
