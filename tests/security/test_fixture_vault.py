"""Known-answer test: the committed format-1 vault (tests/fixtures/vault_v1, written by
tests/fixtures/make_fixture_vault.py) opens with its known passphrase and recovery key and
yields exactly the known entries. If this fails after a change, vaults that users already
have would stop opening."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import WrongPassphrase
from assistant.journal.vault import VaultStore

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "vault_v1"
PASSPHRASE = "fixture passphrase v1"
KNOWN = [
    # created, version, text, title, tags, analysis
    ("2024-01-02T03:04:05.000006Z", 1, "First fixture entry: we talked after dinner and it went well.",
     "A good talk", ["talk", "dinner"], {"flags": [], "strengths": [{"label": "repair"}], "safety": "none"}),
    ("2024-02-03T04:05:06.000007Z", 1, "Zweiter Eintrag — ünïcödé, emoji 💬, quotes \"x\" and a\nsecond line.",
     "", [], {}),
    ("2024-03-04T05:06:07.000008Z", 2, "Third entry, after the edit.", "Edited", ["edit"], {}),
]  # fmt: skip


def open_copy(tmp_path: Path) -> VaultStore:
    """A store over a copy of the fixture vault in a fresh data folder."""
    home = tmp_path / "data"
    home.mkdir()
    shutil.copy(FIXTURE / "journal.sqlite3", home / "journal.sqlite3")
    return VaultStore(home / "journal.sqlite3", Settings(home=home))


@pytest.fixture
def copy(tmp_path: Path) -> VaultStore:
    """The fixture vault, copied: the committed file itself is never opened for writing."""
    assert sorted(p.name for p in FIXTURE.iterdir()) == ["journal.sqlite3", "recovery_key.txt"], (
        "only the .sqlite3 file (WAL checkpointed) and the recovery key belong in the fixture"
    )
    store = open_copy(tmp_path)
    yield store  # type: ignore[misc]
    store.close()


def test_fixture_is_format_1_at_the_kdf_floor(copy: VaultStore) -> None:
    with sqlite3.connect(str(copy.path)) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 1
        assert c.execute("SELECT value FROM meta WHERE key='format'").fetchone()[0] == "1"
        assert c.execute("SELECT name, kdf_memory, kdf_iterations, kdf_lanes, length(kdf_salt) FROM profiles"
                         ).fetchall() == [("fixture", 65536, 3, 4, 16)]  # fmt: skip
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT COUNT(*) FROM entries").fetchone()[0] == 3
    assert copy.profiles() == ["fixture"]


def test_known_passphrase_opens_the_known_entries(copy: VaultStore) -> None:
    s = copy.unlock("fixture", PASSPHRASE)
    listing = copy.list(s)
    assert listing.damaged == []
    got = [(e.created, e.version, e.text, e.title, e.tags, e.analysis) for e in listing.entries]
    assert got == KNOWN
    for e in listing.entries:
        assert copy.get(s, e.id).text == e.text
    # still writable by this version, and the old entries stay as they were
    new = copy.add(s, "written by the current version")
    again = copy.unlock("fixture", PASSPHRASE)
    texts = [e.text for e in copy.list(again).entries]
    assert texts == [k[2] for k in KNOWN] + [new.text]


def test_known_recovery_key_opens_it(copy: VaultStore) -> None:
    recovery = (FIXTURE / "recovery_key.txt").read_text(encoding="ascii").strip()
    r = copy.unlock("fixture", recovery_key=recovery)
    assert [e.text for e in copy.list(r).entries] == [k[2] for k in KNOWN]


def test_wrong_passphrase_is_refused(copy: VaultStore) -> None:
    for wrong in ("fixture passphrase v2", "Fixture passphrase v1", "fixture passphrase v1 ", ""):
        with pytest.raises(WrongPassphrase):
            copy.unlock("fixture", wrong)
