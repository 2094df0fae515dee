"""Measure the journal red-flag classifier (assistant/journal/classifier.py).

    python scripts/eval_redflags.py ../shared/eval [--limit N] [--seed S]

Prints Markdown tables on stdout (progress goes to stderr):

- held-out sets (default tests/data/redflags_heldout.jsonl; `--heldout FILE`, repeatable; never
  used in training): per-label precision / recall / F1 for all 22 labels, macro-F1 over the 17
  flags, over the 15 non-safety patterns and over all 22, the lowest flag F1, how many entries
  with no gold flag raise one, and, where rows carry `"who": {label: partner|writer|both|unclear}`,
  how often a raised pattern names the right person.
- mentalmanip (mentalmanip_con.csv, `Dialogue`, `Manipulative` 1/0, `Technique` and
  `Vulnerability` comma lists): binary "manipulative" = any relationship red flag raised, and
  per-label precision / recall through the README's rough technique -> label mapping.
- dreaddit (dreaddit-test.csv; test split only): abuse_risk against the coarse positives
  (subreddits domesticviolence and survivorsofabuse), and how often stressed posts with no
  relationship content (other subreddits, label 1) raise any flag.
- reddit_cssrs_500 (500_Reddit_users_posts_labels.csv): a user reaches "crisis" if any post's
  analysis has safety == "crisis".
- speed: classify_many throughput and single-entry latency.

The folder is read at run time and nothing is copied into the repo (see ../shared/eval/README.md).
This is evaluation data only: nothing here tunes the classifier. --limit N subsamples each of the
three public sets to N rows / users (seeded) for quick runs; the default runs everything.
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assistant.offline  # noqa: F401,E402,I001  (first, as in every entry point)

from assistant.config import PROJECT_ROOT, Settings  # noqa: E402
from assistant.journal.classifier import (  # noqa: E402
    FLAGS,
    LABELS,
    SAFETY_LABELS,
    STRENGTHS,
    Analysis,
    RedFlagClassifier,
)
from assistant.services import Services  # noqa: E402

csv.field_size_limit(sys.maxsize)

HELDOUT = PROJECT_ROOT / "tests" / "data" / "redflags_heldout.jsonl"
CHUNK = 64

# Flags that count as "manipulative" on mentalmanip (relationship red flags that describe what one
# person does to another; burnout, self_harm_risk etc. are about the writer and are left out).
MANIP_FLAGS = {
    "contempt",
    "criticism",
    "gaslighting",
    "defensiveness",
    "stonewalling",
    "abuse_risk",
    "controlling",
    "codependency",
    "isolation",
    "trust_breach",
}
# README mapping (rough, not one-to-one). A row's labels: raising any of them counts.
# "Dependency" and "Over-responsibility" are values of the `Vulnerability` column, not `Technique`.
MANIP_MAP: list[tuple[str, tuple[str, ...], str, tuple[str, ...]]] = [
    # (row name, labels, column, values)
    ("contempt", ("contempt",), "Technique", ("Shaming or Belittlement",)),
    ("criticism", ("criticism",), "Technique", ("Accusation",)),
    ("gaslighting", ("gaslighting",), "Technique", ("Denial", "Feigning Innocence")),
    ("defensiveness", ("defensiveness",), "Technique", ("Rationalization", "Playing Victim Role")),
    ("stonewalling", ("stonewalling",), "Technique", ("Evasion",)),
    ("abuse_risk / controlling", ("abuse_risk", "controlling"), "Technique", ("Intimidation", "Brandishing Anger")),
    ("codependency", ("codependency",), "Vulnerability", ("Dependency", "Over-responsibility")),
]
ABUSE_SUBS = {"domesticviolence", "survivorsofabuse"}
RELATIONSHIP_SUBS = {"relationships"} | ABUSE_SUBS


# --- helpers ------------------------------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _pct(k: int, n: int) -> str:
    return f"{100 * k / n:.1f}% ({k}/{n})" if n else "n/a"


def _sampled(limit: int | None, unit: str = "") -> str:
    return "" if limit is None else f", seeded sample of {limit}{unit}"


def prf(tp: int, n_pred: int, n_true: int) -> tuple[float | None, float | None, float]:
    p = tp / n_pred if n_pred else None
    r = tp / n_true if n_true else None
    f1 = 2 * tp / (n_pred + n_true) if (n_pred + n_true) else 0.0
    return p, r, f1


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def labels_of(a: Analysis) -> set[str]:
    return {f.label for f in a.flags} | {s.label for s in a.strengths}


def flags_of(a: Analysis) -> set[str]:
    return {f.label for f in a.flags}


def classify_all(clf: RedFlagClassifier, texts: list[str], what: str) -> list[Analysis]:
    """classify_many in chunks of CHUNK, with progress on stderr."""
    out: list[Analysis] = []
    t0 = time.perf_counter()
    for i in range(0, len(texts), CHUNK):
        out += clf.classify_many(texts[i : i + CHUNK])
        done = min(len(texts), i + CHUNK)
        if (i // CHUNK) % 10 == 9 or done == len(texts):
            log(f"  {what}: {done}/{len(texts)} ({time.perf_counter() - t0:.0f} s)")
    return out


def subsample(items: list[Any], limit: int | None, seed: int) -> list[Any]:
    if limit is None or limit >= len(items):
        return items
    idx = sorted(random.Random(seed).sample(range(len(items)), limit))
    return [items[i] for i in idx]


def read_csv(path: Path) -> list[dict[str, str]]:
    # The mentalmanip README advises csv over pandas (pandas mis-reads some rows).
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split_list(value: str | None) -> set[str]:
    return {t.strip() for t in (value or "").split(",") if t.strip()}


# --- sections -----------------------------------------------------------------------------------


def eval_heldout(clf: RedFlagClassifier, path: Path = HELDOUT) -> tuple[str, list[tuple[str, list[str]]]]:
    rows = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    data = [(str(r["text"]), [lab for lab in r["labels"] if lab in LABELS]) for r in rows]
    preds = classify_all(clf, [t for t, _ in data], f"held-out {path.name}")
    body, f1s = [], {}
    for lab in LABELS:
        gold = [lab in ls for _, ls in data]
        pred = [lab in labels_of(a) for a in preds]
        tp = sum(g and p for g, p in zip(gold, pred, strict=True))
        p, r, f1 = prf(tp, sum(pred), sum(gold))
        f1s[lab] = f1
        body.append((lab, "flag" if lab in FLAGS else "strength", sum(gold), sum(pred), tp, _f(p), _f(r), _f(f1)))
    macro_flags = statistics.mean(f1s[lab] for lab in FLAGS)
    patterns = [lab for lab in FLAGS if lab not in SAFETY_LABELS]
    macro_all = statistics.mean(f1s[lab] for lab in LABELS)
    none_rows = [a for (_, ls), a in zip(data, preds, strict=True) if not ls]
    clean = sum(not flags_of(a) for a in none_rows)
    # "Clean" for the target: no gold flag (an entry with only strengths is a good day).
    no_flag = [a for (_, ls), a in zip(data, preds, strict=True) if not set(ls) & set(FLAGS)]
    flagged = sum(bool(flags_of(a)) for a in no_flag)
    exact = sum(set(ls) == labels_of(a) for (_, ls), a in zip(data, preds, strict=True))
    worst = min(FLAGS, key=lambda lab: f1s[lab])
    # Who does what: on rows that say whose each pattern is, for patterns both gold and raised.
    who_pairs = []
    for r, a in zip(rows, preds, strict=True):
        gold_who = r.get("who") or {}
        for f in a.flags:
            if f.label in gold_who and f.label in r["labels"]:
                who_pairs.append((str(gold_who[f.label]), f.who))
    who_hits = sum(g == p for g, p in who_pairs)
    who_rows = (
        [
            ("who does what: raised patterns whose person matches the gold", _pct(who_hits, len(who_pairs))),
            (
                "  gold partner / writer / both / unclear",
                " / ".join(str(sum(g == w for g, _ in who_pairs)) for w in ("partner", "writer", "both", "unclear")),
            ),
        ]
        if who_pairs
        else []
    )
    where = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    text = "\n".join(
        [
            f"## Held-out set ({len(data)} entries, {where})",
            "",
            table(("label", "kind", "support", "predicted", "TP", "precision", "recall", "F1"), body),
            "",
            table(
                ("summary", "value"),
                [
                    ("macro-F1, 17 flags", f"{macro_flags:.3f}"),
                    (
                        "macro-F1, 15 patterns (without abuse_risk and self_harm_risk, which are recall first)",
                        f"{statistics.mean(f1s[lab] for lab in patterns):.3f}",
                    ),
                    ("macro-F1, all 22 labels", f"{macro_all:.3f}"),
                    ("macro-F1, 5 strengths", f"{statistics.mean(f1s[lab] for lab in STRENGTHS):.3f}"),
                    ("lowest flag F1", f"{worst} {f1s[worst]:.2f}"),
                    ("entries with no gold flag that raise a flag (lower is better)", _pct(flagged, len(no_flag))),
                    ("entries with no gold label that raise no flag", _pct(clean, len(none_rows))),
                    ("exact label-set match", _pct(exact, len(data))),
                    *who_rows,
                ],
            ),
        ]
    )
    return text, data


def eval_mentalmanip(clf: RedFlagClassifier, folder: Path, limit: int | None, seed: int) -> str:
    path = folder / "mentalmanip" / "mentalmanip_con.csv"
    rows = subsample(read_csv(path), limit, seed)
    preds = classify_all(clf, [r["Dialogue"] for r in rows], "mentalmanip")
    gold = [r["Manipulative"].strip() == "1" for r in rows]
    raised = [bool(flags_of(a) & MANIP_FLAGS) for a in preds]
    tp = sum(g and p for g, p in zip(gold, raised, strict=True))
    p, r, f1 = prf(tp, sum(raised), sum(gold))
    binary = table(
        ("slice", "n", "raised a manipulation flag", "precision", "recall", "F1"),
        [
            ("all dialogues", len(rows), _pct(sum(raised), len(rows)), _f(p), _f(r), _f(f1)),
            ("Manipulative = 1", sum(gold), _pct(tp, sum(gold)), "", "", ""),
            (
                "Manipulative = 0",
                len(rows) - sum(gold),
                _pct(sum(p_ and not g for g, p_ in zip(gold, raised, strict=True)), len(rows) - sum(gold)),
                "",
                "",
                "",
            ),
        ],
    )
    body = []
    for name, labs, col, values in MANIP_MAP:
        carries = [bool(split_list(row[col]) & set(values)) for row in rows]
        hit = [bool(flags_of(a) & set(labs)) for a in preds]
        tp_ = sum(c and h for c, h in zip(carries, hit, strict=True))
        p_, r_, _ = prf(tp_, sum(hit), sum(carries))
        on_clean = sum(h for h, g in zip(hit, gold, strict=True) if not g)
        src = f"{col}: " + ", ".join(values)
        body.append((name, src, sum(carries), sum(hit), tp_, _f(p_), _f(r_), _pct(on_clean, len(rows) - sum(gold))))
    flag_counts = Counter(lab for a in preds for lab in flags_of(a))
    top = ", ".join(f"{lab} {k}" for lab, k in flag_counts.most_common(10))
    return "\n".join(
        [
            f"## mentalmanip (mentalmanip_con.csv, {len(rows)} dialogues{_sampled(limit)})",
            "",
            "Binary: manipulative = any of " + ", ".join(sorted(MANIP_FLAGS)) + " raised.",
            "",
            binary,
            "",
            "Per label (README mapping; recall = share of dialogues with the technique where the label is "
            "raised; precision = share of dialogues raising the label that carry a mapped technique):",
            "",
            table(
                (
                    "label",
                    "gold from",
                    "dialogues with technique",
                    "label raised",
                    "both",
                    "precision",
                    "recall",
                    "raised on Manipulative = 0",
                ),
                body,
            ),
            "",
            f"Most raised flags: {top}.",
        ]
    )


def eval_dreaddit(clf: RedFlagClassifier, folder: Path, limit: int | None, seed: int) -> str:
    rows = subsample(read_csv(folder / "dreaddit" / "dreaddit-test.csv"), limit, seed)
    preds = classify_all(clf, [r["text"] for r in rows], "dreaddit")
    gold = [r["subreddit"].strip() in ABUSE_SUBS for r in rows]
    hit = [("abuse_risk" in flags_of(a)) or a.safety == "abuse" for a in preds]
    tp = sum(g and h for g, h in zip(gold, hit, strict=True))
    p, r, f1 = prf(tp, sum(hit), sum(gold))
    distract = [
        (row, a)
        for row, a in zip(rows, preds, strict=True)
        if row["label"].strip() == "1" and row["subreddit"].strip() not in RELATIONSHIP_SUBS
    ]
    any_flag = sum(bool(a.flags) for _, a in distract)
    manip_flag = sum(bool(flags_of(a) & MANIP_FLAGS) for _, a in distract)
    distract_counts = Counter(lab for _, a in distract for lab in flags_of(a))
    by_sub: dict[str, list[bool]] = defaultdict(list)
    for row, h in zip(rows, hit, strict=True):
        by_sub[row["subreddit"].strip()].append(h)
    sub_rows = [(s, len(v), _pct(sum(v), len(v))) for s, v in sorted(by_sub.items(), key=lambda kv: -len(kv[1]))]
    top = ", ".join(f"{lab} {k}" for lab, k in distract_counts.most_common(8)) or "none"
    return "\n".join(
        [
            f"## dreaddit (dreaddit-test.csv, {len(rows)} posts{_sampled(limit)})",
            "",
            table(
                ("metric", "value"),
                [
                    ("abuse_risk positives (domesticviolence + survivorsofabuse)", sum(gold)),
                    ("abuse_risk raised (flag or safety = abuse)", sum(hit)),
                    ("abuse_risk precision", _f(p)),
                    ("abuse_risk recall", _f(r)),
                    ("abuse_risk F1", _f(f1)),
                    (
                        "stress = 1, non-relationship subreddits: raise ANY flag (lower is better)",
                        _pct(any_flag, len(distract)),
                    ),
                    (
                        "stress = 1, non-relationship subreddits: raise a relationship red flag (the 10 above)",
                        _pct(manip_flag, len(distract)),
                    ),
                ],
            ),
            "",
            f"Flags raised on those distractor posts: {top}.",
            "",
            "abuse_risk raised, by subreddit:",
            "",
            table(("subreddit", "posts", "abuse_risk raised"), sub_rows),
        ]
    )


def load_cssrs(folder: Path) -> list[tuple[str, list[str]]]:
    """(label, non-empty posts) per user; parsing is shared with eval_safety.py."""
    from eval_safety import load_reddit  # scripts/ is on sys.path when a script runs

    return [(label, [p for p in posts if p.strip()] or posts) for label, posts in load_reddit(folder)]


def eval_cssrs(clf: RedFlagClassifier, folder: Path, limit: int | None, seed: int) -> str:
    users = subsample(load_cssrs(folder), limit, seed)
    flat = [(u, p) for u, (_, posts) in enumerate(users) for p in posts]
    preds = classify_all(clf, [p for _, p in flat], "reddit_cssrs_500 posts")
    crisis = [False] * len(users)
    self_harm = [False] * len(users)
    for (u, _), a in zip(flat, preds, strict=True):
        crisis[u] = crisis[u] or a.safety == "crisis"
        self_harm[u] = self_harm[u] or "self_harm_risk" in flags_of(a)
    by_label: dict[str, list[int]] = defaultdict(list)
    for u, (label, _) in enumerate(users):
        by_label[label].append(u)

    def row(name: str, labels: tuple[str, ...], expect: str) -> tuple[str, ...]:
        us = [u for lab in labels for u in by_label.get(lab, [])]
        return (
            name,
            str(len(us)),
            expect,
            _pct(sum(crisis[u] for u in us), len(us)),
            _pct(sum(self_harm[u] for u in us), len(us)),
        )

    return "\n".join(
        [
            f"## reddit_cssrs_500 ({len(users)} users, {len(flat)} posts{_sampled(limit, ' users')})",
            "",
            "A user reaches crisis if any post's analysis has safety = crisis.",
            "",
            table(
                ("users", "n", "expected", "reach crisis", "any post raises self_harm_risk"),
                [
                    row("Behavior + Attempt", ("Behavior", "Attempt"), "crisis (high risk)"),
                    row("  Attempt", ("Attempt",), "crisis"),
                    row("  Behavior", ("Behavior",), "crisis"),
                    row("Ideation", ("Ideation",), "crisis"),
                    row("Indicator", ("Indicator",), "distress, not stated suicidality"),
                    row("Supportive (false alarms)", ("Supportive",), "no crisis"),
                ],
            ),
        ]
    )


def eval_speed(clf: RedFlagClassifier, data: list[tuple[str, list[str]]]) -> str:
    texts = [t for t, _ in data]
    batch = (texts * (1 + 200 // max(1, len(texts))))[:200]
    clf.classify_many(batch[:8])  # warm-up

    def timed(fn: Callable[[], Any]) -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    runs = [timed(lambda: clf.classify_many(batch)) for _ in range(3)]
    rate = len(batch) / statistics.median(runs)
    singles = [1000 * timed(functools.partial(clf.classify, t)) for t in texts[:50]]
    singles.sort()
    p95 = singles[min(len(singles) - 1, int(round(0.95 * (len(singles) - 1))))]
    return "\n".join(
        [
            "## Speed",
            "",
            table(
                ("measure", "value"),
                [
                    (
                        f"classify_many, {len(batch)} held-out entries (median of 3)",
                        f"{rate:.1f} entries/s ({statistics.median(runs):.2f} s)",
                    ),
                    (
                        f"classify, one entry ({len(singles)} calls)",
                        f"p50 {statistics.median(singles):.1f} ms, p95 {p95:.1f} ms",
                    ),
                ],
            ),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    ap.add_argument("folder", type=Path, help="the shared eval folder, e.g. ../shared/eval")
    ap.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="subsample mentalmanip, dreaddit and reddit_cssrs_500 to N rows/users each",
    )
    ap.add_argument("--seed", type=int, default=0, help="seed for --limit sampling (default 0)")
    ap.add_argument(
        "--heldout",
        type=Path,
        action="append",
        metavar="JSONL",
        help="a held-out set to measure (repeatable; default tests/data/redflags_heldout.jsonl); lines "
        '{"text", "labels", optional "who": {label: partner|writer|both|unclear}}',
    )
    ap.add_argument("--heldout-only", action="store_true", help="skip the public sets and the speed section")
    ap.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=("mentalmanip", "dreaddit", "cssrs", "speed"),
        help="leave out one section (repeatable)",
    )
    args = ap.parse_args(argv)
    if not args.folder.is_dir():
        ap.error(f"{args.folder} is not a folder")
    if args.limit is not None and args.limit < 1:
        ap.error("--limit must be at least 1")

    assistant.offline.install_guard()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hearth-eval-") as tmp:
        settings = Settings(home=Path(tmp) / "home", cache=Settings().cache_dir)
        t0 = time.perf_counter()
        clf = Services(settings).classifier
        log(
            f"classifier ready in {time.perf_counter() - t0:.1f} s"
            f" ({'trained now' if clf.trained_now else 'cached head'} under {settings.cache_dir})"
        )

        sections: list[str] = []
        data: list[tuple[str, list[str]]] = []
        for path in args.heldout or [HELDOUT]:
            if not path.is_file():
                ap.error(f"{path} is not a file")
            heldout, rows = eval_heldout(clf, path.resolve())
            sections.append(heldout)
            data = data or rows
        if args.heldout_only:
            print("# Red-flag classifier evaluation (held-out sets only)\n")
            print("\n\n".join(sections))
            return 0
        if "mentalmanip" not in args.skip:
            sections.append(eval_mentalmanip(clf, args.folder, args.limit, args.seed))
        if "dreaddit" not in args.skip:
            sections.append(eval_dreaddit(clf, args.folder, args.limit, args.seed))
        if "cssrs" not in args.skip:
            sections.append(eval_cssrs(clf, args.folder, args.limit, args.seed))
        if "speed" not in args.skip:
            log("speed")
            sections.append(eval_speed(clf, data))

    print(f"# Red-flag classifier evaluation ({'full' if args.limit is None else f'--limit {args.limit}'})\n")
    print("\n\n".join(sections))
    print(f"\n_Total run time {time.perf_counter() - started:.0f} s._")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
