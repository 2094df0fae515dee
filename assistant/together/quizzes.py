"""Quizzes (knowledge/together/quizzes.yaml): load, score, explain in plain words.

Scale quizzes give each dimension a mean from 1 to 5 and a band (low, middle, high) that picks
the explanation, the articles and the exercises for the plan. The "guess" quiz is scored only
when both partners have shared: each guess against the other's own answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import UsageError

BANDS = ("low", "middle", "high")


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    dimension: str = "all"
    reverse: bool = False
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Quiz:
    name: str
    title: str
    kind: str  # scale | guess
    draws_on: str
    items: tuple[Item, ...]
    results: dict[str, dict[str, str]]
    articles: dict[str, list[str]]
    plan: dict[str, dict[str, list[str]]]

    @property
    def dimensions(self) -> list[str]:
        return list(dict.fromkeys(i.dimension for i in self.items))

    def check(self, answers: list[int]) -> list[int]:
        if len(answers) != len(self.items):
            raise UsageError(f"the {self.name} quiz has {len(self.items)} items and {len(answers)} answers were given")
        for item, a in zip(self.items, answers, strict=True):
            top = len(item.options) if self.kind == "guess" else 5
            if not 1 <= a <= top:
                raise UsageError(f"answer {a} to '{item.text}' is out of range (1 to {top})")
        return answers


def band(mean: float) -> str:
    return "low" if mean < 2.5 else "high" if mean > 3.5 else "middle"


def load(knowledge_dir: Path) -> dict[str, Quiz]:
    raw = yaml.safe_load((knowledge_dir / "together" / "quizzes.yaml").read_text(encoding="utf-8"))
    out = {}
    for name, q in raw["quizzes"].items():
        items = tuple(
            Item(
                str(i["id"]),
                str(i["text"]),
                str(i.get("dimension", "all")),
                bool(i.get("reverse", False)),
                tuple(str(o) for o in i.get("options", ())),
            )  # fmt: skip
            for i in q["items"]
        )
        out[name] = Quiz(
            name, str(q["title"]), str(q["kind"]), " ".join(str(q["draws_on"]).split()), items,
            {d: dict(v) for d, v in (q.get("results") or {}).items()},
            {d: list(v) for d, v in (q.get("articles") or {}).items()},
            {d: {b: list(x) for b, x in v.items()} for d, v in (q.get("plan") or {}).items()},
        )  # fmt: skip
    return out


def scale_labels(knowledge_dir: Path) -> list[str]:
    raw = yaml.safe_load((knowledge_dir / "together" / "quizzes.yaml").read_text(encoding="utf-8"))
    return [str(s) for s in raw["scale"]]


def score(quiz: Quiz, answers: list[int]) -> dict[str, float]:
    """Each dimension's mean rating (1-5), reverse items flipped. Guess quizzes have no own score."""
    if quiz.kind != "scale":
        return {}
    sums: dict[str, list[int]] = {}
    for item, a in zip(quiz.items, answers, strict=True):
        sums.setdefault(item.dimension, []).append(6 - a if item.reverse else a)
    return {d: round(sum(v) / len(v), 2) for d, v in sums.items()}


def explain(quiz: Quiz, scores: dict[str, float]) -> list[dict[str, Any]]:
    """Plain words per dimension, with the articles behind them."""
    out = []
    for dim, mean in scores.items():
        b = band(mean)
        out.append(
            {
                "dimension": dim,
                "mean": mean,
                "band": b,
                "text": quiz.results.get(dim, {}).get(b, ""),
                "articles": quiz.articles.get(dim, []),
            }
        )
    return out


def guess_match(quiz: Quiz, guesses: list[int], their_own: list[int]) -> dict[str, Any]:
    """How many of my guesses match the other's own answers, item by item."""
    rows = [
        {"item": i.text, "guess": i.options[g - 1], "theirs": i.options[t - 1], "match": g == t}
        for i, g, t in zip(quiz.items, guesses, their_own, strict=True)
    ]
    right = sum(1 for r in rows if r["match"])
    return {"right": right, "of": len(rows), "band": band(1 + 4 * right / len(rows)), "items": rows}


def exercises_for(quiz: Quiz, scores: dict[str, float], guess_band: str | None = None) -> list[str]:
    """Exercise ids this result points to (in the quiz's order)."""
    picks: list[str] = []
    if quiz.kind == "guess":
        if guess_band:
            picks += quiz.plan.get("all", {}).get(guess_band, [])
        return picks
    for dim, mean in scores.items():
        picks += quiz.plan.get(dim, {}).get(band(mean), [])
    return list(dict.fromkeys(picks))
