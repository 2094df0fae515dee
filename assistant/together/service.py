"""What the CLI and the UI call for Together: one method per user action.

A couple is a shared space of the journal vault (created with both passphrases, as the Journal's
shared space is). `link` records the space as "my partner" in each profile; every other method
takes the unlocked session of the person acting, and only ever opens what that person may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import HearthError, UsageError, VaultError
from assistant.together import daily, memory
from assistant.together import plan as plans
from assistant.together import quizzes as quiz_mod
from assistant.together import rituals as rit
from assistant.together.deck import Deck
from assistant.together.store import TogetherStore, subkey

if TYPE_CHECKING:
    from assistant.journal.vault import VaultSession, VaultStore
    from assistant.safety import Resources, SafetyResult


@dataclass(frozen=True)
class Couple:
    space_id: str
    partner: str  # the partner's profile name (clear metadata in the vault)


@dataclass
class Answered:
    day: str
    withheld: bool  # the safety screen kept this answer from the partner
    safety: str | None = None  # the answer shown to the writer (with resources) when withheld
    today: daily.Today | None = None
    suggestions: list[memory.Suggestion] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "withheld": self.withheld,
            "safety": self.safety,
            "note": daily.WITHHELD_NOTE if self.withheld else None,
            "today": self.today.as_json() if self.today else None,
            "suggestions": [s.prompt for s in self.suggestions or []],
        }


class TogetherService:
    def __init__(
        self,
        vaults: VaultStore,
        store: TogetherStore,
        knowledge_dir: Path,
        screen: Callable[[str], SafetyResult],
        resources: Resources,
        region: str = "all",
        clock: Callable[[], date] = date.today,
    ) -> None:
        self.vaults = vaults
        self.store = store
        self.knowledge_dir = knowledge_dir
        self.screen = screen
        self.resources = resources
        self.region = region
        self.clock = clock  # the local calendar day: the question changes at local midnight

    @cached_property
    def deck(self) -> Deck:
        return Deck.load(self.knowledge_dir)

    # -- keys ---------------------------------------------------------------------------------

    def _mine_key(self, session: VaultSession) -> bytes:
        return subkey(session.key(), "profile")

    def _ours_key(self, session: VaultSession, space_id: str) -> bytes:
        return subkey(self.vaults.space_key(session, space_id), "space")

    # -- the couple ---------------------------------------------------------------------------

    def link(self, a: VaultSession, b: VaultSession) -> Couple:
        """Both partners present (both unlocked): reuse their shared space or create one, and
        record it in each profile as the couple Together works with."""
        if a.profile_id == b.profile_id:
            raise UsageError("linking needs two different profiles")
        existing = [sid for sid, names in self.vaults.space_partners(a).items() if names == [b.name]]
        space_id = existing[0] if existing else self.vaults.create_space(a, b)
        for s in (a, b):
            key = self._mine_key(s)
            for rec in self.store.all("mine", key, s.profile_id, "link"):
                self.store.delete("mine", s.profile_id, "link", rec.id)
            self.store.put("mine", key, s.profile_id, "link", {"space": space_id})
        return Couple(space_id, b.name)

    def forget_profile(self, session: VaultSession) -> None:
        """Before a profile is deleted: its answers, memory, quiz results (shared ones too) go."""
        try:
            couple = self.couple(session)
        except HearthError:
            couple = None
        if couple is not None:
            skey = self._ours_key(session, couple.space_id)
            for rec in self.store.all("ours", skey, couple.space_id, "quiz-shared"):
                if rec.data.get("author") == session.profile_id:
                    self.store.delete("ours", couple.space_id, "quiz-shared", rec.id)
        self.store.forget_profile(session.profile_id)

    def couple(self, session: VaultSession) -> Couple:
        links = self.store.all("mine", self._mine_key(session), session.profile_id, "link")
        if not links:
            raise UsageError(
                f"profile '{session.name}' is not linked to a partner yet: "
                f"run `hearth together link --profile {session.name} --partner NAME`"
            )
        space_id = str(links[-1].data["space"])
        partners = self.vaults.space_partners(session).get(space_id)
        if not partners:
            raise UsageError("your partner's profile is no longer in this vault; link with `hearth together link`")
        return Couple(space_id, partners[0])

    # -- the daily question -------------------------------------------------------------------

    def today(self, session: VaultSession, day: date | None = None) -> daily.Today:
        day = day or self.clock()
        couple = self.couple(session)
        iso = day.isoformat()
        question = self.deck.question_for(couple.space_id, day)
        mine_by_day = daily.my_answers(self.store, self._mine_key(session), session.profile_id, couple.space_id)
        mine_today = mine_by_day.get(iso, [])
        shared_mine = [a for a in mine_today if not a.get("withheld")]
        theirs = daily.partner_copy(self.store, self._ours_key(session, couple.space_id), couple.space_id, iso,
                                    session.profile_id)  # fmt: skip
        revealed = daily.reveal(mine_today, theirs)
        days_both = {d for d, who in self.store.answer_days(couple.space_id).items() if len(who) >= 2}
        together_days, run = daily.streak(days_both, day)
        return daily.Today(
            day=iso,
            question=question,
            partner=couple.partner,
            me_answered=bool(mine_today),
            partner_answered=theirs is not None,
            mine=str(shared_mine[-1]["text"]) if shared_mine else None,
            theirs=revealed,
            followup=self.deck.followup_for(couple.space_id, day, question) if revealed else None,
            withheld=[str(a["text"]) for a in mine_today if a.get("withheld")],
            together_days=together_days,
            run=run,
        )

    def answer(self, session: VaultSession, text: str, day: date | None = None) -> Answered:
        """Seal my answer; the partner's copy only when the safety screen finds nothing."""
        day = day or self.clock()
        text = daily.check_answer(text)
        couple = self.couple(session)
        iso = day.isoformat()
        mkey = self._mine_key(session)
        mine_today = daily.my_answers(self.store, mkey, session.profile_id, couple.space_id).get(iso, [])
        daily.require_new(mine_today)
        question = self.deck.question_for(couple.space_id, day)
        verdict = self.screen(text)
        withheld = verdict.level != "none"
        record = {"space": couple.space_id, "day": iso, "question": question.id, "text": text, "withheld": withheld}
        if withheld:
            from assistant.safety import respond

            # Only the writer's own copy: the partner's copy is never written (a partner may be
            # the danger), so nothing can reveal it later.
            self.store.put("mine", mkey, session.profile_id, "answer", record)
            safety = respond(text, verdict, self.resources, self.region, self.knowledge_dir)
            return Answered(iso, True, safety, self.today(session, day))
        # The shared copy first: if it fails (already answered), no private copy is left behind.
        self.store.add_answer(
            self._ours_key(session, couple.space_id), couple.space_id, iso, session.profile_id,
            {"question": question.id, "text": text, "author": session.name},
        )  # fmt: skip
        self.store.put("mine", mkey, session.profile_id, "answer", record)
        return Answered(iso, False, None, self.today(session, day), self.suggest_memory(session, text))

    def history(self, session: VaultSession) -> list[dict[str, Any]]:
        """Every day either of us answered, newest first; the partner's text only on days I answered."""
        couple = self.couple(session)
        skey = self._ours_key(session, couple.space_id)
        mine_by_day = daily.my_answers(self.store, self._mine_key(session), session.profile_id, couple.space_id)
        days = set(mine_by_day) | set(self.store.answer_days(couple.space_id))
        out = []
        for iso in sorted(days, reverse=True):
            mine = mine_by_day.get(iso, [])
            theirs = daily.partner_copy(self.store, skey, couple.space_id, iso, session.profile_id)
            question = self.deck.question_for(couple.space_id, date.fromisoformat(iso))
            shared = [a for a in mine if not a.get("withheld")]
            out.append(
                {
                    "day": iso,
                    "question": question.text,
                    "mine": str(shared[-1]["text"]) if shared else None,
                    "withheld": [str(a["text"]) for a in mine if a.get("withheld")],
                    "partner": couple.partner,
                    "partner_answered": theirs is not None,
                    "theirs": daily.reveal(mine, theirs),
                }
            )
        return out

    # -- memory ---------------------------------------------------------------------------------

    def memories(self, session: VaultSession) -> list[memory.Fact]:
        recs = self.store.all("mine", self._mine_key(session), session.profile_id, "memory")
        return [memory.Fact(r.id, str(r.data["kind"]), str(r.data["value"]), r.updated) for r in recs]

    def remember(self, session: VaultSession, kind: str, value: str) -> memory.Fact:
        kind, value = memory.check_fact(kind, value)
        rid = self.store.put(
            "mine", self._mine_key(session), session.profile_id, "memory", {"kind": kind, "value": value}
        )
        return memory.Fact(rid, kind, value)

    def edit_memory(self, session: VaultSession, fact_id: str, value: str, kind: str | None = None) -> memory.Fact:
        current = {f.id: f for f in self.memories(session)}
        if fact_id not in current:
            raise UsageError(f"no memory {fact_id} in profile '{session.name}'")
        kind, value = memory.check_fact(kind or current[fact_id].kind, value)
        self.store.put("mine", self._mine_key(session), session.profile_id, "memory",
                       {"kind": kind, "value": value}, rid=fact_id)  # fmt: skip
        return memory.Fact(fact_id, kind, value)

    def forget(self, session: VaultSession, fact_id: str) -> None:
        session.key()
        try:
            self.store.delete("mine", session.profile_id, "memory", fact_id)
        except VaultError as exc:
            raise UsageError(f"no memory {fact_id} in profile '{session.name}'") from exc

    def suggest_memory(self, session: VaultSession, text: str) -> list[memory.Suggestion]:
        return memory.suggest(text, self.memories(session))

    def accept(self, session: VaultSession, suggestion: memory.Suggestion) -> memory.Fact:
        """The explicit yes to a suggestion: the only way a suggested fact is stored."""
        return self.remember(session, suggestion.kind, suggestion.value)

    def personalise(self, session: VaultSession, answer_text: str) -> str:
        """An answer Hearth wrote, with the partner's name and context lines from the memory."""
        facts = self.memories(session)
        text = memory.personalise(answer_text, facts)
        lines = memory.context_lines(facts)
        return text + ("\n\n" + "\n".join(lines) if lines else "")

    # -- rituals --------------------------------------------------------------------------------

    @cached_property
    def ritual_kinds(self) -> dict[str, rit.RitualKind]:
        return rit.load_kinds(self.knowledge_dir)

    def rituals(self, session: VaultSession) -> list[rit.Ritual]:
        couple = self.couple(session)
        recs = self.store.all("ours", self._ours_key(session, couple.space_id), couple.space_id, "ritual")
        return [
            rit.Ritual(r.id, str(d["kind"]), str(d["title"]), str(d["day"]), str(d["time"]), int(d["minutes"]))
            for r in recs
            for d in (r.data,)
        ]

    def choose_ritual(
        self, session: VaultSession, kind: str, day: str | None = None, at: str | None = None
    ) -> rit.Ritual:
        """Add one of the rituals in knowledge/together/rituals.yaml, at its usual time or another."""
        if kind not in self.ritual_kinds:
            raise UsageError(f"unknown ritual '{kind}'; choose one of: {', '.join(self.ritual_kinds)}")
        k = self.ritual_kinds[kind]
        day = rit.check_day(day or k.day)
        at = rit.check_time(at or k.time)
        couple = self.couple(session)
        data = {"kind": kind, "title": k.title, "day": day, "time": at, "minutes": k.minutes}
        rid = self.store.put("ours", self._ours_key(session, couple.space_id), couple.space_id, "ritual", data)
        return rit.Ritual(rid, kind, k.title, day, at, k.minutes)

    def drop_ritual(self, session: VaultSession, ritual_id: str) -> None:
        couple = self.couple(session)
        try:
            self.store.delete("ours", couple.space_id, "ritual", ritual_id)
        except VaultError as exc:
            raise UsageError(f"no ritual {ritual_id} for this couple") from exc

    def due(self, session: VaultSession, now: datetime | None = None) -> list[rit.Due]:
        return rit.due(self.rituals(session), now or datetime.now())

    def export_ics(self, session: VaultSession, path: Path, now: datetime | None = None) -> int:
        chosen = self.rituals(session)
        if not chosen:
            raise UsageError("no rituals chosen yet; add one first (e.g. --add weekly-check-in)")
        data = rit.to_ics(
            chosen, self.ritual_kinds, now or datetime.now(), f"{session.name} and {self.couple(session).partner}"
        )
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
        return len(chosen)

    def checkin_guide(self) -> rit.RitualKind:
        """The guided weekly check-in (after the Gottmans' "state of the union" meeting)."""
        return self.ritual_kinds["weekly-check-in"]

    # -- quizzes and the plan ---------------------------------------------------------------------

    @cached_property
    def quizzes(self) -> dict[str, quiz_mod.Quiz]:
        return quiz_mod.load(self.knowledge_dir)

    def quiz(self, name: str) -> quiz_mod.Quiz:
        if name not in self.quizzes:
            raise UsageError(f"unknown quiz '{name}'; choose one of: {', '.join(self.quizzes)}")
        return self.quizzes[name]

    def _my_results(self, session: VaultSession) -> dict[str, dict[str, Any]]:
        """My latest result of each quiz."""
        recs = self.store.all("mine", self._mine_key(session), session.profile_id, "quiz")
        return {str(r.data["quiz"]): r.data for r in recs}

    def take_quiz(
        self, session: VaultSession, name: str, answers: list[int], guesses: list[int] | None = None, note: str = ""
    ) -> dict[str, Any]:
        """Score and keep my answers (sealed under my key); nothing is shared until share_quiz."""
        q = self.quiz(name)
        q.check(answers)
        if q.kind == "guess":
            if guesses is None:
                raise UsageError(f"the {name} quiz also needs your guesses of your partner's answers")
            q.check(guesses)
        safety = None
        note = (note or "").strip()
        withheld = False
        if note:
            verdict = self.screen(note)
            if verdict.level != "none":
                from assistant.safety import respond

                withheld = True  # the note stays with its writer, even if the result is shared
                safety = respond(note, verdict, self.resources, self.region, self.knowledge_dir)
        scores = quiz_mod.score(q, answers)
        record = {"quiz": name, "answers": answers, "guesses": guesses, "scores": scores, "note": note,
                  "note_withheld": withheld, "taken": self.clock().isoformat()}  # fmt: skip
        self.store.put("mine", self._mine_key(session), session.profile_id, "quiz", record)
        return {
            "quiz": name,
            "title": q.title,
            "draws_on": q.draws_on,
            "explanation": quiz_mod.explain(q, scores),
            "safety": safety,
            "note": daily.WITHHELD_NOTE if withheld else None,
        }

    def share_quiz(self, session: VaultSession, name: str) -> None:
        """My explicit agreement to compare this quiz with my partner (my latest result)."""
        mine = self._my_results(session).get(name)
        if mine is None:
            raise UsageError(f"take the {name} quiz first, then share it")
        couple = self.couple(session)
        skey = self._ours_key(session, couple.space_id)
        for rec in self.store.all("ours", skey, couple.space_id, "quiz-shared"):
            if rec.data["quiz"] == name and rec.data["author"] == session.profile_id:
                self.store.delete("ours", couple.space_id, "quiz-shared", rec.id)
        shared = {k: mine[k] for k in ("quiz", "answers", "guesses", "scores")}
        shared["note"] = "" if mine.get("note_withheld") else mine.get("note", "")
        self.store.put("ours", skey, couple.space_id, "quiz-shared", {**shared, "author": session.profile_id})

    def compare(self, session: VaultSession, name: str) -> dict[str, Any]:
        """Both results side by side, only when both partners chose to share this quiz."""
        q = self.quiz(name)
        couple = self.couple(session)
        shared = {
            r.data["author"]: r.data
            for r in self.store.all("ours", self._ours_key(session, couple.space_id), couple.space_id, "quiz-shared")
            if r.data["quiz"] == name
        }
        mine = shared.get(session.profile_id)
        theirs = next((d for a, d in shared.items() if a != session.profile_id), None)
        if mine is None or theirs is None:
            who = "you" if mine is None else couple.partner
            return {"quiz": name, "ready": False, "waiting_for": who}
        out: dict[str, Any] = {"quiz": name, "ready": True, "partner": couple.partner, "note": theirs.get("note", "")}
        if q.kind == "guess":
            out["my_guesses"] = quiz_mod.guess_match(q, mine["guesses"], theirs["answers"])
            out["their_guesses"] = quiz_mod.guess_match(q, theirs["guesses"], mine["answers"])
        else:
            out["dimensions"] = [
                {"dimension": d, "me": mine["scores"][d], "partner": theirs["scores"][d],
                 "me_band": quiz_mod.band(mine["scores"][d]), "partner_band": quiz_mod.band(theirs["scores"][d])}
                for d in q.dimensions
            ]  # fmt: skip
        return out

    def plan(self, session: VaultSession, start: date | None = None) -> list[dict[str, Any]]:
        """Two weeks of exercises from my results (and the shared comparison of the guess quiz)."""
        mine = self._my_results(session)
        if not mine:
            raise UsageError("take a quiz first: the plan is built from your results")
        picks: list[str] = []
        for name, result in mine.items():
            q = self.quiz(name)
            guess_band = None
            if q.kind == "guess":
                cmp = self.compare(session, name)
                guess_band = cmp["my_guesses"]["band"] if cmp.get("ready") else None
            picks += quiz_mod.exercises_for(q, result["scores"], guess_band)
        return plans.build(picks, plans.load_exercises(self.knowledge_dir), start or self.clock())
