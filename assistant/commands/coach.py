"""`hearth ask`: one question to the coach (or many, as JSONL on stdin); `hearth chat`: a conversation."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from assistant.commands.common import json_option, model_option, out_json, read_jsonl, services
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.coach import Answer, Coach
    from assistant.conversation import Conversation
    from assistant.services import Services

ROLES = ("user", "assistant")


def _history(obj: dict, lineno: int) -> list[dict[str, Any]]:
    """A line's optional "history": [{"role": "user"|"assistant", "content": str}, ...]."""
    history = obj.get("history", [])
    if not isinstance(history, list) or not all(
        isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str) for m in history
    ):
        raise UsageError(
            f'stdin line {lineno}: "history" must be a list of {{"role": "user"|"assistant", "content": "..."}}'
        )
    return history


@click.command("ask")
@model_option
@click.argument("question", nargs=-1)
@json_option
@click.option(
    "--jsonl",
    is_flag=True,
    help='read {"id", "question", optional "history"} lines on stdin, write one answer per line',
)
@click.option("--profile", help="personalise the answer from this profile's memory (names instead of 'your partner')")
def ask(question: tuple[str, ...], as_json: bool, jsonl: bool, profile: str | None) -> None:
    """Ask the coach a question; the answer streams, with its sources.

    With --jsonl, a line's "history" (earlier messages of the conversation, each {"role": "user" or
    "assistant", "content": ...}) is the context the line's question is answered in."""
    if jsonl:
        coach = services().coach
        coach.warm()
        for lineno, obj in enumerate(read_jsonl(("id", "question")), 1):
            history = _history(obj, lineno)
            conv = coach.conversation_from(history) if history else None
            out_json({"id": obj["id"], **coach.ask(str(obj["question"]), conversation=conv).as_json()})
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


CHAT_HELP = "Type your message. /new starts a new conversation, /sources shows the last answer's sources, /quit ends."


def _say(coach: Coach, conv: Conversation, text: str) -> Answer | None:
    answer = None
    for event in coach.stream(text, conversation=conv):
        if event.answer is not None:
            answer = event.answer
        elif event.text:
            sys.stdout.write(event.text)
            sys.stdout.flush()
    sys.stdout.write("\n")
    if answer is not None and answer.choices:
        sys.stdout.write("(type a number to choose)\n")
    return answer


@click.command("chat")
@model_option
def chat() -> None:
    """A conversation with the coach in the terminal, streamed; reads one message per line."""
    from assistant.conversation import Conversation
    from assistant.errors import HearthError

    coach = services().coach
    coach.warm()
    conv = Conversation()
    last: Answer | None = None
    interactive = sys.stdin.isatty()
    print(CHAT_HELP)
    while True:
        if interactive:
            sys.stdout.write("you> ")
            sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:  # end of input
            break
        text = line.strip()
        if not text:
            continue
        if text in ("/quit", "/exit"):
            break
        if text == "/new":
            conv = Conversation()  # forgets every turn, and with them a safety mode
            last = None
            print("New conversation.")
            continue
        if text == "/sources":
            if last is None or not last.citations:
                print("No sources yet.")
            for c in last.citations if last else []:
                print(f"[{c.n}] {c.title} ({c.article_id})")
                print("    " + c.passage.replace("\n", "\n    "))
            continue
        if text.startswith("/"):
            print(f"Unknown command {text.split()[0]}. {CHAT_HELP}")
            continue
        try:
            last = _say(coach, conv, text)
        except HearthError as exc:  # one line, and the conversation goes on
            print(f"hearth: error: {exc}")
