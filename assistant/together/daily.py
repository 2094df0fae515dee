"""The daily question: private answers, the mutual reveal, and streaks without guilt.

The reveal rule, enforced here for every caller (UI, CLI): a partner's answer for a day is read
only if the reader has answered that day's question themselves. Every answer is written twice:
the writer's own copy, sealed under the writer's profile key (only they can ever open it), and
the copy the partner will see, sealed under the couple's space key. The partner's copy is not
written at all when the safety screen flags the answer: that answer exists only under its
writer's key, so no software path, this one included, can show it to the partner.

What the keys cannot do: the partner's copy must be readable by the partner without the writer
present, so anyone holding the space key (each partner, through their own passphrase) could open
it before answering with a modified program. The order "answer first, then see" is a rule of this
software, not of the cryptography; the README says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.errors import UsageError, VaultError
from assistant.together.deck import Deck, Question
from assistant.together.store import TogetherStore

MAX_ANSWER_CHARS = 4_000
WITHHELD_NOTE = "Answers that mention harm or danger stay with you: Hearth never shows them to your partner."


@dataclass
class Today:
    day: str
    question: Question
    partner: str
    me_answered: bool
    partner_answered: bool
    mine: str | None = None
    theirs: str | None = None  # only when both have answered
    followup: str | None = None  # only after the reveal
    withheld: list[str] = field(default_factory=list)  # my answers kept from the partner
    together_days: int = 0  # days both answered in the last 30
    run: int = 0  # consecutive days both answered, up to today or yesterday

    @property
    def revealed(self) -> bool:
        return self.theirs is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "question": {"id": self.question.id, "tier": self.question.tier, "text": self.question.text},
            "partner": self.partner,
            "answered": {"me": self.me_answered, "partner": self.partner_answered},
            "mine": self.mine,
            "theirs": self.theirs,
            "followup": self.followup,
            "withheld": self.withheld,
            "together_days_last_30": self.together_days,
            "run": self.run,
        }


def check_answer(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise UsageError("the answer is empty; nothing was saved")
    if len(text) > MAX_ANSWER_CHARS:
        raise UsageError(f"an answer holds up to {MAX_ANSWER_CHARS:,} characters and this one has {len(text):,}")
    return text


def my_answers(
    store: TogetherStore, profile_key: bytes, profile_id: str, space_id: str
) -> dict[str, list[dict[str, Any]]]:
    """This profile's own copies of its answers, by day (oldest first within a day)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for rec in store.all("mine", profile_key, profile_id, "answer"):
        if rec.data.get("space") == space_id:
            out.setdefault(str(rec.data["day"]), []).append(rec.data)
    return out


def partner_copy(store: TogetherStore, space_key: bytes, space_id: str, day: str, me: str) -> dict[str, Any] | None:
    """The partner's shared answer for `day` (None if they have not answered or it was withheld)."""
    others = store.answered(space_id, day) - {me}
    if not others:
        return None
    return store.read_answer(space_key, space_id, day, sorted(others)[0])


def reveal(mine: list[dict[str, Any]], theirs: dict[str, Any] | None) -> str | None:
    """The rule itself: the partner's text only once I have answered that day."""
    if not mine or theirs is None:
        return None
    return str(theirs["text"])


def streak(days_both: set[str], today: date) -> tuple[int, int]:
    """(days both answered in the last 30, current run). A run that ended is simply not shown:
    there is no count of missed days anywhere, on purpose."""
    recent = sum(1 for i in range(30) if (today - timedelta(days=i)).isoformat() in days_both)
    start = today if today.isoformat() in days_both else today - timedelta(days=1)
    run = 0
    while (start - timedelta(days=run)).isoformat() in days_both:
        run += 1
    return recent, run


def question_of(deck: Deck, space_id: str, day: date) -> Question:
    return deck.question_for(space_id, day)


def require_new(mine_today: list[dict[str, Any]]) -> None:
    if any(not a.get("withheld") for a in mine_today):
        raise VaultError("you have already answered today's question; answers cannot change")
