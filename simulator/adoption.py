"""Replay, then simulate: the simulator takes on what recorded responses said.

Each replayed success is read for the resources it shows — pools, phone
numbers, sender IDs, opt-out lists, with their ids, ARNs, statuses and
settings — and for the memberships it implies. An unrecorded request that
follows is then answered by the simulator with every rule holding on those
resources (deletion protection, membership, conflicts).
"""

from __future__ import annotations

from .region import AccountRegion as Partition
from .resources import PhoneNumber, Pool, SenderId

_POOL_FIELDS = {"MessageType": "message_type", "TwoWayEnabled": "two_way_enabled",
                "TwoWayChannelArn": "two_way_channel_arn",
                "TwoWayChannelRole": "two_way_channel_role",
                "SelfManagedOptOutsEnabled": "self_managed_opt_outs",
                "OptOutListName": "opt_out_list_name", "SharedRoutesEnabled": "shared_routes",
                "DeletionProtectionEnabled": "deletion_protection", "CreatedTimestamp": "created"}
_PHONE_FIELDS = {**{k: v for k, v in _POOL_FIELDS.items() if k != "SharedRoutesEnabled"},
                 "PhoneNumber": "phone_number", "IsoCountryCode": "iso_country_code",
                 "NumberCapabilities": "capabilities", "NumberType": "number_type",
                 "MonthlyLeasingPrice": "monthly_price",
                 "InternationalSendingEnabled": "international_sending",
                 "RegistrationId": "registration_id"}
_SENDER_FIELDS = {"MessageTypes": "message_types", "MonthlyLeasingPrice": "monthly_price",
                  "DeletionProtectionEnabled": "deletion_protection", "Registered": "registered",
                  "RegistrationId": "registration_id"}


def _set(obj, data: dict, mapping: dict[str, str]) -> None:
    for member, attr in mapping.items():
        if member in data:
            value = data[member]
            setattr(obj, attr, list(value) if isinstance(value, list) else value)


def _items(body: dict, key: str) -> list[dict]:
    items = [body] + [i for i in body.get(key, []) if isinstance(i, dict)]
    return items


def _status(lifecycles, resource, kind: str, state: str, now: float) -> None:
    if getattr(resource, "state", None) != state:
        lifecycles.adopt(resource, kind, now, state)


def adopt(part: Partition, operation: str, params: dict, body: dict) -> None:
    now = part.now()
    lifecycles = part.lifecycles
    for item in _items(body, "SenderIds"):
        if item.get("SenderIdArn") and item.get("SenderId") and item.get("IsoCountryCode"):
            key = (item["SenderId"], item["IsoCountryCode"])
            sender = part.sender_ids.get(key) or SenderId(key[0], key[1], item["SenderIdArn"],
                                                          [])
            _set(sender, item, _SENDER_FIELDS)
            part.sender_ids[key] = sender
    for item in _items(body, "OptOutLists"):
        if item.get("OptOutListArn") and item.get("OptOutListName"):
            part.opt_out_lists.learn(item["OptOutListName"], item["OptOutListArn"],
                                     item.get("CreatedTimestamp", now))
    for item in _items(body, "PhoneNumbers"):
        if item.get("PhoneNumberArn") and item.get("PhoneNumberId") and item.get("Status"):
            phone = part.phones.get(item["PhoneNumberId"])
            if phone is None:
                phone = PhoneNumber(phone_number_id=item["PhoneNumberId"],
                                    arn=item["PhoneNumberArn"])
                part.phones[phone.phone_number_id] = phone
            _set(phone, item, _PHONE_FIELDS)
            _status(lifecycles, phone, "phone-number", item["Status"], now)
    for item in _items(body, "Pools"):
        if item.get("PoolArn") and item.get("PoolId") and item.get("Status"):
            pool = part.pools.get(item["PoolId"])
            if pool is None:
                pool = Pool(pool_id=item["PoolId"], arn=item["PoolArn"])
                part.pools[pool.pool_id] = pool
            _set(pool, item, _POOL_FIELDS)
            _status(lifecycles, pool, "pool", item["Status"], now)
    _memberships(part, operation, params, body)
    part.configuration_sets.learn_from(operation, body)


def _identity(part: Partition, ref: str | None, iso: str | None):
    if not ref:
        return None
    try:
        return part.origination_identity(ref, iso)
    except Exception:  # noqa: BLE001 - an identity the recording never showed
        return None


def _memberships(part: Partition, operation: str, params: dict, body: dict) -> None:
    pool = part.pools.get(body.get("PoolId", ""))
    named = []  # identities the response names for `pool`
    if operation == "CreatePool":
        named = [_identity(part, params.get("OriginationIdentity"), params.get("IsoCountryCode"))]
    elif operation in ("AssociateOriginationIdentity", "DisassociateOriginationIdentity"):
        named = [_identity(part, body.get("OriginationIdentityArn"), None)]
    elif operation == "ListPoolOriginationIdentities":
        named = [_identity(part, m.get("OriginationIdentityArn"), None)
                 for m in body.get("OriginationIdentities", [])]
    elif operation == "DeletePool" and pool is not None:
        named = list(pool.members)
    if pool is not None:
        leaving = operation in ("DisassociateOriginationIdentity", "DeletePool")
        for identity in filter(None, named):
            (pool.unlink if leaving else pool.link)(identity)
    if operation == "ReleaseSenderId":
        part.sender_ids.pop((body.get("SenderId"), body.get("IsoCountryCode")), None)
    for phone in part.phones.values():  # a phone's PoolId is a membership too
        owner = part.pools.get(phone.pool_id or "")
        if owner is not None:
            owner.link(phone)
