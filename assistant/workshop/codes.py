"""One-time enrol codes: the facilitator shows one, a participant types it once to create their
own profile with their own passphrase.

A code is 8 characters from an alphabet without look-alikes (about 40 bits), shown as
`ABCD-EFGH`. Only its SHA-256 is stored: a copy of the workshop file lets nobody enrol. A code
works once and only until it expires; redeeming is one conditional UPDATE, so two people typing
the same code at the same moment cannot both get in. Wrong codes back off per client address
with the vault's policy (assistant/backoff.py): 40 bits are too many to guess in 15 minutes at
that pace, and the count survives a restart."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from assistant import backoff
from assistant.errors import TooManyAttempts
from assistant.workshop.store import WorkshopDB

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
LENGTH = 8


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


class EnrolCodes:
    def __init__(self, db: WorkshopDB, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock

    def issue(self, minutes: float) -> str:
        """A fresh code valid for `minutes`; returns it for display (it is not stored)."""
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        with self.db.lock:
            now = self.clock()
            self.db.conn.execute("DELETE FROM codes WHERE expires < ?", (now,))  # old codes go
            self.db.conn.execute("INSERT INTO codes VALUES (?, ?, 0)", (_digest(raw), now + minutes * 60))
        return f"{raw[:4]}-{raw[4:]}"

    def redeem(self, code: str, client: str | None = None) -> bool:
        """Use the code up; False if it is unknown, used or expired. `client` (the peer's
        address): after a few wrong codes from it, further tries wait (TooManyAttempts)."""
        with self.db.lock:
            now = self.clock()
            if client is not None:
                row = self.db.conn.execute(
                    "SELECT failures, last FROM enrol_failures WHERE client = ?", (client,)
                ).fetchone()
                wait = backoff.wait_after(row[0], row[1], now) if row else 0.0
                if wait > 0:
                    raise TooManyAttempts(f"too many wrong codes; try again in {wait:.0f} s")
            ok = len(normalise(code)) == LENGTH and (
                self.db.conn.execute(
                    "UPDATE codes SET used = 1 WHERE digest = ? AND used = 0 AND expires >= ?", (_digest(code), now)
                ).rowcount
                == 1
            )
            if client is not None:
                if ok:
                    self.db.conn.execute("DELETE FROM enrol_failures WHERE client = ?", (client,))
                else:
                    self.db.conn.execute(
                        "INSERT INTO enrol_failures VALUES (?, 1, ?) ON CONFLICT(client) "
                        "DO UPDATE SET failures = failures + 1, last = excluded.last",
                        (client, now),
                    )
        return ok

    def release(self, code: str) -> None:
        """Give a redeemed code back when the profile it was for could not be created (name
        taken, passphrase too short), so a typo does not cost the participant their code."""
        with self.db.lock:
            self.db.conn.execute("UPDATE codes SET used = 0 WHERE digest = ?", (_digest(code),))

    def active(self) -> int:
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT COUNT(*) FROM codes WHERE used = 0 AND expires >= ?", (self.clock(),)
            ).fetchone()
        return int(row[0])
