"""The control surface: clock, lifecycle steps, faults, reset and the state view.
Python callers and the HTTP control API (`/_smsvoice/...`) use these same methods;
each takes the simulator's lock, as requests do."""

from __future__ import annotations

from ..adoption import adopt as adopt_into
from ..engine.arns import account_region_in
from ..engine.faults import Fault, Faults
from ..messaging.hub import EventTicker, entry_as
from ..wire.json_read import JsonRefused, read_json


class LockedFaults:
    """`sim.faults`: the injected faults, changed under the simulator's lock."""

    def __init__(self, faults: Faults, lock):
        self._faults = faults
        self._lock = lock

    @property
    def rules(self) -> list[Fault]:
        return self._faults.rules

    def add(self, operation_name: str, *args, **kwargs) -> Fault:
        with self._lock:
            return self._faults.add(operation_name, *args, **kwargs)

    def clear(self, operation_name: str | None = None) -> int:
        with self._lock:
            return self._faults.clear(operation_name)

    def describe(self) -> list[dict]:
        with self._lock:
            return self._faults.describe()

    def draw(self, operation_name: str):
        """Called by the pipeline, which already holds the lock."""
        return self._faults.draw(operation_name)


class ControlSurface:
    """Mixed into Simulator; expects `lock`, `state_registry`, `clock`, `faults`, `messaging`,
    `save`."""

    def reset(self) -> None:
        """Forget every resource, fault, outcome rule, sent message's event and rate-limit
        bucket; ids start again from the seed."""
        with self.lock:
            self.state_registry.forget_everything()
            self.faults.clear()
            self.messaging.outcomes.clear()
            self.rate_limiter = self.make_rate_limiter()
            self.save()

    def advance(self, seconds: float) -> float:
        """Advance the clock and apply every transition that fell due. A number of seconds
        that is not finite, negative, or past any date is refused with ValueError. Returns
        once the delivery events it emitted were delivered, or delivery stopped progressing."""
        with self.lock:
            now = self.clock.advance(seconds)
            self.lifecycles.settle(now)
            self.save()
        self.messaging.flush()  # the events it emitted reach their destinations (bounded wait)
        return now

    def force_transition(self, resource_id: str) -> str:
        """Fire a resource's pending automatic step now (e.g. CREATING -> ACTIVE); returns
        the state it is in afterwards."""
        with self.lock:
            self.lifecycles.settle()
            resource = self.state_registry.with_lifecycle(resource_id)
            self.lifecycles.force(resource)
            self.save()
            return resource.state

    def adopt(self, operation: str, request_body: bytes, status: int, response_body: bytes) -> None:
        """Take on the resources a recorded (replayed) response shows: replay, then simulate.
        The first recorded account becomes the default account, unless accounts are mapped."""
        if status != 200 or not operation:
            return
        try:
            body = read_json(response_body or b"{}")  # a recording: read with explicit limits
            params = read_json(request_body or b"{}")
        except JsonRefused:
            return
        where = account_region_in(body)
        if where is None or not isinstance(body, dict):
            return
        with self.lock:
            if not self.accounts and not self._adopted_account:
                self.default_account = self._adopted_account = where[0]
            self.lifecycles.settle()
            adopt_into(self.region(*where), operation, params if isinstance(params, dict) else {},
                       body)
            self.save()

    def sent_messages(self, account: str | None = None, region: str | None = None) -> list[dict]:
        """Every message the service 'sent' (nothing leaves the machine), oldest first; the
        newest `sent_log_limit` per account and region."""
        with self.lock:
            return self.state_registry.sent_messages(account, region)

    def registration_events(self, registration_id: str | None = None) -> list[dict]:
        """Registration Status Change events, EventBridge-shaped, oldest first."""
        return self.registrations.events(registration_id)

    def state(self) -> dict:
        """A JSON view of every resource, per account and region."""
        with self.lock:
            self.lifecycles.settle()
            return self.state_registry.view()

    # -- sent messages: outcomes and events (messaging.py) ------------------------
    def events(self, message_id: str | None = None, destination: str | None = None,
               event_type: str | None = None, configuration_set: str | None = None,
               eventbridge: bool = False) -> list[dict]:
        """Every delivery event emitted so far, oldest first, as AWS's event records (or as
        EventBridge envelopes). `destination` may end in `*`; `event_type` may be a group
        (`TEXT_ALL`)."""
        with self.lock:
            self.lifecycles.settle()
            found = self.messaging.log.query(message_id, destination, event_type, configuration_set)
        return [entry_as(e, eventbridge) for e in found]

    def set_outcome(self, destination: str, outcome: str, share: float = 1.0) -> dict:
        """Messages sent from now on to `destination` (an E.164 number; `*` any digits, `.`
        or `?` one digit) end in `outcome` (e.g. `TEXT_BLOCKED`, `VOICE_BUSY`, `WITHHELD`);
        with `share` < 1, that share of them (seeded). ValueError for a rule that means nothing."""
        with self.lock:
            return self.messaging.outcomes.set(destination, outcome, share).as_dict()

    def clear_outcomes(self) -> None:
        with self.lock:
            self.messaging.outcomes.clear()

    def start_event_ticker(self, interval: float = 0.05) -> EventTicker:
        """With a clock that moves by itself (real, instant), events fall due while nobody
        calls the simulator; a ticker settles every `interval` seconds so they reach their
        destinations on time. `stop()` it (or use it as a context manager)."""
        return EventTicker(self, interval).start()
