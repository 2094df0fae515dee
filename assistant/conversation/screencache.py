"""The safety screen of a conversation, without screening the same turn twice.

`screen_conversation` screens every turn of the conversation on every new message (what was said
earlier counts). In a ten-turn conversation that re-embeds nine old turns each time, so the coach
hands it this wrapper: the same Detector decision, remembered per text. The decision itself is
unchanged (the joined text of several turns is a new text and is screened afresh).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from assistant.safety.detector import Detector
    from assistant.safety.screen import SafetyResult

KEEP = 512


class RememberingDetector:
    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.rules = detector.rules
        self._seen: OrderedDict[str, SafetyResult] = OrderedDict()

    def screen_many(self, texts: list[str], known: dict[str, np.ndarray] | None = None) -> list[SafetyResult]:
        fresh = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if fresh:
            for t, r in zip(fresh, self.detector.screen_many(fresh, known), strict=True):
                self._seen[t] = r
                if len(self._seen) > KEEP:
                    self._seen.popitem(last=False)
        return [self._seen[t] for t in texts]
