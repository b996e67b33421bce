"""Clients nobody here wrote: the AWS SDK for JavaScript v3, the AWS CLI, and an
unmodified boto3 that only has HTTPS_PROXY and AWS_CA_BUNDLE set."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3

from smsvoice_sim.proxy.http_server import EndpointServer, simulator_answer
from smsvoice_sim.simulator import Simulator

from helpers import ROOT, cli_server, drain, self_signed_cert
from js_runner import needs_node, run_js
from workflows import pool_workflow

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
CREDS = {"AWS_ACCESS_KEY_ID": "AKIAOTHERCLIENTS0000", "AWS_SECRET_ACCESS_KEY": "clients-secret",
         "AWS_DEFAULT_REGION": "us-east-1"}
SHIPPED = ROOT / "cassettes" / "pool_lifecycle.db"


def node(scenario: str, url: str):
    return run_js("client.mjs", scenario, url)


@needs_node
def test_javascript_sdk_against_simulate():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "instant") as (ready, _p):
        out = node("simulate", ready.group(1))
    assert out["created"]["Status"] == "CREATING"
    assert out["created"]["createdIsDate"] and out["created"]["createdYear"] >= 2024
    assert out["described"] == [{"PoolId": out["created"]["PoolId"], "Status": "ACTIVE",
                                 "createdIsDate": True}]
    assert out["deleted"] == "DELETING"
    # Modeled members surface on the JS error objects.
    assert out["duplicateSender"] | {"message": None} == {
        "name": "ConflictException", "status": 400, "Reason": "RESOURCE_ALREADY_EXISTS",
        "ResourceType": "sender-id", "ResourceId": "JSSDK", "message": None}
    assert out["phoneInOtherPool"]["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_POOL"
    assert out["notFound"] | {"message": None} == {
        "name": "ResourceNotFoundException", "status": 400, "Reason": None,
        "ResourceType": "pool", "ResourceId": "pool-" + "0" * 32, "message": None}
    assert out["invalid"]["name"] == "ValidationException"
    assert out["invalid"]["Reason"] == "FIELD_VALIDATION_FAILED"


@needs_node
def test_javascript_sdk_replays_a_boto3_recording(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "c.db")
    replay = ("replay", "--cassette", str(tmp_path / "c.db"), "--listen", "127.0.0.1:0",
              "--confdir", str(tmp_path))
    # One replay each: identical requests share one recorded sequence within a session.
    with cli_server(*replay) as (ready, _proc):
        js = node("workflow", ready.group(1))
    with cli_server(*replay) as (ready, _proc):
        py = pool_workflow(boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                                        endpoint_url=ready.group(1),
                                        aws_access_key_id="AKIAX", aws_secret_access_key="x"))
    assert js == json.loads(json.dumps(py))  # same answers, whatever the client
    assert js[3][1][-1] == "ACTIVE"


def aws(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    assert AWS, "the AWS CLI is installed by `make test` (awscli in the test extras)"
    full_env = {**os.environ, **CREDS, "AWS_PAGER": "", **(env or {})}
    full_env.pop("AWS_PROFILE", None)
    return subprocess.run([AWS, "pinpoint-sms-voice-v2", *args, "--output", "json"],
                          capture_output=True, text=True, timeout=120, env=full_env)


def test_aws_cli_flow_and_error_output():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "instant") as (ready, _p):
        url = ready.group(1)
        sender = aws("request-sender-id", "--sender-id", "AWSCLI", "--iso-country-code", "US",
                     "--endpoint-url", url)
        assert sender.returncode == 0, sender.stderr
        arn = json.loads(sender.stdout)["SenderIdArn"]
        created = aws("create-pool", "--origination-identity", arn, "--message-type",
                      "TRANSACTIONAL", "--endpoint-url", url)
        pool = json.loads(created.stdout)
        assert pool["Status"] == "CREATING"
        # Zero code change: the endpoint comes from the environment alone.
        described = aws("describe-pools", "--pool-ids", pool["PoolId"],
                        env={"AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2": url})
        assert json.loads(described.stdout)["Pools"][0]["Status"] == "ACTIVE"
        deleted = aws("delete-pool", "--pool-id", pool["PoolId"], "--endpoint-url", url)
        assert json.loads(deleted.stdout)["Status"] == "DELETING"
        failed = aws("release-sender-id", "--sender-id", "NOPE", "--iso-country-code", "US",
                     "--endpoint-url", url)
    assert failed.returncode in (254, 255)  # v2 says 254 for a service error, v1 says 255
    assert ("An error occurred (ResourceNotFoundException) when calling the ReleaseSenderId "
            "operation: The sender-id NOPE was not found.") in failed.stderr


def test_unmodified_boto3_recorded_through_the_forward_proxy_then_replayed(tmp_path, monkeypatch):
    """No endpoint_url: only HTTPS_PROXY and AWS_CA_BUNDLE. A local TLS server stands in for
    sms-voice.us-east-1.amazonaws.com; then the replay runs with no upstream at all."""
    host = "sms-voice.us-east-1.amazonaws.com"
    confdir = tmp_path / "mitm"
    sim = Simulator(clock="reads:1", verify_sigv4=True,
                    credentials={CREDS["AWS_ACCESS_KEY_ID"]: CREDS["AWS_SECRET_ACCESS_KEY"]})
    upstream = EndpointServer(simulator_answer(sim), tls=self_signed_cert(tmp_path, host)).start()
    for key, value in CREDS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    try:
        with cli_server("record", "--cassette", str(tmp_path / "fwd.db"), "--proxy-listen",
                        "127.0.0.1:0", "--confdir", str(confdir), "--ssl-insecure",
                        "--resolve", f"{host}=127.0.0.1:{upstream.port}") as (ready, proc):
            monkeypatch.setenv("HTTPS_PROXY", ready.group(1))
            monkeypatch.setenv("AWS_CA_BUNDLE", str(confdir / "mitmproxy-ca-cert.pem"))
            client = boto3.client("pinpoint-sms-voice-v2")  # nothing but the environment
            assert client.meta.endpoint_url == f"https://{host}"
            recorded = pool_workflow(client)
        log = "".join(drain(proc))
        assert "RequestPhoneNumber -> 200" in log and "DeletePool -> 200" in log
    finally:
        upstream.close()
    with cli_server("replay", "--cassette", str(tmp_path / "fwd.db"), "--proxy-listen",
                    "127.0.0.1:0", "--confdir", str(confdir)) as (ready, _proc):
        monkeypatch.setenv("HTTPS_PROXY", ready.group(1))
        replayed = pool_workflow(boto3.client("pinpoint-sms-voice-v2"))
    assert replayed == recorded
