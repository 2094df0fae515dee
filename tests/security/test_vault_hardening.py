"""Issue 11, vault side: sharing names its space, one profile's deletion spares the others,
guessing backs off (and the count survives a restart), unknown profiles cost what known ones
do, tampered KDF costs are refused before any work, the vault notices being deleted or
replaced underneath it, import is one transaction, and storage failures are one clear line."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import TooManyAttempts, VaultError, WrongPassphrase
from assistant.journal import crypto
from assistant.journal import vault as vault_mod
from assistant.journal.vault import VaultStore

PASS = {"ann": "passphrase of ann", "ben": "passphrase of ben", "cy": "passphrase of cy"}


def make(home: Path) -> VaultStore:
    return VaultStore(home / "journal.sqlite3", Settings(home=home))


@pytest.fixture
def three(tmp_path: Path) -> VaultStore:
    st = make(tmp_path)
    for name, pw in PASS.items():
        st.create_profile(name, pw)
    return st


def test_share_lands_in_the_space_that_was_named(three: VaultStore) -> None:
    a, b, c = (three.unlock(n, PASS[n]) for n in ("ann", "ben", "cy"))
    ab = three.create_space(a, b)
    ac = three.create_space(a, c)
    assert three.spaces(a) == [ab, ac]  # oldest first, every time
    assert three.space_partners(a) == {ab: ["ben"], ac: ["cy"]}
    for i in range(5):
        e = three.add(a, f"for cy {i}")
        three.share(a, ac, e.id)
    assert [x["text"] for x in three.space_entries(c, ac)] == [f"for cy {i}" for i in range(5)]
    assert three.space_entries(b, ab) == []
    with pytest.raises(VaultError):
        three.space_entries(b, ac)  # ben is not a member of ann+cy


def test_deleting_one_profile_spares_the_others(three: VaultStore) -> None:
    a, b = three.unlock("ann", PASS["ann"]), three.unlock("ben", PASS["ben"])
    space = three.create_space(a, b)
    three.share(a, space, three.add(a, "ann's shared words").id)
    kept = three.add(b, "ben's own words")
    three.delete_profile(a)
    assert a.locked
    assert three.profiles() == ["ben", "cy"]
    b2 = three.unlock("ben", PASS["ben"])
    assert three.get(b2, kept.id).text == "ben's own words"
    assert three.spaces(b2) == [space]  # ben still holds the space he was in
    with pytest.raises(VaultError):
        three.unlock("ann", PASS["ann"])


def test_backoff_after_free_failures_and_it_survives_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = make(tmp_path)
    st.create_profile("ann", PASS["ann"])
    for _ in range(vault_mod.FREE_FAILURES):
        with pytest.raises(WrongPassphrase):
            st.unlock("ann", "not it at all", client="c1")
    derived: list[object] = []
    real_derive = crypto.derive_kek
    monkeypatch.setattr(crypto, "derive_kek", lambda *a: derived.append(a) or real_derive(*a))
    with pytest.raises(TooManyAttempts):
        st.unlock("ann", PASS["ann"], client="c1")  # even the right one waits
    assert derived == []  # refused before any key derivation (counted, not timed)
    st.close()
    again = make(tmp_path)  # a restart does not reset the count
    with pytest.raises(TooManyAttempts):
        again.unlock("ann", PASS["ann"])
    real = time.time
    monkeypatch.setattr(vault_mod.time, "time", lambda: real() + 2)
    again.unlock("ann", PASS["ann"]).lock()  # after the wait the owner gets in


def test_client_backoff_covers_other_profiles(tmp_path: Path) -> None:
    st = make(tmp_path)
    st.create_profile("ann", PASS["ann"])
    st.create_profile("ben", PASS["ben"])
    for i in range(vault_mod.FREE_FAILURES):
        with pytest.raises(WrongPassphrase):
            st.unlock("ann" if i % 2 else "ben", "guess", client="attacker")
    with pytest.raises(TooManyAttempts):
        st.unlock("cy-does-not-exist", "guess", client="attacker", hide_missing=True)
    st.unlock("ann", PASS["ann"], client="owner").lock()  # another client is not blocked


def test_unknown_profile_costs_a_derivation_and_says_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = make(tmp_path)
    st.create_profile("ann", PASS["ann"])
    derived: list[tuple] = []
    real_derive = crypto.derive_kek
    monkeypatch.setattr(crypto, "derive_kek", lambda *a: derived.append(a[2:]) or real_derive(*a))
    with pytest.raises(WrongPassphrase) as known:
        st.unlock("ann", "wrong guess", hide_missing=True)
    with pytest.raises(WrongPassphrase) as unknown:
        st.unlock("nobody", "wrong guess", hide_missing=True)
    assert str(known.value) == str(unknown.value) == "wrong profile name or passphrase"
    # The same Argon2id work for both (memory, passes, lanes): an unknown name is no 2 ms table miss.
    assert len(derived) == 2 and derived[0] == derived[1]


def test_tampered_kdf_cost_refused_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = make(tmp_path)
    st.create_profile("ann", PASS["ann"])
    st.close()
    conn = sqlite3.connect(tmp_path / "journal.sqlite3")
    conn.execute("UPDATE profiles SET kdf_memory=?, kdf_iterations=?", (4 * 1024 * 1024, 64))
    conn.commit()
    conn.close()
    made: list[object] = []
    monkeypatch.setattr(crypto, "Argon2id", lambda **kw: made.append(kw))
    with pytest.raises(VaultError, match="implausibly high"):
        make(tmp_path).unlock("ann", PASS["ann"])
    assert made == []
    assert crypto.KDF_MAX_MEMORY_KIB <= 1024 * 1024 and crypto.KDF_MAX_ITERATIONS <= 10


def test_vault_deleted_underneath_refuses_writes(tmp_path: Path) -> None:
    ui_store = make(tmp_path)
    ui_store.create_profile("ann", PASS["ann"])
    s = ui_store.unlock("ann", PASS["ann"])
    ui_store.add(s, "before")
    make(tmp_path).delete_all()  # `hearth journal delete-all` from another process
    with pytest.raises(VaultError, match="deleted or replaced"):
        ui_store.add(s, "written into a deleted file")
    assert not (tmp_path / "journal.sqlite3").exists() or make(tmp_path).profiles() == []


def test_vault_replaced_underneath_refuses_writes(tmp_path: Path) -> None:
    ui_store = make(tmp_path)
    ui_store.create_profile("ann", PASS["ann"])
    s = ui_store.unlock("ann", PASS["ann"])
    other = tmp_path / "other"
    other.mkdir()
    make(other).create_profile("zed", "passphrase of zed")
    os.replace(other / "journal.sqlite3", tmp_path / "journal.sqlite3")
    with pytest.raises(VaultError, match="deleted or replaced"):
        ui_store.add(s, "x")


def test_zero_length_vault_is_refused_not_reinitialised(tmp_path: Path) -> None:
    (tmp_path / "journal.sqlite3").write_bytes(b"")
    with pytest.raises(VaultError, match="empty"):
        make(tmp_path).profiles()
    assert (tmp_path / "journal.sqlite3").stat().st_size == 0  # left for the person to restore


def test_truncated_vault_is_one_clear_line(tmp_path: Path) -> None:
    st = make(tmp_path)
    st.create_profile("ann", PASS["ann"])
    s = st.unlock("ann", PASS["ann"])
    for i in range(30):
        st.add(s, f"entry {i} " * 50)
    st.close()
    path = tmp_path / "journal.sqlite3"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    with pytest.raises(VaultError) as info:
        fresh = make(tmp_path)
        fresh.list(fresh.unlock("ann", PASS["ann"]))
    assert "\n" not in str(info.value)


def test_storage_errors_are_one_clear_line() -> None:
    for msg, want in [
        ("database or disk is full", "full"),
        ("disk I/O error", "disk I/O"),
        ("attempt to write a readonly database", "read-only"),
        ("database disk image is malformed", "damaged"),
    ]:
        err = vault_mod.storage_error(Path("/x/journal.sqlite3"), sqlite3.OperationalError(msg))
        assert want in str(err) and "\n" not in str(err)


def test_import_creating_a_profile_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make(tmp_path / "src")
    src.create_profile("ann", PASS["ann"])
    s = src.unlock("ann", PASS["ann"])
    for i in range(3):
        src.add(s, f"entry {i}")
    backup = tmp_path / "ann.backup"
    src.export(s, backup)
    dst = make(tmp_path / "dst")
    real_seal = vault_mod.seal
    calls = {"n": 0}

    def failing_seal(*a, **kw):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] > 4:  # after the profile's own keys, while re-sealing entries
            raise sqlite3.OperationalError("database or disk is full")
        return real_seal(*a, **kw)

    monkeypatch.setattr(vault_mod, "seal", failing_seal)
    with pytest.raises(VaultError, match="full"):
        dst.import_backup(backup, "ann", PASS["ann"])
    assert dst.profiles() == []  # no empty profile with a recovery key nobody saw
    monkeypatch.setattr(vault_mod, "seal", real_seal)
    count, recovery = dst.import_backup(backup, "ann", PASS["ann"])
    assert count == 3 and recovery


def test_profile_names_cannot_carry_markup(tmp_path: Path) -> None:
    st = make(tmp_path)
    for bad in ("<img src=x>", "a&#47;b", "x\ny", "[x](http://e)", ""):
        with pytest.raises(VaultError):
            st.create_profile(bad, "long enough passphrase")
    st.create_profile("Sam O'Neil-2", "long enough passphrase")
