"""The click CLI in-process: help per verb, "did you mean", short ids, human output by default."""

from __future__ import annotations

import io
import json

import pytest

from assistant import cli

PW = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_LLM_BACKEND", "fake")
    monkeypatch.setenv("HEARTH_EMBED_BACKEND", "fake")
    monkeypatch.setenv("HEARTH_PASSPHRASE", PW)


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["jornal"], "Did you mean 'journal'?"),
        (["journal", "lsit"], "Did you mean 'list'?"),
        (["kb", "serch"], "'search'"),
    ],
)
def test_a_misspelt_command_gets_a_suggestion(capsys: pytest.CaptureFixture[str], argv: list[str], hint: str) -> None:
    code, _, err = run(capsys, *argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("hearth: error:") and hint in lines[0]


def test_each_verb_has_its_own_help(capsys: pytest.CaptureFixture[str]) -> None:
    helps = {}
    for verb in ("add", "list", "show", "delete", "insights"):
        code, out, _ = run(capsys, "journal", verb, "--help")
        assert code == 0 and f"Usage: hearth journal {verb}" in out
        helps[verb] = out
    assert len(set(helps.values())) == 5
    assert "says what it noticed" in helps["add"] and "unique start" in helps["show"]


def test_bare_group_prints_its_verbs_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "journal")
    assert code == 2 and "insights" in out and "delete-all" in out


def test_journal_flow_with_short_ids_and_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "journal", "init")[0] == 0
    code, out, _ = run(capsys, "journal", "add", "--text", "We walked by the river and I thanked him for dinner.")
    assert code == 0 and out.startswith("saved entry ")
    assert "Hearth noticed" in out or "Nothing stood out" in out
    assert "(0." not in out  # no raw scores for a person
    short = out.split()[2]
    assert len(short) == 8

    code, out, _ = run(capsys, "journal", "list")
    assert code == 0 and out.startswith(short) and "walked by the river" in out

    code, out, _ = run(capsys, "journal", "show", short[:5])
    assert code == 0 and out.strip() == "We walked by the river and I thanked him for dinner."

    code, _, err = run(capsys, "journal", "show", "abc")
    assert code == 5 and "at least the first 4 characters" in err

    code, _, err = run(capsys, "journal", "show", "zzzz")
    assert code == 5 and "no entry zzzz" in err

    code, out, _ = run(capsys, "journal", "insights")
    assert code == 0 and out.startswith("Insights for 'me': 1 entry")
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    code, out, _ = run(capsys, "journal", "insights", "--json")
    assert code == 0 and json.loads(out)["entries"] == 1

    # deleting needs a yes when nobody is at a terminal; nothing is lost without it
    code, _, err = run(capsys, "journal", "delete", short)
    assert code == 2 and "--yes" in err
    assert run(capsys, "journal", "list", "--json")[1].count('"id"') == 1
    code, out, _ = run(capsys, "journal", "delete", short, "--yes")
    assert code == 0 and f"deleted entry {short}" in out
    assert json.loads(run(capsys, "journal", "list", "--json")[1]) == []


def test_an_ambiguous_prefix_is_refused() -> None:
    from assistant.errors import VaultError
    from assistant.journal import service

    class Vaults:  # two entries whose ids share a start; resolve_id only lists ids
        def list(self, session: object) -> object:
            return type("Listing", (), {"entries": [type("E", (), {"id": i})() for i in ("abcd1111", "abcd2222")]})

    svc = type("S", (), {"vaults": Vaults()})()
    session = type("V", (), {"name": "me"})()
    with pytest.raises(VaultError, match="2 entries start with abcd"):
        service.resolve_id(svc, session, "abcd")  # type: ignore[arg-type]
    assert service.resolve_id(svc, session, "abcd2") == "abcd2222"  # type: ignore[arg-type]
    assert service.resolve_id(svc, session, "abcd1111") == "abcd1111"  # type: ignore[arg-type]


def test_kb_show_by_prefix_and_a_near_miss(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "kb", "show", "four-horse")
    assert code == 0 and out.startswith("The four horsemen") and "## Try this" in out
    code, _, err = run(capsys, "kb", "show", "stonewaling")
    assert code == 2 and "did you mean stonewalling-flooding" in err


def test_model_option_before_or_after_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["--model", "smollm2-135m-instruct", "models", "list", "--json"],
        ["models", "list", "--json", "--model", "smollm2-135m-instruct"],
    ):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and any(m["selected"] for m in json.loads(out))
    code, out, _ = run(capsys, "--model", "no-such-model", "models", "list", "--json")
    assert code == 0 and not any(m["selected"] for m in json.loads(out))
