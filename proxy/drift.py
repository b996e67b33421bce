"""`smsvoice-sim cassette verify`: hold every recorded response against the botocore
model installed now, and say what drifted: members the recordings have that the
model no longer has, members whose type changed, enum values the model dropped,
and members the model has that no recording ever showed."""

from __future__ import annotations

import json
import re
from collections import defaultdict

from botocore.model import Shape

from smsvoice_sim.simulator.wire.conformance import check_response
from smsvoice_sim.simulator.wire.model import operation, operation_names

from .cassette import Cassette

_NOT_MEMBER = re.compile(r"^(\S+): not a member of")
_TYPE = re.compile(r"^(\S+): expected (\w+), got (\w+)")
_ENUM = re.compile(r"^(\S+): (.+) is not in (\w+)'s enum")


def _generic(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def _paths(shape: Shape, prefix: str = "$", depth: int = 0) -> set[str]:
    if depth > 4:
        return set()
    if shape.type_name == "structure":
        out = set()
        for name, member in shape.members.items():
            path = f"{prefix}.{name}"
            out.add(path)
            out |= _paths(member, path, depth + 1)
        return out
    if shape.type_name == "list":
        return _paths(shape.member, f"{prefix}[]", depth + 1)
    return set()


def _seen(value, prefix: str = "$") -> set[str]:
    out = set()
    if isinstance(value, dict):
        for key, item in value.items():
            out.add(f"{prefix}.{key}")
            out |= _seen(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for item in value:
            out |= _seen(item, f"{prefix}[]")
    return out


def verify(cassette: Cassette) -> dict:
    report: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    seen: dict[str, set[str]] = defaultdict(set)
    checked = 0
    for it in cassette.interactions():
        if it.operation not in operation_names():
            report[it.operation or "?"]["unknown operation"].add("the model has no such operation")
            continue
        try:
            body = json.loads(it.response.body) if it.response.body else {}
        except ValueError:
            report[it.operation]["unparsable"].add(f"#{it.seq}")
            continue
        checked += 1
        if it.response.status == 200:
            seen[it.operation] |= _seen(body)
        for problem in check_response(it.operation, it.response.status, body):
            if m := _NOT_MEMBER.match(problem):
                report[it.operation]["gone from the model"].add(_generic(m.group(1)))
            elif m := _TYPE.match(problem):
                report[it.operation]["changed type"].add(
                    f"{_generic(m.group(1))}: recorded {m.group(3)}, model says {m.group(2)}")
            elif m := _ENUM.match(problem):
                report[it.operation]["enum value gone"].add(f"{_generic(m.group(1))}: {m.group(2)}")
            else:
                report[it.operation]["other"].add(problem)
    for op, paths in seen.items():
        new = _paths(operation(op).output_shape) - paths
        # Only members beside ones the recording did show: a whole optional branch
        # that was never exercised is not news.
        new = {p for p in new if p.rsplit(".", 1)[0] in paths | {"$"}}
        if new:
            report[op]["new in the model (never recorded)"] |= new
    return {"checked": checked,
            "operations": {op: {k: sorted(v) for k, v in kinds.items()}
                           for op, kinds in sorted(report.items())}}


def drifted(result: dict) -> bool:
    blocking = {"gone from the model", "changed type", "enum value gone", "unknown operation"}
    return any(blocking & set(kinds) for kinds in result["operations"].values())
