"""Which journal a browser session has open, checked on the server for every call.

Shared by every tab: the Journal tab unlocks, the others (Together, Insights, Privacy) ask for
the caller's own unlocked profile through `need`. Nothing here is written to disk."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import gradio as gr  # at module level: `gr.Request` annotations must resolve

from assistant.errors import HearthError
from assistant.journal.vault import VaultSession
from assistant.services import Services
from ui.guard import client_id


@dataclass
class Unlocked:
    """A browser session's open journal, bound to that browser's secret cookie."""

    client: str
    vault: VaultSession

    @property
    def name(self) -> str:
        return self.vault.name


def lock_value(value: Any) -> None:
    """gr.State's delete callback: an expired state locks its journal."""
    if isinstance(value, Unlocked):
        value.vault.lock()


class Sessions:
    """The checks every handler runs; `live` lets the unload hook lock a tab that closed."""

    def __init__(self, svc: Services, lan: bool = False) -> None:
        self.svc = svc
        self.lan = lan
        self.live: dict[str, Unlocked] = {}

    def client(self, request: gr.Request | None) -> str:
        cid = client_id(dict(request.headers)) if request is not None else None
        if not cid:
            raise HearthError("this browser has no Hearth session cookie; reload the page")
        return cid

    def account(self, request: gr.Request | None) -> str:
        """On a LAN: the profile this request logged in as (Gradio's auth token)."""
        user = getattr(request, "username", None) if request is not None else None
        if not user:
            raise HearthError("log in first")
        return str(user)

    def need(self, state: Unlocked | None, request: gr.Request | None) -> VaultSession:
        """The caller's own unlocked journal, checked on the server for every call."""
        if state is None or state.vault.locked:
            raise HearthError("the journal is locked; unlock it first")
        if not secrets.compare_digest(state.client, self.client(request)):
            raise HearthError("this journal was unlocked in another browser; unlock it here")
        if self.lan and state.name != self.account(request):
            raise HearthError("this journal belongs to another login; log in as its owner")
        return state.vault

    def profiles(self, request: gr.Request | None = None) -> list[str]:
        if self.lan:  # a participant never sees the other participants' names
            try:
                return [self.account(request)]
            except HearthError:
                return []
        try:
            return self.svc.vaults.profiles()
        except HearthError:
            return []

    def open(self, vs: VaultSession, request: gr.Request | None) -> Unlocked:
        new = Unlocked(self.client(request), vs)
        self.live[(request.session_hash if request is not None else None) or ""] = new
        return new

    def lock(self, state: Unlocked | None, request: gr.Request | None = None) -> None:
        if state is not None:
            state.vault.lock()
        if request is not None and request.session_hash:
            self.live.pop(request.session_hash, None)

    def closed(self, session_hash: str) -> None:
        gone = self.live.pop(session_hash, None)
        if gone is not None:
            gone.vault.lock()
