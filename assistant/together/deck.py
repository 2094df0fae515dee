"""The daily question deck (knowledge/together/questions.yaml) and the draw for a couple's day.

The draw needs no state and no randomness at run time, so both partners (and the CLI and the UI)
always agree on the day's question: tiers take turns by day (light, deeper, appreciation, future,
repair), and within a tier the questions follow a permutation seeded by the couple's id, so two
couples on the same day get different questions. With T tiers of at least N questions each, a
question comes back after T * N days; the loader refuses a deck where that is under a year.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import yaml

from assistant.errors import HearthError

TIERS = ("light", "deeper", "appreciation", "future", "repair")
EPOCH = date(2024, 1, 1)  # day 0 of every couple's sequence; any fixed date works
NO_REPEAT_DAYS = 365


@dataclass(frozen=True)
class Question:
    id: str
    tier: str
    text: str


class Deck:
    def __init__(self, tiers: dict[str, list[Question]], followups: dict[str, list[str]]) -> None:
        self.tiers = tiers
        self.followups = followups
        short = min(len(qs) for qs in tiers.values())
        if short * len(TIERS) <= NO_REPEAT_DAYS:
            raise HearthError(
                f"the question deck needs at least {NO_REPEAT_DAYS // len(TIERS) + 1} questions per tier "
                f"(one tier has {short}), or questions would repeat within a year"
            )

    @classmethod
    def load(cls, knowledge_dir: Path) -> Deck:
        raw = yaml.safe_load((knowledge_dir / "together" / "questions.yaml").read_text(encoding="utf-8"))
        tiers: dict[str, list[Question]] = {}
        seen: set[str] = set()
        for tier in TIERS:
            items = raw["tiers"].get(tier) or []
            tiers[tier] = []
            for item in items:
                qid = str(item["id"])
                if qid in seen:
                    raise HearthError(f"question id {qid} appears twice in the deck")
                seen.add(qid)
                tiers[tier].append(Question(qid, tier, str(item["text"]).strip()))
        followups = {t: [str(f) for f in (raw.get("followups", {}).get(t) or [])] for t in TIERS}
        return cls(tiers, followups)

    @cached_property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for qs in self.tiers.values() for q in qs}

    @property
    def period(self) -> int:
        """Days before the first question can come back for a couple."""
        return len(TIERS) * min(len(qs) for qs in self.tiers.values())

    def _order(self, couple: str, tier: str) -> list[Question]:
        # sha256 of the couple id, not hash(): Python's hash() is salted per process.
        seed = int.from_bytes(hashlib.sha256(f"{couple}|{tier}".encode()).digest()[:8], "big")
        order = list(self.tiers[tier])
        random.Random(seed).shuffle(order)
        return order

    def question_for(self, couple: str, day: date) -> Question:
        n = (day - EPOCH).days
        tier = TIERS[n % len(TIERS)]
        order = self._order(couple, tier)
        # Only the first `per_tier` of a tier's permutation are used, so each tier cycles with
        # the same length and the whole deck's period is exactly len(TIERS) * per_tier.
        per_tier = self.period // len(TIERS)
        return order[(n // len(TIERS)) % per_tier]

    def followup_for(self, couple: str, day: date, question: Question) -> str:
        options = self.followups.get(question.tier) or ["Talk about your two answers for five minutes."]
        n = (day - EPOCH).days
        return options[(n // len(TIERS)) % len(options)]
