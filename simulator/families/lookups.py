"""Lookups: CarrierLookup (what a number is) and ListAvailablePhoneNumbers (what
RequestPhoneNumber could hand out). Stateless but for the numbers the account holds.

Country and type come from libphonenumber's data (the `phonenumbers` package); the
carrier is libphonenumber's carrier name for the number's prefix when it has one, else
`Simulated Carrier` [inf]; MCC/MNC are the ITU test network's 001/01 for mobile numbers
[inf]: no real network is named by a code the simulator made up.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from ..engine.numbering import country_of, number_block, number_kind
from ..wire import errors
from ..wire.paging import page_result
from . import Family, operation

SIMULATED_CARRIER = "Simulated Carrier"  # [inf] when libphonenumber names no carrier
TEST_MCC, TEST_MNC = "001", "01"  # [inf] ITU-T test network, for mobile numbers

# libphonenumber's types -> the model's PhoneNumberType. NANP numbers are all
# FIXED_LINE_OR_MOBILE in libphonenumber (the plan does not tell them apart); AWS asks
# carriers, the simulator cannot, and says MOBILE [inf]: what a sender usually targets.
_TYPES = {
    PhoneNumberType.MOBILE: "MOBILE",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "MOBILE",
    PhoneNumberType.FIXED_LINE: "LANDLINE",
    PhoneNumberType.VOIP: "VOIP",
}
_E164 = re.compile(r"^\+[1-9][0-9]{1,18}$")

# ListAvailablePhoneNumbers: US 10DLC only [model doc]. It offers the very numbers
# RequestPhoneNumber draws from (numbering.py: NPA-555-0100..0199, reserved for fiction).
AVAILABLE_PAGE_SIZE = 10  # [model doc] "If you don't specify a value, the default is 10"


def describe_number(raw: str, cleanse: bool) -> dict:
    """CarrierLookup's answer for `raw` (the model's pattern already checked)."""
    # Imported on the first lookup: their data costs ~0.7 s to import, which every
    # Simulator() paid on its first construction.
    from phonenumbers import carrier, geocoder

    digits = re.sub(r"[^0-9]", "", raw)
    parsed = None
    try:
        parsed = phonenumbers.parse(raw if cleanse else "+" + digits, None)
    except NumberParseException:
        pass
    e164 = (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if cleanse and parsed is not None
        else "+" + digits
    )
    if not _E164.match(e164):
        raise errors.validation(
            "INVALID_PARAMETER",
            f"{raw} is not a phone number.",
            [{"Name": "PhoneNumber", "Message": "Not an E.164 number"}],
        )
    result: dict = {"E164PhoneNumber": e164, "PhoneNumberType": "INVALID"}
    if cleanse and e164 != raw:
        result["OriginalPhoneNumber"] = raw
    if parsed is None:
        return result
    result["DialingCountryCode"] = str(parsed.country_code)
    parsed_e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    iso = country_of(parsed_e164)
    if iso:
        result["IsoCountryCode"] = iso
        result["Country"] = geocoder._region_display_name(iso, "en") or iso
    if parsed_e164 != e164 or not phonenumbers.is_valid_number(parsed):
        # Uncleansed, the digits count as given: libphonenumber would drop a trunk 0.
        return result
    kind = _TYPES.get(phonenumbers.number_type(parsed), "OTHER")
    result["PhoneNumberType"] = kind
    result["Carrier"] = carrier.name_for_number(parsed, "en") or SIMULATED_CARRIER
    if kind == "MOBILE":
        result["MCC"], result["MNC"] = TEST_MCC, TEST_MNC
    return result


def _matches(number: str, preference: dict | None) -> bool:
    """NumberPreference: the digits of a filter value against the E.164 digits or the
    national number (so `206` and `+1206` both find Seattle) [inf]."""
    if not preference:
        return True
    kind = preference["PreferenceType"][0]
    full = number.lstrip("+")
    national = full[1:]  # NANP: country code 1
    for value in preference["Filter"]:
        wanted = value.lstrip("+")
        for candidate in (full, national):
            if (
                (kind == "StartsWith" and candidate.startswith(wanted))
                or (kind == "EndsWith" and candidate.endswith(wanted))
                or (kind == "Contains" and wanted in candidate)
                or (kind == "ExactMatch" and candidate == wanted)
            ):
                return True
    return False


class Lookups(Family):
    name = "lookups"

    @operation("CarrierLookup")
    def carrier_lookup(self, params: dict) -> dict:
        return describe_number(params["PhoneNumber"], bool(params.get("EnableCleansing")))

    @operation("ListAvailablePhoneNumbers")
    def list_available(self, params: dict) -> dict:
        if params["IsoCountryCode"] != "US":
            raise errors.validation(
                "COUNTRY_NOT_ENABLED",
                f"ListAvailablePhoneNumbers supports only US, not {params['IsoCountryCode']}.",
                [{"Name": "IsoCountryCode", "Message": "Only US is supported"}],
            )
        if set(params["NumberCapabilities"]) - {"SMS", "VOICE"}:
            return {"AvailablePhoneNumbers": []}  # 10DLC numbers carry SMS and VOICE [inf]
        if params.get("RegistrationId"):  # must be the account's: ResourceNotFound otherwise
            self.region.registrations.get(params["RegistrationId"])
        preference = (params.get("NumberPreference") or [None])[0]
        block = number_block("US", number_kind("TEN_DLC", params["NumberCapabilities"])) or ()
        numbers = [n for n in block if _matches(n, preference) and not self._held(n)]
        paged = {**params, "MaxResults": params.get("MaxResults") or AVAILABLE_PAGE_SIZE}
        return page_result("ListAvailablePhoneNumbers", "AvailablePhoneNumbers", numbers, paged)[0]

    def _held(self, number: str) -> bool:
        """Does the account hold this number (not released)?"""
        try:
            self.region.phone_numbers.by_e164(number)
        except errors.ServiceError:
            return False
        return True
