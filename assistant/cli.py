"""The `hearth` command: a click root whose groups (assistant/commands/) call the services the UI calls too."""

from __future__ import annotations

import difflib
import logging
import os
import sys

import click  # click itself touches no network; the offline switches matter for what the commands load

import assistant.offline  # noqa: F401,I001  (before anything heavy: sets the offline switches)
from assistant import __version__
from assistant.commands import COMMANDS
from assistant.commands.common import model_option
from assistant.errors import HearthError


class SuggestingGroup(click.Group):
    """A group that answers a misspelt command with "did you mean ...?" (click only does this for options)."""

    def resolve_command(self, ctx: click.Context, args: list[str]):  # type: ignore[no-untyped-def]
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            near = difflib.get_close_matches(name, self.list_commands(ctx), n=2, cutoff=0.6)
            hint = f" Did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
            ctx.fail(f"no command {name!r}.{hint} (see `{ctx.command_path} --help`)")
        return super().resolve_command(ctx, args)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        # every subgroup suggests too: `hearth journal lsit` -> did you mean 'list'?
        if isinstance(cmd, click.Group) and not isinstance(cmd, SuggestingGroup):
            cmd.__class__ = type("Suggesting" + type(cmd).__name__, (SuggestingGroup, type(cmd)), {})
        super().add_command(cmd, name)


@click.group(cls=SuggestingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hearth", message="%(prog)s %(version)s")
@model_option
def cli() -> None:
    """Hearth: a private relationship coach and encrypted journal. Nothing leaves this computer."""


for _cmd in COMMANDS:
    cli.add_command(_cmd)


def main(argv: list[str] | None = None) -> int:
    assistant.offline.install_guard()
    # Everything Hearth writes (vault and its -wal/-shm, index, caches, backups, Gradio's temp
    # files) is for this user only: files 0600, folders 0700.
    os.umask(0o077)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    try:
        rv = cli.main(args=argv, prog_name="hearth", standalone_mode=False, obj={})
        return rv if isinstance(rv, int) else 0
    except click.exceptions.NoArgsIsHelpError as exc:  # `hearth` or `hearth journal` alone: the help, exit 2
        click.echo(exc.ctx.get_help() if exc.ctx else "")
        return 2
    except click.UsageError as exc:
        # one line, like every other error; the "Try --help" hint is folded into it
        msg = exc.format_message()
        where = f" (try `{exc.ctx.command_path} --help`)" if exc.ctx and "--help" not in msg else ""
        print(f"hearth: error: {msg}{where}", file=sys.stderr)
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        print("hearth: interrupted", file=sys.stderr)
        return 130
    except click.ClickException as exc:
        print(f"hearth: error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except HearthError as exc:
        print(f"hearth: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("hearth: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: still one line, unless asked for the traceback
        if os.environ.get("HEARTH_DEBUG"):
            raise
        print(
            f"hearth: unexpected error: {exc.__class__.__name__}: {exc} (HEARTH_DEBUG=1 for details)", file=sys.stderr
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
