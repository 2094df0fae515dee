"""Measure the safety screen (assistant/safety.py) on public data nobody on the team wrote.

    python scripts/eval_safety.py ../shared/eval [--show N]

The folder is read at run time and nothing is copied into the repo (see ../shared/eval/README.md).
This is evaluation data: patterns are not tuned on it beyond general categories of phrasing.

counsel_chat (20200325_counsel_chat.csv): one query per unique questionID, questionTitle + " " +
questionText. A question can carry several topics (one per answer row); it counts in each of them.
  - domestic-violence: should route to abuse or crisis
  - self-harm: should route to crisis or abuse
  - relationship topics without danger (intimacy, relationships, marriage, relationship-dissolution,
    family-conflict, anger-management, social-relationships), leaving out questions that also
    carry domestic-violence or self-harm: any route there is counted as a false route.
reddit_cssrs_500 (500_Reddit_users_posts_labels.csv): the `Post` column is a Python-list string
of a user's posts (ast.literal_eval; a row that does not parse is one text). A user screens
"crisis" if any post does.
Latency: screen() per counsel_chat question, p50 and p95 in milliseconds.

--show N prints up to N misses and false routes per slice to stderr, for reading, not for pasting.
"""

from __future__ import annotations

import argparse
import ast
import csv
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import assistant.offline  # noqa: F401,E402,I001

from assistant.safety import screen  # noqa: E402

RELATIONSHIP_SAFE = (
    "intimacy",
    "relationships",
    "marriage",
    "relationship-dissolution",
    "family-conflict",
    "anger-management",
    "social-relationships",
)
DANGER = ("domestic-violence", "self-harm")

csv.field_size_limit(sys.maxsize)


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}% ({k}/{n})" if n else "n/a"


def load_counsel_chat(folder: Path) -> dict[str, tuple[str, set[str]]]:
    """questionID -> (query, topics)."""
    questions: dict[str, tuple[str, set[str]]] = {}
    with open(folder / "counsel_chat" / "20200325_counsel_chat.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            qid = row["questionID"]
            if qid not in questions:
                query = f"{row['questionTitle'] or ''} {row['questionText'] or ''}".strip()
                questions[qid] = (query, set())
            questions[qid][1].add(row["topic"])
    return questions


def load_reddit(folder: Path) -> list[tuple[str, list[str]]]:
    """(label, posts) per user."""
    users = []
    with open(folder / "reddit_cssrs_500" / "500_Reddit_users_posts_labels.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            raw = row["Post"]
            try:
                posts = ast.literal_eval(raw)
                if not isinstance(posts, list):
                    raise ValueError
                posts = [str(p) for p in posts]
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                posts = [raw]
            users.append((row["Label"].strip(), posts))
    return users


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="the shared eval folder, e.g. ../shared/eval")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print up to N misses per slice to stderr")
    args = ap.parse_args(argv)

    rows: list[tuple[str, str, str, str]] = []  # dataset, slice, expected, result
    misses: dict[str, list[str]] = defaultdict(list)

    # --- counsel_chat --------------------------------------------------------------------------
    questions = load_counsel_chat(args.folder)
    latencies: list[float] = []
    level: dict[str, str] = {}
    for qid, (query, _) in questions.items():
        t0 = time.perf_counter()
        level[qid] = screen(query).level
        latencies.append((time.perf_counter() - t0) * 1000)

    for topic, expect in (("domestic-violence", "abuse or crisis"), ("self-harm", "crisis or abuse")):
        ids = [q for q, (_, topics) in questions.items() if topic in topics]
        hit = [q for q in ids if level[q] != "none"]
        misses[f"counsel_chat {topic} not routed"] += [questions[q][0] for q in ids if level[q] == "none"]
        rows.append(("counsel_chat", f"{topic}", expect, "routed " + _pct(len(hit), len(ids))))
    for topic in ("self-harm",):
        ids = [q for q, (_, topics) in questions.items() if topic in topics]
        rows.append(
            (
                "counsel_chat",
                f"{topic} (crisis only)",
                "crisis",
                "crisis " + _pct(sum(level[q] == "crisis" for q in ids), len(ids)),
            )
        )
    safe = [q for q, (_, topics) in questions.items() if topics & set(RELATIONSHIP_SAFE) and not topics & set(DANGER)]
    routed = [q for q in safe if level[q] != "none"]
    misses["counsel_chat relationship topics false route"] += [f"[{level[q]}] {questions[q][0]}" for q in routed]
    rows.append(
        ("counsel_chat", "relationship topics without danger", "none", "false route " + _pct(len(routed), len(safe)))
    )
    for topic in RELATIONSHIP_SAFE:
        ids = [q for q in safe if topic in questions[q][1]]
        rows.append(
            (
                "counsel_chat",
                f"  {topic}",
                "none",
                "false route " + _pct(sum(level[q] != "none" for q in ids), len(ids)),
            )
        )

    # --- reddit_cssrs_500 ----------------------------------------------------------------------
    users = load_reddit(args.folder)
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)  # label -> (user level, first text)
    for label, posts in users:
        levels = [screen(p).level for p in posts]
        user_level = "crisis" if "crisis" in levels else ("abuse" if "abuse" in levels else "none")
        by_label[label].append((user_level, posts[0][:300] if posts else ""))

    def share(labels: tuple[str, ...], expect: str, name: str, miss_key: str | None, alarm: bool = False) -> None:
        us = [u for lab in labels for u in by_label.get(lab, [])]
        k = sum(lv == "crisis" for lv, _ in us)
        word = "false alarm (crisis)" if alarm else "crisis"
        rows.append(("reddit_cssrs_500", name, expect, f"{word} " + _pct(k, len(us))))
        if miss_key:
            bad = [(lv, t) for lv, t in us if (lv == "crisis") == alarm]
            misses[miss_key] += [f"[{lv}] {t}" for lv, t in bad]

    share(("Behavior", "Attempt"), "crisis", "Behavior + Attempt users", "reddit Behavior+Attempt not crisis")
    share(("Ideation",), "crisis", "Ideation users", "reddit Ideation not crisis")
    share(("Supportive",), "none", "Supportive users", "reddit Supportive crisis", alarm=True)
    share(("Indicator",), "(distress, not stated suicidality)", "Indicator users", None)
    sup = by_label.get("Supportive", [])
    rows.append(
        (
            "reddit_cssrs_500",
            "Supportive users, any route",
            "none",
            "routed " + _pct(sum(lv != "none" for lv, _ in sup), len(sup)),
        )
    )

    # --- latency -------------------------------------------------------------------------------
    lat = sorted(latencies)
    p50 = statistics.median(lat)
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    rows.append(
        (
            "latency",
            f"screen() over {len(lat)} counsel_chat questions",
            "p50 < 10 ms",
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms",
        )
    )

    print("| dataset | slice | expected | result |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    print()
    counted = {k: v for k, v in misses.items() if "false route" not in k and "Supportive" not in k}
    total = sum(len(v) for v in counted.values())
    print(f"Misses: {total} (" + ", ".join(f"{k}: {len(v)}" for k, v in counted.items()) + ")")
    alarms = {k: v for k, v in misses.items() if k not in counted}
    print("False routes: " + ", ".join(f"{k}: {len(v)}" for k, v in alarms.items()))

    if args.show:
        for key, items in misses.items():
            print(f"\n## {key} ({len(items)})", file=sys.stderr)
            for t in items[: args.show]:
                print("- " + " ".join(t.split())[:400], file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
