"""Trends computed in memory from the unlocked entries. Nothing here is written to disk.

- counts per ISO week per label, and per week per person (partner / writer / both / unclear,
  from journal/who.py), for the charts: over the last WEEKS weeks up to the latest entry (from
  the first entry's week if that is later), every week present, a week without the label as 0
  (a skipped week would draw a line straight across it), each row with the label's plain name;
- what changed: each pattern's share of entries this month against last month
  ("Stonewalling: 4 of 9 entries this month, fewer than last month (6 of 11)."), strengths
  beside them;
- the one exercise (and its article) that fits the most frequent pattern this month;
- what to read next, and resources beside any abuse or crisis flag.
A finding the person marked "doesn't fit" is left out of every count: they told us it is wrong.
Only the findings stored with each entry are read: the classifier never runs again here, so a
year of entries is counted in milliseconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from assistant.journal.calibration import marks_of
from assistant.journal.classifier import FLAGS, LABELS, STRENGTHS, Analysis, Finding, Taxonomy
from assistant.journal.vault import Entry
from assistant.safety import Resources

if TYPE_CHECKING:
    from assistant.practice import Exercise


LABEL_ORDER = {lab: i for i, lab in enumerate(LABELS)}
WEEKS = 12  # how far back the charts look, in weeks
# Whose a pattern is, in the words of the per-person chart's legend (who.py's values).
WHOSE = {"partner": "Theirs", "writer": "Yours", "both": "Both of you", "unclear": "Not clear whose"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip


def week_of(created: str) -> str:
    dt = datetime.fromisoformat(created.replace("Z", "+00:00"))
    year, week, _ = dt.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday of an ISO week ("2026-W49" -> 2026-11-30)."""
    return date.fromisocalendar(int(week[:4]), int(week[6:]), 1)


def week_range(weeks: Sequence[str], span: int = WEEKS) -> list[str]:
    """Every ISO week from max(first, last - span + 1) to the last of `weeks`, none skipped."""
    if not weeks:
        return []
    last = week_start(max(weeks))
    first = max(week_start(min(weeks)), last - timedelta(weeks=span - 1))
    out = []
    day = first
    while day <= last:
        out.append(week_of(day.isoformat()))
        day += timedelta(weeks=1)
    return out


def month_name(month: str) -> str:
    """ "2026-12" -> "December 2026"."""
    return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}" if month else ""


def month_of(created: str) -> str:
    return created[:7]


def _previous_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def kept_findings(e: Entry, a: Analysis | None = None) -> list[Finding]:
    """The entry's findings minus those the person marked "doesn't fit" (`a`: its analysis, parsed)."""
    if not e.analysis:
        return []
    a = a or Analysis.from_json(e.analysis)
    wrong = {lab for lab, mark in marks_of(e.analysis).items() if mark == "doesnt-fit"}
    return [f for f in a.flags + a.strengths if f.label not in wrong]


def _trend(label: str, name: str, now: tuple[int, int], before: tuple[int, int]) -> dict[str, Any]:
    """One sentence on what changed, by the share of entries (a busier month is not "more")."""
    (k, n), (k0, n0) = now, before
    if k0 == 0:
        change = "new" if k else "none"
        versus = f", none last month (0 of {n0})" if n0 else ""
    else:
        rate, rate0 = k / max(1, n), k0 / n0
        change = "fewer" if rate < rate0 - 1e-9 else "more" if rate > rate0 + 1e-9 else "same"
        word = {"fewer": "fewer than", "more": "more than", "same": "about the same as"}[change]
        versus = f", {word} last month ({k0} of {n0})"
    text = f"{name}: {k} of {n} entr{'y' if n == 1 else 'ies'} this month{versus}."
    return {"label": label, "name": name, "this_month": k, "entries": n, "last_month": k0, "last_entries": n0,
            "change": change, "text": text}  # fmt: skip


def compute(
    entries: list[Entry],
    taxonomy: Taxonomy,
    resources: Resources,
    region: str = "all",
    exercises: Sequence[Exercise] = (),
    month: str | None = None,
) -> dict[str, Any]:
    """`month` ("2026-12") is "this month"; by default the month of the latest entry."""
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    by_person: dict[tuple[str, str], int] = Counter()
    totals: Counter[str] = Counter()
    safety_levels: Counter[str] = Counter()
    per_month: dict[str, Counter[str]] = defaultdict(Counter)  # entries per month carrying each label
    month_entries: Counter[str] = Counter()
    for e in entries:
        if not e.analysis:
            continue
        wk, mo = week_of(e.created), month_of(e.created)
        month_entries[mo] += 1
        weeks.setdefault(wk, Counter())  # a week with entries but no findings is still a week with data
        a = Analysis.from_json(e.analysis)
        for f in kept_findings(e, a):
            weeks[wk][f.label] += 1
            totals[f.label] += 1
            per_month[mo][f.label] += 1
            if f.label in FLAGS:
                by_person[(wk, f.who)] += 1
        safety_levels[a.safety] += 1
    span = week_range(list(weeks))
    starts = {wk: week_start(wk).isoformat() for wk in span}
    shown = sorted(
        {lab for wk in span for lab in weeks[wk]},
        key=lambda lab: (lab in STRENGTHS, LABEL_ORDER.get(lab, len(LABELS)), lab),
    )
    rows = [
        {"week": wk, "start": starts[wk], "label": lab, "name": taxonomy.name.get(lab, lab),
         "kind": "strength" if lab in STRENGTHS else "flag", "count": weeks[wk][lab]}
        for lab in shown
        for wk in span
    ]  # fmt: skip
    whose = [w for w in WHOSE if w in ("partner", "writer") or any(by_person[(wk, w)] for wk in span)]
    person_rows = [
        {"week": wk, "start": starts[wk], "who": w, "whose": WHOSE[w], "count": by_person[(wk, w)]}
        for w in whose
        for wk in span
    ] if any(lab in FLAGS for lab in shown) else []  # fmt: skip
    this = month or (max(month_entries) if month_entries else "")
    last = _previous_month(this) if this else ""

    def trends(labels: list[str]) -> list[dict[str, Any]]:
        out = [
            _trend(
                lab,
                taxonomy.name.get(lab, lab),
                (per_month[this][lab], month_entries[this]),
                (per_month[last][lab], month_entries[last]),
            )
            for lab in labels
            if per_month[this][lab] or per_month[last][lab]
        ]
        return sorted(out, key=lambda t: (-t["this_month"], -t["last_month"], t["label"]))

    recurring = trends([lab for lab in FLAGS])
    strengths = trends(list(STRENGTHS))
    top_flags = [lab for lab, _ in totals.most_common() if lab in FLAGS][:3]
    reading: list[dict[str, str]] = []
    for lab in top_flags:
        art = taxonomy.article.get(lab)
        if art and art not in [r["article_id"] for r in reading]:
            reading.append({"article_id": art, "label": lab, "because": taxonomy.name.get(lab, lab)})
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
        "weeks_by_person": person_rows,
        "month": this,
        "month_name": month_name(this),
        "last_month_name": month_name(last),
        "recurring": recurring,
        "strengths_over_time": strengths,
        "try_next": _try_next(recurring, taxonomy, exercises),
        "totals": {
            "flags": {k: v for k, v in totals.items() if k in FLAGS},
            "strengths": {k: v for k, v in totals.items() if k in STRENGTHS},
        },
        "read_next": reading,
        "resources": res,
        "safety": dict(safety_levels),
    }


def _try_next(
    recurring: list[dict[str, Any]], taxonomy: Taxonomy, exercises: Sequence[Exercise]
) -> dict[str, str] | None:
    """One exercise for the most frequent pattern this month (abuse and crisis get resources,
    not an exercise): the first exercise whose article is among the pattern's articles, in the
    taxonomy's order; else the pattern's first article alone."""
    top = next((t for t in recurring if t["this_month"] and t["label"] not in ("abuse_risk", "self_harm_risk")), None)
    if top is None:
        return None
    label, name = top["label"], top["name"]
    articles = taxonomy.articles.get(label) or [taxonomy.article.get(label, "")]
    for art in articles:
        for ex in exercises:
            if ex.article == art:
                return {"label": label, "name": name, "exercise_id": ex.id, "title": ex.title, "article_id": art,
                        "because": top["text"]}  # fmt: skip
    return {"label": label, "name": name, "exercise_id": "", "title": "", "article_id": articles[0],
            "because": top["text"]}  # fmt: skip
