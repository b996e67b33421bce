"""Pool rules (AWS documents them; the project's notes on the real service list the sources),
driven with real boto3 through every door."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError

from conftest import active_phone, active_pool

ID_RE = re.compile(r"^(pool|phone)-[0-9a-f]{32}$")


def error_of(excinfo) -> dict:
    response = excinfo.value.response
    return {"Code": response["Error"]["Code"], **{k: response.get(k) for k in
                                                   ("Reason", "ResourceType", "ResourceId")},
            "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def test_full_lifecycle_creating_active_deleting_gone(door):
    sim, make = door
    client = make()
    phone = active_phone(sim, client)
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                              MessageType="TRANSACTIONAL", Tags=[{"Key": "team", "Value": "a"}])
    assert pool["Status"] == "CREATING"
    assert ID_RE.match(pool["PoolId"])
    assert pool["PoolArn"] == f"arn:aws:sms-voice:us-east-1:123456789012:pool/{pool['PoolId']}"
    assert pool["Tags"] == [{"Key": "team", "Value": "a"}]
    assert client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["Status"] == "CREATING"
    sim.advance(4.9)
    assert client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["Status"] == "CREATING"
    sim.advance(0.1)
    assert client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["Status"] == "ACTIVE"
    deleted = client.delete_pool(PoolId=pool["PoolId"])
    assert deleted["Status"] == "DELETING"
    assert client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["Status"] == "DELETING"
    sim.advance(5)
    with pytest.raises(ClientError) as exc:
        client.describe_pools(PoolIds=[pool["PoolId"]])
    assert error_of(exc) == {"Code": "ResourceNotFoundException", "Reason": None,
                             "ResourceType": "pool", "ResourceId": pool["PoolId"], "Status": 400}
    # The phone number stays in the account, out of any pool.
    number = client.describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberId"]])["PhoneNumbers"][0]
    assert number["Status"] == "ACTIVE" and "PoolId" not in number


def test_created_timestamp_is_epoch_seconds_of_the_clock(sim, client):
    phone = active_phone(sim, client)
    before = sim.clock.now()
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    assert abs(pool["CreatedTimestamp"].timestamp() - before) < 1


def test_pool_inherits_identity_configuration_but_not_deletion_protection(sim, client):
    client.create_opt_out_list(OptOutListName="marketing")
    phone = active_phone(sim, client, OptOutListName="marketing", DeletionProtectionEnabled=True)
    channel = "arn:aws:sns:us-east-1:123456789012:two-way"
    client.update_phone_number(PhoneNumberId=phone["PhoneNumberId"], TwoWayEnabled=True,
                               TwoWayChannelArn=channel, SelfManagedOptOutsEnabled=True)
    client.put_keyword(OriginationIdentity=phone["PhoneNumberId"], Keyword="JOIN",
                       KeywordMessage="Welcome", KeywordAction="OPT_IN")
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    assert pool["OptOutListName"] == "marketing"
    assert pool["TwoWayEnabled"] is True and pool["TwoWayChannelArn"] == channel
    assert pool["SelfManagedOptOutsEnabled"] is True
    assert pool["DeletionProtectionEnabled"] is False
    words = {k["Keyword"]: k["KeywordAction"]
             for k in client.describe_keywords(OriginationIdentity=pool["PoolId"])["Keywords"]}
    assert words == {"HELP": "AUTOMATIC_RESPONSE", "STOP": "OPT_OUT", "JOIN": "OPT_IN"}


def test_phone_number_in_another_pool_conflicts(sim, client):
    pool = active_pool(sim, client)
    phone_id = client.list_pool_origination_identities(
        PoolId=pool["PoolId"])["OriginationIdentities"][0]["OriginationIdentity"]
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=phone_id, MessageType="TRANSACTIONAL")
    assert error_of(exc) == {"Code": "ConflictException", "Reason": "PHONE_NUMBER_ASSOCIATED_TO_POOL",
                             "ResourceType": "phone-number", "ResourceId": phone_id, "Status": 400}
    other = active_pool(sim, client)
    with pytest.raises(ClientError) as exc:
        client.associate_origination_identity(PoolId=other["PoolId"], OriginationIdentity=phone_id)
    assert error_of(exc)["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_POOL"


def test_sender_id_may_be_in_many_pools_and_is_released_only_when_free(sim, client):
    sender = client.request_sender_id(SenderId="ACME", IsoCountryCode="GB",
                                      MessageTypes=["TRANSACTIONAL"])
    pools = [client.create_pool(OriginationIdentity="ACME", IsoCountryCode="GB",
                                MessageType="TRANSACTIONAL")["PoolId"] for _ in range(3)]
    assert len(set(pools)) == 3
    with pytest.raises(ClientError) as exc:
        client.release_sender_id(SenderId="ACME", IsoCountryCode="GB")
    assert error_of(exc)["Reason"] == "SENDER_ID_ASSOCIATED_TO_POOL"
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity="ACME", MessageType="TRANSACTIONAL")
    assert error_of(exc)["Code"] == "ValidationException"
    assert error_of(exc)["Reason"] == "INVALID_ARN"  # a sender ID needs its country
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="PROMOTIONAL")
    assert error_of(exc)["Reason"] == "MESSAGE_TYPE_MISMATCH"


def test_message_type_and_country_mismatches(sim, client):
    phone = active_phone(sim, client, iso="US", message_type="PROMOTIONAL")
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    assert error_of(exc)["Reason"] == "MESSAGE_TYPE_MISMATCH"
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="PROMOTIONAL",
                           IsoCountryCode="CA")
    assert (error_of(exc)["Code"], error_of(exc)["Reason"]) == ("ValidationException",
                                                                "COUNTRY_CODE_MISMATCH")


def test_identity_not_found(client):
    missing = "phone-" + "0" * 32
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=missing, MessageType="TRANSACTIONAL")
    assert error_of(exc) == {"Code": "ResourceNotFoundException", "Reason": None,
                             "ResourceType": "phone-number", "ResourceId": missing, "Status": 400}


@pytest.mark.parametrize("attr,kwargs,reason", [
    ("opt-out", {"OptOutListName": "other"}, "OPT_OUT_LIST_MISMATCH"),
    ("self-managed", {"SelfManagedOptOutsEnabled": True}, "SELF_MANAGED_OPT_OUTS_MISMATCH"),
    ("two-way", {"TwoWayEnabled": True,
                 "TwoWayChannelArn": "arn:aws:sns:us-east-1:123456789012:t"},
     "TWO_WAY_CONFIG_MISMATCH"),
])
def test_joining_identity_must_match_pool_configuration(sim, client, attr, kwargs, reason):
    client.create_opt_out_list(OptOutListName="other")
    pool = active_pool(sim, client)
    phone = active_phone(sim, client)
    client.update_phone_number(PhoneNumberId=phone["PhoneNumberId"], **kwargs)
    with pytest.raises(ClientError) as exc:
        client.associate_origination_identity(PoolId=pool["PoolId"],
                                              OriginationIdentity=phone["PhoneNumberId"])
    assert error_of(exc)["Reason"] == reason


def test_associate_disassociate_and_last_phone_number(sim, client):
    pool = active_pool(sim, client)
    first = client.list_pool_origination_identities(
        PoolId=pool["PoolId"])["OriginationIdentities"][0]["OriginationIdentity"]
    second = active_phone(sim, client)
    out = client.associate_origination_identity(PoolId=pool["PoolArn"],
                                                OriginationIdentity=second["PhoneNumberArn"])
    assert out["OriginationIdentity"] == second["PhoneNumberId"]
    assert out["IsoCountryCode"] == "US"
    number = client.describe_phone_numbers(PhoneNumberIds=[second["PhoneNumberId"]])["PhoneNumbers"][0]
    assert number["PoolId"] == pool["PoolId"]
    listed = client.list_pool_origination_identities(PoolId=pool["PoolId"])["OriginationIdentities"]
    assert [m["OriginationIdentity"] for m in listed] == [first, second["PhoneNumberId"]]
    client.disassociate_origination_identity(PoolId=pool["PoolId"], OriginationIdentity=first)
    with pytest.raises(ClientError) as exc:
        client.disassociate_origination_identity(PoolId=pool["PoolId"], OriginationIdentity=first)
    assert error_of(exc)["Reason"] == "PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL"
    with pytest.raises(ClientError) as exc:
        client.disassociate_origination_identity(PoolId=pool["PoolId"],
                                                 OriginationIdentity=second["PhoneNumberId"])
    assert error_of(exc)["Reason"] == "LAST_PHONE_NUMBER"


def test_release_rules(sim, client):
    pool = active_pool(sim, client)
    phone_id = client.list_pool_origination_identities(
        PoolId=pool["PoolId"])["OriginationIdentities"][0]["OriginationIdentity"]
    with pytest.raises(ClientError) as exc:
        client.release_phone_number(PhoneNumberId=phone_id)
    assert error_of(exc)["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_POOL"
    protected = active_phone(sim, client, DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as exc:
        client.release_phone_number(PhoneNumberId=protected["PhoneNumberId"])
    assert error_of(exc)["Reason"] == "DELETION_PROTECTION_ENABLED"
    client.delete_pool(PoolId=pool["PoolId"])
    released = client.release_phone_number(PhoneNumberId=phone_id)
    assert released["Status"] == "DELETED"
    with pytest.raises(ClientError) as exc:  # gone at once (tests/test_released_resources.py)
        client.describe_phone_numbers(PhoneNumberIds=[phone_id])
    assert error_of(exc)["Code"] == "ResourceNotFoundException"


def test_delete_pool_rules(sim, client):
    pool = active_pool(sim, client, DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as exc:
        client.delete_pool(PoolId=pool["PoolId"])
    assert error_of(exc) == {"Code": "ConflictException", "Reason": "DELETION_PROTECTION_ENABLED",
                             "ResourceType": "pool", "ResourceId": pool["PoolId"], "Status": 400}
    phone = active_phone(sim, client)
    creating = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                                  MessageType="TRANSACTIONAL")
    with pytest.raises(ClientError) as exc:
        client.delete_pool(PoolId=creating["PoolId"])
    assert error_of(exc)["Reason"] == "RESOURCE_NOT_ACTIVE"
    client.update_pool(PoolId=pool["PoolId"], DeletionProtectionEnabled=False)
    assert client.delete_pool(PoolId=pool["PoolArn"])["Status"] == "DELETING"
    with pytest.raises(ClientError) as exc:
        client.update_pool(PoolId=pool["PoolId"], SharedRoutesEnabled=True)
    assert error_of(exc)["Reason"] == "RESOURCE_NOT_ACTIVE"


def test_update_pool_settings_and_two_way_needs_a_channel(sim, client):
    pool = active_pool(sim, client)
    with pytest.raises(ClientError) as exc:
        client.update_pool(PoolId=pool["PoolId"], TwoWayEnabled=True)
    assert error_of(exc)["Reason"] == "TWO_WAY_CHANNEL_NOT_PRESENT"
    with pytest.raises(ClientError) as exc:
        client.update_pool(PoolId=pool["PoolId"], OptOutListName="nope")
    assert error_of(exc)["ResourceType"] == "opt-out-list"
    updated = client.update_pool(PoolId=pool["PoolId"], SharedRoutesEnabled=True,
                                 DeletionProtectionEnabled=True)
    assert updated["SharedRoutesEnabled"] is True and updated["DeletionProtectionEnabled"] is True


def test_describe_pools_filters_pagination_and_owner(sim, client):
    ids = [active_pool(sim, client)["PoolId"] for _ in range(5)]
    client.update_pool(PoolId=ids[1], DeletionProtectionEnabled=True)
    phone = active_phone(sim, client)
    creating = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                                  MessageType="TRANSACTIONAL")["PoolId"]
    page = client.describe_pools(MaxResults=2)
    assert [p["PoolId"] for p in page["Pools"]] == ids[:2] and page["NextToken"]
    paginator = client.get_paginator("describe_pools")
    seen = [p["PoolId"] for pg in paginator.paginate(PaginationConfig={"PageSize": 2})
            for p in pg["Pools"]]
    assert seen == ids + [creating]
    flt = client.describe_pools(Filters=[{"Name": "status", "Values": ["CREATING"]}])
    assert [p["PoolId"] for p in flt["Pools"]] == [creating]
    flt = client.describe_pools(Filters=[{"Name": "deletion-protection-enabled", "Values": ["true"]},
                                         {"Name": "message-type", "Values": ["TRANSACTIONAL"]}])
    assert [p["PoolId"] for p in flt["Pools"]] == [ids[1]]
    assert client.describe_pools(Owner="SHARED")["Pools"] == []
    with pytest.raises(ClientError) as exc:
        client.describe_pools(PoolIds=[ids[0]], Owner="SELF")
    assert error_of(exc)["Reason"] == "PARAMETERS_CANNOT_BE_USED_TOGETHER"
    with pytest.raises(ClientError) as exc:
        client.describe_pools(NextToken="garbage")
    assert error_of(exc)["Reason"] == "INVALID_NEXT_TOKEN"


def test_client_token_idempotency(sim, client):
    phone = active_phone(sim, client)
    first = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                               MessageType="TRANSACTIONAL", ClientToken="token-1")
    again = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                               MessageType="TRANSACTIONAL", ClientToken="token-1")
    assert again["PoolId"] == first["PoolId"]
    assert len(client.describe_pools()["Pools"]) == 1
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="PROMOTIONAL",
                           ClientToken="token-1")
    assert error_of(exc)["Code"] == "ConflictException"


def test_quota_enforced_and_reported(door):
    sim, make = door
    sim.quotas["POOLS"] = 2
    client = make()
    sender = client.request_sender_id(SenderId="QUOTA", IsoCountryCode="US")
    for _ in range(2):
        client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="TRANSACTIONAL")
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="TRANSACTIONAL")
    assert error_of(exc)["Code"] == "ServiceQuotaExceededException"
    assert exc.value.response["Reason"] == "POOLS_PER_ACCOUNT"
    limits = {x["Name"]: x for x in client.describe_account_limits()["AccountLimits"]}
    assert limits["POOLS"] == {"Name": "POOLS", "Used": 2, "Max": 2}
    assert limits["SENDER_IDS"]["Used"] == 1


def test_accounts_and_regions_are_isolated(door):
    sim, make = door
    sim.accounts["AKIAOTHERACCOUNT0000"] = "210987654321"
    mine = make(region_name="us-east-1")
    theirs = make(region_name="us-east-1", aws_access_key_id="AKIAOTHERACCOUNT0000",
                  aws_secret_access_key="x")
    elsewhere = make(region_name="eu-west-1")
    pool = active_pool(sim, mine)
    assert theirs.describe_pools()["Pools"] == [] and elsewhere.describe_pools()["Pools"] == []
    with pytest.raises(ClientError) as exc:
        theirs.describe_pools(PoolIds=[pool["PoolArn"]])
    assert error_of(exc)["Code"] == "ResourceNotFoundException"
    other = active_pool(sim, theirs)
    assert ":210987654321:" in other["PoolArn"]
    assert [p["PoolId"] for p in elsewhere.describe_pools()["Pools"]] == []


def test_tags_keywords_and_opt_out_lists(sim, client):
    pool = active_pool(sim, client)
    client.tag_resource(ResourceArn=pool["PoolArn"], Tags=[{"Key": "a", "Value": "1"},
                                                           {"Key": "b", "Value": "2"}])
    client.untag_resource(ResourceArn=pool["PoolArn"], TagKeys=["a"])
    assert client.list_tags_for_resource(ResourceArn=pool["PoolArn"])["Tags"] == [
        {"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as exc:
        client.list_tags_for_resource(ResourceArn="arn:aws:s3:::a-bucket-that-is-not-ours")
    assert error_of(exc)["Reason"] == "INVALID_ARN"
    client.put_keyword(OriginationIdentity=pool["PoolId"], Keyword="INFO", KeywordMessage="hi")
    with pytest.raises(ClientError) as exc:
        client.delete_keyword(OriginationIdentity=pool["PoolId"], Keyword="STOP")
    assert error_of(exc)["Code"] == "ConflictException"
    gone = client.delete_keyword(OriginationIdentity=pool["PoolId"], Keyword="INFO")
    assert gone["KeywordMessage"] == "hi"
    names = [o["OptOutListName"] for o in client.describe_opt_out_lists()["OptOutLists"]]
    assert names == ["Default"]
    client.create_opt_out_list(OptOutListName="second")
    with pytest.raises(ClientError) as exc:
        client.create_opt_out_list(OptOutListName="second")
    assert error_of(exc)["Reason"] == "RESOURCE_ALREADY_EXISTS"
    with pytest.raises(ClientError) as exc:
        client.delete_opt_out_list(OptOutListName="Default")
    assert error_of(exc)["Code"] == "ConflictException"
    assert client.delete_opt_out_list(OptOutListName="second")["OptOutListName"] == "second"


def test_unsimulated_operation_says_so(door):
    sim, make = door
    del sim.handlers["DescribeRcsAgents"]  # every family ships now: take one out of this simulator
    with pytest.raises(ClientError) as exc:
        make(region_name="us-east-1").describe_rcs_agents()
    assert error_of(exc)["Code"] == "ValidationException"
    assert "not simulate" in exc.value.response["Error"]["Message"]


def test_same_seed_same_ids():
    from smsvoice_sim.simulator import Simulator
    def run():
        sim = Simulator(seed=99)
        c = sim.client()
        phone = active_phone(sim, c)
        return phone["PhoneNumberId"], phone["PhoneNumber"], active_pool(sim, c, phone)["PoolId"]
    assert run() == run()
