"""Opt-out lists: every account has `Default`; pools and numbers name the one they use."""

from __future__ import annotations

from .. import errors
from ..paging import page_result, reject_together
from ..partition import Partition
from ..resources import OptOutList, tag_list
from . import operation


@operation("CreateOptOutList")
def create_opt_out_list(part: Partition, params: dict) -> dict:
    name = params["OptOutListName"]
    if name in part.opt_out_lists:
        raise errors.conflict("RESOURCE_ALREADY_EXISTS", "opt-out-list", name,
                              f"Opt-out list {name} already exists.")
    part.require_quota("OPT_OUT_LISTS", "OPT_OUT_LISTS_PER_ACCOUNT")
    oo = OptOutList(name, part.arn(f"opt-out-list/{name}"), part.now(),
                    tags={t["Key"]: t["Value"] for t in params.get("Tags", [])})
    part.opt_out_lists[name] = oo
    return {**oo.info(), "Tags": tag_list(oo.tags)}


@operation("DescribeOptOutLists")
def describe_opt_out_lists(part: Partition, params: dict) -> dict:
    reject_together(params, "OptOutListNames", "Owner")
    if params.get("OptOutListNames"):
        lists = list(dict.fromkeys(part.opt_out_list(n) for n in params["OptOutListNames"]))
    elif params.get("Owner") == "SHARED":
        lists = []
    else:
        lists = list(part.opt_out_lists.values())
    result, _ = page_result("DescribeOptOutLists", "OptOutLists", lists, params, OptOutList.info)
    return result


@operation("DeleteOptOutList")
def delete_opt_out_list(part: Partition, params: dict) -> dict:
    oo = part.opt_out_list(params["OptOutListName"])
    users = [p.pool_id for p in part.pools.values() if p.opt_out_list_name == oo.name] + [
        p.phone_number_id for p in part.phones.values()
        if p.opt_out_list_name == oo.name and p.state != "DELETED"]
    if oo.name == "Default" or users:
        why = "is the account's default" if oo.name == "Default" else f"is used by {users[0]}"
        raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "opt-out-list", oo.name,
                              f"Opt-out list {oo.name} {why}.")
    del part.opt_out_lists[oo.name]
    return oo.info()
