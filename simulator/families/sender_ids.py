"""Sender IDs: RequestSenderId, DescribeSenderIds, UpdateSenderId, ReleaseSenderId.

A sender ID has no status in the model, so no lifecycle; it may sit in many pools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..engine import arns
from ..wire import errors
from ..wire.model import enum_values
from ..wire.paging import describe, flag
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import apply, learn_fields, restored, saved, settable, shown


@dataclass(eq=False)
class SenderId:
    WIRE: ClassVar[dict[str, str]] = {"SenderIdArn": "arn", "OriginationIdentityArn": "arn",
                                      "OriginationIdentity": "sender_id"}
    FAMILY: ClassVar[str] = "sender_ids"
    RESOURCE_TYPE: ClassVar[str] = "sender-id"
    sender_id: str
    iso_country_code: str
    arn: str
    message_types: list[str]
    monthly_leasing_price: str = "0.00"
    deletion_protection_enabled: bool = False
    registered: bool = False
    registration_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    pool_ids: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, str]:
        return (self.sender_id, self.iso_country_code)

    @property
    def identity(self) -> str:
        return self.sender_id

    @property
    def number_capabilities(self) -> list[str]:
        return ["SMS"]


FILTERS = {
    "sender-id": lambda s: s.sender_id,
    "iso-country-code": lambda s: s.iso_country_code,
    "message-type": lambda s: list(s.message_types),
    "deletion-protection-enabled": lambda s: flag(s.deletion_protection_enabled),
    "registered": lambda s: flag(s.registered),
}


def _conflict(sender: SenderId, reason: str, message: str) -> errors.ServiceError:
    return errors.conflict(reason, "sender-id", sender.sender_id, message)


class SenderIds(Family):
    name = "sender_ids"
    arn_types = ("sender-id",)

    def __init__(self, region):
        super().__init__(region)
        self.senders: dict[tuple[str, str], SenderId] = {}

    # -- rules other families call -------------------------------------------
    def get(self, ref: str, iso_country_code: str | None, action: str | None = None) -> SenderId:
        """By ARN (`sender-id/NAME/US`; another account's, shared for `action`), or by name
        with its country."""
        sender, iso = ref, iso_country_code
        if ref.startswith("arn:"):
            local = self.region.local_resource(ref)
            if local is None and arns.parse(ref) is not None and action is not None:
                # another account's: shared for this action?
                return self.region.resource_policies.resolve_shared(ref, "sender-id", action)
            parts = (local or "").split("/")
            if len(parts) != 3 or parts[0] != "sender-id":
                raise errors.not_found("sender-id", ref)
            sender, iso = parts[1], parts[2]
        elif not iso:
            raise errors.validation(
                "INVALID_ARN",
                f"{ref} is neither an id nor an ARN of an origination identity; a sender ID "
                "needs its IsoCountryCode, or pass the sender ID's ARN.",
                [{"Name": "IsoCountryCode", "Message": "Required for a sender ID given by name"}])
        found = self.senders.get((sender, iso))
        if found is None:
            raise errors.not_found("sender-id", sender)
        self.region.changes.mark_found(found, self.region)  # as region.find does (--state)
        return found

    def by_arn(self, ref: str) -> SenderId:
        return self.get(ref, None)

    def by_name(self, name: str, iso: str | None = None) -> SenderId:
        """A sender ID by its text alone; of several, the one of country `iso` first."""
        named = [s for s in self.senders.values() if s.sender_id == name]
        for sender in sorted(named, key=lambda s: s.iso_country_code != iso):
            return sender
        raise errors.not_found("sender-id", name)

    def capabilities(self, sender: SenderId) -> set[str]:
        return set(sender.number_capabilities)

    def check_can_send(self, sender: SenderId) -> None:
        """A sender ID has no status: it always may."""

    def check_can_join(self, sender: SenderId, pool, message_type: str) -> None:
        if pool is not None and pool.pool_id in sender.pool_ids:
            raise _conflict(sender, "RESOURCE_ALREADY_ASSOCIATED",
                            f"Sender ID {sender.sender_id} is already in pool {pool.pool_id}.")
        if sender.message_types and message_type not in sender.message_types:
            raise _conflict(sender, "MESSAGE_TYPE_MISMATCH",
                            f"Sender ID {sender.sender_id} does not support {message_type}.")

    def join(self, sender: SenderId, pool, step: bool = True) -> None:
        sender.pool_ids.add(pool.pool_id)

    def leave(self, sender: SenderId, pool, step: bool = True) -> None:
        sender.pool_ids.discard(pool.pool_id)

    def used(self, quota: str) -> int | None:
        return len(self.senders) if quota == "SENDER_IDS" else None

    def learn(self, item: dict) -> SenderId:
        """A sender ID a recorded response showed (replay, then simulate)."""
        key = (item["SenderId"], item["IsoCountryCode"])
        if key not in self.senders:
            self.senders[key] = SenderId(key[0], key[1], item["SenderIdArn"], [])
        return self.senders[key]

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        for item in shown(body, "SenderIds"):
            if item.get("SenderIdArn") and item.get("SenderId") and item.get("IsoCountryCode"):
                learn_fields(self.learn(item), item)
        if operation == "ReleaseSenderId":
            self.drop(body.get("SenderId", ""), body.get("IsoCountryCode", ""))

    def provision(self, sender_id: str, iso: str, message_types: list[str]) -> SenderId:
        """The account's sender ID, made when it has none (a registration approved with
        ASSOCIATE_ON_APPROVAL provisions it; no quota applies)."""
        key = (sender_id, iso)
        if key not in self.senders:
            self.senders[key] = SenderId(sender_id, iso, self.region.arn(f"sender-id/{sender_id}/{iso}"),
                                         list(message_types))
        return self.senders[key]

    def drop(self, sender_id: str, iso: str) -> None:
        """A release a recorded response showed."""
        self.senders.pop((sender_id, iso), None)

    # -- operations ------------------------------------------------------------
    @operation("RequestSenderId")
    def request(self, params: dict) -> SenderId:
        key = (params["SenderId"], params["IsoCountryCode"])
        if key in self.senders:
            raise errors.conflict("RESOURCE_ALREADY_EXISTS", "sender-id", key[0],
                                  f"Sender ID {key[0]} already exists in {key[1]}.")
        self.region.require_quota("SENDER_IDS", "SENDER_IDS_PER_ACCOUNT")
        sender = SenderId(
            sender_id=key[0], iso_country_code=key[1],
            arn=self.region.arn(f"sender-id/{key[0]}/{key[1]}"),
            message_types=list(dict.fromkeys(params.get("MessageTypes") or enum_values("MessageType"))),
            deletion_protection_enabled=bool(params.get("DeletionProtectionEnabled", False)),
            tags=tag_dict(params.get("Tags")))
        self.senders[key] = sender
        return sender

    @operation("DescribeSenderIds")
    def describe(self, params: dict) -> dict:
        return describe("DescribeSenderIds", "SenderIds", params, "SenderIds",
                        lambda s: self.get(s["SenderId"], s["IsoCountryCode"], "DescribeSenderIds"),
                        self.senders.values(),
                        FILTERS, shared=lambda: self.region.resource_policies.shared_with_me("sender-id"))

    @operation("UpdateSenderId")
    def update(self, params: dict) -> SenderId:
        sender = self.get(params["SenderId"], params["IsoCountryCode"])
        return apply(sender, settable(params, sender))

    @operation("ReleaseSenderId")
    def release(self, params: dict) -> SenderId:
        sender = self.get(params["SenderId"], params["IsoCountryCode"])
        self.refuse_if_protected(sender, "sender-id", sender.sender_id, "Sender ID")
        if sender.pool_ids:
            raise _conflict(sender, "SENDER_ID_ASSOCIATED_TO_POOL",
                            f"Sender ID {sender.sender_id} is in pool(s) "
                            f"{', '.join(sorted(sender.pool_ids))}.")
        self.region.registrations.identity_released(sender)
        del self.senders[sender.key]
        return sender

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(s):
            return {**project_as("SenderIdInformation", s), "PoolIds": sorted(s.pool_ids)}

        return {"sender_ids": (self.senders.values(), row)}

    saved_by = {"senders": "key"}

    def saved_row(self, part: str, sender: SenderId) -> dict:
        return saved(sender)

    def restore(self, data: dict) -> None:
        for row in data["senders"]:
            sender = restored(SenderId, row)
            self.senders[sender.key] = sender
