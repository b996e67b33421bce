"""The AWS SDK for JavaScript v3 (no botocore code) drives create-set -> create-destination ->
send, and the simulator emits the delivery events of that send."""

from __future__ import annotations

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator

from js_runner import needs_node, run_js


@needs_node
def test_javascript_sdk_creates_a_set_and_a_destination_then_sends_through_them():
    sim = Simulator(clock="manual", seed=8)
    with EndpointServer(simulator_answer(sim)) as server:
        out = run_js("client.mjs", "sending", server.url)
    assert out["set"] == {"name": "js-receipts", "createdIsDate": True,
                          "arn": "arn:aws:sms-voice:us-east-1:123456789012:configuration-set/js-receipts"}
    topic = "arn:aws:sns:us-east-1:123456789012:js-events"
    assert out["destination"] == {"EventDestinationName": "sns", "Enabled": True,
                                  "MatchingEventTypes": ["TEXT_ALL"], "SnsDestination": {"TopicArn": topic}}
    assert out["described"] == [["js-receipts", 1]]
    assert (out["missingSet"]["name"], out["missingSet"]["ResourceType"]) == (
        "ResourceNotFoundException", "configuration-set")
    sim.advance(5)
    events = sim.events(message_id=out["messageId"])
    assert [e["eventType"] for e in events] == ["TEXT_SUCCESSFUL", "TEXT_DELIVERED"]
    assert events[0]["context"] == {"sdk": "js"}
    assert sim.events(message_id=out["messageId"], eventbridge=True)[0]["detail-type"] == (
        "Text Message Delivery Status Updated")
