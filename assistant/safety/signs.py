"""The map of warning signs (knowledge/safety/signs.yaml): crisis signs after the C-SSRS ladder and
Joiner's interpersonal theory, abuse signs after the Danger Assessment, HITS and WAST."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

Kind = Literal["crisis", "abuse"]


@dataclass(frozen=True)
class Sign:
    id: str
    kind: Kind
    group: str
    name: str
    said: str
    description: str
    frame: str
    article: str


@dataclass(frozen=True)
class SignMap:
    signs: tuple[Sign, ...]
    frames: dict[str, str]

    def __getitem__(self, sign_id: str) -> Sign:
        for s in self.signs:
            if s.id == sign_id:
                return s
        raise KeyError(sign_id)

    def __contains__(self, sign_id: object) -> bool:
        return any(s.id == sign_id for s in self.signs)

    def ids(self, kind: Kind | None = None) -> list[str]:
        return [s.id for s in self.signs if kind is None or s.kind == kind]

    def kind(self, sign_id: str) -> Kind:
        return self[sign_id].kind


def load_signs(knowledge_dir: Path) -> SignMap:
    data = yaml.safe_load((knowledge_dir / "safety" / "signs.yaml").read_text(encoding="utf-8"))
    signs = tuple(
        Sign(
            d["id"],
            d["kind"],
            d["group"],
            d["name"],
            d["said"],
            " ".join(str(d["description"]).split()),
            d.get("frame", ""),
            d.get("article", ""),
        )
        for d in data["signs"]
    )
    frames = {k: " ".join(str(v).split()) for k, v in data.get("frames", {}).items()}
    return SignMap(signs, frames)
