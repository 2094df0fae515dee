"""`hearth ask`: one question to the coach (or many, as JSONL on stdin)."""

from __future__ import annotations

import sys

import click

from assistant.commands.common import json_option, model_option, out_json, read_jsonl, services
from assistant.errors import UsageError


@click.command("ask")
@model_option
@click.argument("question", nargs=-1)
@json_option
@click.option("--jsonl", is_flag=True, help='read {"id", "question"} lines on stdin, write one answer per line')
def ask(question: tuple[str, ...], as_json: bool, jsonl: bool) -> None:
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
    coach = services().coach
    if as_json:
        out_json(coach.ask(text).as_json())
        return
    for event in coach.stream(text):
        if event.text:
            sys.stdout.write(event.text)
            sys.stdout.flush()
    sys.stdout.write("\n")
