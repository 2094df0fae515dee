"""Load the models after the page is served, so a person sees Hearth in seconds, not after torch,
the embedder, the index and the chat model have all loaded.

Handlers that need a model call `wait()`; the coach shows "warming up" meanwhile. A failure to
load is kept and raised as one line to whoever asks next (and printed to the terminal)."""

from __future__ import annotations

import sys
import threading
import time
from typing import TYPE_CHECKING

from assistant.errors import HearthError

if TYPE_CHECKING:
    from assistant.services import Services


class Warmup:
    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._done = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name="hearth-warmup", daemon=True).start()

    def _run(self) -> None:
        t0 = time.perf_counter()
        try:
            self._svc.coach.warm()
            self._svc.classifier  # noqa: B018  (train or load now, not on the first entry)
            self._svc.index  # noqa: B018
            print(f"Hearth is ready: models loaded in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
        except BaseException as exc:  # kept for the next caller; the thread must not die silently
            self._error = exc
            print(f"hearth: error: loading the models failed: {exc}", file=sys.stderr, flush=True)
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self) -> None:
        self._done.wait()
        if self._error is not None:
            if isinstance(self._error, HearthError):
                raise self._error
            raise HearthError(f"the models could not be loaded: {self._error}")


class Ready:
    """What `build` uses when the models are already loaded (tests, privacy-check)."""

    ready = True

    def wait(self) -> None:
        return None
