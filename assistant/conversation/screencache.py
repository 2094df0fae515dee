"""The safety screen of a conversation, without screening the same turn twice.

`screen_conversation` screens every turn of the conversation on every new message, and the turns
since the last move-on joined together (what was said earlier counts). In a ten-turn conversation
that re-embeds nine old turns and their sentences each time, so the coach hands it this wrapper:
the same Detector decision, remembered per text, and the embeddings of the detector's units
(sentences, sentence pairs, whole texts) remembered too, so the joined text only embeds what is
new. The decision itself is unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from assistant.safety import train as training

if TYPE_CHECKING:
    from assistant.safety.detector import Detector
    from assistant.safety.screen import SafetyResult

KEEP = 512
KEEP_UNITS = 4096


class RememberingDetector:
    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.rules = detector.rules
        self._seen: OrderedDict[str, SafetyResult] = OrderedDict()
        self._units: dict[str, np.ndarray] = {}

    def _known(self, texts: list[str]) -> dict[str, np.ndarray]:
        opts = training.OPTIONS
        units = [u for t in texts for u in training.units(t, opts["pairs"], opts["max_units"])[0]]
        missing = list(dict.fromkeys(u for u in units if u not in self._units))
        if missing:
            if len(self._units) + len(missing) > KEEP_UNITS:
                self._units.clear()
            self._units.update(zip(missing, self.detector.embedder.embed(missing), strict=True))
        return {u: self._units[u] for u in units}

    def screen_many(self, texts: list[str], known: dict[str, np.ndarray] | None = None) -> list[SafetyResult]:
        fresh = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if fresh:
            vecs = {**self._known(fresh), **(known or {})}
            for t, r in zip(fresh, self.detector.screen_many(fresh, vecs), strict=True):
                self._seen[t] = r
                if len(self._seen) > KEEP:
                    self._seen.popitem(last=False)
        return [self._seen[t] for t in texts]
