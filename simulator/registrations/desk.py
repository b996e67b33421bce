"""The simulator-wide side of registrations: the form catalogue, the simulated AWS
reviewer and its rules, the status-event log, and the Python calls a test makes to
decide a review (`sim.registrations.approve(...)`, `.deny(...)`, ...).

    sim.registrations.deny(registration_id, reasons=["Opt-in image is unreadable"],
                           field_feedback={"messagingUseCase.optInImage": {
                               "DeniedReason": "Unreadable", "Feedback": "Upload a clearer image"}})
    sim.registrations.rule("US_TEN_DLC_CAMPAIGN_REGISTRATION", "deny", reasons=[...], times=1)

Without a rule, every submission is approved once its type's review time has passed
on the simulator's clock.
"""

from __future__ import annotations

from .catalogue import Catalogue
from .events import PUBLISHED, RegistrationEventLog, status_change
from .lifecycle import Decision, Machines, Reviewer


class RegistrationDesk:
    def __init__(self, sim=None, catalogue=None):
        self.sim = sim
        self.catalogue = Catalogue.build(catalogue)
        self.reviewer = Reviewer()
        self.events_log = RegistrationEventLog()
        self.machines = Machines()

    def reset(self) -> None:
        """The simulator forgot every resource: their machines and events go too (rules stay,
        like faults)."""
        self.machines = Machines()
        self.events_log.clear()

    # -- events ------------------------------------------------------------------------
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
        if self.sim is not None:  # sim.events() shows them too, among the messages' events
            self.sim.messaging.log.append({"id": event["id"], "event": event, "account": region.account,
                                           "region": region.region, "channel": None,
                                           "configurationSetName": None, "destinations": []})

    def events(self, registration_id: str | None = None, status: str | None = None) -> list[dict]:
        """Registration Status Change events (EventBridge-shaped), oldest first."""
        self._settle()
        return self.events_log.query(registration_id, status)

    # -- the reviewer's decisions ---------------------------------------------------------
    def approve(self, registration_id: str) -> str:
        return self._decide(registration_id, Decision("approve"))

    def deny(
        self,
        registration_id: str,
        reasons=None,
        feedback: str | None = None,
        field_feedback: dict | None = None,
    ) -> str:
        return self._decide(registration_id, Decision("deny", reasons or [], feedback, field_feedback or {}))

    def require_authentication(self, registration_id: str) -> str:
        return self._decide(registration_id, Decision("require_authentication"))

    def authenticate(self, registration_id: str) -> str:
        """The registrant completed the email authentication AWS asked for."""
        return self._act(registration_id, lambda family, reg, at: family.authenticate(reg, at))

    def revoke(self, registration_id: str, reasons=None) -> str:
        decision = Decision("deny", reasons or ["Approval revoked by the simulated reviewer"])
        return self._act(registration_id, lambda family, reg, at: family.revoke(reg, decision, at))

    def rule(
        self,
        registration_type: str,
        outcome: str = "approve",
        reasons=None,
        feedback: str | None = None,
        field_feedback: dict | None = None,
        times: int | None = None,
    ) -> dict:
        """Decide every review of `registration_type` ("*": every type) this way, for the next
        `times` reviews (None: until cleared). Earlier rules win."""
        decision = Decision(outcome, reasons or [], feedback, field_feedback or {})
        return self.reviewer.add_rule(registration_type, decision, times).describe()

    def clear_rules(self, registration_type: str | None = None) -> int:
        return self.reviewer.clear(registration_type)

    def rules(self) -> list[dict]:
        return self.reviewer.describe()

    def _decide(self, registration_id: str, decision: Decision) -> str:
        return self._act(registration_id, lambda family, reg, at: family.apply(reg, decision, at))

    def _act(self, registration_id: str, action) -> str:
        """Run a reviewer action on a registration of any account and region; returns its
        status afterwards. KeyError for an unknown registration; the family's
        ServiceError (ConflictException) for an action its state does not allow."""
        if self.sim is None:
            raise RuntimeError("this desk belongs to no Simulator")
        with self.sim.lock:
            self.sim.lifecycles.settle()
            family, registration = self._find(registration_id)
            action(family, registration, self.sim.clock.now())
            self.sim.lifecycles.settle()  # steps that fall due at once (provisioning)
            self.sim.save()
            return registration.state

    def _find(self, registration_id: str):
        for part in self.sim.regions.values():
            family = part.registrations
            key = part.local_id(registration_id, "registration")
            if key in family.registrations:
                return family, family.registrations[key]
        raise KeyError(f"no registration {registration_id}")

    def _settle(self) -> None:
        if self.sim is not None:
            with self.sim.lock:
                self.sim.lifecycles.settle()


_DEFAULT: RegistrationDesk | None = None


def default_desk() -> RegistrationDesk:
    """The desk of account+region stores made outside a Simulator (the seed catalogue)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = RegistrationDesk()
    return _DEFAULT
