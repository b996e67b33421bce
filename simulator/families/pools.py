"""Pools: CreatePool, DescribePools, UpdatePool, DeletePool and pool membership.

A pool's members are phone numbers and sender IDs; what each must be to join,
and what joining does to it, is asked of its own family (`check_can_join`,
`join`, `leave`). A family with a lifecycle: read this and lifecycle.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engine import arns
from ..engine.lifecycle import GONE, Lifecycled, LifecycleSpec
from ..wire import errors
from ..wire.paging import apply_filters, describe, flag, page_result
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import (
    INHERITED,
    Keyword,
    OriginationSettings,
    apply,
    learn_fields,
    learn_status,
    restored,
    saved,
    settings_changes,
    shown,
)

LIFECYCLE = LifecycleSpec(
    kind="pool",
    states=("CREATING", "ACTIVE", "DELETING", GONE),
    initial="CREATING",
    transitions=(
        {"trigger": "activate", "source": "CREATING", "dest": "ACTIVE"},
        {"trigger": "delete", "source": "ACTIVE", "dest": "DELETING"},
        {"trigger": "purge", "source": "DELETING", "dest": GONE},
    ),
    automatic={"CREATING": "activate", "DELETING": "purge"},
    # AWS publishes neither ([inf]); Terraform waits up to 10 minutes for ACTIVE.
    durations={"CREATING->ACTIVE": 5.0, "DELETING->GONE": 5.0},
)


@dataclass(eq=False)
class Pool(Lifecycled, OriginationSettings):
    WIRE: ClassVar[dict[str, str]] = {
        "PoolArn": "arn", "Status": "state", "CreatedTimestamp": "created",
        "OriginationIdentityArn": "arn", "OriginationIdentity": "pool_id"}
    FAMILY: ClassVar[str] = "pools"
    RESOURCE_TYPE: ClassVar[str] = "pool"
    pool_id: str = ""
    arn: str = ""
    message_type: str = ""
    shared_routes_enabled: bool = False
    created: float = 0.0
    tags: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, Keyword] = field(default_factory=dict)
    # Members in the order they joined: phone numbers and sender IDs.
    members: list = field(default_factory=list)


FILTERS = {
    "status": lambda p: p.state,
    "message-type": lambda p: p.message_type,
    "two-way-enabled": lambda p: flag(p.two_way_enabled),
    "self-managed-opt-outs-enabled": lambda p: flag(p.self_managed_opt_outs_enabled),
    "opt-out-list-name": lambda p: p.opt_out_list_name,
    "shared-routes-enabled": lambda p: flag(p.shared_routes_enabled),
    "deletion-protection-enabled": lambda p: flag(p.deletion_protection_enabled),
    "two-way-channel-arn": lambda p: p.two_way_channel_arn,
}

MEMBER_FILTERS = {
    "iso-country-code": lambda m: m.iso_country_code,
    "number-capability": lambda m: list(m.number_capabilities),
}


class Pools(Family):
    name = "pools"

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return (LIFECYCLE,)
    arn_types = ("pool",)

    def __init__(self, region):
        super().__init__(region)
        self.pools: dict[str, Pool] = {}

    # -- rules other families call -------------------------------------------
    def get(self, ref: str, action: str | None = None) -> Pool:
        """A pool by id or ARN (another account's, shared for `action`: see AccountRegion.find)."""
        return self.region.find(self.pools, ref, "pool", action)

    def require_open(self, pool: Pool) -> Pool:
        """A pool being deleted takes no new members and no changes."""
        if pool.state == "DELETING":
            raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} is being deleted.")
        return pool

    def open(self, ref: str, action: str | None = None) -> Pool:
        return self.require_open(self.get(ref, action))

    def identity(self, ref: str, iso: str | None, action: str | None = None):
        """A pool member by id or ARN: a phone number, or a sender ID (by ARN, or by name
        with its country)."""
        if ref.startswith("phone-") or ":phone-number/" in ref:
            return self.region.phone_numbers.get(ref, action)
        if arns.is_pool_reference(ref):
            raise errors.validation(
                "INVALID_PARAMETER", f"{ref} is a pool; a pool's members are phone numbers "
                "and sender IDs.", [{"Name": "OriginationIdentity", "Message": "Not a pool"}])
        return self.region.sender_ids.get(ref, iso, action)

    def origin(self, ref: str, iso: str | None = None, action: str | None = None):
        """What a message is sent from: a pool, a number (also by E.164) or a sender ID (also
        by name alone: the destination's country `iso` picks among same-named ones)."""
        if arns.is_pool_reference(ref):
            return self.get(ref, action)
        if ref.startswith("+"):
            return self.region.phone_numbers.by_e164(ref)
        if ref.startswith("phone-") or arns.is_arn(ref):
            return self.identity(ref, None, action)
        return self.region.sender_ids.by_name(ref, iso)

    def keyword_owner(self, ref: str, action: str):
        """Keywords belong to a pool or a phone number."""
        if arns.is_pool_reference(ref):
            return self.get(ref, action)
        return self.region.phone_numbers.get(ref, action)

    def capabilities(self, pool: Pool) -> set[str]:
        return {c for m in pool.members for c in self.region.member_family(m).capabilities(m)}

    def check_can_send(self, pool: Pool) -> None:
        if pool.state != "ACTIVE":
            raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} is {pool.state}; it cannot send until "
                                  "it is ACTIVE.")
        if not pool.members:
            raise errors.conflict("NO_ORIGINATION_IDENTITIES_FOUND", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} has no origination identities.")

    def add_member(self, pool: Pool, identity, step: bool = True) -> None:
        """Make `identity` a member (its family records the membership on its side)."""
        pool.members.append(identity)
        self.region.member_family(identity).join(identity, pool, step)
        self.region.changed(identity)  # its pool ids (--state)

    def remove_member(self, pool: Pool, identity, step: bool = True) -> None:
        pool.members.remove(identity)
        self.region.member_family(identity).leave(identity, pool, step)
        self.region.changed(identity)  # its pool ids (--state)

    def learn_membership(self, pool: Pool, identity, member: bool) -> None:
        """A membership (or its end) a recorded response showed; the recording gives the
        statuses, so no lifecycle step is taken."""
        if member and identity not in pool.members:
            self.add_member(pool, identity, step=False)
        elif not member and identity in pool.members:
            self.remove_member(pool, identity, step=False)

    def using_opt_out_list(self, name: str) -> list[str]:
        return [p.pool_id for p in self.pools.values() if p.opt_out_list_name == name]

    def used(self, quota: str) -> int | None:
        return len(self.pools) if quota == "POOLS" else None

    def by_id(self, resource_id: str) -> Pool | None:
        return self.pools.get(resource_id)

    def forget(self, resource) -> None:
        """A pool whose deletion completed is gone."""
        if isinstance(resource, Pool) and self.pools.get(resource.pool_id) is resource:
            del self.pools[resource.pool_id]

    def learn(self, item: dict) -> Pool:
        """A pool a recorded response showed (replay, then simulate)."""
        pool = self.pools.get(item["PoolId"])
        if pool is None:
            pool = self.pools[item["PoolId"]] = Pool(pool_id=item["PoolId"], arn=item["PoolArn"])
        return pool

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        """The pools a recorded response shows, and the memberships it implies (the numbers and
        sender IDs it names were learned first: their families come before this one)."""
        for item in shown(body, "Pools"):
            if item.get("PoolArn") and item.get("PoolId") and item.get("Status"):
                pool = self.learn(item)
                learn_fields(pool, item)
                learn_status(self.region, pool, "pool", item["Status"])
        self._learn_memberships(operation, params, body)

    def _learned_identity(self, ref: str | None, iso: str | None):
        if not ref:
            return None
        try:
            return self.identity(ref, iso)
        except errors.ServiceError:  # an identity the recording never showed
            return None

    def _learn_memberships(self, operation: str, params: dict, body: dict) -> None:
        pool = self.by_id(body.get("PoolId", ""))
        named = []  # identities the response names for `pool`
        if operation == "CreatePool":
            named = [self._learned_identity(params.get("OriginationIdentity"), params.get("IsoCountryCode"))]
        elif operation in ("AssociateOriginationIdentity", "DisassociateOriginationIdentity"):
            named = [self._learned_identity(body.get("OriginationIdentityArn"), None)]
        elif operation == "ListPoolOriginationIdentities":
            named = [self._learned_identity(m.get("OriginationIdentityArn"), None)
                     for m in body.get("OriginationIdentities", [])]
        elif operation == "DeletePool" and pool is not None:
            named = list(pool.members)
        if pool is not None:
            member = operation not in ("DisassociateOriginationIdentity", "DeletePool")
            for identity in filter(None, named):
                self.learn_membership(pool, identity, member)
        for phone in self.region.phone_numbers.numbers.values():  # a phone's PoolId is a membership too
            owner = self.by_id(phone.pool_id or "")
            if owner is not None:
                self.learn_membership(owner, phone, True)

    def _check_joins(self, pool: Pool | None, identity, message_type: str, iso: str | None) -> None:
        if iso and identity.iso_country_code != iso:
            raise errors.validation(
                "COUNTRY_CODE_MISMATCH",
                f"{identity.identity} is in {identity.iso_country_code}, not {iso}.",
                [{"Name": "IsoCountryCode", "Message": "Does not match the origination identity"}])
        self.region.member_family(identity).check_can_join(identity, pool, message_type)

    # -- operations ------------------------------------------------------------
    @operation("CreatePool")
    def create(self, params: dict) -> Pool:
        region = self.region
        region.require_quota("POOLS", "POOLS_PER_ACCOUNT")
        identity = self.identity(params["OriginationIdentity"], params.get("IsoCountryCode"), "CreatePool")
        self._check_joins(None, identity, params["MessageType"], params.get("IsoCountryCode"))
        pool_id = region.ids.pool_id()
        pool = Pool(pool_id=pool_id, arn=region.arn(f"pool/{pool_id}"),
                    message_type=params["MessageType"], created=region.now(),
                    tags=tag_dict(params.get("Tags")),
                    deletion_protection_enabled=bool(params.get("DeletionProtectionEnabled", False)))
        if isinstance(identity, OriginationSettings):  # a phone number (a sender ID has none)
            # The pool inherits its first number's configuration, deletion protection aside. [doc]
            for attr in INHERITED:
                setattr(pool, attr, getattr(identity, attr))
            keywords: dict[str, Keyword] = getattr(identity, "keywords")  # noqa: B009 - a number's
            pool.keywords = {k: v.copy() for k, v in keywords.items()}
        region.lifecycles.place(pool, "pool", pool.created)
        self.pools[pool_id] = pool
        self.add_member(pool, identity)
        return pool

    @operation("DescribePools")
    def describe(self, params: dict) -> dict:
        return describe("DescribePools", "Pools", params, "PoolIds",
                        lambda ref: self.get(ref, "DescribePools"), self.pools.values(),
                        FILTERS, observe=self.region.lifecycles.observed,
                        shared=lambda: self.region.resource_policies.shared_with_me("pool"))

    @operation("UpdatePool")
    def update(self, params: dict) -> Pool:
        pool = self.open(params["PoolId"], "UpdatePool")
        return apply(pool, settings_changes(self.region, pool, params, "UpdatePool"))

    @operation("DeletePool")
    def delete(self, params: dict) -> Pool:
        pool = self.get(params["PoolId"], "DeletePool")
        self.refuse_if_protected(pool, "pool", pool.pool_id, "Pool")
        if pool.state != "ACTIVE":
            raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} is {pool.state}, not ACTIVE.")
        self.region.notify.check_pool_deletable(pool.pool_id)  # POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION
        # Deleting a pool disassociates its identities; they stay in the account. [doc]
        for identity in list(pool.members):
            self.remove_member(pool, identity)
        for agent in self.region.rcs_agents.agents_in_pool(pool.pool_id):
            self.region.rcs_agents.leave_pool(agent.id)
        self.region.lifecycles.move(pool, "delete", self.region.now())
        return pool

    def _membership(self, params: dict, action: str) -> tuple[Pool, Any]:
        pool = self.get(params["PoolId"], action)
        return pool, self.identity(params["OriginationIdentity"], params.get("IsoCountryCode"), action)

    @operation("AssociateOriginationIdentity")
    def associate(self, params: dict) -> tuple:
        rcs, ref = self.region.rcs_agents, params["OriginationIdentity"]
        if rcs.is_reference(ref):  # an RCS agent: its family keeps the membership
            return rcs.associate_with(self.open(params["PoolId"], "AssociateOriginationIdentity"), ref)
        pool, identity = self._membership(params, "AssociateOriginationIdentity")
        self.require_open(pool)
        self.region.require_quota("ORIGINATION_IDENTITIES_PER_POOL",
                                  "ORIGINATION_IDENTITIES_PER_POOL", used=len(pool.members))
        self._check_joins(pool, identity, pool.message_type, params.get("IsoCountryCode"))
        self.add_member(pool, identity)
        return (identity, pool)

    @operation("DisassociateOriginationIdentity")
    def disassociate(self, params: dict) -> tuple:
        rcs, ref = self.region.rcs_agents, params["OriginationIdentity"]
        if rcs.is_reference(ref):
            return rcs.disassociate_from(self.get(params["PoolId"], "DisassociateOriginationIdentity"), ref)
        pool, identity = self._membership(params, "DisassociateOriginationIdentity")
        if identity not in pool.members:
            raise errors.conflict("PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL", identity.RESOURCE_TYPE,
                                  identity.identity, f"{identity.identity} is not associated with "
                                                     f"pool {pool.pool_id}.")
        if len(pool.members) == 1:
            raise errors.conflict("LAST_PHONE_NUMBER", "pool", pool.pool_id,
                                  f"{identity.identity} is the last origination identity of pool "
                                  f"{pool.pool_id}; delete the pool instead.")
        self.remove_member(pool, identity)
        return (identity, pool)

    @operation("ListPoolOriginationIdentities")
    def list_members(self, params: dict) -> tuple:
        pool = self.get(params["PoolId"], "ListPoolOriginationIdentities")
        found = apply_filters(pool.members, params.get("Filters"), MEMBER_FILTERS)
        return (page_result("ListPoolOriginationIdentities", "OriginationIdentities", found,
                            params)[0], pool)

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(p):
            return {**project_as("PoolInformation", p),
                    "OriginationIdentities": [m.identity for m in p.members],
                    "Tags": dict(p.tags)}

        return {"pools": (self.pools.values(), row)}

    saved_by = {"pools": "pool_id"}

    def saved_row(self, part: str, p: Pool) -> dict:
        return {**saved(p, skip={"members"}), "members": [m.arn for m in p.members]}

    def restore(self, data: dict) -> None:
        for row in data["pools"]:
            row = dict(row)
            members = row.pop("members")
            pool = restored(Pool, row, self.region.lifecycles)
            pool.members = members  # ARNs until relink: numbers and sender IDs come back later
            self.pools[pool.pool_id] = pool

    def relink(self) -> None:
        for pool in self.pools.values():
            pool.members = [m if not isinstance(m, str) else self.identity(m, None)
                            for m in pool.members]
