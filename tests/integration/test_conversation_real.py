"""The conversation on the real bundled model, embedder, chromadb and detector."""

from __future__ import annotations

import pytest

from assistant.conversation import Conversation
from assistant.conversation.reflect import check

pytestmark = pytest.mark.slow
FIRST = "My partner goes silent whenever we argue and I feel shut out."
LONG_POST = (
    "Sorry, this is going to be long. My wife and I have been together for nine years and we have a "
    "daughter who just started school. We moved to a new city last year for my job, which was a big change "
    "for all of us, and we don't know many people yet. Most evenings we put our daughter to bed and then sit "
    "on opposite ends of the sofa on our phones. We used to stay up talking for hours. Is there a way to get "
    "that closeness back when we are both this tired? The weekends go on chores and the shopping, and by "
    "Sunday night we are both worn out. I still love her and I think she loves me, we just seem to have "
    "drifted into being flatmates who share a child."
)


def test_a_conversation_follows_its_thread_without_repeating(real_services) -> None:  # type: ignore[no-untyped-def]
    coach = real_services.coach
    conv = Conversation()
    first = coach.ask(FIRST, conversation=conv)
    assert first.kind == "answer" and "stonewalling-flooding" in first.retrieved[:3]
    assert first.reflection_source == "message" and check(first.text.splitlines()[0], FIRST, coach.embedder)
    follow = coach.ask("What should I say when it happens?", conversation=conv)
    assert follow.kind == "answer"
    assert {"stonewalling-flooding", "taking-a-break", "repair-attempts"} & set(follow.retrieved[:3])
    more = coach.ask("That didn't work, he just walked off. What else?", conversation=conv)
    assert more.kind == "more" and more.steps
    given = [s for t in conv.turns for s, _ in t.steps]
    assert len(given) == len(set(given))  # no step twice in the conversation
    detail = coach.ask("Tell me more about step 1", conversation=conv)
    assert detail.kind == "detail" and detail.citations[0].article_id == more.steps[0][1]
    assert detail.grounded_fraction == 1.0


def test_a_vague_message_is_clarified_and_the_choice_answered(real_services) -> None:  # type: ignore[no-untyped-def]
    coach = real_services.coach
    conv = Conversation()
    asked = coach.ask("We have problems.", conversation=conv)
    assert asked.kind == "clarify" and len(asked.choices) >= 2
    ans = coach.ask("2", conversation=conv)
    assert ans.kind == "answer" and ans.citations[0].article_id == asked.choices[1].article_id


def test_a_long_post_is_read_for_its_question(real_services) -> None:  # type: ignore[no-untyped-def]
    ans = real_services.coach.ask(LONG_POST, conversation=Conversation())
    assert ans.safety == "none"
    assert ans.focus == "Is there a way to get that closeness back when we are both this tired?"
    assert f'"{ans.focus}"' in ans.text
    on_topic = {
        "loneliness-in-relationship",
        "bids-for-connection",
        "quality-time-busy-couples",
        "rituals-of-connection",
    }
    assert on_topic & set(ans.retrieved[:3])


def test_danger_in_an_earlier_turn_routes_every_later_one(real_services) -> None:  # type: ignore[no-untyped-def]
    coach = real_services.coach
    conv = Conversation()
    first = coach.ask("He checks my phone every night and I'm scared of what he'll do if I leave.", conversation=conv)
    assert first.safety != "none"
    assert coach.ask("Should I break up with him?", conversation=conv).safety != "none"
