"""The journal vault (assistant/journal/vault.py) used directly: roundtrips, passphrases, KDF
floor and ceiling, recovery key, idle lock, profile isolation, shared spaces, backups,
delete-all and the SQLite settings. Every unlock costs one Argon2id derivation (~0.1-0.3 s),
so sessions are reused where the test does not need a fresh unlock."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.config import Settings
from assistant.errors import VaultError, WrongPassphrase
from assistant.journal import crypto
from assistant.journal import vault as vault_mod
from assistant.journal.crypto import Tampered
from assistant.journal.vault import VaultSession, VaultStore

PASS = "correct horse battery staple"
OTHER = "a completely different passphrase"


def make_store(home: Path, **overrides: object) -> VaultStore:
    return VaultStore(home / "journal.sqlite3", Settings(home=home, **overrides))


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = make_store(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Counts calls to crypto.derive_kek (the one Argon2id entry point)."""
    calls: list[tuple] = []
    real = crypto.derive_kek

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(crypto, "derive_kek", wrapper)
    return calls


@pytest.fixture
def argon_spy(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Records every Argon2id object constructed (i.e. every real derivation attempt)."""
    made: list[dict] = []
    real = crypto.Argon2id

    def spy(**kwargs):  # type: ignore[no-untyped-def]
        made.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(crypto, "Argon2id", spy)
    return made


class ClosingConnection(sqlite3.Connection):
    def __exit__(self, *exc: object) -> bool:
        self.close()
        return False


def raw(store: VaultStore) -> sqlite3.Connection:
    """A second, plain connection to the same file, as an attacker with the file would have;
    `with raw(store) as c:` closes it at the end."""
    return sqlite3.connect(str(store.path), isolation_level=None, factory=ClosingConnection)


# --- roundtrip ---------------------------------------------------------------------------------


def test_create_unlock_add_get_list_roundtrip(store: VaultStore) -> None:
    recovery = store.create_profile("me", PASS)
    assert len(recovery.replace("-", "")) == 32
    assert store.profiles() == ["me"]
    s = store.unlock("me", PASS)
    texts = ["We talked about the move.", 'Ünïcödé ✓ — 💬 and "quotes"\nsecond line', "x" * 20_000]
    added = [store.add(s, t, title=f"t{i}", tags=["a", f"n{i}"], analysis={"flags": [i]})
             for i, t in enumerate(texts)]  # fmt: skip
    for e, t in zip(added, texts, strict=True):
        got = store.get(s, e.id)
        assert (got.text, got.title, got.tags, got.analysis, got.version) == (t, e.title, e.tags, e.analysis, 1)
        assert got.created == e.created
    listing = store.list(s)
    assert listing.damaged == []
    assert sorted(e.text for e in listing.entries) == sorted(texts)

    # A fresh store (new connection, new unlock) reads the same from disk.
    store.close()
    again = VaultStore(store.path, Settings(home=store.path.parent))
    s2 = again.unlock("me", PASS)
    assert {e.id: e.text for e in again.list(s2).entries} == {e.id: e.text for e in added}
    # update bumps the version and is what get returns; delete removes it
    e0 = again.get(s2, added[0].id)
    e0.text = "edited"
    again.update(s2, e0)
    assert again.get(s2, added[0].id).text == "edited"
    assert again.get(s2, added[0].id).version == 2
    again.delete(s2, added[1].id)
    with pytest.raises(VaultError):
        again.get(s2, added[1].id)
    listing = again.list(s2)
    assert listing.damaged == [] and len(listing.entries) == 2
    again.close()


def test_plaintext_is_not_in_the_file(store: VaultStore) -> None:
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    marker = "PLAINTEXT-MARKER-7f3a9c"
    store.add(s, f"entry holding {marker}", title=f"title {marker}", tags=[marker])
    store.close()
    for f in store.path.parent.iterdir():
        assert marker.encode() not in f.read_bytes(), f.name


def test_empty_entry_is_refused(store: VaultStore) -> None:
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    with pytest.raises(VaultError):
        store.add(s, "   \n")
    assert store.list(s).entries == []


def test_profile_rules(store: VaultStore) -> None:
    with pytest.raises(VaultError):
        store.create_profile("me", "short")
    with pytest.raises(VaultError):
        store.create_profile("a/b", PASS)
    store.create_profile("me", PASS)
    with pytest.raises(VaultError):
        store.create_profile("me", OTHER)
    with pytest.raises(VaultError) as exc:
        store.unlock("nobody", PASS)
    assert not isinstance(exc.value, WrongPassphrase)


# --- passphrases and the KDF ---------------------------------------------------------------------


def test_wrong_passphrase_costs_exactly_one_derivation(store: VaultStore, counting: list[tuple]) -> None:
    store.create_profile("me", PASS)
    assert len(counting) == 1
    counting.clear()
    with pytest.raises(WrongPassphrase):
        store.unlock("me", PASS + "!")
    assert len(counting) == 1
    # the derivation used the parameters stored with the profile
    _, _salt, memory, iterations, lanes = counting[0]
    assert (memory, iterations, lanes) == (store.memory_kib, store.iterations, crypto.KDF_LANES)
    assert memory >= crypto.KDF_MIN_MEMORY_KIB and iterations >= crypto.KDF_MIN_ITERATIONS
    counting.clear()
    store.unlock("me", PASS).lock()
    assert len(counting) == 1


def test_one_hundred_wrong_passphrases_are_all_refused(store: VaultStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.errors import TooManyAttempts
    from assistant.journal import vault as vault_mod

    store.create_profile("me", PASS)
    near = [PASS.upper(), PASS + " ", " " + PASS, PASS[:-1], PASS + "\n", "", PASS.replace(" ", ""),
            PASS.replace("o", "0"), PASS[::-1], PASS.title()]  # fmt: skip
    candidates = near + [f"{PASS} {i}" for i in range(100 - len(near))]
    assert len(candidates) == 100
    clock = [1_000_000.0]
    monkeypatch.setattr(vault_mod.time, "time", lambda: clock[0])
    wrong = backed_off = 0
    for cand in candidates:
        try:
            store.unlock("me", cand)
            raise AssertionError(f"{cand!r} opened the vault")
        except WrongPassphrase:
            wrong += 1
        except TooManyAttempts:
            backed_off += 1
            clock[0] += 400  # wait out the backoff (at most 300 s), then guess again
            with pytest.raises(WrongPassphrase):
                store.unlock("me", cand)
            wrong += 1
    assert wrong == 100 and backed_off >= 90  # after the free tries every guess had to wait
    # the right passphrase still works once the wait is over, and clears the count
    clock[0] += 400
    store.unlock("me", PASS).lock()
    with pytest.raises(WrongPassphrase):
        store.unlock("me", "wrong one")


@pytest.mark.parametrize(
    ("column", "value"),
    [("kdf_memory", crypto.KDF_MIN_MEMORY_KIB - 1), ("kdf_memory", 8), ("kdf_memory", 0), ("kdf_memory", -1),
     ("kdf_iterations", 2), ("kdf_iterations", 1), ("kdf_iterations", 0), ("kdf_iterations", -3)],
)  # fmt: skip
def test_kdf_parameters_below_the_floor_are_refused(
    store: VaultStore, argon_spy: list[dict], column: str, value: int
) -> None:
    store.create_profile("me", PASS)
    argon_spy.clear()
    with raw(store) as c:
        c.execute(f"UPDATE profiles SET {column}=?", (value,))
    with pytest.raises(VaultError) as exc:
        store.unlock("me", PASS)
    assert not isinstance(exc.value, WrongPassphrase)
    assert "floor" in str(exc.value)
    assert argon_spy == []  # refused before any derivation


@pytest.mark.parametrize(
    ("column", "value"),
    [("kdf_memory", crypto.KDF_MAX_MEMORY_KIB + 1), ("kdf_memory", 2**40), ("kdf_memory", 2**63 - 1),
     ("kdf_iterations", crypto.KDF_MAX_ITERATIONS + 1), ("kdf_iterations", 10**9),
     ("kdf_lanes", 0), ("kdf_lanes", 17), ("kdf_lanes", -4), ("kdf_lanes", 2**31)],
)  # fmt: skip
def test_absurdly_high_kdf_parameters_are_refused_quickly(
    store: VaultStore, argon_spy: list[dict], column: str, value: int
) -> None:
    store.create_profile("me", PASS)
    argon_spy.clear()
    with raw(store) as c:
        c.execute(f"UPDATE profiles SET {column}=?", (value,))
    t0 = time.monotonic()
    with pytest.raises(VaultError) as exc:
        store.unlock("me", PASS)
    assert time.monotonic() - t0 < 1.0
    assert not isinstance(exc.value, WrongPassphrase)
    assert argon_spy == []


def test_settings_below_the_floor_cannot_create_a_weak_profile(tmp_path: Path) -> None:
    weak = make_store(tmp_path / "weak", kdf_memory_kib=1024, kdf_iterations=1)
    with pytest.raises(VaultError):
        weak.create_profile("me", PASS)
    assert weak.profiles() == []
    weak.close()


# --- recovery key ------------------------------------------------------------------------------


def test_recovery_key_opens_the_profile_and_a_wrong_one_is_refused(store: VaultStore, counting: list[tuple]) -> None:
    recovery = store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    e = store.add(s, "remember this")
    s.lock()
    counting.clear()
    r = store.unlock("me", recovery_key=recovery)
    assert store.get(r, e.id).text == "remember this"
    # typed sloppily: lower case, spaces instead of dashes
    r2 = store.unlock("me", recovery_key=recovery.lower().replace("-", " "))
    assert store.get(r2, e.id).text == "remember this"
    assert counting == []  # the recovery path does not run Argon2id
    with pytest.raises(WrongPassphrase):
        store.unlock("me", recovery_key=crypto.new_recovery_key())
    # one character changed
    flipped = ("B" if recovery[0] != "B" else "C") + recovery[1:]
    with pytest.raises(WrongPassphrase):
        store.unlock("me", recovery_key=flipped)
    for bad in ("not a key", "AAAA-AAAA", recovery + "-AAAA", "0000-1111-8888-9999-0000-1111-8888-9999"):
        with pytest.raises(VaultError):
            store.unlock("me", recovery_key=bad)


def test_recovery_key_of_one_profile_does_not_open_another(store: VaultStore) -> None:
    ra = store.create_profile("a", PASS)
    store.create_profile("b", PASS)
    with pytest.raises(WrongPassphrase):
        store.unlock("b", recovery_key=ra)


# --- locking -----------------------------------------------------------------------------------


def test_idle_timeout_locks_the_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(vault_mod, "time", SimpleNamespace(monotonic=lambda: clock[0], time=lambda: clock[0]))
    st = make_store(tmp_path / "data", idle_lock_seconds=1)
    st.create_profile("me", PASS)
    s = st.unlock("me", PASS)
    assert s.idle_seconds == 1
    e = st.add(s, "first")
    clock[0] += 0.9
    assert st.get(s, e.id).text == "first"  # use refreshes the idle timer
    clock[0] += 0.9
    assert not s.locked
    assert st.list(s).entries[0].text == "first"
    key_buffer = s._key
    clock[0] += 1.01
    assert s.locked
    assert key_buffer is not None and bytes(key_buffer) == bytes(len(key_buffer))  # wiped
    for op in (lambda: st.get(s, e.id), lambda: st.list(s), lambda: st.add(s, "more"), s.key):
        with pytest.raises(VaultError):
            op()
    # a fresh unlock works again
    s2 = st.unlock("me", PASS)
    assert [x.text for x in st.list(s2).entries] == ["first"]
    st.close()


def test_idle_timeout_with_real_clock(tmp_path: Path) -> None:
    s = VaultSession("pid", "me", b"k" * 32, idle_seconds=1)
    assert s.key() == b"k" * 32
    time.sleep(1.2)
    with pytest.raises(VaultError):
        s.key()


def test_lock_locks(store: VaultStore) -> None:
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    e = store.add(s, "x")
    buf = s._key
    s.lock()
    assert s.locked
    assert buf is not None and bytes(buf) == bytes(32)
    with pytest.raises(VaultError):
        store.get(s, e.id)
    with pytest.raises(VaultError):
        store.list(s)
    with pytest.raises(VaultError):
        store.change_passphrase(s, OTHER)
    with pytest.raises(VaultError):
        store.export(s, store.path.parent / "b.hearth")
    assert not (store.path.parent / "b.hearth").exists()
    s.lock()  # idempotent


# --- profile isolation ---------------------------------------------------------------------------


def test_profile_b_can_never_read_profile_a(store: VaultStore) -> None:
    store.create_profile("a", PASS)
    store.create_profile("b", PASS)  # even with the same passphrase
    sa, sb = store.unlock("a", PASS), store.unlock("b", PASS)
    a_entries = [store.add(sa, f"A secret {i}") for i in range(3)]
    b_entry = store.add(sb, "B's own")
    for e in a_entries:
        with pytest.raises(VaultError):
            store.get(sb, e.id)
        with pytest.raises(VaultError):
            store.delete(sb, e.id)
    listing = store.list(sb)
    assert [e.text for e in listing.entries] == ["B's own"] and listing.damaged == []
    assert sorted(e.text for e in store.list(sa).entries) == [f"A secret {i}" for i in range(3)]
    with pytest.raises(VaultError):
        store.get(sa, b_entry.id)
    # a session of B pointed at A's profile id through the API still only sees B's key
    with pytest.raises(VaultError):
        store.get(sb, a_entries[0].id)


def test_profile_b_cannot_overwrite_profile_a_entries(store: VaultStore) -> None:
    store.create_profile("a", PASS)
    store.create_profile("b", OTHER)
    sa, sb = store.unlock("a", PASS), store.unlock("b", OTHER)
    ea = store.add(sa, "A's entry")
    forged = store.get(sa, ea.id)
    forged.text = "written by B"
    with pytest.raises(VaultError):
        store.update(sb, forged)
    assert store.get(sa, ea.id).text == "A's entry"
    assert store.list(sa).damaged == []
    assert store.list(sb).entries == [] and store.list(sb).damaged == []


# --- shared spaces -----------------------------------------------------------------------------


def test_shared_space_needs_both_partners_and_excludes_others(store: VaultStore) -> None:
    for name in ("a", "b", "c"):
        store.create_profile(name, PASS + name)
    sa, sb, sc = (store.unlock(n, PASS + n) for n in ("a", "b", "c"))
    ea, eb, ec = store.add(sa, "from A"), store.add(sb, "from B"), store.add(sc, "from C")
    assert store.spaces(sa) == [] and store.spaces(sb) == []
    with pytest.raises(VaultError):
        store.share(sa, "0" * 32, ea.id)  # no space yet
    with pytest.raises(VaultError):
        store.create_space(sa, sa)
    # the partner's session must be unlocked: a locked one creates nothing at all
    sb_locked = store.unlock("b", PASS + "b")
    sb_locked.lock()
    with pytest.raises(VaultError):
        store.create_space(sa, sb_locked)
    assert store.conn.execute("SELECT COUNT(*) FROM spaces").fetchone()[0] == 0
    assert store.conn.execute("SELECT COUNT(*) FROM space_keys").fetchone()[0] == 0

    space = store.create_space(sa, sb)
    assert store.spaces(sa) == [space] and store.spaces(sb) == [space] and store.spaces(sc) == []
    store.share(sa, space, ea.id)
    store.share(sb, space, eb.id)
    for s in (sa, sb):
        got = {(d["author"], d["text"]) for d in store.space_entries(s, space)}
        assert got == {("a", "from A"), ("b", "from B")}
    # the third profile can neither read nor write
    with pytest.raises(VaultError):
        store.space_entries(sc, space)
    with pytest.raises(VaultError):
        store.share(sc, space, ec.id)
    # B cannot share A's entry
    with pytest.raises(VaultError):
        store.share(sb, space, ea.id)
    # copying A's wrapped space key into a row for C does not let C in
    with raw(store) as c:
        wrapped = c.execute("SELECT wrapped FROM space_keys WHERE profile_id=?", (sa.profile_id,)).fetchone()[0]
        c.execute("INSERT INTO space_keys VALUES (?,?,?)", (space, sc.profile_id, wrapped))
    with pytest.raises(VaultError):
        store.space_entries(sc, space)
    # sharing copied only the chosen entries; private ones stay private
    assert {d["text"] for d in store.space_entries(sa, space)} == {"from A", "from B"}


# --- backups -----------------------------------------------------------------------------------


def test_backup_roundtrip_into_a_fresh_data_folder(tmp_path: Path) -> None:
    src = make_store(tmp_path / "one")
    src.create_profile("me", PASS)
    s = src.unlock("me", PASS)
    made = [src.add(s, f"entry {i} ✓", title=f"T{i}", tags=["x"], analysis={"safety": "none", "i": i})
            for i in range(5)]  # fmt: skip
    edited = src.get(s, made[0].id)
    edited.text = "entry 0 edited"
    src.update(s, edited)
    backup = tmp_path / "backup.hearth"
    assert src.export(s, backup) == 5
    assert not backup.with_name(backup.name + ".part").exists()
    blob = backup.read_bytes()
    assert blob.startswith(vault_mod.BACKUP_MAGIC)
    assert b"entry 0 edited" not in blob and b"entry 1" not in blob

    dst = make_store(tmp_path / "two")
    assert dst.profiles() == []
    with pytest.raises(WrongPassphrase):
        dst.import_backup(backup, "me", OTHER)
    assert dst.profiles() == []  # a refused import creates nothing

    count, recovery = dst.import_backup(backup, "me", PASS)
    assert count == 5 and recovery
    d = dst.unlock("me", PASS)
    want = {e.id: e for e in src.list(s).entries}
    got = {e.id: e for e in dst.list(d).entries}
    assert set(got) == set(want) and dst.list(d).damaged == []
    for i, e in got.items():
        w = want[i]
        assert (e.text, e.title, e.tags, e.analysis, e.created) == (w.text, w.title, w.tags, w.analysis, w.created)
    # importing twice does not duplicate
    assert dst.import_backup(backup, "me", PASS) == (0, None)
    assert len(dst.list(d).entries) == 5
    # the recovery key of the new profile works
    r = dst.unlock("me", recovery_key=recovery)
    assert len(dst.list(r).entries) == 5
    src.close()
    dst.close()


def test_import_into_an_existing_profile_merges(tmp_path: Path) -> None:
    src = make_store(tmp_path / "one")
    src.create_profile("me", PASS)
    s = src.unlock("me", PASS)
    src.add(s, "from the backup")
    backup = tmp_path / "b.hearth"
    src.export(s, backup)
    dst = make_store(tmp_path / "two")
    dst.create_profile("me", PASS)
    d = dst.unlock("me", PASS)
    dst.add(d, "already here")
    assert dst.import_backup(backup, "me", PASS) == (1, None)
    assert sorted(e.text for e in dst.list(d).entries) == ["already here", "from the backup"]
    # an existing profile with another passphrase is not opened by the backup's passphrase
    dst.create_profile("other", OTHER)
    with pytest.raises(WrongPassphrase):
        dst.import_backup(backup, "other", PASS)
    src.close()
    dst.close()


def test_import_into_another_profile_of_the_same_vault(store: VaultStore, tmp_path: Path) -> None:
    """Restoring a backup as a second profile on the same machine (entry ids already exist
    in the vault, under the first profile) must work, or fail with a VaultError: never crash."""
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    store.add(s, "one")
    store.add(s, "two")
    backup = tmp_path / "b.hearth"
    store.export(s, backup)
    count, _ = store.import_backup(backup, "copy", PASS)
    assert count == 2
    c = store.unlock("copy", PASS)
    assert sorted(e.text for e in store.list(c).entries) == ["one", "two"]
    assert store.list(c).damaged == []
    # idempotent as well, and the original is untouched
    assert store.import_backup(backup, "copy", PASS) == (0, None)
    assert len(store.list(c).entries) == 2
    assert sorted(e.text for e in store.list(s).entries) == ["one", "two"] and store.list(s).damaged == []


DAMAGE = ["not-a-backup", "bad-json", "bad-wrapped-b64", "missing-manifest", "entry-flipped", "entry-dropped",
          "entry-missing-field", "entries-not-list"]  # fmt: skip


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_backup_is_refused_with_a_vault_error(tmp_path: Path, damage: str) -> None:
    import base64
    import json

    src = make_store(tmp_path / "one")
    src.create_profile("me", PASS)
    s = src.unlock("me", PASS)
    src.add(s, "one")
    src.add(s, "two")
    backup = tmp_path / "b.hearth"
    src.export(s, backup)
    magic = vault_mod.BACKUP_MAGIC
    doc, _ = vault_mod.read_backup(backup, "damaged")
    if damage == "not-a-backup":
        backup.write_bytes(b"hello")
    elif damage == "bad-json":
        backup.write_bytes(magic + b"{nope")
    else:
        if damage == "bad-wrapped-b64":
            doc["wrapped_key"] = "!!!not base64!!!"
        elif damage == "missing-manifest":
            del doc["manifest"]
        elif damage == "entry-flipped":
            b = bytearray(base64.b64decode(doc["entries"][0]["sealed"]))
            b[20] ^= 1
            doc["entries"][0]["sealed"] = base64.b64encode(bytes(b)).decode()
        elif damage == "entry-dropped":
            doc["entries"].pop()
        elif damage == "entry-missing-field":
            del doc["entries"][0]["sealed"]
        elif damage == "entries-not-list":
            doc["entries"] = 5
        # the digest recomputed, as a deliberate editor would: the deeper checks must catch it
        backup.write_bytes(vault_mod.frame_backup(json.dumps(doc).encode()))
    dst = make_store(tmp_path / "two")
    with pytest.raises(VaultError):
        dst.import_backup(backup, "me", PASS)
    # all or nothing: no entry got in (a profile may or may not have been created first)
    if "me" in dst.profiles():
        assert dst.list(dst.unlock("me", PASS)).entries == []
    src.close()
    dst.close()


# --- delete everything ---------------------------------------------------------------------------


def test_delete_all_removes_the_files(store: VaultStore) -> None:
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    store.add(s, "gone soon")
    folder = store.path.parent
    assert store.path.exists()
    store.delete_all()
    for suffix in ("", "-wal", "-shm", "-journal"):
        assert not Path(str(store.path) + suffix).exists()
    assert store.profiles() == []
    # a new store at the same place starts empty
    fresh = VaultStore(store.path, Settings(home=folder))
    assert fresh.profiles() == []
    fresh.close()


def test_delete_all_destroys_the_wrapped_keys_before_removing_files(
    store: VaultStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A copy of the database taken just before the files are unlinked (e.g. by a backup tool
    or a crash at that moment) opens with neither the passphrase nor the recovery key, and
    holds none of the old wrapped-key bytes."""
    recovery = store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    store.add(s, "secret")
    with raw(store) as c:
        old = c.execute("SELECT wrapped_key, recovery_wrapped FROM profiles").fetchone()
    old_wrapped, old_rwrapped = bytes(old[0]), bytes(old[1])
    snap = tmp_path / "snapshot"
    snap.mkdir()
    real_close = store.close

    def close_and_snapshot() -> None:
        import shutil

        for suffix in ("", "-wal"):
            p = Path(str(store.path) + suffix)
            if p.exists():
                shutil.copy(p, snap / ("journal.sqlite3" + suffix))
        real_close()

    monkeypatch.setattr(store, "close", close_and_snapshot)
    store.delete_all()
    assert (snap / "journal.sqlite3").exists()
    for f in snap.iterdir():
        data = f.read_bytes()
        assert old_wrapped not in data and old_rwrapped not in data, f.name
    copy = VaultStore(snap / "journal.sqlite3", Settings(home=snap))
    assert copy.profiles() == ["me"]
    with pytest.raises(WrongPassphrase):
        copy.unlock("me", PASS)
    with pytest.raises(WrongPassphrase):
        copy.unlock("me", recovery_key=recovery)
    copy.close()


# --- SQLite settings ---------------------------------------------------------------------------


def test_wal_mode_synchronous_full_and_integrity(store: VaultStore) -> None:
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    for i in range(20):
        e = store.add(s, f"entry {i}")
        if i % 3 == 0:
            store.delete(s, e.id)
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(vault_mod.MIGRATIONS) == 3
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with raw(store) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert c.execute("SELECT value FROM meta WHERE key='format'").fetchone()[0] == "2"  # newest record format
    assert (store.path.stat().st_mode & 0o777) == 0o600


def test_newer_format_is_refused(store: VaultStore) -> None:
    store.create_profile("me", PASS)
    store.close()
    with sqlite3.connect(str(store.path)) as c:
        c.execute("PRAGMA user_version = 99")
    again = VaultStore(store.path, Settings(home=store.path.parent))
    with pytest.raises(VaultError):
        again.profiles()


def test_missing_manifest_refuses_unlock(store: VaultStore) -> None:
    store.create_profile("me", PASS)
    with raw(store) as c:
        c.execute("DELETE FROM manifests")
    with pytest.raises(Tampered):
        store.unlock("me", PASS)


# --- session mode: the vault lives in memory ------------------------------------------------------


def test_in_memory_vault_for_session_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Services builds VaultStore(None, settings) in therapist session mode."""
    monkeypatch.chdir(tmp_path)
    st = VaultStore(None, Settings(home=tmp_path / "unused"))  # type: ignore[arg-type]
    assert st.profiles() == []
    st.create_profile("me", PASS)
    s = st.unlock("me", PASS)
    e = st.add(s, "only in memory")
    assert st.get(s, e.id).text == "only in memory"
    st.delete_all()
    assert st.profiles() == []
    st.close()
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere


# --- concurrency -------------------------------------------------------------------------------


def test_concurrent_unlocks_from_threads_do_not_hang(tmp_path: Path) -> None:
    """Two stores (e.g. two app workers) deriving keys at the same moment. Argon2id calls from
    two threads at once used to hang for good; they must all finish."""
    import threading

    stores = [make_store(tmp_path / f"d{i}") for i in range(2)]
    for st in stores:
        st.create_profile("me", PASS)
    for st in stores:
        st.close()  # the sqlite connections are per thread below
    results: list[object] = []

    def work(i: int) -> None:
        st = make_store(tmp_path / f"d{i}")
        try:
            for _ in range(3):
                st.unlock("me", PASS).lock()
            with pytest.raises(WrongPassphrase):
                st.unlock("me", OTHER)
            results.append(i)
        except BaseException as exc:  # noqa: BLE001
            results.append(exc)
        finally:
            st.close()

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "key derivation in two threads hung"
    assert sorted(results, key=str) == [0, 1]
