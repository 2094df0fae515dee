"""The Coach tab: the conversation, its sources under each answer, the article in a side sheet.

One class. `ask` (a generator: it streams) and the other handlers call the coach service and
the knowledge base only, never the vault, and return what the page shows; `build` wires them to
Gradio components. The HTML builders below are the only places coach text becomes markup:
whatever a person wrote goes through ui/render.py, and the knowledge base's own text (titles,
passages, articles) is escaped too, so nothing in it can become markup either.

Each answer shows its sources once: the answer's own "Sources:" lines (which the CLI prints)
are dropped from its bubble, and a second bubble under it lists them by title, each a <details>
that opens on the cited passage and offers "Read the article". A second bubble, with the chat's
messages ungrouped, so an answer's copy button copies the answer alone (the sources' own copy
button is hidden). The button carries its article id in `value`: the chat's sanitiser drops
data-* attributes. A citation [n] links to its entry by an id unique to its answer
(`source-<k>-<n>`, k the answer's place in the thread); COACH_JS scrolls to and highlights it
without touching the URL or the history. The article opens in a side sheet beside the chat (in
the page's flow, so the thread stays in view); its Close button, and Escape while the focus is
inside the sheet, close it, and the focus goes back to the button that opened it. Elsewhere
Escape stays Quick exit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import gradio as gr  # at module level: handlers' `request: gr.Request` annotations must resolve

from assistant.coach import Answer, check_question
from assistant.conversation import Conversation
from assistant.errors import HearthError
from assistant.kb.corpus import Article
from assistant.services import Services
from ui import render
from ui.render import text_html
from ui.tabs.session import Unlocked

CHOICES = 3  # buttons for a clarifying question's choices
SAFETY_ARTICLES = ("safety-planning", "crisis-resources")  # offered beside every safety answer
SAFETY_POINTER = "Your safety comes first. What could help now, and who to contact, is in the panel beside this chat."
_SOURCE_LINE = re.compile(r"^\[\d+\] .+ \([a-z0-9-]+\)$")

COACH_CSS = """
.answer-sources { font-size: .95em; }
#coach-chat .message-row:has(.answer-sources) + .message-buttons { display: none; }
.answer-sources .sources-label { margin: 0 0 4px; font-weight: 700; }
.answer-sources ul.source-list { list-style: none; padding-left: 0; margin: 0; }
.answer-sources li.source-entry { border: 1px solid #c9d1db; border-radius: 8px; padding: 4px 10px; margin: 4px 0;
  background: #fff; color: #1c2733; }
.answer-sources summary { cursor: pointer; font-weight: 600; }
.answer-sources .source-passage { margin: 6px 0; padding-left: 10px; border-left: 3px solid #c9d1db; color: #1c2733; }
.source-hit { outline: 3px solid #2b6cb0; background: #eef5ff !important; transition: background .3s; }
.read-article { border: 1px solid #2b6cb0; border-radius: 6px; padding: 2px 10px; margin: 4px 0; background: #fff;
  color: #1d4f8a; cursor: pointer; }
.read-article:focus-visible, .answer-sources summary:focus-visible { outline: 3px solid #ffbf47; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
#article-sheet { position: sticky; top: 70px; max-height: calc(100vh - 90px); overflow-y: auto;
  border: 1px solid #c9d1db; border-radius: 10px; background: #fff; color: #1c2733; padding: 6px 14px;
  box-shadow: 0 2px 10px rgba(0,0,0,.12); }
#article-sheet h2 { margin-top: 4px; }
#article-sheet h2:focus { outline: 3px solid #ffbf47; }
#article-sheet .article-summary { font-style: italic; }
.safety-box { background: #eef6f3; border: 1px solid #9cc9b8; border-radius: 10px; padding: 14px 18px; color: #1f3d33; }
.safety-box h2 { margin-top: 0; color: #1f3d33; font-size: 1.2em; }
"""

# Loaded once per page. A citation [n] scrolls to and highlights its source (and gives the
# source's summary the focus) without adding a history entry or changing the URL, so one Back
# after Quick exit cannot land on Hearth's #source-n. "Read the article" hands its article id
# to the hidden #article-open button, whose own js returns it as the handler's input. Escape
# inside the side sheet closes the sheet (capture phase: it runs before the page's Quick-exit
# listener and stops it); everywhere else Escape stays Quick exit.
COACH_JS = r"""
() => {
  document.addEventListener("click", (e) => {
    const t = e.target && e.target.closest ? e.target : null;
    if (!t) return;
    const cite = t.closest('a[href^="#source-"]');
    if (cite) {
      e.preventDefault();
      const el = document.getElementById(cite.getAttribute("href").slice(1));
      if (!el) return;
      el.scrollIntoView({ block: "center", behavior: "smooth" });
      el.classList.add("source-hit");
      setTimeout(() => el.classList.remove("source-hit"), 2500);
      const s = el.querySelector("summary");
      if (s) s.focus({ preventScroll: true });
      return;
    }
    const read = t.closest("button.read-article");
    if (read) {
      e.preventDefault();
      window.hearthOpener = read;
      window.hearthArticle = read.value;
      const go = document.getElementById("article-open");
      if (go) go.click();
    }
  }, true);
  document.addEventListener("keydown", (e) => {
    if (e.key !== "Escape") return;
    const a = document.activeElement;
    if (!a || !a.closest || !a.closest("#article-sheet")) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    const close = document.getElementById("article-close");
    if (close) close.click();
  }, true);
  return [];
}
"""
PICK_ARTICLE_JS = r"""(current) => [window.hearthArticle || ""]"""
# After the sheet is drawn: the focus on its title (the new article's, not a previous one's).
FOCUS_SHEET_JS = r"""
async () => {
  const want = "article-" + (window.hearthArticle || "");
  for (let i = 0; i < 60; i++) {
    const art = document.getElementById(want);
    const h = art && art.closest("#article-sheet") ? art.querySelector("h2") : null;
    if (h && h.offsetParent !== null) { h.focus(); h.scrollIntoView({ block: "nearest" }); return []; }
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return [];
}
"""
RESTORE_FOCUS_JS = r"""
() => {
  const o = window.hearthOpener;
  if (o && o.isConnected) o.focus({ preventScroll: false });
  return [];
}
"""


def answer_body(text: str) -> str:
    """The answer without its "Sources:" lines (the bubble under it lists them, by title)."""
    lines = text.split("\n")
    if "Sources:" not in lines:
        return text
    at = lines.index("Sources:")
    end = at + 1
    while end < len(lines) and _SOURCE_LINE.match(lines[end]):
        end += 1
    start = at - 1 if at > 0 and lines[at - 1] == "" else at
    return "\n".join(lines[:start] + lines[end:]).strip("\n")


def streamed_body(text: str) -> str:
    """What of a still-streaming answer to show: nothing from its "Sources:" line on."""
    lines = text.split("\n")
    return "\n".join(lines[: lines.index("Sources:")]).rstrip("\n") if "Sources:" in lines else text


def read_button(article_id: str, title: str) -> str:
    aid = html.escape(article_id, quote=True)
    return (
        f"<button type='button' class='read-article' value='{aid}'>Read the article"
        f"<span class='sr-only'>: {html.escape(title)}</span></button>"
    )


def sources_html(answer: Answer, k: int) -> str:
    """The answer's sources, once: title, the cited passage behind a <details>, "Read the article".

    One line with no blank line in it: the chat's Markdown treats it as one HTML block."""
    if not answer.citations:
        return ""
    items = []
    for c in answer.citations:
        title = html.escape(c.title)
        items.append(
            f"<li class='source-entry' id='source-{k}-{c.n}'><details><summary>"
            f"<span class='source-n'>[{c.n}]</span> <span class='source-title'>{title}</span></summary>"
            f"<div class='source-passage'>{_blocks(c.passage, ordered=False)}</div>"
            f"{read_button(c.article_id, c.title)}</details></li>"
        )
    return (
        f"<div class='answer-sources' id='sources-{k}'><p class='sources-label'>Sources</p>"
        f"<ul class='source-list'>{''.join(items)}</ul></div>"
    )


def safety_html(text: str, level: str, articles: Sequence[tuple[str, str]] = ()) -> str:
    """A safety answer, once, in a calm panel beside the chat, with (id, title) articles to read."""
    head = "You deserve support right now" if level == "crisis" else "Your safety comes first"
    reads = "".join(f"<li>{html.escape(title)} {read_button(aid, title)}</li>" for aid, title in articles)
    return (
        f"<div class='safety-box' id='safety-answer'><h2>{head}</h2><p>{text_html(text)}</p>"
        + (f"<p>To read:</p><ul class='safety-reads'>{reads}</ul>" if reads else "")
        + "</div>"
    )


def _blocks(text: str, ordered: bool) -> str:
    """A section's text as paragraphs and lists (its "- " lines), every character escaped."""
    out: list[str] = []
    para: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if para:
            out.append(f"<p>{html.escape(' '.join(para))}</p>")
            para.clear()
        if items:
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + f"</{tag}>")
            items.clear()

    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"^[-*]\s+(.*\S)$", s)
        if m:
            if para:
                flush()
            items.append(m.group(1))
        elif not s:
            flush()
        else:
            if items:
                flush()
            para.append(s)
    flush()
    return "".join(out)


def article_html(art: Article) -> str:
    """The whole article for the side sheet: its title, summary, and each section, the steps of
    "Try this" as a numbered list."""
    aid = html.escape(art.id, quote=True)
    parts = [
        f"<article class='article-view' id='article-{aid}' aria-labelledby='article-title-{aid}'>",
        f"<h2 id='article-title-{aid}' tabindex='-1'>{html.escape(art.title)}</h2>",
    ]
    if art.summary:
        parts.append(f"<p class='article-summary'>{html.escape(art.summary)}</p>")
    for sec in art.sections:
        parts.append(f"<section><h3>{html.escape(sec.heading)}</h3>")
        parts.append(_blocks(sec.text, ordered=sec.heading.lower() == "try this"))
        parts.append("</section>")
    parts.append("</article>")
    return "".join(parts)


def starter_questions(knowledge_dir: Path) -> list[str]:
    import yaml

    data = yaml.safe_load((knowledge_dir / "starters.yaml").read_text(encoding="utf-8"))
    return [str(q) for q in data["starters"]]


class CoachTab:
    """`models` has `.ready` and `.wait()` (ui/warmup.py); `activity.asked()` counts a question
    (a workshop's tallies); `need(state, request)` is the Journal tab's check of the unlocked
    profile, used only to personalise an answer with the open journal's memory."""

    def __init__(
        self,
        svc: Services,
        *,
        models: Any,
        activity: Any,
        need: Callable[..., Any] | None = None,
        lan: bool = False,
    ) -> None:
        self.svc = svc
        self.models = models
        self.activity = activity
        self.need = need
        self.lan = lan

    # -- handlers ---------------------------------------------------------------------------

    def personal(self, text: str, state: Unlocked | None, request: gr.Request | None) -> str:
        """With a journal open in this browser, the answer uses its memory (names, context)."""
        if state is None or request is None or self.lan or self.need is None:
            return text
        try:
            return self.svc.together.personalise(self.need(state, request), text)
        except HearthError:
            return text

    @staticmethod
    def choice_updates(ans: Answer | None) -> list[Any]:
        picks = list(ans.choices) if ans is not None else []
        return [
            gr.update(value=picks[i].label, visible=True) if i < len(picks) else gr.update(visible=False)
            for i in range(CHOICES)
        ]

    def ask(
        self,
        q: str,
        history: list[dict],
        conv: Conversation | None,
        state: Unlocked | None = None,
        where: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple]:
        """Stream one turn: (chat, safety panel, question box, conversation, *choice buttons)."""
        q = (q or "").strip()
        conv = conv if conv is not None else Conversation()
        same = [gr.update()] * CHOICES
        hidden = [gr.update(visible=False)] * CHOICES
        if not q:
            yield history, gr.update(), "", conv, *same
            return
        self.activity.asked()
        k = len(history) + 1  # the answer's place in the thread: its sources' ids are unique on the page
        history = [*history, {"role": "user", "content": render.md_text(q)}, {"role": "assistant", "content": ""}]
        anchor = f"source-{k}"
        try:
            check_question(q)
        except HearthError as exc:  # one clear line in the chat; the text stays in the box
            history[-1]["content"] = render.md_text(str(exc))
            yield history, gr.update(), q, conv, *same
            return
        if not self.models.ready:
            history[-1]["content"] = "Hearth is warming up (loading its models); your answer follows in a moment."
            yield history, gr.update(), "", conv, *hidden
        try:
            self.models.wait()
        except HearthError as exc:
            history[-1]["content"] = render.md_text(str(exc))
            yield history, gr.update(), q, conv, *same
            return
        shown = ""
        for event in self.svc.coach.stream(q, conversation=conv, region=where):
            if event.answer is None:
                shown += event.text
                history[-1]["content"] = render.answer_md(streamed_body(shown), anchor)
                yield history, gr.update(), "", conv, *hidden
                continue
            ans = event.answer
            if ans.safety != "none":  # the answer itself once, in the calm panel; a pointer in the chat
                history[-1]["content"] = render.md_text(SAFETY_POINTER)
                reads = [(a.id, a.title) for aid in SAFETY_ARTICLES if (a := self.svc.corpus.get(aid))]
                panel = gr.update(value=safety_html(ans.text, ans.safety, reads), visible=True)
                yield history, panel, "", conv, *hidden
                return
            history[-1]["content"] = render.answer_md(answer_body(self.personal(ans.text, state, request)), anchor)
            if ans.citations:
                history.append({"role": "assistant", "content": sources_html(ans, k)})
            yield history, gr.update(visible=False), "", conv, *self.choice_updates(ans)

    def new_conversation(self) -> tuple:
        """Forget the thread (and with it a disclosure that kept the coach in safety mode)."""
        return [], gr.update(value="", visible=False), "", None, *[gr.update(visible=False)] * CHOICES

    def article(self, article_id: str | None) -> tuple[Any, str]:
        """(the side sheet's visibility, the whole article) for a source's "Read the article"."""
        art = self.svc.corpus.get(article_id or "")
        if art is None:
            return gr.update(visible=False), ""
        return gr.update(visible=True), article_html(art)

    # -- wiring -----------------------------------------------------------------------------

    def build(self, demo: Any, unlocked: Any, region: Any, private: dict[str, Any]) -> None:
        settings = self.svc.settings
        with gr.Tab("Coach", id="coach"):
            with gr.Row():
                with gr.Column(scale=3):
                    # No LaTeX: "$$" in a message is text, like every other character. Messages
                    # ungrouped, so an answer's copy button copies the answer, not its sources too.
                    chat = gr.Chatbot(label="Coach", buttons=["copy"], height=460, elem_id="coach-chat",
                                      latex_delimiters=[], group_consecutive_messages=False)  # fmt: skip
                    question = gr.Textbox(
                        label="Ask about your relationship",
                        elem_id="coach-input",
                        placeholder="My partner goes silent whenever we argue...",
                    )
                    # A clarifying question's choices, as buttons (hidden until the coach asks).
                    with gr.Row():
                        choice_btns = [
                            gr.Button(visible=False, size="sm", elem_id=f"coach-choice-{i}")
                            for i in range(1, CHOICES + 1)
                        ]
                    with gr.Row():
                        ask_btn = gr.Button("Ask", variant="primary", elem_id="coach-ask")
                        new_btn = gr.Button("New conversation", elem_id="coach-new")
                    with gr.Row(elem_id="starters"):
                        starters = [
                            (t, gr.Button(t, size="sm", elem_classes=["starter"]))
                            for t in starter_questions(settings.knowledge_dir)
                        ]
                    # The conversation (turns, what was retrieved and given), in this browser
                    # session's memory only: the coach reads it for follow-ups and the safety screen.
                    turns = gr.State(None)
                with gr.Column(scale=2):
                    safety_panel = gr.HTML(visible=False, elem_id="safety-panel")
                    with gr.Column(visible=False, elem_id="article-sheet") as sheet:
                        sheet_body = gr.HTML(elem_id="article-body")
                        close_btn = gr.Button("Close the article", size="sm", elem_id="article-close")
            # The bridge from a "Read the article" button inside the chat (plain HTML) to Python.
            article_id = gr.Textbox(visible="hidden", elem_id="article-id", label="Article")
            open_btn = gr.Button("Open the article", visible="hidden", elem_id="article-open")

        outs = [chat, safety_panel, question, turns, *choice_btns]
        ins = [question, chat, turns, unlocked, region]
        # Every trigger shares one queue sized to the engine's slots; a question waiting for a
        # slot shows its place in line in the chat (Gradio's queue status).
        slots: dict[str, Any] = {"concurrency_limit": settings.workshop_slots, "concurrency_id": "coach"}
        ask_btn.click(self.ask, ins, outs, **slots)
        for text, btn in starters:  # a starter asks itself, as if typed
            btn.click(lambda t=text: t, None, question, **private).then(self.ask, ins, outs, **slots)
        question.submit(self.ask, ins, outs, **slots)
        for btn in choice_btns:  # a choice is sent as the person's next message (its label)
            btn.click(self.ask, [btn, chat, turns, unlocked, region], outs, **slots)
        # Moving on is explicit: a new conversation forgets the earlier turns.
        new_btn.click(self.new_conversation, None, outs, **private).then(
            lambda: gr.update(visible=False), None, sheet, **private
        )
        open_btn.click(self.article, article_id, [sheet, sheet_body], js=PICK_ARTICLE_JS, **private).then(
            None, js=FOCUS_SHEET_JS
        )
        close_btn.click(lambda: gr.update(visible=False), None, sheet, **private).then(None, js=RESTORE_FOCUS_JS)
        demo.load(None, None, None, js=COACH_JS)
