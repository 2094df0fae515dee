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


def test_cli_routes_crisis_and_abuse_prompts(tmp_path: Path, real_services) -> None:  # type: ignore[no-untyped-def]
    """The CLI answers each prompt exactly as the one detector decides, before any model call.

    How many of the team's prompts the detector catches is a recall question, measured on text
    the team did not write (README); here a floor guards against the wiring losing them."""
    questions = [("crisis", q) for q in CRISIS] + [("abuse", q) for q in ABUSE]
    stdin = "".join(json.dumps({"id": i, "question": q}) + "\n" for i, (_, q) in enumerate(questions))
    r = run_hearth("ask", "--jsonl", env={"HEARTH_HOME": str(tmp_path / "home")}, input=stdin)
    assert r.returncode == 0, r.stderr
    answers = [json.loads(line) for line in r.stdout.strip().splitlines()]
    assert [a["id"] for a in answers] == list(range(len(questions)))
    routed = {"crisis": 0, "abuse": 0}
    for (kind, question), ans in zip(questions, answers, strict=True):
        assert ans["safety"] == real_services.detector.screen(question).level, question
        if ans["safety"] == "none":
            continue
        routed[kind] += 1
        if kind == "crisis":
            assert ans["safety"] == "crisis", question
        assert PHONE.search(ans["answer"]), (question, ans["answer"])
        assert ans["citations"] == []  # a safety answer is not built from coaching articles
    # The same floors as the detector's own tests on these files (66/80 crisis, 58/64 abuse).
    assert routed["crisis"] >= 8 and routed["abuse"] >= 9, routed
