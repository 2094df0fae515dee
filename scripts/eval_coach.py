"""Evaluate the coach on real questions nobody on the team wrote: counsel_chat's relationship
subset (see ../shared/eval/README.md; evaluation only, never copied into the product).

    .venv/bin/python scripts/eval_coach.py ../shared/eval [--answers N]

Reports: topic hit rate at 3 (counsel_chat topic -> our topic ids, below), routing of danger,
similarity of our answers to the therapists' answers against two baselines (the bundled model
alone, no retrieval; a random article's steps), citation validity, grounded fraction, latency.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assistant.offline  # noqa: F401,E402,I001

from assistant.config import Settings  # noqa: E402
from assistant.grounding import citation_problems  # noqa: E402
from assistant.llm.base import GenOptions, complete  # noqa: E402
from assistant.safety import screen  # noqa: E402
from assistant.services import Services  # noqa: E402

RELATIONSHIP_TOPICS = {
    "intimacy",
    "relationships",
    "marriage",
    "relationship-dissolution",
    "family-conflict",
    "domestic-violence",
    "anger-management",
    "social-relationships",
}
# Which of our topic ids answer a counsel_chat topic. "relationships" and "marriage" are broad
# on their side, so they map to the everyday-dynamics topics; the narrow ones map narrowly.
TOPIC_MAP = {
    "intimacy": {"desire", "vulnerability", "emotional-distance", "attachment", "trust-repair", "loneliness"},
    "relationships": {
        "conflict",
        "trust-repair",
        "attachment",
        "emotional-distance",
        "jealousy",
        "boundaries",
        "codependency",
        "breakup",
        "loneliness",
        "apology",
        "repair-attempts",
        "four-horsemen",
        "vulnerability",
        "active-listening",
        "long-distance",
        "desire",
        "digital-life",
    },
    "marriage": {
        "conflict",
        "four-horsemen",
        "trust-repair",
        "emotional-distance",
        "repair-attempts",
        "desire",
        "apology",
        "quality-time",
        "therapy",
        "breakup",
        "family",
    },
    "relationship-dissolution": {"breakup", "trust-repair", "therapy", "loneliness"},
    "family-conflict": {"family", "boundaries", "conflict", "enmeshment"},
    "domestic-violence": {"safety"},
    "anger-management": {"conflict", "four-horsemen", "repair-attempts", "safety"},
    "social-relationships": {"friendship", "loneliness", "boundaries", "family", "attachment"},
}


def load_questions(eval_dir: Path) -> tuple[list[dict], dict[str, list[str]]]:
    path = eval_dir / "counsel_chat" / "20200325_counsel_chat.csv"
    questions: dict[str, dict] = {}
    answers: dict[str, list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["topic"] not in RELATIONSHIP_TOPICS:
                continue
            qid = row["questionID"]
            text = f"{row['questionTitle'] or ''} {row['questionText'] or ''}".strip()
            questions.setdefault(qid, {"id": qid, "topic": row["topic"], "query": text})
            if row.get("answerText"):
                answers[qid].append(row["answerText"])
    return list(questions.values()), answers


def pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("eval_dir", type=Path)
    ap.add_argument("--answers", type=int, default=120, help="questions answered end to end (seeded sample)")
    args = ap.parse_args()
    questions, refs = load_questions(args.eval_dir)
    with tempfile.TemporaryDirectory(prefix="hearth-eval-") as tmp:
        svc = Services(Settings(home=Path(tmp) / "home", cache=Settings().cache_dir))
        index, corpus, emb = svc.index, svc.corpus, svc.embedder

        # 1. safety routing and retrieval topic hits, over every relationship question
        routed = defaultdict(lambda: [0, 0])
        hits_at3 = defaultdict(lambda: [0, 0])
        retrieval_ms = []
        for q in questions:
            level = screen(q["query"]).level
            routed[q["topic"]][0] += level != "none"
            routed[q["topic"]][1] += 1
            t = time.perf_counter()
            hits = index.search(q["query"], k=3)
            retrieval_ms.append((time.perf_counter() - t) * 1000)
            topics = {t for h in hits for t in h.topics}
            hits_at3[q["topic"]][0] += bool(topics & TOPIC_MAP[q["topic"]])
            hits_at3[q["topic"]][1] += 1
        danger_free = [q for q in questions if q["topic"] not in ("domestic-violence",)]

        # 2. end-to-end answers on a seeded sample of the danger-free questions
        rng = random.Random(7)
        sample = rng.sample(danger_free, min(args.answers, len(danger_free)))
        coach = svc.coach
        coach.warm()
        steps_pool = [a for a in corpus.articles if a.steps and "safety" not in a.topics]
        sims = {"hearth": [], "model alone": [], "random article": []}
        valid = grounded = 0
        raw_kept = raw_total = 0
        latency, first_text = [], []
        for q in sample:
            t = time.perf_counter()
            ans = coach.ask(q["query"])
            latency.append(time.perf_counter() - t)
            first_text.append(ans.timings.get("first_text_ms", ans.timings["total_ms"]))
            valid += not citation_problems(ans.text, len(ans.citations))
            grounded += ans.grounded_fraction
            raw_kept += ans.generated_kept
            raw_total += ans.generated_sentences
            body = ans.text.split("\nSources:")[0]
            alone = complete(svc.llm, [{"role": "user", "content": q["query"]}], GenOptions(max_tokens=160))
            rand = " ".join(rng.choice(steps_pool).steps)
            ref_vecs = emb.embed(refs[q["id"]][:5])
            for name, text in (("hearth", body), ("model alone", alone), ("random article", rand)):
                v = emb.embed([text])[0]
                sims[name].append(float(np.max(ref_vecs @ v)))

    n = len(sample)
    print(f"counsel_chat relationship subset: {len(questions)} unique questions; {n} answered end to end\n")
    print("| measure | result | target |\n|---|---|---|")
    everyday = [t for t in hits_at3 if t != "domestic-violence"]
    hit = sum(hits_at3[t][0] for t in everyday) / sum(hits_at3[t][1] for t in everyday)
    print(f"| topic hit rate at 3 (all but domestic-violence) | {pct(hit)} | >= 90% |")
    for t in sorted(hits_at3):
        print(f"| - hit rate at 3, {t} (n={hits_at3[t][1]}) | {pct(hits_at3[t][0] / hits_at3[t][1])} | |")
    dv = routed["domestic-violence"]
    print(f"| domestic-violence questions routed to safety | {pct(dv[0] / max(1, dv[1]))} ({dv[0]}/{dv[1]}) | all |")
    fr = [routed[t] for t in routed if t not in ("domestic-violence", "anger-management")]
    fr_share = sum(r[0] for r in fr) / sum(r[1] for r in fr)
    print(f"| false-route share, danger-free topics | {pct(fr_share)} | low |")
    for name in sims:
        print(f"| similarity to therapists' answers, {name} (mean max-cosine) | {statistics.mean(sims[name]):.3f} | |")
    print(f"| valid citations | {pct(valid / n)} | 100% |")
    print(f"| mean grounded fraction (final answers) | {grounded / n:.3f} | >= 0.95 |")
    print(
        f"| model reflections that passed the check | {pct(raw_kept / max(1, raw_total))} ({raw_kept}/{raw_total}) | |"
    )
    lat = sorted(latency)
    print(f"| answer latency p50 / p95 | {statistics.median(lat):.2f} s / {lat[int(0.95 * (n - 1))]:.2f} s | |")
    print(f"| first checked text p50 | {statistics.median(first_text):.0f} ms | |")
    print(f"| retrieval p50 (warm, in this run) | {statistics.median(retrieval_ms):.1f} ms | <= 15 ms |")


if __name__ == "__main__":
    main()
