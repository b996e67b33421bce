"""CarrierLookup and ListAvailablePhoneNumbers through real boto3 (issue 15, section J)."""

from __future__ import annotations

import phonenumbers
import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.numbering import US_AREA_CODES
from smsvoice_sim.simulator.families.lookups import SIMULATED_CARRIER

from conftest import NO_CLIENT_VALIDATION, active_phone
from families_fixtures import error_of


def test_carrier_lookup_reads_country_type_and_carrier_from_libphonenumber(api):
    found = api.carrier_lookup(PhoneNumber="+33612345678")
    assert found["E164PhoneNumber"] == "+33612345678"
    assert (found["IsoCountryCode"], found["Country"], found["DialingCountryCode"]) == ("FR", "France", "33")
    assert found["PhoneNumberType"] == "MOBILE"
    assert found["Carrier"] == "SFR"  # libphonenumber's carrier for the prefix
    assert (found["MCC"], found["MNC"]) == ("001", "01")  # the ITU test network, never a real one
    assert "OriginalPhoneNumber" not in found


def test_a_number_libphonenumber_names_no_carrier_for_gets_the_simulated_carrier(api):
    found = api.carrier_lookup(PhoneNumber="+12065550100")
    assert (found["IsoCountryCode"], found["PhoneNumberType"]) == ("US", "MOBILE")
    assert found["Carrier"] == SIMULATED_CARRIER


def test_landline_voip_and_other_types(api):
    assert api.carrier_lookup(PhoneNumber="+442079460000")["PhoneNumberType"] == "LANDLINE"  # London
    assert api.carrier_lookup(PhoneNumber="+18005550100")["PhoneNumberType"] == "OTHER"  # toll-free
    landline = api.carrier_lookup(PhoneNumber="+442079460000")
    assert "MCC" not in landline


def test_an_invalid_number_is_answered_as_INVALID_not_refused(api):
    found = api.carrier_lookup(PhoneNumber="+447700900123")  # UK drama range: not a valid number
    assert found["PhoneNumberType"] == "INVALID"
    assert found["IsoCountryCode"] == "GB" and "Carrier" not in found


def test_cleansing_normalises_and_returns_the_original(api):
    raw = "+44 (0) 7400 123-456"
    found = api.carrier_lookup(PhoneNumber=raw, EnableCleansing=True)
    assert found["E164PhoneNumber"] == "+447400123456"
    assert found["OriginalPhoneNumber"] == raw
    assert found["PhoneNumberType"] == "MOBILE"
    # Without cleansing the digits are taken as they are: the trunk 0 stays, the number is invalid.
    plain = api.carrier_lookup(PhoneNumber=raw)
    assert plain["E164PhoneNumber"] == "+4407400123456"
    assert plain["PhoneNumberType"] == "INVALID" and "OriginalPhoneNumber" not in plain


def test_cleansing_an_already_clean_number_returns_no_original(api):
    assert "OriginalPhoneNumber" not in api.carrier_lookup(PhoneNumber="+33612345678", EnableCleansing=True)


def test_carrier_lookup_bad_inputs(sim):
    raw = sim.client(config=NO_CLIENT_VALIDATION)
    with pytest.raises(ClientError) as exc:
        raw.carrier_lookup(PhoneNumber="12065550100")  # no +
    assert error_of(exc)["Code"] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        raw.carrier_lookup(PhoneNumber="+1-------")  # one digit: not a number at all
    assert error_of(exc)["Reason"] == "INVALID_PARAMETER"


def test_every_available_number_is_a_valid_us_number_of_the_fiction_range(api):
    seen, token = [], None
    for _ in range(300):  # bounded
        page = api.list_available_phone_numbers(
            IsoCountryCode="US",
            NumberCapabilities=["SMS"],
            NumberType="TEN_DLC",
            **({"NextToken": token} if token else {}),
        )
        assert len(page["AvailablePhoneNumbers"]) <= 10  # the documented default page
        seen += page["AvailablePhoneNumbers"]
        token = page.get("NextToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == len(US_AREA_CODES) * 100
    for number in seen:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed) and phonenumbers.region_code_for_number(parsed) == "US"
        assert number[5:9] == "5550" and "0100" <= number[-4:] <= "0199"


def test_a_requested_us_10dlc_number_is_one_list_available_offered():
    """One generator: RequestPhoneNumber draws from exactly what ListAvailablePhoneNumbers offers."""
    api = Simulator(clock="manual", seed=15).client()
    offered, token = set(), None
    for _ in range(300):  # bounded
        page = api.list_available_phone_numbers(
            IsoCountryCode="US", NumberCapabilities=["SMS", "VOICE"], NumberType="TEN_DLC",
            **({"NextToken": token} if token else {}))
        offered |= set(page["AvailablePhoneNumbers"])
        token = page.get("NextToken")
        if not token:
            break
    for number_type in ("TEN_DLC", "LONG_CODE", "SIMULATOR"):
        for _ in range(20):
            number = api.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                              NumberCapabilities=["SMS", "VOICE"],
                                              NumberType=number_type)["PhoneNumber"]
            assert number in offered, (number_type, number)


def test_number_preferences(api):
    def find(kind, *values):
        return api.list_available_phone_numbers(
            IsoCountryCode="US",
            NumberCapabilities=["SMS", "VOICE"],
            NumberType="TEN_DLC",
            MaxResults=10,
            NumberPreference=[{"PreferenceType": [kind], "Filter": list(values)}],
        )["AvailablePhoneNumbers"]

    assert find("StartsWith", "206") and all(n.startswith("+1206") for n in find("StartsWith", "206"))
    assert find("StartsWith", "+1415") and all(n.startswith("+1415") for n in find("StartsWith", "+1415"))
    assert all(n.endswith("42") for n in find("EndsWith", "42"))
    assert find("ExactMatch", "+12065550142") == ["+12065550142"]
    assert all("5550177" in n for n in find("Contains", "5550177"))
    assert find("ExactMatch", "+19999999999") == []  # no match: an empty list, not an error


def test_numbers_the_account_holds_are_not_offered(sim, api):
    phone = active_phone(sim, api)
    offered = api.list_available_phone_numbers(
        IsoCountryCode="US",
        NumberCapabilities=["SMS"],
        NumberType="TEN_DLC",
        NumberPreference=[{"PreferenceType": ["ExactMatch"], "Filter": [phone["PhoneNumber"]]}],
    )
    assert offered["AvailablePhoneNumbers"] == []


def test_list_available_refuses_other_countries_and_unknown_registrations(api):
    with pytest.raises(ClientError) as exc:
        api.list_available_phone_numbers(
            IsoCountryCode="GB", NumberCapabilities=["SMS"], NumberType="TEN_DLC"
        )
    assert error_of(exc)["Reason"] == "COUNTRY_NOT_ENABLED"
    with pytest.raises(ClientError) as exc:
        api.list_available_phone_numbers(
            IsoCountryCode="US",
            NumberCapabilities=["SMS"],
            NumberType="TEN_DLC",
            RegistrationId="registration-00000000000000000000000000000000",
        )
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert exc.value.response["ResourceType"] == "registration"
    campaign = api.create_registration(RegistrationType="US_TEN_DLC_CAMPAIGN_REGISTRATION")
    for ref in (campaign["RegistrationId"], campaign["RegistrationArn"]):
        offered = api.list_available_phone_numbers(
            IsoCountryCode="US", NumberCapabilities=["SMS"], NumberType="TEN_DLC", RegistrationId=ref
        )
        assert len(offered["AvailablePhoneNumbers"]) == 10
    assert (
        api.list_available_phone_numbers(
            IsoCountryCode="US", NumberCapabilities=["MMS"], NumberType="TEN_DLC"
        )["AvailablePhoneNumbers"]
        == []
    )


def test_a_bad_next_token_is_refused(api):
    with pytest.raises(ClientError) as exc:
        api.list_available_phone_numbers(
            IsoCountryCode="US", NumberCapabilities=["SMS"], NumberType="TEN_DLC", NextToken="garbage"
        )
    assert error_of(exc)["Reason"] == "INVALID_NEXT_TOKEN"
