"""The conversation screen asks the detector about each text once, and gets the same decision."""

from __future__ import annotations

from assistant.conversation.screencache import RememberingDetector
from assistant.embed import FakeEmbedder
from assistant.safety.screen import SafetyResult
from assistant.services import Services


class CountingDetector:
    rules = object()

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.embedder = FakeEmbedder()

    def screen_many(self, texts: list[str], known=None) -> list[SafetyResult]:  # type: ignore[no-untyped-def]
        assert known and all(t in known for t in texts)  # the whole texts' vectors come with them
        self.asked += texts
        return [SafetyResult("abuse" if "hurt" in t else "none") for t in texts]


def test_each_text_is_screened_once() -> None:
    inner = CountingDetector()
    det = RememberingDetector(inner)  # type: ignore[arg-type]
    assert det.rules is inner.rules
    first = det.screen_many(["a b c", "he hurt me"])
    again = det.screen_many(["a b c", "he hurt me", "b", "b"])
    assert [r.level for r in first] == ["none", "abuse"]
    assert [r.level for r in again] == ["none", "abuse", "none", "none"]
    assert inner.asked == ["a b c", "he hurt me", "b"]


def test_the_decision_is_the_detectors_own(fake_services: Services) -> None:
    detector = fake_services.detector
    texts = [
        "We argued about the dishes again.",
        "I don't want to be alive anymore.",
        "We argued about the dishes again.\nI don't want to be alive anymore.",
        "He grabbed my wrist and said I'd regret leaving.",
    ]
    remembering = RememberingDetector(detector)
    got = remembering.screen_many(texts)
    want = detector.screen_many(texts)
    assert [(r.level, len(r.cues)) for r in got] == [(r.level, len(r.cues)) for r in want]
    assert remembering.screen_many(texts[::-1]) == got[::-1]
