"""The `hearth` command groups, one module each; the root in assistant/cli.py registers every one listed here."""

from __future__ import annotations

import click

from assistant.commands.app import privacy_check, ui
from assistant.commands.coach import ask, chat
from assistant.commands.journal import journal_group
from assistant.commands.kb import kb_group
from assistant.commands.memory import memory_group
from assistant.commands.setup import doctor, models_group, prepare
from assistant.commands.together import together_group
from assistant.commands.workshop import workshop_group

COMMANDS: list[click.Command] = [
    ui,
    ask,
    chat,
    journal_group,
    kb_group,
    models_group,
    workshop_group,
    together_group,
    memory_group,
    privacy_check,
    doctor,
    prepare,
]
