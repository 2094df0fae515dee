"""Sealed-record format 2: every new blob starts with the version byte and magic, and its
associated data covers the clear metadata stored beside it (timestamps, sizes, names). Format-1
records (the committed fixture vault, a format-1 backup) keep opening."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from assistant.errors import WrongPassphrase
from assistant.journal import crypto
from assistant.journal import vault as vault_mod
from assistant.journal.crypto import Tampered, open_sealed, place, seal
from assistant.journal.vault import VaultStore
from tests.security.conftest import make_store, raw, refused
from tests.security.test_fixture_vault import FIXTURE, KNOWN, open_copy
from tests.security.test_fixture_vault import PASSPHRASE as FIXTURE_PASS

PASS = "format two passphrase"
BACKUP_V1 = FIXTURE.parent / "backup_v1" / "fixture.hearth-backup"


def blobs(path: Path) -> dict[str, list[bytes]]:
    with raw(path) as c:
        return {
            "entries": [bytes(r[0]) for r in c.execute("SELECT sealed FROM entries")],
            "manifests": [bytes(r[0]) for r in c.execute("SELECT sealed FROM manifests")],
            "wraps": [bytes(b) for r in c.execute("SELECT wrapped_key, recovery_wrapped FROM profiles") for b in r],
            "space_keys": [bytes(r[0]) for r in c.execute("SELECT wrapped FROM space_keys")],
            "space_entries": [bytes(r[0]) for r in c.execute("SELECT sealed FROM space_entries")],
        }


@pytest.fixture
def two(tmp_path: Path, fast_kdf):  # type: ignore[no-untyped-def]
    store = make_store(tmp_path)
    for name in ("a", "b"):
        store.create_profile(name, PASS)
    sa, sb = store.unlock("a", PASS), store.unlock("b", PASS)
    entry = store.add(sa, "an entry of a")
    space = store.create_space(sa, sb)
    store.share(sa, space, entry.id)
    yield store, sa, sb, entry, space
    store.close()


def test_every_new_blob_is_format_2(two) -> None:  # type: ignore[no-untyped-def]
    store = two[0]
    found = blobs(store.path)
    assert all(found.values()), found  # one of each kind exists
    for kind, values in found.items():
        for b in values:
            assert b[:8] == b"\x02HEARTH\x00" and crypto.blob_version(b) == 2, kind
    with raw(store.path) as c:
        for eid, size, sealed in c.execute("SELECT id, size, sealed FROM entries"):
            assert size == len(sealed), eid


@pytest.mark.parametrize("column", ["created", "updated", "size"])
def test_entry_metadata_is_authenticated(two, column: str) -> None:  # type: ignore[no-untyped-def]
    """A one-character change of a clear column beside a format-2 entry makes it fail to open."""
    store, sa, _sb, entry, _ = two
    with raw(store.path) as c:
        original = c.execute(f"SELECT {column} FROM entries WHERE id=?", (entry.id,)).fetchone()[0]
        changed = original + 1 if column == "size" else original[:-2] + ("8" if original[-2] != "8" else "9") + "Z"
        c.execute(f"UPDATE entries SET {column}=? WHERE id=?", (changed, entry.id))
    assert store.list(sa).damaged == [entry.id]
    with pytest.raises(Tampered):
        store.get(sa, entry.id)
    with raw(store.path) as c:  # control: the original value opens again
        c.execute(f"UPDATE entries SET {column}=? WHERE id=?", (original, entry.id))
    assert store.get(sa, entry.id).text == "an entry of a"


def test_profile_and_space_metadata_are_authenticated(two) -> None:  # type: ignore[no-untyped-def]
    store, sa, _sb, _entry, space = two
    assert [e["text"] for e in store.space_entries(sa, space)] == ["an entry of a"]
    for table, key in (("spaces", space), ("space_entries", None)):
        with raw(store.path) as c:
            where = "id=?" if key else "space_id=?"
            (created,) = c.execute(f"SELECT created FROM {table} WHERE {where}", (space,)).fetchone()
            c.execute(f"UPDATE {table} SET created=? WHERE {where}", ("2020" + created[4:], space))
        refused(lambda: store.space_entries(sa, space), f"{table}.created changed")
        with raw(store.path) as c:
            c.execute(f"UPDATE {table} SET created=? WHERE {where}", (created, space))
    assert [e["text"] for e in store.space_entries(sa, space)] == ["an entry of a"]
    # a profile's creation time is bound into both of its key wraps
    recovery_store = make_store(store.path.parent / "r")
    recovery = recovery_store.create_profile("c", PASS)
    with raw(recovery_store.path) as c:
        (created,) = c.execute("SELECT created FROM profiles WHERE name='c'").fetchone()
        c.execute("UPDATE profiles SET created=? WHERE name='c'", ("2020" + created[4:],))
    refused(lambda: recovery_store.unlock("c", PASS), "profile created changed (passphrase)")
    refused(lambda: recovery_store.unlock("c", recovery_key=recovery), "profile created changed (recovery key)")
    with raw(recovery_store.path) as c:
        c.execute("UPDATE profiles SET created=? WHERE name='c'", (created,))
    recovery_store.unlock("c", PASS)
    recovery_store.unlock("c", recovery_key=recovery)
    recovery_store.close()


def test_format_2_associated_data_is_unambiguous() -> None:
    """Format 1 joined fields with "|"; with free-text metadata that is ambiguous."""
    assert crypto.aad("e", "a|b", "c") == crypto.aad("e", "a", "b|c")  # why format 2 does not join
    assert crypto.aad_v2(place("e", meta=("a|b", "c"))) != crypto.aad_v2(place("e", meta=("a", "b|c")))
    key = crypto.new_key()
    blob = seal(key, b"x", place("e", meta=("a|b", "c")))
    with pytest.raises(Tampered):
        open_sealed(key, blob, place("e", meta=("a", "b|c")))


def test_version_dispatch() -> None:
    key = crypto.new_key()
    where = place("entry", "v", "p", "e", 1, meta=("2024", "2024", 99))
    v2 = seal(key, b"secret", where)
    assert open_sealed(key, v2, where) == b"secret"
    # a format-1 blob (nonce || ciphertext) opens under format 1's associated data, and its
    # metadata is not checked (format 1 never bound it)
    nonce = os.urandom(crypto.NONCE_LEN)
    v1 = nonce + AESGCM(key).encrypt(nonce, b"old", crypto.aad(*where.parts))
    assert open_sealed(key, v1, place(*where.parts, meta=("changed",))) == b"old"
    # the astronomically unlucky format-1 blob whose nonce starts with the format-2 header
    nonce = crypto.V2_HEADER + os.urandom(crypto.NONCE_LEN - len(crypto.V2_HEADER))
    unlucky = nonce + AESGCM(key).encrypt(nonce, b"unlucky", crypto.aad(*where.parts))
    assert crypto.blob_version(unlucky) == 2 and open_sealed(key, unlucky, where) == b"unlucky"
    # no downgrade: a format-2 blob with its header stripped or its version byte changed fails
    for forged in (v2[len(crypto.V2_HEADER) :], b"\x01" + v2[1:], b"\x03" + v2[1:]):
        with pytest.raises(Tampered):
            open_sealed(key, forged, where)


@pytest.fixture
def fixture_copy(tmp_path: Path) -> VaultStore:
    store = open_copy(tmp_path)
    yield store  # type: ignore[misc]
    store.close()


def test_fixture_stays_format_1_until_rewritten(fixture_copy: VaultStore) -> None:
    store = fixture_copy
    assert all(crypto.blob_version(b) == 1 for bs in blobs(store.path).values() for b in bs)
    s = store.unlock("fixture", FIXTURE_PASS)
    listing = store.list(s)
    assert [(e.created, e.version, e.text) for e in listing.entries] == [(k[0], k[1], k[2]) for k in KNOWN]
    # reading upgrades nothing
    assert all(crypto.blob_version(b) == 1 for bs in blobs(store.path).values() for b in bs)
    # rewriting one entry makes it (and the manifest) format 2; the others stay format 1
    first = listing.entries[0]
    first.text = "rewritten"
    store.update(s, first)
    with raw(store.path) as c:
        versions = {r[0]: crypto.blob_version(bytes(r[1])) for r in c.execute("SELECT id, sealed FROM entries")}
        (manifest,) = c.execute("SELECT sealed FROM manifests").fetchone()
    assert versions.pop(first.id) == 2 and set(versions.values()) == {1}
    assert crypto.blob_version(bytes(manifest)) == 2
    again = store.unlock("fixture", FIXTURE_PASS)
    assert [e.text for e in store.list(again).entries] == ["rewritten"] + [k[2] for k in KNOWN[1:]]
    # a passphrase change rewrites the passphrase wrap as format 2; the recovery wrap stays
    store.change_passphrase(again, "a new passphrase")
    with raw(store.path) as c:
        wrapped, rwrapped = c.execute("SELECT wrapped_key, recovery_wrapped FROM profiles").fetchone()
    assert (crypto.blob_version(bytes(wrapped)), crypto.blob_version(bytes(rwrapped))) == (2, 1)
    recovery = (FIXTURE / "recovery_key.txt").read_text(encoding="ascii").strip()
    assert len(store.list(store.unlock("fixture", "a new passphrase")).entries) == 3
    assert len(store.list(store.unlock("fixture", recovery_key=recovery)).entries) == 3


def test_fixture_exports_a_format_2_backup_that_imports_exactly(fixture_copy: VaultStore, tmp_path: Path) -> None:
    s = fixture_copy.unlock("fixture", FIXTURE_PASS)
    backup = tmp_path / "fixture.hearth"
    assert fixture_copy.export(s, backup) == 3
    assert backup.read_bytes().startswith(vault_mod.BACKUP_MAGIC)
    dst = make_store(tmp_path / "dst")
    count, recovery = dst.import_backup(backup, "restored", FIXTURE_PASS)
    assert count == 3 and recovery
    got = dst.list(dst.unlock("restored", FIXTURE_PASS)).entries
    # imported entries start again at version 1, as before
    assert [(e.created, e.text, e.title, e.tags, e.analysis) for e in got] == [
        (k[0], k[2], k[3], k[4], k[5]) for k in KNOWN
    ]
    assert all(crypto.blob_version(b) == 2 for b in blobs(dst.path)["entries"])
    dst.close()


def test_format_1_backup_still_imports(tmp_path: Path) -> None:
    """tests/fixtures/backup_v1/fixture.hearth-backup was exported from the fixture vault by the
    format-1 exporter (commit 83e48ed) before format 2 existed; it is never regenerated."""
    assert BACKUP_V1.read_bytes().startswith(vault_mod.BACKUP_MAGIC_V1)
    dst = make_store(tmp_path / "dst")
    with pytest.raises(WrongPassphrase, match="wrong passphrase"):
        dst.import_backup(BACKUP_V1, "restored", "not the fixture passphrase")
    assert dst.profiles() == []
    count, _ = dst.import_backup(BACKUP_V1, "restored", FIXTURE_PASS)
    assert count == 3
    got = dst.list(dst.unlock("restored", FIXTURE_PASS)).entries
    assert [(e.created, e.text, e.title, e.tags, e.analysis) for e in got] == [
        (k[0], k[2], k[3], k[4], k[5]) for k in KNOWN
    ]
    dst.close()
