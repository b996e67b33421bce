"""Every resource, the clock and the id generator as plain JSON, and back.

Each family writes and reads its own part (`Family.export`/`restore`) with the
two helpers here. Restored resources re-enter their lifecycle at the moment
they entered their state, so their schedule carries on where it stopped. The
sent-message log is not state: it is left out.
"""

from __future__ import annotations

import copy
from dataclasses import fields

from ..families.parts import Keyword

FORMAT = 2  # 2: one entry per family
_LIFECYCLE_FIELDS = ("kind", "state", "entered_at", "reads", "generation")


def saved(resource, skip: set[str] = frozenset()) -> dict:
    """A resource dataclass as JSON: its fields, its place in its lifecycle if it has one."""
    out = {}
    for f in fields(resource):
        if f.name in skip or f.name in _LIFECYCLE_FIELDS:
            continue
        value = getattr(resource, f.name)
        if isinstance(value, set):
            value = sorted(value)
        elif f.name == "keywords":
            value = [[k.keyword, k.message, k.action] for k in value.values()]
        out[f.name] = value
    if hasattr(resource, "entered_at"):
        out["lifecycle"] = [resource.kind, resource.state, resource.entered_at, resource.reads]
    return out


def restored(cls, row: dict, lifecycles=None):
    """The resource `saved` wrote, back in its lifecycle (when it has one)."""
    row = dict(row)
    life = row.pop("lifecycle", None)
    for f in fields(cls):
        if f.name not in row:
            continue
        if f.name == "keywords":
            row[f.name] = {k: Keyword(k, m, a) for k, m, a in row[f.name]}
        elif f.default_factory is set:
            row[f.name] = set(row[f.name])
    resource = cls(**row)
    if life is not None:
        kind, state, entered_at, reads = life
        lifecycles.place(resource, kind, entered_at, state)
        resource.reads = reads
    return resource


def export_state(sim) -> dict:
    regions = [{"account": region.account, "region": region.region,
                "families": {name: family.export() for name, family in region.families.items()},
                "idempotency": [[op, token, fp, result]
                                for (op, token), (fp, result) in region.idempotency.items()]}
               for region in sim.regions.values()]
    return {"format": FORMAT, "clock": sim.clock.saved(), "ids": sim.ids.saved(),
            "regions": regions}


def import_state(sim, data: dict) -> None:
    if data.get("format") != FORMAT:
        raise ValueError(f"state format {data.get('format')} is not {FORMAT}")
    # A family's restore may take rows apart (pop); the caller's document stays whole, so
    # the same document can be imported again.
    data = copy.deepcopy(data)
    sim.clock.restore(data["clock"])
    sim.ids.restore(data["ids"])
    for saved_region in data["regions"]:
        region = sim.region(saved_region["account"], saved_region["region"])
        for name, family_data in saved_region["families"].items():
            family = region.families.get(name)
            if family is None:
                raise ValueError(f"the state file holds {name}, a family this smsvoice-sim lacks")
            family.restore(family_data)
        for family in region.families.values():
            family.relink()
        for op, token, fp, result in saved_region["idempotency"]:
            region.idempotency[(op, token)] = (fp, result)
