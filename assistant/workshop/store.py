"""The workshop's own small SQLite file (`workshop.sqlite3` beside the vault).

Kept apart from `journal.sqlite3` on purpose: it holds no journal data and no key material,
only digests of enrol codes, which profile name is the facilitator's and how many wrong codes
each client address has typed, so the vault's
format and migrations stay untouched. `None` as the path keeps it in memory (session mode)."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (digest TEXT PRIMARY KEY, expires REAL NOT NULL, used INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS roles (name TEXT PRIMARY KEY, role TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS enrol_failures (client TEXT PRIMARY KEY, failures INTEGER NOT NULL, last REAL NOT NULL);
"""


class WorkshopDB:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.Lock()  # the app's handlers run in a thread pool
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
            os.close(fd)
            os.chmod(path, 0o600)
        # isolation_level=None: transactions are the explicit BEGIN IMMEDIATE of each writer,
        # so two processes (the app and `hearth workshop code`) never interleave a redeem.
        self.conn = sqlite3.connect(
            str(path) if path else ":memory:", isolation_level=None, check_same_thread=False, timeout=10
        )
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()
