"""What the CLI and the web app call for a workshop: adding a participant, enrolling with a
code, the facilitator's counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.errors import HearthError, VaultError
from assistant.journal.vault import check_profile_name
from assistant.workshop.counts import Activity, Counts

if TYPE_CHECKING:
    from assistant.services import Services


class EnrolRefused(HearthError):
    exit_code = 11


def add_participant(svc: Services, name: str, passphrase: str, *, facilitator: bool = False) -> str:
    """Create a participant's profile (its own vault key); returns its recovery key."""
    name = check_profile_name(name)
    if not facilitator and svc.roster.is_facilitator(name):
        raise VaultError(f"'{name}' is the facilitator's name; choose another")
    recovery = svc.vaults.create_profile(name, passphrase)
    if facilitator:
        svc.roster.set_facilitator(name)
    return recovery


def enrol(svc: Services, code: str, name: str, passphrase: str, client: str | None = None) -> str:
    """A participant creates their own profile with a one-time code; returns the recovery key.
    `client`: the peer's address, for the wrong-code backoff."""
    name = check_profile_name(name)
    if len(passphrase) < 8:
        raise VaultError("choose a passphrase of at least 8 characters")
    if svc.roster.is_facilitator(name):
        raise VaultError(f"'{name}' is taken; choose another name")
    if not svc.enrol_codes.redeem(code, client):
        raise EnrolRefused("that code is unknown, already used or expired; ask the facilitator for a new one")
    try:
        return svc.vaults.create_profile(name, passphrase)
    except HearthError:
        svc.enrol_codes.release(code)
        raise


def counts(svc: Services, activity: Activity, queue_length: int) -> Counts:
    participants = [n for n in svc.vaults.profiles() if not svc.roster.is_facilitator(n)]
    return Counts(len(participants), activity.logged_in(), activity.questions, queue_length)
