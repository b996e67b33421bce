"""Hold a JSON response body against the model's output (or error) shape.

Used by the test suite on every response the simulator produced, and by
`cassette verify` on recordings: members the shape lacks, required members
missing, wrong JSON types and values outside an enum are all violations.
"""

from __future__ import annotations

from botocore.model import Shape

from .model import error_shape, operation
from .validation import json_type_ok


def walk(shape: Shape, value, path: str = "$") -> list[str]:
    if not json_type_ok(shape.type_name, value):
        got = "boolean" if isinstance(value, bool) else type(value).__name__
        return [f"{path}: expected {shape.type_name}, got {got}"]
    found: list[str] = []
    if shape.type_name == "structure":
        for name in shape.required_members:
            if name not in value:
                found.append(f"{path}.{name}: required member missing")
        for name, element in value.items():
            member = shape.members.get(name)
            if member is None:
                found.append(f"{path}.{name}: not a member of {shape.name}")
            else:
                found += walk(member, element, f"{path}.{name}")
    elif shape.type_name == "list":
        for i, element in enumerate(value):
            found += walk(shape.member, element, f"{path}[{i}]")
    elif shape.type_name == "map":
        for key, element in value.items():
            found += walk(shape.value, element, f"{path}.{key}")
    elif shape.type_name == "string" and getattr(shape, "enum", None):
        if value not in shape.enum:
            found.append(f"{path}: {value!r} is not in {shape.name}'s enum")
    return found


def check_response(operation_name: str, status: int, body: dict | None) -> list[str]:
    """Violations of one response: 200 against the output shape, errors against their shape."""
    body = body or {}
    if status == 200:
        shape = operation(operation_name).output_shape if operation_name else None
        if shape is None:
            return [] if not body else ["$: operation has no output shape but body is not empty"]
        return walk(shape, body)
    code = str(body.get("__type", "")).rsplit("#", 1)[-1]
    shape = error_shape(code)
    if shape is None:
        # Framing/auth errors outside the model: `__type` plus a lowercase `message`.
        extra = set(body) - {"__type", "message"}
        return [f"$: unmodelled error {code!r} has members {sorted(extra)}"] if extra else []
    problems = walk(shape, {k: v for k, v in body.items() if k != "__type"})
    if operation_name and code not in {e.name for e in operation(operation_name).error_shapes}:
        problems.append(f"$: {code} is not an error {operation_name} can return")
    if status < 400:
        problems.append(f"$: error {code} with status {status}")
    return problems
