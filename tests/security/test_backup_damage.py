"""A damaged or altered backup says so, in one line, and a wrong passphrase says wrong
passphrase; both through the real `hearth journal import`, with nothing created on failure.
Every damage below is a byte-level edit of a real exported file."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from assistant.journal import vault as vault_mod
from tests.conftest import run_hearth
from tests.security.conftest import make_store

PASS = "backup damage passphrase"
FAST = {"HEARTH_LLM_BACKEND": "fake", "HEARTH_EMBED_BACKEND": "fake"}


def one_error_line(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode != 0, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hearth: error:"), r.stderr
    return lines[0]


def flip_inside(data: bytes, pattern: bytes) -> bytes:
    """Change one character inside the first match of `pattern` (keeping it valid base64/digits)."""
    m = re.search(pattern, data)
    assert m, pattern
    i = m.end() - 2
    new = b"B" if data[i : i + 1] != b"B" else b"C"
    if data[i : i + 1].isdigit():
        new = b"1" if data[i : i + 1] != b"1" else b"2"
    return data[:i] + new + data[i + 1 :]


def recompute_digest(data: bytes) -> bytes:
    """What a deliberate editor would do: fix up the unkeyed digest line after an edit."""
    body = data[len(vault_mod.BACKUP_MAGIC) :].rpartition(b"\nsha256 ")[0]
    return vault_mod.frame_backup(body)


DAMAGE = {
    "flipped salt": lambda d: flip_inside(d, rb'"salt": "[A-Za-z0-9+/]{6}'),
    "changed kdf iterations": lambda d: d.replace(b'"iterations": 3', b'"iterations": 4', 1),
    "changed kdf memory": lambda d: flip_inside(d, rb'"memory_kib": \d{3}'),
    "changed created": lambda d: flip_inside(d, rb'"created": "\d{4}-\d\d-\d\dT\d\d'),
    "changed vault id": lambda d: flip_inside(d, rb'"vault_id": "[0-9a-f]{4}'),
    "truncated json": lambda d: d[: len(d) // 2],
    "digest line cut": lambda d: d[: d.rindex(b"\nsha256 ")],
    # the digest fixed up: only the seal under the data key can tell
    "created changed, digest recomputed": lambda d: recompute_digest(
        flip_inside(d, rb'"created": "\d{4}-\d\d-\d\dT\d\d')
    ),
    "entry created changed, digest recomputed": lambda d: recompute_digest(
        flip_inside(d, rb'"entries": \[\{"id": "[0-9a-f]+", "version": 1, "created": "\d{4}-\d\d-\d\dT\d\d')
    ),
}


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    home = tmp_path_factory.mktemp("src")
    src = make_store(home)
    src.create_profile("me", PASS)
    s = src.unlock("me", PASS)
    src.add(s, "first entry")
    src.add(s, "second entry")
    target = home / "me.hearth"
    src.export(s, target)
    src.close()
    return target.read_bytes()


def import_cli(tmp_path: Path, data: bytes, passphrase: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    f = tmp_path / "in.hearth"
    f.write_bytes(data)
    home = tmp_path / "dst"
    env = {**FAST, "HEARTH_HOME": str(home), "HEARTH_PASSPHRASE": passphrase}
    return run_hearth("journal", "import", str(f), "--profile", "restored", env=env), home


def nothing_created(home: Path) -> bool:
    vault = home / "journal.sqlite3"
    if not vault.exists():
        return True
    store = make_store(home)
    try:
        return store.profiles() == []
    finally:
        store.close()


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_backup_says_damaged_not_wrong_passphrase(backup: bytes, tmp_path: Path, damage: str) -> None:
    damaged = DAMAGE[damage](backup)
    assert damaged != backup
    r, home = import_cli(tmp_path, damaged, PASS)
    line = one_error_line(r)
    assert "damaged or was altered" in line and "nothing was imported" in line, line
    assert "passphrase" not in line, line
    assert r.returncode == 5
    assert nothing_created(home)


def test_wrong_passphrase_says_wrong_passphrase(backup: bytes, tmp_path: Path) -> None:
    r, home = import_cli(tmp_path, backup, "not the passphrase at all")
    line = one_error_line(r)
    assert "wrong passphrase" in line and "damaged" not in line, line
    assert r.returncode == 6
    assert nothing_created(home)


def test_the_untouched_backup_imports(backup: bytes, tmp_path: Path) -> None:
    """Control: the same file, unedited, imports with the same passphrase."""
    r, home = import_cli(tmp_path, backup, PASS)
    assert r.returncode == 0, r.stderr
    assert "imported 2 entries" in r.stdout
    store = make_store(home)
    assert sorted(e.text for e in store.list(store.unlock("restored", PASS)).entries) == ["first entry", "second entry"]
    store.close()


def test_deliberate_kdf_edit_reads_as_wrong_passphrase(backup: bytes, tmp_path: Path) -> None:
    """The documented limit: with the digest recomputed, a changed salt derives another key, which
    nothing can tell from a wrong passphrase without becoming a passphrase oracle. It is refused."""
    edited = recompute_digest(DAMAGE["flipped salt"](backup))
    assert hashlib.sha256(edited).digest() != hashlib.sha256(backup).digest()
    dst = make_store(tmp_path / "dst")
    with pytest.raises(vault_mod.WrongPassphrase):
        dst.import_backup(_write(tmp_path, edited), "restored", PASS)
    assert dst.profiles() == []
    dst.close()


def _write(tmp_path: Path, data: bytes) -> Path:
    f = tmp_path / "edited.hearth"
    f.write_bytes(data)
    return f
