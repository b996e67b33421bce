"""Registrations through the AWS SDK for JavaScript v3: create -> fill -> submit -> describe,
then the review on the simulator's clock, seen from Python."""

from __future__ import annotations

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator

from js_runner import needs_node, run_js


@needs_node
def test_javascript_sdk_registers_a_toll_free_number():
    # An upload is done by the next call (the script polls for it, as programs do).
    sim = Simulator(clock="manual", seed=9,
                    durations={"registration-attachment:UPLOAD_IN_PROGRESS->UPLOAD_COMPLETE": 0})
    with EndpointServer(simulator_answer(sim)) as server:
        out = run_js("registrations.mjs", server.url)
    assert out["created"]["Status"] == "CREATED" and out["created"]["createdIsDate"]
    invalid = {key: out["invalid"][key] for key in ("name", "status", "Reason")}
    assert invalid == {"name": "ValidationException", "status": 400, "Reason": "INVALID_PARAMETER"}
    assert out["uploadStatus"] == "UPLOAD_IN_PROGRESS"
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
