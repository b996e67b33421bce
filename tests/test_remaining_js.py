"""The AWS SDK for JavaScript v3 (a client sharing no code with botocore) drives one
operation of each family issue 15 adds: lookups, resource policies, Notify, RCS."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator

from helpers import ROOT

JS = ROOT / "tests" / "js"
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed on this machine")
def test_javascript_sdk_drives_lookups_policies_notify_and_rcs():
    if not (JS / "node_modules" / "@aws-sdk" / "client-pinpoint-sms-voice-v2").exists():
        pytest.fail("the AWS SDK for JavaScript is not installed: `make test` runs "
                    "`npm ci --prefix tests/js` first")
    sim = Simulator(clock="instant", seed=5)  # Notify configurations are ACTIVE at once
    with EndpointServer(simulator_answer(sim)) as server:
        done = subprocess.run([NODE, str(JS / "remaining.mjs"), server.url], capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["lookup"]["IsoCountryCode"], out["lookup"]["PhoneNumberType"]) == ("FR", "MOBILE")
    assert out["policy"]["Policy"] == "{}"
    assert "424242" in out["sent"]["ResolvedMessageBody"]
    assert out["agents"]["RcsAgents"][0]["Status"] == "CREATED"
    assert out["missing"] == {"name": "ResourceNotFoundException", "ResourceType": "rcs-agent",
                              "ResourceId": "rcs-00000000000000000000000000000000"}
    assert [m["Operation"] for m in sim.sent_messages()] == ["SendNotifyTextMessage"]
