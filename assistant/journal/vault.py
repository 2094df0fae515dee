"""The journal vault: one SQLite file per data folder, every entry sealed (see crypto.py).

Storage (tables created by numbered migrations, `PRAGMA user_version`); sealed blobs are
format 1 or 2, told apart by the blob itself (crypto.py); format 2 is written from now on:
- meta(vault_id, format)                                 clear: random vault id
- profiles(id, name, created, kdf params, salt, wrapped data key, recovery wrap)
                                                          clear: name, created, KDF parameters
- entries(id, profile_id, version, created, updated, size, sealed)
                                                          clear: ids, timestamps, sealed size
- manifests(profile_id, version, sealed)                 sealed {entry id: version}: detects a
                                                          replayed older version of an entry
- spaces / space_keys / space_entries                    shared spaces, opened only by members

Entry text, title, tags, classifier results and embeddings all live inside `sealed`. Format-2
records also authenticate the clear columns beside them (timestamps, sizes, names); format-1
records stay as they are until rewritten (an entry edit, a passphrase change, an import).
SQLite runs in WAL mode with synchronous=FULL and every change is one transaction, so a crash
leaves either the old or the new state. Unlocked keys live only in VaultSession objects in
memory and are dropped on lock or after the idle timeout.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import functools
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant import backoff
from assistant.errors import TooManyAttempts, VaultError, WrongPassphrase
from assistant.journal import crypto
from assistant.journal.crypto import Place, Tampered, open_sealed, place, seal

MIGRATIONS: list[str] = [
    # 1: the initial format
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created TEXT NOT NULL,
        kdf_salt BLOB NOT NULL,
        kdf_memory INTEGER NOT NULL,
        kdf_iterations INTEGER NOT NULL,
        kdf_lanes INTEGER NOT NULL,
        wrapped_key BLOB NOT NULL,
        recovery_salt BLOB NOT NULL,
        recovery_wrapped BLOB NOT NULL
    );
    CREATE TABLE entries (
        id TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL REFERENCES profiles(id),
        version INTEGER NOT NULL,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        size INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE INDEX entries_profile ON entries(profile_id, created);
    CREATE TABLE manifests (
        profile_id TEXT PRIMARY KEY REFERENCES profiles(id),
        version INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE TABLE spaces (id TEXT PRIMARY KEY, created TEXT NOT NULL);
    CREATE TABLE space_keys (
        space_id TEXT NOT NULL REFERENCES spaces(id),
        profile_id TEXT NOT NULL REFERENCES profiles(id),
        wrapped BLOB NOT NULL,
        PRIMARY KEY (space_id, profile_id)
    );
    CREATE TABLE space_entries (
        id TEXT PRIMARY KEY,
        space_id TEXT NOT NULL REFERENCES spaces(id),
        created TEXT NOT NULL,
        sealed BLOB NOT NULL
    );
    """,
    # 2: failed unlocks, per profile name and per client, so guessing backs off across restarts
    """
    CREATE TABLE unlock_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last REAL NOT NULL);
    """,
    # 3: the vault may now hold format-2 records. No table changes (blobs say their own format);
    # the bump makes an older Hearth say "written by a newer Hearth" instead of "tampered".
    """
    UPDATE meta SET value = '2' WHERE key = 'format';
    """,
]
# Backoff (assistant/backoff.py), counted per profile name and per client.
FREE_FAILURES = backoff.FREE_FAILURES
MAX_BACKOFF_S = backoff.MAX_BACKOFF_S
BACKUP_MAGIC_V1 = b"HEARTH-BACKUP-1\n"  # read only
BACKUP_MAGIC = b"HEARTH-BACKUP-2\n"


PROFILE_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.-'")


def check_profile_name(name: str) -> str:
    """Profile names are shown in the app and stored in the clear: letters, digits, spaces and
    `_ . - '` only, so a name can never carry markup."""
    name = name.strip()
    if not 1 <= len(name) <= 40 or not set(name) <= PROFILE_NAME_CHARS:
        raise VaultError("a profile name needs 1 to 40 letters, digits, spaces or _ . - '")
    return name


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _set_wal(conn: sqlite3.Connection, wait_s: float = 30.0) -> None:
    """Switch to WAL. Switching needs a moment alone with the file and SQLite answers "database
    is locked" at once rather than waiting for the busy timeout, so processes opening a new vault
    together retry here (seen: 1 of 8 failing in about one start in three)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def connect(path: Path | None) -> sqlite3.Connection:
    conn = sqlite3.connect(
        ":memory:" if path is None else str(path), isolation_level=None, timeout=30, check_same_thread=False
    )
    _set_wal(conn)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    # Deleted records are overwritten, not left in free pages.
    conn.execute("PRAGMA secure_delete=ON")
    while True:
        # The version is read inside the write transaction: two processes opening a new vault
        # at once must not both run migration 1 ("table meta already exists").
        with transaction(conn):
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise VaultError(f"this vault was written by a newer Hearth (format {version}); please upgrade")
            if version == len(MIGRATIONS):
                break
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return conn


def _init_meta(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        if conn.execute("SELECT 1 FROM meta WHERE key='vault_id'").fetchone() is None:
            conn.execute("INSERT INTO meta VALUES ('vault_id', ?)", (uuid.uuid4().hex,))
            conn.execute("INSERT INTO meta VALUES ('format', ?)", (str(crypto.FORMAT_VERSION),))


def _create_vault_file(path: Path) -> None:
    """Create a new vault under a temporary name and publish it with one link(): no process
    ever sees a half-made (zero-length) vault at `path`, so an empty file there is damage."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        conn = connect(tmp)
        _init_meta(conn)
        conn.close()
        # FileExistsError: another process published its vault first; use that one.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@dataclass(frozen=True)
class SharedCopy:
    """Where one entry's copy sits in a shared space, and the space key that seals it."""

    space_id: str
    shared_id: str
    created: str
    key: bytes


@dataclass
class Entry:
    id: str
    created: str
    updated: str
    version: int
    text: str
    title: str = ""
    tags: list[str] = field(default_factory=list)
    analysis: dict[str, Any] = field(default_factory=dict)
    mood: str = ""  # the writer's own word for how they felt (sealed with the text)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created,
            "updated": self.updated,
            "text": self.text,
            "title": self.title,
            "tags": self.tags,
            "mood": self.mood,
            "analysis": self.analysis,
        }


@dataclass
class Listing:
    entries: list[Entry]
    damaged: list[str]


def wrap_place(
    vault_id: str,
    profile_id: str,
    name: str,
    created: str,
    kind: str,
    salt: bytes,
    memory: int,
    iterations: int,
    lanes: int,
) -> Place:
    """A wrapped data key: format 1 bound the KDF header; format 2 adds the profile's name and
    creation time (both stored in the clear beside it)."""
    parts = ("wrap", vault_id, profile_id, kind, salt.hex(), memory, iterations, lanes)
    return place(*parts, meta=(name, created))


def manifest_place(vault_id: str, profile_id: str, version: int) -> Place:
    return place("manifest", vault_id, profile_id, version)


def entry_place(vault_id: str, profile_id: str, entry_id: str, version: int, created: str, updated: str,
                size: object) -> Place:  # fmt: skip
    return place("entry", vault_id, profile_id, entry_id, version, meta=(created, updated, size))


def _encode_entry(entry: Entry) -> bytes:
    """The plaintext of a sealed entry record: everything derived from the entry lives here."""
    fields: dict[str, Any] = {"text": entry.text, "title": entry.title, "tags": entry.tags, "analysis": entry.analysis}
    if entry.mood:  # written only when set, so an entry without one seals exactly as before
        fields["mood"] = entry.mood
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def _decode_entry(entry_id: str, created: str, updated: str, version: int, plaintext: bytes) -> Entry:
    data = json.loads(plaintext)
    return Entry(
        entry_id,
        created,
        updated,
        version,
        data["text"],
        data.get("title", ""),
        list(data.get("tags", [])),
        dict(data.get("analysis", {})),
        str(data.get("mood", "")),
    )


def _backup_place(doc: dict[str, Any]) -> Place:
    """The backup's seal covers every other field of the body, in canonical JSON."""
    rest = {k: v for k, v in doc.items() if k != "seal"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return place("backup", doc.get("vault_id"), doc.get("profile_id"), meta=(canonical,))


def frame_backup(body: bytes) -> bytes:
    """A format-2 backup file around its JSON body: magic, body, unkeyed digest line."""
    return BACKUP_MAGIC + body + b"\nsha256 " + hashlib.sha256(body).hexdigest().encode("ascii") + b"\n"


def read_backup(source: Path, damaged: str) -> tuple[dict[str, Any], int]:
    """The backup's JSON body and format. Format 2's digest is checked here, before any key
    is derived: a damaged file says so, never "wrong passphrase"."""
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise VaultError(f"cannot read backup {source}: {exc.strerror}") from exc
    if raw.startswith(BACKUP_MAGIC_V1):
        version, body = 1, raw[len(BACKUP_MAGIC_V1) :]
    elif raw.startswith(BACKUP_MAGIC):
        version = 2
        body, sep, digest = raw[len(BACKUP_MAGIC) :].rpartition(b"\nsha256 ")
        if not sep or digest != hashlib.sha256(body).hexdigest().encode("ascii") + b"\n":
            raise Tampered(damaged)
    else:
        raise VaultError(f"{source} is not a Hearth backup")
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise Tampered(damaged) from exc
    if not isinstance(doc, dict):
        raise Tampered(damaged)
    return doc, version


class VaultSession:
    """An unlocked profile. Holds the data key in memory until lock() or the idle timeout."""

    def __init__(self, profile_id: str, name: str, key: bytes, idle_seconds: int) -> None:
        self.profile_id = profile_id
        self.name = name
        self._key: bytearray | None = bytearray(key)
        self.idle_seconds = idle_seconds
        self.last_used = time.monotonic()

    @property
    def locked(self) -> bool:
        if self._key is not None and self.idle_seconds and time.monotonic() - self.last_used > self.idle_seconds:
            self.lock()
        return self._key is None

    def key(self) -> bytes:
        if self.locked or self._key is None:
            raise VaultError(f"profile '{self.name}' is locked; unlock it again")
        self.last_used = time.monotonic()
        # A copy for the one operation in progress, not the buffer itself: a lock() from another
        # thread (the idle timeout) must not zero the key under a seal() that is running, which
        # would write a record under the all-zero key. The copy is gone when the operation ends.
        return bytes(self._key)

    def lock(self) -> None:
        # Best effort: Python may hold other copies, but the session's own buffer is wiped.
        crypto.wipe(self._key)
        self._key = None


def _serialised(method: Any) -> Any:
    """One connection is shared by the UI's worker threads; each operation runs alone."""

    @functools.wraps(method)
    def wrapper(self: VaultStore, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            try:
                if self._conn is not None:  # an open connection must still be this vault's file
                    self._check_same_file()
                return method(self, *args, **kwargs)
            except sqlite3.DatabaseError as exc:
                raise storage_error(self.path, exc) from exc

    return wrapper


def storage_error(path: Path | None, exc: sqlite3.DatabaseError) -> VaultError:
    """One line a person can act on, for what SQLite reports about the file or the disk."""
    msg = str(exc).lower()
    where = str(path) if path else "the in-memory journal"
    if "full" in msg:
        return VaultError(f"the disk holding {where} is full; free some space (nothing was changed)")
    if "readonly" in msg or "read-only" in msg:
        return VaultError(f"{where} is read-only; check the folder's permissions (nothing was changed)")
    if "malformed" in msg or "not a database" in msg or "file is not a database" in msg:
        return VaultError(f"{where} is damaged (truncated or overwritten); restore it from a backup")
    if "disk i/o" in msg or "unable to open" in msg:
        return VaultError(f"cannot read or write {where} (disk I/O error); check the disk and its free space")
    if "locked" in msg or "busy" in msg:
        return VaultError(f"{where} is busy in another Hearth process; try again")
    return VaultError(f"the journal at {where} could not be used: {exc}")


class VaultStore:
    def __init__(self, path: Path | None, settings: Any = None) -> None:
        # path None: an in-memory vault (therapist session mode), gone when the process ends.
        self.path = path
        self.memory_kib = getattr(settings, "kdf_memory_kib", crypto.KDF_MIN_MEMORY_KIB)
        self.iterations = getattr(settings, "kdf_iterations", crypto.KDF_MIN_ITERATIONS)
        self.idle_seconds = getattr(settings, "idle_lock_seconds", 600)
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._lock = threading.RLock()
        # Every session this store unlocked, so close() can wipe their keys (weak: a session
        # nobody holds any more is not kept alive by the store).
        self._sessions: weakref.WeakSet[VaultSession] = weakref.WeakSet()

    # -- connection ------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        if self.path is None:
            self._conn = connect(None)
            _init_meta(self._conn)
            return self._conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            _create_vault_file(self.path)
        if self.path.stat().st_size == 0:
            # SQLite would silently treat an empty file as a new vault: every profile gone.
            raise VaultError(f"{self.path} is empty (0 bytes): it was truncated; restore it from a backup")
        self._conn = connect(self.path)
        os.chmod(self.path, 0o600)
        _init_meta(self._conn)
        st = self.path.stat()
        self._identity = (st.st_dev, st.st_ino)
        return self._conn

    def _check_same_file(self) -> None:
        """Refuse to write into a vault that was deleted or replaced underneath this process
        (say, `hearth journal delete-all` while the app runs): writes would land in a file that
        no longer has a name, and be lost."""
        if self.path is None or self._identity is None:
            return
        try:
            st = self.path.stat()
            same = (st.st_dev, st.st_ino) == self._identity
        except FileNotFoundError:
            same = False
        if not same:
            if self._conn is not None:
                self._conn.close()
            self._conn = None
            self._identity = None
            raise VaultError("the journal was deleted or replaced by another Hearth process; lock and unlock again")

    def _session(self, profile_id: str, name: str, key: bytes) -> VaultSession:
        session = VaultSession(profile_id, name, key, self.idle_seconds)
        self._sessions.add(session)
        return session

    def close(self) -> None:
        """Close the file and lock every session this store unlocked (their keys are zeroed)."""
        for session in list(self._sessions):
            session.lock()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._identity = None

    @property
    def vault_id(self) -> str:
        return str(self.conn.execute("SELECT value FROM meta WHERE key='vault_id'").fetchone()[0])

    # -- profiles --------------------------------------------------------------------------

    @_serialised
    def profiles(self) -> list[str]:
        if self.path is not None and not self.path.exists():
            return []
        return [r[0] for r in self.conn.execute("SELECT name FROM profiles ORDER BY created")]

    @_serialised
    def kdf_params(self) -> dict[str, tuple[int, int]]:
        """Each profile's Argon2id (memory KiB, passes) as stored in the vault (clear metadata)."""
        if self.path is not None and not self.path.exists():
            return {}
        rows = self.conn.execute("SELECT name, kdf_memory, kdf_iterations FROM profiles ORDER BY created")
        return {r[0]: (int(r[1]), int(r[2])) for r in rows}

    def _profile_row(self, name: str) -> sqlite3.Row | tuple:
        row = self.conn.execute(
            "SELECT id, kdf_salt, kdf_memory, kdf_iterations, kdf_lanes, wrapped_key, recovery_salt, "
            "recovery_wrapped, created FROM profiles WHERE name=?",
            (name,),
        ).fetchone()
        if row is None:
            raise VaultError(f"no profile named '{name}': create it with `hearth journal init --profile {name}`")
        return row

    def _wrap_place(self, profile_id: str, name: str, created: str, kind: str, salt: bytes, memory: int,
                    iterations: int, lanes: int) -> Place:  # fmt: skip
        return wrap_place(self.vault_id, profile_id, name, created, kind, salt, memory, iterations, lanes)

    @_serialised
    def create_profile(self, name: str, passphrase: str) -> str:
        """Create a profile; returns the recovery key, shown to the user once."""
        with transaction(self.conn):
            recovery, _pid, _key = self._insert_profile(name, passphrase)
        return recovery

    def _insert_profile(self, name: str, passphrase: str) -> tuple[str, str, bytes]:
        """Insert a new profile inside the caller's transaction: (recovery key, id, data key)."""
        name = check_profile_name(name)
        if len(passphrase) < 8:
            raise VaultError("choose a passphrase of at least 8 characters")
        if self.conn.execute("SELECT 1 FROM profiles WHERE name=?", (name,)).fetchone():
            raise VaultError(f"profile '{name}' already exists")
        profile_id = uuid.uuid4().hex
        data_key = crypto.new_key()
        salt, rsalt = os.urandom(16), os.urandom(16)
        lanes, created = crypto.KDF_LANES, now_iso()
        kek = crypto.derive_kek(passphrase, salt, self.memory_kib, self.iterations, lanes)
        recovery = crypto.new_recovery_key()
        rkek = crypto.recovery_kek(recovery, rsalt)
        try:
            wrapped = seal(
                kek, data_key,
                self._wrap_place(profile_id, name, created, "pass", salt, self.memory_kib, self.iterations, lanes),
            )  # fmt: skip
            rwrapped = seal(rkek, data_key, self._wrap_place(profile_id, name, created, "recovery", rsalt, 0, 0, 0))
        finally:
            crypto.wipe(kek)
            crypto.wipe(rkek)
        self.conn.execute(
            "INSERT INTO profiles VALUES (?,?,?,?,?,?,?,?,?,?)",
            (profile_id, name, created, salt, self.memory_kib, self.iterations, lanes, wrapped, rsalt, rwrapped),
        )
        self._write_manifest(profile_id, data_key, {}, 1)
        return recovery, profile_id, data_key

    @_serialised
    def delete_profile(self, session: VaultSession) -> None:
        """Destroy one profile: its wrapped keys first, then its entries, spaces it alone held
        and the row itself, in one transaction. Other profiles are untouched."""
        session.key()
        pid = session.profile_id
        with transaction(self.conn):
            self.conn.execute("DELETE FROM entries WHERE profile_id=?", (pid,))
            self.conn.execute("DELETE FROM manifests WHERE profile_id=?", (pid,))
            self.conn.execute("DELETE FROM space_keys WHERE profile_id=?", (pid,))
            orphaned = "SELECT id FROM spaces WHERE id NOT IN (SELECT space_id FROM space_keys)"
            self.conn.execute(f"DELETE FROM space_entries WHERE space_id IN ({orphaned})")
            self.conn.execute(f"DELETE FROM spaces WHERE id IN ({orphaned})")
            self.conn.execute("DELETE FROM profiles WHERE id=?", (pid,))
            self.conn.execute("DELETE FROM unlock_failures WHERE key=?", (f"profile:{session.name}",))
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        session.lock()

    # -- guessing ---------------------------------------------------------------------------

    def _wait_for(self, keys: builtins.list[str]) -> float:
        wait = 0.0
        now = time.time()
        for key in keys:
            row = self.conn.execute("SELECT failures, last FROM unlock_failures WHERE key=?", (key,)).fetchone()
            if row:
                wait = max(wait, backoff.wait_after(row[0], row[1], now, FREE_FAILURES, MAX_BACKOFF_S))
        return wait

    def _record_failure(self, keys: builtins.list[str]) -> None:
        with transaction(self.conn):
            for key in keys:
                self.conn.execute(
                    "INSERT INTO unlock_failures VALUES (?, 1, ?) "
                    "ON CONFLICT(key) DO UPDATE SET failures = failures + 1, last = excluded.last",
                    (key, time.time()),
                )

    def _clear_failures(self, keys: builtins.list[str]) -> None:
        with transaction(self.conn):
            for key in keys:
                self.conn.execute("DELETE FROM unlock_failures WHERE key=?", (key,))

    @_serialised
    def unlock(
        self,
        name: str,
        passphrase: str | None = None,
        recovery_key: str | None = None,
        *,
        client: str | None = None,
        hide_missing: bool = False,
    ) -> VaultSession:
        """Unlock a profile. After a few failures, further tries for that profile (and from
        that client) wait, doubling each time; the count is stored, so a restart keeps it.
        `hide_missing` (the web app): an unknown name costs the same work as a known one and
        gets the same answer, so a guesser cannot list profiles."""
        keys = [f"profile:{name}"] + ([f"client:{client}"] if client else [])
        wait = self._wait_for(keys)
        if wait > 0:
            raise TooManyAttempts(f"too many failed attempts; try again in {wait:.0f} s")
        try:
            session = self._unlock(name, passphrase, recovery_key, hide_missing)
        except WrongPassphrase:
            self._record_failure(keys)
            raise
        self._clear_failures(keys[:1])
        return session

    def _unlock(self, name: str, passphrase: str | None, recovery_key: str | None, hide_missing: bool) -> VaultSession:
        if hide_missing and self.conn.execute("SELECT 1 FROM profiles WHERE name=?", (name,)).fetchone() is None:
            crypto.derive_kek(passphrase or "", os.urandom(16), self.memory_kib, self.iterations, crypto.KDF_LANES)
            raise WrongPassphrase("wrong profile name or passphrase")
        pid, salt, memory, iterations, lanes, wrapped, rsalt, rwrapped, created = self._profile_row(name)
        if not all(isinstance(b, bytes) for b in (salt, wrapped, rsalt, rwrapped)) or not all(
            type(n) is int for n in (memory, iterations, lanes)
        ):
            raise Tampered(f"the key record of profile '{name}' is damaged or was tampered with")
        if recovery_key:
            rkek = crypto.recovery_kek(recovery_key, bytes(rsalt))
            try:
                rplace = self._wrap_place(pid, name, str(created), "recovery", bytes(rsalt), 0, 0, 0)
                key = crypto.try_unwrap(rkek, bytes(rwrapped), rplace)
            finally:
                crypto.wipe(rkek)
            if key is None:
                raise WrongPassphrase("that recovery key does not open this profile")
        else:
            crypto.check_kdf_params(int(memory), int(iterations), int(lanes))
            kek = crypto.derive_kek(passphrase or "", bytes(salt), int(memory), int(iterations), int(lanes))
            try:
                pplace = self._wrap_place(pid, name, str(created), "pass", bytes(salt), memory, iterations, lanes)
                key = crypto.try_unwrap(kek, bytes(wrapped), pplace)
            finally:
                crypto.wipe(kek)
            if key is None:
                raise WrongPassphrase(
                    "wrong profile name or passphrase" if hide_missing else f"wrong passphrase for profile '{name}'"
                )
        session = self._session(pid, name, key)
        self._read_manifest(session)  # a vault whose manifest was tampered with does not open
        return session

    @_serialised
    def change_passphrase(self, session: VaultSession, new_passphrase: str) -> None:
        """Rewrites only the wrapped key (one row, one transaction); entries are untouched."""
        if len(new_passphrase) < 8:
            raise VaultError("choose a passphrase of at least 8 characters")
        key = session.key()
        salt = os.urandom(16)
        lanes = crypto.KDF_LANES
        created = str(self.conn.execute("SELECT created FROM profiles WHERE id=?", (session.profile_id,)).fetchone()[0])
        kek = crypto.derive_kek(new_passphrase, salt, self.memory_kib, self.iterations, lanes)
        try:
            where = self._wrap_place(
                session.profile_id, session.name, created, "pass", salt, self.memory_kib, self.iterations, lanes
            )
            wrapped = seal(kek, key, where)  # always format 2: a passphrase change upgrades the wrap
        finally:
            crypto.wipe(kek)
        with transaction(self.conn):
            self.conn.execute(
                "UPDATE profiles SET kdf_salt=?, kdf_memory=?, kdf_iterations=?, kdf_lanes=?, wrapped_key=? WHERE id=?",
                (salt, self.memory_kib, self.iterations, lanes, wrapped, session.profile_id),
            )
        # Move the new wrap into the main file and empty the WAL now, so the old wrap (which the
        # old passphrase opens) is not left in the WAL or the main file while the app runs on.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- manifest ----------------------------------------------------------------------------

    def _manifest_place(self, profile_id: str, version: int) -> Place:
        return manifest_place(self.vault_id, profile_id, version)

    def _write_manifest(self, profile_id: str, key: bytes, entries: dict[str, int], version: int) -> None:
        blob = seal(key, json.dumps(entries, sort_keys=True).encode(), self._manifest_place(profile_id, version))
        self.conn.execute(
            "INSERT INTO manifests VALUES (?,?,?) ON CONFLICT(profile_id) DO UPDATE SET version=excluded.version, "
            "sealed=excluded.sealed",
            (profile_id, version, blob),
        )

    def _read_manifest(self, session: VaultSession) -> tuple[dict[str, int], int]:
        row = self.conn.execute(
            "SELECT version, sealed FROM manifests WHERE profile_id=?", (session.profile_id,)
        ).fetchone()
        if row is None:
            raise Tampered("the profile's entry index is missing; the vault was tampered with")
        version, blob = row[0], row[1]
        if type(version) is not int:
            raise Tampered("the profile's entry index is damaged or was tampered with")
        data = json.loads(open_sealed(session.key(), blob, self._manifest_place(session.profile_id, version)))
        return {str(k): int(v) for k, v in data.items()}, version

    # -- entries -----------------------------------------------------------------------------

    def _seal_entry(self, key: bytes, profile_id: str, entry: Entry) -> bytes:
        plaintext = _encode_entry(entry)
        size = crypto.sealed_len(len(plaintext))  # known in advance, so the size is sealed in too
        where = entry_place(self.vault_id, profile_id, entry.id, entry.version, entry.created, entry.updated, size)
        return seal(key, plaintext, where)  # len() == size: tests/security/test_format_v2.py

    @_serialised
    def add(
        self,
        session: VaultSession,
        text: str,
        *,
        title: str = "",
        tags: list[str] | None = None,
        analysis: dict[str, Any] | None = None,
        created: str | None = None,
        mood: str = "",
    ) -> Entry:
        if not text.strip():
            raise VaultError("the entry is empty; nothing was saved")
        key = session.key()
        entry = Entry(
            uuid.uuid4().hex, created or now_iso(), now_iso(), 1, text, title, list(tags or []), dict(analysis or {})
        )
        entry.mood = mood
        self._put(session, key, entry)
        return entry

    @_serialised
    def update(self, session: VaultSession, entry: Entry) -> Entry:
        key = session.key()
        entry.version += 1
        entry.updated = now_iso()
        self._put(session, key, entry)
        return entry

    def _put(self, session: VaultSession, key: bytes, entry: Entry, also: Callable[[], None] | None = None) -> None:
        """Seal and store one entry; `also` runs inside the same transaction (an edit's shared copies)."""
        blob = self._seal_entry(key, session.profile_id, entry)
        with transaction(self.conn):
            if also is not None:
                also()
            owner = self.conn.execute("SELECT profile_id FROM entries WHERE id=?", (entry.id,)).fetchone()
            if owner is not None and owner[0] != session.profile_id:
                # another profile's entry: never overwrite it (the upsert below keys on id only)
                raise VaultError(f"no entry {entry.id} in profile '{session.name}'")
            manifest, mversion = self._read_manifest(session)
            manifest[entry.id] = entry.version
            self.conn.execute(
                "INSERT INTO entries VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET version=excluded.version, "
                "updated=excluded.updated, size=excluded.size, sealed=excluded.sealed",
                (entry.id, session.profile_id, entry.version, entry.created, entry.updated, len(blob), blob),
            )
            self._write_manifest(session.profile_id, key, manifest, mversion + 1)

    def _open_row(self, session: VaultSession, key: bytes, row: tuple, manifest: dict[str, int]) -> Entry:
        entry_id, version, created, updated, size, blob = str(row[0]), row[1], str(row[2]), str(row[3]), row[4], row[5]
        if type(version) is not int or manifest.get(entry_id) != version:
            raise Tampered(f"entry {entry_id} is not the version this profile last wrote (replayed or moved)")
        # open_sealed refuses a non-blob value itself (bytes() of a tampered integer would allocate it)
        where = entry_place(self.vault_id, session.profile_id, entry_id, version, created, updated, size)
        plaintext = open_sealed(key, blob, where)
        return _decode_entry(entry_id, created, updated, version, plaintext)

    @_serialised
    def get(self, session: VaultSession, entry_id: str) -> Entry:
        key = session.key()
        manifest, _ = self._read_manifest(session)
        row = self.conn.execute(
            "SELECT id, version, created, updated, size, sealed FROM entries WHERE id=? AND profile_id=?",
            (entry_id, session.profile_id),
        ).fetchone()
        if row is None:
            raise VaultError(f"no entry {entry_id} in profile '{session.name}'")
        return self._open_row(session, key, row, manifest)

    @_serialised
    def list(self, session: VaultSession) -> Listing:
        key = session.key()
        manifest, _ = self._read_manifest(session)
        entries: list[Entry] = []
        damaged: list[str] = []
        seen: set[str] = set()
        for row in self.conn.execute(
            "SELECT id, version, created, updated, size, sealed FROM entries WHERE profile_id=? ORDER BY created, id",
            (session.profile_id,),
        ):
            seen.add(str(row[0]))
            try:
                entries.append(self._open_row(session, key, row, manifest))
            except (Tampered, ValueError, KeyError, TypeError):
                damaged.append(str(row[0]))
        damaged += sorted(set(manifest) - seen)  # acknowledged entries that vanished
        return Listing(entries, damaged)

    @_serialised
    def delete(self, session: VaultSession, entry_id: str) -> int:
        """Delete one entry and, in the same transaction, every copy of it shared into a space
        (a deleted entry must not live on where the partner reads it). Returns how many copies."""
        key = session.key()
        with transaction(self.conn):  # found inside it: a copy shared meanwhile by another process goes too
            copies = self._shared_copies(session, entry_id)
            manifest, mversion = self._read_manifest(session)
            cur = self.conn.execute("DELETE FROM entries WHERE id=? AND profile_id=?", (entry_id, session.profile_id))
            if cur.rowcount == 0:
                raise VaultError(f"no entry {entry_id} in profile '{session.name}'")
            self.conn.executemany("DELETE FROM space_entries WHERE id=?", [(c.shared_id,) for c in copies])
            manifest.pop(entry_id, None)
            self._write_manifest(session.profile_id, key, manifest, mversion + 1)
        self._forget_old_pages()
        return len(copies)

    @_serialised
    def replace(self, session: VaultSession, entry: Entry, *, withdraw: bool = False) -> int:
        """An edit: the new version takes the row of the old one, and the old ciphertext is
        gone from the files too (see _forget_old_pages), not only from the table. Copies shared
        into spaces are sealed again with the new text in the same transaction (same row, same
        place, a fresh nonce: AES-GCM under the space key allows it), or, with `withdraw`,
        removed from the spaces (a new version that must not reach the partner). Returns how many
        copies were changed."""
        key = session.key()
        entry.version += 1
        entry.updated = now_iso()
        copies: builtins.list[SharedCopy] = []

        def reseal() -> None:
            copies.extend(self._shared_copies(session, entry.id))
            if withdraw:
                self.conn.executemany("DELETE FROM space_entries WHERE id=?", [(c.shared_id,) for c in copies])
                return
            for c in copies:
                payload = json.dumps({"text": entry.text, "author": session.name, "source": entry.id}).encode()
                blob = seal(c.key, payload, self._space_entry_place(c.space_id, c.shared_id, c.created))
                self.conn.execute("UPDATE space_entries SET sealed=? WHERE id=?", (blob, c.shared_id))

        self._put(session, key, entry, also=reseal)
        self._forget_old_pages()
        return len(copies)

    def _forget_old_pages(self) -> None:
        # secure_delete zeroes freed pages in the main file, but in WAL mode the old version
        # still sits in earlier WAL frames (and the main file keeps it until a checkpoint):
        # checkpoint into the main file, then truncate the WAL to zero bytes.
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- shared spaces -----------------------------------------------------------------------

    @_serialised
    def create_space(self, a: VaultSession, b: VaultSession) -> str:
        """A shared space exists only with both partners present: each unlocks their own profile."""
        if a.profile_id == b.profile_id:
            raise VaultError("a shared space needs two different profiles")
        space_id = uuid.uuid4().hex
        space_key = crypto.new_key()
        created = now_iso()
        with transaction(self.conn):
            self.conn.execute("INSERT INTO spaces VALUES (?,?)", (space_id, created))
            for s in (a, b):
                wrapped = seal(s.key(), space_key, self._space_key_place(space_id, created, s.profile_id))
                self.conn.execute("INSERT INTO space_keys VALUES (?,?,?)", (space_id, s.profile_id, wrapped))
        return space_id

    @_serialised
    def spaces(self, session: VaultSession) -> builtins.list[str]:
        """This profile's shared spaces, oldest first (a stable order: callers name the space)."""
        session.key()
        return [
            r[0]
            for r in self.conn.execute(
                "SELECT k.space_id FROM space_keys k JOIN spaces s ON s.id = k.space_id "
                "WHERE k.profile_id=? ORDER BY s.created, s.id",
                (session.profile_id,),
            )
        ]

    @_serialised
    def space_partners(self, session: VaultSession) -> dict[str, builtins.list[str]]:
        """Each of this profile's spaces with the names of the other members (clear metadata)."""
        out: dict[str, builtins.list[str]] = {}
        for space_id in self.spaces(session):
            out[space_id] = [
                r[0]
                for r in self.conn.execute(
                    "SELECT p.name FROM space_keys k JOIN profiles p ON p.id = k.profile_id "
                    "WHERE k.space_id=? AND k.profile_id<>? ORDER BY p.name",
                    (space_id, session.profile_id),
                )
            ]
        return out

    def _space_key_place(self, space_id: str, created: str, profile_id: str) -> Place:
        return place("space-key", self.vault_id, space_id, profile_id, meta=(created,))

    def _space_entry_place(self, space_id: str, shared_id: str, created: str) -> Place:
        return place("space-entry", self.vault_id, space_id, shared_id, meta=(created,))

    def _space_key(self, session: VaultSession, space_id: str) -> bytes:
        row = self.conn.execute(
            "SELECT k.wrapped, s.created FROM space_keys k JOIN spaces s ON s.id = k.space_id "
            "WHERE k.space_id=? AND k.profile_id=?",
            (space_id, session.profile_id),
        ).fetchone()
        if row is None:
            raise VaultError("this profile is not a member of that shared space")
        where = self._space_key_place(space_id, str(row[1]), session.profile_id)
        return open_sealed(session.key(), row[0], where)

    @_serialised
    def space_key(self, session: VaultSession, space_id: str) -> bytes:
        """The space's key, for other stores that seal a couple's records (assistant/together/);
        VaultError when this profile is not a member."""
        return self._space_key(session, space_id)

    @_serialised
    def share(self, session: VaultSession, space_id: str, entry_id: str) -> str:
        """Copy one of your own entries into a shared space (explicit, one entry at a time)."""
        entry = self.get(session, entry_id)
        skey = self._space_key(session, space_id)
        shared_id = uuid.uuid4().hex
        payload = json.dumps({"text": entry.text, "author": session.name, "source": entry.id}).encode()
        created = now_iso()
        blob = seal(skey, payload, self._space_entry_place(space_id, shared_id, created))
        with transaction(self.conn):
            self.conn.execute("INSERT INTO space_entries VALUES (?,?,?,?)", (shared_id, space_id, created, blob))
        return shared_id

    def _shared_copies(self, session: VaultSession, entry_id: str) -> builtins.list[SharedCopy]:
        """The copies of one of this profile's entries in its spaces. Which entry a copy came from
        is sealed inside it, so finding them means opening each space's entries with the space
        key (only a member can); a copy that does not open is left alone, never guessed at."""
        found = []
        for space_id in self.spaces(session):
            skey = self._space_key(session, space_id)
            for sid, created, blob in self.conn.execute(
                "SELECT id, created, sealed FROM space_entries WHERE space_id=?", (space_id,)
            ).fetchall():
                try:
                    data = json.loads(open_sealed(skey, blob, self._space_entry_place(space_id, sid, str(created))))
                except (Tampered, ValueError):
                    continue
                if data.get("source") == entry_id and data.get("author") == session.name:
                    found.append(SharedCopy(space_id, str(sid), str(created), skey))
        return found

    @_serialised
    def space_entries(self, session: VaultSession, space_id: str) -> builtins.list[dict[str, str]]:
        skey = self._space_key(session, space_id)
        out = []
        for sid, created, blob in self.conn.execute(
            "SELECT id, created, sealed FROM space_entries WHERE space_id=? ORDER BY created", (space_id,)
        ):
            data = json.loads(open_sealed(skey, blob, self._space_entry_place(space_id, sid, str(created))))
            out.append({"id": sid, "created": created, "author": data["author"], "text": data["text"]})
        return out

    # -- backup ------------------------------------------------------------------------------
    #
    # Format 2 file: BACKUP_MAGIC, one JSON body, then the line `sha256 <hex digest of the body>`.
    # Two checks with different jobs, so that damage and a wrong passphrase get different answers
    # without adding a passphrase oracle:
    # - the digest needs no key. It catches accidental damage (a flipped byte, a truncated copy)
    #   before any key is derived, so damage is never reported as a wrong passphrase. It proves
    #   nothing against a deliberate edit: whoever edits the body can recompute it.
    # - `seal` is an empty AES-GCM record under the data key whose associated data is the rest
    #   of the body (canonical JSON): every header field (created, vault id, KDF parameters, entry
    #   ids, versions, timestamps, sizes) is authenticated. It is checked only after the wrapped
    #   key opened, i.e. once the passphrase is known to be right, so "altered" tells nobody
    #   anything about the passphrase. A deliberate edit of the salt or KDF parameters (with the
    #   digest recomputed) still reads as a wrong passphrase: the key derived from a changed salt
    #   is simply another key, and nothing keyed by the passphrase could tell the two apart.

    @_serialised
    def export(self, session: VaultSession, target: Path) -> int:
        """One encrypted file: the profile's wrapped key and sealed records, never plaintext."""
        key = session.key()
        prow = self.conn.execute(
            "SELECT id, name, created, kdf_salt, kdf_memory, kdf_iterations, kdf_lanes, wrapped_key FROM profiles "
            "WHERE id=?",
            (session.profile_id,),
        ).fetchone()
        mrow = self.conn.execute(
            "SELECT version, sealed FROM manifests WHERE profile_id=?", (session.profile_id,)
        ).fetchone()
        rows = self.conn.execute(
            "SELECT id, version, created, updated, size, sealed FROM entries WHERE profile_id=?", (session.profile_id,)
        ).fetchall()
        b64 = lambda b: base64.b64encode(bytes(b)).decode("ascii")  # noqa: E731
        doc: dict[str, Any] = {
            "format": crypto.FORMAT_VERSION,
            "created": now_iso(),
            "vault_id": self.vault_id,
            "profile_id": prow[0],
            "profile": prow[1],
            "profile_created": prow[2],
            "kdf": {"salt": b64(prow[3]), "memory_kib": prow[4], "iterations": prow[5], "lanes": prow[6]},
            "wrapped_key": b64(prow[7]),
            "manifest": {"version": mrow[0], "sealed": b64(mrow[1])},
            "entries": [
                {"id": r[0], "version": r[1], "created": r[2], "updated": r[3], "size": r[4], "sealed": b64(r[5])}
                for r in rows
            ],
        }
        doc["seal"] = b64(seal(key, b"", _backup_place(doc)))
        body = json.dumps(doc).encode("ascii")
        tmp = target.with_name(target.name + ".part")
        with tmp.open("wb") as fh:
            fh.write(frame_backup(body))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        return len(rows)

    @_serialised
    def import_backup(self, source: Path, name: str, passphrase: str) -> tuple[int, str | None]:
        """Open a backup with its passphrase and re-seal its entries into profile `name`
        (created with the same passphrase if missing). All or nothing. Returns (count, recovery
        key if a profile was created). Format-1 backups (no digest, no seal) still import."""
        damaged = f"backup {source} is damaged or was altered; nothing was imported"
        doc, version = read_backup(source, damaged)
        unb = base64.b64decode
        try:
            kdf = doc["kdf"]
            salt, memory, iterations, lanes = (
                unb(kdf["salt"]),
                int(kdf["memory_kib"]),
                int(kdf["iterations"]),
                int(kdf["lanes"]),
            )
            src_vault, src_pid = str(doc["vault_id"]), str(doc["profile_id"])
            # format 1 backups name no creation time; their (format-1) wraps do not use it
            src_name, src_created = str(doc["profile"]), str(doc.get("profile_created", ""))
            wrapped = unb(doc["wrapped_key"])
            backup_seal = unb(doc.pop("seal")) if version == 2 else b""
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Tampered(damaged) from exc
        kek = crypto.derive_kek(passphrase, salt, memory, iterations, lanes)
        try:
            where = wrap_place(src_vault, src_pid, src_name, src_created, "pass", salt, memory, iterations, lanes)
            key = crypto.try_unwrap(kek, wrapped, where)
        finally:
            crypto.wipe(kek)
        if key is None:
            raise WrongPassphrase(
                "wrong passphrase for this backup"
                if version == 2
                else "wrong passphrase for this backup (or its header is damaged: a format-1 backup cannot tell)"
            )
        if version == 2 and crypto.try_unwrap(key, backup_seal, _backup_place(doc)) != b"":
            raise Tampered(f"backup {source} is damaged or was altered (it fails its seal); nothing was imported")
        opened: list[Entry] = []
        try:
            mver = int(doc["manifest"]["version"])
            manifest = json.loads(
                open_sealed(key, unb(doc["manifest"]["sealed"]), manifest_place(src_vault, src_pid, mver))
            )
            for e in doc["entries"]:
                eid, ever, created, updated = str(e["id"]), int(e["version"]), str(e["created"]), str(e["updated"])
                if manifest.get(eid) != ever:
                    raise Tampered(f"backup {source} is damaged (entry {eid} does not match its index)")
                where = entry_place(src_vault, src_pid, eid, ever, created, updated, e.get("size"))
                opened.append(_decode_entry(eid, created, updated, 1, open_sealed(key, unb(e["sealed"]), where)))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise Tampered(damaged) from exc
        if len(opened) != len(manifest):
            raise Tampered(f"backup {source} is damaged (entries are missing)")
        recovery = None
        with transaction(self.conn):
            # One transaction, including a profile created for the backup: a crash or a full
            # disk leaves no empty profile whose recovery key nobody saw.
            if self.conn.execute("SELECT 1 FROM profiles WHERE name=?", (name.strip(),)).fetchone() is None:
                recovery, pid, new_key = self._insert_profile(name, passphrase)
                session = self._session(pid, name.strip(), new_key)
            else:
                session = self._unlock(name, passphrase, None, False)
            tkey = session.key()
            target_manifest, tver = self._read_manifest(session)
            count = 0
            for entry in opened:
                if (
                    entry.id not in target_manifest
                    and self.conn.execute("SELECT 1 FROM entries WHERE id=?", (entry.id,)).fetchone()
                ):
                    # the id belongs to another profile of this vault (a backup restored as a
                    # second profile): a stable new id, so a second import still adds nothing
                    entry.id = uuid.uuid5(uuid.NAMESPACE_URL, f"hearth:{session.profile_id}:{entry.id}").hex
                if entry.id in target_manifest:
                    continue  # importing the same backup twice changes nothing
                blob = self._seal_entry(tkey, session.profile_id, entry)
                self.conn.execute(
                    "INSERT INTO entries VALUES (?,?,?,?,?,?,?)",
                    (entry.id, session.profile_id, 1, entry.created, entry.updated, len(blob), blob),
                )
                target_manifest[entry.id] = 1
                count += 1
            self._write_manifest(session.profile_id, tkey, target_manifest, tver + 1)
        session.lock()
        return count, recovery

    # -- destruction -------------------------------------------------------------------------

    @_serialised
    def delete_all(self) -> None:
        """Destroy the wrapped keys first (the data is unreadable from that commit on), then
        the files."""
        if self.path is None or self.path.exists():
            conn = self.conn
            with transaction(conn):
                for (pid,) in conn.execute("SELECT id FROM profiles").fetchall():
                    conn.execute(
                        "UPDATE profiles SET wrapped_key=?, recovery_wrapped=? WHERE id=?",
                        (os.urandom(60), os.urandom(60), pid),
                    )
                conn.execute("DELETE FROM space_keys")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.close()
        if self.path is None:
            return
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
