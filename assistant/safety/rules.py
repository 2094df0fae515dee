"""A short list of unmistakable rule phrases (knowledge/safety/rules.yaml), matched per sentence.

They are one half of the decision; the learned detector is the other. A rule phrase may be
cancelled only by a plain denial right before it (text.negated) or when the match lies inside
one of that rule's own harmless spans (overlapping it) ("the baby kicked me"); nothing removes text from the
sentence, so a real phrase elsewhere in it always stays visible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.safety.text import negated, normalise

_FLAGS = re.IGNORECASE


@dataclass(frozen=True)
class Rule:
    sign: str
    rx: re.Pattern[str]
    negatable: bool
    unless: tuple[re.Pattern[str], ...]
    example: str


@dataclass(frozen=True)
class RuleHit:
    sign: str
    sentence: int
    start: int
    end: int


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    move_on: tuple[re.Pattern[str], ...]

    def match(self, sents: list[str]) -> list[RuleHit]:
        """Every rule match in the sentences, in reading order (offsets into each sentence)."""
        hits: list[RuleHit] = []
        for i, raw in enumerate(sents):
            s = normalise(raw)
            for rule in self.rules:
                spans: list[tuple[int, int]] | None = None
                for m in rule.rx.finditer(s):
                    if rule.unless:
                        if spans is None:
                            spans = [u.span() for rx in rule.unless for u in rx.finditer(s)]
                        if any(a < m.end() and m.start() < b for a, b in spans):
                            continue
                    if rule.negatable:
                        at = m.start("cue") if "cue" in rule.rx.groupindex and m.group("cue") else m.start()
                        if negated(s[:at]):
                            continue
                    hits.append(RuleHit(rule.sign, i, m.start(), m.end()))
        hits.sort(key=lambda h: (h.sentence, h.start))
        return hits

    def moves_on(self, text: str) -> bool:
        s = normalise(text)
        return any(rx.search(s) for rx in self.move_on)


def parse_rules(data: dict) -> RuleSet:
    rules = tuple(
        Rule(
            str(d["sign"]),
            re.compile(d["pattern"], _FLAGS),
            bool(d.get("negatable", False)),
            tuple(re.compile(u, _FLAGS) for u in d.get("unless", []) or []),
            str(d.get("example", "")),
        )
        for d in data["rules"]
    )
    return RuleSet(rules, tuple(re.compile(p, _FLAGS) for p in data.get("move_on", []) or []))


@lru_cache(maxsize=4)
def load_rules(knowledge_dir: Path) -> RuleSet:
    """The rule set of a knowledge folder (parsed once per process: it is fixed data)."""
    return parse_rules(yaml.safe_load((knowledge_dir / "safety" / "rules.yaml").read_text(encoding="utf-8")))
