"""The HTTP endpoint: control API, zero-code-change use, and the CLI as a user runs it."""

from __future__ import annotations

import socket

import boto3
import pytest

from conftest import FAKE_CREDS, active_phone
from helpers import ROOT, cli_server, control, run_cli


def test_control_api(sim, server):
    from conftest import endpoint_client
    client = endpoint_client(server.url)
    assert control(server.url, "/_smsvoice/health") == (200, {"status": "ok", "mode": "simulate"})
    sender = client.request_sender_id(SenderId="CTRL", IsoCountryCode="US")
    pool = client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="TRANSACTIONAL")
    status, body = control(server.url, "/_smsvoice/clock/advance", {"seconds": 5})
    assert status == 200 and body["clock"] == "manual"
    assert client.describe_pools()["Pools"][0]["Status"] == "ACTIVE"
    status, state = control(server.url, "/_smsvoice/state")
    region = state["accounts"]["123456789012"]["us-east-1"]
    assert [p["PoolId"] for p in region["pools"]] == [pool["PoolId"]]
    assert region["pools"][0]["OriginationIdentities"] == ["CTRL"]
    assert region["sender_ids"][0]["PoolIds"] == [pool["PoolId"]]
    phone = active_phone(sim, client)
    status, body = control(server.url, "/_smsvoice/transitions/force",
                           {"ResourceId": phone["PhoneNumberId"]})
    assert status == 200 and body["Status"] == "ACTIVE"
    assert control(server.url, "/_smsvoice/clock/advance", {"seconds": -1})[0] == 400
    assert control(server.url, "/_smsvoice/clock/advance", {"seconds": "5"})[0] == 400
    assert control(server.url, "/_smsvoice/nope", {})[0] == 404
    assert control(server.url, "/_smsvoice/reset", {}) == (200, {"reset": True})
    assert client.describe_pools()["Pools"] == []


def test_cli_simulate_with_zero_code_change(monkeypatch):
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                    "--seed", "7", cwd=str(ROOT)) as (match, _proc):
        url = match.group(1)
        monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", url)
        client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", **FAKE_CREDS)
        assert client.meta.endpoint_url == url
        phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="LONG_CODE")
        control(url, "/_smsvoice/clock/advance", {"seconds": 5})
        pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                                  MessageType="TRANSACTIONAL")
        assert pool["Status"] == "CREATING"
        control(url, "/_smsvoice/clock/advance", {"seconds": 5})
        assert client.describe_pools()["Pools"][0]["Status"] == "ACTIVE"
        first_ids = (phone["PhoneNumberId"], pool["PoolId"])
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                    "--seed", "7", cwd=str(ROOT)) as (match, _proc):
        client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1",
                              endpoint_url=match.group(1), **FAKE_CREDS)
        phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                            NumberCapabilities=["SMS"], NumberType="LONG_CODE")
        assert phone["PhoneNumberId"] == first_ids[0]  # same seed, same ids


def test_cli_user_errors_are_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("simulate", "--listen", f"127.0.0.1:{port}")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_cli("simulate", "--clock", "sometimes")
    assert result.returncode == 2 and "unknown clock" in result.stderr
    result = run_cli("simulate", "--listen", "127.0.0.1:notaport")
    assert result.returncode == 2 and "HOST:PORT" in result.stderr
    result = run_cli("no-such-command")
    assert result.returncode == 2


@pytest.mark.parametrize("args", [["--help"], ["simulate", "--help"], ["demo", "--help"],
                                  ["record", "--help"], ["replay", "--help"], ["diagram", "--help"],
                                  ["cassette", "--help"], ["cassette", "show", "--help"],
                                  ["cassette", "import", "--help"],
                                  ["cassette", "verify", "--help"]])
def test_help_reads_well(args):
    result = run_cli(*args)
    assert result.returncode == 0 and "usage: smsvoice-sim" in result.stdout


def test_demo_runs_offline():
    result = run_cli("demo", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "CREATING" in result.stdout and "ACTIVE" in result.stdout
    assert "ResourceNotFoundException" in result.stdout


def test_record_and_replay_user_errors_are_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("record", "--cassette", str(tmp_path / "c.db"), "--listen",
                         f"127.0.0.1:{port}")
    assert result.returncode == 2 and "cannot listen" in result.stderr
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 500)
    for args in (("replay", "--cassette", str(junk), "--listen", "127.0.0.1:0"),
                 ("cassette", "export", str(junk)),
                 ("cassette", "import", str(tmp_path / "missing.jsonl"), str(tmp_path / "x.db")),
                 ("replay", "--cassette", str(tmp_path / "c.db")),
                 ("simulate", "--state", str(junk), "--listen", "127.0.0.1:0")):
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("smsvoice-sim: error:"), (args, lines)


def test_cassette_import_of_a_large_export(tmp_path):
    line = (ROOT / "cassettes" / "pool_lifecycle.jsonl").read_text().splitlines()[1]
    (tmp_path / "big.jsonl").write_text("\n".join([line] * 20_000) + "\n")
    result = run_cli("cassette", "import", str(tmp_path / "big.jsonl"), str(tmp_path / "big.db"))
    assert result.returncode == 0 and "imported 20000 interactions" in result.stdout
    listed = run_cli("cassette", "list", str(tmp_path))
    assert "big.db: 20000 interactions (DescribePhoneNumbers×20000)" in listed.stdout
