"""Every resource, the clock and the id generator as plain JSON, and back.

Each family writes and reads its own part (`Family.export`/`restore`, with the helpers
of families/parts.py). Restored resources re-enter their lifecycle at the moment
they entered their state, so their schedule carries on where it stopped. The
sent-message log is not state: it is left out.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Hashable
from typing import Any

from ..wire.json_read import dump_json
from . import arns
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
        sim.state_registry.changes.mark_everything()  # --state compares every row next
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


# -- the document as rows: what `--state` writes, one row per resource ------------------------
# A row is named (account, region, family, part, key), all text:
# - a resource: its family, the part of the family's export that lists it, its key there
#   (a key that is not text, a sender ID's (name, country), as JSON);
# - a family's frame: part "" and key "": its export with every part empty, and the rest
#   (counters, filters); every family of an account-region has one, so the region's rows say
#   that it exists, and the order of their first rows is the order of the regions;
# - an idempotency entry: family "", part "idempotency", key [operation, token] as JSON.
# Rows keep the order they were first written in (`seq`): the order export() lists them.
RowKey = tuple[str, str, str, str, str]
FRAME, IDEMPOTENCY = "", "idempotency"


def _text(value) -> str:
    return dump_json(value, separators=(",", ":"))


def _key_text(key) -> str:
    return key if isinstance(key, str) else _text(list(key) if isinstance(key, tuple) else key)


class Batch:
    """One save's writes, in order: rows put (key, seq, text) and deleted, and the meta
    values (name -> text, or a function making it: made when written, outside the lock)."""

    def __init__(self) -> None:
        self.put: list[tuple[RowKey, int, str]] = []
        self.deleted: list[RowKey] = []
        self.meta: dict[str, object] = {}
        # what SavedRows knew of each row before this batch, to take the batch back whole
        self.before: list[tuple[RowKey, tuple[int, int] | None]] = []

    def __len__(self) -> int:
        return len(self.put) + len(self.deleted)


class SavedRows:
    """What the state file holds (or will, once the staged batches are written): each row's
    place in the order and a hash of its text, so a save writes only rows whose text
    changed; and, per account-region, the idempotency entries saved, in their order."""

    def __init__(self, index: dict[RowKey, tuple[int, int]] | None = None) -> None:
        self.index = index if index is not None else {}
        self.next_seq = max((seq for seq, _h in self.index.values()), default=0) + 1
        self.tokens: dict[tuple[str, str], tuple[object, dict]] = {}  # -> (the region's dict, saved)
        self.regions: dict[int, object] = {}  # the account-regions whose rows were all staged once
        self.ids_state = None  # the id generator's state last written
        self.clock: str | None = None  # the clock last written

    def put(self, batch: Batch, key: RowKey, text: str) -> None:
        known = self.index.get(key)
        digest = hash(text)
        if known is not None and known[1] == digest:
            return
        seq = known[0] if known is not None else self.next_seq
        if known is None:
            self.next_seq += 1
        batch.before.append((key, known))
        self.index[key] = (seq, digest)
        batch.put.append((key, seq, text))

    def delete(self, batch: Batch, key: RowKey) -> None:
        known = self.index.pop(key, None)
        if known is not None:
            batch.before.append((key, known))
            batch.deleted.append(key)

    def take_back(self, batch: Batch) -> None:
        """A batch that will not be written: what is known of its rows is what it was."""
        for key, known in reversed(batch.before):
            if known is None:
                self.index.pop(key, None)
            else:
                self.index[key] = known


def stage_changes(sim, saved: SavedRows) -> Batch:
    """The rows that changed since the last save, from the marks (engine/changes.py): each
    marked row serialised and compared with what was saved; every family's frame and the
    idempotency memory of every account-region; the clock and the id generator. After a load,
    a reset or an adoption, every row is compared. Runs under the simulator's lock; the
    batch is written outside it."""
    changes = sim.state_registry.changes
    batch = Batch()
    try:
        _stage_rows(sim, saved, batch, *changes.take())
    except BaseException:
        # A family's bug (a row it cannot make): nothing of this batch is written, the rows
        # it held are not believed written, and the next save compares every row.
        saved.take_back(batch)
        changes.mark_everything()
        raise
    clock = _text(sim.clock.saved())
    if clock != saved.clock:
        saved.clock = batch.meta["clock"] = clock
    ids = sim.ids.saved()  # a copy: made into text when the batch is written
    if ids != saved.ids_state:
        saved.ids_state = ids
        batch.meta["ids"] = lambda: _text(ids)
    return batch


def _stage_rows(sim, saved: SavedRows, batch: Batch, rows, everything: bool) -> None:
    if everything:
        _stage_everything(sim, saved, batch)
    else:
        for region in sim.regions.values():
            if id(region) not in saved.regions:  # new: every row, in its families' order
                _stage_frames(region, saved, batch, every=True)
                _stage_region(region, saved, batch)
        for family, part, key in _in_order(rows, saved):
            _stage_row(family, part, key, saved, batch)
        for region in sim.regions.values():
            _stage_frames(region, saved, batch)
            _stage_idempotency(region, saved, batch)


def _in_order(rows, saved: SavedRows) -> list:
    """The marked rows, those new to the file in the order their family's dict holds them
    (a request may create several): the newest are at its end, found walking back from it."""
    known = []
    # (family, part) -> the keys marked in it. A family is typed Any, as the marks hold it
    # (engine/changes.py's RowRef: this layer does not import the families).
    fresh: dict[tuple[Any, str], set[Hashable]] = {}
    for ref in rows:
        if _row_key(*ref) in saved.index:
            known.append(ref)
        else:
            fresh.setdefault(ref[:2], set()).add(ref[2])
    for (family, part), keys in fresh.items():
        found: list = []
        for key in reversed(family.saved_parts()[part]):
            if key in keys:
                found.append(key)
                if len(found) == len(keys):
                    break
        known += [(family, part, key) for key in reversed(found)]
        known += [(family, part, key) for key in keys.difference(found)]  # gone meanwhile
    return known


def _row_key(family, part: str, key) -> RowKey:
    region = family.region
    return (region.account, region.region, family.name, part, _key_text(key))


def _stage_row(family, part: str, key, saved: SavedRows, batch: Batch) -> None:
    resource = family.saved_parts()[part].get(key)
    row = None if resource is None else family.saved_row(part, resource)
    name = _row_key(family, part, key)
    if row is None:
        saved.delete(batch, name)
    else:
        saved.put(batch, name, _text(row))


def _stage_frames(region, saved: SavedRows, batch: Batch, every: bool = False) -> None:
    """The families' frames: every one for a region new to the file, else those that hold
    something besides their parts (`saved_rest`), the only ones whose frame can change."""
    for family in region.families.values():
        rest = family.saved_rest()
        if rest or every:
            frame = {**{part: [] for part in family.saved_by}, **rest}
            saved.put(batch, (region.account, region.region, family.name, FRAME, ""), _text(frame))


def _stage_idempotency(region, saved: SavedRows, batch: Batch) -> None:
    """The entries remembered since the last save (the newest, at the end of the region's
    ordered dict) and those it forgot (the oldest, at its start)."""
    where = (region.account, region.region)
    memory = region.idempotency
    source, mirror = saved.tokens.get(where, (None, {}))
    if source is not memory:  # a region new to the file
        mirror = {}
        saved.tokens[where] = (memory, mirror)
    new = []
    for token in reversed(memory):
        if token in mirror:
            break
        new.append(token)
    for token in reversed(new):
        mirror[token] = None
        fingerprint, result = memory[token]
        saved.put(batch, (*where, "", IDEMPOTENCY, _text(list(token))),
                  _text([*token, fingerprint, result]))
    while mirror:
        oldest = next(iter(mirror))
        if oldest in memory:
            break
        del mirror[oldest]
        saved.delete(batch, (*where, "", IDEMPOTENCY, _text(list(oldest))))


def _stage_region(region, saved: SavedRows, batch: Batch) -> list[RowKey]:
    """Every resource row of an account-region compared with what was saved; their names."""
    saved.regions[id(region)] = region
    names = []
    for family in region.families.values():
        for part, table in family.saved_parts().items():
            for key in list(table):
                _stage_row(family, part, key, saved, batch)
                names.append(_row_key(family, part, key))
    return names


def _stage_everything(sim, saved: SavedRows, batch: Batch) -> None:
    """Every row compared with what was saved; rows of what no longer exists deleted."""
    current: set[RowKey] = set()
    saved.tokens, saved.regions = {}, {}
    for region in sim.regions.values():
        _stage_frames(region, saved, batch, every=True)
        current.update((region.account, region.region, f.name, FRAME, "")
                       for f in region.families.values())
        current.update(_stage_region(region, saved, batch))
        _stage_idempotency(region, saved, batch)
        current.update((region.account, region.region, "", IDEMPOTENCY, _text(list(token)))
                       for token in region.idempotency)
    for gone in [key for key in saved.index if key not in current]:
        saved.delete(batch, gone)


def row_resolver(sim):
    """What `Changes.mark` resolves a marked object with: the row of the family of its
    account-region that holds it (found by `Family.saved_key`), and the rows saved with it
    (`Family.saved_with`); none for an object no family holds (a sent message)."""
    def resolve(obj, region) -> list:
        for candidate in _regions_of(sim, obj, region):
            for family in candidate.families.values():
                found = family.saved_key(obj) if family.saved_by else None
                if found is not None:
                    return [(family, *found)] + [(other, *ref) for other in candidate.families.values()
                                                 for ref in other.saved_with(obj)]
        return []
    return resolve


def _regions_of(sim, obj, hint) -> list:
    """Where to look for `obj`: the account-region it was marked in, then the one its ARN
    names (another account's shared resource), else every one (a part of a resource has no
    ARN)."""
    parsed = arns.parse(getattr(obj, "arn", None) or "")
    owner = sim.regions.get((parsed.account, parsed.region)) if parsed is not None else None
    if owner is not None:
        return [owner] if hint is None or hint is owner else [hint, owner]
    return list(sim.regions.values()) if hint is None else [hint, *(
        r for r in sim.regions.values() if r is not hint)]


def document_from_rows(meta: dict[str, object], rows) -> dict:
    """The document `export_state` wrote, from the rows read back in their order: `rows`
    yields (account, region, family, part, key, value), values already read as JSON.
    ValueError (naming the row) for rows this smsvoice-sim would not have written; what
    the document says is checked by `import_state`."""
    regions: dict[tuple[str, str], dict] = {}
    listed: list[tuple[tuple[str, str], str, str, str, object]] = []
    for account, name, family, part, key, value in rows:
        where = (account, name)
        region = regions.setdefault(where, {"account": account, "region": name, "families": {},
                                            "idempotency": []})
        if family == "" and part == IDEMPOTENCY:
            region["idempotency"].append(value)
        elif family == "" or (part == FRAME) != (key == ""):
            raise ValueError(f"the row {account}/{name} {family or '-'} {part or '-'} {key!r} is "
                             "not one smsvoice-sim writes")
        elif part == FRAME:
            if not isinstance(value, dict):
                raise ValueError(f"{account}/{name} {family}: its frame is not an object")
            region["families"][family] = value
        else:
            listed.append((where, family, part, key, value))
    for where, family, part, key, value in listed:
        frame = regions[where]["families"].get(family)
        if frame is None or not isinstance(frame.get(part), list):
            raise ValueError(f"{where[0]}/{where[1]} {family}: a row of {part} ({key}) that the "
                             "family's frame does not list")
        frame[part].append(value)
    return {"format": FORMAT, "clock": meta.get("clock"), "ids": meta.get("ids"),
            "regions": list(regions.values())}
