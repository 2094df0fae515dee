"""What the facilitator sees: numbers only. Built from counts, never from text or names, so the
view cannot leak what anyone wrote or asked even by mistake."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    participants: int
    logged_in: int
    questions: int
    queue: int

    def markdown(self) -> str:
        return (
            f"**Participants:** {self.participants}  \n"
            f"**Logged in now:** {self.logged_in}  \n"
            f"**Questions asked since start:** {self.questions}  \n"
            f"**Waiting in the queue:** {self.queue}"
        )


class Activity:
    """Live tallies the web app keeps: open pages per account and questions asked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[str, str] = {}  # Gradio session hash -> account
        self.questions = 0

    def opened(self, session: str, account: str) -> None:
        with self._lock:
            self._pages[session] = account

    def closed(self, session: str) -> None:
        with self._lock:
            self._pages.pop(session, None)

    def asked(self) -> None:
        with self._lock:
            self.questions += 1

    def logged_in(self) -> int:
        with self._lock:
            return len(set(self._pages.values()))
