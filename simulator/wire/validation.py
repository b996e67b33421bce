"""Request validation compiled once from botocore's model.

botocore's client checks neither `max` nor `pattern`, and other SDKs check
less, so the server side has to. Each operation's input shape is compiled into
a tree of small closures the first time it is used; a call then only runs
them. Wrong JSON types are what AWS's JSON deserialiser rejects
(SerializationException); every other constraint is a ValidationException in
Coral's wording, with one `Fields` entry per failure.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from botocore.model import Shape

from .errors import ServiceError, serialization, validation
from .model import operation

# A check appends (kind, path, message) to the list it is given; kind is
# "type" (deserialisation) or "constraint".
Problem = tuple[str, str, str]
Check = Callable[[object, str, list[Problem]], None]


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _render(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"'{value[:256]}'"
    if isinstance(value, list):
        return "'[" + ", ".join(str(v) for v in value[:20]) + "]'"
    return f"'{str(value)[:256]}'"  # a 4,000-digit number is shown cut, as a long string


def _failed(path: str, value: object, constraint: str) -> Problem:
    return ("constraint", path,
            f"Value {_render(value)} at '{path}' failed to satisfy constraint: {constraint}")


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "structure": (dict,), "map": (dict,), "list": (list,), "string": (str,),
    "blob": (str,), "boolean": (bool,), "integer": (int,), "long": (int,),
    "double": (int, float), "float": (int, float), "timestamp": (int, float),
}


def _json_type_name(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean",
            int: "number", float: "number"}.get(type(value), "null")


def json_type_ok(type_name: str, value: object) -> bool:
    """Whether `value` has the JSON type AWS JSON 1.0 gives a shape of `type_name`."""
    allowed = _JSON_TYPES.get(type_name)
    if allowed is None:
        return True
    if isinstance(value, bool) and bool not in allowed:
        return False
    return isinstance(value, allowed)


def _type_problem(type_name: str, value: object, path: str) -> Problem:
    return ("type", path, f"Invalid type at '{path or '/'}': expected {type_name}, "
                          f"found {_json_type_name(value)}")


def _exact_classes(type_name: str) -> frozenset[type]:
    """The classes json.loads gives a value of this shape type (True's class is bool, not
    int): a check by class first, so a well-typed value costs one set lookup; anything else
    asks json_type_ok, as before."""
    return frozenset(_JSON_TYPES.get(type_name, ()))


def _bounds(meta: dict, noun: str) -> tuple:
    """`min`/`max` of a length (strings, lists, maps) or of a value (numbers), and what a
    value out of them is told."""
    lo, hi = meta.get("min"), meta.get("max")
    return (lo, hi, f"Member must have {noun} greater than or equal to {lo}",
            f"Member must have {noun} less than or equal to {hi}")


# Each shape type compiles to one closure that checks the JSON type, then every constraint in
# the model's order (min, max, pattern, enum), then the children: no rule objects, no calls
# per constraint, since every request of every door runs these.
def _compile_string(shape: Shape, cache: dict[str, Check]) -> Check:
    lo, hi, lo_msg, hi_msg = _bounds(shape.metadata, "length")
    pattern = shape.metadata.get("pattern")
    rx = None
    if pattern is not None:
        try:
            rx = re.compile(pattern)
        except re.error:  # a pattern Python cannot read is not enforced
            rx = None
    pattern_msg = f"Member must satisfy regular expression pattern: {pattern}"
    allowed = frozenset(shape.enum) if shape.enum else None
    enum_msg = "Member must satisfy enum value set: [" + ", ".join(shape.enum or ()) + "]"

    def check(value, path, out):
        if value.__class__ is not str and not json_type_ok("string", value):
            out.append(_type_problem("string", value, path))
            return
        if lo is not None and len(value) < lo:
            out.append(_failed(path, value, lo_msg))
        if hi is not None and len(value) > hi:
            out.append(_failed(path, value, hi_msg))
        if rx is not None and rx.fullmatch(value) is None:
            out.append(_failed(path, value, pattern_msg))
        if allowed is not None and value not in allowed:
            out.append(_failed(path, value, enum_msg))
    return check


# [inf] What a Java int / long / double (AWS's deserialisers) can hold: a JSON number past it
# cannot be read, a SerializationException as for a wrong type. Every number of this model
# also has a min/max, checked after (a ValidationException).
_NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1),
    "double": (-1.7976931348623157e308, 1.7976931348623157e308),
    "float": (-3.4028234663852886e38, 3.4028234663852886e38),
}
# [inf] Timestamps are epoch seconds; AWS does not document a range. These are the first and
# last seconds of years 1 and 9999, what the simulator (and an ISO 8601 date) can represent:
# a timestamp outside is a ValidationException naming the member.
TIMESTAMP_RANGE = (-62135596800, 253402300799)


def _compile_number(shape: Shape, cache: dict[str, Check]) -> Check:
    type_name, exact = shape.type_name, _exact_classes(shape.type_name)
    low, high = _NUMBER_RANGES[type_name]
    lo, hi, lo_msg, hi_msg = _bounds(shape.metadata, "value")

    def check(value, path, out):
        if value.__class__ not in exact and not json_type_ok(type_name, value):
            out.append(_type_problem(type_name, value, path))
            return
        if not low <= value <= high:
            out.append(("type", path, f"Invalid value at '{path}': the number {str(value)[:40]} "
                                      f"does not fit a {type_name}"))
            return
        if lo is not None and value < lo:
            out.append(_failed(path, value, lo_msg))
        if hi is not None and value > hi:
            out.append(_failed(path, value, hi_msg))
    return check


def _compile_list(shape: Shape, cache: dict[str, Check]) -> Check:
    item = _compile(shape.member, cache)
    lo, hi, lo_msg, hi_msg = _bounds(shape.metadata, "length")

    def check(value, path, out):
        if value.__class__ is not list and not json_type_ok("list", value):
            out.append(_type_problem("list", value, path))
            return
        if lo is not None and len(value) < lo:
            out.append(_failed(path, value, lo_msg))
        if hi is not None and len(value) > hi:
            out.append(_failed(path, value, hi_msg))
        for index, element in enumerate(value, start=1):
            item(element, f"{path}.{index}.member", out)
    return check


def _compile_map(shape: Shape, cache: dict[str, Check]) -> Check:
    key_check = _compile(shape.key, cache)
    value_check = _compile(shape.value, cache)
    lo, hi, lo_msg, hi_msg = _bounds(shape.metadata, "length")

    def check(value, path, out):
        if value.__class__ is not dict and not json_type_ok("map", value):
            out.append(_type_problem("map", value, path))
            return
        if lo is not None and len(value) < lo:
            out.append(_failed(path, value, lo_msg))
        if hi is not None and len(value) > hi:
            out.append(_failed(path, value, hi_msg))
        for key, element in value.items():
            key_check(key, f"{path}.key", out)
            value_check(element, f"{path}.{key}", out)
    return check


def _compile_structure(shape: Shape, cache: dict[str, Check]) -> Check:
    members = {name: (_compile(m, cache), _camel(name)) for name, m in shape.members.items()}
    required = [(name, _camel(name)) for name in shape.required_members]

    def check(value, path, out):
        if value.__class__ is not dict and not json_type_ok("structure", value):
            out.append(_type_problem("structure", value, path))
            return
        prefix = f"{path}." if path else ""
        # AWS's JSON protocols read a null member of a structure as an absent one (Smithy's
        # protocol tests: "servers don't deserialize null structure values"): dropped here,
        # in place, so no operation ever sees a None it did not expect. A null inside a
        # list or as a map's value stays, and is a SerializationException (its type check).
        if None in value.values():
            for name in [name for name, element in value.items() if element is None]:
                del value[name]
        for name, camel in required:
            if value.get(name) is None:
                out.append(_failed(prefix + camel, None, "Member must not be null"))
        for name, element in value.items():
            entry = members.get(name)
            if entry is not None:
                entry[0](element, prefix + entry[1], out)
    return check


def _compile_timestamp(shape: Shape, cache: dict[str, Check]) -> Check:
    low, high = TIMESTAMP_RANGE
    exact = _exact_classes("timestamp")
    range_msg = (f"Member must be a timestamp between {low} and {high} seconds since the epoch "
                 f"(years 1 to 9999)")

    def check(value, path, out):
        if value.__class__ not in exact and not json_type_ok("timestamp", value):
            out.append(_type_problem("timestamp", value, path))
        elif not low <= value <= high:
            out.append(_failed(path, value, range_msg))
    return check


def _compile_type_only(shape: Shape, cache: dict[str, Check]) -> Check:
    """Booleans and blobs: the JSON type is all there is to check."""
    type_name, exact = shape.type_name, _exact_classes(shape.type_name)
    if type_name not in _JSON_TYPES:
        return _no_check

    def check(value, path, out):
        if value.__class__ not in exact and not json_type_ok(type_name, value):
            out.append(_type_problem(type_name, value, path))
    return check


# One compile function per shape type, as botocore's ParamValidator has one validator per type.
_COMPILERS: dict[str, Callable[[Shape, dict[str, Check]], Check]] = {
    "string": _compile_string,
    "integer": _compile_number, "long": _compile_number,
    "double": _compile_number, "float": _compile_number,
    "list": _compile_list, "map": _compile_map, "structure": _compile_structure,
    "timestamp": _compile_timestamp,
}


def _no_check(value: object, path: str, out: list[Problem]) -> None:
    return None


def _compile(shape: Shape, cache: dict[str, Check]) -> Check:
    """The check of `shape`, compiled once per shape name. A recursive shape meets its own
    placeholder (no check) where it contains itself."""
    if shape.name in cache:
        return cache[shape.name]
    cache[shape.name] = _no_check
    check = _COMPILERS.get(shape.type_name, _compile_type_only)(shape, cache)
    cache[shape.name] = check
    return check


@functools.cache
def _validator(operation_name: str) -> Check:
    shape = operation(operation_name).input_shape
    if shape is None:
        return lambda v, p, out: None
    return _compile(shape, {})


def problems(operation_name: str, params: object) -> list[Problem]:
    out: list[Problem] = []
    _validator(operation_name)(params, "", out)
    return out


def validate(operation_name: str, params: object) -> None:
    """Raise the error AWS would give for `params`, or return quietly. Null members of
    structures are removed from `params` on the way (AWS reads null as absent)."""
    found = problems(operation_name, params)
    if not found:
        return
    type_errors = [message for kind, _path, message in found if kind == "type"]
    if type_errors:
        raise serialization(type_errors[0])
    raise validation_error(found)


def validation_error(found: list[Problem]) -> ServiceError:
    count = len(found)
    noun = "error" if count == 1 else "errors"
    message = f"{count} validation {noun} detected: " + "; ".join(m for _k, _p, m in found)
    fields = [{"Name": path, "Message": m} for _k, path, m in found]
    return validation("FIELD_VALIDATION_FAILED", message, fields)
