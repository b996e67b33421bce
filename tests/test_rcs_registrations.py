"""RCS registrations drive RCS agents (issue 15, sections E and I) through real boto3: a
TEST_RCS_LAUNCH_REGISTRATION gives an agent its testing agent, a US_RCS_LAUNCH_REGISTRATION
launches it in the US, each following the registration's review on the simulator's clock."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.snapshot import export_state, import_state

from conftest import active_phone
from families_fixtures import conflict, error_of, not_found

DAY, HOUR = 86_400, 3_600
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TESTING, US_LAUNCH = "TEST_RCS_LAUNCH_REGISTRATION", "US_RCS_LAUNCH_REGISTRATION"
TESTING_REVIEW = 180  # 60 s to pick it up, 120 s in review: "typically under 5 minutes" [obs]
LAUNCH_REVIEW = HOUR + 3 * DAY  # to approval: the first carrier (PARTIAL)
CARRIERS = 7 * DAY  # then every carrier (ACTIVE)
FR_MOBILE, US_NUMBER = "+33612345678", "+12065550100"
TEXT = {"Content": {"TextMessage": {"Body": "Your parcel is on its way"}}}
# The forms are filled generically, images put as soon as they are made: here an upload is done
# by the next call (its time on the clock is tested in test_registrations_fidelity.py).
UPLOADS_AT_ONCE = {"registration-attachment:UPLOAD_IN_PROGRESS->UPLOAD_COMPLETE": 0}


def fill_generically(api, registration_id: str, registration_type: str) -> int:
    """Every field the form may require, from DescribeRegistrationFieldDefinitions alone: a
    TEXT field's example value, a SELECT's first options, a PNG for an ATTACHMENT."""
    pages = api.get_paginator("describe_registration_field_definitions").paginate(
        RegistrationType=registration_type
    )
    fields = [f for page in pages for f in page["RegistrationFieldDefinitions"]]
    filled = 0
    for field in fields:
        if field["FieldRequirement"] == "OPTIONAL":
            continue
        value: dict
        if field["FieldType"] == "TEXT":
            value = {"TextValue": field["DisplayHints"]["ExampleTextValue"]}
        elif field["FieldType"] == "SELECT":
            rules = field["SelectValidation"]
            value = {"SelectChoices": rules["Options"][: rules["MinChoices"]]}
        else:
            image = api.create_registration_attachment(AttachmentBody=PNG)
            value = {"RegistrationAttachmentId": image["RegistrationAttachmentId"]}
        api.put_registration_field_value(
            RegistrationId=registration_id, FieldPath=field["FieldPath"], **value
        )
        filled += 1
    return filled


def registration_for(api, agent: dict, registration_type: str, submit: bool = True) -> str:
    """A registration of `registration_type` filled in, the agent associated (by ARN), submitted."""
    reg_id = api.create_registration(RegistrationType=registration_type)["RegistrationId"]
    fill_generically(api, reg_id, registration_type)
    api.create_registration_association(RegistrationId=reg_id, ResourceId=agent["RcsAgentArn"])
    if submit:
        api.submit_registration_version(RegistrationId=reg_id)
    return reg_id


def agent_of(api, agent_id: str) -> dict:
    return api.describe_rcs_agents(RcsAgentIds=[agent_id])["RcsAgents"][0]


def registration_status(api, reg_id: str) -> str:
    return api.describe_registrations(RegistrationIds=[reg_id])["Registrations"][0]["RegistrationStatus"]


def launch_of(api, agent_id: str, iso: str = "US") -> dict:
    found = api.describe_rcs_agent_country_launch_status(RcsAgentId=agent_id, IsoCountryCodes=[iso])
    return found["CountryLaunchStatus"][0]


def agent_in_testing(sim, api) -> dict:
    """An agent whose testing registration is COMPLETE."""
    agent = api.create_rcs_agent()
    registration_for(api, agent, TESTING)
    sim.advance(TESTING_REVIEW)
    return agent


def verified(sim, api, number: str) -> None:
    active_phone(sim, api, iso="FR" if number.startswith("+33") else "US")  # sends the code
    vid = api.create_verified_destination_number(DestinationPhoneNumber=number)["VerifiedDestinationNumberId"]
    api.send_destination_number_verification_code(VerifiedDestinationNumberId=vid, VerificationChannel="TEXT")
    api.verify_destination_number(
        VerifiedDestinationNumberId=vid, VerificationCode=sim.verification_code(number)
    )


def send(api, agent_id: str, number: str) -> dict:
    return api.send_rcs_message(DestinationPhoneNumber=number, OriginationIdentity=agent_id,
                                RcsMessageContent=TEXT)


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=15, durations=UPLOADS_AT_ONCE)


@pytest.fixture
def api(sim):
    return sim.client(region_name="us-east-1")


def test_the_seed_catalogue_has_the_rcs_registration_types_taking_an_rcs_agent(api):
    types = api.describe_registration_type_definitions(
        Filters=[{"Name": "supported-association-resource-type", "Values": ["RCS_AGENT"]}]
    )["RegistrationTypeDefinitions"]
    assert [t["RegistrationType"] for t in types] == [TESTING, US_LAUNCH]
    for definition in types:
        assert definition["SupportedAssociations"] == [{
            "ResourceType": "RCS_AGENT",
            "AssociationBehavior": "ASSOCIATE_BEFORE_SUBMIT",
            "DisassociationBehavior": "DELETE_REGISTRATION_DISASSOCIATES",
        }]
    fields = api.describe_registration_field_definitions(RegistrationType=TESTING)
    paths = {f["FieldPath"] for f in fields["RegistrationFieldDefinitions"]}
    assert {"agentDetails.brandName", "agentDetails.logoImage", "agentDetails.bannerImage",
            "agentDetails.accentColor", "complianceKeywords.helpResponse",
            "complianceKeywords.stopResponse"} <= paths
    with pytest.raises(ClientError) as exc:  # a light accent colour does not fit the pattern
        reg_id = api.create_registration(RegistrationType=TESTING)["RegistrationId"]
        api.put_registration_field_value(RegistrationId=reg_id, FieldPath="agentDetails.accentColor",
                                         TextValue="blue")
    assert error_of(exc)["Reason"] == "INVALID_PARAMETER"


def test_a_testing_registration_gives_the_agent_a_testing_agent_when_its_review_completes(sim, api):
    agent = api.create_rcs_agent()
    agent_id = agent["RcsAgentId"]
    reg_id = registration_for(api, agent, TESTING, submit=False)
    associations = api.list_registration_associations(RegistrationId=reg_id)["RegistrationAssociations"]
    assert associations == [{"ResourceArn": agent["RcsAgentArn"], "ResourceId": agent_id,
                             "ResourceType": "RCS_AGENT"}]
    assert agent_of(api, agent_id)["Status"] == "CREATED"
    api.submit_registration_version(RegistrationId=reg_id)
    shown = agent_of(api, agent_id)
    assert shown["Status"] == "PENDING"
    assert shown["TestingAgent"] == {"Status": "PENDING", "RegistrationId": reg_id}
    sim.advance(TESTING_REVIEW - 1)  # the testing agent has no clock of its own: the review is it
    assert registration_status(api, reg_id) == "REVIEWING"
    assert agent_of(api, agent_id)["Status"] == "PENDING"
    sim.advance(1)
    assert registration_status(api, reg_id) == "COMPLETE"
    shown = agent_of(api, agent_id)
    assert shown["Status"] == "TESTING" and shown["TestingAgent"]["Status"] == "ACTIVE"
    assert shown["TestingAgent"]["TestingAgentId"]
    with pytest.raises(ClientError) as exc:  # a testing agent sends to testers only
        send(api, agent_id, FR_MOBILE)
    assert error_of(exc)["Reason"] == "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"
    verified(sim, api, FR_MOBILE)
    assert send(api, agent_id, FR_MOBILE)["MessageId"]


def test_the_agent_must_be_associated_before_submitting(api):
    reg_id = api.create_registration(RegistrationType=TESTING)["RegistrationId"]
    fill_generically(api, reg_id, TESTING)
    with pytest.raises(ClientError) as exc:
        api.submit_registration_version(RegistrationId=reg_id)
    assert error_of(exc) == conflict("SUBMIT_REGISTRATION_VERSION_NOT_ALLOWED", "registration", reg_id)


def test_an_agent_takes_one_registration_of_each_rcs_type(sim, api):
    agent = api.create_rcs_agent()
    first = registration_for(api, agent, TESTING, submit=False)
    second = api.create_registration(RegistrationType=TESTING)["RegistrationId"]
    with pytest.raises(ClientError) as exc:
        api.create_registration_association(RegistrationId=second, ResourceId=agent["RcsAgentId"])
    assert error_of(exc) == conflict("RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE", "rcs-agent",
                                     agent["RcsAgentId"])
    other = api.create_rcs_agent()
    with pytest.raises(ClientError) as exc:  # a registration configures one agent
        api.create_registration_association(RegistrationId=first, ResourceId=other["RcsAgentId"])
    assert error_of(exc) == conflict("RESOURCE_ALREADY_ASSOCIATED", "registration", first)
    # another type (a US launch) is another matter
    launch = api.create_registration(RegistrationType=US_LAUNCH)["RegistrationId"]
    api.create_registration_association(RegistrationId=launch, ResourceId=agent["RcsAgentId"])
    toll_free = api.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")["RegistrationId"]
    with pytest.raises(ClientError) as exc:  # a type whose SupportedAssociations name no RCS_AGENT
        api.create_registration_association(RegistrationId=toll_free, ResourceId=agent["RcsAgentId"])
    assert error_of(exc)["Reason"] == "INVALID_REGISTRATION_ASSOCIATION"
    missing = "rcs-" + "0" * 32
    with pytest.raises(ClientError) as exc:
        api.create_registration_association(RegistrationId=second, ResourceId=missing)
    assert error_of(exc) == not_found("rcs-agent", missing)
    # an agent whose testing agent came another way (Python) cannot take a testing registration
    sim.region("123456789012", "us-east-1").rcs_agents.submit_testing(other["RcsAgentId"], "registration-py")
    with pytest.raises(ClientError) as exc:
        api.create_registration_association(RegistrationId=second, ResourceId=other["RcsAgentId"])
    assert error_of(exc)["Reason"] == "RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE"


def test_a_us_launch_registration_launches_the_agent_partial_then_active(sim, api):
    agent = agent_in_testing(sim, api)
    agent_id = agent["RcsAgentId"]
    reg_id = registration_for(api, agent, US_LAUNCH)
    association = api.list_registration_associations(RegistrationId=reg_id)["RegistrationAssociations"][0]
    assert association["IsoCountryCode"] == "US"
    launch = launch_of(api, agent_id)
    assert (launch["Status"], launch["RegistrationId"]) == ("PENDING", reg_id)
    assert agent_of(api, agent_id)["Status"] == "TESTING"
    sim.advance(LAUNCH_REVIEW)  # approved: the first carrier
    assert registration_status(api, reg_id) == "PROVISIONING"
    launch = launch_of(api, agent_id)
    assert launch["Status"] == "PARTIAL"
    assert [c["Status"] for c in launch["CarrierStatus"]] == ["ACTIVE", "PENDING", "PENDING"]
    assert agent_of(api, agent_id)["Status"] == "PARTIAL"
    assert send(api, agent_id, US_NUMBER)["MessageId"]  # launched: no tester needed
    sim.advance(CARRIERS - 1)
    assert launch_of(api, agent_id)["Status"] == "PARTIAL"
    sim.advance(1)
    assert registration_status(api, reg_id) == "COMPLETE"
    launch = launch_of(api, agent_id)
    assert launch["Status"] == "ACTIVE" and launch["RcsPlatformId"]
    assert agent_of(api, agent_id)["Status"] == "ACTIVE"
    assert send(api, agent_id, US_NUMBER)["MessageId"]


def test_a_denied_launch_is_rejected_and_its_country_refused_until_a_corrected_version(sim, api):
    sim.registrations.rule(US_LAUNCH, "deny", reasons=["Brand not verified"], times=1)
    agent = agent_in_testing(sim, api)
    agent_id = agent["RcsAgentId"]
    reg_id = registration_for(api, agent, US_LAUNCH)
    sim.advance(LAUNCH_REVIEW)
    assert registration_status(api, reg_id) == "REQUIRES_UPDATES"
    launch = launch_of(api, agent_id)
    assert launch["Status"] == "REJECTED"
    assert {c["Status"] for c in launch["CarrierStatus"]} == {"REJECTED"}
    assert agent_of(api, agent_id)["Status"] == "TESTING"
    with pytest.raises(ClientError) as exc:  # only the testing agent is left: testers only
        send(api, agent_id, US_NUMBER)
    assert error_of(exc)["Reason"] == "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"
    api.create_registration_version(RegistrationId=reg_id)
    fill_generically(api, reg_id, US_LAUNCH)  # a new version starts empty: every field again
    api.submit_registration_version(RegistrationId=reg_id)
    assert launch_of(api, agent_id)["Status"] == "PENDING"
    sim.advance(LAUNCH_REVIEW)
    assert launch_of(api, agent_id)["Status"] == "PARTIAL"
    assert send(api, agent_id, US_NUMBER)["MessageId"]


def test_a_denied_launch_of_an_agent_without_testing_leaves_it_unable_to_send(sim, api):
    sim.registrations.rule(US_LAUNCH, "deny")
    agent = api.create_rcs_agent()
    registration_for(api, agent, US_LAUNCH)
    sim.advance(LAUNCH_REVIEW)
    assert launch_of(api, agent["RcsAgentId"])["Status"] == "REJECTED"
    assert agent_of(api, agent["RcsAgentId"])["Status"] == "CREATED"
    with pytest.raises(ClientError) as exc:
        send(api, agent["RcsAgentId"], US_NUMBER)
    assert error_of(exc) == conflict("RESOURCE_NOT_ACTIVE", "rcs-agent", agent["RcsAgentId"])


def test_a_denied_or_discarded_testing_registration_leaves_the_agent_created(sim, api):
    agent = api.create_rcs_agent()
    reg_id = registration_for(api, agent, TESTING)
    api.discard_registration_version(RegistrationId=reg_id)
    assert agent_of(api, agent["RcsAgentId"])["TestingAgent"]["Status"] == "CREATED"
    assert agent_of(api, agent["RcsAgentId"])["Status"] == "CREATED"
    api.create_registration_version(RegistrationId=reg_id)
    fill_generically(api, reg_id, TESTING)
    api.submit_registration_version(RegistrationId=reg_id)
    assert agent_of(api, agent["RcsAgentId"])["Status"] == "PENDING"
    sim.registrations.deny(reg_id, reasons=["Logo is unreadable"])
    assert agent_of(api, agent["RcsAgentId"])["Status"] == "CREATED"
    sim.advance(DAY)  # nothing of its own moves it
    assert agent_of(api, agent["RcsAgentId"])["Status"] == "CREATED"


def test_revoking_or_deleting_the_registration_takes_back_what_it_gave(sim, api):
    agent = agent_in_testing(sim, api)
    agent_id = agent["RcsAgentId"]
    launch_id = registration_for(api, agent, US_LAUNCH)
    sim.advance(LAUNCH_REVIEW + CARRIERS)
    assert agent_of(api, agent_id)["Status"] == "ACTIVE"
    sim.registrations.revoke(launch_id)
    assert launch_of(api, agent_id)["Status"] == "REJECTED"
    assert agent_of(api, agent_id)["Status"] == "TESTING"
    testing_id = agent_of(api, agent_id)["TestingAgent"]["RegistrationId"]
    api.delete_registration(RegistrationId=testing_id)
    assert "TestingAgent" not in agent_of(api, agent_id)
    api.delete_registration(RegistrationId=launch_id)
    assert api.describe_rcs_agent_country_launch_status(RcsAgentId=agent_id)["CountryLaunchStatus"] == []
    assert agent_of(api, agent_id)["Status"] == "CREATED"
    again = registration_for(api, agent, TESTING)  # a new testing registration may follow
    sim.advance(TESTING_REVIEW)
    assert registration_status(api, again) == "COMPLETE"
    assert agent_of(api, agent_id)["Status"] == "TESTING"


def test_a_review_in_flight_survives_state_export_and_import(sim, api):
    agent = api.create_rcs_agent()
    reg_id = registration_for(api, agent, TESTING)
    sim.advance(60)
    saved = json.loads(json.dumps(export_state(sim)))
    fresh = Simulator(clock="manual", seed=15, durations=UPLOADS_AT_ONCE)
    import_state(fresh, saved)
    again = fresh.client(region_name="us-east-1")
    assert agent_of(again, agent["RcsAgentId"])["Status"] == "PENDING"
    fresh.advance(TESTING_REVIEW - 61)
    assert agent_of(again, agent["RcsAgentId"])["Status"] == "PENDING"
    fresh.advance(1)
    assert registration_status(again, reg_id) == "COMPLETE"
    assert agent_of(again, agent["RcsAgentId"])["Status"] == "TESTING"
    with pytest.raises(ClientError) as exc:  # the association came back: still one per type
        second = again.create_registration(RegistrationType=TESTING)["RegistrationId"]
        again.create_registration_association(RegistrationId=second, ResourceId=agent["RcsAgentId"])
    assert error_of(exc)["Reason"] == "RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE"
