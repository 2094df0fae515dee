"""What every command group shares: settings from the root options, JSON output, passphrases, stdin JSONL."""

from __future__ import annotations

import getpass
import json
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.services import Services


def _remember_model(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    # `--model` works before or after the subcommand: either way it lands on the root's obj.
    if value:
        ctx.find_root().ensure_object(dict)["model"] = value
    return value


def model_option(f: Any) -> Any:
    return click.option(
        "--model",
        expose_value=False,
        callback=_remember_model,
        help="chat model name or GGUF file in models/ (see `hearth models list`)",
    )(f)


def json_option(f: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="print JSON for machines")(f)


def settings(**overrides: Any) -> Settings:
    from assistant.config import Settings

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, dict) and obj.get("model"):
        overrides.setdefault("model", obj["model"])
    return Settings(**overrides)


def services(**overrides: Any) -> Services:
    from assistant.services import Services

    return Services(settings(**overrides))


def out_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def passphrase(confirm: bool = False, env: str = "HEARTH_PASSPHRASE", prompt: str = "Passphrase: ") -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"no passphrase: set {env} or run in a terminal")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat: ") != value:
        raise UsageError("the passphrases do not match")
    return value


def read_jsonl(required: tuple[str, ...]) -> Iterator[dict]:
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UsageError(f"stdin line {lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or any(k not in obj for k in required):
            raise UsageError(f"stdin line {lineno}: expected an object with {', '.join(required)}")
        yield obj
