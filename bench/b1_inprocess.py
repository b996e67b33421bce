"""1. In-process simulate: boto3 create_pool answered by Simulator().client()
against botocore's Stubber (the floor) and moto's mock_aws (logs.create_log_group)."""

from __future__ import annotations

import itertools
import time

import boto3
from botocore.stub import Stubber

from smsvoice_sim.simulator import Simulator

from .common import Table, paired_ratio, per_call_us, verdict

CREDS = {"aws_access_key_id": "AKIABENCH00000000000", "aws_secret_access_key": "bench"}


def _sim_create(short_circuit: bool):
    sim = Simulator(clock="manual", seed=1, quotas={"POOLS": 10**8})
    client = sim.client(short_circuit=short_circuit)
    arn = client.request_sender_id(SenderId="BENCH", IsoCountryCode="US")["SenderIdArn"]
    return lambda: client.create_pool(OriginationIdentity=arn, MessageType="TRANSACTIONAL")


def _stubber_create():
    client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1", **CREDS)
    stubber = Stubber(client)
    stubber.activate()
    canned = {"PoolArn": "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0",
              "PoolId": "pool-0", "Status": "CREATING", "MessageType": "TRANSACTIONAL",
              "TwoWayEnabled": False, "SelfManagedOptOutsEnabled": False,
              "OptOutListName": "Default", "SharedRoutesEnabled": False,
              "DeletionProtectionEnabled": False, "CreatedTimestamp": 1.0, "Tags": []}

    def call():
        stubber.add_response("create_pool", canned)
        client.create_pool(OriginationIdentity="arn:aws:sms-voice:us-east-1:123456789012:"
                                               "sender-id/BENCH/US", MessageType="TRANSACTIONAL")
    return call


def _moto_create():
    from moto import mock_aws
    mock = mock_aws()
    mock.start()
    logs = boto3.client("logs", region_name="us-east-1", **CREDS)
    names = itertools.count()
    return mock, lambda: logs.create_log_group(logGroupName=f"g{next(names)}")


def run(table: Table) -> None:
    fast_us, stub_us, fast_ratio = paired_ratio(_sim_create(short_circuit=True), _stubber_create())
    sim_us, _stub, full_ratio = paired_ratio(_sim_create(short_circuit=False), _stubber_create(),
                                             calls=100)
    mock, moto_create = _moto_create()
    try:  # timed alone: while moto's mock runs it wraps every botocore call in the process
        moto_us = per_call_us(moto_create, calls=100, rounds=7, warmup=10, clock=time.thread_time)
    finally:
        mock.stop()
    table.add("1a in-process create_pool, short-circuit vs Stubber", f"{fast_us:.0f} µs",
              f"{stub_us:.0f} µs", f"{fast_ratio:.2f}×", verdict(fast_ratio <= 1.5, "≤ 1.5×"))
    table.add("1b in-process create_pool, full botocore pipeline vs Stubber", f"{sim_us:.0f} µs",
              f"{_stub:.0f} µs", f"{full_ratio:.2f}×", "(signing + retry loop; reported)")
    table.add("1c in-process create_pool (short-circuit) vs moto mock_aws create_log_group",
              f"{fast_us:.0f} µs", f"{moto_us:.0f} µs", f"{moto_us / fast_us:.1f}× faster",
              verdict(moto_us >= 5 * fast_us, "≥ 5× faster"))
    table.add("1d in-process create_pool (full pipeline) vs moto mock_aws create_log_group",
              f"{sim_us:.0f} µs", f"{moto_us:.0f} µs", f"{moto_us / sim_us:.1f}× faster",
              "(both sign and run botocore's retry loop)")
