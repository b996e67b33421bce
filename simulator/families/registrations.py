"""Registrations: the forms AWS reviews before a US toll-free number, a 10DLC campaign,
a sender ID or an RCS agent may send (18 operations).

A registration holds versions; the current version is the form being filled in
(field values, attachments) and, once submitted, the one AWS reviews. The review is
the simulated reviewer's (registration_desk.py) on the simulator's clock
(registration_lifecycle.py); the forms and their validation are data
(registration_catalogue.py, registration_forms.py). Registrations gate the numbers
and sender IDs associated with them: a number that needs one stays PENDING and
cannot send until its registration is COMPLETE. An RCS agent associated with an RCS
registration gets a testing agent or a country launch when it is submitted, and that
part follows the review (rcs_agents.follow_registration).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..engine import arns
from ..engine.lifecycle import LifecycleSpec
from ..engine.scheduler import Timer
from ..gates.registration import registration_gate
from ..registrations.forms import check_value, form_problems, known_field, refuse_incomplete
from ..registrations.lifecycle import (
    SETTLED,
    UNDER_REVIEW,
    Decision,
    fire,
    history_members,
    registration_spec,
    step_duration,
    version_spec,
)
from ..wire import errors
from ..wire.paging import apply_filters, page_result, select
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import shown

# Numbers that need a registration before they send, and the type that registers them
# [obs: a US toll-free number stays PENDING until its US_TOLL_FREE_REGISTRATION is
# complete; a 10DLC number needs a completed campaign]. Other numbers need none.
REGULATED_NUMBERS = {
    ("US", "TOLL_FREE"): "US_TOLL_FREE_REGISTRATION",
    ("US", "TEN_DLC"): "US_TEN_DLC_CAMPAIGN_REGISTRATION",
}
REGULATES = {kind: number for number, kind in REGULATED_NUMBERS.items()}
# Phone numbers one registration may hold [inf]: a toll-free registration registers
# one number (AWS's console registers them one by one).
PHONE_NUMBERS_PER_REGISTRATION = {"US_TOLL_FREE_REGISTRATION": 1}
DEFAULT_PHONE_NUMBERS_PER_REGISTRATION = 100
# The registration a registration is associated with, by type: a 10DLC campaign and a brand
# vetting each take the brand [obs: AWS's sample 10DLC automation associates the brand with
# both, ASSOCIATE_BEFORE_SUBMIT]; the brand must be COMPLETE when they are submitted.
REGISTRATION_TARGETS = {
    "US_TEN_DLC_CAMPAIGN_REGISTRATION": "US_TEN_DLC_BRAND_REGISTRATION",
    "US_TEN_DLC_BRAND_VETTING": "US_TEN_DLC_BRAND_REGISTRATION",
}
# RCS registration types: the testing registration, and one launch type per country named
# <ISO>_RCS_LAUNCH_REGISTRATION [doc: rcs-country-launch-us.html and its sibling pages].
RCS_TESTING = "TEST_RCS_LAUNCH_REGISTRATION"
RCS_LAUNCH = re.compile(r"([A-Z]{2})_RCS_LAUNCH_REGISTRATION")
VERSIONS_CREATED_PER_DAY = 100  # [inf] the model names the quota, AWS publishes no number

REGISTRATION_FILTERS = {
    "registration-type": lambda r: r.registration_type,
    "registration-status": lambda r: r.state,
}
VERSION_FILTERS = {"registration-version-status": lambda v: v.state}
ASSOCIATION_FILTERS = {
    "resource-type": lambda a: a.resource_type,
    "iso-country-code": lambda a: a.iso_country_code,
}


# -- resources ---------------------------------------------------------------------
@dataclass(eq=False)
class Version:
    WIRE: ClassVar[dict[str, str]] = {
        "VersionNumber": "number",
        "RegistrationVersionStatus": "state",
        "RegistrationVersionStatusHistory": "history",
        "DeniedReasons": "denied_reasons",
    }
    number: int
    history: dict[str, float]
    values: dict[str, dict] = field(default_factory=dict)  # FieldPath -> field value (model shape)
    denied_reasons: list[dict] | None = None
    feedback: str | None = None
    field_feedback: dict[str, dict] = field(default_factory=dict)
    aws_review: bool = False
    state: str = "DRAFT"  # owned by the version machine

    def stamp(self, at: float) -> None:
        member = history_members().get(self.state)
        if member:
            self.history[member] = at

    def value_rows(self) -> list[dict]:
        return [{**value, **self.field_feedback.get(path, {})} for path, value in self.values.items()]


@dataclass(eq=False)
class ReviewStep:
    """A registration's next clock-driven step: `trigger` fires at `due`, by `timer` on the
    simulator's scheduler."""

    trigger: str
    due: float
    timer: Timer | None = None


@dataclass(eq=False)
class Association:
    resource_arn: str
    resource_id: str
    resource_type: str  # PHONE_NUMBER | SENDER_ID | REGISTRATION | RCS_AGENT (SupportedAssociations' names)
    behavior: dict  # the type's SupportedAssociation
    target: Any = None  # the phone number, sender ID, registration or RCS agent object
    iso_country_code: str | None = None
    phone_number: str | None = None


@dataclass(eq=False)
class Registration:
    WIRE: ClassVar[dict[str, str]] = {
        "RegistrationArn": "arn",
        "RegistrationId": "id",
        "RegistrationStatus": "state",
        "ApprovedVersionNumber": "approved_version",
        "LatestDeniedVersionNumber": "latest_denied_version",
        "CreatedTimestamp": "created",
    }
    id: str
    arn: str
    registration_type: str
    created: float
    tags: dict[str, str] = field(default_factory=dict)
    additional_attributes: dict[str, str] | None = None
    versions: list[Version] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    approved_version: int | None = None
    latest_denied_version: int | None = None
    next_step: ReviewStep | None = None  # on the family's review schedule
    waiting: str | None = None  # on a reads clock: the step the next reads make due
    reads: int = 0
    state: str = "CREATED"  # owned by the registration machine

    @property
    def identity(self) -> str:
        return self.id

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def current_version_number(self) -> int:
        return self.current.number

    # Conditions the machine's `discard` reads: back to what it was before the submission.
    def has_approved_version(self) -> bool:
        return self.approved_version is not None

    def has_denied_version(self) -> bool:
        return self.latest_denied_version is not None

    @property
    def registered(self) -> bool:
        """Its identities may send: a version is approved and it is not closed or deleted."""
        return self.approved_version is not None and self.state not in ("CLOSED", "DELETED")

    def version(self, number: int) -> Version:
        for version in self.versions:
            if version.number == number:
                return version
        raise errors.validation(
            "UNKNOWN_REGISTRATION_VERSION",
            f"Registration {self.id} has no version {number}.",
            [{"Name": "versionNumber", "Message": "Unknown version"}],
        )


def _conflict(registration: Registration, reason: str, message: str) -> errors.ServiceError:
    """A ConflictException about `registration` (most of this family's refusals)."""
    return errors.conflict(reason, "registration", registration.id, message)


# -- the family ----------------------------------------------------------------------
class Registrations(Family):
    name = "registrations"
    arn_types = ("registration",)

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return (registration_spec(), version_spec())

    def __init__(self, region):
        super().__init__(region)
        self.desk = region.shared.registrations  # the simulator's catalogue, reviewer, events
        self.registrations: dict[str, Registration] = {}
        self._versions_created: list[float] = []
        self._unresolved: list[Association] = []  # restored from --state, identities not yet found

    # -- lookups ---------------------------------------------------------------------
    def get(self, ref: str) -> Registration:
        return self.region.find(self.registrations, ref, "registration")

    def used(self, quota: str) -> int | None:
        if quota == "REGISTRATIONS":
            return len(self.registrations)
        return None

    def form(self, registration_type: str, member: str = "registrationType"):
        """The form of a registration type, or AWS's UNKNOWN_REGISTRATION_TYPE."""
        form = self.desk.catalogue.get(registration_type)
        if form is None:
            raise errors.validation(
                "UNKNOWN_REGISTRATION_TYPE",
                f"{registration_type} is not a registration type this account can use; "
                f"DescribeRegistrationTypeDefinitions lists them.",
                [{"Name": member, "Message": "Unknown registration type"}],
            )
        return form

    def _editable(self, registration: Registration) -> Version:
        """The current version, when its field values may still change."""
        version = registration.current
        if version.state != "DRAFT":
            raise _conflict(
                registration, "EDIT_REGISTRATION_FIELD_VALUES_NOT_ALLOWED",
                f"Version {version.number} of {registration.id} is {version.state}; only a DRAFT "
                "version can be edited (CreateRegistrationVersion starts a new one).")
        return version

    def _attachment_ready(self, ref: str) -> str:
        return self.region.registration_attachments.ready(ref)

    # -- registrations -------------------------------------------------------------------
    @operation("CreateRegistration")
    def create(self, params: dict) -> Registration:
        form = self.form(params["RegistrationType"])
        self.region.require_quota("REGISTRATIONS", "REGISTRATIONS_PER_ACCOUNT")
        now = self.region.now()
        reg_id = f"registration-{self.region.ids.hex32()}"
        registration = Registration(
            id=reg_id,
            arn=self.region.arn(f"registration/{reg_id}"),
            registration_type=form.name,
            created=now,
            tags=tag_dict(params.get("Tags")),
        )
        self.desk.machines.adopt_registration(registration)
        self._new_version(registration, now)
        self.registrations[reg_id] = registration
        self._publish(registration, now)
        return registration

    @operation("DescribeRegistrations")
    def describe(self, params: dict) -> dict:
        found = select(params, "RegistrationIds", self.get, self.registrations.values())
        found = apply_filters(found, params.get("Filters"), REGISTRATION_FILTERS)
        result, page = page_result(
            "DescribeRegistrations",
            "Registrations",
            found,
            params,
            lambda r: project_as("RegistrationInformation", r),
        )
        for registration in page:  # what this read showed is fixed above; the reads clock counts it
            registration.reads += 1
            clock = self.region.lifecycles.clock
            if registration.waiting and clock.due_after_reads(registration.reads):
                trigger = registration.waiting
                self._cancel_step(registration)
                self._step(registration, trigger, clock.now())
        return result

    @operation("DeleteRegistration")
    def delete(self, params: dict) -> Registration:
        registration = self.get(params["RegistrationId"])
        if registration.state not in (*SETTLED, "CLOSED"):
            raise _conflict(
                registration, "RESOURCE_DELETION_NOT_ALLOWED",
                f"Registration {registration.id} is {registration.state}; it can be deleted once "
                "the review is over.")
        keeping = [
            a
            for a in registration.associations
            if a.behavior["DisassociationBehavior"] == "DISASSOCIATE_ALL_ALLOWS_DELETE_REGISTRATION"
        ]
        if keeping:
            reason = (
                "PHONE_NUMBER_ASSOCIATED_TO_REGISTRATION"
                if keeping[0].resource_type == "PHONE_NUMBER"
                else "RESOURCE_DELETION_NOT_ALLOWED"
            )
            raise _conflict(
                registration, reason,
                f"{keeping[0].resource_id} is still associated with {registration.id}; release it "
                "before deleting the registration.")
        now = self.region.now()
        for association in list(registration.associations):
            self._disassociate(registration, association)
        self._cancel_step(registration)
        fire(registration, "delete")
        del self.registrations[registration.id]
        self.desk.machines.forget(registration, *registration.versions)
        self._publish(registration, now)
        return registration

    # -- versions ----------------------------------------------------------------------------
    def _new_version(
        self, registration: Registration, now: float, values: dict[str, dict] | None = None
    ) -> Version:
        number = registration.versions[-1].number + 1 if registration.versions else 1
        version = Version(number=number, history={"DraftTimestamp": now}, values=dict(values or {}))
        self.desk.machines.adopt_version(version)
        registration.versions.append(version)
        return version

    @operation("CreateRegistrationVersion")
    def create_version(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        current = registration.current
        if current.state == "DRAFT" or registration.state not in SETTLED:
            raise _conflict(
                registration, "CREATE_REGISTRATION_VERSION_NOT_ALLOWED",
                f"Registration {registration.id} is {registration.state} and its version "
                f"{current.number} is {current.state}; a new version starts once the current one "
                "is reviewed.")
        now = self.region.now()
        recent = [t for t in self._versions_created if t > now - 86_400]
        if len(recent) >= VERSIONS_CREATED_PER_DAY:
            raise errors.quota_exceeded(
                "REGISTRATION_VERSIONS_CREATED_PER_DAY",
                f"At most {VERSIONS_CREATED_PER_DAY} registration versions a day.",
            )
        self._versions_created = [*recent, now]
        # The new draft starts empty [obs: "a new version starts with NO field values", "that new
        # version starts empty, so every field must be re-put": two public programs, and AWS's
        # own guidance to re-fill all fields]; the previous answers when the simulator is asked.
        version = self._new_version(registration, now,
                                    current.values if self.desk.inherit_values else None)
        return (registration, version)

    @operation("DescribeRegistrationVersions")
    def describe_versions(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        if params.get("VersionNumbers"):
            versions = list(dict.fromkeys(registration.version(n) for n in params["VersionNumbers"]))
        else:
            versions = list(reversed(registration.versions))  # newest first [inf]
        versions = apply_filters(versions, params.get("Filters"), VERSION_FILTERS)
        return (
            registration,
            page_result("DescribeRegistrationVersions", "RegistrationVersions", versions, params)[0],
        )

    @operation("SubmitRegistrationVersion")
    def submit(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        version = registration.current
        if version.state != "DRAFT":
            reason = (
                "REGISTRATION_ALREADY_SUBMITTED"
                if version.state in UNDER_REVIEW
                else "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED"
            )
            raise _conflict(
                registration, reason,
                f"Version {version.number} of {registration.id} is {version.state}.")
        form = self.form(registration.registration_type)
        if self.desk.strict_submit:  # else the review finds what is missing (`_form_denial`)
            refuse_incomplete(form, version.values, self._attachment_ready)
        for behavior in form.definition.get("SupportedAssociations", []):
            if behavior["AssociationBehavior"] != "ASSOCIATE_BEFORE_SUBMIT":
                continue
            linked = [a for a in registration.associations if a.resource_type == behavior["ResourceType"]]
            unfinished = [a for a in linked if a.resource_type == "REGISTRATION" and not a.target.registered]
            if unfinished:  # [obs: "a 10DLC campaign must be associated with a completed brand"]
                brand = unfinished[0].target
                raise _conflict(brand, "REGISTRATION_NOT_COMPLETE",
                                f"{brand.id} is {brand.state}; {registration.id} can be submitted "
                                "once it is COMPLETE.")
            if not linked:
                raise _conflict(
                    registration, "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED",
                    f"A {behavior['ResourceType']} must be associated with {registration.id} "
                    "before it is submitted (CreateRegistrationAssociation).")
        now = self.region.now()
        self._submit_rcs(registration)  # refuses (nothing changed) an agent with such a part already
        version.aws_review = bool(params.get("AwsReview", False))
        version.denied_reasons, version.feedback, version.field_feedback = None, None, {}
        self._move(registration, "submit", now)
        self._schedule(registration, now)
        return (registration, version)

    @operation("DiscardRegistrationVersion")
    def discard(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        version = registration.current
        if version.state != "SUBMITTED":
            raise _conflict(
                registration, "DISCARD_REGISTRATION_VERSION_NOT_ALLOWED",
                f"Version {version.number} of {registration.id} is {version.state}; only a "
                "SUBMITTED version can be discarded.")
        self._cancel_step(registration)
        self._move(registration, "discard", self.region.now())
        return (registration, version)

    # -- field values ------------------------------------------------------------------------
    @operation("PutRegistrationFieldValue")
    def put_field_value(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        version = self._editable(registration)
        form = self.form(registration.registration_type)
        value = check_value(form, params, version.values, self._attachment_ready)
        version.values[value["FieldPath"]] = value
        return (registration, version, value)

    @operation("DeleteRegistrationFieldValue")
    def delete_field_value(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        version = self._editable(registration)
        form = self.form(registration.registration_type)
        path = params["FieldPath"]
        definition = known_field(form, path)
        if definition["FieldRequirement"] == "REQUIRED":
            # [obs: public notes saw REGISTRATION_FIELD_CANNOT_BE_DELETED for a required field]
            raise errors.validation(
                "REGISTRATION_FIELD_CANNOT_BE_DELETED",
                f"{path} is required; put a new value instead.",
                [{"Name": "fieldPath", "Message": "Required field"}],
            )
        value = version.values.get(path)
        if value is None:
            raise errors.not_found(
                "registration",
                f"{registration.id}/{path}",
                f"{path} has no value in version {version.number} of {registration.id}.",
            )
        del version.values[path]
        return (registration, version, value)

    @operation("DescribeRegistrationFieldValues")
    def describe_field_values(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        version = (
            registration.version(params["VersionNumber"])
            if "VersionNumber" in params
            else registration.current
        )
        form = self.form(registration.registration_type)
        rows = version.value_rows()
        if params.get("SectionPath"):
            if form.section(params["SectionPath"]) is None:
                raise errors.validation(
                    "UNKNOWN_REGISTRATION_SECTION",
                    f"{params['SectionPath']} is not a section of {form.name}.",
                    [{"Name": "sectionPath", "Message": "Unknown section"}],
                )
            rows = [r for r in rows if r["FieldPath"].startswith(params["SectionPath"] + ".")]
        if params.get("FieldPaths"):
            wanted = params["FieldPaths"]
            for path in wanted:
                if form.field(path) is None:
                    raise errors.validation(
                        "UNKNOWN_REGISTRATION_FIELD",
                        f"{path} is not a field of {form.name}.",
                        [{"Name": "fieldPaths", "Message": "Unknown field"}],
                    )
            rows = [r for r in rows if r["FieldPath"] in wanted]
        return (
            registration,
            version,
            page_result("DescribeRegistrationFieldValues", "RegistrationFieldValues", rows, params)[0],
        )

    # -- associations ------------------------------------------------------------------------
    @operation("CreateRegistrationAssociation")
    def associate(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        target, kind = self._identity(params["ResourceId"])
        if any(a.target is target for a in registration.associations):
            raise _conflict(
                registration, "RESOURCE_ALREADY_ASSOCIATED",
                f"{target.identity} is already associated with {registration.id}.")
        if kind == "RCS_AGENT":
            self._check_rcs_agent(registration, target)
        owner = self.registration_of(target)
        if owner is not None:
            reason = (
                "PHONE_NUMBER_ASSOCIATED_TO_REGISTRATION"
                if kind == "PHONE_NUMBER"
                else "RESOURCE_ALREADY_ASSOCIATED"
            )
            raise _conflict(owner, reason, f"{target.identity} is already associated with {owner.id}.")
        if kind == "REGISTRATION":
            self._check_registration_target(registration, target)
        behavior = self._admission(
            registration,
            kind,
            getattr(target, "iso_country_code", None),
            getattr(target, "number_type", None),
            params["ResourceId"],
            "resourceId",
        )
        association = self._link(registration, target, kind, behavior)
        return (registration, association)

    @staticmethod
    def _check_registration_target(registration: Registration, target: Registration) -> None:
        """A registration associated with another: a 10DLC campaign or brand vetting with its
        brand [obs: AWS's sample automation]; for a type of a loaded catalogue, any other type."""
        wanted = REGISTRATION_TARGETS.get(registration.registration_type)
        if wanted is None and target.registration_type != registration.registration_type:
            return
        if target.registration_type == wanted:
            return
        raise errors.validation(
            "INVALID_REGISTRATION_ASSOCIATION",
            f"{target.id} is a {target.registration_type} registration; a "
            f"{registration.registration_type} is associated with "
            f"{wanted or 'a registration of another type'}.",
            [{"Name": "resourceId", "Message": "Not a resource this registration type takes"}],
        )

    def _admission(
        self, registration: Registration, kind: str, iso: str | None, number_type: str | None, ref: str,
        member: str
    ) -> dict:
        """The SupportedAssociation that lets `registration` take an identity of this kind, or
        the error AWS gives. [inf] for every reason: the model names them, AWS maps none."""
        form = self.form(registration.registration_type)
        behavior = form.supported_association(kind, iso)
        regulated = REGULATES.get(registration.registration_type)
        wrong_number = kind == "PHONE_NUMBER" and regulated is not None and regulated != (iso, number_type)
        if behavior is None or behavior["AssociationBehavior"] == "ASSOCIATE_ON_APPROVAL" or wrong_number:
            raise errors.validation(
                "INVALID_REGISTRATION_ASSOCIATION",
                f"A {registration.registration_type} registration cannot be associated with {ref} "
                f"({kind}{', ' + number_type if number_type else ''}, {iso}).",
                [{"Name": member, "Message": "Not a resource this registration type takes"}],
            )
        if behavior["AssociationBehavior"] == "ASSOCIATE_AFTER_COMPLETE" and not registration.registered:
            # "you must have an approved ... 10DLC registered campaign" [doc: phone-numbers-request];
            # the same answer whichever way the number comes (CreateRegistrationAssociation or
            # RequestPhoneNumber's RegistrationId), whatever the campaign's state [inf: the model's
            # reason that says it; no source records AWS's error].
            raise _conflict(
                registration, "REGISTRATION_NOT_COMPLETE",
                f"Registration {registration.id} is {registration.state}; its numbers are "
                "associated once it is approved (COMPLETE).")
        if registration.state in (*UNDER_REVIEW, "PROVISIONING"):
            raise _conflict(
                registration, "RESOURCE_MODIFICATION_NOT_ALLOWED",
                f"Registration {registration.id} is {registration.state}: nothing associated with it "
                "can change until the review is over.")
        if registration.state in ("CLOSED", "DELETED"):
            raise _conflict(
                registration, "RESOURCE_NOT_ACTIVE",
                f"Registration {registration.id} is {registration.state}.")
        phones = sum(1 for a in registration.associations if a.resource_type == "PHONE_NUMBER")
        limit = PHONE_NUMBERS_PER_REGISTRATION.get(
            registration.registration_type, DEFAULT_PHONE_NUMBERS_PER_REGISTRATION
        )
        if kind == "PHONE_NUMBER" and phones >= limit:
            raise errors.quota_exceeded(
                "PHONE_NUMBERS_PER_REGISTRATION",
                f"A {registration.registration_type} registration holds at most {limit} phone number(s).",
            )
        return behavior

    @operation("ListRegistrationAssociations")
    def list_associations(self, params: dict) -> tuple:
        registration = self.get(params["RegistrationId"])
        found = apply_filters(registration.associations, params.get("Filters"), ASSOCIATION_FILTERS)
        return (
            registration,
            page_result("ListRegistrationAssociations", "RegistrationAssociations", found, params)[0],
        )

    def _identity(self, ref: str):
        """A phone number, sender ID, RCS agent or registration (a 10DLC campaign's brand) by id or ARN:
        (object, SupportedAssociation ResourceType)."""
        parsed = arns.parse(ref)
        kind = parsed.resource_type if parsed else ref.split("-", 1)[0].replace("phone", "phone-number")
        if kind == "registration":
            return self.get(ref), "REGISTRATION"
        if kind == "phone-number":
            return self._phone(ref), "PHONE_NUMBER"  # a released number: ResourceNotFound
        if kind == "sender-id":
            return self._sender(ref), "SENDER_ID"
        if kind in ("rcs-agent", "rcs"):
            return self._agent(ref), "RCS_AGENT"
        raise errors.not_found(
            "phone-number",
            ref,
            f"No phone number, sender ID, RCS agent or registration {ref}; give its id, or the ARN of a "
            "sender ID or RCS agent.",
        )

    def _link(self, registration: Registration, target, kind: str, behavior: dict) -> Association:
        association = Association(
            resource_arn=target.arn,
            resource_id=target.identity,
            resource_type=kind,
            behavior=behavior,
            target=target,
            iso_country_code=getattr(target, "iso_country_code", None),
            phone_number=getattr(target, "phone_number", None),
        )
        registration.associations.append(association)
        self.region.changed(registration)  # --state: it and its target
        self.region.changed(target)
        if kind == "RCS_AGENT":  # an agent has many registrations (one per type): nothing to mark on it
            association.iso_country_code = launch_country(registration.registration_type)
            return association
        if kind == "REGISTRATION":
            return association  # a brand backs many campaigns: nothing to mark on it
        target.registration_id = registration.id
        if kind == "SENDER_ID":
            target.registered = registration.registered
        elif registration.registered:
            self._activate(target)
        return association

    def _disassociate(self, registration: Registration, association: Association) -> None:
        self.region.changed(registration)  # --state: it and its target
        self.region.changed(association.target)
        registration.associations.remove(association)
        if association.resource_type == "RCS_AGENT":
            self.region.rcs_agents.registration_deleted(association.resource_id, registration.id)
        target = association.target
        if getattr(target, "registration_id", None) == registration.id:
            target.registration_id = None
        if association.resource_type == "SENDER_ID":
            target.registered = False

    # -- rules other families call ---------------------------------------------------------------
    def registration_of(self, identity) -> Registration | None:
        """The registration an identity (phone number or sender ID object) is associated with."""
        registration = self.registrations.get(getattr(identity, "registration_id", None) or "")
        if registration is not None and any(a.target is identity for a in registration.associations):
            return registration
        return None

    def attachment_in_use(self, attachment_id: str) -> tuple[Registration, Version] | None:
        """A version under review or approved that holds this attachment, if any."""
        for registration in self.registrations.values():
            for version in registration.versions:
                if version.state in ("DRAFT", "DISCARDED", "ARCHIVED", "DENIED", "REVOKED"):
                    continue
                if any(v.get("RegistrationAttachmentId") == attachment_id for v in version.values.values()):
                    return registration, version
        return None

    @staticmethod
    def needs_registration(phone) -> bool:
        return (phone.iso_country_code, phone.number_type) in REGULATED_NUMBERS

    def may_send(self, identity) -> bool:
        """An identity that needs a registration has a registered one."""
        registration = self.registration_of(identity)
        if registration is None:
            # A number a recording showed with AWS's RegistrationId (replay, then simulate):
            # AWS registered it, though its registration is not here. [inf]
            known = getattr(identity, "registration_id", None)
            return bool(known) and known not in self.registrations
        return registration.registered

    def check_number_request(self, params: dict) -> None:
        """RequestPhoneNumber, before it changes anything: the RegistrationId it names must
        exist and take a number of this country and type."""
        if params.get("RegistrationId"):
            registration = self.get(params["RegistrationId"])
            self._admission(
                registration,
                "PHONE_NUMBER",
                params["IsoCountryCode"],
                params["NumberType"],
                params["RegistrationId"],
                "registrationId",
            )

    def number_requested(self, phone) -> None:
        """RequestPhoneNumber, once the number exists: associate it with the registration it
        names, and hold a number that needs a registration (US toll-free, 10DLC) PENDING
        until that registration is COMPLETE instead of activating it on the clock
        [obs: a toll-free number "sits in Pending" until its registration completes]."""
        if phone.registration_id:
            registration = self.get(phone.registration_id)
            behavior = self.form(registration.registration_type).supported_association(
                "PHONE_NUMBER", phone.iso_country_code
            )
            self._link(registration, phone, "PHONE_NUMBER", behavior)
        if self.needs_registration(phone) and not self.may_send(phone) and phone.state == "PENDING":
            self._hold(phone)

    def identity_released(self, identity) -> None:
        """ReleasePhoneNumber / ReleaseSenderId: disassociate, closing the registration when its
        type says so. Refused while the registration is under review."""
        registration = self.registration_of(identity)
        if registration is None:
            return
        if registration.state in (*UNDER_REVIEW, "PROVISIONING"):
            raise _conflict(
                registration, "DISASSOCIATE_REGISTRATION_NOT_ALLOWED",
                f"{identity.identity} belongs to {registration.id}, which is {registration.state}; "
                "it cannot be released until the review is over.")
        association = next(a for a in registration.associations if a.target is identity)
        self._disassociate(registration, association)
        closes = association.behavior["DisassociationBehavior"] == "DISASSOCIATE_ALL_CLOSES_REGISTRATION"
        if (
            closes
            and not registration.associations
            and registration.state in ("COMPLETE", "REQUIRES_UPDATES")
        ):
            now = self.region.now()
            fire(registration, "close")
            self._publish(registration, now)

    def _activate(self, target, at: float | None = None) -> None:
        if getattr(target, "state", None) == "PENDING":
            self.region.lifecycles.move(target, "activate", self.region.now() if at is None else at)

    # -- the review on the clock -----------------------------------------------------------------
    def _move(self, registration: Registration, trigger: str, at: float) -> None:
        """Fire `trigger` on the registration and (where it has the move) its current version,
        stamp the version's history and publish the registration's new status."""
        version = registration.current
        before = registration.state
        self.region.changed(registration)  # --state: a move its own machine makes
        fire(registration, trigger)
        if trigger in VERSION_TRIGGERS:
            fire(version, trigger)
            version.stamp(at)
        self._follow_rcs(registration, trigger, at)
        if registration.state != before:
            self._publish(registration, at)

    def _schedule(self, registration: Registration, at: float) -> None:
        """Schedule the registration's next clock-driven step, if it has one."""
        self._cancel_step(registration)
        step = next_steps().get(registration.state)
        if step is None:
            return
        if registration.state == "SUBMITTED" and registration.current.aws_review:
            step = ("start_aws_review", registration_spec().step_name("start_aws_review", "SUBMITTED"))
        trigger, name = step
        if trigger == "decide" and self._form_denial(registration) is not None:
            name = registration_spec().step_name("deny", "REVIEWING")  # sooner than a review
        seconds = step_duration(self.region.lifecycles, registration.registration_type, name)
        due = self.region.lifecycles.clock.due_at(at, seconds) if seconds > 0 else at
        if due is None:  # a reads clock: DescribeRegistrations reads make the step due
            registration.waiting, registration.reads = trigger, 0
            return
        self._arm(registration, trigger, due)

    def _arm(self, registration: Registration, trigger: str, due: float) -> None:
        """Put the registration's next step on the simulator's scheduler (a step moves two
        machines, publishes an event and activates numbers: the family runs it)."""
        step = registration.next_step = ReviewStep(trigger, due)
        step.timer = self.region.lifecycles.scheduler.at(
            due, lambda at: self._step(registration, step.trigger, at))

    def _cancel_step(self, registration: Registration) -> None:
        self.region.changed(registration)  # --state: its alarm
        registration.waiting = None
        if registration.next_step is not None and registration.next_step.timer is not None:
            registration.next_step.timer.cancel()
        registration.next_step = None

    def _step(self, registration: Registration, trigger: str, at: float) -> None:
        """A clock-driven step fell due at `at`."""
        registration.next_step = None
        if trigger == "decide":
            decision = self._form_denial(registration)
            if decision is None:
                decision = self.desk.reviewer.decide(registration.registration_type)
            self.apply(registration, decision, at)
            return
        self._move(registration, trigger, at)
        if trigger == "provision":
            self._completed(registration, at)
        self._schedule(registration, at)

    def _form_denial(self, registration: Registration) -> Decision | None:
        """The review's first look: a version whose form is incomplete is denied with the
        rejection guide's reasons, whatever the reviewer's rules say; None for a complete one.
        The answers of a version under review cannot change, so the look gives one answer."""
        form = self.form(registration.registration_type)
        problems = form_problems(form, registration.current.values, self._attachment_ready)
        if not problems:
            return None
        return Decision("deny", problems.denied_reasons(), problems.feedback(), problems.field_feedback())

    def apply(self, registration: Registration, decision: Decision, at: float) -> None:
        """The reviewer's decision on the version under review."""
        if registration.state not in UNDER_REVIEW:
            raise _conflict(
                registration, "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED",
                f"Registration {registration.id} is {registration.state}: nothing is under review.")
        self._cancel_step(registration)
        if registration.state in ("SUBMITTED", "AWS_REVIEWING"):
            self._move(registration, "start_review", at)  # a decision comes out of review
        version = registration.current
        if decision.outcome == "approve":
            previous = registration.approved_version
            self._move(registration, "approve", at)
            if previous is not None and previous != version.number:
                older = registration.version(previous)
                fire(older, "archive")
                older.stamp(at)
            registration.approved_version = version.number
        elif decision.outcome == "deny":
            version.denied_reasons = [dict(r) for r in decision.reasons]
            version.feedback = decision.feedback
            version.field_feedback = {p: dict(n) for p, n in decision.field_feedback.items()}
            self._move(registration, "deny", at)
            registration.latest_denied_version = version.number
        else:
            self._move(registration, "require_authentication", at)
        self._schedule(registration, at)

    def authenticate(self, registration: Registration, at: float) -> None:
        """The registrant completed the email authentication: the review carries on."""
        if registration.state != "REQUIRES_AUTHENTICATION":
            raise _conflict(
                registration, "SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED",
                f"Registration {registration.id} is {registration.state}, not REQUIRES_AUTHENTICATION.")
        self._move(registration, "authenticate", at)
        self._schedule(registration, at)

    def revoke(self, registration: Registration, decision: Decision, at: float) -> None:
        """AWS withdraws an approval: the approved version is REVOKED, its identities stop sending."""
        if registration.approved_version is None or registration.state not in ("PROVISIONING", "COMPLETE"):
            raise _conflict(
                registration, "RESOURCE_NOT_ACTIVE",
                f"Registration {registration.id} has no approval to revoke.")
        self._cancel_step(registration)  # marks it changed (--state)
        version = registration.version(registration.approved_version)
        version.denied_reasons = [dict(r) for r in decision.reasons] or None
        fire(version, "revoke")
        version.stamp(at)
        before = registration.state
        fire(registration, "revoke")
        registration.approved_version = None
        self._follow_rcs(registration, "revoke", at)
        if registration.state != before:
            self._publish(registration, at)
        for association in registration.associations:
            if association.resource_type == "SENDER_ID":
                association.target.registered = False
                self.region.changed(association.target)  # --state

    def _completed(self, registration: Registration, at: float) -> None:
        """COMPLETE: numbers waiting for it become ACTIVE; a sender-ID registration provisions
        its sender ID (ASSOCIATE_ON_APPROVAL)."""
        for association in registration.associations:
            if association.resource_type == "PHONE_NUMBER":
                self._activate(association.target, at)
            elif association.resource_type == "SENDER_ID":
                association.target.registered = True
                self.region.changed(association.target)  # --state
        form = self.desk.catalogue.get(registration.registration_type)
        behavior = form.supported_association("SENDER_ID", None) if form else None
        if behavior is not None and behavior["AssociationBehavior"] == "ASSOCIATE_ON_APPROVAL":
            self._provision_sender_id(registration, behavior)

    def _provision_sender_id(self, registration: Registration, behavior: dict) -> None:
        """ASSOCIATE_ON_APPROVAL: "The sender ID will be automatically provisioned once the
        registration is approved" [model doc] — the one the form names, in the type's country."""
        assert registration.approved_version is not None  # called once a version is approved
        values = registration.version(registration.approved_version).values
        sender = (values.get("senderIdInfo.senderId") or {}).get("TextValue")
        iso = behavior.get("IsoCountryCode")
        if not sender or not iso or any(a.resource_type == "SENDER_ID" for a in registration.associations):
            return
        message_types = (values.get("senderIdInfo.messageType") or {}).get("SelectChoices") or [
            "TRANSACTIONAL"
        ]
        target = self._sender_id_for(sender, iso, message_types)
        self._link(registration, target, "SENDER_ID", behavior)
        target.registered = True
        self.region.changed(target)  # --state: a sender ID made or registered here

    def _publish(self, registration: Registration, at: float) -> None:
        self.desk.publish(self.region, registration, at)

    # -- replay, then simulate ----------------------------------------------------------------
    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        """The registrations a recorded response shows, in the status shown, with their
        current version; the versions DescribeRegistrationVersions showed; a deleted one is
        dropped. A registration learned under review carries on on the clock."""
        if operation == "DeleteRegistration":
            self._forget(body.get("RegistrationId", ""))
            return
        for item in shown(body, "Registrations"):
            if all(item.get(k) for k in ("RegistrationId", "RegistrationArn", "RegistrationType",
                                         "RegistrationStatus")):
                self._learn(item)
        registration = self.registrations.get(body.get("RegistrationId", ""))
        if registration is None:
            return
        for item in body.get("RegistrationVersions") or ():
            if isinstance(item, dict) and item.get("VersionNumber") and item.get("RegistrationVersionStatus"):
                version = self._learned_version(registration, int(item["VersionNumber"]))
                self.desk.machines.version.set_state(item["RegistrationVersionStatus"], model=version)
                version.history.update(item.get("RegistrationVersionStatusHistory") or {})

    def _learn(self, item: dict) -> None:
        registration = self.registrations.get(item["RegistrationId"])
        if registration is None:
            registration = self.registrations[item["RegistrationId"]] = Registration(
                id=item["RegistrationId"], arn=item["RegistrationArn"],
                registration_type=item["RegistrationType"],
                created=item.get("CreatedTimestamp", self.region.now()))
            self.desk.machines.adopt_registration(registration, item["RegistrationStatus"])
        else:
            self.desk.machines.registration.set_state(item["RegistrationStatus"], model=registration)
        registration.approved_version = item.get("ApprovedVersionNumber")
        registration.latest_denied_version = item.get("LatestDeniedVersionNumber")
        registration.additional_attributes = item.get("AdditionalAttributes")
        version = self._learned_version(registration, int(item.get("CurrentVersionNumber") or 1))
        shown_state = LEARNED_VERSION_STATE.get(item["RegistrationStatus"])
        if shown_state and version.state != shown_state:
            self.desk.machines.version.set_state(shown_state, model=version)
        self._schedule(registration, self.region.now())

    def _learned_version(self, registration: Registration, number: int) -> Version:
        for version in registration.versions:
            if version.number == number:
                return version
        # [inf] a version the recording never dated was drafted when the registration was made
        version = Version(number=number, history={"DraftTimestamp": registration.created})
        self.desk.machines.adopt_version(version)
        registration.versions.append(version)
        registration.versions.sort(key=lambda v: v.number)
        return version

    def _forget(self, registration_id: str) -> None:
        registration = self.registrations.pop(registration_id, None)
        if registration is not None:
            self._cancel_step(registration)
            self.desk.machines.forget(registration, *registration.versions)

    # -- the send path: the registration gate -----------------------------------------
    def check_send(self, send) -> None:
        registration_gate(self.region, send)

    # -- state view ------------------------------------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(r):
            return {
                "RegistrationId": r.id,
                "RegistrationType": r.registration_type,
                "RegistrationStatus": r.state,
                "CurrentVersionNumber": r.current.number,
                "ApprovedVersionNumber": r.approved_version,
                "Versions": [
                    {
                        "VersionNumber": v.number,
                        "Status": v.state,
                        "FieldValues": v.value_rows(),
                        "DeniedReasons": v.denied_reasons,
                    }
                    for v in r.versions
                ],
                "Associations": [a.resource_id for a in r.associations],
            }

        return {"registrations": (self.registrations.values(), row)}

    # -- --state -------------------------------------------------------------------------------
    saved_by = {"registrations": "id"}

    def saved_row(self, part: str, r: Registration) -> dict:
        return {
            "id": r.id,
            "arn": r.arn,
            "type": r.registration_type,
            "created": r.created,
            "tags": r.tags,
            "additional_attributes": r.additional_attributes,
            "state": r.state,
            "approved_version": r.approved_version,
            "latest_denied_version": r.latest_denied_version,
            "alarm": [r.next_step.trigger, r.next_step.due] if r.next_step is not None else None,
            "versions": [
                {
                    "number": v.number,
                    "state": v.state,
                    "history": v.history,
                    "values": v.values,
                    "denied_reasons": v.denied_reasons,
                    "feedback": v.feedback,
                    "field_feedback": v.field_feedback,
                    "aws_review": v.aws_review,
                }
                for v in r.versions
            ],
            "associations": [
                {
                    "resource_arn": a.resource_arn,
                    "resource_id": a.resource_id,
                    "resource_type": a.resource_type,
                    "behavior": a.behavior,
                    "iso_country_code": a.iso_country_code,
                    "phone_number": a.phone_number,
                }
                for a in r.associations
            ],
        }

    def saved_rest(self) -> dict:
        return {"versions_created": self._versions_created}

    def restore(self, data: dict) -> None:
        """Take back `export`; the associated numbers and sender IDs are found once their own
        stores are back (`relink`)."""
        self._versions_created = list(data["versions_created"])
        for row in data["registrations"]:
            registration = Registration(
                id=row["id"],
                arn=row["arn"],
                registration_type=row["type"],
                created=row["created"],
                tags=dict(row["tags"]),
                additional_attributes=row["additional_attributes"],
                approved_version=row["approved_version"],
                latest_denied_version=row["latest_denied_version"],
            )
            self.desk.machines.adopt_registration(registration, row["state"])
            for v in row["versions"]:
                version = Version(
                    number=v["number"],
                    history=dict(v["history"]),
                    values=dict(v["values"]),
                    denied_reasons=v["denied_reasons"],
                    feedback=v["feedback"],
                    field_feedback=dict(v["field_feedback"]),
                    aws_review=v["aws_review"],
                )
                self.desk.machines.adopt_version(version, v["state"])
                registration.versions.append(version)
            for a in row["associations"]:
                association = Association(**a)
                registration.associations.append(association)
                self._unresolved.append(association)
            self.registrations[registration.id] = registration
            if row["alarm"]:
                self._arm(registration, *row["alarm"])

    def relink(self) -> None:
        """Find the identities restored associations name, once every family is back (numbers
        waiting for a registration come back in their own lifecycle, `regulated-phone-number`)."""
        pending, self._unresolved = self._unresolved, []
        for association in pending:
            if association.resource_type == "PHONE_NUMBER":
                association.target = self._phone(association.resource_id)
            elif association.resource_type == "REGISTRATION":
                # A brand deleted since: a stand-in that is not registered (its campaign's
                # submit then says REGISTRATION_NOT_COMPLETE, as before the restart).
                association.target = self.registrations.get(association.resource_id) or _Gone("DELETED")
            elif association.resource_type == "RCS_AGENT":  # a deleted agent: nothing left to drive
                agent = self.region.rcs_agents.agents.get(association.resource_id)
                association.target = agent or _Gone("DELETED")
            else:
                association.target = self._sender(association.resource_arn)

    # -- the other families: phone numbers and sender IDs ----------------------------------------
    # Every reach into another family is here, through its public methods.
    def _phone(self, ref: str):
        return self.region.phone_numbers.get(ref)

    def _sender(self, ref: str):
        return self.region.sender_ids.get(ref, None)

    def _agent(self, ref: str):
        return self.region.rcs_agents.get(ref)

    def _check_rcs_agent(self, registration: Registration, agent) -> None:
        """An agent takes one registration of each RCS type: one testing registration, one
        launch per country [model: RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE]."""
        others = [
            r.id
            for r in self.registrations.values()
            if r is not registration
            and r.registration_type == registration.registration_type
            and any(a.target is agent for a in r.associations)
        ]
        kind = registration.registration_type
        if kind == RCS_TESTING or launch_country(kind):
            # a part given from Python (region.rcs_agents) or by a registration deleted since
            behind = self.region.rcs_agents.part_registration(agent.id, launch_country(kind))
            if behind not in (None, registration.id):
                others.append(behind)
        if others:
            raise errors.conflict(
                "RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE",
                "rcs-agent",
                agent.id,
                f"RCS agent {agent.id} already has a {registration.registration_type} ({others[0]}).",
            )
        if any(a.resource_type == "RCS_AGENT" for a in registration.associations):
            raise _conflict(  # [inf] a registration configures one agent
                registration, "RESOURCE_ALREADY_ASSOCIATED",
                f"Registration {registration.id} already has an RCS agent.")

    def _submit_rcs(self, registration: Registration) -> None:
        """SubmitRegistrationVersion of an RCS registration: the agent gets (or resubmits) its
        testing agent or its launch in the type's country, driven by this review."""
        for association in registration.associations:
            if association.resource_type != "RCS_AGENT":
                continue
            agents, kind = self.region.rcs_agents, registration.registration_type
            if kind == RCS_TESTING:
                agents.submit_testing(association.resource_id, registration.id, reviewed=True)
            elif (country := launch_country(kind)) is not None:
                agents.submit_country_launch(association.resource_id, country, registration.id,
                                             reviewed=True)

    def _follow_rcs(self, registration: Registration, trigger: str, at: float) -> None:
        for association in registration.associations:
            if association.resource_type == "RCS_AGENT":
                self.region.rcs_agents.follow_registration(
                    association.resource_id, registration.id, trigger, at
                )

    def _hold(self, phone) -> None:
        """A number that waits for its registration: off the clock's PENDING -> ACTIVE."""
        self.region.phone_numbers.hold_for_registration(phone)

    def _sender_id_for(self, sender: str, iso: str, message_types: list[str]):
        """The account's sender ID, provisioned when it does not exist yet."""
        return self.region.sender_ids.provision(sender, iso, message_types)


def launch_country(registration_type: str) -> str | None:
    """The country an <ISO>_RCS_LAUNCH_REGISTRATION launches in; None for any other type."""
    match = RCS_LAUNCH.fullmatch(registration_type)
    return match.group(1) if match else None


class _Gone:
    """A restored association's registration that no longer exists."""

    registered = False

    def __init__(self, state: str):
        self.state = state


# The moves a version shares with its registration (`provision`, `close`, `delete`
# are the registration's alone).
VERSION_TRIGGERS = {
    "submit",
    "start_aws_review",
    "start_review",
    "require_authentication",
    "authenticate",
    "approve",
    "deny",
    "discard",
}


# [inf] What a recorded registration's status says of its current version (AWS shows the
# versions only through DescribeRegistrationVersions).
LEARNED_VERSION_STATE = {
    "CREATED": "DRAFT", "SUBMITTED": "SUBMITTED", "AWS_REVIEWING": "AWS_REVIEWING",
    "REVIEWING": "REVIEWING", "REQUIRES_AUTHENTICATION": "REQUIRES_AUTHENTICATION",
    "PROVISIONING": "APPROVED", "COMPLETE": "APPROVED", "REQUIRES_UPDATES": "DENIED",
    "CLOSED": "APPROVED",
}


@functools.cache
def next_steps() -> dict[str, tuple[str, str]]:
    """The clock-driven step out of each registration state: (trigger, duration key), the
    registration machine's automatic steps, except that out of REVIEWING the reviewer decides
    (approve, deny or ask for authentication; its duration is the approval's)."""
    spec = registration_spec()
    return {state: ("decide" if state == "REVIEWING" else trigger, spec.step_name(trigger, state))
            for state, trigger in spec.automatic.items()}
