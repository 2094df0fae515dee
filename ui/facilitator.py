"""The facilitator's tab: the workshop's counts, shown only to the facilitator's login.

The tab is hidden for everyone else, and the handler checks the login on the server, so a
participant who calls the event by hand gets nothing either. Only numbers cross: no names,
no questions, no entries (they come from assistant/workshop/counts.py, which holds none)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.workshop.counts import Activity
from assistant.workshop.service import counts

if TYPE_CHECKING:
    from assistant.services import Services

NOT_YOURS = "Only the facilitator sees the workshop's counts."


def facilitator_view(svc: Services, activity: Activity, queue_length: int, account: str | None) -> str:
    if not svc.roster.is_facilitator(account):
        return NOT_YOURS
    return counts(svc, activity, queue_length).markdown()


def add_facilitator_tab(demo: Any, svc: Services, activity: Activity, private: dict[str, Any]) -> None:
    def queue_length() -> int:
        queue = getattr(demo, "_queue", None)  # Gradio's queue: len() is the events waiting
        return len(queue) if queue is not None else 0

    with gr.Tab("Workshop", id="workshop", visible=False) as tab:
        view = gr.Markdown(elem_id="workshop-counts")
        refresh = gr.Button("Refresh the counts", elem_id="workshop-refresh")

    def on_load(request: gr.Request) -> tuple:
        account = getattr(request, "username", None)
        if account:
            activity.opened(request.session_hash or "", str(account))
        shown = svc.roster.is_facilitator(account)
        return gr.update(visible=shown), facilitator_view(svc, activity, queue_length(), account) if shown else ""

    def on_refresh(request: gr.Request) -> str:
        return facilitator_view(svc, activity, queue_length(), getattr(request, "username", None))

    demo.load(on_load, None, [tab, view], **private)
    refresh.click(on_refresh, None, view, **private)
