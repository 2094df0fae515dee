"""The Together tab: the daily question, the memory, rituals and quizzes.

One class. The methods that do the work take an unlocked VaultSession and return what the page
shows (HTML or Markdown built with ui/render.py: whatever a person wrote is escaped), so they
are tested without a browser; `build` wires them to Gradio components and reuses the Journal
tab's unlocked profile (no second login).
"""

from __future__ import annotations

import inspect
import os
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import gradio as gr  # at module level: handlers' `request: gr.Request` annotations must resolve

from assistant.errors import HearthError, UsageError
from assistant.journal.vault import VaultSession
from assistant.services import Services
from assistant.together.daily import WITHHELD_NOTE
from assistant.together.memory import KINDS, Suggestion
from ui.render import md_text, text_html

SAFETY_LINE = WITHHELD_NOTE  # the one calm sentence the tab shows about disclosures


class TogetherTab:
    def __init__(self, svc: Services, clock: Callable[[], date] | None = None) -> None:
        self.svc = svc
        self.t = svc.together
        self.clock = clock

    # -- the daily question -------------------------------------------------------------------

    def link(
        self, vs: VaultSession, partner: str | None, partner_pw: str, agreed: bool, client: str | None = None
    ) -> str:
        if not agreed:
            raise UsageError("both of you need to agree before linking")
        if not partner or partner == vs.name:
            raise UsageError("choose your partner's profile")
        # The partner's profile is unlocked only for this handshake, then locked again.
        other = self.svc.vaults.unlock(partner, partner_pw, client=client, hide_missing=True)
        try:
            couple = self.t.link(vs, other)
        finally:
            other.lock()
        return f"Linked **{md_text(vs.name)}** and **{md_text(couple.partner)}**."

    def today_html(self, vs: VaultSession) -> str:
        day = self.clock() if self.clock else None
        v = self.t.today(vs, day)
        partner = text_html(v.partner)
        parts = [f"<h3 id='tq-question'>{text_html(v.question.text)}</h3>"]
        who = []
        who.append("You have answered." if v.me_answered else "You have not answered yet.")
        who.append(f"{partner} has answered." if v.partner_answered else f"{partner} has not answered yet.")
        parts.append(f"<p id='tq-who'>{' '.join(who)}</p>")
        if v.mine:
            parts.append(f"<p><b>You</b>: <span id='tq-mine'>{text_html(v.mine)}</span></p>")
        if v.theirs is not None:
            parts.append(f"<p><b>{partner}</b>: <span id='tq-theirs'>{text_html(v.theirs)}</span></p>")
            parts.append(f"<p><i>{text_html(v.followup or '')}</i></p>")
        elif v.me_answered and v.partner_answered is False:
            parts.append(f"<p class='hearth-note'>{partner}'s answer appears here once they have answered.</p>")
        elif not v.me_answered and v.partner_answered:
            parts.append(f"<p class='hearth-note'>Answer first to see {partner}'s answer.</p>")
        for w in v.withheld:
            parts.append(f"<p class='hearth-note'>Kept only for you: {text_html(w)}</p>")
        if v.together_days:
            run = f" {v.run} days in a row right now." if v.run > 1 else ""
            parts.append(
                f"<p class='hearth-note'>You have answered together on {days(v.together_days)} this month.{run}</p>"
            )
        return "".join(parts)

    def answer(self, vs: VaultSession, text: str) -> tuple[str, str]:
        """(status Markdown, today's HTML)."""
        status, page, _ = self.answer_and_suggest(vs, text)
        return status, page

    def answer_and_suggest(self, vs: VaultSession, text: str) -> tuple[str, str, Suggestion | None]:
        """As `answer`, plus the first memory Hearth could suggest from it (kept only on a yes)."""
        day = self.clock() if self.clock else None
        result = self.t.answer(vs, text, day)
        if result.withheld:
            return f"{SAFETY_LINE}\n\n{md_text(result.safety or '')}", self.today_html(vs), None
        first = result.suggestions[0] if result.suggestions else None
        status = "Saved and sealed." + (f"\n\n{md_text(first.prompt)}" if first else "")
        return status, self.today_html(vs), first

    def accept(self, vs: VaultSession, suggestion: Suggestion | None) -> str:
        """The explicit yes to a suggested memory."""
        if suggestion is None:
            raise UsageError("there is nothing to remember")
        fact = self.t.accept(vs, suggestion)
        return f"Kept: {md_text(fact.label)}: {md_text(fact.value)}."

    def history_html(self, vs: VaultSession) -> str:
        rows = self.t.history(vs)
        if not rows:
            return "<p><i>No answers yet.</i></p>"
        out = []
        for r in rows:
            theirs = text_html(r["theirs"]) if r["theirs"] is not None else "<i>not shown</i>"
            out.append(
                f"<p><b>{r['day']}</b> {text_html(r['question'])}<br>You: {text_html(r['mine'] or '')}"
                f"<br>{text_html(r['partner'])}: {theirs}</p>"
            )
        return "".join(out)

    # -- memory ---------------------------------------------------------------------------------

    def memory_md(self, vs: VaultSession) -> str:
        facts = self.t.memories(vs)
        if not facts:
            return "Nothing kept yet."
        return "\n".join(f"- {md_text(f.label)}: {md_text(f.value)}" for f in facts)

    def memory_rows(self, vs: VaultSession) -> list[list[str]]:
        return [[f.id, f.label, f.value] for f in self.t.memories(vs)]

    def memory_choices(self, vs: VaultSession) -> list[tuple[str, str]]:
        return [(f"{f.label}: {f.value}", f.id) for f in self.t.memories(vs)]

    def add_memory(self, vs: VaultSession, kind: str, value: str) -> str:
        self.t.remember(vs, kind, value)
        return "Kept (sealed under your passphrase)."

    def edit_memory(self, vs: VaultSession, fact_id: str | None, value: str) -> str:
        if not fact_id:
            raise UsageError("pick a memory first")
        self.t.edit_memory(vs, fact_id, value)
        return "Changed."

    def delete_memory(self, vs: VaultSession, fact_id: str | None) -> str:
        if not fact_id:
            raise UsageError("pick a memory first")
        self.t.forget(vs, fact_id)
        return "Deleted."

    # -- rituals --------------------------------------------------------------------------------

    def rituals_md(self, vs: VaultSession, now: datetime | None = None) -> str:
        chosen = self.t.rituals(vs)
        if not chosen:
            return "No rituals chosen yet."
        lines = ["**Due today**"] + [
            f"- {d.start:%H:%M} {md_text(d.ritual.title)}" + (" (now)" if d.now else "") for d in self.t.due(vs, now)
        ]
        lines += ["", "**Your rituals**"] + [f"- {md_text(r.title)}: {r.day} at {r.time}" for r in chosen]
        return "\n".join(lines)

    def choose_ritual(self, vs: VaultSession, kind: str, day: str, at: str) -> str:
        r = self.t.choose_ritual(vs, kind, day or None, at or None)
        return f"Added {md_text(r.title)} ({r.day} at {r.time})."

    def ics_file(self, vs: VaultSession) -> str:
        # Gradio serves files only from its own temporary folder (inside the data folder).
        base = Path(os.environ.get("GRADIO_TEMP_DIR") or self.svc.settings.gradio_tmp)
        base.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="hearth-ics-", dir=base))
        path = folder / "hearth-rituals.ics"
        self.t.export_ics(vs, path)
        return str(path)

    def checkin_md(self) -> str:
        g = self.t.checkin_guide()
        return f"**{g.title}** ({g.minutes} minutes). {g.why}\n\n" + "\n".join(f"1. {s}" for s in g.steps)

    # -- quizzes ----------------------------------------------------------------------------------

    def quiz_md(self, name: str) -> str:
        q = self.t.quiz(name)
        scale = "1 = not like me ... 5 = very like me" if q.kind == "scale" else "the number of an option"
        lines = [f"**{md_text(q.title)}**. {md_text(q.draws_on)}", "", f"Answer each with {scale}:"]
        for n, item in enumerate(q.items, 1):
            opts = f" ({', '.join(f'{i}: {o}' for i, o in enumerate(item.options, 1))})" if item.options else ""
            lines.append(f"{n}. {md_text(item.text)}{md_text(opts)}")
        return "\n".join(lines)

    def take_quiz(self, vs: VaultSession, name: str, answers: str, guesses: str, note: str, share: bool) -> str:
        result = self.t.take_quiz(vs, name, parse_numbers(answers), parse_numbers(guesses) if guesses.strip() else None,
                                  note)  # fmt: skip
        lines = [f"**{md_text(result['title'])}**"]
        for e in result["explanation"]:
            lines.append(f"- {md_text(e['text'])} (read: {', '.join(e['articles'])})")
        if result["safety"]:
            lines += ["", md_text(SAFETY_LINE), "", md_text(result["safety"])]
        if share:
            self.t.share_quiz(vs, name)
            cmp = self.t.compare(vs, name)
            lines.append("")
            lines.append("Shared. " + ("Both of you have shared: compare below." if cmp["ready"] else
                                       f"Waiting for {md_text(cmp['waiting_for'])} to share too."))  # fmt: skip
        return "\n".join(lines)

    def plan_md(self, vs: VaultSession) -> str:
        rows = self.t.plan(vs)
        return "\n".join(f"- {r['day']}: {md_text(r['title'])} ({r['minutes']} min)" for r in rows)

    # -- wiring -----------------------------------------------------------------------------------

    def build(self, unlocked: Any, need: Callable[..., VaultSession], client: Callable[..., str],
              profiles: Callable[..., list[str]]) -> None:  # fmt: skip
        """The tab's components; `need(state, request)` is the Journal tab's check of the unlocked profile."""
        private: dict[str, Any] = {"api_visibility": "private"}

        def guard(fn: Callable[..., Any], n_out: int) -> Callable[..., Any]:
            """A handler for Gradio: inputs, then the unlocked state, then the request (which
            Gradio passes because the signature below says so), errors as one bold line."""
            # Inputs are the parameters without defaults, minus the session (a default such as
            # rituals_md's `now` is for tests, not a component).
            n_in = sum(p.default is p.empty for p in inspect.signature(fn).parameters.values()) - 1

            def run(*args: Any) -> Any:
                *inputs, state, request = args
                try:
                    return fn(need(state, request), *inputs)
                except HearthError as exc:
                    msg = f"**{md_text(str(exc))}**"
                    return msg if n_out == 1 else (msg, *[gr.update()] * (n_out - 1))

            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
            params = [inspect.Parameter(f"a{i}", kind) for i in range(n_in)]
            params += [inspect.Parameter("state", kind), inspect.Parameter("request", kind, annotation=gr.Request)]
            run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
            run.__annotations__ = {"request": gr.Request}
            return run

        with gr.Tab("Together", id="together") as tab:
            gr.Markdown("Unlock your profile in the Journal tab first. " + SAFETY_LINE, elem_classes=["hearth-note"])
            with gr.Accordion("Link with your partner (both present)", open=False, elem_id="tg-link-accordion"):
                partner = gr.Dropdown(label="Partner's profile", choices=[], elem_id="tg-partner")
                partner_pw = gr.Textbox(label="Partner's passphrase", type="password", elem_id="tg-partner-pw")
                agreed = gr.Checkbox(label="We both agree to link our profiles", elem_id="tg-agree")
                link_btn = gr.Button("Link", elem_id="tg-link")
            status = gr.Markdown(elem_id="tg-status")
            gr.Markdown("## Today's question")  # h2 under the page's h1; the question itself is the h3
            show_btn = gr.Button("Show today's question", elem_id="tg-show")
            today = gr.HTML(elem_id="tg-today")
            answer_text = gr.Textbox(label="Your answer (sealed; your partner sees it once they have answered)",
                                     lines=3, elem_id="tg-answer")  # fmt: skip
            answer_btn = gr.Button("Answer", variant="primary", elem_id="tg-answer-btn")
            pending = gr.State(None)  # a suggested memory, waiting for a yes (server side, this browser only)
            yes_btn = gr.Button("Yes, remember it", visible=False, elem_id="tg-remember-yes")
            with gr.Accordion("Earlier days", open=False):
                hist_btn = gr.Button("Show earlier days", elem_id="tg-history-btn")
                history = gr.HTML(elem_id="tg-history")
            with gr.Accordion("Memory: what Hearth keeps about you", open=False, elem_id="tg-memory-accordion"):
                mem_kind = gr.Dropdown(label="Kind", choices=[(v, k) for k, v in KINDS.items()], value="partner_name",
                                       elem_id="tg-mem-kind")  # fmt: skip
                mem_value = gr.Textbox(label="Value", elem_id="tg-mem-value")
                mem_add = gr.Button("Keep this", elem_id="tg-mem-add")
                mem_pick = gr.Dropdown(label="Your memories", choices=[], elem_id="tg-mem-pick")
                with gr.Row():
                    mem_edit = gr.Button("Change to the value above", elem_id="tg-mem-edit")
                    mem_del = gr.Button("Delete", elem_id="tg-mem-del")
                mem_status = gr.Markdown(elem_id="tg-mem-status")
            with gr.Accordion("Rituals", open=False, elem_id="tg-rituals-accordion"):
                kinds = self.t.ritual_kinds
                rit_kind = gr.Dropdown(label="Ritual", choices=[(k.title, i) for i, k in kinds.items()],
                                       value="weekly-check-in", elem_id="tg-rit-kind")  # fmt: skip
                with gr.Row():
                    rit_day = gr.Textbox(label="Day (mon..sun or daily; empty: usual)", elem_id="tg-rit-day")
                    rit_time = gr.Textbox(label="Time (HH:MM; empty: usual)", elem_id="tg-rit-time")
                rit_add = gr.Button("Add ritual", elem_id="tg-rit-add")
                rit_md = gr.Markdown(elem_id="tg-rit-md")
                ics_btn = gr.Button("Export to calendar (.ics)", elem_id="tg-ics")
                ics_file = gr.File(label="Calendar file", elem_id="tg-ics-file")
                gr.Markdown(self.checkin_md(), elem_id="tg-checkin")
            with gr.Accordion("Quizzes", open=False, elem_id="tg-quiz-accordion"):
                quiz_name = gr.Dropdown(label="Quiz", choices=[(q.title, n) for n, q in self.t.quizzes.items()],
                                        value="attachment", elem_id="tg-quiz")  # fmt: skip
                quiz_items = gr.Markdown(self.quiz_md("attachment"), elem_id="tg-quiz-items")
                quiz_answers = gr.Textbox(label="Your answers, in order (e.g. 3,4,2,...)", elem_id="tg-quiz-answers")
                quiz_guesses = gr.Textbox(label="How well do you know me: your guesses of your partner's answers",
                                          elem_id="tg-quiz-guesses")  # fmt: skip
                quiz_note = gr.Textbox(label="A note (optional)", elem_id="tg-quiz-note")
                quiz_share = gr.Checkbox(label="Share this result with my partner", elem_id="tg-quiz-share")
                quiz_btn = gr.Button("See my result", elem_id="tg-quiz-btn")
                quiz_out = gr.Markdown(elem_id="tg-quiz-out")
                plan_btn = gr.Button("Make our two-week plan", elem_id="tg-plan-btn")
                plan_out = gr.Markdown(elem_id="tg-plan")

        def fill_partners(state: Any, request: gr.Request) -> Any:
            try:
                me = need(state, request).name
            except HearthError:
                return gr.update(choices=[])
            return gr.update(choices=[p for p in profiles(request) if p != me])

        def do_link(partner_name: str | None, pw: str, ok: bool, state: Any, request: gr.Request) -> tuple:
            try:
                return "", self.link(need(state, request), partner_name, pw, ok, client(request))
            except HearthError as exc:
                return "", f"**{md_text(str(exc))}**"

        def mem_refresh(vs: VaultSession, msg: str) -> tuple:
            return msg + "\n\n" + self.memory_md(vs), gr.update(choices=self.memory_choices(vs), value=None)

        link_btn.click(do_link, [partner, partner_pw, agreed, unlocked], [partner_pw, status], **private)
        tab.select(fill_partners, [unlocked], partner, **private)
        show_btn.click(fill_partners, [unlocked], partner, **private)
        show_btn.click(guard(self.today_html, 1), [unlocked], today, **private)

        # the box is emptied only when the answer was saved (an error keeps what was typed)
        def answered(vs: VaultSession, text: str) -> tuple:
            msg, page, suggestion = self.answer_and_suggest(vs, text)
            return msg, page, "", suggestion, gr.update(visible=suggestion is not None)

        answer_btn.click(guard(answered, 5), [answer_text, unlocked], [status, today, answer_text, pending, yes_btn],
                         **private)  # fmt: skip
        yes_btn.click(guard(lambda vs, p: (self.accept(vs, p), None, gr.update(visible=False)), 3),
                      [pending, unlocked], [status, pending, yes_btn], **private)  # fmt: skip
        show_btn.click(guard(lambda vs: mem_refresh(vs, ""), 2), [unlocked], [mem_status, mem_pick], **private)
        show_btn.click(guard(self.rituals_md, 1), [unlocked], rit_md, **private)
        hist_btn.click(guard(self.history_html, 1), [unlocked], history, **private)
        mem_add.click(guard(lambda vs, k, v: mem_refresh(vs, self.add_memory(vs, k, v)), 2),
                      [mem_kind, mem_value, unlocked], [mem_status, mem_pick], **private)  # fmt: skip
        mem_edit.click(guard(lambda vs, fid, v: mem_refresh(vs, self.edit_memory(vs, fid, v)), 2),
                       [mem_pick, mem_value, unlocked], [mem_status, mem_pick], **private)  # fmt: skip
        mem_del.click(guard(lambda vs, fid: mem_refresh(vs, self.delete_memory(vs, fid)), 2),
                      [mem_pick, unlocked], [mem_status, mem_pick], **private)  # fmt: skip
        rit_add.click(guard(lambda vs, k, d, t: self.choose_ritual(vs, k, d, t) + "\n\n" + self.rituals_md(vs), 1),
                      [rit_kind, rit_day, rit_time, unlocked], rit_md, **private)  # fmt: skip
        ics_btn.click(guard(lambda vs: (self.rituals_md(vs), self.ics_file(vs)), 2), [unlocked], [rit_md, ics_file],
                      **private)  # fmt: skip
        quiz_name.change(lambda n: self.quiz_md(n), [quiz_name], quiz_items, **private)
        quiz_btn.click(guard(self.take_quiz, 1), [quiz_name, quiz_answers, quiz_guesses, quiz_note, quiz_share,
                                                  unlocked], quiz_out, **private)  # fmt: skip
        plan_btn.click(guard(self.plan_md, 1), [unlocked], plan_out, **private)


def parse_numbers(text: str) -> list[int]:
    try:
        return [int(x) for x in text.replace(" ", ",").split(",") if x.strip()]
    except ValueError as exc:
        raise UsageError("answers are numbers separated by commas, e.g. 3,4,2") from exc


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"
