"""Hypothesis strategies generated from botocore's model: valid requests, and
requests broken at every kind of constraint the model states."""

from __future__ import annotations

import base64
import json

from hypothesis import strategies as st

from smsvoice_sim.simulator.wire.model import operation
from smsvoice_sim.simulator.wire.validation import json_type_ok

MAX_LIST = 3
# Strategies built once per shape (and depth): building one anew for every example made
# hypothesis validate a fresh tree (and compile every pattern's regex strategy) each time,
# most of the fuzz tests' cost. The same strategies, so the same requests.
_VALID: dict[tuple[str, int], st.SearchStrategy] = {}
_BROKEN: dict[str, st.SearchStrategy] = {}


def valid(shape, depth: int = 0) -> st.SearchStrategy:
    key = (shape.name, depth)
    if key not in _VALID:
        _VALID[key] = _valid(shape, depth)
    return _VALID[key]


def _valid(shape, depth: int) -> st.SearchStrategy:
    t, meta = shape.type_name, shape.metadata
    if t == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        lo, hi = meta.get("min", 0), meta.get("max", 10_000)
        if "pattern" in meta:
            return st.from_regex(meta["pattern"], fullmatch=True).filter(
                lambda v: lo <= len(v) <= hi)
        return st.text(min_size=lo, max_size=min(hi, 40))
    if t in ("integer", "long"):
        return st.integers(meta.get("min", -(2**31)), meta.get("max", 2**31 - 1))
    if t == "boolean":
        return st.booleans()
    if t in ("double", "float", "timestamp"):
        return st.floats(0, 2e9, allow_nan=False)
    if t == "blob":
        return st.binary(max_size=20).map(lambda b: base64.b64encode(b).decode())
    if t == "list":
        lo = meta.get("min", 0)
        return st.lists(valid(shape.member, depth + 1), min_size=lo,
                        max_size=max(lo, min(meta.get("max", MAX_LIST), MAX_LIST)))
    if t == "map":
        lo = meta.get("min", 0)
        return st.dictionaries(valid(shape.key, depth + 1), valid(shape.value, depth + 1),
                               min_size=lo, max_size=max(lo, 2))
    if t == "structure":
        required = {n: valid(m, depth + 1) for n, m in shape.members.items()
                    if n in shape.required_members}
        optional = {n: valid(m, depth + 1) for n, m in shape.members.items()
                    if n not in shape.required_members}
        return st.fixed_dictionaries(required, optional=optional if depth < 3 else {})
    return st.none()


ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


def _break(shape) -> st.SearchStrategy:
    """A value that violates one of `shape`'s constraints (or its type)."""
    if shape.name not in _BROKEN:
        _BROKEN[shape.name] = _breaking(shape)
    return _BROKEN[shape.name]


def _breaking(shape) -> st.SearchStrategy:
    t, meta = shape.type_name, shape.metadata
    # (null is not a break: AWS reads a null member as an absent one)
    options = [ANY_JSON.filter(lambda v: v is not None and not json_type_ok(t, v))]
    if t == "string":
        if "max" in meta:
            options.append(st.just("x" * (meta["max"] + 1)))
        if meta.get("min", 0) > 0:
            options.append(st.just(""))
        if shape.enum:
            options.append(st.text(max_size=10).filter(lambda v: v not in shape.enum))
        if "pattern" in meta and not shape.enum:
            options.append(st.just("\u00e9\u0000 \n\t"))
    if t in ("integer", "long"):
        if "min" in meta:
            options.append(st.just(meta["min"] - 1))
        if "max" in meta:
            options.append(st.just(meta["max"] + 1))
    if t == "list" and "max" in meta:
        options.append(st.just([None] * (meta["max"] + 1)))
    return st.one_of(options)


@st.composite
def broken(draw, operation_name: str) -> dict:
    """A valid request with one member broken (missing, wrong type or out of bounds)."""
    shape = operation(operation_name).input_shape
    params = dict(draw(valid(shape)))
    if not shape.members:  # nothing to break (Delete*SpendLimitOverride)
        return params
    member = draw(st.sampled_from(sorted(shape.members)))
    if member in shape.required_members and draw(st.booleans()):
        params.pop(member, None)
    else:
        params[member] = draw(_break(shape.members[member]))
    return params


GARBAGE_BODIES = st.one_of(
    st.binary(min_size=1, max_size=200),
    ANY_JSON.filter(lambda v: not isinstance(v, dict)).map(lambda v: json.dumps(v).encode()),
    st.integers(1000, 50_000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(1, 5).map(lambda n: b'{"PoolIds": ["' + b"a" * (n * 200_000) + b'"], "MaxResults": 0}'),
    st.just(b"\xff\xfe\xfd{"),
)
