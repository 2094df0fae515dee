"""Practice material from knowledge/exercises.yaml: a daily check-in, exercises, a question deck."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    minutes: int
    why: str
    steps: tuple[str, ...]
    article: str


@dataclass(frozen=True)
class Practice:
    checkins: tuple[str, ...]
    exercises: tuple[Exercise, ...]
    deck: tuple[str, ...]

    @classmethod
    def load(cls, knowledge_dir: Path) -> Practice:
        data = yaml.safe_load((knowledge_dir / "exercises.yaml").read_text(encoding="utf-8"))
        exercises = tuple(
            Exercise(
                e["id"],
                e["title"],
                int(e.get("minutes", 10)),
                str(e["why"]).strip(),
                tuple(e["steps"]),
                e.get("article", ""),
            )
            for e in data["exercises"]
        )
        return cls(tuple(data["checkins"]), exercises, tuple(data["question_deck"]))

    def checkin_for(self, day: date) -> str:
        """The same prompt all day, a different one tomorrow."""
        h = int(hashlib.sha256(day.isoformat().encode()).hexdigest(), 16)
        return self.checkins[h % len(self.checkins)]

    def deck_card(self, n: int) -> str:
        return self.deck[n % len(self.deck)]
