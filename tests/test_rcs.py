"""RCS agents (issue 15, section I) through real boto3: the agent, its testing agent and
country launches on the clock, and SendRcsMessage from an agent or a pool."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.snapshot import export_state, import_state
from smsvoice_sim.simulator.wire.errors import ServiceError

from conftest import NO_CLIENT_VALIDATION, active_phone, active_pool
from families_fixtures import conflict, error_of, not_found

ACCOUNT, REGION = "123456789012", "us-east-1"
US_NUMBER, FR_MOBILE = "+12065550100", "+33612345678"
TEXT = {"Content": {"TextMessage": {"Body": "Your parcel is on its way"}}}


def rcs_of(sim):
    return sim.region(ACCOUNT, REGION).rcs_agents


def launched(sim, api, iso="US", **extra) -> dict:
    """An agent with an ACTIVE testing agent and an ACTIVE launch in `iso`."""
    agent = api.create_rcs_agent(**extra)
    rcs_of(sim).submit_testing(agent["RcsAgentId"], "registration-testing")
    rcs_of(sim).submit_country_launch(agent["RcsAgentId"], iso, "registration-launch")
    sim.advance(120)
    return agent


def status_of(api, agent_id: str) -> str:
    return api.describe_rcs_agents(RcsAgentIds=[agent_id])["RcsAgents"][0]["Status"]


def test_a_new_agent_is_an_empty_container(api):
    agent = api.create_rcs_agent(Tags=[{"Key": "team", "Value": "growth"}])
    assert re.fullmatch(r"rcs-[0-9a-f]{32}", agent["RcsAgentId"])
    assert agent["RcsAgentArn"] == f"arn:aws:sms-voice:{REGION}:{ACCOUNT}:rcs-agent/{agent['RcsAgentId']}"
    assert agent["Status"] == "CREATED" and agent["OptOutListName"] == "Default"
    assert (
        agent["DeletionProtectionEnabled"],
        agent["TwoWayEnabled"],
        agent["SelfManagedOptOutsEnabled"],
    ) == (False, False, False)
    assert agent["Tags"] == [{"Key": "team", "Value": "growth"}]
    shown = api.describe_rcs_agents()["RcsAgents"][0]
    assert "TestingAgent" not in shown


def test_status_follows_the_testing_agent_and_country_launches_on_the_clock(sim, api):
    agent_id = api.create_rcs_agent()["RcsAgentId"]
    rcs_of(sim).submit_testing(agent_id, "registration-t")
    assert status_of(api, agent_id) == "PENDING"
    testing = api.describe_rcs_agents()["RcsAgents"][0]["TestingAgent"]
    assert testing == {"Status": "PENDING", "RegistrationId": "registration-t"}
    sim.advance(59.9)
    assert status_of(api, agent_id) == "PENDING"
    sim.advance(0.1)
    assert status_of(api, agent_id) == "TESTING"
    assert api.describe_rcs_agents()["RcsAgents"][0]["TestingAgent"]["TestingAgentId"]
    rcs_of(sim).submit_country_launch(agent_id, "US", "registration-us")
    rcs_of(sim).submit_country_launch(agent_id, "CA", "registration-ca")
    launches = api.describe_rcs_agent_country_launch_status(RcsAgentId=agent_id)
    assert launches["RcsAgentId"] == agent_id and launches["RcsAgentArn"].endswith(agent_id)
    assert [c["Status"] for c in launches["CountryLaunchStatus"]] == ["PENDING", "PENDING"]
    assert {c["Status"] for c in launches["CountryLaunchStatus"][0]["CarrierStatus"]} == {"PENDING"}
    sim.advance(60)
    assert status_of(api, agent_id) == "PARTIAL"  # at least one carrier approved
    us = api.describe_rcs_agent_country_launch_status(RcsAgentId=agent_id, IsoCountryCodes=["US"])
    carriers = us["CountryLaunchStatus"][0]["CarrierStatus"]
    assert [c["Status"] for c in carriers] == ["ACTIVE", "PENDING", "PENDING"]
    sim.advance(60)
    assert status_of(api, agent_id) == "ACTIVE"  # every carrier of every country
    us = api.describe_rcs_agent_country_launch_status(RcsAgentId=agent_id, IsoCountryCodes=["US"])
    assert us["CountryLaunchStatus"][0]["RcsPlatformId"]


def test_a_rejected_launch_leaves_the_agent_testing(sim, api):
    agent_id = api.create_rcs_agent()["RcsAgentId"]
    rcs_of(sim).submit_testing(agent_id, "registration-t")
    rcs_of(sim).submit_country_launch(agent_id, "US", "registration-us")
    rcs_of(sim).reject_country_launch(agent_id, "US")
    sim.advance(600)
    assert status_of(api, agent_id) == "TESTING"
    rejected = api.describe_rcs_agent_country_launch_status(
        RcsAgentId=agent_id, Filters=[{"Name": "country-launch-status", "Values": ["REJECTED"]}]
    )
    assert [c["IsoCountryCode"] for c in rejected["CountryLaunchStatus"]] == ["US"]
    assert {c["Status"] for c in rejected["CountryLaunchStatus"][0]["CarrierStatus"]} == {"REJECTED"}
    with pytest.raises(ServiceError) as exc:
        rcs_of(sim).submit_testing(agent_id, "registration-again")
    assert exc.value.members["Reason"] == "RCS_AGENT_ALREADY_ASSOCIATED_TO_REGISTRATION_TYPE"


def test_sending_needs_an_approved_agent(sim, api):
    agent_id = api.create_rcs_agent()["RcsAgentId"]

    def refused():
        with pytest.raises(ClientError) as exc:
            api.send_rcs_message(
                DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent_id, RcsMessageContent=TEXT
            )
        assert error_of(exc) == conflict("RESOURCE_NOT_ACTIVE", "rcs-agent", agent_id)

    refused()  # CREATED
    rcs_of(sim).submit_testing(agent_id, "registration-t")
    refused()  # PENDING
    assert sim.sent_messages() == []


def test_a_launched_agent_sends_and_the_message_is_logged(sim, api):
    agent = launched(sim, api)
    sent = api.send_rcs_message(
        DestinationPhoneNumber=US_NUMBER,
        OriginationIdentity=agent["RcsAgentArn"],
        RcsMessageContent=TEXT,
        Context={"order": "42"},
        TimeToLive=600,
        FallbackConfiguration={"Channel": "SMS", "MessageBody": "Parcel on its way"},
    )
    log = sim.sent_messages()
    assert len(log) == 1 and log[0]["MessageId"] == sent["MessageId"]
    assert (log[0]["Operation"], log[0]["Details"]["RcsAgentId"], log[0]["MessageBody"]) == (
        "SendRcsMessage",
        agent["RcsAgentId"],
        "Your parcel is on its way",
    )
    assert log[0]["Details"]["FallbackConfiguration"]["Channel"] == "SMS"
    assert log[0]["Context"] == {"order": "42"}
    assert log[0]["Channel"] == "RCS"
    card = {"Content": {"RichCard": {"CardOrientation": "VERTICAL", "CardContent": {"Title": "Hi"}}}}
    api.send_rcs_message(
        DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent["RcsAgentId"], RcsMessageContent=card
    )
    assert json.loads(sim.sent_messages()[-1]["MessageBody"]) == card["Content"]


def test_a_country_without_a_launch_is_refused_to_a_launched_agent_without_testing(sim, api):
    agent_id = api.create_rcs_agent()["RcsAgentId"]
    rcs_of(sim).submit_country_launch(agent_id, "US", "registration-us")
    sim.advance(120)
    assert status_of(api, agent_id) == "ACTIVE"
    with pytest.raises(ClientError) as exc:
        api.send_rcs_message(
            DestinationPhoneNumber=FR_MOBILE, OriginationIdentity=agent_id, RcsMessageContent=TEXT
        )
    assert error_of(exc)["Reason"] == "COUNTRY_NOT_ENABLED"


def test_a_testing_agent_sends_to_testers_anywhere(sim, api):
    agent_id = api.create_rcs_agent()["RcsAgentId"]
    rcs_of(sim).submit_testing(agent_id, "registration-t")
    sim.advance(60)
    with pytest.raises(ClientError) as exc:  # a tester is a verified destination number [obs]
        api.send_rcs_message(DestinationPhoneNumber=FR_MOBILE, OriginationIdentity=agent_id,
                             RcsMessageContent=TEXT)
    assert error_of(exc)["Reason"] == "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"
    active_phone(sim, api, iso="FR")  # what sends the verification code
    vid = api.create_verified_destination_number(DestinationPhoneNumber=FR_MOBILE)
    vid = vid["VerifiedDestinationNumberId"]
    api.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                  VerificationChannel="TEXT")
    api.verify_destination_number(VerifiedDestinationNumberId=vid,
                                  VerificationCode=sim.verification_code(FR_MOBILE))
    assert api.send_rcs_message(
        DestinationPhoneNumber=FR_MOBILE, OriginationIdentity=agent_id, RcsMessageContent=TEXT
    )["MessageId"]


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "MISSING_PARAMETER"),
        ({"Content": {}}, "MISSING_PARAMETER"),
        (
            {"Content": {"TextMessage": {"Body": "a"}, "FileMessage": {"FileUrl": "https://x/y.png"}}},
            "PARAMETERS_CANNOT_BE_USED_TOGETHER",
        ),
    ],
)
def test_content_must_be_exactly_one_kind(sim, api, content, reason):
    agent = launched(sim, api)
    raw = sim.client(config=NO_CLIENT_VALIDATION)  # RcsContent is a union: botocore checks it too
    with pytest.raises(ClientError) as exc:
        raw.send_rcs_message(
            DestinationPhoneNumber=US_NUMBER,
            OriginationIdentity=agent["RcsAgentId"],
            **({"RcsMessageContent": content} if content is not None else {}),
        )
    assert error_of(exc)["Code"] == "ValidationException" and error_of(exc)["Reason"] == reason


def test_a_fallback_identity_cannot_be_a_pool(sim, api):
    agent = launched(sim, api)
    with pytest.raises(ClientError) as exc:
        api.send_rcs_message(
            DestinationPhoneNumber=US_NUMBER,
            OriginationIdentity=agent["RcsAgentId"],
            RcsMessageContent=TEXT,
            FallbackConfiguration={
                "Channel": "SMS",
                "MessageBody": "x",
                "OriginationIdentity": "pool-00000000000000000000000000000000",
            },
        )
    assert error_of(exc)["Reason"] == "INVALID_PARAMETER"


def test_sending_through_a_pool_uses_an_agent_in_it(sim, api):
    pool = active_pool(sim, api, active_phone(sim, api))
    with pytest.raises(ClientError) as exc:
        api.send_rcs_message(
            DestinationPhoneNumber=US_NUMBER, OriginationIdentity=pool["PoolId"], RcsMessageContent=TEXT
        )
    assert error_of(exc) == conflict("NO_ORIGINATION_IDENTITIES_FOUND", "pool", pool["PoolId"])
    agent = launched(sim, api)
    joined = api.associate_origination_identity(PoolId=pool["PoolId"],
                                                OriginationIdentity=agent["RcsAgentId"])
    assert (joined["PoolId"], joined["OriginationIdentity"]) == (pool["PoolId"], agent["RcsAgentId"])
    assert joined["OriginationIdentityArn"] == agent["RcsAgentArn"]
    assert api.describe_rcs_agents()["RcsAgents"][0]["PoolId"] == pool["PoolId"]
    api.send_rcs_message(
        DestinationPhoneNumber=US_NUMBER, OriginationIdentity=pool["PoolArn"], RcsMessageContent=TEXT
    )
    assert sim.sent_messages()[-1]["PoolId"] == pool["PoolId"]
    assert sim.sent_messages()[-1]["Details"]["RcsAgentId"] == agent["RcsAgentId"]
    with pytest.raises(ClientError) as exc:
        api.delete_rcs_agent(RcsAgentId=agent["RcsAgentId"])
    assert error_of(exc) == conflict("RCS_AGENT_ASSOCIATED_TO_POOL", "rcs-agent", agent["RcsAgentId"])
    api.disassociate_origination_identity(PoolId=pool["PoolId"], OriginationIdentity=agent["RcsAgentArn"])
    with pytest.raises(ClientError) as exc:  # no longer in it
        api.disassociate_origination_identity(PoolId=pool["PoolId"], OriginationIdentity=agent["RcsAgentId"])
    assert error_of(exc)["Reason"] == "PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL"
    assert api.delete_rcs_agent(RcsAgentId=agent["RcsAgentId"])["Status"] == "DELETED"


def test_deleting_a_pool_lets_its_rcs_agents_go(sim, api):
    pool = active_pool(sim, api, active_phone(sim, api))
    agent = api.create_rcs_agent()
    api.associate_origination_identity(PoolId=pool["PoolId"], OriginationIdentity=agent["RcsAgentArn"])
    api.delete_pool(PoolId=pool["PoolId"])
    assert "PoolId" not in api.describe_rcs_agents()["RcsAgents"][0]
    assert api.delete_rcs_agent(RcsAgentId=agent["RcsAgentId"])["Status"] == "DELETED"


def test_opted_out_destinations_are_refused(sim, api):
    agent = launched(sim, api)
    api.put_opted_out_number(OptOutListName="Default", OptedOutNumber=US_NUMBER)
    with pytest.raises(ClientError) as exc:
        api.send_rcs_message(
            DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent["RcsAgentId"], RcsMessageContent=TEXT
        )
    assert error_of(exc)["Reason"] == "DESTINATION_PHONE_NUMBER_OPTED_OUT"


def test_update_checks_then_changes(sim, api):
    agent_id = api.create_rcs_agent()["RcsAgentId"]
    with pytest.raises(ClientError) as exc:
        api.update_rcs_agent(RcsAgentId=agent_id, TwoWayEnabled=True, DeletionProtectionEnabled=True)
    assert error_of(exc)["Reason"] == "TWO_WAY_CHANNEL_NOT_PRESENT"
    assert api.describe_rcs_agents()["RcsAgents"][0]["DeletionProtectionEnabled"] is False  # nothing changed
    with pytest.raises(ClientError) as exc:
        api.update_rcs_agent(RcsAgentId=agent_id, OptOutListName="missing")
    assert error_of(exc) == not_found("opt-out-list", "missing")
    api.create_opt_out_list(OptOutListName="rcs")
    role = "arn:aws:iam::123456789012:role/rcs"
    updated = api.update_rcs_agent(
        RcsAgentId=agent_id,
        TwoWayEnabled=True,
        TwoWayChannelArn="arn:aws:sns:us-east-1:123456789012:in",
        TwoWayChannelRole=role,
        OptOutListName="rcs",
        SelfManagedOptOutsEnabled=True,
        TwoWayMediaS3BucketName="media-bucket",
        TwoWayMediaS3KeyPrefix="in/",
        TwoWayMediaS3Role=role,
        TwoWayRcsEventsEnabled=["TYPING_INDICATOR"],
    )
    assert updated["TwoWayEnabled"] and updated["OptOutListName"] == "rcs"
    assert updated["TwoWayMediaS3BucketName"] == "media-bucket"
    cleared = api.update_rcs_agent(
        RcsAgentId=agent_id, TwoWayMediaS3BucketName="UNSET_RCS_MEDIA_CONFIGURATION"
    )
    assert "TwoWayMediaS3BucketName" not in cleared and "TwoWayMediaS3Role" not in cleared
    assert rcs_of(sim).using_opt_out_list("rcs") == [agent_id]  # what DeleteOptOutList must ask


def test_delete_honours_deletion_protection_and_the_agent_is_gone(sim, api):
    agent_id = api.create_rcs_agent(DeletionProtectionEnabled=True)["RcsAgentId"]
    rcs_of(sim).submit_testing(agent_id, "registration-t")
    with pytest.raises(ClientError) as exc:
        api.delete_rcs_agent(RcsAgentId=agent_id)
    assert error_of(exc) == conflict("DELETION_PROTECTION_ENABLED", "rcs-agent", agent_id)
    api.update_rcs_agent(RcsAgentId=agent_id, DeletionProtectionEnabled=False)
    assert api.delete_rcs_agent(RcsAgentId=agent_id)["Status"] == "DELETED"
    sim.advance(600)  # the testing agent's pending step fires into nothing
    for call in (
        lambda: api.describe_rcs_agents(RcsAgentIds=[agent_id]),
        lambda: api.describe_rcs_agent_country_launch_status(RcsAgentId=agent_id),
        lambda: api.delete_rcs_agent(RcsAgentId=agent_id),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc)["ResourceType"] == "rcs-agent"


def test_filters_pages_and_owner(sim, api):
    ids = [api.create_rcs_agent(DeletionProtectionEnabled=n == 0)["RcsAgentId"] for n in range(3)]
    rcs_of(sim).submit_testing(ids[1], "registration-t")
    protected = api.describe_rcs_agents(Filters=[{"Name": "deletion-protection-enabled", "Values": ["true"]}])
    assert [a["RcsAgentId"] for a in protected["RcsAgents"]] == [ids[0]]
    pending = api.describe_rcs_agents(Filters=[{"Name": "status", "Values": ["PENDING"]}])
    assert [a["RcsAgentId"] for a in pending["RcsAgents"]] == [ids[1]]
    pages = list(api.get_paginator("describe_rcs_agents").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["RcsAgents"]) for p in pages] == [2, 1]
    assert api.describe_rcs_agents(Owner="SHARED")["RcsAgents"] == []  # agents are not shareable
    with pytest.raises(ClientError) as exc:
        api.describe_rcs_agents(Owner="SELF", RcsAgentIds=[ids[0]])
    assert error_of(exc)["Reason"] == "PARAMETERS_CANNOT_BE_USED_TOGETHER"


def test_the_quota_on_agents_is_configurable():
    sim = Simulator(clock="manual", seed=3, quotas={"RCS_AGENTS": 1})
    api = sim.client()
    api.create_rcs_agent()
    with pytest.raises(ClientError) as exc:
        api.create_rcs_agent()
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
    assert error_of(exc)["Reason"] == "RCS_AGENTS_PER_ACCOUNT"


def test_idempotent_create_and_tags(api):
    first = api.create_rcs_agent(ClientToken="t-1")
    assert api.create_rcs_agent(ClientToken="t-1")["RcsAgentId"] == first["RcsAgentId"]
    api.tag_resource(ResourceArn=first["RcsAgentArn"], Tags=[{"Key": "a", "Value": "b"}])
    assert api.list_tags_for_resource(ResourceArn=first["RcsAgentArn"])["Tags"] == [
        {"Key": "a", "Value": "b"}
    ]


def test_agents_survive_state_export_and_import(sim, api):
    agent_id = api.create_rcs_agent()["RcsAgentId"]
    rcs_of(sim).submit_testing(agent_id, "registration-t")
    rcs_of(sim).submit_country_launch(agent_id, "US", "registration-us")
    saved = json.loads(json.dumps(export_state(sim)))
    fresh = Simulator(clock="manual", seed=1234)
    import_state(fresh, saved)
    again = fresh.client()
    assert status_of(again, agent_id) == "PENDING"
    fresh.advance(120)
    assert status_of(again, agent_id) == "ACTIVE"


def test_an_rcs_message_protect_blocked_is_not_counted_as_sent(sim, api):
    """RCS.MessagesSent: "Messages blocked by Protect or service limits are excluded"
    [doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/rcs-monitoring.html]."""
    agent = launched(sim, api)
    pid = api.create_protect_configuration()["ProtectConfigurationId"]
    api.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    api.update_protect_configuration_country_rule_set(  # RCS follows the SMS rule set
        ProtectConfigurationId=pid, NumberCapability="SMS",
        CountryRuleSetUpdates={"US": {"ProtectStatus": "FILTER"}})
    sim.add_protect_filter(body="(?i)prize")
    for body in ("You won a PRIZE", "Your parcel is on its way"):
        api.send_rcs_message(DestinationPhoneNumber=US_NUMBER, OriginationIdentity=agent["RcsAgentId"],
                             RcsMessageContent={"Content": {"TextMessage": {"Body": body}}})
    sim.advance(60)
    assert [m["Outcome"] for m in sim.sent_messages()] == ["RCS_PROTECT_BLOCKED", "RCS_DELIVERED"]
    (sent,) = [m for m in sim.metrics("RCS.MessagesSent") if not m["Dimensions"]]
    assert sent["Sum"] == 1
