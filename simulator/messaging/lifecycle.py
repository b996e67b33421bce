"""Sent messages as `transitions` machines on the simulator's clock.

A message starts QUEUED (silent) and moves, step by step, to the last event its
outcome names (outcomes.py): text and media QUEUED → SUCCESSFUL → DELIVERED, or
QUEUED → a failure, or QUEUED → PENDING → UNKNOWN; voice QUEUED → INITIATED →
RINGING → ANSWERED → COMPLETED, or BUSY / NO_ANSWER / FAILED; RCS QUEUED → SENT →
DELIVERED (→ READ), or QUEUED → FAILED / PROTECT_BLOCKED / FALLEN_BACK_TO_SMS. A message
not handed off before its TimeToLive ends in TTL_EXPIRED (an RCS message: not delivered
before it). Entering any state but QUEUED emits the channel's event (`TEXT_SUCCESSFUL`, ...).

An RCS message sent with a FallbackConfiguration carries its fallback, a text or media
message (`Message.fallback`): where it would fail or expire it ends in FALLEN_BACK_TO_SMS
instead, and its fallback starts then, with the same messageId [model: "the service sends
a fallback message via the specified channel when the RCS message fails or the
TimeToLive expires"; inf: the id and the single event].

The machines are lifecycle specs like the pool's (kinds `text-message`, `voice-message`,
`media-message`, `rcs-message`, declared by the families that send them), so their durations
are set the same way (`--duration text-message:QUEUED->SUCCESSFUL=1`). Unlike a pool, a
message's path depends on its outcome, so its steps are planned when it is sent and put on
the simulator's scheduler one at a time.

Defaults are the deltas of AWS's examples [doc]: SUCCESSFUL 0.3 s after the request,
DELIVERED 2.75 s, VOICE_INITIATED 0.381 s; UNKNOWN 72 h after the request without a
final state [doc]; the rest [inf] (RCS: SENT 0.3 s, DELIVERED 1 s later, READ 5 s later;
a failure 0.3 s; TimeToLive 48 h, the model's largest, when the send gives none).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine.lifecycle import Lifecycled, Lifecycles, LifecycleSpec
from ..wire import model
from .outcomes import WITHHELD, last_events

KINDS = {"TEXT": "text-message", "VOICE": "voice-message", "MEDIA": "media-message", "RCS": "rcs-message"}
UNKNOWN_AFTER = 72 * 3600.0  # [doc] "After 72 hours ... UNKNOWN messageStatus"
FAILURE = "FAILURE"  # duration key shared by every failure of a channel
FALLEN_BACK = "FALLEN_BACK_TO_SMS"  # an RCS message's end when its fallback takes over


@functools.cache
def rcs_time_to_live() -> float:
    """[inf] an RCS send without TimeToLive: the longest the model allows (48 h)."""
    return float(model.operation("SendRcsMessage").input_shape.members["TimeToLive"].metadata["max"])


def _failures(channel: str) -> tuple[str, ...]:
    """The failure states of a text-like or RCS channel: its last events but the success
    paths and the TimeToLive's (RCS has FAILED, PROTECT_BLOCKED and FALLEN_BACK_TO_SMS)."""
    return tuple(status for status in (t.split("_", 1)[1] for t in last_events(channel))
                 if status not in ("SUCCESSFUL", "DELIVERED", "READ", "UNKNOWN", "TTL_EXPIRED"))


# Non-final states: every other state's event has isFinal true (AWS's examples mark
# both SUCCESSFUL and DELIVERED final).
NOT_FINAL = frozenset({"QUEUED", "PENDING", "INITIATED", "RINGING", "ANSWERED", "SENT"})


# The move into a state; a failure's move is named after the failure (`blocked`).
_TRIGGERS = {"SUCCESSFUL": "accept", "DELIVERED": "deliver", "PENDING": "hand_off", "UNKNOWN": "give_up",
             "TTL_EXPIRED": "expire", "INITIATED": "initiate", "RINGING": "ring", "ANSWERED": "answer",
             "COMPLETED": "complete"}


def trigger_into(state: str) -> str:
    return _TRIGGERS.get(state, state.lower())


def _moves(edges: dict[str, tuple[str, ...]]) -> tuple[dict, ...]:
    return tuple({"trigger": trigger_into(dest), "source": source, "dest": dest}
                 for source, dests in edges.items() for dest in dests)


def _text_like(kind: str, failures: tuple[str, ...], accept: float, deliver: float) -> LifecycleSpec:
    edges = {"QUEUED": ("SUCCESSFUL", "PENDING", "TTL_EXPIRED", *failures),
             "PENDING": ("UNKNOWN",), "SUCCESSFUL": ("DELIVERED",)}
    states = ("QUEUED", "PENDING", "SUCCESSFUL", "DELIVERED", "UNKNOWN", "TTL_EXPIRED", *failures)
    return LifecycleSpec(
        kind=kind, states=states, initial="QUEUED", transitions=_moves(edges), automatic={},
        durations={"QUEUED->SUCCESSFUL": accept, "SUCCESSFUL->DELIVERED": deliver,
                   "QUEUED->PENDING": accept, f"QUEUED->{FAILURE}": accept,
                   "PENDING->UNKNOWN": UNKNOWN_AFTER - accept})


@functools.cache
def text_message() -> LifecycleSpec:
    return _text_like("text-message", _failures("TEXT"), 0.3, 2.45)


@functools.cache
def media_message() -> LifecycleSpec:
    return _text_like("media-message", _failures("MEDIA"), 1.0, 2.0)


@functools.cache
def voice_message() -> LifecycleSpec:
    return LifecycleSpec(
        kind="voice-message",
        states=("QUEUED", "INITIATED", "RINGING", "ANSWERED", "COMPLETED", "BUSY", "NO_ANSWER", "FAILED",
                "TTL_EXPIRED"),
        initial="QUEUED",
        transitions=_moves({"QUEUED": ("INITIATED", "TTL_EXPIRED"), "INITIATED": ("RINGING", "FAILED"),
                            "RINGING": ("ANSWERED", "BUSY", "NO_ANSWER"), "ANSWERED": ("COMPLETED",)}),
        automatic={},
        durations={"QUEUED->INITIATED": 0.381, "INITIATED->RINGING": 2.0, "RINGING->ANSWERED": 5.0,
                   "ANSWERED->COMPLETED": 10.0, "RINGING->BUSY": 2.0, "RINGING->NO_ANSWER": 30.0,
                   "INITIATED->FAILED": 2.0},
    )


@functools.cache
def rcs_message() -> LifecycleSpec:
    failures = _failures("RCS")
    return LifecycleSpec(
        kind="rcs-message",
        states=("QUEUED", "SENT", "DELIVERED", "READ", "TTL_EXPIRED", *failures),
        initial="QUEUED",
        # SENT can still expire or fall back: the TimeToLive bounds delivery [model].
        transitions=_moves({"QUEUED": ("SENT", "TTL_EXPIRED", *failures),
                            "SENT": ("DELIVERED", "TTL_EXPIRED", FALLEN_BACK), "DELIVERED": ("READ",)}),
        automatic={},
        durations={"QUEUED->SENT": 0.3, "SENT->DELIVERED": 1.0, "DELIVERED->READ": 5.0,
                   f"QUEUED->{FAILURE}": 0.3},
    )


# The states an outcome passes through after QUEUED, per channel.
_VOICE_PATHS = {"COMPLETED": ("INITIATED", "RINGING", "ANSWERED", "COMPLETED"),
                "BUSY": ("INITIATED", "RINGING", "BUSY"),
                "NO_ANSWER": ("INITIATED", "RINGING", "NO_ANSWER"),
                "FAILED": ("INITIATED", "FAILED")}


def path_of(channel: str, outcome: str) -> tuple[str, ...]:
    """States after QUEUED that `outcome` goes through; () when the message is never
    handed off (WITHHELD, *_TTL_EXPIRED): only its TTL ends it."""
    if outcome == WITHHELD:
        return ()
    status = outcome.split("_", 1)[1]
    if status == "TTL_EXPIRED":
        return ()
    if channel == "VOICE":
        return _VOICE_PATHS[status]
    if channel == "RCS" and status in ("DELIVERED", "READ"):
        return ("SENT", "DELIVERED", "READ")[:2 if status == "DELIVERED" else 3]
    if status == "DELIVERED":
        return ("SUCCESSFUL", "DELIVERED")
    if status == "UNKNOWN":
        return ("PENDING", "UNKNOWN")
    return (status,)


@dataclass(eq=False)
class Message(Lifecycled):
    """One accepted (not dry-run) message and everything its events carry."""

    message_id: str = ""
    channel: str = "TEXT"
    destination: str = ""
    iso_country_code: str | None = None
    international: bool = False
    origination_number: str | None = None  # the number or sender ID text events show
    configuration_set_name: str | None = None
    message_type: str | None = None
    encoding: str = "GSM"
    parts: int = 1
    price: float = 0.0
    context: dict | None = None
    protect_configuration_id: str | None = None
    requested_at: float = 0.0
    time_to_live: float = UNKNOWN_AFTER
    outcome: str = ""
    feedback_enabled: bool = False
    feedback_status: str | None = None
    send: object = None  # the sending.Send it came from (after-send hooks read it)
    backend: object = None  # the account-and-region object it was sent from
    channel_fields: dict | None = None  # what only this channel's events carry (RCS: rcsMetadata...)
    fallback: Message | None = None  # RCS: the text/media message sent if RCS delivery fails
    steps: list = field(default_factory=list)  # [(due, state)] still to come


class MessageSchedule:
    """Every message's next step, on the simulator's scheduler (one per simulator).
    `emit(message, state, at)` is told each move."""

    def __init__(self, lifecycles: Lifecycles, emit: Callable[[Message, str, float], None]):
        self.lifecycles = lifecycles
        self.emit = emit

    def _due(self, entered: float, duration: float) -> float:
        due = self.lifecycles.due(entered, duration)
        return entered if due is None else due  # the reads clock: messages are never read

    def start(self, message: Message) -> None:
        """Place a new message in QUEUED and plan its steps from its outcome and TTL."""
        kind = KINDS[message.channel]
        self.lifecycles.place(message, kind, message.requested_at)
        at, source, steps = message.requested_at, "QUEUED", []
        for state in path_of(message.channel, message.outcome):
            step = f"{source}->{state}"
            if step not in self.lifecycles.specs[kind].durations:
                step = f"{source}->{FAILURE}"
            at = self._due(at, self.lifecycles.duration(kind, step))
            steps.append((at, state))
            source = state
        expires = self._due(message.requested_at, message.time_to_live)
        # The TTL bounds the hand-off (the first step); an RCS message's, its delivery (its
        # first final step): the steps before it stand.
        bound = next((i for i, (_at, state) in enumerate(steps) if state not in NOT_FINAL), len(steps)) \
            if message.channel == "RCS" else 0
        if bound >= len(steps) or steps[bound][0] > expires:
            ending = FALLEN_BACK if message.fallback is not None else "TTL_EXPIRED"
            steps = [step for step in steps[:bound] if step[0] <= expires] + [(expires, ending)]
        message.steps = steps
        self._next(message)

    def _next(self, message: Message) -> None:
        if message.steps:
            message.timer = self.lifecycles.scheduler.at(message.steps[0][0],
                                                         lambda at: self._step(message, at))

    def _step(self, message: Message, at: float) -> None:
        _due, state = message.steps.pop(0)
        self.lifecycles.move(message, trigger_into(state), at)
        self.emit(message, state, at)
        self._next(message)
        if state == FALLEN_BACK and message.fallback is not None:
            message.fallback.requested_at = at  # the fallback is sent now
            self.start(message.fallback)
