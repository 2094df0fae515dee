"""A two-week plan of exercises (knowledge/exercises.yaml) from a couple's quiz results.

Three exercises a week, on days 1, 3 and 5 of each week, so the plan fits a busy fortnight; the
exercises come from the quiz results in order (most specific first), repeated if there are few,
and the weekly check-in closes each week.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import UsageError

DAYS = (0, 2, 4, 7, 9, 11)  # offsets from the plan's first day
CLOSING = "weekly-state-of-us"


def load_exercises(knowledge_dir: Path) -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load((knowledge_dir / "exercises.yaml").read_text(encoding="utf-8"))
    return {str(e["id"]): e for e in raw["exercises"]}


def build(picks: list[str], exercises: dict[str, dict[str, Any]], start: date) -> list[dict[str, Any]]:
    unknown = [p for p in picks if p not in exercises]
    if unknown:
        raise UsageError(f"the quiz data names exercises that do not exist: {', '.join(unknown)}")
    picks = [p for p in dict.fromkeys(picks) if p != CLOSING] or ["ten-minute-talk", "share-one-appreciation"]
    plan = []
    for n, offset in enumerate(DAYS):
        ex = exercises[picks[n % len(picks)]]
        plan.append(_row(start + timedelta(days=offset), ex))
    for week in (0, 1):
        plan.append(_row(start + timedelta(days=6 + 7 * week), exercises[CLOSING]))
    return sorted(plan, key=lambda r: r["day"])


def _row(day: date, ex: dict[str, Any]) -> dict[str, Any]:
    return {"day": day.isoformat(), "exercise": ex["id"], "title": ex["title"], "minutes": ex.get("minutes"),
            "steps": list(ex.get("steps", []))}  # fmt: skip
