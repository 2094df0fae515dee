"""Worker for test_crash.py: opens a vault and writes to it until it is killed (SIGKILL).

    python crash_worker.py add    VAULT PROFILE PASSPHRASE PREFIX
    python crash_worker.py rekey  VAULT PROFILE PASSPHRASE_PREFIX CURRENT_INDEX
    python crash_worker.py import VAULT PROFILE PASSPHRASE BACKUP...

It prints "READY" once unlocked, then one line per operation *after* it returned (committed):
    ACK <entry id> <text>          (add)
    ACK <index>                    (rekey: now on passphrase PASSPHRASE_PREFIX + index)
    ACK <backup number> <count>    (import of the n-th backup, 1-based)
Only assistant.journal.vault is imported (no torch, no embedder): startup stays fast.

The import and rekey workers memoise crypto.derive_kek on its exact arguments and warm it
before READY (the same keys Argon2id gives; the rekey worker draws the next salts early), so
that the kill window lands in the writes rather than only in key derivation. The vault code
itself runs unchanged.
"""

from __future__ import annotations

import functools
import os
import random
import sys
from pathlib import Path

from assistant.journal import crypto
from assistant.journal.vault import VaultStore, read_backup

PREPARED = 2  # rekeys whose key derivation happens before READY
WORDS = ["we", "talked", "about", "the", "weekend", "ünïcödé", "💬", "—", "and", "I", "felt", "heard"]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def text_for(prefix: str, i: int) -> str:
    rng = random.Random(f"{prefix}/{i}")
    return f"{prefix}-{i} " + " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 25)))


def main(argv: list[str]) -> None:
    mode, path = argv[0], Path(argv[1])
    store = VaultStore(path)
    if mode == "add":
        profile, passphrase, prefix = argv[2:5]
        session = store.unlock(profile, passphrase)
        say("READY")
        for i in range(1_000_000):
            text = text_for(prefix, i)
            entry = store.add(session, text)
            say(f"ACK {entry.id} {text}")
    elif mode == "rekey":
        profile, pprefix, current = argv[2], argv[3], int(argv[4])
        session = store.unlock(profile, f"{pprefix}{current}")
        # The first PREPARED rekeys get their (random) salts drawn and their keys derived now,
        # so that they run right after READY and the kills land in their writes; later ones
        # derive as usual.
        cached = functools.lru_cache(maxsize=None)(crypto.derive_kek)
        crypto.derive_kek = lambda p, s, m, t, n: bytearray(cached(p, bytes(s), m, t, n))  # type: ignore[assignment]
        salts = [os.urandom(16) for _ in range(PREPARED)]
        for k, salt in enumerate(salts, current + 1):
            crypto.derive_kek(f"{pprefix}{k}", salt, store.memory_kib, store.iterations, crypto.KDF_LANES)
        real_urandom = os.urandom
        os.urandom = lambda n: salts.pop(0) if n == 16 and salts else real_urandom(n)  # type: ignore[assignment]
        say("READY")
        for k in range(current + 1, current + 1000):
            store.change_passphrase(session, f"{pprefix}{k}")
            say(f"ACK {k}")
    elif mode == "import":
        profile, passphrase, backups = argv[2], argv[3], [Path(b) for b in argv[4:]]
        cached = functools.lru_cache(maxsize=None)(crypto.derive_kek)
        crypto.derive_kek = lambda p, s, m, t, n: bytearray(cached(p, bytes(s), m, t, n))  # type: ignore[assignment]
        store.unlock(profile, passphrase).lock()  # warms the target profile's key
        import base64

        kdf = read_backup(backups[0], "damaged")[0]["kdf"]
        crypto.derive_kek(passphrase, base64.b64decode(kdf["salt"]), kdf["memory_kib"], kdf["iterations"], kdf["lanes"])
        say("READY")
        for n, backup in enumerate(backups, 1):
            count, _ = store.import_backup(backup, profile, passphrase)
            say(f"ACK {n} {count}")
        say("DONE")
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
