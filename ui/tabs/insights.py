"""The Insights tab: whose insights, what recurs, strengths beside them, what to read next.

One class: `view` takes the caller's unlocked VaultSession and returns the charts' rows and the
text (from assistant/journal/service.py's insights, never the vault), so it is tested without a
browser. The charts stay hidden until there is something to draw (an empty chart said "NaN"
and carried an ARIA label on a role-less box)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr  # at module level: handlers' `request: gr.Request` annotations must resolve

from assistant.errors import HearthError
from assistant.journal import service as journal
from assistant.journal.vault import VaultSession
from assistant.services import Services
from ui import render


class InsightsTab:
    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def view(self, vs: VaultSession, region: str | None = None) -> tuple[Any, Any, Any, str]:
        """(flags per week, strengths per week, patterns per week by whose, the text)."""
        import pandas as pd  # only here: the page is served before the heavy libraries load

        data = journal.insights(self.svc, vs, region)
        rows = pd.DataFrame(data["weeks"] or [], columns=["week", "label", "kind", "count"])
        flags = rows[rows["kind"] == "flag"]
        strengths = rows[rows["kind"] == "strength"]
        people = pd.DataFrame(data["weeks_by_person"] or [], columns=["week", "label", "who", "count"])
        people = people.groupby(["week", "who"], as_index=False)["count"].sum()
        # Sections are h2, under the page's h1: a skipped level is axe's heading-order finding.
        lines = [f"**Insights for {render.name(vs.name)}: {data['entries']} entries.**"]
        if data["recurring"]:
            lines.append(f"## This month ({data['month']})")
            lines += [f"- {t['text']}" for t in data["recurring"][:5]]
        if data["strengths_over_time"]:
            lines.append("## Strengths beside them")
            lines += [f"- {t['text']}" for t in data["strengths_over_time"][:5]]
        tip = data["try_next"]
        if tip:
            what = f"the exercise *{tip['title']}*, with " if tip["title"] else ""
            lines.append(f"## One thing to try\n{tip['because']}: try {what}the article `{tip['article_id']}`.")
        if data["read_next"]:
            lines.append("## What to read next")
            lines += [f"- `{r['article_id']}` (because of {r['because']})" for r in data["read_next"]]
        if data["resources"]:
            lines.append("## Support, any time")
            lines += [f"- {r['name']}: {r['how']}" for r in data["resources"]]
        return flags, strengths, people, "\n".join(lines)

    def build(self, unlocked: Any, region: Any, need: Callable[..., VaultSession]) -> None:
        """`need(state, request)` is the Journal tab's check of the unlocked profile."""
        with gr.Tab("Insights", id="insights"):
            ins_btn = gr.Button("Show my insights", elem_id="insights-btn")
            flags_plot = gr.BarPlot(x="week", y="count", color="label", title="Patterns per week",
                                    elem_id="flags-plot", visible=False)  # fmt: skip
            strengths_plot = gr.BarPlot(x="week", y="count", color="label", title="Strengths per week",
                                        elem_id="strengths-plot", visible=False)  # fmt: skip
            person_plot = gr.BarPlot(x="week", y="count", color="who", title="Patterns per week, by whose they are",
                                     elem_id="person-plot", visible=False)  # fmt: skip
            ins_md = gr.Markdown(elem_id="insights-md")

        def do_insights(state: Any, where: str | None, request: gr.Request) -> tuple:
            try:
                flags, strengths, people, text = self.view(need(state, request), where)
            except HearthError as exc:
                hidden = gr.update(visible=False)
                return hidden, hidden, hidden, f"**{render.md_text(str(exc))}**"

            def chart(df: Any) -> Any:
                return gr.update(value=df, visible=not df.empty)

            return chart(flags), chart(strengths), chart(people), text

        ins_btn.click(do_insights, [unlocked, region], [flags_plot, strengths_plot, person_plot, ins_md],
                      api_visibility="private")  # fmt: skip
