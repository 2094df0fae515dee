"""Build the reddit_cssrs_500 training units the safety detector learns from (development only).

    python scripts/build_reddit_units.py ../shared/eval

Reads only the TRAINING part of reddit_cssrs_500 (users at 0-based row i with i % 5 in {0, 1, 2};
../shared/eval/README.md) and writes knowledge/training/external/reddit_cssrs_500/train_units.jsonl.
Labels are per user, not per post, so units are mined (two rounds of hard-example mining):
1. a head trained on the team-written data scores every unit (post, sentence, sentence pair) of
   every training-part user;
2. Supportive and Indicator users give their highest-scoring units as negatives (what a
   supporter or a distressed writer says that looks like crisis talk), Ideation, Behavior and
   Attempt users their highest-scoring units as positives;
3. a second head, trained with round 1 added, mines again with more units per user.
The measuring part (i % 5 in {3, 4}) is never read. Licence and attribution:
knowledge/training/external/reddit_cssrs_500/LICENSE.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import assistant.offline  # noqa: F401,E402,I001

from assistant.embed import Embedder  # noqa: E402
from assistant.safety import train as T  # noqa: E402
from eval_safety import TRAIN_USERS, load_reddit  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "knowledge" / "training" / "external" / "reddit_cssrs_500"
POSITIVE = ("Ideation", "Behavior", "Attempt")
ROUNDS = ((8, 3), (30, 5))  # (units per negative user, units per positive user) per round
MAX_CHARS = 1500


def _mine(
    head: dict, users: list[tuple[int, str, list[str]]], embedder: Embedder, n_neg: int, n_pos: int
) -> list[dict]:
    feats = T.Features(json.loads(str(head["vocab"])), np.asarray(head["idf"]))
    rows = []
    for user, label, posts in users:
        cand: list[tuple[float, str]] = []
        for post in posts:
            if not post.strip():
                continue
            units, _, _ = T.units(post)
            p = T.sigmoid(np.asarray(feats(units, embedder.embed(units)) @ head["w"].T) + head["b"])[:, 0]
            cand += [(float(s), u) for s, u in zip(p, units, strict=True) if len(u) <= MAX_CHARS]
        picked: list[str] = []
        for _, unit in sorted(cand, key=lambda c: -c[0]):
            if unit not in picked:
                picked.append(unit)
            if len(picked) >= (n_pos if label in POSITIVE else n_neg):
                break
        crisis = label in POSITIVE
        rows += [
            {
                "text": u,
                "label": "crisis" if crisis else "none",
                "sign": "" if crisis else f"neg_reddit_{label.lower()}",
                "register": "reddit",
                "user": user,
            }
            for u in picked
        ]
    return rows


def build(folder: Path, knowledge_dir: Path, embedder: Embedder) -> list[dict]:
    team = [r for r in T.load_rows(knowledge_dir) if r.source != OUT.name]
    users = [(i, lab, posts) for i, (lab, posts) in enumerate(load_reddit(folder, None)) if i % 5 in TRAIN_USERS]
    mined: list[dict] = []
    for n_neg, n_pos in ROUNDS:
        rows = team + [T.Row(m["text"], m["label"], m["sign"], OUT.name) for m in mined]
        head = T.train(rows, embedder, T.rule_flags(rows, knowledge_dir))
        for m in _mine(head, users, embedder, n_neg, n_pos):
            if all(m["text"] != x["text"] for x in mined):
                mined.append(m)
        print(f"round: {len(mined)} units", file=sys.stderr)
    return mined


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("folder", type=Path)
    args = ap.parse_args()
    from assistant.embed import MiniLMEmbedder
    from assistant.models import embedder_path

    rows = build(args.folder, OUT.parents[2], MiniLMEmbedder(embedder_path()))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "train_units.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
