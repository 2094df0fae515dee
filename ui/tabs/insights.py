"""The Insights tab: whose insights, what changed, strengths beside them, what to read next.

One class: `view` takes the caller's unlocked VaultSession and returns the charts' rows, the text
and the articles to open (from assistant/journal/service.py's insights, never the vault), so it
is tested without a browser. Everything is named as a person would say it: a pattern by its name
in knowledge/redflags.yaml, an article by its title (opened in place, as in the Journal tab),
never by an id. The charts are lines per week over the service's range of weeks, where a week
without a pattern is a 0 (the service fills them in); they stay hidden until there is something
to draw (an empty chart said "NaN" and carried an ARIA label on a role-less box). The plots are
Gradio's own (Vega, bundled with Gradio): nothing is fetched from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr  # at module level: handlers' `request: gr.Request` annotations must resolve

from assistant.errors import HearthError
from assistant.journal import service as journal
from assistant.journal.vault import VaultSession
from assistant.services import Services
from ui import render


@dataclass
class InsightsView:
    """What the tab shows: three charts' rows (week, a name, entries), the summary above them, the
    reading list below them and the articles it offers."""

    flags: Any  # DataFrame: week ("30 Nov", its Monday), pattern (the name), entries
    strengths: Any  # DataFrame: week, strength, entries
    people: Any  # DataFrame: week, whose ("Theirs", "Yours", ...), entries (patterns only)
    text: str  # whose, what changed, strengths beside it, one thing to try, support
    reading: str = ""  # what to read next, by title
    articles: list[tuple[str, str]] = field(default_factory=list)  # (title, article id) to open in place
    weeks: list[str] = field(default_factory=list)  # the x axis, in order ("30 Nov", "7 Dec", ...)


def _frame(rows: list[dict[str, Any]], name_col: str, as_col: str) -> Any:
    import pandas as pd  # only here: the page is served before the heavy libraries load

    return pd.DataFrame(
        {
            "week": [_day(r["start"], year=False) for r in rows],
            as_col: [r[name_col] for r in rows],
            "entries": [int(r["count"]) for r in rows],
        }
    )


class InsightsTab:
    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def view(self, vs: VaultSession, region: str | None = None) -> InsightsView:
        data = journal.insights(self.svc, vs, region)
        md = render.md_text  # names and titles are Hearth's own, but shown literally all the same
        weeks = data["weeks"]
        starts = sorted({r["start"] for r in weeks})
        # A line needs two weeks: a single week would draw an empty box, so the charts wait.
        drawn = weeks if len(starts) > 1 else []
        flags = _frame([r for r in drawn if r["kind"] == "flag"], "name", "pattern")
        strengths = _frame([r for r in drawn if r["kind"] == "strength"], "name", "strength")
        people = _frame(data["weeks_by_person"] if drawn else [], "whose", "whose")
        # Sections are h2, under the page's h1: a skipped level is axe's heading-order finding.
        lines = [f"**Insights for {render.name(vs.name)}: {data['entries']} entries.**"]
        if drawn:
            lines.append(f"The charts below show each week from {_day(starts[0])} to {_day(starts[-1])}.")
        elif starts:
            lines.append("The charts of each week appear once your entries cover two weeks or more.")
        if data["recurring"] or data["strengths_over_time"]:
            lines.append(f"## What changed in {data['month_name']}")
            lines.append(f"How many of this month's entries each came up in, beside {data['last_month_name']}.")
            lines += [f"- {md(t['text'])}" for t in data["recurring"][:5]]
        if data["strengths_over_time"]:
            lines.append("### Strengths beside them")
            lines += [f"- {md(t['text'])}" for t in data["strengths_over_time"][:5]]
        articles: dict[str, str] = {}  # article id -> title, in the order offered
        reading = [r for r in data["read_next"] if r.get("title")]
        tip = data["try_next"]
        if tip and not tip["title"] and tip["article_id"] in [r["article_id"] for r in reading]:
            tip = None  # the article alone, and it is in the reading list anyway
        if tip:
            parts = [f"the exercise *{md(tip['title'])}*"] if tip["title"] else []
            if tip.get("article_title"):
                parts.append(f"the article *{md(tip['article_title'])}*")
                articles[tip["article_id"]] = tip["article_title"]
            if parts:
                lines.append(f"## One thing to try\nFor {md(tip['name'])}: {', from '.join(parts)}.")
        if data["resources"]:
            lines.append("## Support, any time")
            lines += [f"- {r['name']}: {r['how']}" for r in data["resources"]]
        below: list[str] = []
        if reading:
            below.append("## What to read next")
            below += [f"- *{md(r['title'])}*, because of {md(r['because'])}" for r in reading]
            articles.update({r["article_id"]: r["title"] for r in reading if r["article_id"] not in articles})
        if articles:
            below.append("\nOpen any of them under *Read what Hearth suggested*, just below.")
        order = [_day(d, year=False) for d in starts] if drawn else []
        return InsightsView(flags, strengths, people, "\n".join(lines), "\n".join(below),
                            [(t, i) for i, t in articles.items()], order)  # fmt: skip

    def article_md(self, article_id: str | None) -> str:
        art = self.svc.corpus.get(article_id or "")
        return f"## {art.title}\n\n{art.body}" if art else ""

    def build(self, unlocked: Any, region: Any, need: Callable[..., VaultSession]) -> None:
        """`need(state, request)` is the Journal tab's check of the unlocked profile."""
        with gr.Tab("Insights", id="insights"):
            ins_btn = gr.Button("Show my insights", elem_id="insights-btn")
            ins_md = gr.Markdown(elem_id="insights-md")

            def line(title: str, color: str, elem_id: str) -> Any:
                return gr.LinePlot(x="week", y="entries", color=color, title=title, x_title="Week starting",
                                   y_title="Entries", color_title=color.capitalize(), y_axis_format="d",
                                   elem_id=elem_id, visible=False)  # fmt: skip

            flags_plot = line("Patterns per week", "pattern", "flags-plot")
            strengths_plot = line("Strengths per week", "strength", "strengths-plot")
            person_plot = line("Patterns per week, by whose they are", "whose", "person-plot")
            read_md = gr.Markdown(elem_id="insights-reading")
            article_pick = gr.Dropdown(label="Read what Hearth suggested", choices=[], elem_id="insights-article",
                                       visible=False)  # fmt: skip
            article_view = gr.Markdown(elem_id="insights-article-view")

        def do_insights(state: Any, where: str | None, request: gr.Request) -> tuple:
            hidden = gr.update(visible=False)
            try:
                v = self.view(need(state, request), where)
            except HearthError as exc:
                return hidden, hidden, hidden, f"**{render.md_text(str(exc))}**", "", hidden, ""

            def chart(df: Any) -> Any:
                # Weeks as labels in their own order (a date axis put its ticks between the weeks);
                # at least 0 to 5 on the y axis, so its ticks are whole entries.
                top = max(5, int(df["entries"].max())) if not df.empty else 5
                return gr.update(value=df, visible=not df.empty, sort=v.weeks, y_lim=[0, top])

            pick = gr.update(choices=v.articles, value=None, visible=bool(v.articles))
            return chart(v.flags), chart(v.strengths), chart(v.people), v.text, v.reading, pick, ""

        outs = [flags_plot, strengths_plot, person_plot, ins_md, read_md, article_pick, article_view]
        ins_btn.click(do_insights, [unlocked, region], outs, api_visibility="private")
        article_pick.change(self.article_md, article_pick, article_view, api_visibility="private")


def _day(iso: str, year: bool = True) -> str:
    """'30 Nov 2026' (or '30 Nov') from '2026-11-30'."""
    from datetime import date

    d = date.fromisoformat(iso)
    return f"{d.day} {d:%b %Y}" if year else f"{d.day} {d:%b}"
