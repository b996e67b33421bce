"""Sender IDs: RequestSenderId, DescribeSenderIds, UpdateSenderId, ReleaseSenderId.

A sender ID has no status in the model, so no lifecycle; it may sit in many pools.
"""

from __future__ import annotations

from .. import errors
from ..model import enum_values
from ..paging import apply_filters, flag, page_result, select
from ..region import AccountRegion
from ..resources import SenderId, tag_list
from . import operation

SENDER_FILTERS = {
    "sender-id": lambda s: s.sender_id,
    "iso-country-code": lambda s: s.iso_country_code,
    "message-type": lambda s: list(s.message_types),
    "deletion-protection-enabled": lambda s: flag(s.deletion_protection),
    "registered": lambda s: flag(s.registered),
}


@operation("RequestSenderId")
def request_sender_id(part: AccountRegion, params: dict) -> dict:
    key = (params["SenderId"], params["IsoCountryCode"])
    if key in part.sender_ids:
        raise errors.conflict("RESOURCE_ALREADY_EXISTS", "sender-id", key[0],
                              f"Sender ID {key[0]} already exists in {key[1]}.")
    part.require_quota("SENDER_IDS", "SENDER_IDS_PER_ACCOUNT")
    sender = SenderId(
        sender_id=key[0], iso_country_code=key[1],
        arn=part.arn(f"sender-id/{key[0]}/{key[1]}"),
        message_types=list(dict.fromkeys(params.get("MessageTypes") or enum_values("MessageType"))),
        deletion_protection=bool(params.get("DeletionProtectionEnabled", False)),
        tags={t["Key"]: t["Value"] for t in params.get("Tags", [])},
    )
    part.sender_ids[key] = sender
    return {**sender.info(), "Tags": tag_list(sender.tags)}


@operation("DescribeSenderIds")
def describe_sender_ids(part: AccountRegion, params: dict) -> dict:
    senders = select(params, "SenderIds",
                     lambda s: part.sender_id(s["SenderId"], s["IsoCountryCode"]),
                     part.sender_ids.values())
    senders = apply_filters(senders, params.get("Filters"), SENDER_FILTERS)
    result, _ = page_result("DescribeSenderIds", "SenderIds", senders, params, SenderId.info)
    return result


@operation("UpdateSenderId")
def update_sender_id(part: AccountRegion, params: dict) -> dict:
    sender = part.sender_id(params["SenderId"], params["IsoCountryCode"])
    if "DeletionProtectionEnabled" in params:
        sender.deletion_protection = params["DeletionProtectionEnabled"]
    return sender.info()


@operation("ReleaseSenderId")
def release_sender_id(part: AccountRegion, params: dict) -> dict:
    sender = part.sender_id(params["SenderId"], params["IsoCountryCode"])
    if sender.deletion_protection:
        raise errors.conflict("DELETION_PROTECTION_ENABLED", "sender-id", sender.sender_id,
                              f"Sender ID {sender.sender_id} has deletion protection.")
    if sender.pool_ids:
        raise errors.conflict("SENDER_ID_ASSOCIATED_TO_POOL", "sender-id", sender.sender_id,
                              f"Sender ID {sender.sender_id} is in pool(s) "
                              f"{', '.join(sorted(sender.pool_ids))}.")
    part.registrations.identity_released(sender)
    del part.sender_ids[sender.key]
    return sender.info()
