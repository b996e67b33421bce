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


# A rule checks one constraint of a value; a shape's children check its members.
Rule = Callable[[object, str], Problem | None]
Children = Callable[[object, str, list[Problem]], None]


def _bound_rules(meta: dict, measure: Callable[[object], object], noun: str) -> list[Rule]:
    """`min`/`max` of a length (strings, lists, maps) or of a value (numbers)."""
    rules: list[Rule] = []
    if "min" in meta:
        lo = meta["min"]
        rules.append(lambda v, p: None if measure(v) >= lo else _failed(
            p, v, f"Member must have {noun} greater than or equal to {lo}"))
    if "max" in meta:
        hi = meta["max"]
        rules.append(lambda v, p: None if measure(v) <= hi else _failed(
            p, v, f"Member must have {noun} less than or equal to {hi}"))
    return rules


def _compile_string(shape: Shape, cache: dict[str, Check]) -> tuple[list[Rule], Children | None]:
    rules = _bound_rules(shape.metadata, len, "length")
    pattern = shape.metadata.get("pattern")
    if pattern is not None:
        try:
            rx = re.compile(pattern)
        except re.error:  # a pattern Python cannot read is not enforced
            rx = None
        if rx is not None:
            rules.append(lambda v, p: None if rx.fullmatch(v) else _failed(
                p, v, f"Member must satisfy regular expression pattern: {pattern}"))
    if shape.enum:
        allowed = frozenset(shape.enum)
        listed = "[" + ", ".join(shape.enum) + "]"
        rules.append(lambda v, p: None if v in allowed else _failed(
            p, v, f"Member must satisfy enum value set: {listed}"))
    return rules, None


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


def _in_range(type_name: str, low: float, high: float) -> Rule:
    return lambda v, p: None if low <= v <= high else (
        "type", p, f"Invalid value at '{p}': the number {str(v)[:40]} does not fit a {type_name}")


def _compile_number(shape: Shape, cache: dict[str, Check]) -> tuple[list[Rule], Children | None]:
    low, high = _NUMBER_RANGES[shape.type_name]
    return [_in_range(shape.type_name, low, high),
            *_bound_rules(shape.metadata, lambda v: v, "value")], None


def _compile_timestamp(shape: Shape, cache: dict[str, Check]) -> tuple[list[Rule], Children | None]:
    low, high = TIMESTAMP_RANGE
    return [lambda v, p: None if low <= v <= high else _failed(
        p, v, f"Member must be a timestamp between {low} and {high} seconds since the epoch "
              f"(years 1 to 9999)")], None


def _compile_list(shape: Shape, cache: dict[str, Check]) -> tuple[list[Rule], Children | None]:
    item = _compile(shape.member, cache)

    def children(value, path, out):
        for index, element in enumerate(value, start=1):
            item(element, f"{path}.{index}.member", out)
    return _bound_rules(shape.metadata, len, "length"), children


def _compile_map(shape: Shape, cache: dict[str, Check]) -> tuple[list[Rule], Children | None]:
    key_check = _compile(shape.key, cache)
    value_check = _compile(shape.value, cache)

    def children(value, path, out):
        for key, element in value.items():
            key_check(key, f"{path}.key", out)
            value_check(element, f"{path}.{key}", out)
    return _bound_rules(shape.metadata, len, "length"), children


def _compile_structure(shape: Shape, cache: dict[str, Check]) -> tuple[list[Rule], Children | None]:
    members = {name: (_compile(m, cache), _camel(name)) for name, m in shape.members.items()}
    required = [(name, _camel(name)) for name in shape.required_members]

    def children(value, path, out):
        prefix = f"{path}." if path else ""
        # AWS's JSON protocols read a null member of a structure as an absent one (Smithy's
        # protocol tests: "servers don't deserialize null structure values"): dropped here,
        # in place, so no operation ever sees a None it did not expect. A null inside a
        # list or as a map's value stays, and is a SerializationException (its type check).
        for name in [name for name, element in value.items() if element is None]:
            del value[name]
        for name, camel in required:
            if value.get(name) is None:
                out.append(_failed(prefix + camel, None, "Member must not be null"))
        for name, element in value.items():
            entry = members.get(name)
            if entry is not None:
                entry[0](element, prefix + entry[1], out)
    return [], children


def _compile_type_only(shape: Shape, cache: dict[str, Check]) -> tuple[list[Rule], Children | None]:
    return [], None  # booleans, blobs, timestamps: the JSON type is all there is to check


# One compile function per shape type, as botocore's ParamValidator has one validator per type.
_COMPILERS: dict[str, Callable[[Shape, dict[str, Check]], tuple[list[Rule], Children | None]]] = {
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
    type_name = shape.type_name
    rules, children = _COMPILERS.get(type_name, _compile_type_only)(shape, cache)
    rules = tuple(rules)

    def check(value, path, out):
        if not json_type_ok(type_name, value):
            out.append(("type", path, f"Invalid type at '{path or '/'}': expected {type_name}, "
                                      f"found {_json_type_name(value)}"))
            return
        for rule in rules:
            problem = rule(value, path)
            if problem is not None:
                out.append(problem)
        if children is not None:
            children(value, path, out)

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
