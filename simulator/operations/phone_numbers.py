"""Phone numbers: RequestPhoneNumber, DescribePhoneNumbers, UpdatePhoneNumber, ReleasePhoneNumber."""

from __future__ import annotations

from .. import errors
from ..ids import supported_countries
from ..paging import apply_filters, flag, page_result, select
from ..region import AccountRegion
from ..resources import PhoneNumber, tag_list
from . import operation
from .pools import apply_settings

# [doc] example prices; AWS's real prices vary by country.
MONTHLY_PRICE = {"LONG_CODE": "1.00", "TOLL_FREE": "2.00", "TEN_DLC": "1.00", "SIMULATOR": "0.00"}

PHONE_FILTERS = {
    "status": lambda p: p.state,
    "iso-country-code": lambda p: p.iso_country_code,
    "message-type": lambda p: p.message_type,
    "number-capability": lambda p: list(p.capabilities),
    "number-type": lambda p: p.number_type,
    "two-way-enabled": lambda p: flag(p.two_way_enabled),
    "self-managed-opt-outs-enabled": lambda p: flag(p.self_managed_opt_outs),
    "opt-out-list-name": lambda p: p.opt_out_list_name,
    "deletion-protection-enabled": lambda p: flag(p.deletion_protection),
    "two-way-channel-arn": lambda p: p.two_way_channel_arn,
}


@operation("RequestPhoneNumber")
def request_phone_number(part: AccountRegion, params: dict) -> dict:
    part.require_quota("PHONE_NUMBERS", "PHONE_NUMBERS_PER_ACCOUNT")
    part.registrations.check_number_request(params)
    iso = params["IsoCountryCode"]
    opt_out = part.opt_out_list(params.get("OptOutListName", "Default"))
    pool = part.pool(params["PoolId"]) if params.get("PoolId") else None
    taken = {p.phone_number for p in part.phones.values()}
    number = part.ids.phone_number(iso, taken)
    if number is None:
        raise errors.validation(
            "COUNTRY_NOT_ENABLED",
            f"No phone numbers are available in {iso}; smsvoice-sim hands out numbers in "
            f"{', '.join(supported_countries())}.",
            [{"Name": "IsoCountryCode", "Message": "No numbers available"}])
    phone_id = part.ids.phone_number_id()
    phone = PhoneNumber(
        phone_number_id=phone_id, arn=part.arn(f"phone-number/{phone_id}"), phone_number=number,
        iso_country_code=iso, message_type=params["MessageType"],
        capabilities=list(dict.fromkeys(params["NumberCapabilities"])),
        number_type=params["NumberType"], monthly_price=MONTHLY_PRICE[params["NumberType"]],
        opt_out_list_name=opt_out.name,
        international_sending=bool(params.get("InternationalSendingEnabled", False)),
        deletion_protection=bool(params.get("DeletionProtectionEnabled", False)),
        registration_id=params.get("RegistrationId"), created=part.now(),
        tags={t["Key"]: t["Value"] for t in params.get("Tags", [])},
    )
    if pool is not None:
        if pool.state == "DELETING":
            raise errors.conflict("RESOURCE_NOT_ACTIVE", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} is being deleted.")
        if pool.message_type != phone.message_type:
            raise errors.conflict("MESSAGE_TYPE_MISMATCH", "pool", pool.pool_id,
                                  f"Pool {pool.pool_id} is {pool.message_type}.")
        phone.opt_out_list_name = pool.opt_out_list_name
        pool.link(phone)
    part.lifecycles.adopt(phone, "phone-number", phone.created)
    part.registrations.number_requested(phone)  # US toll-free / 10DLC: PENDING until registered
    if phone.number_type == "SIMULATOR":
        part.lifecycles.force(phone)  # simulator numbers are active at once [doc]
    part.phones[phone_id] = phone
    return {**phone.info(), "Tags": tag_list(phone.tags)}


@operation("DescribePhoneNumbers")
def describe_phone_numbers(part: AccountRegion, params: dict) -> dict:
    phones = select(params, "PhoneNumberIds", part.phone, part.phones.values())
    phones = apply_filters(phones, params.get("Filters"), PHONE_FILTERS)
    result, page = page_result("DescribePhoneNumbers", "PhoneNumbers", phones, params,
                               PhoneNumber.info)
    for phone in page:
        part.lifecycles.observed(phone)
    return result


def _live_phone(part: AccountRegion, ref: str) -> PhoneNumber:
    phone = part.phone(ref)
    if phone.state == "DELETED":
        raise errors.conflict("RESOURCE_NOT_ACTIVE", "phone-number", phone.phone_number_id,
                              f"Phone number {phone.phone_number_id} was released.")
    return phone


@operation("UpdatePhoneNumber")
def update_phone_number(part: AccountRegion, params: dict) -> dict:
    phone = _live_phone(part, params["PhoneNumberId"])
    apply_settings(part, phone, params)
    if "InternationalSendingEnabled" in params:
        phone.international_sending = params["InternationalSendingEnabled"]
    return phone.info()


@operation("ReleasePhoneNumber")
def release_phone_number(part: AccountRegion, params: dict) -> dict:
    phone = _live_phone(part, params["PhoneNumberId"])
    if phone.deletion_protection:
        raise errors.conflict("DELETION_PROTECTION_ENABLED", "phone-number",
                              phone.phone_number_id,
                              f"Phone number {phone.phone_number_id} has deletion protection.")
    if phone.pool_id is not None:
        raise errors.conflict("PHONE_NUMBER_ASSOCIATED_TO_POOL", "phone-number",
                              phone.phone_number_id,
                              f"Phone number {phone.phone_number_id} is in pool {phone.pool_id}; "
                              "disassociate it first.")
    part.registrations.identity_released(phone)
    part.lifecycles.move(phone, "release", part.now())
    return phone.info()

