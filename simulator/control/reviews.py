"""`sim.registrations`: the simulated AWS reviewer as a test drives it, and its rules.

    sim.registrations.deny(registration_id, reasons=["Opt-in image is unreadable"],
                           field_feedback={"messagingUseCase.optInImage": {
                               "DeniedReason": "Unreadable", "Feedback": "Upload a clearer image"}})
    sim.registrations.rule("US_TEN_DLC_CAMPAIGN_REGISTRATION", "deny", reasons=[...], times=1)

Without a rule, every submission is approved once its type's review time has passed on the
simulator's clock. Every call here takes the simulator's lock, as requests do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..registrations.catalogue import Catalogue
from ..registrations.desk import RegistrationDesk
from ..registrations.lifecycle import Decision

if TYPE_CHECKING:
    from ..account import AccountRegion
    from ..families.registrations import Registration, Registrations


@dataclass
class Reviews:
    """Handed the desk and what acting on the simulator's state takes: its lock, `settle`
    (the scheduler), its account-regions, its clock's `now`, and `save` (`--state`)."""

    desk: RegistrationDesk
    _lock: Any
    _settle: Callable[[], object]
    _regions: Callable[[], Iterable[AccountRegion]]
    _now: Callable[[], float]
    _save: Callable[[], None]

    @property
    def catalogue(self) -> Catalogue:
        return self.desk.catalogue

    # -- events ------------------------------------------------------------------------
    def events(self, registration_id: str | None = None, status: str | None = None) -> list[dict]:
        """Registration Status Change events (EventBridge-shaped), oldest first."""
        with self._lock:
            self._settle()
            return self.desk.events_log.query(registration_id, status)

    # -- the reviewer's decisions ---------------------------------------------------------
    def approve(self, registration_id: str) -> str:
        return self._decide(registration_id, Decision("approve"))

    def deny(self, registration_id: str, reasons=None, feedback: str | None = None,
             field_feedback: dict | None = None) -> str:
        return self._decide(registration_id,
                            Decision("deny", reasons or [], feedback, field_feedback or {}))

    def require_authentication(self, registration_id: str) -> str:
        return self._decide(registration_id, Decision("require_authentication"))

    def authenticate(self, registration_id: str) -> str:
        """The registrant completed the email authentication AWS asked for."""
        return self._act(registration_id, lambda family, reg, at: family.authenticate(reg, at))

    def revoke(self, registration_id: str, reasons=None) -> str:
        decision = Decision("deny", reasons or ["Approval revoked by the simulated reviewer"])
        return self._act(registration_id, lambda family, reg, at: family.revoke(reg, decision, at))

    # -- standing rules -------------------------------------------------------------------
    def rule(self, registration_type: str, outcome: str = "approve", reasons=None,
             feedback: str | None = None, field_feedback: dict | None = None,
             times: int | None = None) -> dict:
        """Decide every review of `registration_type` ("*": every type) this way, for the next
        `times` reviews (None: until cleared). Earlier rules win. ValueError for a type the
        catalogue lacks: a rule that names a registration id, or a misspelt type, would never
        match and the review it meant to decide would be approved."""
        decision = Decision(outcome, reasons or [], feedback, field_feedback or {})
        with self._lock:
            if registration_type != "*" and registration_type not in self.desk.catalogue:
                known = ", ".join(form.name for form in self.desk.catalogue)
                raise ValueError(f"no registration type {registration_type!r}: a rule names one of "
                                 f"{known}, or \"*\" for every type")
            return self.desk.reviewer.add_rule(registration_type, decision, times).describe()

    def clear_rules(self, registration_type: str | None = None) -> int:
        with self._lock:
            return self.desk.reviewer.clear(registration_type)

    def rules(self) -> list[dict]:
        with self._lock:
            return self.desk.reviewer.describe()

    # -- acting on one registration ----------------------------------------------------------
    def _decide(self, registration_id: str, decision: Decision) -> str:
        return self._act(registration_id, lambda family, reg, at: family.apply(reg, decision, at))

    def _act(self, registration_id: str, action) -> str:
        """Run a reviewer action on a registration of any account and region; returns its
        status afterwards. KeyError for an unknown registration; the family's
        ServiceError (ConflictException) for an action its state does not allow."""
        with self._lock:
            self._settle()
            family, registration = self._find(registration_id)
            action(family, registration, self._now())
            self._settle()  # steps that fall due at once (provisioning)
            self._save()
            return registration.state

    def _find(self, registration_id: str) -> tuple[Registrations, Registration]:
        for part in self._regions():
            family = part.registrations
            key = part.local_id(registration_id, "registration")
            if key in family.registrations:
                return family, family.registrations[key]
        raise KeyError(f"no registration {registration_id}")
