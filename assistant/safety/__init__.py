"""Danger first: crisis and abuse screening that runs before any model call.

- signs.py: the map of warning signs (knowledge/safety/signs.yaml)
- rules.py: a short list of unmistakable phrases (knowledge/safety/rules.yaml)
- detector.py + train.py: the learned detector over the bundled embedder (whole text, sentences)
- screen.py: the one decision (rules united with the detector), for a text or a conversation
- responses.py: the answers and their resources
- text.py: the sentence splitter and negation helper shared with journal/cues.py

`screen(text)` is the rules alone (no embedder); the coach and the journal use the Detector that
Services builds (`services.detector`), whose `screen` is the full decision.
"""

from assistant.safety.responses import (
    PATTERN_ARTICLES,
    Resource,
    Resources,
    abuse_response,
    concern_response,
    crisis_response,
    load_resources,
    respond,
)
from assistant.safety.screen import ConversationVerdict, Cue, Level, SafetyResult, screen, screen_conversation
from assistant.safety.signs import Sign, SignMap, load_signs
from assistant.safety.text import negated, sentences

__all__ = [
    "PATTERN_ARTICLES",
    "ConversationVerdict",
    "Cue",
    "Level",
    "Resource",
    "Resources",
    "SafetyResult",
    "Sign",
    "SignMap",
    "abuse_response",
    "concern_response",
    "crisis_response",
    "load_resources",
    "load_signs",
    "negated",
    "respond",
    "screen",
    "screen_conversation",
    "sentences",
]
