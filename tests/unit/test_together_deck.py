"""The daily question deck: enough original questions per tier, no duplicates, no repeats in a year."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from assistant.config import PROJECT_ROOT
from assistant.errors import HearthError
from assistant.together.deck import TIERS, Deck, Question

KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture(scope="module")
def deck() -> Deck:
    return Deck.load(KNOWLEDGE)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]", " ", text.lower()).split())


def test_deck_has_at_least_400_questions_in_five_tiers(deck: Deck) -> None:
    counts = {tier: len(deck.tiers[tier]) for tier in TIERS}
    assert all(n >= 80 for n in counts.values()), counts
    assert sum(counts.values()) >= 400


def test_no_duplicate_or_near_duplicate_questions(deck: Deck) -> None:
    texts = [q.text for qs in deck.tiers.values() for q in qs]
    normed = [_norm(t) for t in texts]
    assert len(set(normed)) == len(normed)
    # near-duplicates: two questions sharing the same content words (stop words dropped)
    stop = {"a", "an", "the", "of", "to", "you", "your", "i", "me", "my", "we", "us", "our", "is", "are", "do"}
    stop |= {"what", "which", "how", "when", "who", "would", "with", "in", "for"}
    bags = [frozenset(w for w in n.split() if w not in stop) for n in normed]
    for i, a in enumerate(bags):
        for j in range(i + 1, len(bags)):
            b = bags[j]
            overlap = len(a & b) / max(1, min(len(a), len(b)))
            assert overlap < 0.85 or len(a | b) > 12, (texts[i], texts[j])
    assert all(t.endswith("?") for t in texts)


def test_no_repeat_within_a_year_for_a_couple(deck: Deck) -> None:
    for couple in ("space-a", "space-b"):
        start = date(2026, 3, 17)
        ids = [deck.question_for(couple, start + timedelta(days=i)).id for i in range(400)]
        assert len(set(ids)) == 400  # not one repeat in 400 consecutive days
        assert deck.question_for(couple, start + timedelta(days=deck.period)).id == ids[0]


def test_draw_is_deterministic_per_couple_and_differs_between_couples(deck: Deck) -> None:
    day = date(2026, 12, 1)
    assert deck.question_for("space-a", day) == Deck.load(KNOWLEDGE).question_for("space-a", day)
    a = [deck.question_for("space-a", day + timedelta(days=i)).id for i in range(30)]
    b = [deck.question_for("space-b", day + timedelta(days=i)).id for i in range(30)]
    assert a != b


def test_tiers_take_turns(deck: Deck) -> None:
    day = date(2026, 12, 1)
    tiers = [deck.question_for("c", day + timedelta(days=i)).tier for i in range(10)]
    assert sorted(tiers[:5]) == sorted(TIERS) and tiers[:5] == tiers[5:]


def test_a_deck_too_small_for_a_year_is_refused() -> None:
    small = {t: [Question(f"{t}{i}", t, f"q {t} {i}?") for i in range(50)] for t in TIERS}
    with pytest.raises(HearthError, match="repeat within a year"):
        Deck(small, {})
