"""Every resource, the clock and the id generator as plain JSON, and back.

Each family writes and reads its own part (`Family.export`/`restore`, with the helpers
of families/parts.py). Restored resources re-enter their lifecycle at the moment
they entered their state, so their schedule carries on where it stopped. The
sent-message log is not state: it is left out.
"""

from __future__ import annotations

import copy
import re

from ..wire.json_read import dump_json
from .persistence import BadStateFile, StateFileError

FORMAT = 2  # 2: one entry per family


def export_state(sim) -> dict:
    regions = [{"account": region.account, "region": region.region,
                "families": {name: family.export() for name, family in region.families.items()},
                "idempotency": [[op, token, fp, result]
                                for (op, token), (fp, result) in region.idempotency.items()]}
               for region in sim.regions.values()]
    return {"format": FORMAT, "clock": sim.clock.saved(), "ids": sim.ids.saved(),
            "regions": regions}


def import_state(sim, data: dict, where: str | None = None) -> None:
    """Load what `export_state` wrote into `sim`; BadStateFile (one line naming the file, the
    place and the problem) for a document this smsvoice-sim would not have written: checked
    before (shape, duplicates, references), during (each family's restore) and after (the
    state reads back as JSON, as `GET /_smsvoice/state` and the next save will read it)."""
    state_file = getattr(sim, "state_file", None)
    where = where or (str(state_file.path) if state_file is not None else "the state document")
    place = ["the document"]  # where the import is, for the message
    try:
        _check_shape(data)
        _check_ids(data)
        _import(sim, copy.deepcopy(data), place)  # restore may pop; the caller's stays whole
        place[0] = "the state as loaded"
        dump_json(export_state(sim))
        dump_json(sim.state())
    except StateFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a hand-edited file is one line
        why = (f"unknown or missing {exc.args[0]!r}" if isinstance(exc, KeyError)
               else " ".join(str(exc).split()) or type(exc).__name__)
        raise BadStateFile(f"{where}: {place[0]}: {why[:300]}") from None


def _import(sim, data: dict, place: list[str]) -> None:
    place[0] = "clock"
    sim.clock.restore(data["clock"])
    place[0] = "ids"
    sim.ids.restore(data["ids"])
    for saved_region in data["regions"]:
        account, name = saved_region["account"], saved_region["region"]
        place[0] = f"{account}/{name}"
        region = sim.region(account, name)
        for family_name, family_data in saved_region["families"].items():
            place[0] = f"{account}/{name} {family_name}"
            family = region.families.get(family_name)
            if family is None:
                raise ValueError(f"{family_name} is a family this smsvoice-sim lacks")
            family.restore(family_data)
        for family_name, family in region.families.items():
            place[0] = f"{account}/{name} {family_name} (its references)"
            family.relink()
        place[0] = f"{account}/{name} idempotency"
        for op, token, fp, result in saved_region["idempotency"]:
            region.idempotency[(op, token)] = (fp, result)


def _check_shape(data) -> None:
    """The document's frame: exactly the members `export_state` writes, of the right types."""
    if not isinstance(data, dict):
        raise ValueError(f"the state is a JSON {type(data).__name__}, not an object")
    if data.get("format") != FORMAT:
        raise ValueError(f"state format {data.get('format')!r} is not {FORMAT}")
    if set(data) != _DOCUMENT_MEMBERS:
        raise ValueError(_members_problem("the state", set(data), _DOCUMENT_MEMBERS))
    if not isinstance(data["regions"], list):
        raise ValueError("regions is not a list")
    seen = set()
    for index, region in enumerate(data["regions"]):
        if not isinstance(region, dict) or set(region) != _REGION_MEMBERS:
            raise ValueError(_members_problem(f"regions[{index}]", set(region) if isinstance(
                region, dict) else set(), _REGION_MEMBERS))
        if not (isinstance(region["account"], str) and isinstance(region["region"], str)
                and isinstance(region["families"], dict) and isinstance(region["idempotency"], list)):
            raise ValueError(f"regions[{index}]: a member has the wrong type")
        key = (region["account"], region["region"])
        if key in seen:
            raise ValueError(f"{key[0]}/{key[1]} appears twice")
        seen.add(key)
        if not all(isinstance(e, list) and len(e) == 4 for e in region["idempotency"]):
            raise ValueError(f"{key[0]}/{key[1]}: an idempotency entry is not [op, token, fp, result]")


def _members_problem(what: str, found: set, wanted: set) -> str:
    missing, extra = sorted(wanted - found), sorted(found - wanted)
    return f"{what} " + "; ".join(
        ([f"lacks {', '.join(missing)}"] if missing else [])
        + ([f"has unknown {', '.join(map(str, extra))}"] if extra else []))


_DOCUMENT_MEMBERS = {"format", "clock", "ids", "regions"}
_REGION_MEMBERS = {"account", "region", "families", "idempotency"}
# A resource id this service makes: a kind, a dash, 32 hex digits (pool-…, phone-…, …).
_RESOURCE_ID = re.compile(r"^[a-z]+-[0-9a-f]{32}$")


def _rows(region: dict):
    """Every saved resource of an account-region: the rows (with an ARN) of its families."""
    for family in region["families"].values():
        if isinstance(family, dict):
            for rows in family.values():
                if isinstance(rows, list):
                    yield from (row for row in rows if isinstance(row, dict) and "arn" in row)


def _check_ids(data: dict) -> None:
    """Each resource once, holding the id its ARN names, and every `…_id` that names a
    resource of this service naming one saved in the same account-region."""
    for region in data["regions"]:
        where = f"{region['account']}/{region['region']}"
        own: dict[str, str] = {}
        for row in _rows(region):
            arn = str(row["arn"])
            if arn in own.values():
                raise ValueError(f"{where}: {arn} is saved twice")
            last = arn.rsplit("/", 1)[-1]
            if last not in [v for v in row.values() if isinstance(v, str)]:
                raise ValueError(f"{where}: the resource {arn} does not hold the id its ARN names")
            own[last] = arn
        for row in _rows(region):
            for field_name, value in row.items():
                if field_name.endswith("_id") and isinstance(value, str) and \
                        _RESOURCE_ID.match(value) and value not in own:
                    raise ValueError(f"{where}: {row['arn']} has {field_name} {value}, which is "
                                     "not saved in this account and region")
