"""`hearth memory ...`: the facts you chose to keep (sealed under your profile), to see, edit, delete."""

from __future__ import annotations

import sys

import click

from assistant.commands.common import out_json, passphrase, services
from assistant.together.memory import KINDS


def _session(profile: str):  # type: ignore[no-untyped-def]
    svc = services()
    return svc, svc.vaults.unlock(profile, passphrase(prompt=f"Passphrase for '{profile}': "))


@click.group("memory")
def memory_group() -> None:
    """What Hearth keeps about you and your relationship: only what you chose, sealed."""


@memory_group.command("list", help="Everything kept for this profile, with ids.")
@click.option("--profile", required=True)
@click.option("--json", "as_json", is_flag=True)
def list_(profile: str, as_json: bool) -> None:
    svc, s = _session(profile)
    facts = svc.together.memories(s)
    if as_json:
        out_json([f.as_json() for f in facts])
        return
    for f in facts:
        click.echo(f"{f.id}  {f.label}: {f.value}")
    if not facts:
        click.echo("nothing kept yet")


@memory_group.command("add", help="Keep a fact (sealed under your passphrase).")
@click.option("--profile", required=True)
@click.option("--kind", required=True, type=click.Choice(list(KINDS)), help="What kind of fact.")
@click.option("--value", required=True)
def add(profile: str, kind: str, value: str) -> None:
    svc, s = _session(profile)
    fact = svc.together.remember(s, kind, value)
    click.echo(f"kept {fact.id}  {fact.label}: {fact.value}")


@memory_group.command("edit", help="Change a kept fact.")
@click.argument("fact_id")
@click.option("--profile", required=True)
@click.option("--value", required=True)
@click.option("--kind", type=click.Choice(list(KINDS)), help="Change the kind too.")
def edit(fact_id: str, profile: str, value: str, kind: str | None) -> None:
    svc, s = _session(profile)
    fact = svc.together.edit_memory(s, fact_id, value, kind)
    click.echo(f"changed {fact.id}  {fact.label}: {fact.value}")


@memory_group.command("delete", help="Delete a kept fact.")
@click.argument("fact_id")
@click.option("--profile", required=True)
def delete(fact_id: str, profile: str) -> None:
    svc, s = _session(profile)
    svc.together.forget(s, fact_id)
    click.echo(f"deleted {fact_id}")


@memory_group.command("suggest", help="Facts Hearth noticed in a text; each is kept only after your yes.")
@click.option("--profile", required=True)
@click.option("--text", required=True)
@click.option("--yes", "yes_all", is_flag=True, help="Without a terminal: yes to every suggestion shown.")
def suggest(profile: str, text: str, yes_all: bool) -> None:
    svc, s = _session(profile)
    for sug in svc.together.suggest_memory(s, text):
        if yes_all:
            keep = True
        elif sys.stdin.isatty():
            keep = click.confirm(sug.prompt, default=False)
        else:
            click.echo(f"{sug.prompt} (not kept: run in a terminal to answer, or add --yes)")
            keep = False
        if keep:
            fact = svc.together.accept(s, sug)
            click.echo(f"kept {fact.id}  {fact.label}: {fact.value}")
