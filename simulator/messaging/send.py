"""The one send path every message takes, whatever its channel: text, voice, media, RCS,
Notify and verification codes.

    the channel's family resolves the request (identity, template, agent, ...) into an Outbound
    -> opt-out -> price and MaxPrice -> the send gates -> accept -> record -> its machine and
    the after-send hooks

A **send gate** is a family's `check_send(send)`: it raises the ServiceError AWS gives (spend
limit reached, destination not verified, country blocked by a protect configuration, ...) or
returns to let the send through. Gates run in the order of the family list
(simulator/account.py), after the send's own checks (opt-out, MaxPrice) and before anything is
recorded: a refused send changes nothing.

An **after-send hook** is a family's `after_send(sent)`, called once per accepted message that
is really sent (not for DryRun: AWS does not charge a dry run), e.g. to account spend. It gets
the `SentMessage`, the one record every send leaves, whose `send` is the Send the gates saw.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from ..engine.ids import IdFactory
from ..wire import errors
from . import prices
from .outcomes import Outcomes, final_outcomes

CHANNELS = {"SendTextMessage": "TEXT", "SendVoiceMessage": "VOICE", "SendMediaMessage": "MEDIA"}


@dataclass
class Send:
    """One send request, resolved: what gates decide on."""

    channel: str  # TEXT | VOICE | MEDIA | RCS | NOTIFY: what spend limits and gates key on
    operation: str  # SendTextMessage, ...
    destination: str  # E.164
    iso_country_code: str | None  # of the destination; None when the number plan is unknown
    origination: Any  # the resolved phone number / sender ID / pool / agent object, or None
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
    protect: Any = None  # the protect configuration's Verdict (set by the protect gate)


@dataclass
class Outbound:
    """A send request as its channel's family resolved it: everything the path needs."""

    operation: str
    channel: str  # what the gates and spend limits see (Send.channel)
    destination: str
    iso_country_code: str | None
    body: str | None
    params: dict
    priced_as: str | None = "TEXT"  # TEXT | VOICE | MEDIA: how it is priced; None: not priced
    origination: Any = None  # the identity object that sends, if any
    origination_ref: str | None = None  # OriginationIdentity as given
    shown_origin: str | None = None  # what records and events show as the origination number
    pool_id: str | None = None
    opt_out_list: str | None = "Default"  # the list that decides; None: no opt-out check
    configuration_set: Any = None
    message_type: str | None = None
    gated: bool = True  # False: the send gates do not apply (verification codes)
    details: dict = field(default_factory=dict)  # what only this channel's record shows
    # Builds the message machine of an accepted, really sent message (None: no events, as
    # Notify and verification codes have none here).
    machine: Callable[[SentMessage], Any] | None = None


@dataclass
class SentMessage:
    """The one record every send leaves (`sim.sent_messages()`, GET /_smsvoice/messages): the
    same keys for every channel, None where a channel has no such thing."""

    message_id: str
    operation: str
    channel: str
    timestamp: float
    destination_phone_number: str
    iso_country_code: str | None
    origination_identity: str | None
    origination_phone_number: str | None
    pool_id: str | None
    message_body: str | None
    message_type: str | None
    configuration_set_name: str | None
    context: dict | None
    time_to_live: int | None
    max_price: str | None
    protect_configuration_id: str | None
    message_feedback_enabled: bool | None
    dry_run: bool
    price: float
    parts: int
    encoding: str
    outcome: str | None
    details: dict = field(default_factory=dict)  # the channel's own fields (MediaUrls, ...)
    send: Send | None = field(default=None, repr=False)  # what the gates saw
    message: Any = field(default=None, repr=False)  # its machine, when it has events

    def as_dict(self) -> dict:
        """The record as JSON, keys in the model's spelling (MessageId, ...)."""
        out = {_WIRE[f.name]: getattr(self, f.name) for f in fields(self) if f.name in _WIRE}
        out["Details"] = dict(self.details)
        return out


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


_WIRE = {f.name: _camel(f.name) for f in fields(SentMessage)
         if f.name not in ("details", "send", "message")}


class Outbox(Protocol):
    """What the send path needs of the account-region that sends."""

    ids: IdFactory

    def now(self) -> float: ...
    def is_opted_out(self, list_name: str, number: str) -> bool: ...
    def run_send_gates(self, send: Send) -> None: ...
    def run_after_send(self, sent: SentMessage) -> None: ...
    def record_sent(self, sent: SentMessage) -> None: ...
    def start_message(self, message) -> None: ...

    @property
    def outcomes(self) -> Outcomes: ...


def send_message(outbox: Outbox, out: Outbound) -> SentMessage:
    """Take `out` down the one path; returns its record. Nothing changes before the last gate
    lets it through."""
    params = out.params
    if out.opt_out_list is not None and outbox.is_opted_out(out.opt_out_list, out.destination):
        raise errors.conflict("DESTINATION_PHONE_NUMBER_OPTED_OUT", "opted-out-number",
                              out.destination,
                              f"{out.destination} has opted out (list {out.opt_out_list}).")
    send = _priced(out)
    if out.gated:
        outbox.run_send_gates(send)
    # -- nothing above changed anything; from here the send is accepted -------------------
    cs = out.configuration_set
    # Only messages with events have an outcome; the dice are not rolled for the others.
    outcome, protect = outcome_of(outbox.outcomes, send, chosen=out.machine is not None)
    sent = SentMessage(
        message_id=outbox.ids.message_id(), operation=out.operation, channel=out.channel,
        timestamp=outbox.now(), destination_phone_number=out.destination,
        iso_country_code=out.iso_country_code, origination_identity=out.origination_ref,
        origination_phone_number=out.shown_origin, pool_id=out.pool_id, message_body=out.body,
        message_type=out.message_type, configuration_set_name=cs.name if cs else None,
        context=params.get("Context"), time_to_live=params.get("TimeToLive"),
        max_price=params.get("MaxPrice"),
        protect_configuration_id=protect,
        message_feedback_enabled=feedback_enabled(params, cs), dry_run=send.dry_run,
        price=send.price, parts=send.parts, encoding=send.encoding,
        outcome=None if send.dry_run else outcome, details=dict(out.details), send=send)
    outbox.record_sent(sent)
    if send.dry_run:
        # [inf] a dry run is validated and answered with a MessageId, but nothing is
        # delivered: no lifecycle, no events, no charge (no after-send hooks).
        return sent
    if out.machine is not None:
        sent.message = out.machine(sent)
        outbox.start_message(sent.message)
    outbox.run_after_send(sent)
    return sent


def _priced(out: Outbound) -> Send:
    """The Send the gates see, priced, its MaxPrice (MaxPricePerMinute) checked."""
    params, body, iso = out.params, out.body, out.iso_country_code
    price = prices.price_of(out.priced_as, iso, body) if out.priced_as else 0.0
    if out.priced_as == "VOICE":
        prices.check_max_price(params, "MaxPricePerMinute", prices.country_price(iso).voice_per_minute)
    elif out.priced_as:
        prices.check_max_price(params, "MaxPrice", price)
    cs = out.configuration_set
    return Send(channel=out.channel, operation=out.operation, destination=out.destination,
                iso_country_code=iso, origination=out.origination, configuration_set=cs,
                protect_configuration_id=params.get("ProtectConfigurationId") or (
                    cs.protect_configuration_id if cs else None),
                body=body, dry_run=bool(params.get("DryRun", False)), price=price,
                parts=prices.parts_of(body or "") if out.priced_as == "TEXT" else 1,
                encoding=prices.encoding_of(body or ""), message_type=out.message_type,
                origination_ref=out.origination_ref, params=params)


def outcome_of(outcomes: Outcomes, send: Send, chosen: bool = True) -> tuple[str | None, str | None]:
    """The outcome an accepted send gets (None for a dry run, or when not `chosen`) and the
    protect configuration its record and events show: the one that decided (maybe the account
    default). FILTER lets a suspicious message through, then blocks it [doc:
    filter-and-monitor] — in channels whose events have a PROTECT_BLOCKED (text, and RCS, which
    the SMS rule set decides)."""
    outcome = None if send.dry_run or not chosen else outcomes.choose(send.channel, send.destination)
    protect = send.protect_configuration_id
    verdict = send.protect  # the protect gate's Verdict; None when no configuration applies
    if verdict is not None:
        protect = verdict.protect_configuration_id
        blocked = f"{send.channel}_PROTECT_BLOCKED"
        if outcome is not None and verdict.blocked_by == "filter" and \
                blocked in final_outcomes()[send.channel]:
            outcome = blocked
    return outcome, protect


def feedback_enabled(params: dict, cs) -> bool:
    """MessageFeedbackEnabled as the send gives it, else its configuration set's default."""
    given = params.get("MessageFeedbackEnabled")
    return given if given is not None else bool(cs and cs.default_message_feedback_enabled)


SendGate = Callable[[Send], None]  # a family's bound check_send
AfterSend = Callable[[SentMessage], None]  # a family's bound after_send


# -- deprecated: gates and hooks registered at import time (0.1) -------------------------
# A family now declares them (Family.check_send / Family.after_send). Functions registered
# here, `fn(region, send)` / `fn(region, sent)`, run after the declared ones; kept for one
# release.
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
