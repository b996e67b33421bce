"""The simulator's state: accounts × regions, the id generator, and the lifecycles and the
one scheduler they share. Nothing here knows requests, HTTP or which families there are:
the owner says how an account-region is made (`make_region`) and what happens to a resource
whose lifecycle reached GONE (`on_gone`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from .changes import Changes
from .clock import Clock
from .ids import IdFactory
from .lifecycle import Lifecycled, Lifecycles, LifecycleSpec

R = TypeVar("R")
# (account, region, the state) -> a new account-region
RegionFactory = Callable[[str, str, "State"], R]


class State(Generic[R]):
    def __init__(self, clock: Clock, seed: int | None, durations: dict[str, float],
                 quotas: dict[str, int], specs: Sequence[LifecycleSpec],
                 make_region: RegionFactory, on_gone: Callable[[Lifecycled], None]):
        self.clock = clock
        self.seed = seed
        self.durations = durations
        self.quotas = quotas
        self.specs = tuple(specs)
        self._make_region = make_region
        self._on_gone = on_gone
        self.changes = Changes()  # what --state must write next (engine/changes.py)
        self.forget_everything()

    def forget_everything(self) -> None:
        """Every resource gone, nothing scheduled; ids start again from the seed."""
        self.ids = IdFactory(self.seed)
        self.lifecycles = MarkingLifecycles(self.clock, self.specs, self.durations, self.changes)
        self.lifecycles.on_gone = self._on_gone
        self.regions: dict[tuple[str, str], R] = {}
        self.changes.mark_everything()

    def region(self, account: str, region: str) -> R:
        key = (account, region)
        found = self.regions.get(key)
        if found is None:
            found = self.regions[key] = self._make_region(account, region, self)
        return found

    def region_view(self, account: str, region: str) -> R:
        """The account-region a read looks at: the stored one, or, when it holds nothing yet,
        an empty one that is not stored (a Describe/List/Get creates no state, so reads in
        ever new account-regions cannot grow memory)."""
        found = self.regions.get((account, region))
        return found if found is not None else self._make_region(account, region, self)


class MarkingLifecycles(Lifecycles):
    """Lifecycles that mark what they move for `--state` (engine/changes.py): a placement,
    every move (marked before GONE takes the resource from its family) and, on a clock that
    counts reads, a counted read. On any other clock a read counts nothing, so reading
    changes nothing saved."""

    def __init__(self, clock: Clock, specs: Sequence[LifecycleSpec], durations: dict[str, float],
                 changes: Changes):
        super().__init__(clock, specs, durations)
        self.changes = changes
        self._counts_reads = type(clock).due_after_reads is not Clock.due_after_reads

    def _entered(self, resource: Lifecycled, at: float) -> None:
        self.changes.mark(resource)
        super()._entered(resource, at)

    def observed(self, resource: Lifecycled) -> None:
        if self._counts_reads:
            self.changes.mark(resource)
            super().observed(resource)
