"""What the CLI and the UI call for the journal: one function per user action."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import VaultError
from assistant.journal.classifier import Analysis
from assistant.journal.vault import Entry, VaultSession

if TYPE_CHECKING:
    from assistant.services import Services


@dataclass(frozen=True)
class Added:
    entry: Entry
    analysis: Analysis

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def created(self) -> str:
        return self.entry.created


def init_profile(svc: Services, profile: str, passphrase: str) -> str:
    """Create a profile; returns its recovery key (to show once)."""
    return svc.vaults.create_profile(profile, passphrase)


def unlock(svc: Services, profile: str, passphrase: str, recovery_key: str | None = None) -> VaultSession:
    return svc.vaults.unlock(profile, passphrase, recovery_key=recovery_key)


MAX_ENTRY_CHARS = 20_000  # about eight pages; a longer text is refused before any work


def add_entry(svc: Services, session: VaultSession, text: str) -> Added:
    """Classify on the device, then store the entry and its analysis sealed together."""
    if not text or not text.strip():
        raise VaultError("the entry is empty; nothing was saved")
    if len(text) > MAX_ENTRY_CHARS:
        raise VaultError(
            f"an entry holds up to {MAX_ENTRY_CHARS:,} characters and this one has {len(text):,}; "
            "split it into two entries (nothing was saved)"
        )
    session.key()  # fail on a locked session before doing any work
    analysis = svc.classifier.classify(text)
    entry = svc.vaults.add(session, text, analysis=analysis.as_json())
    return Added(entry, analysis)


def list_entries(svc: Services, session: VaultSession) -> list[Entry]:
    listing = svc.vaults.list(session)
    if listing.damaged:
        print(f"hearth: warning: {len(listing.damaged)} damaged or tampered entries were skipped", file=sys.stderr)
    return listing.entries


def get_entry(svc: Services, session: VaultSession, entry_id: str) -> Entry:
    return svc.vaults.get(session, entry_id)


def delete_entry(svc: Services, session: VaultSession, entry_id: str) -> None:
    svc.vaults.delete(session, entry_id)


def rekey(svc: Services, session: VaultSession, new_passphrase: str) -> None:
    svc.vaults.change_passphrase(session, new_passphrase)


def export_backup(svc: Services, session: VaultSession, path: Path) -> int:
    return svc.vaults.export(session, path)


def import_backup(svc: Services, path: Path, profile: str, passphrase: str) -> int:
    count, recovery = svc.vaults.import_backup(path, profile, passphrase)
    if recovery:
        print(f"profile '{profile}' created; its recovery key (shown once): {recovery}")
    return count


def delete_all(svc: Services) -> None:
    svc.vaults.delete_all()


def insights(svc: Services, session: VaultSession) -> dict[str, Any]:
    from assistant.journal.insights import compute

    entries = svc.vaults.list(session).entries
    return compute(entries, svc.classifier.taxonomy, svc.resources, svc.settings.region)


def resolve_id(svc: Services, session: VaultSession, given: str) -> str:
    """An entry id from its full form or a unique start of it (`journal show 3f2a`)."""
    given = given.strip()
    if len(given) < 4:
        raise VaultError("give at least the first 4 characters of the entry id (see `hearth journal list`)")
    ids = [e.id for e in svc.vaults.list(session).entries]
    if given in ids:
        return given
    found = [i for i in ids if i.startswith(given)]
    if not found:
        raise VaultError(f"no entry {given} in profile '{session.name}'")
    if len(found) > 1:
        raise VaultError(f"{len(found)} entries start with {given}; give more of the id")
    return found[0]
