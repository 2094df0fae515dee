"""The memory: list/add/edit/delete stick, facts are sealed, suggestions are never saved without a yes."""

from __future__ import annotations

import pytest

from assistant.errors import UsageError
from assistant.services import Services
from assistant.together import memory
from assistant.together.memory import Fact


@pytest.fixture
def ana(fake_services: Services):  # type: ignore[no-untyped-def]
    fake_services.vaults.create_profile("Ana", "ana-passphrase-1")
    return fake_services.vaults.unlock("Ana", "ana-passphrase-1")


def test_add_edit_delete_stick_across_a_fresh_store(fake_services: Services, ana) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    name = t.remember(ana, "partner_name", "Sam")
    far = t.remember(ana, "long_distance", "yes, Lisbon and Leeds")
    t.edit_memory(ana, name.id, "Samira")
    t.forget(ana, far.id)
    t.store.close()  # the next read opens the file again
    facts = t.memories(ana)
    assert [(f.kind, f.value) for f in facts] == [("partner_name", "Samira")]
    with pytest.raises(UsageError, match="no memory"):
        t.forget(ana, far.id)
    with pytest.raises(UsageError, match="unknown kind"):
        t.remember(ana, "shoe_size", "41")


def test_memory_is_sealed_and_private_to_its_profile(fake_services: Services, ana) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    fake_services.vaults.create_profile("Ben", "ben-passphrase-2")
    ben = fake_services.vaults.unlock("Ben", "ben-passphrase-2")
    fact = t.remember(ana, "working_on", "canary-MEM-4411 fewer late-night arguments")
    t.edit_memory(ana, fact.id, "canary-MEM-4412 calmer mornings")
    assert t.memories(ben) == []
    t.store.close()
    for p in fake_services.settings.home.iterdir():
        if p.is_file():
            assert b"canary-MEM" not in p.read_bytes(), p


def test_suggestions_are_only_suggestions(fake_services: Services, ana) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    found = t.suggest_memory(ana, "My partner's name is Sam and we have been long distance since May.")
    assert [s.prompt for s in found][0] == "Remember that your partner's name is Sam?"
    assert {s.kind for s in found} == {"partner_name", "long_distance"}
    assert t.memories(ana) == []  # nothing saved without a yes
    t.accept(ana, found[0])
    assert [(f.kind, f.value) for f in t.memories(ana)] == [("partner_name", "Sam")]
    assert all(s.kind != "partner_name" for s in t.suggest_memory(ana, "My partner Sam was late again."))


def test_suggest_skips_words_that_are_not_names() -> None:
    assert memory.suggest("My partner And I argued.", []) == []
    assert [s.value for s in memory.suggest("my wife, Priya, works nights", [])] == ["Priya"]


def test_personalise_uses_the_name_and_context() -> None:
    facts = [Fact("1", "partner_name", "Sam"), Fact("2", "children", "a new baby")]
    out = memory.personalise("Your partner may feel tired. Ask about your partner's day.", facts)
    assert out == "Sam may feel tired. Ask about Sam's day."
    assert memory.personalise("Your partner may feel tired.", []) == "Your partner may feel tired."
    assert any("little one" in line for line in memory.context_lines(facts))


def test_service_personalise_reads_the_sealed_memory(fake_services: Services, ana) -> None:  # type: ignore[no-untyped-def]
    t = fake_services.together
    t.remember(ana, "partner_name", "Sam")
    t.remember(ana, "long_distance", "yes")
    out = t.personalise(ana, "Tell your partner what you noticed.")
    assert out.startswith("Tell Sam what you noticed.") and "apart" in out


def test_delete_all_removes_the_together_file(fake_services: Services, ana) -> None:  # type: ignore[no-untyped-def]
    from assistant.journal import service as journal

    fake_services.together.remember(ana, "partner_name", "Sam")
    path = fake_services.settings.together_path
    assert path.exists()
    journal.delete_all(fake_services)
    assert not path.exists() and not fake_services.settings.vault_path.exists()
