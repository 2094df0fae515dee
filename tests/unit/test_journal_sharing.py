"""An entry shared into a space follows its owner's edits and deletes (issue 16): the journal
service against a real SQLite vault in the test's data folder, fake models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.journal import service as journal
from assistant.journal.vault import VaultSession
from assistant.services import Services
from ui.tabs.journal import JournalTab
from ui.tabs.session import Sessions

PW_A, PW_B = "a long passphrase for ana", "a long passphrase for ben"


@pytest.fixture
def couple(fake_services: Services) -> tuple[VaultSession, VaultSession, str]:
    journal.init_profile(fake_services, "Ana", PW_A)
    journal.init_profile(fake_services, "Ben", PW_B)
    ana, ben = journal.unlock(fake_services, "Ana", PW_A), journal.unlock(fake_services, "Ben", PW_B)
    return ana, ben, journal.open_space(fake_services, ana, ben)


def _blobs(svc: Services) -> dict[str, bytes]:
    with sqlite3.connect(svc.settings.home / "journal.sqlite3") as c:
        return {str(i): bytes(b) for i, b in c.execute("SELECT id, sealed FROM space_entries")}


def _on_disk(home: Path, blob: bytes) -> bool:
    """Whether any 32-byte run of a sealed blob is still in the data folder's files."""
    disk = b"".join(f.read_bytes() for f in home.rglob("*") if f.is_file())
    return any(blob[i : i + 32] in disk for i in range(0, len(blob) - 32, 16))


def _texts(svc: Services, who: VaultSession, space: str) -> list[str]:
    return [i["text"] for i in journal.space_entries(svc, who, space)]


def test_editing_a_shared_entry_updates_its_copy_and_the_old_words_leave_the_files(
    fake_services: Services, couple, home: Path
) -> None:  # type: ignore[no-untyped-def]
    ana, ben, space = couple
    e = journal.add_entry(fake_services, ana, "We planned the trip to the coast.")
    other = journal.add_entry(fake_services, ana, "Another evening, not edited.")
    journal.share_entry(fake_services, ana, space, e.id)
    journal.share_entry(fake_services, ana, space, other.id)
    theirs = journal.add_entry(fake_services, ben, "Ben's own words.")
    journal.share_entry(fake_services, ben, space, theirs.id)
    old = _blobs(fake_services)

    done = journal.edit_entry(fake_services, ana, e.id, "We planned the trip to the mountains instead.")
    assert done.shared == 1
    # The partner reads the new words where the old ones were, in the same place in the list
    assert _texts(fake_services, ben, space) == [
        "We planned the trip to the mountains instead.", "Another evening, not edited.", "Ben's own words.",
    ]  # fmt: skip
    assert "coast" not in " ".join(_texts(fake_services, ana, space))
    now = _blobs(fake_services)
    assert now.keys() == old.keys()  # the copy was sealed again in its row, not added twice
    changed = [sid for sid in old if old[sid] != now[sid]]
    assert len(changed) == 1 and not _on_disk(home, old[changed[0]])  # the old copy's ciphertext is gone
    # An entry never shared: an edit touches no space
    solo = journal.add_entry(fake_services, ana, "Just for me.")
    assert journal.edit_entry(fake_services, ana, solo.id, "Still just for me.").shared == 0
    assert _blobs(fake_services) == now


def test_deleting_a_shared_entry_removes_every_copy_of_it_and_nothing_else(
    fake_services: Services, couple, home: Path
) -> None:  # type: ignore[no-untyped-def]
    ana, ben, space = couple
    e = journal.add_entry(fake_services, ana, "The talk about moving in together.")
    kept = journal.add_entry(fake_services, ana, "A walk by the river.")
    journal.share_entry(fake_services, ana, space, e.id)
    journal.share_entry(fake_services, ana, space, e.id)  # shared twice: two copies
    journal.share_entry(fake_services, ana, space, kept.id)
    theirs = journal.add_entry(fake_services, ben, "Ben's own words.")
    journal.share_entry(fake_services, ben, space, theirs.id)
    before = _blobs(fake_services)

    assert journal.delete_entry(fake_services, ana, e.id) == 2
    assert _texts(fake_services, ben, space) == ["A walk by the river.", "Ben's own words."]
    gone = set(before) - set(_blobs(fake_services))
    assert len(gone) == 2 and not any(_on_disk(home, before[sid]) for sid in gone)
    # Undo brings back the entry, not its shared copies (the message says so)
    back = journal.restore_entry(fake_services, ana, journal.Entry(e.id, e.created, e.created, 1, e.entry.text))
    assert back.text == e.entry.text and len(_texts(fake_services, ben, space)) == 2


def test_the_journal_tab_says_what_happened_to_the_shared_copy(fake_services: Services, couple) -> None:  # type: ignore[no-untyped-def]
    ana, _, space = couple
    tab = JournalTab(fake_services, Sessions(fake_services))
    opened, _ = tab.save(ana, "We argued about the holidays.")
    tab.share(ana, space, opened.entry_id)
    _, status = tab.save(ana, "We talked about the holidays calmly.", editing=opened.entry_id)
    assert "Its copy in your shared space now shows the new words." in status
    held = tab.delete(ana, opened.entry_id)
    assert held.shared == 1
    msg = tab.deleted_status(held)
    assert "its copy in your shared space" in msg and "share it again" in msg
    plain, _ = tab.save(ana, "Not shared.")
    assert tab.deleted_status(tab.delete(ana, plain.entry_id)) == "Entry deleted. Undo within 30 seconds."


def test_an_edit_that_adds_a_disclosure_takes_the_copy_out_of_the_space(
    fake_services: Services, couple, home: Path
) -> None:  # type: ignore[no-untyped-def]
    ana, ben, space = couple
    e = journal.add_entry(fake_services, ana, "We planned the trip to the coast.")
    journal.share_entry(fake_services, ana, space, e.id)
    assert _texts(fake_services, ben, space) == ["We planned the trip to the coast."]

    done = journal.edit_entry(fake_services, ana, e.id, "We planned the trip. Later he hit me when I said no.")
    # The partner may be the one it is about: the new words never reach the space.
    assert done.analysis.safety == "abuse"
    assert (done.shared, done.withdrawn) == (0, 1)
    assert _texts(fake_services, ben, space) == []
    assert _texts(fake_services, ana, space) == []
    # The owner's own entry keeps the new version.
    assert journal.get_entry(fake_services, ana, e.id).text.endswith("he hit me when I said no.")
