"""Filters and NextToken pagination shared by every Describe/List operation."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from . import errors
from .json_read import read_json

DEFAULT_PAGE_SIZE = 100  # [inf] AWS does not publish its default page size
T = TypeVar("T")  # the resource a Describe/List call returns
Getters = dict[str, Callable[[Any], object]]  # filter name -> the value(s) of a resource it reads


def flag(value: bool) -> str:
    return "true" if value else "false"


def apply_filters(items: Iterable[T], filters: Sequence[dict] | None, getters: Getters) -> list[T]:
    """Keep the items that match every filter; a filter matches when any of its values does.
    A getter returns a string or a list of strings (e.g. number capabilities)."""
    items = list(items)
    for flt in filters or ():
        getter = getters[flt["Name"]]  # names were checked against the model's enum
        wanted = set(flt["Values"])

        def matches(item, getter=getter, wanted=wanted) -> bool:
            value = getter(item)
            values = value if isinstance(value, list) else [value]
            return any(v in wanted for v in values if v is not None)

        items = [i for i in items if matches(i)]
    return items


def _encode(operation: str, offset: int) -> str:
    raw = json.dumps({"op": operation, "offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode(operation: str, token: str) -> int:
    try:
        data = read_json(base64.urlsafe_b64decode(token.encode()))  # the caller's: untrusted
        if data.get("op") == operation and isinstance(data.get("offset"), int) and data["offset"] >= 0:
            return data["offset"]
    except (binascii.Error, ValueError, AttributeError, UnicodeError):
        pass
    raise errors.validation("INVALID_NEXT_TOKEN", "The NextToken is invalid or expired.",
                            [{"Name": "NextToken", "Message": "Invalid NextToken"}])


def paginate(operation: str, items: list[T], params: dict) -> tuple[list[T], str | None]:
    start = _decode(operation, params["NextToken"]) if params.get("NextToken") else 0
    size = params.get("MaxResults") or DEFAULT_PAGE_SIZE
    page = items[start:start + size]
    more = start + size < len(items)
    return page, (_encode(operation, start + size) if more else None)


def page_result(operation: str, key: str, items: list[T], params: dict,
                render: Callable[[T], object] | None = None) -> tuple[dict, list[T]]:
    """One page of `items` under `key` (rendered later from the output shape unless
    `render` is given), with the NextToken for the rest."""
    page, token = paginate(operation, items, params)
    result: dict[str, Any] = {key: page if render is None else [render(i) for i in page]}
    if token:
        result["NextToken"] = token
    return result, page


def reject_together(params: dict, first: str, second: str) -> None:
    if params.get(first) and params.get(second):
        raise errors.validation(
            "PARAMETERS_CANNOT_BE_USED_TOGETHER", f"{first} and {second} cannot be used together.",
            [{"Name": first, "Message": f"Cannot be used with {second}"}])


def select(params: dict, ids_member: str, lookup: Callable[[Any], T], everything: Iterable[T],
           shared: Callable[[], Iterable[T]] | None = None) -> list[T]:
    """What a Describe* call asks for: the named resources (each must exist; duplicates
    once), none when asking for what others share with you (sharing through AWS RAM is
    not simulated), else everything."""
    reject_together(params, ids_member, "Owner")
    if params.get(ids_member):
        return list(dict.fromkeys(lookup(ref) for ref in params[ids_member]))
    if params.get("Owner") == "SHARED":
        return list(shared()) if shared is not None else []
    return list(everything)


def describe(operation: str, key: str, params: dict, ids_member: str,
             lookup: Callable[[Any], T], everything: Iterable[T], filters: Getters | None = None,
             observe: Callable[[Any], None] | None = None,
             shared: Callable[[], Iterable[T]] | None = None) -> dict:
    """A Describe* call: what it asks for (`select`), filtered, one page of it; `observe`
    sees each resource the page returns (the reads clock counts them)."""
    found = select(params, ids_member, lookup, everything, shared)
    if filters is not None:
        found = apply_filters(found, params.get("Filters"), filters)
    result, page = page_result(operation, key, found, params)
    if observe is not None:
        for item in page:
            observe(item)
    return result
