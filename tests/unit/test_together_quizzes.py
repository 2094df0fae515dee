"""Quizzes: scored and explained, compared only when both share, turned into a two-week plan;
notes go through the safety screen and a flagged note is never shared."""

from __future__ import annotations

from datetime import date

import pytest

from assistant.config import PROJECT_ROOT
from assistant.errors import UsageError
from assistant.services import Services
from assistant.together import plan, quizzes

KNOWLEDGE = PROJECT_ROOT / "knowledge"
START = date(2026, 12, 7)


@pytest.fixture
def couple(fake_services: Services):  # type: ignore[no-untyped-def]
    v = fake_services.vaults
    v.create_profile("Ana", "ana-passphrase-1")
    v.create_profile("Ben", "ben-passphrase-2")
    a, b = v.unlock("Ana", "ana-passphrase-1"), v.unlock("Ben", "ben-passphrase-2")
    fake_services.together.link(a, b)
    return a, b


def test_quiz_data_is_complete() -> None:
    qs = quizzes.load(KNOWLEDGE)
    assert {"attachment", "care", "conflict", "know-me"} <= set(qs)
    exercises = plan.load_exercises(KNOWLEDGE)
    articles = {p.stem for p in (KNOWLEDGE / "articles").glob("*.md")}
    for q in qs.values():
        assert q.draws_on and len(q.items) >= 8
        for dim, bands in q.plan.items():
            assert all(ex in exercises for picks in bands.values() for ex in picks), (q.name, dim)
        assert all(a in articles for arts in q.articles.values() for a in arts), q.name
        if q.kind == "scale":
            for dim in q.dimensions:
                assert set(q.results[dim]) == set(quizzes.BANDS), (q.name, dim)


def test_scores_flip_reverse_items_and_explain() -> None:
    q = quizzes.load(KNOWLEDGE)["attachment"]
    # anxiety items 5,5,5 and "I feel secure" at 1 (reversed to 5); avoidance all 1, "share easily" 5 -> 1
    scores = quizzes.score(q, [5, 5, 5, 1, 1, 1, 1, 5])
    assert scores == {"anxiety": 5.0, "avoidance": 1.0}
    ex = {e["dimension"]: e for e in quizzes.explain(q, scores)}
    assert ex["anxiety"]["band"] == "high" and "anxious-attachment" in ex["anxiety"]["articles"]
    assert ex["avoidance"]["band"] == "low"


def test_compare_waits_until_both_share(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, b = couple
    t.take_quiz(a, "conflict", [4, 4, 4, 2, 2, 2, 3, 3, 3, 4, 4, 4])
    t.take_quiz(b, "conflict", [2, 2, 2, 5, 5, 5, 1, 1, 1, 1, 1, 1])
    assert t.compare(a, "conflict") == {"quiz": "conflict", "ready": False, "waiting_for": "you"}
    t.share_quiz(a, "conflict")
    assert t.compare(a, "conflict")["waiting_for"] == "Ben"
    assert t.compare(b, "conflict")["ready"] is False  # Ben has not agreed yet
    t.share_quiz(b, "conflict")
    dims = {d["dimension"]: d for d in t.compare(b, "conflict")["dimensions"]}
    assert dims["volatile"]["me"] == 5.0 and dims["volatile"]["partner"] == 2.0
    assert dims["harsh"]["partner_band"] == "high"


def test_know_me_scores_each_guess_against_the_other(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, b = couple
    t.take_quiz(a, "know-me", [1, 2, 3, 4, 1, 2, 3, 4], guesses=[2, 2, 2, 2, 2, 2, 2, 2])
    t.take_quiz(b, "know-me", [2, 2, 2, 2, 1, 1, 1, 1], guesses=[1, 2, 3, 4, 1, 2, 3, 4])
    with pytest.raises(UsageError, match="guesses"):
        t.take_quiz(a, "know-me", [1] * 8)
    t.share_quiz(a, "know-me")
    t.share_quiz(b, "know-me")
    cmp = t.compare(a, "know-me")
    assert cmp["my_guesses"]["right"] == 4 and cmp["their_guesses"]["right"] == 8
    assert t.plan(b, START)  # Ben knows Ana well: the plan still has exercises


def test_plan_is_two_weeks_of_real_exercises(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, _ = couple
    with pytest.raises(UsageError, match="take a quiz first"):
        t.plan(a, START)
    t.take_quiz(a, "attachment", [5, 5, 5, 1, 1, 1, 1, 5])
    rows = t.plan(a, START)
    days = [date.fromisoformat(r["day"]) for r in rows]
    assert min(days) == START and (max(days) - START).days == 13 and len(rows) == 8
    assert {"reunion-ritual", "share-one-appreciation"} <= {r["exercise"] for r in rows}
    assert sum(r["exercise"] == "weekly-state-of-us" for r in rows) == 2
    assert all(r["steps"] for r in rows)


def test_a_flagged_note_is_shown_to_its_writer_and_never_shared(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, b = couple
    out = t.take_quiz(a, "conflict", [3] * 12, note="When we argue he pinned me against the wall.")
    assert out["safety"] and out["note"]
    t.share_quiz(a, "conflict")
    t.take_quiz(b, "conflict", [3] * 12, note="We both need more sleep.")
    t.share_quiz(b, "conflict")
    assert t.compare(b, "conflict")["note"] == ""
    assert t.compare(a, "conflict")["note"] == "We both need more sleep."


def test_bad_quiz_input(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    a, _ = couple
    with pytest.raises(UsageError, match="unknown quiz"):
        t.take_quiz(a, "horoscope", [1])
    with pytest.raises(UsageError, match="has 8 items"):
        t.take_quiz(a, "attachment", [1, 2])
    with pytest.raises(UsageError, match="out of range"):
        t.take_quiz(a, "attachment", [6] * 8)
