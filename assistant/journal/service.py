"""What the CLI and the UI call for the journal: one function per user action."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import UsageError, VaultError
from assistant.journal.classifier import Analysis
from assistant.journal.vault import Entry, VaultSession

if TYPE_CHECKING:
    from assistant.journal.calibration import Calibration
    from assistant.services import Services


@dataclass(frozen=True)
class Added:
    entry: Entry
    analysis: Analysis
    shared: int = 0  # an edit: how many copies in shared spaces now hold the new text
    withdrawn: int = 0  # an edit: how many copies were taken out of shared spaces instead

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def created(self) -> str:
        return self.entry.created


def init_profile(svc: Services, profile: str, passphrase: str) -> str:
    """Create a profile; returns its recovery key (to show once)."""
    return svc.vaults.create_profile(profile, passphrase)


def unlock(
    svc: Services,
    profile: str,
    passphrase: str,
    recovery_key: str | None = None,
    *,
    client: str | None = None,
    hide_missing: bool = False,
) -> VaultSession:
    """`client` keys the unlock backoff to one browser; `hide_missing` answers an unknown
    profile exactly like a wrong passphrase (the web app: names are not probed)."""
    return svc.vaults.unlock(profile, passphrase, recovery_key=recovery_key, client=client, hide_missing=hide_missing)


def profiles(svc: Services) -> list[str]:
    return svc.vaults.profiles()


# -- shared spaces: both partners present, one entry shared at a time ---------------------------


def spaces(svc: Services, session: VaultSession) -> dict[str, list[str]]:
    """This profile's shared spaces, each with the names of its other members."""
    return svc.vaults.space_partners(session)


def open_space(svc: Services, session: VaultSession, partner: VaultSession) -> str:
    """The couple's one space (made on the first call, found again after)."""
    existing = [sid for sid, names in spaces(svc, session).items() if names == [partner.name]]
    return existing[0] if existing else svc.vaults.create_space(session, partner)


def space_entries(svc: Services, session: VaultSession, space_id: str) -> list[dict[str, str]]:
    return svc.vaults.space_entries(session, space_id)


def share_entry(svc: Services, session: VaultSession, space_id: str, entry_id: str) -> str:
    return svc.vaults.share(session, space_id, entry_id)


MAX_ENTRY_CHARS = 20_000  # about eight pages; a longer text is refused before any work


MAX_TITLE_CHARS = 120
MAX_TAGS = 12


def _check_text(text: str) -> None:
    if not text or not text.strip():
        raise VaultError("the entry is empty; nothing was saved")
    if len(text) > MAX_ENTRY_CHARS:
        raise VaultError(
            f"an entry holds up to {MAX_ENTRY_CHARS:,} characters and this one has {len(text):,}; "
            "split it into two entries (nothing was saved)"
        )


def clean_tags(tags: str | list[str] | None) -> list[str]:
    """Tags as the person typed them ("work, Sunday talk"): trimmed, lower case, no repeats."""
    raw = tags.split(",") if isinstance(tags, str) else list(tags or [])
    out = list(dict.fromkeys(t.strip().lstrip("#").strip().lower() for t in raw if t.strip().lstrip("#").strip()))
    if len(out) > MAX_TAGS or any(len(t) > 40 for t in out):
        raise UsageError(f"up to {MAX_TAGS} tags of up to 40 characters each (nothing was saved)")
    return out


def _clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if len(title) > MAX_TITLE_CHARS:
        raise UsageError(f"a title holds up to {MAX_TITLE_CHARS} characters (nothing was saved)")
    return title


def add_entry(
    svc: Services,
    session: VaultSession,
    text: str,
    *,
    title: str = "",
    mood: str = "",
    tags: str | list[str] | None = None,
) -> Added:
    """Classify on the device, then store the entry and its analysis sealed together (the title,
    mood and tags too: everything a person writes is sealed)."""
    _check_text(text)
    title, tag_list = _clean_title(title), clean_tags(tags)
    session.key()  # fail on a locked session before doing any work
    shifts, names = personal_context(svc, session)
    analysis = svc.classifier.classify(text, shifts, names)
    entry = svc.vaults.add(session, text, title=title, tags=tag_list, mood=mood.strip(), analysis=analysis.as_json())
    return Added(entry, analysis)


def edit_entry(
    svc: Services,
    session: VaultSession,
    entry_id: str,
    text: str,
    *,
    title: str = "",
    mood: str = "",
    tags: str | list[str] | None = None,
) -> Added:
    """Change an entry: read again on the device (feedback marks go: they were about the old
    words), sealed in place of the old version, which is gone from the files too."""
    _check_text(text)
    title, tag_list = _clean_title(title), clean_tags(tags)
    entry = svc.vaults.get(session, entry_id)
    # The profile's own context, without the old version of this very entry.
    shifts, names = personal_context(svc, session, without=entry_id)
    analysis = svc.classifier.classify(text, shifts, names)
    entry.text, entry.title, entry.mood, entry.tags = text, title, mood.strip(), tag_list
    entry.analysis = analysis.as_json()
    # Its copies in shared spaces take the new text too, unless the new words carry a crisis or
    # abuse sign: a disclosure added to a shared entry must never reach the partner's view (the
    # partner may be the one it is about), so those copies are taken out of the space instead.
    if analysis.safety != "none":
        return Added(entry, analysis, withdrawn=svc.vaults.replace(session, entry, withdraw=True))
    return Added(entry, analysis, svc.vaults.replace(session, entry))


def restore_entry(svc: Services, session: VaultSession, entry: Entry) -> Entry:
    """Undo a delete: the entry (held in this session's memory only) sealed again, as it was."""
    return svc.vaults.add(
        session, entry.text, title=entry.title, tags=entry.tags, mood=entry.mood, analysis=entry.analysis,
        created=entry.created,
    )  # fmt: skip


def search_entries(svc: Services, session: VaultSession, query: str) -> list[Entry]:
    """Entries whose text, title, mood or tags hold every word of `query` (any case), newest
    first. Decrypted in memory for this call only: there is no index on disk to leak."""
    words = query.lower().split()
    found = []
    for e in list_entries(svc, session):
        hay = " ".join([e.text, e.title, e.mood, *e.tags, *(f"#{t}" for t in e.tags)]).lower()
        if all(w in hay for w in words):
            found.append(e)
    return sorted(found, key=lambda e: (e.created, e.id), reverse=True)


def personal_context(
    svc: Services, session: VaultSession, without: str | None = None
) -> tuple[dict[str, float], set[str]]:
    """This profile's own threshold shifts (from its feedback marks) and the names seen in its
    earlier entries; read from its sealed entries only, so no profile affects another. `without`:
    an entry left out (an edit must not learn from the version it replaces)."""
    from assistant.journal import calibration
    from assistant.journal.who import names_in

    entries = [e for e in svc.vaults.list(session).entries if e.id != without]
    return calibration.learn(e.analysis for e in entries).shifts, names_in(e.text for e in entries)


def list_entries(svc: Services, session: VaultSession) -> list[Entry]:
    listing = svc.vaults.list(session)
    if listing.damaged:
        print(f"hearth: warning: {len(listing.damaged)} damaged or tampered entries were skipped", file=sys.stderr)
    return listing.entries


def get_entry(svc: Services, session: VaultSession, entry_id: str) -> Entry:
    return svc.vaults.get(session, entry_id)


def delete_entry(svc: Services, session: VaultSession, entry_id: str) -> int:
    """Delete an entry and its copies in shared spaces; returns how many copies went with it."""
    return svc.vaults.delete(session, entry_id)


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
    """Every profile, and with them what the web app exported and the workshop's roster of names.

    What stays in the data folder is built from Hearth's own files, never from what a person
    wrote: the knowledge index (index/) and the trained heads (cache/)."""
    import shutil

    svc.vaults.delete_all()
    svc.together.store.destroy()  # Together's file, sealed under keys derived from the vault's
    shutil.rmtree(svc.settings.gradio_tmp, ignore_errors=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(svc.settings.workshop_path) + suffix).unlink(missing_ok=True)


def export_name(profile: str) -> str:
    """The file name the web app gives a profile's backup (so deleting the profile can find it)."""
    return f"hearth-{profile.replace(' ', '_')}.backup"


def remove_exports(svc: Services, profile: str, base: Path | None = None) -> int:
    """Delete the backups of `profile` the web app left in its temp folder; returns how many."""
    gone = 0
    for f in (base or svc.settings.gradio_tmp).glob(f"*/{export_name(profile)}"):
        f.unlink(missing_ok=True)
        gone += 1
    return gone


def insights(svc: Services, session: VaultSession, region: str | None = None) -> dict[str, Any]:
    """Trends from the findings stored with each entry (the classifier is not run, nor loaded);
    every article offered carries its title, to be named and opened by it."""
    from assistant.journal.insights import compute

    entries = svc.vaults.list(session).entries
    where = region or svc.settings.region
    data = compute(entries, svc.taxonomy, svc.resources, where, svc.practice.exercises)

    def title(article_id: str) -> str:
        art = svc.corpus.get(article_id)
        return art.title if art else ""

    for r in data["read_next"]:
        r["title"] = title(r["article_id"])
    if data["try_next"]:
        data["try_next"]["article_title"] = title(data["try_next"]["article_id"])
    return data


def feedback(svc: Services, session: VaultSession, entry_id: str, label: str, mark: str) -> list[str]:
    """Mark one finding of an entry "fits" or "doesnt-fit" (sealed with the entry); returns what
    changed for this profile, in words."""
    from assistant.journal import calibration

    if mark not in calibration.MARKS:
        raise UsageError(f"the mark must be one of {', '.join(calibration.MARKS)}, not {mark!r}")
    entry = svc.vaults.get(session, entry_id)
    shown = {f["label"] for f in entry.analysis.get("flags", []) + entry.analysis.get("strengths", [])}
    if label not in shown:
        raise UsageError(
            f"entry {entry_id} has no finding {label!r}; its findings are: {', '.join(sorted(shown)) or 'none'}"
        )
    score = next(f["score"] for f in entry.analysis["flags"] + entry.analysis["strengths"] if f["label"] == label)
    marks = dict(entry.analysis.get("feedback") or {})
    marks[label] = {"mark": mark, "score": score}
    entry.analysis = {**entry.analysis, "feedback": marks}
    svc.vaults.update(session, entry)
    return calibration.describe(calibration_of(svc, session))


def calibration_of(svc: Services, session: VaultSession) -> Calibration:
    from assistant.journal import calibration

    return calibration.learn(e.analysis for e in svc.vaults.list(session).entries)


def reset_feedback(svc: Services, session: VaultSession) -> int:
    """Forget every mark of this profile (the calibration goes back to none); returns how many."""
    from assistant.journal.calibration import marks_of

    cleared = 0
    for entry in svc.vaults.list(session).entries:
        n = len(marks_of(entry.analysis))
        if "feedback" in entry.analysis:
            entry.analysis = {k: v for k, v in entry.analysis.items() if k != "feedback"}
            svc.vaults.update(session, entry)
            cleared += n
    return cleared


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
