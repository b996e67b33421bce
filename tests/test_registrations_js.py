"""Registrations through the AWS SDK for JavaScript v3: create -> fill -> submit -> describe,
then the review on the simulator's clock, seen from Python."""

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
def test_javascript_sdk_registers_a_toll_free_number():
    if not (JS / "node_modules" / "@aws-sdk" / "client-pinpoint-sms-voice-v2").exists():
        pytest.fail(
            "the AWS SDK for JavaScript is not installed: `make test` runs `npm ci --prefix tests/js` first"
        )
    sim = Simulator(clock="manual", seed=9)
    with EndpointServer(simulator_answer(sim)) as server:
        result = subprocess.run(
            [NODE, str(JS / "registrations.mjs"), server.url], capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["created"]["Status"] == "CREATED" and out["created"]["createdIsDate"]
    assert out["invalid"] == {"name": "ValidationException", "Reason": "INVALID_PARAMETER"}
    assert out["submitted"] == {"VersionNumber": 1, "Status": "SUBMITTED", "AwsReview": False}
    assert out["described"] == [
        {"RegistrationId": out["created"]["RegistrationId"], "Status": "SUBMITTED", "CurrentVersionNumber": 1}
    ]
    assert out["history"] == ["DraftTimestamp", "SubmittedTimestamp"]
    sim.advance(10 * 86_400)
    client = sim.client()
    registration = client.describe_registrations(RegistrationIds=[out["created"]["RegistrationId"]])
    assert registration["Registrations"][0]["RegistrationStatus"] == "COMPLETE"
    phone = client.describe_phone_numbers(PhoneNumberIds=[out["phoneNumberId"]])["PhoneNumbers"][0]
    assert phone["Status"] == "ACTIVE"
