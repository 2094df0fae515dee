"""Who the facilitator is. The name stays reserved even if that profile is deleted, so nobody can
enrol under it later and inherit the facilitator's view."""

from __future__ import annotations

from assistant.workshop.store import WorkshopDB


class Roster:
    def __init__(self, db: WorkshopDB) -> None:
        self.db = db

    def set_facilitator(self, name: str) -> None:
        with self.db.lock:
            self.db.conn.execute("INSERT OR REPLACE INTO roles VALUES (?, 'facilitator')", (name,))

    def is_facilitator(self, name: str | None) -> bool:
        if not name:
            return False
        with self.db.lock:
            row = self.db.conn.execute("SELECT 1 FROM roles WHERE name = ? AND role = 'facilitator'", (name,))
            return row.fetchone() is not None

    def facilitators(self) -> list[str]:
        with self.db.lock:
            return [r[0] for r in self.db.conn.execute("SELECT name FROM roles WHERE role = 'facilitator'")]
