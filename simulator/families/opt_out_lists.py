"""Opt-out lists: every account has `Default`; pools and numbers name the one they use.

The family to read first: resources (dataclasses), the store and its rules
(`get`, `is_opted_out`), and the operations, which return resources that the
pipeline projects onto each operation's output shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..engine import arns
from ..wire import errors
from ..wire.paging import describe, page_result
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import restored, saved, shown


@dataclass(eq=False)
class OptedOut:
    opted_out_number: str
    opted_out_timestamp: float
    end_user_opted_out: bool  # the end user texted STOP; only they can opt back in


@dataclass(eq=False)
class OptOutList:
    WIRE: ClassVar[dict[str, str]] = {"OptOutListArn": "arn", "OptOutListName": "name",
                                      "CreatedTimestamp": "created"}
    name: str
    arn: str
    created: float
    tags: dict[str, str] = field(default_factory=dict)
    opted_out: dict[str, OptedOut] = field(default_factory=dict)


class OptOutLists(Family):
    name = "opt_out_lists"
    arn_types = ("opt-out-list",)

    def __init__(self, region):
        super().__init__(region)
        self.lists: dict[str, OptOutList] = {}
        self._add(OptOutList("Default", region.arn("opt-out-list/Default"), region.created))

    # -- rules other families call -------------------------------------------
    def get(self, ref: str, action: str | None = None) -> OptOutList:
        """A list by name or ARN (another account's, shared for `action`)."""
        return self.region.find(self.lists, ref, "opt-out-list", action)

    def reference(self, found: OptOutList) -> str:
        """How a number or pool names `found`: its name when the list is this account's, its
        ARN when another account shares it (a name would name this account's own list)."""
        return found.name if self.lists.get(found.name) is found else found.arn

    def _named(self, reference: str) -> OptOutList | None:
        """The list a number or pool names (`reference`): this account's by name, another
        account's (shared with it) by ARN; None when it is gone."""
        found = self.lists.get(reference)
        parsed = arns.parse(reference) if found is None else None
        if parsed is not None and parsed.resource_type == "opt-out-list":
            owner = self.region.peers.get((parsed.account, parsed.region))
            found = owner.opt_out_lists.lists.get(parsed.resource.split("/", 1)[-1]) if owner else None
        return found

    def is_opted_out(self, list_name: str, number: str) -> bool:
        found = self._named(list_name)
        return found is not None and number in found.opted_out

    def end_user_change(self, list_name: str, number: str, action: str) -> str:
        """An inbound OPT_OUT or OPT_IN keyword from `number` (messaging/inbound.py); what
        changed. OPT_OUT puts the number on the list with EndUserOptedOut true — an entry
        PutOptedOutNumber made becomes the end user's own [model: "EndUserOptedOut ... true
        if the end recipient opted out"; inf for the upgrade]. OPT_IN takes it off, whoever
        put it there ("wants to receive future messages" [doc: keywords-actions.html])."""
        found = self._named(list_name)  # [inf] a list shared by another account: changed there
        if found is None:
            return "LIST_NOT_FOUND"
        self.region.changed(found)  # its row (--state): the inbound path is no write operation
        entry = found.opted_out.get(number)
        if action == "OPT_IN":
            if entry is None:
                return "NOT_OPTED_OUT"
            del found.opted_out[number]
            return "OPTED_IN"
        if entry is not None and entry.end_user_opted_out:
            return "ALREADY_OPTED_OUT"
        found.opted_out[number] = OptedOut(number, self.region.now(), True)
        return "OPTED_OUT"

    def learn(self, name: str, arn: str, created: float) -> None:
        """A list a recorded response showed (replay, then simulate)."""
        if name not in self.lists:
            self._add(OptOutList(name, arn, created))

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        for item in shown(body, "OptOutLists"):
            if item.get("OptOutListArn") and item.get("OptOutListName"):
                self.learn(item["OptOutListName"], item["OptOutListArn"],
                           item.get("CreatedTimestamp", self.region.now()))

    def _add(self, oo: OptOutList) -> None:
        self.lists[oo.name] = oo

    def used(self, quota: str) -> int | None:
        return len(self.lists) if quota == "OPT_OUT_LISTS" else None

    # -- operations ------------------------------------------------------------
    @operation("CreateOptOutList")
    def create(self, params: dict) -> OptOutList:
        name = params["OptOutListName"]
        self.refuse_if_taken(self.lists, name, "opt-out-list", "Opt-out list")
        self.region.require_quota("OPT_OUT_LISTS", "OPT_OUT_LISTS_PER_ACCOUNT")
        oo = OptOutList(name, self.region.arn(f"opt-out-list/{name}"), self.region.now(),
                        tags=tag_dict(params.get("Tags")))
        self._add(oo)
        return oo

    @operation("DescribeOptOutLists")
    def describe(self, params: dict) -> dict:
        return describe("DescribeOptOutLists", "OptOutLists", params, "OptOutListNames",
                        lambda ref: self.get(ref, "DescribeOptOutLists"), self.lists.values(),
                        shared=lambda: self.region.resource_policies.shared_with_me("opt-out-list"))

    @operation("DeleteOptOutList")
    def delete(self, params: dict) -> OptOutList:
        oo = self.get(params["OptOutListName"], "DeleteOptOutList")
        users = self.region.pools.using_opt_out_list(oo.name) + \
            self.region.phone_numbers.using_opt_out_list(oo.name) + \
            self.region.rcs_agents.using_opt_out_list(oo.name)
        if oo.name == "Default" or users:
            why = "is the account's default" if oo.name == "Default" else f"is used by {users[0]}"
            raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "opt-out-list", oo.name,
                                  f"Opt-out list {oo.name} {why}.")
        del self.lists[oo.name]
        return oo

    @operation("PutOptedOutNumber")
    def put_opted_out_number(self, params: dict) -> tuple:
        oo = self.get(params["OptOutListName"], "PutOptedOutNumber")
        number = params["OptedOutNumber"]
        entry = oo.opted_out.setdefault(number, OptedOut(number, self.region.now(), False))
        return (oo, entry)

    @operation("DescribeOptedOutNumbers")
    def describe_opted_out_numbers(self, params: dict) -> tuple:
        oo = self.get(params["OptOutListName"], "DescribeOptedOutNumbers")
        entries = list(oo.opted_out.values())
        if params.get("OptedOutNumbers"):
            wanted = set(params["OptedOutNumbers"])
            entries = [e for e in entries if e.opted_out_number in wanted]
        for flt in params.get("Filters") or ():  # the model's only filter: end-user-opted-out
            values = set(flt["Values"])
            entries = [e for e in entries if ("true" if e.end_user_opted_out else "false") in values]
        return (page_result("DescribeOptedOutNumbers", "OptedOutNumbers", entries, params)[0], oo)

    @operation("DeleteOptedOutNumber")
    def delete_opted_out_number(self, params: dict) -> tuple:
        oo = self.get(params["OptOutListName"], "DeleteOptedOutNumber")
        number = params["OptedOutNumber"]
        entry = oo.opted_out.get(number)
        if entry is None:
            raise errors.not_found("opted-out-number", number)
        if entry.end_user_opted_out:
            raise errors.conflict("RESOURCE_DELETION_NOT_ALLOWED", "opted-out-number", number,
                                  f"{number} opted out itself; only the end user can opt back in.")
        del oo.opted_out[number]
        return (oo, entry)

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(oo):
            return project_as("OptOutListInformation", oo)

        return {"opt_out_lists": (self.lists.values(), row)}

    saved_by = {"lists": "name"}

    def saved_row(self, part: str, oo: OptOutList) -> dict:
        return {**saved(oo, skip={"opted_out"}), "opted_out": [saved(e) for e in oo.opted_out.values()]}

    def restore(self, data: dict) -> None:
        self.lists = {}
        for row in data["lists"]:
            oo = restored(OptOutList, {k: v for k, v in row.items() if k != "opted_out"})
            entries = (restored(OptedOut, e) for e in row["opted_out"])
            oo.opted_out = {e.opted_out_number: e for e in entries}
            self._add(oo)
