"""The Gradio app. Thin: every action calls a service method the CLI calls too; the only state
kept here is which profiles this browser session has unlocked (in memory, never on disk)."""

from __future__ import annotations

import html
import ipaddress
import os
import re
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import assistant.offline  # noqa: F401,I001  (first: offline switches before gradio is imported)
from assistant.config import Settings
from assistant.errors import HearthError, PortInUse, UsageError
from assistant.services import Services

CSS = """
#quick-exit { position: fixed; top: 10px; right: 14px; z-index: 1000; max-width: 130px; }
.safety-box { background: #eef6f3; border: 1px solid #9cc9b8; border-radius: 10px; padding: 14px 18px; color: #1f3d33; }
.safety-box h3 { margin-top: 0; color: #1f3d33; }
.sources-box { font-size: 0.95em; }
.hearth-note { color: #555; font-size: 0.9em; }
"""
NEUTRAL_PAGE_JS = """
() => {
  document.title = "New Tab";
  document.body.innerHTML = '<div style="font-family:sans-serif;color:#444;padding:4em;text-align:center">'
    + '<h2 style="font-weight:normal">Weather</h2><p>Partly cloudy, 14&deg;. Light breeze.</p></div>';
  try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}
  return [];
}
"""


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _link_citations(text: str) -> str:
    return re.sub(r"\[(\d+)\]", r"[[\1]](#source-\1)", text)


def _sources_html(answer: Any) -> str:
    if not answer.citations:
        return ""
    parts = ["<div class='sources-box'><h4>Sources</h4>"]
    for c in answer.citations:
        passage = html.escape(c.passage[:600]) + ("..." if len(c.passage) > 600 else "")
        parts.append(
            f"<div id='source-{c.n}'><b>[{c.n}] {html.escape(c.title)}</b> "
            f"<code>{html.escape(c.article_id)}</code><br><span>{passage}</span></div><hr>"
        )
    parts.append("</div>")
    return "".join(parts)


def _safety_html(text: str, level: str) -> str:
    head = "You deserve support right now" if level == "crisis" else "Your safety comes first"
    body = html.escape(text).replace("\n", "<br>")
    return f"<div class='safety-box' id='safety-answer'><h3>{head}</h3>{body}</div>"


def _highlight(text: str, analysis: Any) -> list[tuple[str, str | None]]:
    """The entry split into sentences, evidence sentences tagged with their labels."""
    from assistant.safety import sentences

    tags: dict[str, list[str]] = {}
    for f in analysis.flags + analysis.strengths:
        for ev in f.evidence:
            tags.setdefault(ev, []).append(f.label)
    out: list[tuple[str, str | None]] = []
    for s in sentences(text) or [text]:
        out.append((s + " ", ", ".join(tags[s]) if s in tags else None))
    return out


def _analysis_md(analysis: Any, svc: Services) -> str:
    tax = svc.classifier.taxonomy
    lines = []
    if analysis.safety != "none":
        lines.append("**Your safety matters most here.** Resources are shown below.\n")
    if analysis.flags:
        lines.append("### Patterns noticed")
        for f in analysis.flags:
            lines.append(
                f"- **{tax.name.get(f.label, f.label)}** ({f.score:.2f}): {f.explanation} Read: `{f.article_id}`"
            )
    else:
        lines.append("No red-flag patterns noticed in this entry.")
    if analysis.strengths:
        lines.append("\n### Strengths")
        for s in analysis.strengths:
            lines.append(f"- **{tax.name.get(s.label, s.label)}**: {s.explanation}")
    if analysis.safety != "none":
        kinds = ("emergency", "crisis", "directory") if analysis.safety == "crisis" else ("emergency", "abuse")
        lines.append("\n### Resources")
        lines += [f"- {r.name}: {r.how}" for r in svc.resources.pick(kinds, svc.settings.region)]
    return "\n".join(lines)


def _mib(kib: int) -> str:
    return f"{kib / 1024:g} MiB"


def privacy_md(settings: Settings, kdf: dict[str, tuple[int, int]], where: str) -> str:
    """The Privacy tab's statement: the KDF cost new profiles get and what each vault uses."""
    text = (
        f"**Your data lives in:** `{where}`\n\n"
        "Journal entries, titles, tags and classifier results are sealed with AES-256-GCM under a "
        "key that only your passphrase or your recovery key can unwrap. New profiles derive the "
        f"passphrase key with Argon2id, {_mib(settings.kdf_memory_kib)}, {settings.kdf_iterations} passes. "
        "Coach questions are never stored.\n\n"
    )
    if kdf:
        used = "; ".join(f"{html.escape(n)}: {_mib(m)}, {i} passes" for n, (m, i) in kdf.items())
        text += f"**Profiles on this machine use:** {used}\n\n"
    return text + f"**This app listens on:** `http://{settings.host}:{settings.port}`"


def build(svc: Services) -> Any:
    import gradio as gr

    from assistant import offline
    from assistant.journal import service as journal

    settings = svc.settings
    corpus = svc.corpus
    topics = sorted({t for a in corpus.articles for t in a.topics})

    with gr.Blocks(title="Hearth", analytics_enabled=False) as demo:
        unlocked = gr.State({})  # profile name -> VaultSession, this browser session only
        exit_btn = gr.Button("Quick exit", elem_id="quick-exit", variant="stop", size="sm")
        gr.Markdown("# Hearth\nA private relationship coach. Everything stays on this computer.")

        # ---- Coach -----------------------------------------------------------------------
        with gr.Tab("Coach", id="coach"):
            with gr.Row():
                with gr.Column(scale=3):
                    chat = gr.Chatbot(label="Coach", buttons=["copy"], height=460, elem_id="coach-chat")
                    question = gr.Textbox(
                        label="Ask about your relationship",
                        elem_id="coach-input",
                        placeholder="My partner goes silent whenever we argue...",
                    )
                    ask_btn = gr.Button("Ask", variant="primary", elem_id="coach-ask")
                with gr.Column(scale=2):
                    safety_panel = gr.HTML(visible=False, elem_id="safety-panel")
                    sources = gr.HTML(elem_id="sources-panel")
                    source_pick = gr.Dropdown(label="Open a source", choices=[], elem_id="source-pick")
                    source_view = gr.Markdown(elem_id="source-view")

            def ask(q: str, history: list[dict]) -> Iterator[tuple]:
                q = (q or "").strip()
                if not q:
                    yield history, gr.update(), gr.update(), gr.update(), ""
                    return
                history = [*history, {"role": "user", "content": q}, {"role": "assistant", "content": ""}]
                shown = ""
                for event in svc.coach.stream(q):
                    if event.answer is None:
                        shown += event.text
                        history[-1]["content"] = _link_citations(shown)
                        yield history, gr.update(), gr.update(), gr.update(), ""
                        continue
                    ans = event.answer
                    if ans.safety != "none":
                        history[-1]["content"] = "Please see the resources beside this chat. " + ans.text
                        yield (
                            history,
                            gr.update(value=_safety_html(ans.text, ans.safety), visible=True),
                            "",
                            gr.update(choices=["safety-planning", "crisis-resources"], value=None),
                            "",
                        )
                    else:
                        history[-1]["content"] = _link_citations(ans.text)
                        yield (
                            history,
                            gr.update(visible=False),
                            _sources_html(ans),
                            gr.update(choices=[c.article_id for c in ans.citations], value=None),
                            "",
                        )

            outs = [chat, safety_panel, sources, source_pick, question]
            ask_btn.click(ask, [question, chat], outs)
            question.submit(ask, [question, chat], outs)

            def open_article(article_id: str | None) -> str:
                art = corpus.get(article_id or "")
                return f"## {art.title}\n\n{art.body}" if art else ""

            source_pick.change(open_article, source_pick, source_view)

        # ---- Journal ---------------------------------------------------------------------
        with gr.Tab("Journal", id="journal"):
            with gr.Row():
                profile = gr.Dropdown(
                    label="Profile",
                    choices=svc.vaults.profiles() or ["me"],
                    value=(svc.vaults.profiles() or ["me"])[0],
                    allow_custom_value=True,
                    elem_id="profile",
                )
                passphrase = gr.Textbox(label="Passphrase", type="password", elem_id="passphrase")
                unlock_btn = gr.Button("Unlock / create", elem_id="unlock")
                lock_btn = gr.Button("Lock now", elem_id="lock")
            status = gr.Markdown("Locked.", elem_id="journal-status")
            recovery = gr.Markdown(visible=False, elem_id="recovery-key")
            entry_text = gr.Textbox(label="Write an entry", lines=5, elem_id="entry-text")
            save_btn = gr.Button("Save and reflect", variant="primary", elem_id="save-entry")
            highlighted = gr.HighlightedText(label="What was noticed", combine_adjacent=False, elem_id="evidence")
            analysis_md = gr.Markdown(elem_id="analysis")
            with gr.Row():
                entries = gr.Dropdown(label="Your entries", choices=[], elem_id="entries")
                delete_btn = gr.Button("Delete entry", elem_id="delete-entry")
            entry_view = gr.Markdown(elem_id="entry-view")
            with gr.Accordion("Shared space (both partners must agree)", open=False):
                gr.Markdown(
                    "A shared space opens only when both partners have unlocked their own "
                    "profile in this window and both tick their agreement. Only entries you "
                    "share one by one appear there."
                )
                partner_b = gr.Dropdown(
                    label="Partner's profile", choices=svc.vaults.profiles(), allow_custom_value=True
                )
                agree_a = gr.Checkbox(label="I agree to open a shared space")
                agree_b = gr.Checkbox(label="My partner agrees to open a shared space")
                space_btn = gr.Button("Open shared space")
                share_btn = gr.Button("Share the selected entry")
                space_view = gr.Markdown()

            def _session(state: dict, name: str) -> Any:
                s = state.get(name)
                if s is None or s.locked:
                    raise HearthError("this profile is locked; unlock it first")
                return s

            def _choices(state: dict, name: str) -> list[tuple[str, str]]:
                items = journal.list_entries(svc, _session(state, name))
                return [(f"{e.created[:16].replace('T', ' ')}  {e.text[:50]}", e.id) for e in reversed(items)]

            def do_unlock(name: str, pw: str, state: dict) -> tuple:
                name = (name or "me").strip()
                try:
                    shown = gr.update(visible=False)
                    if name not in svc.vaults.profiles():
                        key = journal.init_profile(svc, name, pw)
                        shown = gr.update(
                            value=f"**Your recovery key (shown once, print it or keep it safe):** `{key}`", visible=True
                        )
                    state = {**state, name: journal.unlock(svc, name, pw)}
                    return (
                        state,
                        f"Unlocked **{name}**.",
                        shown,
                        "",
                        gr.update(choices=_choices(state, name), value=None),
                        gr.update(choices=svc.vaults.profiles()),
                    )
                except HearthError as exc:
                    return state, f"**{exc}**", gr.update(visible=False), "", gr.update(), gr.update()

            unlock_btn.click(
                do_unlock, [profile, passphrase, unlocked], [unlocked, status, recovery, passphrase, entries, profile]
            )

            def do_lock(state: dict) -> tuple:
                for s in state.values():
                    s.lock()
                return {}, "Locked.", gr.update(visible=False), gr.update(choices=[], value=None), "", [], ""

            lock_btn.click(
                do_lock, unlocked, [unlocked, status, recovery, entries, entry_view, highlighted, analysis_md]
            )

            def do_save(name: str, text: str, state: dict, progress: Any = gr.Progress()) -> tuple:
                try:
                    progress(0.2, desc="Reading your entry on this device")
                    added = journal.add_entry(svc, _session(state, name), text)
                    return (
                        "",
                        _highlight(text, added.analysis),
                        _analysis_md(added.analysis, svc),
                        gr.update(choices=_choices(state, name), value=None),
                        "Saved, sealed.",
                    )
                except HearthError as exc:
                    return text, [], "", gr.update(), f"**{exc}**"

            save_btn.click(
                do_save, [profile, entry_text, unlocked], [entry_text, highlighted, analysis_md, entries, status]
            )

            def do_open(name: str, entry_id: str | None, state: dict) -> tuple:
                if not entry_id:
                    return "", [], ""
                try:
                    from assistant.journal.classifier import Analysis

                    e = journal.get_entry(svc, _session(state, name), entry_id)
                    a = Analysis.from_json(e.analysis) if e.analysis else None
                    return (e.text, _highlight(e.text, a) if a else [], _analysis_md(a, svc) if a else "")
                except HearthError as exc:
                    return f"**{exc}**", [], ""

            entries.change(do_open, [profile, entries, unlocked], [entry_view, highlighted, analysis_md])

            def do_delete(name: str, entry_id: str | None, state: dict) -> tuple:
                try:
                    if entry_id:
                        journal.delete_entry(svc, _session(state, name), entry_id)
                    return gr.update(choices=_choices(state, name), value=None), "", "Entry deleted."
                except HearthError as exc:
                    return gr.update(), "", f"**{exc}**"

            delete_btn.click(do_delete, [profile, entries, unlocked], [entries, entry_view, status])

            def do_space(a: str, b: str, ok_a: bool, ok_b: bool, state: dict) -> str:
                if not (ok_a and ok_b):
                    return "Both of you need to agree before a shared space opens."
                try:
                    sa, sb = _session(state, a), _session(state, b)
                    existing = set(svc.vaults.spaces(sa)) & set(svc.vaults.spaces(sb))
                    space = next(iter(existing)) if existing else svc.vaults.create_space(sa, sb)
                    items = svc.vaults.space_entries(sa, space)
                    body = "\n".join(f"- **{i['author']}**: {i['text']}" for i in items) or "_Nothing shared yet._"
                    return f"Shared space open for **{a}** and **{b}**.\n\n{body}"
                except HearthError as exc:
                    return f"**{exc}**"

            space_btn.click(do_space, [profile, partner_b, agree_a, agree_b, unlocked], space_view)

            def do_share(name: str, entry_id: str | None, state: dict) -> str:
                try:
                    s = _session(state, name)
                    spaces = svc.vaults.spaces(s)
                    if not spaces or not entry_id:
                        return "Open a shared space and pick an entry first."
                    svc.vaults.share(s, spaces[0], entry_id)
                    return "Shared this one entry with your partner."
                except HearthError as exc:
                    return f"**{exc}**"

            share_btn.click(do_share, [profile, entries, unlocked], space_view)

            def idle_check(state: dict) -> tuple:
                if any(s.locked for s in state.values()):
                    return {k: v for k, v in state.items() if not v.locked}, "Locked after a quiet while."
                return state, gr.update()

            gr.Timer(30).tick(idle_check, unlocked, [unlocked, status])

        # ---- Insights --------------------------------------------------------------------
        with gr.Tab("Insights", id="insights"):
            ins_btn = gr.Button("Show my insights", elem_id="insights-btn")
            flags_plot = gr.BarPlot(x="week", y="count", color="label", title="Patterns per week", elem_id="flags-plot")
            strengths_plot = gr.BarPlot(
                x="week", y="count", color="label", title="Strengths per week", elem_id="strengths-plot"
            )
            ins_md = gr.Markdown(elem_id="insights-md")

            def do_insights(name: str, state: dict) -> tuple:
                import pandas as pd

                try:
                    data = journal.insights(svc, _session(state, name))
                except HearthError as exc:
                    empty = pd.DataFrame({"week": [], "count": [], "label": []})
                    return empty, empty, f"**{exc}**"
                rows = pd.DataFrame(data["weeks"] or [], columns=["week", "label", "kind", "count"])
                flags = rows[rows["kind"] == "flag"]
                strengths = rows[rows["kind"] == "strength"]
                lines = [f"**{data['entries']} entries.**"]
                if data["read_next"]:
                    lines.append("### What to read next")
                    lines += [f"- `{r['article_id']}` (because of {r['because']})" for r in data["read_next"]]
                if data["resources"]:
                    lines.append("### Support, any time")
                    lines += [f"- {r['name']}: {r['how']}" for r in data["resources"]]
                return flags, strengths, "\n".join(lines)

            ins_btn.click(do_insights, [profile, unlocked], [flags_plot, strengths_plot, ins_md])

        # ---- Practice --------------------------------------------------------------------
        with gr.Tab("Practice", id="practice"):
            practice = svc.practice
            gr.Markdown(f"### Today's check-in\n{practice.checkin_for(date.today())}")
            for ex in practice.exercises:
                with gr.Accordion(f"{ex.title} ({ex.minutes} min)", open=False):
                    steps = "\n".join(f"{i}. {s}" for i, s in enumerate(ex.steps, 1))
                    gr.Markdown(f"*Why:* {ex.why}\n\n{steps}\n\nRead more: `{ex.article}`")
            deck_n = gr.State(0)
            card = gr.Markdown(f"**Question for two:** {practice.deck_card(0)}")
            next_card = gr.Button("Next question")
            next_card.click(
                lambda n: (n + 1, f"**Question for two:** {practice.deck_card(n + 1)}"), deck_n, [deck_n, card]
            )

        # ---- Library ---------------------------------------------------------------------
        with gr.Tab("Library", id="library"):
            with gr.Row():
                topic = gr.Dropdown(label="Topic", choices=["all", *topics], value="all")
                lib_query = gr.Textbox(label="Search the articles")
            lib_list = gr.Dropdown(label="Articles", choices=[(a.title, a.id) for a in corpus.articles])
            lib_view = gr.Markdown()

            def filter_articles(t: str, q: str) -> Any:
                if q and q.strip():
                    hits = svc.index.search(q, k=8)
                    items = [(h.title, h.article_id) for h in hits if t == "all" or t in h.topics]
                else:
                    items = [(a.title, a.id) for a in corpus.articles if t == "all" or t in a.topics]
                return gr.update(choices=items, value=None)

            topic.change(filter_articles, [topic, lib_query], lib_list)
            lib_query.submit(filter_articles, [topic, lib_query], lib_list)
            lib_list.change(open_article, lib_list, lib_view)

        # ---- Privacy ---------------------------------------------------------------------
        with gr.Tab("Privacy", id="privacy"):
            where = (
                "memory only (session mode: nothing is written to disk)"
                if settings.session_mode
                else str(settings.home)
            )
            gr.Markdown(privacy_md(settings, svc.vaults.kdf_params(), where))
            egress = gr.Markdown(elem_id="egress-count")
            gr.Timer(2).tick(
                lambda: f"**Refused outbound connections since start:** {offline.attempts()}", None, egress
            )
            demo.load(lambda: f"**Refused outbound connections since start:** {offline.attempts()}", None, egress)
            export_btn = gr.Button("Export an encrypted backup", elem_id="export")
            export_file = gr.File(label="Backup", elem_id="backup-file")
            confirm = gr.Textbox(label="Type DELETE to destroy every journal on this machine", elem_id="confirm")
            wipe_btn = gr.Button("Delete everything", variant="stop", elem_id="wipe")
            privacy_status = gr.Markdown(elem_id="privacy-status")

            def do_export(name: str, state: dict) -> tuple:
                try:
                    target = Path(tempfile.mkdtemp(dir=settings.gradio_tmp)) / f"hearth-{name}.backup"
                    n = journal.export_backup(svc, _session(state, name), target)
                    return str(target), f"Exported {n} entries, encrypted with your passphrase."
                except HearthError as exc:
                    return None, f"**{exc}**"

            export_btn.click(do_export, [profile, unlocked], [export_file, privacy_status])

            def do_wipe(text: str, state: dict) -> tuple:
                if text.strip() != "DELETE":
                    return state, "Not confirmed: type DELETE exactly. Nothing was deleted."
                for s in state.values():
                    s.lock()
                journal.delete_all(svc)
                return {}, "Everything was destroyed: the keys first, then the files."

            wipe_btn.click(do_wipe, [confirm, unlocked], [unlocked, privacy_status])

        def quick_exit(state: dict) -> dict:
            for s in state.values():
                s.lock()
            return {}

        exit_btn.click(quick_exit, unlocked, unlocked, js=NEUTRAL_PAGE_JS)
    return demo


class _NoStore:
    """ASGI middleware: nothing the app sends may land in the browser's disk cache."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                headers += [
                    (b"cache-control", b"no-store"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-content-type-options", b"nosniff"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"port {port} on {host} is already in use; try `hearth ui --port {port + 1}`") from exc


def serve(settings: Settings, *, block: bool = True) -> Any:
    """Start the app. Returns the Gradio app when block=False (tests, privacy-check)."""
    from starlette.middleware import Middleware

    from assistant.services import ensure_home

    if not settings.session_mode:
        ensure_home(settings)
    gtmp = settings.gradio_tmp if not settings.session_mode else Path(tempfile.mkdtemp(prefix="hearth-session-"))
    gtmp.mkdir(parents=True, exist_ok=True)
    os.chmod(gtmp, 0o700)
    os.environ["GRADIO_TEMP_DIR"] = str(gtmp)  # Gradio's cache lives in the data folder
    check_port(settings.host, settings.port)
    svc = Services(settings)
    auth = None
    if not _is_loopback(settings.host):
        profiles = svc.vaults.profiles()
        if not profiles:
            raise UsageError(
                f"refusing to listen on {settings.host} without authentication: create a profile first "
                "(`hearth journal init --profile NAME`); its passphrase becomes the login"
            )

        def auth(username: str, password: str) -> bool:
            try:
                svc.vaults.unlock(username, password).lock()
                return True
            except HearthError:
                return False

    print("Loading the models and the knowledge index...", file=sys.stderr)
    svc.coach.warm()
    svc.classifier  # noqa: B018  (train or load now, not on the first entry)
    import gradio as gr

    demo = build(svc)
    demo.queue(default_concurrency_limit=2)
    print(f"Hearth is running on http://{settings.host}:{settings.port} (Ctrl+C to stop)", file=sys.stderr)
    try:
        result = demo.launch(
            server_name=settings.host,
            server_port=settings.port,
            share=False,
            ssr_mode=False,
            run_history=False,
            footer_links=[],
            auth=auth,
            show_error=False,
            quiet=True,
            prevent_thread_lock=not block,
            theme=gr.themes.Soft(),
            css=CSS,
            allowed_paths=[str(gtmp)],
            app_kwargs={"middleware": [Middleware(_NoStore)]},
            max_file_size="5mb",
        )
    finally:
        if block and settings.session_mode:
            shutil.rmtree(gtmp, ignore_errors=True)
    return demo if not block else result
