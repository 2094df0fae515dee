"""`journal delete-all` leaves nothing a person wrote: vault, exported backups, the workshop roster."""

from __future__ import annotations

from pathlib import Path

from assistant.journal import service as journal
from assistant.services import Services

PW = "a long enough passphrase"


def _export(svc: Services, name: str) -> Path:
    session = journal.unlock(svc, name, PW)
    target = svc.settings.gradio_tmp / f"tmp-{name}" / journal.export_name(name)
    target.parent.mkdir(parents=True)
    journal.export_backup(svc, session, target)
    return target


def test_delete_all_leaves_only_what_hearth_built(fake_services: Services) -> None:
    svc = fake_services
    for name in ("alex", "sam"):
        journal.init_profile(svc, name, PW)
        journal.add_entry(svc, journal.unlock(svc, name, PW), f"canary-{name} a quiet evening")
        _export(svc, name)
    svc.roster.set_facilitator("alex")  # the workshop roster names people too
    assert svc.settings.workshop_path.exists()
    (svc.settings.home / "cache").mkdir(exist_ok=True)
    assert svc.settings.vault_path.exists() and any(svc.settings.gradio_tmp.rglob("*.backup"))

    journal.delete_all(svc)

    left = sorted(p.relative_to(svc.settings.home).parts[0] for p in svc.settings.home.iterdir())
    assert set(left) <= {"index", "cache"}, left  # together.sqlite3 and the roster are gone too
    for f in svc.settings.home.rglob("*"):
        if f.is_file():
            assert b"canary-" not in f.read_bytes()


def test_deleting_one_profile_removes_only_its_exports(fake_services: Services) -> None:
    svc = fake_services
    for name in ("alex", "sam lee"):
        journal.init_profile(svc, name, PW)
    mine, theirs = _export(svc, "alex"), _export(svc, "sam lee")
    assert journal.remove_exports(svc, "alex") == 1
    assert not mine.exists() and theirs.exists()
    assert journal.remove_exports(svc, "alex") == 0
