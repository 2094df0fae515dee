"""Per-profile calibration learned from "this fits" / "this doesn't fit" marks, on the device.

Where the marks live: inside each entry's sealed record, beside the finding they are about
(`analysis["feedback"][label] = {"mark": ..., "score": ...}`), so they are encrypted with the
entry, travel in its backups, vanish with it and belong to one profile only. Nothing is kept
in the clear and nothing is shared between profiles: the calibration is recomputed from the
unlocked profile's own entries each time it is needed.

What is learned: a threshold shift per pattern label. Each "doesn't fit" raises that label's
bar by STEP, each "fits" lowers it by STEP, within [MIN_SHIFT, MAX_SHIFT] (scores are scaled
so the trained threshold is 0.5; a shift of +0.25 means a finding needs 0.75). Counting marks
keeps it explainable ("Hearth now flags stonewalling less often for you: 3 marks said it
doesn't fit") and bounded: a handful of marks cannot switch a pattern off entirely, because
MAX_SHIFT stays below the score of a finding that names the pattern outright.

abuse_risk and self_harm_risk are never shifted (recall first: a mark there is kept, but it
does not make Hearth less likely to show help).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.journal.classifier import LABELS, SAFETY_LABELS

MARKS = ("fits", "doesnt-fit")
STEP = 0.05
MIN_SHIFT = -0.1
MAX_SHIFT = 0.2


@dataclass(frozen=True)
class Calibration:
    shifts: dict[str, float] = field(default_factory=dict)
    fits: dict[str, int] = field(default_factory=dict)
    misses: dict[str, int] = field(default_factory=dict)

    @property
    def marks(self) -> int:
        return sum(self.fits.values()) + sum(self.misses.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "shifts": {k: round(v, 3) for k, v in sorted(self.shifts.items())},
            "fits": dict(sorted(self.fits.items())),
            "doesnt_fit": dict(sorted(self.misses.items())),
            "changes": describe(self),
        }


def marks_of(analysis: dict[str, Any]) -> dict[str, str]:
    """{label: mark} recorded on one entry's analysis."""
    out = {}
    for label, rec in (analysis.get("feedback") or {}).items():
        mark = rec.get("mark") if isinstance(rec, dict) else rec
        if label in LABELS and mark in MARKS:
            out[str(label)] = str(mark)
    return out


def learn(analyses: Iterable[dict[str, Any]]) -> Calibration:
    """The calibration for one profile, from its own entries' analyses."""
    fits: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for analysis in analyses:
        for label, mark in marks_of(analysis).items():
            (fits if mark == "fits" else misses)[label] += 1
    shifts = {}
    for label in set(fits) | set(misses):
        if label in SAFETY_LABELS:
            continue
        shift = max(MIN_SHIFT, min(MAX_SHIFT, STEP * (misses[label] - fits[label])))
        if shift:
            shifts[label] = shift
    return Calibration(shifts, dict(fits), dict(misses))


def _name(label: str) -> str:
    return label.replace("_", " ")


def describe(cal: Calibration) -> list[str]:
    """What changed, in words a person can check."""
    lines = []
    for label in sorted(set(cal.fits) | set(cal.misses)):
        n_fit, n_miss = cal.fits.get(label, 0), cal.misses.get(label, 0)
        said = ", ".join(
            p
            for p in (f"{n_miss} said it doesn't fit" if n_miss else "", f"{n_fit} said it fits" if n_fit else "")
            if p
        )
        shift = cal.shifts.get(label, 0.0)
        if label in SAFETY_LABELS:
            lines.append(
                f"Your marks on {_name(label)} are kept ({said}), but Hearth never shows safety help "
                "less often because of them."
            )
        elif shift > 0:
            lines.append(f"Hearth now flags {_name(label)} less often for you ({said}).")
        elif shift < 0:
            lines.append(f"Hearth now flags {_name(label)} a little more readily for you ({said}).")
        else:
            lines.append(f"No change for {_name(label)} yet: your marks balance out ({said}).")
    return lines
