"""Changing the passphrase rewrites only the key record: 1,000 entries stay byte-for-byte the
same, all open with the new passphrase, and the old passphrase no longer opens the profile."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import WrongPassphrase
from assistant.journal.vault import VaultStore
from tests.security.conftest import make_store, raw

OLD = "the old passphrase, 2019"
NEW = "a brand new passphrase, 2025"
N = 1000


def snapshot(path: Path) -> dict[str, object]:
    with raw(path) as c:
        entries = c.execute(
            "SELECT id, profile_id, version, created, updated, size, sealed FROM entries ORDER BY id"
        ).fetchall()
        return {
            "entries": entries,
            "entries_digest": hashlib.sha256(repr(entries).encode()).hexdigest(),
            "manifests": c.execute("SELECT profile_id, version, sealed FROM manifests ORDER BY profile_id").fetchall(),
            "spaces": c.execute("SELECT * FROM space_keys ORDER BY space_id, profile_id").fetchall()
            + c.execute("SELECT * FROM space_entries ORDER BY id").fetchall(),
            "meta": c.execute("SELECT * FROM meta ORDER BY key").fetchall(),
            "profiles": {r[0]: r for r in c.execute("SELECT * FROM profiles")},
        }


def test_rekey_with_a_thousand_entries(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    recovery = store.create_profile("me", OLD)
    store.create_profile("partner", OLD)
    s = store.unlock("me", OLD)
    p = store.unlock("partner", OLD)
    texts = {}
    for i in range(N):
        e = store.add(s, f"entry {i:04d}: {'ünïcödé ' * (i % 7)}{'x' * (i % 300)}", tags=[str(i % 5)])
        texts[e.id] = e.text
    pe = store.add(p, "the partner's entry")
    space = store.create_space(s, p)
    store.share(s, space, next(iter(texts)))
    store.close()

    before = snapshot(store.path)
    assert len(before["entries"]) == N + 1  # type: ignore[arg-type]

    store = VaultStore(store.path, Settings(home=store.path.parent))
    s = store.unlock("me", OLD)
    old_header = before["profiles"][s.profile_id]  # type: ignore[index]
    store.change_passphrase(s, NEW)
    # the session stays usable after the rekey
    assert len(store.list(s).entries) == N
    store.close()

    after = snapshot(store.path)
    for key in ("entries", "entries_digest", "manifests", "spaces", "meta"):
        assert after[key] == before[key], f"{key} changed by the rekey"
    # only me's passphrase wrap changed: new salt, new wrap, same parameters and recovery wrap
    new_header = after["profiles"][s.profile_id]  # type: ignore[index]
    cols = ["id", "name", "created", "kdf_salt", "kdf_memory", "kdf_iterations", "kdf_lanes", "wrapped_key",
            "recovery_salt", "recovery_wrapped"]  # fmt: skip
    changed = {c for c, a, b in zip(cols, old_header, new_header, strict=True) if a != b}
    assert changed == {"kdf_salt", "wrapped_key"}
    others = {k: v for k, v in after["profiles"].items() if k != s.profile_id}  # type: ignore[union-attr]
    assert others == {k: v for k, v in before["profiles"].items() if k != s.profile_id}  # type: ignore[union-attr]

    # a fresh process's view: the new passphrase opens all 1,000, the old one is refused
    fresh = VaultStore(store.path, Settings(home=store.path.parent))
    with pytest.raises(WrongPassphrase):
        fresh.unlock("me", OLD)
    s2 = fresh.unlock("me", NEW)
    listing = fresh.list(s2)
    assert listing.damaged == []
    assert {e.id: e.text for e in listing.entries} == texts
    # the recovery key still opens it; the partner's profile is untouched
    r = fresh.unlock("me", recovery_key=recovery)
    assert len(fresh.list(r).entries) == N
    p2 = fresh.unlock("partner", OLD)
    assert [e.text for e in fresh.list(p2).entries] == [pe.text]
    assert len(fresh.space_entries(p2, space)) == 1
    with raw(store.path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    fresh.close()


@pytest.mark.parametrize("other_connection", [False, True], ids=["alone", "app-also-open"])
def test_old_wrapped_key_does_not_survive_in_the_files(tmp_path: Path, other_connection: bool) -> None:
    """Right after a rekey returns, the old wrap (which the old passphrase opens) is in neither
    the database nor its WAL: a copy of the files taken then, plus the old passphrase, must not
    be enough. Also while another connection (the running app) keeps the WAL alive."""
    store = make_store(tmp_path / "data")
    store.create_profile("me", OLD)
    s = store.unlock("me", OLD)
    for i in range(30):
        store.add(s, f"entry {i}")
    with raw(store.path) as c:
        old_salt, old_wrap = (bytes(x) for x in c.execute("SELECT kdf_salt, wrapped_key FROM profiles").fetchone())
    app = make_store(store.path.parent) if other_connection else None
    if app is not None:
        assert app.profiles() == ["me"]  # its connection is open and has read the vault
    store.change_passphrase(s, NEW)
    files = [f for f in store.path.parent.iterdir() if f.name.startswith("journal.sqlite3")]
    assert files
    for f in files:
        data = f.read_bytes()
        assert old_wrap not in data, f"old wrapped key still in {f.name}"
        assert old_salt not in data, f"old salt still in {f.name}"
    if app is not None:
        with pytest.raises(WrongPassphrase):
            app.unlock("me", OLD)
        app.unlock("me", NEW)
        app.close()
    store.close()


def test_rekey_refuses_a_short_passphrase_and_changes_nothing(tmp_path: Path) -> None:
    store = make_store(tmp_path / "data")
    store.create_profile("me", OLD)
    s = store.unlock("me", OLD)
    store.add(s, "x")
    before = snapshot(store.path)
    with pytest.raises(Exception) as exc:
        store.change_passphrase(s, "short")
    from assistant.errors import VaultError

    assert isinstance(exc.value, VaultError)
    assert snapshot(store.path) == before
    store.unlock("me", OLD)
    store.close()
