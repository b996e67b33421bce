"""Notify and RCS sends joining the send path every other send takes (sending.py): the
registered send gates (spend limits, sandbox, protect) before acceptance, the account's
sent log (`region.messages.log_sent`) and the after-send hooks once accepted.

Their `Send.channel` is "NOTIFY" or "RCS" (gates keyed on the channel see which send
it is); they are priced as the plain send of their medium [inf]. An RCS message, once
accepted and not a dry run, is a message machine like a text (`record(..., message=)`:
the messages family's `start`, so its RCS_* events follow on the clock); a Notify send
stays in the sent log only: no delivery events are emitted for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import prices
from .prices import check_max_price  # one MaxPrice rule for every send
from .send import Send

DEFAULT_SENT_LOG = 10_000  # sends kept in the sent log per account and region

# What each of these sends costs, priced as the plain send of its medium [inf].
PRICED_AS = {"SendNotifyTextMessage": "TEXT", "SendNotifyVoiceMessage": "VOICE", "SendRcsMessage": "TEXT"}


@dataclass
class Accepted:
    """What an after-send hook sees of an accepted Notify/RCS message: the attributes a
    sent message (message_lifecycle.Message) offers hooks."""

    message_id: str
    send: Send
    channel: str
    destination: str
    iso_country_code: str | None
    price: float


def gate(region, *, channel: str, operation: str, destination: str, iso: str | None, origination,
         body: str | None, dry_run: bool, params: dict, configuration_set_name: str | None) -> Send:
    """Check the send's MaxPrice (SendRcsMessage has one), then run the registered send gates
    over it (they raise the error AWS gives); returns the send, for `record`. Changes nothing."""
    cs = region.configuration_sets.get(configuration_set_name) if configuration_set_name else None
    send = Send(channel=channel, operation=operation, destination=destination, iso_country_code=iso,
                origination=origination, configuration_set=cs,
                protect_configuration_id=params.get("ProtectConfigurationId") or (
                    cs.protect_configuration_id if cs else None),
                body=body, dry_run=dry_run, price=prices.price_of(PRICED_AS[operation], iso, body),
                parts=prices.parts_of(body or "") if PRICED_AS[operation] == "TEXT" else 1,
                encoding=prices.encoding_of(body or ""), origination_ref=params.get("OriginationIdentity"),
                params=params)
    check_max_price(params, "MaxPrice", send.price)
    region.run_send_gates(send)
    return send


def record(region, send: Send, entry: dict, message=None) -> None:
    """Log the accepted message where every send is logged; unless it was a dry run (AWS
    does not charge a dry run, and nothing is delivered), start `message` (a
    message_lifecycle.Message: on the clock, then the after-send hooks) or, without one,
    show the send to the after-send hooks (spend accounting)."""
    region.messages.log_sent({**entry, "Channel": send.channel, "Price": send.price})
    if send.dry_run:
        return
    if message is not None:
        region.messages.start(message)
    else:
        region.run_after_send(Accepted(
            message_id=entry["MessageId"], send=send, channel=send.channel, destination=send.destination,
            iso_country_code=send.iso_country_code, price=send.price))
