"""The send gates through the doors users open: `smsvoice-sim simulate --account-tier`, and the
control routes /_smsvoice/account-tier, /_smsvoice/verification-codes and
/_smsvoice/protect-filters over real HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator

from conftest import endpoint_client
from helpers import cli_server, control, run_cli

DESTINATION = "+12065550142"


def tier_of(client) -> str:
    attributes = client.describe_account_attributes()["AccountAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "ACCOUNT_TIER")


def test_the_cli_starts_a_sandboxed_account_and_the_control_api_verifies_a_number():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual", "--seed", "3",
                    "--account-tier", "SANDBOX") as (ready, _):
        url = ready.group(1)
        client = endpoint_client(url)
        assert tier_of(client) == "SANDBOX"
        phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="LONG_CODE")
        assert control(url, "/_smsvoice/transitions/force",
                       {"ResourceId": phone["PhoneNumberId"]})[0] == 200
        with pytest.raises(ClientError) as refused:
            client.send_text_message(DestinationPhoneNumber=DESTINATION, MessageBody="hi")
        assert refused.value.response["Reason"] == "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"

        vid = client.create_verified_destination_number(
            DestinationPhoneNumber=DESTINATION)["VerifiedDestinationNumberId"]
        sent = client.send_destination_number_verification_code(
            VerifiedDestinationNumberId=vid, VerificationChannel="TEXT")
        # `+` escaped as a query wants it, and left bare as people type it: both find the code.
        for query in ("%2B12065550142", "+12065550142"):
            status, body = control(url, f"/_smsvoice/verification-codes?number={query}")
            assert status == 200 and len(body["verification_codes"]) == 1, (query, body)
        code = body["verification_codes"][0]["VerificationCode"]
        messages = control(url, "/_smsvoice/messages")[1]["messages"]
        assert [m["MessageBody"] for m in messages if m["MessageId"] == sent["MessageId"]] == [
            f"Your verification code is {code}"]
        client.verify_destination_number(VerifiedDestinationNumberId=vid, VerificationCode=code)
        assert client.send_text_message(DestinationPhoneNumber=DESTINATION, MessageBody="hi")["MessageId"]

        assert control(url, "/_smsvoice/account-tier", {"tier": "PRODUCTION"}) == (
            200, {"tier": "PRODUCTION", "account": "123456789012", "region": None})
        assert tier_of(client) == "PRODUCTION"
        client.send_text_message(DestinationPhoneNumber="+12065550199", MessageBody="anyone")


def test_the_cli_refuses_an_unknown_tier_in_one_line():
    result = run_cli("simulate", "--listen", "127.0.0.1:0", "--account-tier", "GOLD")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--account-tier" in result.stderr


@pytest.fixture
def served():
    sim = Simulator(clock="manual", seed=9)
    with EndpointServer(simulator_answer(sim)) as srv:
        yield sim, srv.url


def test_the_tier_route_sets_one_account_in_one_region_and_refuses_bad_bodies(served):
    sim, url = served
    assert control(url, "/_smsvoice/account-tier",
                   {"tier": "SANDBOX", "account": "111122223333", "region": "eu-west-1"})[0] == 200
    assert sim.account_tier("111122223333", "eu-west-1") == "SANDBOX"
    assert sim.account_tier("111122223333", "us-east-1") == "PRODUCTION"
    assert sim.account_tier() == "PRODUCTION"
    for bad in ({}, {"tier": "GOLD"}, {"tier": "SANDBOX", "account": 1234}, {"tier": "SANDBOX",
                                                                             "region": ["x"]}):
        assert control(url, "/_smsvoice/account-tier", bad)[0] == 400, bad
    assert control(url, "/_smsvoice/account-tier", method="GET")[0] == 405


def test_the_protect_filter_route_makes_a_filtered_text_end_protect_blocked(served):
    sim, url = served
    client = endpoint_client(url)
    pid = client.create_protect_configuration()["ProtectConfigurationId"]
    client.set_account_default_protect_configuration(ProtectConfigurationId=pid)
    client.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=pid, NumberCapability="SMS",
        CountryRuleSetUpdates={"US": {"ProtectStatus": "FILTER"}})
    assert control(url, "/_smsvoice/protect-filters", {"body": "(?i)prize"}) == (
        200, {"destination": None, "body": "(?i)prize"})
    for bad in ({}, {"body": "("}, {"destination": 5}, {"body": "x", "account": 7}):
        assert control(url, "/_smsvoice/protect-filters", bad)[0] == 400, bad
    suspicious = client.send_text_message(DestinationPhoneNumber=DESTINATION, MessageBody="a PRIZE")
    fine = client.send_text_message(DestinationPhoneNumber=DESTINATION, MessageBody="hello")
    sim.advance(3600)
    assert sim.events(message_id=suspicious["MessageId"])[-1]["eventType"] == "TEXT_PROTECT_BLOCKED"
    assert sim.events(message_id=fine["MessageId"])[-1]["eventType"] == "TEXT_DELIVERED"


@pytest.mark.parametrize(("path", "body"), [
    ("/_smsvoice/outcomes", {"destination": "+1206555....", "outcome": "TEXT_BLOCKED", "Share": 0.5}),
    ("/_smsvoice/outcomes", {"clear": True, "destination": "+1206555...."}),
    ("/_smsvoice/outcomes", {"clear": "yes"}),
    ("/_smsvoice/account-tier", {"tier": "SANDBOX", "acount": "111122223333"}),
    ("/_smsvoice/protect-filters", {"body": "(?i)prize", "Region": "eu-west-1"}),
])
def test_a_misspelt_key_is_refused_not_silently_ignored(served, path, body):
    sim, url = served
    status, answer = control(url, path, body)
    assert status == 400, answer
    assert "unknown" in answer["error"] or "clear" in answer["error"], answer
    assert sim.messaging.outcomes.rules == [] and sim.account_tier() == "PRODUCTION"
    assert all(not b.protect_configurations.filters for b in sim.regions.values())


@pytest.mark.parametrize("body", [
    {"account": "abc", "region": "us-east-1"},
    {"account": "12345678901", "region": "us-east-1"},
    {"account": "１２３４５６７８９０１２", "region": "us-east-1"},  # digits, but not ASCII ones
    {"account": "111122223333", "region": "zz-nowhere-9"},
    {"region": "zz-nowhere-9"},
])
@pytest.mark.parametrize("path", ["/_smsvoice/account-tier", "/_smsvoice/protect-filters"])
def test_the_control_api_makes_no_account_or_region_the_service_would_refuse(served, path, body):
    sim, url = served
    what = {"tier": "SANDBOX"} if path.endswith("tier") else {"body": "(?i)prize"}
    status, answer = control(url, path, {**what, **body})
    assert status == 400, answer
    assert ("account" if "account" in body and body["account"] != "111122223333" else "region") \
        in answer["error"], answer
    assert set(sim.regions) <= {("123456789012", "us-east-1")}
    assert sim.gate_settings.tiers.settings == {}


def test_an_allowed_extra_region_and_a_12_digit_account_are_taken():
    sim = Simulator(clock="manual", extra_regions=("xx-test-1",))
    sim.add_protect_filter(body="(?i)prize", account="111122223333", region="xx-test-1")
    sim.set_account_tier("SANDBOX", "111122223333", "xx-test-1")
    assert sim.account_tier("111122223333", "xx-test-1") == "SANDBOX"
    with pytest.raises(ValueError, match="region"):
        sim.set_account_tier("SANDBOX", "111122223333", "zz-nowhere-9")
