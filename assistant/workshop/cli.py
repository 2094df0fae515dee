"""`hearth workshop add NAME` and `hearth workshop code`: the facilitator's two commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from assistant.config import Settings
from assistant.services import Services


def cmd_workshop(args: argparse.Namespace, settings: Settings, passphrase: Callable[[], str]) -> int:
    from assistant.workshop import service

    svc = Services(settings)
    if args.action == "add":
        recovery = service.add_participant(svc, args.name, passphrase(), facilitator=args.facilitator)
        role = "facilitator" if args.facilitator else "participant"
        print(f"{role} '{args.name.strip()}' created; they log in with this name and the passphrase.")
        print(f"Recovery key (shown once; give it to them or keep it safe): {recovery}")
        return 0
    minutes = args.minutes or settings.workshop_code_minutes
    for _ in range(args.count):
        print(svc.enrol_codes.issue(minutes))
    print(f"each code works once, for {minutes} minutes, at /enrol on the workshop's address")
    return 0


def add_parser(sub: argparse._SubParsersAction, func: Callable[[argparse.Namespace], int]) -> None:
    w = sub.add_parser("workshop", help="accounts for a workshop on a LAN (see `hearth ui --host`)")
    w.add_argument("action", choices=["add", "code"])
    w.add_argument("name", nargs="?", help="the participant's profile name (add)")
    w.add_argument("--facilitator", action="store_true", help="this account sees the workshop's counts")
    w.add_argument("--minutes", type=int, help="how long each code works (default 15)")
    w.add_argument("--count", type=int, default=1, help="how many codes to print")
    w.set_defaults(func=func)
