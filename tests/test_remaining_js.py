"""The AWS SDK for JavaScript v3 (a client sharing no code with botocore) drives one
operation of each family issue 15 adds: lookups, resource policies, Notify, RCS."""

from __future__ import annotations

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator

from js_runner import needs_node, run_js


@needs_node
def test_javascript_sdk_drives_lookups_policies_notify_and_rcs():
    sim = Simulator(clock="instant", seed=5)  # Notify configurations are ACTIVE at once
    with EndpointServer(simulator_answer(sim)) as server:
        out = run_js("remaining.mjs", server.url)
    assert (out["lookup"]["IsoCountryCode"], out["lookup"]["PhoneNumberType"]) == ("FR", "MOBILE")
    assert out["policy"]["Policy"] == "{}"
    assert "424242" in out["sent"]["ResolvedMessageBody"]
    assert out["agents"]["RcsAgents"][0]["Status"] == "CREATED"
    missing = {key: out["missing"][key] for key in ("name", "status", "ResourceType", "ResourceId")}
    assert missing == {"name": "ResourceNotFoundException", "status": 400, "ResourceType": "rcs-agent",
                       "ResourceId": "rcs-00000000000000000000000000000000"}
    assert [m["Operation"] for m in sim.sent_messages()] == ["SendNotifyTextMessage"]
