"""The resources the inspector lists, per account and region, each with its lifecycle machines,
the state each is in and when its next clock-driven step falls due; and the lifecycle machines
themselves as data (states, moves, which moves the clock makes), for the page to draw.

A row is built from the family's own state view (the same JSON `GET /_smsvoice/state` shows),
joined by id or ARN to the family's objects for what the view does not carry: the machines
and their timers on the scheduler (engine/scheduler.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..engine.lifecycle import Lifecycled, Lifecycles, LifecycleSpec

if TYPE_CHECKING:
    from ..families import Family
    from ..service import Simulator


@dataclass(frozen=True)
class Kind:
    """A resource type the inspector lists: its family's view key, its name, and how a view
    row names it."""

    key: str  # the family view's key (state view)
    label: str
    ident: Callable[[dict], str]  # its id, as the control API takes it (force a transition)
    name: Callable[[dict], str] | None = None  # what a person calls it, when not its id
    family: str = ""  # the family that holds it (Family.name), when not `key`

    @property
    def family_name(self) -> str:
        return self.family or self.key


def _member(name: str) -> Callable[[dict], str]:
    return lambda row: str(row.get(name))


KINDS = (
    Kind("pools", "Pool", _member("PoolId")),
    Kind("phone_numbers", "Phone number", _member("PhoneNumberId"), _member("PhoneNumber")),
    Kind("sender_ids", "Sender ID", _member("SenderIdArn"),
         lambda row: f"{row.get('SenderId')} ({row.get('IsoCountryCode')})"),
    Kind("opt_out_lists", "Opt-out list", _member("OptOutListName")),
    Kind("configuration_sets", "Configuration set", _member("ConfigurationSetName")),
    Kind("protect_configurations", "Protect configuration", _member("ProtectConfigurationId")),
    Kind("registrations", "Registration", _member("RegistrationId")),
    Kind("rcs_agents", "RCS agent", _member("RcsAgentId")),
    Kind("notify_configurations", "Notify configuration", _member("NotifyConfigurationId"), family="notify"),
)
KIND_KEYS = {kind.key: kind for kind in KINDS}
FAMILIES = {kind.family_name for kind in KINDS}  # only these views are read (not 10,000 messages)
STATUS_MEMBERS = ("Status", "RegistrationStatus")


@dataclass(frozen=True)
class ResourceFilter:
    account: str | None = None
    region: str | None = None
    kind: str | None = None  # a KINDS key
    text: str | None = None  # a part of the name, id, ARN or phone number
    state: str | None = None

    def matches(self, row: dict) -> bool:
        if self.kind is not None and row["type"] != self.kind:
            return False
        if self.state is not None and row["state"] != self.state:
            return False
        if self.text:
            haystack = " ".join(str(v) for v in (row["id"], row["name"], *row["view"].values())
                                if isinstance(v, str))
            return self.text.lower() in haystack.lower()
        return True


# -- machines and their next steps -----------------------------------------------------------
def _destination(spec: LifecycleSpec, trigger: str, state: str) -> str | None:
    for move in spec.transitions:
        sources = move["source"] if isinstance(move["source"], list) else [move["source"]]
        if move["trigger"] == trigger and (state in sources or "*" in sources):
            return move["dest"]
    return None


def _machine(lifecycles: Lifecycles, kind: str, state: str, trigger: str | None,
             due: float | None, now: float, label: str | None = None) -> dict:
    spec = lifecycles.specs.get(kind)
    following = None
    if trigger is not None and due is not None and spec is not None:
        following = {"trigger": trigger, "to": _destination(spec, trigger, state), "at": due,
                     "in": max(0.0, due - now)}
    return {"kind": kind, "label": label or kind, "state": state, "next": following}


def _lifecycled(lifecycles: Lifecycles, part: Lifecycled, now: float, label: str | None = None) -> dict:
    timer = part.timer
    live = timer is not None and not timer.cancelled
    trigger = lifecycles.specs[part.kind].automatic.get(part.state) if part.kind in lifecycles.specs \
        else None
    due = timer.due if timer is not None and live else None
    return _machine(lifecycles, part.kind, part.state, trigger if live else None, due, now, label)


def machines_of(lifecycles: Lifecycles, resource, now: float) -> list[dict]:
    """The lifecycle machines of one resource object: its own, its registration version's,
    an RCS agent's testing agent and country launches."""
    if isinstance(resource, Lifecycled):
        return [_lifecycled(lifecycles, resource, now)]
    if hasattr(resource, "next_step") and hasattr(resource, "versions"):  # a registration
        step = resource.next_step
        version = resource.current
        return [_machine(lifecycles, "registration", resource.state, step and step.trigger,
                         step and step.due, now),
                _machine(lifecycles, "registration-version", version.state, None, None, now,
                         f"version {version.number}")]
    parts = []
    testing = getattr(resource, "testing", None)
    if isinstance(testing, Lifecycled):
        parts.append(_lifecycled(lifecycles, testing, now, "testing agent"))
    for iso, launch in sorted((getattr(resource, "launches", None) or {}).items()):
        if isinstance(launch, Lifecycled):
            parts.append(_lifecycled(lifecycles, launch, now, f"launch {iso}"))
    return parts


def _objects(family: Family) -> dict[str, object]:
    """A family's resource objects by every id and ARN they carry (to join view rows)."""
    found: dict[str, object] = {}
    for table in vars(family).values():
        if not isinstance(table, dict):
            continue
        for obj in table.values():
            for attr in ("arn", "id", "pool_id", "phone_number_id"):
                value = getattr(obj, attr, None)
                if isinstance(value, str) and value:
                    found.setdefault(value, obj)
    return found


def _object_for(objects: dict[str, object], row: dict):
    for key, value in row.items():
        if (key.endswith("Arn") or key.endswith("Id")) and isinstance(value, str) and value in objects:
            return objects[value]
    return None


def _members(resource) -> list[dict] | None:
    members = getattr(resource, "members", None)
    if not isinstance(members, list):
        return None
    return [{"id": getattr(m, "identity", str(m)), "state": getattr(m, "state", None)}
            for m in members]


# -- the listing -------------------------------------------------------------------------------
def _listing(sim: Simulator, where: ResourceFilter) -> Iterator[tuple[Kind, str, str, dict, Family]]:
    """Every listed resource of the account-regions asked for, as its family's view row:
    (kind, account, region, row, family). Nothing is built beyond the views."""
    for (account, region), part in sorted(sim.regions.items()):
        if where.account not in (None, account) or where.region not in (None, region):
            continue
        for family in part.families.values():
            if family.name not in FAMILIES:
                continue
            for key, rows in family.view().items():
                kind = KIND_KEYS.get(key)
                if kind is not None:
                    for row in rows:
                        yield kind, account, region, row, family


def _state_of(row: dict) -> str | None:
    return next((row[m] for m in STATUS_MEMBERS if isinstance(row.get(m), str)), None)


def _head(kind: Kind, account: str, region: str, row: dict) -> dict:
    """What a row is filtered on (ResourceFilter.matches): no machine is read for it."""
    ident = kind.ident(row)
    return {"type": kind.key, "label": kind.label, "id": ident,
            "name": kind.name(row) if kind.name else ident, "account": account,
            "region": region, "state": _state_of(row), "view": row}


def _row(lifecycles: Lifecycles, head: dict, resource, now: float) -> dict:
    """A row as the page shows it: its head, and the resource's machines and next steps."""
    machines = machines_of(lifecycles, resource, now) if resource is not None else []
    due = [m["next"]["at"] for m in machines if m["next"]]
    return {**{k: head[k] for k in ("type", "label", "id", "name", "account", "region", "state")},
            "machines": machines, "nextAt": min(due) if due else None,
            # What force_transition can move: a resource with a lifecycle its family finds by id.
            "forceable": isinstance(resource, Lifecycled) and bool(
                lifecycles.specs[resource.kind].automatic.get(resource.state)),
            "members": _members(resource), "view": head["view"]}


def resources_page(sim: Simulator, where: ResourceFilter, offset: int, limit: int) -> dict:
    """One page of the resources that match, with the counts per type and the states of the
    account-regions asked for. Every resource is counted and filtered from its view row;
    machines are read only for the rows of the page (a poll of 3,000 numbers built 3,000
    rows of machines under the lock)."""
    counts: dict[str, int] = {}
    states: set[str] = set()
    matching: list[tuple[dict, Family]] = []
    with sim.lock:
        sim.lifecycles.settle()
        now = sim.clock.now()
        for kind, account, region, row, family in _listing(sim, where):
            counts[kind.key] = counts.get(kind.key, 0) + 1
            state = _state_of(row)
            if state:
                states.add(state)
            if where.kind in (None, kind.key):
                head = _head(kind, account, region, row)
                if where.matches(head):
                    matching.append((head, family))
        items = _page_rows(sim.lifecycles, matching[offset:offset + limit], now)
    return {"now": now, "total": len(matching), "offset": offset, "limit": limit,
            "items": items, "counts": counts,
            "kinds": [{"key": k.key, "label": k.label} for k in KINDS],
            "states": sorted(states)}


def _page_rows(lifecycles: Lifecycles, shown: list[tuple[dict, Family]], now: float) -> list[dict]:
    """The page's rows, each joined to its family's object (each family's objects read once)."""
    objects: dict[int, dict[str, object]] = {}
    rows = []
    for head, family in shown:
        if id(family) not in objects:
            objects[id(family)] = _objects(family)
        rows.append(_row(lifecycles, head, _object_for(objects[id(family)], head["view"]), now))
    return rows


# -- the machines as data ------------------------------------------------------------------------
def lifecycle_data(lifecycles: Lifecycles, kind: str) -> dict:
    """One kind's machine as the page draws it, and as Mermaid (what `smsvoice-sim diagram`
    prints) to copy."""
    from ..engine.diagram import mermaid  # transitions' diagram support: loaded when asked
    spec = lifecycles.specs[kind]
    moves = []
    for move in spec.transitions:
        sources = move["source"] if isinstance(move["source"], list) else [move["source"]]
        for source in sources:
            automatic = spec.automatic.get(source) == move["trigger"]
            step = f"{source}->{move['dest']}"
            moves.append({"trigger": move["trigger"], "source": source, "dest": move["dest"],
                          "automatic": automatic,
                          "seconds": lifecycles.duration(kind, step) if automatic else None})
    return {"kind": kind, "states": list(spec.states), "initial": spec.initial, "moves": moves,
            "mermaid": mermaid(lifecycles, kind)}


def lifecycles(sim: Simulator, kind: str | None) -> dict:
    with sim.lock:
        machines = sim.lifecycles
        if kind is not None and kind not in machines.specs:
            raise KeyError(f"no lifecycle {kind!r}; the lifecycles are {', '.join(machines.specs)}")
        kinds = [kind] if kind is not None else list(machines.specs)
        return {"lifecycles": {k: lifecycle_data(machines, k) for k in kinds}}
