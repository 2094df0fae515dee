"""`hearth workshop add NAME` and `hearth workshop code`: the facilitator's two commands."""

from __future__ import annotations

import click

from assistant.commands.common import passphrase, services


@click.group("workshop")
def workshop_group() -> None:
    """Accounts for a workshop on a LAN (see `hearth ui --host`)."""


@workshop_group.command("add")
@click.argument("name")
@click.option("--facilitator", is_flag=True, help="this account sees the workshop's counts")
def add(name: str, facilitator: bool) -> None:
    """Create an account (a profile with its own vault) for a participant."""
    from assistant.workshop import service

    recovery = service.add_participant(services(), name, passphrase(confirm=True), facilitator=facilitator)
    role = "facilitator" if facilitator else "participant"
    click.echo(f"{role} '{name.strip()}' created; they log in with this name and the passphrase.")
    click.echo(f"Recovery key (shown once; give it to them or keep it safe): {recovery}")


@workshop_group.command("code")
@click.option("--minutes", type=click.IntRange(min=1), help="how long each code works (default 15)")
@click.option("--count", type=click.IntRange(min=1), default=1, show_default=True, help="how many codes to print")
def code(minutes: int | None, count: int) -> None:
    """Print one-time enrolment codes participants type at /enrol."""
    svc = services()
    minutes = minutes or svc.settings.workshop_code_minutes
    for _ in range(count):
        click.echo(svc.enrol_codes.issue(minutes))
    click.echo(f"each code works once, for {minutes} minutes, at /enrol on the workshop's address")
