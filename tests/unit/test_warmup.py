"""The web app's warm-up: models load behind the served page; callers wait; a failure is one line."""

from __future__ import annotations

import threading

import pytest

from assistant.errors import HearthError, ModelError
from ui.warmup import Warmup


class Svc:
    def __init__(self, gate: threading.Event, fail: BaseException | None = None) -> None:
        self.gate, self.fail, self.loaded = gate, fail, False
        self.coach = self

    def warm(self) -> None:
        self.gate.wait(10)
        if self.fail:
            raise self.fail
        self.loaded = True

    classifier = index = property(lambda self: self)


def test_callers_wait_until_the_models_are_loaded(capsys: pytest.CaptureFixture[str]) -> None:
    gate = threading.Event()
    svc = Svc(gate)
    w = Warmup(svc)  # type: ignore[arg-type]
    w.start()
    assert not w.ready
    gate.set()
    w.wait()
    assert w.ready and svc.loaded
    assert "Hearth is ready" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("fail", "line"),
    [(ModelError("model x is damaged"), "model x is damaged"), (OSError("disk"), "could not be loaded")],
)
def test_a_failed_warm_up_is_one_line_to_the_next_caller(fail: BaseException, line: str) -> None:
    gate = threading.Event()
    gate.set()
    w = Warmup(Svc(gate, fail))  # type: ignore[arg-type]
    w.start()
    with pytest.raises(HearthError, match=line):
        w.wait()
