"""Trends computed in memory from the unlocked entries: flags and strengths per ISO week, what
to read next, and resources beside any abuse or crisis flag. Nothing here is written to disk."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from assistant.journal.classifier import FLAGS, STRENGTHS, Analysis, Taxonomy
from assistant.journal.vault import Entry
from assistant.safety import Resources


def week_of(created: str) -> str:
    dt = datetime.fromisoformat(created.replace("Z", "+00:00"))
    year, week, _ = dt.isocalendar()
    return f"{year}-W{week:02d}"


def compute(entries: list[Entry], taxonomy: Taxonomy, resources: Resources, region: str = "all") -> dict[str, Any]:
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    safety_levels: Counter[str] = Counter()
    for e in entries:
        a = Analysis.from_json(e.analysis) if e.analysis else None
        if a is None:
            continue
        wk = week_of(e.created)
        for f in a.flags + a.strengths:
            weeks[wk][f.label] += 1
            totals[f.label] += 1
        safety_levels[a.safety] += 1
    rows = [
        {"week": wk, "label": lab, "kind": "strength" if lab in STRENGTHS else "flag", "count": n}
        for wk in sorted(weeks)
        for lab, n in sorted(weeks[wk].items())
    ]
    top_flags = [lab for lab, _ in totals.most_common() if lab in FLAGS][:3]
    reading: list[dict[str, str]] = []
    for lab in top_flags:
        art = taxonomy.article.get(lab)
        if art and art not in [r["article_id"] for r in reading]:
            reading.append({"article_id": art, "because": taxonomy.name.get(lab, lab)})
    show_resources = totals["abuse_risk"] or totals["self_harm_risk"]
    kinds: tuple[str, ...] = ()
    if totals["self_harm_risk"]:
        kinds += ("emergency", "crisis", "directory")
    if totals["abuse_risk"]:
        kinds += ("emergency", "abuse")
    res = (
        [
            {"name": r.name, "contact": r.contact, "how": r.how, "region": r.region}
            for r in resources.pick(tuple(dict.fromkeys(kinds)), region)
        ]
        if show_resources
        else []
    )
    return {
        "entries": len(entries),
        "weeks": rows,
        "totals": {
            "flags": {k: v for k, v in totals.items() if k in FLAGS},
            "strengths": {k: v for k, v in totals.items() if k in STRENGTHS},
        },
        "read_next": reading,
        "resources": res,
        "safety": dict(safety_levels),
    }
