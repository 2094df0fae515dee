"""A coaching conversation: turns, what was already said, and how a new message relates to them.

- state.py: `Conversation` and `Turn` (in memory, owned by the browser session or CLI process)
- intent.py: what kind of message this is (small talk, off-topic, "what else", "step 2", a choice)
- thread.py: the query an elliptical follow-up is retrieved on (the message leaning on the thread)
- longpost.py: the core question and situation of a long post
- clarify.py: when retrieval is torn, one short question with two or three choices
- reflect.py: the opening sentence built from the person's own words, and its check
"""

from assistant.conversation.state import Choice, Conversation, Turn

__all__ = ["Choice", "Conversation", "Turn"]
