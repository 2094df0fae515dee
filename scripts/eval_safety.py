"""Measure the safety decision (assistant/safety/) on public data nobody on the team wrote, and on
a held-out challenge set.

    python scripts/eval_safety.py ../shared/eval [--challenge FILE] [--rules-only] [--part test|train]

The folder is read at run time and nothing is copied into the repo (see ../shared/eval/README.md).
By default the full decision is measured (the learned detector united with the rule phrases, as
`hearth prepare` built it); --rules-only measures the rule phrases alone.

--part test (default) reads the measuring parts, never used to train or tune:
  reddit_cssrs_500: users at 0-based row i with i % 5 in {3, 4}. A user reaches "crisis" if any of
    their posts does (`Post` is a Python-list string; a row that does not parse is one text).
    Ideation, Behavior, Attempt: crisis rate (recall), each; Supportive: crisis rate (false alarms).
  dreaddit (test split): domesticviolence and survivorsofabuse posts should leave coaching (abuse
    or crisis); relationships posts: any route is a false route.
  counsel_chat: one query per questionID, questionTitle + " " + questionText; a question counts in
    each of its topics. The detector trains on the split = train questions, so only split = test
    (the measuring part) is reported, and val + test together (neither is trained or tuned on)
    for a larger sample.
    domestic-violence and self-harm: routed (abuse or crisis); the ordinary relationship topics
    (intimacy, relationships, marriage, relationship-dissolution, family-conflict,
    anger-management, social-relationships, leaving out questions that also carry a danger topic):
    any route is a false route.
--part train reads the reddit_cssrs_500 training part (i % 5 in {0, 1, 2}) only: the one public
  set that may tune, used to check thresholds during development.
--challenge FILE: a JSONL set ({"text", "label": crisis|abuse|none, "sign"}), recall per warning
  sign and false routes per kind of negative.
Latency: the decision per counsel_chat question, p50 and p95.

--show N prints up to N misses per slice to stderr, for reading, not for tuning or pasting.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import assistant.offline  # noqa: F401,E402,I001

from assistant.safety import SafetyResult, screen  # noqa: E402

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
TRAIN_USERS = {0, 1, 2}
TEST_USERS = {3, 4}

csv.field_size_limit(sys.maxsize)


def _pct(k: int, n: int) -> str:
    return f"{k / n:.2f} ({k}/{n})" if n else "n/a"


def load_counsel_chat(folder: Path, splits: tuple[str, ...] | None = None) -> dict[str, tuple[str, set[str]]]:
    """questionID -> (query, topics), for the rows of `splits` (all rows if None)."""
    questions: dict[str, tuple[str, set[str]]] = {}
    with open(folder / "counsel_chat" / "20200325_counsel_chat.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if splits is not None and row["split"] not in splits:
                continue
            qid = row["questionID"]
            if qid not in questions:
                query = f"{row['questionTitle'] or ''} {row['questionText'] or ''}".strip()
                questions[qid] = (query, set())
            questions[qid][1].add(row["topic"])
    return questions


def load_reddit(folder: Path, part: set[int] | None = None) -> list[tuple[str, list[str]]]:
    """(label, posts) per user; `part` keeps the users whose 0-based row index i has i % 5 in it."""
    users = []
    with open(folder / "reddit_cssrs_500" / "500_Reddit_users_posts_labels.csv", encoding="utf-8", newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if part is not None and i % 5 not in part:
                continue
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


def load_dreaddit(folder: Path, split: str = "test") -> list[tuple[str, str]]:
    """(subreddit, text) per excerpt."""
    with open(folder / "dreaddit" / f"dreaddit-{split}.csv", encoding="utf-8", newline="") as f:
        return [(row["subreddit"], row["text"]) for row in csv.DictReader(f)]


def load_challenge(path: Path) -> list[tuple[str, str, str]]:
    """(text, label, sign) per line; tolerant of a few key names."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        text = obj.get("text") or obj.get("question") or obj.get("entry") or ""
        label = str(obj.get("label") or obj.get("expected") or obj.get("level") or "none").lower()
        sign = str(obj.get("sign") or obj.get("warning_sign") or obj.get("kind") or obj.get("category") or label)
        out.append((str(text), label if label in ("crisis", "abuse") else "none", sign))
    return out


Screen = Callable[[list[str]], list[SafetyResult]]


def build_screen(rules_only: bool) -> Screen:
    if rules_only:
        return lambda texts: [screen(t) for t in texts]
    from assistant.config import Settings
    from assistant.services import Services

    home = Path(tempfile.mkdtemp(prefix="hearth-eval-"))
    detector = Services(Settings(home=home, cache=Settings().cache_dir)).detector
    if detector.trained_now:
        print("(the detector was trained now: run `hearth prepare` to build it once)", file=sys.stderr)
    return detector.screen_many


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.misses: dict[str, list[str]] = defaultdict(list)

    def add(self, dataset: str, name: str, expect: str, result: str) -> None:
        self.rows.append((dataset, name, expect, result))

    def table(self) -> str:
        lines = ["| dataset | slice | expected | result |", "|---|---|---|---|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in self.rows])


def _reddit(rep: Report, run: Screen, folder: Path, part: set[int], name: str) -> None:
    users = load_reddit(folder, part)
    flat = [p for _, posts in users for p in posts]
    levels = [r.level for r in run(flat)]
    by_label: dict[str, list[tuple[str, str]]] = defaultdict(list)
    pos = 0
    for label, posts in users:
        mine = levels[pos : pos + len(posts)]
        pos += len(posts)
        lv = "crisis" if "crisis" in mine else ("abuse" if "abuse" in mine else "none")
        by_label[label].append((lv, posts[0][:300] if posts else ""))
    for label in ("Ideation", "Behavior", "Attempt"):
        us = by_label.get(label, [])
        k = sum(lv == "crisis" for lv, _ in us)
        rep.add(name, f"{label} users", "crisis", "crisis " + _pct(k, len(us)))
        rep.misses[f"{name} {label} not crisis"] += [t for lv, t in us if lv != "crisis"]
    us = [u for lab in ("Ideation", "Behavior", "Attempt") for u in by_label.get(lab, [])]
    rep.add(
        name, "Ideation + Behavior + Attempt", "crisis", "crisis " + _pct(sum(lv == "crisis" for lv, _ in us), len(us))
    )
    sup = by_label.get("Supportive", [])
    rep.add(
        name, "Supportive users", "none", "false alarm (crisis) " + _pct(sum(lv == "crisis" for lv, _ in sup), len(sup))
    )
    rep.misses[f"{name} Supportive crisis"] += [t for lv, t in sup if lv == "crisis"]
    ind = by_label.get("Indicator", [])
    rep.add(
        name,
        "Indicator users",
        "(distress, no stated suicidality)",
        "crisis " + _pct(sum(lv == "crisis" for lv, _ in ind), len(ind)),
    )


def _dreaddit(rep: Report, run: Screen, folder: Path) -> None:
    posts = load_dreaddit(folder, "test")
    levels = [r.level for r in run([t for _, t in posts])]
    for sub in ("domesticviolence", "survivorsofabuse"):
        got = [(lv, t) for (s, t), lv in zip(posts, levels, strict=True) if s == sub]
        k = sum(lv != "none" for lv, _ in got)
        rep.add("dreaddit (test)", f"r/{sub}", "abuse or crisis", "routed " + _pct(k, len(got)))
        rep.misses[f"dreaddit {sub} not routed"] += [t for lv, t in got if lv == "none"]
    got = [(lv, t) for (s, t), lv in zip(posts, levels, strict=True) if s == "relationships"]
    k = sum(lv != "none" for lv, _ in got)
    rep.add("dreaddit (test)", "r/relationships", "none", "false route " + _pct(k, len(got)))
    rep.misses["dreaddit relationships false route"] += [t for lv, t in got if lv != "none"]


def _counsel(rep: Report, run: Screen, folder: Path, splits: tuple[str, ...]) -> list[float]:
    questions = load_counsel_chat(folder, splits)
    name = f"counsel_chat ({' + '.join(splits)})"
    ids = list(questions)
    latencies: list[float] = []
    level: dict[str, str] = {}
    run([questions[ids[0]][0]])  # warm
    for qid in ids:
        t0 = time.perf_counter()
        level[qid] = run([questions[qid][0]])[0].level
        latencies.append((time.perf_counter() - t0) * 1000)
    for topic in DANGER:
        sel = [q for q in ids if topic in questions[q][1]]
        k = sum(level[q] != "none" for q in sel)
        rep.add(name, topic, "abuse or crisis", "routed " + _pct(k, len(sel)))
        rep.misses[f"{name} {topic} not routed"] += [questions[q][0] for q in sel if level[q] == "none"]
    sel = [q for q in ids if "self-harm" in questions[q][1]]
    rep.add(
        name,
        "self-harm (crisis only)",
        "crisis",
        "crisis " + _pct(sum(level[q] == "crisis" for q in sel), len(sel)),
    )
    safe = [q for q in ids if questions[q][1] & set(RELATIONSHIP_SAFE) and not questions[q][1] & set(DANGER)]
    k = sum(level[q] != "none" for q in safe)
    rep.add(name, "ordinary relationship questions", "none", "false route " + _pct(k, len(safe)))
    rep.misses[f"{name} relationship false route"] += [
        f"[{level[q]}] {questions[q][0]}" for q in safe if level[q] != "none"
    ]
    return latencies


def _challenge(rep: Report, run: Screen, path: Path) -> None:
    items = load_challenge(path)
    results = run([t for t, _, _ in items])
    by_sign: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (_, label, sign), r in zip(items, results, strict=True):
        by_sign[(label, sign)].append(r.level)
    for label in ("crisis", "abuse"):
        got = [lv for (lab, _), lvs in by_sign.items() if lab == label for lv in lvs]
        ok = sum(lv == "crisis" if label == "crisis" else lv != "none" for lv in got)
        rep.add(
            "challenge",
            f"all {label}",
            "crisis" if label == "crisis" else "abuse or crisis",
            "recall " + _pct(ok, len(got)),
        )
    negs = [lv for (lab, _), lvs in by_sign.items() if lab == "none" for lv in lvs]
    rep.add("challenge", "all negatives", "none", "false route " + _pct(sum(lv != "none" for lv in negs), len(negs)))
    for (label, sign), lvs in sorted(by_sign.items()):
        if label == "none":
            rep.add("challenge", f"  {sign}", "none", "false route " + _pct(sum(lv != "none" for lv in lvs), len(lvs)))
        else:
            ok = sum(lv == "crisis" if label == "crisis" else lv != "none" for lv in lvs)
            rep.add("challenge", f"  {sign} ({label})", label, "recall " + _pct(ok, len(lvs)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("folder", type=Path, help="the shared eval folder, e.g. ../shared/eval")
    ap.add_argument("--challenge", type=Path, help="a held-out JSONL challenge set")
    ap.add_argument("--rules-only", action="store_true", help="measure the rule phrases alone")
    ap.add_argument("--part", choices=("test", "train"), default="test")
    ap.add_argument("--show", type=int, default=0, metavar="N", help="print up to N misses per slice to stderr")
    args = ap.parse_args(argv)

    run = build_screen(args.rules_only)
    rep = Report()
    if args.part == "train":
        _reddit(rep, run, args.folder, TRAIN_USERS, "reddit_cssrs_500 (train part)")
    else:
        if args.challenge:
            _challenge(rep, run, args.challenge)
        _reddit(rep, run, args.folder, TEST_USERS, "reddit_cssrs_500 (test part)")
        _dreaddit(rep, run, args.folder)
        lat = sorted(_counsel(rep, run, args.folder, ("test",)))
        _counsel(rep, run, args.folder, ("val", "test"))
        p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
        rep.add(
            "latency",
            f"decision per counsel_chat question ({len(lat)})",
            "p50 <= 15 ms",
            f"p50 {statistics.median(lat):.1f} ms, p95 {p95:.1f} ms",
        )
    print(rep.table())
    if args.show:
        for key, items in rep.misses.items():
            print(f"\n## {key} ({len(items)})", file=sys.stderr)
            for t in items[: args.show]:
                print("- " + " ".join(t.split())[:400], file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
