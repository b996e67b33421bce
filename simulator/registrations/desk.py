"""The simulator-wide side of registrations that the families use: the form catalogue, the
simulated AWS reviewer and its rules, the registrations' machines, and the status-event log.
A test decides reviews through `sim.registrations` (control/reviews.py), which works on this
desk under the simulator's lock.

Status changes are published as AWS publishes them, to EventBridge's default bus of the
registration's account and region [doc: monitor-event-bridge.html], where an events endpoint is
configured (`event_bus`: Messaging.publish_to_event_bus); the event log shows each delivery.
"""

from __future__ import annotations

from collections.abc import Callable

from ..messaging.events import EventLog
from .catalogue import Catalogue
from .events import PUBLISHED, RegistrationEventLog, status_change
from .lifecycle import Machines, Reviewer


class RegistrationDesk:
    """`strict_submit`: SubmitRegistrationVersion refuses an incomplete form (the model's
    text) instead of AWS's accept-then-deny; `inherit_values`: a new version starts from the
    previous one's answers instead of AWS's empty form."""

    def __init__(self, catalogue=None, event_log: EventLog | None = None, *,
                 event_bus: Callable[..., bool] | None = None,
                 strict_submit: bool = False, inherit_values: bool = False):
        self.catalogue = Catalogue.build(catalogue)
        self.strict_submit = strict_submit
        self.inherit_values = inherit_values
        self.reviewer = Reviewer()
        self.events_log = RegistrationEventLog()
        self.machines = Machines()
        self._mirror = event_log  # sim.events() shows status changes among the messages' events
        self._event_bus = event_bus

    def reset(self) -> None:
        """The simulator forgot every resource: their machines and events go too (rules stay,
        like faults)."""
        self.machines = Machines()
        self.events_log.clear()

    def publish(self, region, registration, at: float) -> None:
        if registration.state not in PUBLISHED:
            return
        event = status_change(
            event_id=region.ids.request_id(),
            account=region.account,
            region=region.region,
            registration_arn=registration.arn,
            registration_id=registration.id,
            registration_type=registration.registration_type,
            version_number=registration.current.number,
            status=registration.state,
            at=at,
        )
        self.events_log.append(event)
        deliveries = []
        if self._event_bus is not None:
            delivery = {"name": "default", "kind": "EventBridge", "delivered": None}
            if self._event_bus(event, region.account, region.region, _noting(delivery)):
                deliveries.append(delivery)
        if self._mirror is not None:
            self._mirror.append({"id": event["id"], "event": event, "account": region.account,
                                 "region": region.region, "channel": None,
                                 "configurationSetName": None, "destinations": deliveries})


def _noting(delivery: dict):
    def done(why: str | None) -> None:
        delivery.update({"delivered": why is None, **({"error": why} if why else {})})
    return done
