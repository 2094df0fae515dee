"""The `hearth` command. Every subcommand calls a service method the UI calls too."""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import assistant.offline  # noqa: F401,I001  (first: sets the offline switches before heavy imports)
from assistant import __version__
from assistant.config import Settings
from assistant.errors import HearthError, UsageError
from assistant.services import Services


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "model", None):
        overrides["model"] = args.model
    return Settings(**overrides)


def _out(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _read_jsonl(required: tuple[str, ...]) -> Iterator[dict]:
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


# --- models ---------------------------------------------------------------------------------


def cmd_models(args: argparse.Namespace) -> int:
    from assistant import models

    s = _settings(args)
    if args.action == "install":
        models.install(s.models_dir, force=args.force)
        return 0
    rows = models.list_models(s.models_dir)
    if args.json:
        _out(
            [
                {
                    "name": m.name,
                    "file": m.path.name,
                    "size": m.size,
                    "bundled": m.bundled,
                    "usable": m.valid,
                    "problem": m.problem,
                    "selected": m.name == s.model or m.path.name == s.model,
                }
                for m in rows
            ]
        )
        return 0
    for m in rows:
        mark = "*" if s.model in (m.name, m.path.name, m.path.stem) else " "
        state = "ok" if m.valid else m.problem
        print(f"{mark} {m.name:28s} {m.path.name:40s} {m.size / 1e6:8.1f} MB  {state}")
    return 0


# --- prepare ----------------------------------------------------------------------------------


def cmd_prepare(args: argparse.Namespace) -> int:
    """Build what the app needs once: the knowledge index, the safety detector and the red-flag classifier."""
    from assistant.kb.corpus import check

    s = _settings(args)
    problems = check(s.knowledge_dir)
    if problems:
        raise HearthError(f"knowledge base invalid: {problems[0]} (and {len(problems) - 1} more)")
    if s.llm_backend == "llama":
        from assistant import models, selftest

        print(f"chat model self-test: {selftest.check_llama(models.resolve(s.models_dir, s.model))}")
    svc = Services(s)
    idx = svc.index
    print(f"knowledge index: {len(idx.chunks)} sections, {'rebuilt' if idx.rebuilt else 'up to date'}")
    det = svc.detector
    print(f"safety detector: {'trained' if det.trained_now else 'up to date'}")
    clf = svc.classifier
    print(f"red-flag classifier: {'trained' if clf.trained_now else 'up to date'}")
    return 0


# --- doctor -----------------------------------------------------------------------------------


def cmd_doctor(args: argparse.Namespace) -> int:
    from assistant.doctor import run_checks

    checks = run_checks(_settings(args), self_test=not args.no_self_test)
    if args.json:
        _out([c.as_json() for c in checks])
    else:
        for c in checks:
            print(c.line())
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        print(f"hearth: error: {len(failed)} check(s) failed: {', '.join(c.name for c in failed)}", file=sys.stderr)
        return 1
    return 0


# --- ask ----------------------------------------------------------------------------------------


def cmd_ask(args: argparse.Namespace) -> int:
    svc = Services(_settings(args))
    coach = svc.coach
    if args.jsonl:
        coach.warm()
        for obj in _read_jsonl(("id", "question")):
            ans = coach.ask(str(obj["question"]))
            _out({"id": obj["id"], **ans.as_json()})
        return 0
    if not args.question:
        raise UsageError("ask needs a QUESTION (or --jsonl on stdin)")
    question = " ".join(args.question)
    if not question.strip():
        raise UsageError("the question is empty")
    if args.json:
        _out(coach.ask(question).as_json())
        return 0
    for event in coach.stream(question):
        if event.text:
            sys.stdout.write(event.text)
            sys.stdout.flush()
    sys.stdout.write("\n")
    return 0


# --- kb -----------------------------------------------------------------------------------------


def cmd_kb(args: argparse.Namespace) -> int:
    s = _settings(args)
    if args.action == "check":
        from assistant.kb.corpus import check, load

        problems = check(s.knowledge_dir)
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            raise HearthError(f"knowledge base: {len(problems)} problem(s), see above")
        print(f"knowledge base ok: {len(load(s.knowledge_dir).articles)} articles")
        return 0
    svc = Services(s)
    if args.jsonl:
        for obj in _read_jsonl(("id", "query")):
            _out({"id": obj["id"], "results": [h.as_json() for h in svc.index.search(str(obj["query"]), k=args.k)]})
        return 0
    if not args.query:
        raise UsageError("kb search needs a QUERY (or --jsonl on stdin)")
    hits = svc.index.search(" ".join(args.query), k=args.k)
    if args.json:
        _out([h.as_json() for h in hits])
    else:
        for h in hits:
            print(f"{h.score:.4f}  {h.article_id:36s} {h.title}")
    return 0


# --- journal ------------------------------------------------------------------------------------


def _passphrase(confirm: bool = False, env: str = "HEARTH_PASSPHRASE", prompt: str = "Passphrase: ") -> str:
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"no passphrase: set {env} or run in a terminal")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat: ") != value:
        raise UsageError("the passphrases do not match")
    return value


def cmd_journal(args: argparse.Namespace) -> int:
    from assistant.journal import service as journal

    s = _settings(args)
    svc = Services(s)
    action = args.action
    if action == "classify":
        if not args.jsonl:
            text = sys.stdin.read()
            if not text.strip():
                raise UsageError("classify reads an entry on stdin; it was empty")
            _out(svc.classifier.classify(text).as_json())
            return 0
        clf = svc.classifier
        for obj in _read_jsonl(("id", "text")):
            _out({"id": obj["id"], **clf.classify(str(obj["text"])).as_json()})
        return 0
    profile = args.profile
    if action == "init":
        recovery = journal.init_profile(svc, profile, _passphrase(confirm=True))
        print(f"profile '{profile}' created.")
        print("Recovery key (shown once; print it or store it somewhere safe):")
        print(recovery)
        return 0
    if action == "delete-all":
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("delete-all needs --yes when not run in a terminal")
            if input("Type DELETE to destroy every journal on this machine: ").strip() != "DELETE":
                raise UsageError("not confirmed; nothing was deleted")
        journal.delete_all(svc)
        print("all journals destroyed")
        return 0
    if action == "import":
        n = journal.import_backup(svc, Path(args.file), profile, _passphrase())
        print(f"imported {n} entries into profile '{profile}'")
        return 0
    session = journal.unlock(svc, profile, _passphrase(), recovery_key=os.environ.get("HEARTH_RECOVERY_KEY"))
    if action == "add":
        text = args.text if args.text is not None else sys.stdin.read()
        added = journal.add_entry(svc, session, text)
        if args.json:
            _out({"id": added.id, "created": added.created, **added.analysis.as_json()})
        else:
            print(added.id)
    elif action == "list":
        entries = journal.list_entries(svc, session)
        if args.json:
            _out([{"id": e.id, "created": e.created, "text": e.text} for e in entries])
        else:
            for e in entries:
                first = e.text.strip().splitlines()[0] if e.text.strip() else ""
                print(f"{e.id}  {e.created}  {first[:60]}")
    elif action == "show":
        if not args.id:
            raise UsageError("show needs an entry ID")
        e = journal.get_entry(svc, session, args.id)
        if args.json:
            _out(e.as_json())
        else:
            print(e.text)
    elif action == "rekey":
        new = _passphrase(env="HEARTH_NEW_PASSPHRASE", prompt="New passphrase: ", confirm=True)
        journal.rekey(svc, session, new)
        print("passphrase changed")
    elif action == "export":
        n = journal.export_backup(svc, session, Path(args.file))
        print(f"exported {n} entries to {args.file} (encrypted)")
    elif action == "insights":
        data = journal.insights(svc, session)
        if args.json:
            _out(data)
        else:
            print(json.dumps(data, indent=2, ensure_ascii=False))
    return 0


# --- ui / privacy-check -------------------------------------------------------------------------


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import serve

    s = _settings(args)
    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.host is not None:
        overrides["host"] = args.host
    if args.session:
        overrides["session_mode"] = True
    if args.cert is not None:
        overrides["tls_cert"] = Path(args.cert)
    if args.key is not None:
        overrides["tls_key"] = Path(args.key)
    if args.insecure_lan:
        overrides["insecure_lan"] = True
    serve(s.model_copy(update=overrides))
    return 0


def cmd_workshop(args: argparse.Namespace) -> int:
    from assistant.workshop.cli import cmd_workshop as run

    if args.action == "add" and not args.name:
        raise UsageError("workshop add needs a NAME")
    if args.count < 1 or (args.minutes is not None and args.minutes < 1):
        raise UsageError("--count and --minutes need a positive number")
    return run(args, _settings(args), lambda: _passphrase(confirm=True))


def cmd_privacy_check(args: argparse.Namespace) -> int:
    from assistant.privacy_check import run

    return run(with_ui=not args.no_ui, model=args.model)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hearth", description="Hearth: a private relationship coach.")
    p.add_argument("--version", action="version", version=f"hearth {__version__}")
    p.add_argument("--model", help="chat model name or GGUF file in models/ (see `hearth models list`)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    # `--model` works before or after the subcommand; SUPPRESS keeps an absent one from
    # overwriting the top-level value.
    model_opt = argparse.ArgumentParser(add_help=False)
    model_opt.add_argument("--model", default=argparse.SUPPRESS, help="chat model (see `hearth models list`)")

    ui = sub.add_parser("ui", parents=[model_opt], help="start the web app on http://127.0.0.1:7860")
    ui.add_argument("--port", type=int)
    ui.add_argument("--host")
    ui.add_argument("--session", action="store_true", help="therapist session mode: nothing written to disk")
    ui.add_argument("--cert", help="PEM certificate: serve https (needed off loopback)")
    ui.add_argument("--key", help="PEM private key for --cert")
    ui.add_argument("--insecure-lan", action="store_true", help="off loopback, serve plain http anyway")
    ui.set_defaults(func=cmd_ui)

    from assistant.workshop.cli import add_parser as add_workshop

    add_workshop(sub, cmd_workshop)

    m = sub.add_parser("models", parents=[model_opt], help="list or install chat models")
    m.add_argument("action", choices=["list", "install"])
    m.add_argument("--json", action="store_true")
    m.add_argument("--force", action="store_true", help="reinstall even if present")
    m.set_defaults(func=cmd_models)

    a = sub.add_parser("ask", parents=[model_opt], help="ask the coach a question")
    a.add_argument("question", nargs="*")
    a.add_argument("--json", action="store_true")
    a.add_argument("--jsonl", action="store_true", help='read {"id","question"} lines on stdin')
    a.set_defaults(func=cmd_ask)

    k = sub.add_parser("kb", help="check or search the knowledge base")
    k.add_argument("action", choices=["check", "search"])
    k.add_argument("query", nargs="*")
    k.add_argument("--json", action="store_true")
    k.add_argument("--jsonl", action="store_true", help='read {"id","query"} lines on stdin')
    k.add_argument("-k", type=int, default=4)
    k.set_defaults(func=cmd_kb)

    j = sub.add_parser("journal", help="the encrypted journal")
    j.add_argument(
        "action",
        choices=["init", "add", "list", "show", "rekey", "export", "import", "delete-all", "classify", "insights"],
    )
    j.add_argument("id", nargs="?", help="entry id (show)")
    j.add_argument("file", nargs="?", help="backup file (export/import)")
    j.add_argument("--profile", default="me")
    j.add_argument("--text")
    j.add_argument("--json", action="store_true")
    j.add_argument("--jsonl", action="store_true")
    j.add_argument("--yes", action="store_true", help="confirm delete-all")
    j.set_defaults(func=cmd_journal)

    pc = sub.add_parser("privacy-check", parents=[model_opt], help="run a scripted session with the egress guard on")
    pc.add_argument("--no-ui", action="store_true", help="skip the web-app part")
    pc.set_defaults(func=cmd_privacy_check)

    dr = sub.add_parser("doctor", parents=[model_opt], help="say what Hearth runs on and whether each part works")
    dr.add_argument("--json", action="store_true")
    dr.add_argument("--no-self-test", action="store_true", help="skip loading the chat model in a child process")
    dr.set_defaults(func=cmd_doctor)

    pr = sub.add_parser("prepare", help="self-test the chat model, build the knowledge index and the classifier")
    pr.set_defaults(func=cmd_prepare)
    return p


def _fix_positionals(args: argparse.Namespace) -> None:
    # `journal export FILE` / `journal import FILE`: the single positional lands in `id`.
    if getattr(args, "command", None) == "journal" and args.action in ("export", "import"):
        args.file = args.file or args.id
        if not args.file:
            raise UsageError(f"journal {args.action} needs a FILE")


def main(argv: list[str] | None = None) -> int:
    assistant.offline.install_guard()
    # Everything Hearth writes (vault and its -wal/-shm, index, caches, backups, Gradio's temp
    # files) is for this user only: files 0600, folders 0700.
    os.umask(0o077)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        _fix_positionals(args)
        return func(args)
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
