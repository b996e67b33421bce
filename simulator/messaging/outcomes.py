"""What happens to a sent message: chosen, not random.

- AWS's destination simulator numbers behave as AWS says: per country one number
  succeeds and one fails [doc: test-phone-numbers.html; obs: public projects]. The table
  (25 countries) is messaging/simulator_numbers.py, the one place it is kept.
- Any other destination succeeds, unless a rule says otherwise: `set_outcome(pattern,
  outcome, share=1.0)` — later rules win; `share` below 1 makes that share of matching
  messages take the outcome (drawn from the simulator's seed), the way faults do.

An outcome names the message's last event: `TEXT_DELIVERED` (the default for text:
SUCCESSFUL, then DELIVERED), `TEXT_SUCCESSFUL` (stops there), any failure type of the
channel (`TEXT_BLOCKED`, `VOICE_BUSY`, ...), `TEXT_UNKNOWN` (handed off, no receipt:
UNKNOWN 72 h after the request), or `WITHHELD` (never handed off: the TimeToLive
expires, `*_TTL_EXPIRED`). A text outcome does not touch voice, media or RCS messages.

RCS [inf]: `RCS_DELIVERED` (the default: SENT, then DELIVERED), `RCS_READ` (SENT,
DELIVERED, READ), `RCS_FAILED` or `RCS_FALLEN_BACK_TO_SMS` (the RCS delivery fails: a
send with a FallbackConfiguration falls back, one without fails; either name means
both), `RCS_PROTECT_BLOCKED`, `RCS_TTL_EXPIRED`.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

from ..wire import model
from .simulator_numbers import FAILURE_NUMBERS, SIMULATOR_NUMBERS

# [inf] AWS does not document which failure the failure number emits ("Only ONE failure
# number and its emitted TEXT_* subtype is UNDOCUMENTED" [obs]); BLOCKED is the
# failure AWS's own examples show. Voice and media follow the same choice.
# RCS has one failure type, RCS_FAILED [model].
SIMULATOR_FAILURE = {"TEXT": "TEXT_BLOCKED", "VOICE": "VOICE_FAILED", "MEDIA": "MEDIA_BLOCKED",
                     "RCS": "RCS_FAILED"}
# [inf] RCS succeeds with DELIVERED: a read receipt is the recipient's act (and setting), so
# RCS_READ is an outcome a rule asks for.
SUCCESS = {"TEXT": "TEXT_DELIVERED", "VOICE": "VOICE_COMPLETED", "MEDIA": "MEDIA_DELIVERED",
           "RCS": "RCS_DELIVERED"}

WITHHELD = "WITHHELD"
# Event types that are not a message's last event: the groups, the steps on the way, and
# TEXT_SENT (the model: "not supported"; RCS_SENT is RCS's hand-off to the RCS platform).
_ON_THE_WAY = frozenset({"ALL", "SENT", "QUEUED", "PENDING", "INITIATED", "RINGING", "ANSWERED"})


def last_events(channel: str) -> tuple[str, ...]:
    """The model's event types of `channel` a message can end with, in the model's order:
    the success paths and every failure."""
    return tuple(t for t in model.enum_values("EventType")
                 if t.startswith(channel + "_") and t.split("_", 1)[1] not in _ON_THE_WAY)


@functools.cache
def final_outcomes() -> dict[str, frozenset[str]]:
    """Final outcomes a rule may name, per channel (the installed model's event types)."""
    return {channel: frozenset(last_events(channel)) for channel in SUCCESS}


_PATTERN = re.compile(r"^\+?[0-9.?*]{1,16}$")


def channel_of(outcome: str) -> str | None:
    """The channel an outcome belongs to; None for WITHHELD (every channel)."""
    for channel, names in final_outcomes().items():
        if outcome in names:
            return channel
    return None


@dataclass(frozen=True)
class Rule:
    pattern: str
    outcome: str
    share: float
    regex: re.Pattern

    def as_dict(self) -> dict:
        return {"destination": self.pattern, "outcome": self.outcome, "share": self.share}


def _compile(pattern: str) -> re.Pattern:
    """`+14255550100` exact; `*` any run of digits; `.` or `?` one digit."""
    body = "".join(".*" if c == "*" else "." if c in ".?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$")


class Outcomes:
    """The rules of one simulator (every account and region)."""

    def __init__(self, seed: int | None = None):
        self.rules: list[Rule] = []
        self._rng = random.Random(seed)

    def set(self, pattern: str, outcome: str, share: float = 1.0) -> Rule:
        """Make messages to `pattern` end in `outcome` (see the module doc). Raises
        ValueError for a pattern, outcome or share that means nothing."""
        if not isinstance(pattern, str) or not _PATTERN.match(pattern):
            raise ValueError(f"destination {pattern!r}: use an E.164 number, with `*` for any digits "
                             "and `.` or `?` for one digit")
        if outcome != WITHHELD and channel_of(outcome) is None:
            known = sorted(set().union(*final_outcomes().values()) | {WITHHELD})
            raise ValueError(f"outcome {outcome!r}: use one of {', '.join(known)}")
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise ValueError(f"share {share!r}: a number in (0, 1]")
        rule = Rule(pattern, outcome, float(share), _compile(pattern))
        self.rules = [r for r in self.rules if (r.pattern, channel_of(r.outcome)) !=
                      (pattern, channel_of(outcome))] + [rule]
        return rule

    def clear(self) -> None:
        self.rules = []

    def choose(self, channel: str, destination: str) -> str:
        """The outcome a new message to `destination` gets."""
        for rule in reversed(self.rules):
            if channel_of(rule.outcome) not in (None, channel) or not rule.regex.match(destination):
                continue
            if rule.share >= 1 or self._rng.random() < rule.share:
                return rule.outcome
        if destination in FAILURE_NUMBERS:
            return SIMULATOR_FAILURE[channel]
        return SUCCESS[channel]

    def view(self) -> dict:
        return {"rules": [r.as_dict() for r in self.rules],
                "simulatorNumbers": {iso: {"success": ok, "failure": bad}
                                     for iso, (ok, bad) in SIMULATOR_NUMBERS.items()}}

