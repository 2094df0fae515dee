"""The Journal tab: profiles, entries as cards, search, edit, delete with undo, the analysis.

One class. The methods that do the work take an unlocked VaultSession and return what the page
shows, built with ui/render.py (whatever a person wrote is escaped), so they are tested without
a browser; they call assistant/journal/service.py only, never the vault. `build` wires them to
Gradio components.

Nothing a person wrote is kept outside the sealed vault: search decrypts the open profile's
entries in memory for the call; a deleted entry waits for its undo in this browser session's
memory only (dropped after UNDO_SECONDS, on lock, and with the page).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any

import gradio as gr  # at module level: handlers' `request: gr.Request` annotations must resolve

from assistant.errors import HearthError, UsageError
from assistant.journal import service as journal
from assistant.journal.classifier import Analysis, Finding
from assistant.journal.describe import REGION_NAMES, safety_kinds
from assistant.journal.service import MAX_ENTRY_CHARS
from assistant.journal.vault import Entry, VaultSession
from assistant.services import Services
from ui import render
from ui.render import text_html
from ui.tabs.session import Sessions, Unlocked

MOODS = ("calm", "happy", "hopeful", "grateful", "close", "tired", "anxious", "sad", "hurt", "angry", "mixed")
UNDO_SECONDS = 30
SHOWN = 50  # cards in the list; a search finds the older ones
# Flags in a soft red, strengths in a calm green (never the same colour); the list's radio
# options drawn as cards. Colours chosen for WCAG AA contrast with the text on them.
JOURNAL_CSS = """
.entry-cards .wrap { display: flex; flex-direction: column; gap: 8px; }
.entry-cards label { display: block; width: 100%; white-space: pre-line; border: 1px solid #c9d1db;
  border-radius: 10px; padding: 10px 14px; background: #fff; color: #1c2733; line-height: 1.45; }
.entry-cards label.selected { border: 2px solid #2b6cb0; background: #f2f7fd; }
.entry-open { border: 1px solid #c9d1db; border-radius: 10px; padding: 12px 16px; background: #fff; color: #1c2733; }
.entry-open h3 { margin: 0 0 4px; }
.entry-meta { color: #4a5563; font-size: .92em; margin: 0 0 8px; }
.tag { background: #eef2f7; border-radius: 6px; padding: 0 6px; }
.entry-body { white-space: normal; line-height: 1.6; }
.hl-flag { background: #fde4e1; color: #1c2733; }
.hl-strength { background: #d9f0e5; color: #1c2733; }
.hl-name { font-size: .82em; color: #4a5563; }
.finding { padding: 2px 0 2px 12px; margin: 8px 0; }
.finding-flag { border-left: 4px solid #b42318; }
.finding-strength { border-left: 4px solid #2f7d5b; }
.an-strengths h3 { color: #1f5c43; }
.finding .why { color: #3d4754; font-style: italic; }
.recovery-code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 1.25em;
  letter-spacing: .06em; user-select: all; white-space: pre-wrap; word-break: break-all; background: #f4f7fb;
  color: #1c2733; border: 1px dashed #4a5563; border-radius: 8px; padding: 10px 14px; margin: 8px 0; }
.an-safety { background: #eef6f3; border: 1px solid #9cc9b8; border-radius: 10px; padding: 10px 16px; color: #1f3d33; }
"""


def _copies(n: int) -> str:
    return "its copy in your shared space" if n == 1 else f"its {n} copies in your shared spaces"


_WHOSE = {"partner": " (theirs)", "writer": " (yours)", "both": " (both of you)"}


@dataclass
class Held:
    """A deleted entry waiting for its undo (this browser session's memory only)."""

    entry: Entry
    at: float = field(default_factory=time.monotonic)
    shared: int = 0  # copies in shared spaces that went with it (an undo does not bring them back)


@dataclass
class Opened:
    """What the page shows for one entry: the entry above its analysis."""

    entry_id: str
    entry_html: str
    analysis_html: str
    findings: list[tuple[str, str]]  # (name, label) for the feedback buttons
    articles: list[tuple[str, str]]  # (title, article id) to open in place


def day_label(created: str) -> str:
    """'Tue 1 Dec 2026, 21:04' from the stored time (UTC), in this computer's time zone."""
    try:
        t = datetime.fromisoformat(created.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return created[:16]
    return f"{t:%a} {t.day} {t:%b %Y, %H:%M}"


def card_title(e: Entry) -> str:
    """The title the person gave, else the entry's first line, shortened."""
    first = e.title or next((line.strip() for line in e.text.splitlines() if line.strip()), "")
    return first if len(first) <= 60 else first[:57].rstrip() + "..."


def card_label(e: Entry) -> str:
    """One card of the list (a radio option, rendered by Gradio as text, never as markup)."""
    meta = " · ".join(x for x in (e.mood, " ".join(f"#{t}" for t in e.tags)) if x)
    excerpt = " ".join(e.text.split())
    excerpt = excerpt if len(excerpt) <= 110 else excerpt[:107].rstrip() + "..."
    lines = [f"{day_label(e.created)} · {card_title(e)}", meta, excerpt if excerpt != card_title(e) else ""]
    return "\n".join(x for x in lines if x)


KEY_FILE_JS = r"""
() => {
  const code = document.querySelector("#recovery-key pre.recovery-code code");
  if (!code) return [];
  const text = "Hearth recovery key\n\n" + code.innerText.trim() + "\n\n" +
    "Keep this away from this computer (on paper or in a password manager), then delete this file.\n";
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = "hearth-recovery-key.txt";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return [];
}
"""


class JournalTab:
    def __init__(self, svc: Services, sessions: Sessions, clock: Callable[[], float] = time.monotonic) -> None:
        self.svc = svc
        self.sessions = sessions
        self.clock = clock

    # -- the list -------------------------------------------------------------------------------

    def cards(self, vs: VaultSession, query: str = "") -> tuple[list[tuple[str, str]], str]:
        """(radio choices, a line about them): newest first, filtered by the search words."""
        found = journal.search_entries(self.svc, vs, query or "")
        if not found:
            note = "No entry holds all of those words." if (query or "").strip() else "No entries yet."
            return [], note
        shown = found[:SHOWN]
        n = len(found)
        what = f"{n} entr{'y' if n == 1 else 'ies'}" + (" found" if (query or "").strip() else "")
        more = f"; the {SHOWN} newest are shown, search to find older ones" if n > SHOWN else ""
        return [(card_label(e), e.id) for e in shown], what + more + "."

    # -- one entry --------------------------------------------------------------------------------

    def open(self, vs: VaultSession, entry_id: str, region: str | None = None) -> Opened:
        e = journal.get_entry(self.svc, vs, entry_id)
        a = Analysis.from_json(e.analysis) if e.analysis else Analysis([], [])
        return self._opened(e, a, region)

    def _opened(self, e: Entry, a: Analysis, region: str | None) -> Opened:
        names = self.svc.classifier.taxonomy.name
        findings = [(names.get(f.label, f.label), f.label) for f in a.flags + a.strengths]
        ids = dict.fromkeys(f.article_id for f in a.flags if f.article_id)
        if a.safety != "none":
            ids.update(dict.fromkeys(["safety-planning"]))
        articles = [(self._title(i), i) for i in ids if self.svc.corpus.get(i) is not None]
        return Opened(e.id, self.entry_html(e, a), self.analysis_html(a, region), findings, articles)

    def _title(self, article_id: str) -> str:
        art = self.svc.corpus.get(article_id)
        return art.title if art else article_id

    def entry_html(self, e: Entry, a: Analysis) -> str:
        meta = [day_label(e.created)]
        if e.updated[:16] != e.created[:16] and e.version > 1:
            meta.append(f"edited {day_label(e.updated)}")
        if e.mood:
            meta.append(f"mood: {e.mood}")
        tags = "".join(f"<span class='tag'>#{text_html(t)}</span> " for t in e.tags)
        return (
            f"<article class='entry-open' aria-label='The opened entry'><h3>{text_html(card_title(e))}</h3>"
            f"<p class='entry-meta'>{text_html(' · '.join(meta))} {tags}</p>"
            f"<div class='entry-body'>{self._highlighted(e.text, a)}</div></article>"
        )

    def _highlighted(self, text: str, a: Analysis) -> str:
        """The entry as written (escaped), the sentences behind each finding marked: flags and
        strengths in different colours, each mark followed by its name in words."""
        names = self.svc.classifier.taxonomy.name
        spans: list[tuple[int, int, str, list[str]]] = []
        for kind, found in (("flag", a.flags), ("strength", a.strengths)):
            for f in found:
                for ev in f.evidence:
                    at = text.find(ev)
                    if ev and at >= 0:
                        spans.append((at, at + len(ev), kind, [names.get(f.label, f.label)]))
        spans.sort()
        merged: list[tuple[int, int, str, list[str]]] = []
        for s in spans:  # the same sentence behind two findings: one mark, both names
            if merged and s[0] < merged[-1][1]:
                last = merged[-1]
                if s[:3] == last[:3]:
                    last[3].extend(n for n in s[3] if n not in last[3])
                continue
            merged.append(s)
        out, pos = [], 0
        for start, end, kind, labels in merged:
            out.append(text_html(text[pos:start]))
            out.append(
                f"<mark class='hl-{kind}'>{text_html(text[start:end])}</mark>"
                f"<span class='hl-name hl-name-{kind}'> [{text_html(', '.join(labels))}]</span>"
            )
            pos = end
        out.append(text_html(text[pos:]))
        return "".join(out)

    def analysis_html(self, a: Analysis, region: str | None = None) -> str:
        tax = self.svc.classifier.taxonomy
        parts = []
        if a.safety != "none":
            parts.append(
                "<section class='an-safety' aria-label='Support'><h3>Your safety matters most here</h3>"
                f"<p>You can reach someone now:</p>{self.resources_html(safety_kinds(a.safety), region)}</section>"
            )
        if a.flags:
            parts.append("<section class='an-flags'><h3>Patterns Hearth noticed</h3>")
            for f in a.flags:
                whose = _WHOSE.get(f.who, "")
                read = f"<p>Worth reading: <i>{text_html(self._title(f.article_id))}</i> (open it below).</p>"
                parts.append(
                    f"<div class='finding finding-flag'><h4>{text_html(tax.name.get(f.label, f.label) + whose)}</h4>"
                    f"<p>{text_html(f.explanation)}</p>{self._why(f)}{read if f.article_id else ''}</div>"
                )
            parts.append("</section>")
        else:
            parts.append("<section class='an-flags'><h3>Nothing stood out</h3>"
                         "<p>Nothing stood out as a pattern to watch in this entry.</p></section>")  # fmt: skip
        if a.strengths:
            parts.append("<section class='an-strengths'><h3>Strengths</h3>")
            for s in a.strengths:
                parts.append(
                    f"<div class='finding finding-strength'><h4>{text_html(tax.name.get(s.label, s.label))}</h4>"
                    f"<p>{text_html(s.explanation)}</p>{self._why(s)}</div>"
                )
            parts.append("</section>")
        return "".join(parts)

    @staticmethod
    def _why(f: Finding) -> str:
        if not f.evidence:
            return ""
        quoted = " ".join(f"&ldquo;{text_html(ev)}&rdquo;" for ev in f.evidence[:2])
        return f"<p class='why'>Why Hearth noticed this: you wrote {quoted}</p>"

    def resources_html(self, kinds: tuple[str, ...], region: str | None = None) -> str:
        """Resources under one heading per region (the chosen region, then the directories
        that work anywhere), so two 'Emergency services' lines never sit together."""
        picked = self.svc.resources.pick(kinds, region or self.svc.settings.region)
        order = list(REGION_NAMES)
        out = []
        for reg, items in groupby(sorted(picked, key=lambda r: order.index(r.region)), key=lambda r: r.region):
            lines = "".join(f"<li><b>{text_html(r.name)}</b>: {text_html(r.how)}</li>" for r in items)
            out.append(f"<h4>{text_html(REGION_NAMES.get(reg, reg))}</h4><ul>{lines}</ul>")
        return "".join(out)

    def article_md(self, article_id: str | None) -> str:
        art = self.svc.corpus.get(article_id or "")
        return f"## {art.title}\n\n{art.body}" if art else ""

    # -- the recovery key, shown once -------------------------------------------------------------

    @staticmethod
    def recovery_html(key: str) -> str:
        """The new profile's recovery key in its own panel: monospace, selected whole by one click
        (user-select: all), so it is copied or written down without a stray character."""
        return (
            "<section class='recovery' aria-labelledby='recovery-heading'>"
            "<h2 id='recovery-heading'>Your recovery key</h2>"
            "<p><b>Write this down</b>; it is the only way back in if you forget your passphrase; "
            "Hearth will not show it again.</p>"
            f"<pre class='recovery-code'><code>{text_html(key)}</code></pre>"
            "<p>Keep it on paper or in a password manager, away from this computer.</p></section>"
        )

    # -- writing, editing, deleting -----------------------------------------------------------------

    def save(
        self,
        vs: VaultSession,
        text: str,
        title: str = "",
        mood: str | None = "",
        tags: str = "",
        editing: str | None = None,
        region: str | None = None,
    ) -> tuple[Opened, str]:
        """A new entry, or (with `editing`) the new version of one; (the opened view, status)."""
        if editing:
            done = journal.edit_entry(self.svc, vs, editing, text, title=title, mood=mood or "", tags=tags)
            status = "Saved the new version, read again; the old one is gone."
            if done.shared:
                status += (
                    f" {_copies(done.shared).capitalize()} now show{'s' if done.shared == 1 else ''} the new words."
                )
            if done.withdrawn:
                status += (
                    f" This version mentions something that may not be safe to share, so {_copies(done.withdrawn)}"
                    f" {'was' if done.withdrawn == 1 else 'were'} taken out; your partner no longer sees it."
                )
        else:
            done = journal.add_entry(self.svc, vs, text, title=title, mood=mood or "", tags=tags)
            status = "Saved, sealed."
        return self._opened(done.entry, done.analysis, region), status

    def editable(self, vs: VaultSession, entry_id: str) -> tuple[str, str, str, str]:
        """(text, title, mood, tags) of an entry, for the editor."""
        e = journal.get_entry(self.svc, vs, entry_id)
        return e.text, e.title, e.mood, ", ".join(e.tags)

    def delete(self, vs: VaultSession, entry_id: str | None) -> Held:
        if not entry_id:
            raise UsageError("open an entry first")
        e = journal.get_entry(self.svc, vs, entry_id)
        shared = journal.delete_entry(self.svc, vs, entry_id)
        return Held(e, self.clock(), shared)

    @staticmethod
    def deleted_status(h: Held) -> str:
        msg = f"Entry deleted. Undo within {UNDO_SECONDS} seconds."
        if h.shared:
            msg = (f"Entry deleted, and {_copies(h.shared)} with it. Undo within {UNDO_SECONDS} seconds "
                   "brings back your entry only; share it again if you want it there.")  # fmt: skip
        return msg

    def undo(self, vs: VaultSession, held: Held | None) -> Entry:
        if held is None or self.clock() - held.at > UNDO_SECONDS:
            raise UsageError("too late to undo: the entry is gone")
        return journal.restore_entry(self.svc, vs, held.entry)

    def expired(self, held: Held | None) -> bool:
        return held is not None and self.clock() - held.at > UNDO_SECONDS

    # -- feedback on one finding ------------------------------------------------------------------

    def mark(self, vs: VaultSession, entry_id: str | None, label: str | None, mark: str) -> str:
        if not entry_id or not label:
            return "Open an entry and pick one of its findings first."
        changes = journal.feedback(self.svc, vs, entry_id, label, mark)
        return "Thank you; noted in your journal (sealed).\n\n" + "\n".join(f"- {c}" for c in changes)

    def reset_marks(self, vs: VaultSession) -> str:
        n = journal.reset_feedback(self.svc, vs)
        return f"Forgot {n} marks; Hearth reads your entries as it does for everyone again."

    # -- shared spaces ----------------------------------------------------------------------------

    def space_choices(self, vs: VaultSession) -> list[tuple[str, str]]:
        return [(f"with {', '.join(names) or 'nobody'} ({sid[:6]})", sid)
                for sid, names in journal.spaces(self.svc, vs).items()]  # fmt: skip

    def space_html(self, vs: VaultSession, space_id: str) -> str:
        items = journal.space_entries(self.svc, vs, space_id)
        if not items:
            return "<p><i>Nothing shared yet.</i></p>"
        return "".join(f"<p><b>{text_html(i['author'])}</b>: {text_html(i['text'])}</p>" for i in items)

    def open_space(self, vs: VaultSession, partner: str | None, ppw: str, agreed: bool, client: str) -> str:
        if self.sessions.lan:
            raise UsageError("shared spaces are not offered in a workshop")
        if not agreed:
            raise UsageError("both of you need to agree before a shared space opens")
        if not partner or partner == vs.name:
            raise UsageError("choose your partner's profile")
        # The partner's journal is unlocked only for this handshake, then locked again.
        other = journal.unlock(self.svc, partner, ppw, client=client, hide_missing=True)
        try:
            return journal.open_space(self.svc, vs, other)
        finally:
            other.lock()

    def share(self, vs: VaultSession, space_id: str | None, entry_id: str | None) -> str:
        if not space_id or not entry_id:
            raise UsageError("pick a shared space and an entry first")
        journal.share_entry(self.svc, vs, space_id, entry_id)
        partners = ", ".join(journal.spaces(self.svc, vs).get(space_id, []))
        return f"Shared this one entry with **{render.name(partners)}**."

    # -- wiring -----------------------------------------------------------------------------------

    def build(self, demo: Any, unlocked: Any, region: Any) -> None:  # noqa: C901, PLR0915  (one tab's wiring)
        """The tab's components. `unlocked` is the page's gr.State of the open journal; `region`
        its region picker (which resources are shown). Leaves `clear_outs`/`cleared` (what a
        locked journal shows) and the profile pickers for the tabs that lock or list profiles."""
        svc, ses, lan = self.svc, self.sessions, self.sessions.lan
        settings = svc.settings
        private: dict[str, Any] = {"api_visibility": "private"}
        with gr.Tab("Journal", id="journal"):
            gr.Markdown(
                "One journal is open per browser window. Switching profile locks the open one; "
                "the other profile asks for its own passphrase.",
                elem_classes=["hearth-note"],
            )
            with gr.Row():
                profile = gr.Dropdown(label="Profile", choices=[], value=None, elem_id="profile")
                passphrase = gr.Textbox(label="Passphrase", type="password", elem_id="passphrase")
                unlock_btn = gr.Button("Unlock", elem_id="unlock")
                lock_btn = gr.Button("Lock now", elem_id="lock")
            with gr.Accordion("Create a new profile", open=False, elem_id="create-accordion", visible=not lan):
                new_name = gr.Textbox(label="Profile name (letters, digits, spaces)", elem_id="new-name")
                new_pw = gr.Textbox(label="Passphrase (8 characters or more)", type="password", elem_id="new-pw")
                new_pw2 = gr.Textbox(label="Repeat the passphrase", type="password", elem_id="new-pw2")
                create_btn = gr.Button("Create profile", elem_id="create")
            status = gr.Markdown("Locked.", elem_id="journal-status")
            # A new profile's recovery key is its own step: the panel alone, the journal below it
            # hidden until "I've saved it", which empties the panel (the key is in no gr.State).
            with gr.Column(visible=False, variant="panel", elem_id="recovery-panel") as recovery_panel:
                recovery = gr.HTML(elem_id="recovery-key")
                with gr.Row():
                    key_file_btn = gr.Button("Download as a text file", elem_id="key-download")
                    key_saved_btn = gr.Button("I've saved it", variant="primary", elem_id="key-saved")

            with gr.Column(elem_id="journal-body") as body:
                gr.Markdown("## Write", elem_id="write-heading")
                with gr.Row():
                    title = gr.Textbox(
                        label="Title (optional)", max_length=journal.MAX_TITLE_CHARS, elem_id="entry-title"
                    )
                    mood = gr.Dropdown(label="Mood (optional)", choices=[("none", ""), *[(m, m) for m in MOODS]],
                                       value="", elem_id="entry-mood")  # fmt: skip
                    tags = gr.Textbox(label="Tags (optional, separated by commas)", elem_id="entry-tags")
                entry_text = gr.Textbox(
                    label=f"Write an entry (up to {MAX_ENTRY_CHARS:,} characters)", lines=5, elem_id="entry-text"
                )
                editing = gr.State(None)  # the id of the entry being edited, or None for a new one
                with gr.Row():
                    save_btn = gr.Button("Save and reflect", variant="primary", elem_id="save-entry")
                    cancel_btn = gr.Button("Cancel editing", visible=False, elem_id="cancel-edit")

                gr.Markdown("## Your entries")
                search = gr.Textbox(label="Search your entries (words, #tag or mood)", elem_id="entry-search")
                count = gr.Markdown(elem_id="entry-count")
                entries = gr.Radio(label="Entries, newest first", choices=[], elem_id="entries",
                                   elem_classes=["entry-cards"])  # fmt: skip

                entry_view = gr.HTML(elem_id="entry-view")
                with gr.Row():
                    edit_btn = gr.Button("Edit entry", elem_id="edit-entry")
                    delete_btn = gr.Button("Delete entry", elem_id="delete-entry")
                with gr.Row(visible=False, elem_id="delete-confirm") as confirm_row:
                    gr.Markdown("**Delete this entry?** You can undo it for a few seconds.")
                    confirm_yes = gr.Button("Yes, delete it", variant="stop", elem_id="delete-yes")
                    confirm_no = gr.Button("Keep it", elem_id="delete-no")
                held = gr.State(None)  # a deleted entry, for undo (server memory, this browser only)
                with gr.Row(visible=False, elem_id="undo-row") as undo_row:
                    gr.Markdown("Entry deleted.")
                    undo_btn = gr.Button("Undo", elem_id="undo-delete")
                analysis = gr.HTML(elem_id="analysis")
                article_pick = gr.Dropdown(label="Read what Hearth suggested", choices=[], elem_id="journal-article")
                article_view = gr.Markdown(elem_id="journal-article-view")
                with gr.Row():  # feedback on one finding of the opened entry (journal/calibration.py)
                    fb_label = gr.Dropdown(label="A finding in the opened entry", choices=[], elem_id="fb-label")
                    fits_btn = gr.Button("This fits", elem_id="fb-fits")
                    nofit_btn = gr.Button("This doesn't fit", elem_id="fb-doesnt-fit")
                    fb_reset = gr.Button("Reset what Hearth learned from my marks", elem_id="fb-reset")
                fb_status = gr.Markdown(elem_id="fb-status")
                with gr.Accordion(
                    "Shared space (both partners must agree)", open=False, elem_id="space-accordion", visible=not lan
                ):
                    gr.Markdown(
                        "A shared space opens when both partners agree: your journal is unlocked here, "
                        "your partner types their own passphrase once (it is used to open the space and "
                        "then forgotten). Only entries you share one by one appear there."
                    )
                    partner_b = gr.Dropdown(label="Partner's profile", choices=[], elem_id="partner")
                    partner_pw = gr.Textbox(label="Partner's passphrase", type="password", elem_id="partner-pw")
                    agree_a = gr.Checkbox(label="I agree to open a shared space", elem_id="agree-a")
                    agree_b = gr.Checkbox(label="My partner agrees to open a shared space", elem_id="agree-b")
                    space_btn = gr.Button("Open shared space", elem_id="open-space")
                    space_pick = gr.Dropdown(label="Shared space", choices=[], elem_id="space-pick")
                    share_btn = gr.Button("Share the selected entry in this space", elem_id="share")
                    space_status = gr.Markdown(elem_id="space-status")
                    space_view = gr.HTML(elem_id="space-view")

        def err(exc: Exception) -> str:
            return f"**{render.md_text(str(exc))}**"

        # What a locked journal shows: every output of clear_outs emptied, in that order. Lock
        # clears all of it: the draft and the editor, the list, the opened entry, the recovery
        # key (and its step), a deleted entry held for undo, the search words.
        no_choices = gr.update(choices=[], value=None)
        hidden = gr.update(visible=False)
        blank: dict[Any, Any] = {
            unlocked: None, status: "Locked.", recovery: "", recovery_panel: hidden, body: gr.update(visible=True),
            entries: no_choices,
            count: "", entry_view: "", analysis: "", entry_text: "", title: "", mood: "", tags: "", search: "",
            editing: None, save_btn: gr.update(value="Save and reflect"), cancel_btn: hidden, held: None,
            undo_row: hidden, confirm_row: hidden, article_pick: no_choices, article_view: "", fb_label: no_choices,
            fb_status: "", space_pick: no_choices, space_view: "", space_status: "", passphrase: "",
        }  # fmt: skip
        self.clear_outs = list(blank)
        self.cleared: tuple[Any, ...] = tuple(blank.values())
        self.profile, self.partner_b = profile, partner_b
        keep = [gr.update()] * (len(self.clear_outs) - 1)

        def shown(vs: VaultSession, query: str = "", value: str | None = None) -> tuple[Any, str]:
            choices, note = self.cards(vs, query)
            return gr.update(choices=choices, value=value), note

        def opened_outs(o: Opened | None) -> tuple[Any, ...]:
            """entry_view, analysis, fb_label, article_pick, article_view"""
            if o is None:
                return "", "", no_choices, no_choices, ""
            return (o.entry_html, o.analysis_html, gr.update(choices=o.findings, value=None),
                    gr.update(choices=o.articles, value=None), "")  # fmt: skip

        def unlocked_outs(new: Unlocked, msg: str, key: str | None = None) -> tuple[Any, ...]:
            vs = new.vault
            listing, note = shown(vs)
            out = {**blank, unlocked: new, status: msg, entries: listing, count: note,
                   space_pick: gr.update(choices=self.space_choices(vs), value=None)}  # fmt: skip
            if key:  # the recovery key's step: its panel alone until "I've saved it"
                out[recovery], out[recovery_panel], out[body] = self.recovery_html(key), gr.update(visible=True), hidden
            return tuple(out.values())

        def refresh_profiles(state: Unlocked | None, request: gr.Request) -> tuple:
            names = ses.profiles(request)
            current = state.name if state is not None and not state.vault.locked else (names[0] if names else None)
            return gr.update(choices=names, value=current), gr.update(choices=[] if lan else names, value=None)

        demo.load(refresh_profiles, unlocked, [profile, partner_b], **private)

        def do_unlock(name: str | None, pw: str, state: Unlocked | None, request: gr.Request) -> tuple:
            ses.lock(state, request)
            try:
                if not name:
                    raise HearthError("choose a profile, or create one below")
                if lan and name != ses.account(request):
                    raise HearthError("you can open only the profile you logged in as")
                vs = journal.unlock(svc, name, pw, client=ses.client(request), hide_missing=True)
                return unlocked_outs(ses.open(vs, request), f"Unlocked **{render.name(vs.name)}**.")
            except HearthError as exc:
                return (self.cleared[0], err(exc), *self.cleared[2:])

        unlock_btn.click(do_unlock, [profile, passphrase, unlocked], self.clear_outs, **private)
        passphrase.submit(do_unlock, [profile, passphrase, unlocked], self.clear_outs, **private)

        def do_create(name: str, pw: str, pw2: str, state: Unlocked | None, request: gr.Request) -> tuple:
            ses.lock(state, request)
            try:
                if lan:
                    raise HearthError("in a workshop, profiles come from the facilitator or an enrol code")
                if pw != pw2:
                    raise HearthError("the two passphrases differ; nothing was created")
                key = journal.init_profile(svc, name or "", pw)
                vs = journal.unlock(svc, name.strip(), pw, client=ses.client(request))
                names = ses.profiles(request)
                msg = f"Created and unlocked **{render.name(vs.name)}**."
                if settings.session_mode:  # a throwaway profile: a key to it would outlive it
                    msg += " Session mode: no recovery key; this profile disappears when the session ends."
                outs = unlocked_outs(ses.open(vs, request), msg, None if settings.session_mode else key)
                return (*outs, "", "", "", gr.update(choices=names, value=vs.name),
                        gr.update(choices=names, value=None))  # fmt: skip
            except HearthError as exc:
                return (self.cleared[0], err(exc), *self.cleared[2:], "", "", "", gr.update(), gr.update())

        create_btn.click(do_create, [new_name, new_pw, new_pw2, unlocked],
                         [*self.clear_outs, new_name, new_pw, new_pw2, profile, partner_b], **private)  # fmt: skip

        def do_key_saved() -> tuple:
            # The key leaves the page (the component's value too, not only the view) and the
            # journal it belongs to takes its place.
            return "", hidden, gr.update(visible=True), "Recovery key cleared from the screen. Your journal is open."

        key_saved_btn.click(do_key_saved, None, [recovery, recovery_panel, body, status], **private)
        # The file is made in the browser from the text on screen: the key never passes through
        # the server again, and no copy lands in Gradio's temp folder on disk.
        key_file_btn.click(None, js=KEY_FILE_JS, **private)

        def do_lock(state: Unlocked | None, request: gr.Request) -> tuple:
            ses.lock(state, request)
            return self.cleared

        lock_btn.click(do_lock, unlocked, self.clear_outs, **private)

        def on_profile_change(name: str | None, state: Unlocked | None, request: gr.Request) -> tuple:
            # Switching profile never shows another profile's data: the open one locks.
            if state is not None and state.name != name:
                ses.lock(state, request)
                return self.cleared
            return (state, *keep)

        profile.change(on_profile_change, [profile, unlocked], self.clear_outs, **private)

        save_outs = [entry_text, title, mood, tags, editing, save_btn, cancel_btn, entry_view, analysis, fb_label,
                     article_pick, article_view, entries, count, search, status]  # fmt: skip

        def do_save(text: str, ttl: str, md: str | None, tg: str, edit_id: str | None, where: str | None,
                    state: Unlocked | None, request: gr.Request, progress: Any = gr.Progress()) -> tuple:  # fmt: skip
            try:
                vs = ses.need(state, request)
                progress(0.2, desc="Reading your entry on this device")
                o, msg = self.save(vs, text, ttl, md, tg, edit_id, where)
                listing, note = shown(vs, "", o.entry_id)
                return ("", "", "", "", None, gr.update(value="Save and reflect"), gr.update(visible=False),
                        *opened_outs(o), listing, note, "", msg)  # fmt: skip
            except HearthError as exc:  # what was typed stays in the boxes
                return (*[gr.update()] * (len(save_outs) - 1), err(exc))

        save_btn.click(do_save, [entry_text, title, mood, tags, editing, region, unlocked], save_outs, **private)

        def do_open(entry_id: str | None, where: str | None, state: Unlocked | None, request: gr.Request) -> tuple:
            if not entry_id:
                return opened_outs(None)
            try:
                return opened_outs(self.open(ses.need(state, request), entry_id, where))
            except HearthError as exc:
                return (text_html(str(exc)), "", no_choices, no_choices, "")

        open_outs = [entry_view, analysis, fb_label, article_pick, article_view]
        entries.input(do_open, [entries, region, unlocked], open_outs, **private)
        region.change(do_open, [entries, region, unlocked], open_outs, **private)

        def do_search(query: str, state: Unlocked | None, request: gr.Request) -> tuple:
            try:
                return shown(ses.need(state, request), query)
            except HearthError as exc:
                return no_choices, err(exc)

        search.submit(do_search, [search, unlocked], [entries, count], **private)
        search.input(do_search, [search, unlocked], [entries, count], **private)
        article_pick.change(self.article_md, article_pick, article_view, **private)

        def do_edit(entry_id: str | None, state: Unlocked | None, request: gr.Request) -> tuple:
            try:
                if not entry_id:
                    raise UsageError("open an entry first")
                text, ttl, md, tg = self.editable(ses.need(state, request), entry_id)
                msg = "Editing: saving reads the entry again and replaces the old version."
                return (text, ttl, md if md in MOODS else "", tg, entry_id, gr.update(value="Save changes"),
                        gr.update(visible=True), msg)  # fmt: skip
            except HearthError as exc:
                return (*[gr.update()] * 7, err(exc))

        edit_btn.click(do_edit, [entries, unlocked],
                       [entry_text, title, mood, tags, editing, save_btn, cancel_btn, status], **private)  # fmt: skip
        cancel_btn.click(
            lambda: ("", "", "", "", None, gr.update(value="Save and reflect"), gr.update(visible=False), ""),
            None, [entry_text, title, mood, tags, editing, save_btn, cancel_btn, status], **private,
        )  # fmt: skip

        delete_btn.click(lambda e: gr.update(visible=bool(e)), entries, confirm_row, **private)
        confirm_no.click(lambda: gr.update(visible=False), None, confirm_row, **private)

        def do_delete(entry_id: str | None, query: str, state: Unlocked | None, request: gr.Request) -> tuple:
            try:
                vs = ses.need(state, request)
                h = self.delete(vs, entry_id)
                listing, note = shown(vs, query)
                return (gr.update(visible=False), h, gr.update(visible=True), listing, note, *opened_outs(None),
                        self.deleted_status(h))  # fmt: skip
            except HearthError as exc:
                return (gr.update(visible=False), None, gr.update(), gr.update(), gr.update(), *[gr.update()] * 5,
                        err(exc))  # fmt: skip

        confirm_yes.click(do_delete, [entries, search, unlocked],
                          [confirm_row, held, undo_row, entries, count, *open_outs, status], **private)  # fmt: skip

        def do_undo(h: Held | None, where: str | None, state: Unlocked | None, request: gr.Request) -> tuple:
            try:
                vs = ses.need(state, request)
                back = self.undo(vs, h)
                listing, note = shown(vs, "", back.id)
                return (None, gr.update(visible=False), listing, note, "", *opened_outs(self.open(vs, back.id, where)),
                        "The entry is back.")  # fmt: skip
            except HearthError as exc:
                return (None, gr.update(visible=False), gr.update(), gr.update(), gr.update(), *[gr.update()] * 5,
                        err(exc))  # fmt: skip

        undo_btn.click(do_undo, [held, region, unlocked],
                       [held, undo_row, entries, count, search, *open_outs, status], **private)  # fmt: skip

        def marker(kind: str) -> Callable[..., str]:
            def handler(entry_id: str | None, label: str | None, state: Unlocked | None, request: gr.Request) -> str:
                try:
                    return self.mark(ses.need(state, request), entry_id, label, kind)
                except HearthError as exc:
                    return err(exc)

            return handler

        fits_btn.click(marker("fits"), [entries, fb_label, unlocked], [fb_status], **private)
        nofit_btn.click(marker("doesnt-fit"), [entries, fb_label, unlocked], [fb_status], **private)

        def do_fb_reset(state: Unlocked | None, request: gr.Request) -> str:
            try:
                return self.reset_marks(ses.need(state, request))
            except HearthError as exc:
                return err(exc)

        fb_reset.click(do_fb_reset, [unlocked], [fb_status], **private)

        def do_space(partner: str | None, ppw: str, ok_a: bool, ok_b: bool, state: Unlocked | None,
                     request: gr.Request) -> tuple:  # fmt: skip
            try:
                vs = ses.need(state, request)
                space = self.open_space(vs, partner, ppw, ok_a and ok_b, ses.client(request))
                return ("", gr.update(choices=self.space_choices(vs), value=space),
                        f"Shared space open for **{render.name(vs.name)}** and **{render.name(partner or '')}**.",
                        self.space_html(vs, space))  # fmt: skip
            except HearthError as exc:
                return "", gr.update(), err(exc), ""

        space_btn.click(do_space, [partner_b, partner_pw, agree_a, agree_b, unlocked],
                        [partner_pw, space_pick, space_status, space_view], **private)  # fmt: skip

        def do_show_space(space_id: str | None, state: Unlocked | None, request: gr.Request) -> str:
            try:
                return self.space_html(ses.need(state, request), space_id) if space_id else ""
            except HearthError as exc:
                return text_html(str(exc))

        space_pick.change(do_show_space, [space_pick, unlocked], space_view, **private)

        def do_share(space_id: str | None, entry_id: str | None, state: Unlocked | None,
                     request: gr.Request) -> tuple:  # fmt: skip
            try:
                vs = ses.need(state, request)
                return self.share(vs, space_id, entry_id), self.space_html(vs, space_id or "")
            except HearthError as exc:
                return err(exc), gr.update()

        share_btn.click(do_share, [space_pick, entries, unlocked], [space_status, space_view], **private)

        def idle_check(state: Unlocked | None, h: Held | None) -> tuple:
            if state is not None and state.vault.locked:
                return tuple({**blank, status: "Locked after a quiet while."}.values())
            out: dict[Any, Any] = dict.fromkeys(self.clear_outs, gr.update())
            out[unlocked] = state
            if self.expired(h):  # the held plaintext leaves memory once the undo window has passed
                out[held], out[undo_row] = None, hidden
            return tuple(out.values())

        # One timer for both (each tick is a request per open page).
        gr.Timer(30).tick(idle_check, [unlocked, held], self.clear_outs, **private)
