"""Phone numbers: RequestPhoneNumber, DescribePhoneNumbers, UpdatePhoneNumber,
ReleasePhoneNumber, and what a number must be to join a pool or to send (`check_can_send`,
and where it may send to: `route_problem`, which every family that sends from a number asks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..engine.lifecycle import Lifecycled, LifecycleSpec
from ..engine.numbering import supported_countries
from ..messaging.simulator_numbers import SIMULATOR_NUMBERS, simulator_country
from ..wire import errors
from ..wire.paging import describe, flag
from ..wire.projection import project_as, tag_dict
from . import Family, operation
from .parts import (
    Keyword,
    OriginationSettings,
    apply,
    default_keywords,
    is_us_toll_free,
    learn_fields,
    learn_status,
    restored,
    saved,
    settings_changes,
    shown,
)

# [doc] example prices; AWS's real prices vary by country.
MONTHLY_PRICE = {"LONG_CODE": "1.00", "TOLL_FREE": "2.00", "TEN_DLC": "1.00", "SIMULATOR": "0.00"}

LIFECYCLE = LifecycleSpec(
    kind="phone-number",
    states=("PENDING", "ACTIVE", "ASSOCIATING", "DISASSOCIATING", "DELETED"),
    initial="PENDING",
    transitions=(
        {"trigger": "activate", "source": "PENDING", "dest": "ACTIVE"},
        {"trigger": "associate", "source": "ACTIVE", "dest": "ASSOCIATING"},
        {"trigger": "associated", "source": "ASSOCIATING", "dest": "ACTIVE"},
        {"trigger": "disassociate", "source": ["ACTIVE", "ASSOCIATING"], "dest": "DISASSOCIATING"},
        {"trigger": "disassociated", "source": "DISASSOCIATING", "dest": "ACTIVE"},
        {"trigger": "release", "source": ["PENDING", "ACTIVE"], "dest": "DELETED"},
    ),
    automatic={"PENDING": "activate", "ASSOCIATING": "associated",
               "DISASSOCIATING": "disassociated"},
    # AWS publishes none of these ([inf]).
    durations={"PENDING->ACTIVE": 5.0, "ASSOCIATING->ACTIVE": 0.0, "DISASSOCIATING->ACTIVE": 0.0},
)
# A number that needs a registration (US toll-free, 10DLC): the same moves without the
# clock-driven PENDING -> ACTIVE step; its registration's completion activates it.
REGULATED = LifecycleSpec(
    kind="regulated-phone-number",
    states=LIFECYCLE.states,
    initial="PENDING",
    transitions=LIFECYCLE.transitions,
    automatic={k: v for k, v in LIFECYCLE.automatic.items() if k != "PENDING"},
    durations={k: v for k, v in LIFECYCLE.durations.items() if not k.startswith("PENDING")},
)

# States a number sends from (the association steps do not stop it).
SENDING_STATES = ("ACTIVE", "ASSOCIATING", "DISASSOCIATING")
# Where a US toll-free number sends without InternationalSendingEnabled: "recipients in the
# United States or the US territories of Puerto Rico, US Virgin Islands, Guam and American
# Samoa" [doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/registrations-tfn.html].
US_TOLL_FREE_HOME = frozenset({"US", "PR", "VI", "GU", "AS"})


@dataclass(eq=False)
class PhoneNumber(Lifecycled, OriginationSettings):
    WIRE: ClassVar[dict[str, str]] = {
        "PhoneNumberArn": "arn", "Status": "state", "CreatedTimestamp": "created",
        "OriginationIdentityArn": "arn", "OriginationIdentity": "phone_number_id"}
    FAMILY: ClassVar[str] = "phone_numbers"
    RESOURCE_TYPE: ClassVar[str] = "phone-number"
    phone_number_id: str = ""
    arn: str = ""
    phone_number: str = ""
    iso_country_code: str = ""
    message_type: str = ""
    number_capabilities: list[str] = field(default_factory=list)
    number_type: str = ""
    monthly_leasing_price: str = "0.00"
    international_sending_enabled: bool = False
    pool_id: str | None = None
    registration_id: str | None = None
    created: float = 0.0
    tags: dict[str, str] = field(default_factory=dict)
    keywords: dict[str, Keyword] = field(default_factory=default_keywords)

    @property
    def identity(self) -> str:
        return self.phone_number_id


FILTERS = {
    "status": lambda p: p.state,
    "iso-country-code": lambda p: p.iso_country_code,
    "message-type": lambda p: p.message_type,
    "number-capability": lambda p: list(p.number_capabilities),
    "number-type": lambda p: p.number_type,
    "two-way-enabled": lambda p: flag(p.two_way_enabled),
    "self-managed-opt-outs-enabled": lambda p: flag(p.self_managed_opt_outs_enabled),
    "opt-out-list-name": lambda p: p.opt_out_list_name,
    "deletion-protection-enabled": lambda p: flag(p.deletion_protection_enabled),
    "two-way-channel-arn": lambda p: p.two_way_channel_arn,
}


def _conflict(phone: PhoneNumber, reason: str, message: str) -> errors.ServiceError:
    return errors.conflict(reason, "phone-number", phone.phone_number_id, message)


class PhoneNumbers(Family):
    name = "phone_numbers"

    @classmethod
    def lifecycles(cls) -> tuple[LifecycleSpec, ...]:
        return (LIFECYCLE, REGULATED)
    arn_types = ("phone-number",)

    def __init__(self, region):
        super().__init__(region)
        self.numbers: dict[str, PhoneNumber] = {}

    # -- rules other families call -------------------------------------------
    def get(self, ref: str, action: str | None = None) -> PhoneNumber:
        """The account's number by id or ARN (or, for an `action` that takes one, a shared one
        by ARN): the one lookup every family uses. A released number is not in `numbers`, so
        it is ResourceNotFound here and therefore everywhere (keywords, tags, policies, pools,
        sends, registrations)."""
        return self.region.find(self.numbers, ref, "phone-number", action)

    def by_e164(self, number: str) -> PhoneNumber:
        for phone in self.numbers.values():
            if phone.phone_number == number:
                return phone
        raise errors.not_found("phone-number", number)

    def active_numbers(self) -> list[PhoneNumber]:
        """The ACTIVE numbers, oldest first (e.g. what a verification code can be sent from)."""
        return [p for p in self.numbers.values() if p.state == "ACTIVE"]

    def using_opt_out_list(self, name: str) -> list[str]:
        return [p.phone_number_id for p in self.numbers.values() if p.opt_out_list_name == name]

    def capabilities(self, phone: PhoneNumber) -> set[str]:
        return set(phone.number_capabilities)

    def check_can_send(self, phone: PhoneNumber) -> None:
        if phone.state not in SENDING_STATES:
            raise _conflict(phone, "RESOURCE_NOT_ACTIVE",
                            f"Phone number {phone.phone_number_id} is {phone.state}.")

    def reaches(self, phone: PhoneNumber, iso: str | None) -> bool:
        """Does the number reach destinations of country `iso`? Its own country's; a US
        toll-free number with InternationalSendingEnabled reaches every country [doc: "You can
        now use your U.S. toll-free number to send messages internationally", doc-history.html,
        Aug 28 2025]."""
        return phone.iso_country_code == iso or (
            is_us_toll_free(phone) and phone.international_sending_enabled)

    def route_problem(self, phone: PhoneNumber, destination: str, iso: str | None,
                      member: str = "OriginationIdentity") -> errors.ServiceError | None:
        """Why `phone` may not send to `destination` (of country `iso`), as the error AWS
        returns, or None when it may. `member` names the request member the error points at.

        - A SIMULATOR number sends only to the destination simulator numbers of its own
          country: "if you use a simulator phone number from the United States and try to send
          a message to United Kingdoms success simulator phone number an error is returned"
          [doc: test-phone-numbers.html]; "Simulator numbers can only send to other simulator
          destination numbers in the same country" [doc]. The error is not published:
          ValidationException INVALID_IDENTITY_FOR_DESTINATION_COUNTRY [inf].
        - A US toll-free number sends outside the US and its territories only with
          InternationalSendingEnabled [doc: doc-history.html, Aug 28 2025;
          phone-numbers-change-capabilitiy.html]; the refusal is not published:
          ValidationException INTERNATIONAL_SENDING_NOT_SUPPORTED [inf].
        """
        if phone.number_type == "SIMULATOR" and simulator_country(destination) != phone.iso_country_code:
            pair = SIMULATOR_NUMBERS.get(phone.iso_country_code)
            allowed = f"{pair.success} or {pair.failure}" if pair else "none"
            return errors.invalid(
                member, f"Simulator phone number {phone.phone_number} can only send to the "
                f"destination simulator phone numbers of {phone.iso_country_code} ({allowed}), "
                f"not to {destination}.", "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY")
        if is_us_toll_free(phone) and iso is not None and iso not in US_TOLL_FREE_HOME \
                and not phone.international_sending_enabled:
            return errors.invalid(
                member, f"Toll-free number {phone.phone_number} does not send outside the US "
                f"({destination} is in {iso}): set InternationalSendingEnabled on it first.",
                "INTERNATIONAL_SENDING_NOT_SUPPORTED")
        return None

    def check_route(self, identity, destination: str, iso: str | None,
                    member: str = "OriginationIdentity") -> None:
        """Raise `route_problem`'s error, if there is one. `identity` may be any origination
        identity (or None): only a phone number's kind limits where it sends."""
        if not isinstance(identity, PhoneNumber):
            return
        problem = self.route_problem(identity, destination, iso, member)
        if problem is not None:
            raise problem

    def check_can_join(self, phone: PhoneNumber, pool, message_type: str) -> None:
        """What a number must be to found a pool (`pool` None) or join one."""
        if phone.state != "ACTIVE":
            raise _conflict(phone, "RESOURCE_NOT_ACTIVE",
                            f"Phone number {phone.identity} is {phone.state}, not ACTIVE.")
        if phone.pool_id is not None:
            raise _conflict(phone, "PHONE_NUMBER_ASSOCIATED_TO_POOL",
                            f"Phone number {phone.identity} is already associated with pool "
                            f"{phone.pool_id}.")
        if phone.message_type != message_type:
            raise _conflict(phone, "MESSAGE_TYPE_MISMATCH",
                            f"Phone number {phone.identity} is {phone.message_type}, the pool is "
                            f"{message_type}.")
        if pool is None:
            return
        # A number joining an existing pool must share the pool's configuration. [doc]
        for attr, reason in (("opt_out_list_name", "OPT_OUT_LIST_MISMATCH"),
                             ("two_way_enabled", "TWO_WAY_CONFIG_MISMATCH"),
                             ("self_managed_opt_outs_enabled", "SELF_MANAGED_OPT_OUTS_MISMATCH")):
            if getattr(phone, attr) != getattr(pool, attr):
                raise _conflict(phone, reason, f"{phone.identity} has {attr}={getattr(phone, attr)!r}, "
                                               f"the pool has {getattr(pool, attr)!r}.")

    def join(self, phone: PhoneNumber, pool, step: bool = True) -> None:
        phone.pool_id = pool.pool_id
        if step:  # check_can_join saw it ACTIVE
            self.region.lifecycles.move(phone, "associate", self.region.now())

    def leave(self, phone: PhoneNumber, pool, step: bool = True) -> None:
        """Never refused: a number still PENDING (requested into the pool) leaves without a
        step, and its activation carries on."""
        phone.pool_id = None
        if step and self.region.lifecycles.can(phone, "disassociate"):
            self.region.lifecycles.move(phone, "disassociate", self.region.now())

    def used(self, quota: str) -> int | None:
        if quota != "PHONE_NUMBERS":
            return None
        return len(self.numbers)

    def learn(self, item: dict) -> PhoneNumber:
        """A number a recorded response showed (replay, then simulate). One it showed
        `DELETED` (ReleasePhoneNumber's answer) is gone from the account, as after a
        simulated release: what is returned then is a detached record nothing looks up."""
        if item.get("Status") == "DELETED":
            self.numbers.pop(item["PhoneNumberId"], None)
            return PhoneNumber(phone_number_id=item["PhoneNumberId"], arn=item["PhoneNumberArn"])
        phone = self.numbers.get(item["PhoneNumberId"])
        if phone is None:
            phone = PhoneNumber(phone_number_id=item["PhoneNumberId"], arn=item["PhoneNumberArn"])
            self.numbers[phone.phone_number_id] = phone
        return phone

    def hold_for_registration(self, phone: PhoneNumber) -> None:
        """A number that waits for its registration: PENDING, off the clock's PENDING ->
        ACTIVE; the registration activates it (`activate` is its move)."""
        self.region.lifecycles.place(phone, REGULATED.kind, phone.entered_at, "PENDING")

    def learn_from(self, operation: str, params: dict, body: dict) -> None:
        for item in shown(body, "PhoneNumbers"):
            if item.get("PhoneNumberArn") and item.get("PhoneNumberId") and item.get("Status"):
                phone = self.learn(item)
                learn_fields(phone, item)
                learn_status(self.region, phone, "phone-number", item["Status"])

    def by_id(self, resource_id: str) -> PhoneNumber | None:
        return self.numbers.get(resource_id)

    # -- operations ------------------------------------------------------------
    @operation("RequestPhoneNumber")
    def request(self, params: dict) -> PhoneNumber:
        region = self.region
        region.require_quota("PHONE_NUMBERS", "PHONE_NUMBERS_PER_ACCOUNT")
        region.registrations.check_number_request(params)
        iso = params["IsoCountryCode"]
        opt_out = region.opt_out_lists.get(params.get("OptOutListName", "Default"), "RequestPhoneNumber")
        pool = region.pools.open(params["PoolId"], "RequestPhoneNumber") if params.get("PoolId") else None
        if pool is not None and pool.message_type != params["MessageType"]:
            raise errors.conflict("MESSAGE_TYPE_MISMATCH", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} is {pool.message_type}.")
        number = region.ids.phone_number(iso, {p.phone_number for p in self.numbers.values()},
                                         params["NumberType"], params["NumberCapabilities"])
        if number is None:
            raise errors.validation(
                "COUNTRY_NOT_ENABLED",
                f"No phone numbers are available in {iso}; smsvoice-sim hands out numbers in "
                f"{', '.join(supported_countries())}.",
                [{"Name": "IsoCountryCode", "Message": "No numbers available"}])
        phone_id = region.ids.phone_number_id()
        phone = PhoneNumber(
            phone_number_id=phone_id, arn=region.arn(f"phone-number/{phone_id}"),
            phone_number=number, iso_country_code=iso, message_type=params["MessageType"],
            number_capabilities=list(dict.fromkeys(params["NumberCapabilities"])),
            number_type=params["NumberType"], monthly_leasing_price=MONTHLY_PRICE[params["NumberType"]],
            opt_out_list_name=(pool.opt_out_list_name if pool is not None
                               else region.opt_out_lists.reference(opt_out)),
            international_sending_enabled=bool(params.get("InternationalSendingEnabled", False)),
            deletion_protection_enabled=bool(params.get("DeletionProtectionEnabled", False)),
            registration_id=params.get("RegistrationId"), created=region.now(),
            tags=tag_dict(params.get("Tags")))
        region.lifecycles.place(phone, "phone-number", phone.created)
        region.registrations.number_requested(phone)  # US toll-free / 10DLC: PENDING until registered
        if phone.number_type == "SIMULATOR":
            region.lifecycles.force(phone)  # simulator numbers are active at once [doc]
        self.numbers[phone_id] = phone
        if pool is not None:  # a number requested into a pool is a member from the start
            region.pools.add_member(pool, phone, step=False)
        return phone

    @operation("DescribePhoneNumbers")
    def describe(self, params: dict) -> dict:
        return describe("DescribePhoneNumbers", "PhoneNumbers", params, "PhoneNumberIds",
                        lambda ref: self.get(ref, "DescribePhoneNumbers"), self.numbers.values(),
                        FILTERS, observe=self.region.lifecycles.observed,
                        shared=lambda: self.region.resource_policies.shared_with_me("phone-number"))

    @operation("UpdatePhoneNumber")
    def update(self, params: dict) -> PhoneNumber:
        phone = self.get(params["PhoneNumberId"], "UpdatePhoneNumber")
        return apply(phone, settings_changes(self.region, phone, params, "UpdatePhoneNumber"))

    @operation("ReleasePhoneNumber")
    def release(self, params: dict) -> PhoneNumber:
        phone = self.get(params["PhoneNumberId"], "ReleasePhoneNumber")
        self.refuse_if_protected(phone, "phone-number", phone.phone_number_id, "Phone number")
        if phone.pool_id is not None:
            raise _conflict(phone, "PHONE_NUMBER_ASSOCIATED_TO_POOL",
                            f"Phone number {phone.phone_number_id} is in pool {phone.pool_id}; "
                            "disassociate it first.")
        self.region.registrations.identity_released(phone)
        self.region.lifecycles.move(phone, "release", self.region.now())
        # The answer says DELETED [model]; the number is then gone at once: AWS publishes
        # no time a released number stays visible [inf], and Terraform's provider treats a
        # DELETED number as not found [obs], so clients cope with either.
        del self.numbers[phone.phone_number_id]
        return phone

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(p):
            return project_as("PhoneNumberInformation", p)

        return {"phone_numbers": (self.numbers.values(), row)}

    saved_by = {"numbers": "phone_number_id"}

    def saved_row(self, part: str, phone: PhoneNumber) -> dict:
        return saved(phone)

    def restore(self, data: dict) -> None:
        for row in data["numbers"]:
            if (row.get("lifecycle") or [None, None])[1] == "DELETED":
                continue  # saved before a release took the number away at once
            phone = restored(PhoneNumber, row, self.region.lifecycles)
            self.numbers[phone.phone_number_id] = phone
