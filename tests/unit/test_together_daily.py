"""The daily question with two real profiles in a real vault (tmp folder): the reveal rule, a third
profile, a disclosure that is never revealed, streaks, history, sealing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant.errors import HearthError, UsageError, VaultError
from assistant.journal.vault import VaultSession
from assistant.services import Services

DAY = date(2026, 12, 1)
PASS = {"Ana": "ana-passphrase-1", "Ben": "ben-passphrase-2", "Cleo": "cleo-passphrase-3"}


@pytest.fixture
def people(fake_services: Services) -> dict[str, VaultSession]:
    out = {}
    for name, pw in PASS.items():
        fake_services.vaults.create_profile(name, pw)
        out[name] = fake_services.vaults.unlock(name, pw)
    fake_services.together.link(out["Ana"], out["Ben"])
    return out


def test_partner_cannot_read_an_answer_before_answering(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    t.answer(people["Ana"], "Fresh bread on a cold morning.", DAY)
    ben = t.today(people["Ben"], DAY)
    assert ben.partner == "Ana" and ben.partner_answered and not ben.me_answered
    assert ben.theirs is None and ben.followup is None
    assert "Fresh bread" not in str(ben.as_json())
    ana = t.today(people["Ana"], DAY)
    assert ana.mine == "Fresh bread on a cold morning." and ana.theirs is None and not ana.partner_answered


def test_after_both_answer_both_read_both(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    t.answer(people["Ana"], "Fresh bread on a cold morning.", DAY)
    t.answer(people["Ben"], "Cut grass after rain.", DAY)
    ana, ben = t.today(people["Ana"], DAY), t.today(people["Ben"], DAY)
    assert (ana.mine, ana.theirs) == ("Fresh bread on a cold morning.", "Cut grass after rain.")
    assert (ben.mine, ben.theirs) == ("Cut grass after rain.", "Fresh bread on a cold morning.")
    assert ana.question == ben.question and ana.followup and ana.followup == ben.followup


def test_a_third_profile_reads_nothing(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    t.answer(people["Ana"], "Fresh bread on a cold morning.", DAY)
    t.answer(people["Ben"], "Cut grass after rain.", DAY)
    with pytest.raises(UsageError, match="not linked"):
        t.today(people["Cleo"], DAY)
    with pytest.raises(HearthError):
        t.history(people["Cleo"])
    space = t.couple(people["Ana"]).space_id
    with pytest.raises(VaultError, match="not a member"):
        fake_services.vaults.space_key(people["Cleo"], space)


def test_a_daily_answer_that_discloses_danger_is_never_revealed(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    danger = "He hit me when I was holding the baby."
    result = t.answer(people["Ana"], danger, DAY)
    assert result.withheld and result.safety  # the writer sees resources
    assert "never shows them to your partner" in result.as_json()["note"]
    ben = t.today(people["Ben"], DAY)
    assert not ben.partner_answered  # not even that something was written
    t.answer(people["Ben"], "Cut grass after rain.", DAY)
    for view in (t.today(people["Ben"], DAY).as_json(), t.history(people["Ben"])):
        assert "hit me" not in str(view)
    ana = t.today(people["Ana"], DAY)
    assert ana.withheld == [danger] and ana.mine is None
    # the partner's copy was never written: nothing under the space key holds it
    space = t.couple(people["Ana"]).space_id
    assert t.store.answered(space, DAY.isoformat()) == {people["Ben"].profile_id}


def test_an_answer_cannot_change_after_it_is_given(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    t.answer(people["Ana"], "First.", DAY)
    with pytest.raises(VaultError, match="already answered"):
        t.answer(people["Ana"], "Second, after seeing Ben's.", DAY)
    with pytest.raises(UsageError, match="empty"):
        t.answer(people["Ben"], "   ", DAY)


def test_history_shows_partner_only_on_days_i_answered(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    d1, d2 = DAY, DAY + timedelta(days=1)
    t.answer(people["Ana"], "Ana day one.", d1)
    t.answer(people["Ben"], "Ben day one.", d1)
    t.answer(people["Ana"], "Ana day two.", d2)
    hist = {h["day"]: h for h in t.history(people["Ben"])}
    assert hist[d1.isoformat()]["theirs"] == "Ana day one."
    assert hist[d2.isoformat()]["partner_answered"] and hist[d2.isoformat()]["theirs"] is None
    assert t.today(people["Ana"], d2).question != t.today(people["Ana"], d1).question


def test_streak_counts_days_together_and_never_misses(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    for i in (0, 1, 3, 4, 5):  # day 2 skipped
        d = DAY + timedelta(days=i)
        t.answer(people["Ana"], f"a{i}", d)
        t.answer(people["Ben"], f"b{i}", d)
    view = t.today(people["Ana"], DAY + timedelta(days=5))
    assert (view.together_days, view.run) == (5, 3)
    assert "miss" not in str(view.as_json()).lower() and "broke" not in str(view.as_json()).lower()


def test_answers_are_sealed_on_disk(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    t.answer(people["Ana"], "canary-ZQX-answer-7731", DAY)
    t.answer(people["Ben"], "canary-ZQX-danger-7731: he pinned me against the wall.", DAY)  # withheld, private
    t.store.close()
    files = [p for p in fake_services.settings.home.iterdir() if p.name.startswith(("together", "journal"))]
    assert any(p.name == "together.sqlite3" for p in files)
    for p in files:
        assert b"canary-ZQX" not in p.read_bytes(), p


def test_linking_twice_reuses_the_space(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    first = t.couple(people["Ana"]).space_id
    t.link(people["Ben"], people["Ana"])
    assert t.couple(people["Ana"]).space_id == first == t.couple(people["Ben"]).space_id
    assert t.couple(people["Ben"]).partner == "Ana"


def test_deleting_a_profile_takes_its_together_records(fake_services: Services, people: dict) -> None:
    t = fake_services.together
    t.answer(people["Ana"], "Ana's answer.", DAY)
    t.answer(people["Ben"], "Ben's answer.", DAY)
    t.remember(people["Ana"], "partner_name", "Ben")
    t.take_quiz(people["Ana"], "attachment", [3] * 8)
    t.share_quiz(people["Ana"], "attachment")
    t.forget_profile(people["Ana"])
    fake_services.vaults.delete_profile(people["Ana"])
    with pytest.raises(UsageError, match="no longer in this vault"):
        t.today(people["Ben"], DAY)
    conn, ana_id = t.store.conn, people["Ana"].profile_id
    assert conn.execute("SELECT count(*) FROM mine WHERE profile_id=?", (ana_id,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM answers WHERE profile_id=?", (ana_id,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM answers").fetchone()[0] == 1  # Ben's own stays
    assert conn.execute("SELECT count(*) FROM ours WHERE kind='quiz-shared'").fetchone()[0] == 0
