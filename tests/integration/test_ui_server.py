"""The web app's server in-process (fake model and embedder): asyncio's loop, files private."""

from __future__ import annotations

import os
import socket
import stat
import urllib.request
from pathlib import Path

from assistant.config import Settings
from tests.conftest import run_hearth


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_runs_on_asyncio_loop_the_guard_sees(home: Path) -> None:
    from ui import guard
    from ui.app import serve

    port = _free_port()
    demo = serve(Settings(home=home, llm_backend="fake", embed_backend="fake", port=port), block=False)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as resp:
            assert resp.status == 200
    finally:
        demo.close()
    assert guard.loops_seen and all(name.startswith("asyncio.") for name in guard.loops_seen), guard.loops_seen


def test_everything_written_is_private(home: Path, tmp_path: Path) -> None:
    env = {"HEARTH_PASSPHRASE": "a long enough passphrase", "HEARTH_EMBED_BACKEND": "fake",
           "HEARTH_LLM_BACKEND": "fake", "HEARTH_CACHE": str(tmp_path / "cache")}  # fmt: skip
    assert run_hearth("journal", "init", "--profile", "me", env=env).returncode == 0
    assert run_hearth("journal", "add", "--profile", "me", "--text", "a quiet day", env=env).returncode == 0
    assert run_hearth("kb", "search", "argue", env=env).returncode == 0
    backup = tmp_path / "out" / "me.backup"
    backup.parent.mkdir()
    assert run_hearth("journal", "export", str(backup), "--profile", "me", env=env).returncode == 0
    loose = []
    for root in (home, backup.parent, tmp_path / "cache"):
        for p in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(os.lstat(p).st_mode)
            if p.is_file() and mode & 0o077:
                loose.append(f"{p} {mode:o}")
            if p.is_dir() and p != backup.parent and mode & 0o077:
                loose.append(f"{p}/ {mode:o}")
    assert loose == []
