"""The simulator's state: accounts × regions × families, the id generator and the
lifecycle schedule they share. Nothing here knows requests or HTTP."""

from __future__ import annotations

from ..messaging.hub import Messaging
from .clock import Clock
from .ids import IdFactory
from .lifecycle import Lifecycles
from .region import AccountRegion, Shared


class State:
    def __init__(self, clock: Clock, seed: int | None, durations: dict[str, float],
                 quotas: dict[str, int], shared: Shared | None = None):
        self.clock = clock
        self.seed = seed
        self.durations = durations
        self.quotas = quotas
        # What every account and region shares and a reset keeps (region.Shared).
        self.shared = shared if shared is not None else Shared()
        if self.shared.messaging is None:
            self.shared.messaging = Messaging(seed)
        self.forget_everything()

    @property
    def messaging(self) -> Messaging:
        return self.shared.messaging

    def forget_everything(self) -> None:
        """Every resource gone; ids start again from the seed."""
        self.ids = IdFactory(self.seed)
        self.lifecycles = Lifecycles(self.clock, self.durations)
        self.lifecycles.on_gone = self._gone
        self.messaging.attach(self.lifecycles)  # messages in flight and the event log go too
        self.regions: dict[tuple[str, str], AccountRegion] = {}
        if self.shared.registrations is not None:
            self.shared.registrations.reset()  # their machines and status events go too

    def region(self, account: str, region: str) -> AccountRegion:
        key = (account, region)
        found = self.regions.get(key)
        if found is None:
            found = self.regions[key] = AccountRegion(
                account, region, self.ids, self.lifecycles, self.quotas, created=self.clock.now(),
                shared=self.shared)
            found.peers = self.regions  # other accounts' stores: resources shared by policy
        return found

    def region_view(self, account: str, region: str) -> AccountRegion:
        """The account-region a read looks at: the stored one, or, when it holds nothing
        yet, an empty one that is not stored (a Describe/List/Get creates no state, so reads
        in ever new account-regions cannot grow memory)."""
        found = self.regions.get((account, region))
        if found is not None:
            return found
        view = AccountRegion(account, region, self.ids, self.lifecycles, self.quotas,
                             created=self.clock.now(), shared=self.shared)
        view.peers = {**self.regions, (account, region): view}  # resources shared by policy
        return view

    def _gone(self, resource) -> None:
        for region in self.regions.values():
            region.family_of(resource).forget(resource)

    def with_lifecycle(self, resource_id: str):
        """The pool or phone number (any resource with a lifecycle) of that id."""
        for region in self.regions.values():
            for family in region.families.values():
                found = family.by_id(resource_id)
                if found is not None and hasattr(found, "entered_at"):
                    return found
        raise KeyError(f"no pool or phone number {resource_id}")

    def view(self) -> dict:
        """A JSON view of every resource, per account and region."""
        view: dict = {"clock": self.clock.describe(), "accounts": {}}
        for (account, name), region in sorted(self.regions.items()):
            view["accounts"].setdefault(account, {})[name] = {
                key: value for family in region.families.values()
                for key, value in family.view().items()}
        return view

    def sent_messages(self, account: str | None = None, region: str | None = None) -> list[dict]:
        return [dict(m) for (acct, reg), found in self.regions.items()
                if account in (None, acct) and region in (None, reg)
                for m in found.messages.sent]
