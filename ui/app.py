"""The Gradio app. Thin: every action calls a service method the CLI calls too; the only state
kept here is which profiles this browser session has unlocked (in memory, never on disk)."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr  # at module level: handlers' `request: gr.Request` annotations must resolve

import assistant.offline  # noqa: F401,I001  (first: offline switches before gradio is imported)
from assistant.config import Settings
from assistant.errors import HearthError, PortInUse, UsageError
from assistant.services import Services
from ui import render
from ui.guard import Guard
from ui.lan import is_loopback
from ui.tabs.coach import COACH_CSS, CoachTab
from ui.tabs.insights import InsightsTab
from ui.tabs.journal import JOURNAL_CSS, JournalTab
from ui.tabs.session import Sessions, Unlocked, lock_value
from ui.warmup import Ready, Warmup

CSS = """
#quick-exit { position: fixed; top: 10px; right: 14px; z-index: 1000; width: auto; min-width: 170px;
  max-width: 220px; min-height: 48px;
  background: #8b0000; color: #fff; border: 2px solid #fff; font-size: 1.05em; font-weight: 700;
  box-shadow: 0 2px 8px rgba(0,0,0,.35); }
#quick-exit:focus-visible { outline: 3px solid #ffbf47; }
.session-banner { background: #fff4d6; border: 1px solid #c99a2e; color: #3d2e05; border-radius: 8px;
  padding: 10px 14px; font-weight: 600; }
.welcome { background: #f4f7fb; border-radius: 10px; padding: 4px 240px 4px 16px; color: #1c2733; }
@media (max-width: 700px) { .welcome { padding-right: 16px; padding-top: 60px; } }
.hearth-note { color: #555; font-size: 0.9em; }
#region { max-width: 340px; }
"""
CSS += JOURNAL_CSS + COACH_CSS
NEUTRAL_PAGE_JS = r"""
() => {
  document.title = "New Tab";
  document.body.innerHTML = '<div style="font-family:sans-serif;color:#444;padding:4em;text-align:center">'
    + '<h2 style="font-weight:normal">Weather</h2><p>Partly cloudy, 14&deg;. Light breeze.</p></div>';
  try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}
  // Leave for the neutral page even if the server is slow to confirm the lock (closing the page
  // locks it too); replace(), so Back and Reload never bring Hearth back.
  setTimeout(() => window.location.replace(new URL("away", window.location.href)), 1500);
  return [];
}
"""
AWAY_JS = r'() => { window.location.replace(new URL("away", window.location.href)); return []; }'
# Loaded once per page: Escape is Quick exit (unless a dropdown list is open, or the focus is in
# the Coach's article sheet: ui/tabs/coach.py's COACH_JS, whose listener runs first).
PAGE_JS = r"""
() => {
  document.addEventListener("keydown", (e) => {
    // An open dropdown list keeps its own Escape (close the list) while its box has the focus;
    // everywhere else, typing included, Escape leaves at once. Gradio leaves a dropdown's list
    // open after Tab moves on, so "a list is open somewhere" alone made Escape do nothing for
    // a keyboard user who had tabbed past the region picker.
    if (e.key !== "Escape") return;
    const a = document.activeElement;
    if (document.querySelector('[role="listbox"]') && a && a.getAttribute("role") === "combobox") return;
    const b = document.getElementById("quick-exit");
    if (b) b.click();
  });
  return [];
}
"""


def _mib(kib: int) -> str:
    return f"{kib / 1024:g} MiB"


REGIONS = [("All regions", "all"), ("United States", "US"), ("UK and Ireland", "UK-IE"), ("Europe", "EU")]


def welcome_md(svc: Services, region: str | None = None) -> str:
    """The first thing a newcomer reads: what Hearth does, what never leaves, and that it is not therapy."""
    where = region or svc.settings.region
    emergency = "; ".join(f"{r.name} {r.contact}" for r in svc.resources.pick(("emergency",), where))
    return (
        "# Hearth\n"
        "**A private coach for closeness, conflict and trust**, answering from a curated library with "
        "its sources, and a journal that notices patterns.\n\n"
        "**Nothing you write leaves this computer**: no account, no cloud; your journal is encrypted "
        "with your passphrase.\n\n"
        "**Hearth is not therapy.** If you are in danger or thinking about ending your life, contact "
        f"emergency services now ({emergency}) or a crisis line (see the Library's crisis resources)."
    )


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
        used = "; ".join(f"{render.name(n)}: {_mib(m)}, {i} passes" for n, (m, i) in kdf.items())
        text += f"**Profiles on this machine use:** {used}\n\n"
    scheme = "https" if settings.tls_cert else "http"
    return text + f"**This app listens on:** `{scheme}://{settings.host}:{settings.port}`"


def build(svc: Services, *, lan: bool = False, warmup: Warmup | Ready | None = None) -> Any:
    """The app. `lan`: a workshop off loopback, where everyone has logged in (Gradio's auth) as
    one profile and sees only that profile: no list of the others, no shared spaces, no new
    profiles from the page (the facilitator makes them, or a participant enrols with a code)."""
    from assistant import offline
    from assistant.journal import service as journal
    from assistant.workshop.counts import Activity

    settings = svc.settings
    activity = Activity()
    models = warmup or Ready()

    def tmp_base() -> Path:  # Gradio's temp folder: serve() points it into the data folder (or a session's)
        return Path(os.environ.get("GRADIO_TEMP_DIR") or settings.gradio_tmp)

    corpus = svc.corpus
    topics = sorted({t for a in corpus.articles for t in a.topics})

    with gr.Blocks(title="Hearth", analytics_enabled=False) as demo:
        # The one journal this browser session has unlocked (or None). Expires with the idle
        # lock; `live` lets the unload hook lock it the moment the tab closes.
        unlocked = gr.State(None, time_to_live=max(60, settings.idle_lock_seconds), delete_callback=lock_value)
        sessions = Sessions(svc, lan)
        private: dict[str, Any] = {"api_visibility": "private"}  # not callable as a named API
        exit_btn = gr.Button("Quick exit (Esc)", elem_id="quick-exit", variant="stop")
        if settings.session_mode:
            with gr.Row(elem_classes=["session-banner"], elem_id="session-banner"):
                gr.Markdown(
                    "Session mode: nothing is saved. Profiles and entries live in memory and vanish "
                    "when the session ends."
                )
                end_btn = gr.Button("End session and wipe", variant="stop", elem_id="end-session", scale=0)
        welcome = gr.Markdown(welcome_md(svc), elem_classes=["welcome"], elem_id="welcome")
        # Which helplines the page shows (this browser session only; the default is the
        # HEARTH_REGION setting): the coach's safety answers, the journal's and the insights'
        # resources list that region's lines plus the directories that work anywhere.
        # The pick lives in a gr.State, so the handlers' public API (the coach's `ask`, which
        # `hearth privacy-check` and scripts call) keeps its inputs.
        region_pick = gr.Dropdown(label="Helplines for", choices=REGIONS, value=settings.region, elem_id="region",
                                  scale=0, min_width=200)  # fmt: skip
        region = gr.State(settings.region)
        region_pick.change(lambda r: (r, welcome_md(svc, r)), region_pick, [region, welcome], api_visibility="private")

        # ---- Coach (ui/tabs/coach.py) --------------------------------------------------------
        CoachTab(svc, models=models, activity=activity, need=sessions.need, lan=lan).build(
            demo, unlocked, region, private
        )

        # ---- Journal (ui/tabs/journal.py) ----------------------------------------------------
        jt = JournalTab(svc, sessions)
        jt.build(demo, unlocked, region)

        # ---- Together (ui/tabs/together.py; not in a workshop, which has no couples) -----
        if not lan:
            from ui.tabs.together import TogetherTab

            TogetherTab(svc).build(unlocked, sessions.need, sessions.client, sessions.profiles)

        # ---- Insights (ui/tabs/insights.py) ------------------------------------------------
        InsightsTab(svc).build(unlocked, region, sessions.need)

        # ---- Practice --------------------------------------------------------------------
        with gr.Tab("Practice", id="practice"):
            practice = svc.practice
            # h2 under the page's h1 (the welcome): a skipped level is axe's heading-order finding.
            gr.Markdown(f"## Today's check-in\n{practice.checkin_for(date.today())}")
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

            def open_article(article_id: str | None) -> str:
                art = corpus.get(article_id or "")
                return f"## {art.title}\n\n{art.body}" if art else ""

            lib_list.change(open_article, lib_list, lib_view)

        # ---- Privacy ---------------------------------------------------------------------
        with gr.Tab("Privacy", id="privacy"):
            where = (
                "memory only (session mode: nothing is written to disk)"
                if settings.session_mode
                else str(settings.home)
            )
            privacy_text = gr.Markdown(privacy_md(settings, {}, where))

            def privacy_now(request: gr.Request) -> str:
                kdf = svc.vaults.kdf_params()
                if lan:  # only the logged-in profile's own settings
                    kdf = {n: v for n, v in kdf.items() if n == getattr(request, "username", None)}
                return privacy_md(settings, kdf, where)

            demo.load(privacy_now, None, privacy_text, **private)
            egress = gr.Markdown(elem_id="egress-count")
            gr.Timer(2).tick(
                lambda: f"**Refused outbound connections since start:** {offline.attempts()}", None, egress, **private
            )
            demo.load(
                lambda: f"**Refused outbound connections since start:** {offline.attempts()}", None, egress, **private
            )
            # Session mode keeps nothing, so it offers nothing to take away either.
            keeps = not settings.session_mode
            export_btn = gr.Button("Export an encrypted backup of my journal", elem_id="export", visible=keeps)
            # Shown once there is a backup to take (an empty file box is a role-less labelled div).
            export_file = gr.File(label="Backup", elem_id="backup-file", interactive=False, visible=False)
            with gr.Accordion("Delete my journal", open=False, elem_id="wipe-accordion"):
                gr.Markdown(
                    "Destroys the open profile: its keys, entries and shared spaces only it held. "
                    "Other profiles are not touched. To delete every profile on this machine, run "
                    "`hearth journal delete-all` in a terminal."
                )
                confirm = gr.Textbox(label="Type DELETE", elem_id="confirm")
                wipe_pw = gr.Textbox(label="Your passphrase, once more", type="password", elem_id="wipe-pw")
                wipe_btn = gr.Button("Delete my journal", variant="stop", elem_id="wipe")
            privacy_status = gr.Markdown(elem_id="privacy-status")

            def do_export(state: Unlocked | None, request: gr.Request) -> tuple:
                try:
                    vs = sessions.need(state, request)
                    base = tmp_base()
                    base.mkdir(parents=True, exist_ok=True)
                    target = Path(tempfile.mkdtemp(dir=base)) / journal.export_name(vs.name)
                    n = journal.export_backup(svc, vs, target)
                    shown = gr.update(value=str(target), visible=True)
                    return shown, f"Exported {n} entries, encrypted with your passphrase."
                except HearthError as exc:
                    return gr.update(value=None, visible=False), f"**{render.md_text(str(exc))}**"

            export_btn.click(do_export, [unlocked], [export_file, privacy_status], **private)

            def do_wipe(text: str, pw: str, state: Unlocked | None, request: gr.Request) -> tuple:
                try:
                    vs = sessions.need(state, request)
                    if text.strip() != "DELETE":
                        raise HearthError("not confirmed: type DELETE exactly; nothing was deleted")
                    # The passphrase again: an unattended unlocked window is not enough to destroy.
                    check = svc.vaults.unlock(vs.name, pw, client=sessions.client(request))
                    svc.together.forget_profile(check)  # Together's records of this profile first
                    svc.vaults.delete_profile(check)
                    journal.remove_exports(svc, vs.name, tmp_base())  # a backup left for download goes too
                    sessions.lock(state, request)
                    names = sessions.profiles(request)
                    return (*jt.cleared, "", "", "Your journal was destroyed: the keys first, then the entries.",
                            gr.update(choices=names, value=None), gr.update(choices=names, value=None))  # fmt: skip
                except HearthError as exc:
                    keep = (state, *[gr.update()] * (len(jt.clear_outs) - 1))
                    return (*keep, "", "", f"**{render.md_text(str(exc))}**", gr.update(), gr.update())

            wipe_btn.click(
                do_wipe, [confirm, wipe_pw, unlocked],
                [*jt.clear_outs, confirm, wipe_pw, privacy_status, jt.profile, jt.partner_b], **private,
            )  # fmt: skip

        def quick_exit(state: Unlocked | None, request: gr.Request) -> None:
            sessions.lock(state, request)

        exit_btn.click(quick_exit, unlocked, unlocked, js=NEUTRAL_PAGE_JS, **private).then(None, js=AWAY_JS)
        demo.load(None, None, None, js=PAGE_JS)

        if settings.session_mode:

            def end_session(state: Unlocked | None, request: gr.Request) -> None:
                # Every profile of the session lives in the memory vault: destroy them all, then the
                # page reloads empty (the browser's state goes with it).
                sessions.lock(state, request)
                journal.delete_all(svc)
                base = tmp_base()
                for child in base.glob("*"):
                    shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)

            end_btn.click(end_session, unlocked, unlocked, **private).then(
                None, js="() => { window.location.replace(window.location.pathname); return []; }"
            )

        if lan:
            from ui.facilitator import add_facilitator_tab

            add_facilitator_tab(demo, svc, activity, private)

        def on_unload(request: gr.Request) -> None:
            # The tab closed or reloaded: lock now, not when the state expires an hour later.
            activity.closed(request.session_hash or "")
            sessions.closed(request.session_hash or "")

        demo.unload(on_unload)
    return demo


def theme() -> Any:
    """Gradio's Soft theme with its label and primary-button colours one shade darker: the
    defaults (indigo 500 on indigo 100, white on indigo 500, grey 400 for secondary text) fall
    short of WCAG AA contrast (tests/browser/test_accessibility.py)."""
    return gr.themes.Soft().set(
        body_text_color_subdued="*neutral_500",
        block_label_text_color="*primary_700",
        block_title_text_color="*primary_700",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
    )


def check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        # SO_REUSEADDR, as the server itself binds: a port in TIME_WAIT after a stop is free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            raise PortInUse(f"port {port} on {host} is already in use; try `hearth ui --port {port + 1}`") from exc


def use_asyncio_loop() -> None:
    """Make uvicorn (which Gradio starts without a loop setting) run on asyncio's own loop.

    With "auto" it picks uvloop, whose sockets are native: the egress guard never sees them
    (issue 11: a server-side fetch left the machine while the Privacy tab counted 0). The Guard
    middleware refuses to serve on any other loop, so a regression fails loudly."""
    import uvicorn.config

    uvicorn.config.LOOP_FACTORIES["auto"] = uvicorn.config.LOOP_FACTORIES["asyncio"]


def serve(settings: Settings, *, block: bool = True) -> Any:
    """Start the app. Returns the Gradio app when block=False (tests, privacy-check)."""
    from starlette.middleware import Middleware

    from assistant.services import ensure_home
    from ui.away import AwayPage
    from ui.lan import LOGIN_MESSAGE, check_tls, login_check

    if not settings.host.strip():
        # An empty host made Gradio fall back to GRADIO_SERVER_NAME (e.g. 0.0.0.0), unchecked.
        raise UsageError("--host needs an address (127.0.0.1 by default)")
    check_tls(settings)  # before anything is loaded or written
    lan = not is_loopback(settings.host)
    if not settings.session_mode:
        ensure_home(settings)
    gtmp = settings.gradio_tmp if not settings.session_mode else Path(tempfile.mkdtemp(prefix="hearth-session-"))
    gtmp.mkdir(parents=True, exist_ok=True)
    os.chmod(gtmp, 0o700)
    os.environ["GRADIO_TEMP_DIR"] = str(gtmp)  # Gradio's cache lives in the data folder
    check_port(settings.host, settings.port)
    svc = Services(settings)
    auth = None
    middleware = [
        Middleware(Guard, host=settings.host, port=settings.port, tls=settings.tls_cert is not None),
        Middleware(AwayPage),  # inside the Guard: its CSP and Host checks apply
    ]
    if lan:
        if not svc.vaults.profiles():
            raise UsageError(
                f"refusing to listen on {settings.host} without authentication: create the facilitator first "
                "(`hearth workshop add NAME --facilitator`); each profile's passphrase is its login"
            )
        auth = login_check(svc)
        from ui.enrol import EnrolPage

        middleware.append(Middleware(EnrolPage, svc=svc))  # inside the Guard: its checks apply

    warmup = Warmup(svc)
    use_asyncio_loop()
    demo = build(svc, lan=lan, warmup=warmup)
    demo.queue(default_concurrency_limit=2)
    scheme = "https" if settings.tls_cert else "http"
    try:
        demo.launch(
            server_name=settings.host,
            server_port=settings.port,
            share=False,
            ssr_mode=False,
            run_history=False,
            footer_links=[],
            auth=auth,
            auth_message=LOGIN_MESSAGE if lan else None,
            ssl_certfile=str(settings.tls_cert) if settings.tls_cert else None,
            ssl_keyfile=str(settings.tls_key) if settings.tls_key else None,
            # Only Gradio's startup probe of its own URL uses this; a workshop certificate names
            # the LAN address, not the `localhost` the probe dials.
            ssl_verify=False,
            show_error=False,
            quiet=True,
            prevent_thread_lock=True,  # serve first; the models load behind "warming up"
            theme=theme(),
            css=CSS,
            allowed_paths=[str(gtmp)],
            app_kwargs={"middleware": middleware},
            max_file_size="5mb",
        )
        print(f"Hearth is running on {scheme}://{settings.host}:{settings.port} (Ctrl+C to stop); "
              "loading the models...", file=sys.stderr)  # fmt: skip
        warmup.start()
        if not block:  # callers that drive the app themselves get it ready, as before
            warmup.wait()
            return demo
        demo.block_thread()
    finally:
        if block and settings.session_mode:
            shutil.rmtree(gtmp, ignore_errors=True)
    return None
