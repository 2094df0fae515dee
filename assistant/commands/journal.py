"""`hearth journal ...`: the encrypted journal, one verb per action, each calling the journal service."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.commands.common import json_option, out_json, passphrase, read_jsonl, services
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.journal.vault import VaultSession
    from assistant.services import Services

profile_option = click.option("--profile", default="me", show_default=True, help="whose journal")


def _open(profile: str) -> tuple[Services, VaultSession]:
    from assistant.journal import service as journal

    svc = services()
    session = journal.unlock(svc, profile, passphrase(), recovery_key=os.environ.get("HEARTH_RECOVERY_KEY"))
    return svc, session


def _confirm(yes: bool, what: str, word: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UsageError(f"{what} needs --yes when not run in a terminal")
    if input(f"Type {word} to {what}: ").strip() != word:
        raise UsageError("not confirmed; nothing was deleted")


@click.group("journal")
def journal_group() -> None:
    """The encrypted journal: entries sealed at rest, read on this device for patterns."""


@journal_group.command("init")
@profile_option
def init(profile: str) -> None:
    """Create a profile protected by a passphrase; prints its recovery key once."""
    from assistant.journal import service as journal

    recovery = journal.init_profile(services(), profile, passphrase(confirm=True))
    click.echo(f"profile '{profile}' created.")
    click.echo("Recovery key (shown once; print it or store it somewhere safe):")
    click.echo(recovery)


@journal_group.command("add")
@profile_option
@click.option("--text", help="the entry (default: read it from stdin)")
@json_option
def add(profile: str, text: str | None, as_json: bool) -> None:
    """Write an entry; Hearth seals it and says what it noticed."""
    from assistant.journal import service as journal
    from assistant.journal.describe import describe

    svc, session = _open(profile)
    added = journal.add_entry(svc, session, text if text is not None else sys.stdin.read())
    if as_json:
        out_json({"id": added.id, "created": added.created, **added.analysis.as_json()})
        return
    click.echo(f"saved entry {added.id[:8]} ({added.created})")
    for line in describe(added.analysis, svc.classifier.taxonomy, svc.resources, svc.settings.region, _titles(svc)):
        click.echo(line)


def _titles(svc: Services):  # type: ignore[no-untyped-def]
    def title(article_id: str) -> str:
        art = svc.corpus.get(article_id)
        return art.title if art else article_id

    return title


@journal_group.command("list")
@profile_option
@json_option
def list_(profile: str, as_json: bool) -> None:
    """List entries, newest last (short ids work everywhere an id is asked for)."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    entries = journal.list_entries(svc, session)
    if as_json:
        out_json([{"id": e.id, "created": e.created, "text": e.text} for e in entries])
        return
    if not entries:
        click.echo(f"no entries yet in '{profile}' (hearth journal add --profile {profile})")
    for e in entries:
        first = e.text.strip().splitlines()[0] if e.text.strip() else ""
        click.echo(f"{e.id[:8]}  {e.created}  {first[:60]}")


@journal_group.command("show")
@click.argument("entry_id")
@profile_option
@json_option
def show(entry_id: str, profile: str, as_json: bool) -> None:
    """Show one entry by its id or a unique start of it."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    e = journal.get_entry(svc, session, journal.resolve_id(svc, session, entry_id))
    if as_json:
        out_json(e.as_json())
        return
    click.echo(e.text)


@journal_group.command("delete")
@click.argument("entry_id")
@profile_option
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def delete(entry_id: str, profile: str, yes: bool) -> None:
    """Delete one entry (by id or a unique start of it)."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    full = journal.resolve_id(svc, session, entry_id)
    _confirm(yes, f"delete entry {full[:8]}", "DELETE")
    shared = journal.delete_entry(svc, session, full)
    click.echo(
        f"deleted entry {full[:8]}" + (f" and its {shared} shared cop{'y' if shared == 1 else 'ies'}" if shared else "")
    )


@journal_group.command("rekey")
@profile_option
def rekey(profile: str) -> None:
    """Change the passphrase (HEARTH_NEW_PASSPHRASE when there is no terminal)."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    new = passphrase(env="HEARTH_NEW_PASSPHRASE", prompt="New passphrase: ", confirm=True)
    journal.rekey(svc, session, new)
    click.echo("passphrase changed")


@journal_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@profile_option
def export(file: Path, profile: str) -> None:
    """Write an encrypted backup of the profile to FILE."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    n = journal.export_backup(svc, session, file)
    click.echo(f"exported {n} entries to {file} (encrypted)")


@journal_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@profile_option
def import_(file: Path, profile: str) -> None:
    """Restore an encrypted backup into a new profile (the backup's passphrase)."""
    from assistant.journal import service as journal

    n = journal.import_backup(services(), file, profile, passphrase())
    click.echo(f"imported {n} entries into profile '{profile}'")


@journal_group.command("delete-all")
@click.option("--yes", is_flag=True, help="confirm without asking")
def delete_all(yes: bool) -> None:
    """Destroy every journal on this machine."""
    from assistant.journal import service as journal

    _confirm(yes, "destroy every journal on this machine", "DELETE")
    journal.delete_all(services())
    click.echo("all journals destroyed")


@journal_group.command("classify")
@click.option("--jsonl", is_flag=True, help='read {"id", "text"} lines on stdin, write one analysis per line')
def classify(jsonl: bool) -> None:
    """Read text on stdin for patterns without saving anything."""
    svc = services()
    if not jsonl:
        text = sys.stdin.read()
        if not text.strip():
            raise UsageError("classify reads an entry on stdin; it was empty")
        out_json(svc.classifier.classify(text).as_json())
        return
    clf = svc.classifier
    for obj in read_jsonl(("id", "text")):
        out_json({"id": obj["id"], **clf.classify(str(obj["text"])).as_json()})


@journal_group.command("insights")
@profile_option
@json_option
def insights(profile: str, as_json: bool) -> None:
    """What recurs across your entries, week by week."""
    from assistant.journal import service as journal
    from assistant.journal.describe import insight_lines

    svc, session = _open(profile)
    data = journal.insights(svc, session)
    if as_json:
        out_json(data)
        return
    for line in insight_lines(data, svc.taxonomy, _titles(svc), profile):
        click.echo(line)


@journal_group.command("feedback")
@click.argument("entry_id")
@click.argument("label")
@click.argument("mark", type=click.Choice(["fits", "doesnt-fit"]))
@profile_option
def feedback(entry_id: str, label: str, mark: str, profile: str) -> None:
    """Mark one finding of an entry: it fits, or it doesn't; Hearth adapts for this profile only."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    full = journal.resolve_id(svc, session, entry_id)
    for line in journal.feedback(svc, session, full, label, mark):
        click.echo(line)


@journal_group.command("calibration")
@profile_option
@json_option
def calibration(profile: str, as_json: bool) -> None:
    """What Hearth has learned from this profile's fits / doesn't-fit marks."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    cal = journal.calibration_of(svc, session)
    if as_json:
        out_json(cal.as_json())
        return
    for line in cal.as_json()["changes"] or ["No marks yet: Hearth reads your entries as it does for everyone."]:
        click.echo(line)


@journal_group.command("feedback-reset")
@profile_option
def feedback_reset(profile: str) -> None:
    """Forget every fits / doesn't-fit mark of this profile (and what Hearth learned from them)."""
    from assistant.journal import service as journal

    svc, session = _open(profile)
    n = journal.reset_feedback(svc, session)
    click.echo(f"forgot {n} mark{'' if n == 1 else 's'}; Hearth reads your entries as it does for everyone again")
