"""Replay, then simulate: the simulator takes on what recorded responses said.

Each replayed success is read for the resources it shows — pools, phone
numbers, sender IDs, opt-out lists, with their ids, ARNs, statuses and
settings — and for the memberships it implies. An unrecorded request that
follows is then answered by the simulator with every rule holding on those
resources (deletion protection, membership, conflicts).
"""

from __future__ import annotations

from dataclasses import fields

from .engine.region import AccountRegion
from .wire.errors import ServiceError
from .wire.projection import snake

# Never taken from a response body: identity, lifecycle and membership go their own ways.
_NOT_LEARNED = frozenset({"arn", "state", "tags", "keywords", "members", "pool_id", "pool_ids"})


def _learn_fields(resource, item: dict) -> None:
    """Every member of `item` that names a field of the resource (as responses are projected)."""
    names = {f.name for f in fields(resource)} - _NOT_LEARNED
    wire = getattr(type(resource), "WIRE", {})
    for member, value in item.items():
        attr = wire.get(member) or snake(member)
        if attr in names:
            setattr(resource, attr, list(value) if isinstance(value, list) else value)


def _items(body: dict, key: str) -> list[dict]:
    return [body] + [i for i in body.get(key, []) if isinstance(i, dict)]


def _status(lifecycles, resource, kind: str, state: str, now: float) -> None:
    if getattr(resource, "state", None) != state:
        lifecycles.place(resource, kind, now, state)


def adopt(region: AccountRegion, operation: str, params: dict, body: dict) -> None:
    now = region.now()
    for item in _items(body, "SenderIds"):
        if item.get("SenderIdArn") and item.get("SenderId") and item.get("IsoCountryCode"):
            _learn_fields(region.sender_ids.learn(item), item)
    for item in _items(body, "OptOutLists"):
        if item.get("OptOutListArn") and item.get("OptOutListName"):
            region.opt_out_lists.learn(item["OptOutListName"], item["OptOutListArn"],
                                       item.get("CreatedTimestamp", now))
    for item in _items(body, "PhoneNumbers"):
        if item.get("PhoneNumberArn") and item.get("PhoneNumberId") and item.get("Status"):
            phone = region.phone_numbers.learn(item)
            _learn_fields(phone, item)
            _status(region.lifecycles, phone, "phone-number", item["Status"], now)
    for item in _items(body, "Pools"):
        if item.get("PoolArn") and item.get("PoolId") and item.get("Status"):
            pool = region.pools.learn(item)
            _learn_fields(pool, item)
            _status(region.lifecycles, pool, "pool", item["Status"], now)
    _memberships(region, operation, params, body)
    region.configuration_sets.learn_from(operation, body)


def _identity(region: AccountRegion, ref: str | None, iso: str | None):
    if not ref:
        return None
    try:
        return region.pools.identity(ref, iso)
    except ServiceError:  # an identity the recording never showed
        return None


def _memberships(region: AccountRegion, operation: str, params: dict, body: dict) -> None:
    pools = region.pools
    pool = pools.by_id(body.get("PoolId", ""))
    named = []  # identities the response names for `pool`
    if operation == "CreatePool":
        named = [_identity(region, params.get("OriginationIdentity"), params.get("IsoCountryCode"))]
    elif operation in ("AssociateOriginationIdentity", "DisassociateOriginationIdentity"):
        named = [_identity(region, body.get("OriginationIdentityArn"), None)]
    elif operation == "ListPoolOriginationIdentities":
        named = [_identity(region, m.get("OriginationIdentityArn"), None)
                 for m in body.get("OriginationIdentities", [])]
    elif operation == "DeletePool" and pool is not None:
        named = list(pool.members)
    if pool is not None:
        member = operation not in ("DisassociateOriginationIdentity", "DeletePool")
        for identity in filter(None, named):
            pools.learn_membership(pool, identity, member)
    if operation == "ReleaseSenderId":
        region.sender_ids.drop(body.get("SenderId"), body.get("IsoCountryCode"))
    for phone in region.phone_numbers.numbers.values():  # a phone's PoolId is a membership too
        owner = pools.by_id(phone.pool_id or "")
        if owner is not None:
            pools.learn_membership(owner, phone, True)
