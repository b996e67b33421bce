"""Responses built from the model: a result (resource objects, dicts of them, plain
values) projected onto an operation's output shape.

A structure member is read from a dict by its name, from an object by its
attribute: the object's `WIRE` mapping names it where the attribute is not the
member's snake_case (`Status` -> `state`). Members that are None are left out,
as AWS leaves out unset optional members. A tuple of sources answers a structure
member by member from the first source that has it (a page of results, then
the resource they belong to: put the most specific source first). A `{key: value}` dict given for a list
of Key/Value structures (tags) becomes that list: tag conversion lives here only.
"""

from __future__ import annotations

import functools
import re

from botocore.model import Shape

from .model import operation, service_model

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.cache
def snake(member: str) -> str:
    """`OptOutListName` -> `opt_out_list_name`."""
    return _CAMEL.sub("_", member).lower()


@functools.cache
def _attributes(cls: type, shape: Shape) -> tuple[tuple[str, str, Shape], ...]:
    wire = getattr(cls, "WIRE", {})
    return tuple((name, wire.get(name) or snake(name), member)
                 for name, member in shape.members.items())


def _is_key_value(shape: Shape) -> bool:
    return shape.type_name == "structure" and set(shape.members) == {"Key", "Value"}


def _read(source, shape: Shape) -> dict:
    """Member name -> (value, member shape), None values left out."""
    if isinstance(source, dict):
        got = ((name, source.get(name), member) for name, member in shape.members.items())
    else:
        got = ((name, getattr(source, attr, None), member)
               for name, attr, member in _attributes(type(source), shape))
    return {name: (v, member) for name, v, member in got if v is not None}


def project(shape: Shape, value):
    kind = shape.type_name
    if kind == "structure":
        if isinstance(value, tuple):
            read: dict = {}
            for source in reversed(value):
                read.update(_read(source, shape))
            read = {name: read[name] for name in shape.members if name in read}
        else:
            read = _read(value, shape)
        return {name: project(member, v) for name, (v, member) in read.items()}
    if kind == "list":
        if isinstance(value, dict) and _is_key_value(shape.member):
            return tag_list(value)
        return [project(shape.member, item) for item in value]
    if kind == "map":
        return {k: project(shape.value, v) for k, v in value.items()}
    return value


def project_as(shape_name: str, value) -> dict:
    """`value` as the model's structure `shape_name` (state views, adoption)."""
    return project(service_model().shape_for(shape_name), value)


def project_output(operation_name: str, result) -> dict:
    """An operation's result as its output structure; {} for an operation without one."""
    shape = operation(operation_name).output_shape
    return {} if shape is None or result is None else project(shape, result)


def tag_list(tags: dict[str, str]) -> list[dict]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def tag_dict(tags: list[dict] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags or ()}
