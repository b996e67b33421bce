"""A seeded random walk over the families issue 15 adds (resource policies, lookups,
Notify, RCS): no answer is a 5xx, and every error leaves the saved state (every family,
idempotency memory, clock) exactly as it was: "check every rule, then change"."""

from __future__ import annotations

import json
import random

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import DEFAULT_ACCOUNT, Simulator
from smsvoice_sim.simulator.wire.errors import ServiceError

# The state-unchanged check of every error answer, shared with test_atomicity.
from atomic import checked_client

DESTINATIONS = ["+33612345678", "+447400123456", "+12065550100", "+821012345678", "+79161234567"]
TEMPLATES = [
    "notify-code-verification-english-001",
    "notify-code-verification-english-002",
    "notify-code-verification-english-000",
    "notify-code-verification-english-003",
    "nope",
]


def _policy(rng: random.Random, arn: str) -> str:
    if rng.random() < 0.2:
        return rng.choice(["{", "[]", '{"Version": "2012-10-17"}', "[" * 4000 + "]" * 4000])
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": rng.choice(["Allow", "Deny"]),
                    "Principal": {"AWS": "222222222222"},
                    "Action": rng.choice(["sms-voice:*", "s3:*"]),
                    "Resource": arn,
                }
            ],
        }
    )


def _step(rng: random.Random, client, sim: Simulator, refs: dict) -> None:
    region = sim.region(DEFAULT_ACCOUNT, "us-east-1")

    def pick(kind, fallback):
        return rng.choice(refs[kind]) if refs[kind] else fallback

    config = pick("configs", "notify-missing")
    agent = pick("agents", "rcs-" + "0" * 32)
    pool = pick("pools", "pool-" + "0" * 32)
    arn = pick("arns", "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-" + "0" * 32)
    variables = rng.choice(
        [{"code": "123456"}] * 4 + [{"code": "12"}, {}, {"code": "1234", "expiryMinutes": "99"}]
    )
    calls = [
        lambda: refs["configs"].append(
            client.create_notify_configuration(
                DisplayName=rng.choice(["Acme", "www shop", "Bank"]),
                UseCase="CODE_VERIFICATION",
                EnabledChannels=rng.choice([["SMS"], ["SMS", "VOICE"], ["MMS"]]),
                **({"PoolId": pool} if rng.random() < 0.3 else {}),
                **({"EnabledCountries": rng.choice([["FR"], ["KR"]])} if rng.random() < 0.3 else {}),
            )["NotifyConfigurationId"]
        ),
        lambda: client.update_notify_configuration(
            NotifyConfigurationId=config,
            EnabledChannels=rng.choice([["SMS"], ["VOICE"], ["RCS"]]),
            DeletionProtectionEnabled=rng.random() < 0.3,
            **({"PoolId": rng.choice([pool, "UNSET_DEFAULT_POOL_FOR_NOTIFY"])} if rng.random() < 0.4 else {}),
            **({"DefaultTemplateId": rng.choice(TEMPLATES)} if rng.random() < 0.4 else {}),
        ),
        lambda: client.delete_notify_configuration(NotifyConfigurationId=config),
        lambda: client.send_notify_text_message(
            NotifyConfigurationId=config,
            DestinationPhoneNumber=rng.choice(DESTINATIONS),
            TemplateVariables=variables,
            DryRun=rng.random() < 0.2,
            **({"TemplateId": rng.choice(TEMPLATES)} if rng.random() < 0.4 else {}),
        ),
        lambda: client.send_notify_text_message(
            NotifyConfigurationId=config, DestinationPhoneNumber=DESTINATIONS[0], TemplateVariables=variables
        ),
        lambda: client.send_notify_voice_message(
            NotifyConfigurationId=config,
            DestinationPhoneNumber=rng.choice(DESTINATIONS),
            TemplateVariables=variables,
            VoiceId=rng.choice(["JOANNA", "HANS"]),
        ),
        lambda: refs["agents"].append(
            client.create_rcs_agent(
                DeletionProtectionEnabled=rng.random() < 0.2,
                OptOutListName=rng.choice(["Default", "missing"]),
            )["RcsAgentId"]
        ),
        lambda: client.update_rcs_agent(
            RcsAgentId=agent,
            TwoWayEnabled=rng.random() < 0.5,
            DeletionProtectionEnabled=rng.random() < 0.2,
            OptOutListName=rng.choice(["Default", "missing"]),
        ),
        lambda: client.delete_rcs_agent(RcsAgentId=agent),
        lambda: region.rcs_agents.submit_testing(agent, "registration-t"),
        lambda: region.rcs_agents.submit_country_launch(agent, rng.choice(["US", "FR"]), "registration-l"),
        lambda: region.rcs_agents.join_pool(agent, pool),
        lambda: client.send_rcs_message(
            DestinationPhoneNumber=rng.choice(DESTINATIONS),
            OriginationIdentity=rng.choice([agent, pool]),
            RcsMessageContent=rng.choice([{"Content": {"TextMessage": {"Body": "hi"}}}, {"Content": {}}]),
        ),
        lambda: client.put_resource_policy(ResourceArn=arn, Policy=_policy(rng, arn)),
        lambda: client.get_resource_policy(ResourceArn=arn),
        lambda: client.delete_resource_policy(ResourceArn=arn),
        lambda: client.carrier_lookup(
            PhoneNumber=rng.choice(DESTINATIONS + ["+1-------", "+44 (0) 7400 123456"]),
            EnableCleansing=rng.random() < 0.5,
        ),
        lambda: client.list_available_phone_numbers(
            IsoCountryCode=rng.choice(["US", "GB"]),
            NumberCapabilities=["SMS"],
            NumberType="TEN_DLC",
            MaxResults=rng.randrange(1, 11),
        ),
        lambda: sim.advance(rng.choice([0, 5, 60, 86400])),
    ]
    try:
        rng.choice(calls)()
    except (ClientError, ServiceError):
        pass


@pytest.mark.parametrize("seed", range(3))
def test_a_random_walk_gets_no_5xx_and_every_error_changes_nothing(seed):
    sim, failures = Simulator(clock="manual", seed=seed), []
    client = checked_client(sim, failures)
    phone = client.request_phone_number(
        IsoCountryCode="US",
        MessageType="TRANSACTIONAL",
        NumberCapabilities=["SMS", "VOICE"],
        NumberType="LONG_CODE",
    )
    sim.force_transition(phone["PhoneNumberId"])
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.force_transition(pool["PoolId"])
    lists = client.describe_opt_out_lists()["OptOutLists"]
    refs = {
        "configs": [],
        "agents": [],
        "pools": [pool["PoolId"]],
        "arns": [pool["PoolArn"], phone["PhoneNumberArn"], lists[0]["OptOutListArn"]],
    }
    rng = random.Random(seed)
    for _ in range(300):
        _step(rng, client, sim, refs)
    assert failures == []
