"""Cross-process locks for the few things two hearth processes may build at the same moment.

The UI and a CLI call (or two CLI calls) can start together against one data folder; building
the knowledge index or training the red-flag head twice at once would race on the same files.
An advisory `flock` on a lock file next to the thing being built serialises the builders; the
second one then finds the work done. The lock is released by the kernel if a process dies.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def unique_sibling(path: Path, suffix: str = ".tmp") -> Path:
    """A fresh, private temporary file beside `path` (same filesystem, so a rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    return Path(name)
