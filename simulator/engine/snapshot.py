"""Every resource, the clock and the id generator as plain JSON, and back.

Each family writes and reads its own part (`Family.export`/`restore`, with the helpers
of families/parts.py). Restored resources re-enter their lifecycle at the moment
they entered their state, so their schedule carries on where it stopped. The
sent-message log is not state: it is left out.
"""

from __future__ import annotations

import copy

FORMAT = 2  # 2: one entry per family


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
