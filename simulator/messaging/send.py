"""The send path's extension point: what a send is, and the gates and hooks other
families hang on it.

A **send gate** is `gate(backend, send) -> None`: it raises the ServiceError AWS
gives (spend limit reached, destination not verified, country blocked by a protect
configuration, ...) or returns to let the send through. Gates run in the order they
were registered, after the send's own checks (origination identity, opt-out,
MaxPrice) and before anything is recorded: a refused send changes nothing.

An **after-send hook** is `after_send(backend, message) -> None`, called once per
accepted message that is really sent (not for DryRun: AWS does not charge a dry
run), e.g. to account spend. `message.send` is the Send below.

`backend` is the caller's per-account-and-region object (the one every family's
operations receive). Register with `register_send_gate(fn)` / `register_after_send(fn)`
(both also importable from the messages family module); registering a function
twice keeps one registration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CHANNELS = {"SendTextMessage": "TEXT", "SendVoiceMessage": "VOICE", "SendMediaMessage": "MEDIA"}


@dataclass
class Send:
    """One send request, resolved: what gates decide on."""

    channel: str  # "TEXT" | "VOICE" | "MEDIA"
    operation: str  # SendTextMessage, ...
    destination: str  # E.164
    iso_country_code: str | None  # of the destination; None when the number plan is unknown
    origination: Any  # the resolved phone number / sender ID / pool object, or None
    configuration_set: Any  # the configuration set object, or None
    protect_configuration_id: str | None
    body: str | None  # MessageBody (None for a media message without text)
    dry_run: bool
    price: float  # estimated USD for the whole message (prices.price_of)
    parts: int = 1
    encoding: str = "GSM"
    message_type: str | None = None  # after the configuration set's default applied
    origination_ref: str | None = None  # OriginationIdentity as the request gave it
    params: dict = field(default_factory=dict)  # the validated request
    protect: object = None  # the protect configuration that applies (set by its family)


SendGate = Callable[[Any, Send], None]
AfterSend = Callable[[Any, Any], None]

SEND_GATES: list[SendGate] = []
AFTER_SEND: list[AfterSend] = []


def register_send_gate(fn: SendGate) -> SendGate:
    """Add a gate every send passes (usable as a decorator)."""
    if fn not in SEND_GATES:
        SEND_GATES.append(fn)
    return fn


def register_after_send(fn: AfterSend) -> AfterSend:
    """Add a hook every accepted, really sent message goes through (usable as a decorator)."""
    if fn not in AFTER_SEND:
        AFTER_SEND.append(fn)
    return fn


def unregister(fn: Callable) -> None:
    """Remove a gate or hook (tests that register a throwaway one)."""
    for table in (SEND_GATES, AFTER_SEND):
        if fn in table:
            table.remove(fn)


def run_send_gates(backend, send: Send) -> None:
    for gate in list(SEND_GATES):
        gate(backend, send)


def run_after_send(backend, message) -> None:
    for hook in list(AFTER_SEND):
        hook(backend, message)
