"""`hearth workshop add` and `hearth workshop code`, run as the facilitator would."""

from __future__ import annotations

import re

from assistant.config import Settings
from assistant.services import Services
from tests.conftest import run_hearth

ENV = {"HEARTH_PASSPHRASE": "a long enough passphrase", "HEARTH_EMBED_BACKEND": "fake", "HEARTH_LLM_BACKEND": "fake"}


def test_add_without_a_terminal_needs_the_passphrase_variable() -> None:
    res = run_hearth("workshop", "add", "ana", input="")
    assert res.returncode == 2
    assert res.stderr.strip() == "hearth: error: no passphrase: set HEARTH_PASSPHRASE or run in a terminal"


def test_add_creates_profiles_and_marks_the_facilitator() -> None:
    assert run_hearth("workshop", "add", "Sam", "--facilitator", env=ENV).returncode == 0
    res = run_hearth("workshop", "add", "ana", env=ENV)
    assert res.returncode == 0 and "participant 'ana' created" in res.stdout
    svc = Services(Settings())
    assert svc.vaults.profiles() == ["Sam", "ana"]
    assert svc.roster.facilitators() == ["Sam"]
    assert svc.vaults.unlock("ana", ENV["HEARTH_PASSPHRASE"]).name == "ana"


def test_add_needs_a_name() -> None:
    res = run_hearth("workshop", "add", env=ENV)
    err = res.stderr.strip().splitlines()
    assert res.returncode == 2 and len(err) == 1
    assert err[0].startswith("hearth: error: Missing argument 'NAME'") and "hearth workshop add --help" in err[0]


def test_code_prints_codes_the_app_accepts_once() -> None:
    res = run_hearth("workshop", "code", "--count", "2", "--minutes", "5", env=ENV)
    assert res.returncode == 0
    codes = re.findall(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$", res.stdout, re.MULTILINE)
    assert len(codes) == 2 and codes[0] != codes[1]
    assert "for 5 minutes" in res.stdout
    codes_store = Services(Settings()).enrol_codes
    assert codes_store.redeem(codes[0]) and not codes_store.redeem(codes[0])
