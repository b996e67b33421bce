"""Verified destination numbers and the sandbox gate on every send.

A sandboxed account may only send to numbers it verified: create the number (PENDING),
have AWS text or call it a code (SendDestinationNumberVerificationCode), give the code back
(VerifyDestinationNumber -> VERIFIED). The code goes out as a message from the account, so a
test reads it where it reads every sent message (`sim.sent_messages()`), or directly with
`sim.verification_code(number)`. Rules and sources: `sandbox.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ..engine.numbering import country_of
from ..gates import sandbox
from ..messaging.send import Outbound, Send
from ..messaging.simulator_numbers import is_simulator_destination
from ..wire import errors
from ..wire.paging import apply_filters, page_result, select
from ..wire.projection import tag_dict
from . import Family, operation

KIND = "verified-destination-number"
CHANNEL_CAPABILITY = {"TEXT": "SMS", "VOICE": "VOICE"}


@dataclass(eq=False)
class VerifiedNumber:
    WIRE: ClassVar[dict[str, str]] = {
        "VerifiedDestinationNumberArn": "arn", "VerifiedDestinationNumberId": "id",
        "DestinationPhoneNumber": "number", "CreatedTimestamp": "created"}
    id: str
    arn: str
    number: str
    created: float
    status: str = "PENDING"
    rcs_agent_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    code: str | None = None  # the last code sent; only the last one verifies [inf]
    code_sent_at: float | None = None
    code_sends: list[float] = field(default_factory=list)  # when codes went out (attempts)


class VerifiedNumbers(Family):
    name = "verified_numbers"
    arn_types = (KIND,)

    def __init__(self, region):
        super().__init__(region)
        self.numbers: dict[str, VerifiedNumber] = {}

    # -- rules other families call -------------------------------------------
    def get(self, ref: str) -> VerifiedNumber:
        return self.region.find(self.numbers, ref, KIND)

    def is_verified(self, number: str) -> bool:
        return any(v.number == number and v.status == "VERIFIED" for v in self.numbers.values())

    def with_codes(self) -> list[VerifiedNumber]:
        """The numbers a code was sent to and not yet used (the control surface shows them)."""
        return [v for v in self.numbers.values() if v.code]

    def used(self, quota: str) -> int | None:
        return len(self.numbers) if quota == "VERIFIED_DESTINATION_NUMBERS" else None

    def _pending(self, ref: str) -> VerifiedNumber:
        """A number still to verify (a code for a verified one is a ConflictException)."""
        verified = self.get(ref)
        if verified.status == "VERIFIED":
            raise errors.conflict("VERIFICATION_ALREADY_COMPLETE", KIND, verified.id,
                                  f"{verified.number} is already verified.")
        return verified

    def _attempts_per_day(self) -> int:
        return self.region.quotas["VERIFICATION_ATTEMPTS_PER_DAY"]  # region.DEFAULT_QUOTAS has it

    # -- operations ------------------------------------------------------------
    @operation("CreateVerifiedDestinationNumber")
    def create(self, params: dict) -> VerifiedNumber:
        number = params["DestinationPhoneNumber"]
        for existing in self.numbers.values():
            if existing.number == number:  # [inf] AWS documents no duplicate rule
                raise errors.conflict("RESOURCE_ALREADY_EXISTS", KIND, existing.id,
                                      f"{number} is already a verified destination number "
                                      f"({existing.id}).")
        self.region.require_quota("VERIFIED_DESTINATION_NUMBERS",
                                  "VERIFIED_DESTINATION_NUMBERS_PER_ACCOUNT")
        vid = f"vdn-{self.region.ids.hex32()}"
        verified = VerifiedNumber(vid, self.region.arn(f"{KIND}/{vid}"), number, self.region.now(),
                                  rcs_agent_id=params.get("RcsAgentId"),
                                  tags=tag_dict(params.get("Tags")))
        self.numbers[vid] = verified
        return verified

    @operation("DescribeVerifiedDestinationNumbers")
    def describe(self, params: dict) -> dict:
        found = select(params, "VerifiedDestinationNumberIds", self.get, self.numbers.values())
        if params.get("DestinationPhoneNumbers"):
            wanted = set(params["DestinationPhoneNumbers"])
            found = [v for v in found if v.number in wanted]
        found = apply_filters(found, params.get("Filters"), {
            "status": lambda v: v.status, "rcs-agent-id": lambda v: v.rcs_agent_id})
        return page_result("DescribeVerifiedDestinationNumbers", "VerifiedDestinationNumbers",
                           found, params)[0]

    @operation("DeleteVerifiedDestinationNumber")
    def delete(self, params: dict) -> VerifiedNumber:
        verified = self.get(params["VerifiedDestinationNumberId"])
        del self.numbers[verified.id]
        return verified

    @operation("SendDestinationNumberVerificationCode")
    def send_code(self, params: dict) -> dict:
        verified = self._pending(params["VerifiedDestinationNumberId"])
        now = self.region.now()
        attempts = self._attempts_per_day()
        recent = [t for t in verified.code_sends if t > now - sandbox.DAY]
        if len(recent) >= attempts:
            raise errors.quota_exceeded(
                "VERIFICATION_ATTEMPTS_PER_DAY",
                f"{attempts} verification codes were sent to {verified.number} in the last 24 "
                "hours; try again later.")
        channel = params["VerificationChannel"]
        origin = self._code_origin(params.get("OriginationIdentity"), verified, channel)
        verified.code = sandbox.code_from(self.region.ids.hex32())
        verified.code_sent_at = now
        verified.code_sends = [*recent, now]
        # [inf] a code goes out like any message but passes no send gate (it is how the
        # sandbox lets a number in), is not charged, and has no delivery events.
        sent = self.region.send(Outbound(
            operation="SendDestinationNumberVerificationCode",
            channel="VOICE" if channel == "VOICE" else "TEXT", priced_as=None, gated=False,
            opt_out_list=None, destination=verified.number, iso_country_code=country_of(verified.number),
            body=sandbox.code_message(verified.code), params=params, origination_ref=origin,
            shown_origin=origin,
            configuration_set=self.region.configuration_sets.get(params["ConfigurationSetName"])
            if params.get("ConfigurationSetName") else None,
            details={"VerifiedDestinationNumberId": verified.id, "VerificationChannel": channel,
                     "VerificationCode": verified.code}))
        return {"MessageId": sent.message_id}

    def _code_origin(self, ref: str | None, verified: VerifiedNumber, channel: str) -> str:
        """The phone number the code goes out from: the one asked for, else any active number
        of the account that has the channel's capability in the destination's country [doc:
        "an origination identity ... that is active and has text or voice message
        capabilities ... can only send messages within its country"]; never a SIMULATOR
        number [doc: "You can not use a simulator phone number to verify a destination phone
        number"]."""
        need = CHANNEL_CAPABILITY[channel]
        phones = self.region.phone_numbers
        iso = country_of(verified.number)
        if ref:
            phone = phones.by_e164(ref) if ref.startswith("+") else \
                phones.get(ref, "SendDestinationNumberVerificationCode")
            if phone.state != "ACTIVE":
                raise errors.conflict("RESOURCE_NOT_ACTIVE", "phone-number", phone.phone_number_id,
                                      f"Phone number {phone.phone_number_id} is {phone.state}.")
            if need not in phones.capabilities(phone):
                raise errors.validation(
                    "VOICE_CAPABILITY_NOT_AVAILABLE" if need == "VOICE" else "CHANNEL_NOT_ENABLED",
                    f"{ref} cannot send {need}.",
                    [{"Name": "OriginationIdentity", "Message": f"No {need}"}])
            if phone.number_type == "SIMULATOR":
                # "You can not use a simulator phone number to verify a destination phone
                # number" [doc: verify-destination-phone-number.html]; the error [inf].
                raise errors.invalid(
                    "OriginationIdentity", f"Simulator phone number {phone.phone_number} cannot "
                    "send verification codes.", "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY")
            if phone.iso_country_code != iso:
                raise errors.validation(
                    "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY",
                    f"{phone.phone_number} can only send verification codes within its country.",
                    [{"Name": "OriginationIdentity", "Message": "Other country"}])
            return phone.phone_number
        for phone in phones.active_numbers():
            if need in phones.capabilities(phone) and phone.iso_country_code == iso \
                    and phone.number_type != "SIMULATOR":
                return phone.phone_number
        raise errors.conflict(
            "NO_ORIGINATION_IDENTITIES_FOUND", KIND, verified.id,
            f"No active phone number with {need} capability in {iso} can send the code to "
            f"{verified.number} (simulator numbers cannot); request one first.")

    @operation("VerifyDestinationNumber")
    def verify(self, params: dict) -> VerifiedNumber:
        verified = self._pending(params["VerifiedDestinationNumberId"])
        if verified.code is None or params["VerificationCode"] != verified.code:
            raise errors.validation(
                "VERIFICATION_CODE_MISMATCH",
                f"The verification code does not match the last code sent to {verified.number}.",
                [{"Name": "VerificationCode", "Message": "Code mismatch"}])
        lifetime = self.region.gate_settings.code_lifetime
        if self.region.now() >= (verified.code_sent_at or 0) + lifetime:
            raise errors.conflict("VERIFICATION_CODE_EXPIRED", KIND, verified.id,
                                  f"The verification code sent to {verified.number} has expired; "
                                  "send a new one.")
        verified.status = "VERIFIED"
        verified.code = None
        return verified

    # -- the send path: the sandbox gate -------------------------------------------
    def check_send(self, send: Send) -> None:
        """In the sandbox a send reaches only verified numbers and AWS's simulator numbers."""
        if self.region.account_attributes.tier != sandbox.SANDBOX:
            return
        if is_simulator_destination(send.destination) or \
                self.is_verified(send.destination):
            return
        raise errors.conflict(
            "DESTINATION_PHONE_NUMBER_NOT_VERIFIED", KIND, send.destination,
            f"The account is in the sandbox: {send.destination} is not a verified destination "
            "number. Verify it (CreateVerifiedDestinationNumber, "
            "SendDestinationNumberVerificationCode, VerifyDestinationNumber) or send to a "
            "simulator number.")

    # -- state view and --state ------------------------------------------------
    def view_rows(self) -> dict[str, tuple]:
        def row(v):
            return {"VerifiedDestinationNumberId": v.id, "DestinationPhoneNumber": v.number,
                    "Status": v.status, "CreatedTimestamp": v.created}

        return {"verified_destination_numbers": (self.numbers.values(), row)}

    saved_by = {"numbers": "id"}

    def saved_row(self, part: str, v: VerifiedNumber) -> dict:
        return {"id": v.id, "arn": v.arn, "number": v.number, "created": v.created,
                "status": v.status, "rcs_agent_id": v.rcs_agent_id, "tags": v.tags, "code": v.code,
                "code_sent_at": v.code_sent_at, "code_sends": v.code_sends}

    def restore(self, data: dict) -> None:
        self.numbers = {row["id"]: VerifiedNumber(**row) for row in data.get("numbers", ())}
