"""The conversation screen asks the detector about each text once, and gets the same decision."""

from __future__ import annotations

from assistant.conversation.screencache import RememberingDetector
from assistant.safety.screen import SafetyResult


class CountingDetector:
    rules = object()

    def __init__(self) -> None:
        self.asked: list[str] = []

    def screen_many(self, texts: list[str], known=None) -> list[SafetyResult]:  # type: ignore[no-untyped-def]
        self.asked += texts
        return [SafetyResult("abuse" if "hurt" in t else "none") for t in texts]


def test_each_text_is_screened_once_with_the_detectors_decision() -> None:
    inner = CountingDetector()
    det = RememberingDetector(inner)  # type: ignore[arg-type]
    assert det.rules is inner.rules
    first = det.screen_many(["a", "he hurt me"])
    again = det.screen_many(["a", "he hurt me", "b", "b"])
    assert [r.level for r in first] == ["none", "abuse"]
    assert [r.level for r in again] == ["none", "abuse", "none", "none"]
    assert inner.asked == ["a", "he hurt me", "b"]
