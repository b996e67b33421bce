"""Opt-out lists: every account has `Default`; pools and numbers name the one they use."""

from __future__ import annotations

from .. import errors
from ..paging import page_result, select
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
    lists = select(params, "OptOutListNames", part.opt_out_list, part.opt_out_lists.values())
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


def _opted_out_result(oo: OptOutList, number: str) -> dict:
    when, end_user = oo.opted_out[number]
    return {"OptOutListArn": oo.arn, "OptOutListName": oo.name, "OptedOutNumber": number,
            "OptedOutTimestamp": when, "EndUserOptedOut": end_user}


@operation("PutOptedOutNumber")
def put_opted_out_number(part: Partition, params: dict) -> dict:
    oo = part.opt_out_list(params["OptOutListName"])
    number = params["OptedOutNumber"]
    oo.opted_out.setdefault(number, (part.now(), False))
    return _opted_out_result(oo, number)


@operation("DescribeOptedOutNumbers")
def describe_opted_out_numbers(part: Partition, params: dict) -> dict:
    oo = part.opt_out_list(params["OptOutListName"])
    numbers = list(oo.opted_out)
    if params.get("OptedOutNumbers"):
        wanted = set(params["OptedOutNumbers"])
        numbers = [n for n in numbers if n in wanted]
    for flt in params.get("Filters") or ():
        values = set(flt["Values"])
        numbers = [n for n in numbers if ("true" if oo.opted_out[n][1] else "false") in values]
    result, _ = page_result("DescribeOptedOutNumbers", "OptedOutNumbers", numbers, params,
                            lambda n: {"OptedOutNumber": n, "OptedOutTimestamp": oo.opted_out[n][0],
                                       "EndUserOptedOut": oo.opted_out[n][1]})
    return {"OptOutListArn": oo.arn, "OptOutListName": oo.name, **result}


@operation("DeleteOptedOutNumber")
def delete_opted_out_number(part: Partition, params: dict) -> dict:
    oo = part.opt_out_list(params["OptOutListName"])
    number = params["OptedOutNumber"]
    if number not in oo.opted_out:
        raise errors.not_found("opted-out-number", number)
    if oo.opted_out[number][1]:
        raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "opted-out-number", number,
                              f"{number} opted out itself; only the end user can opt back in.")
    result = _opted_out_result(oo, number)
    del oo.opted_out[number]
    return result
