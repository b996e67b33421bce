"""What botocore's parser makes of a response, built from the projected result itself.

The short-circuit door answers where botocore's Stubber answers: with Python objects, not
bytes for botocore to parse. A result projected onto an output shape (projection.py) holds
JSON types; botocore's JSON parser, given those as bytes, would return the same values but
timestamps as timezone-aware datetimes (in the local zone, as `botocore.utils.parse_timestamp`
makes them), blobs as bytes, and only members of the shape that are not null. This module
does exactly that, with one function per shape built once (as projection.py builds its
readers), so an answer costs one pass over its members and never a JSON round trip.

`parsed_differences` is how the test suite holds this to botocore: every response the
conformance run produces is also serialised and parsed by botocore's own parser, and the two
must match member for member, type for type (tests/conftest.py).
"""

from __future__ import annotations

import base64
import datetime
import time
from collections.abc import Callable
from typing import Any, cast

from botocore.model import Shape
from botocore.parsers import create_parser
from botocore.utils import get_tzinfo_options, parse_timestamp
from dateutil.tz import tzlocal

from .model import operation, service_model
from .projection import PerShape

Converter = Callable[[Any], object]  # Any: what a value is depends on its shape, as in projection.py

_UTC = datetime.UTC


class _LocalZone:
    """The tzinfo botocore gives parsed timestamps (`get_tzinfo_options()[0]()`, a dateutil
    `tzlocal` outside Windows). Where the zone has no daylight saving time its offset never
    changes: one tzinfo serves every timestamp, and the datetime is built from UTC plus that
    offset in C. Elsewhere each timestamp gets its own tzinfo, as botocore gives it: Python
    compares and subtracts datetimes that share a tzinfo object by their wall-clock times,
    which across a change of offset (01:30 EDT, then 01:30 EST) would be an hour off."""

    def __init__(self) -> None:
        # (zone setting, the zone's class, its one tzinfo and offset where fixed), swapped whole
        self.made: tuple = (None, None, None, None)

    def current(self) -> tuple[datetime.tzinfo, datetime.timedelta | None]:
        key = (time.timezone, time.altzone, time.daylight, time.tzname)
        made_for, zone, tz, fixed = self.made
        if key != made_for:  # the process's zone changed (time.tzset): botocore would follow
            zone = get_tzinfo_options()[0]
            tz = zone()
            constant = zone is tzlocal and not time.daylight
            fixed = datetime.timedelta(seconds=-time.timezone) if constant else None
            self.made = (key, zone, tz, fixed)
        return (tz, fixed) if fixed is not None else (zone(), None)


_ZONE = _LocalZone()


def parse_epoch(value) -> datetime.datetime:
    """`botocore.utils.parse_timestamp(value)`, the same value and tzinfo, without dateutil's
    Python-level offset lookup where the zone has a fixed offset."""
    if type(value) in (int, float):
        tz, fixed = _ZONE.current()
        try:
            if fixed is not None:
                return (datetime.datetime.fromtimestamp(value, _UTC) + fixed).replace(tzinfo=tz)
            return datetime.datetime.fromtimestamp(value, tz)
        except (OverflowError, OSError, ValueError):
            pass  # out of the platform's range: botocore's own fallbacks decide
    return parse_timestamp(value)


def _blob(value) -> bytes:
    return base64.b64decode(value)


def converter(shape: Shape) -> Converter | None:
    """A function from a projected value of `shape` to what botocore parses it as (None: the
    value is what botocore gives, as it is: strings, numbers, booleans). A recursive shape
    meets `_nested` inside itself."""
    return _CONVERTERS(shape)


def _nested(value: object) -> object:
    raise AssertionError("a recursive shape's converter was called while it was built")


def _build(shape: Shape) -> Converter | None:
    kind = shape.type_name
    if kind == "timestamp":
        return parse_epoch
    if kind == "blob":
        return _blob
    if kind == "structure":
        return None if shape.is_document_type else _structure(shape)
    if kind == "list":
        each = _late(shape.member)
        if each is None:
            return list  # a new list: the answer must not share the simulator's
        return lambda v: [None if x is None else each(x) for x in v]
    if kind == "map":
        key, value = _late(shape.key), _late(shape.value)
        if key is None and value is None:
            return dict
        convert_key, convert_value = key or _same, value or _same
        return lambda v: {convert_key(k): None if x is None else convert_value(x) for k, x in v.items()}
    return None


_CONVERTERS = PerShape(_build, placeholder=_nested)


def _same(value: object) -> object:
    return value


def _late(shape: Shape) -> Converter | None:
    """The converter of a member shape; a recursive one is looked up when first called."""
    found = converter(shape)
    if found is not _nested:
        return found
    return lambda v: (_CONVERTERS.built[shape.name] or _same)(v)


def _structure(shape: Shape) -> Converter:
    """One straight-line function per structure, as projection.py compiles its readers:
    botocore's JSON parser walks the shape's members, reads each by its serialised name and
    keeps those that are not null."""
    lines = ["def convert(value):", "    out = {}"]
    namespace: dict[str, Any] = {}  # what exec defines in it
    for i, (name, member) in enumerate(shape.members.items()):
        sub = _late(member)
        namespace[f"c{i}"] = sub
        wire_name = member.serialization.get("name", name)
        lines += [f"    v = value.get({wire_name!r})", "    if v is not None:",
                  f"        out[{name!r}] = {'v' if sub is None else f'c{i}(v)'}"]
    exec("\n".join([*lines, "    return out"]), namespace)  # noqa: S102 - code built from the model's names
    return namespace["convert"]


def parsed_output(operation_name: str, payload: dict | None) -> dict:
    """What botocore's parser returns for a 200 answer of `payload` (before it adds
    ResponseMetadata): always new containers, never the payload's own."""
    shape = operation(operation_name).output_shape
    if shape is None or payload is None:
        return {}
    convert = converter(shape)
    # An output shape is a structure and never a document: its converter is `_structure`'s,
    # which returns a dict.
    assert convert is not None
    return cast(dict, convert(payload))


# -- the check the test suite runs on every response ------------------------------------
_PARSER = None


def botocore_parse(operation_name: str, status: int, headers: dict, body: bytes) -> dict:
    """botocore's own parse of a wire answer (as the full door's endpoint parses it)."""
    from botocore.awsrequest import HeadersDict
    global _PARSER
    if _PARSER is None:
        _PARSER = create_parser(service_model().protocol)
    shape = operation(operation_name).output_shape
    return _PARSER.parse({"status_code": status, "headers": HeadersDict(headers), "body": body},
                         shape)


def parsed_differences(ours, theirs, path: str = "$") -> list[str]:
    """Where two parsed answers differ: value, type (a str subclass is not a str), and for
    datetimes the tzinfo's type and offset too, which `==` alone would not see."""
    if type(ours) is not type(theirs):
        return [f"{path}: {type(ours).__name__} here, {type(theirs).__name__} from botocore"]
    if isinstance(ours, dict):
        found = [f"{path}.{k}: missing here" for k in theirs if k not in ours]
        found += [f"{path}.{k}: not in botocore's parse" for k in ours if k not in theirs]
        for key in ours.keys() & theirs.keys():
            found += parsed_differences(ours[key], theirs[key], f"{path}.{key}")
        return found
    if isinstance(ours, list):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} items here, {len(theirs)} from botocore"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
                for d in parsed_differences(a, b, f"{path}[{i}]")]
    if isinstance(ours, datetime.datetime):
        same = (ours == theirs and type(ours.tzinfo) is type(theirs.tzinfo)
                and ours.utcoffset() == theirs.utcoffset() and ours.fold == theirs.fold
                and ours.replace(tzinfo=None) == theirs.replace(tzinfo=None))
        return [] if same else [f"{path}: {ours!r} here, {theirs!r} from botocore"]
    return [] if ours == theirs else [f"{path}: {ours!r} here, {theirs!r} from botocore"]


def check_parsed(operation_name: str, payload: dict, status: int, headers: dict,
                 body: bytes) -> list[str]:
    """Differences between the short-circuit door's answer for `payload` and botocore's
    parse of the same answer's bytes (ResponseMetadata aside: the doors add it)."""
    theirs = botocore_parse(operation_name, status, headers, body)
    theirs.pop("ResponseMetadata", None)
    return parsed_differences(parsed_output(operation_name, payload), theirs)
