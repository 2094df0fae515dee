"""Eight hearth processes started at the same moment against one fresh data folder all succeed,
and the vault ends consistent (issue 10: the fixed-name write probe, the first migration, the
index build and the classifier cache each raced)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import HEARTH

PASS = "correct horse battery staple"


def test_eight_processes_start_together(tmp_path: Path) -> None:
    home = tmp_path / "home"  # not created: every process races to create it
    env = {
        **os.environ,
        "HEARTH_HOME": str(home),
        "HEARTH_CACHE": str(tmp_path / "cache"),  # an empty cache: the classifier is trained here
        "HEARTH_EMBED_BACKEND": "fake",
        "HEARTH_LLM_BACKEND": "fake",
        "HEARTH_PASSPHRASE": PASS,
        "HEARTH_KDF_MEMORY_KIB": "65536",
    }
    commands = [
        *[["journal", "init", "--profile", f"p{i}"] for i in range(4)],
        ["kb", "search", "we argue about chores", "--json"],
        ["kb", "search", "my partner goes silent", "--json"],
        ["journal", "classify"],
        ["journal", "classify"],
    ]
    # Each process imports the `hearth` entry point, then waits for one go signal, so all eight
    # really start at the same moment (Python start-up alone would stagger them by a second).
    go = tmp_path / "go"
    starter = (
        "import os, sys, time\n"
        "from assistant.cli import main\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.001)\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", starter, *cmd],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for cmd in commands
    ]
    time.sleep(3)  # let every process reach the wait
    go.touch()
    results = []
    for cmd, p in zip(commands, procs, strict=True):
        out, err = p.communicate("We had a calm evening and laughed a lot.\n" if cmd[-1] == "classify" else None,
                                 timeout=600)  # fmt: skip
        results.append((cmd, p.returncode, out, err))
    failures = [(c, rc, err) for c, rc, _, err in results if rc != 0]
    assert failures == []
    for cmd, _, out, _ in results:
        if cmd[0] == "kb":
            assert json.loads(out), cmd
        if cmd[-1] == "classify":
            assert "flags" in json.loads(out)
    # The vault: four profiles, each opens with its passphrase, integrity intact.
    conn = sqlite3.connect(home / "journal.sqlite3")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(r[0] for r in conn.execute("SELECT name FROM profiles")) == ["p0", "p1", "p2", "p3"]
    conn.close()
    for i in range(4):
        r = subprocess.run([HEARTH, "journal", "list", "--json", "--profile", f"p{i}"], env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
        assert r.returncode == 0 and json.loads(r.stdout) == [], r.stderr
    # No leftovers of the old fixed names.
    assert not (home / ".write-probe").exists()
    # One trained head of each kind (red flags, safety), no half-written temporary files.
    heads = sorted(p.name.split("-head-")[0] for p in (tmp_path / "cache").iterdir() if p.suffix == ".npz")
    assert heads == ["redflag", "safety"]


def _eight_at_once(go: Path, worker: str) -> None:
    """Start eight Python workers that wait for `go`, release them together, expect all to pass."""
    procs = [subprocess.Popen([sys.executable, "-c", worker], stderr=subprocess.PIPE, text=True) for _ in range(8)]
    time.sleep(2)
    go.touch()
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e.strip().splitlines()[-1:] for e in errors]


def test_data_folder_probe_survives_contention(tmp_path: Path) -> None:
    """The start-up window is short; this holds eight processes inside it for a while."""
    home = tmp_path / "home"
    go = tmp_path / "go"
    worker = (
        "import os, sys, time\n"
        "from assistant.config import Settings\n"
        "from assistant.services import ensure_home\n"
        f"s = Settings(home={str(home)!r})\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.001)\n"
        "for _ in range(300): ensure_home(s)\n"
    )
    _eight_at_once(go, worker)
    assert list(home.iterdir()) == []


def test_new_vault_opened_by_eight_processes_at_once(tmp_path: Path) -> None:
    """Only one of them may run the first migration; the others see it done."""
    db = tmp_path / "journal.sqlite3"
    go = tmp_path / "go"
    worker = (
        "import os, time\n"
        "from assistant.journal.vault import connect\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.0005)\n"
        f"connect(__import__('pathlib').Path({str(db)!r})).close()\n"
    )
    _eight_at_once(go, worker)
    conn = sqlite3.connect(db)
    from assistant.journal.vault import MIGRATIONS

    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
