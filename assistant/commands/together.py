"""`hearth together ...`: the daily question, quizzes and rituals (assistant/together/)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from assistant.commands.common import out_json, passphrase, services
from assistant.errors import UsageError


def _unlock(svc: Any, profile: str, env: str = "HEARTH_PASSPHRASE", who: str = "") -> Any:
    prompt = f"{who}passphrase for '{profile}': " if who else f"Passphrase for '{profile}': "
    return svc.vaults.unlock(profile, passphrase(env=env, prompt=prompt))


@click.group("together")
def together_group() -> None:
    """A couple's daily question, quizzes and rituals (both profiles on this machine)."""


@together_group.command("link", help="Link two profiles as a couple (both passphrases, as a shared space needs).")
@click.option("--profile", required=True, help="Your profile.")
@click.option("--partner", required=True, help="Your partner's profile.")
def link(profile: str, partner: str) -> None:
    svc = services()
    a = _unlock(svc, profile)
    b = _unlock(svc, partner, env="HEARTH_PARTNER_PASSPHRASE", who="Partner's ")
    try:
        couple = svc.together.link(a, b)
    finally:
        b.lock()
    click.echo(f"linked '{profile}' and '{couple.partner}'")


def _print_today(view: Any) -> None:
    click.echo(f"{view.day}  ({view.question.tier})  {view.question.text}")
    click.echo(f"you: {'answered' if view.me_answered else 'not answered yet'}; "
               f"{view.partner}: {'answered' if view.partner_answered else 'not answered yet'}")  # fmt: skip
    if view.mine:
        click.echo(f"\nyou: {view.mine}")
    for text in view.withheld:
        click.echo(f"\nkept only for you: {text}")
    if view.theirs is not None:
        click.echo(f"{view.partner}: {view.theirs}\n\n{view.followup}")
    elif view.partner_answered:
        click.echo(f"\nanswer first to see {view.partner}'s answer")
    if view.together_days:
        run = f"; {view.run} days in a row right now" if view.run > 1 else ""
        click.echo(f"\nyou have answered together on {view.together_days} of the last 30 days{run}")


@together_group.command("today", help="Today's question, who has answered, and the answers once you have answered.")
@click.option("--profile", required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def today(profile: str, as_json: bool) -> None:
    svc = services()
    view = svc.together.today(_unlock(svc, profile))
    if as_json:
        out_json(view.as_json())
    else:
        _print_today(view)


@together_group.command("answer", help="Answer today's question (sealed; '-' reads the answer from stdin).")
@click.option("--profile", required=True)
@click.option("--text", required=True, help="Your answer, or '-' for stdin.")
@click.option("--json", "as_json", is_flag=True)
def answer(profile: str, text: str, as_json: bool) -> None:
    svc = services()
    session = _unlock(svc, profile)
    if text == "-":
        text = sys.stdin.read()
    result = svc.together.answer(session, text)
    if as_json:
        out_json(result.as_json())
        return
    if result.withheld:
        click.echo(result.as_json()["note"])
        click.echo("")
        click.echo(result.safety)
        return
    click.echo("saved and sealed")
    for s in result.suggestions or []:
        click.echo(f"{s.prompt} (to keep it: hearth memory add --profile {profile} --kind {s.kind} --value ...)")
    if result.today and result.today.theirs is not None:
        click.echo("")
        _print_today(result.today)


@together_group.command(
    "history", help="Every day either of you answered; your partner's answer only on days you answered."
)
@click.option("--profile", required=True)
@click.option("--json", "as_json", is_flag=True)
def history(profile: str, as_json: bool) -> None:
    svc = services()
    rows = svc.together.history(_unlock(svc, profile))
    if as_json:
        out_json(rows)
        return
    for r in rows:
        theirs = r["theirs"] if r["theirs"] is not None else "(not shown)"
        click.echo(f"{r['day']}  {r['question']}\n  you: {r['mine'] or ''}\n  {r['partner']}: {theirs}")


def _numbers(text: str | None) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(x) for x in text.replace(" ", ",").split(",") if x.strip()]
    except ValueError as exc:
        raise UsageError("answers are numbers separated by commas, e.g. 3,4,2") from exc


def _ask(quiz: Any, guessing: bool) -> list[int]:
    if not sys.stdin.isatty():
        raise UsageError("no answers: pass --answers (and --guesses for know-me) or run in a terminal")
    out = []
    for item in quiz.items:
        if quiz.kind == "guess":
            for i, o in enumerate(item.options, 1):
                click.echo(f"  {i}. {o}")
            prompt = ("Your guess for your partner: " if guessing else "You: ") + item.text
            top = len(item.options)
        else:
            prompt, top = f"{item.text} (1 = not like me ... 5 = very like me)", 5
        out.append(click.prompt(prompt, type=click.IntRange(1, top)))
    return out


@together_group.command("quiz", help="Take a quiz (attachment, care, conflict, know-me); share, compare, plan.")
@click.argument("name")
@click.option("--profile", required=True)
@click.option("--answers", help="Your answers in order, e.g. 3,4,2 (asked one by one in a terminal).")
@click.option("--guesses", help="know-me: your guesses of your partner's answers.")
@click.option("--note", default="", help="A note kept with the result.")
@click.option("--share", is_flag=True, help="Agree to compare this result with your partner.")
@click.option("--compare", "compare_only", is_flag=True, help="Only show the comparison (both must have shared).")
@click.option("--plan", "with_plan", is_flag=True, help="Also print the two-week plan.")
@click.option("--json", "as_json", is_flag=True)
def quiz(name: str, profile: str, answers: str | None, guesses: str | None, note: str, share: bool,
         compare_only: bool, with_plan: bool, as_json: bool) -> None:  # fmt: skip
    svc = services()
    t = svc.together
    q = t.quiz(name)
    session = _unlock(svc, profile)
    out: dict[str, Any] = {}
    if not compare_only:
        mine = _numbers(answers) or _ask(q, guessing=False)
        theirs = _numbers(guesses)
        if q.kind == "guess" and theirs is None:
            theirs = _ask(q, guessing=True)
        out["result"] = t.take_quiz(session, name, mine, theirs, note)
        if share:
            t.share_quiz(session, name)
    out["compare"] = t.compare(session, name)
    if with_plan:
        out["plan"] = t.plan(session)
    if as_json:
        out_json(out)
        return
    if "result" in out:
        r = out["result"]
        click.echo(f"{r['title']}\n(draws on: {r['draws_on']})\n")
        for e in r["explanation"]:
            click.echo(f"- {e['dimension']}: {e['text']}  [read: {', '.join(e['articles'])}]")
        if r["safety"]:
            click.echo(f"\n{r['note']}\n\n{r['safety']}")
    cmp = out["compare"]
    if cmp["ready"]:
        click.echo(f"\ncompared with {cmp['partner']}:")
        for d in cmp.get("dimensions", []):
            click.echo(f"  {d['dimension']}: you {d['me']} ({d['me_band']}), {cmp['partner']} {d['partner']} "
                       f"({d['partner_band']})")  # fmt: skip
        if "my_guesses" in cmp:
            mine, theirs = cmp["my_guesses"], cmp["their_guesses"]
            click.echo(f"  your guesses: {mine['right']} of {mine['of']} right; "
                       f"{cmp['partner']}'s: {theirs['right']} of {theirs['of']}")  # fmt: skip
    else:
        click.echo(f"\nthe comparison appears once both have shared (waiting for {cmp['waiting_for']})")
    for row in out.get("plan", []):
        click.echo(f"{row['day']}  {row['title']} ({row['minutes']} min)")


@together_group.command(
    "rituals", help="Your rituals and what is due; add, remove, export as .ics, or the check-in guide."
)
@click.option("--profile", required=True)
@click.option("--add", "add_kind", help="Add a ritual: weekly-check-in, ten-minute-talk, appreciation, date-night, "
              "repair-conversation.")  # fmt: skip
@click.option("--day", help="With --add: mon..sun or daily (default: the ritual's usual day).")
@click.option("--time", "at", help="With --add: HH:MM (default: the ritual's usual time).")
@click.option("--remove", "remove_id", help="Remove the ritual with this id.")
@click.option(
    "--ics", "ics", type=click.Path(dir_okay=False, path_type=Path), help="Write the rituals to this .ics file."
)
@click.option("--checkin", is_flag=True, help="Print the guided weekly check-in.")
@click.option("--json", "as_json", is_flag=True)
def rituals(profile: str, add_kind: str | None, day: str | None, at: str | None, remove_id: str | None,
            ics: Path | None, checkin: bool, as_json: bool) -> None:  # fmt: skip
    svc = services()
    t = svc.together
    session = _unlock(svc, profile)
    if add_kind:
        r = t.choose_ritual(session, add_kind, day, at)
        click.echo(f"added {r.title} ({r.day} at {r.time}), id {r.id}", err=as_json)
    if remove_id:
        t.drop_ritual(session, remove_id)
        click.echo(f"removed {remove_id}", err=as_json)
    if ics:
        n = t.export_ics(session, ics)
        click.echo(f"wrote {n} rituals to {ics}; import it into your calendar app", err=as_json)
    if checkin:
        g = t.checkin_guide()
        click.echo(f"{g.title} ({g.minutes} minutes)\n{g.why}\n")
        for i, step in enumerate(g.steps, 1):
            click.echo(f"{i}. {step}")
        return
    chosen, due = t.rituals(session), t.due(session)
    if as_json:
        out_json({"rituals": [r.as_json() for r in chosen], "due": [d.as_json() for d in due]})
        return
    if not (add_kind or remove_id or ics):
        for r in chosen:
            click.echo(f"{r.id}  {r.title}: {r.day} at {r.time} ({r.minutes} min)")
        if not chosen:
            click.echo("no rituals yet; add one with --add weekly-check-in")
    for d in due:
        click.echo(f"due today: {d.start:%H:%M} {d.ritual.title}" + (" (now)" if d.now else ""))
