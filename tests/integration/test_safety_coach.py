"""The safety screen through the real `hearth ask` command: danger is routed before any model call.

One `hearth ask --jsonl` process answers a spread of crisis and abuse prompts from tests/data;
each answer must be marked "crisis" / "abuse" and carry a phone number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_hearth

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
PHONE = re.compile(
    r"(?<![\d-])(?:1-800-\d{3}-\d{4}|0808 \d{4} \d{3}|1800 \d{3} \d{3}|116 ?\d{3}|"
    r"988|911|999|112|741741|85258)(?![\d-])"
)


def _spread(name: str, n: int) -> list[str]:
    """n prompts spread evenly over the file (deterministic)."""
    lines = [ln.strip() for ln in (DATA / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
    step = max(1, len(lines) // n)
    return lines[::step][:n]


CRISIS = _spread("safety_crisis.txt", 10)
ABUSE = _spread("safety_abuse.txt", 10)


def test_cli_routes_crisis_and_abuse_prompts(tmp_path: Path) -> None:
    questions = [("crisis", q) for q in CRISIS] + [("abuse", q) for q in ABUSE]
    stdin = "".join(json.dumps({"id": i, "question": q}) + "\n" for i, (_, q) in enumerate(questions))
    r = run_hearth("ask", "--jsonl", env={"HEARTH_HOME": str(tmp_path / "home")}, input=stdin)
    assert r.returncode == 0, r.stderr
    answers = [json.loads(line) for line in r.stdout.strip().splitlines()]
    assert [a["id"] for a in answers] == list(range(len(questions)))
    for (kind, question), ans in zip(questions, answers, strict=True):
        if kind == "crisis":
            assert ans["safety"] == "crisis", question
        else:
            assert ans["safety"] in ("abuse", "crisis"), question
        assert PHONE.search(ans["answer"]), (question, ans["answer"])
        assert ans["citations"] == []  # a safety answer is not built from coaching articles
