"""Start `hearth ui` as a user would and wait until it says its models are loaded.

The app serves its page before the models load (a question asked meanwhile waits behind
"warming up"); tests that time their steps wait for the "ready" line instead of the page, so a
slow warm-up on a busy machine never reads as a slow answer."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import HEARTH

READY = "Hearth is ready"


@contextmanager
def running_ui(
    args: list[str], env: dict[str, str], log_path: Path, timeout: float = 600
) -> Iterator[subprocess.Popen]:
    log = open(log_path, "w")  # noqa: SIM115  (the child writes to it until it stops)
    proc = subprocess.Popen([HEARTH, "ui", *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + timeout
    try:
        while READY not in log_path.read_text(errors="replace"):
            if proc.poll() is not None:
                raise RuntimeError(f"hearth ui exited: {log_path.read_text(errors='replace')[-2000:]}")
            if time.time() > deadline:
                raise RuntimeError(f"hearth ui was not ready in {timeout:.0f} s")
            time.sleep(1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
