"""An entry's analysis told in words, for the terminal: names instead of ids, evidence instead of scores.

The web app renders the same facts as HTML; this is the plain-text reading, so `journal add` reflects
what Hearth noticed the way the app does rather than printing only an id."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby

from assistant.journal.classifier import Analysis, Taxonomy
from assistant.safety.responses import Resources

REGION_NAMES = {"US": "United States", "UK-IE": "UK and Ireland", "EU": "Europe", "international": "Anywhere"}


def resource_lines(resources: Resources, kinds: tuple[str, ...], region: str) -> list[str]:
    """Resources grouped under one heading per region, so two 'Emergency services' lines never sit together."""
    picked = resources.pick(kinds, region)
    out: list[str] = []
    for reg, items in groupby(sorted(picked, key=lambda r: list(REGION_NAMES).index(r.region)), key=lambda r: r.region):
        out.append(f"  {REGION_NAMES.get(reg, reg)}:")
        out += [f"    {r.name}: {r.how}" for r in items]
    return out


def safety_kinds(level: str) -> tuple[str, ...]:
    return ("emergency", "crisis", "directory") if level == "crisis" else ("emergency", "abuse")


def describe(
    analysis: Analysis, taxonomy: Taxonomy, resources: Resources, region: str, title: Callable[[str], str]
) -> list[str]:
    lines: list[str] = []
    if analysis.safety != "none":
        lines.append("Your safety matters most here. You can reach someone now:")
        lines += resource_lines(resources, safety_kinds(analysis.safety), region)
    if analysis.flags:
        lines.append("Hearth noticed:")
        for f in analysis.flags:
            whose = {"partner": " (theirs)", "writer": " (yours)", "both": " (both of you)"}.get(f.who, "")
            lines.append(f"  {taxonomy.name.get(f.label, f.label)}{whose}: {f.explanation}")
            lines += [f'    because you wrote: "{ev}"' for ev in f.evidence[:2]]
            if f.article_id:
                lines.append(f"    read: {title(f.article_id)} (`hearth kb show {f.article_id}`)")
    else:
        lines.append("Nothing stood out as a pattern to watch in this entry.")
    if analysis.strengths:
        names = ", ".join(taxonomy.name.get(s.label, s.label) for s in analysis.strengths)
        lines.append(f"Strengths: {names}")
    return lines


def insight_lines(data: dict, taxonomy: Taxonomy, title: Callable[[str], str], profile: str) -> list[str]:
    """`journal insights` for a person: whose, how many entries, what recurs, what to read."""
    n = data.get("entries", 0)
    weeks = sorted({row["week"] for row in data.get("weeks", [])})
    span = f", weeks {weeks[0]} to {weeks[-1]}" if weeks else ""
    lines = [f"Insights for '{profile}': {n} entr{'y' if n == 1 else 'ies'}{span}"]
    totals = data.get("totals", {})
    flags = sorted(totals.get("flags", {}).items(), key=lambda kv: -kv[1])
    strengths = sorted(totals.get("strengths", {}).items(), key=lambda kv: -kv[1])
    if flags:
        lines.append("Patterns that came up:")
        lines += [f"  {taxonomy.name.get(k, k)}: in {v} entr{'y' if v == 1 else 'ies'}" for k, v in flags]
    else:
        lines.append("No patterns to watch came up.")
    if strengths:
        lines.append("Strengths:")
        lines += [f"  {taxonomy.name.get(k, k)}: in {v} entr{'y' if v == 1 else 'ies'}" for k, v in strengths]
    if data.get("recurring") or data.get("strengths_over_time"):
        lines.append(f"What changed in {data.get('month_name', '')}, beside {data.get('last_month_name', '')}:")
        lines += [f"  {t['text']}" for t in data.get("recurring", []) + data.get("strengths_over_time", [])]
    tip = data.get("try_next")
    if tip:
        what = f"the exercise '{tip['title']}' and " if tip.get("title") else ""
        lines.append(
            f"One thing to try for {taxonomy.name.get(tip['label'], tip['label'])}: {what}{title(tip['article_id'])}"
        )
    for r in data.get("read_next", []):
        lines.append(
            f"Worth reading, because of {r['because']}: {title(r['article_id'])} (`hearth kb show {r['article_id']}`)"
        )
    if data.get("resources"):
        lines.append("Support you can reach:")
        lines += [f"  {r['name']}: {r['how']}" for r in data["resources"]]
    return lines
