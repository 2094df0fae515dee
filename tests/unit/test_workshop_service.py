"""Workshop accounts: enrolling with a code, the facilitator's name kept, and the facilitator's
view holding counts only."""

from __future__ import annotations

import pytest

from assistant.errors import VaultError, WrongPassphrase
from assistant.services import Services
from assistant.workshop import service
from assistant.workshop.counts import Activity
from assistant.workshop.service import EnrolRefused
from ui.facilitator import NOT_YOURS, facilitator_view

PW = "a long passphrase"


def test_enrol_creates_a_profile_only_its_own_passphrase_opens(fake_services: Services) -> None:
    code = fake_services.enrol_codes.issue(15)
    recovery = service.enrol(fake_services, code, "ana", PW)
    assert recovery
    assert fake_services.vaults.unlock("ana", PW).name == "ana"
    with pytest.raises(WrongPassphrase):
        fake_services.vaults.unlock("ana", "somebody else's passphrase")


def test_enrol_with_a_used_code_creates_nothing(fake_services: Services) -> None:
    code = fake_services.enrol_codes.issue(15)
    service.enrol(fake_services, code, "ana", PW)
    with pytest.raises(EnrolRefused):
        service.enrol(fake_services, code, "ben", PW)
    assert fake_services.vaults.profiles() == ["ana"]


def test_a_failed_enrol_keeps_the_code(fake_services: Services) -> None:
    service.add_participant(fake_services, "ana", PW)
    code = fake_services.enrol_codes.issue(15)
    with pytest.raises(VaultError, match="already exists"):
        service.enrol(fake_services, code, "ana", PW)  # the name is taken
    with pytest.raises(VaultError, match="8 characters"):
        service.enrol(fake_services, code, "ben", "short")
    service.enrol(fake_services, code, "ben", PW)
    assert fake_services.vaults.profiles() == ["ana", "ben"]


def test_the_facilitators_name_stays_reserved(fake_services: Services) -> None:
    service.add_participant(fake_services, "Sam", PW, facilitator=True)
    fake_services.vaults.delete_profile(fake_services.vaults.unlock("Sam", PW))
    code = fake_services.enrol_codes.issue(15)
    with pytest.raises(VaultError, match="taken"):
        service.enrol(fake_services, code, "Sam", PW)
    assert not fake_services.vaults.profiles()


def test_the_facilitator_view_shows_counts_and_nothing_else(fake_services: Services) -> None:
    svc = fake_services
    service.add_participant(svc, "Sam", PW, facilitator=True)
    service.add_participant(svc, "ana", PW)
    service.add_participant(svc, "ben", PW)
    svc.vaults.add(svc.vaults.unlock("ana", PW), "a private thing ana wrote")
    activity = Activity()
    activity.opened("page-1", "ana")
    activity.opened("page-2", "ana")  # the same person in two tabs is one login
    activity.opened("page-3", "Sam")
    for _ in range(3):
        activity.asked()
    view = facilitator_view(svc, activity, 4, "Sam")
    assert view == (
        "**Participants:** 2  \n**Logged in now:** 2  \n**Questions asked since start:** 3  \n"
        "**Waiting in the queue:** 4"
    )
    activity.closed("page-3")
    assert "**Logged in now:** 1" in facilitator_view(svc, activity, 0, "Sam")


def test_only_the_facilitator_gets_the_view(fake_services: Services) -> None:
    service.add_participant(fake_services, "Sam", PW, facilitator=True)
    service.add_participant(fake_services, "ana", PW)
    activity = Activity()
    assert facilitator_view(fake_services, activity, 0, "ana") == NOT_YOURS
    assert facilitator_view(fake_services, activity, 0, None) == NOT_YOURS
    assert facilitator_view(fake_services, activity, 0, "sam") == NOT_YOURS  # names are exact
