"""Together's storage: one SQLite file beside the journal vault, every record sealed.

Keys come from the vault and never leave memory: a profile's records are sealed under a key
derived (HKDF) from that profile's data key, a couple's records under a key derived from their
shared space's key (which the vault wraps for each member). Nothing here can be opened without
unlocking a profile in the vault; destroying the vault's wrapped keys (delete-all) makes this file
unreadable too.

Tables (numbered migrations, `PRAGMA user_version`):
- answers(id, space_id, day, profile_id, created, sealed)   a daily answer as the partner will
      see it, sealed under the space key. Clear: which profile answered on which day (that is what
      "who has answered" shows before the reveal). One row per person per day, never updated:
      an answer cannot change after the other's is visible.
- mine(id, profile_id, kind, created, updated, sealed)      a profile's own records, sealed
      under the profile key: its copy of every daily answer (including answers withheld from the
      partner by the safety screen), memory facts, quiz results. Clear: kind and timestamps only.
- ours(id, space_id, kind, created, updated, sealed)        a couple's records under the space
      key: chosen rituals, quiz results a partner chose to share.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from assistant.errors import VaultError
from assistant.journal.crypto import KEY_LEN, Place, open_sealed, place, seal
from assistant.journal.vault import _set_wal, now_iso, transaction

MIGRATIONS: list[str] = [
    """
    CREATE TABLE answers (
        id TEXT PRIMARY KEY,
        space_id TEXT NOT NULL,
        day TEXT NOT NULL,
        profile_id TEXT NOT NULL,
        created TEXT NOT NULL,
        sealed BLOB NOT NULL,
        UNIQUE (space_id, day, profile_id)
    );
    CREATE TABLE mine (
        id TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX mine_profile ON mine(profile_id, kind, created);
    CREATE TABLE ours (
        id TEXT PRIMARY KEY,
        space_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX ours_space ON ours(space_id, kind, created);
    """,
]


def subkey(key: bytes, purpose: str) -> bytes:
    """A key for one purpose derived from a vault key, so Together's records can never be
    confused with (or opened as) the journal's own records under the same key."""
    return HKDF(
        algorithm=hashes.SHA256(), length=KEY_LEN, salt=None, info=f"hearth-together-{purpose}-v1".encode()
    ).derive(key)


@dataclass
class Record:
    id: str
    created: str
    updated: str
    data: dict[str, Any]


def _migrate(conn: sqlite3.Connection) -> None:
    # Together's own schema version, kept in the file's user_version like the vault's.
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise VaultError(f"the Together data was written by a newer Hearth (format {version}); please upgrade")
        for number in range(version, len(MIGRATIONS)):
            for statement in MIGRATIONS[number].split(";"):
                if statement.strip():
                    conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")


class TogetherStore:
    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: in memory (therapist session mode)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                ":memory:" if self.path is None else str(self.path), isolation_level=None, timeout=30,
                check_same_thread=False,
            )  # fmt: skip
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA secure_delete=ON")
            if self.path is not None:
                _set_wal(conn)  # the vault's retry: processes opening a new file together
                self.path.chmod(0o600)
            _migrate(conn)
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def forget_profile(self, profile_id: str) -> None:
        """Remove a profile's own records and the copies of its daily answers (its profile is
        being deleted: they would be unreadable by it, and its partner should not keep them)."""
        with self._lock, transaction(self.conn):
            self.conn.execute("DELETE FROM mine WHERE profile_id=?", (profile_id,))
            self.conn.execute("DELETE FROM answers WHERE profile_id=?", (profile_id,))

    def destroy(self) -> None:
        """Remove the file (after the vault's delete-all: its records were already unreadable,
        their keys derive from the vault's destroyed keys; this removes the ciphertext too)."""
        with self._lock:
            self.close()
            if self.path is not None:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(str(self.path) + suffix).unlink(missing_ok=True)

    # -- daily answers as the partner sees them --------------------------------------------

    @staticmethod
    def _answer_place(space_id: str, day: str, profile_id: str, rid: str, created: str) -> Place:
        return place("together-answer", space_id, day, profile_id, rid, meta=(created,))

    def add_answer(self, key: bytes, space_id: str, day: str, profile_id: str, data: dict[str, Any]) -> str:
        rid, created = uuid.uuid4().hex, now_iso()
        blob = seal(key, _dump(data), self._answer_place(space_id, day, profile_id, rid, created))
        with self._lock:
            try:
                with transaction(self.conn):
                    self.conn.execute(
                        "INSERT INTO answers VALUES (?,?,?,?,?,?)", (rid, space_id, day, profile_id, created, blob)
                    )
            except sqlite3.IntegrityError as exc:
                raise VaultError("you have already answered today's question; answers cannot change") from exc
        return rid

    def answered(self, space_id: str, day: str) -> set[str]:
        """Profile ids with a shared answer that day (clear metadata: no key needed)."""
        with self._lock:
            rows = self.conn.execute("SELECT profile_id FROM answers WHERE space_id=? AND day=?", (space_id, day))
            return {str(r[0]) for r in rows}

    def answer_days(self, space_id: str) -> dict[str, set[str]]:
        with self._lock:
            out: dict[str, set[str]] = {}
            for day, pid in self.conn.execute("SELECT day, profile_id FROM answers WHERE space_id=?", (space_id,)):
                out.setdefault(str(day), set()).add(str(pid))
            return out

    def read_answer(self, key: bytes, space_id: str, day: str, profile_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT id, created, sealed FROM answers WHERE space_id=? AND day=? AND profile_id=?",
                (space_id, day, profile_id),
            ).fetchone()
        if row is None:
            return None
        where = self._answer_place(space_id, day, profile_id, str(row[0]), str(row[1]))
        return _load(open_sealed(key, row[2], where))

    # -- a profile's own records and a couple's records --------------------------------------

    @staticmethod
    def _place(table: str, owner: str, kind: str, rid: str, created: str, updated: str) -> Place:
        return place(f"together-{table}", owner, kind, rid, meta=(created, updated))

    def put(self, table: str, key: bytes, owner: str, kind: str, data: dict[str, Any], rid: str | None = None) -> str:
        """Insert a record, or rewrite record `rid` (its creation time is kept)."""
        owner_col = _owner_col(table)
        now = now_iso()
        with self._lock, transaction(self.conn):
            created = now
            if rid is not None:
                row = self.conn.execute(
                    f"SELECT created FROM {table} WHERE id=? AND {owner_col}=? AND kind=?", (rid, owner, kind)
                ).fetchone()
                if row is None:
                    raise VaultError(f"no {kind} {rid}")
                created = str(row[0])
            rid = rid or uuid.uuid4().hex
            blob = seal(key, _dump(data), self._place(table, owner, kind, rid, created, now))
            self.conn.execute(
                f"INSERT OR REPLACE INTO {table} VALUES (?,?,?,?,?,?)", (rid, owner, kind, created, now, blob)
            )
        return rid

    def all(self, table: str, key: bytes, owner: str, kind: str) -> list[Record]:
        owner_col = _owner_col(table)
        with self._lock:
            rows = self.conn.execute(
                f"SELECT id, created, updated, sealed FROM {table} WHERE {owner_col}=? AND kind=? ORDER BY created, id",
                (owner, kind),
            ).fetchall()
        out = []
        for rid, created, updated, blob in rows:
            where = self._place(table, owner, kind, str(rid), str(created), str(updated))
            out.append(Record(str(rid), str(created), str(updated), _load(open_sealed(key, blob, where))))
        return out

    def delete(self, table: str, owner: str, kind: str, rid: str) -> None:
        owner_col = _owner_col(table)
        with self._lock, transaction(self.conn):
            cur = self.conn.execute(f"DELETE FROM {table} WHERE id=? AND {owner_col}=? AND kind=?", (rid, owner, kind))
            if cur.rowcount == 0:
                raise VaultError(f"no {kind} {rid}")


def _owner_col(table: str) -> str:
    if table == "mine":
        return "profile_id"
    if table == "ours":
        return "space_id"
    raise ValueError(table)


def _dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _load(raw: bytes) -> dict[str, Any]:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise VaultError("a Together record is damaged")
    return data
