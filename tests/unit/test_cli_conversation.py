"""`hearth ask --jsonl` with "history" and `hearth chat`, in-process on the fakes."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner

from assistant import cli

FIRST = "My partner goes silent whenever we argue and I feel shut out."
STEP = re.compile(r"^\d+\. (.+) \[\d+\]$")
KEYS = {"id", "answer", "citations", "safety", "grounded_fraction", "kind"}


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_LLM_BACKEND", "fake")
    monkeypatch.setenv("HEARTH_EMBED_BACKEND", "fake")


def steps(text: str) -> set[str]:
    return {m.group(1) for ln in text.splitlines() if (m := STEP.match(ln))}


def run(argv: list[str], stdin: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.cli, argv, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def run_main(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch, capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """Through `cli.main`, which turns a HearthError into one line and its exit code."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_jsonl_answers_each_line_in_its_history() -> None:
    code, out, _ = run(["ask", "--jsonl"], json.dumps({"id": "a", "question": FIRST}) + "\n")
    assert code == 0
    first = json.loads(out)
    history = [{"role": "user", "content": FIRST}, {"role": "assistant", "content": first["answer"]}]
    lines = [
        {"id": "b", "question": "What should I say to him then?", "history": history},
        {"id": "c", "question": "What should I say to him then?"},
        {"id": "d", "question": "tell me more about step 1", "history": history},
    ]
    code, out, _ = run(["ask", "--jsonl"], "".join(json.dumps(x) + "\n" for x in lines))
    assert code == 0
    b, c, d = (json.loads(x) for x in out.splitlines())
    assert set(b) == KEYS and b["kind"] == "answer"
    assert steps(b["answer"]) and not steps(b["answer"]) & steps(first["answer"])  # nothing given twice
    # without history the same words stand alone (here: too vague, so the coach asks first)
    assert set(c) >= KEYS and steps(c["answer"]) != steps(b["answer"])
    assert d["kind"] == "detail"
    first_step = next(ln for ln in first["answer"].splitlines() if ln.startswith("1. "))
    assert STEP.match(first_step).group(1) in d["answer"]  # type: ignore[union-attr]


def test_a_clarifying_question_carries_its_choices_in_the_json() -> None:
    code, out, _ = run(["ask", "--jsonl"], json.dumps({"id": 1, "question": "We have problems."}) + "\n")
    data = json.loads(out)
    assert code == 0 and data["kind"] == "clarify" and len(data["choices"]) >= 2
    assert set(data["choices"][0]) == {"n", "label", "article_id"}


@pytest.mark.parametrize(
    "history",
    [
        "not a list",
        [{"role": "system", "content": "x"}],
        [{"role": "user"}],
        [{"role": "user", "content": 3}],
    ],
)
def test_a_bad_history_is_one_line_and_exit_2(history: object, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    line = json.dumps({"id": 1, "question": "hi", "history": history}) + "\n"
    code, out, err = run_main(["ask", "--jsonl"], line, monkeypatch, capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("hearth: error: stdin line 1:")
    assert '"history"' in lines[0] and out == ""


def test_chat_streams_a_conversation_with_its_commands(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    script = "\n".join([FIRST, "what else?", "/sources", "/new", "what else?", "/bogus", "/quit", "never read"]) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    assert cli.main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "/new" in out.splitlines()[0]  # the help line
    assert "Here are some other things to try" in out
    # /sources lists the last answer's sources with their passages
    src = out.split("Here are some other things to try")[1]
    assert re.search(r"^\[1\] .+ \([a-z0-9-]+\)$", src, re.M) and "\n    - " in src
    assert "New conversation." in out
    after_new = out.split("New conversation.")[1]
    # after /new there is no thread: "what else?" is not read as a follow-up
    assert "Here are some other things to try" not in after_new
    assert "Unknown command /bogus" in after_new
    assert "never read" not in out
