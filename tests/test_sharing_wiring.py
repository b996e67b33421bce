"""Sharing through resource policies, wired into the other families: Owner=SHARED in
Describe*, a shared resource used by full ARN (never bare id) in sends and pools, only
for the actions the policy grants; and the Notify/RCS rules the pools and opt-out lists
families ask (issue 15)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator

from conftest import active_phone, active_pool

OWNER, FRIEND, STRANGER = "111111111111", "222222222222", "333333333333"
KEYS = {OWNER: "AKIAOWNER00000000000", FRIEND: "AKIAFRIEND0000000000", STRANGER: "AKIASTRANGER00000000"}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(clock="manual", seed=7, accounts={key: acct for acct, key in KEYS.items()})


def client_of(sim, account):
    return sim.client(aws_access_key_id=KEYS[account], aws_secret_access_key="s")


def share(owner, arn, account, action="sms-voice:*"):
    owner.put_resource_policy(
        ResourceArn=arn,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": account}, "Action": action, "Resource": arn}
                ],
            }
        ),
    )


def code_of(excinfo) -> tuple:
    r = excinfo.value.response
    return r["Error"]["Code"], r.get("Reason"), r.get("ResourceType")


def test_owner_shared_lists_what_others_share(sim):
    owner, friend, stranger = client_of(sim, OWNER), client_of(sim, FRIEND), client_of(sim, STRANGER)
    phone = active_phone(sim, owner)
    pool = active_pool(sim, owner)
    sender = owner.request_sender_id(SenderId="ACME", IsoCountryCode="GB")
    owner.create_opt_out_list(OptOutListName="shared-list")
    lists = owner.describe_opt_out_lists(OptOutListNames=["shared-list"])["OptOutLists"]
    for arn in (phone["PhoneNumberArn"], pool["PoolArn"], sender["SenderIdArn"], lists[0]["OptOutListArn"]):
        share(owner, arn, FRIEND)
    assert [p["PoolArn"] for p in friend.describe_pools(Owner="SHARED")["Pools"]] == [pool["PoolArn"]]
    assert friend.describe_pools()["Pools"] == []  # SELF: the friend owns none
    shared_numbers = friend.describe_phone_numbers(Owner="SHARED")["PhoneNumbers"]
    assert phone["PhoneNumberArn"] in [p["PhoneNumberArn"] for p in shared_numbers]
    assert [s["SenderIdArn"] for s in friend.describe_sender_ids(Owner="SHARED")["SenderIds"]] == [
        sender["SenderIdArn"]
    ]
    assert [o["OptOutListName"] for o in friend.describe_opt_out_lists(Owner="SHARED")["OptOutLists"]] == [
        "shared-list"
    ]
    assert stranger.describe_pools(Owner="SHARED")["Pools"] == []


def test_a_shared_pool_sends_by_full_arn_only_and_only_what_is_granted(sim):
    owner, friend = client_of(sim, OWNER), client_of(sim, FRIEND)
    pool = active_pool(sim, owner)
    share(owner, pool["PoolArn"], FRIEND, action=["sms-voice:SendTextMessage", "sms-voice:DescribePools"])
    sent = friend.send_text_message(
        DestinationPhoneNumber="+12065550123",
        OriginationIdentity=pool["PoolArn"],
        MessageBody="hello from a shared pool",
    )
    assert sent["MessageId"] in [m["MessageId"] for m in sim.sent_messages(account=FRIEND)]
    assert friend.describe_pools(PoolIds=[pool["PoolArn"]])["Pools"][0]["PoolId"] == pool["PoolId"]
    with pytest.raises(ClientError) as exc:  # bare id: names nothing in the friend's account
        friend.send_text_message(
            DestinationPhoneNumber="+12065550123", OriginationIdentity=pool["PoolId"], MessageBody="x"
        )
    assert code_of(exc) == ("ResourceNotFoundException", None, "pool")
    with pytest.raises(ClientError) as exc:  # not granted
        friend.delete_pool(PoolId=pool["PoolArn"])
    assert code_of(exc) == ("ResourceNotFoundException", None, "pool")
    with pytest.raises(ClientError) as exc:  # never shared with the stranger
        client_of(sim, STRANGER).send_text_message(
            DestinationPhoneNumber="+12065550123", OriginationIdentity=pool["PoolArn"], MessageBody="x"
        )
    assert code_of(exc) == ("ResourceNotFoundException", None, "pool")


def test_a_shared_sender_id_sends_by_arn(sim):
    owner, friend = client_of(sim, OWNER), client_of(sim, FRIEND)
    sender = owner.request_sender_id(SenderId="ACME", IsoCountryCode="GB")
    by_arn = [{"SenderId": sender["SenderIdArn"], "IsoCountryCode": "GB"}]
    with pytest.raises(ClientError) as exc:
        friend.describe_sender_ids(SenderIds=by_arn)
    assert code_of(exc) == ("ResourceNotFoundException", None, "sender-id")
    share(owner, sender["SenderIdArn"], FRIEND)
    assert (
        friend.describe_sender_ids(SenderIds=by_arn)["SenderIds"][0]["SenderIdArn"] == sender["SenderIdArn"]
    )
    sent = friend.send_text_message(
        DestinationPhoneNumber="+447400123456", OriginationIdentity=sender["SenderIdArn"], MessageBody="hi"
    )
    assert sim.sent_messages(account=FRIEND)[-1]["MessageId"] == sent["MessageId"]


def test_delete_pool_refuses_while_a_notify_configuration_uses_it(sim):
    owner = client_of(sim, OWNER)
    pool = active_pool(sim, owner)
    made = owner.create_notify_configuration(
        DisplayName="Acme", UseCase="CODE_VERIFICATION", EnabledChannels=["SMS"], PoolId=pool["PoolId"]
    )
    with pytest.raises(ClientError) as exc:
        owner.delete_pool(PoolId=pool["PoolId"])
    assert code_of(exc) == ("ConflictException", "POOL_ASSOCIATED_TO_NOTIFY_CONFIGURATION", "pool")
    owner.delete_notify_configuration(NotifyConfigurationId=made["NotifyConfigurationId"])
    assert owner.delete_pool(PoolId=pool["PoolId"])["Status"] == "DELETING"


def test_delete_opt_out_list_refuses_while_an_rcs_agent_uses_it(sim):
    owner = client_of(sim, OWNER)
    owner.create_opt_out_list(OptOutListName="rcs")
    agent = owner.create_rcs_agent(OptOutListName="rcs")
    with pytest.raises(ClientError) as exc:
        owner.delete_opt_out_list(OptOutListName="rcs")
    assert code_of(exc)[0] == "ConflictException"
    owner.delete_rcs_agent(RcsAgentId=agent["RcsAgentId"])
    owner.delete_opt_out_list(OptOutListName="rcs")
