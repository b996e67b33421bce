"""The sandbox: verified destination numbers, their codes, and the gate on every send."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.engine.quotas import DEFAULT_QUOTAS
from smsvoice_sim.simulator.gates import sandbox

from conftest import active_phone
from families_fixtures import reason
from helpers import control_answer

DEST = "+12065550142"
US_SUCCESS_SIMULATOR = "+14254147755"


def test_a_sandboxed_account_verifies_a_number_then_sends(door):
    sim, make = door
    client = make(region_name="us-east-1")
    sim.set_account_tier("SANDBOX")
    phone = active_phone(sim, client)
    attributes = client.describe_account_attributes()["AccountAttributes"]
    assert {"Name": "ACCOUNT_TIER", "Value": "SANDBOX"} in attributes

    with pytest.raises(ClientError) as refused:
        client.send_text_message(DestinationPhoneNumber=DEST, MessageBody="hello")
    assert reason(refused) == ("ConflictException", "DESTINATION_PHONE_NUMBER_NOT_VERIFIED")
    assert refused.value.response["ResourceType"] == "verified-destination-number"

    created = client.create_verified_destination_number(DestinationPhoneNumber=DEST)
    vid = created["VerifiedDestinationNumberId"]
    assert created["Status"] == "PENDING" and vid.startswith("vdn-") and len(vid) == 36
    assert created["VerifiedDestinationNumberArn"].endswith(f":verified-destination-number/{vid}")

    sent = client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                             VerificationChannel="TEXT")
    code = sim.verification_code(DEST)
    assert code is not None and len(code) == sandbox.CODE_DIGITS and code.isdigit()
    # The code went out as a message from the account's own number, like any sent message.
    message = next(m for m in sim.sent_messages() if m["MessageId"] == sent["MessageId"])
    assert message["DestinationPhoneNumber"] == DEST and code in message["MessageBody"]
    assert message["OriginationIdentity"] == phone["PhoneNumber"]

    wrong = "0" * sandbox.CODE_DIGITS if code != "0" * sandbox.CODE_DIGITS else "1" * 6
    with pytest.raises(ClientError) as mismatch:
        client.verify_destination_number(VerifiedDestinationNumberId=vid, VerificationCode=wrong)
    assert reason(mismatch) == ("ValidationException", "VERIFICATION_CODE_MISMATCH")

    verified = client.verify_destination_number(VerifiedDestinationNumberId=vid,
                                                VerificationCode=code)
    assert verified["Status"] == "VERIFIED"
    assert client.send_text_message(DestinationPhoneNumber=DEST, MessageBody="hello")["MessageId"]

    for again in (lambda: client.verify_destination_number(VerifiedDestinationNumberId=vid,
                                                           VerificationCode=code),
                  lambda: client.send_destination_number_verification_code(
                      VerifiedDestinationNumberId=vid, VerificationChannel="TEXT")):
        with pytest.raises(ClientError) as done:
            again()
        assert reason(done) == ("ConflictException", "VERIFICATION_ALREADY_COMPLETE")


def test_the_default_tier_is_production_and_sends_anywhere(client):
    attributes = client.describe_account_attributes()["AccountAttributes"]
    assert attributes == [{"Name": "ACCOUNT_TIER", "Value": "PRODUCTION"}]
    assert client.send_text_message(DestinationPhoneNumber=DEST, MessageBody="hi")["MessageId"]


def test_the_sandbox_is_one_keyword_away_and_per_account_and_region():
    sim = Simulator(account_tier="SANDBOX", accounts={"AKIAOTHERACCOUNT0000": "210987654321"})
    client = sim.client(region_name="us-east-1")
    other = sim.client(region_name="us-east-1", aws_access_key_id="AKIAOTHERACCOUNT0000",
                       aws_secret_access_key="x")
    sim.set_account_tier("PRODUCTION", account="210987654321", region="us-east-1")
    with pytest.raises(ClientError) as refused:
        client.send_text_message(DestinationPhoneNumber=DEST, MessageBody="hi")
    assert reason(refused)[1] == "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"
    assert other.send_text_message(DestinationPhoneNumber=DEST, MessageBody="hi")["MessageId"]
    assert sim.account_tier("210987654321", "eu-west-1") == "SANDBOX"
    with pytest.raises(ValueError, match="unknown account tier"):
        Simulator(account_tier="GOLD")


def test_aws_simulator_numbers_need_no_verification(sim, client):
    sim.set_account_tier("SANDBOX")
    for number in (US_SUCCESS_SIMULATOR, "+14254147167", "+61455944038"):
        assert client.send_text_message(DestinationPhoneNumber=number, MessageBody="x")


def test_the_eleventh_number_is_over_the_quota(sim, client):
    for i in range(10):
        client.create_verified_destination_number(DestinationPhoneNumber=f"+120655501{i:02d}")
    limits = {x["Name"]: x for x in client.describe_account_limits()["AccountLimits"]}
    assert limits["VERIFIED_DESTINATION_NUMBERS"]["Used"] == 10
    with pytest.raises(ClientError) as over:
        client.create_verified_destination_number(DestinationPhoneNumber="+12065550199")
    assert reason(over) == ("ServiceQuotaExceededException",
                            "VERIFIED_DESTINATION_NUMBERS_PER_ACCOUNT")


def test_a_code_expires_and_only_the_last_one_verifies(sim, client):
    active_phone(sim, client)
    vid = client.create_verified_destination_number(
        DestinationPhoneNumber=DEST)["VerifiedDestinationNumberId"]
    client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                     VerificationChannel="VOICE")
    old = sim.verification_code(DEST)
    sim.advance(sandbox.CODE_LIFETIME_SECONDS)
    with pytest.raises(ClientError) as expired:
        client.verify_destination_number(VerifiedDestinationNumberId=vid, VerificationCode=old)
    assert reason(expired) == ("ConflictException", "VERIFICATION_CODE_EXPIRED")
    client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                     VerificationChannel="TEXT")
    new = sim.verification_code(DEST)
    assert new != old
    client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                     VerificationChannel="TEXT")
    last = sim.verification_code(DEST)
    assert last not in (old, new)
    with pytest.raises(ClientError) as superseded:  # only the last code sent verifies
        client.verify_destination_number(VerifiedDestinationNumberId=vid, VerificationCode=new)
    assert reason(superseded) == ("ValidationException", "VERIFICATION_CODE_MISMATCH")
    assert client.verify_destination_number(VerifiedDestinationNumberId=vid,
                                            VerificationCode=last)["Status"] == "VERIFIED"


def test_the_code_lifetime_and_attempts_are_settings():
    sim = Simulator(quotas={"VERIFICATION_ATTEMPTS_PER_DAY": 2})
    sim.set_verification_code_lifetime(60)
    with pytest.raises(ValueError):
        sim.set_verification_code_lifetime(0)
    client = sim.client()
    active_phone(sim, client)
    vid = client.create_verified_destination_number(
        DestinationPhoneNumber=DEST)["VerifiedDestinationNumberId"]
    for _ in range(2):
        client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                         VerificationChannel="TEXT")
    with pytest.raises(ClientError) as limited:
        client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                         VerificationChannel="TEXT")
    assert reason(limited) == ("ServiceQuotaExceededException", "VERIFICATION_ATTEMPTS_PER_DAY")
    sim.advance(sandbox.DAY)
    client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                     VerificationChannel="TEXT")
    code = sim.verification_code(DEST)
    sim.advance(60)
    with pytest.raises(ClientError) as expired:
        client.verify_destination_number(VerifiedDestinationNumberId=vid, VerificationCode=code)
    assert reason(expired)[1] == "VERIFICATION_CODE_EXPIRED"


def test_attempts_per_day_default(sim, client):
    active_phone(sim, client)
    vid = client.create_verified_destination_number(
        DestinationPhoneNumber=DEST)["VerifiedDestinationNumberId"]
    for _ in range(DEFAULT_QUOTAS["VERIFICATION_ATTEMPTS_PER_DAY"]):
        client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                         VerificationChannel="TEXT")
    with pytest.raises(ClientError) as limited:
        client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                         VerificationChannel="TEXT")
    assert reason(limited)[1] == "VERIFICATION_ATTEMPTS_PER_DAY"


def test_the_code_needs_an_active_identity_in_the_destinations_country(sim, client):
    vid = client.create_verified_destination_number(
        DestinationPhoneNumber=DEST)["VerifiedDestinationNumberId"]
    with pytest.raises(ClientError) as none:
        client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                         VerificationChannel="TEXT")
    assert reason(none) == ("ConflictException", "NO_ORIGINATION_IDENTITIES_FOUND")
    british = active_phone(sim, client, iso="GB")
    with pytest.raises(ClientError) as abroad:
        client.send_destination_number_verification_code(
            VerifiedDestinationNumberId=vid, VerificationChannel="TEXT",
            OriginationIdentity=british["PhoneNumberId"])
    assert reason(abroad) == ("ValidationException", "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY")
    sms_only = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                           NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    with pytest.raises(ClientError) as pending:
        client.send_destination_number_verification_code(
            VerifiedDestinationNumberId=vid, VerificationChannel="TEXT",
            OriginationIdentity=sms_only["PhoneNumberId"])
    assert reason(pending) == ("ConflictException", "RESOURCE_NOT_ACTIVE")
    sim.force_transition(sms_only["PhoneNumberId"])
    with pytest.raises(ClientError) as no_voice:
        client.send_destination_number_verification_code(
            VerifiedDestinationNumberId=vid, VerificationChannel="VOICE",
            OriginationIdentity=sms_only["PhoneNumberArn"])
    assert reason(no_voice) == ("ValidationException", "VOICE_CAPABILITY_NOT_AVAILABLE")
    sent = client.send_destination_number_verification_code(
        VerifiedDestinationNumberId=vid, VerificationChannel="TEXT",
        OriginationIdentity=sms_only["PhoneNumber"])
    message = next(m for m in sim.sent_messages() if m["MessageId"] == sent["MessageId"])
    assert message["OriginationIdentity"] == sms_only["PhoneNumber"]


def test_describe_filters_pages_and_deletes(client):
    ids = [client.create_verified_destination_number(
        DestinationPhoneNumber=f"+1206555015{i}", Tags=[{"Key": "n", "Value": str(i)}])[
        "VerifiedDestinationNumberId"] for i in range(3)]
    everything = client.describe_verified_destination_numbers()["VerifiedDestinationNumbers"]
    assert [v["VerifiedDestinationNumberId"] for v in everything] == ids
    assert "Tags" not in everything[0]
    page = client.describe_verified_destination_numbers(MaxResults=2)
    rest = client.describe_verified_destination_numbers(MaxResults=2, NextToken=page["NextToken"])
    assert len(page["VerifiedDestinationNumbers"]) == 2 and len(
        rest["VerifiedDestinationNumbers"]) == 1 and "NextToken" not in rest
    by_number = client.describe_verified_destination_numbers(
        DestinationPhoneNumbers=["+12065550151"])["VerifiedDestinationNumbers"]
    assert [v["VerifiedDestinationNumberId"] for v in by_number] == [ids[1]]
    arn = everything[2]["VerifiedDestinationNumberArn"]
    by_arn = client.describe_verified_destination_numbers(VerifiedDestinationNumberIds=[arn])
    assert by_arn["VerifiedDestinationNumbers"][0]["VerifiedDestinationNumberId"] == ids[2]
    assert client.describe_verified_destination_numbers(
        Filters=[{"Name": "status", "Values": ["VERIFIED"]}])["VerifiedDestinationNumbers"] == []
    assert client.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "n", "Value": "2"}]

    deleted = client.delete_verified_destination_number(VerifiedDestinationNumberId=ids[0])
    assert deleted["DestinationPhoneNumber"] == "+12065550150" and "Status" not in deleted
    for call in (lambda: client.delete_verified_destination_number(VerifiedDestinationNumberId=ids[0]),
                 lambda: client.describe_verified_destination_numbers(
                     VerifiedDestinationNumberIds=[ids[0]]),
                 lambda: client.verify_destination_number(VerifiedDestinationNumberId=ids[0],
                                                          VerificationCode="123456")):
        with pytest.raises(ClientError) as gone:
            call()
        assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert gone.value.response["ResourceType"] == "verified-destination-number"


def test_a_number_is_verified_once(client):
    client.create_verified_destination_number(DestinationPhoneNumber=DEST)
    with pytest.raises(ClientError) as twice:
        client.create_verified_destination_number(DestinationPhoneNumber=DEST)
    assert reason(twice) == ("ConflictException", "RESOURCE_ALREADY_EXISTS")


def test_verifying_before_any_code_was_sent_is_a_mismatch(client):
    vid = client.create_verified_destination_number(
        DestinationPhoneNumber=DEST)["VerifiedDestinationNumberId"]
    with pytest.raises(ClientError) as early:
        client.verify_destination_number(VerifiedDestinationNumberId=vid, VerificationCode="1")
    assert reason(early)[1] == "VERIFICATION_CODE_MISMATCH"


def test_control_api_answers_for_codes_and_tier(sim, client):
    assert control_answer(sim, "POST", "/_smsvoice/account-tier", {"tier": "SANDBOX"})[0] == 200
    assert sim.account_tier() == "SANDBOX"
    assert control_answer(sim, "POST", "/_smsvoice/account-tier", {"tier": "GOLD"})[0] == 400
    assert control_answer(sim, "POST", "/_smsvoice/account-tier", ["SANDBOX"])[0] == 400
    active_phone(sim, client)
    vid = client.create_verified_destination_number(
        DestinationPhoneNumber=DEST)["VerifiedDestinationNumberId"]
    client.send_destination_number_verification_code(VerifiedDestinationNumberId=vid,
                                                     VerificationChannel="TEXT")
    status, body = control_answer(sim, "GET", "/_smsvoice/verification-codes?number=%2B12065550142")
    assert status == 200 and [r["VerificationCode"] for r in body["verification_codes"]] == [
        sim.verification_code(DEST)]
    # `+` unescaped reads as a space: taken as the `+` it was
    assert control_answer(sim, "GET", "/_smsvoice/verification-codes?number=+12065550142") == (status, body)
    assert control_answer(sim, "GET", "/_smsvoice/verification-codes?number=%2B19999999999")[1] == {
        "verification_codes": []}


AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")


@pytest.mark.skipif(AWS is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_verifies_a_number_in_the_sandbox(sim, server):
    sim.set_account_tier("SANDBOX")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIACLITESTCLITEST00", "AWS_SECRET_ACCESS_KEY": "x",
           "AWS_DEFAULT_REGION": "us-east-1"}

    def aws(*args: str) -> dict:
        done = subprocess.run([AWS, "pinpoint-sms-voice-v2", *args, "--endpoint-url", server.url,
                               "--output", "json"], capture_output=True, text=True, env=env,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout or "{}")

    # A simulator number may not send verification codes [doc: verify-destination-phone-number.html]
    active_phone(sim, sim.client())
    vid = aws("create-verified-destination-number", "--destination-phone-number",
              DEST)["VerifiedDestinationNumberId"]
    aws("send-destination-number-verification-code", "--verified-destination-number-id", vid,
        "--verification-channel", "TEXT")
    verified = aws("verify-destination-number", "--verified-destination-number-id", vid,
                   "--verification-code", sim.verification_code(DEST))
    assert verified["Status"] == "VERIFIED"
    assert aws("send-text-message", "--destination-phone-number", DEST, "--message-body",
               "hi")["MessageId"]
