"""What a send is, and the gates and hooks families declare on the send path.

A **send gate** is a family's `check_send(send)`: it raises the ServiceError AWS gives (spend
limit reached, destination not verified, country blocked by a protect configuration, ...) or
returns to let the send through. Gates run in the order of the family list
(simulator/account.py), after the send's own checks (origination identity, opt-out, MaxPrice)
and before anything is recorded: a refused send changes nothing.

An **after-send hook** is a family's `after_send(message)`, called once per accepted message
that is really sent (not for DryRun: AWS does not charge a dry run), e.g. to account spend.
`message.send` is the Send below.
"""

from __future__ import annotations

import warnings
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


SendGate = Callable[[Send], None]  # a family's bound check_send
AfterSend = Callable[[Any], None]  # a family's bound after_send, given the sent message


# -- deprecated: gates and hooks registered at import time (0.1) -------------------------
# A family now declares them (Family.check_send / Family.after_send). Functions registered
# here, `fn(region, send)` / `fn(region, message)`, run after the declared ones in every
# account-region made afterwards; kept for one release.
_LEGACY_GATES: list[Callable[[Any, Send], None]] = []
_LEGACY_HOOKS: list[Callable[[Any, Any], None]] = []


def _deprecated(name: str) -> None:
    warnings.warn(f"{name} is deprecated: declare check_send/after_send on a Family and pass "
                  "it to Simulator(families=[...])", DeprecationWarning, stacklevel=3)


def register_send_gate(fn):
    """Deprecated: a gate every send passes (usable as a decorator)."""
    _deprecated("register_send_gate")
    if fn not in _LEGACY_GATES:
        _LEGACY_GATES.append(fn)
    return fn


def register_after_send(fn):
    """Deprecated: a hook every accepted, really sent message goes through."""
    _deprecated("register_after_send")
    if fn not in _LEGACY_HOOKS:
        _LEGACY_HOOKS.append(fn)
    return fn


def unregister(fn: Callable) -> None:
    """Remove a gate or hook registered with the deprecated functions."""
    for table in (_LEGACY_GATES, _LEGACY_HOOKS):
        if fn in table:
            table.remove(fn)


def legacy_send_gates() -> list[Callable[[Any, Send], None]]:
    return list(_LEGACY_GATES)


def legacy_after_send() -> list[Callable[[Any, Any], None]]:
    return list(_LEGACY_HOOKS)
