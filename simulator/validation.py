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
    return f"'{value}'"


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
    return _type_ok(type_name, value)


def _type_ok(type_name: str, value: object) -> bool:
    allowed = _JSON_TYPES.get(type_name)
    if allowed is None:
        return True
    if isinstance(value, bool) and bool not in allowed:
        return False
    return isinstance(value, allowed)


def _length_checks(meta: dict, noun: str = "length") -> list[Callable[[object, str], Problem | None]]:
    checks = []
    if "min" in meta:
        lo = meta["min"]
        checks.append(lambda v, p, lo=lo: None if len(v) >= lo else _failed(
            p, v, f"Member must have {noun} greater than or equal to {lo}"))
    if "max" in meta:
        hi = meta["max"]
        checks.append(lambda v, p, hi=hi: None if len(v) <= hi else _failed(
            p, v, f"Member must have {noun} less than or equal to {hi}"))
    return checks


def _compile(shape: Shape, cache: dict[str, Check]) -> Check:
    if shape.name in cache:
        return cache[shape.name]
    type_name = shape.type_name
    meta = shape.metadata
    extra: list[Callable[[object, str], Problem | None]] = []
    children: Callable[[object, str, list[Problem]], None] | None = None

    if type_name == "string":
        extra += _length_checks(meta)
        if "pattern" in meta:
            try:
                rx = re.compile(meta["pattern"])
            except re.error:
                rx = None
            if rx is not None:
                pattern = meta["pattern"]
                extra.append(lambda v, p: None if rx.fullmatch(v) else _failed(
                    p, v, f"Member must satisfy regular expression pattern: {pattern}"))
        if shape.enum:
            allowed = frozenset(shape.enum)
            listed = "[" + ", ".join(shape.enum) + "]"
            extra.append(lambda v, p: None if v in allowed else _failed(
                p, v, f"Member must satisfy enum value set: {listed}"))
    elif type_name in ("integer", "long", "double", "float"):
        if "min" in meta:
            lo = meta["min"]
            extra.append(lambda v, p: None if v >= lo else _failed(
                p, v, f"Member must have value greater than or equal to {lo}"))
        if "max" in meta:
            hi = meta["max"]
            extra.append(lambda v, p: None if v <= hi else _failed(
                p, v, f"Member must have value less than or equal to {hi}"))
    elif type_name == "list":
        extra += _length_checks(meta)
        cache[shape.name] = lambda v, p, out: None  # placeholder for recursive shapes
        item = _compile(shape.member, cache)

        def children(value, path, out, item=item):
            for index, element in enumerate(value, start=1):
                item(element, f"{path}.{index}.member", out)
    elif type_name == "map":
        extra += _length_checks(meta)
        cache[shape.name] = lambda v, p, out: None
        key_check = _compile(shape.key, cache)
        value_check = _compile(shape.value, cache)

        def children(value, path, out, key_check=key_check, value_check=value_check):
            for key, element in value.items():
                key_check(key, f"{path}.key", out)
                value_check(element, f"{path}.{key}", out)
    elif type_name == "structure":
        cache[shape.name] = lambda v, p, out: None
        members = {name: (_compile(m, cache), _camel(name)) for name, m in shape.members.items()}
        required = [(name, _camel(name)) for name in shape.required_members]

        def children(value, path, out, members=members, required=required):
            prefix = f"{path}." if path else ""
            for name, camel in required:
                if value.get(name) is None:
                    out.append(_failed(prefix + camel, None, "Member must not be null"))
            for name, element in value.items():
                entry = members.get(name)
                if entry is not None and element is not None:
                    entry[0](element, prefix + entry[1], out)

    def check(value, path, out, type_name=type_name, extra=tuple(extra), children=children):
        if not _type_ok(type_name, value):
            out.append(("type", path, f"Invalid type at '{path or '/'}': expected {type_name}, "
                                      f"found {_json_type_name(value)}"))
            return
        for rule in extra:
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
    """Raise the error AWS would give for `params`, or return quietly."""
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
