"""`hearth ask`: one question to the coach (or many, as JSONL on stdin)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from assistant.commands.common import json_option, model_option, out_json, read_jsonl, services
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.services import Services


@click.command("ask")
@model_option
@click.argument("question", nargs=-1)
@json_option
@click.option("--jsonl", is_flag=True, help='read {"id", "question"} lines on stdin, write one answer per line')
@click.option("--profile", help="personalise the answer from this profile's memory (names instead of 'your partner')")
def ask(question: tuple[str, ...], as_json: bool, jsonl: bool, profile: str | None) -> None:
    """Ask the coach a question; the answer streams, with its sources."""
    if jsonl:
        coach = services().coach
        coach.warm()
        for obj in read_jsonl(("id", "question")):
            out_json({"id": obj["id"], **coach.ask(str(obj["question"])).as_json()})
        return
    if not question:
        raise UsageError("ask needs a QUESTION (or --jsonl on stdin)")
    text = " ".join(question)
    if not text.strip():
        raise UsageError("the question is empty")
    svc = services()
    coach = svc.coach
    if profile:
        _ask_personalised(svc, profile, text, as_json)
        return
    if as_json:
        out_json(coach.ask(text).as_json())
        return
    for event in coach.stream(text):
        if event.text:
            sys.stdout.write(event.text)
            sys.stdout.flush()
    sys.stdout.write("\n")


def _ask_personalised(svc: Services, profile: str, text: str, as_json: bool) -> None:
    """The whole answer first (a name must not be split across streamed pieces), then the
    memory's names and context (assistant/together/memory.py); safety answers stay as they are."""
    from assistant.commands.common import passphrase

    session = svc.vaults.unlock(profile, passphrase(prompt=f"Passphrase for '{profile}': "))
    answer = svc.coach.ask(text)
    data = answer.as_json()
    if answer.safety == "none":
        data["answer"] = svc.together.personalise(session, answer.text)
    # Facts the question seems to state: offered, never kept without `hearth memory add` (a yes).
    offers = [sg.prompt for sg in svc.together.suggest_memory(session, text)]
    if as_json:
        out_json({**data, "memory_suggestions": offers})
        return
    click.echo(data["answer"])
    for prompt in offers:
        click.echo(f"{prompt} (to keep it: hearth memory suggest --profile {profile} --text ...)", err=True)
