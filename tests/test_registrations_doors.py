"""Registrations through the doors users have: the control API's registration routes over
real HTTP (behind the same cross-site guard as every control route), the CLI's
--registration-catalogue, and the send gate on the real send path."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError
from test_registrations import ready_toll_free

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator

from conftest import endpoint_client
from helpers import cli_server, control, run_cli


@pytest.fixture
def sim():
    return Simulator(clock="manual", seed=14)


@pytest.fixture
def url(sim):
    with EndpointServer(simulator_answer(sim)) as srv:
        yield srv.url


def test_the_reviewer_answers_over_http(sim, url):
    client = endpoint_client(url)
    reg_id, _number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    assert control(url, "/_smsvoice/registrations/review",
                   {"RegistrationId": reg_id, "Decision": "deny", "DeniedReasons": ["Vague"]}) == (
        200, {"RegistrationId": reg_id, "RegistrationStatus": "REQUIRES_UPDATES"})
    status, body = control(url, "/_smsvoice/registrations/review",
                           {"RegistrationId": reg_id, "Decision": "approve"})
    assert status == 409 and body["__type"] == "ConflictException"
    assert control(url, "/_smsvoice/registrations/rules",
                   {"RegistrationType": "*", "Decision": "approve", "Times": 2})[0] == 200
    assert control(url, "/_smsvoice/registrations/rules")[1]["rules"][0]["Times"] == 2
    assert control(url, "/_smsvoice/registrations/rules", method="DELETE")[1]["cleared"] == 1
    status, body = control(url, f"/_smsvoice/registrations/events?registrationId={reg_id}")
    assert [e["detail"]["registrationDetails"]["currentStatus"] for e in body["events"]] == [
        "CREATED", "SUBMITTED", "REVIEWING", "REQUIRES_UPDATES"]
    assert control(url, "/_smsvoice/registrations/review", method="GET")[0] == 405
    assert control(url, "/_smsvoice/registrations/nope")[0] == 404
    assert control(url, "/_smsvoice/registrations/review", {"RegistrationId": reg_id})[0] == 400


@pytest.mark.parametrize("headers", [
    {"Content-Type": "text/plain"},
    {"Content-Type": "application/json", "Origin": "https://evil.example"},
    {"Content-Type": "application/json", "Host": "evil.example"},
])
def test_a_web_page_cannot_decide_a_review(sim, url, headers):
    client = endpoint_client(url)
    reg_id, _number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    body = json.dumps({"RegistrationType": "*", "Decision": "deny"}).encode()
    request = urllib.request.Request(url + "/_smsvoice/registrations/rules", data=body,
                                     headers=headers, method="POST")
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(request, timeout=10)
    assert exc.value.code == 403
    assert sim.registrations.rules() == []


def test_cli_loads_a_registration_catalogue(tmp_path):
    seed = Simulator().client()
    documents = [
        seed.describe_registration_type_definitions(RegistrationTypes=["US_TOLL_FREE_REGISTRATION"]),
        seed.describe_registration_section_definitions(RegistrationType="US_TOLL_FREE_REGISTRATION"),
        seed.describe_registration_field_definitions(RegistrationType="US_TOLL_FREE_REGISTRATION"),
    ]
    documents = [json.loads(json.dumps({k: v for k, v in d.items() if k != "ResponseMetadata"},
                                       default=str)) for d in documents]
    documents[0]["RegistrationTypeDefinitions"][0]["RegistrationType"] = "XX_CLI_REGISTRATION"
    documents[1]["RegistrationType"] = documents[2]["RegistrationType"] = "XX_CLI_REGISTRATION"
    path = tmp_path / "forms.json"
    path.write_text(json.dumps(documents))
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                    "--registration-catalogue", str(path)) as (ready, _proc):
        client = endpoint_client(ready.group(1))
        types = {t["RegistrationType"] for t in
                 client.describe_registration_type_definitions()["RegistrationTypeDefinitions"]}
        assert {"XX_CLI_REGISTRATION", "US_TOLL_FREE_REGISTRATION"} <= types
        created = client.create_registration(RegistrationType="XX_CLI_REGISTRATION")
        assert created["RegistrationStatus"] == "CREATED"


def test_cli_refuses_a_catalogue_it_cannot_read(tmp_path):
    missing = tmp_path / "missing.json"
    done = run_cli("simulate", "--listen", "127.0.0.1:0", "--registration-catalogue", str(missing))
    assert done.returncode != 0
    assert "registration catalogue" in done.stderr and "Traceback" not in done.stderr


def test_a_registered_gate_refuses_a_revoked_number(sim, url):
    """The gate hangs on sending.register_send_gate: an ACTIVE toll-free number whose
    registration was revoked may not send, and nothing is recorded."""
    client = endpoint_client(url)
    reg_id, number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    assert sim.registrations.approve(reg_id) == "COMPLETE"
    phone = client.describe_phone_numbers(PhoneNumberIds=[number["PhoneNumberId"]])["PhoneNumbers"][0]
    assert phone["Status"] == "ACTIVE"
    client.send_text_message(OriginationIdentity=number["PhoneNumberId"],
                             DestinationPhoneNumber="+12065550123", MessageBody="registered")
    sim.registrations.revoke(reg_id)
    with pytest.raises(ClientError) as exc:
        client.send_text_message(OriginationIdentity=number["PhoneNumberId"],
                                 DestinationPhoneNumber="+12065550123", MessageBody="revoked")
    assert exc.value.response["Reason"] == "REGISTRATION_NOT_COMPLETE"
    assert [m["MessageBody"] for m in sim.sent_messages()] == ["registered"]


def test_registration_events_join_the_event_log(sim, url):
    client = endpoint_client(url)
    reg_id, number = ready_toll_free(sim, client)
    client.submit_registration_version(RegistrationId=reg_id)
    sim.registrations.approve(reg_id)
    message = client.send_text_message(OriginationIdentity=number["PhoneNumberId"],
                                       DestinationPhoneNumber="+12065550123", MessageBody="hi")
    sim.advance(3600)  # the message's events fall due
    logged = sim.events()
    statuses = [e["detail"]["registrationDetails"]["currentStatus"] for e in logged
                if e.get("detail-type") == "Registration Status Change"]
    assert statuses == ["CREATED", "SUBMITTED", "REVIEWING", "PROVISIONING", "COMPLETE"]
    assert all(e["source"] == "aws.sms-voice" for e in logged if "detail-type" in e)
    assert sim.registration_events(reg_id)[-1] == logged[len(statuses) - 1]
    # Message filters select message events only; EventBridge form keeps registration events as they are.
    assert {e["messageId"] for e in sim.events(message_id=message["MessageId"])} == {message["MessageId"]}
    assert sim.events(destination="+1*") and all("messageId" in e for e in sim.events(destination="+1*"))
    bridged = sim.events(eventbridge=True)
    assert [e for e in bridged if e["detail-type"] == "Registration Status Change"] == logged[:len(statuses)]
    sim.reset()
    assert sim.events() == [] and sim.registration_events() == []
