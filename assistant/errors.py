"""User-facing errors: each carries one clear line and an exit code; the CLI prints just that."""


class HearthError(Exception):
    """An error the user can act on. `str(err)` is the one line we show."""

    exit_code = 1


class UsageError(HearthError):
    exit_code = 2


class ModelError(HearthError):
    exit_code = 3


class DataFolderError(HearthError):
    exit_code = 4


class VaultError(HearthError):
    exit_code = 5


class WrongPassphrase(VaultError):
    exit_code = 6


class PortInUse(HearthError):
    exit_code = 7


class CheckFailed(HearthError):
    """A check Hearth runs on itself failed (citations, the privacy check, the setup self-test).

    Raised explicitly rather than with `assert`: asserts vanish under `python -O`."""

    exit_code = 8


class TooManyAttempts(VaultError):
    exit_code = 9


class UnsafeServerURL(HearthError):
    """HEARTH_LLM_URL points somewhere the egress guard will not let Hearth talk to."""

    exit_code = 10
