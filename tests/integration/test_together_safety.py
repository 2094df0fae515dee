"""Together with the real detector (bundled MiniLM embedder, the trained heads) and a real vault:
indirect disclosures in daily answers are kept from the partner; ordinary answers are shared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.services import Services

pytestmark = pytest.mark.slow
DAY = date(2026, 12, 1)
DATA = Path(__file__).resolve().parents[1] / "data"


def _spread(name: str, n: int) -> list[str]:
    lines = [ln.strip() for ln in (DATA / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines[:: max(1, len(lines) // n)][:n]


@pytest.fixture
def svc(tmp_path: Path, real_embedder) -> Services:  # type: ignore[no-untyped-def]
    return Services(Settings(home=tmp_path / "home", llm_backend="fake"), embedder=real_embedder)


def test_disclosures_are_withheld_and_ordinary_answers_shared(svc: Services) -> None:
    v, t = svc.vaults, svc.together
    v.create_profile("Ana", "ana-passphrase-1")
    v.create_profile("Ben", "ben-passphrase-2")
    a, b = v.unlock("Ana", "ana-passphrase-1"), v.unlock("Ben", "ben-passphrase-2")
    t.link(a, b)
    dangerous = _spread("safety_abuse.txt", 6) + _spread("safety_crisis.txt", 6)
    ordinary = _spread("safety_harmless.txt", 12)
    leaked, missed, held_back = [], [], []
    for i, text in enumerate(dangerous):
        day = date.fromordinal(DAY.toordinal() + i)
        if not t.answer(a, text, day).withheld:
            missed.append(text)
        t.answer(b, "Cut grass after rain.", day)
        if t.today(b, day).theirs is not None:
            leaked.append(text)
    for i, text in enumerate(ordinary):
        day = date.fromordinal(DAY.toordinal() + 100 + i)
        if t.answer(a, text, day).withheld:
            held_back.append(text)
    # What the detector flags is never shown. What it misses is shown like any answer: Together
    # adds no screen of its own (one detector for the whole app). Measured on this spread when
    # written: 10 of 12 withheld; missed were an oblique fear of being hurt ("angry enough to hurt
    # me") and a veiled overdose question. The floor below catches a regression, not those two.
    # The harmless file is the hard kind (figures of speech: "dead tired", "going to kill me");
    # the detector flags some of them (4 of 12 when written). Such an answer is kept for its writer
    # only, like a disclosure: a cost in sharing, never a leak.
    assert leaked == missed, "a flagged answer reached the partner"
    assert len(missed) <= 2, missed
    for i, text in enumerate(ordinary):
        day = date.fromordinal(DAY.toordinal() + 100 + i)
        view = t.today(a, day)
        assert (text in view.withheld) == (text in held_back) and (view.mine == text) != (text in held_back)
    print(
        f"together safety: {len(dangerous) - len(missed)}/{len(dangerous)} disclosures withheld, "
        f"{len(held_back)}/{len(ordinary)} hard harmless answers held back"
    )
