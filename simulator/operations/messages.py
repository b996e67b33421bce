"""Sending through a pool (or a number, or a sender ID): SendTextMessage,
SendVoiceMessage, SendMediaMessage. Nothing leaves the machine: every message
is kept, so a test can assert what would have been sent."""

from __future__ import annotations

from .. import errors, prices
from ..region import AccountRegion
from ..resources import PhoneNumber, Pool, SenderId
from ..sending import (  # noqa: F401 - the extension point other families import from here
    CHANNELS,
    Send,
    register_after_send,
    register_send_gate,
    run_after_send,
    run_send_gates,
)
from . import operation

# The capability each operation needs of an origination identity.
NEEDS = {"SendTextMessage": "SMS", "SendVoiceMessage": "VOICE", "SendMediaMessage": "MMS"}


def _origin(part: AccountRegion, ref: str):
    """A pool, number or sender ID; sending also takes an E.164 number, and a sender
    ID by name alone (the destination decides its country)."""
    if ref.startswith("pool-") or ":pool/" in ref:
        return part.pool(ref)
    if ref.startswith("+"):
        for phone in part.phones.values():
            if phone.phone_number == ref and phone.state != "DELETED":
                return phone
        raise errors.not_found("phone-number", ref)
    if ref.startswith("phone-") or part.is_arn(ref):
        return part.origination_identity(ref, None)
    for sender in part.sender_ids.values():
        if sender.sender_id == ref:
            return sender
    raise errors.not_found("sender-id", ref)


def _capabilities(origin) -> set[str]:
    if isinstance(origin, Pool):
        return {c for m in origin.members for c in _capabilities(m)}
    if isinstance(origin, PhoneNumber):
        return set(origin.capabilities)
    return {"SMS"}


def _check_active(origin) -> None:
    if isinstance(origin, Pool) and origin.state != "ACTIVE":
        raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", origin.pool_id,
                              f"Pool {origin.pool_id} is {origin.state}; it cannot send until "
                              "it is ACTIVE.")
    if isinstance(origin, PhoneNumber) and origin.state not in ("ACTIVE", "ASSOCIATING",
                                                                "DISASSOCIATING"):
        raise errors.conflict("RESOURCE_NOT_ACTIVE", "phone-number", origin.phone_number_id,
                              f"Phone number {origin.phone_number_id} is {origin.state}.")
    if isinstance(origin, Pool) and not origin.members:
        raise errors.conflict("NO_ORIGINATION_IDENTITIES_FOUND", "pool", origin.pool_id,
                              f"Pool {origin.pool_id} has no origination identities.")


def _send(part: AccountRegion, params: dict, operation_name: str) -> dict:
    origin = _origin(part, params["OriginationIdentity"]) if params.get("OriginationIdentity") \
        else None
    destination = params["DestinationPhoneNumber"]
    opt_out_list = "Default"
    if origin is not None:
        _check_active(origin)
        need = NEEDS[operation_name]
        if need not in _capabilities(origin):
            reason = "VOICE_CAPABILITY_NOT_AVAILABLE" if need == "VOICE" else "CHANNEL_NOT_ENABLED"
            raise errors.validation(reason, f"{params['OriginationIdentity']} cannot send {need}.",
                                    [{"Name": "OriginationIdentity", "Message": f"No {need}"}])
        if not isinstance(origin, SenderId):
            opt_out_list = origin.opt_out_list_name
    if part.opt_out_lists.is_opted_out(opt_out_list, destination):
        raise errors.conflict("DESTINATION_PHONE_NUMBER_OPTED_OUT", "opted-out-number",
                              destination, f"{destination} has opted out (list {opt_out_list}).")
    channel = CHANNELS[operation_name]
    body = params.get("MessageBody")
    iso = prices.iso_country_of(destination)
    send = Send(channel=channel, operation=operation_name, destination=destination,
                iso_country_code=iso, origination=origin, configuration_set=None,
                protect_configuration_id=params.get("ProtectConfigurationId"), body=body,
                dry_run=bool(params.get("DryRun", False)),
                price=prices.price_of(channel, iso, body),
                parts=prices.parts_of(body or "") if channel == "TEXT" else 1,
                encoding=prices.encoding_of(body or ""), message_type=params.get("MessageType"),
                origination_ref=params.get("OriginationIdentity"), params=params)
    run_send_gates(part, send)
    message_id = part.ids.message_id()
    part.sent_messages.append({
        "MessageId": message_id, "Operation": operation_name, "Timestamp": part.now(),
        "OriginationIdentity": params.get("OriginationIdentity"),
        "PoolId": origin.pool_id if isinstance(origin, Pool) else None,
        "DestinationPhoneNumber": destination, "MessageBody": params.get("MessageBody"),
        "MessageType": params.get("MessageType"), "MediaUrls": params.get("MediaUrls"),
        "Context": params.get("Context"), "DryRun": bool(params.get("DryRun", False)),
        "ConfigurationSetName": params.get("ConfigurationSetName"),
    })
    if not send.dry_run:
        run_after_send(part, _Accepted(message_id, send))
    return {"MessageId": message_id}


class _Accepted:
    """Until messages have a lifecycle: what after-send hooks receive."""

    def __init__(self, message_id: str, send: Send):
        self.message_id = message_id
        self.send = send


@operation("SendTextMessage")
def send_text_message(part: AccountRegion, params: dict) -> dict:
    return _send(part, params, "SendTextMessage")


@operation("SendVoiceMessage")
def send_voice_message(part: AccountRegion, params: dict) -> dict:
    return _send(part, params, "SendVoiceMessage")


@operation("SendMediaMessage")
def send_media_message(part: AccountRegion, params: dict) -> dict:
    return _send(part, params, "SendMediaMessage")
