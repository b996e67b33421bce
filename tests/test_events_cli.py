"""Delivery events through the served simulator, as the README shows them: `simulate
--events-endpoint-url` delivering to moto_server, outcomes set and events read over the
control API."""

from __future__ import annotations

import json

import pytest

from conftest import endpoint_client
from helpers import cli_server, control
from moto_stand_in import aws, moto_server_url, topic_into_queue

moto_url = pytest.fixture(moto_server_url)


def test_served_simulator_delivers_to_the_given_endpoint_and_logs_every_event(moto_url):
    topic, queue_url = topic_into_queue(moto_url)
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                    "--events-endpoint-url", moto_url) as (ready, _):
        url = ready.group(1)
        client = endpoint_client(url)
        client.create_configuration_set(ConfigurationSetName="receipts")
        client.create_event_destination(ConfigurationSetName="receipts", EventDestinationName="sns",
                                        MatchingEventTypes=["TEXT_ALL"],
                                        SnsDestination={"TopicArn": topic})
        status, body = control(url, "/_smsvoice/outcomes",
                               {"destination": "+1206555....", "outcome": "TEXT_BLOCKED"})
        assert status == 200 and body["rule"]["outcome"] == "TEXT_BLOCKED"
        sent = client.send_text_message(DestinationPhoneNumber="+12065550123", MessageBody="hi",
                                        ConfigurationSetName="receipts")
        assert control(url, "/_smsvoice/events")[1]["events"] == []  # nothing before time moves
        assert control(url, "/_smsvoice/clock/advance", {"seconds": 1})[0] == 200
        status, view = control(url, f"/_smsvoice/events?messageId={sent['MessageId']}")
        assert status == 200
        assert [e["eventType"] for e in view["events"]] == ["TEXT_BLOCKED"]
        assert view["delivery"]["event-destinations"]["delivered"] == 1
        assert control(url, "/_smsvoice/outcomes", {"outcome": "TEXT_BLOCKED"})[0] == 400
    received = aws("sqs", moto_url).receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
    (message,) = received["Messages"]
    event = json.loads(json.loads(message["Body"])["Message"])
    assert (event["eventType"], event["messageId"]) == ("TEXT_BLOCKED", sent["MessageId"])


def test_events_refuse_real_aws_unless_allowed():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                    "--events-endpoint-url", "https://sns.us-east-1.amazonaws.com") as (ready, proc):
        url = ready.group(1)
        client = endpoint_client(url)
        client.create_configuration_set(ConfigurationSetName="receipts")
        client.create_event_destination(
            ConfigurationSetName="receipts", EventDestinationName="sns", MatchingEventTypes=["ALL"],
            SnsDestination={"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"})
        client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="hi",
                                 ConfigurationSetName="receipts")
        control(url, "/_smsvoice/clock/advance", {"seconds": 1})
        view = control(url, "/_smsvoice/events")[1]
    assert view["events"]
    delivery = view["delivery"]["event-destinations"]
    # Refused before any attempt (a failed attempt would mean it tried real AWS).
    assert (delivery["delivered"], delivery["failed"]) == (0, 0) and delivery["refused"] >= 1, delivery
