"""Operation families: one module per family of resources (pools, phone numbers, ...).

A family module declares, in this order:
- its resources: dataclasses. `WIRE` maps a model member to the attribute that
  answers it where the attribute is not the member's snake_case; `FAMILY` names
  the family that holds them;
- its lifecycle, if its resources have a status (a `LifecycleSpec`);
- one `Family` subclass, decorated `@register`: the store of one account in one
  region, its `lifecycle`, its operations (methods marked `@operation("Name")` that
  take the validated parameters and return resources, or dicts and tuples of them:
  the pipeline projects them onto the model's output shape) and its rules, plain
  methods other families call.

Another family is reached as `self.region.<its name>` and through its methods, never
its dicts. README "Adding an operation family" walks through one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ClassVar

from ..engine.lifecycle import LifecycleSpec, register_lifecycle, unregister_lifecycle

if TYPE_CHECKING:
    from ..engine.region import AccountRegion

# The families smsvoice-sim ships, in the order they are listed (state views,
# snapshots, lifecycle diagrams).
FAMILY_MODULES = ("account_limits", "opt_out_lists", "configuration_sets", "pools", "phone_numbers",
                  "sender_ids", "registration_attachments", "registrations", "registration_definitions",
                  "keywords", "tags", "messages",
                  # the send gates run in this order: sandbox, protect, spend
                  "verified_numbers", "protect_configurations", "account_attributes",
                  "lookups", "resource_policies", "notify", "rcs_agents")

Handler = Callable[["AccountRegion", dict], object]


def operation(name: str):
    """Mark a Family method as the simulation of the model's operation `name`."""
    def mark(method):
        method.operation_name = name
        return method
    return mark


class Family:
    """One family's resources and rules for one account in one region (moto's backend)."""

    name: ClassVar[str] = ""  # the attribute on AccountRegion and the key in state views
    operations: ClassVar[dict[str, str]] = {}  # operation -> method name, from @operation
    arn_types: ClassVar[dict[str, str]] = {}  # ARN resource type -> lookup method (tagging)
    lifecycle: ClassVar[LifecycleSpec | None] = None  # for resources with a Status

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.operations = {fn.operation_name: attr for attr, fn in vars(cls).items()
                          if hasattr(fn, "operation_name")}

    def __init__(self, region: AccountRegion):
        self.region = region

    def used(self, quota: str) -> int | None:
        """How much of an account quota (DescribeAccountLimits' names) this family's
        resources use; None for a quota that is not this family's."""
        return None

    def view(self) -> dict[str, list]:
        """This family's part of the JSON state view."""
        return {}

    def export(self) -> dict:
        """Everything this family holds, as JSON, for `--state`."""
        return {}

    def restore(self, data: dict) -> None:
        """Take back what `export` wrote."""

    def relink(self) -> None:
        """After every family restored: resolve references to other families' resources."""

    def by_id(self, resource_id: str):
        """This family's resource of that id, or None (the control API forces transitions)."""
        return None

    def forget(self, resource) -> None:
        """A resource of this family whose lifecycle reached GONE: drop it."""


_REGISTERED: dict[str, type[Family]] = {}


def register(cls: type[Family]) -> type[Family]:
    """Class decorator: make a family part of every AccountRegion made from now on."""
    if not cls.name:
        raise ValueError(f"{cls.__name__} needs a `name`")
    for other in _REGISTERED.values():
        taken = set(other.operations) & set(cls.operations)
        if other.name != cls.name and taken:
            raise ValueError(f"{cls.__name__} and {other.__name__} both simulate {sorted(taken)}")
    _REGISTERED[cls.name] = cls
    if cls.lifecycle is not None:
        register_lifecycle(cls.lifecycle)
    return cls


def unregister(cls: type[Family]) -> None:
    if _REGISTERED.get(cls.name) is cls:
        del _REGISTERED[cls.name]
        if cls.lifecycle is not None:
            unregister_lifecycle(cls.lifecycle)


@contextmanager
def registered(cls: type[Family]) -> Iterator[type[Family]]:
    """A family registered for the duration of a block (tests, experiments)."""
    register(cls)
    try:
        yield cls
    finally:
        unregister(cls)


def families() -> tuple[type[Family], ...]:
    """Every registered family: the shipped ones in FAMILY_MODULES order (whatever order
    they were imported in), then any other in the order registered."""
    _import_shipped()
    rank = {f"{__name__}.{module}": i for i, module in enumerate(FAMILY_MODULES)}
    return tuple(sorted(_REGISTERED.values(), key=lambda cls: rank.get(cls.__module__, len(rank))))


def _handler(family_name: str, method: str) -> Handler:
    def handle(region: AccountRegion, params: dict):
        return getattr(getattr(region, family_name), method)(params)
    return handle


def _import_shipped() -> None:
    for module in FAMILY_MODULES:
        importlib.import_module(f"{__name__}.{module}")


def load_all() -> dict[str, Handler]:
    """Operation name -> handler(region, params), for every registered family."""
    _import_shipped()
    return {op: _handler(cls.name, method)
            for cls in list(_REGISTERED.values()) for op, method in cls.operations.items()}
