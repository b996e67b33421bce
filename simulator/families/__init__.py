"""Operation families: one module per family of resources (pools, phone numbers, ...).

A family module declares, in this order:
- its resources: dataclasses. `WIRE` maps a model member to the attribute that
  answers it where the attribute is not the member's snake_case; `FAMILY` names
  the family that holds them;
- the lifecycle specs of its kinds, if its resources have a status (`LifecycleSpec`s, built
  by cached functions, since some read the installed botocore model);
- one `Family` subclass: the store of one account in one region. It declares what the
  simulator builds its tables from — `lifecycles()` (its specs), `check_send` (a send gate),
  `after_send` (a hook on every accepted send) — its operations (methods marked
  `@operation("Name")` that take the validated parameters and return resources, or dicts
  and tuples of them: the pipeline projects them onto the model's output shape) and its
  rules, plain methods other families call.

Nothing registers at import time: `simulator/account.py` lists the families in their one
order and gives each account-region a typed attribute per family. Another family is reached
as `self.region.<its name>` and through its methods, never its dicts. The docs' "Adding an
operation family" walks through one.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from ..wire import errors

if TYPE_CHECKING:
    from ..account import AccountRegion
    from ..engine.lifecycle import LifecycleSpec
    from ..messaging.send import Send

OperationMethod = Callable[[Any, dict], object]


def operation(name: str):
    """Mark a Family method as the simulation of the model's operation `name`."""
    def mark(method):
        method.operation_name = name
        return method
    return mark


class Family:
    """One family's resources and rules for one account in one region (moto's backend)."""

    name: ClassVar[str] = ""  # the attribute on AccountRegion and the key in state views
    # operation -> the method that simulates it (from @operation)
    operations: ClassVar[dict[str, OperationMethod]] = {}
    arn_types: ClassVar[tuple[str, ...]] = ()  # ARN resource types this family owns (tagging)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.operations = {fn.operation_name: fn for fn in vars(cls).values()
                          if hasattr(fn, "operation_name")}

    def __init__(self, region: AccountRegion):
        self.region = region

    # -- what the simulator builds its tables from ---------------------------------
    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        """The lifecycle specs of this family's kinds (resources with a status)."""
        return ()

    def check_send(self, send: Send) -> None:
        """A send gate: raise the error AWS gives to refuse `send`; return to let it through.
        Runs before anything is recorded, in the order of the family list."""

    def after_send(self, message) -> None:
        """Called once per accepted message that is really sent (not a dry run)."""

    # -- the rules every family answers ----------------------------------------------
    def get(self, ref: str, *args: Any, **kwargs: Any) -> Any:
        """This family's resource named by id or ARN (ResourceNotFound otherwise); a family's
        own lookup may take more (a sender ID's country, the operation asking)."""
        raise NotImplementedError(f"{type(self).__name__} has no resources to look up")

    @staticmethod
    def refuse_if_protected(resource, resource_type: str, resource_id: str, label: str) -> None:
        """Delete*/Release* of a resource with DeletionProtectionEnabled: every family refuses
        with ConflictException DELETION_PROTECTION_ENABLED [model]."""
        if resource.deletion_protection_enabled:
            raise errors.conflict("DELETION_PROTECTION_ENABLED", resource_type, resource_id,
                                  f"{label} {resource_id} has deletion protection enabled.")

    @staticmethod
    def refuse_if_taken(table: dict, name: str, resource_type: str, label: str,
                        where: str = "") -> None:
        """Create* of a resource its caller names: a name already in `table` is
        ConflictException RESOURCE_ALREADY_EXISTS [model]; `where` says in what (" in MySet")."""
        if name in table:
            raise errors.conflict("RESOURCE_ALREADY_EXISTS", resource_type, name,
                                  f"{label} {name} already exists{where}.")

    def by_arn(self, arn: str) -> Any:
        """The resource an ARN of one of `arn_types` names (TagResource and the like)."""
        return self.get(arn)

    def used(self, quota: str) -> int | None:
        """How much of an account quota (DescribeAccountLimits' names) this family's
        resources use; None for a quota that is not this family's."""
        return None

    def view_rows(self) -> dict[str, tuple[Iterable, Callable[[Any], dict | None]]]:
        """This family's part of the JSON state view, member by member: (the resources it
        lists, in order; one resource -> its entry, None to leave it out). The paged view
        (`Simulator.state(max_results=...)`) reads a slice at a time, taking the lock briefly."""
        return {}

    def view(self) -> dict[str, list]:
        """This family's part of the JSON state view, whole."""
        return {name: [entry for entry in map(row, items) if entry is not None]
                for name, (items, row) in self.view_rows().items()}

    # -- --state: one row per resource (engine/snapshot.py) -------------------------------
    # part -> the attribute of each resource that is its key in the dict `self.<part>` that
    # holds them (`{"pools": "pool_id"}`): `export()` lists that part, one row per resource, so
    # a request rewrites only the rows of what it changed.
    saved_by: ClassVar[dict[str, str]] = {}

    def saved_parts(self) -> dict[str, dict]:
        """Each part's resources by key, in the order `export()` lists them."""
        return {part: getattr(self, part) for part in self.saved_by}

    def saved_row(self, part: str, resource) -> object | None:
        """One resource of `part` as `export()` lists it; None leaves it out."""
        raise NotImplementedError(f"{type(self).__name__} declares saved_by without saved_row")

    def saved_rest(self) -> dict:
        """What `export()` holds besides its parts (counters, filters): small, written whole."""
        return {}

    def saved_key(self, obj) -> tuple[str, object] | None:
        """(part, key) of the row that holds `obj` (a resource of this family, or a part of
        one with a lifecycle of its own); None when it is not one of this family's."""
        for part, attr in self.saved_by.items():
            key = getattr(obj, attr, None)
            if isinstance(key, str | tuple) and getattr(self, part).get(key) is obj:
                return part, key
        return None

    def saved_with(self, resource) -> list[tuple[str, object]]:
        """Rows of this family whose saved form changes with another family's `resource`
        (a resource policy is saved while its resource lives)."""
        return []

    def export(self) -> dict:
        """Everything this family holds, as JSON, for `--state`: its parts, then the rest."""
        rows = {part: [row for row in (self.saved_row(part, r) for r in table.values())
                       if row is not None]
                for part, table in self.saved_parts().items()}
        return {**rows, **self.saved_rest()}

    def restore(self, data: dict) -> None:
        """Take back what `export` wrote."""

    def relink(self) -> None:
        """After every family restored: resolve references to other families' resources."""

    def by_id(self, resource_id: str):
        """This family's resource of that id, or None (the control API forces transitions)."""
        return None

    def forget(self, resource) -> None:
        """A resource of this family whose lifecycle reached GONE: drop it."""

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        """Replay, then simulate: take on what a recorded success of `operation` shows of this
        family's resources (ids, ARNs, statuses, settings), so that the simulator answering
        what follows keeps every rule on them. `params` is the recorded request."""


# -- deprecated: families registered at import time (0.1) ------------------------------
EXTRA_FAMILIES: list[type[Family]] = []


def register(cls: type[Family]) -> type[Family]:
    """Deprecated: give `Simulator(families=[...])` the family instead. Kept for one release:
    a class registered here joins every Simulator made afterwards."""
    warnings.warn("smsvoice_sim.simulator.families.register is deprecated: pass the family to "
                  "Simulator(families=[MyFamily])", DeprecationWarning, stacklevel=2)
    if cls not in EXTRA_FAMILIES:
        EXTRA_FAMILIES.append(cls)
    return cls


def unregister(cls: type[Family]) -> None:
    """Deprecated with `register`."""
    if cls in EXTRA_FAMILIES:
        EXTRA_FAMILIES.remove(cls)
