"""The control surface Python and the HTTP control API share: reset, the clock, faults,
`--state` saving, the sent-message log; and ARNs that follow the region's partition."""

from __future__ import annotations

import math
import sqlite3
import threading

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from smsvoice_sim.simulator import Simulator

from conftest import active_phone

NO_RETRY = Config(retries={"max_attempts": 1})


def test_reset_clears_faults_and_rate_limit_buckets():
    sim = Simulator(clock="manual", rate_limits=True)
    client = sim.client(config=NO_RETRY)
    client.describe_pools()
    with pytest.raises(ClientError):
        client.describe_pools()  # 1 per second: the bucket is empty
    sim.faults.add("DescribeAccountLimits", "ThrottlingException", count=5)
    sim.reset()
    assert sim.faults.describe() == []
    client.describe_pools()  # a fresh bucket
    client.describe_account_limits()  # no fault left


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, 1e400, 1e308, -1, "5", True])
def test_the_clock_refuses_what_is_not_a_finite_forward_move(seconds):
    sim = Simulator(clock="manual")
    before = sim.clock.now()
    with pytest.raises(ValueError, match="seconds|forward"):
        sim.advance(seconds)
    assert sim.clock.now() == before
    assert math.isfinite(sim.state()["clock"]["now"])


def test_two_huge_moves_cannot_overflow_the_clock():
    sim = Simulator(clock="manual")
    sim.advance(2e11)
    with pytest.raises(ValueError, match="past the year 9999"):
        sim.advance(1e11)
    sim.client().describe_pools()


@pytest.mark.parametrize("value", [math.nan, math.inf, "nan", "x", None, -1])
def test_lifecycle_durations_must_be_finite_seconds(value):
    with pytest.raises(ValueError, match="pool:CREATING->ACTIVE"):
        Simulator(durations={"pool:CREATING->ACTIVE": value})


def _saves(path) -> float:
    with sqlite3.connect(path) as conn:
        return float(conn.execute("SELECT data FROM state_meta WHERE name = 'saved_at'").fetchone()[0])


def test_state_is_saved_after_writes_not_after_reads(tmp_path):
    path = tmp_path / "s.db"
    sim = Simulator(state_file=str(path), seed=1)
    client = sim.client()
    phone = active_phone(sim, client)
    saved = _saves(path)
    for _ in range(3):
        client.describe_phone_numbers()
        client.describe_account_limits()
        with pytest.raises(ClientError):
            client.release_phone_number(PhoneNumberId="phone-" + "0" * 32)  # an error writes nothing
    assert _saves(path) == saved
    client.update_phone_number(PhoneNumberId=phone["PhoneNumberId"], DeletionProtectionEnabled=True)
    assert _saves(path) > saved


def test_sent_messages_are_bounded_and_never_saved(tmp_path):
    sim = Simulator(state_file=str(tmp_path / "s.db"), sent_log_limit=3)
    client = sim.client(short_circuit=True)
    ids = [client.send_text_message(DestinationPhoneNumber="+12065550100",
                                    MessageBody=str(i))["MessageId"] for i in range(5)]
    assert [m["MessageId"] for m in sim.sent_messages()] == ids[-3:]
    with sqlite3.connect(tmp_path / "s.db") as conn:
        data = "".join(row[0] for row in conn.execute("SELECT data FROM state_rows"))
    assert ids[-1] not in data and "MessageBody" not in data
    assert Simulator(state_file=str(tmp_path / "s.db")).sent_messages() == []
    with pytest.raises(ValueError, match="sent_log_limit"):
        Simulator(sent_log_limit=-1)


def test_faults_change_under_the_simulator_lock():
    sim = Simulator()
    added = threading.Event()

    def add():
        sim.faults.add("CreatePool", "ThrottlingException", count=1)
        added.set()

    with sim.lock:  # as a request in progress holds it
        worker = threading.Thread(target=add)
        worker.start()
        assert not added.wait(0.2)
    assert added.wait(5)
    worker.join(5)
    assert [f["operation"] for f in sim.faults.describe()] == ["CreatePool"]


@pytest.mark.parametrize("region,partition", [("us-east-1", "aws"), ("cn-north-1", "aws-cn"),
                                              ("us-gov-west-1", "aws-us-gov")])
def test_arns_follow_the_region_partition(region, partition):
    # botocore lists no China region for this service: one is answered only when allowed
    sim = Simulator(extra_regions=[region] if partition == "aws-cn" else [])
    client = sim.client(region_name=region, short_circuit=True)
    sender = client.request_sender_id(SenderId="PART", IsoCountryCode="US")
    assert sender["SenderIdArn"] == f"arn:{partition}:sms-voice:{region}:123456789012:sender-id/PART/US"
    pool = client.create_pool(OriginationIdentity=sender["SenderIdArn"], MessageType="TRANSACTIONAL")
    assert pool["PoolArn"].startswith(f"arn:{partition}:sms-voice:{region}:")
    client.tag_resource(ResourceArn=pool["PoolArn"], Tags=[{"Key": "k", "Value": "v"}])
    assert client.list_tags_for_resource(ResourceArn=pool["PoolArn"])["Tags"] == [
        {"Key": "k", "Value": "v"}]


def test_a_failing_listener_or_audit_log_does_not_fail_the_answered_request(tmp_path, caplog):
    """The request was answered and the state changed: a listener that raises (the CLI's
    clock hint printing to a closed stderr) or an audit file that cannot be written is
    logged, and the client still gets its answer."""
    sim = Simulator(clock="manual", audit_log=str(tmp_path / "no-such-dir" / "audit.jsonl"))

    def broken(operation, request, response):
        raise BrokenPipeError("stderr is closed")

    sim.listeners.append(broken)
    client = sim.client(config=Config(retries={"max_attempts": 1}))
    with caplog.at_level("WARNING", logger="smsvoice_sim.simulator"):
        created = client.create_opt_out_list(OptOutListName="kept")
    assert created["OptOutListName"] == "kept"
    assert [o["OptOutListName"] for o in client.describe_opt_out_lists()["OptOutLists"]].count("kept") == 1
    messages = [r.getMessage() for r in caplog.records]
    assert any("listener" in m and "CreateOptOutList" in m for m in messages), messages
    assert any("could not append to the audit log" in m for m in messages), messages
