"""How the remaining families (resource policies, Notify, RCS) reach pools, phone numbers,
sender IDs and opt-out lists of their own account.

One small adapter so those families work on the base where pools, numbers and sender IDs
are still `region.pools`/`region.phones`/`region.sender_ids` dicts (partition.py) and on
the base where they are ported families (`region.pools.get(ref)`, ...). Not a family: it is
not listed in FAMILY_MODULES.
"""

from __future__ import annotations

from . import Family


def _family(region, name: str):
    found = getattr(region, name, None)
    return found if isinstance(found, Family) else None


def pool(region, ref: str):
    """A pool of this account by id or ARN; ResourceNotFound (pool) otherwise."""
    pools = _family(region, "pools")
    return pools.get(ref) if pools is not None else region.pool(ref)


def pools(region) -> list:
    pools = _family(region, "pools")
    return list(pools.pools.values()) if pools is not None else list(region.pools.values())


def phone(region, ref: str):
    numbers = _family(region, "phone_numbers")
    return numbers.get(ref) if numbers is not None else region.phone(ref)


def phones(region) -> list:
    numbers = _family(region, "phone_numbers")
    return list(numbers.numbers.values()) if numbers is not None else list(region.phones.values())


def sender_id_by_arn(region, ref: str):
    senders = _family(region, "sender_ids")
    return senders.by_arn(ref) if senders is not None else region.sender_id(ref, None)


def opt_out_list(region, ref: str):
    return region.opt_out_lists.get(ref)


def pool_id_of(resource) -> str | None:
    return getattr(resource, "pool_id", None)


def state_of(resource) -> str:
    return getattr(resource, "state", "ACTIVE")
