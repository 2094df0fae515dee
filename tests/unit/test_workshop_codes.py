"""Enrol codes: one use each, only until they expire, and only a digest is stored."""

from __future__ import annotations

from pathlib import Path

from assistant.workshop.codes import EnrolCodes
from assistant.workshop.store import WorkshopDB


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _codes(tmp_path: Path) -> tuple[EnrolCodes, Clock]:
    clock = Clock()
    return EnrolCodes(WorkshopDB(tmp_path / "workshop.sqlite3"), clock), clock


def test_a_code_works_once(tmp_path: Path) -> None:
    codes, _ = _codes(tmp_path)
    code = codes.issue(15)
    assert len(code) == 9 and code[4] == "-"
    assert codes.redeem(code.lower().replace("-", " "))  # typed loosely still counts
    assert not codes.redeem(code)
    assert codes.active() == 0


def test_a_code_expires(tmp_path: Path) -> None:
    codes, clock = _codes(tmp_path)
    code = codes.issue(15)
    clock.now += 15 * 60 + 1
    assert not codes.redeem(code)


def test_a_code_still_works_just_before_it_expires(tmp_path: Path) -> None:
    codes, clock = _codes(tmp_path)
    code = codes.issue(15)
    clock.now += 15 * 60 - 1
    assert codes.redeem(code)


def test_unknown_and_malformed_codes_are_refused(tmp_path: Path) -> None:
    codes, _ = _codes(tmp_path)
    code = codes.issue(15)
    wrong = ("B" if code[0] != "B" else "C") + code[1:]
    assert not codes.redeem(wrong)
    assert not codes.redeem("")
    assert not codes.redeem(code + "X")
    assert codes.redeem(code)  # the wrong tries did not use it up


def test_a_released_code_can_be_used_again(tmp_path: Path) -> None:
    codes, _ = _codes(tmp_path)
    code = codes.issue(15)
    assert codes.redeem(code)
    codes.release(code)
    assert codes.redeem(code)


def test_only_a_digest_is_stored(tmp_path: Path) -> None:
    codes, _ = _codes(tmp_path)
    code = codes.issue(15)
    codes.db.close()
    raw = (tmp_path / "workshop.sqlite3").read_bytes()
    assert code.replace("-", "").encode() not in raw and code.encode() not in raw
    assert (tmp_path / "workshop.sqlite3").stat().st_mode & 0o077 == 0


def test_codes_are_shared_between_processes_through_the_file(tmp_path: Path) -> None:
    # `hearth workshop code` runs in its own process while the app serves: the app must see it.
    issuer, _ = _codes(tmp_path)
    server, _ = _codes(tmp_path)
    code = issuer.issue(15)
    assert server.redeem(code)
    assert not issuer.redeem(code)


def test_wrong_codes_back_off_per_client_and_survive_a_restart(tmp_path: Path) -> None:
    import pytest

    from assistant import backoff
    from assistant.errors import TooManyAttempts

    codes, clock = _codes(tmp_path)
    good = codes.issue(15)
    for _ in range(backoff.FREE_FAILURES):
        assert not codes.redeem("AAAA-AAAA", client="10.0.0.7")
    with pytest.raises(TooManyAttempts, match="too many wrong codes"):
        codes.redeem(good, client="10.0.0.7")  # even the right code waits
    reopened = EnrolCodes(WorkshopDB(tmp_path / "workshop.sqlite3"), clock)
    with pytest.raises(TooManyAttempts):
        reopened.redeem(good, client="10.0.0.7")
    assert codes.active() == 1  # a refused try used nothing up
    other = codes.issue(15)
    assert codes.redeem(other, client="10.0.0.8")  # another address is not slowed
    clock.now += 2
    assert codes.redeem(good, client="10.0.0.7")  # the wait is over, and success clears the count
    assert not codes.redeem("BBBB-BBBB", client="10.0.0.7")
    assert not codes.redeem("BBBB-BBBB", client="10.0.0.7")  # counting starts again: no wait yet
