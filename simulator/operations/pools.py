"""Pools: CreatePool, DescribePools, UpdatePool, DeletePool and pool membership."""

from __future__ import annotations

from .. import errors
from ..paging import apply_filters, flag, page_result, select
from ..region import AccountRegion
from ..resources import PhoneNumber, Pool, SenderId, tag_list
from . import operation

POOL_FILTERS = {
    "status": lambda p: p.state,
    "message-type": lambda p: p.message_type,
    "two-way-enabled": lambda p: flag(p.two_way_enabled),
    "self-managed-opt-outs-enabled": lambda p: flag(p.self_managed_opt_outs),
    "opt-out-list-name": lambda p: p.opt_out_list_name,
    "shared-routes-enabled": lambda p: flag(p.shared_routes),
    "deletion-protection-enabled": lambda p: flag(p.deletion_protection),
    "two-way-channel-arn": lambda p: p.two_way_channel_arn,
}

IDENTITY_FILTERS = {
    "iso-country-code": lambda m: m["IsoCountryCode"],
    "number-capability": lambda m: m["NumberCapabilities"],
}


def _conflict_on(identity, reason: str, message: str) -> errors.ServiceError:
    kind = "phone-number" if isinstance(identity, PhoneNumber) else "sender-id"
    return errors.conflict(reason, kind, identity.identity, message)


def check_usable(identity, pool: Pool | None, message_type: str, iso: str | None) -> None:
    """The rules every identity must pass to join a pool (or found one)."""
    if iso and identity.iso_country_code != iso:
        raise errors.validation(
            "COUNTRY_CODE_MISMATCH",
            f"{identity.identity} is in {identity.iso_country_code}, not {iso}.",
            [{"Name": "IsoCountryCode", "Message": "Does not match the origination identity"}])
    if isinstance(identity, PhoneNumber):
        if identity.state not in ("ACTIVE",):
            raise _conflict_on(identity, "RESOURCE_NOT_ACTIVE",
                               f"Phone number {identity.identity} is {identity.state}, not ACTIVE.")
        if identity.pool_id is not None:
            raise _conflict_on(identity, "PHONE_NUMBER_ASSOCIATED_TO_POOL",
                               f"Phone number {identity.identity} is already associated with "
                               f"pool {identity.pool_id}.")
        if identity.message_type != message_type:
            raise _conflict_on(identity, "MESSAGE_TYPE_MISMATCH",
                               f"Phone number {identity.identity} is {identity.message_type}, "
                               f"the pool is {message_type}.")
    else:
        if pool is not None and pool.pool_id in identity.pool_ids:
            raise _conflict_on(identity, "RESOURCE_ALREADY_ASSOCIATED",
                               f"Sender ID {identity.identity} is already in pool {pool.pool_id}.")
        if identity.message_types and message_type not in identity.message_types:
            raise _conflict_on(identity, "MESSAGE_TYPE_MISMATCH",
                               f"Sender ID {identity.identity} does not support {message_type}.")
    if pool is None or not isinstance(identity, PhoneNumber):
        return
    # An identity joining an existing pool must share the pool's configuration. [doc]
    for attr, reason in (("opt_out_list_name", "OPT_OUT_LIST_MISMATCH"),
                         ("two_way_enabled", "TWO_WAY_CONFIG_MISMATCH"),
                         ("self_managed_opt_outs", "SELF_MANAGED_OPT_OUTS_MISMATCH")):
        if getattr(identity, attr) != getattr(pool, attr):
            raise _conflict_on(identity, reason,
                               f"{identity.identity} has {attr}={getattr(identity, attr)!r}, the "
                               f"pool has {getattr(pool, attr)!r}.")


def join(part: AccountRegion, pool: Pool, identity) -> None:
    pool.link(identity)
    if isinstance(identity, PhoneNumber):
        part.lifecycles.move(identity, "associate", part.now())


def leave(part: AccountRegion, pool: Pool, identity) -> None:
    pool.unlink(identity)
    if isinstance(identity, PhoneNumber):
        part.lifecycles.move(identity, "disassociate", part.now())


def require_two_way_channel(settings, params: dict) -> None:
    if params.get("TwoWayEnabled") and not (params.get("TwoWayChannelArn")
                                            or settings.two_way_channel_arn):
        raise errors.validation("TWO_WAY_CHANNEL_NOT_PRESENT",
                                "TwoWayEnabled needs a TwoWayChannelArn.",
                                [{"Name": "TwoWayChannelArn", "Message": "Required for two-way"}])


def apply_settings(part: AccountRegion, target, params: dict) -> None:
    """UpdatePool/UpdatePhoneNumber members that share names."""
    if "OptOutListName" in params:
        target.opt_out_list_name = part.opt_out_list(params["OptOutListName"]).name
    require_two_way_channel(target, params)
    for member, attr in (("TwoWayEnabled", "two_way_enabled"),
                         ("TwoWayChannelArn", "two_way_channel_arn"),
                         ("TwoWayChannelRole", "two_way_channel_role"),
                         ("SelfManagedOptOutsEnabled", "self_managed_opt_outs"),
                         ("DeletionProtectionEnabled", "deletion_protection")):
        if member in params:
            setattr(target, attr, params[member])


@operation("CreatePool")
def create_pool(part: AccountRegion, params: dict) -> dict:
    part.require_quota("POOLS", "POOLS_PER_ACCOUNT")
    identity = part.origination_identity(params["OriginationIdentity"], params.get("IsoCountryCode"))
    message_type = params["MessageType"]
    check_usable(identity, None, message_type, params.get("IsoCountryCode"))
    pool_id = part.ids.pool_id()
    pool = Pool(pool_id=pool_id, arn=part.arn(f"pool/{pool_id}"), message_type=message_type,
                created=part.now(), tags={t["Key"]: t["Value"] for t in params.get("Tags", [])},
                deletion_protection=bool(params.get("DeletionProtectionEnabled", False)))
    if isinstance(identity, PhoneNumber):
        # The pool inherits its first identity's configuration, deletion protection aside. [doc]
        for attr in ("two_way_enabled", "two_way_channel_arn", "two_way_channel_role",
                     "self_managed_opt_outs", "opt_out_list_name"):
            setattr(pool, attr, getattr(identity, attr))
        pool.keywords = {k: type(v)(v.keyword, v.message, v.action)
                         for k, v in identity.keywords.items()}
    part.lifecycles.adopt(pool, "pool", pool.created)
    part.pools[pool_id] = pool
    join(part, pool, identity)
    return {**pool.info(), "Tags": tag_list(pool.tags)}


@operation("DescribePools")
def describe_pools(part: AccountRegion, params: dict) -> dict:
    pools = select(params, "PoolIds", part.pool, part.pools.values())
    pools = apply_filters(pools, params.get("Filters"), POOL_FILTERS)
    result, page = page_result("DescribePools", "Pools", pools, params, Pool.info)
    for pool in page:
        part.lifecycles.observed(pool)
    return result


@operation("UpdatePool")
def update_pool(part: AccountRegion, params: dict) -> dict:
    pool = part.pool(params["PoolId"])
    if pool.state == "DELETING":
        raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                              f"Pool {pool.pool_id} is being deleted.")
    apply_settings(part, pool, params)
    if "SharedRoutesEnabled" in params:
        pool.shared_routes = params["SharedRoutesEnabled"]
    return pool.info()


@operation("DeletePool")
def delete_pool(part: AccountRegion, params: dict) -> dict:
    pool = part.pool(params["PoolId"])
    if pool.deletion_protection:
        raise errors.conflict("DELETION_PROTECTION_ENABLED", "pool", pool.pool_id,
                              f"Pool {pool.pool_id} has deletion protection enabled.")
    if pool.state != "ACTIVE":
        raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                              f"Pool {pool.pool_id} is {pool.state}, not ACTIVE.")
    # Deleting a pool disassociates its identities; they stay in the account. [doc]
    for identity in list(pool.members):
        leave(part, pool, identity)
    part.lifecycles.move(pool, "delete", part.now())
    return pool.info()


def _membership(part: AccountRegion, params: dict) -> tuple[Pool, PhoneNumber | SenderId]:
    pool = part.pool(params["PoolId"])
    identity = part.origination_identity(params["OriginationIdentity"], params.get("IsoCountryCode"))
    return pool, identity


def _membership_result(pool: Pool, identity) -> dict:
    return {"PoolArn": pool.arn, "PoolId": pool.pool_id, "OriginationIdentityArn": identity.arn,
            "OriginationIdentity": identity.identity, "IsoCountryCode": identity.iso_country_code}


@operation("AssociateOriginationIdentity")
def associate_origination_identity(part: AccountRegion, params: dict) -> dict:
    pool, identity = _membership(part, params)
    if pool.state == "DELETING":
        raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                              f"Pool {pool.pool_id} is being deleted.")
    part.require_quota("ORIGINATION_IDENTITIES_PER_POOL", "ORIGINATION_IDENTITIES_PER_POOL",
                       used=len(pool.members))
    check_usable(identity, pool, pool.message_type, params.get("IsoCountryCode"))
    join(part, pool, identity)
    return _membership_result(pool, identity)


@operation("DisassociateOriginationIdentity")
def disassociate_origination_identity(part: AccountRegion, params: dict) -> dict:
    pool, identity = _membership(part, params)
    if identity not in pool.members:
        raise _conflict_on(identity, "PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL",
                           f"{identity.identity} is not associated with pool {pool.pool_id}.")
    if len(pool.members) == 1:
        raise errors.conflict("LAST_PHONE_NUMBER", "pool", pool.pool_id,
                              f"{identity.identity} is the last origination identity of pool "
                              f"{pool.pool_id}; delete the pool instead.")
    leave(part, pool, identity)
    return _membership_result(pool, identity)


@operation("ListPoolOriginationIdentities")
def list_pool_origination_identities(part: AccountRegion, params: dict) -> dict:
    pool = part.pool(params["PoolId"])
    found = apply_filters([m.metadata() for m in pool.members], params.get("Filters"),
                          IDENTITY_FILTERS)
    result, _ = page_result("ListPoolOriginationIdentities", "OriginationIdentities", found,
                            params, lambda m: m)
    return {"PoolArn": pool.arn, "PoolId": pool.pool_id, **result}
