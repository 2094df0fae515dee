"""Tampering with the vault file directly (sqlite3), as someone holding a copy of it could.

(a) header sweep: every byte of the key header and the manifest, one at a time -> the unlock
    fails with a VaultError (never opens, never another exception);
(b) 2,000 seeded random bit flips in sealed entries -> each is reported damaged, never returns
    altered text, never crashes;
(c) associated-data swaps, one test each: records moved, swapped, truncated, extended,
    replayed or brought in from another vault are refused.
"""

from __future__ import annotations

import os
import random
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.errors import VaultError, WrongPassphrase
from assistant.journal import crypto
from assistant.journal import vault as vault_mod
from assistant.journal.crypto import Tampered, open_sealed
from assistant.journal.vault import VaultSession, VaultStore
from tests.security.conftest import make_store, raw, refused

PASS = "tamper-test passphrase"

PROFILE_COLUMNS = ("kdf_salt", "kdf_memory", "kdf_iterations", "kdf_lanes", "wrapped_key")


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # These sweeps try hundreds of tampered headers on purpose; the guessing backoff (tested in
    # tests/unit/test_vault.py and tests/security/test_web_security.py) would slow them to a halt.
    from assistant.journal import vault as vault_mod

    monkeypatch.setattr(vault_mod, "FREE_FAILURES", 10**9)


def flip_each_byte(blob: bytes, rng: random.Random) -> list[bytes]:
    """One variant per byte position, each with one (random) bit of that byte flipped."""
    out = []
    for i in range(len(blob)):
        b = bytearray(blob)
        b[i] ^= 1 << rng.randrange(8)
        out.append(bytes(b))
    return out


def int_variants(value: int, low: int, high: int) -> list[int]:
    return sorted({value - 1, value + 1, value * 2, value ^ 1, 0, -value, low - 1, high + 1, 2**62} - {value})


@pytest.fixture
def vault(tmp_path: Path, fast_kdf):  # type: ignore[no-untyped-def]
    """One vault with profiles a and b (same passphrase, so only the bindings tell them apart),
    three entries in a and one in b. Yields a namespace with the store and open sessions."""
    store = make_store(tmp_path / "data")
    ra = store.create_profile("a", PASS)
    rb = store.create_profile("b", PASS)
    sa, sb = store.unlock("a", PASS), store.unlock("b", PASS)
    a = [store.add(sa, f"A entry {i}: {'✓' * i} some words") for i in range(3)]
    b = [store.add(sb, "B entry 0")]
    ns = SimpleNamespace(store=store, sa=sa, sb=sb, a=a, b=b, ra=ra, rb=rb, path=store.path,
                         texts={e.id: e.text for e in a + b})  # fmt: skip
    yield ns
    store.close()


def row(path: Path, sql: str, *args: object) -> tuple:
    with raw(path) as c:
        r = c.execute(sql, args).fetchone()
    assert r is not None
    return tuple(r)


def execute(path: Path, sql: str, *args: object) -> int:
    c = raw(path)
    try:
        return c.execute(sql, args).rowcount
    finally:
        c.close()


def assert_listing_intact_except(store: VaultStore, session: VaultSession, texts: dict[str, str],
                                 damaged: set[str]) -> None:  # fmt: skip
    listing = store.list(session)
    assert set(listing.damaged) == damaged
    got = {e.id: e.text for e in listing.entries}
    for eid, text in got.items():
        assert texts.get(eid) == text, f"entry {eid} returned altered or foreign text"
    return None


def assert_entry_refused(store: VaultStore, session: VaultSession, eid: str, forbidden: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    try:
        e = store.get(session, eid)
    except VaultError:
        return
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"get raised {type(exc).__name__}: {exc}")
    pytest.fail(f"tampered entry opened: {e.text!r:.100} (forbidden: {e.text in forbidden})")


# --- (a) header sweep -----------------------------------------------------------------------------


def test_profile_header_sweep(vault) -> None:  # type: ignore[no-untyped-def]
    store, path = vault.store, vault.path
    rng = random.Random(0xA11CE)
    pid = vault.sa.profile_id
    orig = dict(zip(PROFILE_COLUMNS, row(path, f"SELECT {', '.join(PROFILE_COLUMNS)} FROM profiles WHERE id=?", pid),
                    strict=True))  # fmt: skip
    cases: list[tuple[str, object]] = []
    for col in ("kdf_salt", "wrapped_key"):
        cases += [(col, v) for v in flip_each_byte(bytes(orig[col]), rng)]
        blob = bytes(orig[col])
        cases += [(col, blob[:-1]), (col, blob + b"\x00"), (col, blob[:7]), (col, b""), (col, blob[::-1])]
    cases += [("kdf_memory", v) for v in int_variants(orig["kdf_memory"], crypto.KDF_MIN_MEMORY_KIB,
                                                      crypto.KDF_MAX_MEMORY_KIB)]  # fmt: skip
    cases += [("kdf_iterations", v) for v in int_variants(orig["kdf_iterations"], crypto.KDF_MIN_ITERATIONS,
                                                          crypto.KDF_MAX_ITERATIONS)]  # fmt: skip
    cases += [("kdf_lanes", v) for v in int_variants(orig["kdf_lanes"], 1, 16) + [1]]
    assert len(cases) >= 16 + 60 + 20
    for col, value in cases:
        execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", value, pid)
        refused(lambda: store.unlock("a", PASS), f"{col}={value!r:.60}")
        execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", orig[col], pid)
    # restored exactly; the untouched header opens and the other profile was never affected
    assert row(path, f"SELECT {', '.join(PROFILE_COLUMNS)} FROM profiles WHERE id=?", pid) == tuple(orig.values())
    s = store.unlock("a", PASS)
    assert store.list(s).damaged == [] and len(store.list(s).entries) == 3
    store.unlock("b", PASS)


def test_profile_id_and_vault_id_are_bound(vault) -> None:  # type: ignore[no-untyped-def]
    store, path = vault.store, vault.path
    pid = vault.sa.profile_id
    other_id = pid[:-1] + ("0" if pid[-1] != "0" else "1")
    execute(path, "UPDATE profiles SET id=? WHERE id=?", other_id, pid)
    refused(lambda: store.unlock("a", PASS), "profile id")
    execute(path, "UPDATE profiles SET id=? WHERE id=?", pid, other_id)
    vid = store.vault_id
    for new in (vid[:-1] + ("0" if vid[-1] != "0" else "1"), uuid.uuid4().hex, ""):
        execute(path, "UPDATE meta SET value=? WHERE key='vault_id'", new)
        refused(lambda: store.unlock("a", PASS), f"vault id {new}")
        refused(lambda: store.unlock("a", recovery_key=vault.ra), f"vault id {new} (recovery)")
    execute(path, "UPDATE meta SET value=? WHERE key='vault_id'", vid)
    store.unlock("a", PASS)


def test_recovery_header_sweep(vault) -> None:  # type: ignore[no-untyped-def]
    store, path = vault.store, vault.path
    rng = random.Random(0xBEEF)
    pid = vault.sa.profile_id
    rsalt, rwrapped = (
        bytes(x) for x in row(path, "SELECT recovery_salt, recovery_wrapped FROM profiles WHERE id=?", pid)
    )
    for col, orig in (("recovery_salt", rsalt), ("recovery_wrapped", rwrapped)):
        for value in flip_each_byte(orig, rng) + [orig[:-1], orig + b"\x01", b""]:
            execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", value, pid)
            refused(lambda: store.unlock("a", recovery_key=vault.ra), f"{col}")
        execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", orig, pid)
    store.unlock("a", recovery_key=vault.ra)


def test_manifest_sweep(vault) -> None:  # type: ignore[no-untyped-def]
    store, path = vault.store, vault.path
    rng = random.Random(0x5EED)
    pid = vault.sa.profile_id
    version, sealed = row(path, "SELECT version, sealed FROM manifests WHERE profile_id=?", pid)
    sealed = bytes(sealed)
    assert len(sealed) > 28 + 100  # holds the three entry ids
    for value in flip_each_byte(sealed, rng) + [sealed[:-1], sealed + b"\x00", sealed[:28], b""]:
        execute(path, "UPDATE manifests SET sealed=? WHERE profile_id=?", value, pid)
        refused(lambda: store.unlock("a", PASS), "manifest sealed")
    execute(path, "UPDATE manifests SET sealed=? WHERE profile_id=?", sealed, pid)
    for v in int_variants(version, 0, 2**31):
        execute(path, "UPDATE manifests SET version=? WHERE profile_id=?", v, pid)
        refused(lambda: store.unlock("a", PASS), f"manifest version {v}")
    execute(path, "UPDATE manifests SET version=? WHERE profile_id=?", version, pid)
    # the manifest row moved to another profile id: the profile has no index -> refused
    execute(path, "UPDATE manifests SET profile_id=? WHERE profile_id=?", "f" * 32, pid)
    refused(lambda: store.unlock("a", PASS), "manifest moved away")
    execute(path, "UPDATE manifests SET profile_id=? WHERE profile_id=?", pid, "f" * 32)
    # b's manifest (sealed with b's key) put in a's place -> refused
    b_version, b_sealed = row(path, "SELECT version, sealed FROM manifests WHERE profile_id=?", vault.sb.profile_id)
    execute(path, "UPDATE manifests SET version=?, sealed=? WHERE profile_id=?", b_version, b_sealed, pid)
    refused(lambda: store.unlock("a", PASS), "manifest of b")
    execute(path, "UPDATE manifests SET version=?, sealed=? WHERE profile_id=?", version, sealed, pid)
    s = store.unlock("a", PASS)
    assert store.list(s).damaged == []


def test_header_type_confusion_is_a_vault_error(vault) -> None:  # type: ignore[no-untyped-def]
    """Values of the wrong SQLite type in the header: still a VaultError, never a crash."""
    store, path = vault.store, vault.path
    pid = vault.sa.profile_id
    cols = PROFILE_COLUMNS + ("recovery_salt", "recovery_wrapped")
    orig = row(path, f"SELECT {', '.join(cols)} FROM profiles WHERE id=?", pid)
    for col, value in [("kdf_salt", "text salt 16 bytes"), ("kdf_salt", 12345), ("kdf_memory", "lots"),
                       ("kdf_memory", 65536.5), ("kdf_iterations", b"\x03"), ("kdf_lanes", "four"),
                       ("wrapped_key", "not a blob"), ("wrapped_key", 7)]:  # fmt: skip
        execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", value, pid)
        refused(lambda: store.unlock("a", PASS), f"{col}={value!r}")
        execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", orig[cols.index(col)], pid)
    for col, value in [("recovery_salt", "text"), ("recovery_wrapped", 99), ("recovery_wrapped", "x" * 60)]:
        execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", value, pid)
        refused(lambda: store.unlock("a", recovery_key=vault.ra), f"{col}={value!r}")
        execute(path, f"UPDATE profiles SET {col}=? WHERE id=?", orig[cols.index(col)], pid)
    store.unlock("a", PASS)
    store.unlock("a", recovery_key=vault.ra)


# --- (b) random bit flips in sealed entries --------------------------------------------------------


def test_two_thousand_random_bit_flips_in_entries(tmp_path: Path, fast_kdf) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path / "data")
    store.create_profile("me", PASS)
    s = store.unlock("me", PASS)
    rng = random.Random(20_000)
    words = ["we", "talked", "again", "about", "the", "dishes", "and", "I", "felt", "heard", "ünïcödé", "💬", "—"]
    texts: dict[str, str] = {}
    for n in range(16):
        length = [1, 2, 5, 20, 100, 400, 1500, 4000][n % 8]
        text = " ".join(rng.choice(words) for _ in range(length))
        texts[store.add(s, text, title=f"t{n}", tags=[str(n)]).id] = text
    ids = sorted(texts)
    with raw(store.path) as c:
        blobs = {r[0]: bytes(r[1]) for r in c.execute("SELECT id, sealed FROM entries")}
    conn = raw(store.path)
    regions = {"nonce": 0, "ciphertext": 0, "tag": 0}
    flips = 0
    try:
        while flips < 2000:
            # mostly one record at a time; every 10th round two records at once
            victims = rng.sample(ids, 2 if flips % 10 == 9 else 1)
            for eid in victims:
                b = bytearray(blobs[eid])
                bit = rng.randrange(len(b) * 8)
                b[bit // 8] ^= 1 << (bit % 8)
                byte = bit // 8
                head = len(crypto.V2_HEADER) + crypto.NONCE_LEN  # format-2 header and nonce
                regions["nonce" if byte < head else "tag" if byte >= len(b) - 16 else "ciphertext"] += 1
                conn.execute("UPDATE entries SET sealed=? WHERE id=?", (bytes(b), eid))
                flips += 1
            try:
                listing = store.list(s)
            except Exception as exc:  # noqa: BLE001
                pytest.fail(f"list() raised {type(exc).__name__} after flipping {victims}: {exc}")
            assert sorted(listing.damaged) == sorted(victims)
            assert {e.id: e.text for e in listing.entries} == {i: t for i, t in texts.items() if i not in victims}
            for eid in victims:
                assert_entry_refused(store, s, eid)
            for eid in victims:
                conn.execute("UPDATE entries SET sealed=? WHERE id=?", (blobs[eid], eid))
    finally:
        conn.close()
    assert flips >= 2000
    assert all(n > 20 for n in regions.values()), regions
    listing = store.list(s)
    assert listing.damaged == [] and {e.id: e.text for e in listing.entries} == texts
    store.close()


def test_clear_columns_of_entries(vault) -> None:  # type: ignore[no-untyped-def]
    """Columns of the wrong type (a sealed text, a huge integer, a text version) are damage,
    never a crash."""
    store, path, sa = vault.store, vault.path, vault.sa
    eid = vault.a[0].id
    sealed = row(path, "SELECT sealed FROM entries WHERE id=?", eid)[0]
    for value in ["some text", 5, 3.5, "x" * 200, 10**12]:
        execute(path, "UPDATE entries SET sealed=? WHERE id=?", value, eid)
        assert_listing_intact_except(store, sa, vault.texts, {eid})
        assert_entry_refused(store, sa, eid)
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", sealed, eid)
    assert_listing_intact_except(store, sa, vault.texts, set())
    for value in ["x", 1.5, b"\x01"]:
        execute(path, "UPDATE entries SET version=? WHERE id=?", value, eid)
        assert_listing_intact_except(store, sa, vault.texts, {eid})
        assert_entry_refused(store, sa, eid)
    execute(path, "UPDATE entries SET version=1 WHERE id=?", eid)
    assert store.get(sa, eid).text == vault.texts[eid]
    # the manifest's columns of the wrong type: the profile does not open
    pid = sa.profile_id
    version, msealed = row(path, "SELECT version, sealed FROM manifests WHERE profile_id=?", pid)
    for col, value in [("version", "x"), ("version", 2.5), ("sealed", "text"), ("sealed", 10**12)]:
        execute(path, f"UPDATE manifests SET {col}=? WHERE profile_id=?", value, pid)
        refused(lambda: store.unlock("a", PASS), f"manifest {col}={value!r}")
        execute(path, "UPDATE manifests SET version=?, sealed=? WHERE profile_id=?", version, msealed, pid)
    store.unlock("a", PASS)


# --- (c) associated-data swaps ----------------------------------------------------------------------


def test_sealed_blob_under_another_entry_id(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    a0, a1 = vault.a[0].id, vault.a[1].id
    blob0 = row(path, "SELECT sealed FROM entries WHERE id=?", a0)[0]
    blob1 = row(path, "SELECT sealed FROM entries WHERE id=?", a1)[0]
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob0, a1)  # same version, same profile
    assert_listing_intact_except(store, sa, vault.texts, {a1})
    assert_entry_refused(store, sa, a1, {vault.texts[a0]})
    assert store.get(sa, a0).text == vault.texts[a0]
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob1, a0)  # now fully swapped
    assert_listing_intact_except(store, sa, vault.texts, {a0, a1})
    # swapping the ids (rows keep their blobs but change places) is the same thing
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob0, a0)
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob1, a1)
    execute(path, "UPDATE entries SET id='tmp' WHERE id=?", a0)
    execute(path, "UPDATE entries SET id=? WHERE id=?", a0, a1)
    execute(path, "UPDATE entries SET id=? WHERE id='tmp'", a1)
    assert_listing_intact_except(store, sa, vault.texts, {a0, a1})


def test_changed_version_column(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    eid = vault.a[0].id
    for v in (2, 0, -1, 1 << 40):
        execute(path, "UPDATE entries SET version=? WHERE id=?", v, eid)
        assert_listing_intact_except(store, sa, vault.texts, {eid})
        assert_entry_refused(store, sa, eid)
    execute(path, "UPDATE entries SET version=1 WHERE id=?", eid)
    assert store.get(sa, eid).text == vault.texts[eid]


def test_entry_row_moved_into_another_profile(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa, sb = vault.store, vault.path, vault.sa, vault.sb
    eid = vault.a[0].id
    execute(path, "UPDATE entries SET profile_id=? WHERE id=?", sb.profile_id, eid)
    # b sees a damaged record, never a's text
    assert_listing_intact_except(store, sb, vault.texts, {eid})
    assert [e.text for e in store.list(sb).entries] == ["B entry 0"]
    assert_entry_refused(store, sb, eid, {vault.texts[eid]})
    # a notices that an acknowledged entry vanished
    assert eid in store.list(sa).damaged
    refused(lambda: store.get(sa, eid), "moved away")
    # moved back, it opens again for a (nothing was rewritten)
    execute(path, "UPDATE entries SET profile_id=? WHERE id=?", sa.profile_id, eid)
    assert store.get(sa, eid).text == vault.texts[eid]


def test_truncated_blob(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    eid = vault.a[2].id
    blob = bytes(row(path, "SELECT sealed FROM entries WHERE id=?", eid)[0])
    for n in (0, 1, 11, 12, 27, 28, len(blob) - 17, len(blob) - 16, len(blob) - 1):
        execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob[:n], eid)
        assert_listing_intact_except(store, sa, vault.texts, {eid})
        assert_entry_refused(store, sa, eid)
        # cut from the front too
        execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob[len(blob) - n :], eid)
        assert_listing_intact_except(store, sa, vault.texts, {eid})
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob, eid)
    assert_listing_intact_except(store, sa, vault.texts, set())


def test_appended_bytes(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    eid = vault.a[1].id
    blob = bytes(row(path, "SELECT sealed FROM entries WHERE id=?", eid)[0])
    for extra in (b"\x00", b"\x00" * 16, os.urandom(1), os.urandom(4096), blob[-16:], blob):
        execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob + extra, eid)
        assert_listing_intact_except(store, sa, vault.texts, {eid})
        assert_entry_refused(store, sa, eid)
        execute(path, "UPDATE entries SET sealed=? WHERE id=?", extra + blob, eid)
        assert_entry_refused(store, sa, eid)
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", blob, eid)
    assert store.get(sa, eid).text == vault.texts[eid]


def test_swapped_wrapped_keys_between_profiles(vault) -> None:  # type: ignore[no-untyped-def]
    store, path = vault.store, vault.path
    pa, pb = vault.sa.profile_id, vault.sb.profile_id
    cols = "kdf_salt, kdf_memory, kdf_iterations, kdf_lanes, wrapped_key, recovery_salt, recovery_wrapped"
    ha = row(path, f"SELECT {cols} FROM profiles WHERE id=?", pa)
    hb = row(path, f"SELECT {cols} FROM profiles WHERE id=?", pb)
    # only the wrapped key
    execute(path, "UPDATE profiles SET wrapped_key=? WHERE id=?", hb[4], pa)
    execute(path, "UPDATE profiles SET wrapped_key=? WHERE id=?", ha[4], pb)
    refused(lambda: store.unlock("a", PASS), "a with b's wrapped key")
    refused(lambda: store.unlock("b", PASS), "b with a's wrapped key")
    # the whole passphrase header (salt, parameters, wrap): both profiles share the passphrase,
    # so the derived key does unwrap... except that the wrap is bound to its profile id
    sets = "kdf_salt=?, kdf_memory=?, kdf_iterations=?, kdf_lanes=?, wrapped_key=?, recovery_salt=?, recovery_wrapped=?"
    execute(path, f"UPDATE profiles SET {sets} WHERE id=?", *hb, pa)
    execute(path, f"UPDATE profiles SET {sets} WHERE id=?", *ha, pb)
    err = refused(lambda: store.unlock("a", PASS), "a with b's whole header")
    assert isinstance(err, WrongPassphrase)
    refused(lambda: store.unlock("b", PASS), "b with a's whole header")
    refused(lambda: store.unlock("a", recovery_key=vault.rb), "a with b's recovery header and key")
    refused(lambda: store.unlock("a", recovery_key=vault.ra), "a with b's recovery header")
    execute(path, f"UPDATE profiles SET {sets} WHERE id=?", *ha, pa)
    execute(path, f"UPDATE profiles SET {sets} WHERE id=?", *hb, pb)
    store.unlock("a", PASS)
    store.unlock("b", PASS)


def test_replayed_older_version_of_an_entry(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    eid = vault.a[0].id
    old = row(path, "SELECT version, updated, size, sealed FROM entries WHERE id=?", eid)
    e = store.get(sa, eid)
    e.text = "the newer text"
    store.update(sa, e)
    new = row(path, "SELECT version, updated, size, sealed FROM entries WHERE id=?", eid)
    assert new[0] == old[0] + 1
    texts = {**vault.texts, eid: "the newer text"}
    # the old row written back whole
    execute(path, "UPDATE entries SET version=?, updated=?, size=?, sealed=? WHERE id=?", *old, eid)
    assert_listing_intact_except(store, sa, texts, {eid})
    assert_entry_refused(store, sa, eid, {vault.texts[eid]})
    # the old blob under the new version number
    execute(path, "UPDATE entries SET version=?, sealed=? WHERE id=?", new[0], old[3], eid)
    assert_listing_intact_except(store, sa, texts, {eid})
    assert_entry_refused(store, sa, eid, {vault.texts[eid]})
    execute(path, "UPDATE entries SET version=?, updated=?, size=?, sealed=? WHERE id=?", *new, eid)
    assert store.get(sa, eid).text == "the newer text"


def test_record_copied_from_another_vault(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    other = make_store(tmp_path / "other")
    other.create_profile("a", PASS)  # same profile name, same passphrase
    so = other.unlock("a", PASS)
    foreign = other.add(so, "from the other vault")
    frow = row(other.path, "SELECT id, version, created, updated, size, sealed FROM entries WHERE id=?", foreign.id)
    other.close()
    # inserted as a new row of profile a
    execute(path, "INSERT INTO entries VALUES (?,?,?,?,?,?,?)", frow[0], sa.profile_id, *frow[1:])
    assert_listing_intact_except(store, sa, vault.texts, {foreign.id})
    assert_entry_refused(store, sa, foreign.id, {"from the other vault"})
    execute(path, "DELETE FROM entries WHERE id=?", foreign.id)
    # its blob put in place of one of a's entries
    eid = vault.a[0].id
    execute(path, "UPDATE entries SET sealed=? WHERE id=?", frow[5], eid)
    assert_listing_intact_except(store, sa, vault.texts, {eid})
    assert_entry_refused(store, sa, eid, {"from the other vault"})


def test_whole_profile_transplanted_from_another_vault(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The other vault's profile row, manifest and entries replace profile a here: the key
    wraps are bound to the vault id, so the known passphrase does not open it."""
    store, path = vault.store, vault.path
    other = make_store(tmp_path / "other")
    other.create_profile("a", PASS)
    so = other.unlock("a", PASS)
    other.add(so, "transplanted")
    with raw(other.path) as c:
        prow = c.execute("SELECT * FROM profiles").fetchone()
        mrow = c.execute("SELECT * FROM manifests").fetchone()
        erows = c.execute("SELECT * FROM entries").fetchall()
    other.close()
    execute(path, "DELETE FROM profiles WHERE name='a'")
    execute(path, "INSERT INTO profiles VALUES (?,?,?,?,?,?,?,?,?,?)", *prow)
    execute(path, "INSERT INTO manifests VALUES (?,?,?)", *mrow)
    for r in erows:
        execute(path, "INSERT INTO entries VALUES (?,?,?,?,?,?,?)", *r)
    refused(lambda: store.unlock("a", PASS), "transplanted profile")


def test_record_from_a_twin_vault_differing_only_in_vault_id(tmp_path: Path, fast_kdf,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Two vaults with the same profile id, data key and entry id; only the vault id differs.
    The twin's record must not open here: this isolates the vault-id binding."""
    data_key = crypto.new_key()
    monkeypatch.setattr(crypto, "new_key", lambda: data_key)
    pid, eid = uuid.uuid4().hex, uuid.uuid4().hex
    made = {}
    for name, vid in (("one", uuid.uuid4().hex), ("two", uuid.uuid4().hex)):
        ids = iter([vid, pid, eid])
        fake_uuid = SimpleNamespace(
            uuid4=lambda ids=ids: SimpleNamespace(hex=next(ids)), uuid5=uuid.uuid5, NAMESPACE_URL=uuid.NAMESPACE_URL
        )
        monkeypatch.setattr(vault_mod, "uuid", fake_uuid)
        st = make_store(tmp_path / name)
        st.create_profile("me", PASS)
        s = st.unlock("me", PASS)
        e = st.add(s, f"written in vault {name}")
        assert (st.vault_id, s.profile_id, e.id) == (vid, pid, eid)  # the twins really are twins
        made[name] = (st, s, vid)
    monkeypatch.setattr(vault_mod, "uuid", uuid)
    (one, s1, _), (two, _, vid2) = made["one"], made["two"]
    *meta2, blob2 = row(two.path, "SELECT created, updated, size, sealed FROM entries WHERE id=?", eid)
    # control: the twin's blob opens with the shared key under the twin's own vault id
    assert b"written in vault two" in open_sealed(data_key, blob2, vault_mod.entry_place(vid2, pid, eid, 1, *meta2))
    # the clear columns too, so that only the vault id differs
    execute(one.path, "UPDATE entries SET created=?, updated=?, size=?, sealed=? WHERE id=?", *meta2, blob2, eid)
    listing = one.list(s1)
    assert listing.damaged == [eid] and listing.entries == []
    assert_entry_refused(one, s1, eid, {"written in vault two"})
    # and the twin's manifest is refused here too
    mrow = row(two.path, "SELECT version, sealed FROM manifests WHERE profile_id=?", pid)
    execute(one.path, "UPDATE manifests SET version=?, sealed=? WHERE profile_id=?", *mrow, pid)
    with pytest.raises(Tampered):
        one.list(s1)
    one.close()
    two.close()


def test_replayed_manifest_exposes_later_entries(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    pid = sa.profile_id
    old = row(path, "SELECT version, sealed FROM manifests WHERE profile_id=?", pid)
    later = store.add(sa, "added after the snapshot")
    execute(path, "UPDATE manifests SET version=?, sealed=? WHERE profile_id=?", *old, pid)
    s = store.unlock("a", PASS)
    assert_listing_intact_except(store, s, vault.texts, {later.id})
    assert_entry_refused(store, s, later.id)


def test_deleted_entry_row_is_reported(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa = vault.store, vault.path, vault.sa
    eid = vault.a[1].id
    execute(path, "DELETE FROM entries WHERE id=?", eid)
    assert_listing_intact_except(store, sa, vault.texts, {eid})


def test_shared_entry_moved_between_spaces(vault) -> None:  # type: ignore[no-untyped-def]
    store, path, sa, sb = vault.store, vault.path, vault.sa, vault.sb
    s1 = store.create_space(sa, sb)
    s2 = store.create_space(sa, sb)
    shared = store.share(sa, s1, vault.a[0].id)
    store.share(sb, s2, vault.b[0].id)
    execute(path, "UPDATE space_entries SET space_id=? WHERE id=?", s2, shared)
    refused(lambda: store.space_entries(sb, s2), "space entry moved")
    execute(path, "UPDATE space_entries SET space_id=? WHERE id=?", s1, shared)
    # a space key wrapped for a, put in b's row of the same space
    wa = row(path, "SELECT wrapped FROM space_keys WHERE space_id=? AND profile_id=?", s1, sa.profile_id)[0]
    execute(path, "UPDATE space_keys SET wrapped=? WHERE space_id=? AND profile_id=?", wa, s1, sb.profile_id)
    refused(lambda: store.space_entries(sb, s1), "space key of a in b's row")
    assert [d["text"] for d in store.space_entries(sa, s1)] == [vault.texts[vault.a[0].id]]
