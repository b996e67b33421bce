"""AWS's simulator phone numbers (issue 20, items 2 and 3) through real boto3: the whole table
of destination numbers (25 countries) in one place, the sandbox and outcomes reading it; a
SIMULATOR origination number that sends only to its own country's simulator numbers (directly,
as a pool's member, for Notify, as an RCS fallback, never for verification codes); a US
toll-free number that sends abroad only with InternationalSendingEnabled.

Sources: https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html (the
table, "if you use a simulator phone number from the United States and try to send a message to
United Kingdoms success simulator phone number an error is returned"); doc-history.html
(Aug 28 2025, international sending from US toll-free numbers). The errors are [inf].
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.numbering import country_of
from smsvoice_sim.simulator.messaging import outcomes, simulator_numbers
from smsvoice_sim.simulator.messaging.outcomes import Outcomes
from smsvoice_sim.simulator.messaging.prices import iso_country_of

from conftest import active_phone
from families_fixtures import error_of

US_SUCCESS, US_FAILURE = "+14254147755", "+14254147167"
UK_SUCCESS, UK_FAILURE = "+447860019066", "+447860019067"
US_PLAIN = "+12065550100"
TEXT = {"MessageBody": "hi"}
# The whole table AWS publishes, as its page lists it.
AWS_TABLE = {
    "AU": ("+61455944038", "+61455944039"), "AT": ("+43676800442031", "+43676800442032"),
    "BE": ("+32460213922", "+32460213923"), "CL": ("+56229140630", "+56229140631"),
    "CZ": ("+420790542286", "+420790542287"), "DK": ("+4525919410", "+4525919215"),
    "EE": ("+37282720792", "+37282720793"), "FI": ("+3584573979110", "+3584573979111"),
    "FR": ("+33755512501", "+33755512502"), "HK": ("+85257048426", "+85257048854"),
    "HU": ("+36707178770", "+36707178772"), "IT": ("+394390009172", "+394390009174"),
    "JE": ("+447937404990", "+447937404992"), "LU": ("+352691385880", "+352691385882"),
    "NL": ("+3197008100148", "+3197008100150"), "NO": ("+4759449384", "+4759449387"),
    "PL": ("+48732141440", "+48732141442"), "PT": ("+351927946948", "+351927946950"),
    "RO": ("+40783900330", "+40783900332"), "ES": ("+34683783440", "+34683783442"),
    "SE": ("+46790645100", "+46790645102"), "CH": ("+41798075872", "+41798075874"),
    "TW": ("+886903444630", "+886903444632"), "GB": (UK_SUCCESS, UK_FAILURE),
    "US": (US_SUCCESS, US_FAILURE),
}


@pytest.fixture
def client(sim):
    return sim.client(region_name="us-east-1")


def simulator_number(client, iso="US", capabilities=("SMS", "VOICE", "MMS")) -> dict:
    return client.request_phone_number(IsoCountryCode=iso, MessageType="TRANSACTIONAL",
                                       NumberCapabilities=list(capabilities), NumberType="SIMULATOR")


def refused(call, **kwargs) -> dict:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return {**error_of(exc), "Fields": [f["Name"] for f in exc.value.response.get("Fields", [])]}


def wrong_country(member: str = "OriginationIdentity") -> dict:
    return {"Code": "ValidationException", "Reason": "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY",
            "ResourceType": None, "ResourceId": None, "Fields": [member]}


# -- item 2: one table, the whole of AWS's ------------------------------------------------------
def test_the_table_is_aws_whole_table_kept_once():
    assert {iso: tuple(pair) for iso, pair in simulator_numbers.SIMULATOR_NUMBERS.items()} == AWS_TABLE
    every = {n for pair in AWS_TABLE.values() for n in pair}
    assert len(every) == 50
    assert all(simulator_numbers.is_simulator_destination(n) for n in every)  # the sandbox's test
    assert outcomes.SIMULATOR_NUMBERS is simulator_numbers.SIMULATOR_NUMBERS
    for iso, pair in AWS_TABLE.items():
        for number in pair:
            assert simulator_numbers.simulator_country(number) == iso
            assert country_of(number) == iso_country_of(number) == iso  # JE and GB share +44


def test_every_failure_number_fails_and_every_success_number_succeeds():
    rules = Outcomes(seed=1)
    for success, failure in AWS_TABLE.values():
        assert rules.choose("TEXT", success) == "TEXT_DELIVERED"
        assert rules.choose("TEXT", failure) == "TEXT_BLOCKED"
        assert rules.choose("VOICE", failure) == "VOICE_FAILED"


def test_a_sandbox_account_sends_to_every_simulator_number_without_verifying_it(client):
    sim = Simulator(clock="manual", account_tier="SANDBOX")
    client = sim.client(region_name="us-east-1")
    client.send_text_message(DestinationPhoneNumber=UK_SUCCESS, **TEXT)
    for success, failure in AWS_TABLE.values():  # dry runs: the sandbox's $1 would not pay for all
        client.send_text_message(DestinationPhoneNumber=success, DryRun=True, **TEXT)
        client.send_text_message(DestinationPhoneNumber=failure, DryRun=True, **TEXT)
    assert refused(client.send_text_message, DestinationPhoneNumber=US_PLAIN, **TEXT)["Reason"] == \
        "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"


def test_the_uk_failure_number_emits_a_failure_event(sim, client):
    sent = client.send_text_message(DestinationPhoneNumber=UK_FAILURE, **TEXT)
    sim.advance(60)
    assert [e["eventType"] for e in sim.events(message_id=sent["MessageId"])] == ["TEXT_BLOCKED"]


# -- item 3: a SIMULATOR origination number sends to its own country's simulator numbers -----------
def test_a_us_simulator_number_sends_only_to_us_simulator_numbers(client):
    number = simulator_number(client)["PhoneNumberId"]
    for destination in (US_SUCCESS, US_FAILURE):
        client.send_text_message(OriginationIdentity=number, DestinationPhoneNumber=destination, **TEXT)
        client.send_voice_message(OriginationIdentity=number, DestinationPhoneNumber=destination, **TEXT)
        client.send_media_message(OriginationIdentity=number, DestinationPhoneNumber=destination,
                                  MediaUrls=["s3://bucket/cat.png"])
    for destination in (UK_SUCCESS, US_PLAIN, "+447700900123"):
        for call in (client.send_text_message, client.send_voice_message):
            assert refused(call, OriginationIdentity=number, DestinationPhoneNumber=destination,
                           **TEXT) == wrong_country()
        media = {"MediaUrls": ["s3://bucket/cat.png"]}
        assert refused(client.send_media_message, OriginationIdentity=number,
                       DestinationPhoneNumber=destination, **media) == wrong_country()


def test_the_refusal_names_the_numbers_it_may_send_to_and_changes_nothing(sim, client):
    number = simulator_number(client)
    with pytest.raises(ClientError) as exc:
        client.send_text_message(OriginationIdentity=number["PhoneNumberArn"],
                                 DestinationPhoneNumber=UK_SUCCESS, DryRun=True, **TEXT)
    message = exc.value.response["Error"]["Message"]
    assert number["PhoneNumber"] in message and US_SUCCESS in message and UK_SUCCESS in message
    assert sim.sent_messages() == []


def test_a_pool_sends_from_the_member_that_may_send(sim, client):
    simulated = simulator_number(client, capabilities=("SMS",))
    pool = client.create_pool(OriginationIdentity=simulated["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.force_transition(pool["PoolId"])
    assert refused(client.send_text_message, OriginationIdentity=pool["PoolId"],
                   DestinationPhoneNumber=US_PLAIN, **TEXT) == wrong_country()
    client.send_text_message(OriginationIdentity=pool["PoolId"], DestinationPhoneNumber=US_SUCCESS, **TEXT)
    assert sim.sent_messages()[-1]["OriginationPhoneNumber"] == simulated["PhoneNumber"]
    # With shared routes the pool still sends from its simulator number, which may not reach the UK.
    client.update_pool(PoolId=pool["PoolId"], SharedRoutesEnabled=True)
    assert refused(client.send_text_message, OriginationIdentity=pool["PoolId"],
                   DestinationPhoneNumber=UK_SUCCESS, **TEXT) == wrong_country()
    long_code = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    sim.force_transition(long_code["PhoneNumberId"])
    client.associate_origination_identity(PoolId=pool["PoolId"],
                                          OriginationIdentity=long_code["PhoneNumberId"])
    sim.advance(1)
    client.send_text_message(OriginationIdentity=pool["PoolId"], DestinationPhoneNumber=US_PLAIN, **TEXT)
    assert sim.sent_messages()[-1]["OriginationPhoneNumber"] == long_code["PhoneNumber"]


def test_notify_through_a_pool_of_simulator_numbers(sim, client):
    simulated = simulator_number(client, capabilities=("SMS",))
    pool = client.create_pool(OriginationIdentity=simulated["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.force_transition(pool["PoolId"])
    config = client.create_notify_configuration(DisplayName="Example", UseCase="CODE_VERIFICATION",
                                                EnabledChannels=["SMS"], PoolId=pool["PoolId"])
    sim.advance(5)
    sim.region(sim.default_account, "us-east-1").notify.set_tier(config["NotifyConfigurationId"], "ADVANCED")
    send = {"NotifyConfigurationId": config["NotifyConfigurationId"], "TemplateVariables": {"code": "123456"}}
    # The US needs the customer's own identity: the pool's simulator number is the one.
    client.send_notify_text_message(DestinationPhoneNumber=US_SUCCESS, **send)
    assert refused(client.send_notify_text_message, DestinationPhoneNumber=US_PLAIN, **send) == \
        wrong_country("NotifyConfigurationId")
    # Elsewhere AWS-managed identities take over when the pool has no suitable one [doc].
    client.send_notify_text_message(DestinationPhoneNumber="+33612345678", **send)


def test_an_rcs_fallback_from_a_simulator_number_sends_to_simulator_numbers_only(sim, client):
    agent = client.create_rcs_agent()
    rcs = sim.region(sim.default_account, "us-east-1").rcs_agents
    rcs.submit_testing(agent["RcsAgentId"], "registration-testing")
    rcs.submit_country_launch(agent["RcsAgentId"], "US", "registration-launch")
    sim.advance(120)
    number = simulator_number(client, capabilities=("SMS",))
    content = {"Content": {"TextMessage": {"Body": "Your parcel is on its way"}}}
    fallback = {"Channel": "SMS", "MessageBody": "parcel", "OriginationIdentity": number["PhoneNumberId"]}
    client.send_rcs_message(OriginationIdentity=agent["RcsAgentId"],
                            DestinationPhoneNumber=US_SUCCESS, RcsMessageContent=content,
                            FallbackConfiguration=fallback)
    assert refused(client.send_rcs_message, OriginationIdentity=agent["RcsAgentId"],
                   DestinationPhoneNumber=US_PLAIN, RcsMessageContent=content,
                   FallbackConfiguration=fallback) == \
        wrong_country("FallbackConfiguration.OriginationIdentity")


def test_a_simulator_number_never_sends_verification_codes(sim, client):
    number = simulator_number(client, capabilities=("SMS",))
    vid = client.create_verified_destination_number(
        DestinationPhoneNumber=US_PLAIN)["VerifiedDestinationNumberId"]
    assert refused(client.send_destination_number_verification_code, VerifiedDestinationNumberId=vid,
                   VerificationChannel="TEXT", OriginationIdentity=number["PhoneNumberId"]) == wrong_country()
    # Nor is one picked when the request names none: no number of the account may send the code.
    assert refused(client.send_destination_number_verification_code, VerifiedDestinationNumberId=vid,
                   VerificationChannel="TEXT")["Reason"] == "NO_ORIGINATION_IDENTITIES_FOUND"


# -- item 3: InternationalSendingEnabled on a US toll-free number ----------------------------------
def registered_toll_free(sim, client) -> dict:
    """A US toll-free number AWS registered, as a replayed RequestPhoneNumber showed it (replay,
    then simulate): ACTIVE, InternationalSendingEnabled false."""
    account = sim.default_account
    phone_id = "phone-0123456789abcdef0123456789abcdef"
    shown = {"PhoneNumberArn": f"arn:aws:sms-voice:us-east-1:{account}:phone-number/{phone_id}",
             "PhoneNumberId": phone_id, "PhoneNumber": "+18885550100",
             "Status": "ACTIVE", "IsoCountryCode": "US", "MessageType": "TRANSACTIONAL",
             "NumberCapabilities": ["SMS", "VOICE"], "NumberType": "TOLL_FREE",
             "MonthlyLeasingPrice": "2.00", "TwoWayEnabled": False, "SelfManagedOptOutsEnabled": False,
             "OptOutListName": "Default", "InternationalSendingEnabled": False,
             "DeletionProtectionEnabled": False,
             "RegistrationId": "registration-0123456789abcdef0123456789abcdef",
             "CreatedTimestamp": 1767225600}
    sim.adopt("RequestPhoneNumber", b"{}", 200, json.dumps(shown).encode())
    return shown


def test_a_us_toll_free_number_sends_abroad_only_with_international_sending(sim, client):
    tfn = registered_toll_free(sim, client)["PhoneNumberId"]
    for home in (US_PLAIN, "+17875550100"):  # the US and Puerto Rico [doc: registrations-tfn.html]
        client.send_text_message(OriginationIdentity=tfn, DestinationPhoneNumber=home, **TEXT)
    for abroad in ("+447700900123", "+14165550100"):  # GB, Canada
        got = refused(client.send_text_message, OriginationIdentity=tfn, DestinationPhoneNumber=abroad,
                      **TEXT)
        assert (got["Code"], got["Reason"]) == ("ValidationException", "INTERNATIONAL_SENDING_NOT_SUPPORTED")
    updated = client.update_phone_number(PhoneNumberId=tfn, InternationalSendingEnabled=True)
    assert updated["InternationalSendingEnabled"] is True
    sent = client.send_text_message(OriginationIdentity=tfn, DestinationPhoneNumber="+447700900123", **TEXT)
    sim.advance(60)
    assert sim.events(message_id=sent["MessageId"])[0]["isInternationalSend"] is True
    client.update_phone_number(PhoneNumberId=tfn, InternationalSendingEnabled=False)
    assert refused(client.send_voice_message, OriginationIdentity=tfn, DestinationPhoneNumber="+447700900123",
                   **TEXT)["Reason"] == "INTERNATIONAL_SENDING_NOT_SUPPORTED"


def test_a_pool_reaches_abroad_through_an_international_toll_free_number(sim, client):
    tfn = registered_toll_free(sim, client)["PhoneNumberId"]
    pool = client.create_pool(OriginationIdentity=tfn, MessageType="TRANSACTIONAL")
    sim.force_transition(pool["PoolId"])
    got = refused(client.send_text_message, OriginationIdentity=pool["PoolId"],
                  DestinationPhoneNumber="+447700900123", **TEXT)
    assert got["Reason"] == "NO_ORIGINATION_IDENTITIES_FOUND"  # no member reaches GB
    client.update_phone_number(PhoneNumberId=tfn, InternationalSendingEnabled=True)
    client.send_text_message(OriginationIdentity=pool["PoolId"], DestinationPhoneNumber="+447700900123",
                             **TEXT)
    assert sim.sent_messages()[-1]["OriginationPhoneNumber"] == "+18885550100"


def test_other_numbers_are_not_governed_by_the_flag(sim, client):
    """[inf] AWS documents the flag for US toll-free numbers only: a long code keeps sending
    as before, whatever the flag says."""
    phone = active_phone(sim, client, iso="GB")
    client.send_text_message(OriginationIdentity=phone["PhoneNumberId"],
                             DestinationPhoneNumber="+33612345678", **TEXT)
