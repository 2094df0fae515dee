"""The held-out sets measure only while no training file holds their text.

A held-out entry copied into training (to "fix" a miss) would make every later number on that set
meaningless without anything failing. Two short generic questions of the first challenge set also
occur in the team's training text by coincidence ("What are the signs of coercive control?"), so
the check is on texts longer than a stock question.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HELDOUT = [
    "safety_challenge.jsonl",
    "safety_challenge_v2.jsonl",
    "safety_challenge_v3.jsonl",
    "safety_challenge_v4.jsonl",
    "safety_challenge_v5.jsonl",
    "safety_signs_test.jsonl",
    "journal_heldout_v2.jsonl",
    "redflags_heldout.jsonl",
]
MIN_WORDS = 11


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def training() -> set[str]:
    files = [
        *(REPO / "knowledge" / "safety" / "training").rglob("*.jsonl"),
        *(REPO / "knowledge" / "training").rglob("*.jsonl"),
    ]
    assert files
    return {_norm(t) for f in files for t in _texts(f)}


@pytest.mark.parametrize("name", HELDOUT)
def test_no_heldout_text_is_in_the_training_files(training: set[str], name: str) -> None:
    held = _texts(REPO / "tests" / "data" / name)
    assert len(held) >= 100
    leaked = [t for t in held if len(t.split()) >= MIN_WORDS and _norm(t) in training]
    assert leaked == [], f"{len(leaked)} texts of {name} are in knowledge/: {leaked[:2]}"
