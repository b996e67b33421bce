"""Clients nobody here wrote drive a two-way scenario against `smsvoice-sim simulate` (issue 22):
the AWS CLI with `smsvoice-sim inbound` (honouring --control-token), and the AWS SDK for
JavaScript v3 posting the inbound message to the control API; the payloads reach the program's
SQS queue through the number's two-way topic on moto_server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import cli_server, run_cli
from js_runner import needs_node, run_js
from moto_stand_in import TopicReader, aws, moto_server_url, topic_into_queue

moto_url = pytest.fixture(moto_server_url)
HANDSET = "+14254147755"  # a US simulator destination: a SIMULATOR number sends only to those
TOKEN = "s3cret"
AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
CREDS = {"AWS_ACCESS_KEY_ID": "AKIATWOWAYCLI0000000", "AWS_SECRET_ACCESS_KEY": "cli-secret",
         "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}


def aws_cli(url: str, *args: str) -> subprocess.CompletedProcess:
    assert AWS, "the AWS CLI is installed by `make test` (awscli in the test extras)"
    env = {**os.environ, **CREDS}
    env.pop("AWS_PROFILE", None)
    return subprocess.run([AWS, "pinpoint-sms-voice-v2", *args, "--endpoint-url", url, "--output", "json"],
                          capture_output=True, text=True, timeout=120, env=env)


def ok(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout or "{}")


def serving(moto: str):
    return cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual", "--seed", "22",
                      "--events-endpoint-url", moto, "--control-token", TOKEN)


def test_the_aws_cli_and_the_inbound_command_drive_two_way(moto_url):
    topic, queue_url = topic_into_queue(moto_url, "cli-two-way")
    with serving(moto_url) as (ready, _proc):
        url = ready.group(1)
        phone = ok(aws_cli(url, "request-phone-number", "--iso-country-code", "US", "--message-type",
                           "TRANSACTIONAL", "--number-capabilities", "SMS", "--number-type", "SIMULATOR"))
        ok(aws_cli(url, "update-phone-number", "--phone-number-id", phone["PhoneNumberId"],
                   "--two-way-enabled", "--two-way-channel-arn", topic))
        sent = ok(aws_cli(url, "send-text-message", "--origination-identity", phone["PhoneNumberId"],
                          "--destination-phone-number", HANDSET, "--message-body", "Your code is 7"))
        inbound = ("inbound", "--endpoint-url", url, "--from", HANDSET, "--to", phone["PhoneNumber"])
        refused = run_cli(*inbound, "--body", "STOP")  # no token: the control API refuses
        assert refused.returncode == 2 and "(403)" in refused.stderr
        assert "X-SmsVoice-Sim-Token" in refused.stderr
        bad = run_cli(*inbound[:-2], "--to", "ACME", "--body", "STOP", "--control-token", TOKEN)
        assert bad.returncode == 2 and "(400)" in bad.stderr and "sender ID" in bad.stderr
        done = run_cli(*inbound, "--body", "STOP", "--control-token", TOKEN)
        assert done.returncode == 0, done.stderr
        record = json.loads(done.stdout)
        assert (record["keyword"], record["optOut"]["change"]) == ("STOP", "OPTED_OUT")
        listed = ok(aws_cli(url, "describe-opted-out-numbers", "--opt-out-list-name", "Default"))
        assert [(e["OptedOutNumber"], e["EndUserOptedOut"]) for e in listed["OptedOutNumbers"]] == \
            [(HANDSET, True)]
        again = aws_cli(url, "send-text-message", "--origination-identity", phone["PhoneNumberId"],
                        "--destination-phone-number", HANDSET, "--message-body", "again")
        assert again.returncode != 0 and "(ConflictException)" in again.stderr and "opted out" in again.stderr
    (payload,) = TopicReader(aws("sqs", moto_url), queue_url).payloads()
    assert payload == {**record["payload"], "previousPublishedMessageId": sent["MessageId"]}


def test_the_inbound_command_says_when_no_simulator_listens():
    done = run_cli("inbound", "--endpoint-url", "http://127.0.0.1:9", "--from", HANDSET, "--to", HANDSET,
                   "--body", "hi")
    assert done.returncode == 2 and "cannot reach" in done.stderr and "Traceback" not in done.stderr


@needs_node
def test_the_javascript_sdk_drives_two_way(moto_url):
    topic, queue_url = topic_into_queue(moto_url, "js-two-way")
    with serving(moto_url) as (ready, _proc):
        out = run_js("two_way.mjs", ready.group(1), topic, TOKEN)
    assert out["updated"]["TwoWayEnabled"] is True and out["updated"]["TwoWayChannelArn"] == topic
    assert {k["Keyword"] for k in out["keywords"]["Keywords"]} == {"HELP", "STOP", "INFO"}
    assert out["info"]["status"] == 200 and out["info"]["inbound"]["reply"]["messageBody"] == "Open 9 to 5."
    assert out["stop"]["inbound"]["optOut"]["change"] == "OPTED_OUT"
    assert out["optedOut"]["OptedOutNumbers"][0]["EndUserOptedOut"] is True
    assert (out["refused"]["name"], out["refused"]["Reason"]) == ("ConflictException",
                                                                  "DESTINATION_PHONE_NUMBER_OPTED_OUT")
    payloads = TopicReader(aws("sqs", moto_url), queue_url).payloads()
    assert [p["messageKeyword"] for p in payloads] == ["INFO", "STOP"]
    assert payloads[0]["previousPublishedMessageId"] == out["sent"]["MessageId"]
