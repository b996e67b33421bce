"""What AWS publishes on its own side (issue 22), against moto_server: registration status
changes on EventBridge's default bus (routed by a rule to SQS), the service's CloudWatch
metrics (PutMetricData), and deliveries that land however far simulated time ran from wall
time — a manual clock 30 days ahead, a clock started 30 days back."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from registration_fixtures import BRAND_VALUES, DAY, fill

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.clock import ManualClock

from moto_stand_in import aws, moto_server_url

moto_url = pytest.fixture(moto_server_url)
HANDSET = "+14254147755"  # a US simulator destination: a SIMULATOR number sends only to those
GROUP = "sms-events"


def queue_behind_rule(url: str, pattern: dict) -> str:
    """An SQS queue an EventBridge rule on the default bus feeds: the program's side."""
    sqs, events = aws("sqs", url), aws("events", url)
    queue_url = sqs.create_queue(QueueName="registrations")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="registration-changes", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="registration-changes", Targets=[{"Id": "q", "Arn": arn}])
    return queue_url


def drain(sqs, queue_url: str) -> list[dict]:
    got = []
    for _ in range(20):  # bounded: moto answers at once
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not batch:
            return got
        got += [json.loads(m["Body"]) for m in batch]
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return got


def logs_destination(sim, client, url: str) -> None:
    aws("logs", url).create_log_group(logGroupName=GROUP)
    client.create_configuration_set(ConfigurationSetName="cs")
    client.create_event_destination(
        ConfigurationSetName="cs", EventDestinationName="logs", MatchingEventTypes=["TEXT_ALL"],
        CloudWatchLogsDestination={"IamRoleArn": "arn:aws:iam::123456789012:role/r",
                                   "LogGroupArn": f"arn:aws:logs:us-east-1:123456789012:log-group:{GROUP}"})


def logged(url: str) -> list[dict]:
    found = aws("logs", url).get_log_events(logGroupName=GROUP, logStreamName="smsvoice-sim-events")
    return [json.loads(e["message"]) for e in found["events"]]


def test_a_registration_approved_30_days_on_reaches_a_queue_through_an_eventbridge_rule(moto_url):
    queue_url = queue_behind_rule(moto_url, {"source": ["aws.sms-voice"],
                                             "detail-type": ["Registration Status Change"]})
    sim = Simulator(clock="manual", seed=3, events_endpoint_url=moto_url)
    client = sim.client()
    logs_destination(sim, client, moto_url)
    sim.advance(30 * DAY)
    brand = client.create_registration(RegistrationType="US_TEN_DLC_BRAND_REGISTRATION")["RegistrationId"]
    fill(client, brand, BRAND_VALUES)
    client.submit_registration_version(RegistrationId=brand)
    assert sim.registrations.approve(brand) == "COMPLETE"
    sim.advance(1)
    sent = client.send_text_message(DestinationPhoneNumber=HANDSET, MessageBody="hi",
                                    ConfigurationSetName="cs")["MessageId"]
    sim.advance(5)
    bodies = drain(aws("sqs", moto_url), queue_url)
    statuses = [b["detail"]["registrationDetails"]["currentStatus"] for b in bodies]
    assert statuses[0] == "CREATED" and statuses[-1] == "COMPLETE", statuses
    last = bodies[-1]
    assert (last["source"], last["detail-type"], last["resources"]) == (
        "aws.sms-voice", "Registration Status Change", [last["detail"]["registrationArn"]])
    # The detail keeps simulated time: 30 days ahead of the bus's own `time` (the delivery's).
    changed = last["detail"]["registrationDetails"]["registrationStatusChangeTimestamp"] / 1000
    assert changed - time.time() > 29 * DAY
    # The envelope is the bus's own (docs/guides/two-way.md): PutEvents takes no id and no Time
    # was given, so its id is not the one sim.registration_events() shows, its time not 30 days on.
    kept = sim.registration_events(brand)[-1]
    assert kept["detail"] == last["detail"] and kept["id"] != last["id"]
    assert kept["time"] != last["time"]
    logged_events = logged(moto_url)  # the same advance: the log group has every event
    assert [(e["eventType"], e["messageId"]) for e in logged_events] == [
        ("TEXT_SUCCESSFUL", sent), ("TEXT_DELIVERED", sent)]
    assert logged_events[0]["eventTimestamp"] / 1000 - time.time() > 29 * DAY
    assert sim.messaging.deliverer.stats_view()["eventbridge"]["delivered"] == len(bodies)
    mirrored = [e for e in sim.messaging.log.query() if e["channel"] is None]
    assert [d["delivered"] for e in mirrored for d in e["destinations"]] == [True] * len(bodies)


def test_logs_deliveries_land_from_a_clock_started_30_days_back(moto_url):
    sim = Simulator(clock=ManualClock(start=time.time() - 30 * DAY), events_endpoint_url=moto_url)
    client = sim.client()
    logs_destination(sim, client, moto_url)
    client.send_text_message(DestinationPhoneNumber=HANDSET, MessageBody="hi", ConfigurationSetName="cs")
    sim.advance(5)
    events = logged(moto_url)
    assert [e["eventType"] for e in events] == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    assert time.time() * 1000 - events[0]["eventTimestamp"] > 29 * DAY * 1000  # the record's own time


def received_datapoints(url: str, **dimensions: str) -> list[dict]:
    now = datetime.now(UTC)
    found = aws("cloudwatch", url).get_metric_statistics(
        Namespace="AWS/SMSVoice", MetricName="NumberOfMessagesReceived",
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(hours=1), Period=3600,
        Statistics=["Sum", "SampleCount"])
    return found["Datapoints"]


def test_the_service_metrics_reach_cloudwatch_30_days_ahead(moto_url):
    sim = Simulator(clock="manual", events_endpoint_url=moto_url)
    client = sim.client()
    sim.advance(30 * DAY)
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    client.send_text_message(OriginationIdentity=phone["PhoneNumberId"], DestinationPhoneNumber=HANDSET,
                             MessageBody="hi")
    for body in ("HELP", "hello", "how are you"):
        sim.receive(from_=HANDSET, to=phone["PhoneNumber"], body=body)
    sim.advance(5)
    (by_type,) = received_datapoints(moto_url, OriginationIdentityType="PHONE_NUMBER",
                                     IsoCountryCode="US", MessageType="TEXT")
    assert (by_type["Sum"], by_type["SampleCount"]) == (3.0, 3.0)
    listed = aws("cloudwatch", moto_url).list_metrics(Namespace="AWS/SMSVoice")["Metrics"]
    # Each datum went out twice: without dimensions (the account's total) and with them.
    assert {len(m.get("Dimensions", [])) for m in listed
               if m["MetricName"] == "NumberOfMessagesReceived"} == {0, 3}
    assert {"NumberOfMessagesReceived", "NumberOfTextMessagePartsSent", "NumberOfTextMessagePartsDelivered",
            "TextMessageMonthlySpend"} <= {m["MetricName"] for m in listed}
    stats = sim.messaging.deliverer.stats_view()["metrics"]
    assert stats["delivered"] >= 1 and stats["failed"] == 0
    local = {m["MetricName"]: m for m in sim.metrics() if not m["Dimensions"]}
    assert local["NumberOfMessagesReceived"]["Sum"] == 3.0
    assert local["NumberOfTextMessagePartsSent"]["Sum"] == 2.0  # the send and HELP's response
    assert local["NumberOfTextMessagePartsDelivered"]["Sum"] == 2.0
    assert local["TextMessageMonthlySpend"]["Maximum"] == pytest.approx(2 * 0.00883)
