"""A failing operation changes nothing, and a valid sequence never gets a 5xx.

`checked_client` (tests/atomic.py) answers every request through the simulator and, for
every error, checks the whole saved state (every family, idempotency memory, clock) is what
it was before the request: the rule every family follows is "check every rule, then
change". A seeded walk of mixed operations over real resources drives it.
"""

from __future__ import annotations

import random

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator

from atomic import checked_client


def test_pending_number_requested_into_a_pool_then_pool_deleted():
    # Found by a random walk: a PENDING member made DeletePool answer 500 after it had
    # already emptied the pool.
    sim, failures = Simulator(clock="manual", seed=2), []
    client = checked_client(sim, failures)
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    sim.force_transition(phone["PhoneNumberId"])
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"], MessageType="TRANSACTIONAL")
    sim.force_transition(pool["PoolId"])
    sim.advance(0)
    pending = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                          NumberCapabilities=["SMS"], NumberType="LONG_CODE",
                                          PoolId=pool["PoolId"])
    assert pending["Status"] == "PENDING" and pending["PoolId"] == pool["PoolId"]
    client.disassociate_origination_identity(PoolId=pool["PoolId"],
                                             OriginationIdentity=pending["PhoneNumberId"])
    second = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                         NumberCapabilities=["SMS"], NumberType="LONG_CODE",
                                         PoolId=pool["PoolId"])
    assert client.delete_pool(PoolId=pool["PoolId"])["Status"] == "DELETING"
    numbers = {p["PhoneNumberId"]: p for p in client.describe_phone_numbers()["PhoneNumbers"]}
    assert "PoolId" not in numbers[second["PhoneNumberId"]]
    assert numbers[second["PhoneNumberId"]]["Status"] == "PENDING"  # its activation carries on
    sim.advance(5)
    numbers = {p["PhoneNumberId"]: p for p in client.describe_phone_numbers()["PhoneNumbers"]}
    assert {p["Status"] for p in numbers.values()} == {"ACTIVE"}
    assert failures == []


def test_the_checked_client_reports_a_5xx_and_an_error_that_changed_state():
    sim, failures = Simulator(clock="manual", seed=1), []
    client = checked_client(sim, failures)
    sim.faults.add("DescribePools", "InternalServerException", count=1)
    with pytest.raises(ClientError):
        client.describe_pools()
    assert len(failures) == 1 and failures[0].startswith("500:"), failures
    # A listener runs inside the request: one that moves the clock on an error is a change.
    sim.listeners.append(lambda op, request, response: response.status != 200 and sim.advance(1))
    with pytest.raises(ClientError):
        client.delete_pool(PoolId="pool-00000000000000000000000000000000")
    assert len(failures) == 2 and "ResourceNotFoundException changed state" in failures[1], failures


def test_a_failing_update_changes_nothing():
    # UpdatePool used to set the opt-out list before finding TwoWayEnabled lacks a channel.
    sim, failures = Simulator(clock="instant", seed=3), []
    client = checked_client(sim, failures)
    client.create_opt_out_list(OptOutListName="other")
    sender = client.request_sender_id(SenderId="ATOM", IsoCountryCode="GB")
    pool = client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="TRANSACTIONAL")
    with pytest.raises(ClientError):
        client.update_pool(PoolId=pool["PoolId"], OptOutListName="other", TwoWayEnabled=True)
    assert client.describe_pools()["Pools"][0]["OptOutListName"] == "Default"
    assert failures == []


REFS = {"pools": [], "phones": [], "senders": [], "lists": ["Default"], "sets": []}
TOPIC = {"TopicArn": "arn:aws:sns:us-east-1:123456789012:events"}
LOGS = {"IamRoleArn": "arn:aws:iam::123456789012:role/r",
        "LogGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:events"}


def _step(rng: random.Random, client, sim: Simulator, refs: dict) -> None:
    pick = lambda kind, fallback: rng.choice(refs[kind]) if refs[kind] else fallback  # noqa: E731
    pool, phone = pick("pools", "pool-" + "0" * 32), pick("phones", "phone-" + "0" * 32)
    sender = pick("senders", "arn:aws:sms-voice:us-east-1:123456789012:sender-id/NONE/US")
    cset = pick("sets", "C9")
    action = rng.randrange(22)
    calls = [
        lambda: refs["phones"].append(client.request_phone_number(
            IsoCountryCode="US", MessageType=rng.choice(["TRANSACTIONAL", "PROMOTIONAL"]),
            NumberCapabilities=["SMS"], NumberType=rng.choice(["LONG_CODE", "SIMULATOR"]),
            **({"PoolId": pool} if rng.random() < 0.4 else {}))["PhoneNumberId"]),
        lambda: refs["senders"].append(client.request_sender_id(
            SenderId=f"S{rng.randrange(30)}", IsoCountryCode="US")["SenderIdArn"]),
        lambda: refs["pools"].append(client.create_pool(
            OriginationIdentity=rng.choice([phone, sender]), MessageType="TRANSACTIONAL")["PoolId"]),
        lambda: client.delete_pool(PoolId=pool),
        lambda: client.associate_origination_identity(PoolId=pool,
                                                      OriginationIdentity=rng.choice([phone, sender])),
        lambda: client.disassociate_origination_identity(PoolId=pool,
                                                         OriginationIdentity=rng.choice([phone, sender])),
        lambda: client.update_pool(PoolId=pool, OptOutListName=rng.choice(refs["lists"] + ["nope"]),
                                   TwoWayEnabled=rng.random() < 0.5,
                                   DeletionProtectionEnabled=rng.random() < 0.2),
        lambda: client.update_phone_number(PhoneNumberId=phone, TwoWayEnabled=rng.random() < 0.5,
                                           OptOutListName=rng.choice(refs["lists"])),
        lambda: client.release_phone_number(PhoneNumberId=phone),
        lambda: client.release_sender_id(SenderId=sender.rsplit("/", 2)[-2], IsoCountryCode="US"),
        lambda: client.put_keyword(OriginationIdentity=rng.choice([pool, phone]),
                                   Keyword=f"K{rng.randrange(5)}", KeywordMessage="m"),
        lambda: client.delete_keyword(OriginationIdentity=rng.choice([pool, phone]),
                                      Keyword=rng.choice(["K1", "STOP"])),
        lambda: refs["lists"].append(client.create_opt_out_list(
            OptOutListName=f"L{rng.randrange(4)}")["OptOutListName"]),
        lambda: client.delete_opt_out_list(OptOutListName=rng.choice(refs["lists"])),
        lambda: client.send_text_message(DestinationPhoneNumber="+12065550100",
                                         OriginationIdentity=rng.choice([pool, phone, sender])),
        lambda: sim.advance(rng.choice([0, 1, 5])),
        lambda: refs["sets"].append(client.create_configuration_set(
            ConfigurationSetName=f"C{rng.randrange(4)}")["ConfigurationSetName"]),
        lambda: client.delete_configuration_set(ConfigurationSetName=cset),
        lambda: client.create_event_destination(
            ConfigurationSetName=cset, EventDestinationName=f"D{rng.randrange(7)}",
            MatchingEventTypes=rng.choice([["ALL"], ["TEXT_SENT"]]), SnsDestination=TOPIC,
            **({"CloudWatchLogsDestination": LOGS} if rng.random() < 0.2 else {})),
        lambda: client.update_event_destination(
            ConfigurationSetName=cset, EventDestinationName=f"D{rng.randrange(7)}",
            Enabled=rng.random() < 0.5, MatchingEventTypes=rng.choice([["TEXT_DELIVERED"], ["TEXT_SENT"]]),
            **({"CloudWatchLogsDestination": LOGS} if rng.random() < 0.3 else {})),
        lambda: client.delete_default_message_type(ConfigurationSetName=cset) if rng.random() < 0.5
        else client.set_default_message_type(ConfigurationSetName=cset, MessageType="PROMOTIONAL"),
        lambda: client.send_text_message(DestinationPhoneNumber="+12065550100", ConfigurationSetName=cset,
                                         OriginationIdentity=rng.choice([pool, phone, sender]),
                                         MaxPrice=rng.choice(["0.00001", "1"])),
    ]
    try:
        calls[action]()
    except ClientError:
        pass


@pytest.mark.parametrize("seed", range(4))
def test_a_random_walk_gets_no_5xx_and_every_error_changes_nothing(seed):
    sim, failures = Simulator(clock="manual", seed=seed), []
    client = checked_client(sim, failures)
    rng = random.Random(seed)
    refs = {k: list(v) for k, v in REFS.items()}
    for _ in range(250):
        _step(rng, client, sim, refs)
    assert failures == []
