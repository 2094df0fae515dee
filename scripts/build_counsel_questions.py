"""Build the counsel_chat training questions the safety detector learns from (development only).

    python scripts/build_counsel_questions.py ../shared/eval

Reads only rows with split = train of counsel_chat (../shared/eval/README.md) and writes
knowledge/training/external/counsel_chat/train_questions.jsonl: one query per questionID
(questionTitle + " " + questionText, as scripts/eval_safety.py builds it), labelled
- abuse: the question carries the domestic-violence topic;
- crisis: the question carries the self-harm topic;
- none: the question carries only ordinary relationship topics (the same list eval_safety.py
  counts false routes on).
Questions with any other topic (depression, anxiety, trauma, ...) are left out: their topic says
nothing about danger either way. The val and test rows are never read.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_safety import RELATIONSHIP_SAFE  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "knowledge" / "training" / "external" / "counsel_chat"

csv.field_size_limit(sys.maxsize)


def build(folder: Path) -> list[dict]:
    questions: dict[str, tuple[str, set[str]]] = {}
    with open(folder / "counsel_chat" / "20200325_counsel_chat.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["split"] != "train":
                continue
            qid = row["questionID"]
            if qid not in questions:
                questions[qid] = (f"{row['questionTitle'] or ''} {row['questionText'] or ''}".strip(), set())
            questions[qid][1].add(row["topic"])
    out = []
    for qid, (text, topics) in questions.items():
        if "self-harm" in topics:
            label, sign = "crisis", ""
        elif "domestic-violence" in topics:
            label, sign = "abuse", ""
        elif topics <= set(RELATIONSHIP_SAFE):
            label, sign = "none", "neg_counsel_ordinary"
        else:
            continue
        out.append({"text": text, "label": label, "sign": sign, "register": "counsel_chat", "questionID": qid})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("folder", type=Path)
    rows = build(ap.parse_args().folder)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "train_questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} questions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
