"""Released phone numbers and sender IDs are gone (issue 15): ReleasePhoneNumber answers
DELETED, and afterwards every call that names the number — Describe, keywords, tags,
policies, pools, sends, registrations, RCS fallbacks — is ResourceNotFound, the same way
everywhere. Likewise for ReleaseSenderId. Neither counts toward its quota any more."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.snapshot import export_state, import_state

from conftest import active_phone, active_pool
from families_fixtures import error_of

ACCOUNT, REGION = "123456789012", "us-east-1"
US_DEST, GB_DEST = "+12065550100", "+447700900123"
TEXT = {"Content": {"TextMessage": {"Body": "Your parcel is on its way"}}}


def policy_for(arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "sms-voice:*", "Resource": arn}]})


def used(api, name: str) -> int:
    limits = api.describe_account_limits()["AccountLimits"]
    return next(limit["Used"] for limit in limits if limit["Name"] == name)


def rcs_agent(sim, api) -> str:
    """An RCS agent launched in the US (its fallback may name an SMS identity)."""
    agent = api.create_rcs_agent()["RcsAgentId"]
    family = sim.region(ACCOUNT, REGION).rcs_agents
    family.submit_testing(agent, "registration-testing")
    family.submit_country_launch(agent, "US", "registration-launch")
    sim.advance(120)
    return agent


def answer_of(call) -> tuple[str, str | None]:
    """(error code, ResourceType) of a refused call; ("accepted", None) if it was not."""
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response.get("ResourceType")
    return "accepted", None


def released_number(sim, api) -> dict:
    phone = active_phone(sim, api)
    assert api.release_phone_number(PhoneNumberId=phone["PhoneNumberId"])["Status"] == "DELETED"
    return phone


def every_call_naming_a_number(sim, api, phone: dict) -> dict:
    """{what: call} for each operation that takes a phone number, by id, ARN or E.164."""
    pid, arn, e164 = phone["PhoneNumberId"], phone["PhoneNumberArn"], phone["PhoneNumber"]
    pool = active_pool(sim, api)["PoolId"]
    verified = api.create_verified_destination_number(DestinationPhoneNumber=US_DEST)
    registration = api.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")
    agent = rcs_agent(sim, api)
    return {
        "DescribePhoneNumbers by id": lambda: api.describe_phone_numbers(PhoneNumberIds=[pid]),
        "DescribePhoneNumbers by ARN": lambda: api.describe_phone_numbers(PhoneNumberIds=[arn]),
        "UpdatePhoneNumber": lambda: api.update_phone_number(
            PhoneNumberId=pid, DeletionProtectionEnabled=True),
        "UpdatePhoneNumber opt-out list": lambda: api.update_phone_number(
            PhoneNumberId=pid, OptOutListName="Default"),
        "ReleasePhoneNumber again": lambda: api.release_phone_number(PhoneNumberId=pid),
        "PutKeyword": lambda: api.put_keyword(OriginationIdentity=pid, Keyword="PROMO", KeywordMessage="x"),
        "PutKeyword by ARN": lambda: api.put_keyword(OriginationIdentity=arn, Keyword="STOP",
                                                     KeywordMessage="x"),
        "DescribeKeywords": lambda: api.describe_keywords(OriginationIdentity=pid),
        "DeleteKeyword": lambda: api.delete_keyword(OriginationIdentity=pid, Keyword="HELP"),
        "TagResource": lambda: api.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}]),
        "UntagResource": lambda: api.untag_resource(ResourceArn=arn, TagKeys=["k"]),
        "ListTagsForResource": lambda: api.list_tags_for_resource(ResourceArn=arn),
        "PutResourcePolicy": lambda: api.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn)),
        "GetResourcePolicy": lambda: api.get_resource_policy(ResourceArn=arn),
        "DeleteResourcePolicy": lambda: api.delete_resource_policy(ResourceArn=arn),
        "CreatePool": lambda: api.create_pool(OriginationIdentity=pid, MessageType="TRANSACTIONAL"),
        "AssociateOriginationIdentity": lambda: api.associate_origination_identity(
            PoolId=pool, OriginationIdentity=pid),
        "DisassociateOriginationIdentity": lambda: api.disassociate_origination_identity(
            PoolId=pool, OriginationIdentity=arn),
        "SendTextMessage by id": lambda: api.send_text_message(
            DestinationPhoneNumber=US_DEST, OriginationIdentity=pid, MessageBody="hi"),
        "SendTextMessage by E.164": lambda: api.send_text_message(
            DestinationPhoneNumber=US_DEST, OriginationIdentity=e164, MessageBody="hi"),
        "SendVoiceMessage by ARN": lambda: api.send_voice_message(
            DestinationPhoneNumber=US_DEST, OriginationIdentity=arn, MessageBody="hi"),
        "SendMediaMessage": lambda: api.send_media_message(
            DestinationPhoneNumber=US_DEST, OriginationIdentity=pid, MessageBody="hi"),
        "SendDestinationNumberVerificationCode": lambda: api.send_destination_number_verification_code(
            VerifiedDestinationNumberId=verified["VerifiedDestinationNumberId"], VerificationChannel="TEXT",
            OriginationIdentity=pid),
        "CreateRegistrationAssociation": lambda: api.create_registration_association(
            RegistrationId=registration["RegistrationId"], ResourceId=pid),
        "SendRcsMessage fallback": lambda: api.send_rcs_message(
            DestinationPhoneNumber=US_DEST, OriginationIdentity=agent, RcsMessageContent=TEXT,
            FallbackConfiguration={"Channel": "SMS", "MessageBody": "x", "OriginationIdentity": pid}),
    }


def test_a_released_number_answers_deleted_then_is_gone(sim, api):
    phone = active_phone(sim, api)
    kept = active_phone(sim, api)
    released = api.release_phone_number(PhoneNumberId=phone["PhoneNumberId"])
    assert (released["Status"], released["PhoneNumberId"]) == ("DELETED", phone["PhoneNumberId"])
    listed = [p["PhoneNumberId"] for p in api.describe_phone_numbers()["PhoneNumbers"]]
    assert listed == [kept["PhoneNumberId"]]
    filtered = api.describe_phone_numbers(Filters=[{"Name": "status", "Values": ["DELETED"]}])
    assert filtered["PhoneNumbers"] == []
    assert [p["PhoneNumberId"] for p in sim.state()["accounts"][ACCOUNT][REGION]["phone_numbers"]] == \
        [kept["PhoneNumberId"]]


def test_every_call_on_a_released_number_is_resource_not_found(sim, api):
    phone = released_number(sim, api)
    calls = every_call_naming_a_number(sim, api, phone)
    answers = {what: answer_of(call) for what, call in calls.items()}
    wrong = {what: got for what, got in answers.items()
             if got != ("ResourceNotFoundException", "phone-number")}
    assert wrong == {}
    assert len(answers) == 25


def test_a_released_number_stops_counting_toward_its_quota(sim, api):
    before = used(api, "PHONE_NUMBERS")
    phone = active_phone(sim, api)
    assert used(api, "PHONE_NUMBERS") == before + 1
    api.release_phone_number(PhoneNumberId=phone["PhoneNumberId"])
    assert used(api, "PHONE_NUMBERS") == before


def test_a_number_leaves_its_pool_before_it_can_be_released(sim, api):
    pool = active_pool(sim, api)["PoolId"]
    second = active_phone(sim, api)["PhoneNumberId"]
    api.associate_origination_identity(PoolId=pool, OriginationIdentity=second)
    sim.advance(1)
    with pytest.raises(ClientError) as exc:
        api.release_phone_number(PhoneNumberId=second)
    assert error_of(exc)["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_POOL"
    api.disassociate_origination_identity(PoolId=pool, OriginationIdentity=second)
    sim.advance(1)
    api.release_phone_number(PhoneNumberId=second)
    members = api.list_pool_origination_identities(PoolId=pool)["OriginationIdentities"]
    assert second not in [m["OriginationIdentity"] for m in members] and len(members) == 1


def test_a_released_number_stays_gone_through_saved_state(sim, api):
    phone = active_phone(sim, api)
    before_release = json.loads(json.dumps(export_state(sim)))
    api.release_phone_number(PhoneNumberId=phone["PhoneNumberId"])
    for saved in (json.loads(json.dumps(export_state(sim))), _released_in(before_release, phone)):
        fresh = Simulator(clock="manual", seed=1)
        import_state(fresh, saved)
        with pytest.raises(ClientError) as exc:
            fresh.client().describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberId"]])
        assert error_of(exc)["Code"] == "ResourceNotFoundException"
        assert used(fresh.client(), "PHONE_NUMBERS") == 0


def _released_in(saved: dict, phone: dict) -> dict:
    """`saved` as a state written before releases took numbers away kept it: DELETED."""
    for region in saved["regions"]:
        for row in region["families"]["phone_numbers"]["numbers"]:
            if row["phone_number_id"] == phone["PhoneNumberId"]:
                row["lifecycle"][1] = "DELETED"
    return saved


def test_a_recorded_release_takes_the_number_away(sim, api):
    """Replay, then simulate: a ReleasePhoneNumber answer the recording showed leaves the
    number gone, as a simulated release does."""
    phone = active_phone(sim, api)
    body = {**{k: phone[k] for k in ("PhoneNumberId", "PhoneNumberArn", "PhoneNumber")}, "Status": "DELETED"}
    sim.adopt("ReleasePhoneNumber", json.dumps({"PhoneNumberId": phone["PhoneNumberId"]}).encode(), 200,
              json.dumps(body).encode())
    assert api.describe_phone_numbers()["PhoneNumbers"] == []
    with pytest.raises(ClientError) as exc:
        api.put_keyword(OriginationIdentity=phone["PhoneNumberId"], Keyword="PROMO", KeywordMessage="x")
    assert error_of(exc)["Code"] == "ResourceNotFoundException"


# -- sender IDs ---------------------------------------------------------------------------------
def test_every_call_on_a_released_sender_id_is_resource_not_found(sim, api):
    before = used(api, "SENDER_IDS")
    sender = api.request_sender_id(SenderId="EXAMPLE", IsoCountryCode="GB")
    assert used(api, "SENDER_IDS") == before + 1
    released = api.release_sender_id(SenderId="EXAMPLE", IsoCountryCode="GB")
    assert (released["SenderId"], released["IsoCountryCode"]) == ("EXAMPLE", "GB")
    assert used(api, "SENDER_IDS") == before
    assert api.describe_sender_ids()["SenderIds"] == []
    arn, key = sender["SenderIdArn"], {"SenderId": "EXAMPLE", "IsoCountryCode": "GB"}
    pool = active_pool(sim, api)["PoolId"]
    agent = rcs_agent(sim, api)
    calls = {
        "DescribeSenderIds": lambda: api.describe_sender_ids(SenderIds=[key]),
        "UpdateSenderId": lambda: api.update_sender_id(**key, DeletionProtectionEnabled=True),
        "ReleaseSenderId again": lambda: api.release_sender_id(**key),
        "TagResource": lambda: api.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}]),
        "ListTagsForResource": lambda: api.list_tags_for_resource(ResourceArn=arn),
        "PutResourcePolicy": lambda: api.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn)),
        "GetResourcePolicy": lambda: api.get_resource_policy(ResourceArn=arn),
        "AssociateOriginationIdentity": lambda: api.associate_origination_identity(
            PoolId=pool, OriginationIdentity=arn),
        "AssociateOriginationIdentity by name": lambda: api.associate_origination_identity(
            PoolId=pool, OriginationIdentity="EXAMPLE", IsoCountryCode="GB"),
        "CreatePool": lambda: api.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL"),
        "SendTextMessage by ARN": lambda: api.send_text_message(
            DestinationPhoneNumber=GB_DEST, OriginationIdentity=arn, MessageBody="hi"),
        "SendTextMessage by name": lambda: api.send_text_message(
            DestinationPhoneNumber=GB_DEST, OriginationIdentity="EXAMPLE", MessageBody="hi"),
        "CreateRegistrationAssociation": lambda: api.create_registration_association(
            RegistrationId=api.create_registration(RegistrationType="US_TOLL_FREE_REGISTRATION")[
                "RegistrationId"], ResourceId=arn),
        "SendRcsMessage fallback": lambda: api.send_rcs_message(
            DestinationPhoneNumber=US_DEST, OriginationIdentity=agent, RcsMessageContent=TEXT,
            FallbackConfiguration={"Channel": "SMS", "MessageBody": "x", "OriginationIdentity": arn}),
    }
    answers = {what: answer_of(call) for what, call in calls.items()}
    wrong = {what: got for what, got in answers.items() if got != ("ResourceNotFoundException", "sender-id")}
    assert wrong == {}
