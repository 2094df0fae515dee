"""How long a guesser waits: the first few mistakes are free (people mistype); after that each
further failure doubles the wait, up to five minutes. One policy for every secret Hearth checks
(passphrases in the vault, enrol codes in a workshop), so each is as slow to guess as the other."""

from __future__ import annotations

FREE_FAILURES = 5
MAX_BACKOFF_S = 300.0


def wait_after(failures: int, last: float, now: float, free: int = FREE_FAILURES, cap: float = MAX_BACKOFF_S) -> float:
    """Seconds still to wait after `failures` mistakes, the last one at time `last`."""
    if failures < free:
        return 0.0
    return max(0.0, last + min(cap, 2.0 ** (failures - free)) - now)
