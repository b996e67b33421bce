"""Notify and RCS sends joining the send path every other send takes: the registered send
gates (spend limits, sandbox, protect) before acceptance, the account's `sent_messages`
log and the after-send hooks once accepted.

The gates' extension point (`simulator/sending.py`: `Send`, `run_send_gates`,
`run_after_send`) belongs to the sending family; where it is not part of the build this
module only records.
"""

from __future__ import annotations

from types import SimpleNamespace

try:  # the send path's extension point, once the sending family is merged
    from . import sending as _sending
except ImportError:  # pragma: no cover - depends on what is merged
    _sending = None
try:
    from . import prices as _prices
except ImportError:  # pragma: no cover
    _prices = None

# What each of these sends costs, priced as the plain send of its channel [inf].
PRICED_AS = {"SendNotifyTextMessage": "TEXT", "SendNotifyVoiceMessage": "VOICE", "SendRcsMessage": "TEXT"}


def _price(operation: str, iso: str | None, body: str | None) -> float:
    if _prices is None or iso is None:
        return 0.0
    try:
        return float(_prices.price_of(PRICED_AS[operation], iso, body))
    except Exception:  # noqa: BLE001 - an unpriced country costs nothing rather than failing
        return 0.0


def _configuration_set(region, name: str | None):
    family = getattr(region, "configuration_sets", None)
    if name is None or family is None or not hasattr(family, "get"):
        return None
    return family.get(name)  # ResourceNotFound (configuration-set) as for every send


def gate(
    region,
    *,
    channel: str,
    operation: str,
    destination: str,
    iso: str | None,
    origination,
    body: str | None,
    dry_run: bool,
    params: dict,
    configuration_set_name: str | None,
):
    """Run the registered send gates over this send (they raise the error AWS gives);
    returns the send, for `record`. Changes nothing."""
    fields = dict(
        channel=channel,
        operation=operation,
        destination=destination,
        iso_country_code=iso,
        origination=origination,
        configuration_set=_configuration_set(region, configuration_set_name),
        protect_configuration_id=params.get("ProtectConfigurationId"),
        body=body,
        dry_run=dry_run,
        price=_price(operation, iso, body),
        origination_ref=params.get("OriginationIdentity"),
        params=params,
    )
    if _sending is None:
        return SimpleNamespace(**fields)
    send = _sending.Send(**fields)
    _sending.run_send_gates(region, send)
    return send


def record(region, send, entry: dict) -> None:
    """Log the accepted message where every send is logged; after-send hooks (spend
    accounting) see it unless it was a dry run."""
    log = getattr(getattr(region, "messages", None), "sent", None)
    if log is None:  # the base before the messages family kept the log on the region
        log = region.sent_messages
    log.append({**entry, "Channel": send.channel, "Price": send.price})
    if _sending is not None and not send.dry_run:
        _sending.run_after_send(
            region,
            SimpleNamespace(
                message_id=entry["MessageId"],
                send=send,
                channel=send.channel,
                price=send.price,
                destination=send.destination,
            ),
        )
