"""Resource policies and the sharing they grant (issue 15, section G), through real boto3
with two accounts of one simulator."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.snapshot import export_state, import_state
from smsvoice_sim.simulator.wire.errors import ServiceError

from conftest import active_phone, active_pool
from families_fixtures import error_of, not_found

OWNER, FRIEND, STRANGER = "111111111111", "222222222222", "333333333333"
KEYS = {OWNER: "AKIAOWNER00000000000", FRIEND: "AKIAFRIEND0000000000", STRANGER: "AKIASTRANGER00000000"}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(clock="manual", seed=7, accounts={key: acct for acct, key in KEYS.items()})


def client_of(sim, account, region="us-east-1"):
    return sim.client(region_name=region, aws_access_key_id=KEYS[account], aws_secret_access_key="s")


def policy_for(arn: str, *principals, effect="Allow", action="sms-voice:*") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "share",
                    "Effect": effect,
                    "Principal": {"AWS": list(principals)},
                    "Action": action,
                    "Resource": arn,
                }
            ],
        }
    )


@pytest.fixture
def owner(sim):
    return client_of(sim, OWNER)


@pytest.fixture
def shareable(sim, owner) -> dict[str, str]:
    """kind -> ARN of one resource of each shareable kind."""
    phone = active_phone(sim, owner)
    pool = active_pool(sim, owner)
    sender = owner.request_sender_id(SenderId="ACME", IsoCountryCode="GB")
    return {
        "pool": pool["PoolArn"],
        "phone-number": phone["PhoneNumberArn"],
        "sender-id": sender["SenderIdArn"],
        "opt-out-list": owner.describe_opt_out_lists()["OptOutLists"][0]["OptOutListArn"],
    }


def test_without_a_policy_get_answers_200_with_an_empty_policy(owner, shareable):
    for arn in shareable.values():
        got = owner.get_resource_policy(ResourceArn=arn)
        assert (got["ResourceArn"], got["Policy"]) == (arn, "{}")
        assert "CreatedTimestamp" not in got


def test_put_get_delete_on_every_shareable_kind(sim, owner, shareable):
    for arn in shareable.values():
        put = owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
        assert put["ResourceArn"] == arn and put["CreatedTimestamp"]
        assert owner.get_resource_policy(ResourceArn=arn)["Policy"] == put["Policy"]
        deleted = owner.delete_resource_policy(ResourceArn=arn)
        assert deleted["Policy"] == put["Policy"]
        assert owner.get_resource_policy(ResourceArn=arn)["Policy"] == "{}"
        with pytest.raises(ClientError) as exc:
            owner.delete_resource_policy(ResourceArn=arn)
        assert error_of(exc) == not_found("policy", arn)


def test_the_policy_reads_back_in_canonical_form_and_keeps_its_creation_time(sim, owner, shareable):
    arn = shareable["pool"]
    pretty = json.dumps(json.loads(policy_for(arn, FRIEND)), indent=4)
    first = owner.put_resource_policy(ResourceArn=arn, Policy=pretty)
    assert json.loads(first["Policy"])["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{FRIEND}:root"}
    assert "\n" not in first["Policy"]
    sim.advance(60)
    second = owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND, STRANGER))
    assert second["CreatedTimestamp"] == first["CreatedTimestamp"]
    assert json.loads(second["Policy"])["Statement"][0]["Principal"]["AWS"] == [
        f"arn:aws:iam::{FRIEND}:root",
        f"arn:aws:iam::{STRANGER}:root",
    ]


@pytest.mark.parametrize(
    "policy, reason",
    [
        ("not json", "CANNOT_PARSE"),
        ("[]", "INVALID_PARAMETER"),
        ('{"Version": "2020-01-01", "Statement": []}', "INVALID_PARAMETER"),
        ('{"Version": "2012-10-17", "Statement": []}', "INVALID_PARAMETER"),
        ('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}', "INVALID_PARAMETER"),
        (
            '{"Version": "2012-10-17", '
            '"Statement": {"Effect": "Allow", "Action": "sms-voice:*", "Resource": "@"}}',
            "INVALID_PARAMETER",
        ),  # no Principal
        ('{"Version": "2012-10-17", "Bogus": 1, "Statement": []}', "INVALID_PARAMETER"),
        (
            '{"Version": "2012-10-17", "Statement": '
            '{"Effect": "Allow", "Principal": {"AWS": []}, "Action": "sms-voice:*", "Resource": "@"}}',
            "INVALID_PARAMETER",
        ),  # a principal naming nobody
        (
            '{"Version": "2012-10-17", "Id": {"a": 1}, '
            '"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sms-voice:*", "Resource": "@"}}',
            "INVALID_PARAMETER",
        ),
        ("[" * 5000 + "]" * 5000, "CANNOT_PARSE"),  # deeper than Python's JSON reader goes
        (
            '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", '
            '"Action": "sms-voice:*", "Resource": "@", "Condition": ' + "[" * 40 + "]" * 40 + "}}",
            "INVALID_PARAMETER",
        ),  # deeper than a policy's grammar (MAX_DEPTH)
    ],
)
def test_malformed_policies_are_refused(owner, shareable, policy, reason):
    arn = shareable["pool"]
    with pytest.raises(ClientError) as exc:
        owner.put_resource_policy(ResourceArn=arn, Policy=policy.replace("@", arn))
    assert error_of(exc)["Code"] == "ValidationException"
    assert error_of(exc)["Reason"] == reason
    assert exc.value.response["Fields"][0]["Name"] == "Policy"
    assert owner.get_resource_policy(ResourceArn=arn)["Policy"] == "{}"  # nothing changed


def test_a_policy_longer_than_the_model_allows_is_refused_by_the_model_check(owner, shareable):
    arn = shareable["pool"]
    huge = policy_for(arn, FRIEND)[:-2] + ', "Sid": "' + "x" * (1 << 19) + '"}]}'
    with pytest.raises(ClientError) as exc:
        owner.put_resource_policy(ResourceArn=arn, Policy=huge)
    assert error_of(exc)["Code"] == "ValidationException"
    assert "10000" in exc.value.response["Error"]["Message"]  # ResourcePolicy's max length [model]
    assert owner.get_resource_policy(ResourceArn=arn)["Policy"] == "{}"


def test_statements_must_name_the_resource_sms_voice_actions_and_real_principals(owner, shareable):
    arn, other = shareable["pool"], shareable["phone-number"]
    for bad in (
        policy_for(other, FRIEND),
        policy_for(arn, FRIEND, action="s3:GetObject"),
        policy_for(arn, "friend"),
        policy_for(arn, "arn:aws:iam::12:root"),
    ):
        with pytest.raises(ClientError) as exc:
            owner.put_resource_policy(ResourceArn=arn, Policy=bad)
        assert error_of(exc)["Reason"] == "INVALID_PARAMETER"
    ok = owner.put_resource_policy(
        ResourceArn=arn,
        Policy=policy_for(
            arn,
            f"arn:aws:iam::{FRIEND}:role/sender",
            action=["sms-voice:SendTextMessage", "sms-voice:Describe*"],
        ),
    )
    assert ok["ResourceArn"] == arn


def test_only_pools_numbers_sender_ids_and_opt_out_lists_take_policies(owner):
    agent = owner.create_rcs_agent()
    with pytest.raises(ClientError) as exc:
        owner.put_resource_policy(
            ResourceArn=agent["RcsAgentArn"], Policy=policy_for(agent["RcsAgentArn"], FRIEND)
        )
    assert error_of(exc)["Reason"] == "INVALID_ARN"


def test_missing_and_foreign_resources_are_not_found(sim, owner, shareable):
    missing = shareable["pool"][:-4] + "0000"
    with pytest.raises(ClientError) as exc:
        owner.get_resource_policy(ResourceArn=missing)
    assert error_of(exc) == not_found("pool", missing)
    friend = client_of(sim, FRIEND)
    with pytest.raises(ClientError) as exc:  # a resource of another account: not the caller's to govern
        friend.put_resource_policy(
            ResourceArn=shareable["pool"], Policy=policy_for(shareable["pool"], FRIEND)
        )
    assert error_of(exc)["ResourceType"] == "pool"


def test_a_policy_shares_with_the_accounts_it_names_only(sim, owner, shareable):
    for arn in shareable.values():
        owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
    policies = sim.region(OWNER, "us-east-1").resource_policies
    for kind, arn in shareable.items():
        assert policies.shared_with(FRIEND, arn)
        assert not policies.shared_with(STRANGER, arn)
        assert not policies.shared_with(OWNER, arn)  # an owner's own resource is SELF, not SHARED
        mine = sim.region(FRIEND, "us-east-1").resource_policies.shared_with_me(kind)
        assert mine == [sim.region(OWNER, "us-east-1").by_arn(arn)]
        assert sim.region(STRANGER, "us-east-1").resource_policies.shared_with_me(kind) == []


def test_a_shared_resource_is_used_by_full_arn_never_by_bare_id(sim, owner, shareable):
    pool_arn = shareable["pool"]
    owner.put_resource_policy(ResourceArn=pool_arn, Policy=policy_for(pool_arn, FRIEND))
    friend = sim.region(FRIEND, "us-east-1").resource_policies
    assert friend.resolve_shared(pool_arn, "pool") is sim.region(OWNER, "us-east-1").by_arn(pool_arn)
    pool_id = pool_arn.rsplit("/", 1)[1]
    with pytest.raises(ServiceError) as exc:
        friend.resolve_shared(pool_id, "pool")
    assert exc.value.code == "ResourceNotFoundException"
    # Through the API, the friend's bare id names nothing in its own account.
    with pytest.raises(ClientError) as api_exc:
        client_of(sim, FRIEND).describe_pools(PoolIds=[pool_id])
    assert error_of(api_exc)["Code"] == "ResourceNotFoundException"
    stranger = sim.region(STRANGER, "us-east-1").resource_policies
    with pytest.raises(ServiceError) as exc:
        stranger.resolve_shared(pool_arn, "pool")
    assert exc.value.code == "ResourceNotFoundException"


def test_a_number_keeps_a_shared_opt_out_list_and_its_sends_and_stops_use_it(sim, owner, shareable):
    """A friend's number requested with the owner's shared list keeps that list (by ARN: its
    name would name the friend's own Default): the owner's opt-outs refuse its sends, and a
    handset's STOP to it lands on the owner's list [inf]."""
    arn = shareable["opt-out-list"]
    owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
    owner.put_opted_out_number(OptOutListName="Default", OptedOutNumber="+14254147755")
    friend = client_of(sim, FRIEND)
    number = friend.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS"], NumberType="SIMULATOR",
                                         OptOutListName=arn)
    assert number["OptOutListName"] == arn
    with pytest.raises(ClientError) as exc:
        friend.send_text_message(OriginationIdentity=number["PhoneNumberId"], MessageBody="hi",
                                 DestinationPhoneNumber="+14254147755")
    assert error_of(exc)["Reason"] == "DESTINATION_PHONE_NUMBER_OPTED_OUT"
    sim.receive(from_="+14254147167", to=number["PhoneNumber"], body="STOP")
    listed = owner.describe_opted_out_numbers(OptOutListName="Default")["OptedOutNumbers"]
    assert {n["OptedOutNumber"] for n in listed} == {"+14254147755", "+14254147167"}
    assert friend.describe_opted_out_numbers(OptOutListName="Default")["OptedOutNumbers"] == []


def test_deny_wins_star_shares_with_nobody_and_deleting_the_policy_unshares(sim, owner, shareable):
    arn = shareable["opt-out-list"]
    policies = sim.region(OWNER, "us-east-1").resource_policies
    both = json.loads(policy_for(arn, FRIEND))
    both["Statement"].append(
        {"Effect": "Deny", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": arn}
    )
    owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(both))
    assert not policies.shared_with(FRIEND, arn)
    owner.put_resource_policy(
        ResourceArn=arn,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": "*", "Action": "sms-voice:*", "Resource": arn}
                ],
            }
        ),
    )
    assert not policies.shared_with(FRIEND, arn)
    owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
    assert policies.shared_with(FRIEND, arn)
    owner.delete_resource_policy(ResourceArn=arn)
    assert not policies.shared_with(FRIEND, arn)


def test_sharing_stays_within_the_region(sim, owner, shareable):
    arn = shareable["pool"]
    owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
    elsewhere = sim.region(FRIEND, "eu-west-1").resource_policies
    assert elsewhere.shared_with_me("pool") == []
    with pytest.raises(ServiceError) as exc:
        elsewhere.resolve_shared(arn, "pool")
    assert exc.value.code == "ResourceNotFoundException"


def test_a_released_number_is_shared_no_more(sim, owner, shareable):
    arn = shareable["phone-number"]
    owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
    owner.release_phone_number(PhoneNumberId=arn)
    assert not sim.region(OWNER, "us-east-1").resource_policies.shared_with(FRIEND, arn)


def test_policies_survive_state_export_and_import(sim, owner, shareable):
    arn = shareable["sender-id"]
    put = owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
    saved = json.loads(json.dumps(export_state(sim)))
    fresh = Simulator(clock="manual", seed=7, accounts={key: acct for acct, key in KEYS.items()})
    import_state(fresh, saved)
    assert client_of(fresh, OWNER).get_resource_policy(ResourceArn=arn)["Policy"] == put["Policy"]
    assert fresh.state()["accounts"][OWNER]["us-east-1"]["resource_policies"][0]["ResourceArn"] == arn


def test_sharing_can_be_limited_to_some_actions(sim, owner, shareable):
    arn = shareable["pool"]
    owner.put_resource_policy(
        ResourceArn=arn,
        Policy=policy_for(arn, FRIEND, action=["sms-voice:SendTextMessage", "sms-voice:Describe*"]),
    )
    policies = sim.region(OWNER, "us-east-1").resource_policies
    assert policies.shared_with(FRIEND, arn, "SendTextMessage")
    assert policies.shared_with(FRIEND, arn, "DescribePools")
    assert not policies.shared_with(FRIEND, arn, "DeletePool")
    friend = sim.region(FRIEND, "us-east-1").resource_policies
    assert friend.resolve_shared(arn, "pool", "SendTextMessage") is not None
    with pytest.raises(ServiceError) as exc:
        friend.resolve_shared(arn, "pool", "DeletePool")
    assert exc.value.code == "ResourceNotFoundException"


def test_a_resource_made_again_under_the_same_arn_starts_without_a_policy(sim, owner):
    made = owner.create_opt_out_list(OptOutListName="again")
    arn = made["OptOutListArn"]
    owner.put_resource_policy(ResourceArn=arn, Policy=policy_for(arn, FRIEND))
    owner.delete_opt_out_list(OptOutListName="again")
    assert sim.region(FRIEND, "us-east-1").resource_policies.shared_with_me("opt-out-list") == []
    owner.create_opt_out_list(OptOutListName="again")
    assert owner.get_resource_policy(ResourceArn=arn)["Policy"] == "{}"
    assert not sim.region(OWNER, "us-east-1").resource_policies.shared_with(FRIEND, arn)
    assert sim.state()["accounts"][OWNER]["us-east-1"]["resource_policies"] == []


# -- issue 20 item 1: the IAM grammar AWS's own examples use, and its evaluation ------------------
def aws_example(arn: str, owner_account: str = OWNER) -> dict:
    """The phone-number policy of AWS's "Working with shared resources" page, verbatim but for
    the ARN and account [doc: https://docs.aws.amazon.com/sms-voice/latest/userguide/shared-resources.html]."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "pinpoint.amazonaws.com"},
             "Action": ["sms-voice:SendTextMessage", "sms-voice:SendVoiceMessage"], "Resource": arn,
             "Condition": {"StringEquals": {"aws:SourceAccount": owner_account}}},
            {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
             "Action": "sms-voice:SendTextMessage", "Resource": arn,
             "Condition": {"StringEquals": {"aws:SourceAccount": owner_account}}},
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{owner_account}:root"},
             "Action": "sms-voice:SendTextMessage", "Resource": arn},
        ],
    }


def sns_opt_out_policy(arn: str) -> dict:
    """What SNS needs on an opt-out list (SNS guide: "You must manually configure a resource
    policy"; the actions are those AmazonSNSFullAccess grants SNS on opt-out lists)."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "AllowSnsOptOuts", "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
        "Action": ["sms-voice:DescribeOptedOutNumbers", "sms-voice:DeleteOptedOutNumber",
                   "sms-voice:SendTextMessage"],
        "Resource": arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": OWNER},
                      "ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{OWNER}:*"}}}]}


def test_aws_documented_examples_with_service_principals_are_accepted(sim, owner, shareable):
    for kind in ("phone-number", "sender-id"):
        arn = shareable[kind]
        put = owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(aws_example(arn)))
        back = json.loads(owner.get_resource_policy(ResourceArn=arn)["Policy"])
        assert back == json.loads(put["Policy"]) == aws_example(arn)  # already canonical
    arn = shareable["opt-out-list"]
    owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(sns_opt_out_policy(arn)))
    assert json.loads(owner.get_resource_policy(ResourceArn=arn)["Policy"]) == sns_opt_out_policy(arn)


def test_a_service_principal_shares_with_no_account_and_is_evaluated_for_its_service(sim, owner, shareable):
    arn = shareable["opt-out-list"]
    owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(sns_opt_out_policy(arn)))
    policies = sim.region(OWNER, "us-east-1").resource_policies
    assert not policies.shared_with(FRIEND, arn)
    assert sim.region(FRIEND, "us-east-1").resource_policies.shared_with_me("opt-out-list") == []
    topic = f"arn:aws:sns:us-east-1:{OWNER}:alerts"
    sns = "sns.amazonaws.com"
    assert policies.allows_service(sns, arn, "DescribeOptedOutNumbers", OWNER, topic)
    assert not policies.allows_service(sns, arn, "DescribeOptedOutNumbers", FRIEND, topic)  # SourceAccount
    assert not policies.allows_service(sns, arn, "DescribeOptedOutNumbers", OWNER,
                                       f"arn:aws:sns:eu-west-1:{OWNER}:alerts")  # SourceArn
    assert not policies.allows_service(sns, arn, "PutOptedOutNumber", OWNER, topic)  # not granted
    assert not policies.allows_service("pinpoint.amazonaws.com", arn, "SendTextMessage", OWNER, topic)


@pytest.mark.parametrize("statement", [
    {"Effect": "Allow", "Principal": {"AWS": [FRIEND], "Service": "sns.amazonaws.com"},
     "NotAction": "sms-voice:Delete*", "Resource": "@"},
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:sts::{FRIEND}:assumed-role/app/session"},
     "Action": "SMS-Voice:sendtextmessage", "Resource": "arn:aws:sms-voice:*"},
    {"Effect": "Deny", "NotPrincipal": {"AWS": FRIEND}, "Action": "sms-voice:*", "NotResource": "*"},
    {"Effect": "Allow", "Principal": {"Service": ["sns.amazonaws.com", "pinpoint.amazonaws.com"]},
     "Action": "sms-voice:SendTextMessage", "Resource": "@",
     "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": [OWNER, FRIEND]},
                   "ForAnyValue:StringLike": {"aws:CalledVia": "sns.*"},
                   "Bool": {"aws:SecureTransport": True}, "Null": {"aws:SourceArn": "false"},
                   "NumericLessThan": {"aws:EpochTime": 4102444800},
                   "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}},
])
def test_the_iam_grammar_is_accepted(owner, shareable, statement):
    arn = shareable["pool"]
    policy = {"Statement": [json.loads(json.dumps(statement).replace('"@"', json.dumps(arn)))]}
    put = owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(policy))  # no Version: 2008 [IAM]
    assert json.loads(put["Policy"])["Statement"][0]["Effect"] == statement["Effect"]


@pytest.mark.parametrize("statement", [
    {"Effect": "Allow", "NotPrincipal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@"},
    {"Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "sms-voice:*", "Resource": "@"},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Resource": "@"},  # no Action
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*",
     "NotAction": "sms-voice:DeletePool", "Resource": "@"},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*"},  # no Resource
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*",
     "Resource": "arn:aws:sms-voice:*:pool/[p]*"},  # IAM wildcards are * and ?: [p] is literal
    {"Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@"},  # no Effect
    {"Effect": "Allow", "Principal": {"Service": "sns"}, "Action": "sms-voice:*", "Resource": "@"},
    {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
     "Action": "sms-voice:*", "Resource": "@"},
    {"Effect": "Allow", "Principal": {}, "Action": "sms-voice:*", "Resource": "@"},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sns:Publish", "Resource": "@"},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@",
     "Condition": {"StringMaybe": {"aws:SourceAccount": OWNER}}},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@",
     "Condition": {"NullIfExists": {"aws:SourceAccount": "true"}}},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@",
     "Condition": {"StringEquals": {"SourceAccount": OWNER}}},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@",
     "Condition": {"StringEquals": {"aws:SourceAccount": {"nested": OWNER}}}},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@",
     "Condition": ["StringEquals"]},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@",
     "Sid": 7},
    {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "Action": "sms-voice:*", "Resource": "@",
     "Bogus": True},
])
def test_what_iam_refuses_is_refused(owner, shareable, statement):
    arn = shareable["pool"]
    policy = {"Version": "2012-10-17",
              "Statement": [json.loads(json.dumps(statement).replace('"@"', json.dumps(arn)))]}
    with pytest.raises(ClientError) as exc:
        owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(policy))
    assert (error_of(exc)["Code"], error_of(exc)["Reason"]) == ("ValidationException", "INVALID_PARAMETER")
    assert exc.value.response["Fields"][0]["Name"] == "Policy"
    assert owner.get_resource_policy(ResourceArn=arn)["Policy"] == "{}"


def share_pool(owner, arn: str, *statements: dict) -> None:
    owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Resource": arn, "Action": "sms-voice:*", **s}
                                                 for s in statements]}))


def test_conditions_are_evaluated_against_a_direct_call_from_another_account(sim, owner, shareable):
    arn = shareable["pool"]
    policies = sim.region(OWNER, "us-east-1").resource_policies
    friend = {"Effect": "Allow", "Principal": {"AWS": FRIEND}}
    share_pool(owner, arn, {**friend, "Condition": {"StringEquals": {"aws:PrincipalAccount": FRIEND}}})
    assert policies.shared_with(FRIEND, arn, "SendTextMessage")
    # aws:SourceAccount is in a request only when a service acts for a resource [IAM]: a direct
    # call lacks it, so StringEquals fails and the negated operator holds.
    share_pool(owner, arn, {**friend, "Condition": {"StringEquals": {"aws:SourceAccount": FRIEND}}})
    assert not policies.shared_with(FRIEND, arn, "SendTextMessage")
    share_pool(owner, arn, {**friend, "Condition": {"StringNotEquals": {"aws:SourceAccount": OWNER}}})
    assert policies.shared_with(FRIEND, arn, "SendTextMessage")
    share_pool(owner, arn, {**friend, "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}})
    assert not policies.shared_with(FRIEND, arn, "SendTextMessage")
    # A share that ends: aws:CurrentTime follows the simulator's clock.
    until = sim.clock.now() + 3600
    share_pool(owner, arn, {**friend, "Condition": {"NumericLessThan": {"aws:EpochTime": int(until)}}})
    assert policies.shared_with(FRIEND, arn, "SendTextMessage")
    sim.advance(7200)
    assert not policies.shared_with(FRIEND, arn, "SendTextMessage")
    assert sim.region(FRIEND, "us-east-1").resource_policies.shared_with_me("pool") == []


@pytest.mark.parametrize("since", ["2020-01-01T00:00:00Z", "2020-01-01T02:00:00+02:00",
                                   "2020-01-01T00:00:00.5Z", "2020-01-01", "1577836800"])
def test_date_conditions_read_every_iso_8601_form(sim, owner, shareable, since):
    arn = shareable["pool"]
    policies = sim.region(OWNER, "us-east-1").resource_policies
    friend = {"Effect": "Allow", "Principal": {"AWS": FRIEND}}
    share_pool(owner, arn, {**friend, "Condition": {"DateGreaterThan": {"aws:CurrentTime": since}}})
    assert policies.shared_with(FRIEND, arn, "SendTextMessage")  # the simulator's clock is after 2020
    share_pool(owner, arn, {**friend, "Condition": {"DateLessThan": {"aws:CurrentTime": since}}})
    assert not policies.shared_with(FRIEND, arn, "SendTextMessage")


def test_a_date_condition_that_is_no_date_is_refused(owner, shareable):
    arn = shareable["pool"]
    with pytest.raises(ClientError) as exc:
        share_pool(owner, arn, {"Effect": "Allow", "Principal": {"AWS": FRIEND},
                                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}})
    assert error_of(exc)["Reason"] == "INVALID_PARAMETER" and "takes dates" in str(exc.value)


def test_deny_statements_with_star_not_principal_and_not_action(sim, owner, shareable):
    arn = shareable["pool"]
    policies = sim.region(OWNER, "us-east-1").resource_policies
    allow = {"Effect": "Allow", "Principal": {"AWS": [FRIEND, STRANGER]}}
    share_pool(owner, arn, allow, {"Effect": "Deny", "Principal": "*", "Action": "sms-voice:DeletePool"})
    assert policies.shared_with(FRIEND, arn, "SendTextMessage")
    assert not policies.shared_with(FRIEND, arn, "DeletePool")
    assert sim.region(FRIEND, "us-east-1").resource_policies.shared_with_me("pool")  # still listed
    share_pool(owner, arn, allow, {"Effect": "Deny", "NotPrincipal": {"AWS": FRIEND}})
    assert policies.shared_with(FRIEND, arn, "SendTextMessage")
    assert not policies.shared_with(STRANGER, arn, "SendTextMessage")
    owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": FRIEND}, "NotAction": "sms-voice:Delete*",
         "Resource": arn}]}))
    assert policies.shared_with(FRIEND, arn, "DescribePools")
    assert not policies.shared_with(FRIEND, arn, "DeletePool")


def test_a_friend_sends_through_a_phone_number_shared_by_the_aws_example_shape(sim, owner, shareable):
    """The example's AWS principal named the owner; naming the friend shares for sending."""
    arn = shareable["phone-number"]
    policy = aws_example(arn)
    policy["Statement"][2]["Principal"] = {"AWS": f"arn:aws:iam::{FRIEND}:root"}
    owner.put_resource_policy(ResourceArn=arn, Policy=json.dumps(policy))
    friend = client_of(sim, FRIEND)
    sent = friend.send_text_message(OriginationIdentity=arn, DestinationPhoneNumber="+12065550100",
                                    MessageBody="hi")
    assert sent["MessageId"]
    with pytest.raises(ClientError) as exc:
        friend.send_voice_message(OriginationIdentity=arn, DestinationPhoneNumber="+12065550100",
                                  MessageBody="hi")
    assert error_of(exc)["Code"] == "ResourceNotFoundException"  # SendVoiceMessage: pinpoint only
