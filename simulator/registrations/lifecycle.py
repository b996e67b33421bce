"""The two registration machines (the registration and its versions), the review
timeline on the simulator's clock, and the simulated reviewer's decisions.

States and their meanings are the model's (RegistrationStatus,
RegistrationVersionStatus); the arrows are assembled from those meanings and the
docs (https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-status.html,
https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-discard.html), and are
[inf] where no source gives them:

    registration  CREATED -submit-> SUBMITTED [-start_aws_review-> AWS_REVIEWING] -start_review-> REVIEWING
                  REVIEWING | REQUIRES_AUTHENTICATION -approve-> PROVISIONING -provision-> COMPLETE
                  REVIEWING | REQUIRES_AUTHENTICATION -deny-> REQUIRES_UPDATES -submit-> SUBMITTED ...
                  REVIEWING -require_authentication-> REQUIRES_AUTHENTICATION -authenticate-> REVIEWING
                  SUBMITTED -discard-> CREATED | REQUIRES_UPDATES | COMPLETE (what it was before)
                  PROVISIONING | COMPLETE -revoke-> REQUIRES_UPDATES
                  COMPLETE | REQUIRES_UPDATES -close-> CLOSED (its last identity was released)
                  CREATED | REQUIRES_UPDATES | COMPLETE | CLOSED -delete-> DELETED (then gone)
    version       DRAFT -submit-> SUBMITTED [-start_aws_review-> AWS_REVIEWING] -start_review-> REVIEWING
                  REVIEWING -approve-> APPROVED | -deny-> DENIED | -require_authentication-> ...
                  SUBMITTED -discard-> DISCARDED ; APPROVED -archive-> ARCHIVED | -revoke-> REVOKED

The machines are `transitions` machines whose models are the resources themselves
(conditions such as "was it complete before this submission" read the registration).
The clock drives SUBMITTED -> REVIEWING -> (decision) -> PROVISIONING -> COMPLETE with
per-type durations, registered with the simulator's lifecycles so that
`--duration registration:US_TOLL_FREE_REGISTRATION:REVIEWING->PROVISIONING=3600` works
like every other step. The review checks the form first (registrations/forms.py): one it finds
incomplete is denied after `REVIEWING->REQUIRES_UPDATES`, without asking the reviewer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from transitions import Machine

from ..engine.lifecycle import Lifecycles, LifecycleSpec
from ..wire.model import enum_values, service_model

UNDER_REVIEW = ["SUBMITTED", "AWS_REVIEWING", "REVIEWING", "REQUIRES_AUTHENTICATION"]
DECIDING = ["REVIEWING", "REQUIRES_AUTHENTICATION"]  # a decision comes out of review
SETTLED = ["CREATED", "REQUIRES_UPDATES", "COMPLETE"]  # nothing in flight: edits and deletes allowed

REGISTRATION_TRANSITIONS = (
    {"trigger": "submit", "source": SETTLED, "dest": "SUBMITTED"},
    {"trigger": "start_aws_review", "source": "SUBMITTED", "dest": "AWS_REVIEWING"},
    {"trigger": "start_review", "source": ["SUBMITTED", "AWS_REVIEWING"], "dest": "REVIEWING"},
    {"trigger": "require_authentication", "source": "REVIEWING", "dest": "REQUIRES_AUTHENTICATION"},
    {"trigger": "authenticate", "source": "REQUIRES_AUTHENTICATION", "dest": "REVIEWING"},
    {"trigger": "approve", "source": DECIDING, "dest": "PROVISIONING"},
    {"trigger": "provision", "source": "PROVISIONING", "dest": "COMPLETE"},
    {"trigger": "deny", "source": DECIDING, "dest": "REQUIRES_UPDATES"},
    # Discarding the submitted version puts the registration back where it was. [inf]
    {"trigger": "discard", "source": "SUBMITTED", "dest": "COMPLETE", "conditions": "has_approved_version"},
    {
        "trigger": "discard",
        "source": "SUBMITTED",
        "dest": "REQUIRES_UPDATES",
        "conditions": "has_denied_version",
    },
    {"trigger": "discard", "source": "SUBMITTED", "dest": "CREATED"},
    {"trigger": "revoke", "source": ["PROVISIONING", "COMPLETE"], "dest": "REQUIRES_UPDATES"},
    # The last identity of a DISASSOCIATE_ALL_CLOSES_REGISTRATION type was released.
    {"trigger": "close", "source": ["COMPLETE", "REQUIRES_UPDATES"], "dest": "CLOSED"},
    {"trigger": "delete", "source": [*SETTLED, "CLOSED"], "dest": "DELETED"},
)

# REQUIRES_OFFLINE_REVIEW has no arrow in or out: no source says when AWS uses it.
VERSION_TRANSITIONS = (
    {"trigger": "submit", "source": "DRAFT", "dest": "SUBMITTED"},
    {"trigger": "start_aws_review", "source": "SUBMITTED", "dest": "AWS_REVIEWING"},
    {"trigger": "start_review", "source": ["SUBMITTED", "AWS_REVIEWING"], "dest": "REVIEWING"},
    {"trigger": "require_authentication", "source": "REVIEWING", "dest": "REQUIRES_AUTHENTICATION"},
    {"trigger": "authenticate", "source": "REQUIRES_AUTHENTICATION", "dest": "REVIEWING"},
    {"trigger": "approve", "source": DECIDING, "dest": "APPROVED"},
    {"trigger": "deny", "source": DECIDING, "dest": "DENIED"},
    {"trigger": "discard", "source": "SUBMITTED", "dest": "DISCARDED"},
    {"trigger": "archive", "source": "APPROVED", "dest": "ARCHIVED"},
    {"trigger": "revoke", "source": "APPROVED", "dest": "REVOKED"},
)


def _history_member(status: str) -> str:
    return "".join(word.capitalize() for word in status.split("_")) + "Timestamp"


@functools.cache
def history_members() -> dict[str, str]:
    """The member of RegistrationVersionStatusHistory each version status stamps
    (AWS_REVIEWING -> AwsReviewingTimestamp); REQUIRES_OFFLINE_REVIEW has none."""
    members = service_model().shape_for("RegistrationVersionStatusHistory").members
    return {status: _history_member(status) for status in enum_values("RegistrationVersionStatus")
            if _history_member(status) in members}


DAY = 86_400.0
HOUR = 3_600.0

# Seconds each clock-driven step takes by default, in simulated time. AWS gives only
# totals: toll-free "up to 15 business days" [doc: registrations-tfn.html], 10DLC brand
# "1-2 business days", campaign "budget up to 4 weeks" [obs], test RCS launches "under
# 5 minutes" [obs]. How a total splits between steps is [inf]: an hour to pick a
# submission up, the rest in review, provisioning at once. Keys without a type apply to
# every type without its own (a catalogue you load).
# A form the review finds incomplete (missing, disallowed or invalid fields) is denied sooner
# than a review decides: REVIEWING->REQUIRES_UPDATES [obs: a public program's missing-field
# denials came back within an hour or a few hours of the submit, where a review takes days].
GENERIC_DURATIONS = {
    "SUBMITTED->REVIEWING": HOUR,
    "SUBMITTED->AWS_REVIEWING": HOUR,
    "AWS_REVIEWING->REVIEWING": DAY,
    "REVIEWING->PROVISIONING": 3 * DAY,
    "REVIEWING->REQUIRES_UPDATES": HOUR,
    "PROVISIONING->COMPLETE": 0.0,
}
REVIEW_DAYS = {
    "US_TOLL_FREE_REGISTRATION": 7,
    "US_TEN_DLC_BRAND_REGISTRATION": 2,
    "US_TEN_DLC_BRAND_VETTING": 2,  # "1-2 business days (US)" [doc: registrations-10dlc.html]
    "US_TEN_DLC_CAMPAIGN_REGISTRATION": 14,
    "JO_SENDER_ID_REGISTRATION": 5,
}
TYPE_DURATIONS = {f"{kind}:REVIEWING->PROVISIONING": days * DAY for kind, days in REVIEW_DAYS.items()}
# RCS [inf]: the review is the one clock of an agent's testing agent and launches (they have
# none of their own when a registration drives them). A testing registration: "typically
# under 5 minutes" in all [obs: RCS runbook]: 1 minute to pick up, 2 in review; the testing
# agent is ACTIVE at COMPLETE. A US launch: AWS's review (the generic hour and 3 days)
# approves it with a first carrier (PROVISIONING: the launch PARTIAL); every carrier has
# approved 7 days later (COMPLETE: ACTIVE).
TYPE_DURATIONS.update({
    "TEST_RCS_LAUNCH_REGISTRATION:SUBMITTED->REVIEWING": 60.0,
    "TEST_RCS_LAUNCH_REGISTRATION:REVIEWING->PROVISIONING": 120.0,
    "US_RCS_LAUNCH_REGISTRATION:PROVISIONING->COMPLETE": 7 * DAY,
})

@functools.cache
def registration_spec() -> LifecycleSpec:
    """The registration's machine and its review durations (per type); built on first use:
    the states are the model's."""
    return LifecycleSpec(
        kind="registration",
        states=tuple(enum_values("RegistrationStatus")),
        initial="CREATED",
        transitions=REGISTRATION_TRANSITIONS,
        automatic={
            "SUBMITTED": "start_review",
            "AWS_REVIEWING": "start_review",
            "REVIEWING": "approve",
            "PROVISIONING": "provision",
        },
        durations={**GENERIC_DURATIONS, **TYPE_DURATIONS},
    )


@functools.cache
def version_spec() -> LifecycleSpec:
    return LifecycleSpec(
        kind="registration-version",
        states=tuple(enum_values("RegistrationVersionStatus")),
        initial="DRAFT",
        transitions=VERSION_TRANSITIONS,
        automatic={},
    )


def step_duration(lifecycles: Lifecycles, registration_type: str, step: str) -> float:
    """A type's own duration for a step when it has one, else the generic one."""
    own = f"registration:{registration_type}:{step}"
    if own in lifecycles.durations:
        return float(lifecycles.durations[own])
    return lifecycles.duration("registration", step)


def _machine(spec: LifecycleSpec) -> Machine:
    return Machine(
        model=None,
        states=list(spec.states),
        transitions=[dict(t) for t in spec.transitions],
        initial=spec.initial,
        auto_transitions=False,
        send_event=False,
    )


def fire(model, trigger: str) -> None:
    """Fire `trigger` on a resource that is a model of its own machine: transitions adds each
    trigger as a method of the model when the machine takes it on, so no type declares it."""
    getattr(model, trigger)()


class Machines:
    """One machine per kind whose models are the resources themselves, so transition
    conditions read the registration they move. Built on first use: a Simulator makes two of
    these (and one more per reset) and most never hold a registration (~0.5 ms each)."""

    @functools.cached_property
    def registration(self) -> Machine:
        return _machine(registration_spec())

    @functools.cached_property
    def version(self) -> Machine:
        return _machine(version_spec())

    def adopt_registration(self, registration, state: str = "CREATED") -> None:
        self.registration.add_model(registration, initial=state)

    def adopt_version(self, version, state: str = "DRAFT") -> None:
        self.version.add_model(version, initial=state)

    def forget(self, *models) -> None:
        for model in models:
            machine = self.registration if hasattr(model, "registration_type") else self.version
            machine.remove_model(model)


# -- the reviewer ------------------------------------------------------------------
@dataclass
class Decision:
    """What the simulated reviewer decides for one submission.

    `outcome`: approve | deny | require_authentication. A denial carries
    `DeniedReasons` (RegistrationDeniedReasonInformation dicts), optional version-level
    `feedback`, and per-field `field_feedback` {FieldPath: {"DeniedReason": ...,
    "Feedback": ...}} shown by DescribeRegistrationFieldValues."""

    outcome: str = "approve"
    reasons: list[dict] = field(default_factory=list)
    feedback: str | None = None
    field_feedback: dict[str, dict] = field(default_factory=dict)

    OUTCOMES = ("approve", "deny", "require_authentication")

    def __post_init__(self):
        if not isinstance(self.reasons, list) or not isinstance(self.field_feedback, dict):
            raise ValueError("reasons is a list and field_feedback a dict {FieldPath: {...}}")
        if self.feedback is not None and not isinstance(self.feedback, str):
            raise ValueError("feedback is a string")
        if self.outcome not in self.OUTCOMES:
            raise ValueError(f"a review decides {', '.join(self.OUTCOMES)}, not {self.outcome!r}")
        self.reasons = [normalise_reason(r) for r in self.reasons]
        if self.outcome == "deny" and not self.reasons:
            self.reasons = [normalise_reason("Denied by the simulated reviewer")]
        for path, note in self.field_feedback.items():
            if not isinstance(note, dict) or set(note) - {"DeniedReason", "Feedback"}:
                raise ValueError(f"field feedback for {path} takes DeniedReason and Feedback")


def normalise_reason(reason) -> dict:
    """A denial reason as the model's RegistrationDeniedReasonInformation."""
    if isinstance(reason, str):
        return {"Reason": reason, "ShortDescription": reason}
    if not isinstance(reason, dict) or "Reason" not in reason:
        raise ValueError("a denial reason is a string or a dict with Reason (and ShortDescription)")
    allowed = list(service_model().shape_for("RegistrationDeniedReasonInformation").members)
    if set(reason) - set(allowed):
        raise ValueError(f"a denial reason takes {sorted(allowed)}")
    return {"ShortDescription": reason["Reason"], **reason}


@dataclass
class Rule:
    """A standing decision for every submission of one registration type (or "*"),
    for the next `times` reviews (None: for ever)."""

    registration_type: str
    decision: Decision
    times: int | None = None

    def describe(self) -> dict:
        return {
            "RegistrationType": self.registration_type,
            "Outcome": self.decision.outcome,
            "DeniedReasons": self.decision.reasons,
            "Feedback": self.decision.feedback,
            "FieldFeedback": self.decision.field_feedback,
            "Times": self.times,
        }


class Reviewer:
    """Rules per registration type; without one, every submission is approved."""

    def __init__(self):
        self.rules: list[Rule] = []

    def add_rule(self, registration_type: str, decision: Decision, times: int | None = None) -> Rule:
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ValueError("times is a whole number >= 1 (or None for every review)")
        rule = Rule(registration_type, decision, times)
        self.rules.append(rule)
        return rule

    def clear(self, registration_type: str | None = None) -> int:
        before = len(self.rules)
        self.rules = [r for r in self.rules if registration_type not in (None, r.registration_type)]
        return before - len(self.rules)

    def decide(self, registration_type: str) -> Decision:
        for rule in self.rules:
            if rule.registration_type in (registration_type, "*"):
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times == 0:
                        self.rules.remove(rule)
                return rule.decision
        return Decision("approve")

    def describe(self) -> list[dict]:
        return [r.describe() for r in self.rules]
