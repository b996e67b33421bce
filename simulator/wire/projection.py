"""Responses built from the model: a result (resource objects, dicts of them, plain
values) projected onto an operation's output shape.

A structure member is read from a dict by its name, from an object by its
attribute: the object's `WIRE` mapping names it where the attribute is not the
member's snake_case (`Status` -> `state`). Members that are None are left out,
as AWS leaves out unset optional members. A tuple of sources answers a structure
member by member from the first source that has it (a page of results, then
the resource they belong to: put the most specific source first). A
`{key: value}` dict given for a list of Key/Value structures (tags) becomes that
list: tag conversion lives here only.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any

from botocore.model import Shape

from .model import operation, service_model

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@functools.cache
def snake(member: str) -> str:
    """`OptOutListName` -> `opt_out_list_name`."""
    return _CAMEL.sub("_", member).lower()


_SCALARS = frozenset({"string", "boolean", "integer", "long", "double", "float", "timestamp", "blob"})
# A function from a value to a shape. Its argument is typed Any: what it is (a resource, a
# dict, a list of them) depends on the shape, which only the service model knows.
Projector = Callable[[Any], object]
Reader = Callable[[Any], dict[str, object]]  # a structure's members, read from one source


class PerShape:
    """Functions built by `build`, once per shape name (one service model: names are unique),
    so an answer costs one pass over its members (here and in parsed.py). Only finished
    functions are ever seen by another thread: one thread builds at a time, readers never
    wait. A recursive shape, met inside its own build, gets `placeholder`."""

    def __init__(self, build: Callable[[Shape], Projector | None], placeholder: Projector | None) -> None:
        self.built: dict[str, Projector | None] = {}
        self._build, self._placeholder = build, placeholder
        self._building = threading.RLock()
        self._pending: set[str] = set()  # shapes the building thread is in the middle of

    def __call__(self, shape: Shape) -> Projector | None:
        try:
            return self.built[shape.name]
        except KeyError:
            return self._build_once(shape)

    def _build_once(self, shape: Shape) -> Projector | None:
        with self._building:
            if shape.name in self.built:
                return self.built[shape.name]
            if shape.name in self._pending:
                return self._placeholder
            self._pending.add(shape.name)
            try:
                built = self._build(shape)
            finally:
                self._pending.discard(shape.name)
            self.built[shape.name] = built
            return built


def _is_key_value(shape: Shape) -> bool:
    return shape.type_name == "structure" and set(shape.members) == {"Key", "Value"}


def projector(shape: Shape) -> Projector | None:
    """A function from a result to `shape` (None: the value is taken as it is; so is a
    recursive shape inside itself)."""
    return _PROJECTORS(shape)


def _build(shape: Shape) -> Projector | None:
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape)
    if kind == "list":
        item = shape.member
        if item.type_name in _SCALARS:
            return list  # a copy: the response must not share the resource's list
        each = projector(item) or (lambda x: x)
        if _is_key_value(item):
            return lambda v: tag_list(v) if isinstance(v, dict) else [each(x) for x in v]
        return lambda v: [each(x) for x in v]
    if kind == "map":
        each = projector(shape.value) or (lambda x: x)
        return lambda v: {k: each(x) for k, x in v.items()}
    return None


_PROJECTORS = PerShape(_build, placeholder=None)


def _structure(shape: Shape) -> Projector:
    members = tuple((name, snake(name), member) for name, member in shape.members.items())
    readers: dict[type, Reader] = {}

    def reader(source: object) -> Reader:
        found = readers.get(type(source))
        if found is None:
            wire = getattr(type(source), "WIRE", {})
            plan = [(name, wire.get(name) or attr, projector(member)) for name, attr, member in members]
            found = readers[type(source)] = _compile_reader(plan, type(source))
        return found

    def merged(sources: tuple[object, ...]) -> dict[str, object]:
        found: dict[str, object] = {}
        for source in reversed(sources):
            found.update(reader(source)(source))
        return {name: found[name] for name, _attr, _m in members if name in found}

    def project_structure(value: object) -> dict[str, object]:
        if isinstance(value, tuple):
            return merged(value)
        return reader(value)(value)

    return project_structure


def _has(cls: type, attr: str) -> bool:
    return hasattr(cls, attr) or (is_dataclass(cls) and attr in {f.name for f in fields(cls)})


def _compile_reader(plan: list[tuple[str, str, Projector | None]], cls: type) -> Reader:
    """One straight-line function per (shape, source class), as dataclasses and attrs build
    their methods: a response is built on every call, and a loop over members with
    getattr costs twice as much. Members the class has no attribute for are never read."""
    lines = ["def read(source):", "    out = {}"]
    namespace: dict[str, Any] = {}  # what exec defines in it
    for i, (name, attr, sub) in enumerate(plan):
        if issubclass(cls, dict):
            get = f"source.get({name!r})"
        elif _has(cls, attr):
            get = f"source.{attr}"
        else:
            continue
        value = "v" if sub is None else f"sub{i}(v)"
        namespace[f"sub{i}"] = sub
        lines += [f"    v = {get}", "    if v is not None:", f"        out[{name!r}] = {value}"]
    exec("\n".join([*lines, "    return out"]), namespace)  # noqa: S102 - code built from the model's names
    return namespace["read"]


def project(shape: Shape, value):
    build = projector(shape)
    return value if build is None else build(value)


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
