"""`hearth together` and `hearth memory` in-process (assistant.cli.main) with real profiles."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from icalendar import Calendar

from assistant import cli

PW = {"ana": "ana-passphrase-1", "ben": "ben-passphrase-2", "cleo": "cleo-passphrase-3"}


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


Run = Callable[..., Result]


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`hearth ARGS` in-process, with `who`'s passphrase (and `partner`'s) in the environment, no terminal."""
    monkeypatch.setenv("HEARTH_LLM_BACKEND", "fake")
    monkeypatch.setenv("HEARTH_EMBED_BACKEND", "fake")

    def invoke(*argv: str, who: str = "ana", partner: str | None = None, stdin: str = "") -> Result:
        monkeypatch.setenv("HEARTH_PASSPHRASE", PW[who])
        if partner:
            monkeypatch.setenv("HEARTH_PARTNER_PASSPHRASE", PW[partner])
        else:
            monkeypatch.delenv("HEARTH_PARTNER_PASSPHRASE", raising=False)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke


@pytest.fixture
def couple(home: Path, run: Run) -> None:
    for name in PW:
        r = run("journal", "init", "--profile", name, who=name)
        assert r.exit_code == 0, r.output
    r = run("together", "link", "--profile", "ana", "--partner", "ben", partner="ben")
    assert r.exit_code == 0 and "linked" in r.output, r.output


def _today(run: Run, who: str) -> dict:
    r = run("together", "today", "--profile", who, "--json", who=who)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_reveal_over_the_cli(couple: None, run: Run) -> None:
    assert run("together", "answer", "--profile", "ana", "--text", "Warm bread.").exit_code == 0
    ben = _today(run, "ben")
    assert ben["answered"] == {"me": False, "partner": True} and ben["theirs"] is None
    assert "Warm bread" not in json.dumps(ben)
    r = run("together", "answer", "--profile", "ben", "--text", "Rain on the roof.", who="ben")
    assert r.exit_code == 0 and "Warm bread." in r.output
    assert _today(run, "ana")["theirs"] == "Rain on the roof."
    hist = json.loads(run("together", "history", "--profile", "ben", "--json", who="ben").stdout)
    assert hist[0]["mine"] == "Rain on the roof." and hist[0]["theirs"] == "Warm bread."


def test_third_profile_and_bad_input_get_one_line(couple: None, run: Run) -> None:
    r = run("together", "today", "--profile", "cleo", who="cleo")
    assert r.exit_code != 0 and "not linked" in r.output and "Traceback" not in r.output
    r = run("together", "answer", "--profile", "ana", "--text", "  ")
    assert r.exit_code != 0 and "empty" in r.output
    r = run("together", "link", "--profile", "ana", "--partner", "ben")  # no partner passphrase, no terminal
    assert r.exit_code != 0 and "HEARTH_PARTNER_PASSPHRASE" in r.output


def test_a_disclosure_over_the_cli_is_never_revealed(couple: None, run: Run) -> None:
    r = run("together", "answer", "--profile", "ben", "--text", "He hit me when I was holding the baby.", who="ben")
    assert r.exit_code == 0 and "never shows them to your partner" in r.output
    run("together", "answer", "--profile", "ana", "--text", "Warm bread.")
    ana = _today(run, "ana")
    assert ana["answered"]["partner"] is False and "hit me" not in json.dumps(ana)


def test_memory_verbs(couple: None, run: Run) -> None:
    r = run("memory", "add", "--profile", "ana", "--kind", "partner_name", "--value", "Ben")
    assert r.exit_code == 0
    fid = json.loads(run("memory", "list", "--profile", "ana", "--json").stdout)[0]["id"]
    assert run("memory", "edit", fid, "--profile", "ana", "--value", "Benedict").exit_code == 0
    assert json.loads(run("memory", "list", "--profile", "ana", "--json").stdout)[0]["value"] == "Benedict"
    assert run("memory", "delete", fid, "--profile", "ana").exit_code == 0
    assert json.loads(run("memory", "list", "--profile", "ana", "--json").stdout) == []
    r = run("memory", "suggest", "--profile", "ana", "--text", "My partner's name is Sam.")
    assert "Remember that your partner's name is Sam?" in r.output and "not kept" in r.output
    assert json.loads(run("memory", "list", "--profile", "ana", "--json").stdout) == []
    assert run("memory", "list", "--profile", "ben", "--json", who="ben").stdout.strip() == "[]"


def test_rituals_and_ics(couple: None, run: Run, tmp_path: Path) -> None:
    r = run("together", "rituals", "--profile", "ana", "--add", "weekly-check-in", "--time", "18:00")
    assert r.exit_code == 0, r.output
    out = tmp_path / "r.ics"
    assert run("together", "rituals", "--profile", "ben", "--ics", str(out), who="ben").exit_code == 0
    events = list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Weekly check-in"]
    assert events[0].decoded("dtstart").strftime("%a %H:%M") == "Sun 18:00"
    r = run("together", "rituals", "--profile", "ana", "--add", "date-night", "--time", "7pm")
    assert r.exit_code != 0 and "not a time" in r.output


def test_quiz_share_compare_plan(couple: None, run: Run) -> None:
    r = run("together", "quiz", "conflict", "--profile", "ana", "--answers", "4,4,4,2,2,2,3,3,3,4,4,4", "--share")
    assert r.exit_code == 0 and "waiting for ben" in r.output, r.output
    r = run("together", "quiz", "conflict", "--profile", "ben", "--answers", "2,2,2,5,5,5,1,1,1,1,1,1", "--share",
            "--plan", "--json", who="ben")  # fmt: skip
    data = json.loads(r.stdout)
    assert data["compare"]["ready"] and len(data["plan"]) == 8
    r = run("together", "quiz", "attachment", "--profile", "ana")  # no answers, no terminal
    assert r.exit_code != 0 and "--answers" in r.output


def test_ask_with_a_profile_uses_the_memory(couple: None, run: Run) -> None:
    q = "My partner goes quiet whenever we argue, what can I do?"
    plain = json.loads(run("ask", q, "--json").stdout)["answer"]
    assert "your partner" in plain.lower()  # the curated steps speak of "your partner"
    run("memory", "add", "--profile", "ana", "--kind", "partner_name", "--value", "Sam")
    mine = json.loads(run("ask", q, "--json", "--profile", "ana").stdout)["answer"]
    assert "your partner" not in mine.lower() and "Sam" in mine
    assert "Sam" not in json.loads(run("ask", q, "--json", "--profile", "ben", who="ben").stdout)["answer"]
    offered = json.loads(run("ask", "My wife, Priya, works nights.", "--json", "--profile", "ben", who="ben").stdout)
    assert offered["memory_suggestions"] == ["Remember that your partner's name is Priya?"]
    assert json.loads(run("memory", "list", "--profile", "ben", "--json", who="ben").stdout) == []
