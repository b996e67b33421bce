"""Replay-then-simulate, learned timings, sending through pools, faults, rate limits,
state that outlives the process, and the drift check — through HTTP and Python."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.proxy.cassette import Cassette
from smsvoice_sim.proxy.drift import drifted, verify
from smsvoice_sim.proxy.inprocess import cassette_answer, cassette_client
from smsvoice_sim.proxy.session import CassetteSession
from smsvoice_sim.simulator import Simulator
from smsvoice_sim.simulator.inprocess import inprocess_client

from conftest import FAKE_CREDS, active_phone, active_pool, endpoint_client
from helpers import ROOT, cli_server, control, run_cli

SHIPPED = ROOT / "cassettes" / "pool_lifecycle.db"
NO_RETRY = Config(retries={"max_attempts": 1})


def code(exc) -> str:
    r = exc.value.response
    return r.get("Reason") or r["Error"]["Code"]


# -- replay, then simulate -------------------------------------------------------------

def replay_then_simulate(client) -> dict:
    """Replay the recorded start, then do what was never recorded."""
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="LONG_CODE")
    for _ in range(5):
        if client.describe_phone_numbers(PhoneNumberIds=[phone["PhoneNumberId"]])[
                "PhoneNumbers"][0]["Status"] == "ACTIVE":
            break
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                              MessageType="TRANSACTIONAL")
    for _ in range(5):
        if client.describe_pools(PoolIds=[pool["PoolId"]])["Pools"][0]["Status"] == "ACTIVE":
            break
    out = {"pool": pool["PoolId"], "arn": pool["PoolArn"]}
    # Never recorded: answered by the simulator, on the recorded pool.
    out["update"] = client.update_pool(PoolId=pool["PoolId"], DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as exc:
        client.release_phone_number(PhoneNumberId=phone["PhoneNumberId"])
    out["release"] = code(exc)
    with pytest.raises(ClientError) as exc:
        client.disassociate_origination_identity(PoolId=pool["PoolId"],
                                                 OriginationIdentity=phone["PhoneNumberId"])
    out["disassociate"] = code(exc)
    out["filtered"] = client.describe_pools(
        Filters=[{"Name": "deletion-protection-enabled", "Values": ["true"]}])["Pools"]
    return out


def check_replay_then_simulate(out: dict) -> None:
    assert out["update"]["PoolId"] == out["pool"] and out["update"]["PoolArn"] == out["arn"]
    assert out["update"]["Status"] == "ACTIVE" and out["update"]["DeletionProtectionEnabled"]
    assert out["release"] == "PHONE_NUMBER_ASSOCIATED_TO_POOL"
    assert out["disassociate"] == "LAST_PHONE_NUMBER"
    assert [p["PoolId"] for p in out["filtered"]] == [out["pool"]]


def test_replay_then_simulate_in_python(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "c.db")
    with Cassette(tmp_path / "c.db") as cassette:
        sim = Simulator(clock="manual")
        session = CassetteSession(cassette, simulator=sim)
        out = replay_then_simulate(cassette_client(session))
        assert session.simulated >= 4 and session.missed == 0
    check_replay_then_simulate(out)


@pytest.mark.smsvoice_cassette("../cassettes/pool_lifecycle.db", on_miss="simulate")
def test_replay_then_simulate_in_pytest(smsvoice_client, smsvoice_session):
    check_replay_then_simulate(replay_then_simulate(smsvoice_client))
    assert smsvoice_session.simulator is not None


def test_replay_then_simulate_over_http(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "c.db")
    with cli_server("replay", "--cassette", str(tmp_path / "c.db"), "--listen", "127.0.0.1:0",
                    "--on-miss", "simulate", "--clock", "manual",
                    "--confdir", str(tmp_path)) as (ready, _proc):
        check_replay_then_simulate(replay_then_simulate(endpoint_client(ready.group(1))))


# -- timings learned from recordings -------------------------------------------------------

def timed_cassette(tmp_path, creating_for: float = 42.0, deleting_for: float = 17.0):
    """A recording whose polls are 5 s apart, as a client polling AWS would make. The
    upstream is a simulator on a manual clock; each interaction is stamped with the
    time that clock read, standing for the wall clock of a real session."""
    sim = Simulator(clock="manual", seed=4, durations={"pool:CREATING->ACTIVE": creating_for,
                                                       "pool:DELETING->GONE": deleting_for})
    stamps = []

    def upstream(request):
        stamps.append(sim.clock.now())
        return sim.handle(request)

    path = tmp_path / "timed.db"
    with Cassette(path) as cassette:
        client = inprocess_client(cassette_answer(CassetteSession(cassette, record_mode="all"),
                                                  send=upstream))
        sender = client.request_sender_id(SenderId="TIMED", IsoCountryCode="US")
        pool = client.create_pool(OriginationIdentity=sender["SenderIdArn"],
                                  MessageType="TRANSACTIONAL")["PoolId"]
        for _ in range(20):
            if client.describe_pools(PoolIds=[pool])["Pools"][0]["Status"] == "ACTIVE":
                break
            sim.advance(5)
        client.delete_pool(PoolId=pool)
        for _ in range(20):
            try:
                client.describe_pools(PoolIds=[pool])
            except ClientError:
                break
            sim.advance(5)
        ids = [it.id for it in cassette.interactions()]
    with sqlite3.connect(path) as conn:
        for row_id, stamp in zip(ids, stamps, strict=True):
            conn.execute("UPDATE interactions SET recorded_at = ? WHERE id = ?", [stamp, row_id])
    return path


def test_timings_learned_from_a_recording(tmp_path):
    path = timed_cassette(tmp_path)
    result = run_cli("cassette", "timings", str(path), "--json")
    assert result.returncode == 0, result.stderr
    timings = json.loads(result.stdout)
    # Polled every 5 s: the step is observed to end at the next poll after it did...
    assert timings["pool"]["CREATING->ACTIVE"]["median"] == 45.0
    assert timings["pool"]["DELETING->GONE"]["median"] == 20.0
    # ...and learned as the middle of the gap: within half a polling interval of the truth.
    creating = timings["pool"]["CREATING->ACTIVE"]["estimate"]
    assert abs(creating - 42) <= 2.5 and abs(timings["pool"]["DELETING->GONE"]["estimate"] - 17) <= 2.5
    with Cassette(path) as cassette:
        sim = Simulator(clock="manual", timings_from=cassette.observations())
    assert sim.lifecycles.durations["pool:CREATING->ACTIVE"] == creating
    client = sim.client()
    sender = client.request_sender_id(SenderId="LEARN", IsoCountryCode="US")["SenderIdArn"]
    pool = client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")["PoolId"]
    sim.advance(creating - 1)
    assert client.describe_pools(PoolIds=[pool])["Pools"][0]["Status"] == "CREATING"
    sim.advance(1)
    assert client.describe_pools(PoolIds=[pool])["Pools"][0]["Status"] == "ACTIVE"


def test_simulate_real_clock_with_learned_timings_over_http(tmp_path):
    path = timed_cassette(tmp_path)
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "real",
                    "--timings-from", str(path)) as (ready, _proc):
        url = ready.group(1)
        client = endpoint_client(url)
        sender = client.request_sender_id(SenderId="REAL", IsoCountryCode="US")["SenderIdArn"]
        pool = client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")["PoolId"]
        assert client.describe_pools(PoolIds=[pool])["Pools"][0]["Status"] == "CREATING"
        control(url, "/_smsvoice/clock/advance", {"seconds": 40})
        assert client.describe_pools(PoolIds=[pool])["Pools"][0]["Status"] == "CREATING"
        control(url, "/_smsvoice/clock/advance", {"seconds": 6})
        assert client.describe_pools(PoolIds=[pool])["Pools"][0]["Status"] == "ACTIVE"


# -- sending through a pool ---------------------------------------------------------------

def sending_rules(sim, client) -> list:
    phone = active_phone(sim, client)
    pool = client.create_pool(OriginationIdentity=phone["PhoneNumberId"],
                              MessageType="TRANSACTIONAL")
    with pytest.raises(ClientError) as exc:
        client.send_text_message(OriginationIdentity=pool["PoolId"],
                                 DestinationPhoneNumber="+12065550123", MessageBody="too soon")
    assert code(exc) == "RESOURCE_NOT_ACTIVE"
    sim.force_transition(pool["PoolId"])
    sent = client.send_text_message(OriginationIdentity=pool["PoolArn"],
                                    DestinationPhoneNumber="+12065550123", MessageBody="hello",
                                    Context={"order": "42"})
    assert len(sent["MessageId"]) == 36
    client.put_opted_out_number(OptOutListName="Default", OptedOutNumber="+12065550999")
    with pytest.raises(ClientError) as exc:
        client.send_text_message(OriginationIdentity=pool["PoolId"],
                                 DestinationPhoneNumber="+12065550999", MessageBody="no")
    assert code(exc) == "DESTINATION_PHONE_NUMBER_OPTED_OUT"
    voice = client.send_voice_message(OriginationIdentity=pool["PoolId"],
                                      DestinationPhoneNumber="+12065550123", MessageBody="hi")
    return [sent["MessageId"], voice["MessageId"]]


def test_sending_through_a_pool_in_python(sim, client):
    ids = sending_rules(sim, client)
    messages = sim.sent_messages()
    assert [m["MessageId"] for m in messages] == ids
    assert messages[0]["MessageBody"] == "hello" and messages[0]["Context"] == {"order": "42"}
    assert messages[0]["PoolId"] and messages[1]["Operation"] == "SendVoiceMessage"


def test_sending_through_a_pool_over_http(sim, server):
    client = endpoint_client(server.url)
    ids = sending_rules(sim, client)
    status, body = control(server.url, "/_smsvoice/messages")
    assert status == 200 and [m["MessageId"] for m in body["messages"]] == ids
    state = control(server.url, "/_smsvoice/state")[1]
    assert len(state["accounts"]["123456789012"]["us-east-1"]["sent_messages"]) == 2


def test_voice_needs_a_voice_capable_identity(sim, client):
    phone = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                        NumberCapabilities=["SMS"], NumberType="SIMULATOR")
    with pytest.raises(ClientError) as exc:
        client.send_voice_message(OriginationIdentity=phone["PhoneNumberId"],
                                  DestinationPhoneNumber="+12065550100", MessageBody="hi")
    assert code(exc) == "VOICE_CAPABILITY_NOT_AVAILABLE"


# -- faults and rate limits ---------------------------------------------------------------

def test_faults_over_http_drive_botocores_retries(sim, server):
    client = endpoint_client(server.url, config=Config(retries={"mode": "standard",
                                                                "max_attempts": 3}))
    status, body = control(server.url, "/_smsvoice/faults",
                         {"operation": "CreatePool", "error": "ThrottlingException", "count": 2})
    assert status == 200 and body["faults"][0]["count"] == 2
    sender = client.request_sender_id(SenderId="FAULT", IsoCountryCode="US")["SenderIdArn"]
    pool = client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")
    assert pool["ResponseMetadata"]["RetryAttempts"] == 2  # botocore retried the throttling
    control(server.url, "/_smsvoice/faults", {"operation": "DescribePools",
                                            "error": "InternalServerException", "rate": 1.0})
    with pytest.raises(ClientError) as exc:
        client.describe_pools()
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert exc.value.response["ResponseMetadata"]["RetryAttempts"] >= 2  # 500s are retried too
    assert control(server.url, "/_smsvoice/faults", {}, method="DELETE")[1]["cleared"] == 1
    assert client.describe_pools()["Pools"]
    assert control(server.url, "/_smsvoice/faults",
                 {"operation": "CreatePool", "error": "NoSuchError", "count": 1})[0] == 400
    assert control(server.url, "/_smsvoice/faults",
                 {"operation": "CreatePool", "error": "ThrottlingException"})[0] == 400
    control(server.url, "/_smsvoice/faults", {"operation": "DescribeAccountLimits",
                                            "latency_ms": 150, "count": 1})
    start = time.perf_counter()
    client.describe_account_limits()
    assert time.perf_counter() - start >= 0.15


def test_faults_in_python_with_a_modeled_reason(sim, client):
    sim.faults.add("CreatePool", "ServiceQuotaExceededException", count=1,
                   reason="POOLS_PER_ACCOUNT")
    sender = client.request_sender_id(SenderId="QUOTA", IsoCountryCode="US")["SenderIdArn"]
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")
    assert exc.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert exc.value.response["Reason"] == "POOLS_PER_ACCOUNT"
    assert client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")
    with pytest.raises(ValueError):
        sim.faults.add("CreatePool", "ThrottlingException", count=1, rate=0.5)


def test_aws_rate_limits_on_the_simulator_clock():
    sim = Simulator(clock="manual", rate_limits=True)
    client = sim.client(config=NO_RETRY)
    sender = client.request_sender_id(SenderId="RATE", IsoCountryCode="US")["SenderIdArn"]
    client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")
    with pytest.raises(ClientError) as exc:
        client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")
    assert exc.value.response["Error"]["Code"] == "ThrottlingException"
    client.request_sender_id(SenderId="RATE2", IsoCountryCode="US")  # not rate-limited
    sim.advance(1)
    client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")


def test_rate_limits_over_http():
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "manual",
                    "--rate-limits") as (ready, _proc):
        client = endpoint_client(ready.group(1), config=NO_RETRY)
        client.describe_pools()
        with pytest.raises(ClientError) as exc:
            client.describe_pools()
        assert exc.value.response["Error"]["Code"] == "ThrottlingException"


# -- state that outlives the process -------------------------------------------------------

def test_state_file_survives_a_kill(tmp_path):
    state = str(tmp_path / "state.db")
    args = ("simulate", "--listen", "127.0.0.1:0", "--clock", "manual", "--state", state)
    with cli_server(*args) as (ready, proc):
        client = endpoint_client(ready.group(1))
        sender = client.request_sender_id(SenderId="KEEP", IsoCountryCode="US")["SenderIdArn"]
        pool = client.create_pool(OriginationIdentity=sender, MessageType="TRANSACTIONAL")
        control(ready.group(1), "/_smsvoice/clock/advance", {"seconds": 3})
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with cli_server(*args) as (ready, _proc):
        client = endpoint_client(ready.group(1))
        pools = client.describe_pools()["Pools"]
        assert [p["PoolId"] for p in pools] == [pool["PoolId"]]
        assert pools[0]["Status"] == "CREATING"  # 3 of its 5 seconds had passed
        control(ready.group(1), "/_smsvoice/clock/advance", {"seconds": 2})
        assert client.describe_pools()["Pools"][0]["Status"] == "ACTIVE"
        with pytest.raises(ClientError) as exc:
            client.release_sender_id(SenderId="KEEP", IsoCountryCode="US")
        assert code(exc) == "SENDER_ID_ASSOCIATED_TO_POOL"  # membership survived too


def test_state_file_in_python(tmp_path):
    sim = Simulator(state_file=str(tmp_path / "s.db"), seed=8)
    client = sim.client()
    phone = active_phone(sim, client)
    pool = active_pool(sim, client, phone)
    client.put_keyword(OriginationIdentity=pool["PoolId"], Keyword="JOIN", KeywordMessage="hi")
    before = sim.state()
    again = Simulator(state_file=str(tmp_path / "s.db"), seed=8)
    assert again.state() == before
    words = again.client().describe_keywords(OriginationIdentity=pool["PoolId"])["Keywords"]
    assert "JOIN" in {k["Keyword"] for k in words}


# -- drift check ------------------------------------------------------------------------------

def test_cassette_verify_reports_drift(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "c.db")
    result = run_cli("cassette", "verify", str(tmp_path / "c.db"))
    assert result.returncode == 0 and "no drift" in result.stdout
    with sqlite3.connect(tmp_path / "c.db") as conn:
        row = conn.execute("SELECT id, response_body FROM interactions WHERE operation = "
                           "'CreatePool' AND status = 200").fetchone()
        body = json.loads(row[1])
        body["LegacyFlag"] = True
        body["DeletionProtectionEnabled"] = "no"
        conn.execute("UPDATE interactions SET response_body = ? WHERE id = ?",
                     [json.dumps(body).encode(), row[0]])
    result = run_cli("cassette", "verify", str(tmp_path / "c.db"))
    assert result.returncode == 1 and "DRIFT" in result.stdout
    assert "CreatePool: gone from the model: $.LegacyFlag" in result.stdout
    assert "changed type: $.DeletionProtectionEnabled: recorded str, model says boolean" \
        in result.stdout
    with Cassette(tmp_path / "c.db") as cassette:
        assert drifted(verify(cassette))


def test_unmodified_clients_see_the_simulated_send(monkeypatch):
    # SendTextMessage through boto3 pointed at the endpoint by environment only.
    with cli_server("simulate", "--listen", "127.0.0.1:0", "--clock", "instant") as (ready, _p):
        monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2", ready.group(1))
        client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", **FAKE_CREDS)
        number = client.request_phone_number(IsoCountryCode="US", MessageType="TRANSACTIONAL",
                                             NumberCapabilities=["SMS"], NumberType="SIMULATOR")
        sent = client.send_text_message(OriginationIdentity=number["PhoneNumber"],
                                        DestinationPhoneNumber="+14254147755", MessageBody="x")
        messages = control(ready.group(1), "/_smsvoice/messages")[1]["messages"]
        assert [m["MessageId"] for m in messages] == [sent["MessageId"]]
