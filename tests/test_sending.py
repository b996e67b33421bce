"""The send path: the gates and hooks families declare on it, prices, and every Send*
parameter acting as AWS says."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.families import Family
from smsvoice_sim.simulator.messaging import prices
from smsvoice_sim.simulator.messaging.send import register_after_send, register_send_gate, unregister
from smsvoice_sim.simulator.wire.errors import conflict

from helpers import control_answer


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=5)


@pytest.fixture
def client(sim):
    return sim.client(region_name="us-east-1")


def _error(excinfo) -> dict:
    return excinfo.value.response["Error"]


class Watching(Family):
    """A family of a test's own that declares a gate (refusing GB) and an after-send hook."""

    name = "watching"
    seen: list = []
    charged: list = []

    def check_send(self, send) -> None:
        self.seen.append((send.channel, send.destination, send.iso_country_code, send.dry_run))
        if send.iso_country_code == "GB":
            raise conflict("DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION", "protect-configuration",
                           "protect-x", "blocked")

    def after_send(self, sent) -> None:
        self.charged.append((sent.message_id, sent.send.price, self.region.account, sent.message.state))


@pytest.fixture
def watching():
    Watching.seen, Watching.charged = [], []
    sim = Simulator(clock="manual", seed=5, families=(Watching,))
    return sim, sim.client()


def test_a_declared_gate_refuses_a_send_with_its_error_and_nothing_is_recorded(watching):
    sim, client = watching
    with pytest.raises(ClientError) as excinfo:
        client.send_text_message(DestinationPhoneNumber="+447700900123", MessageBody="hi")
    assert _error(excinfo)["Code"] == "ConflictException"
    assert excinfo.value.response["Reason"] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    assert sim.sent_messages() == []
    client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
    assert len(sim.sent_messages()) == 1
    assert Watching.seen == [("TEXT", "+447700900123", "GB", False), ("TEXT", "+12065550100", "US", False)]


def test_a_declared_after_send_hook_sees_each_real_send_with_its_price_but_not_dry_runs(watching):
    sim, client = watching
    sent = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
    client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi", DryRun=True)
    assert Watching.charged == [(sent["MessageId"], prices.price_of("TEXT", "US", "hi"), "123456789012",
                                 "QUEUED")]


def test_the_deprecated_registration_still_works_for_one_release(sim, client):
    seen = []

    def gate(backend, send):
        seen.append(("gate", backend.account, send.destination))

    def hook(backend, message):
        seen.append(("hook", backend.account, message.message_id))

    with pytest.warns(DeprecationWarning, match="check_send"):
        register_send_gate(gate)
        register_send_gate(gate)  # twice is one registration
        register_after_send(hook)
    try:
        sent = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
    finally:
        unregister(gate)
        unregister(hook)
    assert seen == [("gate", "123456789012", "+12065550100"), ("hook", "123456789012", sent["MessageId"])]
    client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="hi")
    assert len(seen) == 2


def test_an_instant_clock_delivers_at_once_and_reset_forgets_the_log():
    sim = Simulator(clock="instant")
    sim.client().send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x")
    assert [e["eventType"] for e in sim.events()] == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    sim.reset()
    assert sim.events() == []


def test_the_events_route_filters_and_outcome_bodies_are_checked(sim, client):
    status, body = control_answer(sim, "POST", "/_smsvoice/outcomes",
                                  {"destination": "+1206555....", "outcome": "TEXT_BLOCKED"})
    assert (status, body["rule"]) == (200, {"destination": "+1206555....", "outcome": "TEXT_BLOCKED",
                                            "share": 1.0})
    for bad in ({"destination": "+1"}, {"destination": "x", "outcome": "TEXT_BLOCKED"}, [1]):
        assert control_answer(sim, "POST", "/_smsvoice/outcomes", bad)[0] == 400
    blocked = client.send_text_message(DestinationPhoneNumber="+12065550100", MessageBody="x")["MessageId"]
    client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x")
    sim.advance(5)
    view = control_answer(sim, "GET", "/_smsvoice/events?type=TEXT_BLOCKED")[1]
    assert [e["messageId"] for e in view["events"]] == [blocked]
    assert view["outcomes"]["rules"][0]["outcome"] == "TEXT_BLOCKED"
    assert len(control_answer(sim, "GET", "/_smsvoice/events?destination=%2B14254147755")[1]["events"]) == 2
    bridged = control_answer(sim, "GET", f"/_smsvoice/events?messageId={blocked}&format=eventbridge")[1]
    assert bridged["events"][0]["detail"]["eventType"] == "TEXT_BLOCKED"
    assert bridged["events"][0]["source"] == "aws.sms-voice"
    control_answer(sim, "POST", "/_smsvoice/outcomes", {"clear": True})
    assert sim.messaging.outcomes.rules == []


def test_replay_then_simulate_adopts_configuration_sets_and_destinations(sim, client):
    import json
    arn = "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/recorded"
    sim.adopt("CreateConfigurationSet", b'{"ConfigurationSetName": "recorded"}', 200, json.dumps(
        {"ConfigurationSetArn": arn, "ConfigurationSetName": "recorded", "CreatedTimestamp": 1.7e9}).encode())
    sim.adopt("CreateEventDestination", b"{}", 200, json.dumps(
        {"ConfigurationSetArn": arn, "ConfigurationSetName": "recorded", "EventDestination": {
            "EventDestinationName": "sns", "Enabled": True, "MatchingEventTypes": ["ALL"],
            "SnsDestination": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}}).encode())
    info = client.describe_configuration_sets()["ConfigurationSets"][0]
    assert (info["ConfigurationSetArn"], info["EventDestinations"][0]["EventDestinationName"]) == (arn, "sns")
    client.send_text_message(DestinationPhoneNumber="+14254147755", MessageBody="x",
                             ConfigurationSetName="recorded")
    sim.advance(1)
    assert sim.events()[0]["eventType"] == "TEXT_SUCCESSFUL"
    sim.adopt("DeleteConfigurationSet", b"{}", 200, json.dumps(
        {"ConfigurationSetArn": arn, "ConfigurationSetName": "recorded"}).encode())
    assert client.describe_configuration_sets()["ConfigurationSets"] == []
